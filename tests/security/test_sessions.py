"""Sign-in sessions end on the server: a cookie replayed after sign-out, or past its lifetime,
signs no one in; signing in starts a new session with a new CSRF token."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from sqlalchemy import update

from quizapp.extensions import db
from quizapp.models import LoginSession
from tests.conftest import make_account, sign_in


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app: Flask, cookie: str):
    """A new client (another browser, an attacker) carrying a copied session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def _signed_in(client) -> bool:
    page = client.get("/progress")
    api = client.get("/api/v1/me/progress")
    assert (page.status_code == 200) == (api.status_code == 200), (page.status_code, api.status_code)
    return page.status_code == 200


def test_a_session_cookie_replayed_after_sign_out_reads_nothing(app, client) -> None:
    make_account("ada")
    sign_in(client)
    stolen = _cookie(client)
    assert _signed_in(_replay(app, stolen))

    assert client.post("/logout").status_code == 303

    replayed = _replay(app, stolen)
    assert replayed.get("/progress").status_code == 302  # to the sign-in page
    refused = replayed.get("/api/v1/me/progress")
    assert refused.status_code == 401
    assert "error" in refused.get_json()
    assert not _signed_in(client)


def test_signing_out_ends_that_session_only(app, client) -> None:
    make_account("ada")
    sign_in(client)
    phone = app.test_client()
    sign_in(phone)
    assert client.post("/logout").status_code == 303
    assert _signed_in(phone)
    assert not _signed_in(client)


def test_a_session_ends_after_its_lifetime(app, client) -> None:
    make_account("ada")
    sign_in(client)
    assert _signed_in(client)
    lifetime = app.permanent_session_lifetime
    db.session.execute(update(LoginSession).values(
        created_at=LoginSession.created_at - lifetime - dt.timedelta(minutes=1)))
    db.session.commit()
    assert not _signed_in(client)


def test_signing_in_starts_a_new_session_and_csrf_token(app, client) -> None:
    """A token (or cookie) planted before sign-in is worth nothing after it (fixation)."""
    app.config["WTF_CSRF_ENABLED"] = True
    make_account("ada")
    page = client.get("/login").get_data(as_text=True)
    before = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    cookie_before = _cookie(client)
    assert client.post("/login", data={"username": "ada", "password": "correct horse",
                                       "csrf_token": before}).status_code == 303
    assert _cookie(client) != cookie_before
    # the old token no longer passes: signing out with it is refused as out of date
    client.post("/logout", data={"csrf_token": before})
    assert _signed_in(client)
    page = client.get("/").get_data(as_text=True)
    after = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert after != before
    assert client.post("/logout", data={"csrf_token": after}).status_code == 303
    assert not _signed_in(client)


def test_changing_the_password_ends_the_other_sessions(app, client) -> None:
    make_account("ada")
    sign_in(client)
    phone = app.test_client()
    sign_in(phone)
    response = client.post("/account/password", data={
        "current": "correct horse", "password": "battery staple", "confirm": "battery staple"})
    assert response.status_code == 303, response.text
    assert _signed_in(client)
    assert not _signed_in(phone)
