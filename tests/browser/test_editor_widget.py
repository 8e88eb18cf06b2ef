"""The bank editor (quizapp/static/editor.bundle.js) on a page written to the editor's contract.

A tiny Flask app, served on 127.0.0.1 and port 0 with the app's Content-Security-Policy,
serves a bank-editing form as the contract describes it, the real bundle from
quizapp/static, and stand-ins for the validate and preview endpoints: a line with "bad" is
an error at that word, a line with "todo" a warning, a text with "servererror" gets a 500,
and one with "slow" (and no "bad") is answered only after two seconds. The form's POST
echoes what it received. The tests type into the editor with the keyboard, as a teacher
would, and fail on any script error, console error or Content-Security-Policy violation.
"""

from __future__ import annotations

import hashlib
import json
import re
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, abort, jsonify, render_template_string, request
from markupsafe import escape
from playwright.sync_api import ConsoleMessage, Page, expect
from werkzeug.serving import BaseWSGIServer, make_server

from quizapp.web import CONTENT_SECURITY_POLICY
from tests.browser.conftest import Look

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "quizapp" / "static"
BUNDLE = STATIC / "editor.bundle.js"
EDITOR_SOURCES = STATIC / "editor"
TOKEN = "csrf-token-for-the-editor-tests"

BANKS = {
    "two": textwrap.dedent("""\
        format: 1
        id: demo
        title: Demo
        questions:
          - id: first
            type: single
            prompt: Who?
            choices: [A, B]
            answer: A
          - id: second
            type: true_false
            prompt: True?
            answer: true
        """),
    # items at the key's own indentation, a comment between questions, a key after the list
    "flush": textwrap.dedent("""\
        format: 1
        questions:
        - id: first
          type: true_false
          prompt: Yes?
          answer: true
        # the next one is harder
        - id: second
          type: true_false
          prompt: No?
          answer: false

        settings:
          shuffle_choices: true
        """),
    "no-questions": "format: 1\nid: empty\n",
    "no-newline": "format: 1\nquestions:\n  - id: only\n    type: true_false\n"
                  "    prompt: Yes?\n    answer: true",
}
#: The page's templates, as the server writes them: a list item indented for `questions:`.
TEMPLATES = {
    "single": '  - id: new-question\n    type: single\n    prompt: "Write the question"\n'
              "    choices: [Right, Wrong]\n    answer: Right\n",
    "true_false": "  - id: new-question\n    type: true_false\n    prompt: Write a statement\n"
                  "    answer: true\n",
}
SINGLE = TEMPLATES["single"]

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Edit a bank · quizapp</title>
  <link rel="stylesheet" href="/static/style.css">
  <script type="module" src="/static/editor.bundle.js"></script>
</head>
<body>
  <main id="main">
    <h1>Edit “Demo”</h1>
    <form id="bank-editor" method="post">
      <input type="hidden" name="csrf_token" value="{{ token }}">
      <div class="field">
        <label for="bank-yaml">Question bank (YAML)</label>
        <textarea id="bank-yaml" name="yaml" rows="16" cols="60" spellcheck="false"
          data-validate-url="/api/v1/banks/validate" data-preview-url="/preview">{{ text }}</textarea>
      </div>
      <p id="problem-summary" aria-live="polite">Not checked yet</p>
      <ul id="problem-list"></ul>
      <p>Add a question:</p>
      <div class="actions">
        <button type="submit" class="button secondary" name="insert" value="single">Single choice</button>
        <button type="submit" class="button secondary" name="insert" value="true_false">True or false</button>
        <button type="submit" class="button secondary" name="insert" value="matching">Matching</button>
      </div>
      <div class="actions">
        <button type="submit" class="button secondary" name="action" value="check">Check</button>
        <button type="submit" class="button" name="action" value="draft">Save draft</button>
        <button type="submit" class="button" name="action" value="publish">Publish</button>
      </div>
    </form>
    <h2>Preview</h2>
    <div id="preview" aria-live="polite"><p>No preview yet.</p></div>
    {% for kind, body in templates.items() %}
    <template id="question-template-{{ kind }}">{{ body }}</template>
    {% endfor %}
  </main>
</body>
</html>
"""

ECHO = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Saved</title></head>
<body><main><h1>Received</h1><p id="action">{{ action }}</p><pre id="echo">{{ text }}</pre></main>
</body></html>
"""


@dataclass
class EditorServer:
    url: str
    validations: list[str] = field(default_factory=list)
    previews: list[dict[str, Any]] = field(default_factory=list)
    submissions: list[dict[str, str]] = field(default_factory=list)

    def reset(self) -> None:
        self.validations.clear()
        self.previews.clear()
        self.submissions.clear()


def problems_in(text: str) -> list[dict[str, Any]]:
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        if (column := line.find("bad")) >= 0:
            problems.append({"line": number, "column": column + 1, "severity": "error",
                             "message": "“bad” is not allowed here"})
        if (column := line.lower().find("todo")) >= 0:
            problems.append({"line": number, "column": column + 1, "severity": "warning",
                             "message": "This question is still marked to do"})
    return problems


def make_app(server: EditorServer) -> Flask:
    app = Flask(__name__, static_folder=str(STATIC), static_url_path="/static")

    @app.after_request
    def headers(response: Any) -> Any:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def json_body() -> dict[str, Any]:
        if request.headers.get("X-CSRFToken") != TOKEN:
            abort(400, "The CSRF token is missing.")
        body = request.get_json()
        assert isinstance(body, dict)
        return body

    @app.get("/favicon.ico")
    def favicon() -> tuple[str, int]:
        return "", 204

    @app.get("/")
    def edit() -> str:
        return render_template_string(PAGE, token=TOKEN, text=BANKS[request.args.get("bank", "two")],
                                      templates=TEMPLATES)

    @app.post("/")
    def save() -> str:
        server.submissions.append(dict(request.form))
        return render_template_string(ECHO, text=request.form.get("yaml", ""),
                                      action=request.form.get("action") or request.form.get("insert", ""))

    @app.post("/api/v1/banks/validate")
    def validate() -> Any:
        text = json_body()["yaml"]
        server.validations.append(text)
        if "servererror" in text:
            abort(500)
        if "slow" in text and "bad" not in text:
            time.sleep(2)
        problems = problems_in(text)
        return jsonify(valid=not any(p["severity"] == "error" for p in problems), problems=problems)

    @app.post("/preview")
    def preview() -> Any:
        body = json_body()
        server.previews.append(body)
        lines = body["yaml"].split("\n")
        line = body["line"]
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return jsonify(html=f'<p class="preview-line">Line {line}: <code>{escape(text)}</code></p>')

    return app


@pytest.fixture(scope="module")
def editor_server() -> Iterator[EditorServer]:
    server = EditorServer(url="")
    wsgi: BaseWSGIServer = make_server("127.0.0.1", 0, make_app(server), threaded=True)
    thread = threading.Thread(target=wsgi.serve_forever, name="editor-server", daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{wsgi.server_port}"
    try:
        yield server
    finally:
        wsgi.shutdown()
        thread.join(timeout=10)
        wsgi.server_close()


# Content-Security-Policy violations, wherever in the page (the editor is in a shadow root).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
}, true);
"""


@dataclass
class Watch:
    """What went wrong in the browser: console errors and refused resources."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    expected: list[re.Pattern[str]] = field(default_factory=list)

    def unexpected(self) -> list[str]:
        return [e for e in self.console_errors if not any(p.search(e) for p in self.expected)]

    def check(self) -> None:
        assert not self.unexpected(), "console errors:\n" + "\n".join(self.unexpected())
        if not self.page.is_closed() and self.page.url.startswith("http"):
            violations = self.page.evaluate("window.__cspViolations || []")
            assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def editor(page: Page, editor_server: EditorServer) -> Iterator[tuple[Page, EditorServer, Watch]]:
    editor_server.reset()
    watch = Watch(page)

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watch.console_errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: watch.console_errors.append(f"uncaught: {error}"))
    page.add_init_script(WATCH_CSP)
    yield page, editor_server, watch
    watch.check()


def open_editor(page: Page, server: EditorServer, bank: str = "two") -> None:
    """The page with the editor on it, checked once (the check runs on load)."""
    page.goto(f"{server.url}/?bank={bank}")
    expect(page.locator(".cm-content")).to_be_visible()
    expect(page.locator("#problem-summary")).to_have_text(
        re.compile(r"^(No problems found|\d+ (error|warning)s?.*)$"))


def lines(page: Page) -> Any:
    return page.locator(".cm-line")


def put_cursor_at_end_of(page: Page, number: int) -> None:
    lines(page).nth(number - 1).click()
    page.keyboard.press("End")


def submitted_text(page: Page) -> str:
    """What the form would post now: the hidden textarea's value."""
    return page.locator("#bank-yaml").input_value()


def test_the_bundle_is_built_from_the_current_sources() -> None:
    """Mirrors sourceDigest() in quizapp/static/editor/build.mjs: edit a source, run `make assets`."""
    digest = hashlib.sha256()
    for path in sorted(EDITOR_SOURCES.iterdir(), key=lambda p: p.name):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    lock = json.loads((ROOT / "package-lock.json").read_text())
    versions = {name: entry["version"] for name, entry in sorted(lock["packages"].items())
                if name.startswith("node_modules/") and name != "node_modules/axe-core"}
    digest.update(json.dumps(versions, separators=(",", ":")).encode())
    first_line = BUNDLE.read_text().split("\n", 1)[0]
    built_from = re.search(r"source-digest: ([0-9a-f]{64})", first_line)
    assert built_from, f"{BUNDLE} has no source digest; rebuild it with `make assets`"
    assert built_from[1] == digest.hexdigest(), (
        f"{BUNDLE.relative_to(ROOT)} was built from other sources than quizapp/static/editor/ and "
        "package-lock.json hold now: run `make assets` and commit the bundle")


def test_typing_marks_the_problem_line_and_updates_the_summary(
    editor: tuple[Page, EditorServer, Watch],
) -> None:
    page, server, _ = editor
    open_editor(page, server)
    expect(page.locator("#problem-summary")).to_have_text("No problems found")
    expect(page.locator("#bank-yaml")).to_be_hidden()
    assert server.validations == [BANKS["two"]]  # checked once on load

    put_cursor_at_end_of(page, 3)
    page.keyboard.type(" bad one", delay=40)
    line_3 = lines(page).nth(2)
    expect(line_3.locator(".cm-lintRange-error")).to_have_text("bad one")
    expect(page.locator("#problem-summary")).to_have_text("1 error")
    marker = page.locator(".cm-gutter-lint .cm-lint-marker-error")
    expect(marker).to_have_count(1)
    marker_box, line_box = marker.bounding_box(), line_3.bounding_box()
    assert marker_box and line_box
    assert line_box["y"] <= marker_box["y"] + marker_box["height"] / 2 <= line_box["y"] + line_box["height"]
    link = page.locator("#problem-list a")
    expect(link).to_have_text("Line 3, column 13")
    expect(link).to_have_attribute("href", "#L3")
    expect(page.locator("#problem-list li")).to_have_text(
        "Line 3, column 13: Error: “bad” is not allowed here")
    # one check for the whole word typed, not one per key
    assert 1 <= len(server.validations) - 1 <= 2, server.validations
    assert server.validations[-1] == BANKS["two"].replace("title: Demo", "title: Demo bad one")

    put_cursor_at_end_of(page, 7)
    page.keyboard.type(" TODO")
    expect(page.locator("#problem-summary")).to_have_text("1 error, 1 warning")
    expect(lines(page).nth(6).locator(".cm-lintRange-warning")).to_have_text("TODO")
    expect(page.locator("#problem-list li")).to_have_text([
        "Line 3, column 13: Error: “bad” is not allowed here",
        "Line 7, column 18: Warning: This question is still marked to do",
    ])

    for _ in " TODO":
        page.keyboard.press("Backspace")
    put_cursor_at_end_of(page, 3)
    for _ in " bad one":
        page.keyboard.press("Backspace")
    expect(page.locator("#problem-summary")).to_have_text("No problems found")
    expect(page.locator(".cm-lintRange-error, .cm-lintRange-warning")).to_have_count(0)
    expect(page.locator("#problem-list")).to_be_hidden()
    assert submitted_text(page) == BANKS["two"]


def test_a_newer_edit_cancels_the_check_still_running(editor: tuple[Page, EditorServer, Watch]) -> None:
    page, server, _ = editor
    open_editor(page, server)
    aborted: list[str] = []
    page.on("requestfailed", lambda r: aborted.append(f"{r.url} {r.failure}"))
    put_cursor_at_end_of(page, 3)
    with page.expect_request(lambda r: r.url.endswith("/validate") and "slow" in (r.post_data or "")):
        page.keyboard.type(" slow")  # answered after 2 s
    page.keyboard.type(" bad")
    expect(page.locator("#problem-summary")).to_have_text("1 error")
    expect(lines(page).nth(2).locator(".cm-lintRange-error")).to_have_text("bad")
    assert any("/api/v1/banks/validate" in a and "ERR_ABORTED" in a for a in aborted), aborted


def test_a_failed_check_says_so_and_keeps_the_text(editor: tuple[Page, EditorServer, Watch]) -> None:
    page, server, watch = editor
    watch.expected.append(re.compile(r"Failed to load resource: the server responded with a status of 500"))
    open_editor(page, server)
    put_cursor_at_end_of(page, 3)
    page.keyboard.type(" bad")
    expect(page.locator("#problem-summary")).to_have_text("1 error")
    page.keyboard.type(" servererror")
    note = page.get_by_role("status").filter(has_text="Could not check right now")
    expect(note).to_be_visible()
    assert "title: Demo bad servererror" in submitted_text(page)
    expect(lines(page).nth(2).locator(".cm-lintRange-error")).to_have_count(1)  # the last marks stay
    for _ in " servererror":
        page.keyboard.press("Backspace")
    expect(note).to_have_count(0)
    expect(page.locator("#problem-summary")).to_have_text("1 error")


def test_a_template_button_inserts_a_question_after_the_current_one(
    editor: tuple[Page, EditorServer, Watch],
) -> None:
    page, server, _ = editor
    open_editor(page, server)
    lines(page).nth(6).click()  # "prompt: Who?", in the first question
    page.get_by_role("button", name="Single choice").click()
    first, second = BANKS["two"].split("  - id: second\n")
    assert submitted_text(page) == first + SINGLE + "  - id: second\n" + second
    expect(page.get_by_text("the new question starts at line 10, with its prompt selected")).to_be_visible()
    page.keyboard.type("Who wrote the article?")  # the prompt was selected: typing replaces it
    assert '    prompt: "Who wrote the article?"\n' in submitted_text(page)
    assert server.submissions == []  # no round trip to the server

    # a template the page does not have: the button posts the form, and the server appends it
    page.get_by_role("button", name="Matching").click()
    expect(page.locator("#action")).to_have_text("matching")
    assert server.submissions[-1]["insert"] == "matching"


@pytest.mark.parametrize(("bank", "cursor_line", "template", "expected"), [
    pytest.param("two", 1, "single", BANKS["two"] + SINGLE, id="cursor-above-the-list-goes-last"),
    pytest.param("two", 13, "single", BANKS["two"] + SINGLE, id="in-the-last-question"),
    pytest.param(
        "flush", 4, "true_false",
        BANKS["flush"].replace("# the next", "- id: new-question\n  type: true_false\n"
                               "  prompt: Write a statement\n  answer: true\n# the next"),
        id="items-at-the-keys-indentation"),
    pytest.param(
        "flush", 14, "true_false",
        BANKS["flush"].replace("\nsettings:", "- id: new-question\n  type: true_false\n"
                               "  prompt: Write a statement\n  answer: true\n\nsettings:"),
        id="cursor-in-a-later-key"),
    pytest.param("no-questions", 1, "single", BANKS["no-questions"] + "questions:\n" + SINGLE,
                 id="no-questions-key"),
    pytest.param("no-newline", 3, "true_false",
                 BANKS["no-newline"] + "\n" + TEMPLATES["true_false"], id="last-line-without-newline"),
])
def test_where_a_template_goes(
    editor: tuple[Page, EditorServer, Watch], bank: str, cursor_line: int, template: str, expected: str,
) -> None:
    page, server, _ = editor
    open_editor(page, server, bank)
    lines(page).nth(cursor_line - 1).click()
    page.locator(f'button[name="insert"][value="{template}"]').click()
    assert submitted_text(page) == expected
    prompt = "Write the question" if template == "single" else "Write a statement"
    assert page.evaluate("document.activeElement.shadowRoot.getSelection().toString()") == prompt


def test_saving_posts_the_editors_text(editor: tuple[Page, EditorServer, Watch]) -> None:
    page, server, _ = editor
    open_editor(page, server)
    put_cursor_at_end_of(page, 13)
    page.keyboard.type("  # reviewed")
    expected = BANKS["two"].replace("answer: true\n", "answer: true  # reviewed\n")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#action")).to_have_text("draft")
    # a form posts a textarea's line breaks as CRLF, with or without the editor
    assert server.submissions[-1]["yaml"] == expected.replace("\n", "\r\n")
    assert (page.locator("#echo").text_content() or "").replace("\r\n", "\n") == expected
    assert server.submissions[-1]["csrf_token"] == TOKEN


def test_a_problem_link_moves_the_cursor_to_its_line(editor: tuple[Page, EditorServer, Watch]) -> None:
    page, server, _ = editor
    open_editor(page, server)
    put_cursor_at_end_of(page, 9)
    page.keyboard.type(" bad")
    page.get_by_role("link", name="Line 9, column 15").click()
    expect(page.get_by_role("textbox", name="Question bank (YAML)")).to_be_focused()
    page.keyboard.type("very ")
    assert "    answer: A very bad\n" in submitted_text(page)


def test_the_editor_is_named_and_lets_the_keyboard_leave(editor: tuple[Page, EditorServer, Watch]) -> None:
    page, server, _ = editor
    open_editor(page, server)
    textbox = page.get_by_role("textbox", name="Question bank (YAML)")
    expect(textbox).to_be_visible()
    expect(textbox).to_have_accessible_description(re.compile("To leave the editor, press Esc, then Tab"))
    page.get_by_text("Question bank (YAML)").click()  # the label focuses the editor
    expect(textbox).to_be_focused()
    page.keyboard.press("Control+Home")
    page.keyboard.press("Tab")  # indents
    assert submitted_text(page).startswith("  format: 1\n")
    expect(textbox).to_be_focused()
    page.keyboard.press("Shift+Tab")
    assert submitted_text(page) == BANKS["two"]
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # leaves
    expect(page.get_by_role("button", name="Single choice")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(textbox).to_be_focused()


def test_the_preview_follows_the_cursor(editor: tuple[Page, EditorServer, Watch]) -> None:
    page, server, _ = editor
    open_editor(page, server)
    preview = page.locator("#preview")
    expect(preview).to_have_text("Line 1: format: 1")  # after the first check
    lines(page).nth(6).click()
    expect(preview).to_have_text("Line 7: prompt: Who?")
    assert server.previews[-1] == {"yaml": BANKS["two"], "line": 7}
    page.keyboard.press("End")
    page.keyboard.type(" Really?")
    expect(preview).to_have_text("Line 7: prompt: Who? Really?")  # after the check of the new text


def test_screenshots_light_dark_and_narrow(editor: tuple[Page, EditorServer, Watch], look: Look) -> None:
    page, server, _ = editor
    page.set_viewport_size({"width": 1280, "height": 900})
    open_editor(page, server)
    put_cursor_at_end_of(page, 3)
    page.keyboard.type(" bad")
    put_cursor_at_end_of(page, 8)
    page.keyboard.type(" # todo: a third choice")
    expect(page.locator("#problem-summary")).to_have_text("1 error, 1 warning")
    expect(page.locator("#preview")).to_have_text(re.compile("^Line 8:"))
    look(page, "1280")
    page.emulate_media(color_scheme="dark")
    look(page, "1280-dark")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 360, "height": 800})
    look(page, "360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing scrolls sideways
