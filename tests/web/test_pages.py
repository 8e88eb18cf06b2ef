"""Pages a student uses: accounts, the catalogue, the reader, health and error pages."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import Account
from tests.conftest import ROOT, load_banks, make_account, sign_in


def test_sign_up_signs_in_and_lands_on_the_catalogue(app, client) -> None:
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"  # the production default
    response = client.post("/signup", data={
        "username": "Ada.L", "display_name": "Ada  Lovelace", "password": "correct horse",
        "confirm": "correct horse"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Welcome, Ada Lovelace!" in response.text
    account = db.session.execute(db.select(Account)).scalar_one()
    assert account.username == "ada.l" and account.role == "student"
    assert account.password_hash.startswith("scrypt:")
    assert "correct horse" not in account.password_hash


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "x"}, "Use 3 to 32 letters"),
        ({"password": "short", "confirm": "short"}, "Field must be between 8 and 200 characters"),
        ({"confirm": "different words"}, "The passwords differ."),
        ({"display_name": ""}, "This field is required."),
    ],
)
def test_sign_up_mistakes_are_shown_next_to_the_form(app, client, data, message) -> None:
    form = {"username": "ada", "display_name": "Ada", "password": "correct horse",
            "confirm": "correct horse", **data}
    response = client.post("/signup", data=form)
    assert response.status_code == 422
    assert message in response.text
    assert db.session.execute(db.select(Account)).first() is None


def test_a_taken_username_is_refused(app, client) -> None:
    make_account("ada")
    response = client.post("/signup", data={"username": "ADA", "display_name": "Other",
                                            "password": "correct horse", "confirm": "correct horse"})
    assert response.status_code == 422
    assert "The username &#39;ada&#39; is taken." in response.text


def test_sign_in_with_a_wrong_password_says_so(app, client) -> None:
    make_account("ada")
    response = client.post("/login", data={"username": "ada", "password": "wrong password"})
    assert response.status_code == 422
    assert "That username and password do not match." in response.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_next_never_leaves_the_site(app, client, target) -> None:
    make_account("ada")
    response = client.post("/login", query_string={"next": target},
                           data={"username": "ada", "password": "correct horse"})
    assert response.headers["Location"] == "/"


def test_next_within_the_site_is_followed(app, client) -> None:
    make_account("ada")
    response = client.post("/login", query_string={"next": "/progress"},
                           data={"username": "ada", "password": "correct horse"})
    assert response.headers["Location"] == "/progress"


def test_taking_a_quiz_needs_an_account_and_comes_back_after_sign_in(app, client, all_types) -> None:
    response = client.post(f"/quizzes/{all_types}/start")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_a_one_time_password_must_be_changed_first(app, client) -> None:
    from quizapp.services.accounts import create_account

    create_account("kid", "Kid", "temp-pass-123", must_change_password=True)
    response = client.post("/login", data={"username": "kid", "password": "temp-pass-123"})
    assert response.headers["Location"] == "/account/password"
    assert client.get("/progress").headers["Location"] == "/account/password"
    response = client.post("/account/password", data={
        "current": "temp-pass-123", "password": "my own secret", "confirm": "my own secret"})
    assert response.status_code == 303
    assert client.get("/progress").status_code == 200


def test_changing_the_password_needs_the_current_one(app, client) -> None:
    make_account("ada")
    sign_in(client)
    response = client.post("/account/password", data={
        "current": "not it at all", "password": "brand new pass", "confirm": "brand new pass"})
    assert "The current password is not right." in response.text
    client.post("/account/password", data={
        "current": "correct horse", "password": "brand new pass", "confirm": "brand new pass"})
    client.post("/logout")
    assert client.post("/login", data={"username": "ada", "password": "brand new pass"}).status_code == 303


def test_sign_out_is_a_post(app, client) -> None:
    make_account("ada")
    sign_in(client)
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/progress").status_code == 302


def test_wrong_passwords_for_one_account_meet_a_429_with_retry_after(app, client) -> None:
    make_account("ada")
    statuses = [client.post("/login", data={"username": "ada", "password": f"wrong {i}"}).status_code
                for i in range(11)]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
    response = client.post("/login", data={"username": "ada", "password": "correct horse"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many tries" in response.text


def test_a_class_behind_one_address_can_all_sign_in(app, client) -> None:
    for n in range(30):
        make_account(f"student{n}")
    for n in range(30):
        response = client.post("/login", data={"username": f"student{n}", "password": "correct horse"})
        assert response.status_code == 303, n
        client.post("/logout")


def test_the_catalogue_groups_banks_by_article_and_is_public(app, client) -> None:
    load_banks(ROOT / "questions")
    page = client.get("/").text
    assert "What happens when allies don’t trust America to keep a secret?" in page
    for title in ("Who is who", "What happened", "Reading the news"):
        assert title in page
    assert "answers as of <time datetime=\"2025-11-14\">14 November 2025</time>" in page
    assert re.search(r"16 questions", page)


def test_the_catalogue_shows_the_students_best_score(app, client, all_types) -> None:
    make_account("ada")
    sign_in(client)
    attempt = client.post(f"/quizzes/{all_types}/start").headers["Location"]
    client.post(f"{attempt}/questions/1", data={"choice": "Tulsi Gabbard"})
    client.post(f"{attempt}/finish")
    page = client.get("/").text
    assert "Your best: <strong>11%</strong> (1/9)" in page
    assert "1 attempt" in page


def test_the_reader_numbers_every_paragraph_with_an_anchor(app, client) -> None:
    load_banks(ROOT / "questions")
    page = client.get("/articles/allies-intelligence-sharing").text
    assert [int(n) for n in re.findall(r'id="p(\d+)"', page)] == list(range(1, 19))
    assert "MI6’s headquarters at Vauxhall Cross" in page  # the image caption
    assert "Credit: Tolga Akmen/Anadolu Agency via Getty Images" in page
    # the article names no outlet, author or date: the reader says so rather than invent them
    assert "Outlet not named" in page and "No author named" in page and "No date printed" in page
    assert page.count("<h2>") >= 2
    assert "Quizzes about this article" in page


def test_the_reader_marks_the_evidence_quote(app, client) -> None:
    load_banks(ROOT / "questions")
    page = client.get("/articles/allies-intelligence-sharing",
                      query_string={"hl": 9, "quote": "Patel - a partisan operator"}).text
    assert '<p id="p9" class="para highlight">' in page
    assert "<mark>Patel — a partisan operator</mark>" in page


def test_an_unknown_article_is_a_404_page(app, client) -> None:
    response = client.get("/articles/nope")
    assert response.status_code == 404
    assert "Page not found" in response.text and "<!doctype html>" in response.text


def test_markdown_in_banks_is_rendered_without_raw_html(app, client, tmp_path) -> None:
    bank = (ROOT / "tests/fixtures/all-types.yaml").read_text().replace(
        "One question of **each** type, about the allies article.",
        "'<script>alert(1)</script> **bold** <img src=x onerror=alert(2)>'")
    path = tmp_path / "x.yaml"
    path.write_text(bank)
    load_banks(path)
    page = client.get("/quizzes/all-types").text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <strong>bold</strong>" in page


def test_healthz_answers_ok(app, client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_with_the_database_down_pages_and_healthz_answer_503(tmp_path) -> None:
    down = create_app({"TESTING": True, "SECRET_KEY": "x",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    client = down.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json() == {"status": "unavailable"}
    page = client.get("/")
    assert page.status_code == 503
    assert "The quiz database is not answering" in page.text
    assert "Traceback" not in page.text


def test_an_unexpected_error_shows_a_page_without_a_traceback(app: Flask, client) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "secret detail" not in response.text and "Traceback" not in response.text


def test_a_form_without_a_csrf_token_is_refused_and_changes_nothing(app, client) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/signup", data={"username": "ada", "display_name": "Ada",
                                            "password": "correct horse", "confirm": "correct horse"})
    assert response.status_code == 400
    assert db.session.execute(db.select(Account)).first() is None


def test_every_page_carries_the_security_headers(app, client) -> None:
    for path in ("/", "/login", "/articles/nope", "/healthz", "/static/style.css"):
        response = client.get(path)
        response.close()
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "'unsafe-inline'" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"PRODUCTION": True})


def test_production_cookies_are_secure_httponly_and_samesite(tmp_path) -> None:
    app = create_app({"PRODUCTION": True, "SECRET_KEY": "k" * 32,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db.sqlite3"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    with app.test_request_context():
        from flask import session

        session["x"] = 1
        response = app.make_response("")
        app.session_interface.save_session(app, session, response)
        cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_control_characters_in_names_are_refused_or_dropped_not_a_server_error(app, client) -> None:
    response = client.post("/login", data={"username": "ada\x00", "password": "correct horse"})
    assert response.status_code == 422
    response = client.post("/signup", data={"username": "ada", "display_name": "Ada\x00\x07 L",
                                            "password": "correct horse", "confirm": "correct horse"})
    assert response.status_code == 303
    assert db.session.execute(db.select(Account)).scalar_one().display_name == "Ada L"


def test_changing_the_password_ends_other_sessions_and_revokes_tokens(app, client) -> None:
    from quizapp.services.accounts import account_for_token, get_by_username, issue_token

    make_account("ada")
    token = issue_token(get_by_username("ada"))
    sign_in(client)
    other = app.test_client()
    sign_in(other)
    assert other.get("/progress").status_code == 200
    response = client.post("/account/password", data={
        "current": "correct horse", "password": "brand new pass", "confirm": "brand new pass"})
    assert response.status_code == 303
    assert client.get("/progress").status_code == 200  # this session goes on
    assert other.get("/progress").status_code == 302  # the other one is signed out
    assert account_for_token(token) is None


def test_behind_a_proxy_the_client_address_is_the_forwarded_one(database_url) -> None:
    from tests.conftest import _config

    for hops, expected in ((0, "127.0.0.1"), (1, "203.0.113.9")):
        app = create_app({**_config(database_url), "PROXY_FIX_X_FOR": hops})

        @app.get("/whoami")
        def whoami():
            from flask import request

            return request.remote_addr or ""

        client = app.test_client()
        answer = client.get("/whoami", headers={"X-Forwarded-For": "203.0.113.9"},
                            environ_base={"REMOTE_ADDR": "127.0.0.1"})
        assert answer.text == expected
