"""Taking a quiz: start or resume an attempt, answer its questions, finish it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import random
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from quizapp.banks.schema import Question as QuestionModel
from quizapp.extensions import db
from quizapp.models import (
    Answer,
    Assignment,
    Attempt,
    AttemptQuestion,
    Bank,
    Question,
    QuestionVersion,
    utcnow,
)
from quizapp.scoring import ScoreResult, response_too_large, score
from quizapp.services import assignments, release
from quizapp.services.banks import question_model
from quizapp.services.classes import membership, touch_board
from quizapp.services.errors import Conflict, Invalid, NotFound

#: Answers that arrive this long after the time limit still count (network latency).
GRACE = dt.timedelta(seconds=5)


def visible_bank(account_id: int, bank_id: str) -> Bank:
    """The bank, if the account may see it (see :mod:`quizapp.services.authoring`); else
    :class:`NotFound`, as if it did not exist."""
    from quizapp.models import Account
    from quizapp.services.authoring import can_see

    bank = get_bank(bank_id)
    if bank.file_path is None and not can_see(db.session.get(Account, account_id), bank):
        raise NotFound("There is no such quiz.")
    return bank


def get_bank(bank_id: str) -> Bank:
    # a bank id is a slug: one with a control character names none (and NUL breaks PostgreSQL)
    bank = db.session.get(Bank, bank_id) if bank_id.isprintable() else None
    if bank is None:
        raise NotFound("There is no such quiz.")
    return bank


def current_versions(bank_id: str) -> list[QuestionVersion]:
    """The versions now asked of a bank's questions that are not retired, in order."""
    return list(
        db.session.execute(
            select(QuestionVersion)
            .join(
                Question,
                (QuestionVersion.question_id == Question.id)
                & (QuestionVersion.number == Question.version),
            )
            .where(Question.bank_id == bank_id, Question.retired_at.is_(None))
            .order_by(Question.position)
        ).scalars()
    )


def _same_assignment(assignment_id: int | None) -> Any:
    if assignment_id is None:  # the student's own: not those of an assignment since deleted
        return Attempt.scope == 0
    return Attempt.assignment_id == assignment_id


def attempts_used(account_id: int, bank_id: str, assignment_id: int | None = None) -> int:
    """How many whole-bank attempts the account has started (for that assignment, if any)."""
    return db.session.execute(
        select(func.count(Attempt.id)).where(
            Attempt.account_id == account_id, Attempt.bank_id == bank_id, Attempt.kind == "full",
            _same_assignment(assignment_id),
        )
    ).scalar_one()


def open_attempt(account_id: int, bank_id: str, kind: str = "full",
                 assignment_id: int | None = None) -> Attempt | None:
    """The account's unfinished attempt at the bank (for that assignment), if any."""
    return db.session.execute(
        select(Attempt)
        .where(
            Attempt.account_id == account_id,
            Attempt.bank_id == bank_id,
            Attempt.kind == kind,
            Attempt.finished_at.is_(None),
            _same_assignment(assignment_id),
        )
        .order_by(Attempt.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def open_assignment_attempts(account_id: int) -> dict[int, Attempt]:
    """The account's unfinished attempt per assignment (the latest, should there be two)."""
    attempts: dict[int, Attempt] = {}
    for attempt in db.session.execute(
        select(Attempt)
        .where(Attempt.account_id == account_id, Attempt.kind == "full",
               Attempt.finished_at.is_(None), Attempt.assignment_id.is_not(None))
        .order_by(Attempt.id.desc())
    ).scalars():
        attempts.setdefault(attempt.assignment_id, attempt)
    return attempts


def arrange(versions: list[QuestionVersion], seed: int, *, shuffle: bool = False,
            count: int | None = None) -> list[QuestionVersion]:
    """The questions an attempt asks, in its order: a draw of ``count`` of them (kept in the
    bank's order unless shuffled), and with ``shuffle`` an order of its own; both fixed by
    the attempt's seed."""
    rng = random.Random(f"{seed}:questions")  # noqa: S311 - which questions and their order only
    chosen = list(versions)
    if count is not None and count < len(chosen):
        picked = set(rng.sample(range(len(chosen)), count))
        chosen = [v for i, v in enumerate(chosen) if i in picked]
    if shuffle:
        rng.shuffle(chosen)
    return chosen


def _create(account_id: int, bank: Bank | None, versions: list[QuestionVersion], kind: str,
            now: dt.datetime, *, time_limit: int | None = None,
            assignment_id: int | None = None, number: int | None = None,
            terms: Any = None, shuffle: bool = False, count: int | None = None) -> Attempt:
    limit = time_limit
    seed = secrets.randbelow(2**31)
    versions = arrange(versions, seed, shuffle=shuffle, count=count)
    attempt = Attempt(
        account_id=account_id,
        bank_id=bank.id if bank is not None else None,
        assignment_id=assignment_id,
        kind=kind,
        scope=assignment_id or 0,
        number=number,
        seed=seed,
        started_at=now,
        deadline_at=(assignments.deadline(terms, now) if terms is not None
                     else now + dt.timedelta(seconds=limit) if limit else None),
        points=sum(v.content.get("points", 1) for v in versions),
    )
    attempt.items = [
        AttemptQuestion(position=i, question_version_id=v.id) for i, v in enumerate(versions)
    ]
    db.session.add(attempt)
    db.session.commit()
    return attempt


def _last_number(account_id: int, bank_id: str, assignment_id: int | None) -> int:
    """The number of the account's latest whole-bank attempt in that scope (0 for none)."""
    return db.session.execute(
        select(func.coalesce(func.max(Attempt.number), 0)).where(
            Attempt.account_id == account_id, Attempt.bank_id == bank_id,
            Attempt.scope == (assignment_id or 0),
        )
    ).scalar_one()


#: Starts that lose a race for an attempt number look again this many times.
_START_TRIES = 5


def refuse_practice_during_assignment(account_id: int, bank: Bank,
                                      now: dt.datetime | None = None) -> None:
    """:class:`Conflict` while the student may not practise the bank on their own: see
    :func:`quizapp.services.release.practice_refusal` (an assignment of it still open to them
    hides answers, or has a time or attempt limit)."""
    refusal = release.practice_refusal(account_id, bank, now)
    if refusal is not None:
        raise Conflict(refusal)


def start_attempt(account_id: int, bank_id: str, *, assignment_id: int | None = None,
                  now: dt.datetime | None = None) -> Attempt:
    """Resume the account's open attempt at the bank, or start a new one (see :func:`begin_attempt`)."""
    return begin_attempt(account_id, bank_id, assignment_id=assignment_id, now=now)[0]


def begin_attempt(account_id: int, bank_id: str, *, assignment_id: int | None = None,
                  now: dt.datetime | None = None) -> tuple[Attempt, bool]:
    """Resume the account's open attempt at the bank, or start a new one; whether it is new.

    With ``assignment_id``, the attempt is for that class assignment: only its
    class's students may make it, not before it opens, and its attempt and
    time limits replace the bank's, with the student's accommodation added (extra
    attempts, extra time, their own due date). It asks the assignment's draw of
    ``question_count`` questions, in an order of its own with ``shuffle_questions``.
    Raises :class:`Conflict` when the attempt limit is used up, and after the
    student's due date when the assignment closes then (``close_at_due``).
    """
    now = now or utcnow()
    bank = visible_bank(account_id, bank_id)
    max_attempts = bank.settings.get("max_attempts")
    time_limit = bank.settings.get("time_limit_seconds")
    terms, shuffle, count = None, False, None
    if assignment_id is not None:
        assignment = db.session.get(Assignment, assignment_id)
        if (assignment is None or assignment.bank_id != bank_id
                or membership(assignment.classroom_id, account_id) is None):
            raise NotFound("There is no such assignment.")
        if assignment.opens_at and now < assignment.opens_at:
            raise Conflict(f"This assignment opens at {assignment.opens_at:%Y-%m-%d %H:%M} UTC.")
        terms = assignments.terms_for(assignment, account_id, bank=bank)
        if terms.closed(now):
            existing = open_attempt(account_id, bank_id, assignment_id=assignment_id)
            if existing is not None:
                expire_if_due(existing, now)
            raise Conflict(f"This assignment closed at its due date, {terms.due_at:%Y-%m-%d %H:%M} UTC.")
        max_attempts, time_limit = terms.max_attempts, terms.time_limit_seconds
        shuffle, count = assignment.shuffle_questions, assignment.question_count
    else:
        refuse_practice_during_assignment(account_id, bank, now)
    versions = current_versions(bank_id)
    if not versions:
        raise NotFound("This quiz has no questions.")
    # The limit is checked and the attempt stored in one step: the attempt's number is
    # unique, so of two starts at once only one is stored; the other looks again and
    # resumes the attempt that won (or finds the limit used up).
    for _ in range(_START_TRIES):
        # the number first: an attempt stored after this read is then seen as open below
        number = _last_number(account_id, bank_id, assignment_id) + 1
        existing = open_attempt(account_id, bank_id, assignment_id=assignment_id)
        if existing is not None and not expire_if_due(existing, now):
            return existing, False
        if max_attempts and number > max_attempts:
            raise Conflict(f"You have used all {max_attempts} attempts at this quiz.")
        try:
            return _create(account_id, bank, versions, "full", now, time_limit=time_limit,
                           assignment_id=assignment_id, number=number, terms=terms,
                           shuffle=shuffle, count=count), True
        except IntegrityError:
            db.session.rollback()
    raise Conflict("This quiz is being started from elsewhere at the same moment; try again.")


def start_preview(account_id: int, bank_id: str, *, now: dt.datetime | None = None) -> Attempt:
    """A teacher's try of a bank as a student takes it; kind "preview" counts nowhere (not in
    progress, boards or reports). Resumes the open one."""
    now = now or utcnow()
    bank = visible_bank(account_id, bank_id)
    existing = open_attempt(account_id, bank_id, "preview")
    if existing is not None and not expire_if_due(existing, now):
        return existing
    versions = current_versions(bank_id)
    if not versions:
        raise NotFound("This quiz has no questions.")
    return _create(account_id, bank, versions, "preview", now,
                   time_limit=bank.settings.get("time_limit_seconds"))


def missed_versions(account_id: int, bank_id: str) -> list[QuestionVersion]:
    """Current versions of the questions not fully right in the latest finished attempt whose
    marks the student may see: an attempt whose answers are held back says nothing, not even
    which questions were missed."""
    from quizapp.services.release import hidden_attempt_ids

    hidden = hidden_attempt_ids(account_id)
    query = (
        select(Attempt.id)
        .where(
            Attempt.account_id == account_id,
            Attempt.bank_id == bank_id,
            Attempt.finished_at.is_not(None),
        )
        .order_by(Attempt.finished_at.desc(), Attempt.id.desc())
        .limit(1)
    )
    if hidden:
        query = query.where(Attempt.id.not_in(hidden))
    latest = db.session.execute(query).scalar_one_or_none()
    if latest is None:
        return []
    rows = db.session.execute(
        select(QuestionVersion.question_id, Answer.score, Answer.points)
        .select_from(AttemptQuestion)
        .join(QuestionVersion, AttemptQuestion.question_version_id == QuestionVersion.id)
        .outerjoin(Answer, Answer.attempt_question_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id == latest)
    ).all()
    missed = {qid for qid, got, out_of in rows if got is None or got < out_of}
    return [v for v in current_versions(bank_id) if v.question_id in missed]


def _shown_finished(account_id: int, bank_id: str) -> bool:
    """Whether the account has a finished attempt at the bank whose marks it may see."""
    from quizapp.services.release import hidden_attempt_ids

    finished = set(db.session.execute(
        select(Attempt.id).where(Attempt.account_id == account_id, Attempt.bank_id == bank_id,
                                 Attempt.finished_at.is_not(None))
    ).scalars())
    return bool(finished - hidden_attempt_ids(account_id))


def start_practice(account_id: int, bank_id: str, *, now: dt.datetime | None = None) -> Attempt:
    """A new attempt made of the questions the account missed last time."""
    now = now or utcnow()
    bank = visible_bank(account_id, bank_id)
    refuse_practice_during_assignment(account_id, bank, now)
    existing = open_attempt(account_id, bank_id, "practice")
    if existing is not None and not expire_if_due(existing, now):
        return existing
    versions = missed_versions(account_id, bank_id)
    if not versions:
        if _shown_finished(account_id, bank_id):
            raise Conflict("Nothing to practise: you got every question right last time.")
        raise Conflict("Nothing to practise yet: no finished attempt of yours shows its marks.")
    return _create(account_id, bank, versions, "practice", now,
                   time_limit=bank.settings.get("time_limit_seconds"))


def load_attempt(attempt_id: int, account_id: int, *, now: dt.datetime | None = None) -> Attempt:
    """The account's attempt with its questions and answers; finished if its time is up.

    Someone else's attempt is :class:`NotFound`, as if it did not exist.
    """
    attempt = db.session.execute(
        select(Attempt)
        .where(Attempt.id == attempt_id)
        .options(
            selectinload(Attempt.items).selectinload(AttemptQuestion.version),
            selectinload(Attempt.items).selectinload(AttemptQuestion.answer),
            selectinload(Attempt.bank),
        )
    ).scalar_one_or_none()
    if attempt is None or attempt.account_id != account_id:
        raise NotFound("There is no such attempt.")
    if attempt.bank_id is None:
        _load_banks_of(attempt.items)
    expire_if_due(attempt, now or utcnow())
    return attempt


def _load_banks_of(items: list[AttemptQuestion]) -> None:
    """Load the questions and banks of a review attempt's items in one query, so that
    :func:`bank_of` reads them from the session rather than asking for each."""
    ids = {item.version.question_id for item in items}
    if ids:
        db.session.execute(
            select(Question).where(Question.id.in_(ids)).options(joinedload(Question.bank))
        ).scalars().all()


def bank_of(attempt: Attempt, item: AttemptQuestion) -> Bank:
    """The bank a question of the attempt comes from: the attempt's, or for a review (which
    asks questions of any bank) the question's own."""
    if attempt.bank is not None:
        return attempt.bank
    return item.version.question.bank


def expire_if_due(attempt: Attempt, now: dt.datetime) -> bool:
    """Finish the attempt if its time limit has passed; whether it is (now) finished."""
    if attempt.finished_at is None and attempt.deadline_at and now > attempt.deadline_at + GRACE:
        finish_attempt(attempt, now=attempt.deadline_at)
    return attempt.finished_at is not None


def own_attempt(attempt_id: int, account_id: int, now: dt.datetime | None = None) -> Attempt:
    """The account's attempt with its bank (not its questions); finished if its time is up."""
    attempt = db.session.execute(
        select(Attempt).where(Attempt.id == attempt_id).options(joinedload(Attempt.bank))
    ).scalar_one_or_none()
    if attempt is None or attempt.account_id != account_id:
        raise NotFound("There is no such attempt.")
    expire_if_due(attempt, now or utcnow())
    return attempt


def _tally_query(attempt_id: Any) -> Any:
    return (
        select(
            func.count(AttemptQuestion.id).label("total"),
            func.count(Answer.id).label("answered"),
            func.min(AttemptQuestion.position).filter(Answer.id.is_(None)).label("next_position"),
        )
        .select_from(AttemptQuestion)
        .outerjoin(Answer, Answer.attempt_question_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id == attempt_id)
    )


def _item_query(*criteria: Any) -> Any:
    """One question of the account's attempt with the attempt, its bank, the version and
    the answer: everything a question needs, in one query."""
    return (
        select(AttemptQuestion)
        .join(AttemptQuestion.attempt)
        .outerjoin(Attempt.bank)  # none for a review
        .join(AttemptQuestion.version)
        .join(Question, Question.id == QuestionVersion.question_id)
        .outerjoin(AttemptQuestion.answer)
        .where(AttemptQuestion.attempt_id == bindparam("attempt_id"),
               Attempt.account_id == bindparam("account_id"), *criteria)
        .options(
            contains_eager(AttemptQuestion.attempt).contains_eager(Attempt.bank),
            contains_eager(AttemptQuestion.version),
            contains_eager(AttemptQuestion.answer),
        )
    )


# The statements of the busiest requests are built once: building one costs about as
# much as running it (their parameters are bound at each call).


@functools.cache
def _item_by_key() -> Any:
    return _item_query(Question.key == bindparam("key"))


@functools.cache
def _item_by_position() -> Any:
    counts = _tally_query(bindparam("attempt_id")).subquery()
    return (
        _item_query(AttemptQuestion.position == bindparam("position"))
        .add_columns(counts.c.total, counts.c.answered, counts.c.next_position)
        .join(counts, true())
    )


def _not_found(attempt_id: int, account_id: int, message: str) -> NotFound:
    own_attempt(attempt_id, account_id)  # "There is no such attempt." when it is not theirs
    return NotFound(message)


def load_item(attempt_id: int, account_id: int, question_key: str, *,
              now: dt.datetime | None = None) -> tuple[Attempt, AttemptQuestion]:
    """The account's attempt and just one of its questions, for answering it.

    One query, where :func:`load_attempt` loads every question of the attempt:
    answering is the busiest thing the app does.
    """
    item = db.session.execute(
        _item_by_key(), {"attempt_id": attempt_id, "account_id": account_id, "key": question_key}
    ).scalar_one_or_none()
    if item is None:
        raise _not_found(attempt_id, account_id, f"Question '{question_key}' is not in this attempt.")
    expire_if_due(item.attempt, now or utcnow())
    return item.attempt, item


@dataclass(frozen=True)
class Tally:
    """How far a student is through an attempt."""

    total: int
    answered: int
    #: the position (from 0) of the first question not yet answered; None when all are
    next_position: int | None


def tally(attempt: Attempt) -> Tally:
    """Questions, answers and the first unanswered question, counted in one query."""
    return Tally(*db.session.execute(_tally_query(attempt.id)).one())


def load_position(attempt_id: int, account_id: int, number: int, *,
                  now: dt.datetime | None = None) -> tuple[Attempt, AttemptQuestion, Tally]:
    """The account's attempt, its question ``number`` (from 1) and how far the student is.

    One query, for the question page; an unknown number is :class:`NotFound`.
    """
    row = db.session.execute(
        _item_by_position(),
        {"attempt_id": attempt_id, "account_id": account_id, "position": number - 1},
    ).one_or_none()
    if row is None:
        raise _not_found(attempt_id, account_id, f"There is no question {number} in this attempt.")
    item, *counted = row
    expire_if_due(item.attempt, now or utcnow())
    return item.attempt, item, Tally(*counted)


def item_for(attempt: Attempt, question_key: str) -> AttemptQuestion:
    for item in attempt.items:
        if item.version.content["id"] == question_key:
            return item
    raise NotFound(f"Question '{question_key}' is not in this attempt.")


def _shuffled(values: list[str], rng: random.Random) -> list[str]:
    shuffled = values[:]
    rng.shuffle(shuffled)
    return shuffled


def public_question(attempt: Attempt, item: AttemptQuestion) -> dict[str, Any]:
    """What a student may see of a question before answering: never its key or explanation.

    Shuffles are seeded by the attempt and question, so a reload shows the same order.
    Every order is equally likely, the right one included: ruling it out would make the
    first order shown a clue (with two items, the answer is then always the reverse).
    """
    content = item.version.content
    rng = random.Random(f"{attempt.seed}:{content['id']}")  # noqa: S311 - display order only
    view: dict[str, Any] = {
        "id": content["id"],
        "type": content["type"],
        "prompt": content["prompt"],
        "points": content.get("points", 1),
    }
    kind = content["type"]
    shuffle = bank_of(attempt, item).settings.get("shuffle_choices", True)
    if kind in ("single", "multiple"):
        view["choices"] = _shuffled(content["choices"], rng) if shuffle else list(content["choices"])
    elif kind == "ordering":
        view["items"] = _shuffled(content["items"], rng)
    elif kind == "matching":
        view["lefts"] = list(content["pairs"])
        view["rights"] = _shuffled([*content["pairs"].values(), *content.get("distractors", [])], rng)
    return view


@dataclass
class Outcome:
    """A stored answer and its marks; ``duplicate`` when it had been answered before."""

    item: AttemptQuestion
    answer: Answer
    result: ScoreResult
    duplicate: bool = False


def result_for(item: AttemptQuestion, answer: Answer) -> ScoreResult:
    """Re-score a stored answer against the version it answered (for feedback), with the mark
    as stored: a teacher's change of the mark (see services.marking) is the mark."""
    result = score(question_model(item.version.content), answer.response)
    if answer.score != result.score:
        result = dataclasses.replace(result, score=answer.score)
    return result


def answer_question(
    attempt: Attempt, item: AttemptQuestion, response: Any, *, now: dt.datetime | None = None
) -> Outcome:
    """Score ``response`` on the server and store it; a question is answered once.

    A second answer to the same question changes nothing and returns the first
    (``duplicate``). Raises :class:`Invalid` for a response larger than the
    question's type allows (see :func:`quizapp.scoring.response_bounds`), and
    :class:`Conflict` when the attempt is finished; either way nothing is stored.
    """
    now = now or utcnow()
    question = question_model(item.version.content)
    too_large = response_too_large(question, response)
    if too_large is not None:
        raise Invalid(too_large)
    if item.answer is not None:
        return Outcome(item, item.answer, result_for(item, item.answer), duplicate=True)
    if attempt.finished_at is not None:
        raise Conflict("This attempt has finished.")
    if expire_if_due(attempt, now):
        raise Conflict("Time is up: this attempt has finished.")
    result = score(question, response)
    answer = Answer(
        attempt_question_id=item.id,
        attempt_id=attempt.id,
        response=response,
        score=result.score,
        points=result.points,
        answered_at=now,
    )
    db.session.add(answer)
    if attempt.kind == "review":
        from quizapp.services import review

        review.record_answer(attempt, item, result.score, result.points, now)
    try:
        db.session.commit()
    except IntegrityError:  # the same question answered at the same moment (a double click)
        db.session.rollback()
        stored = db.session.execute(
            select(Answer).where(Answer.attempt_question_id == item.id)
        ).scalar_one()
        return Outcome(item, stored, result_for(item, stored), duplicate=True)
    return Outcome(item, answer, result)


def finish_attempt(attempt: Attempt, *, now: dt.datetime | None = None) -> Attempt:
    """Close the attempt and total its marks; finishing twice changes nothing."""
    if attempt.finished_at is not None:
        return attempt
    total = db.session.execute(
        select(func.coalesce(func.sum(Answer.score), 0)).where(Answer.attempt_id == attempt.id)
    ).scalar_one()
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.finished_at.is_(None))
        .values(finished_at=now or utcnow(), score=float(total))
    )
    if attempt.assignment_id is not None:
        touch_board(attempt.assignment.classroom_id)
    db.session.commit()
    db.session.refresh(attempt)
    return attempt


def question_of(item: AttemptQuestion) -> QuestionModel:
    return question_model(item.version.content)
