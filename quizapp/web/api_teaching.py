"""The JSON API for a teacher's control of assignments: edit, delete, copy, accommodations,
and changing the mark of a student's answer."""

from __future__ import annotations

from flask_login import current_user

from quizapp.models import Accommodation, Account
from quizapp.services import assignments as assignments_service
from quizapp.services import marking as marking_service
from quizapp.services.errors import Forbidden, NotFound
from quizapp.web import api_schemas as schemas
from quizapp.web.api import _assignment, _change, route


def _me() -> Account:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _own_assignment(assignment_id: int):  # noqa: ANN202 - an Assignment row
    """The caller's assignment: 403 for a student of its class, 404 for anyone else."""
    from quizapp.services import classes as classes_service

    assignment, teaches = classes_service.assignment_for(assignment_id, current_user.id)
    if not teaches:
        raise Forbidden("Only the class's teacher changes its assignments.")
    return assignment


@route("PATCH", "/assignments/<id:assignment_id>", summary="Change an assignment's options (its teacher)",
       reply=schemas.Assignment, body=schemas.AssignmentPatch, errors=(403, 404))
def update_assignment(assignment_id: int, body: schemas.AssignmentPatch) -> schemas.Assignment:
    """Any of `opens_at`, `due_at`, `max_attempts`, `time_limit_seconds`, `show_answers`,
    `close_at_due`, `shuffle_questions`, `question_count`: a field left out stays, null clears
    a date, a limit or `question_count`. 422 when the options no longer fit together (as when
    it is set). Attempts under way take a new time limit, due date and closing at once; a new
    order or draw applies to attempts started after. 403 for a student of the class; anyone
    else gets 404."""
    assignment = _own_assignment(assignment_id)
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    return _assignment(assignments_service.update_assignment(assignment, changes))


@route("DELETE", "/assignments/<id:assignment_id>", summary="Delete an assignment (its teacher)",
       ok=204, errors=(403, 404))
def delete_assignment(assignment_id: int) -> None:
    """Its attempts stay in the students' history (progress and mastery keep them) but leave
    the class's boards and reports, and its accommodations go. 403 for a student of the
    class; anyone else gets 404."""
    assignments_service.delete_assignment(_own_assignment(assignment_id))


@route("POST", "/assignments/<id:assignment_id>/copy",
       summary="Copy an assignment to another of the teacher's classes", ok=201,
       reply=schemas.Assignment, body=schemas.CopyRequest, errors=(403, 404))
def copy_assignment(assignment_id: int, body: schemas.CopyRequest) -> schemas.Assignment:
    """The same bank with the same dates and options (accommodations stay with their
    students). 404 when `class_id` is not one of the caller's classes."""
    assignment = _own_assignment(assignment_id)
    return _assignment(assignments_service.copy_assignment(assignment, body.class_id, current_user.id))


def _accommodation(row: Accommodation) -> schemas.AccommodationReply:
    return schemas.AccommodationReply(
        assignment_id=row.assignment_id, username=row.account.username,
        name=row.account.display_name, extra_time_percent=row.extra_time_percent,
        extra_attempts=row.extra_attempts, due_at=row.due_at)


@route("PUT", "/assignments/<id:assignment_id>/accommodations/<username>",
       summary="Give one student extra time, extra attempts or their own due date",
       reply=schemas.AccommodationReply, body=schemas.AccommodationRequest, errors=(403, 404),
       params={"username": "A student of the assignment's class"})
def set_accommodation(assignment_id: int, username: str,
                      body: schemas.AccommodationRequest) -> schemas.AccommodationReply:
    """`extra_time_percent` lengthens each attempt's time limit (50: half as long again);
    `extra_attempts` is added to the attempt limit; `due_at` replaces the assignment's due
    date for this student (lateness, `close_at_due` and `after_due` answers follow it; null:
    the assignment's again). A field left out keeps its value. An attempt of theirs under way
    takes the new time and due date at once. 404 when the student is not in the class."""
    assignment = _own_assignment(assignment_id)
    given = {name: getattr(body, name) for name in body.model_fields_set}
    row = assignments_service.set_accommodation(assignment, username, **given)
    return _accommodation(row)


@route("PUT", "/attempts/<id:attempt_id>/answers/<question_id>/mark",
       summary="Change the mark of one answer (the teacher of the attempt's class)",
       reply=schemas.MarkReply, body=schemas.MarkRequest, errors=(403, 404, 409),
       params={"question_id": "The question's id within its bank"})
def mark_answer(attempt_id: int, question_id: str, body: schemas.MarkRequest) -> schemas.MarkReply:
    """`score` from 0 to the question's points (else 422), with an optional `comment` the
    student sees with the mark. The attempt's total, the class's boards and the reports
    follow; every change is kept with who made it, when, and the mark before and after. A
    question left unanswered in a finished attempt can be marked; one not yet answered in an
    attempt under way is 409. 404 for anyone but the teacher of the attempt's class (the
    student whose attempt it is gets 403)."""
    try:
        attempt = marking_service.attempt_for_teacher(attempt_id, current_user.id)
    except NotFound:
        from quizapp.services import quiz as quiz_service

        try:
            quiz_service.own_attempt(attempt_id, current_user.id)
        except NotFound:
            raise NotFound("There is no such attempt.") from None
        raise Forbidden("Only the class's teacher changes marks.") from None
    answer = marking_service.override_mark(attempt, question_id, _me(), body.score, body.comment)
    attempt = marking_service.attempt_for_teacher(attempt_id, current_user.id)
    item = next(i for i in attempt.items if i.id == answer.attempt_question_id)
    history = marking_service.mark_history(attempt).get(item.answer.id, [])
    return schemas.MarkReply(
        attempt_id=attempt.id, question_id=question_id, score=item.answer.score,
        points=item.answer.points, comment=item.answer.comment,
        attempt_score=attempt.score if attempt.finished_at is not None else None,
        attempt_points=attempt.points, changes=[_change(c) for c in history])
