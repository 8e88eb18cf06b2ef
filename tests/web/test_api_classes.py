"""The JSON API's classes: a whole classroom through the API, who may see what, bodies that do
not fit, and the OpenAPI document.

Calls go through :class:`tests.web.test_api.Api`, which checks every answer against
/api/v1/openapi.json.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Assignment, Attempt, Classroom
from quizapp.services import classes
from quizapp.services.accounts import create_account
from tests.web import test_api
from tests.web.test_api import BANK, NOTHING, PASSWORD, RIGHT, load_bank, token_for


class Api(test_api.Api):
    """test_api's checked client, for paths that may carry a query string."""

    def check_documented(self, method: str, path: str, response: Any) -> Any:
        return super().check_documented(method, path.partition("?")[0], response)


@dataclass
class Room:
    """A class run by Tess with Ada and Bob in it, Otto teaching elsewhere and Eve in no class."""

    tess: Api
    ada: Api
    bob: Api
    eve: Api
    otto: Api
    class_id: int
    join_code: str

    def assign(self, **body: Any) -> dict[str, Any]:
        return self.tess.call("POST", f"/classes/{self.class_id}/assignments",
                              {"bank_id": "everything", **body}, status=201)


def person(app: Flask, client: FlaskClient, username: str, name: str, role: str = "student") -> Api:
    create_account(username, name, PASSWORD, role)
    return Api(app, client, token_for(app, username))


@pytest.fixture
def room(app: Flask, client: FlaskClient, tmp_path: Path) -> Room:
    load_bank(tmp_path)
    tess = person(app, client, "tess", "Tess Teacher", "teacher")
    made = tess.call("POST", "/classes", {"name": "Year 9 Media"}, status=201)
    ada = person(app, client, "ada", "Ada Lovelace")
    bob = person(app, client, "bob", "Bob Baker")
    for student in (ada, bob):
        student.call("POST", "/classes/join", {"join_code": made["join_code"]}, status=200)
    return Room(tess, ada, bob, person(app, client, "eve", "Eve Outsider"),
                person(app, client, "otto", "Otto Other", "teacher"), made["id"], made["join_code"])


def take(student: Api, assignment_id: int, responses: dict[str, Any], status: int = 201) -> dict:
    """Start an attempt for the assignment, answer ``responses``, finish; the finished attempt."""
    attempt = student.call("POST", "/banks/everything/attempts", {"assignment_id": assignment_id},
                           status=status)["attempt"]
    for question_id, response in responses.items():
        student.call("PUT", f"/attempts/{attempt['id']}/answers/{question_id}",
                     {"response": response}, status=200)
    student.call("POST", f"/attempts/{attempt['id']}/finish", status=200)
    return student.call("GET", f"/attempts/{attempt['id']}", status=200)["attempt"]


# -- the whole walk ---------------------------------------------------------------------------


def test_a_whole_class_runs_through_the_api(app, client, tmp_path) -> None:
    load_bank(tmp_path)
    tess = person(app, client, "tess", "Tess Teacher", "teacher")
    ada = person(app, client, "ada", "Ada Lovelace")
    bob = person(app, client, "bob", "Bob Baker")
    cy = person(app, client, "cy.young", "Cy Young")

    made = tess.call("POST", "/classes", {"name": "  Year 9   Media "}, status=201)
    assert made["name"] == "Year 9 Media"
    assert re.fullmatch(r"[A-Z0-9]{6}", made["join_code"])
    class_id = made["id"]

    # Codes are typed on phones: case, spaces and dashes do not matter; joining twice is fine.
    code = made["join_code"]
    typed = f"{code[:3].lower()}-{code[3:]} "
    assert ada.call("POST", "/classes/join", {"join_code": typed}, status=200) == {
        "id": class_id, "name": "Year 9 Media"}
    assert ada.call("POST", "/classes/join", {"join_code": code}, status=200)["id"] == class_id
    for student in (bob, cy):
        student.call("POST", "/classes/join", {"join_code": code}, status=200)

    # Times with an offset are stored in UTC; times without one are taken as UTC.
    set_ = tess.call("POST", f"/classes/{class_id}/assignments", {
        "bank_id": "everything", "opens_at": "2020-01-01T10:00:00+02:00",
        "due_at": "2099-06-30T23:59:00", "max_attempts": 2, "time_limit_seconds": 600,
    }, status=201)
    assert set_ == {"id": set_["id"], "class_id": class_id, "bank_id": "everything",
                    "title": "Every kind of question", "opens_at": "2020-01-01T08:00:00Z",
                    "due_at": "2099-06-30T23:59:00Z", "max_attempts": 2, "time_limit_seconds": 600,
                    "show_answers": "immediately", "close_at_due": False,
                    "shuffle_questions": False, "question_count": None}
    assignment_id = set_["id"]
    for who in (tess, ada):
        assert who.call("GET", f"/classes/{class_id}/assignments", status=200) == {"assignments": [set_]}

    # Ada takes it; her attempt belongs to the assignment and has its time limit.
    attempt = ada.call("POST", "/banks/everything/attempts", {"assignment_id": assignment_id},
                       status=201)["attempt"]
    assert attempt["deadline_at"] is not None
    started = dt.datetime.fromisoformat(attempt["started_at"])
    assert dt.datetime.fromisoformat(attempt["deadline_at"]) - started == dt.timedelta(seconds=600)
    resumed = ada.call("POST", "/banks/everything/attempts", {"assignment_id": assignment_id},
                       status=200)["attempt"]
    assert resumed["id"] == attempt["id"]
    # Practice of the same bank would show its keys: refused while the assignment is open to her.
    refused = ada.call("POST", "/banks/everything/attempts", {}, status=409)["error"]
    assert "set as an assignment in Year 9 Media" in refused
    for question_id, response in RIGHT.items():
        ada.call("PUT", f"/attempts/{attempt['id']}/answers/{question_id}", {"response": response},
                 status=200)
    assert ada.call("POST", f"/attempts/{attempt['id']}/finish", status=200) == {
        "score": 7, "points": 7, "released": True}
    assert db.session.get(Attempt, attempt["id"]).assignment_id == assignment_id

    take(bob, assignment_id, {"dni": "Kash Patel", "fbi": "Kash Patel"})

    # The board: best finished attempt per student, for the assignment and for the class.
    for query in ("", f"?assignment_id={assignment_id}"):
        board = ada.call("GET", f"/classes/{class_id}/leaderboard{query}", status=200)
        assert [(e["rank"], e["name"], e["score"], e["points"]) for e in board["entries"]] == [
            (1, "Ada Lovelace", 7, 7), (2, "Bob Baker", 1, 7)]
        assert board["me"]["rank"] == 1 and board["me"]["name"] == "Ada Lovelace"
        assert board["members"] == 3
        assert bob.call("GET", f"/classes/{class_id}/leaderboard{query}", status=200)["me"]["rank"] == 2
        assert cy.call("GET", f"/classes/{class_id}/leaderboard{query}", status=200)["me"] is None
        teacher_view = tess.call("GET", f"/classes/{class_id}/leaderboard{query}", status=200)
        assert teacher_view["entries"] == board["entries"] and teacher_view["me"] is None
    assert board["assignment_id"] == assignment_id

    # Bob's second (and last) attempt beats Ada's score only by tying it: they share rank 1, and
    # Ada, who reached it first, is listed first.
    take(bob, assignment_id, RIGHT)
    used_up = bob.call("POST", "/banks/everything/attempts", {"assignment_id": assignment_id},
                       status=409)["error"]
    assert "all 2 attempts" in used_up
    # with the assignment's attempts used up, practice of the bank is open to him again
    plain = bob.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]
    assert plain["deadline_at"] is None
    assert db.session.get(Attempt, plain["id"]).assignment_id is None
    board = bob.call("GET", f"/classes/{class_id}/leaderboard", status=200)
    assert [(e["rank"], e["name"]) for e in board["entries"]] == [(1, "Ada Lovelace"), (1, "Bob Baker")]
    assert board["me"] == board["entries"][1]

    # The teacher's results: every student, the best attempt's marks, statistics per question.
    results = tess.call("GET", f"/assignments/{assignment_id}/results", status=200)
    assert results["assignment"] == set_ and results["finished"] == 2
    students = {s["username"]: s for s in results["students"]}
    assert [s["name"] for s in results["students"]] == ["Ada Lovelace", "Bob Baker", "Cy Young"]
    assert (students["ada"]["score"], students["ada"]["points"], students["ada"]["late"]) == (7, 7, False)
    assert students["ada"]["marks"] == dict.fromkeys(RIGHT, 1.0)
    assert students["bob"]["score"] == 7  # his best attempt, not his first
    assert students["cy.young"] == {"username": "cy.young", "name": "Cy Young", "score": None,
                                    "points": None, "finished_at": None, "late": False,
                                    "marks": dict.fromkeys(RIGHT), "status": "not started",
                                    "attempt_id": None, "open_attempt_id": None}
    assert [q["id"] for q in results["questions"]] == list(RIGHT)
    dni = results["questions"][0]
    assert (dni["type"], dni["skill"], dni["points"], dni["facility"]) == ("single", "recall", 1, 1.0)
    assert dni["wrong"] == [] and dni["prompt"].startswith("Who is the Director")
    assert set(results["mastery"]) >= {"recall", "context", "sourcing"}
    assert results["mastery"]["recall"] == 1.0
    assert results["alpha"] is None  # fewer than three finished attempts
    assert sum(results["distribution"]) == 2


def test_results_show_wrong_responses_and_late_attempts(room: Room) -> None:
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).isoformat()
    due = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
    assignment = room.assign(opens_at=past, due_at=due)
    take(room.ada, assignment["id"], {"dni": "Kash Patel", "eyes": "5"})
    take(room.bob, assignment["id"], {"dni": "Kash Patel", "eyes": "6"})
    results = room.tess.call("GET", f"/assignments/{assignment['id']}/results", status=200)
    assert all(s["late"] for s in results["students"])
    questions = {q["id"]: q for q in results["questions"]}
    assert questions["dni"]["wrong"] == [{"response": "Kash Patel", "count": 2}]
    assert questions["dni"]["facility"] == 0.0
    assert questions["eyes"]["facility"] == 0.5
    assert questions["eyes"]["wrong"] == [{"response": "6", "count": 1}]
    assert questions["postwar"]["wrong"] == [{"response": "(no answer)", "count": 2}]


def test_the_class_board_adds_up_the_assignments(room: Room) -> None:
    first, second = room.assign(), room.assign()
    take(room.ada, first["id"], {"dni": "Tulsi Gabbard"})
    take(room.bob, first["id"], {"dni": "Tulsi Gabbard", "fbi": "Kash Patel"})
    take(room.ada, second["id"], {"dni": "Tulsi Gabbard", "fbi": "Kash Patel", "eyes": "5"})
    board = room.ada.call("GET", f"/classes/{room.class_id}/leaderboard", status=200)
    assert [(e["name"], e["score"], e["points"]) for e in board["entries"]] == [
        ("Ada Lovelace", 4, 14), ("Bob Baker", 2, 7)]
    one = room.ada.call("GET", f"/classes/{room.class_id}/leaderboard?assignment_id={first['id']}",
                        status=200)
    assert [(e["rank"], e["name"], e["score"]) for e in one["entries"]] == [
        (1, "Bob Baker", 2), (2, "Ada Lovelace", 1)]
    assert one["me"]["rank"] == 2


def test_an_assignment_that_has_not_opened_is_409(room: Room) -> None:
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    assignment = room.assign(opens_at=later)
    error = room.ada.call("POST", "/banks/everything/attempts", {"assignment_id": assignment["id"]},
                          status=409)["error"]
    assert "opens at" in error
    assert db.session.execute(select(func.count(Attempt.id))).scalar_one() == 0


# -- who may see what -------------------------------------------------------------------------


def test_only_teachers_create_classes_and_only_students_join(room: Room) -> None:
    assert room.ada.call("POST", "/classes", {"name": "Mine"}, status=403)["error"]
    assert room.otto.call("POST", "/classes/join", {"join_code": room.join_code}, status=403)["error"]
    assert room.tess.call("POST", "/classes/join", {"join_code": room.join_code}, status=403)["error"]
    assert "No class has that code" in room.eve.call(
        "POST", "/classes/join", {"join_code": "NOPE99"}, status=404)["error"]
    assert db.session.execute(select(func.count(Classroom.id))).scalar_one() == 1


def test_students_of_the_class_may_not_set_assignments_or_see_results(room: Room) -> None:
    assignment = room.assign()
    room.ada.call("POST", f"/classes/{room.class_id}/assignments", {"bank_id": "everything"},
                  status=403)
    room.ada.call("GET", f"/assignments/{assignment['id']}/results", status=403)
    assert db.session.execute(select(func.count(Assignment.id))).scalar_one() == 1


@pytest.mark.parametrize("who", ["eve", "otto"])
def test_outsiders_and_other_teachers_get_404_for_everything_of_the_class(room: Room, who) -> None:
    assignment = room.assign()
    take(room.ada, assignment["id"], RIGHT)
    outsider: Api = getattr(room, who)
    cid, aid = room.class_id, assignment["id"]
    for method, path, body in (
        ("GET", f"/classes/{cid}/assignments", NOTHING),
        ("POST", f"/classes/{cid}/assignments", {"bank_id": "everything"}),
        ("GET", f"/classes/{cid}/leaderboard", NOTHING),
        ("GET", f"/classes/{cid}/leaderboard?assignment_id={aid}", NOTHING),
        ("GET", f"/assignments/{aid}/results", NOTHING),
        ("POST", "/banks/everything/attempts", {"assignment_id": aid}),
    ):
        error = outsider.call(method, path, body, status=404)["error"]
        assert error in ("There is no such class.", "There is no such assignment."), (path, error)
    # What does not exist at all answers the same.
    for method, path, body in (
        ("GET", "/classes/999999/assignments", NOTHING),
        ("GET", "/classes/999999/leaderboard", NOTHING),
        ("GET", "/assignments/999999/results", NOTHING),
        ("POST", "/classes/999999/assignments", {"bank_id": "everything"}),
    ):
        outsider.call(method, path, body, status=404)
    assert db.session.execute(select(func.count(Assignment.id))).scalar_one() == 1
    assert db.session.execute(select(func.count(Attempt.id))).scalar_one() == 1


def test_a_student_of_another_class_gets_404(room: Room) -> None:
    other = room.otto.call("POST", "/classes", {"name": "Elsewhere"}, status=201)
    room.eve.call("POST", "/classes/join", {"join_code": other["join_code"]}, status=200)
    elsewhere = room.otto.call("POST", f"/classes/{other['id']}/assignments",
                               {"bank_id": "everything"}, status=201)
    assignment = room.assign()
    room.eve.call("GET", f"/classes/{room.class_id}/leaderboard", status=404)
    room.eve.call("POST", "/banks/everything/attempts", {"assignment_id": assignment["id"]},
                  status=404)
    # An assignment of another class is not on this class's board, even for its teacher.
    room.tess.call("GET", f"/classes/{room.class_id}/leaderboard?assignment_id={elsewhere['id']}",
                   status=404)
    room.ada.call("POST", "/banks/everything/attempts", {"assignment_id": elsewhere["id"]},
                  status=404)


def test_the_teacher_cannot_start_an_attempt_for_their_assignment(room: Room) -> None:
    assignment = room.assign()
    room.tess.call("POST", "/banks/everything/attempts", {"assignment_id": assignment["id"]},
                   status=404)


def test_an_assignment_is_started_at_its_own_bank_only(room: Room, tmp_path: Path) -> None:
    load_bank(tmp_path, BANK.replace("id: everything", "id: another"), "another.yaml")
    assignment = room.assign()
    error = room.ada.call("POST", "/banks/another/attempts", {"assignment_id": assignment["id"]},
                          status=404)["error"]
    assert error == "There is no such assignment."


def test_a_hidden_board_is_403_for_students_and_shown_to_the_teacher(room: Room) -> None:
    assignment = room.assign()
    take(room.ada, assignment["id"], RIGHT)
    classes.update_board(db.session.get(Classroom, room.class_id), hidden=True)
    for query in ("", f"?assignment_id={assignment['id']}"):
        error = room.ada.call("GET", f"/classes/{room.class_id}/leaderboard{query}", status=403)["error"]
        assert "hidden" in error
        board = room.tess.call("GET", f"/classes/{room.class_id}/leaderboard{query}", status=200)
        assert [e["name"] for e in board["entries"]] == ["Ada Lovelace"]
    # The students still see their assignments.
    room.ada.call("GET", f"/classes/{room.class_id}/assignments", status=200)


def test_the_board_shows_nicknames_when_the_class_says_so(room: Room) -> None:
    assignment = room.assign()
    take(room.ada, assignment["id"], RIGHT)
    classes.update_board(db.session.get(Classroom, room.class_id), names="nickname")
    board = room.bob.call("GET", f"/classes/{room.class_id}/leaderboard", status=200)
    assert [e["name"] for e in board["entries"]] == ["Reader 1"]
    assert "Ada" not in str(board)


def test_without_credentials_every_class_route_is_401(app, client, room: Room) -> None:
    anonymous = Api(app, client)
    for method, path, body in (
        ("POST", "/classes", {"name": "x"}),
        ("POST", "/classes/join", {"join_code": room.join_code}),
        ("POST", f"/classes/{room.class_id}/assignments", {"bank_id": "everything"}),
        ("GET", f"/classes/{room.class_id}/assignments", NOTHING),
        ("GET", f"/classes/{room.class_id}/leaderboard", NOTHING),
        ("GET", "/assignments/1/results", NOTHING),
    ):
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            anonymous.call(method, path, body, status=401, headers=headers)


def test_a_cookie_write_needs_the_csrf_header(app, client, room: Room) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    token = test_api.sign_in_with_the_form(client, "tess")
    browser = Api(app, client)
    browser.call("POST", "/classes", {"name": "By cookie"}, status=400)
    browser.call("POST", "/classes", {"name": "By cookie"}, status=201, headers={"X-CSRFToken": token})
    browser.call("GET", f"/classes/{room.class_id}/assignments", status=200)


# -- bodies that do not fit -------------------------------------------------------------------


@pytest.mark.parametrize(("body", "names"), [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": 7}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": "Ok", "code": "x"}, "code"),
    (["Ok"], "body"),
])
def test_a_class_body_that_does_not_fit_is_422(room: Room, body, names) -> None:
    assert names in room.tess.call("POST", "/classes", body, status=422)["error"]
    assert db.session.execute(select(func.count(Classroom.id))).scalar_one() == 1


@pytest.mark.parametrize("body", [{}, {"join_code": ""}, {"join_code": 123}, {"code": "ABC"}])
def test_a_join_body_that_does_not_fit_is_422(room: Room, body) -> None:
    room.eve.call("POST", "/classes/join", body, status=422)


@pytest.mark.parametrize(("body", "names"), [
    ({}, "bank_id"),
    ({"bank_id": ""}, "bank_id"),
    ({"bank_id": "everything", "opens_at": "tomorrow"}, "opens_at"),
    ({"bank_id": "everything", "opens_at": 1767225600}, "opens_at"),
    ({"bank_id": "everything", "due_at": "1767225600"}, "due_at"),
    ({"bank_id": "everything", "due_at": "2026-02-30T10:00:00"}, "due_at"),
    ({"bank_id": "everything", "opens_at": "0001-01-01T00:00:00+01:00"}, "opens_at"),
    ({"bank_id": "everything", "opens_at": "2026-03-02T00:00:00Z", "due_at": "2026-03-01T00:00:00Z"},
     "due date"),
    ({"bank_id": "everything", "opens_at": "2026-03-01T02:00:00+02:00",
      "due_at": "2026-03-01T00:00:00Z"}, "due date"),
    ({"bank_id": "everything", "max_attempts": 0}, "max_attempts"),
    ({"bank_id": "everything", "max_attempts": "2"}, "max_attempts"),
    ({"bank_id": "everything", "max_attempts": True}, "max_attempts"),
    ({"bank_id": "everything", "max_attempts": 1.5}, "max_attempts"),
    ({"bank_id": "everything", "max_attempts": 2**40}, "max_attempts"),
    ({"bank_id": "everything", "time_limit_seconds": -5}, "time_limit_seconds"),
    ({"bank_id": "everything", "due": "2026-03-01"}, "due"),
])
def test_an_assignment_body_that_does_not_fit_is_422(room: Room, body, names) -> None:
    error = room.tess.call("POST", f"/classes/{room.class_id}/assignments", body, status=422)["error"]
    assert names in error
    assert db.session.execute(select(func.count(Assignment.id))).scalar_one() == 0


def test_an_assignment_of_an_unknown_bank_is_404(room: Room) -> None:
    error = room.tess.call("POST", f"/classes/{room.class_id}/assignments", {"bank_id": "nope"},
                          status=404)["error"]
    assert error == "There is no such quiz."


def test_dates_alone_and_null_limits_are_accepted(room: Room) -> None:
    made = room.assign(opens_at="2026-03-01", due_at=None, max_attempts=None)
    assert (made["opens_at"], made["due_at"], made["max_attempts"]) == ("2026-03-01T00:00:00Z", None, None)


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", str(2**40)])
def test_a_leaderboard_query_that_does_not_fit_is_422(room: Room, value) -> None:
    error = room.ada.call("GET", f"/classes/{room.class_id}/leaderboard?assignment_id={value}",
                          status=422)["error"]
    assert "assignment_id" in error


@pytest.mark.parametrize("value", [0, -1, "1", 2**40, True])
def test_an_attempt_assignment_id_that_does_not_fit_is_422(room: Room, value) -> None:
    room.ada.call("POST", "/banks/everything/attempts", {"assignment_id": value}, status=422)


def test_ids_too_large_for_the_database_are_404(room: Room) -> None:
    headers = {"Authorization": f"Bearer {room.tess.token}"}
    for path in (f"/classes/{2**31}/assignments", f"/assignments/{2**63 + 1}/results",
                 f"/attempts/{2**63 + 1}"):
        response = room.tess.client.get("/api/v1" + path, headers=headers)
        assert response.status_code == 404 and response.get_json()["error"], path
    room.tess.call("GET", f"/classes/{2**31 - 1}/assignments", status=404)


# -- the OpenAPI document ---------------------------------------------------------------------


def test_the_openapi_document_still_validates_and_lists_every_class_route(app, client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    validate(doc, cls=OpenAPIV31SpecValidator)
    served = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")))
        for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(method.upper(), path) for path, item in doc["paths"].items() for method in item}
    assert served == documented
    assert {
        ("POST", "/classes"), ("POST", "/classes/join"),
        ("POST", "/classes/{class_id}/assignments"), ("GET", "/classes/{class_id}/assignments"),
        ("GET", "/classes/{class_id}/leaderboard"), ("GET", "/assignments/{assignment_id}/results"),
    } <= documented
    paths = doc["paths"]
    assert "403" in paths["/classes"]["post"]["responses"]
    assert {"403", "404", "422"} <= set(paths["/classes/{class_id}/leaderboard"]["get"]["responses"])
    query = [p for p in paths["/classes/{class_id}/leaderboard"]["get"]["parameters"]
             if p["in"] == "query"]
    assert query == [{"name": "assignment_id", "in": "query", "required": False,
                      "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                      "description": query[0]["description"]}]
    body = doc["components"]["schemas"]["AssignmentRequest"]
    assert body["required"] == ["bank_id"]
    assert {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}.items() <= (
        body["properties"]["opens_at"].items())
