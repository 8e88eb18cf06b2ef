"""The JSON API, version 1 (see docs/api.md): tokens, a student's quizzes and classes, as thin views."""

from __future__ import annotations

import functools
import inspect
import json
import math
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, ValidationError

from quizapp.extensions import (
    csrf,
    limit_answers,
    limit_attempt_starts,
    limit_joins,
    limit_sign_ins,
    login_manager,
)
from quizapp.models import Account
from quizapp.models import Assignment as AssignmentRow
from quizapp.models import Attempt as AttemptRow
from quizapp.scoring import key_response
from quizapp.services import accounts
from quizapp.services import classes as classes_service
from quizapp.services import leaderboard as leaderboard_service
from quizapp.services import marking as marking_service
from quizapp.services import progress as progress_service
from quizapp.services import quiz as quiz_service
from quizapp.services import release as release_service
from quizapp.services import reports as reports_service
from quizapp.services import review as review_service
from quizapp.services.errors import Forbidden, NotFound, ServiceError
from quizapp.services.games import is_player_token
from quizapp.web import api_schemas as schemas
from quizapp.web.display import evidence_link

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer calls need no CSRF token; cookie calls are checked in `authenticate` below.
csrf.exempt(bp)


# ``<id:...>`` (ids the database can hold) is registered for every blueprint: quizapp.web.converters.

VERSION = "1.0.0"
#: Every route of the API, in the order they are declared; the OpenAPI document lists these.
OPERATIONS: list[schemas.Operation] = []
_BY_ENDPOINT: dict[str, schemas.Operation] = {}
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ApiError(Exception):
    """An error answered as ``{"error": message}`` with ``status``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(schemas.ErrorReply(error=message).model_dump())
    response.status_code = status
    response.headers.update(headers or {})
    return response


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return _error(error.status, error.message, error.headers)


@bp.errorhandler(ServiceError)
def _service_error(error: ServiceError) -> Response:
    return _error(error.status, error.message)


@bp.errorhandler(429)
def _rate_limited(error: Exception) -> Response:
    # Flask-Limiter adds Retry-After to this response after the request; the message is the
    # one given with the limit that was reached.
    message = getattr(error, "description", None)
    if not isinstance(message, str) or " per " in message:  # a bare limit such as "10 per 1 minute"
        message = "Too many requests: wait the seconds in Retry-After, then try again."
    return _error(429, message)


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message, {"WWW-Authenticate": 'Bearer realm="quizapp"'})


# -- authentication ---------------------------------------------------------------------------


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    return token


@login_manager.request_loader
def load_account_from_bearer(_request: Any) -> Account | None:
    """The account of an API call's bearer token; pages sign in with the session only."""
    if request.blueprint != bp.name:
        return None
    token = _bearer_token()
    # a live game's player token is no account's: it is not even looked up
    account = accounts.account_for_token(token) if token and not is_player_token(token) else None
    g.bearer_checked = True
    if account is not None:
        g.api_token = token
    return account


@bp.before_request
def authenticate() -> None:
    """401 without credentials; CSRF for writes that ride on the session cookie."""
    operation = _BY_ENDPOINT.get(request.endpoint or "")
    if operation is None or not operation.authenticated or request.method == "OPTIONS":
        return
    signed_in = current_user.is_authenticated  # runs the session loader, then the bearer loader
    if "Authorization" in request.headers and not g.get("api_token"):
        # The token was wrong, or a session cookie was used first (then the header must still hold).
        account = None if g.get("bearer_checked") else load_account_from_bearer(request)
        if account is None:
            raise unauthorized("The bearer token is not valid (it may have been revoked).")
        if account.id != current_user.id:
            raise unauthorized("The bearer token and the session cookie are for different accounts.")
    if not signed_in:
        raise unauthorized("Sign in: send 'Authorization: Bearer <token>' from POST /api/v1/tokens.")
    if current_user.must_change_password:
        raise Forbidden("This account has a one-time password: choose your own on the website first.")
    if (request.method in _UNSAFE and not g.get("api_token")
            and current_app.config.get("WTF_CSRF_ENABLED", True)):
        csrf.protect()  # a CSRFError becomes a JSON 400 in quizapp.web


# -- routes and their bodies ------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("number out of range")
    return number


#: No body of this API nests deeper than a roster's rows in their list (3); this leaves room.
MAX_BODY_DEPTH = 16


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (0 for a plain value), without recursion."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, list | dict):
            depth += 1
            deepest = max(deepest, depth)
            pending.extend((v, depth) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def _parse_json(raw: bytes) -> Any:
    """Strict JSON: no NaN or Infinity (PostgreSQL could not store them), no deep nesting
    (it could not be read back and shown)."""
    try:
        data = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite)
    except (ValueError, RecursionError):
        raise ApiError(422, "The body is not valid JSON.") from None
    if _depth(data) > MAX_BODY_DEPTH:
        raise ApiError(422, f"The body nests lists and objects deeper than {MAX_BODY_DEPTH} levels.")
    return data


def _read_body(operation: schemas.Operation) -> BaseModel:
    assert operation.body is not None  # noqa: S101 - only called for routes with a body
    raw = request.get_data(cache=True)
    if not raw.strip() and not operation.body_required:
        data: Any = {}
    else:
        if request.mimetype != "application/json":
            raise ApiError(415, "Send the body as JSON, with 'Content-Type: application/json'.")
        data = _parse_json(raw)
    try:
        return operation.body.model_validate(data)
    except ValidationError as error:
        raise ApiError(422, schemas.validation_message(error)) from None


def _read_query(operation: schemas.Operation) -> BaseModel:
    assert operation.query is not None  # noqa: S101 - only called for routes with a query
    try:
        return operation.query.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise ApiError(422, schemas.validation_message(error)) from None


def _reply(operation: schemas.Operation, result: Any) -> Response:
    status = operation.ok
    if isinstance(result, tuple):
        result, status = result
    if result is None:
        return Response(status=status)
    if isinstance(result, Response):
        return result
    response = jsonify(result.model_dump(mode="json"))
    response.status_code = status
    return response


def route(method: str, rule: str, *, summary: str, ok: int = 200,
          reply: type[BaseModel] | None = None, body: type[BaseModel] | None = None,
          body_required: bool = True, errors: tuple[int, ...] = (), authenticated: bool = True,
          params: dict[str, str] | None = None, query: type[BaseModel] | None = None,
          security: list[dict[str, list[str]]] | None = None, files: tuple[str, ...] = (),
          ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Serve ``view`` at ``rule`` and describe it in the OpenAPI document, from one declaration.

    The view gets the validated body as ``body`` (and query string as ``query``)
    and returns a reply model (or ``(model, status)``, or None for an empty answer).
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        operation = schemas.Operation(
            method=method, rule=rule, endpoint=f"{bp.name}.{view.__name__}", summary=summary,
            description=inspect.cleandoc(view.__doc__ or ""), ok=ok, reply=reply, body=body,
            body_required=body_required, errors=errors, authenticated=authenticated,
            params=params or {}, query=query, security=security, files=files,
        )
        OPERATIONS.append(operation)
        _BY_ENDPOINT[operation.endpoint] = operation

        @functools.wraps(view)
        def serve(**kwargs: Any) -> Response:
            if operation.query is not None:
                kwargs["query"] = _read_query(operation)
            if operation.body is not None:
                kwargs["body"] = _read_body(operation)
            return _reply(operation, view(**kwargs))

        bp.add_url_rule(rule, view.__name__, serve, methods=[method])
        return serve

    return decorator



# -- shaping replies --------------------------------------------------------------------------


def _answer_result(source_id: str | None, content: dict[str, Any], result: Any,
                   released: bool = True, comment: str | None = None) -> dict[str, Any]:
    """An answer's reply: the marks and what the student learns, or, while the assignment
    holds answers back, only that it was recorded and out of how many points."""
    if not released:
        return {"recorded": True, "score": None, "points": result.points, "correct": None,
                "explanation": None, "evidence": None, "feedback": [], "note": None,
                "comment": None}
    return {
        "recorded": True,
        "score": result.score,
        "points": result.points,
        "correct": result.correct,
        "explanation": content["explanation"],
        "evidence": evidence_link(source_id, content.get("evidence")),
        "feedback": [{"choice": choice, "text": text} for choice, text in result.feedback],
        "note": result.note,
        "comment": comment,
    }


def _attempt_reply(attempt: AttemptRow, *, released: bool = True,
                   teacher: bool = False) -> schemas.AttemptReply:
    """An attempt as its student sees it (marks held back unless ``released``), or with
    ``teacher`` as its class's teacher reads it: who, and every question in full."""
    answers = []
    for item in attempt.items:
        if item.answer is not None:
            answers.append({
                "question_id": item.version.content["id"],
                "response": item.answer.response,
                "answered_at": item.answer.answered_at,
                **_answer_result(quiz_service.bank_of(attempt, item).source_id, item.version.content,
                                 quiz_service.result_for(item, item.answer), released,
                                 item.answer.comment),
            })
    finished = attempt.finished_at is not None
    extra: dict[str, Any] = {}
    if teacher:
        extra["student"] = schemas.StudentRef(username=attempt.account.username,
                                              name=attempt.account.display_name)
        extra["review"] = _review(attempt)
    return schemas.AttemptReply(attempt=schemas.Attempt(
        id=attempt.id,
        bank_id=attempt.bank_id,
        kind=attempt.kind,
        assignment_id=attempt.assignment_id,
        status="finished" if finished else "in progress",
        released=released,
        started_at=attempt.started_at,
        deadline_at=attempt.deadline_at,
        finished=finished,
        finished_at=attempt.finished_at,
        score=attempt.score if finished and released else None,
        points=attempt.points,
        questions=[
            schemas.PublicQuestion.model_validate(quiz_service.public_question(attempt, item))
            for item in attempt.items
        ],
        answers=answers,
        **extra,
    ))


def _change(change: Any) -> schemas.MarkChangeReply:
    return schemas.MarkChangeReply(
        by=change.changed_by.display_name if change.changed_by else None, at=change.changed_at,
        old_score=change.old_score, new_score=change.new_score, comment=change.comment)


def _review(attempt: AttemptRow) -> list[schemas.ReviewItem]:
    history = marking_service.mark_history(attempt)
    review = []
    for number, item in enumerate(attempt.items, start=1):
        content, answer = item.version.content, item.answer
        question = quiz_service.question_of(item)
        review.append(schemas.ReviewItem(
            number=number, question_id=content["id"], type=content["type"],
            prompt=content["prompt"], points=content.get("points", 1),
            answered=answer is not None and answer.response is not None,
            response=answer.response if answer else None,
            answered_at=answer.answered_at if answer else None,
            score=answer.score if answer else None,
            correct=answer.score >= answer.points if answer else None,
            key=key_response(question), explanation=content.get("explanation"),
            evidence=evidence_link(quiz_service.bank_of(attempt, item).source_id, content.get("evidence")),
            comment=answer.comment if answer else None,
            changes=[_change(c) for c in history.get(answer.id, [])] if answer else [],
        ))
    return review


# -- accounts ---------------------------------------------------------------------------------


def _failed(response: Response) -> bool:
    return response.status_code == 401  # only wrong credentials count against the limits


@route("POST", "/tokens", summary="Exchange a username and password for a bearer token",
       ok=201, reply=schemas.TokenReply, body=schemas.TokenRequest, errors=(401, 403, 429),
       authenticated=False)
@limit_sign_ins(_failed)
def create_token(body: schemas.TokenRequest) -> schemas.TokenReply:
    """The token is shown once; only its hash is kept. Failed tries are rate-limited per
    username and per address, as on the sign-in page."""
    account = accounts.authenticate(body.username, body.password)
    if account is None:
        raise unauthorized("That username and password do not match.")
    if account.must_change_password:
        raise Forbidden("This account has a one-time password: sign in on the website and "
                        "choose your own password first.")
    return schemas.TokenReply(token=accounts.issue_token(account))


@route("DELETE", "/tokens/current", summary="Revoke the token this request carries", ok=204)
def revoke_token() -> None:
    """Sent with the bearer token to revoke; it stops working at once."""
    token = g.get("api_token")
    if not token:
        raise unauthorized("Send the token to revoke as 'Authorization: Bearer <token>'.")
    accounts.revoke_token(token)


# -- students ---------------------------------------------------------------------------------


@route("GET", "/banks", summary="The quizzes there are", reply=schemas.BankList)
def list_banks() -> schemas.BankList:
    """Banks that have questions, grouped by article as in the catalogue page."""
    return schemas.BankList(banks=[
        schemas.BankSummary(id=entry.bank.id, title=entry.bank.title, questions=entry.questions,
                            source=entry.bank.source_id)
        for section in progress_service.catalogue(current_user.id) for entry in section.entries
    ])


@route("POST", "/banks/<bank_id>/attempts", summary="Start an attempt, or resume the open one",
       ok=201, reply=schemas.AttemptReply, body=schemas.StartAttempt, body_required=False,
       errors=(404, 409, 429))
@limit_attempt_starts()
def start_attempt(bank_id: str, body: schemas.StartAttempt) -> Any:
    """201 with a new attempt; 200 with the student's open attempt at the bank, if there is
    one (its time not up). 409 when the attempt limit is used up.

    With `assignment_id`, the attempt is for that class assignment: its limits replace the
    bank's, 409 before it opens, 404 for anyone not in its class or for another bank."""
    attempt, created = quiz_service.begin_attempt(current_user.id, bank_id,
                                                  assignment_id=body.assignment_id)
    attempt = quiz_service.load_attempt(attempt.id, current_user.id)
    return (_attempt_reply(attempt, released=release_service.answers_released(attempt)),
            201 if created else 200)


@route("GET", "/attempts/<id:attempt_id>", summary="An attempt, with the answers given so far",
       reply=schemas.AttemptReply, errors=(404,))
def get_attempt(attempt_id: int) -> schemas.AttemptReply:
    """For its student: marks, keys and explanations only once the assignment shows them
    (`released`). For the teacher of the attempt's class: who made it, and in `review` every
    question with its response, mark, key, explanation and changes of mark, under way or
    finished (`status`). Anyone else gets 404. An attempt whose time is up is finished on
    reading."""
    try:
        attempt = quiz_service.load_attempt(attempt_id, current_user.id)
    except NotFound:
        if not _me().is_teacher:
            raise
        attempt = marking_service.attempt_for_teacher(attempt_id, current_user.id)
        return _attempt_reply(attempt, teacher=True)
    return _attempt_reply(attempt, released=release_service.answers_released(attempt))


@route("PUT", "/attempts/<id:attempt_id>/answers/<question_id>", summary="Answer a question",
       reply=schemas.AnswerResult, body=schemas.AnswerRequest, errors=(404, 409, 429),
       params={"question_id": "The question's id within its bank"})
@limit_answers()
def answer(attempt_id: int, question_id: str, body: schemas.AnswerRequest) -> schemas.AnswerResult:
    """Scored on the server. A question is answered once: answering again is 409 and changes
    nothing; so is answering after the attempt finished or its time ran out. A response larger
    than the question's type allows (longer text, more entries, deeper nesting) is 422 and
    stored nowhere; one of the wrong shape but within those bounds scores 0."""
    attempt, item = quiz_service.load_item(attempt_id, current_user.id, question_id)
    # read before the commit in answer_question expires them, which would cost a reload
    source_id, content = quiz_service.bank_of(attempt, item).source_id, item.version.content
    released = release_service.answers_released(attempt)
    outcome = quiz_service.answer_question(attempt, item, body.response)
    if outcome.duplicate:
        raise ApiError(409, "That question was already answered in this attempt; the first answer counts.")
    return schemas.AnswerResult.model_validate(
        _answer_result(source_id, content, outcome.result, released))


@route("POST", "/attempts/<id:attempt_id>/finish", summary="Finish an attempt",
       reply=schemas.FinishReply, errors=(404,))
def finish(attempt_id: int) -> schemas.FinishReply:
    """Unanswered questions score 0. Finishing a finished attempt changes nothing (200). The
    score is null while the assignment does not show answers to the student."""
    attempt = quiz_service.finish_attempt(quiz_service.own_attempt(attempt_id, current_user.id))
    released = release_service.answers_released(attempt)
    return schemas.FinishReply(score=attempt.score or 0.0 if released else None,
                               points=attempt.points, released=released)


@route("GET", "/me/progress", summary="The caller's scores per bank and mastery per skill",
       reply=schemas.ProgressReply)
def my_progress() -> schemas.ProgressReply:
    """Whole-bank attempts only (practice is left out of the bank scores, not the skills).
    Attempts whose marks are not shown to the student yet are counted in `attempts` and
    `hidden`, and left out of `best`, `latest` and the skills."""
    banks = [
        schemas.BankProgressReply(
            id=p.bank_id, title=p.title, attempts=len(p.attempts) + p.hidden, hidden=p.hidden,
            best=p.best.fraction if p.best else None,
            latest=p.latest.fraction if p.latest else None,
        )
        for p in progress_service.bank_progress(current_user.id)
    ]
    skills = {skill: value for skill, value in progress_service.skill_mastery(current_user.id).items()
              if value is not None}
    return schemas.ProgressReply(banks=banks, skills=skills)


# -- spaced review ----------------------------------------------------------------------------


def _student() -> Account:
    me = _me()
    if me.is_teacher:
        raise Forbidden("Spaced review is for students: it asks the questions they missed.")
    return me


@route("GET", "/me/review", summary="The caller's questions due for spaced review",
       reply=schemas.ReviewReply, errors=(403,))
def my_review() -> schemas.ReviewReply:
    """Questions answered wrong or partly right (or left unanswered) in a finished attempt whose
    marks the student may see are due at once; each review answer reschedules its question with
    FSRS (wrong: the next day; right: further out). Students only (403 for teachers)."""
    student = _student()
    found = review_service.overview(student.id)
    return schemas.ReviewReply(
        due=[schemas.DueQuestion(bank_id=c.bank_id, question_id=c.question_id, due_at=c.due_at)
             for c in found.due],
        next_due_at=found.next_due_at)


@route("POST", "/me/review", summary="Start a review of the questions due, or go on with it",
       ok=201, reply=schemas.ReviewAttemptReply, body=schemas.StartReview, body_required=False,
       errors=(403, 429))
@limit_attempt_starts()
def start_review(body: schemas.StartReview) -> Any:
    """201 with a new review attempt of up to 20 due questions across banks, answered with
    `PUT /attempts/{id}/answers/{question_id}`; 200 with the review under way when there is one
    (a second start never makes another); 200 `{"attempt": null, "next_due_at"}` when nothing
    is due. A review counts toward no assignment, board, report or bank score."""
    student = _student()
    attempt, created = review_service.start_review(student.id)
    if attempt is None:
        return schemas.ReviewAttemptReply(attempt=None,
                                          next_due_at=review_service.next_due_at(student.id)), 200
    attempt = quiz_service.load_attempt(attempt.id, student.id)
    return (schemas.ReviewAttemptReply(attempt=_attempt_reply(attempt).attempt),
            201 if created else 200)


# -- classes ----------------------------------------------------------------------------------


def _me() -> Account:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _assignment(row: AssignmentRow) -> schemas.Assignment:
    return schemas.Assignment(
        id=row.id, class_id=row.classroom_id, bank_id=row.bank_id, title=row.bank.title,
        opens_at=row.opens_at, due_at=row.due_at, max_attempts=row.max_attempts,
        time_limit_seconds=row.time_limit_seconds, show_answers=row.show_answers,
        close_at_due=row.close_at_due, shuffle_questions=row.shuffle_questions,
        question_count=row.question_count,
    )


def _entry(entry: leaderboard_service.Entry) -> schemas.LeaderboardEntry:
    return schemas.LeaderboardEntry(rank=entry.rank, name=entry.name, score=entry.score,
                                    points=entry.points, total=entry.total, percent=entry.percent,
                                    movement=entry.movement)


@route("POST", "/classes", summary="Create a class (teachers)", ok=201, reply=schemas.ClassReply,
       body=schemas.ClassRequest, errors=(403,))
def create_class(body: schemas.ClassRequest) -> schemas.ClassReply:
    """The caller teaches the new class; students join it with `join_code`. 403 for a student."""
    classroom = classes_service.create_class(_me(), body.name)
    return schemas.ClassReply(id=classroom.id, name=classroom.name, join_code=classroom.join_code)


@route("POST", "/classes/join", summary="Join a class with its code (students)",
       reply=schemas.JoinReply, body=schemas.JoinRequest, errors=(403, 404, 429))
@limit_joins()
def join_class(body: schemas.JoinRequest) -> schemas.JoinReply:
    """Joining a class twice changes nothing (200 again). 404 for an unknown code; 403 for a
    teacher."""
    if _me().is_teacher:
        raise Forbidden("Only students join classes; teachers create them.")
    classroom = classes_service.join(_me(), body.join_code)
    return schemas.JoinReply(id=classroom.id, name=classroom.name)


@route("POST", "/classes/<id:class_id>/roster",
       summary="Make student accounts with one-time passwords and put them in a class (its teacher)",
       ok=201, reply=schemas.RosterReply, body=schemas.RosterRequest, errors=(403, 404, 409))
def add_roster(class_id: int, body: schemas.RosterRequest) -> Response:
    """Each student gets a **student** account with a one-time password, which must be changed at
    the first sign-in; a roster never makes a teacher, and any field but `username` and
    `display_name` (a `role`, a `password`) is a 422, as is a roster of more than 500.

    `created`: the new accounts with their one-time passwords, shown only in this reply (sent
    with `Cache-Control: no-store`). `added`: every student of the roster who is in the class
    now, that is those created and any who were in this class already (left as they were), so
    sending a roster again adds no one twice. `refused`, one entry a row: a username that is
    not valid, one an earlier row named, or an account that exists outside this class; such
    an account is not enrolled (a roster cannot enrol or reveal another class's student): they
    join with the class code. All rows are made in one transaction.

    403 for a student of the class; anyone else gets 404. 409, rarely, when other requests kept
    taking the roster's usernames at the same moment: send it again."""
    classroom, teaches = classes_service.class_for_member(class_id, current_user.id)
    if not teaches:
        raise Forbidden("Only the class's teacher adds students from a roster.")
    rows = classes_service.enrol_students(
        classroom, [(student.username, student.display_name) for student in body.students])
    reply = schemas.RosterReply(
        created=[schemas.RosterCreated(username=row.username, display_name=row.display_name,
                                       one_time_password=row.password)
                 for row in rows if row.password],
        added=[schemas.RosterAdded(username=row.username, display_name=row.display_name)
               for row in rows if row.refusal is None],
        refused=[schemas.RosterRefused(username=row.username, error=row.refusal)
                 for row in rows if row.refusal is not None],
    )
    response = _reply(_BY_ENDPOINT["api.add_roster"], reply)
    response.headers["Cache-Control"] = "no-store"  # the one-time passwords exist nowhere else
    return response


@route("POST", "/classes/<id:class_id>/assignments", summary="Set a quiz for a class (its teacher)",
       ok=201, reply=schemas.Assignment, body=schemas.AssignmentRequest, errors=(403, 404))
def create_assignment(class_id: int, body: schemas.AssignmentRequest) -> schemas.Assignment:
    """404 for an unknown bank, or a class that is not the caller's; 403 for a student of the
    class; 422 when `due_at` is not after `opens_at`, when `show_answers` is `after_due` or
    `close_at_due` is set without a `due_at`, or `question_count` is more than the bank has."""
    classroom, teaches = classes_service.class_for_member(class_id, current_user.id)
    if not teaches:
        raise Forbidden("Only the class's teacher sets assignments.")
    assignment = classes_service.create_assignment(
        classroom, body.bank_id, opens_at=body.opens_at, due_at=body.due_at,
        max_attempts=body.max_attempts, time_limit_seconds=body.time_limit_seconds,
        show_answers=body.show_answers, close_at_due=body.close_at_due,
        shuffle_questions=body.shuffle_questions, question_count=body.question_count,
    )
    return _assignment(assignment)


@route("GET", "/classes/<id:class_id>/assignments", summary="A class's assignments",
       reply=schemas.AssignmentList, errors=(404,))
def list_assignments(class_id: int) -> schemas.AssignmentList:
    """For the class's teacher and its students; anyone else gets 404."""
    classroom, _ = classes_service.class_for_member(class_id, current_user.id)
    return schemas.AssignmentList(assignments=[_assignment(a) for a in classroom.assignments])


@route("GET", "/classes/<id:class_id>/leaderboard", summary="A class's leaderboard",
       reply=schemas.Leaderboard, errors=(403, 404), query=schemas.LeaderboardQuery)
def class_leaderboard(class_id: int, query: schemas.LeaderboardQuery) -> schemas.Leaderboard:
    """For one assignment, each student's best finished attempt; for the class, the sum of those
    over its assignments. For the class's teacher and its students (403 for a student while the
    teacher hides the board). The teacher gets every entry; a student, as on the board page,
    the top ten, and in `me` their own entry, wherever it is. A board shows marks, so a
    student gets 403 for an assignment's board until it shows them answers (`show_answers`),
    and for the class's board until every assignment of the class does."""
    classroom, teaches = classes_service.class_for_member(class_id, current_user.id)
    if query.assignment_id is not None:
        assignment = classes_service.assignment_for(query.assignment_id, current_user.id)[0]
        if assignment.classroom_id != classroom.id:
            raise NotFound("There is no such assignment.")
    if classroom.board_hidden and not teaches:
        raise Forbidden("Your teacher has hidden this leaderboard.")
    withheld = None if teaches else release_service.board_withheld(
        classroom.id, current_user.id, query.assignment_id)
    if withheld is not None:
        raise Forbidden(withheld)
    board = leaderboard_service.board(classroom, query.assignment_id)
    shown = leaderboard_service.view_for(board, current_user.id, teaches=teaches)
    return schemas.Leaderboard(
        assignment_id=query.assignment_id, entries=[_entry(e) for e in shown.entries],
        me=_entry(shown.me) if shown.me else None, members=board.members,
        frozen_at=board.frozen_at,
    )


@route("GET", "/assignments/<id:assignment_id>/results",
       summary="Scores per student and statistics per question (the class's teacher)",
       reply=schemas.AssignmentResults, errors=(403, 404))
def assignment_results(assignment_id: int) -> schemas.AssignmentResults:
    """Each student's best finished attempt, and per question its facility, discrimination and
    most given wrong responses. 403 for a student of the class; anyone else gets 404."""
    assignment, teaches = classes_service.assignment_for(assignment_id, current_user.id)
    if not teaches:
        raise Forbidden("Only the class's teacher sees the results.")
    report = reports_service.assignment_report(assignment)
    return schemas.AssignmentResults(
        assignment=_assignment(assignment),
        finished=report.finished,
        students=[
            schemas.StudentResult(username=s.username, name=s.name, status=s.status,
                                  attempt_id=s.attempt_id, open_attempt_id=s.open_attempt_id,
                                  score=s.total, points=s.points,
                                  finished_at=s.finished_at, late=s.late, marks=s.marks)
            for s in report.students
        ],
        questions=[
            schemas.QuestionResult(
                id=q.key, prompt=q.prompt, type=q.type, skill=q.skill, points=q.points,
                facility=q.facility, discrimination=q.discrimination,
                discrimination_reliable=q.discrimination_reliable, asked=q.asked,
                wrong=[schemas.WrongResponse(response=r, count=n) for r, n in q.wrong],
                partly=[schemas.WrongResponse(response=r, count=n) for r, n in q.partly],
            )
            for q in report.questions
        ],
        alpha=report.alpha,
        mastery=report.mastery,
        distribution=report.distribution,
        discrimination_min_attempts=reports_service.DISCRIMINATION_MIN_ATTEMPTS,
    )


# -- the document -----------------------------------------------------------------------------


@route("GET", "/openapi.json", summary="This document", authenticated=False)
def openapi() -> Response:
    """This API as an OpenAPI 3.1 document, built from the models that check its bodies."""
    return jsonify(openapi_document())


def openapi_document() -> dict[str, Any]:
    return schemas.build_openapi(
        OPERATIONS, server=bp.url_prefix or "", version=VERSION,
        cookie_name=current_app.config.get("SESSION_COOKIE_NAME", "session"),
    )


# The teacher's control of assignments, and live games: routes of their own modules, registered
# on this blueprint.
from quizapp.web import api_games, api_interchange, api_teaching  # noqa: E402, F401
