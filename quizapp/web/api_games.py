"""The JSON API for live games (docs/api.md, "Live games"): host a game, join it, poll its
state with ETags, step it, answer, and read the results.

The host is the teacher who made the game (account bearer token or session cookie). A player
sends their player token, ``Authorization: Bearer <player_token>``: it opens the state and
answer routes of that one game and nothing else (it is no account token, so every other route
answers it 401).
"""

from __future__ import annotations

from typing import Any, Literal

from flask import Response, current_app, g, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, Field

from quizapp.extensions import csrf, limit_game_joins
from quizapp.models import Account, Game
from quizapp.services import games as games_service
from quizapp.services.errors import Forbidden
from quizapp.web import api_schemas as schemas
from quizapp.web.api import _bearer_token, route, unauthorized

#: Joins per address (a school shares one), and wrong PINs per address (PINs are not guessed).
PLAYER = [{"player": []}]
HOST_OR_PLAYER = [{"bearer": []}, {"cookie": []}, {"player": []}]


# -- bodies and replies ------------------------------------------------------------------------


class GameRequest(schemas.Request):
    """A new game of a bank, hosted by the teacher who sends it."""

    bank_id: str = Field(min_length=1, max_length=64)
    seconds_per_question: int = Field(
        default=games_service.SECONDS_DEFAULT, ge=games_service.SECONDS_MIN,
        le=games_service.SECONDS_MAX,
        description="Seconds to answer a choice question; typed and arranged answers (short, "
        "numeric, ordering, matching) get 1.5 times as long")
    class_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    guests: bool = Field(default=True, description="false: only the class's students, signed in")


class GameCreated(BaseModel):
    id: int
    pin: str
    join_url: str


class GameJoinRequest(schemas.Request):
    pin: str = Field(min_length=1, max_length=12)
    nickname: str = Field(min_length=1, max_length=100)


class GameJoined(BaseModel):
    game_id: int
    player_id: int
    player_token: str = Field(description="Shown once: send it as `Authorization: Bearer ...`")
    nickname: str


class GameState(BaseModel):
    """The state; see docs/api.md for the fields of each phase."""

    model_config = {"extra": "allow"}

    game_id: int
    version: int
    phase: Literal["lobby", "question", "reveal", "podium"]
    number: int
    total: int
    players: int
    answered: int
    server_time: str
    deadline: str | None
    question: dict[str, Any] | None


class Accepted(BaseModel):
    accepted: bool


class GamePlayerResult(BaseModel):
    rank: int
    nickname: str
    score: int
    correct: int


class GameQuestionResult(BaseModel):
    number: int
    prompt: str
    type: str
    answered: int
    correct: int


class GameResults(BaseModel):
    game_id: int
    bank_id: str
    phase: str
    players: list[GamePlayerResult]
    questions: list[GameQuestionResult]


# -- who is asking -----------------------------------------------------------------------------


def _me() -> Account:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _host_game(game_id: int) -> Game:
    """The caller's game (they are its host); 404 for anyone else, 401 when signed out."""
    if not current_user.is_authenticated:
        raise unauthorized("Sign in: send 'Authorization: Bearer <token>' from POST /api/v1/tokens.")
    return games_service.hosted_game(game_id, current_user.id)


def _viewer(game_id: int) -> games_service.Viewer:
    """The host, or the player whose token is sent; 401 for neither, 403 for a removed player."""
    token = _bearer_token()
    if games_service.is_player_token(token):
        player = games_service.player_for_token(game_id, token or "")
        if player is None:
            games_service.get_game(game_id)  # 404 for a game that is not there
            raise unauthorized("That player token is not for this game.")
        if player.removed:
            raise Forbidden("The host removed you from this game.")
        return games_service.Viewer(player)
    if "Authorization" in request.headers and current_user.is_authenticated and not g.get("api_token"):
        raise unauthorized("The bearer token is not valid (it may have been revoked).")
    if not current_user.is_authenticated:
        if "Authorization" in request.headers:
            raise unauthorized("The bearer token is not valid (it may have been revoked).")
        raise unauthorized("Send the player token (or, as the host, sign in).")
    games_service.hosted_game(game_id, current_user.id)
    return games_service.HOST


def _viewer_player_only(game_id: int) -> Any:
    token = _bearer_token()
    if not games_service.is_player_token(token):
        raise unauthorized("Send your player token as 'Authorization: Bearer <player_token>'.")
    player = games_service.player_for_token(game_id, token or "")
    if player is None:
        games_service.get_game(game_id)
        raise unauthorized("That player token is not for this game.")
    if player.removed:
        raise Forbidden("The host removed you from this game.")
    return player


def _protect_cookie_write() -> None:
    """CSRF for a write that rides on the session cookie (routes that check their own
    credentials skip the API's check)."""
    if (current_user.is_authenticated and not g.get("api_token")
            and current_app.config.get("WTF_CSRF_ENABLED", True)):
        csrf.protect()


def _state_response(game_id: int, viewer: games_service.Viewer,
                    peeked: games_service.Peeked | None = None, now: Any = None) -> Response:
    now = now or games_service.utcnow()
    peeked = peeked or games_service.peek(game_id, viewer, now)
    etag = peeked[3]
    if etag in request.if_none_match or request.headers.get("If-None-Match") == etag:
        response = Response(status=304)
    else:
        state = games_service.current_state(game_id, viewer, now, peeked=peeked)
        response = jsonify(state.state)
        etag = state.etag
    response.headers["ETag"] = etag
    # scores: kept by no cache; the poller sends If-None-Match itself
    response.headers["Cache-Control"] = "no-store"
    return response


# -- routes --------------------------------------------------------------------------------------


@route("POST", "/games", summary="Host a live game of a bank (teachers)", ok=201,
       reply=GameCreated, body=GameRequest, errors=(403, 404))
def create_game(body: GameRequest) -> GameCreated:
    """The game opens in its lobby with a PIN (8 digits) that players join with. The bank's
    questions are frozen as they are now. With `class_id` (one of the caller's classes) its
    students may join signed in; `guests: false` lets only them join. 403 for a student, 404
    for a bank or class that is not there for the caller."""
    from flask import url_for

    game = games_service.create_game(_me(), body.bank_id,
                                     seconds_per_question=body.seconds_per_question,
                                     classroom_id=body.class_id, guests=body.guests)
    try:
        join_url = url_for("games.join", pin=game.pin, _external=True)
    except Exception:  # noqa: BLE001 - the pages are optional: the API works without them
        join_url = f"{request.host_url.rstrip('/')}/play?pin={game.pin}"
    return GameCreated(id=game.id, pin=game.pin or "", join_url=join_url)


@route("POST", "/games/join", summary="Join a live game with its PIN and a nickname", ok=201,
       reply=GameJoined, body=GameJoinRequest, errors=(401, 403, 404, 409, 429),
       authenticated=False)
@limit_game_joins()
def join_game(body: GameJoinRequest) -> Response:
    """Anyone may join a game with guests, under a nickname (1 to 20 letters, digits, spaces
    and simple punctuation, not on the block list; 422 otherwise). A game without guests takes
    only the students of its class, signed in (401 signed out, 403 for anyone else). A student
    of the game's class joins as themselves; joining again gives the same player a new token.
    404 for an unknown or ended PIN; 409 when the nickname is taken in the game (whatever its
    case) or the game is over. The `player_token` is shown once (sent `no-store`)."""
    account = None
    if not games_service.is_player_token(_bearer_token()) and current_user.is_authenticated:
        _protect_cookie_write()
        account = _me()
    try:
        joined = games_service.join(body.pin, body.nickname, account=account)
    except Forbidden:
        if account is None:
            raise unauthorized("This game is for the students of a class: sign in first.") from None
        raise
    response = jsonify(GameJoined(game_id=joined.game.id, player_id=joined.player.id,
                                  player_token=joined.token,
                                  nickname=joined.player.nickname).model_dump())
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


@route("GET", "/games/<id:game_id>/state", summary="A game's state (its host or a player)",
       reply=GameState, errors=(401, 403, 404), authenticated=False, security=HOST_OR_PLAYER)
def game_state(game_id: int) -> Response:
    """The state as the caller sees it, with an `ETag`; `If-None-Match` with the current one
    gets 304 and no body. Poll it about once a second. Reading it also closes a question whose
    deadline has passed. The host's view adds `pin` and `roster`; a player's adds `me`. 403
    for a removed player; 404 for anyone but the game's host and players."""
    token = _bearer_token()
    if games_service.is_player_token(token):  # the player and the game in one query
        now = games_service.utcnow()
        player, peeked = games_service.peek_player(game_id, token or "", now)
        if player is None:
            raise unauthorized("That player token is not for this game.")
        if player.removed:
            raise Forbidden("The host removed you from this game.")
        return _state_response(game_id, games_service.Viewer(player), peeked, now)
    return _state_response(game_id, _viewer(game_id))


@route("POST", "/games/<id:game_id>/advance", summary="Take a game one step (its host)",
       reply=GameState, errors=(404, 409))
def advance_game(game_id: int) -> Response:
    """lobby -> question 1 -> reveal 1 -> question 2 -> ... -> podium; a question still open
    closes. One step per click: send `If-Match` with the ETag (or `"v<version>"`) of the state
    the screen shows, and a step from a state already left is not taken (200 with the state as
    it is); without it, two requests at once or a second within a second make one step. 409 at
    the podium."""
    _host_game(game_id)
    expected = _if_match_version()
    games_service.advance(game_id, expected_version=expected)
    return _state_response(game_id, games_service.HOST)


def _if_match_version() -> int | None:
    raw = request.headers.get("If-Match", "")
    for part in raw.split(","):
        text = part.strip().removeprefix("W/").strip('"')
        if text.startswith("v") and text[1:].isdigit():
            return int(text[1:])
        for piece in text.split("."):
            if piece.startswith("v") and piece[1:].isdigit():
                return int(piece[1:])
    return None


@route("PUT", "/games/<id:game_id>/answers/<int:number>", summary="Answer a game's question (a player)",
       reply=Accepted, body=schemas.AnswerRequest, errors=(401, 403, 404, 409),
       authenticated=False, security=PLAYER, params={"number": "The question's number, from 1"})
def answer_game(game_id: int, number: int, body: schemas.AnswerRequest) -> Accepted:
    """Timed on arrival at the server, scored there; the points and whether it was right are
    told at the reveal, not now. 409 when this player has answered it already (the first
    answer counts), when it is not the question open, or after its deadline. 403 for a removed
    player; 422 for a response larger than its type allows."""
    player = _viewer_player_only(game_id)
    games_service.answer(game_id, player, number, body.response)
    return Accepted(accepted=True)


@route("DELETE", "/games/<id:game_id>/players/<id:player_id>",
       summary="Remove a player from a game (its host)", ok=204, errors=(404,))
def remove_game_player(game_id: int, player_id: int) -> None:
    """Their token stops working, their nickname stays taken, they leave the counts and the
    rankings. 404 for a player of another game."""
    games_service.remove_player(_host_game(game_id), player_id)


@route("GET", "/games/<id:game_id>/results", summary="A game's results (its host)",
       reply=GameResults, errors=(404,))
def game_results(game_id: int) -> GameResults:
    """Every player still in the game (rank, nickname, score, fully right answers; equal
    scores share a rank) and every question (how many answered, how many fully right)."""
    return GameResults.model_validate(games_service.results(_host_game(game_id)))
