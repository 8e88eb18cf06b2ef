"""Live games in the browser: the host's projector screens and the players' phone screens.

The host (a teacher, signed in) starts a game from a bank, shows the lobby with the PIN, the
join link and its QR code, then each question, its reveal and the podium; the results page has
a CSV. Players join at ``/play`` with the PIN and a nickname (no account needed); the player's
token is kept in the session, so a reload or a lost connection resumes the same player.

Every screen is drawn here, on the server, from the game's state; ``static/game.js`` polls the
state route of the JSON API (``ETag``/304) about once a second and, when the state moves on,
fetches the screen again and puts it in place. Without JavaScript every form still works and a
Refresh link reloads the screen. The server is the only clock and the only judge: a page shows
the deadline the state gives; answers are accepted or refused by the service.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from quizapp.extensions import db, limit_game_joins, login_manager
from quizapp.models import Article, Bank, Classroom, Game, GamePlayer
from quizapp.services import authoring
from quizapp.services import classes as classes_service
from quizapp.services import games as games_service
from quizapp.services.errors import ServiceError
from quizapp.web import see_other
from quizapp.web.articles import quote_span
from quizapp.web.quiz import _response_from_form

bp = Blueprint("games", __name__)

#: Where the session keeps a browser's player tokens: game id (as text) -> token.
SESSION_TOKENS = "game_players"
#: Shapes and letters beside the colours of the answer buttons: never colour alone.
SHAPES = ("▲", "◆", "●", "■", "★", "⬟")
LETTERS = "ABCDEF"


# -- forms -------------------------------------------------------------------------------------


class NewGameForm(FlaskForm):
    bank = SelectField("Quiz", validators=[DataRequired()])
    seconds = IntegerField(
        "Seconds per question", default=20, validators=[NumberRange(3, 240)],
        description="3 to 240. Questions that need typing or arranging get a little more.",
        render_kw={"inputmode": "numeric", "min": 3, "max": 240})
    classroom = SelectField("Class", validators=[Optional()],
                            description="Optional: a class's students may join signed in.")
    guests = BooleanField("Guests may join with a nickname, without an account", default=True)


class JoinGameForm(FlaskForm):
    pin = StringField("Game PIN", validators=[DataRequired(), Length(max=12)],
                      render_kw={"inputmode": "numeric", "autocomplete": "off", "autocapitalize": "none"})
    nickname = StringField(
        "Nickname", validators=[DataRequired(), Length(max=games_service.NICKNAME_MAX)],
        description=f"Up to {games_service.NICKNAME_MAX} letters, digits and spaces. Everyone sees it.",
        render_kw={"autocomplete": "nickname", "maxlength": games_service.NICKNAME_MAX})


class GameActionForm(FlaskForm):
    """A button that only needs the CSRF token (start, next, remove, answer)."""


class AdvanceForm(FlaskForm):
    """The host's step; ``version`` is the state the screen showed, so a stale screen or a
    second click takes no step the host did not see."""

    version = IntegerField(validators=[Optional()])


# -- helpers -----------------------------------------------------------------------------------


def _fail(error: ServiceError) -> Any:
    abort(error.status, error.message)


def _own_game(game_id: int) -> Game:
    """The game, for its host; a student is refused, another teacher's game is not there."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not current_user.is_teacher:
        abort(403, "Only teachers host games.")
    try:
        return games_service.hosted_game(game_id, current_user.id)
    except ServiceError as error:
        return _fail(error)


def _tokens() -> dict[str, str]:
    tokens = session.get(SESSION_TOKENS)
    return tokens if isinstance(tokens, dict) else {}


def _remember(game_id: int, token: str) -> None:
    tokens = [(key, value) for key, value in _tokens().items() if key != str(game_id)]
    # the last few games this browser played; older ones are forgotten
    session[SESSION_TOKENS] = dict([*tokens[-4:], (str(game_id), token)])


def _forget(game_id: int) -> None:
    session[SESSION_TOKENS] = {k: v for k, v in _tokens().items() if k != str(game_id)}


def _my_player(game_id: int) -> tuple[GamePlayer, str] | None:
    """This browser's player in the game (from the token the session keeps), or None."""
    token = _tokens().get(str(game_id))
    player = games_service.player_for_token(game_id, token) if token else None
    return (player, token) if player is not None and token else None


def state_url(game_id: int) -> str:
    """The API's state route (docs/api.md, "Live games"), which the pages poll."""
    return f"/api/v1/games/{game_id}/state"


def qr_svg(url: str) -> Markup:
    """The join link as a QR code: an inline SVG whose colours are attributes (no style)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", xmldecl=False, svgns=True, nl=False, omitsize=True, border=2,
        dark="#000000", light="#ffffff", svgclass="qr", lineclass="qr-dark")
    svg = out.getvalue().decode()
    labelled = svg.replace("<svg ", '<svg role="img" aria-label="QR code of the join link" ', 1)
    return Markup(labelled)  # noqa: S704 - segno's own markup; the URL is encoded as modules


def join_url(pin: str | None) -> str:
    return url_for("games.join", pin=pin, _external=True)


def ordinal(n: int | None) -> str:
    if not n:
        return "–"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


bp.add_app_template_filter(ordinal, "ordinal")


def bar_rows(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The reveal's bars: per choice, in the order (and colours) the question showed them, or
    right, partly right and wrong."""
    shown = state.get("distribution") or {}
    question = state.get("question") or {}
    if shown.get("kind") == "choices":
        order = ([str(c) for c in question.get("choices", [])]
                 if question.get("type") != "true_false" else ["true", "false"])
        rows = []
        for entry in shown.get("counts", []):
            label = {"true": "True", "false": "False"}.get(entry["choice"], entry["choice"]) \
                if question.get("type") == "true_false" else entry["choice"]
            place = order.index(entry["choice"]) if entry["choice"] in order else None
            rows.append({"label": label, "count": entry["count"], "right": entry["correct"],
                         "shape": place, "place": place if place is not None else 99})
        return sorted(rows, key=lambda row: row["place"])
    if shown.get("kind") == "marks":
        return [{"label": "Right", "count": shown.get("right", 0), "right": True, "shape": None},
                {"label": "Partly right", "count": shown.get("partly", 0), "right": False, "shape": None},
                {"label": "Wrong", "count": shown.get("wrong", 0), "right": False, "shape": None}]
    return []


def evidence_of(state: dict[str, Any]) -> dict[str, Any] | None:
    """The revealed question's evidence: the paragraph's number and text, the quote marked."""
    evidence = (state.get("question") or {}).get("evidence")
    if not evidence or not evidence.get("paragraph"):
        return None
    shown: dict[str, Any] = {"paragraph": evidence["paragraph"], "quote": evidence.get("quote"),
                             "before": None, "marked": None, "after": None, "url": None}
    article = db.session.get(Article, evidence["article_id"]) if evidence.get("article_id") else None
    if article is None:
        return shown
    shown["url"] = url_for("articles.read", article_id=article.id, hl=evidence["paragraph"],
                           quote=evidence.get("quote") or None, _anchor=f"p{evidence['paragraph']}")
    text = next((b["text"] for b in article.blocks if b.get("number") == evidence["paragraph"]), None)
    if text:
        span = quote_span(text, evidence.get("quote") or "")
        if span:
            shown.update(before=text[:span[0]], marked=text[span[0]:span[1]], after=text[span[1]:])
        else:
            shown["before"] = text
    return shown


def _teacher_banks() -> list[Bank]:
    return list(db.session.execute(
        select(Bank).where(authoring.visible_banks(current_user)).order_by(Bank.title)).scalars())


# -- the host ----------------------------------------------------------------------------------


@bp.route("/games/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    """Start a live game: a bank, the seconds per question, a class if any, guests or not."""
    if not current_user.is_teacher:
        abort(403, "Only teachers host games.")
    form = NewGameForm()
    form.bank.choices = [(bank.id, bank.title) for bank in _teacher_banks()]
    form.classroom.choices = [("", "No class")] + [
        (str(room.id), room.name) for room in classes_service.teacher_classes(current_user.id)]
    if request.method == "GET" and request.args.get("bank"):
        form.bank.data = request.args["bank"]
    if form.validate_on_submit():
        try:
            game = games_service.create_game(
                current_user, form.bank.data, seconds_per_question=form.seconds.data,
                classroom_id=int(form.classroom.data) if form.classroom.data else None,
                guests=form.guests.data)
        except ServiceError as error:
            field = form.guests if "class" in error.message else form.bank
            field.errors = [*field.errors, error.message]
        else:
            return see_other(url_for("games.host", game_id=game.id))
    return render_template("games/new.html", form=form), 422 if form.errors else 200


ANNOUNCE_HOST = {"lobby": "The lobby is open.", "podium": "The game is over: the podium."}


@bp.get("/games/<id:game_id>")
def host(game_id: int) -> Any:
    """The projector: the lobby, each question, its reveal, the podium."""
    game = _own_game(game_id)
    state = games_service.state_for(game.id)
    phase, number = state["phase"], state["number"]
    announce = ANNOUNCE_HOST.get(phase) or (
        f"Question {number} of {state['total']}." if phase == "question"
        else f"The answer to question {number}.")
    link = join_url(game.pin) if game.pin else None
    classroom = db.session.get(Classroom, game.classroom_id) if game.classroom_id else None
    return render_template(
        "games/host.html", game=game, state=state, action=GameActionForm(),
        step=AdvanceForm(version=state["version"]), players=state.get("roster", []),
        classroom_name=classroom.name if classroom else None,
        join_link=link, join_link_text=link.split("://", 1)[-1] if link else "",
        qr=qr_svg(link) if link and phase == "lobby" else None,
        rows=bar_rows(state), evidence=evidence_of(state), announce=announce,
        state_url=state_url(game.id), shapes=SHAPES, letters=LETTERS)


@bp.post("/games/<id:game_id>/advance")
def advance(game_id: int) -> Any:
    """The host's Start / Show the answer / Next: one step from the state the screen showed."""
    game = _own_game(game_id)
    form = AdvanceForm()
    if form.validate_on_submit():
        before = game.version
        try:
            moved = games_service.advance(game.id, expected_version=form.version.data)
        except ServiceError as error:
            flash(error.message, "warning")
        else:
            if form.version.data is not None and form.version.data != before and moved.version == before:
                flash("The game had moved on since this screen was drawn: here it is now.", "info")
    return see_other(url_for("games.host", game_id=game_id))


@bp.post("/games/<id:game_id>/players/<id:player_id>/remove")
def remove_player(game_id: int, player_id: int) -> Any:
    game = _own_game(game_id)
    if GameActionForm().validate_on_submit():
        player = db.session.get(GamePlayer, player_id)
        try:
            games_service.remove_player(game, player_id)
        except ServiceError as error:
            return _fail(error)
        if player is not None:
            flash(f"{player.nickname} was removed from the game.", "success")
    return see_other(url_for("games.host", game_id=game_id))


@bp.get("/games/<id:game_id>/results")
def results(game_id: int) -> Any:
    game = _own_game(game_id)
    return render_template("games/results.html", game=game, results=games_service.results(game))


@bp.get("/games/<id:game_id>/results.csv")
def results_csv(game_id: int) -> Response:
    game = _own_game(game_id)
    response = Response(games_service.results_csv(game), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="game-{game.id}-results.csv"'
    return response


# -- the players -------------------------------------------------------------------------------


@bp.route("/play", methods=["GET", "POST"])
@limit_game_joins()  # the API's buckets: a wrong PIN costs the same on the page
def join() -> Any:
    """Join a game with its PIN and a nickname; no account needed."""
    form = JoinGameForm()
    if request.method == "GET" and request.args.get("pin"):
        form.pin.data = request.args["pin"][:12]
    status = 200
    if form.validate_on_submit():
        account = current_user if current_user.is_authenticated else None
        pin = "".join(form.pin.data.split())
        try:
            joined = games_service.join(pin, form.nickname.data, account=account)
        except ServiceError as problem:
            field = form.pin if problem.status == 404 else form.nickname
            field.errors = [*field.errors, problem.message]
            status = problem.status
        else:
            _remember(joined.game.id, joined.token)
            return see_other(url_for("games.play", game_id=joined.game.id))
    elif form.errors:
        status = 422
    return render_template("games/join.html", form=form), status


def _announce(state: dict[str, Any]) -> str:
    me = state.get("me") or {}
    phase = state["phase"]
    if phase == "lobby":
        return "You are in the game. Waiting for the host to start."
    if phase == "question":
        if me.get("answered"):
            return "Answer locked."
        return f"Question {state['number']} of {state['total']}."
    if phase == "reveal":
        last = me.get("last") or {}
        verdict = ("No answer." if not me.get("answered") else "Right!" if last.get("correct")
                   else "Partly right." if last.get("points") else "Not quite.")
        return f"{verdict} {last.get('points') or 0} points. You are {ordinal(me.get('rank'))}."
    return f"The game is over. You finished {ordinal(me.get('rank'))} with {me.get('score', 0)} points."


@bp.get("/play/<id:game_id>")
def play(game_id: int) -> Any:
    """The player's screen: waiting, the question's answer buttons, their result, the podium."""
    mine = _my_player(game_id)
    if mine is None:
        flash("You are not in that game: join with its PIN.", "info")
        return redirect(url_for("games.join"))
    player, token = mine
    if player.removed:
        _forget(game_id)
        flash("The host removed you from that game.", "warning")
        return redirect(url_for("games.join"))
    state = games_service.state_for(game_id, games_service.Viewer(player))
    return render_template(
        "games/play.html", game=db.session.get(Game, game_id), player=player, token=token,
        state=state, answered=(state.get("me") or {}).get("answered"), announce=_announce(state),
        action=GameActionForm(), state_url=state_url(game_id), shapes=SHAPES, letters=LETTERS)


@bp.post("/play/<id:game_id>/answers/<id:number>")
def answer(game_id: int, number: int) -> Any:
    """An answer from the player's form; the service times and judges it on arrival."""
    mine = _my_player(game_id)
    if mine is None:
        flash("You are not in that game: join with its PIN.", "info")
        return see_other(url_for("games.join"))
    player, _ = mine
    if not GameActionForm().validate_on_submit():
        abort(400, "That form was out of date: reload the page.")
    state = games_service.state_for(game_id, games_service.Viewer(player))
    question = state.get("question") or {}
    if state["phase"] != "question" or state["number"] != number:
        flash(f"Question {number} has closed.", "warning")
        return see_other(url_for("games.play", game_id=game_id))
    response, problem = _response_from_form(question, request.form)
    if problem:
        flash(problem, "warning")
        return see_other(url_for("games.play", game_id=game_id))
    try:
        games_service.answer(game_id, player, number, response)
    except ServiceError as error:
        flash(error.message, "warning")
    return see_other(url_for("games.play", game_id=game_id))
