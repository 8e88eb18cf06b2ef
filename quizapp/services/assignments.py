"""Steering an assignment after it is set: edit, delete, copy, accommodations per student,
and the terms (due date, limits, closing) that apply to one student."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from quizapp.extensions import db
from quizapp.models import Accommodation, Account, Assignment, Attempt, Bank, Membership, utcnow
from quizapp.services import classes
from quizapp.services.errors import Invalid, NotFound

#: The options :func:`update_assignment` changes (and :func:`copy_assignment` copies).
OPTIONS = ("opens_at", "due_at", "max_attempts", "time_limit_seconds", "show_answers",
           "close_at_due", "shuffle_questions", "question_count")
#: Options that may be cleared (set to None).
NULLABLE = frozenset({"opens_at", "due_at", "max_attempts", "time_limit_seconds", "question_count"})


# -- the terms for one student ------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """What applies to one student on one assignment, accommodation included."""

    #: Their due date: the accommodation's, else the assignment's (None: no due date).
    due_at: dt.datetime | None
    #: Attempts they may start; None: no limit.
    max_attempts: int | None
    #: Seconds per attempt, extra time included; None: no limit.
    time_limit_seconds: int | None
    #: Whether an attempt closes at ``due_at`` (no starts, no answers after it).
    close_at_due: bool

    def closed(self, now: dt.datetime) -> bool:
        """Whether the assignment takes no more attempts or answers from this student."""
        return self.close_at_due and self.due_at is not None and now > self.due_at

    def late(self, finished_at: dt.datetime | None) -> bool:
        return self.due_at is not None and finished_at is not None and finished_at > self.due_at


def accommodation(assignment_id: int, account_id: int) -> Accommodation | None:
    return db.session.execute(
        select(Accommodation).where(Accommodation.assignment_id == assignment_id,
                                    Accommodation.account_id == account_id)
    ).scalar_one_or_none()


#: Passed as ``extra`` to :func:`terms_for`: look the accommodation up.
LOOK_UP: Any = object()


def terms_for(assignment: Assignment, account_id: int, *, bank: Bank | None = None,
              extra: Accommodation | None = LOOK_UP) -> Terms:
    """The assignment's terms for the student: its limits (else the bank's), plus the
    student's extra attempts and extra time (the percent, rounded up to a whole second), and
    their own due date. ``extra``: their accommodation, when the caller has it (None: none)."""
    if extra is LOOK_UP:
        extra = accommodation(assignment.id, account_id)
    settings = (bank or assignment.bank).settings
    limit = assignment.max_attempts or settings.get("max_attempts")
    seconds = assignment.time_limit_seconds or settings.get("time_limit_seconds")
    if extra is not None:
        if limit:
            limit += extra.extra_attempts
        if seconds and extra.extra_time_percent:
            seconds = math.ceil(seconds * (100 + extra.extra_time_percent) / 100)
    due = extra.due_at if extra is not None and extra.due_at is not None else assignment.due_at
    return Terms(due_at=due, max_attempts=limit or None, time_limit_seconds=seconds or None,
                 close_at_due=assignment.close_at_due)


def deadline(terms: Terms, started_at: dt.datetime) -> dt.datetime | None:
    """When an attempt started at ``started_at`` stops taking answers: its time limit, or the
    due date when the assignment closes then, whichever is first."""
    ends = []
    if terms.time_limit_seconds:
        ends.append(started_at + dt.timedelta(seconds=terms.time_limit_seconds))
    if terms.close_at_due and terms.due_at is not None:
        ends.append(max(terms.due_at, started_at))
    return min(ends) if ends else None


def refresh_deadlines(assignment: Assignment, account_id: int | None = None) -> None:
    """Set the deadline of the assignment's unfinished attempts (of one student, or all) from
    its terms now: a changed time limit, due date, closing or accommodation applies to
    attempts already under way. The caller commits."""
    query = select(Attempt).where(Attempt.assignment_id == assignment.id,
                                  Attempt.finished_at.is_(None))
    if account_id is not None:
        query = query.where(Attempt.account_id == account_id)
    open_attempts = list(db.session.execute(query).scalars())
    if not open_attempts:
        return
    extras = {a.account_id: a for a in db.session.execute(
        select(Accommodation).where(Accommodation.assignment_id == assignment.id)).scalars()}
    for attempt in open_attempts:
        terms = terms_for(assignment, attempt.account_id, extra=extras.get(attempt.account_id))
        db.session.execute(update(Attempt).where(Attempt.id == attempt.id)
                           .values(deadline_at=deadline(terms, attempt.started_at)))


# -- editing, deleting, copying ------------------------------------------------------------------


def assignment_for_teacher(assignment_id: int, teacher_id: int) -> Assignment:
    """The assignment if ``teacher_id`` teaches its class; anything else is :class:`NotFound`."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.classroom.teacher_id != teacher_id:
        raise NotFound("There is no such assignment.")
    return assignment


def update_assignment(assignment: Assignment, changes: dict[str, Any]) -> Assignment:
    """Change any of :data:`OPTIONS` (a key absent is left as it is; None clears one of
    :data:`NULLABLE`). The options are checked together, as when the assignment is set
    (:class:`Invalid`); unfinished attempts take the new time limit, due date and closing at
    once; a new ``question_count`` or ``shuffle_questions`` applies to attempts started after."""
    unknown = set(changes) - set(OPTIONS)
    if unknown:
        raise Invalid(f"Unknown option: {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        if value is None and name not in NULLABLE:
            raise Invalid(f"{name} cannot be cleared.")
    merged = {name: changes.get(name, getattr(assignment, name)) for name in OPTIONS}
    classes.check_assignment_options(
        **merged,
        bank_questions=(classes.bank_question_count(assignment.bank_id)
                        if changes.get("question_count") is not None else None))
    for name, value in changes.items():
        setattr(assignment, name, value)
    refresh_deadlines(assignment)
    classes.touch_board(assignment.classroom_id)
    db.session.commit()
    return assignment


def delete_assignment(assignment: Assignment) -> None:
    """Remove it (see :func:`quizapp.services.classes.delete_assignment`): its attempts stay
    in the students' history, with their marks."""
    classes.delete_assignment(assignment)


def copy_assignment(assignment: Assignment, classroom_id: int, teacher_id: int) -> Assignment:
    """The same bank with the same options, set for another of the teacher's classes (or the
    same one). Accommodations are not copied: they belong to students. :class:`NotFound` for
    a class the teacher does not teach."""
    target = classes.class_for_teacher(classroom_id, teacher_id)
    return classes.create_assignment(
        target, assignment.bank_id, **{name: getattr(assignment, name) for name in OPTIONS})


def open_assignments_of_bank(classroom_id: int, bank_id: str,
                             now: dt.datetime | None = None) -> list[Assignment]:
    """The class's assignments of this bank that are still open: no due date, or one not yet
    passed. A page asks this before setting the bank again, to warn the teacher."""
    now = now or utcnow()
    return list(db.session.execute(
        select(Assignment).where(Assignment.classroom_id == classroom_id,
                                 Assignment.bank_id == bank_id,
                                 (Assignment.due_at.is_(None)) | (Assignment.due_at > now))
        .order_by(Assignment.id)
    ).scalars())


# -- accommodations ------------------------------------------------------------------------------

_UNSET: Any = object()


def set_accommodation(assignment: Assignment, username: str, *,
                      extra_time_percent: int | None = _UNSET, extra_attempts: int | None = _UNSET,
                      due_at: dt.datetime | None = _UNSET) -> Accommodation:
    """Give a student of the assignment's class more time (percent of the time limit), more
    attempts (added to the limit) or their own due date (None: the assignment's again).

    An argument left out keeps what the student had (0, 0 and None at first). The student
    must be in the class (else :class:`NotFound`); an unfinished attempt of theirs takes
    the new time and due date at once.
    """
    student = db.session.execute(
        select(Account).join(Membership, Membership.account_id == Account.id)
        .where(Account.username == username.strip().lower(),
               Membership.classroom_id == assignment.classroom_id)
    ).scalar_one_or_none() if username.isprintable() else None
    if student is None:
        raise NotFound("That student is not in this class.")
    for value, what, most in ((extra_time_percent, "extra time", classes.MAX_EXTRA_TIME_PERCENT),
                              (extra_attempts, "extra attempts", classes.MAX_EXTRA_ATTEMPTS)):
        if value is not _UNSET and value is not None and not 0 <= value <= most:
            raise Invalid(f"The {what} must be between 0 and {most}.")
    if due_at not in (_UNSET, None) and assignment.opens_at and due_at <= assignment.opens_at:
        raise Invalid("The due date must come after the opening date.")
    for _ in range(2):
        found = accommodation(assignment.id, student.id)
        if found is None:
            found = Accommodation(assignment_id=assignment.id, account_id=student.id,
                                  extra_time_percent=0, extra_attempts=0, due_at=None)
            db.session.add(found)
        if extra_time_percent is not _UNSET:
            found.extra_time_percent = extra_time_percent or 0
        if extra_attempts is not _UNSET:
            found.extra_attempts = extra_attempts or 0
        if due_at is not _UNSET:
            found.due_at = due_at
        try:
            db.session.flush()
        except IntegrityError:  # set for the same student at the same moment: change that one
            db.session.rollback()
            continue
        refresh_deadlines(assignment, student.id)
        db.session.commit()
        return found
    raise NotFound("That student is not in this class.")  # pragma: no cover


@dataclass(frozen=True)
class AccommodationRow:
    """An accommodation as the class page lists it."""

    accommodation: Accommodation
    student: Account
    assignment: Assignment


def class_accommodations(classroom_id: int) -> list[AccommodationRow]:
    """Every accommodation of the class's assignments, by assignment then student name."""
    rows = db.session.execute(
        select(Accommodation, Account, Assignment)
        .join(Account, Account.id == Accommodation.account_id)
        .join(Assignment, Assignment.id == Accommodation.assignment_id)
        .where(Assignment.classroom_id == classroom_id)
        .options(joinedload(Assignment.bank))
        .order_by(Assignment.id, Account.display_name, Account.id)
    ).all()
    return [AccommodationRow(a, s, asg) for a, s, asg in rows]
