"""Taking a quiz: start or resume an attempt, answer its questions, finish it."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from quizapp.banks.schema import Question as QuestionModel
from quizapp.extensions import db
from quizapp.models import Answer, Attempt, AttemptQuestion, Bank, Question, QuestionVersion, utcnow
from quizapp.scoring import ScoreResult, score
from quizapp.services.banks import question_model
from quizapp.services.errors import Conflict, NotFound

#: Answers that arrive this long after the time limit still count (network latency).
GRACE = dt.timedelta(seconds=5)


def get_bank(bank_id: str) -> Bank:
    bank = db.session.get(Bank, bank_id)
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


def attempts_used(account_id: int, bank_id: str) -> int:
    """How many whole-bank attempts the account has started on the bank."""
    return db.session.execute(
        select(func.count(Attempt.id)).where(
            Attempt.account_id == account_id, Attempt.bank_id == bank_id, Attempt.kind == "full"
        )
    ).scalar_one()


def open_attempt(account_id: int, bank_id: str, kind: str = "full") -> Attempt | None:
    """The account's unfinished attempt at the bank, if any (the newest)."""
    return db.session.execute(
        select(Attempt)
        .where(
            Attempt.account_id == account_id,
            Attempt.bank_id == bank_id,
            Attempt.kind == kind,
            Attempt.finished_at.is_(None),
        )
        .order_by(Attempt.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _create(account_id: int, bank: Bank, versions: list[QuestionVersion], kind: str,
            now: dt.datetime) -> Attempt:
    limit = bank.settings.get("time_limit_seconds")
    attempt = Attempt(
        account_id=account_id,
        bank_id=bank.id,
        kind=kind,
        seed=secrets.randbelow(2**31),
        started_at=now,
        deadline_at=now + dt.timedelta(seconds=limit) if limit else None,
        points=sum(v.content.get("points", 1) for v in versions),
    )
    attempt.items = [
        AttemptQuestion(position=i, question_version_id=v.id) for i, v in enumerate(versions)
    ]
    db.session.add(attempt)
    db.session.commit()
    return attempt


def start_attempt(account_id: int, bank_id: str, *, now: dt.datetime | None = None) -> Attempt:
    """Resume the account's open attempt at the bank, or start a new one.

    Raises :class:`Conflict` when the bank's attempt limit is used up.
    """
    now = now or utcnow()
    bank = get_bank(bank_id)
    existing = open_attempt(account_id, bank_id)
    if existing is not None and not expire_if_due(existing, now):
        return existing
    limit = bank.settings.get("max_attempts")
    if limit and attempts_used(account_id, bank_id) >= limit:
        raise Conflict(f"You have used all {limit} attempts at this quiz.")
    versions = current_versions(bank_id)
    if not versions:
        raise NotFound("This quiz has no questions.")
    return _create(account_id, bank, versions, "full", now)


def missed_versions(account_id: int, bank_id: str) -> list[QuestionVersion]:
    """Current versions of the questions not fully right in the latest finished attempt."""
    latest = db.session.execute(
        select(Attempt.id)
        .where(
            Attempt.account_id == account_id,
            Attempt.bank_id == bank_id,
            Attempt.finished_at.is_not(None),
        )
        .order_by(Attempt.finished_at.desc(), Attempt.id.desc())
        .limit(1)
    ).scalar_one_or_none()
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


def start_practice(account_id: int, bank_id: str, *, now: dt.datetime | None = None) -> Attempt:
    """A new attempt made of the questions the account missed last time."""
    now = now or utcnow()
    bank = get_bank(bank_id)
    existing = open_attempt(account_id, bank_id, "practice")
    if existing is not None and not expire_if_due(existing, now):
        return existing
    versions = missed_versions(account_id, bank_id)
    if not versions:
        raise Conflict("Nothing to practise: you got every question right last time.")
    return _create(account_id, bank, versions, "practice", now)


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
    expire_if_due(attempt, now or utcnow())
    return attempt


def expire_if_due(attempt: Attempt, now: dt.datetime) -> bool:
    """Finish the attempt if its time limit has passed; whether it is (now) finished."""
    if attempt.finished_at is None and attempt.deadline_at and now > attempt.deadline_at + GRACE:
        finish_attempt(attempt, now=attempt.deadline_at)
    return attempt.finished_at is not None


def item_for(attempt: Attempt, question_key: str) -> AttemptQuestion:
    for item in attempt.items:
        if item.version.content["id"] == question_key:
            return item
    raise NotFound(f"Question '{question_key}' is not in this attempt.")


def next_item(attempt: Attempt) -> AttemptQuestion | None:
    """The first question not yet answered, or None when all are."""
    return next((item for item in attempt.items if item.answer is None), None)


def _shuffled(values: list[str], rng: random.Random) -> list[str]:
    shuffled = values[:]
    rng.shuffle(shuffled)
    return shuffled


def public_question(attempt: Attempt, item: AttemptQuestion) -> dict[str, Any]:
    """What a student may see of a question before answering: never its key or explanation.

    Shuffles are seeded by the attempt and question, so a reload shows the same order.
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
    shuffle = attempt.bank.settings.get("shuffle_choices", True)
    if kind in ("single", "multiple"):
        view["choices"] = _shuffled(content["choices"], rng) if shuffle else list(content["choices"])
    elif kind == "ordering":
        items = _shuffled(content["items"], rng)
        if items == content["items"]:  # never hand out the answer as the starting order
            items = items[1:] + items[:1]
        view["items"] = items
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
    """Re-score a stored answer against the version it answered (for feedback)."""
    return score(question_model(item.version.content), answer.response)


def answer_question(
    attempt: Attempt, item: AttemptQuestion, response: Any, *, now: dt.datetime | None = None
) -> Outcome:
    """Score ``response`` on the server and store it; a question is answered once.

    A second answer to the same question changes nothing and returns the first
    (``duplicate``). Raises :class:`Conflict` when the attempt is finished.
    """
    now = now or utcnow()
    if item.answer is not None:
        return Outcome(item, item.answer, result_for(item, item.answer), duplicate=True)
    if expire_if_due(attempt, now):
        raise Conflict("Time is up: this attempt has finished.")
    if attempt.finished_at is not None:
        raise Conflict("This attempt has finished.")
    result = score(question_model(item.version.content), response)
    answer = Answer(
        attempt_question_id=item.id,
        attempt_id=attempt.id,
        response=response,
        score=result.score,
        points=result.points,
        answered_at=now,
    )
    db.session.add(answer)
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
    db.session.commit()
    db.session.refresh(attempt)
    return attempt


def question_of(item: AttemptQuestion) -> QuestionModel:
    return question_model(item.version.content)
