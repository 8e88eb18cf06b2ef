"""Live games in the service layer: phases, the clock, points and streaks, joins, rankings.

Every time is given (``now``), so points are exact numbers.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Game, GameAnswer, GamePlayer
from quizapp.scoring import key_response
from quizapp.services import classes as classes_service
from quizapp.services import games
from quizapp.services.banks import question_model
from quizapp.services.errors import Conflict, Forbidden, Invalid, NotFound
from tests.conftest import make_account

T0 = dt.datetime(2026, 3, 2, 9, 0, 0)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture
def teacher(app: Flask, all_types: str):
    return make_account("tess", role="teacher")


def new_game(teacher, **kwargs: Any) -> Game:
    return games.create_game(teacher, "all-types", now=T0, **kwargs)


def content_of(game: Game, number: int) -> dict[str, Any]:
    return games._question(game.id, number)[1]


def right(game: Game, number: int) -> Any:
    return key_response(question_model(content_of(game, number)))


def wrong(game: Game, number: int) -> Any:
    kind = content_of(game, number)["type"]
    return {"single": "Kash Patel", "multiple": ["France"], "true_false": True, "short": "nobody",
            "numeric": "1999", "ordering": ["The Atlantic", "CNN", "New York Times"],
            "matching": {"MI5": "Netherlands"}}[kind]


def test_a_game_goes_through_its_phases_in_order(teacher) -> None:
    game = new_game(teacher)
    assert game.pin is not None and len(game.pin) == games.PIN_DIGITS and game.pin.isdigit()
    assert game.total == 7
    seen = [(games.state_for(game.id, now=T0)["phase"], games.state_for(game.id, now=T0)["number"])]
    moment = 0.0
    while seen[-1][0] != "podium":
        moment += 2
        games.advance(game.id, now=at(moment))
        state = games.state_for(game.id, now=at(moment))
        seen.append((state["phase"], state["number"]))
    expected = [("lobby", 0)]
    for n in range(1, 8):
        expected += [("question", n), ("reveal", n)]
    expected.append(("podium", 7))
    assert seen == expected
    ended = db.session.get(Game, game.id)
    assert ended.pin is None and ended.ended_at is not None
    with pytest.raises(Conflict):
        games.advance(game.id, now=at(moment + 5))
