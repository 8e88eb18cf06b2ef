"""Answer keys: nothing a student can fetch before answering a question gives away its key,
feedback or explanation; after answering, they are shown.

The bank is tests/fixtures/all-types.yaml (one question of every type) with marks no page
has otherwise: every explanation starts ``KEYMARK-EXPLAIN-<id>``, every wrong choice has
feedback ``KEYMARK-FEEDBACK-<id>-<n>``, short answers are ``KEYMARK-SHORT-<id>-A``/``-B`` and
the numeric answer is 73519. Before each answer the student fetches everything: every GET
route of the URL map (pages with the session cookie, following redirects; the API with a bearer
token; the static files), every question of the attempt, and the attempt as the API resumes it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from quizapp.banks.schema import QUESTION_TYPES
from quizapp.extensions import db
from quizapp.models import Assignment
from quizapp.services import accounts
from quizapp.services import classes as classes_service
from tests.conftest import FIXTURES, load_banks
from tests.security.conftest import PASSWORD, rules

BANK_ID = "keymarks"
NUMBER = 73519
NUMBER_SHOWN = re.compile(r"(?<!\d)73,?519(?!\d)")
#: What the API may say of a question before it is answered, by type (api.md).
PUBLIC_FIELDS = {"id", "type", "prompt", "points"}
BY_TYPE = {"single": {"choices"}, "multiple": {"choices"}, "ordering": {"items"},
           "matching": {"lefts", "rights"}}


def marked_bank(tmp_path: Path) -> list[dict[str, Any]]:
    """all-types.yaml with marks in its keys, loaded as bank ``keymarks``; its questions."""
    data = yaml.safe_load((FIXTURES / "all-types.yaml").read_text())
    data["id"], data["title"] = BANK_ID, "Marked keys"
    questions = data["questions"]
    assert {q["type"] for q in questions} == set(QUESTION_TYPES), "the fixture must cover every type"
    for q in questions:
        q["explanation"] = f"KEYMARK-EXPLAIN-{q['id']} {q['explanation']}"
        if q["type"] in ("single", "multiple"):
            right = q["answer"] if isinstance(q["answer"], list) else [q["answer"]]
            wrong = [c for c in q["choices"] if c not in right]
            q["feedback"] = {c: f"KEYMARK-FEEDBACK-{q['id']}-{n}" for n, c in enumerate(wrong)}
        elif q["type"] == "short":
            q["answer"] = [f"KEYMARK-SHORT-{q['id']}-A", f"KEYMARK-SHORT-{q['id']}-B"]
        elif q["type"] == "numeric":
            q["answer"] = NUMBER
    path = tmp_path / f"{BANK_ID}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    load_banks(path)
    return questions


def secrets_of(q: dict[str, Any]) -> list[str]:
    """The marks that give away question ``q`` (the numeric answer is matched on its own)."""
    marks = [f"KEYMARK-EXPLAIN-{q['id']}", *q.get("feedback", {}).values()]
    if q["type"] == "short":
        marks += q["answer"]
    return marks


def leaks(text: str, q: dict[str, Any]) -> list[str]:
    found = [mark for mark in secrets_of(q) if mark in text]
    if q["type"] == "numeric" and NUMBER_SHOWN.search(text):
        found.append(str(NUMBER))
    return found


def wrong_response(q: dict[str, Any]) -> Any:
    """A response that is wrong and picks a choice that has feedback."""
    match q["type"]:
        case "single":
            return next(iter(q["feedback"]))
        case "multiple":
            return [next(iter(q["feedback"]))]
        case "true_false":
            return not q["answer"]
        case "short":
            return "not it"
        case "numeric":
            return "1"
        case "ordering":
            return list(reversed(q["items"]))
        case _:
            return {}


def form_for(q: dict[str, Any], view: dict[str, Any]) -> dict[str, Any]:
    """The answer form's fields for ``wrong_response``."""
    response = wrong_response(q)
    match q["type"]:
        case "single" | "multiple":
            return {"choice": response}
        case "true_false":
            return {"answer": "true" if response else "false"}
        case "short" | "numeric":
            return {"answer": response}
        case "ordering":
            return {f"position-{i}": str(response.index(item) + 1) for i, item in enumerate(view["items"])}
        case _:
            return {}


class Student:
    """A student of a class that has the bank assigned, fetching everything a student can."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        teacher = accounts.create_account("tea.cher", "Tea Cher", PASSWORD, "teacher")
        account = accounts.create_account("stu.dent", "Stu Dent", PASSWORD)
        room = classes_service.create_class(teacher, "Marked class")
        classes_service.join(account, room.join_code)
        assignment: Assignment = classes_service.create_assignment(room, BANK_ID)
        self.values = {"class_id": room.id, "assignment_id": assignment.id, "account_id": account.id,
                       "bank_id": BANK_ID, "article_id": "allies-intelligence-sharing",
                       "draft_id": 1, "game_id": 1, "player_id": 1, "fmt": "gift"}
        self.token = accounts.issue_token(account)
        page = app.test_client()
        assert page.post("/login", data={"username": "stu.dent", "password": PASSWORD}).status_code == 303
        self.cookie = page.get_cookie("session").value

    def page(self, path: str, method: str = "GET", **kwargs: Any) -> Any:
        client = self.app.test_client()
        client.set_cookie("session", self.cookie)
        return client.open(path, method=method, **kwargs)

    def api(self, path: str, method: str = "GET", **kwargs: Any) -> Any:
        return self.app.test_client().open(
            "/api/v1" + path, method=method, headers={"Authorization": f"Bearer {self.token}"}, **kwargs)

    def start(self, channel: str) -> int:
        assignment_id = self.values["assignment_id"]
        if channel == "page":
            response = self.page(f"/quizzes/{BANK_ID}/start", "POST", data={"assignment_id": assignment_id})
            assert response.status_code == 303, response.status_code
            return int(re.fullmatch(r"/attempts/(\d+)", response.headers["Location"]).group(1))
        response = self.api(f"/banks/{BANK_ID}/attempts", "POST", json={"assignment_id": assignment_id})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["attempt"]["id"]

    def everything(self, attempt_id: int, questions: int) -> dict[str, str]:
        """Every GET route of the URL map, as this student, with its answer (status and body)."""
        values = {**self.values, "attempt_id": attempt_id}
        seen: dict[str, str] = {}
        for rule in rules(self.app):
            if "GET" not in (rule.methods or ()):
                continue
            variants: list[dict[str, Any]] = [{}]
            if "number" in rule.arguments:
                variants = [{"number": n} for n in range(1, questions + 1)]
            if "filename" in rule.arguments:
                variants = [{"filename": name} for name in ("style.css", "quiz.js")]
            for extra in variants:
                args = {**values, **extra}
                needed = set(rule.arguments) - set(rule.defaults or {})
                assert needed <= set(args), f"{rule.rule}: no value for {sorted(needed - set(args))}"
                path = rule.build({k: args[k] for k in needed}, append_unknown=False)[1]
                if path.startswith("/api/v1/"):
                    response = self.api(path.removeprefix("/api/v1"))
                else:
                    response = self.page(path, follow_redirects=True)
                seen[path] = f"{response.status_code} {response.get_data(as_text=True)}"
                response.close()
        # starting again resumes the open attempt and shows it as the API does
        resumed = self.api(f"/banks/{BANK_ID}/attempts", "POST",
                           json={"assignment_id": self.values["assignment_id"]})
        seen[f"POST /api/v1/banks/{BANK_ID}/attempts"] = resumed.get_data(as_text=True)
        for number in range(1, questions + 1):  # the pages that matter most were there to read
            assert seen[f"/attempts/{attempt_id}/questions/{number}"].startswith("200 "), number
        return seen


@pytest.mark.parametrize("channel", ["page", "api"])
def test_no_key_before_answering_and_the_key_after(app: Flask, tmp_path: Path, channel: str) -> None:
    questions = marked_bank(tmp_path)
    student = Student(app)
    attempt_id = student.start(channel)
    views = {q["id"]: q for q in student.api(f"/attempts/{attempt_id}").get_json()["attempt"]["questions"]}
    by_id = {q["id"]: q for q in questions}

    # The API's questions carry only what the contract allows; an ordering's items are shown
    # in a shuffled order (any order, the key's too, equally likely: it tells nothing).
    for view in views.values():
        allowed = PUBLIC_FIELDS | BY_TYPE.get(view["type"], set())
        assert set(view) <= allowed, (view["id"], set(view) - allowed)
        if view["type"] == "ordering":
            assert sorted(view["items"]) == sorted(by_id[view["id"]]["items"])

    problems: list[str] = []
    order = list(views)  # the attempt's order
    for number, question_id in enumerate(order, start=1):
        q = by_id[question_id]
        unanswered = [by_id[i] for i in order[number - 1:]]
        for where, text in student.everything(attempt_id, len(order)).items():
            for later in unanswered:
                problems += [f"before question {number} ({later['id']}) was answered, {where} shows {mark}"
                             for mark in leaks(text, later)]
        assert not problems, "\n".join(problems)
        if q["type"] == "ordering":
            page = student.page(f"/attempts/{attempt_id}/questions/{number}").get_data(as_text=True)
            shown = re.findall(r'<label for="position-\d+">([^<]+)</label>', page)
            assert shown == views[question_id]["items"], "the page and the API show one order"

        # answer it (wrongly, picking a choice that has feedback): now the key is shown
        chosen_feedback = []
        if q["type"] in ("single", "multiple"):
            chosen_feedback = [q["feedback"][next(iter(q["feedback"]))]]
        if channel == "page":
            response = student.page(f"/attempts/{attempt_id}/questions/{number}", "POST",
                                    data=form_for(q, views[question_id]))
            assert response.status_code == 303, (question_id, response.status_code)
        else:
            response = student.api(f"/attempts/{attempt_id}/answers/{question_id}", "PUT",
                                   json={"response": wrong_response(q)})
            assert response.status_code == 200, (question_id, response.get_json())
            result = response.get_json()
            assert result["explanation"].startswith(f"KEYMARK-EXPLAIN-{question_id}")
            assert [f["text"] for f in result["feedback"]] == chosen_feedback
        shown_page = student.page(f"/attempts/{attempt_id}/questions/{number}").get_data(as_text=True)
        marks = [f"KEYMARK-EXPLAIN-{question_id}", *chosen_feedback]
        if q["type"] == "short":
            marks += q["answer"]
        for mark in marks:
            assert mark in shown_page, f"question {question_id}: {mark} is not shown after answering"
        if q["type"] == "numeric":
            assert NUMBER_SHOWN.search(shown_page), "the numeric key is not shown after answering"
        answers = {a["question_id"]: a for a in
                   student.api(f"/attempts/{attempt_id}").get_json()["attempt"]["answers"]}
        assert answers[question_id]["explanation"].startswith(f"KEYMARK-EXPLAIN-{question_id}")
        assert [f["text"] for f in answers[question_id]["feedback"]] == chosen_feedback

    # finished: the results page gives every key
    if channel == "page":
        assert student.page(f"/attempts/{attempt_id}/finish", "POST").status_code == 303
    else:
        assert student.api(f"/attempts/{attempt_id}/finish", "POST").status_code == 200
    results = student.page(f"/attempts/{attempt_id}/results").get_data(as_text=True)
    for q in questions:
        for mark in [f"KEYMARK-EXPLAIN-{q['id']}", *(q["answer"] if q["type"] == "short" else [])]:
            assert mark in results, f"{mark} not on the results page"
    assert NUMBER_SHOWN.search(results)
    db.session.remove()
