"""Spaced review: which questions a student has missed, when each is due again (FSRS), and
review attempts that ask the due ones across banks.

A question answered wrong or partly right, or left unanswered, in a finished attempt whose
marks the student may see (whole-bank, practice or review; never a teacher's preview or a
live game) gets a :class:`~quizapp.models.ReviewCard`, due at once. Marks held back by an
assignment (quizapp.services.release) make nothing due until they are shown. Each answer in a
review attempt reschedules the card with FSRS: wrong (``Rating.Again``) the next day, partly
right ``Hard``, right ``Good``, further out as the card's stability grows.

A card is per student and question (the question of a bank, across its versions): a review asks
the version now current, and a retired question is not asked any more. Review attempts have no
bank (``Attempt.bank_id`` is None) and no assignment, so they are in no board, report,
assignment count or bank score; their answers count towards mastery, like practice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fsrs import Card, Rating, Scheduler
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quizapp.extensions import db
from quizapp.models import (
    Answer,
    Attempt,
    AttemptQuestion,
    Bank,
    Question,
    QuestionVersion,
    ReviewCard,
    utcnow,
)

#: The most questions one review asks.
MAX_QUESTIONS = 20
#: A wrong answer comes back this much later, whatever FSRS's stability says.
AGAIN_AFTER = dt.timedelta(days=1)

#: No learning or relearning steps: FSRS's defaults (1 and 10 minutes) suit flashcards
#: flipped in one sitting, not a student who reviews once a day, so every answer is
#: scheduled in whole days (at least one) from the card's stability. Without fuzzing a
#: student sees the date FSRS computed, and tests can name it. At most a year: a bank
#: has a ``review_by`` date, and a question is rewritten or retired well within that.
SCHEDULER = Scheduler(
    desired_retention=0.9,
    learning_steps=(),
    relearning_steps=(),
    maximum_interval=365,
    enable_fuzzing=False,
)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC)


def _naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def rating_for(score: float | None, points: float) -> Rating:
    """Right: Good; partly right: Hard; wrong or unanswered: Again."""
    if score is None or score <= 1e-9:
        return Rating.Again
    if score >= points - 1e-9:
        return Rating.Good
    return Rating.Hard


def _memory(card: ReviewCard) -> Card:
    return Card.from_dict(card.memory)  # type: ignore[arg-type]


def _rate(card: ReviewCard, rating: Rating, at: dt.datetime) -> None:
    """Fold one answer into the card's FSRS state and due time."""
    memory, _ = SCHEDULER.review_card(_memory(card), rating, _aware(at))
    card.memory = dict(memory.to_dict())
    due = _naive(memory.due)
    if rating == Rating.Again:
        due = at + AGAIN_AFTER  # the next day, even when FSRS's stability would wait longer
    card.due_at = due


def _new_card(account_id: int, bank_id: str, question_id: int, due: dt.datetime) -> ReviewCard:
    memory = Card(card_id=question_id, due=_aware(due))
    return ReviewCard(account_id=account_id, bank_id=bank_id, question_id=question_id,
                      memory=dict(memory.to_dict()), due_at=due, reps=0, lapses=0)


# -- making questions due ---------------------------------------------------------------------


def _misses(account_id: int, now: dt.datetime) -> dict[int, tuple[str, dt.datetime, Rating]]:
    """Per question: its bank, and the latest finish of an attempt outside review (whose marks
    the student may see) that missed it, with the rating that miss is worth."""
    from quizapp.services.release import hidden_attempt_ids

    hidden = hidden_attempt_ids(account_id, now)
    rows = db.session.execute(
        select(Question.id, Question.bank_id, Attempt.id, Attempt.finished_at, Answer.score,
               Answer.points)
        .select_from(AttemptQuestion)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .outerjoin(Answer, Answer.attempt_question_id == AttemptQuestion.id)
        .where(Attempt.account_id == account_id, Attempt.kind.in_(("full", "practice")),
               Attempt.finished_at.is_not(None), Attempt.finished_at <= now,
               Question.retired_at.is_(None),
               Answer.id.is_(None) | (Answer.score < Answer.points))
    ).all()
    latest: dict[int, tuple[str, dt.datetime, Rating]] = {}
    for question_id, bank_id, attempt_id, finished_at, got, out_of in rows:
        if attempt_id in hidden:
            continue
        if question_id not in latest or finished_at > latest[question_id][1]:
            latest[question_id] = (bank_id, finished_at, rating_for(got, out_of or 1.0))
    return latest


def sync(account_id: int, now: dt.datetime | None = None) -> None:
    """Make due every question the student missed since their card last heard of it.

    A miss is folded in once: a new card is due at the miss; a card already reviewed is rated
    by the miss (Again, or Hard for partly right) and due at once. Misses in review attempts
    are not read here: each review answer reschedules its card as it is given, and a question
    left unanswered in a review stays due.
    """
    now = now or utcnow()
    misses = _misses(account_id, now)
    if not misses:
        return
    cards = {card.question_id: card for card in db.session.execute(
        select(ReviewCard).where(ReviewCard.account_id == account_id)).scalars()}
    changed = False
    for question_id, (bank_id, missed_at, rating) in misses.items():
        card = cards.get(question_id)
        if card is None:
            card = _new_card(account_id, bank_id, question_id, missed_at)
            card.missed_at = missed_at
            db.session.add(card)
            changed = True
            continue
        seen = max(filter(None, (card.missed_at, card.last_review_at)), default=None)
        if seen is not None and missed_at <= seen:
            continue
        if card.last_review_at is not None:
            _rate(card, rating, missed_at)
        card.missed_at = missed_at
        card.due_at = min(card.due_at, missed_at)
        changed = True
    if changed:
        try:
            db.session.commit()
        except IntegrityError:  # another request made the same card at the same moment
            db.session.rollback()


# -- what is due --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueCard:
    bank_id: str
    bank_title: str
    question_id: str
    due_at: dt.datetime
    #: the question's row (for its current version) and the card's
    question_pk: int
    card_id: int


def _active() -> Any:
    """Cards of questions still asked, in banks the student may practise (see callers)."""
    return (
        select(ReviewCard, Question.key, Bank.title)
        .join(Question, Question.id == ReviewCard.question_id)
        .join(Bank, Bank.id == ReviewCard.bank_id)
        .where(Question.retired_at.is_(None))
    )


def due_cards(account_id: int, now: dt.datetime | None = None) -> list[DueCard]:
    """The student's due cards, the longest due first, leaving out questions of banks whose
    practice is refused to them now (an open assignment that hides answers or has limits)."""
    from quizapp.services.release import refused_banks

    now = now or utcnow()
    refused = refused_banks(account_id, now)
    rows = db.session.execute(
        _active().where(ReviewCard.account_id == account_id, ReviewCard.due_at <= now)
        .order_by(ReviewCard.due_at, ReviewCard.id)
    ).all()
    return [DueCard(card.bank_id, title, key, card.due_at, card.question_id, card.id)
            for card, key, title in rows if card.bank_id not in refused]


def next_due_at(account_id: int, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the next card that is not due yet falls due (None when there is none)."""
    now = now or utcnow()
    return db.session.execute(
        select(func.min(ReviewCard.due_at))
        .join(Question, Question.id == ReviewCard.question_id)
        .where(ReviewCard.account_id == account_id, ReviewCard.due_at > now,
               Question.retired_at.is_(None))
    ).scalar_one()


@dataclass(frozen=True)
class Overview:
    due: list[DueCard]
    next_due_at: dt.datetime | None
    open_attempt: Attempt | None


def overview(account_id: int, now: dt.datetime | None = None) -> Overview:
    """What is due now, when the next falls due, and the review under way (after a sync)."""
    now = now or utcnow()
    sync(account_id, now)
    return Overview(due_cards(account_id, now), next_due_at(account_id, now),
                    open_review(account_id))


# -- review attempts ----------------------------------------------------------------------------


def open_review(account_id: int) -> Attempt | None:
    """The student's unfinished review attempt, if any."""
    return db.session.execute(
        select(Attempt).where(Attempt.account_id == account_id, Attempt.kind == "review",
                              Attempt.finished_at.is_(None))
        .order_by(Attempt.id.desc()).limit(1)
    ).scalar_one_or_none()


def start_review(account_id: int, now: dt.datetime | None = None) -> tuple[Attempt | None, bool]:
    """The review under way, or a new one of up to :data:`MAX_QUESTIONS` due questions across
    banks (None when nothing is due); whether it is new.

    Questions of two banks may share an id; the answer routes name a question by its id, so a
    review asks one of them and leaves the other due for the next.
    """
    from quizapp.services.quiz import _create

    now = now or utcnow()
    existing = open_review(account_id)
    if existing is not None:
        return existing, False
    sync(account_id, now)
    chosen: list[DueCard] = []
    keys: set[str] = set()
    for card in due_cards(account_id, now):
        if card.question_id in keys:
            continue
        keys.add(card.question_id)
        chosen.append(card)
        if len(chosen) == MAX_QUESTIONS:
            break
    if not chosen:
        return None, False
    versions = {v.question_id: v for v in db.session.execute(
        select(QuestionVersion)
        .join(Question, (Question.id == QuestionVersion.question_id)
              & (QuestionVersion.number == Question.version))
        .where(Question.id.in_([c.question_pk for c in chosen]))
    ).scalars()}
    try:
        return _create(account_id, None, [versions[c.question_pk] for c in chosen], "review",
                       now), True
    except IntegrityError:  # started at the same moment elsewhere (a double click): that one
        db.session.rollback()
        started = open_review(account_id)
        if started is None:
            raise
        return started, False


def record_answer(attempt: Attempt, item: AttemptQuestion, score: float, points: float,
                  at: dt.datetime) -> None:
    """Reschedule the card of a question answered in a review attempt (in the caller's
    transaction: the answer and its card are stored together, or neither)."""
    card = db.session.execute(
        select(ReviewCard).where(ReviewCard.account_id == attempt.account_id,
                                 ReviewCard.question_id == item.version.question_id)
    ).scalar_one_or_none()
    if card is None:  # its bank was deleted meanwhile, with its cards
        return
    rating = rating_for(score, points)
    _rate(card, rating, at)
    card.last_review_at = at
    card.reps += 1
    if rating == Rating.Again:
        card.lapses += 1


def due_for(account_id: int, question_ids: list[int]) -> dict[int, dt.datetime]:
    """When each of these questions (their rows' ids) is next due for the student."""
    if not question_ids:
        return {}
    return dict(db.session.execute(  # type: ignore[arg-type]
        select(ReviewCard.question_id, ReviewCard.due_at)
        .where(ReviewCard.account_id == account_id, ReviewCard.question_id.in_(question_ids))
    ).all())


# -- what was reviewed ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reviewed:
    bank_id: str
    bank_title: str
    question_id: str
    prompt: str
    due_at: dt.datetime
    last_review_at: dt.datetime | None
    reps: int
    lapses: int


def reviewed(account_id: int) -> list[Reviewed]:
    """Every card of the student's with its question's current prompt, the soonest due first."""
    rows = db.session.execute(
        select(ReviewCard, Question.key, Bank.title, QuestionVersion.content["prompt"].as_string())
        .join(Question, Question.id == ReviewCard.question_id)
        .join(QuestionVersion, (QuestionVersion.question_id == Question.id)
              & (QuestionVersion.number == Question.version))
        .join(Bank, Bank.id == ReviewCard.bank_id)
        .where(ReviewCard.account_id == account_id, Question.retired_at.is_(None))
        .order_by(ReviewCard.due_at, ReviewCard.id)
    ).all()
    return [Reviewed(card.bank_id, title, key, prompt or "", card.due_at, card.last_review_at,
                     card.reps, card.lapses) for card, key, title, prompt in rows]
