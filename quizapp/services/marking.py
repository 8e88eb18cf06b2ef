"""The teacher's side of one student's attempt: every response, mark, key and explanation,
and changing the mark of an answer (each change kept)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from quizapp.extensions import db
from quizapp.models import (
    Account,
    Answer,
    Assignment,
    Attempt,
    AttemptQuestion,
    Classroom,
    MarkChange,
    utcnow,
)
from quizapp.services import classes, quiz
from quizapp.services.errors import Conflict, Invalid, NotFound

#: The longest comment kept with a change of mark.
COMMENT_LIMIT = 2000


def teaches_attempt(attempt: Attempt, teacher_id: int) -> bool:
    """Whether ``teacher_id`` teaches the class of the attempt's assignment."""
    if attempt.assignment_id is None:
        return False
    return db.session.execute(
        select(func.count(Assignment.id)).join(Classroom, Classroom.id == Assignment.classroom_id)
        .where(Assignment.id == attempt.assignment_id, Classroom.teacher_id == teacher_id)
    ).scalar_one() > 0


def attempt_for_teacher(attempt_id: int, teacher_id: int, *,
                        now: dt.datetime | None = None) -> Attempt:
    """A student's attempt at an assignment of the teacher's class, with its questions,
    answers and student, for the teacher to read (nothing held back; an attempt whose time
    is up is finished on reading, as for its student). Anyone else's is :class:`NotFound`,
    as is an attempt whose assignment was deleted."""
    attempt = db.session.execute(
        select(Attempt).where(Attempt.id == attempt_id).options(
            selectinload(Attempt.items).selectinload(AttemptQuestion.version),
            selectinload(Attempt.items).selectinload(AttemptQuestion.answer),
            joinedload(Attempt.bank), joinedload(Attempt.account),
        )
    ).scalar_one_or_none()
    if attempt is None or not teaches_attempt(attempt, teacher_id):
        raise NotFound("There is no such attempt.")
    quiz.expire_if_due(attempt, now or utcnow())
    return attempt


def mark_history(attempt: Attempt) -> dict[int, list[MarkChange]]:
    """The changes of mark of the attempt's answers, oldest first, by answer id."""
    changes: dict[int, list[MarkChange]] = defaultdict(list)
    for change in db.session.execute(
        select(MarkChange).join(Answer, Answer.id == MarkChange.answer_id)
        .where(Answer.attempt_id == attempt.id)
        .options(joinedload(MarkChange.changed_by))
        .order_by(MarkChange.changed_at, MarkChange.id)
    ).scalars():
        changes[change.answer_id].append(change)
    return changes


def override_mark(attempt: Attempt, question_key: str, teacher: Account, new_score: float,
                  comment: str | None = None, *, now: dt.datetime | None = None) -> Answer:
    """Set the mark of one answer of the attempt to ``new_score`` (0 to the question's
    points, else :class:`Invalid`), with an optional comment the student sees with it.

    The change is kept (who, when, the mark before and after, the comment). The attempt's
    total follows when it is finished, and so do the class's boards and reports. A question
    left unanswered in a finished attempt can be marked too (its response stays empty); one
    not yet answered in an attempt under way is :class:`Conflict`. The caller checks that
    ``teacher`` teaches the attempt's class (:func:`attempt_for_teacher`).
    """
    now = now or utcnow()
    item = quiz.item_for(attempt, question_key)
    points = float(item.version.content.get("points", 1))
    if not isinstance(new_score, int | float) or not math.isfinite(new_score) \
            or not 0 <= new_score <= points:
        raise Invalid(f"The mark must be between 0 and {points:g}, the question's points.")
    if comment is not None:
        comment = comment.strip()[:COMMENT_LIMIT] or None
    answer = item.answer
    if answer is None:
        if attempt.finished_at is None:
            raise Conflict("That question is not answered yet; mark it once the attempt is finished.")
        answer = Answer(attempt_question_id=item.id, attempt_id=attempt.id, response=None,
                        score=0.0, points=points, answered_at=attempt.finished_at)
        db.session.add(answer)
        db.session.flush()
    db.session.add(MarkChange(answer_id=answer.id, changed_by_id=teacher.id, changed_at=now,
                              old_score=answer.score, new_score=float(new_score), comment=comment))
    answer.score = float(new_score)
    answer.comment = comment
    db.session.flush()
    if attempt.finished_at is not None:
        attempt.score = float(db.session.execute(
            select(func.coalesce(func.sum(Answer.score), 0)).where(Answer.attempt_id == attempt.id)
        ).scalar_one())
    if attempt.assignment_id is not None:
        classroom_id = db.session.execute(
            select(Assignment.classroom_id).where(Assignment.id == attempt.assignment_id)
        ).scalar_one()
        classes.touch_board(classroom_id)
    db.session.commit()
    return answer
