"""Spaced review over the API and in the browser's pages, on a controlled clock: the routes'
shapes and who may call them, due the next day after a wrong answer, the pages' counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.services import accounts, quiz, release, review
from quizapp.web import quiz as quiz_pages
from tests.conftest import make_account, sign_in
from tests.services.test_review import sit

T0 = dt.datetime(2026, 3, 2, 9, 0)
DAY = dt.timedelta(days=1)


class Clock:
    """The time the services and pages see; tests move it."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(T0 + dt.timedelta(hours=1))
    for module in (review, quiz, release, quiz_pages):
        monkeypatch.setattr(module, "utcnow", clock)
    return clock


@pytest.fixture
def ada(app, all_types):
    return make_account("ada")


def bearer(account) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.issue_token(account)}"}


def test_only_students_review(app, client, ada) -> None:
    assert client.get("/api/v1/me/review").status_code == 401
    assert client.post("/api/v1/me/review", json={}).status_code == 401
    tess = make_account("tess", "teacher")
    headers = bearer(tess)
    for reply in (client.get("/api/v1/me/review", headers=headers),
                  client.post("/api/v1/me/review", json={}, headers=headers)):
        assert reply.status_code == 403 and "students" in reply.get_json()["error"]
    sign_in(client, "tess")
    assert client.get("/review").status_code == 403
    assert client.post("/review/start").status_code == 403


def test_review_over_the_api_on_a_controlled_clock(app, client, ada, clock) -> None:
    headers = bearer(ada)
    assert client.get("/api/v1/me/review", headers=headers).get_json() == {"due": [], "next_due_at": None}
    assert client.post("/api/v1/me/review", json={}, headers=headers).get_json() == {
        "attempt": None, "next_due_at": None}
    sit(ada.id, wrong=("dni",), at=T0)
    due = client.get("/api/v1/me/review", headers=headers).get_json()
    assert due == {"due": [{"bank_id": "all-types", "question_id": "dni",
                            "due_at": "2026-03-02T09:01:00Z"}], "next_due_at": None}

    started = client.post("/api/v1/me/review", json={}, headers=headers)
    assert started.status_code == 201
    attempt = started.get_json()["attempt"]
    assert attempt["kind"] == "review" and attempt["bank_id"] is None
    assert [q["id"] for q in attempt["questions"]] == ["dni"]
    assert "answer" not in attempt["questions"][0] and "explanation" not in attempt["questions"][0]
    again = client.post("/api/v1/me/review", headers=headers)  # no body: the same review
    assert again.status_code == 200 and again.get_json()["attempt"]["id"] == attempt["id"]

    answered = client.put(f"/api/v1/attempts/{attempt['id']}/answers/dni", json={"response": "nobody"},
                          headers=headers)
    assert answered.status_code == 200
    body = answered.get_json()
    assert body["correct"] is False and body["explanation"] and body["evidence"]["url"]
    assert client.post(f"/api/v1/attempts/{attempt['id']}/finish", headers=headers).status_code == 200

    after = client.get("/api/v1/me/review", headers=headers).get_json()
    assert after == {"due": [], "next_due_at": "2026-03-03T10:00:00Z"}  # the next day, to the minute
    none = client.post("/api/v1/me/review", json={}, headers=headers)
    assert none.status_code == 200 and none.get_json() == {"attempt": None,
                                                           "next_due_at": "2026-03-03T10:00:00Z"}
    clock.now += DAY
    due = client.get("/api/v1/me/review", headers=headers).get_json()["due"]
    assert [d["question_id"] for d in due] == ["dni"]
    second = client.post("/api/v1/me/review", json={}, headers=headers).get_json()["attempt"]
    client.put(f"/api/v1/attempts/{second['id']}/answers/dni", json={"response": "Tulsi Gabbard"},
               headers=headers)
    later = client.get("/api/v1/me/review", headers=headers).get_json()
    assert later["due"] == [] and later["next_due_at"] >= "2026-03-05T10:00:00Z"  # right: 2 days or more


def test_a_review_body_with_fields_is_refused(app, client, ada) -> None:
    reply = client.post("/api/v1/me/review", json={"bank_id": "all-types"}, headers=bearer(ada))
    assert reply.status_code == 422 and reply.get_json()["error"]


def test_the_pages_show_what_is_due_and_ask_it(app, client, ada, clock) -> None:
    sign_in(client, "ada")
    home = client.get("/").text
    assert "Questions you miss come back" in home and 'href="/review"' in home
    sit(ada.id, wrong=("dni",), at=T0)
    home = client.get("/").text
    assert "1 due" in home and "1 question you missed is due for review" in home
    page = client.get("/review").text
    assert "Start my review" in page and "Every question type: 1 question" in page
    started = client.post("/review/start")
    assert started.status_code == 303
    attempt = db.session.execute(select(Attempt).where(Attempt.kind == "review")).scalar_one()
    question = client.get(f"/attempts/{attempt.id}/questions/1").text
    assert "Review" in question and "Every question type" in question
    assert "Paragraph 9 names" not in question  # no key or explanation before the answer
    assert "names Patel as FBI Director" not in question
    answered = client.post(f"/attempts/{attempt.id}/questions/1", data={"choice": "Kash Patel"})
    assert answered.status_code == 303
    feedback = client.get(f"/attempts/{attempt.id}/questions/1").text
    assert "Not quite" in feedback and 'class="evidence"' in feedback
    assert "Next review of this question" in feedback and "2026-03-03T10:00:00Z" in feedback
    client.post(f"/attempts/{attempt.id}/finish")
    results = client.get(f"/attempts/{attempt.id}/results").text
    assert "Your review" in results and "next review" in results
    progress = client.get("/progress").text
    assert "1 question in review" in progress and "2026-03-03T10:00:00Z" in progress
    home = client.get("/").text
    assert "Nothing due for review now" in home and "2026-03-03T10:00:00Z" in home
    assert "Nothing is due now" in client.get("/review").text
    clock.now += DAY
    assert "1 due" in client.get("/").text


def test_starting_a_review_needs_the_forms_token(app, client, ada, clock) -> None:
    sit(ada.id, wrong=("dni",), at=T0)
    sign_in(client, "ada")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/review/start").status_code == 400
    assert db.session.execute(select(Attempt).where(Attempt.kind == "review")).first() is None
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/review").text).group(1)
    assert client.post("/review/start", data={"csrf_token": token}).status_code == 303
