"""Signing in and out, changing the password, and the pages shown when something is wrong."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, LiveServer, Look, sign_in, start_quiz

NEW_PASSWORD = "a new one of my own"


def next_page(page: Page) -> str:
    """Where the sign-in page will go on to: its ``next`` parameter."""
    page.wait_for_url(re.compile(r"/login\?"))
    url = urlsplit(page.url)
    assert url.path == "/login", page.url
    return parse_qs(url.query)["next"][0]


def test_signing_in_changing_the_password_and_signing_out(
    page: Page, look: Look, live_server: LiveServer, student: str
) -> None:
    page.goto("/quizzes/all-types")
    expect(page.get_by_role("button", name="Start the quiz")).to_have_count(0)
    page.get_by_role("link", name="Sign in to take this quiz").click()
    assert next_page(page) == "/quizzes/all-types"
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    look(page, "login")

    page.get_by_label("Username").fill(student)
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That username and password do not match.")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    look(page, "login-error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/quizzes/all-types")  # back where the student was
    expect(page.get_by_role("button", name="Start the quiz")).to_be_visible()

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name=f"Student {student}").click()
    expect(page).to_have_url(live_server.url + "/account/password")
    expect(page.get_by_text(f"Signed in as {student}")).to_be_visible()
    look(page, "password")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("The current password is not right.")).to_be_visible()
    expect(page.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")
    look(page, "password-error")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_text("Your password is changed.")).to_be_visible()

    nav.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
    look(page, "signed-out")
    page.goto("/progress")  # signed out: asked to sign in first
    assert next_page(page) == "/progress"
    expect(page.get_by_text("Please sign in to take a quiz.")).to_be_visible()
    page.get_by_label("Username").fill(student)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That username and password do not match.")).to_be_visible()
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/progress")
    expect(page.get_by_text("You have not finished a quiz yet.")).to_be_visible()
    look(page, "progress-empty")


def test_pages_that_do_not_exist_and_other_students_attempts_show_a_404(
    page: Page, look: Look, live_server: LiveServer, student: str
) -> None:
    for path in ("/quizzes/no-such-quiz", "/articles/no-such-article", "/no/such/page"):
        response = page.goto(path)
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(page.get_by_text("Error 404.")).to_be_visible()
        expect(page.get_by_role("link", name="Back to the quizzes")).to_have_attribute("href", "/")
    look(page, "404")

    sign_in(page, student)
    attempt = start_quiz(page)
    response = page.goto(f"/attempts/{attempt}/questions/99")
    assert response is not None and response.status == 404
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()

    other = f"{student[:28]}-two"
    live_server.make_account(other, "Another Student")
    sign_in(page, other)
    for path in (f"/attempts/{attempt}", f"/attempts/{attempt}/questions/1", f"/attempts/{attempt}/results"):
        response = page.goto(path)
        assert response is not None and response.status == 404, path  # as if it did not exist
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    look(page, "404-someone-elses-attempt", axe=False)  # the 404 page was scanned above


def test_a_form_left_open_after_the_session_ended_asks_to_try_again(
    page: Page, look: Look, live_server: LiveServer, student: str
) -> None:
    page.goto("/login")
    page.context.clear_cookies()  # the session, and with it the form's CSRF token, is gone
    page.get_by_label("Username").fill(student)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/login")
    out_of_date = "That page was out of date, so nothing was saved. Please try again."
    expect(page.get_by_text(out_of_date)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_be_visible()
    look(page, "out-of-date")
    page.get_by_label("Username").fill(student)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out")).to_be_visible()
