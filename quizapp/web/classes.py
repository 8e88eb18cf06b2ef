"""Classes in the browser: teachers run them, students join them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from quizapp.extensions import db, limit_joins, login_manager
from quizapp.models import Assignment, Attempt, Classroom, Question, utcnow
from quizapp.services import assignments as assignments_service
from quizapp.services import classes as classes_service
from quizapp.services import leaderboard, privacy, reports
from quizapp.services import progress as progress_service
from quizapp.services import quiz as quiz_service
from quizapp.services import release as release_service
from quizapp.services.assignments import AccommodationRow
from quizapp.services.classes import AssignmentStatus
from quizapp.services.errors import NotFound, ServiceError
from quizapp.services.leaderboard import Board, Entry
from quizapp.web.display import count_of, number, percent
from quizapp.web.forms import (
    AccommodationForm,
    ActionForm,
    AssignmentEditForm,
    AssignmentForm,
    BoardForm,
    ClassForm,
    CopyAssignmentForm,
    JoinForm,
    NicknameForm,
    RosterForm,
)

bp = Blueprint("classes", __name__, url_prefix="/classes")

@bp.before_request
def require_sign_in() -> Any:
    """Every class page is for a signed-in teacher or student; others go to sign in."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


# --- helpers shared with other templates ------------------------------------------------


@dataclass
class AssignedWork:
    """An assignment as a student's home page shows it."""

    status: AssignmentStatus
    #: The unfinished attempt to resume, if any.
    open_attempt: Attempt | None
    #: The student's attempt limit (the assignment's, else the bank's, plus extra attempts), if any.
    limit: int | None
    opens_later: bool

    @property
    def assignment(self) -> Assignment:
        return self.status.assignment

    @property
    def used_up(self) -> bool:
        return bool(self.limit and self.open_attempt is None and self.status.attempts >= self.limit)


def assigned_work(bank_id: str | None = None) -> list[AssignedWork]:
    """What the signed-in student has been assigned (for one bank, if given), soonest due first."""
    if not current_user.is_authenticated or current_user.is_teacher:
        return []
    now = utcnow()
    work = []
    open_attempts = quiz_service.open_assignment_attempts(current_user.id)
    for status in classes_service.assignments_for_student(current_user.id):
        assignment = status.assignment
        if bank_id is not None and assignment.bank_id != bank_id:
            continue
        work.append(AssignedWork(
            status,
            open_attempts.get(assignment.id),
            status.attempt_limit,  # the student's own: extra attempts included
            bool(assignment.opens_at and assignment.opens_at > now),
        ))
    return work


@bp.app_context_processor
def class_helpers() -> dict[str, Any]:
    # The home and bank pages belong to the quiz blueprint; they ask for assignments here.
    return {"assigned_work": assigned_work, "now_utc": utcnow}


@bp.app_template_filter("utc")
def format_utc(value: dt.datetime | None) -> str:
    """A stored (naive, UTC) time as people read it; every class time is UTC."""
    return "" if value is None else f"{value:%Y-%m-%d %H:%M} UTC"


# --- who may see what --------------------------------------------------------------------


def _teacher_only() -> None:
    if not current_user.is_teacher:
        abort(403, "Only teachers can see this page.")


def _own_class(class_id: int) -> Classroom:
    """The signed-in teacher's class; students get 403, any other class 404."""
    _teacher_only()
    try:
        return classes_service.class_for_teacher(class_id, current_user.id)
    except NotFound as error:
        abort(404, error.message)


def _member_class(class_id: int) -> tuple[Classroom, bool]:
    """The class and whether the signed-in account teaches it, for its teacher and students."""
    try:
        return classes_service.class_for_member(class_id, current_user.id)
    except NotFound as error:
        abort(404, error.message)


def _assignment(classroom: Classroom, assignment_id: int) -> Assignment:
    try:
        assignment, _ = classes_service.assignment_for(assignment_id, current_user.id)
    except NotFound as error:
        abort(404, error.message)
    if assignment.classroom_id != classroom.id:
        abort(404, "There is no such assignment.")
    return assignment


def _back_to_class(classroom: Classroom, anchor: str | None = None) -> Response:
    return redirect(url_for("classes.show", class_id=classroom.id, _anchor=anchor), code=303)


# --- my classes, creating and joining ----------------------------------------------------


def _index(class_form: ClassForm | None = None, join_form: JoinForm | None = None) -> str:
    if current_user.is_teacher:
        return render_template(
            "classes/index.html", classes=classes_service.teacher_classes(current_user.id),
            class_form=class_form or ClassForm(formdata=None),
        )
    return render_template(
        "classes/index.html", classes=classes_service.student_classes(current_user.id),
        join_form=join_form or JoinForm(formdata=None),
    )


@bp.get("/")
def index() -> str:
    return _index()


@bp.post("/new")
def create() -> Any:
    _teacher_only()
    form = ClassForm()
    if form.validate_on_submit():
        try:
            classroom = classes_service.create_class(current_user, form.name.data)
        except ServiceError as error:
            form.name.errors.append(error.message)
        else:
            flash(f"Class “{classroom.name}” created. Its join code is {classroom.join_code}.", "success")
            return _back_to_class(classroom)
    return _index(class_form=form), 422


@bp.post("/join")
@limit_joins()
def join() -> Any:
    if current_user.is_teacher:
        abort(403, "Teachers add students to their classes; only students join with a code.")
    form = JoinForm()
    if form.validate_on_submit():
        try:
            classroom = classes_service.join(current_user, form.code.data)
        except ServiceError as error:
            form.code.errors.append(error.message)
        else:
            flash(f"You are in “{classroom.name}”.", "success")
            return _back_to_class(classroom)
    return _index(join_form=form), 422


# --- one class ----------------------------------------------------------------------------


def _bank_sizes() -> dict[str, tuple[str, int]]:
    """The quizzes the teacher may assign, by bank id: title and how many questions it asks."""
    return {entry.bank.id: (entry.bank.title, entry.questions)
            for section in progress_service.catalogue(current_user.id) for entry in section.entries}


def _bank_choices(sizes: dict[str, tuple[str, int]]) -> list[SelectChoice]:
    return [SelectChoice(bank_id, title) for bank_id, (title, _) in sizes.items()]


def question_counts(bank_ids: set[str]) -> dict[str, int]:
    """How many questions each bank asks now (not retired), in one query."""
    if not bank_ids:
        return {}
    return dict(db.session.execute(
        select(Question.bank_id, func.count(Question.id))
        .where(Question.bank_id.in_(bank_ids), Question.retired_at.is_(None))
        .group_by(Question.bank_id)
    ).all())


def given(row: AccommodationRow) -> bool:
    """Whether an accommodation gives anything (one set back to nothing is not listed)."""
    extra = row.accommodation
    return bool(extra.extra_time_percent or extra.extra_attempts or extra.due_at)


def _accommodations(classroom: Classroom) -> list[AccommodationRow]:
    return [row for row in assignments_service.class_accommodations(classroom.id) if given(row)]


def _teacher_page(classroom: Classroom, status: int = 200, **forms: Any) -> Any:
    """The teacher's class page; a form that failed comes in ``forms`` to show its errors,
    and ``open_assignments`` when assigning a bank the class already has open."""
    sizes = _bank_sizes()
    assignment_form = forms.get("assignment_form") or AssignmentForm(formdata=None)
    assignment_form.bank.choices = _bank_choices(sizes)
    assignments = classroom.assignments
    accommodations = _accommodations(classroom)
    per_assignment: dict[int, int] = {}
    for row in accommodations:
        per_assignment[row.assignment.id] = per_assignment.get(row.assignment.id, 0) + 1
    return render_template(
        "classes/teacher.html",
        classroom=classroom,
        members=classes_service.members(classroom.id),
        assignments=assignments,
        question_counts=question_counts({a.bank_id for a in assignments}),
        accommodations=accommodations,
        accommodation_counts=per_assignment,
        bank_sizes=sizes,
        open_assignments=forms.get("open_assignments", []),
        roster_form=forms.get("roster_form") or RosterForm(formdata=None),
        board_form=forms.get("board_form") or BoardForm(
            formdata=None, names=classroom.board_names, hidden=classroom.board_hidden,
            frozen=classroom.board_frozen_at is not None),
        assignment_form=assignment_form,
        nickname_form=NicknameForm(formdata=None),
        nickname_errors=forms.get("nickname_errors", {}),
    ), status


@bp.get("/<id:class_id>")
def show(class_id: int) -> Any:
    classroom, teaches = _member_class(class_id)
    if teaches:
        return _teacher_page(classroom)
    work = [w for w in assigned_work() if w.assignment.classroom_id == classroom.id]
    return render_template(
        "classes/student.html", classroom=classroom, work=work,
        membership=classes_service.membership(classroom.id, current_user.id),
    )


@bp.post("/<id:class_id>/code")
def regenerate_code(class_id: int) -> Any:
    classroom = _own_class(class_id)
    if ActionForm().validate_on_submit():
        code = classes_service.regenerate_code(classroom)
        flash(f"The new join code is {code}. The old code no longer works.", "success")
    return _back_to_class(classroom, "settings")


def _decode(raw: bytes) -> str | None:
    # Spreadsheets save "CSV UTF-8" (often with a byte order mark) or, on Windows, cp1252.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


@bp.post("/<id:class_id>/roster")
def roster(class_id: int) -> Any:
    """Create the roster's accounts and show their one-time passwords, on this response only."""
    classroom = _own_class(class_id)
    form = RosterForm()
    if form.validate_on_submit():
        text = _decode(form.roster.data.read())
        if text is None:
            form.roster.errors.append("The file could not be read as text; save it as “CSV UTF-8”.")
        else:
            try:
                rows = classes_service.add_roster(classroom, text)
            except ServiceError as error:
                form.roster.errors.append(error.message)
            else:
                response = make_response(render_template(
                    "classes/cards.html", classroom=classroom, rows=rows,
                    cards=[r for r in rows if r.password],
                    login_url=url_for("auth.login", _external=True),
                ))
                # the passwords exist nowhere else: keep them out of caches and history
                response.headers["Cache-Control"] = "no-store"
                return response
    return _teacher_page(classroom, 422, roster_form=form)


@bp.post("/<id:class_id>/members/<id:account_id>/nickname")
def nickname(class_id: int, account_id: int) -> Any:
    classroom = _own_class(class_id)
    form = NicknameForm()
    if form.validate_on_submit():
        try:
            classes_service.set_nickname(classroom, account_id, form.nickname.data)
        except NotFound as error:
            abort(404, error.message)
        except ServiceError as error:
            form.nickname.errors.append(error.message)
        else:
            flash("Nickname saved.", "success")
            return _back_to_class(classroom, f"member-{account_id}")
    return _teacher_page(classroom, 422, nickname_errors={account_id: form.nickname.errors})


@bp.post("/<id:class_id>/members/<id:account_id>/remove")
def remove(class_id: int, account_id: int) -> Any:
    classroom = _own_class(class_id)
    if ActionForm().validate_on_submit():
        try:
            classes_service.remove_member(classroom, account_id)
        except NotFound as error:
            abort(404, error.message)
        flash("The student is no longer in this class.", "success")
    return _back_to_class(classroom, "students")


@bp.post("/<id:class_id>/members/<id:account_id>/delete")
def delete_student(class_id: int, account_id: int) -> Any:
    """Delete a student of the class, with all their data (a parent's or school's request)."""
    classroom = _own_class(class_id)
    if classes_service.membership(classroom.id, account_id) is None:
        abort(404, "That student is not in this class.")
    if ActionForm().validate_on_submit():
        if not classes_service.only_teacher_of(account_id, current_user.id):
            flash("This student is also in another teacher's class, so their account was not "
                  "deleted. Remove them from your class, or ask your administrator.", "warning")
        else:
            privacy.delete_account(account_id)
            flash("The student's account and all their answers are deleted.", "success")
    return _back_to_class(classroom, "students")


@bp.post("/<id:class_id>/leave")
def leave(class_id: int) -> Any:
    classroom, teaches = _member_class(class_id)
    if teaches:
        abort(403, "You teach this class, so you cannot leave it.")
    if not ActionForm().validate_on_submit():
        return _back_to_class(classroom)
    classes_service.remove_member(classroom, current_user.id)
    flash(f"You have left “{classroom.name}”.", "success")
    return redirect(url_for("classes.index"), code=303)


@bp.post("/<id:class_id>/board-settings")
def board_settings(class_id: int) -> Any:
    classroom = _own_class(class_id)
    form = BoardForm()
    if form.validate_on_submit():
        classes_service.update_board(classroom, names=form.names.data, hidden=form.hidden.data,
                                     frozen=form.frozen.data)
        flash("Leaderboard settings saved.", "success")
        return _back_to_class(classroom, "boards")
    return _teacher_page(classroom, 422, board_form=form)


@bp.post("/<id:class_id>/assignments")
def assign(class_id: int) -> Any:
    """Set a bank for the class. A bank the class already has open is not set again until the
    teacher confirms (the page says which assignment is open; 409 until then)."""
    classroom = _own_class(class_id)
    form = AssignmentForm()
    sizes = _bank_sizes()
    form.bank.choices = _bank_choices(sizes)
    form.bank_questions = sizes[form.bank.data][1] if form.bank.data in sizes else None
    if form.validate_on_submit():
        already = ([] if form.confirm.data == form.bank.data
                   else assignments_service.open_assignments_of_bank(classroom.id, form.bank.data))
        if already:
            form.confirm.data = form.bank.data
            return _teacher_page(classroom, 409, assignment_form=form, open_assignments=already)
        try:
            assignment = classes_service.create_assignment(classroom, form.bank.data,
                                                           **form.options())
        except ServiceError as error:
            form.field_for(error.message).errors.append(error.message)
        else:
            flash(f"“{assignment.bank.title}” is assigned to {classroom.name}.", "success")
            return _back_to_class(classroom, "assignments")
    form.confirm.data = ""
    return _teacher_page(classroom, 422, assignment_form=form)


# --- steering one assignment: edit, accommodations, copy, delete ----------------------------


def _own_assignment(class_id: int, assignment_id: int) -> tuple[Classroom, Assignment]:
    """The signed-in teacher's class and its assignment; students get 403, anything else 404."""
    classroom = _own_class(class_id)
    try:
        assignment = assignments_service.assignment_for_teacher(assignment_id, current_user.id)
    except NotFound as error:
        abort(404, error.message)
    if assignment.classroom_id != classroom.id:
        abort(404, "There is no such assignment.")
    return classroom, assignment


def _minutes(seconds: int | None) -> int | None:
    """A time limit as the form shows it: whole minutes, rounded up."""
    return -(-seconds // 60) if seconds else None


def _edit_form(assignment: Assignment) -> AssignmentEditForm:
    """The edit form, filled with the assignment's options (times in UTC: quiz.js shows them
    in the teacher's zone)."""
    return AssignmentEditForm(formdata=None, data={
        "opens_at": assignment.opens_at, "due_at": assignment.due_at,
        "max_attempts": assignment.max_attempts,
        "time_limit_minutes": _minutes(assignment.time_limit_seconds),
        "show_answers": assignment.show_answers, "close_at_due": assignment.close_at_due,
        "shuffle_questions": assignment.shuffle_questions,
        "question_count": assignment.question_count,
    })


def _accommodation_form(classroom: Classroom, assignment: Assignment,
                        form: AccommodationForm | None = None,
                        student: str | None = None) -> AccommodationForm:
    """The accommodation form, its students the class's, its ids apart from the edit form's;
    for ``student`` (a username) filled with what they have now."""
    members = classes_service.members(classroom.id)
    if form is None:
        data: dict[str, Any] = {}
        chosen = next((account for _, account in members if account.username == student), None)
        if chosen is not None:
            data["student"] = chosen.username
            extra = assignments_service.accommodation(assignment.id, chosen.id)
            if extra is not None:
                data.update(extra_time_percent=extra.extra_time_percent or None,
                            extra_attempts=extra.extra_attempts or None, due_at=extra.due_at)
        form = AccommodationForm(formdata=None, data=data)
    form.student.choices = [SelectChoice("", "Choose a student")] + [
        SelectChoice(account.username, f"{account.display_name} ({account.username})")
        for _, account in members]
    for name in ("student", "extra_time_percent", "extra_attempts", "due_at", "tz"):
        field = form[name]
        field.id = f"accommodation-{name}"
        field.label.field_id = field.id
    return form


def _copy_form(form: CopyAssignmentForm | None = None, classroom: Classroom | None = None
               ) -> CopyAssignmentForm:
    form = form or CopyAssignmentForm(formdata=None,
                                      data={"classroom": classroom.id if classroom else None})
    form.classroom.choices = [SelectChoice(room.id, room.name)
                              for room in classes_service.teacher_classes(current_user.id)]
    return form


def _edit_page(classroom: Classroom, assignment: Assignment, status: int = 200, *,
               form: AssignmentEditForm | None = None,
               accommodation_form: AccommodationForm | None = None,
               copy_form: CopyAssignmentForm | None = None) -> Any:
    failed = next((f for f in (form, accommodation_form, copy_form) if f is not None and f.errors),
                  None)
    rows = [row for row in _accommodations(classroom) if row.assignment.id == assignment.id]
    return render_template(
        "classes/assignment_edit.html", classroom=classroom, assignment=assignment,
        form=form or _edit_form(assignment),
        accommodation_form=accommodation_form or _accommodation_form(
            classroom, assignment, student=request.args.get("student")),
        copy_form=_copy_form(copy_form, classroom), failed=failed, accommodations=rows,
        bank_questions=classes_service.bank_question_count(assignment.bank_id),
        attempts=_attempt_count(assignment),
    ), status


def _attempt_count(assignment: Assignment) -> int:
    """How many attempts (finished or not) the assignment has."""
    return db.session.execute(
        select(func.count(Attempt.id)).where(Attempt.assignment_id == assignment.id)
    ).scalar_one()


@bp.route("/<id:class_id>/assignments/<id:assignment_id>/edit", methods=["GET", "POST"])
def edit_assignment(class_id: int, assignment_id: int) -> Any:
    """Every option of an assignment, to change; saved, back to the class page."""
    classroom, assignment = _own_assignment(class_id, assignment_id)
    if request.method == "GET":
        return _edit_page(classroom, assignment)
    form = AssignmentEditForm()
    form.bank_questions = classes_service.bank_question_count(assignment.bank_id)
    if form.validate_on_submit():
        changes = form.options()
        if form.time_limit_minutes.data == _minutes(assignment.time_limit_seconds):
            changes["time_limit_seconds"] = assignment.time_limit_seconds  # untouched: kept exact
        try:
            assignments_service.update_assignment(assignment, changes)
        except ServiceError as error:
            db.session.rollback()
            form.field_for(error.message).errors.append(error.message)
        else:
            flash(f"Changes to “{assignment.bank.title}” saved.", "success")
            return _back_to_class(classroom, "assignments")
    return _edit_page(classroom, assignment, 422, form=form)


@bp.post("/<id:class_id>/assignments/<id:assignment_id>/accommodations")
def accommodation(class_id: int, assignment_id: int) -> Any:
    """Set one student's extra time, extra attempts and own due date on the assignment."""
    classroom, assignment = _own_assignment(class_id, assignment_id)
    form = _accommodation_form(classroom, assignment, AccommodationForm())
    if form.validate_on_submit():
        due = form.utc(form.due_at.data)
        if due is not None and assignment.due_at is not None and due <= assignment.due_at:
            form.due_at.errors.append("Their own due date must come after the assignment's "
                                      f"due date, {format_utc(assignment.due_at)}.")
        else:
            try:
                found = assignments_service.set_accommodation(
                    assignment, form.student.data,
                    extra_time_percent=form.extra_time_percent.data or 0,
                    extra_attempts=form.extra_attempts.data or 0, due_at=due)
            except NotFound as error:
                form.student.errors.append(error.message)
            except ServiceError as error:
                (form.due_at if "due date" in error.message else form.student).errors.append(
                    error.message)
            else:
                name = found.account.display_name
                if found.extra_time_percent or found.extra_attempts or found.due_at:
                    flash(f"Saved: what {name} gets on “{assignment.bank.title}”.", "success")
                else:
                    flash(f"{name} has no accommodation on “{assignment.bank.title}” now.",
                          "success")
                return redirect(url_for("classes.edit_assignment", class_id=classroom.id,
                                        assignment_id=assignment.id, _anchor="accommodations"),
                                code=303)
    return _edit_page(classroom, assignment, 422, accommodation_form=form)


@bp.post("/<id:class_id>/assignments/<id:assignment_id>/copy")
def copy_assignment(class_id: int, assignment_id: int) -> Any:
    """The same quiz with the same dates and options, for one of the teacher's classes."""
    classroom, assignment = _own_assignment(class_id, assignment_id)
    form = _copy_form(CopyAssignmentForm())
    if form.validate_on_submit():
        try:
            copied = assignments_service.copy_assignment(assignment, form.classroom.data,
                                                         current_user.id)
        except NotFound as error:
            abort(404, error.message)
        except ServiceError as error:
            form.classroom.errors.append(error.message)
        else:
            flash(f"“{assignment.bank.title}” is copied to {copied.classroom.name}, with the same "
                  "dates and options. Accommodations are not copied.", "success")
            return _back_to_class(copied.classroom, "assignments")
    return _edit_page(classroom, assignment, 422, copy_form=form)


@bp.route("/<id:class_id>/assignments/<id:assignment_id>/delete", methods=["GET", "POST"])
def delete_assignment(class_id: int, assignment_id: int) -> Any:
    """What deleting changes, and the button that does it."""
    classroom, assignment = _own_assignment(class_id, assignment_id)
    if request.method == "POST" and ActionForm().validate_on_submit():
        title = assignment.bank.title
        attempts = _attempt_count(assignment)
        assignments_service.delete_assignment(assignment)
        kept = (f" Its {count_of(attempts, 'attempt')} {'stays' if attempts == 1 else 'stay'} "
                "in the students' history." if attempts else "")
        flash(f"“{title}” is no longer assigned to {classroom.name}.{kept}", "success")
        return _back_to_class(classroom, "assignments")
    students = db.session.execute(
        select(func.count(func.distinct(Attempt.account_id)))
        .where(Attempt.assignment_id == assignment.id)
    ).scalar_one()
    return render_template(
        "classes/assignment_delete.html", classroom=classroom, assignment=assignment,
        attempts=_attempt_count(assignment), students=students,
        accommodations=len([r for r in _accommodations(classroom)
                            if r.assignment.id == assignment.id]),
    )


# --- leaderboards -------------------------------------------------------------------------


def _board_title(assignment: Assignment | None) -> str:
    return assignment.bank.title if assignment else "Whole class"


@bp.get("/<id:class_id>/board", defaults={"assignment_id": None})
@bp.get("/<id:class_id>/assignments/<id:assignment_id>/board")
def board(class_id: int, assignment_id: int | None) -> str:
    """A leaderboard: the whole board for the teacher; the top ten and their own place for a student."""
    classroom, teaches = _member_class(class_id)
    assignment = _assignment(classroom, assignment_id) if assignment_id else None
    context: dict[str, Any] = {"classroom": classroom, "assignment": assignment, "teaches": teaches,
                               "title": _board_title(assignment)}
    if classroom.board_hidden and not teaches:
        return render_template("classes/board.html", hidden=True, **context)
    # a board shows marks: it waits, as the API's does, until the answers are shown to the student
    withheld = None if teaches else release_service.board_withheld(
        classroom.id, current_user.id, assignment_id)
    if withheld is not None:
        return render_template("classes/board.html", hidden=True, withheld=withheld, **context)
    ranked = leaderboard.board(classroom, assignment_id)
    shown = leaderboard.view_for(ranked, current_user.id, teaches=teaches)
    return render_template(
        "classes/board.html", hidden=False, ranked=ranked, mine=shown.me, entries=shown.entries,
        **context,
    )


def _score(value: float) -> str:
    return number(value)


def _projector_data(classroom: Classroom, assignment: Assignment | None) -> dict[str, Any]:
    """What the projector shows, for the page and for its JSON alike."""
    assignment_id = assignment.id if assignment else None
    ranked: Board = leaderboard.board(classroom, assignment_id)

    def entry(e: Entry) -> dict[str, Any]:
        # out of the board's total, the same for everyone (see leaderboard.board)
        return {"rank": e.rank, "name": e.name, "score": e.score, "points": e.total,
                "shown_score": f"{_score(e.score)}/{_score(e.total)}",
                # whole percentages on the big screen, as elsewhere on it
                "percent": percent(e.score, e.total),
                "movement": e.movement}

    data = {
        "class": classroom.name,
        "title": _board_title(assignment),
        "join_code": classroom.join_code,
        "entries": [entry(e) for e in ranked.top(leaderboard.TOP)],
        "finished": ranked.finished,
        "members": ranked.members,
        "answering": leaderboard.answers_in_progress(classroom.id, assignment_id),
        # ISO 8601 in UTC; the page shows it in the room's own time zone
        "frozen_at": f"{ranked.frozen_at:%Y-%m-%dT%H:%M:%S}Z" if ranked.frozen_at else None,
        "version": ranked.version,
    }
    if assignment is not None:
        data["questions"] = [_question_count(q) for q in leaderboard.question_counts(assignment)]
    return data


def _question_count(q: leaderboard.QuestionCount) -> dict[str, Any]:
    """One question's live counts for the projector, with the widths of its bar (in
    hundredths of the bar, right then partly then wrong) and the counts in words."""
    shares = [round(100 * n / q.answered, 2) if q.answered else 0.0
              for n in (q.right, q.partly, q.wrong)]
    return {"number": q.number, "question_id": q.question_id, "prompt": q.prompt,
            "answered": q.answered, "right": q.right, "partly": q.partly, "wrong": q.wrong,
            "bar": {"right": shares[0], "partly": shares[1], "wrong": shares[2]},
            "text": (f"{q.answered} answered · {q.right} right · {q.partly} partly · "
                     f"{q.wrong} wrong")}


@bp.get("/<id:class_id>/projector", defaults={"assignment_id": None})
@bp.get("/<id:class_id>/assignments/<id:assignment_id>/projector")
def projector(class_id: int, assignment_id: int | None) -> str:
    classroom = _own_class(class_id)
    assignment = _assignment(classroom, assignment_id) if assignment_id else None
    return render_template(
        "classes/projector.html", classroom=classroom, assignment=assignment,
        data=_projector_data(classroom, assignment),
        json_url=url_for("classes.projector_json", class_id=classroom.id, assignment_id=assignment_id),
    )


@bp.get("/<id:class_id>/projector.json", defaults={"assignment_id": None})
@bp.get("/<id:class_id>/assignments/<id:assignment_id>/projector.json")
def projector_json(class_id: int, assignment_id: int | None) -> Response:
    """The projector's figures, polled every few seconds by its page."""
    classroom = _own_class(class_id)
    assignment = _assignment(classroom, assignment_id) if assignment_id else None
    response = jsonify(_projector_data(classroom, assignment))
    response.headers["Cache-Control"] = "no-store"
    return response


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "class"


def _csv(text: str, filename: str) -> Response:
    response = current_app.response_class(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<id:class_id>/board.csv", defaults={"assignment_id": None})
@bp.get("/<id:class_id>/assignments/<id:assignment_id>/board.csv")
def board_csv(class_id: int, assignment_id: int | None) -> Response:
    classroom = _own_class(class_id)
    assignment = _assignment(classroom, assignment_id) if assignment_id else None
    ranked = leaderboard.board(classroom, assignment_id)
    # every score out of the board's one total, with its percentage (two decimals at most)
    text = reports.to_csv(["rank", "name", "score", "points", "percent"],
                          [[e.rank, e.name, e.score, e.total, e.percent] for e in ranked.entries])
    part = _slug(assignment.bank_id) if assignment else "class"
    return _csv(text, f"{_slug(classroom.name)}-{part}-leaderboard.csv")


# --- reports ------------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float


CHART_WIDTH, CHART_HEIGHT, CHART_PAD, CHART_AXIS = 320, 160, 8, 20


def distribution_bars(counts: list[int]) -> list[Bar]:
    """Ten bars for a score distribution (0-9%, ..., 90-100%), scaled to the tallest."""
    tallest = max(counts, default=0) or 1
    slot = (CHART_WIDTH - 2 * CHART_PAD) / len(counts)
    room = CHART_HEIGHT - CHART_AXIS - 2 * CHART_PAD  # leaves space for each bar's count above it
    bars = []
    for i, count in enumerate(counts):
        height = room * count / tallest
        label = f"{i * 10}–{i * 10 + 9}%" if i < 9 else "90–100%"
        bars.append(Bar(label, count, CHART_PAD + i * slot + 2, CHART_HEIGHT - CHART_AXIS - height,
                        slot - 4, height))
    return bars


@bp.get("/<id:class_id>/assignments/<id:assignment_id>/report")
def report(class_id: int, assignment_id: int) -> str:
    classroom = _own_class(class_id)
    assignment = _assignment(classroom, assignment_id)
    result = reports.assignment_report(assignment)
    return render_template(
        "classes/report.html", classroom=classroom, assignment=assignment, report=result,
        bars=distribution_bars(result.distribution), min_attempts=reports.DISCRIMINATION_MIN_ATTEMPTS,
        chart={"width": CHART_WIDTH, "height": CHART_HEIGHT, "axis": CHART_HEIGHT - CHART_AXIS},
    )


@bp.get("/<id:class_id>/assignments/<id:assignment_id>/grid.csv")
def grid_csv(class_id: int, assignment_id: int) -> Response:
    classroom = _own_class(class_id)
    assignment = _assignment(classroom, assignment_id)
    text = reports.grid_csv(reports.assignment_report(assignment))
    return _csv(text, f"{_slug(classroom.name)}-{_slug(assignment.bank_id)}-grid.csv")


@bp.errorhandler(413)
def too_large(error: Any) -> Any:
    """An upload over MAX_CONTENT_LENGTH (a roster file is a few kilobytes)."""
    return render_template("error.html", code=413, title="File too large",
                           message="That file is too large. A roster CSV should be well under "
                           "2 MB; check you chose the right file."), 413
