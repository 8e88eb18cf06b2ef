"""Who may do what: every rule of the URL map, every method, five actors, one table.

The actors are ``anon`` (signed out), ``s1`` (a student of class 1), ``s2`` (a student of
class 2 only), ``t1`` (class 1's teacher) and ``t2`` (class 2's teacher). Every URL parameter
points into class 1 (its class, assignment, s1's attempt, s1's account), so ``s1`` and ``t1``
are the insiders. Pages are requested with the actor's session cookie, the API with the actor's
bearer token.

Expected statuses: a number, or ``login`` for a redirect (302) to the sign-in page. A method
a rule does not have is expected to be 405 for everyone, without an entry in the table.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.exceptions import MethodNotAllowed, NotFound

from quizapp.extensions import db
from quizapp.models import Account, Attempt
from quizapp.services import accounts
from tests.security.conftest import (
    ACTORS,
    BANK_ID,
    PASSWORD,
    UNSAFE,
    World,
    is_api,
    methods_of,
    path_for,
    rebuild_world,
    rules,
    send,
)

COLUMNS = ("anon", "s1", "s2", "t1", "t2")
EVERYONE = "200 200 200 200 200"
SIGNED_IN = "login 200 200 200 200"
OWN_TEACHER = "login 403 403 200 404"  # students are refused, another teacher's class is not there
MEMBERS = "login 200 404 200 404"
OWN_ATTEMPT = "login {} 404 404 404"  # only the student whose attempt it is; the teacher too is refused

#: endpoint -> method -> statuses for the actors in COLUMNS order.
EXPECTED: dict[str, dict[str, str]] = {
    "static": {"GET": EVERYONE},
    "healthz": {"GET": EVERYONE},
    # -- accounts
    "auth.login": {"GET": EVERYONE, "POST": "303 303 303 303 303"},
    "auth.signup": {"GET": EVERYONE, "POST": "303 303 303 303 303"},
    "auth.logout": {"POST": "303 303 303 303 303"},
    "auth.password": {"GET": SIGNED_IN, "POST": "login 303 303 303 303"},
    "auth.my_data": {"GET": SIGNED_IN},  # the signed-in account's own data only
    # -- quizzes: the catalogue, banks and articles are public; attempts are their student's
    "quiz.home": {"GET": EVERYONE},
    "quiz.catalogue": {"GET": EVERYONE},
    "quiz.bank": {"GET": EVERYONE},
    "articles.read": {"GET": EVERYONE},
    "quiz.progress": {"GET": SIGNED_IN},
    # spaced review: students only (each their own); 303 back to the page when nothing is due
    "quiz.review": {"GET": "login 200 200 403 403"},
    "quiz.start_review": {"POST": "login 303 303 403 403"},
    "quiz.start": {"POST": "login 303 404 404 404"},  # for class 1's assignment: its students only
    "quiz.attempt": {"GET": OWN_ATTEMPT.format(302)},  # 302 to the next question
    "quiz.question": {"GET": OWN_ATTEMPT.format(200), "POST": OWN_ATTEMPT.format(303)},
    "quiz.finish": {"POST": OWN_ATTEMPT.format(303)},
    "quiz.results": {"GET": OWN_ATTEMPT.format(200)},
    # -- classes in the browser
    "classes.index": {"GET": SIGNED_IN},
    "classes.create": {"POST": "login 403 403 303 303"},
    "classes.join": {"POST": "login 303 303 403 403"},
    "classes.show": {"GET": MEMBERS},
    "classes.board": {"GET": MEMBERS},
    "classes.leave": {"POST": "login 303 404 403 404"},
    "classes.regenerate_code": {"POST": "login 403 403 303 404"},
    "classes.roster": {"POST": "login 403 403 200 404"},  # 200: the login cards
    "classes.nickname": {"POST": "login 403 403 303 404"},
    "classes.remove": {"POST": "login 403 403 303 404"},
    "classes.delete_student": {"POST": "login 403 403 303 404"},
    "classes.board_settings": {"POST": "login 403 403 303 404"},
    "classes.assign": {"POST": "login 403 403 303 404"},
    "classes.projector": {"GET": OWN_TEACHER},
    "classes.projector_json": {"GET": OWN_TEACHER},
    "classes.board_csv": {"GET": OWN_TEACHER},
    "classes.report": {"GET": OWN_TEACHER},
    "classes.grid_csv": {"GET": OWN_TEACHER},
    # steering an assignment (edit, delete, copy, accommodations): its class's teacher only
    "classes.edit_assignment": {"GET": OWN_TEACHER, "POST": "login 403 403 303 404"},
    "classes.delete_assignment": {"GET": OWN_TEACHER, "POST": "login 403 403 303 404"},
    "classes.copy_assignment": {"POST": "login 403 403 303 404"},  # to t1's own class 1
    "classes.accommodation": {"POST": "login 403 403 303 404"},  # for s1
    # one student's attempt, a change of its mark, a student's attempts: the class's teacher only
    "classes.attempt_review": {"GET": OWN_TEACHER},
    "classes.mark_answer": {"POST": "login 403 403 303 404"},
    "classes.student_attempts": {"GET": OWN_TEACHER},
    # -- the JSON API (bearer tokens)
    "api.openapi": {"GET": EVERYONE},
    "api.create_token": {"POST": "201 201 201 201 201"},
    "api.revoke_token": {"DELETE": "401 204 204 204 204"},
    "api.list_banks": {"GET": "401 200 200 200 200"},
    "api.my_progress": {"GET": "401 200 200 200 200"},
    "api.my_review": {"GET": "401 200 200 403 403"},
    "api.start_review": {"POST": "401 200 200 403 403"},  # 200: nothing due, no attempt
    "api.start_attempt": {"POST": "401 200 404 404 404"},  # 200: s1's open attempt, resumed
    # the attempt's student, and the teacher of its class (who sees every key and mark)
    "api.get_attempt": {"GET": "401 200 404 200 404"},
    "api.answer": {"PUT": "401 200 404 404 404"},
    "api.finish": {"POST": "401 200 404 404 404"},
    "api.create_class": {"POST": "401 403 403 201 201"},
    "api.join_class": {"POST": "401 200 200 403 403"},
    "api.create_assignment": {"POST": "401 403 404 201 404"},
    "api.add_roster": {"POST": "401 403 404 201 404"},
    "api.list_assignments": {"GET": "401 200 404 200 404"},
    "api.class_leaderboard": {"GET": "401 200 404 200 404"},
    "api.assignment_results": {"GET": "401 403 404 200 404"},
    # -- teacher control of assignments: the class's teacher only
    "api.update_assignment": {"PATCH": "401 403 404 200 404"},
    "api.delete_assignment": {"DELETE": "401 403 404 204 404"},
    "api.copy_assignment": {"POST": "401 403 404 201 404"},  # to t1's own class 1
    "api.set_accommodation": {"PUT": "401 403 404 200 404"},
    # the finished attempt's student may read it but not mark it
    "api.mark_answer": {"PUT": "401 403 404 200 404"},
    # -- authoring (teachers); BANK_ID is a bank from files, the draft is t1's
    "teach.banks": {"GET": "login 403 403 200 200"},
    "teach.upload": {"POST": "login 403 403 303 303"},  # opens as a draft
    "teach.new_bank": {"GET": "login 403 403 200 200", "POST": "login 403 403 303 303"},
    "teach.draft": {"GET": "login 403 403 200 404", "POST": "login 403 403 303 404"},
    "teach.discard": {"GET": "login 403 403 200 404", "POST": "login 403 403 303 404"},
    "teach.edit": {"GET": "login 403 403 200 404", "POST": "login 403 403 303 404"},  # t1's own bank
    "teach.preview": {"POST": "login 403 403 200 200"},
    "teach.bank": {"GET": "login 403 403 200 200"},
    "teach.download": {"GET": "login 403 403 200 200"},
    "teach.export": {"GET": "login 403 403 200 200"},  # as the YAML
    "teach.import_file": {"POST": "login 403 403 303 303"},  # opens as a draft
    "teach.copy": {"POST": "login 403 403 303 303"},
    "teach.try_bank": {"POST": "login 403 403 303 303"},
    "teach.new_article": {"GET": "login 403 403 200 200", "POST": "login 403 403 303 303"},
    "teach.edit_article": {"GET": "login 403 403 200 403", "POST": "login 403 403 303 403"},  # t1's
    "api.create_article": {"POST": "401 403 403 201 201"},
    "api.get_article": {"GET": "401 200 200 200 200"},
    "api.validate_bank": {"POST": "401 403 403 200 200"},
    "api.create_bank": {"POST": "401 403 403 201 201"},
    "api.update_bank": {"PUT": "401 404 404 200 404"},  # t1's own bank
    "api.bank_source": {"GET": "401 404 404 200 200"},
    "api.bank_preview": {"GET": "401 404 404 200 200"},
    "api.export_bank": {"GET": "401 404 404 200 200"},  # as its source
    "api.import_bank": {"POST": "401 403 403 200 200"},  # a draft, saved by nothing
    # -- live game pages: t1 hosts the game; anyone may join it with the PIN (guests welcome)
    "games.new": {"GET": "login 403 403 200 200", "POST": "login 403 403 303 303"},
    "games.host": {"GET": OWN_TEACHER},
    "games.advance": {"POST": "login 403 403 303 404"},
    "games.remove_player": {"POST": "login 403 403 303 404"},
    "games.results": {"GET": OWN_TEACHER},
    "games.results_csv": {"GET": OWN_TEACHER},
    "games.join": {"GET": EVERYONE, "POST": "303 303 303 303 303"},
    # a browser that has not joined the game is sent to the join page
    "games.play": {"GET": "302 302 302 302 302"},
    "games.answer": {"POST": "303 303 303 303 303"},
    # -- live games in the API: t1 hosts the game. Players send a player token
    # (tests/web/test_api_games.py), which no actor's account token is: answers are 401.
    "api.create_game": {"POST": "401 403 403 201 201"},
    "api.join_game": {"POST": "201 201 201 201 201"},  # guests welcome; s1 joins as himself
    "api.game_state": {"GET": "401 404 404 200 404"},
    "api.advance_game": {"POST": "401 404 404 200 404"},
    "api.answer_game": {"PUT": "401 401 401 401 401"},
    "api.remove_game_player": {"DELETE": "401 404 404 204 404"},
    "api.game_results": {"GET": "401 404 404 200 404"},
}


def expected_for(endpoint: str, method: str) -> dict[str, str] | None:
    row = EXPECTED.get(endpoint, {}).get(method)
    if row is None:
        return None
    codes = row.split()
    assert len(codes) == len(COLUMNS), f"{endpoint} {method}: {row!r} needs {len(COLUMNS)} statuses"
    return dict(zip(COLUMNS, codes, strict=True))


def outcome(response: Any) -> str:
    """The status as the table writes it: ``login`` for a redirect to the sign-in page."""
    if response.status_code == 302 and urlsplit(response.headers.get("Location", "")).path == "/login":
        return "login"
    return str(response.status_code)


def shape_problem(rule_is_api: bool, response: Any) -> str | None:
    """API errors are JSON ``{"error": ...}``; page errors are HTML."""
    if response.status_code < 400:
        return None
    if rule_is_api:
        data = response.get_json(silent=True)
        if response.mimetype != "application/json" or not isinstance(data, dict) or not data.get("error"):
            return f"API error is not JSON {{'error'}}: {response.mimetype}"
    elif response.mimetype != "text/html":
        return f"page error is {response.mimetype}, not HTML"
    return None


def routed_elsewhere(app: Flask, path: str, method: str, endpoint: str) -> bool:
    """Whether ``method`` at ``path`` belongs to another rule (which is checked on its own)."""
    try:
        found, _ = app.url_map.bind("localhost").match(path, method)
    except (MethodNotAllowed, NotFound):
        return False
    return found != endpoint


def test_every_route_answers_each_actor_as_the_table_says(app: Flask, world: World) -> None:
    problems: list[str] = []
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    problems += [f"stale table entry: {name} is not in the URL map"
                 for name in sorted(set(EXPECTED) - endpoints)]
    checked, dirty = 0, False
    for rule in rules(app):
        allowed = methods_of(rule)
        for method in sorted(set(allowed) | {"GET", "POST"}):
            if method in allowed:
                expected = expected_for(rule.endpoint, method)
                if expected is None:
                    problems.append(f"unclassified route: {method} {rule.rule} ({rule.endpoint})")
                    continue
            elif routed_elsewhere(app, path_for(rule, world), method, rule.endpoint):
                continue
            else:
                expected = dict.fromkeys(COLUMNS, "405")
            if dirty:  # every route starts from the same world, whatever the last write did
                world, dirty = rebuild_world(app), False
            path = path_for(rule, world)
            for actor in ACTORS:
                response = send(app, world, rule, method, actor, body=method in allowed)
                response.close()  # a static file's handle; the body is buffered already
                checked += 1
                got = outcome(response)
                if got != expected[actor]:
                    problems.append(f"{method} {path} ({rule.endpoint}) as {actor}: "
                                    f"{got}, expected {expected[actor]}")
                shape = shape_problem(is_api(rule), response)
                if shape:
                    problems.append(f"{method} {path} ({rule.endpoint}) as {actor}: {shape}")
            dirty = method in UNSAFE and method in allowed
    assert checked > 400, checked
    assert not problems, "\n".join(problems)


def test_an_id_from_the_other_class_is_not_found_in_this_one(app: Flask, world: World) -> None:
    """Ids that must belong together are checked together: class 1's own teacher and student
    get nothing for class 2's assignment or student named in a class 1 URL or body."""
    problems: list[str] = []
    checked = 0
    for rule in rules(app):
        foreign = {"assignment_id", "account_id"} & (set(rule.arguments) - set(rule.defaults or {}))
        if "class_id" not in rule.arguments or not foreign:
            continue
        for method in methods_of(rule):
            world = rebuild_world(app)
            overrides = {"assignment_id": world.assignment2, "account_id": world.ids["s2"]}
            for actor in ("s1", "t1"):
                response = send(app, world, rule, method, actor, overrides=overrides)
                checked += 1
                wanted = ("404",) if actor == "t1" else ("403", "404")
                if outcome(response) not in wanted:
                    problems.append(f"{method} {rule.rule} ({rule.endpoint}) with class 2's "
                                    f"{sorted(foreign)} as {actor}: {outcome(response)}")
    assert checked >= 10, checked

    # an assignment in a body or a query string
    world = rebuild_world(app)
    s1 = {"Authorization": f"Bearer {world.tokens['s1']}"}
    t1 = {"Authorization": f"Bearer {world.tokens['t1']}"}
    page = app.test_client()
    page.set_cookie("session", world.cookies["s1"])
    answers = {
        "start class 2's assignment on the page": page.post(
            f"/quizzes/{BANK_ID}/start", data={"assignment_id": str(world.assignment2)}),
        "start class 2's assignment in the API": app.test_client().post(
            f"/api/v1/banks/{BANK_ID}/attempts", headers=s1, json={"assignment_id": world.assignment2}),
        "class 1's leaderboard for class 2's assignment": app.test_client().get(
            f"/api/v1/classes/{world.class1}/leaderboard?assignment_id={world.assignment2}", headers=t1),
    }
    problems += [f"{what}: {r.status_code}" for what, r in answers.items() if r.status_code != 404]
    assert not problems, "\n".join(problems)


def test_a_teacher_cannot_delete_a_student_of_another_teachers_class(app: Flask, world: World) -> None:
    t2 = app.test_client()
    t2.set_cookie("session", world.cookies["t2"])
    roster = io.BytesIO(f"username,display_name\n{world.usernames['s1']},Anyone\n".encode())
    t2.post(f"/classes/{world.class2}/roster", data={"roster": (roster, "roster.csv")},
            content_type="multipart/form-data")
    t2.post(f"/classes/{world.class2}/members/{world.ids['s1']}/delete")
    db.session.remove()
    assert db.session.get(Account, world.ids["s1"]) is not None, "s1's account was deleted by t2"
    assert db.session.get(Attempt, world.finished_attempt) is not None, "s1's class 1 work is gone"


def test_a_one_time_password_opens_no_api_before_it_is_changed(app: Flask, world: World) -> None:
    accounts.create_account("one.time", "One Time", PASSWORD, must_change_password=True)
    client = app.test_client()
    assert client.post("/login", data={"username": "one.time", "password": PASSWORD}).status_code == 303
    assert client.get("/progress").headers["Location"] == "/account/password"  # pages wait
    started = client.post(f"/api/v1/banks/{BANK_ID}/attempts", json={})
    joined = client.post("/api/v1/classes/join", json={"join_code": world.code1})
    assert (started.status_code, joined.status_code) == (403, 403)
