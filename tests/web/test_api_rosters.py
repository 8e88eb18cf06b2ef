"""POST /api/v1/classes/{class_id}/roster: students only, with one-time passwords, and who may
post one.

Calls go through :class:`tests.web.test_api.Api`, which checks every answer against
/api/v1/openapi.json.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from quizapp.extensions import db
from quizapp.models import Account, Membership
from quizapp.services import classes
from quizapp.services.accounts import ONE_TIME_HASH_METHOD, get_by_username
from tests.web.test_api import Api
from tests.web.test_api_classes import person


@dataclass
class Room:
    """Tess's class with Ada in it; Otto teaches elsewhere, Eve is in no class."""

    tess: Api
    ada: Api
    otto: Api
    eve: Api
    class_id: int

    def roster(self, students: list[dict], status: int = 201, who: str = "tess") -> dict:
        return getattr(self, who).call("POST", f"/classes/{self.class_id}/roster",
                                       {"students": students}, status=status)


@pytest.fixture
def room(app: Flask, client: FlaskClient) -> Room:
    tess = person(app, client, "tess", "Tess Teacher", "teacher")
    made = tess.call("POST", "/classes", {"name": "Year 9 Media"}, status=201)
    ada = person(app, client, "ada", "Ada Lovelace")
    ada.call("POST", "/classes/join", {"join_code": made["join_code"]}, status=200)
    return Room(tess, ada, person(app, client, "otto", "Otto Other", "teacher"),
                person(app, client, "eve", "Eve Outsider"), made["id"])


def accounts_count() -> int:
    return db.session.execute(select(func.count(Account.id))).scalar_one()


def in_class(room: Room) -> set[str]:
    return set(db.session.execute(
        select(Account.username).join(Membership, Membership.account_id == Account.id)
        .where(Membership.classroom_id == room.class_id)
    ).scalars())


def test_a_roster_answers_created_added_and_refused_and_is_not_cached(room: Room) -> None:
    reply = room.roster([
        {"username": "Bea.X", "display_name": "  Bea   Xu "},
        {"username": "cal.y"},  # no name: the username
        {"username": "ada", "display_name": "Ada Again"},  # already in this class
        {"username": "eve", "display_name": "Someone"},  # has an account, not in this class
    ])
    assert room.tess.last.headers["Cache-Control"] == "no-store"
    created = {c["username"]: c for c in reply["created"]}
    assert list(created) == ["bea.x", "cal.y"]
    assert created["bea.x"]["display_name"] == "Bea Xu" and created["cal.y"]["display_name"] == "cal.y"
    assert reply["added"] == [{"username": "bea.x", "display_name": "Bea Xu"},
                              {"username": "cal.y", "display_name": "cal.y"},
                              {"username": "ada", "display_name": "Ada Lovelace"}]
    [refused] = reply["refused"]
    assert refused["username"] == "eve" and "join with the class code" in refused["error"]

    for username, entry in created.items():
        account = get_by_username(username)
        assert account.role == "student" and account.must_change_password
        assert account.password_hash.startswith(ONE_TIME_HASH_METHOD + "$")
        assert check_password_hash(account.password_hash, entry["one_time_password"])
    assert in_class(room) == {"ada", "bea.x", "cal.y"}  # not Eve: a roster enrols no one's account
    assert get_by_username("eve").display_name == "Eve Outsider"
    assert accounts_count() == 6


def test_a_roster_with_role_teacher_creates_no_teacher(room: Room) -> None:
    error = room.roster([{"username": "new.boss", "display_name": "New Boss", "role": "teacher"}],
                        status=422)["error"]
    assert "role" in error
    assert get_by_username("new.boss") is None and accounts_count() == 4


@pytest.mark.parametrize("extra", [{"password": "known to the teacher"}, {"role": "student"},
                                   {"nickname": "Blue Fox"}, {"must_change_password": False}])
def test_any_field_but_username_and_display_name_is_422_and_makes_no_one(room: Room, extra) -> None:
    error = room.roster([{"username": "bea.x", "display_name": "Bea"},
                         {"username": "cal.y", "display_name": "Cal", **extra}], status=422)["error"]
    assert next(iter(extra)) in error
    assert accounts_count() == 4 and in_class(room) == {"ada"}


def test_501_students_is_422_and_500_are_made(room: Room) -> None:
    students = [{"username": f"kid.{n:03}", "display_name": f"Kid {n}"} for n in range(501)]
    assert "students" in room.roster(students, status=422)["error"]
    assert accounts_count() == 4
    reply = room.roster(students[:500])
    assert len(reply["created"]) == len(reply["added"]) == 500 and reply["refused"] == []
    assert len(in_class(room)) == 501


@pytest.mark.parametrize("body", [{}, {"students": []}, {"students": "bea.x"},
                                  {"students": [{"display_name": "No Name"}]},
                                  {"students": [{"username": 5}]}])
def test_a_roster_body_that_does_not_fit_is_422(room: Room, body) -> None:
    room.tess.call("POST", f"/classes/{room.class_id}/roster", body, status=422)
    assert accounts_count() == 4


def test_the_same_username_twice_and_an_invalid_username_are_refused_per_row(room: Room) -> None:
    reply = room.roster([
        {"username": "bea.x", "display_name": "Bea Xu"},
        {"username": "x", "display_name": "Too Short"},
        {"username": "BEA.X", "display_name": "Bea Again"},
        {"username": "bad name!", "display_name": "Spaces"},
        {"username": "cal.y", "display_name": "Cal Young"},
    ])
    assert [c["username"] for c in reply["created"]] == ["bea.x", "cal.y"]
    refused = [(r["username"], r["error"]) for r in reply["refused"]]
    assert [name for name, _ in refused] == ["x", "bea.x", "bad name!"]
    assert "A username has 3 to 32" in refused[0][1] and "A username has 3 to 32" in refused[2][1]
    assert "earlier row" in refused[1][1]
    assert get_by_username("bea.x").display_name == "Bea Xu"
    assert in_class(room) == {"ada", "bea.x", "cal.y"}


def test_a_roster_sent_again_adds_no_one_twice(room: Room) -> None:
    students = [{"username": "bea.x", "display_name": "Bea Xu"}]
    first = room.roster(students)
    again = room.roster(students)
    assert again["created"] == [] and again["refused"] == []
    assert again["added"] == first["added"] == [{"username": "bea.x", "display_name": "Bea Xu"}]
    assert db.session.execute(select(func.count(Membership.id))).scalar_one() == 2


def test_a_student_of_the_class_cannot_post_a_roster(room: Room) -> None:
    students = [{"username": "bea.x", "display_name": "Bea Xu"}]
    assert room.roster(students, status=403, who="ada")["error"]
    for who in ("otto", "eve"):  # another teacher's class, or a class one is not in: not there
        assert room.roster(students, status=404, who=who)["error"] == "There is no such class."
    room.otto.call("POST", "/classes/999999/roster", {"students": students}, status=404)
    assert get_by_username("bea.x") is None


def test_one_time_passwords_must_be_changed_at_the_first_sign_in(app: Flask, room: Room) -> None:
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"  # the production default, for the new password
    [made] = room.roster([{"username": "bea.x", "display_name": "Bea Xu"}])["created"]
    password = made["one_time_password"]
    token = app.test_client().post("/api/v1/tokens", json={"username": "bea.x", "password": password})
    assert token.status_code == 403 and "one-time password" in token.get_json()["error"]

    browser = app.test_client()
    signed_in = browser.post("/login", data={"username": "bea.x", "password": password})
    assert signed_in.headers["Location"] == "/account/password"
    assert browser.get("/progress").headers["Location"] == "/account/password"
    changed = browser.post("/account/password", data={
        "current": password, "password": "my own secret", "confirm": "my own secret"})
    assert changed.status_code == 303
    db.session.remove()
    bea = get_by_username("bea.x")
    assert not bea.must_change_password and bea.password_hash.startswith("scrypt:")
    assert app.test_client().post("/api/v1/tokens", json={
        "username": "bea.x", "password": "my own secret"}).status_code == 201


def test_an_account_taken_while_the_roster_is_made_is_refused_and_the_rest_are_made(
        room: Room, monkeypatch) -> None:
    """Two rosters at once: the transaction that loses the race is tried again, not lost."""
    hash_one = classes.accounts.hash_one_time_password
    raced = []

    def hash_then_race(password: str) -> str:
        if not raced:  # another request makes bea.x between the check and the commit
            raced.append(True)
            with db.engine.begin() as connection:
                connection.execute(Account.__table__.insert().values(
                    username="bea.x", display_name="Bea Elsewhere", password_hash="x",
                    role="student", must_change_password=False))
        return hash_one(password)

    monkeypatch.setattr(classes.accounts, "hash_one_time_password", hash_then_race)
    reply = room.roster([{"username": "bea.x", "display_name": "Bea Xu"},
                         {"username": "cal.y", "display_name": "Cal Young"}])
    assert [c["username"] for c in reply["created"]] == ["cal.y"]
    assert [r["username"] for r in reply["refused"]] == ["bea.x"]
    assert in_class(room) == {"ada", "cal.y"}
    assert get_by_username("bea.x").display_name == "Bea Elsewhere"


def test_the_roster_route_is_in_the_openapi_document(app: Flask, client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    post = doc["paths"]["/classes/{class_id}/roster"]["post"]
    assert {"201", "401", "403", "404", "422"} <= set(post["responses"])
    assert "one-time password" in post["description"]
    schemas = doc["components"]["schemas"]
    student = schemas["RosterStudent"]
    assert student["additionalProperties"] is False and set(student["properties"]) == {
        "username", "display_name"}
    assert schemas["RosterRequest"]["properties"]["students"]["maxItems"] == 500
    assert set(schemas["RosterReply"]["properties"]) == {"created", "added", "refused"}
