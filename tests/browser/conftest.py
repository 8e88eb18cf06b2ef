"""Browser tests: Debian's Chromium driven by Playwright against a real server on 127.0.0.1.

The app is served once per run by werkzeug in a thread, on port 0, over a SQLite
file brought up by the migrations and loaded with questions/ and the all-types
fixture bank. Tests share that database, so each makes its own account.
Every page a test looks at goes through ``look``: a screenshot under
test-artifacts/screenshots/, a check that no script failed or was refused by
the Content-Security-Policy, and an axe-core scan that fails on serious or
critical violations (all violations are written to test-artifacts/axe/).
Chromium is Debian's /usr/bin/chromium and axe-core comes from package.json;
either missing skips these tests, except with CI=true, where it fails them.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, ConsoleMessage, Locator, Page
from sqlalchemy import func, select
from werkzeug.serving import BaseWSGIServer, make_server

from quizapp import create_app
from quizapp.banks import validate_paths
from quizapp.extensions import db
from quizapp.models import Account, Answer, Attempt
from quizapp.services.accounts import create_account
from quizapp.services.banks import sync_banks, upgrade_database

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
ALL_TYPES = ROOT / "tests" / "fixtures" / "all-types.yaml"
BANKS = [ROOT / "questions", ALL_TYPES]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_REPORTS = ARTIFACTS / "axe"
IN_CI = os.environ.get("CI") == "true"
PASSWORD = "correct horse battery"
#: (question type, the student's response, verdict, marks, evidence paragraph) for all-types,
#: in the bank's order: some right, some partly right, some wrong.
PLAN = [
    ("single", "Tulsi Gabbard", "Right!", "1/1 point", 9),
    ("multiple", ["United Kingdom", "Colombia", "France"], "Partly right", "1/3 points", None),
    ("true_false", True, "Not quite", "0/1 point", 6),
    ("short", "emily harding", "Right!", "1/1 point", 12),
    ("numeric", "2018", "Not quite", "0/1 point", 8),
    ("ordering", ["CNN", "New York Times", "The Atlantic"], "Right!", "1/1 point", None),
    ("matching", {"MI5": "United Kingdom", "FBI": "Netherlands"}, "Partly right", "0.5/1 point", None),
]
#: The score those answers give, out of 9 points.
PLAN_SCORE = "4.5/9 (50%)"
#: axe impacts that fail a test; the others are written to test-artifacts/axe/ only.
BLOCKING = {"serious", "critical"}


def _missing(what: str, how: str) -> None:
    """Fail in CI, where .ci/run installs everything; skip elsewhere, saying how to fix it."""
    if IN_CI:
        pytest.fail(f"{what} is missing, and CI=true requires it ({how})", pytrace=False)
    pytest.skip(f"{what} is missing: {how}")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        _missing(str(CHROMIUM), "apt-get install -y chromium; never `playwright install`")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


class InFlight:
    """WSGI middleware that knows which requests the server is still working on.

    A double click sends two requests; the browser shows the answer to one of
    them while the other may still be running, so a test counting rows waits
    until the server is idle rather than sleeping.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.busy = 0
        self.seen: list[tuple[str, str]] = []
        self.idle = threading.Condition()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with self.idle:
            self.busy += 1
            self.seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
        try:
            iterable = self.app(environ, start_response)
            try:
                return list(iterable)  # finish the work before counting the request done
            finally:
                getattr(iterable, "close", lambda: None)()
        finally:
            with self.idle:
                self.busy -= 1
                self.idle.notify_all()

    def wait_idle(self, timeout: float = 10) -> None:
        with self.idle:
            assert self.idle.wait_for(lambda: self.busy == 0, timeout), "the server stayed busy"


@dataclass
class LiveServer:
    app: Flask
    url: str
    requests: InFlight

    def posts(self, path: str) -> int:
        """How many POSTs to ``path`` the server has received so far."""
        return sum(1 for method, seen in self.requests.seen if method == "POST" and seen == path)

    def count(self, model: type, *where: Any) -> int:
        """Rows of ``model`` matching ``where``, read from the database the server writes.

        Waits first for requests still running (the slower half of a double click).
        """
        self.requests.wait_idle()
        with self.app.app_context():
            try:
                return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()
            finally:
                db.session.remove()

    def answers(self, attempt_id: int) -> int:
        return self.count(Answer, Answer.attempt_id == attempt_id)

    def attempts(self, username: str, bank_id: str) -> int:
        return self.count(Attempt, Attempt.bank_id == bank_id,
                          Attempt.account_id == self.account_id(username))

    def account_id(self, username: str) -> int:
        with self.app.app_context():
            try:
                return db.session.execute(
                    select(Account.id).where(Account.username == username)).scalar_one()
            finally:
                db.session.remove()

    def make_account(self, username: str, display_name: str) -> None:
        with self.app.app_context():
            try:
                create_account(username, display_name, PASSWORD)
            finally:
                db.session.remove()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on a migrated, loaded SQLite file, served by werkzeug on 127.0.0.1, port 0."""
    database = tmp_path_factory.mktemp("browser-db") / "browser.sqlite3"
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "RATELIMIT_ENABLED": False,
        "SECRET_KEY": "test",
    })
    with app.app_context():
        upgrade_database()
        report = validate_paths(BANKS, SEEDS)
        assert report.ok, report.problems
        sync_banks(report.banks)
        db.session.commit()
        db.session.remove()
    # threaded, so a double click's two requests really arrive together
    requests = InFlight(app)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, requests, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}", requests)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    # also replaces pytest-playwright's own base_url, a fixture on a class instance
    # that pytest 9 warns about (and filterwarnings=error turns that into an error)
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1024, "height": 768}}


@pytest.fixture
def page_errors() -> list[str]:
    """Uncaught script errors and Content-Security-Policy refusals in this test's pages."""
    return []


@pytest.fixture
def new_context(
    new_context: Callable[..., BrowserContext], page_errors: list[str]
) -> Callable[..., BrowserContext]:
    """pytest-playwright's ``new_context`` (and so ``context`` and ``page``), listening for errors."""

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            page_errors.append(f"{message.location.get('url')}: {message.text}")

    def make(**kwargs: Any) -> BrowserContext:
        context = new_context(**kwargs)
        context.on("console", console)
        context.on("weberror", lambda error: page_errors.append(
            f"{error.page.url if error.page else '?'}: {error.error}"))
        return context

    return make


_usernames = itertools.count(1)


@pytest.fixture
def student(live_server: LiveServer, request: pytest.FixtureRequest) -> str:
    """A new student account (made through the service, not the sign-up page); its username."""
    name = f"s{next(_usernames)}-{request.node.originalname.removeprefix('test_')}"[:32].rstrip("-_.")
    live_server.make_account(name, f"Student {name}")
    return name


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # signed in once the catalogue is on its way; no need to wait for it to render
    page.wait_for_url(live_url(page, "/"), wait_until="commit", timeout=5000)


def live_url(page: Page, path: str) -> str:
    return urljoin(page.url, path)


def axe_available() -> bool:
    return AXE.exists()


#: Where the page loads axe from: its own origin, answered by the browser, never by the app.
AXE_PATH = "/__browser-tests__/axe.min.js"


def _axe_violations(page: Page) -> list[dict[str, Any]]:
    # The app's Content-Security-Policy (script-src 'self') blocks the inline script that
    # add_script_tag(path=...) writes, and bypass_csp would test pages without their real
    # policy; so the page loads axe by URL from its own origin, which Playwright answers.
    url = urljoin(page.url, AXE_PATH)
    page.route(url, lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
    try:
        page.add_script_tag(url=url)
    finally:
        page.unroute(url)
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
            }));
        }"""
    )


Look = Callable[..., None]


@pytest.fixture
def look(request: pytest.FixtureRequest, page_errors: list[str]) -> Look:
    """``look(page, step)``: screenshot the page, check no script failed, scan it with axe-core.

    Screenshots go to test-artifacts/screenshots/<test>-<step>.png; every
    violation, whatever its impact, to test-artifacts/axe/<test>-<step>.json.
    ``axe=False`` skips the scan: for pages in a context with JavaScript off,
    where no script can be injected, and for a page already scanned in the
    same state by another step (scans take a third of a second each).
    """
    name = re.sub(r"\[chromium\]|-chromium(?=\])|(?<=\[)chromium-", "", request.node.name)
    test = re.sub(r"[^A-Za-z0-9_-]+", "-", name.removeprefix("test_")).strip("-")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    AXE_REPORTS.mkdir(parents=True, exist_ok=True)
    for old in [*SCREENSHOTS.glob(f"{test}-*.png"), *AXE_REPORTS.glob(f"{test}-*.json")]:
        old.unlink()
    if not axe_available():
        missing_axe = f"{AXE} (run `npm ci` at the repository root; package.json pins axe-core)"
        if IN_CI:
            pytest.fail(f"{missing_axe} is missing, and CI=true requires it", pytrace=False)

    def _look(page: Page, step: str, *, axe: bool = True) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{test}-{step}.png"), full_page=True)
        assert not page_errors, f"errors in the browser by {step}:\n" + "\n".join(page_errors)
        if not axe:
            return
        if not axe_available():
            return  # test_axe_core_is_installed reports the skip
        violations = _axe_violations(page)
        (AXE_REPORTS / f"{test}-{step}.json").write_text(
            json.dumps({"url": page.url, "violations": violations}, indent=2, ensure_ascii=False))
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        assert not blocking, f"axe-core on {page.url} ({step}):\n" + "\n".join(
            f"- {v['impact']} {v['id']}: {v['help']} ({v['helpUrl']})\n"
            + "\n".join(f"    {n['target']} {n['html'][:160]}\n      {n['summary']}" for n in v["nodes"])
            for v in blocking
        )

    return _look


def start_quiz(page: Page, bank_id: str = "all-types") -> int:
    """Start a quiz with the button on its page; the new attempt's id."""
    page.goto(f"/quizzes/{bank_id}")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/questions/\d+$"))
    return attempt_id(page)


def attempt_id(page: Page) -> int:
    match = re.search(r"/attempts/(\d+)/", page.url)
    assert match, page.url
    return int(match.group(1))


def order_with_buttons(page: Page, wanted: list[str]) -> None:
    """Put an ordering question's items in ``wanted`` order with the move-up buttons (JS on)."""
    labels = page.locator("[data-ordering] li label")
    for place, item in enumerate(wanted):
        while (current := labels.all_inner_texts()).index(item) > place:
            before = current.index(item)
            page.get_by_role("button", name=f"Move “{item}” up").click()
            assert labels.all_inner_texts().index(item) == before - 1


def fill_answer(page: Page, kind: str, response: Any) -> None:
    """Fill in a question's form as a student would, for each question type."""
    if kind == "single":
        page.get_by_label(response, exact=True).check()
    elif kind == "multiple":
        for choice in response:
            page.get_by_label(choice, exact=True).check()
    elif kind == "true_false":
        page.get_by_label("True" if response else "False", exact=True).check()
    elif kind in ("short", "numeric"):
        page.get_by_role("textbox", name="Your answer").fill(response)
    elif kind == "ordering":
        # quiz.js swaps the position menus for buttons once the page has loaded: look then
        page.wait_for_load_state()
        if page.get_by_role("button", name=re.compile("^Move ")).count():
            order_with_buttons(page, response)
        else:
            for place, item in enumerate(response, start=1):
                page.get_by_label(item, exact=True).select_option(str(place))
    elif kind == "matching":
        for left, right in response.items():
            page.get_by_label(left, exact=True).select_option(label=right)
    else:  # pragma: no cover - a new type needs a branch here
        raise AssertionError(f"no way to answer a {kind} question")


def feedback_heading(page: Page) -> Locator:
    """The heading of an answered question's feedback: "Right!", "Partly right" or "Not quite"."""
    return page.get_by_role("heading", level=2, name=re.compile(r"^(Right!|Partly right|Not quite)"))


def submit_answer(page: Page) -> None:
    page.get_by_role("button", name="Submit answer").click()
    feedback_heading(page).wait_for()


def answer_questions(page: Page, first: int, last: int) -> None:
    """Answer questions ``first`` to ``last`` of all-types as PLAN says, from question ``first``'s page."""
    for number in range(first, last + 1):
        kind, response, *_ = PLAN[number - 1]
        fill_answer(page, kind, response)
        submit_answer(page)
        if number < len(PLAN):
            page.get_by_role("link", name="Next question").click()
            page.wait_for_url(re.compile(rf"/questions/{number + 1}$"))
