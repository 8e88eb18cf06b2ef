"""Marks a teacher can check and correct, and answers held back until the assignment shows them:
the teacher opens one student's attempt from the report and changes a mark with a comment,
which the student then sees; a student of an ``after_due`` assignment sees "recorded", no key."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page, expect

from quizapp.extensions import db
from quizapp.models import utcnow
from quizapp.services import classes as classes_service
from quizapp.services import quiz
from quizapp.services.accounts import create_account
from tests.browser.conftest import PASSWORD, PLAN, LiveServer, Look, fill_answer, sign_in

_names = itertools.count(1)
QUIZ = "Every question type"


@dataclass
class Setting:
    teacher: str
    student: str
    student_name: str
    class_id: int
    assignment_id: int
    attempt_id: int | None = None


def set_up(live_server: LiveServer, *, finished: bool, **options: Any) -> Setting:
    """A teacher, a student in their class, and all-types assigned with ``options``; with
    ``finished``, the student's attempt answered as PLAN says (4.5/9) and finished."""
    n = next(_names)
    with live_server.app.app_context():
        try:
            teacher = create_account(f"marker{n}.t", f"Teacher Marker {n}", PASSWORD, "teacher")
            student = create_account(f"marked{n}.s", f"Mira Marked {n}", PASSWORD, "student")
            room = classes_service.create_class(teacher, f"Media {n}")
            classes_service.join(student, room.join_code)
            assignment = classes_service.create_assignment(room, "all-types", **options)
            setting = Setting(teacher.username, student.username, student.display_name, room.id,
                              assignment.id)
            if finished:
                attempt = quiz.load_attempt(
                    quiz.start_attempt(student.id, "all-types", assignment_id=assignment.id).id,
                    student.id)
                for item, (_, response, *_) in zip(attempt.items, PLAN, strict=True):
                    quiz.answer_question(attempt, item, response)
                quiz.finish_attempt(attempt)
                setting.attempt_id = attempt.id
            return setting
        finally:
            db.session.remove()


def test_a_teacher_corrects_a_mark_from_the_report_and_the_student_sees_it(
    new_context: Any, look: Look, live_server: LiveServer
) -> None:
    s = set_up(live_server, finished=True)
    teacher = new_context().new_page()
    sign_in(teacher, s.teacher)
    teacher.goto(f"/classes/{s.class_id}/assignments/{s.assignment_id}/report")
    grid = teacher.locator("table.grid")
    expect(grid.get_by_role("row", name=re.compile(s.student_name))).to_contain_text("4.5/9")
    grid.get_by_role("link", name=s.student_name, exact=True).click()
    expect(teacher).to_have_url(re.compile(rf"/classes/{s.class_id}/attempts/{s.attempt_id}$"))
    expect(teacher.get_by_role("heading", level=1)).to_have_text(f"{s.student_name}: {QUIZ}")
    expect(teacher.locator(".attempt-total")).to_have_text("4.5/9")
    # every question: the student's answer, the key and the explanation
    items = teacher.locator("article.review-item")
    expect(items).to_have_count(7)
    year = teacher.locator("#q-5")
    expect(year.locator(".response")).to_have_text("2018")
    expect(year.locator(".answer-key")).to_have_text("2017")
    expect(year).to_contain_text("Paragraph 8 says this happened in 2017.")
    expect(year.locator(".verdict")).to_have_text("✖ Wrong")
    look(teacher, "attempt")

    # a mark beyond the question's points is refused at the field, nothing saved
    year.get_by_label("Mark (0 to 1)").fill("3")
    year.get_by_role("button", name="Save the mark of question 5").click()
    error = teacher.locator("#mark-5-error")
    expect(error).to_have_text("The mark must be between 0 and 1, the question's points.")
    expect(teacher.locator("#mark-5")).to_have_attribute("aria-invalid", "true")
    expect(teacher.locator(".attempt-total")).to_have_text("4.5/9")
    look(teacher, "attempt-error")

    year = teacher.locator("#q-5")
    year.get_by_label("Mark (0 to 1)").fill("1")
    year.get_by_label(re.compile("^Comment for")).fill("2018 is when it was reported: I accept it.")
    year.get_by_role("button", name="Save the mark of question 5").click()
    expect(teacher.get_by_text("Question 5: the mark is now 1/1. The total is now 5.5/9.")).to_be_visible()
    expect(teacher.locator(".attempt-total")).to_have_text("5.5/9")
    history = teacher.locator("#q-5 table.mark-history")
    expect(history.locator("tbody tr")).to_have_count(1)
    cells = history.locator("tbody tr td")
    expect(cells.nth(1)).to_have_text(re.compile(r"^Teacher Marker \d+$"))
    expect(cells.nth(2)).to_have_text("0")
    expect(cells.nth(3)).to_have_text("1")
    expect(cells.nth(4)).to_have_text("2018 is when it was reported: I accept it.")
    expect(teacher.locator("#q-5 .verdict")).to_have_text("✔ Right")
    look(teacher, "attempt-changed")
    teacher.set_viewport_size({"width": 360, "height": 800})
    no_sideways = teacher.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_sideways, "the attempt page scrolls sideways at 360 px"
    look(teacher, "attempt-360")

    # the report follows
    teacher.set_viewport_size({"width": 1024, "height": 768})
    teacher.goto(f"/classes/{s.class_id}/assignments/{s.assignment_id}/report")
    expect(teacher.locator("table.grid").get_by_role("row", name=re.compile(s.student_name))
           ).to_contain_text("5.5/9")

    student = new_context().new_page()
    sign_in(student, s.student)
    student.goto(f"/attempts/{s.attempt_id}/results")
    expect(student.locator(".summary-card .total")).to_contain_text("5.5/9")
    comment = student.locator(".teacher-comment")
    expect(comment).to_have_count(1)
    expect(comment).to_contain_text("2018 is when it was reported: I accept it.")
    look(student, "student-results")


def test_a_student_of_an_after_due_assignment_sees_recorded_and_no_key(
    new_context: Any, look: Look, live_server: LiveServer
) -> None:
    due = utcnow() + dt.timedelta(days=3)
    s = set_up(live_server, finished=False, due_at=due, show_answers="after_due")
    page: Page = new_context().new_page()
    sign_in(page, s.student)
    page.goto("/")
    card = page.locator("li.assignment", has_text=QUIZ)
    card.get_by_role("button", name=re.compile("^Start")).click()
    page.wait_for_url(re.compile(r"/attempts/\d+/questions/1$"))
    for number, (kind, response, *_) in enumerate(PLAN, start=1):
        fill_answer(page, kind, response)
        page.get_by_role("button", name="Submit answer").click()
        heading = page.get_by_role("heading", level=2, name="Your answer is recorded")
        expect(heading).to_be_visible()
        feedback = page.locator("section.feedback")
        expect(feedback).not_to_contain_text("The answer")
        expect(feedback).to_contain_text("shown after the due date")
        html = page.content()
        for secret in ("Right!", "Not quite", "Partly right", "Paragraph 9 names", "Emily Harding or Harding",
                       "Paragraph 8 says this happened in 2017"):
            assert secret not in html, f"question {number} shows {secret!r}"
        if number == 1:
            look(page, "question-recorded")
        if number < len(PLAN):
            page.get_by_role("link", name="Next question").click()
            page.wait_for_url(re.compile(rf"/questions/{number + 1}$"))
    page.get_by_role("button", name="See my results").click()
    page.wait_for_url(re.compile(r"/results$"))
    expect(page.get_by_role("heading", level=2, name="Your answers are recorded")).to_be_visible()
    expect(page.locator(".summary-card")).to_contain_text("You answered 7 of 7 questions")
    expect(page.locator(".summary-card")).not_to_contain_text("4.5/9")
    assert "The answer" not in page.content() and "MI5 is British" not in page.content()
    look(page, "results-recorded")
    page.goto("/")
    expect(page.locator("li.assignment", has_text=QUIZ)).to_contain_text("Marks shown after")
    look(page, "home-recorded")
