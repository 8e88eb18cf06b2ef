"""A teacher's home page: their classes, what is open now and due soon, banks to review.

Four queries whatever the number of classes and assignments: the classes with their
sizes, the assignments open or due soon, the students' progress on those, and the banks
past their review date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from quizapp.extensions import db
from quizapp.models import Account, Assignment, Attempt, Bank, Classroom, Membership, utcnow
from quizapp.services.authoring import visible_banks

#: "Due soon" looks this far ahead.
DUE_SOON = dt.timedelta(days=7)
#: An unfinished attempt whose time limit ran out this long ago is no longer being answered
#: (it is closed the next time it is opened; see quiz.GRACE).
_GRACE = dt.timedelta(seconds=5)


@dataclass
class ClassCard:
    classroom: Classroom
    students: int


@dataclass
class AssignmentProgress:
    """An assignment with how far its class has got, each student counted once."""

    assignment: Assignment
    #: Students in the class now.
    students: int
    #: Students with a finished attempt.
    finished: int
    #: Students answering now (an attempt in progress) who have not finished one yet.
    answering: int

    @property
    def not_started(self) -> int:
        return max(0, self.students - self.finished - self.answering)


@dataclass
class Dashboard:
    classes: list[ClassCard]
    #: Opened and not yet due (or with no due date), soonest due first.
    open_now: list[AssignmentProgress]
    #: Due within :data:`DUE_SOON` from now, soonest first (opened or not).
    due_soon: list[AssignmentProgress]
    #: Banks the teacher can see whose ``review_by`` date has passed, oldest first.
    to_review: list[Bank]


def teacher_dashboard(teacher: Account, *, now: dt.datetime | None = None,
                      today: dt.date | None = None) -> Dashboard:
    now = now or utcnow()
    today = today or dt.date.today()
    sizes = db.session.execute(
        select(Classroom, func.count(Membership.id))
        .outerjoin(Membership, Membership.classroom_id == Classroom.id)
        .where(Classroom.teacher_id == teacher.id)
        .group_by(Classroom.id)
        .order_by(Classroom.name, Classroom.id)
    ).all()
    classes = [ClassCard(classroom, count) for classroom, count in sizes]
    size_of = {card.classroom.id: card.students for card in classes}

    opened = or_(Assignment.opens_at.is_(None), Assignment.opens_at <= now)
    not_due = or_(Assignment.due_at.is_(None), Assignment.due_at > now)
    due_soon = (Assignment.due_at > now) & (Assignment.due_at <= now + DUE_SOON)
    assignments = db.session.execute(
        select(Assignment).join(Assignment.classroom)
        .where(Classroom.teacher_id == teacher.id, or_(opened & not_due, due_soon))
        .options(contains_eager(Assignment.classroom), joinedload(Assignment.bank))
    ).scalars().unique().all()

    progress = _progress([a.id for a in assignments], now) if assignments else {}
    rows = {
        a.id: AssignmentProgress(a, size_of.get(a.classroom_id, 0), *progress.get(a.id, (0, 0)))
        for a in assignments
    }
    far = dt.datetime.max

    def soonest(row: AssignmentProgress) -> tuple[dt.datetime, str, int]:
        return (row.assignment.due_at or far, row.assignment.classroom.name, row.assignment.id)

    open_now = sorted((rows[a.id] for a in assignments
                       if (a.opens_at is None or a.opens_at <= now)
                       and (a.due_at is None or a.due_at > now)), key=soonest)
    soon = sorted((rows[a.id] for a in assignments
                   if a.due_at is not None and now < a.due_at <= now + DUE_SOON), key=soonest)

    to_review = list(db.session.execute(
        select(Bank).where(visible_banks(teacher), Bank.review_by.is_not(None), Bank.review_by < today)
        .order_by(Bank.review_by, Bank.title)
    ).scalars())
    return Dashboard(classes, open_now, soon, to_review)


def _progress(assignment_ids: list[int], now: dt.datetime) -> dict[int, tuple[int, int]]:
    """``{assignment id: (finished, answering)}``, counting the class's present students once."""
    answering_now = (Attempt.finished_at.is_(None)
                     & or_(Attempt.deadline_at.is_(None), Attempt.deadline_at >= now - _GRACE))
    per_student = (
        select(Attempt.assignment_id.label("assignment_id"),
               func.max(case((Attempt.finished_at.is_not(None), 1), else_=0)).label("finished"),
               func.max(case((answering_now, 1), else_=0)).label("answering"))
        .join(Assignment, Assignment.id == Attempt.assignment_id)
        .join(Membership, (Membership.classroom_id == Assignment.classroom_id)
              & (Membership.account_id == Attempt.account_id))
        .where(Attempt.assignment_id.in_(assignment_ids), Attempt.kind == "full")
        .group_by(Attempt.assignment_id, Attempt.account_id)
        .subquery()
    )
    return {
        assignment_id: (int(finished or 0), int(answering or 0))
        for assignment_id, finished, answering in db.session.execute(
            select(per_student.c.assignment_id,
                   func.sum(per_student.c.finished),
                   func.sum(case(((per_student.c.finished == 0) & (per_student.c.answering == 1), 1),
                                 else_=0)))
            .group_by(per_student.c.assignment_id)
        ).all()
    }
