"""The live game's pages: who may see them, the lobby's QR code, each screen, the CSV."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Game, GamePlayer
from quizapp.services import classes as classes_service
from quizapp.services import games as games_service
from tests.conftest import make_account, sign_in


def _host(app: Flask, client: FlaskClient, username: str = "tess") -> Any:
    teacher = make_account(username, role="teacher")
    sign_in(client, username)
    return teacher


def _start(client: FlaskClient, bank: str = "all-types", **fields: Any) -> int:
    response = client.post("/games/new", data={"bank": bank, "seconds": "20", "guests": "y", **fields})
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/games/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def _join(app: Flask, pin: str, nickname: str) -> FlaskClient:
    player = app.test_client()
    response = player.post("/play", data={"pin": pin, "nickname": nickname})
    assert response.status_code == 303, response.text
    return player


def test_a_teacher_starts_a_game_from_a_bank_and_sees_the_lobby(app: Flask, all_types: str) -> None:
    client = app.test_client()
    _host(app, client)
    form = client.get("/games/new?bank=all-types")
    assert form.status_code == 200
    assert '<option selected value="all-types">' in form.text
    game_id = _start(client)
    page = client.get(f"/games/{game_id}")
    assert page.status_code == 200
    game = db.session.get(Game, game_id)
    assert game.pin in page.text
    assert f"/play?pin={game.pin}" in page.text  # the join link
    svg = re.search(r"<svg [^>]*class=\"qr\".*?</svg>", page.text, re.S)
    assert svg, "no QR code"
    assert "style=" not in svg.group(0)  # colours are attributes: the CSP allows no inline style
    assert 'role="img"' in svg.group(0)
    assert 'data-state-url="/api/v1/games/' in page.text
    assert "game.js" in page.text


def test_the_form_refuses_bad_seconds_and_a_game_without_guests_or_class(app: Flask, all_types: str) -> None:
    client = app.test_client()
    _host(app, client)
    bad = client.post("/games/new", data={"bank": "all-types", "seconds": "2", "guests": "y"})
    assert bad.status_code == 422
    assert "error-summary" in bad.text
    closed = client.post("/games/new", data={"bank": "all-types", "seconds": "20"})
    assert closed.status_code == 422
    assert "class" in closed.text


def test_a_class_game_without_guests(app: Flask, all_types: str) -> None:
    client = app.test_client()
    teacher = _host(app, client)
    room = classes_service.create_class(teacher, "7B")
    game_id = _start(client, classroom=str(room.id), guests="")
    game = db.session.get(Game, game_id)
    assert not game.guests and game.classroom_id == room.id
    guest = app.test_client().post("/play", data={"pin": game.pin, "nickname": "Stranger"})
    assert guest.status_code == 403
    assert "students of a class" in guest.text


def test_who_may_see_the_host_pages(app: Flask, all_types: str) -> None:
    owner = app.test_client()
    _host(app, owner)
    game_id = _start(owner)
    other = app.test_client()
    _host(app, other, "tom")
    student = app.test_client()
    make_account("sam")
    sign_in(student, "sam")
    anon = app.test_client()
    for path in (f"/games/{game_id}", f"/games/{game_id}/results", f"/games/{game_id}/results.csv"):
        assert owner.get(path).status_code == 200, path
        assert other.get(path).status_code == 404, path
        assert student.get(path).status_code == 403, path
        assert anon.get(path).headers["Location"].startswith("/login"), path
    assert student.get("/games/new").status_code == 403
    assert anon.get("/play").status_code == 200
    # someone who has not joined is sent to the join page
    assert anon.get(f"/play/{game_id}").headers["Location"] == "/play"


def test_a_whole_game_through_the_pages(app: Flask, all_types: str) -> None:
    host = app.test_client()
    _host(app, host)
    game_id = _start(host)
    pin = db.session.get(Game, game_id).pin
    ana = _join(app, pin, "Ana")
    ben = _join(app, pin, "Ben")
    taken = app.test_client().post("/play", data={"pin": pin, "nickname": "ana"})
    assert taken.status_code == 409 and "taken" in taken.text
    unknown = app.test_client().post("/play", data={"pin": "1", "nickname": "Cy"})
    assert unknown.status_code == 404
    lobby = host.get(f"/games/{game_id}").text
    assert "Ana" in lobby and "Ben" in lobby
    assert "You’re in!" in ana.get(f"/play/{game_id}").text

    def step() -> None:
        version = games_service.state_for(game_id)["version"]
        assert host.post(f"/games/{game_id}/advance", data={"version": str(version)}).status_code == 303

    step()  # question 1: single
    screen = ana.get(f"/play/{game_id}").text
    assert 'name="choice" value="Tulsi Gabbard"' in screen
    assert "Question 1 of 7" in host.get(f"/games/{game_id}").text
    assert ana.post(f"/play/{game_id}/answers/1", data={"choice": "Tulsi Gabbard"}).status_code == 303
    assert "Answer locked" in ana.get(f"/play/{game_id}").text
    again = ana.post(f"/play/{game_id}/answers/1", data={"choice": "Kash Patel"}, follow_redirects=True)
    assert "already" in again.text or "closed" in again.text
    ben.post(f"/play/{game_id}/answers/1", data={"choice": "Kash Patel"})  # everyone: it closes
    reveal = host.get(f"/games/{game_id}").text
    assert "the answer" in reveal and "Tulsi Gabbard" in reveal
    assert "How the class answered" in reveal
    assert "<mark>Tulsi Gabbard</mark>" in reveal  # the evidence, in its paragraph
    assert "Top five" in reveal
    mine = ana.get(f"/play/{game_id}").text
    assert "Right!" in mine and "1st" in mine
    assert "Not quite" in ben.get(f"/play/{game_id}").text
    # the other types' forms, each answered through the page
    forms = {
        2: ("multiple", {"choice": ["United Kingdom", "Colombia", "Netherlands"]}),
        3: ("true_false", {"answer": "false"}),
        4: ("short", {"answer": "Emily Harding"}),
        5: ("numeric", {"answer": "2017"}),
        6: ("ordering", {"position-0": "1", "position-1": "2", "position-2": "3"}),
        7: ("matching", {"match-0": "United Kingdom", "match-1": "United States"}),
    }
    for number, (kind, data) in forms.items():
        step()
        screen = ana.get(f"/play/{game_id}").text
        assert f'data-type="{kind}"' in screen, kind
        assert ana.post(f"/play/{game_id}/answers/{number}", data=data).status_code == 303
        assert "Answer locked" in ana.get(f"/play/{game_id}").text, kind
        step()  # the reveal
        assert "the answer" in host.get(f"/games/{game_id}").text
    step()  # the podium
    podium = host.get(f"/games/{game_id}").text
    assert "The podium" in podium and "Ana" in podium
    assert "You finished <strong>1st</strong>" in ana.get(f"/play/{game_id}").text
    results = host.get(f"/games/{game_id}/results").text
    assert "Download CSV" in results and "Ana" in results
    csv = host.get(f"/games/{game_id}/results.csv")
    assert csv.mimetype == "text/csv"
    assert "attachment" in csv.headers["Content-Disposition"]
    lines = csv.text.splitlines()
    assert lines[0].startswith("rank,nickname,score,correct")
    assert lines[1].startswith("1,Ana,")


def test_a_removed_player_is_told_and_cannot_answer(app: Flask, all_types: str) -> None:
    host = app.test_client()
    _host(app, host)
    game_id = _start(host)
    pin = db.session.get(Game, game_id).pin
    eve = _join(app, pin, "Eve")
    player_id = games_service.state_for(game_id)["roster"][0]["id"]
    removed = host.post(f"/games/{game_id}/players/{player_id}/remove", follow_redirects=True)
    assert "Eve was removed" in removed.text
    page = eve.get(f"/play/{game_id}", follow_redirects=True)
    assert "removed you" in page.text


def test_a_reload_keeps_the_player(app: Flask, all_types: str) -> None:
    host = app.test_client()
    _host(app, host)
    game_id = _start(host)
    pin = db.session.get(Game, game_id).pin
    ana = _join(app, pin, "Ana")
    first = ana.get(f"/play/{game_id}").text
    token = re.search(r'data-token="([^"]+)"', first).group(1)
    assert ana.get(f"/play/{game_id}").text.count(token) == 1  # the same player, not a new one
    # joining again from the same browser under another name is refused by nickname or token
    assert "Ana" in ana.get(f"/play/{game_id}").text


def test_wrong_pins_on_the_join_page_count_with_the_apis_and_are_limited(app: Flask, all_types: str) -> None:
    """Guessing PINs through the page costs what it costs through the API: one bucket per address."""
    app.config["GAME_PIN_LIMIT_PER_ADDRESS"] = "3 per minute"
    host = app.test_client()
    _host(app, host)
    pin = db.session.get(Game, _start(host)).pin
    wrong = "0" * 8 if pin != "0" * 8 else "1" * 8
    guesser = app.test_client()
    assert guesser.post("/play", data={"pin": wrong, "nickname": "x"}).status_code == 404
    assert guesser.post("/api/v1/games/join", json={"pin": wrong, "nickname": "x"}).status_code == 404
    assert guesser.post("/play", data={"pin": wrong, "nickname": "x"}).status_code == 404
    refused = guesser.post("/play", data={"pin": pin, "nickname": "y"})
    assert refused.status_code == 429 and "Too many wrong PINs" in refused.text
    assert db.session.execute(select(GamePlayer).where(GamePlayer.nickname == "y")).first() is None
