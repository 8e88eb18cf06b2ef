"""Live games in the service layer: phases, the clock, points and streaks, joins, rankings.

Every time is given (``now``), so points are exact numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

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


def join(game: Game, nickname: str, **kwargs: Any) -> games.Joined:
    return games.join(game.pin or "", nickname, now=T0, **kwargs)


def play_to(game: Game, number: int, start: float) -> float:
    """Step from the lobby or a reveal to question ``number`` opening at ``start``."""
    games.advance(game.id, now=at(start))
    state = games.state_for(game.id, now=at(start))
    assert (state["phase"], state["number"]) == ("question", number)
    return start


def test_points_follow_the_formula_and_the_streak_bonus_grows_to_its_cap(teacher) -> None:
    """Seven questions (T = 20 s for choices, 30 s for typed and arranged ones), answered all
    right by Ada at known moments, half right by Bob on question 2."""
    game = new_game(teacher)
    ada, bob = join(game, "Ada"), join(game, "Bob")
    # (t, expected points for Ada): round(1000 * (1 - t / 2T)) + min(100 * streak, 500)
    plan = [(5, 875), (0, 1000 + 100), (20, 500 + 200), (3, 950 + 300), (6, 900 + 400),
            (0, 1000 + 500), (0, 1000 + 500)]
    seconds = [20, 20, 20, 30, 30, 30, 30]
    clock = 0.0
    for number, (t, expected) in enumerate(plan, start=1):
        clock += 100
        play_to(game, number, clock)
        assert games.state_for(game.id, now=at(clock))["question"]["seconds"] == seconds[number - 1]
        got = games.answer(game.id, ada.player, number, right(game, number), now=at(clock + t))
        assert got.points == expected, number
        response = ["United Kingdom"] if number == 2 else wrong(game, number)
        games.answer(game.id, bob.player, number, response, now=at(clock))
        state = games.state_for(game.id, now=at(clock + 21))  # closed: everyone answered
        assert (state["phase"], state["number"]) == ("reveal", number)
    bob_q2 = db.session.execute(select(GameAnswer.points).where(
        GameAnswer.player_id == bob.player.id, GameAnswer.number == 2)).scalar_one()
    assert bob_q2 == 333  # f = 1/3 at t = 0: round(333.33), and no bonus for a partial answer
    db.session.refresh(ada.player)
    assert ada.player.score == sum(p for _, p in plan) == 8225
    assert ada.player.streak == 7 and ada.player.correct == 7
    me = games.state_for(game.id, games.Viewer(ada.player), now=at(clock + 50))["me"]
    assert me["score"] == 8225 and me["rank"] == 1 and me["streak"] == 7
    assert me["last"] == {"number": 7, "correct": True, "points": 1500}


def test_a_wrong_answer_or_none_ends_the_streak(teacher) -> None:
    game = new_game(teacher)
    ada, _ = join(game, "Ada"), join(game, "Idle")
    clock = 0.0
    answers = {1: True, 2: True, 3: False, 4: True, 5: None, 6: True}
    expected_bonus = {1: 0, 2: 100, 3: 0, 4: 0, 5: 0, 6: 0}
    for number, rightly in answers.items():
        clock += 100
        play_to(game, number, clock)
        if rightly is not None:
            response = right(game, number) if rightly else wrong(game, number)
            got = games.answer(game.id, ada.player, number, response, now=at(clock))
            assert got.bonus == expected_bonus[number], number
        games.advance(game.id, now=at(clock + 2))
    db.session.refresh(ada.player)
    assert ada.player.streak == 1


def test_a_question_closes_at_its_deadline_and_an_answer_after_it_is_refused(teacher) -> None:
    game = new_game(teacher, seconds_per_question=10)
    ada, bob = join(game, "Ada"), join(game, "Bob")
    play_to(game, 1, 0)
    state = games.state_for(game.id, now=at(10))
    assert state["phase"] == "question" and state["deadline"] == "2026-03-02T09:00:10.000Z"
    games.answer(game.id, ada.player, 1, right(game, 1), now=at(10))  # at the deadline: taken
    with pytest.raises(Conflict):
        games.answer(game.id, bob.player, 1, right(game, 1), now=at(10.001))
    state = games.state_for(game.id, now=at(10.001))
    assert (state["phase"], state["number"], state["answered"]) == ("reveal", 1, 1)
    assert games.state_for(game.id, games.Viewer(bob.player), now=at(11))["me"]["last"] == {
        "number": 1, "correct": False, "points": 0}


def test_a_question_closes_as_soon_as_every_player_still_in_has_answered(teacher) -> None:
    game = new_game(teacher)
    ada, bob, cy = join(game, "Ada"), join(game, "Bob"), join(game, "Cy")
    play_to(game, 1, 0)
    games.answer(game.id, ada.player, 1, right(game, 1), now=at(1))
    games.answer(game.id, bob.player, 1, wrong(game, 1), now=at(2))
    assert games.state_for(game.id, now=at(2))["phase"] == "question"
    games.remove_player(db.session.get(Game, game.id), cy.player.id, now=at(3))
    state = games.state_for(game.id, now=at(3))
    assert (state["phase"], state["players"], state["answered"]) == ("reveal", 2, 2)
    db.session.refresh(cy.player)
    with pytest.raises(Forbidden):
        games.answer(game.id, cy.player, 1, right(game, 1), now=at(3))


def test_answering_twice_or_another_question_is_a_conflict(teacher) -> None:
    game = new_game(teacher)
    ada, _ = join(game, "Ada"), join(game, "Bob")
    play_to(game, 1, 0)
    games.answer(game.id, ada.player, 1, wrong(game, 1), now=at(1))
    with pytest.raises(Conflict, match="already"):
        games.answer(game.id, ada.player, 1, right(game, 1), now=at(2))
    with pytest.raises(Conflict, match="not open"):
        games.answer(game.id, ada.player, 2, right(game, 2), now=at(2))
    assert db.session.execute(select(func.count(GameAnswer.id))).scalar_one() == 1


def test_a_double_click_makes_one_step_and_a_stale_version_none(teacher) -> None:
    game = new_game(teacher)
    join(game, "Ada")
    games.advance(game.id, now=at(1))
    games.advance(game.id, now=at(1.3))  # the second click of a double click
    state = games.state_for(game.id, now=at(1.3))
    assert (state["phase"], state["number"]) == ("question", 1)
    games.advance(game.id, expected_version=state["version"] - 1, now=at(5))  # an old screen
    assert games.state_for(game.id, now=at(5))["phase"] == "question"
    games.advance(game.id, expected_version=state["version"], now=at(5.1))
    assert games.state_for(game.id, now=at(5.1))["phase"] == "reveal"


def test_equal_scores_share_a_rank(teacher) -> None:
    game = new_game(teacher)
    players = [join(game, name) for name in ("Ada", "Bob", "Cy", "Dee")]
    play_to(game, 1, 0)
    for joined, t in zip(players, (0, 0, 4, 8), strict=True):
        games.answer(game.id, joined.player, 1, right(game, 1), now=at(t))
    state = games.state_for(game.id, now=at(9))
    assert [(e["rank"], e["nickname"], e["score"]) for e in state["top"]] == [
        (1, "Ada", 1000), (1, "Bob", 1000), (3, "Cy", 900), (4, "Dee", 800)]
    assert games.state_for(game.id, games.Viewer(players[1].player), now=at(9))["me"]["rank"] == 1
    assert games.competition_ranks([9, 9, 9, 5, 5, 1]) == [1, 1, 1, 4, 4, 6]


def test_the_top_five_show_their_movement(teacher) -> None:
    game = new_game(teacher)
    ada, bob = join(game, "Ada"), join(game, "Bob")
    play_to(game, 1, 0)
    games.answer(game.id, ada.player, 1, right(game, 1), now=at(0))
    games.answer(game.id, bob.player, 1, wrong(game, 1), now=at(0))
    assert [e["movement"] for e in games.state_for(game.id, now=at(1))["top"]] == [None, None]
    play_to(game, 2, 10)
    games.answer(game.id, ada.player, 2, wrong(game, 2), now=at(10))
    games.answer(game.id, bob.player, 2, right(game, 2), now=at(10))
    top = games.state_for(game.id, now=at(11))["top"]
    # 1000 each now: both first (listed by nickname); Bob was second before
    assert [(e["nickname"], e["rank"], e["movement"]) for e in top] == [("Ada", 1, 0), ("Bob", 1, 1)]


def test_nicknames_are_checked_and_unique_whatever_their_case(teacher) -> None:
    game = new_game(teacher)
    assert join(game, "  Ｊｏ  Ann ").player.nickname == "Jo Ann"  # NFKC, spaces collapsed
    with pytest.raises(Conflict):
        join(game, "JO ANN")
    for bad in ("", "x" * 21, "<script>", "a_b", "fuck", "sh1t"):
        with pytest.raises(Invalid):
            join(game, bad)
    assert join(game, "Cassie").player.nickname == "Cassie"  # a word inside a name is fine


def test_an_unknown_or_ended_pin_is_not_found_and_a_game_over_takes_nobody(teacher) -> None:
    game = new_game(teacher)
    with pytest.raises(NotFound):
        games.join("00000000" if game.pin != "00000000" else "11111111", "Ada", now=T0)
    pin = game.pin
    for step in range(15):
        games.advance(game.id, now=at(10 * step))
    with pytest.raises(NotFound):
        games.join(pin or "", "Late", now=at(200))


def test_guests_or_only_the_students_of_the_class(teacher) -> None:
    room = classes_service.create_class(teacher, "Period 3")
    student, outsider = make_account("stu"), make_account("out")
    classes_service.join(student, room.join_code)
    closed = new_game(teacher, classroom_id=room.id, guests=False)
    with pytest.raises(Forbidden):
        join(closed, "Guest")
    with pytest.raises(Forbidden):
        join(closed, "Outsider", account=outsider)
    first = join(closed, "Stu", account=student)
    assert first.player.account_id == student.id
    # the same student again (another device): the same player, a new token
    play_to(closed, 1, 0)
    games.answer(closed.id, first.player, 1, right(closed, 1), now=at(0))
    games.advance(closed.id, now=at(5))
    again = join(closed, "Other name", account=student)
    assert again.player.id == first.player.id and again.token != first.token
    assert games.player_for_token(closed.id, first.token) is None
    assert games.player_for_token(closed.id, again.token).score == 1000
    open_game = new_game(teacher, classroom_id=room.id)
    assert join(open_game, "Guest").player.account_id is None
    assert join(open_game, "Outsider", account=outsider).player.account_id is None


def test_a_guest_token_finds_the_same_player_and_score_after_a_refresh(teacher) -> None:
    game = new_game(teacher)
    ada = join(game, "Ada")
    play_to(game, 1, 0)
    games.answer(game.id, ada.player, 1, right(game, 1), now=at(2))
    games.advance(game.id, now=at(3))
    player_id = ada.player.id
    db.session.remove()  # a new request
    again = games.player_for_token(game.id, ada.token)
    assert again is not None and again.id == player_id and again.score == 950
    assert games.player_for_token(game.id + 1, ada.token) is None
    assert games.player_for_token(game.id, "gp_" + "x" * 32) is None
    stored = db.session.execute(select(GamePlayer.token_hash)).scalar_one()
    assert ada.token not in stored and len(stored) == 64


def test_old_games_are_cleaned_up(teacher, runner) -> None:
    old, ended, live = new_game(teacher), new_game(teacher), new_game(teacher)
    join(old, "Ada")
    games.advance(old.id, now=T0)
    for step in range(15):
        games.advance(ended.id, now=at(10 * step))
    db.session.execute(update(Game).where(Game.id == live.id).values(changed_at=at(25 * 3600)))
    db.session.commit()
    assert games.cleanup(now=at(25 * 3600)) == 2
    assert [g.id for g in db.session.execute(select(Game)).scalars()] == [live.id]
    assert db.session.execute(select(func.count(GamePlayer.id))).scalar_one() == 0
    result = runner.invoke(args=["games", "cleanup", "--hours", "0"])
    assert result.exit_code == 0, result.output
    assert "1 game" in result.output


def test_a_players_cached_state_follows_answers_closes_and_removals(teacher) -> None:
    """The state's shared part and each player's ``me`` are reused within a process, keyed by
    what the request reads from the database: every change shows at the next read."""
    game = new_game(teacher)
    ada, bob, cy = join(game, "Ada"), join(game, "Bob"), join(game, "Cy")
    play_to(game, 1, 10)

    def seen(who: games.Joined, seconds: float) -> dict[str, Any]:
        return games.state_for(game.id, games.Viewer(who.player), now=at(seconds))

    first = seen(ada, 11)
    assert first["answered"] == 0 and first["me"]["answered"] is False
    assert seen(ada, 11) == first  # read again: the same state
    games.answer(game.id, bob.player, 1, right(game, 1), now=at(12))
    after_bob = seen(ada, 12)
    assert after_bob["answered"] == 1 and after_bob["me"]["answered"] is False
    assert seen(bob, 12)["me"]["answered"] is True
    games.answer(game.id, ada.player, 1, wrong(game, 1), now=at(13))
    assert seen(ada, 13)["me"]["answered"] is True and seen(ada, 13)["phase"] == "question"
    games.answer(game.id, cy.player, 1, right(game, 1), now=at(14))  # the last answer closes it
    reveal = seen(ada, 14)
    assert reveal["phase"] == "reveal" and reveal["distribution"]["kind"] == "choices"
    assert [t["nickname"] for t in reveal["top"]] == ["Bob", "Cy", "Ada"]
    assert reveal["me"]["last"]["correct"] is False and reveal["me"]["rank"] == 3
    bob_me = seen(bob, 14)["me"]
    assert bob_me["score"] > 0 and bob_me["streak"] == 1 and bob_me["rank"] == 1
    games.remove_player(game, bob.player.id, now=at(15))
    removed = seen(ada, 15)
    assert [t["nickname"] for t in removed["top"]] == ["Cy", "Ada"] and removed["players"] == 2
    assert removed["me"]["rank"] == 2
    games.advance(game.id, now=at(20))
    second = seen(ada, 20)
    assert (second["phase"], second["number"]) == ("question", 2)
    assert second["me"]["last"] == {"number": 1, "correct": False, "points": 0}
    assert second["me"]["answered"] is False and "top" not in second


def test_the_state_caches_stay_bounded(app: Flask, teacher, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(games, "ME_CACHE_SIZE", 3)
    monkeypatch.setattr(games, "SHARED_CACHE_SIZE", 2)
    app.extensions.pop("quizapp.games", None)
    game = new_game(teacher)
    players = [join(game, f"Player {i}") for i in range(6)]
    for number in (1, 2, 3):
        play_to(game, number, 100 * number)
        for player in players:
            me = games.state_for(game.id, games.Viewer(player.player), now=at(100 * number))["me"]
            assert me["player_id"] == player.player.id
        games.state_for(game.id, now=at(100 * number + 50))  # closed at its deadline
    caches = games._caches()
    assert len(caches["me"]) <= 3 and len(caches["shared"]) <= 2
