"""When a student sees the marks, keys and explanations of their work (an assignment's
``show_answers``), and when their own practice of a bank would give an assignment away."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Accommodation, Assignment, Attempt, Bank, Classroom, Membership, utcnow
from quizapp.services.assignments import Terms, terms_for


def released_for(assignment: Assignment, terms: Terms, now: dt.datetime) -> bool:
    """Whether the assignment shows answers to a student with these terms now."""
    if assignment.show_answers == "immediately":
        return True
    if assignment.show_answers == "after_due":
        return terms.due_at is not None and now >= terms.due_at
    return False


def answers_released(attempt: Attempt, now: dt.datetime | None = None) -> bool:
    """Whether the student who made ``attempt`` may now see its marks, keys, explanations,
    evidence and feedback (every page and API reply about it asks this first).

    - a teacher's preview, and a spaced review: always;
    - an attempt made without an assignment (the student's own): unless an assignment of
      the same bank that hides answers is open to the student (see :func:`hiding_assignment`),
      so that an attempt begun before the bank was assigned hands out no key meanwhile;
    - an assignment's attempt, by its ``show_answers``: ``immediately`` always,
      ``after_due`` once the student's due date has passed (their accommodation's due date
      if they have one, else the assignment's), ``never`` never;
    - an attempt whose assignment was deleted: unless an assignment of the same bank that
      hides answers is still open to the student (see :func:`hiding_assignment`).

    Until then an answer is recorded and acknowledged, and shown with no mark or key.
    Only the student's own view is held back: the class's teacher sees everything.
    """
    if attempt.kind in ("preview", "review"):
        # a review asks only questions whose marks the student has seen, of banks they may
        # practise (quizapp.services.review)
        return True
    now = now or utcnow()
    assignment = attempt.assignment
    if assignment is None:  # the student's own attempt, or one whose assignment was deleted
        return hiding_assignment(attempt.account_id, attempt.bank_id, now) is None
    return released_for(assignment, terms_for(assignment, attempt.account_id), now)


def _student_assignments(account_id: int, bank_id: str | None = None
                         ) -> list[tuple[Assignment, str, Accommodation | None]]:
    query = (
        select(Assignment, Classroom.name, Accommodation)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .join(Membership, (Membership.classroom_id == Assignment.classroom_id)
              & (Membership.account_id == account_id))
        .outerjoin(Accommodation, (Accommodation.assignment_id == Assignment.id)
                   & (Accommodation.account_id == account_id))
        .order_by(Assignment.id)
    )
    if bank_id is not None:
        query = query.where(Assignment.bank_id == bank_id)
    return [tuple(row) for row in db.session.execute(query).all()]  # type: ignore[misc]


def _usage(account_id: int, assignment_ids: list[int]) -> tuple[Counter[int], set[int]]:
    """Whole attempts started per assignment, and the assignments with one unfinished."""
    if not assignment_ids:
        return Counter(), set()
    rows = db.session.execute(
        select(Attempt.assignment_id, func.count(Attempt.id),
               func.count(Attempt.id).filter(Attempt.finished_at.is_(None)))
        .where(Attempt.account_id == account_id, Attempt.kind == "full",
               Attempt.assignment_id.in_(assignment_ids))
        .group_by(Attempt.assignment_id)
    ).all()
    return (Counter({a: n for a, n, _ in rows}), {a for a, _, unfinished in rows if unfinished})


def hiding_assignment(account_id: int, bank_id: str, now: dt.datetime) -> Assignment | None:
    """An assignment of the bank, set for one of the student's classes, that is still open to
    them and does not show them answers yet; None if there is none.

    Open: not closed to them (``close_at_due`` past their due date), and with an attempt left
    (their accommodation's extra attempts count) or one unfinished, or no attempt limit.
    """
    return _refusing(account_id, bank_id, now, limits_too=False)[0]


def practice_refusal(account_id: int, bank: Bank, now: dt.datetime | None = None) -> str | None:
    """Why the student may not practise the bank on their own now, or None.

    Practice shows every key after each answer, which would give an assignment away. It is
    refused while an assignment of the bank is open to the student (see
    :func:`hiding_assignment`) and either hides answers from them, or has a time or attempt
    limit (late work counts as open, unless the assignment closes at the due date).
    """
    assignment, class_name = _refusing(account_id, bank.id, now or utcnow(), limits_too=True,
                                       bank=bank)
    if assignment is None:
        return None
    return (f"“{bank.title}” is set as an assignment in {class_name}: practise it once you "
            "have used your attempts at the assignment.")


def _refusing(account_id: int, bank_id: str, now: dt.datetime, *, limits_too: bool,
              bank: Bank | None = None) -> tuple[Assignment | None, str]:
    rows = _student_assignments(account_id, bank_id)
    if not rows:
        return None, ""
    used, unfinished = _usage(account_id, [a.id for a, _, _ in rows])
    for assignment, class_name, extra in rows:
        if _refuses(assignment, extra, account_id, now, used, unfinished, limits_too=limits_too,
                    bank=bank):
            return assignment, class_name
    return None, ""


def _refuses(assignment: Assignment, extra: Accommodation | None, account_id: int,
             now: dt.datetime, used: Counter[int], unfinished: set[int], *, limits_too: bool,
             bank: Bank | None = None) -> bool:
    terms = terms_for(assignment, account_id, bank=bank, extra=extra)
    if terms.closed(now):
        return False
    left = (terms.max_attempts is None or used[assignment.id] < terms.max_attempts
            or assignment.id in unfinished)
    if not left:
        return False
    if not released_for(assignment, terms, now):
        return True
    return bool(limits_too and (terms.max_attempts or terms.time_limit_seconds))


def refused_banks(account_id: int, now: dt.datetime | None = None) -> set[str]:
    """The banks the student may not practise on their own now (see :func:`practice_refusal`),
    all at once: spaced review shows keys as practice does, so it leaves their questions out."""
    now = now or utcnow()
    rows = _student_assignments(account_id)
    if not rows:
        return set()
    used, unfinished = _usage(account_id, [a.id for a, _, _ in rows])
    return {assignment.bank_id for assignment, _, extra in rows
            if _refuses(assignment, extra, account_id, now, used, unfinished, limits_too=True)}


def hidden_attempt_ids(account_id: int, now: dt.datetime | None = None) -> set[int]:
    """The student's attempts whose marks they may not see yet (see :func:`answers_released`),
    for progress, mastery and the catalogue, which leave them out."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Attempt.id, Attempt.assignment_id, Attempt.bank_id)
        .where(Attempt.account_id == account_id, Attempt.scope != 0, Attempt.kind != "preview")
    ).all()
    if not rows:
        return set()
    assignments = {a.id: (a, extra) for a, _, extra in _student_assignments(account_id)}
    hidden: set[int] = set()
    hiding_banks: dict[str, bool] = {}
    for attempt_id, assignment_id, bank_id in rows:
        if assignment_id is None:  # its assignment was deleted
            if bank_id not in hiding_banks:
                hiding_banks[bank_id] = hiding_assignment(account_id, bank_id, now) is not None
            if hiding_banks[bank_id]:
                hidden.add(attempt_id)
            continue
        found = assignments.get(assignment_id)
        if found is None:  # a class the student has left: held back as the assignment says
            assignment = db.session.get(Assignment, assignment_id)
            if assignment is None or not released_for(assignment, terms_for(assignment, account_id), now):
                hidden.add(attempt_id)
            continue
        assignment, extra = found
        if not released_for(assignment, terms_for(assignment, account_id, extra=extra), now):
            hidden.add(attempt_id)
    return hidden


def board_withheld(classroom_id: int, account_id: int, assignment_id: int | None = None,
                   now: dt.datetime | None = None) -> str | None:
    """Why a student may not see a board now, or None: a board shows marks, so one assignment's
    board waits until that assignment shows answers to them, and the class's board until
    every assignment of the class does. Teachers always see boards."""
    now = now or utcnow()
    for assignment, _, extra in _student_assignments(account_id):
        if assignment.classroom_id != classroom_id:
            continue
        if assignment_id is not None and assignment.id != assignment_id:
            continue
        if not released_for(assignment, terms_for(assignment, account_id, extra=extra), now):
            return "This board shows once your teacher shows the answers of the assignment."
    return None
