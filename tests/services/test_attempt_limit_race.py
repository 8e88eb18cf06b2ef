"""Attempt limits hold under real concurrency: many starts at once make at most the limit.

The starts run in threads, each request with its own app context, database session and
connection, released together by a barrier: the check of the limit and the insert of
the attempt race as they would between gunicorn workers (on PostgreSQL, and on SQLite,
whose writers queue on its lock).
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, Bank
from quizapp.services import accounts
from quizapp.services import classes as classes_service
from tests.conftest import make_account

STARTS = 20


@pytest.fixture
def racing_app(app: Flask, all_types: str) -> Flask:
    # the limit under test is the attempt limit, not the rate limit on starting attempts
    app.config["ATTEMPT_LIMIT_PER_ACCOUNT"] = app.config["ATTEMPT_LIMIT_PER_ADDRESS"] = "1000 per minute"
    return app


def _start_all_at_once(app: Flask, token: str, path: str, body: dict[str, Any]) -> Counter[int]:
    """POST ``body`` to ``path`` from STARTS threads released together; the statuses."""
    barrier = threading.Barrier(STARTS)
    statuses: list[int] = []
    attempt_ids: list[int] = []
    lock = threading.Lock()

    def start() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        with lock:
            statuses.append(response.status_code)
            if response.status_code in (200, 201):
                attempt_ids.append(response.get_json()["attempt"]["id"])

    threads = [threading.Thread(target=start) for _ in range(STARTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == STARTS, "every start answered"
    assert len(set(attempt_ids)) <= 1, "every start that succeeded got the same attempt"
    return Counter(statuses)


def _attempts(account_id: int) -> int:
    db.session.expire_all()
    return db.session.execute(
        select(func.count(Attempt.id)).where(Attempt.account_id == account_id)
    ).scalar_one()


def _student_with_an_assignment(max_attempts: int) -> tuple[Any, Any, str]:
    """A student in a class with an assignment of the bank; the student's bearer token."""
    room = classes_service.create_class(make_account("tess", "teacher"), "Year 9")
    student = make_account("ada")
    classes_service.add_member(room, student)
    assignment = classes_service.create_assignment(room, "all-types", max_attempts=max_attempts)
    return student, assignment, accounts.issue_token(student)


def test_twenty_simultaneous_starts_make_one_attempt_of_a_one_attempt_assignment(racing_app) -> None:
    student, assignment, token = _student_with_an_assignment(max_attempts=1)

    statuses = _start_all_at_once(racing_app, token, "/api/v1/banks/all-types/attempts",
                                  {"assignment_id": assignment.id})

    assert _attempts(student.id) == 1
    # one made it (201); the others resumed that same open attempt (200)
    assert statuses == Counter({201: 1, 200: STARTS - 1})


def test_twenty_simultaneous_starts_after_the_last_attempt_make_none(racing_app) -> None:
    student, assignment, token = _student_with_an_assignment(max_attempts=2)
    client = racing_app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    first = client.post("/api/v1/banks/all-types/attempts", json={"assignment_id": assignment.id},
                        headers=auth).get_json()["attempt"]["id"]
    assert client.post(f"/api/v1/attempts/{first}/finish", headers=auth).status_code == 200

    statuses = _start_all_at_once(racing_app, token, "/api/v1/banks/all-types/attempts",
                                  {"assignment_id": assignment.id})

    assert _attempts(student.id) == 2  # the first, and exactly one more
    assert statuses == Counter({201: 1, 200: STARTS - 1})
    finish_second = client.post("/api/v1/banks/all-types/attempts",
                                json={"assignment_id": assignment.id}, headers=auth)
    second = finish_second.get_json()["attempt"]["id"]
    assert client.post(f"/api/v1/attempts/{second}/finish", headers=auth).status_code == 200

    statuses = _start_all_at_once(racing_app, token, "/api/v1/banks/all-types/attempts",
                                  {"assignment_id": assignment.id})

    assert _attempts(student.id) == 2
    assert statuses == Counter({409: STARTS})


def test_twenty_simultaneous_starts_make_one_attempt_of_a_one_attempt_bank(racing_app) -> None:
    bank = db.session.get(Bank, "all-types")
    bank.settings = {**bank.settings, "max_attempts": 1}
    db.session.commit()
    student = make_account("ada")
    token = accounts.issue_token(student)

    statuses = _start_all_at_once(racing_app, token, "/api/v1/banks/all-types/attempts", {})

    assert _attempts(student.id) == 1
    assert statuses == Counter({201: 1, 200: STARTS - 1})


def test_twenty_simultaneous_starts_hold_a_limit_raised_by_an_accommodation(racing_app) -> None:
    """One attempt for the class, one more for this student: twenty starts after the first
    make exactly one more attempt, and twenty after that make none."""
    from quizapp.services import assignments as assignments_service

    student, assignment, token = _student_with_an_assignment(max_attempts=1)
    assignments_service.set_accommodation(assignment, student.username, extra_attempts=1)
    client = racing_app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    path, body = "/api/v1/banks/all-types/attempts", {"assignment_id": assignment.id}
    first = client.post(path, json=body, headers=auth).get_json()["attempt"]["id"]
    assert client.post(f"/api/v1/attempts/{first}/finish", headers=auth).status_code == 200

    statuses = _start_all_at_once(racing_app, token, path, body)

    assert _attempts(student.id) == 2
    assert statuses == Counter({201: 1, 200: STARTS - 1})
    second = client.post(path, json=body, headers=auth).get_json()["attempt"]["id"]
    assert client.post(f"/api/v1/attempts/{second}/finish", headers=auth).status_code == 200

    statuses = _start_all_at_once(racing_app, token, path, body)

    assert _attempts(student.id) == 2
    assert statuses == Counter({409: STARTS})
