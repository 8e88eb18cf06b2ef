"""A whole live game in one browser: the host on a projector-sized page, three players on phones.

The host (1280x720) starts a game of the all-types bank, three players (360x740, each in a
context of their own) join with the PIN, and every question type is played to the podium: the
answer buttons, "Answer locked", the reveal with the distribution and the evidence, each
player's result, a player reloading mid-game and keeping their score, the podium's order and
the results page with its CSV. Every screen goes through ``look`` (a screenshot and axe-core).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from quizapp.extensions import db
from quizapp.services.accounts import create_account
from tests.browser.conftest import PASSWORD, LiveServer, Look, sign_in

PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 360, "height": 740}
#: For each question of all-types: its type and what Ana (all right), Ben and Cy answer.
PLAY: list[tuple[str, Any, Any, Any]] = [
    ("single", "Tulsi Gabbard", "Kash Patel", None),  # Cy does not answer: the host ends it
    ("multiple", ["United Kingdom", "Colombia", "Netherlands"], ["France"], ["United Kingdom"]),
    ("true_false", False, True, False),
    ("short", "Emily Harding", "John Smith", "harding"),
    ("numeric", "2017", "2018", "2017"),
    ("ordering", ["CNN", "New York Times", "The Atlantic"], None, None),  # as shuffled for the others
    ("matching", {"MI5": "United Kingdom", "FBI": "United States"},
     {"MI5": "Netherlands", "FBI": "United States"}, {"MI5": "United Kingdom", "FBI": "Netherlands"}),
]


def _teacher(live_server: LiveServer, username: str) -> None:
    with live_server.app.app_context():
        try:
            create_account(username, "Ms Host", PASSWORD, "teacher")
        finally:
            db.session.remove()


def _answer(page: Page, kind: str, response: Any) -> None:
    """Answer on a player's phone screen, as a player would."""
    if kind == "single":
        page.get_by_role("button", name=re.compile(rf"{re.escape(response)}$")).click()
        return
    if kind == "true_false":
        page.get_by_role("button", name=re.compile("True$" if response else "False$")).click()
        return
    if kind == "multiple":
        for choice in response:
            page.get_by_label(re.compile(rf"{re.escape(choice)}$")).check()
    elif kind in ("short", "numeric"):
        page.get_by_role("textbox", name=re.compile("^Your answer")).fill(response)
    elif kind == "ordering" and response is not None:
        labels = page.locator("[data-game-ordering] li label")
        for place, item in enumerate(response):
            while labels.all_inner_texts().index(item) > place:
                page.get_by_role("button", name=f"Move “{item}” up").click()
    elif kind == "matching":
        for left, right in response.items():
            page.get_by_label(left, exact=True).select_option(label=right)
    page.get_by_role("button", name="Lock in my answer").click()


def _page(new_context: Callable[..., BrowserContext], size: dict[str, int]) -> Page:
    """A page in a browser context of its own (its own cookies: another person), at ``size``."""
    page = new_context().new_page()
    page.set_viewport_size(size)
    return page


def _heading(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def test_a_whole_live_game_to_the_podium(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], look: Look,
) -> None:
    _teacher(live_server, "live.host")
    host = _page(new_context, PROJECTOR)
    sign_in(host, "live.host")

    # -- the host starts a game from the bank's page
    host.goto("/quizzes/all-types")
    host.get_by_role("link", name="Start a live game").click()
    expect(host.get_by_label("Quiz")).to_have_value("all-types")
    look(host, "start-form")
    host.get_by_label("Seconds per question").fill("60")
    host.get_by_role("button", name="Open the lobby").click()
    host.wait_for_url(re.compile(r"/games/\d+$"))
    pin = host.locator(".game-pin").inner_text().strip()
    assert re.fullmatch(r"\d{8}", pin), pin
    expect(host.locator("svg.qr")).to_be_visible()
    join_link = host.locator(".game-join-how a").get_attribute("href")
    assert join_link and join_link.endswith(f"/play?pin={pin}")
    look(host, "lobby-empty")

    # -- three players join on their phones, through the join link (the QR code's)
    players: dict[str, Page] = {}
    for name in ("Ana", "Ben", "Cy"):
        phone = _page(new_context, PHONE)
        phone.goto(join_link)
        expect(phone.get_by_label("Game PIN")).to_have_value(pin)
        if name == "Ana":
            look(phone, "phone-join")
        phone.get_by_label("Nickname").fill(name)
        phone.get_by_role("button", name="Join").click()
        expect(_heading(phone)).to_have_text("You’re in!")
        players[name] = phone
    ana, ben, cy = players["Ana"], players["Ben"], players["Cy"]
    look(ana, "phone-lobby")
    # the lobby fills as they join, without a reload
    expect(host.locator("#players-heading")).to_have_text("3 players", timeout=5000)
    for name in players:
        expect(host.locator(".game-player-list")).to_contain_text(name)
    look(host, "lobby-full")

    host.get_by_role("button", name="Start the game").click()
    scores: dict[str, str] = {}
    for number, (kind, *answers) in enumerate(PLAY, start=1):
        title = f"Question {number} of {len(PLAY)}"
        expect(_heading(host)).to_have_text(title)
        for phone in players.values():  # each phone moves on by itself
            expect(_heading(phone)).to_have_text(title, timeout=5000)
        if number == 1:
            expect(host.locator(".game-clock")).to_have_text(re.compile(r"^\d+$"))
            look(host, "question-single")
        look(ana, f"phone-question-{kind}")
        for phone, response in zip(players.values(), answers, strict=True):
            if response is not None or kind == "ordering":
                _answer(phone, kind, response)
        if kind != "ordering" and answers[2] is None:
            expect(_heading(ana)).to_have_text("Answer locked")
            expect(ana.locator("[data-announcer]")).to_have_text("Answer locked.")
            look(ana, "phone-locked")
            expect(host.locator("[data-field=answered]")).to_have_text("2", timeout=5000)
            host.get_by_role("button", name="Show the answer").click()
        # the last answer closes the question: the reveal comes by itself
        expect(_heading(host)).to_have_text(f"{title}: the answer", timeout=5000)
        if number == 1:
            bars = host.locator(".game-bar")
            expect(bars.filter(has_text="Tulsi Gabbard").locator(".game-bar-count")).to_have_text("1")
            expect(bars.filter(has_text="Kash Patel").locator(".game-bar-count")).to_have_text("1")
            expect(bars.filter(has_text="Tulsi Gabbard")).to_have_class(re.compile("is-right"))
            expect(host.locator(".game-evidence mark")).to_have_text("Tulsi Gabbard")
            expect(host.locator(".game-top li").first).to_contain_text("Ana")
            look(host, "reveal-single")
            expect(_heading(ana)).to_contain_text("Right!", timeout=5000)
            expect(ana.locator(".game-result")).to_contain_text("1st")
            look(ana, "phone-right")
            expect(_heading(ben)).to_contain_text("Not quite", timeout=5000)
            look(ben, "phone-wrong")
            expect(_heading(cy)).to_have_text("No answer this time", timeout=5000)
        if number == 3:
            # a reload (or a lost connection) keeps the player and the score
            score = ben.locator(".game-me-score strong").inner_text()
            ben.reload()
            expect(ben.locator(".game-me-name")).to_have_text("Ben")
            expect(ben.locator(".game-me-score strong")).to_have_text(score)
        if kind == "matching":
            look(host, "reveal-marks")
        for name, phone in players.items():  # "Answer locked" until the phone's poll sees the reveal
            expect(phone.locator("[data-screen]")).to_have_attribute("data-phase", "reveal", timeout=5000)
            scores[name] = phone.locator(".game-me-score strong").inner_text()
        button = "Next question" if number < len(PLAY) else "Show the podium"
        host.get_by_role("button", name=button).click()

    # -- the podium: third, second, first
    expect(_heading(host)).to_have_text("The podium")
    expect(host.locator(".step-1 .game-step-names")).to_have_text("Ana")
    order = sorted(scores, key=lambda n: -int(scores[n]))
    assert order[0] == "Ana", scores
    expect(host.locator(".step-2 .game-step-names")).to_contain_text(order[1])
    # the steps rise one after another: photographed and scanned once they stand
    host.evaluate("() => Promise.all(document.getAnimations().map((a) => a.finished))")
    look(host, "podium")
    expect(_heading(ana)).to_have_text("Game over", timeout=5000)
    expect(ana.locator(".game-final")).to_contain_text("1st")
    look(ana, "phone-podium")

    # -- the results and their CSV
    host.get_by_role("link", name="See the results").click()
    expect(host.locator("table.game-results").first).to_contain_text("Ana")
    look(host, "results")
    csv = host.request.get(host.get_by_role("link", name="Download CSV").get_attribute("href"))
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")
    assert csv.text().splitlines()[1].startswith(f"1,Ana,{scores['Ana']},")
