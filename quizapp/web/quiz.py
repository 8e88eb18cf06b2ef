"""The catalogue, taking a quiz one question at a time, results and progress."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from quizapp.extensions import db, limit_answers, limit_attempt_starts
from quizapp.models import Attempt, utcnow
from quizapp.services import assignments as assignments_service
from quizapp.services import dashboard as dashboard_service
from quizapp.services import progress as progress_service
from quizapp.services import quiz as quiz_service
from quizapp.services import release as release_service
from quizapp.services import review as review_service
from quizapp.services.errors import Conflict, Invalid, NotFound
from quizapp.web import see_other
from quizapp.web.charts import attempts_chart
from quizapp.web.display import (
    as_fraction,
    count_of,
    evidence_link,
    pair_marks,
    percent,
    score_ring,
    show_key,
    show_response,
)
from quizapp.web.forms import ActionForm, AnswerForm, StartForm

bp = Blueprint("quiz", __name__)


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    # formdata=None: the layout's buttons never read the request body (which may be
    # refused, as with an upload over the size limit)
    return {"as_fraction": as_fraction, "percent": percent, "count_of": count_of,
            "action_form": lambda: ActionForm(formdata=None),
            "today": datetime.date.today()}


@bp.get("/")
def home() -> str:
    """A teacher's dashboard; a student's assignments, then practice; the catalogue for others."""
    if not current_user.is_authenticated:
        return render_template("quiz/home.html", sections=progress_service.catalogue(None))
    if current_user.is_teacher:
        board = dashboard_service.teacher_dashboard(current_user._get_current_object())
        return render_template("quiz/dashboard.html", board=board,
                               due_soon_days=dashboard_service.DUE_SOON.days)
    return render_template("quiz/student_home.html", sections=progress_service.catalogue(current_user.id),
                           review=review_service.overview(current_user.id))


@bp.get("/quizzes")
def catalogue() -> str:
    """Every quiz the visitor may take, by article (the home page of a visitor signed out)."""
    account_id = current_user.id if current_user.is_authenticated else None
    return render_template("quiz/home.html", sections=progress_service.catalogue(account_id))


@bp.get("/quizzes/<bank_id>")
def bank(bank_id: str) -> str:
    try:
        bank = (quiz_service.visible_bank(current_user.id, bank_id) if current_user.is_authenticated
                else quiz_service.get_bank(bank_id))
    except NotFound:
        abort(404)
    if bank.file_path is None and not current_user.is_authenticated:
        abort(404)
    questions = len(quiz_service.current_versions(bank_id))
    context: dict[str, Any] = {"bank": bank, "questions": questions}
    if current_user.is_authenticated:
        context["open_attempt"] = quiz_service.open_attempt(current_user.id, bank_id)
        context["used"] = quiz_service.attempts_used(current_user.id, bank_id)
        hidden = release_service.hidden_attempt_ids(current_user.id)
        context["missed"] = (0 if _latest_finished(current_user.id, bank_id) in hidden
                             else len(quiz_service.missed_versions(current_user.id, bank_id)))
        # practice on one's own shows every key: refused while an assignment of the bank is open
        context["refusal"] = (None if current_user.is_teacher
                              else release_service.practice_refusal(current_user.id, bank))
    return render_template("quiz/bank.html", **context)


def _latest_finished(account_id: int, bank_id: str) -> int | None:
    """The account's latest finished attempt at the bank, of any kind: the one "what I missed"
    is taken from (its marks may be held back, and then so is the count)."""
    return db.session.execute(
        select(Attempt.id).where(Attempt.account_id == account_id, Attempt.bank_id == bank_id,
                                 Attempt.finished_at.is_not(None))
        .order_by(Attempt.finished_at.desc(), Attempt.id.desc()).limit(1)
    ).scalar_one_or_none()


@bp.post("/quizzes/<bank_id>/start")
@login_required
@limit_attempt_starts()
def start(bank_id: str) -> Any:
    form = StartForm()
    if not form.validate_on_submit():
        return redirect(url_for("quiz.bank", bank_id=bank_id), code=303)
    assignment_id = form.assignment_id.data
    try:
        if form.kind.data == "practice":
            attempt = quiz_service.start_practice(current_user.id, bank_id)
        else:
            attempt = quiz_service.start_attempt(current_user.id, bank_id, assignment_id=assignment_id)
    except NotFound:
        abort(404)
    except Conflict as error:
        flash(error.message, "warning")
        # back to where the button was: assignments are listed on the home page
        back = url_for("quiz.home") if assignment_id else url_for("quiz.bank", bank_id=bank_id)
        return redirect(back, code=303)
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id), code=303)


def _load(attempt_id: int, load: Any = quiz_service.load_attempt) -> Any:
    """The signed-in student's attempt, by ``load`` (with every question by default); else 404."""
    try:
        return load(attempt_id, current_user.id)
    except NotFound:
        abort(404)


@bp.get("/attempts/<id:attempt_id>")
@login_required
def attempt(attempt_id: int) -> Any:
    """Resume where the student stopped: the next unanswered question, or the results."""
    attempt = _load(attempt_id, quiz_service.own_attempt)
    if attempt.finished_at is not None:
        return redirect(url_for("quiz.results", attempt_id=attempt.id))
    tally = quiz_service.tally(attempt)
    position = tally.total if tally.next_position is None else tally.next_position + 1
    return redirect(url_for("quiz.question", attempt_id=attempt.id, number=position))


def _response_from_form(view: dict[str, Any], form: MultiDict) -> tuple[Any, str | None]:
    """The response a form gives for a question, or an error to show with the form again."""
    kind = view["type"]
    if kind == "single":
        return form.get("choice"), None
    if kind == "multiple":
        return form.getlist("choice"), None
    if kind == "true_false":
        value = form.get("answer")
        return ({"true": True, "false": False}.get(value or ""), None)
    if kind in ("short", "numeric"):
        return form.get("answer", ""), None
    if kind == "ordering":
        positions: dict[int, str] = {}
        for index, item in enumerate(view["items"]):
            raw = form.get(f"position-{index}", "")
            if not raw.isdigit() or not 1 <= int(raw) <= len(view["items"]):
                return None, "Give every item a position."
            if int(raw) in positions:
                return None, "Each position can be given to only one item."
            positions[int(raw)] = item
        return [positions[p] for p in sorted(positions)], None
    if kind == "matching":
        return {left: form.get(f"match-{i}") for i, left in enumerate(view["lefts"])
                if form.get(f"match-{i}")}, None
    return None, None


@bp.route("/attempts/<id:attempt_id>/questions/<id:number>", methods=["GET", "POST"])
@login_required
@limit_answers()
def question(attempt_id: int, number: int) -> Any:
    try:
        attempt, item, tally = quiz_service.load_position(attempt_id, current_user.id, number)
    except NotFound:
        abort(404)
    view = quiz_service.public_question(attempt, item)
    form = AnswerForm()
    form_error = None
    if request.method == "POST" and form.validate_on_submit():
        response, form_error = _response_from_form(view, request.form)
        if form_error is None:
            if attempt.finished_at is not None and item.answer is None:
                closed = _closed_at(attempt)
                flash(f"This assignment closed at its due date, {closed:%Y-%m-%d %H:%M} UTC, so "
                      "that answer was not counted." if closed else
                      "This attempt has finished, so that answer was not counted.", "warning")
                return see_other(url_for("quiz.results", attempt_id=attempt.id))
            try:
                outcome = quiz_service.answer_question(attempt, item, response)
            except Invalid as error:  # larger than the question allows: asked again, not stored
                form_error = error.message
            except Conflict as error:
                flash(error.message, "warning")
                return see_other(url_for("quiz.attempt", attempt_id=attempt.id))
            else:
                if outcome.duplicate:
                    flash("You had already answered this question; your first answer counts.", "info")
                return see_other(url_for("quiz.question", attempt_id=attempt.id, number=number))
    elif request.method == "POST":
        form_error = "That form was out of date. Please answer again."
    context: dict[str, Any] = {
        "attempt": attempt, "item": item, "view": view, "number": number,
        "bank": quiz_service.bank_of(attempt, item),
        "total": tally.total, "form": form, "form_error": form_error,
        "chosen": request.form if form_error else {},
        "answered": tally.answered,
        "next_number": None if tally.next_position is None else tally.next_position + 1,
        "closes": _closes_at(attempt),
    }
    if item.answer is not None:
        release = _release(attempt)
        context["release"] = release
        context.update(_feedback(attempt, item, released=release["released"]))
        if attempt.kind == "review":
            context["next_review"] = review_service.due_for(
                current_user.id, [item.version.question_id]).get(item.version.question_id)
    elif attempt.finished_at is not None:
        return redirect(url_for("quiz.results", attempt_id=attempt.id))
    status = 422 if form_error else 200
    return render_template("quiz/question.html", **context), status


def _terms(attempt: Attempt) -> assignments_service.Terms | None:
    if attempt.assignment is None:
        return None
    return assignments_service.terms_for(attempt.assignment, attempt.account_id)


def _closes_at(attempt: Attempt) -> Any:
    """The student's due date when the assignment stops taking answers then (else None)."""
    terms = _terms(attempt)
    return terms.due_at if terms is not None and terms.close_at_due else None


def _closed_at(attempt: Attempt) -> Any:
    """The due date the assignment closed at, if it has closed to the student (else None)."""
    terms = _terms(attempt)
    return terms.due_at if terms is not None and terms.closed(utcnow()) else None


def _release(attempt: Attempt) -> dict[str, Any]:
    """Whether the student sees the attempt's marks and keys now, and if not, when they will:
    ``after_due`` (at ``due_at``, their own due date), ``never`` (the teacher goes through it),
    or ``later`` (an attempt of a deleted assignment, while another one of the bank is open)."""
    released = release_service.answers_released(attempt)
    if released:
        return {"released": True, "when": None, "due_at": None}
    assignment = attempt.assignment
    if assignment is None:
        return {"released": False, "when": "later", "due_at": None}
    terms = _terms(attempt)
    return {"released": False, "when": assignment.show_answers,
            "due_at": terms.due_at if terms is not None else None}


def _feedback(attempt: Attempt, item: Any, *, released: bool = True) -> dict[str, Any]:
    question = quiz_service.question_of(item)
    if not released:  # recorded, and nothing that tells whether it was right
        return {"question": question, "answer": item.answer, "result": None, "key": [],
                "pairs": [], "evidence": None,
                "your_answer": show_response(question, item.answer.response)}
    result = quiz_service.result_for(item, item.answer)
    return {
        "question": question,
        "result": result,
        "answer": item.answer,
        "your_answer": show_response(question, item.answer.response),
        "key": show_key(question),
        "pairs": pair_marks(question, item.answer.response),
        "evidence": evidence_link(quiz_service.bank_of(attempt, item).source_id,
                                  item.version.content.get("evidence")),
    }


@bp.post("/attempts/<id:attempt_id>/finish")
@login_required
def finish(attempt_id: int) -> Any:
    attempt = _load(attempt_id, quiz_service.own_attempt)
    if ActionForm().validate_on_submit():
        quiz_service.finish_attempt(attempt)
    return redirect(url_for("quiz.results", attempt_id=attempt.id), code=303)


@bp.get("/attempts/<id:attempt_id>/results")
@login_required
def results(attempt_id: int) -> Any:
    attempt = _load(attempt_id)
    if attempt.finished_at is None:
        return redirect(url_for("quiz.attempt", attempt_id=attempt.id))
    release = _release(attempt)
    if not release["released"]:
        return render_template("quiz/results.html", attempt=attempt, release=release,
                               closed_at=_closed_at(attempt), rows=[
            {"number": item.position + 1, "question": quiz_service.question_of(item),
             "answer": item.answer,
             "your_answer": (show_response(quiz_service.question_of(item), item.answer.response)
                             if item.answer else [])}
            for item in attempt.items])
    rows = []
    skills: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    next_review = (review_service.due_for(current_user.id,
                                          [item.version.question_id for item in attempt.items])
                   if attempt.kind == "review" else {})
    for item in attempt.items:
        question = quiz_service.question_of(item)
        got = item.answer.score if item.answer else 0.0
        rows.append({
            "number": item.position + 1,
            "question": question,
            "answer": item.answer,
            "score": got,
            "your_answer": show_response(question, item.answer.response) if item.answer else [],
            "key": show_key(question),
            "pairs": pair_marks(question, item.answer.response if item.answer else None),
            "evidence": evidence_link(quiz_service.bank_of(attempt, item).source_id,
                                  item.version.content.get("evidence")),
            "next_review": next_review.get(item.version.question_id),
        })
        if question.skill:
            skills[question.skill][0] += got
            skills[question.skill][1] += question.points
    return render_template("quiz/results.html", attempt=attempt, rows=rows, skills=dict(skills),
                           ring=score_ring(attempt.score, attempt.points), release=release,
                           closed_at=_closed_at(attempt))


@bp.get("/progress")
@login_required
def progress() -> str:
    banks = progress_service.bank_progress(current_user.id)
    hidden = release_service.hidden_attempt_ids(current_user.id)
    # "what I missed" comes from the latest finished attempt: not counted while its marks are held back
    missed = {b.bank_id: (0 if _latest_finished(current_user.id, b.bank_id) in hidden
                          else len(quiz_service.missed_versions(current_user.id, b.bank_id)))
              for b in banks}
    charts = {b.bank_id: attempts_chart(b.attempts) for b in banks}
    reviewed = ([] if current_user.is_teacher
                else review_service.reviewed(current_user.id))
    return render_template(
        "quiz/progress.html", banks=banks, charts=charts, missed=missed,
        mastery=progress_service.skill_mastery(current_user.id), reviewed=reviewed,
    )


def _students_only() -> None:
    if current_user.is_teacher:
        abort(403, "Spaced review is for students: it asks the questions they missed.")


@bp.get("/review")
@login_required
def review() -> str:
    """What is due for review, when the next falls due, and the button to start (or go on)."""
    _students_only()
    return render_template("quiz/review.html", review=review_service.overview(current_user.id),
                           limit=review_service.MAX_QUESTIONS)


@bp.post("/review/start")
@login_required
@limit_attempt_starts()
def start_review() -> Any:
    """The review under way, or a new one of the questions due now."""
    _students_only()
    if not ActionForm().validate_on_submit():
        return see_other(url_for("quiz.review"))
    attempt, _ = review_service.start_review(current_user.id)
    if attempt is None:
        flash("Nothing is due for review now.", "info")
        return see_other(url_for("quiz.review"))
    return see_other(url_for("quiz.attempt", attempt_id=attempt.id))
