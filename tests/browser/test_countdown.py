"""A timed attempt's countdown: live, warning at one minute and at ten seconds, announced
politely, and only a display: the server still refuses an answer after the deadline."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect
from sqlalchemy import update

from quizapp.extensions import db
from quizapp.models import Attempt, utcnow
from quizapp.services import quiz
from tests.browser.conftest import LiveServer, Look, fill_answer, sign_in, start_quiz

#: How long before its deadline the test's attempt is opened: enough to see the minute's
#: warning, then the ten seconds', then the end, in a short test.
SECONDS_LEFT = 13


def set_deadline(live_server: LiveServer, attempt_id: int, deadline: dt.datetime) -> None:
    with live_server.app.app_context():
        try:
            db.session.execute(update(Attempt).where(Attempt.id == attempt_id).values(deadline_at=deadline))
            db.session.commit()
        finally:
            db.session.remove()


def test_the_countdown_warns_at_a_minute_and_ten_seconds_and_the_server_judges_the_end(
    page: Page, student: str, look: Look, live_server: LiveServer
) -> None:
    sign_in(page, student)
    attempt_id = start_quiz(page)
    # the attempt now has 13 seconds left (as a time limit of any length would, near its end)
    deadline = utcnow() + dt.timedelta(seconds=SECONDS_LEFT)
    set_deadline(live_server, attempt_id, deadline)
    page.reload()

    box = page.locator(".countdown")
    timer = box.get_by_role("timer")
    expect(timer).to_have_text(re.compile(r"^Time left: 0:1[0-3]$"))
    expect(box).to_have_class(re.compile(r"\bwarn\b"))
    announcements = box.locator("[aria-live=polite]")
    expect(announcements).to_have_text("Less than one minute left.")
    look(page, "one-minute-warning")

    # it counts down live, without a reload
    expect(timer).to_have_text(re.compile(r"^Time left: 0:(0\d|10)$"), timeout=5000)
    expect(box).to_have_class(re.compile(r"\burgent\b"))
    expect(announcements).to_have_text("Ten seconds left.")
    look(page, "ten-seconds-warning", axe=False)  # scanned in the same state as above

    expect(timer).to_have_text("Time is up.", timeout=SECONDS_LEFT * 1000)
    expect(announcements).to_have_text("Time is up.")

    # the countdown decides nothing: once the server's grace for answers on their way is
    # over, it refuses the late answer, and says why
    late = (deadline + quiz.GRACE - utcnow()).total_seconds() + 0.5
    page.wait_for_timeout(max(0, late) * 1000)
    fill_answer(page, "single", "Tulsi Gabbard")
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_text(re.compile("time", re.I)).first).to_be_visible()
    assert live_server.answers(attempt_id) == 0


def test_a_wrong_clock_on_the_device_does_not_change_the_time_left(
    page: Page, student: str, live_server: LiveServer
) -> None:
    """The page carries the server's time; a device clock an hour fast still shows the time
    the server allows."""
    page.clock.install(time=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    page.clock.resume()
    sign_in(page, student)
    attempt_id = start_quiz(page)
    set_deadline(live_server, attempt_id, utcnow() + dt.timedelta(minutes=5))
    page.reload()
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^Time left: 4:[45]\d$"))
