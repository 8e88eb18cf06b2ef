"""A student's progress: scores per bank over time, and mastery per skill."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from quizapp.banks.schema import SKILLS
from quizapp.extensions import db
from quizapp.models import (
    Account,
    Answer,
    Article,
    Attempt,
    AttemptQuestion,
    Bank,
    Question,
    QuestionVersion,
)


@dataclass
class AttemptPoint:
    id: int
    finished_at: dt.datetime
    score: float
    points: float

    @property
    def fraction(self) -> float:
        return self.score / self.points if self.points else 0.0


@dataclass
class BankProgress:
    """A student's finished whole-bank attempts at one bank, oldest first."""

    bank_id: str
    title: str
    attempts: list[AttemptPoint] = field(default_factory=list)
    #: Finished attempts left out of ``attempts`` because their marks are not shown to the
    #: student yet (an assignment's ``show_answers``).
    hidden: int = 0

    @property
    def best(self) -> AttemptPoint | None:
        return max(self.attempts, key=lambda a: (a.fraction, -a.id), default=None)

    @property
    def latest(self) -> AttemptPoint | None:
        return self.attempts[-1] if self.attempts else None


def bank_progress(account_id: int, *, now: dt.datetime | None = None) -> list[BankProgress]:
    """Every bank the account has finished an attempt at, with each attempt's score.

    Attempts whose marks the student may not see yet (see
    :func:`quizapp.services.release.answers_released`) are only counted, in ``hidden``.
    """
    from quizapp.services.release import hidden_attempt_ids

    hidden = hidden_attempt_ids(account_id, now)
    rows = db.session.execute(
        select(Attempt.id, Attempt.bank_id, Bank.title, Attempt.finished_at, Attempt.score,
               Attempt.points)
        .join(Bank, Bank.id == Attempt.bank_id)
        .where(Attempt.account_id == account_id, Attempt.kind == "full",
               Attempt.finished_at.is_not(None))
        .order_by(Attempt.finished_at, Attempt.id)
    ).all()
    result: dict[str, BankProgress] = {}
    for attempt_id, bank_id, title, finished_at, got, out_of in rows:
        progress = result.setdefault(bank_id, BankProgress(bank_id, title))
        if attempt_id in hidden:
            progress.hidden += 1
        else:
            progress.attempts.append(AttemptPoint(attempt_id, finished_at, got or 0.0, out_of))
    return list(result.values())


def skill_mastery(account_id: int, *, now: dt.datetime | None = None) -> dict[str, float | None]:
    """Mastery per skill, from 0 to 1 (None for a skill never asked).

    Answers of attempts whose marks the student may not see yet are left out.

    Every question the student has answered, or left unanswered in an attempt
    they finished (scored 0), counts once: by its latest outcome, in any
    attempt, practice included. Mastery is the sum of those scores over the
    sum of their points, per skill: getting a question right after missing it
    raises mastery fully, and skipping questions does not hide them.
    """
    from quizapp.services.release import hidden_attempt_ids

    hidden = hidden_attempt_ids(account_id, now)
    when = func.coalesce(Answer.answered_at, Attempt.finished_at)
    rows = db.session.execute(
        select(QuestionVersion.question_id, QuestionVersion.content["skill"].as_string(),
               Answer.score, QuestionVersion.content["points"].as_float(), Attempt.id)
        .select_from(AttemptQuestion)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .join(QuestionVersion, AttemptQuestion.question_version_id == QuestionVersion.id)
        .outerjoin(Answer, Answer.attempt_question_id == AttemptQuestion.id)
        .where(Attempt.account_id == account_id, Attempt.kind != "preview",
               (Answer.id.is_not(None)) | (Attempt.finished_at.is_not(None)))
        .order_by(when, AttemptQuestion.id)
    ).all()
    latest: dict[int, tuple[str | None, float, float]] = {}
    for question_id, skill, got, points, attempt_id in rows:
        if attempt_id in hidden:
            continue
        latest[question_id] = (skill, got or 0.0, points if points is not None else 1.0)
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for skill, got, out_of in latest.values():
        if skill:
            totals[skill][0] += got
            totals[skill][1] += out_of
    return {s: (totals[s][0] / totals[s][1] if totals[s][1] else None) for s in SKILLS}


@dataclass
class CatalogueEntry:
    bank: Bank
    questions: int
    best: AttemptPoint | None = None
    attempts: int = 0


@dataclass
class CatalogueSection:
    article: Article | None
    entries: list[CatalogueEntry]


def catalogue(account_id: int | None) -> list[CatalogueSection]:
    """Banks with questions that the account may see, grouped by article, with the account's
    best score and attempts."""
    from quizapp.services.authoring import visible_banks

    account = db.session.get(Account, account_id) if account_id else None
    counts = dict(
        db.session.execute(
            select(Question.bank_id, func.count(Question.id))
            .where(Question.retired_at.is_(None))
            .group_by(Question.bank_id)
        ).all()
    )
    banks = db.session.execute(
        select(Bank).where(visible_banks(account)).order_by(Bank.title)).scalars().all()
    mine = {p.bank_id: p for p in bank_progress(account_id)} if account_id else {}
    started = dict(
        db.session.execute(
            select(Attempt.bank_id, func.count(Attempt.id))
            .where(Attempt.account_id == account_id, Attempt.kind == "full")
            .group_by(Attempt.bank_id)
        ).all()
    ) if account_id else {}
    sections: dict[str | None, CatalogueSection] = {}
    for bank in banks:
        if not counts.get(bank.id):
            continue
        section = sections.setdefault(bank.source_id, CatalogueSection(bank.article, []))
        progress = mine.get(bank.id)
        section.entries.append(
            CatalogueEntry(bank, counts[bank.id], progress.best if progress else None,
                           started.get(bank.id, 0))
        )
    return sorted(sections.values(), key=lambda s: (s.article is None, s.article.title if s.article else ""))


def get_article(article_id: str) -> Article | None:
    return db.session.get(Article, article_id)
