"""Every page of the app, at 360, 768, 1280 and 1920 px wide, in the light and the dark theme.

For each page, width and theme: nothing scrolls sideways (the widest elements that stick out are
named), no score or number in a table, board or projector is cut off or spills out of its box,
and no script failed or was refused by the Content-Security-Policy. At 360 and 1280 the page is
also photographed and scanned with axe-core (serious and critical violations fail), in both
themes; 768 and 1920 get the layout checks only, to keep the run short.

The data is made once for the module, with the services (accounts, a class, an assignment with
finished and unfinished attempts, a bank, an article and a draft of the teacher's) and in the
browser (a roster upload, whose login cards exist only as the answer to that upload). Accounts
are unique to the run, as the browser tests share one database. Each person and theme has one
browser context, signed in once, reused by every test. The login cards page is never reloaded
(that would upload again): it is resized to each width.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from quizapp.extensions import db
from quizapp.models import Account, Game
from quizapp.services import authoring
from quizapp.services import classes as classes_service
from quizapp.services import games as games_service
from quizapp.services import quiz as quiz_service
from quizapp.services.accounts import create_account
from tests.browser.conftest import PASSWORD, PLAN, LiveServer, Look, sign_in
from tests.browser.test_authoring import ARTICLE, AUTHOR, HEADLINE, OUTLET, bank_text

WIDTHS = (360, 768, 1280, 1920)
#: The widths photographed and scanned with axe-core (the layout checks run at every width).
SCANNED = (360, 1280)
HEIGHTS = {360: 780, 768: 1024, 1280: 800, 1920: 1080}
THEMES = ("light", "dark")
#: The teacher's class page is split into sections reached by these anchors. An anchor the page
#: does not have yet shows the page as it is.
CLASS_SECTIONS = ("assignments", "students", "boards", "settings")
#: Elements that show a score or a number in a table, board, projector, meter or card.
NUMBERS = ", ".join([
    ".score", ".num", ".rank", ".your-rank", ".count", ".mark", ".meter-value", "[data-field]",
    ".projector-board .score", ".projector-stats dd", ".login-value", ".join-code code",
])
QUIZ = "all-types"
ARTICLE_ID = "allies-intelligence-sharing"


# -- the data ---------------------------------------------------------------------------------------


@dataclass
class World:
    """What the pages show, made once for the module; ``tag`` keeps its names unique."""

    tag: str
    usernames: dict[str, str]
    #: the id of the student whose attempts the teacher looks at (amara's)
    student_id: int = 0
    class_id: int = 0
    class_code: str = ""
    assignment_id: int = 0
    finished_attempt: int = 0
    open_attempt: int = 0
    bank_id: str = ""
    article_id: str = ""
    draft_id: int = 0
    #: a live game the teacher hosts, in its lobby (its screens are walked by test_live_game.py)
    game_id: int = 0
    #: theme -> the page left on the login cards after that theme's roster upload
    cards: dict[str, Page] = field(default_factory=dict)


def _answer(attempt_id: int, account_id: int, responses: dict[str, Any], *, finish: bool) -> None:
    """Answer the attempt's questions by type (``responses``: type -> response); finish it."""
    attempt = quiz_service.load_attempt(attempt_id, account_id)
    for item in attempt.items:
        kind = quiz_service.question_of(item).type
        if kind in responses:
            quiz_service.answer_question(attempt, item, responses[kind])
    if finish:
        quiz_service.finish_attempt(quiz_service.load_attempt(attempt_id, account_id))


#: All right: 9/9.
ALL_RIGHT = {
    "single": "Tulsi Gabbard", "multiple": ["United Kingdom", "Colombia", "Netherlands"],
    "true_false": False, "short": "Emily Harding", "numeric": "2017",
    "ordering": ["CNN", "New York Times", "The Atlantic"],
    "matching": {"MI5": "United Kingdom", "FBI": "United States"},
}


def build_world(server: LiveServer) -> World:
    tag = secrets.token_hex(3)
    names = {
        "teacher": f"ep{tag}.teacher", "amara": f"ep{tag}.amara", "bartholomew": f"ep{tag}.bart",
        "chen": f"ep{tag}.chen", "dee": f"ep{tag}.dee", "eli": f"ep{tag}.eli",
    }
    world = World(tag, names)
    with server.app.app_context():
        try:
            made: dict[str, Account] = {}
            display = {
                "teacher": "Ms Theodora Okonkwo-Whitfield", "amara": "Amara Okafor",
                # a long name, as some are, for the boards' and tables' columns
                "bartholomew": "Bartholomew Alexander Featherstonehaugh-Montgomery",
                "chen": "Chen Jiahui", "dee": "Dee Nakamura", "eli": "Eli Rivera",
            }
            for who, username in names.items():
                made[who] = create_account(username, display[who], PASSWORD,
                                           role="teacher" if who == "teacher" else "student")
            teacher = made["teacher"]
            room = classes_service.create_class(teacher, "Period 3 Media Literacy, Room 214")
            for who in ("amara", "bartholomew", "chen", "dee", "eli"):
                classes_service.join(made[who], room.join_code)
            assignment = classes_service.create_assignment(room, QUIZ)
            world.class_id, world.class_code, world.assignment_id = room.id, room.join_code, assignment.id

            plan = {kind: response for kind, response, *_ in PLAN}
            amara = world.student_id = made["amara"].id
            world.finished_attempt = quiz_service.start_attempt(amara, QUIZ, assignment_id=assignment.id).id
            _answer(world.finished_attempt, amara, plan, finish=True)  # 4.5/9
            bart = made["bartholomew"].id
            done = quiz_service.start_attempt(bart, QUIZ, assignment_id=assignment.id).id
            _answer(done, bart, ALL_RIGHT, finish=True)  # 9/9
            dee = made["dee"].id
            partly = quiz_service.start_attempt(dee, QUIZ, assignment_id=assignment.id).id
            _answer(partly, dee, {"single": "Kash Patel", "matching": plan["matching"]}, finish=True)
            # chen is answering (three answers so far); eli has started and answered nothing
            chen = made["chen"].id
            answering = quiz_service.start_attempt(chen, QUIZ, assignment_id=assignment.id).id
            _answer(answering, chen, {k: plan[k] for k in ("single", "multiple", "true_false")},
                    finish=False)
            world.open_attempt = quiz_service.start_attempt(made["eli"].id, QUIZ,
                                                            assignment_id=assignment.id).id

            world.article_id = f"ep{tag}-air-monitors"
            authoring.create_article(teacher, authoring.ArticleInput(
                HEADLINE, ARTICLE, outlet=OUTLET, author=AUTHOR, url="https://example.org/air-monitors",
                image={"alt": "A monitor on a library shelf", "caption": "One of the 40 monitors.",
                       "credit": "The Riverside Courier"}), world.article_id)
            world.bank_id = f"ep{tag}-air-monitors"
            authoring.save_bank(teacher, bank_text({"bank": world.bank_id, "article": world.article_id,
                                                    "title": "Air monitors at the library"}))
            # a draft of a new bank, with a problem the editor lists
            world.draft_id = authoring.save_draft(teacher, bank_text(
                {"bank": f"ep{tag}-draft", "article": world.article_id,
                 "title": "Air monitors: a second look"}, planted=True)).id
            world.game_id = games_service.create_game(teacher, QUIZ).id
            games_service.join(str(db.session.get(Game, world.game_id).pin), "Amara O.")
        finally:
            db.session.remove()
    return world


# -- the browsers -----------------------------------------------------------------------------------


class Tabs:
    """One signed-in browser context per person and theme, made when first needed.

    Their script errors and CSP refusals go to ``sink``, which each test points at its own
    ``page_errors`` (so ``look`` reports them for the test that saw them).
    """

    def __init__(self, browser: Browser, server: LiveServer, world: World) -> None:
        self.browser, self.server, self.world = browser, server, world
        self.contexts: dict[tuple[str, str], BrowserContext] = {}
        self.pages: dict[tuple[str, str], Page] = {}
        self.states: dict[str, Any] = {}
        #: (person, theme) -> the path open in that tab, loaded by an earlier test
        self.loaded: dict[tuple[str, str], str] = {}
        self.sink: list[str] = []

    def _context(self, theme: str, **kwargs: Any) -> BrowserContext:
        context = self.browser.new_context(
            base_url=self.server.url, viewport={"width": 1280, "height": 800},
            color_scheme=theme, reduced_motion="reduce", **kwargs)
        context.on("console", lambda message: self.sink.append(
            f"{message.location.get('url')}: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text else None)
        context.on("weberror", lambda error: self.sink.append(
            f"{error.page.url if error.page else '?'}: {error.error}"))
        return context

    def page(self, who: str, theme: str) -> Page:
        key = (who, theme)
        if key not in self.pages:
            if who != "anon" and who not in self.states:
                context = self._context(theme)
                sign_in(context.new_page(), self.world.usernames[who])
                self.states[who] = context.storage_state()
                context.close()
            context = self._context(theme, storage_state=self.states.get(who))
            self.contexts[key] = context
            self.pages[key] = context.new_page()
        return self.pages[key]

    def cards(self, theme: str) -> Page:
        """A page left on the login cards, after uploading a roster in the browser."""
        if theme not in self.world.cards:
            page = self.page("teacher", theme).context.new_page()
            page.goto(f"/classes/{self.world.class_id}#students")
            tag = f"ep{self.world.tag}{theme[0]}"
            roster = "\n".join([
                "username,display_name",
                f"{tag}.priya,Priya Raman", f"{tag}.tom,Tomás Oyelaran-Featherstone",
                f"{tag}.zoe,Zoë Lindqvist",
                f"{self.world.usernames['amara']},Amara Okafor",  # already in the class
                "not a username!,Someone Else",  # refused
            ]) + "\n"
            page.locator("input[type=file][name=roster]").set_input_files(
                files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": roster.encode()}])
            with page.expect_navigation():
                page.locator("input[type=file][name=roster]").evaluate("i => i.form.requestSubmit()")
            assert page.get_by_role("heading", level=1).inner_text().startswith("Login cards"), page.url
            self.world.cards[theme] = page
        return self.world.cards[theme]

    def show(self, spot: Spot, theme: str, width: int) -> Page:
        """The page ``spot`` in ``theme`` at ``width``. It is loaded at the widths photographed
        and scanned, and when it is not the page open in that person's tab; otherwise the open
        page is resized (the tests of one page and theme run one after another, widths
        innermost, so 768 resizes the page loaded at 360, and 1920 the one loaded at 1280)."""
        size = {"width": width, "height": HEIGHTS[width]}
        if spot.path is None:  # the login cards: the answer to an upload, never reloaded
            page = self.cards(theme)
            page.set_viewport_size(size)
            return page
        page = self.page(spot.who, theme)
        page.set_viewport_size(size)
        path = spot.path(self.world)
        if width in SCANNED or self.loaded.get((spot.who, theme)) != path:
            self.loaded.pop((spot.who, theme), None)
            if page.url.split("#")[0] == (self.server.url + path).split("#")[0]:
                page.goto("about:blank")  # a new load, not a jump to another anchor of the page
            response = page.goto(path)
            assert response is not None and response.status == spot.status, (
                f"{path}: status {response.status if response else None}, expected {spot.status}")
            self.loaded[(spot.who, theme)] = path
        return page

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> World:
    return build_world(live_server)


@pytest.fixture(scope="module")
def tabs(browser: Browser, live_server: LiveServer, world: World) -> Iterator[Tabs]:
    made = Tabs(browser, live_server, world)
    for theme in THEMES:  # before any page is looked at, so the class page is the same for all
        made.cards(theme)
    made.sink.clear()
    yield made
    made.close()


# -- the pages --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spot:
    """A page: its name in the test's id, who looks at it, and its address (or the cards)."""

    name: str
    who: str
    path: Callable[[World], str] | None
    status: int = 200


def _pages() -> list[Spot]:
    spots = [
        Spot("home-anonymous", "anon", lambda w: "/"),
        Spot("home-student", "amara", lambda w: "/"),
        Spot("home-teacher", "teacher", lambda w: "/"),
        Spot("quizzes", "anon", lambda w: "/quizzes"),
        Spot("bank", "amara", lambda w: f"/quizzes/{QUIZ}"),
    ]
    for number, (kind, *_) in enumerate(PLAN, start=1):
        spots.append(Spot(f"question-{kind}", "eli",
                          lambda w, n=number: f"/attempts/{w.open_attempt}/questions/{n}"))
    for number, (kind, *_) in enumerate(PLAN, start=1):
        spots.append(Spot(f"feedback-{kind}", "amara",
                          lambda w, n=number: f"/attempts/{w.finished_attempt}/questions/{n}"))
    spots += [
        Spot("results", "amara", lambda w: f"/attempts/{w.finished_attempt}/results"),
        Spot("progress", "amara", lambda w: "/progress"),
        Spot("review", "amara", lambda w: "/review"),
        Spot("article", "amara", lambda w: f"/articles/{ARTICLE_ID}?hl=9&quote=Tulsi+Gabbard#p9"),
        Spot("article-teachers", "anon", lambda w: f"/articles/{w.article_id}?hl=5"),
        Spot("login", "anon", lambda w: "/login"),
        Spot("signup", "anon", lambda w: "/signup"),
        Spot("password-student", "amara", lambda w: "/account/password"),
        Spot("password-teacher", "teacher", lambda w: "/account/password"),
        Spot("my-classes-teacher", "teacher", lambda w: "/classes/"),
        Spot("my-classes-student", "amara", lambda w: "/classes/"),
    ]
    spots += [Spot(f"class-{section}", "teacher", lambda w, s=section: f"/classes/{w.class_id}#{s}")
              for section in CLASS_SECTIONS]
    spots += [
        Spot("class-student", "amara", lambda w: f"/classes/{w.class_id}"),
        Spot("board-class", "teacher", lambda w: f"/classes/{w.class_id}/board"),
        Spot("board-class-student", "amara", lambda w: f"/classes/{w.class_id}/board"),
        Spot("board-assignment", "teacher",
             lambda w: f"/classes/{w.class_id}/assignments/{w.assignment_id}/board"),
        Spot("projector-class", "teacher", lambda w: f"/classes/{w.class_id}/projector"),
        Spot("projector-assignment", "teacher",
             lambda w: f"/classes/{w.class_id}/assignments/{w.assignment_id}/projector"),
        Spot("report", "teacher", lambda w: f"/classes/{w.class_id}/assignments/{w.assignment_id}/report"),
        Spot("assignment-edit", "teacher",
             lambda w: f"/classes/{w.class_id}/assignments/{w.assignment_id}/edit"),
        Spot("assignment-delete", "teacher",
             lambda w: f"/classes/{w.class_id}/assignments/{w.assignment_id}/delete"),
        Spot("student-attempts", "teacher",
             lambda w: f"/classes/{w.class_id}/students/{w.student_id}/attempts"),
        Spot("attempt-review", "teacher", lambda w: f"/classes/{w.class_id}/attempts/{w.finished_attempt}"),
        Spot("login-cards", "teacher", None),
        Spot("my-banks", "teacher", lambda w: "/teach/banks"),
        Spot("bank-teacher", "teacher", lambda w: f"/teach/banks/{w.bank_id}"),
        Spot("editor-new", "teacher", lambda w: "/teach/banks/new"),
        Spot("editor-edit", "teacher", lambda w: f"/teach/banks/{w.bank_id}/edit"),
        Spot("draft", "teacher", lambda w: f"/teach/drafts/{w.draft_id}"),
        Spot("draft-discard", "teacher", lambda w: f"/teach/drafts/{w.draft_id}/discard"),
        Spot("article-new", "teacher", lambda w: "/teach/articles/new"),
        Spot("article-edit", "teacher", lambda w: f"/teach/articles/{w.article_id}/edit"),
        Spot("game-new", "teacher", lambda w: f"/games/new?bank={QUIZ}"),
        Spot("game-lobby", "teacher", lambda w: f"/games/{w.game_id}"),
        Spot("game-results", "teacher", lambda w: f"/games/{w.game_id}/results"),
        Spot("game-join", "anon", lambda w: "/play"),
        # a browser that has not joined is sent to the join page (test_live_game.py plays)
        Spot("game-play-not-joined", "anon", lambda w: f"/play/{w.game_id}"),
        Spot("error-404", "anon", lambda w: "/no-such-page", 404),
        Spot("error-404-teacher", "teacher", lambda w: "/quizzes/no-such-quiz", 404),
        Spot("error-403", "amara", lambda w: "/teach/banks", 403),
    ]
    return spots


PAGES = _pages()
#: GET endpoints that are not a page for a person: files, data, and a redirect to a page.
NOT_PAGES = {"static", "healthz", "auth.my_data", "quiz.attempt", "teach.download", "teach.export",
             "classes.board_csv", "classes.grid_csv", "classes.projector_json", "games.results_csv"}


def test_the_walk_has_every_page_of_the_url_map(live_server: LiveServer) -> None:
    """A page added to the app is added to PAGES (or to NOT_PAGES, if it is no page)."""
    rules = live_server.app.url_map
    pages = {rule.endpoint for rule in rules.iter_rules()
             if "GET" in (rule.methods or ()) and not rule.rule.startswith("/api/")} - NOT_PAGES
    shape = World("x", {}, student_id=1, class_id=1, assignment_id=1, finished_attempt=1, open_attempt=2,
                  bank_id="a-bank", article_id="an-article", draft_id=1, game_id=1)
    adapter = rules.bind("localhost")
    walked = {"classes.roster"}  # the login cards, the answer to a roster upload
    for spot in PAGES:
        if spot.path is not None and spot.status == 200:
            walked.add(adapter.match(spot.path(shape).split("#")[0].split("?")[0], method="GET")[0])
    assert not pages - walked, f"pages the walk misses: {sorted(pages - walked)}"


# -- the checks -------------------------------------------------------------------------------------


#: (a) Sideways scroll: the page's width against the window's, and the elements that stick out
#: past the right edge, outermost first (an element whose parent fits), not counting what is
#: inside a box that scrolls or clips sideways.
SIDEWAYS = """() => {
  const doc = document.documentElement;
  const edge = doc.clientWidth;
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    const cls = (el.getAttribute('class') || '').trim().split(/\\s+/).filter(Boolean).slice(0, 3);
    if (cls.length) s += '.' + cls.join('.');
    return s;
  };
  const text = (el) => (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
  const boxed = ['auto', 'scroll', 'hidden', 'clip'];
  const out = [];
  // Reports the outermost element whose box sticks out; an element whose box fits but whose
  // text runs past the edge (a long word, say) is reported when nothing inside it was.
  const walk = (el, parentOut) => {
    let reported = 0;
    for (const child of el.children) {
      const style = getComputedStyle(child);
      if (style.display === 'none' || style.position === 'fixed') continue;
      const r = child.getBoundingClientRect();
      const sticks = r.width > 0 && r.right > edge + 0.5;
      const add = (how, right) => {
        out.push({element: name(child), parent: name(el), how, text: text(child),
                  right: Math.round(right), width: Math.round(r.width)});
        reported += 1;
      };
      if (sticks && !parentOut) add('its box', r.right);
      const inside = boxed.includes(style.overflowX) ? 0 : walk(child, parentOut || sticks);
      reported += inside;
      if (!sticks && !inside && !parentOut && style.display !== 'inline' && style.overflowX === 'visible'
          && child.scrollWidth > child.clientWidth + 1 && r.left + child.scrollWidth > edge + 0.5) {
        add('its text', r.left + child.scrollWidth);
      }
    }
    return reported;
  };
  walk(document.body, false);
  out.sort((a, b) => b.right - a.right);
  const clips = [doc, document.body]
    .filter((el) => ['hidden', 'clip'].includes(getComputedStyle(el).overflowX))
    .map(name);
  return {scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, edge, clips, out: out.slice(0, 8)};
}"""

#: (b) Clipped numbers: a score or number whose text needs more room than its box has (cut off
#: with overflow hidden or an ellipsis, or spilling over its neighbours), or that a box around it
#: cuts off. Hidden elements (display none, inside a closed section, visually-hidden) are skipped.
CLIPPED = """(selector) => {
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    const cls = (el.getAttribute('class') || '').trim().split(/\\s+/).filter(Boolean).slice(0, 3);
    if (cls.length) s += '.' + cls.join('.');
    for (const attr of ['data-field']) if (el.hasAttribute(attr)) s += `[${attr}=${el.getAttribute(attr)}]`;
    return s;
  };
  const problems = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    const r = el.getBoundingClientRect();
    let hidden = false;
    const cutBy = [];
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const ar = a.getBoundingClientRect();
      if (ar.width <= 1 || ar.height <= 1) { hidden = true; break; }  // visually-hidden text
      const o = getComputedStyle(a).overflowX;
      if ((o === 'hidden' || o === 'clip') && (r.left < ar.left - 0.5 || r.right > ar.right + 0.5)) {
        cutBy.push(`${name(a)} (overflow ${o}, ${Math.round(ar.left)}-${Math.round(ar.right)}px)`);
      }
    }
    if (hidden || r.width <= 1) continue;
    const said = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    const where = `${name(el)} "${said}"`;
    if (style.display !== 'inline' && el.scrollWidth > el.clientWidth) {
      const cut = style.overflowX !== 'visible'
        ? `is cut off (overflow ${style.overflowX}, text-overflow ${style.textOverflow})`
        : 'spills out of it';
      problems.push(
        `${where}: its text needs ${el.scrollWidth}px, its box is ${el.clientWidth}px, so it ${cut}`);
    }
    for (const box of cutBy) {
      problems.push(`${where} at ${Math.round(r.left)}-${Math.round(r.right)}px is cut off by ${box}`);
    }
  }
  return problems;
}"""


def layout_problems(page: Page) -> list[str]:
    found = page.evaluate(SIDEWAYS)
    problems = []
    if found["scrollWidth"] > found["innerWidth"] or (found["clips"] and found["out"]):
        why = (f"the page is {found['scrollWidth']}px wide in a {found['innerWidth']}px window"
               if found["scrollWidth"] > found["innerWidth"]
               else f"content is cut off at the right edge ({', '.join(found['clips'])} hides overflow)")
        problems.append(f"(a) sideways scroll: {why}; sticking out past {found['edge']}px:\n" + "\n".join(
            f"      {o['element']} in {o['parent']} ({o['how']} reaches {o['right']}px, "
            f"{o['width']}px wide) \"{o['text']}\"" for o in found["out"]))
    problems += [f"(b) clipped number: {p}" for p in page.evaluate(CLIPPED, NUMBERS)]
    return problems


def settle(page: Page) -> None:
    """Wait for the fonts and two frames, so the layout measured is the one shown."""
    page.evaluate("""() => document.fonts.ready.then(() => new Promise((done) =>
        requestAnimationFrame(() => requestAnimationFrame(done))))""")


@pytest.fixture
def errors_to_this_test(tabs: Tabs, page_errors: list[str]) -> Iterator[None]:
    tabs.sink = page_errors
    yield
    tabs.sink = []


#: Theme, then page, then width, so that the widths of one page follow one another.
CASES = [pytest.param(spot, theme, width, id=f"{spot.name}-{theme}-{width}")
         for theme in THEMES for spot in PAGES for width in WIDTHS]


@pytest.mark.parametrize(("spot", "theme", "width"), CASES)
def test_every_page(spot: Spot, theme: str, width: int, tabs: Tabs, world: World, look: Look,
                    errors_to_this_test: None, page_errors: list[str]) -> None:
    page = tabs.show(spot, theme, width)
    settle(page)
    where = f"{spot.name} at {width}px, {theme} theme ({page.url.removeprefix(tabs.server.url)})"
    problems = layout_problems(page)
    if width in SCANNED:
        try:
            look(page, "page")
        except AssertionError as failure:  # without pytest's repeat of the assertion
            problems.append(str(failure).split("\nassert ")[0])
    elif page_errors:
        problems.append("errors in the browser:\n" + "\n".join(page_errors))
    if problems:
        pytest.fail(f"{where}:\n" + "\n".join(f"  {p}" for p in problems), pytrace=False)
