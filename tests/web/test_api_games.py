"""The live-game API: routes, state and ETags, keys kept back, player tokens, joins, races."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import GameAnswer
from quizapp.services import accounts, classes
from quizapp.services import games as games_service
from tests.conftest import make_account, recorded_queries

T0 = dt.datetime(2026, 3, 2, 9, 0, 0)


class Clock:
    """The server's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def at(self, seconds: float) -> None:
        self.now = T0 + dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(games_service, "utcnow", clock)
    return clock


@pytest.fixture
def host(app: Flask, all_types: str) -> dict[str, str]:
    teacher = make_account("tess", role="teacher")
    return {"Authorization": f"Bearer {accounts.issue_token(teacher)}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def create(client: Any, host: dict[str, str], **body: Any) -> dict[str, Any]:
    reply = client.post("/api/v1/games", json={"bank_id": "all-types", **body}, headers=host)
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


def join(client: Any, pin: str, nickname: str, **kwargs: Any) -> dict[str, Any]:
    reply = client.post("/api/v1/games/join", json={"pin": pin, "nickname": nickname}, **kwargs)
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


def state(client: Any, game_id: int, headers: dict[str, str]) -> dict[str, Any]:
    reply = client.get(f"/api/v1/games/{game_id}/state", headers=headers)
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()


def test_a_whole_game_over_the_api(client, host, clock) -> None:
    game = create(client, host, seconds_per_question=10)
    assert len(game["pin"]) == 8 and game["join_url"].endswith(f"pin={game['pin']}")
    ada = join(client, game["pin"], "Ada")
    bob = join(client, game["pin"], "Bob")
    assert ada["nickname"] == "Ada" and ada["player_token"].startswith("gp_")
    lobby = state(client, game["id"], host)
    assert (lobby["phase"], lobby["players"], [p["nickname"] for p in lobby["roster"]]) == (
        "lobby", 2, ["Ada", "Bob"])
    reply = client.post(f"/api/v1/games/{game['id']}/advance", headers=host)
    assert reply.status_code == 200 and reply.get_json()["phase"] == "question"
    clock.at(2)
    seen = state(client, game["id"], bearer(ada["player_token"]))
    assert seen["question"]["id"] == "dni" and seen["me"]["answered"] is False
    path = f"/api/v1/games/{game['id']}/answers/1"
    reply = client.put(path, json={"response": "Tulsi Gabbard"}, headers=bearer(ada["player_token"]))
    assert reply.status_code == 200 and reply.get_json() == {"accepted": True}
    again = client.put(path, json={"response": "Kash Patel"}, headers=bearer(ada["player_token"]))
    assert again.status_code == 409 and "error" in again.get_json()
    other = client.put(f"/api/v1/games/{game['id']}/answers/2", json={"response": True},
                       headers=bearer(bob["player_token"]))
    assert other.status_code == 409
    clock.at(11)  # past the deadline
    late = client.put(path, json={"response": "Kash Patel"}, headers=bearer(bob["player_token"]))
    assert late.status_code == 409 and "closed" in late.get_json()["error"]
    mine = state(client, game["id"], bearer(ada["player_token"]))
    assert mine["phase"] == "reveal" and mine["question"]["answer"] == "Tulsi Gabbard"
    assert mine["me"] == {"player_id": ada["player_id"], "nickname": "Ada", "score": 900,
                          "streak": 1, "rank": 1, "last": {"number": 1, "correct": True, "points": 900},
                          "answered": True}
    counts = {c["choice"]: (c["count"], c["correct"]) for c in mine["distribution"]["counts"]}
    assert counts == {"Tulsi Gabbard": (1, True), "Kash Patel": (0, False), "John Ratcliffe": (0, False)}
    assert mine["top"][0] == {"rank": 1, "nickname": "Ada", "score": 900, "movement": None}
    for step in range(13):
        clock.at(20 + 2 * step)
        client.post(f"/api/v1/games/{game['id']}/advance", headers=host)
    assert state(client, game["id"], host)["phase"] == "podium"
    assert client.post(f"/api/v1/games/{game['id']}/advance", headers=host).status_code == 409
    results = client.get(f"/api/v1/games/{game['id']}/results", headers=host).get_json()
    assert [(p["rank"], p["nickname"], p["score"], p["correct"]) for p in results["players"]] == [
        (1, "Ada", 900, 1), (2, "Bob", 0, 0)]
    assert results["questions"][0] | {"prompt": ""} == {"number": 1, "prompt": "", "type": "single",
                                                        "answered": 1, "correct": 1}
    assert [q["answered"] for q in results["questions"]] == [1, 0, 0, 0, 0, 0, 0]
    assert client.post("/api/v1/games/join", json={"pin": game["pin"], "nickname": "Late"}).status_code == 404


def test_an_unchanged_state_is_a_304_and_a_change_gives_a_new_etag(client, host, clock) -> None:
    game = create(client, host)
    ada = join(client, game["pin"], "Ada")
    path = f"/api/v1/games/{game['id']}/state"
    first = client.get(path, headers=bearer(ada["player_token"]))
    etag = first.headers["ETag"]
    same = client.get(path, headers={**bearer(ada["player_token"]), "If-None-Match": etag})
    assert same.status_code == 304 and same.data == b"" and same.headers["ETag"] == etag
    host_view = client.get(path, headers={**host, "If-None-Match": etag})
    assert host_view.status_code == 200 and host_view.headers["ETag"] != etag  # another view
    join(client, game["pin"], "Bob")
    moved = client.get(path, headers={**bearer(ada["player_token"]), "If-None-Match": etag})
    assert moved.status_code == 200 and moved.headers["ETag"] != etag
    assert moved.get_json()["players"] == 2
    # a poll whose ETag holds costs two queries: the player, and the game with its counts
    with recorded_queries() as queries:
        again = client.get(path, headers={**bearer(ada["player_token"]),
                                          "If-None-Match": moved.headers["ETag"]})
    assert again.status_code == 304 and len(queries) <= 2, queries
    client.post(f"/api/v1/games/{game['id']}/advance", headers=host)
    with recorded_queries() as queries:
        full = client.get(path, headers=bearer(ada["player_token"]))
    assert full.status_code == 200 and len(queries) <= 6, queries


def test_no_key_is_in_the_state_before_the_reveal(client, host, clock) -> None:
    game = create(client, host)
    ada = join(client, game["pin"], "Ada")
    join(client, game["pin"], "Bob")
    secrets = {  # number -> text only the key, explanation or feedback holds
        1: ["Paragraph 9 names", "names Patel as FBI Director"],
        4: ["Emily Harding", "Center for Strategic"],
        5: ["2017"],
        7: ["United Kingdom", "United States", "MI5 is British"],
    }
    for number in range(1, 8):
        clock.at(100 * number)
        client.post(f"/api/v1/games/{game['id']}/advance", headers=host)
        for headers in (host, bearer(ada["player_token"])):
            text = client.get(f"/api/v1/games/{game['id']}/state", headers=headers).get_data(as_text=True)
            question = json.loads(text)["question"]
            assert question["number"] == number
            assert not {"answer", "explanation", "evidence", "accepted", "pairs"} & set(question)
            for secret in secrets.get(number, []):
                if secret in ("United Kingdom", "United States"):
                    continue  # the rights to match are shown (with a distractor), not the pairs
                assert secret not in text, (number, secret)
        clock.at(100 * number + 50)
        revealed = state(client, game["id"], host)
        assert revealed["phase"] == "reveal" and "answer" in revealed["question"]
        client.post(f"/api/v1/games/{game['id']}/advance", headers=host) if number == 7 else None


def test_a_player_token_opens_nothing_but_its_game(client, host, clock) -> None:
    game = create(client, host)
    other = create(client, host)
    ada = join(client, game["pin"], "Ada")
    token = bearer(ada["player_token"])
    for method, path in (("GET", "/api/v1/me/progress"), ("GET", "/api/v1/banks"),
                         ("POST", "/api/v1/games"), ("GET", f"/api/v1/games/{game['id']}/results"),
                         ("POST", f"/api/v1/games/{game['id']}/advance"),
                         ("DELETE", f"/api/v1/games/{game['id']}/players/{ada['player_id']}")):
        assert client.open(path, method=method, headers=token, json={}).status_code == 401, path
    assert client.get(f"/api/v1/games/{other['id']}/state", headers=token).status_code == 401
    assert client.get("/progress", headers=token).status_code == 302  # pages: signed out
    assert client.get(f"/api/v1/games/{game['id']}/state").status_code == 401
    student = make_account("stu")
    stranger = bearer(accounts.issue_token(student))
    assert client.get(f"/api/v1/games/{game['id']}/state", headers=stranger).status_code == 404


def test_the_host_removes_a_player_whose_token_then_stops_working(client, host, clock) -> None:
    game = create(client, host)
    ada, bob = join(client, game["pin"], "Ada"), join(client, game["pin"], "Bob")
    path = f"/api/v1/games/{game['id']}/players/{bob['player_id']}"
    assert client.delete(path, headers=host).status_code == 204
    assert client.get(f"/api/v1/games/{game['id']}/state",
                      headers=bearer(bob["player_token"])).status_code == 403
    assert state(client, game["id"], host)["players"] == 1
    taken = client.post("/api/v1/games/join", json={"pin": game["pin"], "nickname": "bob"})
    assert taken.status_code == 409
    assert client.delete(f"/api/v1/games/{game['id']}/players/999999", headers=host).status_code == 404
    assert ada


def test_a_class_game_without_guests_takes_only_its_students_signed_in(client, app, host) -> None:
    teacher = accounts.account_for_token(host["Authorization"].split()[1])
    room = classes.create_class(teacher, "Period 3")
    stu, out = make_account("stu"), make_account("out")
    classes.join(stu, room.join_code)
    game = create(client, host, class_id=room.id, guests=False)
    anon = client.post("/api/v1/games/join", json={"pin": game["pin"], "nickname": "Guest"})
    assert anon.status_code == 401
    outsider = client.post("/api/v1/games/join", json={"pin": game["pin"], "nickname": "Out"},
                           headers=bearer(accounts.issue_token(out)))
    assert outsider.status_code == 403
    joined = join(client, game["pin"], "Stu", headers=bearer(accounts.issue_token(stu)))
    assert joined["nickname"] == "Stu"
    other_teacher = make_account("tom", role="teacher")
    reply = client.post("/api/v1/games", json={"bank_id": "all-types", "class_id": room.id},
                        headers=bearer(accounts.issue_token(other_teacher)))
    assert reply.status_code == 404
    reply = client.post("/api/v1/games", json={"bank_id": "all-types"},
                        headers=bearer(accounts.issue_token(stu)))
    assert reply.status_code == 403


def test_wrong_pins_are_rate_limited_per_address(client, app, host) -> None:
    app.config["GAME_PIN_LIMIT_PER_ADDRESS"] = "3 per minute"
    game = create(client, host)
    wrong = "0" * 8 if game["pin"] != "0" * 8 else "1" * 8
    statuses = [client.post("/api/v1/games/join", json={"pin": wrong, "nickname": "x"}).status_code
                for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_twenty_answers_at_once_for_one_player_store_one(app, client, host) -> None:
    game = create(client, host)
    ada = join(client, game["pin"], "Ada")
    join(client, game["pin"], "Bob")
    client.post(f"/api/v1/games/{game['id']}/advance", headers=host)
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    lock = threading.Lock()

    def send() -> None:
        mine = app.test_client()
        barrier.wait()
        reply = mine.put(f"/api/v1/games/{game['id']}/answers/1", json={"response": "Tulsi Gabbard"},
                         headers=bearer(ada["player_token"]))
        with lock:
            statuses.append(reply.status_code)

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200] + [409] * 19, statuses
    db.session.remove()
    assert db.session.execute(select(func.count(GameAnswer.id))).scalar_one() == 1


def test_two_hosts_advancing_at_once_make_one_step(app, client, host) -> None:
    game = create(client, host)
    join(client, game["pin"], "Ada")
    barrier = threading.Barrier(10)

    def step() -> None:
        mine = app.test_client()
        barrier.wait()
        mine.post(f"/api/v1/games/{game['id']}/advance", headers=host)

    threads = [threading.Thread(target=step) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    now = state(client, game["id"], host)
    assert (now["phase"], now["number"]) == ("question", 1)


def test_two_processes_each_with_their_own_caches_see_each_others_changes(app, client, host, clock) -> None:
    """Another app on the same database stands for another worker process: what one caches
    never hides what the other writes."""
    from quizapp import create_app
    from tests.conftest import FreshContextClient, _config

    other_app = create_app(_config(app.config["SQLALCHEMY_DATABASE_URI"]))
    other_app.test_client_class = FreshContextClient
    other = other_app.test_client()
    game = create(client, host)
    ada, bob = join(client, game["pin"], "Ada"), join(client, game["pin"], "Bob")
    client.post(f"/api/v1/games/{game['id']}/advance", headers=host)
    path = f"/api/v1/games/{game['id']}/state"
    before = state(client, game["id"], bearer(ada["player_token"]))
    assert before["answered"] == 0 and before["me"]["answered"] is False
    question = before["question"]
    response = question["choices"][0] if "choices" in question else True
    reply = other.put(f"/api/v1/games/{game['id']}/answers/1", json={"response": response},
                      headers=bearer(ada["player_token"]))
    assert reply.status_code == 200
    after = state(client, game["id"], bearer(ada["player_token"]))
    assert after["answered"] == 1 and after["me"]["answered"] is True
    other.put(f"/api/v1/games/{game['id']}/answers/1", json={"response": response},
              headers=bearer(bob["player_token"]))
    for reader in (client, other):
        shown = reader.get(path, headers=bearer(bob["player_token"])).get_json()
        assert shown["phase"] == "reveal" and shown["me"]["answered"] is True
        assert shown["me"]["score"] == shown["me"]["last"]["points"]
    with other_app.app_context():
        db.engine.dispose()
