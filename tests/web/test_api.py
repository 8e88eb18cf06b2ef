"""The JSON API, version 1: tokens, a whole attempt, errors, CSRF, rate limits and the OpenAPI document.

Every call goes through :class:`Api`, which checks that the status it got is
documented for the route in /api/v1/openapi.json and that the body fits the
documented schema, so the document cannot drift from what the API does.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from sqlalchemy import func, select, update

from quizapp.banks import validate_paths
from quizapp.extensions import db
from quizapp.models import Answer, ApiToken, Attempt
from quizapp.services.accounts import create_account
from quizapp.services.banks import sync_banks
from quizapp.web import api

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

BANK = """\
format: 1
id: everything
title: Every kind of question
source: allies-intelligence-sharing
questions:
  - id: dni
    type: single
    prompt: Who is the Director of National Intelligence?
    explanation: EXPLAIN-dni The article names Tulsi Gabbard.
    choices: [Tulsi Gabbard, Kash Patel]
    answer: Tulsi Gabbard
    feedback: {Kash Patel: FEEDBACK-patel He runs the FBI.}
    skill: recall
    evidence: {paragraph: 9, quote: as Director of National Intelligence}
  - id: partners
    type: multiple
    prompt: Which governments said they limit intelligence sharing with the US?
    explanation: EXPLAIN-partners Britain and Colombia.
    choices: [United Kingdom, Colombia, France]
    answer: [United Kingdom, Colombia]
    skill: recall
  - id: postwar
    type: true_false
    prompt: Five Eyes was founded after World War II.
    explanation: EXPLAIN-postwar The article says so.
    answer: true
    skill: context
  - id: fbi
    type: short
    prompt: Who is the FBI director?
    explanation: EXPLAIN-fbi Kash Patel.
    answer: Kash Patel
    skill: recall
  - id: eyes
    type: numeric
    prompt: How many countries are in Five Eyes?
    explanation: EXPLAIN-eyes Five English-speaking countries.
    answer: 5
    skill: context
  - id: order
    type: ordering
    prompt: Put the numbers in order.
    explanation: EXPLAIN-order Smallest first.
    items: [one, two, three]
    skill: sourcing
  - id: match
    type: matching
    prompt: Match each agency to its country.
    explanation: EXPLAIN-match MI5 is British.
    pairs: {MI5: United Kingdom, FBI: United States}
    distractors: [France]
    skill: sourcing
"""

#: The response the key gives, per question of BANK.
RIGHT = {
    "dni": "Tulsi Gabbard",
    "partners": ["Colombia", "United Kingdom"],
    "postwar": True,
    "fbi": "kash patel",
    "eyes": "5",
    "order": ["one", "two", "three"],
    "match": {"MI5": "United Kingdom", "FBI": "United States"},
}
#: What each type may show before it is answered, and nothing more.
PUBLIC_FIELDS = {
    "single": {"choices"},
    "multiple": {"choices"},
    "true_false": set(),
    "short": set(),
    "numeric": set(),
    "ordering": {"items"},
    "matching": {"lefts", "rights"},
}
PASSWORD = "correct horse"
NOTHING = object()


def load_bank(tmp_path: Path, text: str = BANK, name: str = "everything.yaml") -> None:
    path = tmp_path / name
    path.write_text(text)
    report = validate_paths([path], SEEDS)
    assert report.ok, report.problems
    sync_banks(report.banks)
    db.session.commit()


class Api:
    """A test client for the API that checks every answer against the OpenAPI document."""

    def __init__(self, app: Flask, client: FlaskClient, token: str | None = None) -> None:
        self.app, self.client, self.token = app, client, token
        self.doc = client.get("/api/v1/openapi.json").get_json()
        self.adapter = app.url_map.bind("localhost")
        self.operations = {op.endpoint: op for op in api.OPERATIONS}

    def call(self, method: str, path: str, body: Any = NOTHING, *, status: int,
             headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        headers = dict(headers or {})
        if self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        if body is not NOTHING:
            kwargs["json"] = body
        response = self.last = self.client.open("/api/v1" + path, method=method, headers=headers,
                                                **kwargs)
        assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
        data = self.check_documented(method, path, response)
        return data if data is not None else response

    def check_documented(self, method: str, path: str, response: Any) -> Any:
        endpoint, _ = self.adapter.match("/api/v1" + path.partition("?")[0], method)
        operation = self.operations[endpoint]
        documented = self.doc["paths"][operation.path][method.lower()]["responses"]
        assert str(response.status_code) in documented, f"{response.status_code} not documented"
        if response.status_code == 204:
            assert response.get_data() == b""
            return None
        content = documented[str(response.status_code)]["content"]
        if response.mimetype != "application/json":  # a file, of a documented type
            assert response.mimetype in {media.split(";")[0] for media in content}, response.mimetype
            return None
        data = response.get_json()
        if response.status_code >= 400:
            assert isinstance(data["error"], str) and data["error"]
        schema = content["application/json"]["schema"]
        Draft202012Validator({**schema, "components": self.doc["components"]}).validate(data)
        return data


@pytest.fixture
def app(app: Flask) -> Flask:
    """The shared app with CSRF off (the CSRF test turns it on again) and fresh request contexts."""
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def student(app: Flask):
    return create_account("ada", "Ada Lovelace", PASSWORD)


def token_for(app: Flask, username: str) -> str:
    response = app.test_client().post("/api/v1/tokens",
                                      json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


@pytest.fixture
def ada(app: Flask, client: FlaskClient, student, tmp_path: Path) -> Api:
    load_bank(tmp_path)
    return Api(app, client, token_for(app, "ada"))


def answered(api_: Api, attempt_id: int) -> dict[str, dict[str, Any]]:
    attempt = api_.call("GET", f"/attempts/{attempt_id}", status=200)["attempt"]
    return {a["question_id"]: a for a in attempt["answers"]}


# -- the whole walk ---------------------------------------------------------------------------


def test_a_student_takes_a_quiz_twice_through_the_api(app, client, student, tmp_path) -> None:
    load_bank(tmp_path)
    anonymous = Api(app, client)
    token = anonymous.call("POST", "/tokens", {"username": "ADA", "password": PASSWORD},
                           status=201)["token"]
    ada = Api(app, client, token)

    banks = ada.call("GET", "/banks", status=200)["banks"]
    assert banks == [{"id": "everything", "title": "Every kind of question", "questions": 7,
                      "source": "allies-intelligence-sharing"}]

    # First attempt: every type answered right.
    attempt = ada.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]
    assert attempt["bank_id"] == "everything" and attempt["finished"] is False
    assert attempt["score"] is None and attempt["points"] == 7 and attempt["answers"] == []
    assert [q["id"] for q in attempt["questions"]] == list(RIGHT)
    for question_id, response in RIGHT.items():
        result = ada.call("PUT", f"/attempts/{attempt['id']}/answers/{question_id}",
                          {"response": response}, status=200)
        assert (result["score"], result["points"], result["correct"]) == (1, 1, True), question_id
        assert result["explanation"].startswith(f"EXPLAIN-{question_id}")
        assert result["feedback"] == [] and result["note"] is None
    dni = answered(ada, attempt["id"])["dni"]
    assert dni["evidence"]["paragraph"] == 9
    assert dni["evidence"]["quote"] == "as Director of National Intelligence"
    url = dni["evidence"]["url"]
    assert url.startswith("/articles/allies-intelligence-sharing") and url.endswith("#p9")
    assert client.get(url.split("#")[0]).status_code == 200  # the reader opens at the paragraph
    assert ada.call("POST", f"/attempts/{attempt['id']}/finish", status=200) == {
        "score": 7, "points": 7, "released": True}

    # Second attempt: some wrong, one half right, one unreadable; re-answering changes nothing.
    second = ada.call("POST", "/banks/everything/attempts", status=201)["attempt"]  # no body at all
    assert second["id"] != attempt["id"]
    path = f"/attempts/{second['id']}/answers"
    wrong = ada.call("PUT", f"{path}/dni", {"response": "Kash Patel"}, status=200)
    assert (wrong["score"], wrong["correct"]) == (0, False)
    assert wrong["feedback"] == [{"choice": "Kash Patel", "text": "FEEDBACK-patel He runs the FBI."}]
    assert wrong["evidence"]["paragraph"] == 9  # evidence is shown whether right or wrong
    again = ada.call("PUT", f"{path}/dni", {"response": "Tulsi Gabbard"}, status=409)
    assert "already answered" in again["error"]
    assert ada.call("PUT", f"{path}/partners", {"response": ["United Kingdom"]}, status=200)["score"] == 0.5
    assert ada.call("PUT", f"{path}/postwar", {"response": False}, status=200)["score"] == 0
    assert ada.call("PUT", f"{path}/fbi", {"response": "Kash Patle"}, status=200)["correct"]  # a typo
    unreadable = ada.call("PUT", f"{path}/eyes", {"response": {"not": "a number"}}, status=200)
    assert unreadable["score"] == 0 and unreadable["note"]
    assert ada.call("PUT", f"{path}/order", {"response": ["two", "one", "three"]}, status=200)["score"] == 0
    half = ada.call("PUT", f"{path}/match", {"response": {"MI5": "United Kingdom", "FBI": "France"}},
                    status=200)
    assert (half["score"], half["correct"]) == (0.5, False)

    answers = answered(ada, second["id"])
    assert answers["dni"]["response"] == "Kash Patel" and answers["dni"]["score"] == 0  # first counts
    assert answers["eyes"]["response"] == {"not": "a number"}
    assert [a["question_id"] for a in answers.values()] == list(RIGHT)
    assert db.session.execute(
        select(func.count(Answer.id)).where(Answer.attempt_id == second["id"])
    ).scalar_one() == 7
    assert ada.call("POST", f"/attempts/{second['id']}/finish", status=200) == {
        "score": 2, "points": 7, "released": True}
    finished = ada.call("GET", f"/attempts/{second['id']}", status=200)["attempt"]
    assert finished["finished"] is True and finished["score"] == 2 and finished["finished_at"]
    # Finishing again changes nothing.
    assert ada.call("POST", f"/attempts/{second['id']}/finish", status=200) == {
        "score": 2, "points": 7, "released": True}

    progress = ada.call("GET", "/me/progress", status=200)
    assert progress["banks"] == [{"id": "everything", "title": "Every kind of question",
                                  "best": 1.0, "latest": pytest.approx(2 / 7), "attempts": 2,
                                  "hidden": 0}]
    # Only the latest answer to each question counts; skills never answered are left out.
    assert progress["skills"] == {"recall": 0.5, "context": 0.0, "sourcing": 0.25}


def test_starting_again_resumes_the_open_attempt_with_200(ada) -> None:
    first = ada.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]
    ada.call("PUT", f"/attempts/{first['id']}/answers/fbi", {"response": "Patel"}, status=200)
    resumed = ada.call("POST", "/banks/everything/attempts", {}, status=200)["attempt"]
    assert resumed["id"] == first["id"]
    assert resumed["questions"] == first["questions"]  # the same shuffle on every load
    assert [a["question_id"] for a in resumed["answers"]] == ["fbi"]


def test_progress_of_a_new_student_is_empty(ada) -> None:
    assert ada.call("GET", "/me/progress", status=200) == {"banks": [], "skills": {}}


# -- nothing is given away --------------------------------------------------------------------


def test_an_unanswered_attempt_shows_no_key_feedback_or_explanation_for_any_type(ada) -> None:
    response = ada.call("POST", "/banks/everything/attempts", {}, status=201)
    text = json.dumps(response)
    questions = {q["id"]: q for q in response["attempt"]["questions"]}
    assert {q["type"] for q in questions.values()} == set(PUBLIC_FIELDS)
    for question in questions.values():
        assert set(question) == {"id", "type", "prompt", "points"} | PUBLIC_FIELDS[question["type"]]
    for marker in ("EXPLAIN-", "FEEDBACK-", "as Director of National Intelligence"):
        assert marker not in text, marker
    assert sorted(questions["order"]["items"]) == sorted(RIGHT["order"])
    assert sorted(questions["match"]["rights"]) == ["France", "United Kingdom", "United States"]
    for question in questions.values():
        for hidden in ("answer", "explanation", "feedback", "evidence", "pairs", "accepted",
                       "tolerance", "distractors", "partial", "exact"):
            assert hidden not in question


# -- who may see what -------------------------------------------------------------------------


def test_another_students_attempt_is_404(app, client, ada) -> None:
    attempt = ada.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]
    create_account("bob", "Bob", PASSWORD)
    bob = Api(app, client, token_for(app, "bob"))
    for method, path, body in (
        ("GET", f"/attempts/{attempt['id']}", NOTHING),
        ("PUT", f"/attempts/{attempt['id']}/answers/dni", {"response": "Tulsi Gabbard"}),
        ("POST", f"/attempts/{attempt['id']}/finish", NOTHING),
    ):
        assert bob.call(method, path, body, status=404) == {"error": "There is no such attempt."}
    assert answered(ada, attempt["id"]) == {}
    assert ada.call("GET", f"/attempts/{attempt['id']}", status=200)["attempt"]["finished"] is False


@pytest.mark.parametrize("authorization", [
    None, "Bearer", "Bearer not-a-token", "Basic YWRhOmNvcnJlY3QgaG9yc2U=", "Bearer " + "x" * 500,
])
def test_without_valid_credentials_every_route_is_401(app, client, ada, authorization) -> None:
    anonymous = Api(app, client)
    headers = {"Authorization": authorization} if authorization else {}
    for method, path, body in (
        ("GET", "/banks", NOTHING),
        ("POST", "/banks/everything/attempts", {}),
        ("GET", "/attempts/1", NOTHING),
        ("PUT", "/attempts/1/answers/dni", {"response": "x"}),
        ("POST", "/attempts/1/finish", NOTHING),
        ("GET", "/me/progress", NOTHING),
        ("DELETE", "/tokens/current", NOTHING),
    ):
        response = anonymous.call(method, path, body, status=401, headers=headers)
        assert response["error"]
    assert db.session.execute(select(func.count(Attempt.id))).scalar_one() == 0


def test_wrong_credentials_get_no_token(app, client, student) -> None:
    anonymous = Api(app, client)
    for body in ({"username": "ada", "password": "wrong password"},
                 {"username": "nobody", "password": PASSWORD}):
        assert anonymous.call("POST", "/tokens", body, status=401) == {
            "error": "That username and password do not match."}
    assert db.session.execute(select(func.count(ApiToken.id))).scalar_one() == 0


def test_a_revoked_token_stops_working_and_others_keep_working(app, client, ada) -> None:
    other = token_for(app, "ada")
    ada.call("GET", "/banks", status=200)
    ada.call("DELETE", "/tokens/current", status=204)
    assert "not valid" in ada.call("GET", "/banks", status=401)["error"]
    ada.call("DELETE", "/tokens/current", status=401)
    Api(app, client, other).call("GET", "/banks", status=200)


def test_a_bearer_call_sets_no_session_cookie(ada) -> None:
    ada.call("POST", "/banks/everything/attempts", {}, status=201)
    assert "Set-Cookie" not in ada.last.headers
    raw = ada.client.get("/api/v1/banks", headers={"Authorization": f"Bearer {ada.token}"})
    assert raw.status_code == 200 and "Set-Cookie" not in raw.headers


def test_not_found(ada) -> None:
    assert ada.call("POST", "/banks/nope/attempts", {}, status=404) == {"error": "There is no such quiz."}
    assert ada.call("POST", "/banks/everything/attempts", {"assignment_id": 3}, status=404) == {
        "error": "There is no such assignment."}
    assert ada.call("GET", "/attempts/999999", status=404)["error"] == "There is no such attempt."
    attempt = ada.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]
    missing = ada.call("PUT", f"/attempts/{attempt['id']}/answers/nope", {"response": 1}, status=404)
    assert "nope" in missing["error"]
    for path in ("/nothing-here", "/attempts/not-a-number"):
        response = ada.client.get("/api/v1" + path, headers={"Authorization": f"Bearer {ada.token}"})
        assert response.status_code == 404 and response.is_json and response.get_json()["error"]


def test_a_body_too_large_is_413_json(app, ada) -> None:
    attempt = ada.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]
    app.config["MAX_CONTENT_LENGTH"] = 1000
    ada.call("PUT", f"/attempts/{attempt['id']}/answers/fbi", {"response": "x" * 2000}, status=413)
    assert answered(ada, attempt["id"]) == {}


def test_a_failure_on_the_server_is_500_json(ada, monkeypatch) -> None:
    def broken(account_id):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(api.progress_service, "catalogue", broken)
    assert ada.call("GET", "/banks", status=500) == {"error": "Something went wrong on our side."}


def test_a_wrong_method_is_405_json(ada) -> None:
    response = ada.client.delete("/api/v1/banks", headers={"Authorization": f"Bearer {ada.token}"})
    assert response.status_code == 405 and response.get_json()["error"]
    assert "GET" in response.headers["Allow"]


# -- conflicts --------------------------------------------------------------------------------


def test_answering_a_finished_attempt_is_409_and_stores_nothing(ada) -> None:
    attempt = ada.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]
    ada.call("POST", f"/attempts/{attempt['id']}/finish", status=200)
    error = ada.call("PUT", f"/attempts/{attempt['id']}/answers/dni", {"response": "Tulsi Gabbard"},
                     status=409)["error"]
    assert "finished" in error
    assert answered(ada, attempt["id"]) == {}


def test_answering_after_the_time_limit_is_409(ada, tmp_path) -> None:
    load_bank(tmp_path, BANK.replace("source:", "settings: {time_limit_seconds: 60}\nsource:"))
    attempt = ada.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]
    assert attempt["deadline_at"] is not None
    ada.call("PUT", f"/attempts/{attempt['id']}/answers/fbi", {"response": "Kash Patel"}, status=200)
    past = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=5)
    db.session.execute(update(Attempt).where(Attempt.id == attempt["id"]).values(deadline_at=past))
    db.session.commit()
    error = ada.call("PUT", f"/attempts/{attempt['id']}/answers/dni", {"response": "Tulsi Gabbard"},
                     status=409)["error"]
    assert "Time is up" in error or "finished" in error
    after = ada.call("GET", f"/attempts/{attempt['id']}", status=200)["attempt"]
    assert after["finished"] is True and after["score"] == 1
    # A new attempt, not the expired one, is what starting again gives.
    assert ada.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]["id"] != attempt["id"]


def test_the_attempt_limit_is_409(ada, tmp_path) -> None:
    load_bank(tmp_path, BANK.replace("source:", "settings: {max_attempts: 1}\nsource:"))
    attempt = ada.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]
    ada.call("POST", f"/attempts/{attempt['id']}/finish", status=200)
    assert "all 1 attempts" in ada.call("POST", "/banks/everything/attempts", {}, status=409)["error"]


# -- bodies that do not fit -------------------------------------------------------------------


@pytest.mark.parametrize(("body", "names"), [
    ({}, "response"),
    ({"respones": "Tulsi Gabbard"}, "respones"),
    ({"response": "Tulsi Gabbard", "extra": 1}, "extra"),
    (["Tulsi Gabbard"], "body"),
    ("Tulsi Gabbard", "body"),
    (None, "body"),
])
def test_an_answer_body_that_does_not_fit_is_422_naming_the_field(ada, body, names) -> None:
    attempt = ada.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]
    error = ada.call("PUT", f"/attempts/{attempt['id']}/answers/dni", data=json.dumps(body),
                     content_type="application/json", status=422)["error"]
    assert names in error
    assert answered(ada, attempt["id"]) == {}


@pytest.mark.parametrize("raw", [b"{", b'{"response": NaN}', b'{"response": 1e999}', b"[" * 100_000,
                                 b'{"response": "\xff"}'])
def test_a_body_that_is_not_json_is_422(ada, raw) -> None:
    attempt = ada.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]
    error = ada.call("PUT", f"/attempts/{attempt['id']}/answers/eyes", data=raw,
                     content_type="application/json", status=422)["error"]
    assert error == "The body is not valid JSON."
    assert answered(ada, attempt["id"]) == {}


def test_a_body_not_sent_as_json_is_415(ada) -> None:
    attempt = ada.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]
    path = f"/attempts/{attempt['id']}/answers/dni"
    ada.call("PUT", path, data='{"response": "Tulsi Gabbard"}', content_type="text/plain", status=415)
    ada.call("PUT", path, status=415)  # no body at all
    ada.call("POST", "/banks/everything/attempts", data="{}", content_type="text/plain", status=415)


def test_odd_but_valid_responses_are_stored_and_score_0(ada) -> None:
    attempt = ada.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]
    path = f"/attempts/{attempt['id']}/answers"
    odd = {"dni": None, "partners": 12, "postwar": "maybe", "fbi": "nul\u0000byte",
           "eyes": -3, "order": {"a": 1}, "match": ["MI5"]}
    for question_id, response in odd.items():
        result = ada.call("PUT", f"{path}/{question_id}", {"response": response}, status=200)
        assert result["score"] == 0, question_id
    stored = answered(ada, attempt["id"])
    assert {q: stored[q]["response"] for q in odd} == odd


def test_token_bodies_that_do_not_fit_are_422(app, client, student) -> None:
    anonymous = Api(app, client)
    assert "password" in anonymous.call("POST", "/tokens", {"username": "ada"}, status=422)["error"]
    assert "username" in anonymous.call("POST", "/tokens", {"username": 7, "password": PASSWORD},
                                        status=422)["error"]
    assert "password" in anonymous.call("POST", "/tokens", {"username": "ada", "password": "x" * 201},
                                        status=422)["error"]
    for raw in (b"[" * 100_000, b'{"username": "ada", "password": NaN}'):
        anonymous.call("POST", "/tokens", data=raw, content_type="application/json", status=422)


# -- the session cookie and CSRF --------------------------------------------------------------


def sign_in_with_the_form(client: FlaskClient, username: str = "ada") -> str:
    """Sign in on the page as a browser does, with CSRF on; the CSRF token of the session."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "the sign-in page has a CSRF token"
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token.group(1)})
    assert response.status_code == 303
    # signing in starts a new session, with a new CSRF token: read it off the next page
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "a signed-in page has a CSRF token (the sign-out button)"
    return token.group(1)


def test_cookie_writes_need_the_csrf_header_and_bearer_writes_do_not(app, client, ada) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    csrf_token = sign_in_with_the_form(client)
    browser = Api(app, client)  # no bearer: the session cookie only
    assert browser.call("GET", "/banks", status=200)["banks"]  # reads need no CSRF token
    refused = browser.call("POST", "/banks/everything/attempts", {}, status=400)
    assert refused == {"error": "Missing or invalid CSRF token."}
    browser.call("POST", "/banks/everything/attempts", {}, status=400,
                 headers={"X-CSRFToken": "forged"})
    assert db.session.execute(select(func.count(Attempt.id))).scalar_one() == 0
    attempt = browser.call("POST", "/banks/everything/attempts", {}, status=201,
                           headers={"X-CSRFToken": csrf_token})["attempt"]
    browser.call("PUT", f"/attempts/{attempt['id']}/answers/dni", {"response": "Tulsi Gabbard"},
                 status=400)
    browser.call("PUT", f"/attempts/{attempt['id']}/answers/dni", {"response": "Tulsi Gabbard"},
                 status=200, headers={"X-CSRFToken": csrf_token})
    # A bearer call from a fresh client needs no CSRF token, with CSRF on.
    bearer = Api(app, app.test_client(), ada.token)
    bearer.call("POST", f"/attempts/{attempt['id']}/finish", status=200)
    # Asking for a token needs no CSRF token either.
    bearer.call("POST", "/tokens", {"username": "ada", "password": PASSWORD}, status=201)


def test_a_bad_bearer_token_is_refused_even_with_a_session_cookie(app, client, ada) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    sign_in_with_the_form(client)
    browser = Api(app, client)
    browser.call("GET", "/banks", status=200)
    assert "not valid" in browser.call("GET", "/banks", status=401,
                                       headers={"Authorization": "Bearer wrong"})["error"]
    browser.call("GET", "/banks", status=200, headers={"Authorization": f"Bearer {ada.token}"})
    create_account("bob", "Bob", PASSWORD)
    assert "different accounts" in browser.call(
        "GET", "/banks", status=401, headers={"Authorization": f"Bearer {token_for(app, 'bob')}"}
    )["error"]


def test_tokens_are_not_accepted_by_the_pages(app, ada) -> None:
    response = app.test_client().get("/progress", headers={"Authorization": f"Bearer {ada.token}"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# -- rate limits ------------------------------------------------------------------------------


def test_failed_token_requests_are_limited_per_username_with_retry_after(app, client, student) -> None:
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per minute"
    anonymous = Api(app, client)
    for _ in range(5):  # successes do not count
        anonymous.call("POST", "/tokens", {"username": "ada", "password": PASSWORD}, status=201)
    for _ in range(3):
        anonymous.call("POST", "/tokens", {"username": "ada", "password": "wrong!!!"}, status=401)
    limited = client.post("/api/v1/tokens", json={"username": "Ada", "password": PASSWORD})
    assert limited.status_code == 429 and limited.get_json()["error"]
    assert int(limited.headers["Retry-After"]) > 0
    anonymous.check_documented("POST", "/tokens", limited)
    # Another username from the same address is not held up.
    create_account("bob", "Bob", PASSWORD)
    anonymous.call("POST", "/tokens", {"username": "bob", "password": PASSWORD}, status=201)


def test_failed_token_requests_are_limited_per_address(app, client, student) -> None:
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "2 per minute"
    anonymous = Api(app, client)
    for name in ("x1", "x2"):
        anonymous.call("POST", "/tokens", {"username": name, "password": "wrong!!!"}, status=401)
    anonymous.call("POST", "/tokens", {"username": "ada", "password": PASSWORD}, status=429)
    other = app.test_client()
    response = other.post("/api/v1/tokens", json={"username": "ada", "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 201


# -- the OpenAPI document ---------------------------------------------------------------------


def test_the_openapi_document_is_valid_3_1_and_lists_every_route(app, client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    validate(doc, cls=OpenAPIV31SpecValidator)
    served = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")))
        for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(method.upper(), path) for path, item in doc["paths"].items() for method in item}
    assert served == documented
    assert {("POST", "/tokens"), ("GET", "/classes/{class_id}/leaderboard"),
            ("PUT", "/attempts/{attempt_id}/answers/{question_id}")} <= served
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["cookie"]["in"] == "cookie" and schemes["cookie"]["name"] == "session"
    assert doc["paths"]["/tokens"]["post"]["security"] == []
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            for code, answer in operation["responses"].items():
                if int(code) >= 400:
                    assert answer["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ErrorReply"}, (path, method, code)
    answer = doc["paths"]["/attempts/{attempt_id}/answers/{question_id}"]["put"]
    assert {"200", "401", "404", "409", "415", "422"} <= set(answer["responses"])
    assert answer["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AnswerRequest"}
    assert doc["components"]["schemas"]["AnswerRequest"]["required"] == ["response"]


def test_the_document_comes_from_the_models_that_check_bodies(app, client) -> None:
    from quizapp.web.api_schemas import AnswerRequest, TokenRequest

    doc = client.get("/api/v1/openapi.json").get_json()
    for model in (AnswerRequest, TokenRequest):
        own = model.model_json_schema(ref_template="#/components/schemas/{model}")
        assert doc["components"]["schemas"][model.__name__] == own


def test_an_account_with_a_one_time_password_gets_no_token_until_it_is_changed(app, client) -> None:
    from quizapp.services.accounts import create_account, get_by_username, set_password

    create_account("kid", "Kid", "temp-pass-123", must_change_password=True)
    response = client.post("/api/v1/tokens", json={"username": "kid", "password": "temp-pass-123"})
    assert response.status_code == 403
    assert "one-time password" in response.get_json()["error"]
    set_password(get_by_username("kid"), "my own secret")
    response = client.post("/api/v1/tokens", json={"username": "kid", "password": "my own secret"})
    assert response.status_code == 201 and response.get_json()["token"]


def test_answers_through_the_api_are_rate_limited_per_account(app, ada) -> None:
    app.config["ANSWER_LIMIT_PER_ACCOUNT"] = "2 per minute"
    attempt = ada.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]
    first, second, third = (q["id"] for q in attempt["questions"][:3])
    for question in (first, second):
        ada.call("PUT", f"/attempts/{attempt['id']}/answers/{question}", {"response": "x"}, status=200)
    error = ada.call("PUT", f"/attempts/{attempt['id']}/answers/{third}", {"response": "x"}, status=429)
    assert error["error"] and int(ada.last.headers["Retry-After"]) > 0
    assert third not in answered(ada, attempt["id"])


def _nested(depth: int) -> Any:
    value: Any = "Tulsi Gabbard"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(("question_id", "response"), [
    ("fbi", "Kash Patel " * 190_000),  # just under the 2 MiB a request may carry
    ("eyes", "5" * 1000),
    ("dni", _nested(2)),
    ("partners", _nested(3)),
    ("partners", ["Colombia"] * 1000),
    ("order", ["one", "two", "three", "one"]),
    ("match", {"MI5": "United Kingdom", "FBI": "United States", "CIA": "United States"}),
    ("match", {"MI5": "United Kingdom " * 100}),
    ("match", {"MI5": ["United Kingdom"]}),
])
def test_an_oversize_or_over_deep_response_is_422_and_stores_nothing(ada, question_id, response) -> None:
    attempt = ada.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]
    path = f"/attempts/{attempt['id']}/answers/{question_id}"
    error = ada.call("PUT", path, {"response": response}, status=422)["error"]
    assert "answer" in error.lower()
    assert answered(ada, attempt["id"]) == {}
    # the question can still be answered properly
    assert ada.call("PUT", path, {"response": RIGHT[question_id]}, status=200)["correct"]


def test_a_deeply_nested_body_is_422_and_the_attempt_still_reads(ada) -> None:
    attempt = ada.call("POST", "/banks/everything/attempts", {}, status=201)["attempt"]
    path = f"/attempts/{attempt['id']}/answers"
    error = ada.call("PUT", f"{path}/dni", {"response": _nested(900)}, status=422)["error"]
    assert "nests" in error
    raw = '{"response": ' + "[" * 900 + "]" * 900 + "}"
    ada.call("PUT", f"{path}/order", data=raw, content_type="application/json", status=422)
    assert answered(ada, attempt["id"]) == {}  # and reading the attempt back is not a 500
