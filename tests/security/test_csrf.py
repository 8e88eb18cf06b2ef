"""CSRF: with protection on, no state-changing route of the URL map acts on a request a
cross-site page could make, and nothing in the database changes.

Every POST, PUT, PATCH and DELETE rule is enumerated from the URL map and sent as the actor the
authorization table lets do it (so the only thing wrong with the request is its CSRF token):

- pages: a form without a token, with a forged one, and with another session's token are all
  400; with a same-site Referer the app's friendly redirect back (303) instead; every table is
  the same afterwards. The same request with the session's token gets the table's status.
- the API: riding on the session cookie, a JSON write without ``X-CSRFToken`` (or with a forged
  one), a form POST and a ``text/plain`` body are refused and change nothing; with the header,
  or with a bearer token and no CSRF token at all, the write goes through.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import Rule

from tests.security.conftest import (
    UNSAFE,
    World,
    body_for,
    changed_tables,
    client_for,
    csrf_token_of,
    is_api,
    methods_of,
    path_for,
    rebuild_world,
    rules,
    snapshot,
)
from tests.security.test_authorization import expected_for

#: Whom to send a write as: the first of these the authorization table lets make it.
PREFERENCE = ("anon", "s1", "t1", "s2", "t2")
REFUSED = "Missing or invalid CSRF token."
#: What the cookie call with a valid X-CSRFToken gets, where it differs from the bearer call:
#: revoking "the current token" needs a token to revoke, which a cookie is not.
COOKIE_STATUS = {"api.revoke_token": "401"}
#: Writes that only a live game's player token makes (tests/web/test_api_games.py).
PLAYER_TOKEN_ONLY = {"api.answer_game"}


def unsafe_routes(app: Flask, api: bool) -> list[tuple[Rule, str]]:
    found = [(rule, method) for rule in rules(app) for method in methods_of(rule)
             if method in UNSAFE and is_api(rule) == api]
    assert found, "no state-changing routes found in the URL map"
    return found


def allowed_actor(rule: Rule, method: str) -> tuple[str, str]:
    """The actor who may make this write, and the status they get."""
    expected = expected_for(rule.endpoint, method)
    assert expected is not None, f"unclassified route: {method} {rule.rule} (add it to test_authorization)"
    for actor in PREFERENCE:
        status = expected[actor]
        if status.isdigit() and 200 <= int(status) < 400:
            return actor, status
    raise AssertionError(f"{method} {rule.rule}: no actor may make this write")


@pytest.fixture
def csrf_on(app: Flask, world: World) -> Flask:
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _fresh(app: Flask) -> World:
    """A new world (built with CSRF off, as a sign-in needs no token in the fixtures)."""
    app.config["WTF_CSRF_ENABLED"] = False
    world = rebuild_world(app)
    app.config["WTF_CSRF_ENABLED"] = True
    return world


def test_every_page_write_needs_the_forms_csrf_token(csrf_on: Flask) -> None:
    app = csrf_on
    problems: list[str] = []
    for rule, method in unsafe_routes(app, api=False):
        world = _fresh(app)
        actor, status = allowed_actor(rule, method)
        path = path_for(rule, world)
        name = f"{method} {path} ({rule.endpoint}) as {actor}"
        client = client_for(app, world, actor)
        token = csrf_token_of(client)  # the session holds a token, as a victim's would
        other_token = csrf_token_of(app.test_client())
        before = snapshot()
        refusals: list[tuple[str, dict[str, str], dict[str, str], int]] = [
            ("no token", {}, {}, 400),
            ("a forged token", {"csrf_token": "forged"}, {}, 400),
            ("another session's token", {"csrf_token": other_token}, {}, 400),
            # a stale form on one of the app's own pages: sent back there, nothing saved
            ("no token, same-site Referer", {}, {"Referer": "http://localhost/classes/"}, 303),
        ]
        for what, extra, headers, refused in refusals:
            kwargs = body_for(rule.endpoint, method, world, actor)
            kwargs["data"] = {**kwargs.get("data", {}), **extra}
            response = client.open(path, method=method, headers=headers, **kwargs)
            if response.status_code != refused:
                problems.append(f"{name} with {what}: {response.status_code}, expected {refused}")
            elif refused == 303 and response.headers["Location"] != headers["Referer"]:
                problems.append(f"{name} with {what}: redirected to {response.headers['Location']}")
            changed = changed_tables(before, snapshot())
            if changed:
                problems.append(f"{name} with {what}: changed {changed}")
                before = snapshot()
        # the same request with the session's token is not refused: the token was all it lacked
        kwargs = body_for(rule.endpoint, method, world, actor)
        kwargs["data"] = {**kwargs.get("data", {}), "csrf_token": token}
        response = client.open(path, method=method, **kwargs)
        if str(response.status_code) != status:
            problems.append(f"{name} with its token: {response.status_code}, expected {status}")
    assert not problems, "\n".join(problems)


def _api_send(client: Any, path: str, method: str, headers: dict[str, str] | None = None,
              **kwargs: Any) -> Any:
    return client.open(path, method=method, headers=headers or {}, **kwargs)


def test_api_writes_on_the_session_cookie_need_the_csrf_header_bearer_writes_do_not(
        csrf_on: Flask) -> None:
    app = csrf_on
    problems: list[str] = []
    for rule, method in unsafe_routes(app, api=True):
        world = _fresh(app)
        if rule.endpoint in PLAYER_TOKEN_ONLY:
            # its one credential is a game's player token, which no browser sends on its own:
            # a session cookie never authenticates it, with or without the CSRF header
            browser = client_for(app, world, "s1")
            body = body_for(rule.endpoint, method, world, "s1").get("json")
            for headers in ({}, {"X-CSRFToken": csrf_token_of(browser)}):
                response = _api_send(browser, path_for(rule, world), method, headers, json=body)
                if response.status_code != 401:
                    problems.append(f"{method} {rule.rule} on s1's cookie: {response.status_code}")
            continue
        actor, status = allowed_actor(rule, method)
        cookie_actor = "s1" if actor == "anon" else actor
        path = path_for(rule, world)
        name = f"{method} {path} ({rule.endpoint})"
        body = body_for(rule.endpoint, method, world, cookie_actor).get("json")
        authenticated = expected_for(rule.endpoint, method)["anon"] == "401"
        browser = client_for(app, world, cookie_actor)
        token = csrf_token_of(browser)
        before = snapshot()
        text = json.dumps(body if body is not None else {})
        attacks: list[tuple[str, dict[str, Any]]] = [
            ("a cross-site form", {"data": body or {"x": "1"}}),
            ("a text/plain body", {"data": text, "content_type": "text/plain"}),
        ]
        if authenticated:
            attacks += [
                ("JSON without X-CSRFToken", {"json": body} if body is not None else {}),
                ("JSON with a forged X-CSRFToken",
                 {"json": body, "headers": {"X-CSRFToken": "forged"}} if body is not None
                 else {"headers": {"X-CSRFToken": "forged"}}),
            ]
        for what, kwargs in attacks:
            response = _api_send(browser, path, method, **kwargs)
            data = response.get_json(silent=True)
            if not 400 <= response.status_code < 500 or not isinstance(data, dict) or "error" not in data:
                problems.append(f"{name} on {cookie_actor}'s cookie with {what}: "
                                f"{response.status_code} {response.get_data(as_text=True)[:120]}")
            elif authenticated and (response.status_code, data["error"]) != (400, REFUSED):
                problems.append(f"{name} on {cookie_actor}'s cookie with {what}: "
                                f"{response.status_code} {data['error']!r}, expected 400 {REFUSED!r}")
            changed = changed_tables(before, snapshot())
            if changed:
                problems.append(f"{name} on {cookie_actor}'s cookie with {what}: changed {changed}")
                before = snapshot()
        if not authenticated:
            continue  # it rides on no cookie (POST /tokens takes credentials in its JSON body)
        # the token was all that was missing: with it the cookie call goes through
        kwargs = {"json": body} if body is not None else {}
        response = _api_send(browser, path, method, {"X-CSRFToken": token}, **kwargs)
        wanted = COOKIE_STATUS.get(rule.endpoint, status)
        if str(response.status_code) != wanted:
            problems.append(f"{name} on the cookie with X-CSRFToken: {response.status_code}, "
                            f"expected {wanted}")
        # a bearer token is not sent by browsers on their own, so it needs no CSRF token
        world = _fresh(app)
        path = path_for(rule, world)
        body = body_for(rule.endpoint, method, world, actor).get("json")
        kwargs = {"json": body} if body is not None else {}
        response = _api_send(app.test_client(), path, method,
                             {"Authorization": f"Bearer {world.tokens[actor]}"}, **kwargs)
        if str(response.status_code) != status:
            problems.append(f"{name} with a bearer token and no CSRF token: {response.status_code}, "
                            f"expected {status}")
    assert not problems, "\n".join(problems)
