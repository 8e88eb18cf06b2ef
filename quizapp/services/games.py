"""Live games: a teacher hosts a bank question by question, players answer on their phones.

How a game runs (docs/games.md): the host makes a game (:func:`create_game`) and gets a PIN;
players join with the PIN and a nickname (:func:`join`) and get a player token, shown once;
the host steps the game (:func:`advance`): ``lobby`` -> ``question`` 1 -> ``reveal`` 1 ->
``question`` 2 -> ... -> ``podium``. A question closes (becomes its ``reveal``) at its
deadline or as soon as every player still in the game has answered, whichever comes first.

The server is the only clock, and there is no worker: every read of the state and every
answer first settles the game (:func:`settle`), closing a question that is due. Each change
of state raises ``Game.version`` with a conditional UPDATE (``WHERE version = <read>``), so of
two processes or two clicks that try the same step only one takes it.

Clients poll :func:`current_state` (the API sends it with an ETag made by
:func:`etag_for`; an unchanged state is a 304). A server-sent-events endpoint could stream the
same function's ``(version, state)`` pairs later, with nothing else to change.

How pages authenticate a player: the player token from :func:`join` is the player's only
credential (it is not an account token and opens nothing else). The player pages
(quizapp/web/games.py) keep it in the Flask session (``session["game_players"][str(game_id)]``),
look the player up with :func:`player_for_token`, and write it into the page for game.js,
which sends it as ``Authorization: Bearer <token>`` to the API's state route; after a refresh
the session still holds it, so the player carries on with the same score. Other clients keep
the token themselves. The host is the signed-in teacher who made the game (session cookie or
account bearer token): :func:`hosted_game`.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import math
import random
import re
import secrets
import threading
import unicodedata
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import and_, bindparam, case, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from quizapp.extensions import db
from quizapp.models import (
    Account,
    Bank,
    Game,
    GameAnswer,
    GamePlayer,
    GameQuestion,
    QuestionVersion,
    utcnow,
)
from quizapp.scoring import key_response, response_too_large, score
from quizapp.services.banks import question_model
from quizapp.services.errors import Conflict, Forbidden, Invalid, NotFound

#: Digits of a PIN. 10^8 PINs, wrong PINs limited per address (GAME_PIN_LIMIT_PER_ADDRESS,
#: 20 a minute): with a hundred games live at once, one address finds one about every
#: fortnight of guessing without a pause; and the host sees, and can remove, anyone.
PIN_DIGITS = 8
SECONDS_MIN, SECONDS_MAX, SECONDS_DEFAULT = 3, 240, 20
#: Types answered by typing or arranging get this many times the game's seconds.
TYPED = frozenset({"short", "numeric", "ordering", "matching"})
TYPED_FACTOR = 1.5
STREAK_STEP, STREAK_MAX = 100, 500
TOP = 5
#: A second step by the host this soon after the last one is taken for a double click.
DOUBLE_CLICK = dt.timedelta(seconds=1)
#: Games not changed for this long, ended or not, are deleted (with players and answers).
KEEP = dt.timedelta(hours=24)
NICKNAME_MAX = 20
_NICKNAME = re.compile(r"^[\w .,'!?&()-]+$")
PLAYER_TOKEN_PREFIX = "gp_"  # noqa: S105 - a prefix that tells a player token


# -- nicknames ----------------------------------------------------------------------------------


def _profane(text: str) -> bool:
    """Whether ``text`` holds a word of better-profanity's list (with its leetspeak forms)."""
    from better_profanity import profanity

    if not getattr(_profane, "loaded", False):
        profanity.load_censor_words()
        _profane.loaded = True  # type: ignore[attr-defined]
    return bool(profanity.contains_profanity(text))


def clean_nickname(raw: str) -> str:
    """The nickname as shown: NFKC, spaces collapsed; :class:`Invalid` with the reason when
    it is empty, longer than 20 characters, has characters other than letters, digits, spaces
    and simple punctuation, or a word from the block list."""
    text = " ".join(unicodedata.normalize("NFKC", raw or "").split())
    if not text:
        raise Invalid("Choose a nickname.")
    if len(text) > NICKNAME_MAX:
        raise Invalid(f"A nickname has at most {NICKNAME_MAX} characters.")
    if not _NICKNAME.match(text) or "_" in text:
        raise Invalid("A nickname has letters, digits, spaces and . , ' ! ? & ( ) - only.")
    if _profane(text) or _profane(text.replace(" ", "")):
        raise Invalid("Choose another nickname.")
    return text


def nickname_key(nickname: str) -> str:
    """What two nicknames must not share in a game: case and width folded."""
    return unicodedata.normalize("NFKC", nickname).casefold()


# -- tokens ---------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_player_token(token: str | None) -> bool:
    return bool(token) and token.startswith(PLAYER_TOKEN_PREFIX)  # type: ignore[union-attr]


# The queries every poll and answer runs are built once (with bind parameters): building a
# statement costs about as much as running it on SQLite.


@functools.cache
def _player_by_token() -> Any:
    return select(GamePlayer).where(GamePlayer.token_hash == bindparam("token_hash"),
                                    GamePlayer.game_id == bindparam("game_id"))


def player_for_token(game_id: int, token: str) -> GamePlayer | None:
    """The player of ``game_id`` whose token this is, or None."""
    if not is_player_token(token):
        return None
    return db.session.execute(
        _player_by_token(), {"token_hash": _token_hash(token), "game_id": game_id}
    ).scalar_one_or_none()


# -- making and finding games ------------------------------------------------------------------


def _bump(game_id: int, now: dt.datetime, **values: Any) -> Any:
    return update(Game).where(Game.id == game_id).values(
        version=Game.version + 1, changed_at=now, **values)


def seconds_for(kind: str, seconds: int) -> int:
    """The seconds a question of type ``kind`` gets in a game of ``seconds`` per question."""
    return math.ceil(seconds * TYPED_FACTOR) if kind in TYPED else seconds


def create_game(host: Account, bank_id: str, *, seconds_per_question: int = SECONDS_DEFAULT,
                classroom_id: int | None = None, guests: bool = True,
                now: dt.datetime | None = None) -> Game:
    """A new game in its lobby, with the bank's questions as they are now and a fresh PIN.

    :class:`Forbidden` for a student; :class:`NotFound` for a bank the host may not see or
    without questions, or a class that is not the host's. Old games are cleaned up first.
    """
    from quizapp.services.classes import class_for_teacher
    from quizapp.services.quiz import current_versions, visible_bank

    now = now or utcnow()
    if not host.is_teacher:
        raise Forbidden("Only teachers host games.")
    if not SECONDS_MIN <= seconds_per_question <= SECONDS_MAX:
        raise Invalid(f"Seconds per question go from {SECONDS_MIN} to {SECONDS_MAX}.")
    bank = visible_bank(host.id, bank_id)
    if classroom_id is not None:
        class_for_teacher(classroom_id, host.id)
    elif not guests:
        raise Invalid("A game without guests is for a class: give class_id.")
    versions = current_versions(bank.id)
    if not versions:
        raise NotFound("This quiz has no questions.")
    cleanup(now=now)
    for _ in range(10):
        game = Game(
            host_id=host.id, bank_id=bank.id, classroom_id=classroom_id, guests=guests,
            seconds_per_question=seconds_per_question, seed=secrets.randbelow(2**31),
            pin=f"{secrets.randbelow(10 ** PIN_DIGITS):0{PIN_DIGITS}d}",
            total=len(versions), created_at=now, changed_at=now,
        )
        game.questions = [
            GameQuestion(number=n, question_version_id=v.id,
                         seconds=seconds_for(v.content["type"], seconds_per_question))
            for n, v in enumerate(versions, start=1)
        ]
        db.session.add(game)
        try:
            db.session.commit()
        except IntegrityError:  # the PIN of a live game: draw again
            db.session.rollback()
            continue
        return game
    raise Conflict("No free PIN was found; try again.")  # pragma: no cover - 10^8 PINs


def get_game(game_id: int) -> Game:
    game = db.session.get(Game, game_id)
    if game is None:
        raise NotFound("There is no such game.")
    return game


def hosted_game(game_id: int, account_id: int) -> Game:
    """The game, for its host; :class:`NotFound` for anyone else."""
    game = db.session.get(Game, game_id)
    if game is None or game.host_id != account_id:
        raise NotFound("There is no such game.")
    return game


def game_by_pin(pin: str) -> Game:
    game = None
    if isinstance(pin, str) and pin.isdigit() and len(pin) <= 12:
        game = db.session.execute(select(Game).where(Game.pin == pin)).scalar_one_or_none()
    if game is None:
        raise NotFound("There is no game with that PIN (it may have ended).")
    return game


@dataclass(frozen=True)
class Joined:
    """A player who joined, with the token to send (shown only now)."""

    game: Game
    player: GamePlayer
    token: str


def join(pin: str, nickname: str, *, account: Account | None = None,
         now: dt.datetime | None = None) -> Joined:
    """Join the live game with that PIN under ``nickname``.

    A game with ``guests`` takes anyone; one without only the students of its class, signed
    in (``account``). A student of the game's class is joined as themselves: joining again
    (another device) gives the same player a new token. :class:`NotFound` for an unknown or
    ended PIN, :class:`Forbidden` for someone the game does not take (or a removed player),
    :class:`Invalid` for a nickname refused, :class:`Conflict` when the nickname is taken or
    the game is over.
    """
    from quizapp.services.classes import membership

    now = now or utcnow()
    game = game_by_pin(pin)
    if game.phase == "podium":
        raise Conflict("This game is over.")
    student = (account is not None and game.classroom_id is not None and not account.is_teacher
               and membership(game.classroom_id, account.id) is not None)
    if not game.guests and not student:
        raise Forbidden("This game is for the students of a class: sign in with your account.")
    token = PLAYER_TOKEN_PREFIX + secrets.token_urlsafe(24)
    if student:
        assert account is not None  # noqa: S101 - for the type checker
        existing = db.session.execute(
            select(GamePlayer).where(GamePlayer.game_id == game.id,
                                     GamePlayer.account_id == account.id)
        ).scalar_one_or_none()
        if existing is not None:
            if existing.removed:
                raise Forbidden("The host removed you from this game.")
            existing.token_hash = _token_hash(token)
            db.session.commit()
            return Joined(game, existing, token)
    shown = clean_nickname(nickname)
    player = GamePlayer(game_id=game.id, nickname=shown, nickname_key=nickname_key(shown),
                        account_id=account.id if student else None,  # type: ignore[union-attr]
                        token_hash=_token_hash(token), joined_at=now)
    db.session.add(player)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("That nickname is taken in this game: choose another.") from None
    bumped = db.session.execute(_bump(game.id, now).where(Game.phase != "podium"))
    if bumped.rowcount != 1:  # the game ended meanwhile
        db.session.rollback()
        raise Conflict("This game is over.")
    db.session.commit()
    return Joined(game, player, token)


def remove_player(game: Game, player_id: int, *, now: dt.datetime | None = None) -> None:
    """The host removes a player: their token stops working, their nickname stays taken and
    they leave the counts and rankings. :class:`NotFound` for a player of another game."""
    now = now or utcnow()
    done = db.session.execute(
        update(GamePlayer).where(GamePlayer.id == player_id, GamePlayer.game_id == game.id,
                                 GamePlayer.removed.is_(False)).values(removed=True))
    if done.rowcount == 0:
        db.session.rollback()
        if db.session.execute(select(GamePlayer.id).where(
                GamePlayer.id == player_id, GamePlayer.game_id == game.id)).first() is None:
            raise NotFound("There is no such player in this game.")
        return
    db.session.execute(_bump(game.id, now))
    db.session.commit()


# -- the clock: closing questions ------------------------------------------------------------------


@functools.cache
def _counts_query() -> Any:
    players = (select(func.count(GamePlayer.id))
               .where(GamePlayer.game_id == Game.id, GamePlayer.removed.is_(False))
               .scalar_subquery())
    answered = (select(func.count(GameAnswer.id))
                .join(GamePlayer, GamePlayer.id == GameAnswer.player_id)
                .where(GameAnswer.game_id == Game.id, GameAnswer.number == Game.number,
                       GamePlayer.removed.is_(False))
                .scalar_subquery())
    return (select(Game, answered, players).where(Game.id == bindparam("game_id"))
            .execution_options(populate_existing=True))


@functools.cache
def _state_counts_query() -> Any:
    mine = (select(GameAnswer.id).where(GameAnswer.player_id == bindparam("player_id"),
                                         GameAnswer.number == Game.number).exists())
    source = select(Bank.source_id).where(Bank.id == Game.bank_id).scalar_subquery()
    return _counts_query().add_columns(mine, source)


def _counts(game_id: int, player_id: int | None = None) -> Any:
    """(game, answered, players): the game row and the counts of its current question, in
    one query: all that a poll needs to tell whether anything changed. With ``player_id``
    (0 for the host) two more: whether that player has answered the current question, and
    the bank's source (the article the evidence links to)."""
    if player_id is None:
        return db.session.execute(_counts_query(), {"game_id": game_id}).one_or_none()
    return db.session.execute(_state_counts_query(),
                              {"game_id": game_id, "player_id": player_id}).one_or_none()


def _close(game: Game, now: dt.datetime) -> bool:
    """Close the current question (phase ``reveal``) and add its points to the players'
    scores, streaks and counts of right answers, once: only the request whose conditional
    UPDATE takes the step does it, in the same transaction."""
    number = game.number
    taken = db.session.execute(
        update(Game).where(Game.id == game.id, Game.version == game.version,
                           Game.phase == "question", Game.number == number)
        .values(phase="reveal", version=Game.version + 1, changed_at=now))
    if taken.rowcount != 1:
        db.session.rollback()
        return False
    mine = and_(GameAnswer.player_id == GamePlayer.id, GameAnswer.number == number)
    points = select(GameAnswer.points).where(mine).scalar_subquery()
    right = exists().where(mine, GameAnswer.fraction >= 1)
    db.session.execute(
        update(GamePlayer).where(GamePlayer.game_id == game.id).values(
            score=GamePlayer.score + func.coalesce(points, 0),
            streak=case((right, GamePlayer.streak + 1), else_=0),
            correct=GamePlayer.correct + case((right, 1), else_=0),
        ).execution_options(synchronize_session=False))
    db.session.commit()
    return True


def settle(game_id: int, now: dt.datetime | None = None) -> tuple[Game, int, int]:
    """The game with its current question's answer count and its player count, after
    closing the question if its deadline has passed or every player has answered."""
    return _settle(game_id, now)[:3]


def _settle(game_id: int, now: dt.datetime | None = None, player_id: int | None = None,
            read: Any = None) -> Any:
    """:func:`settle`'s row, with :func:`_counts`'s two more columns for ``player_id``; or
    the row ``read()`` gives (its last column a player: nothing is closed without one)."""
    now = now or utcnow()
    for _ in range(3):
        row = read() if read is not None else _counts(game_id, player_id)
        if row is None:
            raise NotFound("There is no such game.")
        if read is not None and (row[-1] is None or row[-1].removed):
            return row
        game, answered, players = row[:3]
        due = game.phase == "question" and (
            now > game.deadline or (players > 0 and answered >= players))
        if not due:
            return row
        _close(game, now)  # if another request closed it first, read again
    return row  # pragma: no cover - three closes lost in a row


# -- the host's steps ----------------------------------------------------------------------------


def advance(game_id: int, *, expected_version: int | None = None,
            now: dt.datetime | None = None) -> Game:
    """Take the game one step: lobby -> question 1 -> reveal 1 -> question 2 -> ... -> podium.

    One step per click: a step is taken only from the version read (a conditional UPDATE),
    so two requests at once make one step; with ``expected_version`` (the state the host's
    screen showed) nothing happens unless the game is still there; and a step within a
    second of the host's last is taken for a double click and ignored. A question still open
    closes (its reveal). :class:`Conflict` at the podium.
    """
    now = now or utcnow()
    game, _, _ = settle(game_id, now)
    if game.phase == "podium":
        raise Conflict("This game is over.")
    if expected_version is not None and expected_version != game.version:
        return game
    if expected_version is None and game.advanced_at and now - game.advanced_at < DOUBLE_CLICK:
        return game
    if game.phase == "question":
        if _close(game, now):
            db.session.execute(update(Game).where(Game.id == game.id).values(advanced_at=now))
            db.session.commit()
        return settle(game_id, now)[0]
    if game.phase == "reveal" and game.number >= game.total or game.total == 0:
        values: dict[str, Any] = {"phase": "podium", "ended_at": now, "pin": None,
                                  "opened_at": None, "deadline": None}
    else:
        seconds = db.session.execute(
            select(GameQuestion.seconds).where(GameQuestion.game_id == game.id,
                                               GameQuestion.number == game.number + 1)
        ).scalar_one()
        values = {"phase": "question", "number": game.number + 1, "opened_at": now,
                  "deadline": now + dt.timedelta(seconds=seconds)}
    db.session.execute(
        _bump(game.id, now, advanced_at=now, **values).where(Game.version == game.version))
    db.session.commit()
    return settle(game_id, now)[0]


# -- answers --------------------------------------------------------------------------------------


def points_for(fraction: float, seconds_taken: float, seconds: int) -> int:
    """``round(1000 * f * (1 - t / (2 * T)))``, ``t`` within 0 and ``T``; halves round up."""
    t = min(max(seconds_taken, 0.0), float(seconds))
    return math.floor(1000 * fraction * (1 - t / (2 * seconds)) + 0.5)


def streak_bonus(streak_before: int) -> int:
    """100 for each fully right answer in a row after the first, at most 500: the bonus of a
    fully right answer that follows ``streak_before`` fully right answers in a row."""
    return min(STREAK_STEP * streak_before, STREAK_MAX)


@dataclass(frozen=True)
class Answered:
    number: int
    fraction: float
    points: int
    bonus: int


@functools.cache
def _question_query() -> Any:
    return (select(GameQuestion, QuestionVersion.content)
            .join(QuestionVersion, QuestionVersion.id == GameQuestion.question_version_id)
            .where(GameQuestion.game_id == bindparam("game_id"),
                   GameQuestion.number == bindparam("number")))


def _question(game_id: int, number: int) -> tuple[GameQuestion, dict[str, Any]]:
    row = db.session.execute(_question_query(), {"game_id": game_id, "number": number}).one_or_none()
    if row is None:
        raise NotFound(f"There is no question {number} in this game.")
    return row[0], row[1]


# -- what polls and answers reuse -------------------------------------------------------------
#
# Caches of this process (one set per app), for values that are fixed for the key they are
# stored under, every part of which the request has just read from the database: nothing in
# them can be out of date across processes. A game is known by (id, seed, created_at), not
# its id alone: SQLite may give a deleted game's id to the next. Each cache keeps its most
# recently used entries only (``*_CACHE_SIZE``). Values are shared by every request that
# finds them and are never changed after they are stored.

#: A game's questions (seconds and content, fixed when the game is made), and a state's part
#: that is the same for every player: (game, version, counts) -> question, distribution, top.
SHARED_CACHE_SIZE = 512
#: A player's own part of the state (``me``): (game, player, version, answered the question).
ME_CACHE_SIZE = 8192


class _Lru:
    """A dict of at most ``size`` entries that forgets the least recently used."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> Any:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._data)


def _caches() -> dict[str, _Lru]:
    caches = current_app.extensions.get("quizapp.games")
    if caches is None:
        caches = current_app.extensions.setdefault(
            "quizapp.games", {"shared": _Lru(SHARED_CACHE_SIZE), "me": _Lru(ME_CACHE_SIZE)})
    return caches  # type: ignore[no-any-return]


def _identity(game: Game) -> tuple[Any, ...]:
    return (game.id, game.seed, game.created_at)


@dataclass(frozen=True)
class _Item:
    number: int
    seconds: int


def _question_values(game: Game, number: int) -> tuple[_Item, dict[str, Any]]:
    """Question ``number`` of the game, as :func:`_question` reads it (and once a process)."""
    cache = _caches()["shared"]
    key = (*_identity(game), "question", number)
    found = cache.get(key)
    if found is None:
        item, content = _question(game.id, number)
        found = cache.put(key, (_Item(item.number, item.seconds), content))
    return found  # type: ignore[no-any-return]


@functools.cache
def _insert_answer() -> Any:
    """INSERT the answer only if its question is still open (one statement, bind parameters)."""
    table = GameAnswer.__table__
    columns = ["player_id", "game_id", "number", "response", "fraction", "points", "bonus",
               "arrived_at"]
    still_open = (select(Game.id).where(
        Game.id == bindparam("game_id"), Game.phase == "question",
        Game.number == bindparam("number"), Game.deadline >= bindparam("arrived_at")).exists())
    values = select(*(bindparam(name, type_=table.c[name].type) for name in columns)).where(still_open)
    return table.insert().from_select(columns, values).returning(table.c.id)


@functools.cache
def _streak_locked() -> Any:
    return (select(GamePlayer.streak).join(Game, Game.id == GamePlayer.game_id)
            .where(GamePlayer.id == bindparam("player_id")).with_for_update(read=True, of=Game))


def answer(game_id: int, player: GamePlayer, number: int, response: Any, *,
           now: dt.datetime | None = None) -> Answered:
    """Score and store a player's answer to question ``number``, timed on arrival (``now``).

    One answer per player and question, by a UNIQUE constraint: of any number sent at once,
    one is stored. :class:`Conflict` when already answered, when ``number`` is not the
    question open, or when its deadline has passed; :class:`Forbidden` for a removed player;
    :class:`Invalid` for a response larger than its type allows. The last player's answer
    closes the question.
    """
    now = now or utcnow()
    if player.removed:
        raise Forbidden("The host removed you from this game.")
    game, _, _ = settle(game_id, now)
    if game.number == number and game.phase in ("reveal", "podium"):
        raise Conflict(f"Question {number} has closed.")
    if game.phase != "question" or game.number != number:
        raise Conflict(f"Question {number} is not open: the game is at "
                       f"{game.phase} {game.number}.")
    item, content = _question_values(game, number)
    question = question_model(content)
    too_large = response_too_large(question, response)
    if too_large is not None:
        raise Invalid(too_large)
    result = score(question, response)
    fraction = 1.0 if result.correct else (result.score / result.points if result.points else 0.0)
    assert game.opened_at is not None  # noqa: S101 - a question open has opened
    base = points_for(fraction, (now - game.opened_at).total_seconds(), item.seconds)
    # On PostgreSQL the game row is share-locked until the answer is stored, so a close (which
    # updates the row) waits for it and counts it, or comes first and this finds it closed.
    # The INSERT itself repeats the check, which on SQLite (one writer at a time) is enough.
    # The streak is read under the lock: the close before this question has surely counted.
    streak = db.session.execute(_streak_locked(), {"player_id": player.id}).scalar_one()
    bonus = streak_bonus(streak) if fraction >= 1 else 0
    try:
        stored = db.session.execute(_insert_answer(), {
            "player_id": player.id, "game_id": game_id, "number": number, "response": response,
            "fraction": fraction, "points": base + bonus, "bonus": bonus, "arrived_at": now,
        }).scalar_one_or_none()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"You have answered question {number} already; the first answer counts.") from None
    if stored is None:  # the question closed between the read and the insert
        db.session.rollback()
        raise Conflict(f"Question {number} has closed.")
    db.session.commit()
    settle(game_id, now)  # the last answer closes the question
    return Answered(number, fraction, base + bonus, bonus)


# -- the state ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Who reads the state: the host (``player`` None) or a player."""

    player: GamePlayer | None = None

    @property
    def tag(self) -> str:
        return "host" if self.player is None else f"p{self.player.id}"


HOST = Viewer()


def etag_for(game: Game, answered: int, players: int, viewer: Viewer) -> str:
    """The state's ETag: its version and counts, and whose view it is (a player's differs)."""
    return f'W/"g{game.id}.v{game.version}.a{answered}.n{players}.{viewer.tag}"'


def _time(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="milliseconds") + "Z"


def _shuffled(values: list[Any], seed: str) -> list[Any]:
    shuffled = list(values)
    random.Random(seed).shuffle(shuffled)  # noqa: S311 - display order only
    return shuffled


def public_question(game: Game, item: GameQuestion, content: dict[str, Any]) -> dict[str, Any]:
    """A question as shown before its reveal, the same for every player: never its key.

    Choices are shuffled once per game (so the projector and every phone agree on the
    colours); items and right-hand sides too, as in an attempt.
    """
    seed = f"{game.seed}:{content['id']}"
    view: dict[str, Any] = {"id": content["id"], "number": item.number, "type": content["type"],
                            "prompt": content["prompt"], "points": content.get("points", 1),
                            "seconds": item.seconds}
    kind = content["type"]
    if kind in ("single", "multiple"):
        view["choices"] = _shuffled(content["choices"], seed)
    elif kind == "ordering":
        view["items"] = _shuffled(content["items"], seed)
    elif kind == "matching":
        view["lefts"] = list(content["pairs"])
        view["rights"] = _shuffled([*content["pairs"].values(), *content.get("distractors", [])], seed)
    return view


def competition_ranks(scores: list[int]) -> list[int]:
    """Ranks of ``scores`` sorted from the highest: equal scores share a rank (1, 1, 3)."""
    ranks: list[int] = []
    for i, value in enumerate(scores):
        ranks.append(ranks[-1] if i and value == scores[i - 1] else i + 1)
    return ranks


def _choice_key(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def distribution(content: dict[str, Any], answers: list[tuple[Any, float]],
                 choices: list[str] | None = None) -> dict[str, Any]:
    """How the players answered: per choice for single, multiple and true/false (in the order
    shown, ``choices``, with which are right), else how many were right, partly right and
    wrong."""
    kind = content["type"]
    if kind in ("single", "multiple", "true_false"):
        options: list[Any] = [True, False] if kind == "true_false" else list(choices or content["choices"])
        key = content["answer"]
        right = {_choice_key(v) for v in (key if isinstance(key, list) else [key])}
        counted: Counter[str] = Counter()
        for response, _ in answers:
            chosen = response if isinstance(response, list) else [response]
            for value in dict.fromkeys(_choice_key(v) for v in chosen if isinstance(v, str | bool)):
                counted[value] += 1
        return {"kind": "choices", "counts": [
            {"choice": _choice_key(option), "count": counted[_choice_key(option)],
             "correct": _choice_key(option) in right} for option in options]}
    marks = Counter("right" if f >= 1 else "partly" if f > 0 else "wrong" for _, f in answers)
    return {"kind": "marks", "right": marks["right"], "partly": marks["partly"],
            "wrong": marks["wrong"]}


@dataclass
class Standing:
    player_id: int
    nickname: str
    score: int
    rank: int
    #: places gained since the question before (negative: lost); None on the first
    movement: int | None
    last_points: int | None
    last_fraction: float | None
    streak: int = 0


def standings(game: Game, number: int) -> list[Standing]:
    """Every player still in the game, best first, with rank and movement over question
    ``number`` (their points for it taken off give the ranking before it). Ties in score
    share a rank and are listed by nickname."""
    rows = db.session.execute(
        select(GamePlayer.id, GamePlayer.nickname, GamePlayer.score, GameAnswer.points,
               GameAnswer.fraction, GamePlayer.streak)
        .outerjoin(GameAnswer, and_(GameAnswer.player_id == GamePlayer.id,
                                    GameAnswer.number == number))
        .where(GamePlayer.game_id == game.id, GamePlayer.removed.is_(False))
    ).all()
    now_order = sorted(rows, key=lambda r: (-r.score, r.nickname.casefold(), r.id))
    ranks = competition_ranks([r.score for r in now_order])
    before = sorted(rows, key=lambda r: -(r.score - (r.points or 0)))
    before_ranks = dict(zip((r.id for r in before),
                            competition_ranks([r.score - (r.points or 0) for r in before]), strict=True))
    return [Standing(r.id, r.nickname, r.score, rank,
                     before_ranks[r.id] - rank if number > 1 else None, r.points, r.fraction,
                     r.streak)
            for r, rank in zip(now_order, ranks, strict=True)]


@dataclass(frozen=True)
class State:
    """A game's state as one viewer sees it, with the version and ETag it was read at."""

    version: int
    etag: str
    state: dict[str, Any]


class Peeked(NamedTuple):
    """What a poll reads first: the settled game, its counts and the viewer's ETag; with
    whether the viewer (a player) has answered the current question, and the bank's source."""

    game: Game
    answered: int
    players: int
    etag: str
    mine: bool = False
    source_id: str | None = None


def peek(game_id: int, viewer: Viewer, now: dt.datetime | None = None) -> Peeked:
    """The settled game, its counts and the viewer's ETag: one query when nothing is due,
    enough to answer a poll whose ETag still holds."""
    player_id = viewer.player.id if viewer.player is not None else 0
    game, answered, players, mine, source_id = _settle(game_id, now, player_id)
    return Peeked(game, answered, players, etag_for(game, answered, players, viewer),
                  bool(mine), source_id)


@functools.cache
def _player_counts_query() -> Any:
    player = aliased(GamePlayer, name="viewer")
    mine = (select(GameAnswer.id).where(GameAnswer.player_id == player.id,
                                         GameAnswer.number == Game.number).exists())
    source = select(Bank.source_id).where(Bank.id == Game.bank_id).scalar_subquery()
    return (_counts_query().add_columns(mine, source, player)
            .outerjoin(player, and_(player.game_id == Game.id,
                                    player.token_hash == bindparam("token_hash"))))


def peek_player(game_id: int, token: str,
                now: dt.datetime | None = None) -> tuple[GamePlayer | None, Peeked | None]:
    """A player's poll in one query when nothing is due: the player of ``game_id`` whose
    token this is (as :func:`player_for_token`) with what :func:`peek` gives them. ``(None,
    None)`` for a token of no player of the game, ``(player, None)`` for a removed player;
    :class:`NotFound` when there is no such game. Nothing is closed for either."""
    if not is_player_token(token):
        get_game(game_id)
        return None, None
    params = {"game_id": game_id, "token_hash": _token_hash(token)}
    row = _settle(game_id, now, read=lambda: db.session.execute(
        _player_counts_query(), params).one_or_none())
    game, answered, players, mine, source_id, player = row
    if player is None or player.removed:
        return player, None
    return player, Peeked(game, answered, players, etag_for(game, answered, players, Viewer(player)),
                          bool(mine), source_id)


def current_state(game_id: int, viewer: Viewer = HOST, now: dt.datetime | None = None, *,
                  peeked: Peeked | None = None) -> State:
    """The state (docs/api.md, "Live games") as ``viewer`` sees it, after settling the clock.

    ``{"game_id", "version", "phase", "number", "total", "players", "answered",
    "server_time", "deadline", "question"}``; ``question`` has no key while it is open; a
    reveal adds ``answer``, ``explanation``, ``evidence``, ``distribution`` and ``top``;
    the podium adds ``top``; the host's view adds ``roster`` (id and nickname of every player
    in the game), a player's adds ``me``. An SSE endpoint would stream this function's
    ``(version, state)`` whenever the version moves. ``peeked``: what :func:`peek` just
    gave for the same viewer and moment, to save reading it again.

    The part every player shares (the question, the distribution, the top five) is built
    once per game version and counts in a process, and a player's ``me`` once per game
    version and whether they have answered (see "what polls and answers reuse").
    """
    now = now or utcnow()
    peeked = peeked or peek(game_id, viewer, now)
    game, answered, players = peeked.game, peeked.answered, peeked.players
    shared = _shared_part(game, answered, players, peeked.source_id)
    state: dict[str, Any] = {
        "game_id": game.id, "version": game.version, "phase": game.phase, "number": game.number,
        "total": game.total, "players": players, "answered": answered,
        "server_time": _time(now), "deadline": _time(game.deadline) if game.phase == "question" else None,
        "seconds": shared["seconds"], "question": shared["question"],
        "pin": game.pin if viewer.player is None else None,
    }
    for name in ("distribution", "top"):
        if name in shared:
            state[name] = shared[name]
    if viewer.player is None:
        if game.phase == "lobby" or game.phase == "question":
            state["roster"] = [{"id": pid, "nickname": name} for pid, name in db.session.execute(
                select(GamePlayer.id, GamePlayer.nickname)
                .where(GamePlayer.game_id == game.id, GamePlayer.removed.is_(False))
                .order_by(GamePlayer.joined_at, GamePlayer.id)).all()]
    else:
        state["me"] = _me(game, viewer.player, shared.get("ranked"), peeked.mine)
    return State(game.version, peeked.etag, state)


def _shared_part(game: Game, answered: int, players: int, source_id: str | None) -> dict[str, Any]:
    """The part of the state that is the same for every viewer, from the cache or built.

    While a question is open it depends on the question only; in a reveal or at the podium
    on the game's version and counts (no answer is taken then, and every other change of
    scores or players moves the version) and, for the evidence, the bank's source.
    """
    if game.phase == "lobby":
        return {"seconds": None, "question": None}
    cache = _caches()["shared"]
    if game.phase == "question":
        key: tuple[Any, ...] = (*_identity(game), "open", game.number)
    else:
        key = (*_identity(game), game.version, game.phase, game.number, answered, players, source_id)
    shared = cache.get(key)
    if shared is None:
        shared = cache.put(key, _build_shared(game, source_id))
    return shared  # type: ignore[no-any-return]


def _build_shared(game: Game, source_id: str | None) -> dict[str, Any]:
    shared: dict[str, Any] = {"seconds": None, "question": None}
    content: dict[str, Any] | None = None
    if game.phase in ("question", "reveal"):
        item, content = _question_values(game, game.number)
        shared["question"] = public_question(game, item, content)  # type: ignore[arg-type]
        shared["seconds"] = item.seconds
    ranked: list[Standing] | None = None
    if game.phase == "reveal":
        assert content is not None  # noqa: S101
        question = question_model(content)
        answers = db.session.execute(
            select(GameAnswer.response, GameAnswer.fraction)
            .join(GamePlayer, GamePlayer.id == GameAnswer.player_id)
            .where(GameAnswer.game_id == game.id, GameAnswer.number == game.number,
                   GamePlayer.removed.is_(False))
        ).all()
        ranked = standings(game, game.number)
        shared["question"].update({
            "answer": key_response(question), "explanation": content.get("explanation"),
            "evidence": _evidence(source_id, content)})
        shared["distribution"] = distribution(content, [(r, f) for r, f in answers],
                                              shared["question"].get("choices"))
    elif game.phase == "podium":
        ranked = standings(game, game.number)
    if ranked is not None:
        shared["top"] = [{"rank": s.rank, "nickname": s.nickname, "score": s.score,
                          "movement": s.movement} for s in ranked[:TOP]]
        shared["ranked"] = {s.player_id: s for s in ranked}
    return shared


def _evidence(source_id: str | None, content: dict[str, Any]) -> dict[str, Any] | None:
    evidence = content.get("evidence")
    if not evidence:
        return None
    return {"article_id": source_id, "paragraph": evidence.get("paragraph"),
            "quote": evidence.get("quote")}


def _me(game: Game, player: GamePlayer, ranked: dict[int, Standing] | None,
        answered: bool) -> dict[str, Any]:
    """The player's own part, ``me``: it changes only when the game's version moves (a
    close, a step, a join or a removal) or when the player answers the current question."""
    cache = _caches()["me"]
    key = (*_identity(game), player.id, game.version, answered)
    me = cache.get(key)
    if me is None:
        me = cache.put(key, _build_me(game, player.id, ranked, answered))
    return me  # type: ignore[no-any-return]


def _build_me(game: Game, player_id: int, ranked: dict[int, Standing] | None,
              answered: bool) -> dict[str, Any]:
    mine = ranked.get(player_id) if ranked is not None else None
    if mine is not None:
        return {"player_id": player_id, "nickname": mine.nickname, "score": mine.score,
                "streak": mine.streak, "rank": mine.rank,
                "last": {"number": game.number, "correct": (mine.last_fraction or 0) >= 1,
                         "points": mine.last_points or 0},
                "answered": mine.last_points is not None}
    row = db.session.execute(_me_query(), {"player_id": player_id,
                                           "before": game.number - 1}).one()
    me: dict[str, Any] = {"player_id": player_id, "nickname": row.nickname, "score": row.score,
                          "streak": row.streak, "rank": None, "last": None, "answered": False}
    if ranked is not None:  # a player no longer ranked (removed meanwhile)
        return me
    me["rank"] = 1 + row.higher
    if game.phase == "question":
        me["answered"] = answered
        if game.number > 1:
            me["last"] = {"number": game.number - 1, "correct": (row.fraction or 0.0) >= 1,
                          "points": row.points or 0}
    return me


@functools.cache
def _me_query() -> Any:
    """The player's score, streak and nickname, how many players still in the game score
    more, and their answer to question ``before``: one query."""
    other = aliased(GamePlayer)
    previous = aliased(GameAnswer)
    higher = (select(func.count(other.id))
              .where(other.game_id == GamePlayer.game_id, other.removed.is_(False),
                     other.score > GamePlayer.score)
              .scalar_subquery().label("higher"))
    return (select(GamePlayer.nickname, GamePlayer.score, GamePlayer.streak, higher,
                   previous.points, previous.fraction)
            .outerjoin(previous, and_(previous.player_id == GamePlayer.id,
                                      previous.number == bindparam("before")))
            .where(GamePlayer.id == bindparam("player_id")))


def state_for(game_id: int, viewer: Viewer = HOST, now: dt.datetime | None = None) -> dict[str, Any]:
    """The state as ``viewer`` sees it (see :func:`current_state`)."""
    return current_state(game_id, viewer, now).state


def versioned_state(game_id: int, viewer: Viewer = HOST,
                    now: dt.datetime | None = None) -> tuple[int, dict[str, Any]]:
    """``(version, state)``: the seam for a server-sent-events stream, which would send the
    state each time the version (or the counts in the ETag) moves."""
    state = current_state(game_id, viewer, now)
    return state.version, state.state


# -- results ----------------------------------------------------------------------------------------


def results(game: Game) -> dict[str, Any]:
    """For the host: every player (rank, nickname, score, right answers) and every question
    (number, prompt, how many answered, how many fully right). Removed players are left out."""
    settle(game.id)
    ranked = standings(game, 0)
    correct = dict(db.session.execute(
        select(GamePlayer.id, GamePlayer.correct).where(GamePlayer.game_id == game.id)).all())
    per_question = {n: (a, c) for n, a, c in db.session.execute(
        select(GameAnswer.number, func.count(GameAnswer.id),
               func.count(GameAnswer.id).filter(GameAnswer.fraction >= 1))
        .join(GamePlayer, GamePlayer.id == GameAnswer.player_id)
        .where(GameAnswer.game_id == game.id, GamePlayer.removed.is_(False))
        .group_by(GameAnswer.number)).all()}
    prompts = db.session.execute(
        select(GameQuestion.number, QuestionVersion.content)
        .join(QuestionVersion, QuestionVersion.id == GameQuestion.question_version_id)
        .where(GameQuestion.game_id == game.id).order_by(GameQuestion.number)).all()
    return {
        "game_id": game.id, "bank_id": game.bank_id, "phase": game.phase,
        "players": [{"rank": s.rank, "nickname": s.nickname, "score": s.score,
                     "correct": correct.get(s.player_id, 0)} for s in ranked],
        "questions": [{"number": n, "prompt": c["prompt"], "type": c["type"],
                       "answered": per_question.get(n, (0, 0))[0],
                       "correct": per_question.get(n, (0, 0))[1]} for n, c in prompts],
    }


def results_csv(game: Game) -> str:
    """The results as CSV: rank, nickname, score, right answers, then points per question."""
    data = results(game)
    points: dict[tuple[str, int], int] = {
        (nick, n): p for nick, n, p in db.session.execute(
            select(GamePlayer.nickname, GameAnswer.number, GameAnswer.points)
            .join(GamePlayer, GamePlayer.id == GameAnswer.player_id)
            .where(GameAnswer.game_id == game.id)).all()}
    out = io.StringIO()
    writer = csv.writer(out)
    numbers = [q["number"] for q in data["questions"]]
    writer.writerow(["rank", "nickname", "score", "correct", *(f"q{n}" for n in numbers)])
    for p in data["players"]:
        nickname = p["nickname"]
        if nickname[:1] in ("=", "+", "-", "@"):  # not a formula in a spreadsheet
            nickname = "'" + nickname
        writer.writerow([p["rank"], nickname, p["score"], p["correct"],
                         *(points.get((p["nickname"], n), "") for n in numbers)])
    return out.getvalue()


# -- cleaning up --------------------------------------------------------------------------------------


def cleanup(*, now: dt.datetime | None = None, keep: dt.timedelta = KEEP) -> int:
    """Delete games (players and answers with them) that have not changed for ``keep``,
    ended or not: nicknames and answers of guests last no longer. How many were deleted."""
    cutoff = (now or utcnow()) - keep
    old = select(Game.id).where(or_(Game.changed_at < cutoff,
                                    and_(Game.ended_at.is_not(None), Game.ended_at < cutoff)))
    ids = list(db.session.execute(old).scalars())
    if not ids:
        return 0
    for table in (GameAnswer, GamePlayer, GameQuestion):
        db.session.execute(delete(table).where(table.game_id.in_(ids)))
    db.session.execute(delete(Game).where(Game.id.in_(ids)))
    db.session.commit()
    return len(ids)
