"""Shared ground for the security tests: a world of two classes and its five actors, requests
built for every rule of the URL map, and a snapshot of every table."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from quizapp.extensions import db
from quizapp.models import Account, Article, Bank
from quizapp.scoring import key_response
from quizapp.services import accounts, authoring, games, leaderboard, quiz
from quizapp.services import classes as classes_service
from tests.conftest import sign_in

PASSWORD = "correct horse"
NEW_PASSWORD = "battery staple"
BANK_ID = "all-types"
#: A bank and an article that t1 wrote in the browser.
OWN_BANK = "own-bank"
OWN_ARTICLE = "own-article"
ARTICLE_ID = "allies-intelligence-sharing"
#: The actors, outsiders first, so that a write the class's own people may make (leaving the
#: class, finishing an attempt) happens after the outsiders were refused.
ACTORS = ("anon", "s2", "t2", "s1", "t1")
#: Tables the banks fill; a world is rebuilt without reloading them.
BANK_TABLES = {"article", "bank", "question", "question_version"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class World:
    """Class 1 (teacher t1, student s1) and class 2 (teacher t2, student s2).

    s1 has a finished attempt and an open one at class 1's assignment.
    """

    usernames: dict[str, str]
    ids: dict[str, int]
    class1: int
    class2: int
    code1: str
    code2: str
    assignment1: int
    assignment2: int
    finished_attempt: int
    open_attempt: int
    tokens: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    #: A bank draft of t1's.
    draft: int = 0
    #: A live game t1 hosts for class 1 (guests welcome), its PIN, and a guest who joined it.
    game: int = 0
    pin: str = ""
    player: int = 0


def _answer_all_right(attempt_id: int, account_id: int) -> None:
    attempt = quiz.load_attempt(attempt_id, account_id)
    for item in attempt.items:
        quiz.answer_question(attempt, item, key_response(quiz.question_of(item)))


def clear_world() -> None:
    """Delete every row but the banks' from files (so a world can be rebuilt quickly)."""
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in BANK_TABLES:
                connection.execute(table.delete())
        connection.execute(Bank.__table__.delete().where(Bank.file_path.is_(None)))
        connection.execute(Article.__table__.delete().where(Article.body.is_not(None)))
    leaderboard.clear_cache()


def build_world(app: Flask) -> World:
    names = {"s1": "stu.one", "s2": "stu.two", "t1": "tea.one", "t2": "tea.two"}
    made: dict[str, Account] = {}
    for actor, username in names.items():
        role = "teacher" if actor.startswith("t") else "student"
        made[actor] = accounts.create_account(username, username.replace(".", " ").title(), PASSWORD, role)
    room1 = classes_service.create_class(made["t1"], "Class One")
    room2 = classes_service.create_class(made["t2"], "Class Two")
    classes_service.join(made["s1"], room1.join_code)
    classes_service.join(made["s2"], room2.join_code)
    set1 = classes_service.create_assignment(room1, BANK_ID)
    set2 = classes_service.create_assignment(room2, BANK_ID)
    s1 = made["s1"].id
    finished = quiz.start_attempt(s1, BANK_ID, assignment_id=set1.id).id
    _answer_all_right(finished, s1)
    quiz.finish_attempt(quiz.load_attempt(finished, s1))
    opened = quiz.start_attempt(s1, BANK_ID, assignment_id=set1.id).id
    world = World(
        usernames=names, ids={actor: account.id for actor, account in made.items()},
        class1=room1.id, class2=room2.id, code1=room1.join_code, code2=room2.join_code,
        assignment1=set1.id, assignment2=set2.id, finished_attempt=finished, open_attempt=opened,
    )
    for actor, account in made.items():
        world.tokens[actor] = accounts.issue_token(account)
    world.draft = authoring.save_draft(made["t1"], "format: 1\n").id
    game = games.create_game(made["t1"], BANK_ID, classroom_id=room1.id)
    world.game, world.pin = game.id, str(game.pin)
    world.player = games.join(world.pin, "Player One").player.id
    authoring.create_article(made["t1"], authoring.ArticleInput("T1's article", "One paragraph."),
                             OWN_ARTICLE)
    authoring.save_bank(made["t1"], _bank(OWN_BANK))
    csrf = app.config.get("WTF_CSRF_ENABLED")
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        for actor, username in names.items():
            client = app.test_client()
            sign_in(client, username)
            cookie = client.get_cookie("session")
            assert cookie is not None
            world.cookies[actor] = cookie.value
    finally:
        app.config["WTF_CSRF_ENABLED"] = csrf
    return world


def rebuild_world(app: Flask) -> World:
    clear_world()
    return build_world(app)


@pytest.fixture
def world(app: Flask, all_types: str) -> World:
    return build_world(app)


# -- requests for any rule ----------------------------------------------------------------------


def is_api(rule: Rule) -> bool:
    return rule.rule.startswith("/api/")


def client_for(app: Flask, world: World, actor: str) -> Any:
    """A new client as ``actor``: pages ride on the session cookie (a copy, so that signing out
    or a flashed message does not carry over to the next request)."""
    client = app.test_client()
    if actor != "anon":
        client.set_cookie("session", world.cookies[actor])
    return client


def url_values(world: World, endpoint: str) -> dict[str, Any]:
    """A value for every URL parameter any rule has, pointing into class 1."""
    return {
        "class_id": world.class1,
        "assignment_id": world.assignment1,
        # the results page of a finished attempt; every other attempt route gets the open one
        # (and a mark is changed on a finished attempt, whose every question is answered)
        "attempt_id": (world.finished_attempt
                       if endpoint in ("quiz.results", "api.mark_answer", "classes.mark_answer")
                       else world.open_attempt),
        "username": world.usernames["s1"],
        "account_id": world.ids["s1"],
        "number": 1,
        "bank_id": BANK_ID,
        "article_id": ARTICLE_ID,
        "question_id": "dni",
        "filename": "style.css",
        "draft_id": world.draft,
        "game_id": world.game,
        "player_id": world.player,
        "fmt": "gift",
        # the writes of authoring that only an author may make go to t1's own bank and article
        **({"bank_id": OWN_BANK} if endpoint in ("teach.edit", "api.update_bank") else {}),
        **({"article_id": OWN_ARTICLE} if endpoint == "teach.edit_article" else {}),
    }


def path_for(rule: Rule, world: World, overrides: dict[str, Any] | None = None) -> str:
    values = {**url_values(world, rule.endpoint), **(overrides or {})}
    needed = set(rule.arguments) - set(rule.defaults or {})
    missing = needed - set(values)
    assert not missing, f"{rule.rule}: no value for URL parameter(s) {sorted(missing)}: add to url_values"
    built = rule.build({name: values[name] for name in needed}, append_unknown=False)
    assert built is not None, rule.rule
    return built[1]


def _roster() -> dict[str, Any]:
    return {"roster": (io.BytesIO(b"username,display_name\nnew.kid,New Kid\n"), "roster.csv")}


#: A body that the allowed actor would have accepted, per (endpoint, method).
BODIES: dict[tuple[str, str], Callable[[World, str], dict[str, Any]]] = {
    ("auth.login", "POST"): lambda w, a: {"data": {"username": w.usernames["s1"], "password": PASSWORD}},
    ("auth.signup", "POST"): lambda w, a: {"data": {
        "username": f"new.{a}", "display_name": "New Person", "password": PASSWORD,
        "confirm": PASSWORD}},
    ("auth.password", "POST"): lambda w, a: {"data": {
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}},
    ("quiz.start", "POST"): lambda w, a: {"data": {"assignment_id": str(w.assignment1)}},
    ("quiz.question", "POST"): lambda w, a: {"data": {"choice": "Tulsi Gabbard"}},
    ("classes.create", "POST"): lambda w, a: {"data": {"name": "New class"}},
    ("classes.join", "POST"): lambda w, a: {"data": {"code": w.code1}},
    ("games.new", "POST"): lambda w, a: {"data": {"bank": BANK_ID, "seconds": "20", "guests": "y"}},
    ("games.join", "POST"): lambda w, a: {"data": {"pin": w.pin, "nickname": f"Player {a}"}},
    ("games.answer", "POST"): lambda w, a: {"data": {"choice": "Tulsi Gabbard"}},
    ("classes.roster", "POST"): lambda w, a: {"data": _roster(), "content_type": "multipart/form-data"},
    ("classes.nickname", "POST"): lambda w, a: {"data": {"nickname": "Quiet Fox"}},
    ("classes.board_settings", "POST"): lambda w, a: {"data": {"names": "nickname"}},
    # class 1 has the bank open already: assigning it again is confirmed
    ("classes.assign", "POST"): lambda w, a: {"data": {"bank": BANK_ID, "confirm": BANK_ID}},
    ("classes.edit_assignment", "POST"): lambda w, a: {"data": {"show_answers": "immediately",
                                                                "max_attempts": "5"}},
    ("classes.copy_assignment", "POST"): lambda w, a: {"data": {"classroom": str(w.class1)}},
    ("classes.accommodation", "POST"): lambda w, a: {"data": {"student": w.usernames["s1"],
                                                              "extra_attempts": "1"}},
    ("api.create_token", "POST"): lambda w, a: {"json": {"username": w.usernames["s1"],
                                                         "password": PASSWORD}},
    ("api.start_attempt", "POST"): lambda w, a: {"json": {"assignment_id": w.assignment1}},
    ("api.answer", "PUT"): lambda w, a: {"json": {"response": "Tulsi Gabbard"}},
    ("api.create_class", "POST"): lambda w, a: {"json": {"name": "API class"}},
    ("api.join_class", "POST"): lambda w, a: {"json": {"join_code": w.code1}},
    ("api.create_assignment", "POST"): lambda w, a: {"json": {"bank_id": BANK_ID}},
    ("api.update_assignment", "PATCH"): lambda w, a: {"json": {"max_attempts": 5}},
    ("api.copy_assignment", "POST"): lambda w, a: {"json": {"class_id": w.class1}},
    ("api.set_accommodation", "PUT"): lambda w, a: {"json": {"extra_attempts": 1}},
    ("api.mark_answer", "PUT"): lambda w, a: {"json": {"score": 0.5, "comment": "Half."}},
    ("classes.mark_answer", "POST"): lambda w, a: {"data": {"score": "0.5", "comment": "Half."}},
    ("api.add_roster", "POST"): lambda w, a: {"json": {"students": [
        {"username": "new.kid", "display_name": "New Kid"}]}},
    ("teach.new_article", "POST"): lambda w, a: {"data": {
        "title": "A new article", "article_id": f"article-{a}", "body": "One paragraph.",
        "action": "save"}},
    ("teach.new_bank", "POST"): lambda w, a: {"data": {"yaml": _bank(f"new-{a}"), "action": "publish",
                                                       "visibility": "private"}},
    ("teach.draft", "POST"): lambda w, a: {"data": {"yaml": _bank(f"draft-{a}"), "action": "publish",
                                                    "visibility": "private"}},
    ("teach.upload", "POST"): lambda w, a: {"data": {"file": (io.BytesIO(_bank(f"up-{a}").encode()),
                                                              "bank.yaml")},
                                            "content_type": "multipart/form-data"},
    ("teach.import_file", "POST"): lambda w, a: {"data": {
        "import-file": (io.BytesIO(b"A statement.{T}"), "quiz.gift"), "import-format": "gift",
        "import-bank_id": f"imported-{a}", "import-title": "Imported"},
        "content_type": "multipart/form-data"},
    ("teach.preview", "POST"): lambda w, a: {"data": {"yaml": _bank("preview"), "line": "5"}},
    ("api.create_game", "POST"): lambda w, a: {"json": {"bank_id": BANK_ID}},
    ("api.join_game", "POST"): lambda w, a: {"json": {"pin": w.pin, "nickname": f"Player {a}"}},
    ("api.answer_game", "PUT"): lambda w, a: {"json": {"response": "Tulsi Gabbard"}},
    ("api.create_article", "POST"): lambda w, a: {"json": {"title": "A new article",
                                                           "body": "One paragraph.", "id": f"api-{a}"}},
    ("api.validate_bank", "POST"): lambda w, a: {"json": {"yaml": _bank("checked")}},
    ("api.export_bank", "GET"): lambda w, a: {"query_string": {"format": "gift"}},
    ("api.import_bank", "POST"): lambda w, a: {"json": {"format": "gift", "content": "A statement.{T}",
                                                        "id": f"imported-{a}", "title": "Imported"}},
    ("api.create_bank", "POST"): lambda w, a: {"json": {"yaml": _bank(f"api-{a}")}},
    ("api.update_bank", "PUT"): lambda w, a: {"json": {"yaml": _bank(OWN_BANK)}},
    ("teach.edit", "POST"): lambda w, a: {"data": {"yaml": _bank(OWN_BANK), "action": "publish",
                                                   "visibility": "private"}},
    ("teach.edit_article", "POST"): lambda w, a: {"data": {
        "title": "T1's article", "body": "One paragraph, changed.", "action": "save"}},
}


def _bank(bank_id: str) -> str:
    """A small valid bank text."""
    return (f"format: 1\nid: {bank_id}\ntitle: A bank\nquestions:\n  - id: q\n    type: true_false\n"
            "    prompt: A statement.\n    answer: true\n    explanation: Why.\n")


def body_for(endpoint: str, method: str, world: World, actor: str) -> dict[str, Any]:
    make = BODIES.get((endpoint, method))
    return make(world, actor) if make else {}


def send(app: Flask, world: World, rule: Rule, method: str, actor: str, *,
         headers: dict[str, str] | None = None, body: bool = True, client: Any = None,
         overrides: dict[str, Any] | None = None) -> Any:
    """``method`` on ``rule`` as ``actor``: the API with the actor's bearer token, pages with
    the actor's session cookie."""
    headers = dict(headers or {})
    if client is None:
        if is_api(rule):
            client = app.test_client()
            if actor != "anon":
                headers.setdefault("Authorization", f"Bearer {world.tokens[actor]}")
        else:
            client = client_for(app, world, actor)
    kwargs = body_for(rule.endpoint, method, world, actor) if body else {}
    return client.open(path_for(rule, world, overrides), method=method, headers=headers, **kwargs)


def rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def methods_of(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


# -- the database, whole -------------------------------------------------------------------------


def snapshot() -> dict[str, list[str]]:
    """Every row of every table (as text, sorted), read on a connection of its own."""
    db.session.remove()
    tables: dict[str, list[str]] = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            rows = connection.execute(select(table)).all()
            tables[table.name] = sorted(repr(tuple(row)) for row in rows)
    return tables


def changed_tables(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_of(client: Any, path: str = "/login") -> str:
    """The CSRF token a page gives this client's session (the client keeps the cookie)."""
    page = client.get(path).get_data(as_text=True)
    found = CSRF_FIELD.search(page)
    assert found, f"{path} has no CSRF token field"
    return found.group(1)
