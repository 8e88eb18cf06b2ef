"""Injection: what users and banks write comes back as text, never as markup or formulas.

Every field a user or a bank controls holds a payload (``LABEL <script>alert(1)</script>
"><img src=x onerror=alert(1)>``, and ``javascript:`` links where Markdown makes links): display
names, class names, nicknames, a typed answer, a roster's names, a bank's title, description,
prompts, choices, items, pairs, explanations and feedback, and an article's title, image text,
headings and paragraphs (from a seeds folder of the test's own). Then:

- HTML: no payload is markup (no inline script, no ``on*`` attribute, no ``img src=x``, no
  ``javascript:`` URL), and wherever a label shows, the whole payload follows it as text;
- JSON: the payload is the exact string;
- CSV (grid, leaderboard, ``quizapp users import``): a cell starting with =, +, - or @ gets a
  leading ';
- every kind of response carries the security headers.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from quizapp.banks import validate_paths
from quizapp.extensions import db
from quizapp.models import Classroom
from quizapp.scoring import key_response
from quizapp.services import accounts, quiz
from quizapp.services import classes as classes_service
from quizapp.services.banks import sync_banks
from tests.security.conftest import PASSWORD

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_LINK = "[click](javascript:alert(1)) <javascript:alert(1)>"
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-1+1", "@SUM(A1:A2)"]
BANK_ID = "xss"
ARTICLE_ID = "xss-news"


def payload(label: str) -> str:
    return f"{label} {SCRIPT} {IMG}"


# -- what HTML must never contain ----------------------------------------------------------------


class _Page(HTMLParser):
    """A page's tags, with what is wrong with them, and its text and attribute values as read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append(f"inline or foreign <script {values}>")
        if tag == "img" and values.get("src") == "x":
            self.problems.append("an <img src=x> made of a payload")
        for name, value in attrs:
            self.values.append(value or "")
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>: an event handler attribute")
            url = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            if name in ("href", "src", "action", "formaction", "srcdoc", "data") and \
                    url.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.problems.append(f"<{tag} {name}={value!r}>: a script URL")

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


#: What each label stands for, where it is not ``payload(label)``.
VALUES = {"XNICKA": f"XNICKA {SCRIPT}", "XNICKB": f"XNICKB {IMG}"}


def html_problems(text: str, labels: list[str] = ()) -> list[str]:  # type: ignore[assignment]
    """What is wrong with a page: payloads as markup, or a label's payload not shown as text."""
    problems = [f"the raw payload {raw!r} is in the page" for raw in (SCRIPT, "<img src=x onerror=alert(1)>")
                if raw in text]
    page = _Page()
    page.feed(text)
    page.close()
    problems += page.problems
    shown = re.sub(r"\s+", " ", "".join(page.text))
    for label in labels:
        value = VALUES.get(label, payload(label))
        if value not in shown and value not in page.values:
            problems.append(f"{label}: {value!r} is not shown as text")
    return problems


# -- the world ----------------------------------------------------------------------------------


def write_seeds(seeds: Path) -> None:
    meta = {"id": ARTICLE_ID, "title": payload("XATITLE"),
            "image": {"alt": payload("XALT"), "caption": payload("XCAPTION")}}
    body = (f"{payload('XPARA')} {JS_LINK}\n\n## {payload('XHEAD')}\n\n"
            "A second paragraph, plain.\n")
    seeds.mkdir()
    (seeds / f"{ARTICLE_ID}.md").write_text(
        "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n\n" + body, encoding="utf-8")


def bank_data() -> dict[str, Any]:
    def question(kind: str, **fields: Any) -> dict[str, Any]:
        tag = kind.upper()
        return {"id": kind.replace("_", "-"), "type": kind, "prompt": f"{payload('XPROMPT' + tag)} {JS_LINK}",
                "explanation": f"{payload('XEXPLAIN' + tag)} {JS_LINK}", **fields}

    return {
        "format": 1, "id": BANK_ID, "title": payload("XBTITLE"),
        "description": f"{payload('XBDESC')} {JS_LINK}", "source": ARTICLE_ID,
        "settings": {"shuffle_choices": False},
        "questions": [
            question("single", choices=[payload("XCHOICE"), "Plain"], answer="Plain",
                     feedback={payload("XCHOICE"): payload("XFEEDBACK")},
                     evidence={"paragraph": 1, "quote": payload("XPARA")}),
            question("multiple", choices=[payload("XMCHOICE"), "A", "B"], answer=["A"],
                     feedback={payload("XMCHOICE"): payload("XMFEEDBACK")}),
            question("true_false", answer=True),
            question("short", answer=payload("XSHORTKEY")),
            question("numeric", answer=5),
            question("ordering", items=[payload("XITEM"), "Second", "Third"]),
            question("matching", pairs={payload("XLEFT"): payload("XRIGHT"), "L2": "R2"},
                     distractors=[payload("XDISTRACT")]),
        ],
    }


@dataclass
class World:
    app: Flask
    class_id: int = 0
    assignment_id: int = 0
    attempt_id: int = 0
    cookies: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    cards: str = ""

    def client(self, who: str | None) -> Any:
        client = self.app.test_client()
        if who:
            client.set_cookie("session", self.cookies[who])
        return client

    def get(self, who: str | None, path: str, **kwargs: Any) -> Any:
        return self.client(who).get(path, **kwargs)

    def api(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        return self.app.test_client().open("/api/v1" + path, method=method,
                                           headers={"Authorization": f"Bearer {self.tokens[who]}"}, **kwargs)


def _cookie(client: Any) -> str:
    return client.get_cookie("session").value


@pytest.fixture
def xss(app: Flask, tmp_path: Path) -> World:
    write_seeds(tmp_path / "seeds")
    (tmp_path / "bank.yaml").write_text(yaml.safe_dump(bank_data(), allow_unicode=True), encoding="utf-8")
    report = validate_paths([tmp_path / "bank.yaml"], tmp_path / "seeds")
    assert report.ok, report.problems
    sync_banks(report.banks)
    db.session.commit()
    world = World(app)

    accounts.create_account("tea.cher", payload("XTNAME"), PASSWORD, "teacher")
    teacher = app.test_client()
    assert teacher.post("/login", data={"username": "tea.cher", "password": PASSWORD}).status_code == 303
    world.cookies["teacher"] = _cookie(teacher)
    made = teacher.post("/classes/new", data={"name": payload("XCLASS")})
    assert made.status_code == 303, made.status_code
    world.class_id = int(made.headers["Location"].rsplit("/", 1)[1])
    room = db.session.get(Classroom, world.class_id)
    assert teacher.post(f"/classes/{room.id}/assignments", data={"bank": BANK_ID}).status_code == 303
    db.session.expire_all()
    world.assignment_id = db.session.get(Classroom, world.class_id).assignments[0].id

    # a student signs up with a payload for a name, joins, and types a payload for an answer
    student = app.test_client()
    signed_up = student.post("/signup", data={"username": "stu.dent", "display_name": payload("XSNAME"),
                                              "password": PASSWORD, "confirm": PASSWORD})
    assert signed_up.status_code == 303, signed_up.status_code
    world.cookies["student"] = _cookie(student)
    assert student.post("/classes/join", data={"code": room.join_code}).status_code == 303
    started = student.post(f"/quizzes/{BANK_ID}/start", data={"assignment_id": world.assignment_id})
    world.attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
    answers = [{"choice": payload("XCHOICE")}, {"choice": [payload("XMCHOICE")]}, {"answer": "false"},
               {"answer": payload("XTYPED")}, {"answer": "4"},
               {"position-0": "1", "position-1": "2", "position-2": "3"}, {}]
    for number, data in enumerate(answers, start=1):
        response = student.post(f"/attempts/{world.attempt_id}/questions/{number}", data=data)
        assert response.status_code == 303, (number, response.status_code)
    assert student.post(f"/attempts/{world.attempt_id}/finish").status_code == 303

    # a second student with the other payload for a nickname, and students named like formulas
    nicknames = {"stu.dent": f"XNICKA {SCRIPT}", "stu.two": f"XNICKB {IMG}"}
    others = [("stu.two", payload("XSNAMETWO")),
              *[(f"csv.{n}", formula) for n, formula in enumerate(FORMULAS)]]
    for username, name in others:
        account = accounts.create_account(username, name, PASSWORD)
        classes_service.join(account, room.join_code)
        attempt = quiz.start_attempt(account.id, BANK_ID, assignment_id=world.assignment_id)
        attempt = quiz.load_attempt(attempt.id, account.id)
        for item in attempt.items[:2]:
            quiz.answer_question(attempt, item, key_response(quiz.question_of(item)))
        quiz.finish_attempt(attempt)
    for username, nickname in nicknames.items():
        account_id = accounts.get_by_username(username).id
        saved = teacher.post(f"/classes/{room.id}/members/{account_id}/nickname", data={"nickname": nickname})
        assert saved.status_code == 303, saved.status_code
    for who in ("tea.cher", "stu.dent"):
        world.tokens[who] = accounts.issue_token(accounts.get_by_username(who))

    rows = io.StringIO()
    csv.writer(rows).writerows([["username", "display_name"], ["ros.ter", payload("XRNAME")],
                                ["ros.two", FORMULAS[0]]])
    cards = teacher.post(f"/classes/{room.id}/roster", content_type="multipart/form-data",
                         data={"roster": (io.BytesIO(rows.getvalue().encode()), "roster.csv")})
    assert cards.status_code == 200, cards.status_code
    world.cards = cards.get_data(as_text=True)
    return world


def set_board_names(world: World, names: str) -> None:
    response = world.client("teacher").post(f"/classes/{world.class_id}/board-settings",
                                            data={"names": names})
    assert response.status_code == 303, response.status_code


# -- HTML ---------------------------------------------------------------------------------------

PROMPTS = [f"XPROMPT{kind}" for kind in ("SINGLE", "MULTIPLE", "TRUE_FALSE", "SHORT", "NUMERIC",
                                          "ORDERING", "MATCHING")]
EXPLANATIONS = [p.replace("XPROMPT", "XEXPLAIN") for p in PROMPTS]


def test_html_shows_every_payload_as_text(xss: World) -> None:
    c, a, t = xss.class_id, xss.assignment_id, xss.attempt_id
    fresh = xss.client("student").post(f"/quizzes/{BANK_ID}/start", data={"kind": "full"})
    fresh_id = int(fresh.headers["Location"].rsplit("/", 1)[1])
    quote = "/articles/" + ARTICLE_ID + "?hl=1&quote=" + SCRIPT
    pages: list[tuple[str | None, str, list[str]]] = [
        (None, "/", ["XBTITLE", "XBDESC", "XATITLE"]),
        (None, f"/quizzes/{BANK_ID}", ["XBTITLE", "XBDESC", "XATITLE"]),
        (None, f"/articles/{ARTICLE_ID}", ["XATITLE", "XALT", "XCAPTION", "XPARA", "XHEAD", "XBTITLE"]),
        ("student", quote, ["XPARA"]),
        ("student", f"/articles/{ARTICLE_ID}?hl=1&quote=XPARA", ["XPARA"]),
        (None, "/quizzes/" + SCRIPT, []),
        (None, "/login?next=" + SCRIPT, []),
        # a fresh attempt: prompts, choices, items and pairs, before answering
        *[("student", f"/attempts/{fresh_id}/questions/{n}", [prompt])
          for n, prompt in enumerate(PROMPTS, 1)],
        ("student", f"/attempts/{fresh_id}/questions/1", ["XCHOICE"]),
        ("student", f"/attempts/{fresh_id}/questions/2", ["XMCHOICE"]),
        ("student", f"/attempts/{fresh_id}/questions/6", ["XITEM"]),
        ("student", f"/attempts/{fresh_id}/questions/7", ["XLEFT", "XRIGHT", "XDISTRACT"]),
        # the answered attempt: explanations, feedback, the typed answer, the key, the evidence
        *[("student", f"/attempts/{t}/questions/{n}", [e]) for n, e in enumerate(EXPLANATIONS, 1)],
        ("student", f"/attempts/{t}/questions/1", ["XFEEDBACK", "XCHOICE", "XPARA"]),
        ("student", f"/attempts/{t}/questions/2", ["XMFEEDBACK"]),
        ("student", f"/attempts/{t}/questions/4", ["XTYPED", "XSHORTKEY"]),
        ("student", f"/attempts/{t}/results", [*PROMPTS, *EXPLANATIONS, "XTYPED", "XSHORTKEY", "XBTITLE"]),
        ("student", "/progress", ["XBTITLE"]),
        ("student", "/account/password", ["XSNAME"]),
        ("student", "/classes/", ["XCLASS", "XTNAME"]),
        ("student", f"/classes/{c}", ["XCLASS", "XTNAME", "XNICKA", "XBTITLE"]),
        ("student", f"/classes/{c}/board", ["XSNAME", "XSNAMETWO"]),
        ("student", f"/classes/{c}/assignments/{a}/board", ["XSNAME", "XBTITLE"]),
        ("teacher", "/classes/", ["XCLASS"]),
        ("teacher", f"/classes/{c}", ["XCLASS", "XSNAME", "XSNAMETWO", "XNICKA", "XNICKB", "XBTITLE"]),
        ("teacher", f"/classes/{c}/board", ["XSNAME", "XSNAMETWO"]),
        ("teacher", f"/classes/{c}/projector", ["XCLASS", "XSNAME"]),
        ("teacher", f"/classes/{c}/assignments/{a}/projector", ["XCLASS", "XBTITLE", "XSNAME"]),
        ("teacher", f"/classes/{c}/assignments/{a}/report", ["XCLASS", "XSNAME", "XTYPED", *PROMPTS]),
    ]
    problems: list[str] = []
    for who, path, labels in pages:
        response = xss.get(who, path)
        if response.status_code not in (200, 404) or response.mimetype != "text/html":
            problems.append(f"{path} as {who}: {response.status_code} {response.mimetype}")
        problems += [f"{path} as {who}: {p}" for p in html_problems(response.get_data(as_text=True), labels)]
    problems += [f"roster cards: {p}" for p in html_problems(xss.cards, ["XRNAME", "XCLASS"])]
    set_board_names(xss, "nickname")
    for who, path in (("student", f"/classes/{c}/board"), ("teacher", f"/classes/{c}/board"),
                      ("teacher", f"/classes/{c}/projector")):
        text = xss.get(who, path).get_data(as_text=True)
        problems += [f"{path} (nicknames) as {who}: {p}" for p in html_problems(text, ["XNICKA", "XNICKB"])]
    assert not problems, "\n".join(problems)


def test_no_javascript_url_survives_sign_in(xss: World) -> None:
    for target in ("javascript:alert(1)", "//evil.example/", "https://evil.example/", "/\\evil.example"):
        client = xss.app.test_client()
        response = client.post("/login?next=" + target, data={"username": "tea.cher", "password": PASSWORD})
        assert response.status_code == 303
        assert response.headers["Location"] == "/", (target, response.headers["Location"])


# -- JSON ---------------------------------------------------------------------------------------


def strings_in(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings_in(k) | strings_in(v) for k, v in value.items())) if value else set()
    if isinstance(value, list):
        return set().union(*(strings_in(v) for v in value)) if value else set()
    return set()


def json_of(response: Any) -> Any:
    assert response.mimetype == "application/json", response.mimetype
    return response.get_json()


def test_json_carries_every_payload_as_the_exact_string(xss: World) -> None:
    c, a = xss.class_id, xss.assignment_id
    expected: list[tuple[str, Any, list[str]]] = [
        ("GET /banks", xss.api("stu.dent", "GET", "/banks"), [payload("XBTITLE")]),
        ("GET /attempts", xss.api("stu.dent", "GET", f"/attempts/{xss.attempt_id}"),
         [f"{payload('XPROMPTSINGLE')} {JS_LINK}", payload("XCHOICE"), payload("XMCHOICE"), payload("XITEM"),
          payload("XLEFT"), payload("XRIGHT"), payload("XDISTRACT"), f"{payload('XEXPLAINSINGLE')} {JS_LINK}",
          payload("XFEEDBACK"), payload("XTYPED"), payload("XPARA")]),
        ("GET leaderboard", xss.api("stu.dent", "GET", f"/classes/{c}/leaderboard"),
         [payload("XSNAME"), payload("XSNAMETWO"), *FORMULAS]),
        ("GET assignments", xss.api("tea.cher", "GET", f"/classes/{c}/assignments"), [payload("XBTITLE")]),
        ("GET results", xss.api("tea.cher", "GET", f"/assignments/{a}/results"),
         [payload("XSNAME"), f"{payload('XPROMPTSHORT')} {JS_LINK}", payload("XTYPED")]),
        ("POST /classes", xss.api("tea.cher", "POST", "/classes", json={"name": payload("XAPICLASS")}),
         [payload("XAPICLASS")]),
        ("projector.json", xss.get("teacher", f"/classes/{c}/projector.json"),
         [payload("XCLASS"), payload("XSNAME")]),
        ("my data", xss.get("student", "/account/data.json"),
         [payload("XSNAME"), payload("XCLASS"), f"XNICKA {SCRIPT}", payload("XTYPED")]),
    ]
    set_board_names(xss, "nickname")
    expected.append(("GET leaderboard (nicknames)", xss.api("stu.dent", "GET", f"/classes/{c}/leaderboard"),
                     [f"XNICKA {SCRIPT}", f"XNICKB {IMG}"]))
    problems = []
    for what, response, values in expected:
        if response.status_code >= 400:
            problems.append(f"{what}: {response.status_code}")
            continue
        found = strings_in(json_of(response))
        problems += [f"{what}: {value!r} is not in the JSON as itself"
                     for value in values if value not in found]
    assert not problems, "\n".join(problems)


# -- CSV ----------------------------------------------------------------------------------------


def cells_of(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def formula_problems(text: str, formulas: list[str]) -> list[str]:
    cells = cells_of(text)
    problems = [f"cell {cell!r} would run as a formula" for cell in cells
                if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    problems += [f"{formula!r} is not there as \"'{formula}\""
                 for formula in formulas if "'" + formula not in cells]
    return problems


def test_csv_downloads_neutralise_formulas(xss: World) -> None:
    c, a = xss.class_id, xss.assignment_id
    problems = []
    for path in (f"/classes/{c}/board.csv", f"/classes/{c}/assignments/{a}/board.csv",
                 f"/classes/{c}/assignments/{a}/grid.csv"):
        response = xss.get("teacher", path)
        assert response.status_code == 200 and response.mimetype == "text/csv", (path, response.status_code)
        assert response.headers["Content-Disposition"].startswith("attachment;")
        text = response.get_data(as_text=True)
        problems += [f"{path}: {p}" for p in formula_problems(text, FORMULAS)]
        if payload("XSNAME") not in cells_of(text):  # CSV is not HTML: the name is kept as written
            problems.append(f"{path}: the payload name is not there as written")
    set_board_names(xss, "nickname")
    student = accounts.get_by_username("csv.0")
    nickname = xss.client("teacher").post(f"/classes/{c}/members/{student.id}/nickname",
                                          data={"nickname": "=1+2"})
    assert nickname.status_code == 303
    text = xss.get("teacher", f"/classes/{c}/board.csv").get_data(as_text=True)
    problems += [f"board.csv (nicknames): {p}" for p in formula_problems(text, ["=1+2"])]
    assert not problems, "\n".join(problems)


def test_users_import_output_neutralises_formulas(app: Flask, tmp_path: Path) -> None:
    rows = io.StringIO()
    csv.writer(rows).writerows([
        ["username", "display_name", "role", "password"],
        *[[f"imp.{n}", formula, "student", ""] for n, formula in enumerate(FORMULAS)],
        ["=cmd|' /C calc'!A0", "Bad Name", "student", ""],  # refused, but echoed in the output
        ["imp.xss", payload("XIMPORT"), "student", ""],
    ])
    path = tmp_path / "people.csv"
    path.write_text(rows.getvalue(), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1, result.output  # one row could not be imported
    assert formula_problems(result.stdout, [*FORMULAS, "=cmd|' /C calc'!A0"]) == []
    assert payload("XIMPORT") in cells_of(result.stdout)


# -- headers ------------------------------------------------------------------------------------


def header_problems(what: str, response: Any) -> list[str]:
    headers = response.headers
    problems = []
    policy = {}
    for directive in headers.get("Content-Security-Policy", "").split(";"):
        name, *sources = directive.split()
        if name:
            policy[name.lower()] = sources
    scripts = policy.get("script-src", policy.get("default-src"))
    if not scripts:
        problems.append("no script-src or default-src in Content-Security-Policy")
    for name in ("script-src", "script-src-elem", "script-src-attr", "default-src"):
        governs_scripts = name != "default-src" or "script-src" not in policy
        if "'unsafe-inline'" in policy.get(name, []) and governs_scripts:
            problems.append(f"{name} allows 'unsafe-inline'")
    if policy.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors is {policy.get('frame-ancestors')}")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"X-Content-Type-Options is {headers.get('X-Content-Type-Options')!r}")
    if not headers.get("Referrer-Policy"):
        problems.append("no Referrer-Policy")
    return [f"{what}: {p}" for p in problems]


def test_security_headers_on_html_json_and_csv(xss: World) -> None:
    c = xss.class_id
    responses = {
        "HTML page": xss.get("student", "/"),
        "HTML error page": xss.get(None, "/quizzes/nothing-here"),
        "HTML redirect": xss.get(None, "/progress"),
        "JSON API": xss.api("stu.dent", "GET", "/banks"),
        "JSON API error": xss.app.test_client().get("/api/v1/banks"),
        "JSON page": xss.get("teacher", f"/classes/{c}/projector.json"),
        "JSON download": xss.get("student", "/account/data.json"),
        "JSON health": xss.get(None, "/healthz"),
        "CSV download": xss.get("teacher", f"/classes/{c}/board.csv"),
        "static script": xss.get(None, "/static/quiz.js"),
    }
    kinds = {"text/html", "application/json", "text/csv"}
    seen = {r.mimetype for r in responses.values()}
    assert kinds <= seen, seen
    problems = []
    for what, response in responses.items():
        problems += header_problems(what, response)
        response.close()
    assert not problems, "\n".join(problems)
