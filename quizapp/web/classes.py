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
    url_for,
)
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from quizapp.extensions import limit_joins, login_manager
from quizapp.models import Assignment, Attempt, Classroom, utcnow
from quizapp.services import classes as classes_service
from quizapp.services import leaderboard, privacy, reports
from quizapp.services import progress as progress_service
from quizapp.services import quiz as quiz_service
from quizapp.services.classes import AssignmentStatus
from quizapp.services.errors import NotFound, ServiceError
from quizapp.services.leaderboard import Board, Entry
from quizapp.web.display import number, percent
from quizapp.web.forms import (
    ActionForm,
    AssignmentForm,
    BoardForm,
    ClassForm,
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
    #: The attempt limit that applies (the assignment's, else the bank's), if any.
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
            assignment.max_attempts or assignment.bank.settings.get("max_attempts"),
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


def _bank_choices() -> list[SelectChoice]:
    return [SelectChoice(entry.bank.id, entry.bank.title)
            for section in progress_service.catalogue(current_user.id) for entry in section.entries]


def _teacher_page(classroom: Classroom, **forms: Any) -> str:
    """The teacher's class page; a form that failed comes in ``forms`` to show its errors."""
    assignment_form = forms.get("assignment_form") or AssignmentForm(formdata=None)
    assignment_form.bank.choices = _bank_choices()
    return render_template(
        "classes/teacher.html",
        classroom=classroom,
        members=classes_service.members(classroom.id),
        assignments=classroom.assignments,
        roster_form=forms.get("roster_form") or RosterForm(formdata=None),
        board_form=forms.get("board_form") or BoardForm(
            formdata=None, names=classroom.board_names, hidden=classroom.board_hidden,
            frozen=classroom.board_frozen_at is not None),
        assignment_form=assignment_form,
        nickname_form=NicknameForm(formdata=None),
        nickname_errors=forms.get("nickname_errors", {}),
    )


@bp.get("/<id:class_id>")
def show(class_id: int) -> str:
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
    return _teacher_page(classroom, roster_form=form), 422


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
    return _teacher_page(classroom, nickname_errors={account_id: form.nickname.errors}), 422


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
    return _teacher_page(classroom, board_form=form), 422


@bp.post("/<id:class_id>/assignments")
def assign(class_id: int) -> Any:
    classroom = _own_class(class_id)
    form = AssignmentForm()
    form.bank.choices = _bank_choices()
    if form.validate_on_submit():
        minutes = form.time_limit_minutes.data
        try:
            assignment = classes_service.create_assignment(
                classroom, form.bank.data, opens_at=form.utc(form.opens_at.data),
                due_at=form.utc(form.due_at.data),
                max_attempts=form.max_attempts.data,
                time_limit_seconds=minutes * 60 if minutes else None,
            )
        except ServiceError as error:
            form.bank.errors.append(error.message)
        else:
            flash(f"“{assignment.bank.title}” is assigned to {classroom.name}.", "success")
            return _back_to_class(classroom, "assignments")
    return _teacher_page(classroom, assignment_form=form), 422


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
        return {"rank": e.rank, "name": e.name, "score": e.score, "points": e.points,
                "shown_score": f"{_score(e.score)}/{_score(e.points)}",
                "percent": percent(e.score, e.points), "movement": e.movement}

    return {
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
    text = reports.to_csv(["rank", "name", "score", "points"],
                          [[e.rank, e.name, e.score, e.points] for e in ranked.entries])
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
        bars=distribution_bars(result.distribution),
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
