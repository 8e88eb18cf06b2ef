"""Odd input is refused, never a server error: ids larger than the database holds, NUL bytes
(which PostgreSQL cannot store or compare) and line breaks where a URL is expected.

Every rule of the URL map is walked with each, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter, Rule

from quizapp.extensions import db
from quizapp.models import Membership
from tests.conftest import make_account
from tests.security.conftest import World, client_for, methods_of, rules, send

HUGE_ID = 99999999999999999999  # past 64 bits: SQLite cannot bind it, PostgreSQL's integer is 32
NUL = "a\x00b"
#: The insiders: whoever may reach the lookup behind each route of class 1.
INSIDERS = ("s1", "t1", "anon")


def _int_parameters(rule: Rule) -> set[str]:
    return {name for name, converter in rule._converters.items()
            if isinstance(converter, IntegerConverter)}


def _text_parameters(rule: Rule) -> set[str]:
    return set(rule._converters) - _int_parameters(rule) - {"filename"}


def _walk(app: Flask, world: World, overrides_for: Any) -> list[str]:
    """Send every method of every rule that ``overrides_for`` gives overrides, as each insider;
    what answered 500 or more."""
    problems = []
    for rule in rules(app):
        overrides = overrides_for(rule)
        if not overrides:
            continue
        for method in methods_of(rule):
            for actor in INSIDERS:
                response = send(app, world, rule, method, actor, overrides=overrides)
                if response.status_code >= 500:
                    problems.append(f"{method} {rule.rule} as {actor}: {response.status_code}")
    return problems


def test_every_route_answers_an_id_too_large_for_the_database_without_a_server_error(
        app: Flask, world: World) -> None:
    problems = _walk(app, world, lambda rule: dict.fromkeys(_int_parameters(rule), HUGE_ID))
    assert not problems, "\n".join(problems)


def test_every_route_answers_a_huge_id_with_404_for_the_classes_teacher(app: Flask,
                                                                         world: World) -> None:
    wrong = []
    for rule in rules(app):
        huge = dict.fromkeys(_int_parameters(rule), HUGE_ID)
        if huge:
            for method in methods_of(rule):
                status = send(app, world, rule, method, "t1", overrides=huge).status_code
                if status != 404:
                    wrong.append(f"{method} {rule.rule}: {status}")
    assert not wrong, "\n".join(wrong)


def test_every_route_answers_nul_in_its_path_without_a_server_error(app: Flask, world: World) -> None:
    problems = _walk(app, world, lambda rule: dict.fromkeys(_text_parameters(rule), NUL))
    assert not problems, "\n".join(problems)
    for path in ("/quizzes/all-types%00", "/articles/%00", "/static/style.css%00",
                 "/api/v1/banks/all-types%00/attempts"):
        for method in ("GET", "POST"):
            status = client_for(app, world, "s1").open(path, method=method).status_code
            assert status in (404, 405), (method, path, status)


def _members_of(class_id: int) -> int:
    db.session.remove()
    return db.session.execute(
        select(func.count()).select_from(Membership).where(Membership.classroom_id == class_id)
    ).scalar_one()


@pytest.mark.parametrize("code", ["\x00", "ABC\x00DEF", "\x00" * 6])
def test_a_join_code_with_nul_is_not_found(app: Flask, world: World, code: str) -> None:
    before = _members_of(world.class2)
    page = client_for(app, world, "s1").post("/classes/join", data={"code": code})
    assert page.status_code == 422 and "No class has that code" in page.text
    api = app.test_client().post("/api/v1/classes/join", json={"join_code": code},
                                 headers={"Authorization": f"Bearer {world.tokens['s1']}"})
    assert api.status_code == 404 and "No class has that code" in api.get_json()["error"]
    assert _members_of(world.class2) == before


def test_a_bank_id_with_nul_is_not_found(app: Flask, world: World) -> None:
    response = app.test_client().post(
        f"/api/v1/classes/{world.class1}/assignments", json={"bank_id": "all-types\x00"},
        headers={"Authorization": f"Bearer {world.tokens['t1']}"})
    assert response.status_code == 404 and response.get_json()["error"] == "There is no such quiz."
    page = client_for(app, world, "s1").post("/quizzes/all-types%00/start")
    assert page.status_code == 404


@pytest.mark.parametrize("target", ["/progress%0d%0aSet-Cookie:%20x=1", "/%0a/evil.example",
                                    "/progress%00", "/progress%0d"])
def test_a_next_with_line_breaks_or_nul_is_ignored_and_goes_home(app: Flask, target: str) -> None:
    make_account("ada")
    response = app.test_client().post(f"/login?next={target}",
                                      data={"username": "ada", "password": "correct horse"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_a_clean_next_is_still_followed(app: Flask) -> None:
    make_account("ada")
    response = app.test_client().post("/login?next=/progress%3Fa%3D1",
                                      data={"username": "ada", "password": "correct horse"})
    assert response.headers["Location"] == "/progress?a=1"
