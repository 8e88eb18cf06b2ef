"""Home pages, the results summary and small things, in a real browser.

A teacher's dashboard counts what the students really did; a student's home puts what is
assigned before practice; the results open with a ring whose percentage is the score; a
matching answer is marked pair by pair; the last question's "See my results" takes the
focus; ordering instructions name the controls shown; the login cards have a Print button.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from playwright.sync_api import Page, expect

from quizapp.extensions import db
from quizapp.models import Account, Classroom, utcnow
from quizapp.services import classes
from quizapp.services.accounts import create_account
from tests.browser.conftest import (
    PASSWORD,
    PLAN,
    PLAN_SCORE,
    LiveServer,
    Look,
    fill_answer,
    sign_in,
    start_quiz,
    submit_answer,
)

QUIZ = "Every question type"


def _class_with(live_server: LiveServer, tag: str, students: list[str]) -> tuple[str, int]:
    """A teacher (``t-<tag>``) with a class of ``students`` and all-types assigned, due in two days."""
    teacher = f"t-{tag}"
    with live_server.app.app_context():
        try:
            account = create_account(teacher, "Tess Dashboard", PASSWORD, role="teacher")
            room = classes.create_class(account, f"Class {tag}")
            for name in students:
                classes.add_member(room, create_account(name, f"Student {name}", PASSWORD))
            classes.create_assignment(room, "all-types", due_at=utcnow() + dt.timedelta(days=2))
            return teacher, room.id
        finally:
            db.session.remove()


def _answer(page: Page, number: int) -> None:
    kind, response, *_ = PLAN[number - 1]
    page.wait_for_load_state()  # quiz.js has turned the ordering menus into buttons
    fill_answer(page, kind, response)
    submit_answer(page)


def test_the_dashboard_counts_what_the_students_did(new_context, look: Look,
                                                    live_server: LiveServer) -> None:
    tag = secrets.token_hex(3)
    done, busy, idle = f"done-{tag}", f"busy-{tag}", f"idle-{tag}"
    teacher, class_id = _class_with(live_server, tag, [done, busy, idle])

    # one student finishes, from her home page, where the assignment comes before practice
    page = new_context().new_page()
    sign_in(page, done)
    page.goto("/")
    assigned = page.get_by_role("region", name="Assigned to you")
    practice = page.get_by_role("region", name="Practice")
    assert assigned.bounding_box()["y"] < practice.bounding_box()["y"]
    card = assigned.locator("li.card")
    expect(card).to_have_count(1)
    expect(card.locator(".badge")).to_have_text("To do")
    expect(card).to_contain_text("Due ")
    look(page, "student-home")
    card.get_by_role("button", name=re.compile(f"^Start {QUIZ}")).click()
    for number in range(1, len(PLAN) + 1):
        expect(page).to_have_url(re.compile(rf"/questions/{number}$"))
        _answer(page, number)
        if number < len(PLAN):
            expect(page.get_by_role("link", name="Next question")).to_be_focused()
            page.get_by_role("link", name="Next question").click()
    # the last question: its "See my results" takes the focus, as "Next question" does
    see_results = page.get_by_role("button", name="See my results")
    expect(see_results).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/results$"))

    # another starts and answers one question; the third does nothing
    other = new_context().new_page()
    sign_in(other, busy)
    other.goto("/")
    other.get_by_role("button", name=re.compile(f"^Start {QUIZ}")).click()
    _answer(other, 1)

    board = new_context(color_scheme="dark").new_page()
    board.set_viewport_size({"width": 360, "height": 800})
    sign_in(board, teacher)
    board.goto("/")
    expect(board.get_by_role("heading", level=1)).to_have_text("Dashboard")
    card = board.locator(".open-assignment", has=board.get_by_role("link", name=f"Class {tag}"))
    expect(card).to_contain_text("1 of 3 students finished · 1 answering now · 1 not started")
    card.get_by_role("link", name=re.compile("^Report")).click()
    expect(board).to_have_url(re.compile(rf"/classes/{class_id}/assignments/\d+/report$"))
    board.go_back()
    assert board.evaluate("document.documentElement.scrollWidth") <= 360
    look(board, "dashboard-360-dark")
    board.get_by_role("region", name="Your classes").get_by_role("link", name=f"Class {tag}").click()
    expect(board).to_have_url(re.compile(rf"/classes/{class_id}$"))


def test_the_results_open_with_the_score_and_mark_each_pair(page: Page, look: Look, student: str) -> None:
    sign_in(page, student)
    start_quiz(page)
    for number in range(1, len(PLAN) + 1):
        _answer(page, number)
        if number < len(PLAN):
            page.get_by_role("link", name="Next question").click()
    # the matching question's feedback: each pair right or wrong, in words as well as marks
    pairs = page.locator(".feedback .pair-marks li")
    expect(pairs).to_have_text(["Right: MI5 → United Kingdom",
                                "Wrong: FBI → Netherlands (the answer: United States)"])
    expect(pairs.nth(0)).to_have_class("is-right")
    expect(pairs.nth(1)).to_have_class("is-wrong")
    look(page, "matching-feedback")
    page.get_by_role("button", name="See my results").click()
    expect(page).to_have_url(re.compile(r"/results$"))

    ring = page.get_by_role("img", name=re.compile(r"^Score \d+%$"))
    shown = page.locator(".summary-card .total")
    expect(shown).to_have_text(f"You scored {PLAN_SCORE}.")
    fraction, percent = re.match(r"(\S+) \((\d+)%\)", PLAN_SCORE).groups()
    got, out_of = map(float, fraction.split("/"))
    assert round(100 * got / out_of) == int(percent)
    expect(ring).to_have_attribute("aria-label", f"Score {percent}%")
    # the summary comes first: the ring above the question-by-question review
    review = page.get_by_role("heading", name="Question by question")
    assert ring.bounding_box()["y"] < review.bounding_box()["y"]
    # wrong and partly right questions are open, right ones closed
    results = page.locator("details.result")
    expect(results).to_have_count(len(PLAN))
    for index, (_kind, _response, verdict, _marks, _para) in enumerate(PLAN):
        if verdict == "Right!":
            expect(results.nth(index)).not_to_have_attribute("open", "")
        else:
            expect(results.nth(index)).to_have_attribute("open", "")
    matching = results.nth(6).locator(".pair-marks li")
    expect(matching).to_have_text(["Right: MI5 → United Kingdom",
                                   "Wrong: FBI → Netherlands (the answer: United States)"])
    look(page, "results")
    # a closed question opens from the keyboard
    results.nth(0).locator("summary").focus()
    page.keyboard.press("Enter")
    expect(results.nth(0)).to_have_attribute("open", "")


def test_ordering_instructions_match_the_controls(new_context, look: Look, student: str) -> None:
    with_js = new_context().new_page()
    sign_in(with_js, student)
    attempt = start_quiz(with_js)
    with_js.goto(f"/attempts/{attempt}/questions/6")
    legend = with_js.locator("fieldset legend")
    expect(legend).to_have_text(
        "Put these in order, first at the top: use the Move up ↑ and Move down ↓ buttons, or drag the items")
    without = new_context(java_script_enabled=False).new_page()
    sign_in(without, student)
    without.goto(f"/attempts/{attempt}/questions/6")
    expect(without.locator("fieldset legend")).to_have_text(
        "Put these in order, first at the top: choose each item's position, 1 first")
    expect(without.get_by_role("combobox")).to_have_count(3)


def _upload_roster(page: Page, class_id: int, tag: str) -> None:
    page.goto(f"/classes/{class_id}#students")
    roster = f"username,display_name\n{tag}.p,Priya Raman\n{tag}.t,Tom Oyelaran\n"
    field = page.locator("input[type=file][name=roster]")
    field.set_input_files(files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": roster.encode()}])
    with page.expect_navigation():
        page.locator("form:has(input[name=roster]) button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Login cards"))


def test_the_login_cards_have_a_print_button(new_context, look: Look, live_server: LiveServer) -> None:
    tag = secrets.token_hex(3)
    teacher, class_id = _class_with(live_server, f"p{tag}", [])
    page = new_context().new_page()
    sign_in(page, teacher)
    _upload_roster(page, class_id, f"a{tag}")
    page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; }")
    button = page.get_by_role("button", name="Print the cards")
    expect(button).to_be_visible()
    expect(page.get_by_text("Print this page with your browser's Print command")).to_be_hidden()
    look(page, "cards")
    button.click()
    assert page.evaluate("window.printed") == 1

    # without JavaScript there is no button that would do nothing, but a hint saying how
    plain = new_context(java_script_enabled=False).new_page()
    sign_in(plain, teacher)
    _upload_roster(plain, class_id, f"b{tag}")
    expect(plain.get_by_role("button", name="Print the cards")).to_be_hidden()
    expect(plain.get_by_text("Print this page with your browser's Print command")).to_be_visible()
    look(plain, "cards-without-javascript", axe=False)
    with live_server.app.app_context():
        try:
            assert db.session.get(Classroom, class_id) is not None
            assert db.session.query(Account).filter(Account.username.like(f"_{tag}.%")).count() == 4
        finally:
            db.session.remove()
