"""Leaderboards: one ranking rule, boards per assignment and per class, cached by version."""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Account, Assignment, Attempt, Classroom, Membership


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


def rank(rows: list[tuple[int, str, float, float, dt.datetime]]) -> list[Entry]:
    """Rank (account_id, name, score, points, reached_at) rows.

    Higher score first. Equal scores share a rank, and the next rank skips
    the places they took (1, 2, 2, 4). Among equal scores, whoever reached
    the score first is listed first (then by name, then account, so the
    order is total).
    """
    ordered = sorted(rows, key=lambda r: (-r[2], r[4], r[1], r[0]))
    entries: list[Entry] = []
    for place, (account_id, name, score, points, reached_at) in enumerate(ordered, start=1):
        shared = entries and entries[-1].score == score
        entries.append(Entry(entries[-1].rank if shared else place, account_id, name,
                             score, points, reached_at))
    return entries


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


# (classroom_id, assignment_id) -> Board, valid while the class's board_version is the same.
_cache: dict[tuple[int, int | None], Board] = {}
_lock = threading.Lock()


def clear_cache(classroom_id: int | None = None) -> None:
    """Forget cached boards (of one class, or all). Writes bump ``board_version`` instead;
    this is for tests and for memory."""
    with _lock:
        for key in [k for k in _cache if classroom_id is None or k[0] == classroom_id]:
            del _cache[key]


def _best_attempts(classroom_id: int, assignment_id: int | None,
                   upto: dt.datetime | None) -> list[Any]:
    """Each member's best finished attempt per assignment (earliest among equal scores)."""
    conditions = [
        Assignment.classroom_id == classroom_id,
        Attempt.finished_at.is_not(None),
        Attempt.kind == "full",
    ]
    if assignment_id is not None:
        conditions.append(Attempt.assignment_id == assignment_id)
    if upto is not None:
        conditions.append(Attempt.finished_at <= upto)
    numbered = (
        select(
            Attempt.account_id, Attempt.assignment_id, Attempt.score, Attempt.points,
            Attempt.finished_at,
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
        select(numbered.c.account_id, numbered.c.score, numbered.c.points,
               numbered.c.finished_at).where(numbered.c.place == 1)
    ).all())


def _ranked(classroom: Classroom, assignment_id: int | None, names: dict[int, str],
            upto: dt.datetime | None) -> tuple[list[Entry], dt.datetime | None]:
    totals: dict[int, list[Any]] = defaultdict(lambda: [0.0, 0.0, dt.datetime.min])
    latest: dt.datetime | None = None
    for account_id, score, points, finished_at in _best_attempts(classroom.id, assignment_id, upto):
        total = totals[account_id]
        total[0] += score or 0.0
        total[1] += points
        total[2] = max(total[2], finished_at)  # the total stands from its last part
        latest = max(latest, finished_at) if latest else finished_at
    rows = [(a, names.get(a, "?"), round(t[0], 6), t[1], t[2]) for a, t in totals.items()]
    return rank(rows), latest


def board(classroom: Classroom, assignment_id: int | None = None) -> Board:
    """The class board (sum of best attempts over its assignments) or one assignment's.

    Each student's best finished attempt counts; while the board is frozen,
    only attempts finished before the freeze. Cached until the class's
    ``board_version`` changes.
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
    entries, latest = _ranked(classroom, assignment_id, names, classroom.board_frozen_at)
    if latest is not None and len(entries) > 1:
        before, _ = _ranked(classroom, assignment_id, names,
                            latest - dt.timedelta(microseconds=1))
        previous = {e.account_id: e.rank for e in before}
        entries = [
            Entry(e.rank, e.account_id, e.name, e.score, e.points, e.reached_at,
                  previous[e.account_id] - e.rank if e.account_id in previous else 0)
            for e in entries
        ]
    result = Board(classroom.id, assignment_id, entries, len(members), len(entries),
                   classroom.board_frozen_at, version, classroom.created_at,
                   {e.account_id: e for e in entries})
    with _lock:
        _cache[key] = result
    return result


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
