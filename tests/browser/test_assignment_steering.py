"""A teacher steers an assignment after setting it: edits it from a browser in Paris, gives a
student more time, copies it to another class, and deletes it after reading what changes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Accommodation, Assignment, Attempt
from quizapp.scoring import key_response
from quizapp.services import classes, quiz
from quizapp.services.accounts import create_account
from tests.browser.conftest import PASSWORD, LiveServer, Look, sign_in

QUIZ = "Every question type"
ZONE = "Europe/Paris"
PHONE = {"width": 360, "height": 800}
WIDE = {"width": 1024, "height": 768}


@dataclass
class Setting:
    class_one: int
    class_two: int
    assignment: int
    attempt: int


def set_up(live_server: LiveServer) -> Setting:
    """Two classes of one teacher; all-types set for the first, due in a month, and a student
    of it who has finished one attempt."""
    with live_server.app.app_context():
        try:
            teacher = create_account("tess.steering", "Tess Steering", PASSWORD, role="teacher")
            student = create_account("sam.steering", "Sam Steering", PASSWORD)
            one = classes.create_class(teacher, "Period 1 Steering")
            two = classes.create_class(teacher, "Period 2 Steering")
            classes.add_member(one, student)
            due = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0) + dt.timedelta(days=30)
            work = classes.create_assignment(one, "all-types", due_at=due)
            attempt = quiz.start_attempt(student.id, "all-types", assignment_id=work.id)
            attempt = quiz.load_attempt(attempt.id, student.id)
            for item in attempt.items:
                quiz.answer_question(attempt, item, key_response(quiz.question_of(item)))
            quiz.finish_attempt(attempt)
            return Setting(one.id, two.id, work.id, attempt.id)
        finally:
            db.session.remove()


def read(live_server: LiveServer, model: type, *where: object) -> list:
    live_server.requests.wait_idle()
    with live_server.app.app_context():
        try:
            rows = list(db.session.execute(select(model).where(*where)).scalars())
            db.session.expunge_all()
            return rows
        finally:
            db.session.remove()


def row_link(label: str) -> re.Pattern[str]:
    return re.compile(rf"^{label}\s*: {QUIZ}$")


def at_phone_width(page: Page, look: Look, step: str) -> None:
    """A screenshot 360 wide; nothing scrolls sideways; back to the default size."""
    page.set_viewport_size(PHONE)
    look(page, step)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], step
    page.set_viewport_size(WIDE)


def test_a_teacher_edits_copies_and_deletes_an_assignment(
        live_server: LiveServer, new_context, look: Look) -> None:
    setting = set_up(live_server)
    context: BrowserContext = new_context(timezone_id=ZONE)
    page = context.new_page()
    sign_in(page, "tess.steering")

    # the class page: each assignment's options in brief, and an Edit link
    page.goto(f"/classes/{setting.class_one}#assignments")
    table = page.get_by_role("region", name="Assignments table")
    row = table.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Answers shown immediately")
    expect(row).to_contain_text("All 7 questions")
    row.get_by_role("link", name=row_link("Edit")).click()
    expect(page).to_have_url(re.compile(rf"/assignments/{setting.assignment}/edit$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit “{QUIZ}”")
    expect(page.get_by_text(f"Dates and times are in your time zone, {ZONE}.")).to_be_visible()
    look(page, "edit-page")
    at_phone_width(page, look, "edit-page-360")

    # change the due date (typed in Paris), the attempts, when answers show, the order
    due_here = dt.datetime(2031, 3, 2, 17, 30)  # 17:30 in Paris in winter is 16:30 UTC
    page.get_by_label("Due (your time, optional)").fill(f"{due_here:%Y-%m-%dT%H:%M}")
    page.get_by_label("Attempts allowed (optional)").fill("3")
    page.get_by_role("radio", name=re.compile(r"^Never")).check()
    page.get_by_label("Shuffle the question order").check()
    page.get_by_label("Close at the due date").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_url(re.compile(rf"/classes/{setting.class_one}#assignments$"))
    expect(page.get_by_text(f"Changes to “{QUIZ}” saved.")).to_be_visible()
    row = page.get_by_role("region", name="Assignments table").locator("tbody tr")
    for words in ("Answers shown never", "Closes at the due date", "Questions shuffled",
                  "3 attempts"):
        expect(row).to_contain_text(words)
    [work] = read(live_server, Assignment, Assignment.id == setting.assignment)
    assert work.due_at == due_here.replace(tzinfo=ZoneInfo(ZONE)).astimezone(dt.UTC).replace(tzinfo=None)
    assert (work.max_attempts, work.show_answers, work.shuffle_questions, work.close_at_due) == (
        3, "never", True, True)
    # the due cell shows the time back in Paris
    expect(row.locator("td").nth(1).locator("time")).to_contain_text("5:30")
    look(page, "class-page-after-edit")

    # an accommodation for the student, then the class page lists it
    row.get_by_role("link", name=row_link("Edit")).click()
    page.get_by_label("Student", exact=True).select_option(label="Sam Steering (sam.steering)")
    page.get_by_label("Extra time, percent (optional)").fill("50")
    page.get_by_role("button", name="Save the accommodation").click()
    expect(page.get_by_text("Saved: what Sam Steering gets")).to_be_visible()
    expect(page.get_by_role("region", name="Accommodations on this assignment")).to_contain_text(
        "50% more time")
    [extra] = read(live_server, Accommodation, Accommodation.assignment_id == setting.assignment)
    assert extra.extra_time_percent == 50
    page.goto(f"/classes/{setting.class_one}#assignments")
    expect(page.get_by_role("region", name="Accommodations")).to_contain_text("Sam Steering")
    expect(page.get_by_role("region", name="Assignments table")).to_contain_text("1 accommodation")
    look(page, "class-page-accommodations")
    at_phone_width(page, look, "class-page-360")

    # copy it to the other class: the same options there
    page.get_by_role("region", name="Assignments table").get_by_role(
        "link", name=row_link("Edit")).click()
    page.get_by_label("Copy it to").select_option(label="Period 2 Steering")
    page.get_by_role("button", name="Copy the assignment").click()
    expect(page).to_have_url(re.compile(rf"/classes/{setting.class_two}#assignments$"))
    expect(page.get_by_text(f"“{QUIZ}” is copied to Period 2 Steering")).to_be_visible()
    copied_row = page.get_by_role("region", name="Assignments table").locator("tbody tr")
    expect(copied_row).to_have_count(1)
    expect(copied_row).to_contain_text("Answers shown never")
    expect(copied_row).to_contain_text("Questions shuffled")
    [copied] = read(live_server, Assignment, Assignment.classroom_id == setting.class_two)
    assert (copied.due_at, copied.max_attempts, copied.show_answers) == (work.due_at, 3, "never")
    look(page, "copied")

    # delete it from class 1: the danger zone leads to a page that says what changes
    page.goto(f"/classes/{setting.class_one}/assignments/{setting.assignment}/edit")
    danger = page.locator(".danger-zone")
    expect(danger.get_by_role("button")).to_have_count(0)  # a link to confirm, no button here
    danger.get_by_role("link", name=f"Delete “{QUIZ}”…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Delete “{QUIZ}” from Period 1 Steering?")
    expect(page.get_by_text("Its 1 attempt by 1 student stays in the students' history.")).to_be_visible()
    expect(page.get_by_text("Its leaderboard and its report go away")).to_be_visible()
    assert read(live_server, Assignment, Assignment.id == setting.assignment)  # not yet
    look(page, "delete-confirmation")
    at_phone_width(page, look, "delete-confirmation-360")
    page.get_by_role("button", name="Delete the assignment").click()
    expect(page).to_have_url(re.compile(rf"/classes/{setting.class_one}#assignments$"))
    expect(page.get_by_text(f"“{QUIZ}” is no longer assigned to Period 1 Steering. "
                            "Its 1 attempt stays in the students' history.")).to_be_visible()
    expect(page.get_by_text("Nothing is assigned yet.")).to_be_visible()
    assert read(live_server, Assignment, Assignment.id == setting.assignment) == []
    [kept] = read(live_server, Attempt, Attempt.id == setting.attempt)
    assert kept.finished_at is not None and kept.assignment_id is None
    assert read(live_server, Assignment, Assignment.classroom_id == setting.class_two)  # the copy stays
    look(page, "after-delete")
