"""Rate limits on what can be guessed or flooded: join codes, sign-ups, attempt starts, sign-ins
by JSON; and each limit's refusal says which limit was reached."""

from __future__ import annotations

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Account, Attempt
from quizapp.services import accounts
from quizapp.services import classes as classes_service
from tests.conftest import make_account, sign_in

OTHER_ADDRESS = {"REMOTE_ADDR": "10.9.8.7"}


def _bearer(account) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.issue_token(account)}"}


def _retry_after(response) -> int:
    return int(response.headers["Retry-After"])


def test_wrong_join_codes_are_limited_per_account_on_the_api_and_the_page(app, client) -> None:
    app.config["JOIN_LIMIT_PER_ACCOUNT"] = "3 per minute"
    teacher = make_account("tess", "teacher")
    room = classes_service.create_class(teacher, "Year 9")
    ada = make_account("ada")
    auth = _bearer(ada)
    for code in ("AAAAAA", "CCCCCC", "DDDDDD"):
        response = client.post("/api/v1/classes/join", json={"join_code": code}, headers=auth)
        assert response.status_code == 404
    limited = client.post("/api/v1/classes/join", json={"join_code": room.join_code}, headers=auth)
    assert limited.status_code == 429 and _retry_after(limited) > 0
    assert "wrong codes" in limited.get_json()["error"]
    # the page counts in the same bucket: no second allowance there
    sign_in(client)
    page = client.post("/classes/join", data={"code": room.join_code})
    assert page.status_code == 429 and _retry_after(page) > 0
    assert "Too many wrong codes" in page.get_data(as_text=True)
    assert classes_service.membership(room.id, ada.id) is None
    # another student (at another address) is not held up
    bob = make_account("bob")
    joined = app.test_client().post("/api/v1/classes/join", json={"join_code": room.join_code},
                                    headers=_bearer(bob), environ_base=OTHER_ADDRESS)
    assert joined.status_code == 200


def test_right_join_codes_do_not_count_against_the_limit(app, client) -> None:
    app.config["JOIN_LIMIT_PER_ACCOUNT"] = "2 per minute"
    teacher = make_account("tess", "teacher")
    rooms = [classes_service.create_class(teacher, f"Class {n}") for n in range(4)]
    auth = _bearer(make_account("ada"))
    for room in rooms:
        response = client.post("/api/v1/classes/join", json={"join_code": room.join_code}, headers=auth)
        assert response.status_code == 200


def test_wrong_join_codes_are_limited_per_address(app, client) -> None:
    app.config["JOIN_LIMIT_PER_ADDRESS"] = "4 per minute"
    statuses = []
    for name in ("ada", "bob", "cyd"):
        auth = _bearer(make_account(name))
        for code in ("AAAAAA", "CCCCCC"):
            statuses.append(client.post("/api/v1/classes/join", json={"join_code": code},
                                        headers=auth).status_code)
    assert statuses == [404, 404, 404, 404, 429, 429]


def _sign_up(client, name: str, **kwargs):
    return client.post("/signup", data={"username": name, "display_name": name.title(),
                                        "password": "correct horse", "confirm": "correct horse"},
                       **kwargs)


def test_sign_ups_are_limited_per_address(app, client) -> None:
    app.config["SIGNUP_LIMIT_PER_ADDRESS"] = "2 per minute"
    assert _sign_up(client, "ada").status_code == 303
    client.post("/logout")
    assert _sign_up(client, "bob").status_code == 303
    client.post("/logout")
    limited = _sign_up(client, "cyd")
    assert limited.status_code == 429 and _retry_after(limited) > 0
    assert "wait a minute" in limited.get_data(as_text=True)
    names = set(db.session.execute(select(Account.username)).scalars())
    assert names == {"ada", "bob"}
    assert _sign_up(app.test_client(), "cyd", environ_base=OTHER_ADDRESS).status_code == 303


def test_attempt_starts_are_limited_per_account(app, client, all_types) -> None:
    app.config["ATTEMPT_LIMIT_PER_ACCOUNT"] = "3 per minute"
    ada = make_account("ada")
    auth = _bearer(ada)
    for _ in range(3):  # the first starts, the others resume it: each is a request all the same
        response = client.post("/api/v1/banks/all-types/attempts", json={}, headers=auth)
        assert response.status_code in (200, 201)
    limited = client.post("/api/v1/banks/all-types/attempts", json={}, headers=auth)
    assert limited.status_code == 429 and _retry_after(limited) > 0
    assert "started" in limited.get_json()["error"]
    # the page's start button counts in the same bucket
    sign_in(client)
    page = client.post("/quizzes/all-types/start", data={"kind": "full"})
    assert page.status_code == 429
    assert db.session.execute(select(func.count(Attempt.id))).scalar_one() == 1


def test_attempt_starts_are_limited_per_address(app, client, all_types) -> None:
    app.config["ATTEMPT_LIMIT_PER_ADDRESS"] = "2 per minute"
    statuses = [client.post("/api/v1/banks/all-types/attempts", json={},
                            headers=_bearer(make_account(name))).status_code
                for name in ("ada", "bob", "cyd")]
    assert statuses == [201, 201, 429]


def test_a_json_sign_in_counts_against_the_accounts_limit(app, client) -> None:
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per minute"
    make_account("ada")
    for _ in range(3):
        response = client.post("/login", json={"username": "ada", "password": "wrong password"})
        assert response.status_code == 422
    # the account is held, by form and by JSON, whatever the letter case
    assert client.post("/login", data={"username": "ADA", "password": "correct horse"}).status_code == 429
    assert client.post("/login", json={"username": "ada", "password": "correct horse"}).status_code == 429


def test_the_answer_limit_says_too_many_answers_not_sign_ins(app, client, all_types) -> None:
    app.config["ANSWER_LIMIT_PER_ACCOUNT"] = "1 per minute"
    auth = _bearer(make_account("ada"))
    attempt = client.post("/api/v1/banks/all-types/attempts", json={}, headers=auth).get_json()["attempt"]
    first, second = (q["id"] for q in attempt["questions"][:2])
    path = f"/api/v1/attempts/{attempt['id']}/answers/"
    assert client.put(path + first, json={"response": "x"}, headers=auth).status_code == 200
    limited = client.put(path + second, json={"response": "x"}, headers=auth)
    assert limited.status_code == 429
    message = limited.get_json()["error"]
    assert "answers" in message and "sign-in" not in message
