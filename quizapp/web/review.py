"""The teacher's side of students' attempts: one attempt in full (every response, mark, key,
explanation and change of mark), changing the mark of one answer, and a student's attempts
at the class's assignments. Routes on the classes blueprint (/classes/...)."""

from __future__ import annotations

import math
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from quizapp.extensions import db
from quizapp.models import Account, Assignment, Attempt, Classroom, utcnow
from quizapp.services import assignments as assignments_service
from quizapp.services import classes as classes_service
from quizapp.services import marking
from quizapp.services import quiz as quiz_service
from quizapp.services import release as release_service
from quizapp.services.errors import Conflict, Invalid, NotFound
from quizapp.web.classes import _own_class, bp
from quizapp.web.display import evidence_link, number, pair_marks, show_key, show_response


class MarkForm(FlaskForm):
    """A new mark for one answer: the CSRF token here; ``score`` and ``comment`` are read from
    the request, so that every answer on the page has a form of its own."""


def _verdict(score: float | None, points: float, answered: bool) -> str:
    if not answered or score is None:
        return "unanswered"
    if score >= points - 1e-9:
        return "right"
    return "partial" if score > 1e-9 else "wrong"


def _teacher_attempt(classroom: Classroom, attempt_id: int) -> Attempt:
    """The attempt, if it was made for an assignment of this class (which the teacher teaches)."""
    try:
        attempt = marking.attempt_for_teacher(attempt_id, current_user.id)
    except NotFound as error:
        abort(404, error.message)
    if attempt.assignment is None or attempt.assignment.classroom_id != classroom.id:
        abort(404, "There is no such attempt.")
    return attempt


def _rows(attempt: Attempt) -> list[dict[str, Any]]:
    """Every question of the attempt, in the order the attempt asked them."""
    history = marking.mark_history(attempt)
    rows = []
    for item in attempt.items:
        content, answer = item.version.content, item.answer
        question = quiz_service.question_of(item)
        points = float(content.get("points", 1))
        answered = answer is not None and answer.response is not None
        rows.append({
            "number": item.position + 1,
            "key": content["id"],
            "prompt": content["prompt"],
            "type": content["type"],
            "points": points,
            "answer": answer,
            "answered": answered,
            "score": answer.score if answer is not None else None,
            "verdict": _verdict(answer.score if answer else None, points, answer is not None),
            "response": show_response(question, answer.response) if answered else [],
            "pairs": pair_marks(question, answer.response) if answered else [],
            "answer_key": show_key(question),
            "explanation": content.get("explanation"),
            "evidence": evidence_link(attempt.bank.source_id, content.get("evidence")),
            "changes": history.get(answer.id, []) if answer is not None else [],
            # a question not answered in an attempt under way is marked once it is finished
            "markable": answer is not None or attempt.finished_at is not None,
        })
    return rows


def _attempt_page(classroom: Classroom, attempt: Attempt, *, errors: dict[str, str] | None = None,
                  sent: dict[str, dict[str, str]] | None = None) -> str:
    assignment: Assignment = attempt.assignment
    student: Account = attempt.account
    now = utcnow()
    terms = assignments_service.terms_for(assignment, student.id)
    rows = _rows(attempt)
    others = list(db.session.execute(
        select(Attempt).where(Attempt.assignment_id == assignment.id,
                              Attempt.account_id == student.id, Attempt.kind == "full")
        .order_by(Attempt.number, Attempt.id)
    ).scalars())
    seconds_left = None
    if attempt.finished_at is None and attempt.deadline_at is not None:
        seconds_left = max(0, math.floor((attempt.deadline_at - now).total_seconds()))
    return render_template(
        "classes/attempt.html", classroom=classroom, assignment=assignment, attempt=attempt,
        student=student, rows=rows, others=others, terms=terms,
        late=terms.late(attempt.finished_at), seconds_left=seconds_left,
        answered=sum(1 for r in rows if r["answered"]),
        scored=sum(r["score"] or 0.0 for r in rows),
        released=release_service.answers_released(attempt, now),
        errors=errors or {}, sent=sent or {}, form=MarkForm(formdata=None),
        comment_limit=marking.COMMENT_LIMIT,
    )


@bp.get("/<id:class_id>/attempts/<id:attempt_id>")
def attempt_review(class_id: int, attempt_id: int) -> str:
    """One student's attempt as their teacher reads it, finished or under way."""
    classroom = _own_class(class_id)
    return _attempt_page(classroom, _teacher_attempt(classroom, attempt_id))


def _parse_mark(raw: str, points: float) -> tuple[float | None, str | None]:
    text = raw.strip().replace(",", ".")
    if not text:
        return None, f"Give a mark from 0 to {points:g}."
    try:
        value = float(text)
    except ValueError:
        return None, f"The mark must be a number from 0 to {points:g}, such as 0.5."
    if not math.isfinite(value):
        return None, f"The mark must be a number from 0 to {points:g}, such as 0.5."
    return value, None


@bp.post("/<id:class_id>/attempts/<id:attempt_id>/answers/<question_id>/mark")
def mark_answer(class_id: int, attempt_id: int, question_id: str) -> Any:
    """Change the mark of one answer, with an optional comment the student sees with it."""
    classroom = _own_class(class_id)
    attempt = _teacher_attempt(classroom, attempt_id)
    try:
        item = quiz_service.item_for(attempt, question_id)
    except NotFound as error:
        abort(404, error.message)
    points = float(item.version.content.get("points", 1))
    raw_score = request.form.get("score", "")
    comment = request.form.get("comment", "")
    sent = {question_id: {"score": raw_score, "comment": comment}}
    if not MarkForm().validate_on_submit():
        return _attempt_page(classroom, attempt, sent=sent, errors={
            question_id: "That form was out of date, so nothing was saved. Please try again."}), 422
    score, error = _parse_mark(raw_score, points)
    if error is None and len(comment.strip()) > marking.COMMENT_LIMIT:
        error = f"The comment can be at most {marking.COMMENT_LIMIT} characters."
    if error is None:
        try:
            marking.override_mark(attempt, question_id, current_user._get_current_object(),
                                  score, comment)  # type: ignore[arg-type]
        except Invalid as invalid:
            error = invalid.message
        except Conflict as conflict:
            db.session.rollback()
            return _attempt_page(classroom, _teacher_attempt(classroom, attempt_id), sent=sent,
                                 errors={question_id: conflict.message}), 409
    if error is not None:
        return _attempt_page(classroom, attempt, sent=sent, errors={question_id: error}), 422
    attempt = _teacher_attempt(classroom, attempt_id)
    place = item.position + 1
    total = (f" The total is now {number(attempt.score or 0.0)}/{number(attempt.points)}."
             if attempt.finished_at is not None else "")
    flash(f"Question {place}: the mark is now {number(score or 0.0)}/{number(points)}.{total}",
          "success")
    return redirect(url_for("classes.attempt_review", class_id=classroom.id,
                            attempt_id=attempt.id, _anchor=f"q-{place}"), code=303)


@bp.get("/<id:class_id>/students/<id:account_id>/attempts")
def student_attempts(class_id: int, account_id: int) -> str:
    """A student's attempts at the class's assignments, newest assignment first."""
    classroom = _own_class(class_id)
    student = db.session.get(Account, account_id)
    attempts = list(db.session.execute(
        select(Attempt).join(Assignment, Assignment.id == Attempt.assignment_id)
        .where(Assignment.classroom_id == classroom.id, Attempt.account_id == account_id,
               Attempt.kind == "full")
        .options(joinedload(Attempt.assignment).joinedload(Assignment.bank))
        .order_by(Assignment.id.desc(), Attempt.number, Attempt.id)
    ).scalars())
    if student is None or (classes_service.membership(classroom.id, account_id) is None
                           and not attempts):
        abort(404, "That student is not in this class.")
    now = utcnow()
    for attempt in attempts:  # an attempt whose time is up shows as finished
        quiz_service.expire_if_due(attempt, now)
    by_assignment: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_assignment.setdefault(attempt.assignment_id, []).append(attempt)
    late = {}
    for made in by_assignment.values():
        terms = assignments_service.terms_for(made[0].assignment, account_id)
        for attempt in made:
            late[attempt.id] = terms.late(attempt.finished_at)
    return render_template(
        "classes/student_attempts.html", classroom=classroom, student=student,
        groups=[(made[0].assignment, made) for made in by_assignment.values()], late=late,
    )
