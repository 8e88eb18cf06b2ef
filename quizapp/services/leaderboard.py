"""Leaderboards: one ranking rule, boards per assignment and per class, cached by version."""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import (
    Account,
    Answer,
    Assignment,
    Attempt,
    AttemptQuestion,
    Classroom,
    Membership,
    Question,
    QuestionVersion,
)


@dataclass(frozen=True)
class Entry:
    rank: int
    account_id: int
    name: str
    score: float
    points: float
    #: When the student first reached this score.
    reached_at: dt.datetime
    #: Places gained (+) or lost (-) since the board before the latest finished attempt.
    movement: int = 0
    #: What the board is out of, the same for every entry (see :func:`assignment_points`).
    total: float = 0.0
    #: ``score`` over ``total``, 0..100, two decimals (None when the total is 0).
    percent: float | None = None


Row = tuple[int, str, float, float, dt.datetime]


def rank(rows: list[Row]) -> list[Entry]:
    """Rank (account_id, name, score, points, reached_at) rows.

    Higher score first. Equal scores share a rank, and the next rank skips
    the places they took (1, 2, 2, 4). Among equal scores, whoever reached
    the score first is listed first (then by name, then account, so the
    order is total).
    """
    return [Entry(place, *row) for place, row in _places(rows)]


def _places(rows: list[Row]) -> list[tuple[int, Row]]:
    """(rank, row) in board order, by the rule :func:`rank` states."""
    ordered = sorted(rows, key=lambda r: (-r[2], r[4], r[1], r[0]))
    places: list[tuple[int, Row]] = []
    for place, row in enumerate(ordered, start=1):
        shared = places and places[-1][1][2] == row[2]
        places.append((places[-1][0] if shared else place, row))
    return places


@dataclass
class Board:
    """A ranked board, and what the projector shows beside it."""

    classroom_id: int
    assignment_id: int | None
    entries: list[Entry]
    members: int
    finished: int
    frozen_at: dt.datetime | None
    version: int
    #: With ``version``, tells this class from an earlier one that had the same id.
    created_at: dt.datetime
    by_account: dict[int, Entry] = field(default_factory=dict)

    def top(self, n: int = 10) -> list[Entry]:
        return self.entries[:n]

    def entry_for(self, account_id: int) -> Entry | None:
        return self.by_account.get(account_id)


#: How many places a student (and the projector) sees of a board.
TOP = 10


@dataclass(frozen=True)
class BoardView:
    """What one account may see of a board."""

    #: The places listed: all of them for the class's teacher, the top :data:`TOP` for a student.
    entries: list[Entry]
    #: The student's own entry, listed or not (None for the teacher, or before they finish).
    me: Entry | None


def view_for(ranked: Board, account_id: int, *, teaches: bool) -> BoardView:
    """What ``account_id`` may see of ``ranked``: the teacher the whole board; a student the
    top ten and their own place, so no student reads the scores of the whole class.

    The board page and the API both show a board through this.
    """
    if teaches:
        return BoardView(entries=list(ranked.entries), me=None)
    return BoardView(entries=ranked.top(TOP), me=ranked.entry_for(account_id))


# (classroom_id, assignment_id) -> Board, valid while the class's board_version is the same.
_cache: dict[tuple[int, int | None], Board] = {}
_lock = threading.Lock()


def clear_cache(classroom_id: int | None = None) -> None:
    """Forget cached boards (of one class, or all). Writes bump ``board_version`` instead;
    this is for tests and for memory."""
    with _lock:
        for key in [k for k in _cache if classroom_id is None or k[0] == classroom_id]:
            del _cache[key]


def _totals(classroom_id: int, assignment_id: int | None, upto: dt.datetime | None,
            accounts: list[int] | None = None) -> list[Any]:
    """Per member: (account_id, score, points, reached_at) summed over their best finished
    attempt at each assignment (the earliest among equal scores); ``reached_at`` is when
    the last of those attempts finished, for the total stands from its last part.

    The database picks the best attempts and sums them, so a class of a thousand
    students sends back a thousand rows, not every attempt.
    """
    conditions = [
        Assignment.classroom_id == classroom_id,
        Attempt.finished_at.is_not(None),
        Attempt.kind == "full",
    ]
    if assignment_id is not None:
        conditions.append(Attempt.assignment_id == assignment_id)
    if upto is not None:
        conditions.append(Attempt.finished_at <= upto)
    if accounts is not None:
        conditions.append(Attempt.account_id.in_(accounts))
    numbered = (
        select(
            Attempt.account_id, Attempt.score, Attempt.points, Attempt.finished_at,
            func.row_number().over(
                partition_by=(Attempt.account_id, Attempt.assignment_id),
                order_by=(Attempt.score.desc(), Attempt.finished_at, Attempt.id),
            ).label("place"),
        )
        .join(Assignment, Assignment.id == Attempt.assignment_id)
        .join(Membership, (Membership.classroom_id == Assignment.classroom_id)
              & (Membership.account_id == Attempt.account_id))
        .where(*conditions)
        .subquery()
    )
    return list(db.session.execute(
        select(numbered.c.account_id, func.sum(numbered.c.score), func.sum(numbered.c.points),
               func.max(numbered.c.finished_at))
        .where(numbered.c.place == 1)
        .group_by(numbered.c.account_id)
    ).all())


def _score(total: float | None) -> float:
    """A total as boards compare it: sums of float marks, rounded to the marks' six decimals."""
    return round(total or 0.0, 6)


def _rows(totals: list[Any], names: dict[int, str]) -> list[Row]:
    return [(a, names.get(a, "?"), _score(score), points, reached)
            for a, score, points, reached in totals]


def assignment_points(assignments: list[Assignment]) -> dict[int, float]:
    """What each assignment is out of on a board: the points of the questions its bank asks
    now; for a draw of ``question_count`` questions, that many times their mean points (the
    same as the bank's total over its questions when every question has the same points)."""
    banks = {a.bank_id for a in assignments}
    if not banks:
        return {}
    points = func.coalesce(QuestionVersion.content["points"].as_float(), 1.0)
    per_bank = {
        bank_id: (float(total or 0.0), count) for bank_id, total, count in db.session.execute(
            select(Question.bank_id, func.sum(points), func.count(Question.id))
            .join(QuestionVersion, (QuestionVersion.question_id == Question.id)
                  & (QuestionVersion.number == Question.version))
            .where(Question.bank_id.in_(banks), Question.retired_at.is_(None))
            .group_by(Question.bank_id)
        ).all()
    }
    result = {}
    for assignment in assignments:
        total, count = per_bank.get(assignment.bank_id, (0.0, 0))
        if assignment.question_count is not None and count > assignment.question_count:
            total = total / count * assignment.question_count
        result[assignment.id] = round(total, 6)
    return result


def _percent(score: float, total: float) -> float | None:
    return round(100 * score / total, 2) if total else None


def board(classroom: Classroom, assignment_id: int | None = None) -> Board:
    """The class board or one assignment's.

    One assignment's board ranks each student's best finished attempt. The class board sums
    each student's best finished attempt at every one of the class's assignments (one not
    attempted counts 0), out of the same total for everyone: the sum of the assignments'
    points (:func:`assignment_points`); each entry carries that ``total`` and its ``percent``.
    While the board is frozen, only attempts finished before the freeze count. Cached until
    the class's ``board_version`` changes (every write that can move a board bumps it: a
    finished attempt, a changed mark, an assignment set, edited or deleted).
    """
    version = db.session.execute(
        select(Classroom.board_version).where(Classroom.id == classroom.id)
    ).scalar_one()
    key = (classroom.id, assignment_id)
    with _lock:
        cached = _cache.get(key)
    if cached is not None and (cached.version, cached.created_at) == (version, classroom.created_at):
        return cached

    members = db.session.execute(
        select(Membership.account_id, Membership.nickname, Account.display_name)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.classroom_id == classroom.id)
    ).all()
    use_nickname = classroom.board_names == "nickname"
    names = {a: (nick if use_nickname else display) for a, nick, display in members}
    totals = _totals(classroom.id, assignment_id, classroom.board_frozen_at)
    places = _places(_rows(totals, names))
    latest = max((reached for *_, reached in totals), default=None)
    movement: dict[int, int] = {}
    if latest is not None and len(places) > 1:
        # Only the students whose total was last reached at ``latest`` had a different
        # total just before it; everyone else's best attempts all finished earlier.
        moved = {a for a, *_, reached in totals if reached == latest}
        earlier = [t for t in totals if t[0] not in moved] + _totals(
            classroom.id, assignment_id, latest - dt.timedelta(microseconds=1), list(moved))
        before = {account_id: _score(total) for account_id, total, *_ in earlier}
        # A rank is one more than the number of higher scores (equal scores share it).
        ordered = sorted(before.values())
        movement = {
            row[0]: len(ordered) - bisect.bisect_right(ordered, before[row[0]]) + 1 - place
            for place, row in places if row[0] in before
        }
    assignments = list(db.session.execute(
        select(Assignment).where(Assignment.classroom_id == classroom.id,
                                 *([Assignment.id == assignment_id] if assignment_id else []))
    ).scalars())
    total = sum(assignment_points(assignments).values())
    entries = [Entry(place, *row, movement.get(row[0], 0), total, _percent(row[2], total))
               for place, row in places]
    result = Board(classroom.id, assignment_id, entries, len(members), len(entries),
                   classroom.board_frozen_at, version, classroom.created_at,
                   {e.account_id: e for e in entries})
    with _lock:
        _cache[key] = result
    return result


@dataclass(frozen=True)
class QuestionCount:
    """How one question of an assignment is going, live: over every answer given to it in
    the assignment's attempts, finished or under way."""

    #: Its place in the bank, from 1 (attempts that shuffle or draw ask it elsewhere).
    number: int
    question_id: str
    prompt: str
    answered: int
    #: Full marks.
    right: int
    #: Some marks, not all.
    partly: int
    #: No marks.
    wrong: int


def question_counts(assignment: Assignment) -> list[QuestionCount]:
    """Per question of the assignment's bank, in the bank's order: how many answered it, and
    how many of those were right, partly right and wrong (attempts under way included, for
    the projector). Questions no attempt asked are left out; teacher previews never count."""
    full = Answer.score >= Answer.points - _SAME
    none = Answer.score <= _SAME
    rows = db.session.execute(
        select(Question.position, Question.key, func.count(Answer.id),
               func.count(Answer.id).filter(full),
               func.count(Answer.id).filter(~full & ~none),
               func.count(Answer.id).filter(none & ~full))
        .select_from(Answer)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(AttemptQuestion, AttemptQuestion.id == Answer.attempt_question_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(Attempt.assignment_id == assignment.id, Attempt.kind == "full")
        .group_by(Question.id, Question.position, Question.key)
        .order_by(Question.position)
    ).all()
    prompts = {q.key: q.current.content.get("prompt", "") for q in assignment.bank.questions}
    numbers = {q.key: n for n, q in enumerate(
        sorted(assignment.bank.questions, key=lambda q: q.position), start=1)}
    return [QuestionCount(numbers.get(key, position + 1), key, prompts.get(key, ""), answered,
                          right, partly, wrong)
            for position, key, answered, right, partly, wrong in rows]


#: Marks closer than this are the same (sums of float marks carry noise).
_SAME = 1e-9


def answers_in_progress(classroom_id: int, assignment_id: int | None = None) -> int:
    """How many students have an unfinished attempt open (for the projector)."""
    query = (
        select(func.count(func.distinct(Attempt.account_id)))
        .join(Assignment, Assignment.id == Attempt.assignment_id)
        .where(Assignment.classroom_id == classroom_id, Attempt.finished_at.is_(None))
    )
    if assignment_id is not None:
        query = query.where(Attempt.assignment_id == assignment_id)
    return db.session.execute(query).scalar_one()
