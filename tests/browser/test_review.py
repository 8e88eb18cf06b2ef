"""Spaced review in a real browser, on a controlled clock.

A student finishes a quiz with one wrong answer; their home says "1 due"; the Review page asks
that question with the usual feedback, explanation and evidence, and says when it is due
next; with the clock moved a day on, it is due again. The Review page fits a 360 px phone in
the dark theme.
"""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from quizapp.models import utcnow
from quizapp.scoring import key_response
from quizapp.services import quiz as quiz_service
from quizapp.services import review as review_service
from quizapp.services.banks import question_model
from tests.browser.conftest import (
    PLAN,
    LiveServer,
    Look,
    fill_answer,
    sign_in,
    start_quiz,
    submit_answer,
)


def _keys(live_server: LiveServer) -> list[object]:
    """The key of each question of all-types, in the bank's order."""
    with live_server.app.app_context():
        return [key_response(question_model(v.content))
                for v in quiz_service.current_versions("all-types")]


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_a_missed_question_comes_back_for_review(new_context, live_server: LiveServer, student: str,
                                                  look: Look, monkeypatch) -> None:
    page = new_context().new_page()
    sign_in(page, student)
    start_quiz(page)
    keys = _keys(live_server)
    for number, ((kind, *_), key) in enumerate(zip(PLAN, keys, strict=True), start=1):
        response = "Kash Patel" if number == 1 else key  # the first one wrong, the rest right
        fill_answer(page, kind, str(response) if kind in ("short", "numeric") else response)
        submit_answer(page)
        if number < len(PLAN):
            page.get_by_role("link", name="Next question").click()
    page.get_by_role("button", name="See my results").click()
    page.wait_for_url(re.compile(r"/results$"))

    page.goto("/")
    expect(page.locator("[data-field=review-due]")).to_have_text("1 due")
    look(page, "home-due")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review")
    page.get_by_role("button", name="Start my review").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/questions/1$"))
    expect(page.get_by_text("Review · from Every question type")).to_be_visible()
    expect(page.get_by_text("Paragraph 9 names")).to_have_count(0)  # no explanation before
    look(page, "question")
    fill_answer(page, "single", "John Ratcliffe")
    submit_answer(page)
    expect(page.get_by_role("heading", level=2, name=re.compile("^Not quite"))).to_be_visible()
    expect(page.locator(".explanation")).to_contain_text("Paragraph 9 names Tulsi Gabbard")
    expect(page.locator("blockquote.evidence")).to_contain_text("Tulsi Gabbard")
    next_review = page.locator(".next-review time")
    expect(next_review).to_be_visible()
    due_at = dt.datetime.fromisoformat(next_review.get_attribute("datetime").replace("Z", ""))
    assert dt.timedelta(hours=23, minutes=59) < due_at - utcnow() <= dt.timedelta(days=1)
    look(page, "feedback")
    page.get_by_role("button", name="See my results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your review")

    page.goto("/")
    expect(page.locator("[data-field=review-due]")).to_have_count(0)
    expect(page.get_by_text("Nothing due for review now")).to_be_visible()
    page.goto("/progress")
    expect(page.get_by_text("1 question in review")).to_be_visible()
    look(page, "progress")

    # a day later, by the server's clock, it is due again
    monkeypatch.setattr(review_service, "utcnow", lambda: utcnow() + dt.timedelta(days=1, minutes=1))
    page.goto("/")
    expect(page.locator("[data-field=review-due]")).to_have_text("1 due")

    phone = new_context(color_scheme="dark").new_page()
    phone.set_viewport_size({"width": 360, "height": 780})
    sign_in(phone, student)
    phone.goto("/review")
    expect(phone.get_by_role("button", name="Start my review")).to_be_visible()
    _no_sideways_scroll(phone)
    look(phone, "review-phone-dark")
    phone.goto("/progress")
    _no_sideways_scroll(phone)
