"""Steering assignments on the pages: the options of "Assign a quiz", the warning before a bank
the class has open is set again, the edit page, delete (with its confirmation), copy, and
accommodations, with what the class page shows of each."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Accommodation, Account, Assignment, Attempt, Classroom
from quizapp.scoring import key_response
from quizapp.services import classes, quiz
from tests.conftest import make_account, sign_in

TITLE = "Every question type"  # the all-types bank, 7 questions


def signed_in(app, username: str, role: str = "student"):
    make_account(username, role=role)
    client = app.test_client()
    sign_in(client, username)
    return client


def account(username: str) -> Account:
    return db.session.execute(select(Account).where(Account.username == username)).scalar_one()


@pytest.fixture
def teacher(app, all_types):
    return signed_in(app, "tess", "teacher")


@pytest.fixture
def room(teacher) -> Classroom:
    return classes.create_class(account("tess"), "Period 3")


def assignments_of(room: Classroom) -> list[Assignment]:
    db.session.expire_all()
    return list(db.session.execute(
        select(Assignment).where(Assignment.classroom_id == room.id).order_by(Assignment.id)
    ).scalars())


def assign(teacher, room: Classroom, status: int = 303, **fields: Any):
    response = teacher.post(f"/classes/{room.id}/assignments", data={"bank": "all-types", **fields})
    assert response.status_code == status, response.text
    return response


def edit_url(room: Classroom, assignment: Assignment, what: str = "edit") -> str:
    return f"/classes/{room.id}/assignments/{assignment.id}/{what}"


def options_cell(page: str, assignment: Assignment) -> str:
    """The class page's table row of the assignment."""
    row = re.search(rf'<tr id="assignment-{assignment.id}">(.*?)</tr>', page, re.S)
    assert row, f"no row for assignment {assignment.id}"
    return re.sub(r"\s+", " ", row.group(1))


def student_in(app, room: Classroom, username: str):
    client = signed_in(app, username)
    assert client.post("/classes/join", data={"code": room.join_code}).status_code == 303
    return client


def sit(username: str, assignment: Assignment) -> Attempt:
    """A finished attempt at the assignment, every question right."""
    student = account(username)
    attempt = quiz.start_attempt(student.id, "all-types", assignment_id=assignment.id)
    attempt = quiz.load_attempt(attempt.id, student.id)
    for item in attempt.items:
        quiz.answer_question(attempt, item, key_response(quiz.question_of(item)))
    return quiz.finish_attempt(attempt)


# --- "Assign a quiz" ------------------------------------------------------------------------------


def test_the_assign_form_offers_every_option_in_plain_words(teacher, room) -> None:
    page = teacher.get(f"/classes/{room.id}").text
    assert "When students see their marks and the answers" in page
    assert re.search(r'<input checked id="show_answers-0" name="show_answers" required type="radio" '
                     r'value="immediately">', page)
    assert "<strong>After the due date</strong>: until then students see only “Answer recorded”" in page
    assert ("<strong>Never</strong>: students see only “Answer recorded”; the marks and keys "
            "stay with you.") in page
    assert "Close at the due date" in page and "Shuffle the question order" in page
    assert "Questions to ask (optional)" in page
    assert f"“{TITLE}” has 7 questions." in page
    form = page[page.index('id="assign-heading"'):page.index('id="boards"')]
    assert '<button type="submit" class="button" data-once>Assign</button>' in form


def test_the_options_are_stored_and_shown_on_the_class_page(teacher, room) -> None:
    assign(teacher, room, due_at="2030-07-01T10:00", show_answers="after_due", close_at_due="y",
           shuffle_questions="y", question_count="3")
    [work] = assignments_of(room)
    assert (work.show_answers, work.close_at_due, work.shuffle_questions, work.question_count) == (
        "after_due", True, True, 3)
    row = options_cell(teacher.get(f"/classes/{room.id}").text, work)
    for words in ("Answers shown after the due date", "Closes at the due date",
                  "Questions shuffled", "3 of 7 questions"):
        assert words in row, words
    assert f'href="/classes/{room.id}/assignments/{work.id}/edit"' in row


def test_an_assignment_without_options_says_so_briefly(teacher, room) -> None:
    assign(teacher, room)
    [work] = assignments_of(room)
    assert (work.show_answers, work.close_at_due, work.shuffle_questions, work.question_count) == (
        "immediately", False, False, None)
    row = options_cell(teacher.get(f"/classes/{room.id}").text, work)
    assert "Answers shown immediately" in row and "All 7 questions" in row
    assert "Closes" not in row and "shuffled" not in row and "accommodation" not in row


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"show_answers": "after_due"}, "show_answers", "Answers shown after the due date need a due date"),
    ({"close_at_due": "y"}, "close_at_due", "Closing at the due date needs a due date."),
    ({"question_count": "8"}, "question_count", "The quiz has 7 questions: ask at most 7."),
    ({"question_count": "many"}, "question_count", "Not a valid integer value."),
    ({"show_answers": "sometimes"}, "show_answers", "Not a valid choice."),
])
def test_options_that_do_not_fit_are_refused_with_a_message_at_the_field(
        teacher, room, fields, field, message) -> None:
    response = assign(teacher, room, 422, **fields)
    page = response.text
    assert message in page
    summary = page[page.index('class="error-summary"'):]
    assert f'<a href="#{field}">{message}' in summary
    assert f'id="{field}-error"' in page
    assert assignments_of(room) == []


def test_a_bank_the_class_has_open_is_set_again_only_when_the_teacher_confirms(teacher, room) -> None:
    assign(teacher, room, due_at="2099-05-01T12:30")
    [first] = assignments_of(room)
    response = assign(teacher, room, 409, max_attempts="2")
    page = response.text
    assert "Period 3 already has this quiz open" in page
    assert "2099-05-01 12:30 UTC" in page  # which one is open: due then
    assert f'href="/classes/{room.id}/assignments/{first.id}/edit">edit it instead' in page
    assert 'name="confirm" type="hidden" value="all-types"' in page
    assert "Assign it again anyway" in page
    assert 'name="max_attempts" type="number" value="2"' in page  # what was typed is kept
    assert len(assignments_of(room)) == 1
    # the same post without the confirmation still only warns
    assign(teacher, room, 409)
    assert len(assignments_of(room)) == 1
    # a confirmation for another bank is no confirmation
    assign(teacher, room, 409, confirm="other-bank")
    assign(teacher, room, 303, confirm="all-types", max_attempts="2")
    works = assignments_of(room)
    assert len(works) == 2 and works[1].max_attempts == 2


def test_a_bank_whose_assignment_is_past_due_is_set_again_without_a_warning(teacher, room) -> None:
    assign(teacher, room, due_at="2020-01-02T09:00")
    assign(teacher, room, due_at="2099-01-02T09:00")
    assert len(assignments_of(room)) == 2


# --- the edit page ---------------------------------------------------------------------------------


def test_the_edit_page_is_prefilled_with_every_option(teacher, room) -> None:
    assign(teacher, room, opens_at="2030-06-01T08:00", due_at="2030-07-01T10:00",
           max_attempts="2", time_limit_minutes="15", show_answers="never", shuffle_questions="y",
           question_count="5")
    [work] = assignments_of(room)
    page = teacher.get(edit_url(room, work)).text
    assert f"Edit “{TITLE}”" in page
    assert 'name="opens_at" type="datetime-local" value="2030-06-01T08:00"' in page
    assert 'name="due_at" type="datetime-local" value="2030-07-01T10:00"' in page
    assert 'name="max_attempts" type="number" value="2"' in page
    assert 'name="time_limit_minutes" type="number" value="15"' in page
    assert 'name="question_count" type="number" value="5"' in page
    assert re.search(r'<input checked id="show_answers-2" name="show_answers" required type="radio" '
                     r'value="never">', page)
    assert re.search(r'<input [^>]*checked[^>]*name="shuffle_questions"', page)
    assert not re.search(r'<input [^>]*checked[^>]*name="close_at_due"', page)
    assert "This quiz has 7 questions." in page
    assert '<button type="submit" class="button" data-once>Save changes</button>' in page
    assert '<button type="submit" class="button secondary" data-once>Copy the assignment</button>' in page


def test_saving_the_edit_page_changes_the_assignment_and_the_class_page_shows_it(teacher, room) -> None:
    assign(teacher, room, due_at="2030-07-01T10:00", max_attempts="2")
    [work] = assignments_of(room)
    response = teacher.post(edit_url(room, work), data={
        "due_at": "2030-07-08T10:00", "max_attempts": "5", "time_limit_minutes": "20",
        "show_answers": "after_due", "close_at_due": "y", "question_count": "4"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/classes/{room.id}#assignments"
    db.session.expire_all()
    assert work.due_at == dt.datetime(2030, 7, 8, 10)
    assert (work.max_attempts, work.time_limit_seconds) == (5, 1200)
    assert (work.show_answers, work.close_at_due, work.question_count) == ("after_due", True, 4)
    assert work.shuffle_questions is False
    page = teacher.get(f"/classes/{room.id}").text
    assert f"Changes to “{TITLE}” saved." in page
    row = options_cell(page, work)
    assert "2030-07-08 10:00 UTC" in row and "5 attempts, 20 min" in row
    assert "Answers shown after the due date" in row and "Closes at the due date" in row
    assert "4 of 7 questions" in row


def test_the_edit_page_reads_dates_in_the_teachers_zone(teacher, room) -> None:
    """quiz.js sends the browser's zone: 12:00 in Paris in summer is 10:00 UTC, and 09:00 in
    New York in winter is 14:00 UTC."""
    assign(teacher, room)
    [work] = assignments_of(room)
    response = teacher.post(edit_url(room, work), data={
        "opens_at": "2030-01-10T09:00", "due_at": "2030-07-01T12:00", "tz": "Europe/Paris",
        "show_answers": "immediately"})
    assert response.status_code == 303
    db.session.expire_all()
    assert (work.opens_at, work.due_at) == (dt.datetime(2030, 1, 10, 8), dt.datetime(2030, 7, 1, 10))
    teacher.post(edit_url(room, work), data={
        "due_at": "2030-01-10T09:00", "tz": "America/New_York", "show_answers": "immediately"})
    db.session.expire_all()
    assert (work.opens_at, work.due_at) == (None, dt.datetime(2030, 1, 10, 14))
    # the page sends stored times back in UTC, with no zone: quiz.js shows them in the teacher's
    page = teacher.get(edit_url(room, work)).text
    assert 'value="2030-01-10T14:00"' in page and 'name="tz" type="hidden" value=""' in page
    # a zone the server does not know is refused, not guessed
    response = teacher.post(edit_url(room, work), data={
        "due_at": "2030-01-10T09:00", "tz": "Mars/Olympus_Mons", "show_answers": "immediately"})
    assert response.status_code == 422 and "time zone this server does not know" in response.text
    db.session.expire_all()
    assert work.due_at == dt.datetime(2030, 1, 10, 14)


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"close_at_due": "y"}, "close_at_due", "Closing at the due date needs a due date."),
    ({"opens_at": "2030-02-01T09:00", "due_at": "2030-01-01T09:00"}, "due_at",
     "The due date must come after the opening date."),
    ({"max_attempts": "0"}, "max_attempts", "Number must be between 1 and 1000."),
    ({"max_attempts": "lots"}, "max_attempts", "Not a valid integer value."),
    ({"due_at": "next tuesday"}, "due_at", "Not a valid datetime value."),
    ({"question_count": "99"}, "question_count", "The quiz has 7 questions: ask at most 7."),
])
def test_edit_errors_are_summed_up_linked_and_shown_at_the_field(teacher, room, fields, field,
                                                                  message) -> None:
    assign(teacher, room, max_attempts="3")
    [work] = assignments_of(room)
    response = teacher.post(edit_url(room, work), data={"show_answers": "immediately", **fields})
    assert response.status_code == 422
    page = response.text
    start = page.index('class="error-summary"')
    summary = page[start:page.index("</div>", start)]
    assert "There is a problem" in summary and f'<a href="#{field}">{message}</a>' in summary
    assert f'<p class="error" id="{field}-error">{message}' in page
    assert re.search(rf'aria-invalid="true"[^>]*id="{field}"|id="{field}"[^>]*aria-invalid="true"', page) \
        or field == "close_at_due" and 'aria-invalid="true"' in page
    db.session.expire_all()
    assert work.max_attempts == 3 and work.close_at_due is False


def test_a_time_limit_in_seconds_stays_exact_when_its_minutes_are_not_changed(teacher, room) -> None:
    work = classes.create_assignment(room, "all-types", time_limit_seconds=90)
    page = teacher.get(edit_url(room, work)).text
    assert 'name="time_limit_minutes" type="number" value="2"' in page
    assert "The time limit is now 90 seconds" in page
    teacher.post(edit_url(room, work), data={"time_limit_minutes": "2", "show_answers": "never"})
    db.session.expire_all()
    assert (work.time_limit_seconds, work.show_answers) == (90, "never")
    teacher.post(edit_url(room, work), data={"time_limit_minutes": "3", "show_answers": "never"})
    db.session.expire_all()
    assert work.time_limit_seconds == 180


# --- delete ----------------------------------------------------------------------------------------


def test_delete_says_what_changes_and_keeps_the_students_attempts_and_progress(app, teacher,
                                                                               room) -> None:
    assign(teacher, room, due_at="2099-01-01T09:00")
    [work] = assignments_of(room)
    work_id = work.id
    ada = student_in(app, room, "ada")
    attempt = sit("ada", work)
    edit = teacher.get(edit_url(room, work)).text
    danger = edit[edit.index('class="danger-zone"'):]
    assert f'href="/classes/{room.id}/assignments/{work.id}/delete"' in danger
    assert "Save changes" not in danger  # apart from the everyday buttons

    page = teacher.get(edit_url(room, work, "delete")).text
    assert f"Delete “{TITLE}” from Period 3?" in page
    assert "Its 1 attempt by 1 student stays in the students' history." in page
    assert "Its leaderboard and its report go away" in page
    assert "Students no longer see it in their assignments" in page
    assert 'method="post"' in page and "data-once" in page
    assert assignments_of(room) == [work]  # looking deletes nothing

    response = teacher.post(edit_url(room, work, "delete"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/classes/{room.id}#assignments"
    assert assignments_of(room) == []
    class_page = html.unescape(teacher.get(f"/classes/{room.id}").text)
    assert (f"“{TITLE}” is no longer assigned to Period 3. Its 1 attempt stays in the "
            "students' history.") in class_page
    # the attempt stays, with its marks, in the student's history and progress
    db.session.expire_all()
    kept = db.session.get(Attempt, attempt.id)
    assert kept is not None and kept.finished_at is not None and kept.score == kept.points
    progress = ada.get("/progress").text
    assert TITLE in progress and "100%" in progress
    assert ada.get(f"/attempts/{attempt.id}/results").status_code == 200
    assert TITLE not in ada.get(f"/classes/{room.id}").text
    # the report and leaderboard of the assignment are gone
    assert teacher.get(f"/classes/{room.id}/assignments/{work_id}/report").status_code == 404
    assert teacher.get(f"/classes/{room.id}/assignments/{work_id}/edit").status_code == 404


def test_delete_needs_a_post(teacher, room) -> None:
    assign(teacher, room)
    [work] = assignments_of(room)
    assert teacher.get(edit_url(room, work, "delete")).status_code == 200
    assert len(assignments_of(room)) == 1


# --- copy ------------------------------------------------------------------------------------------


def test_copy_makes_the_same_options_in_another_of_the_teachers_classes(teacher, room) -> None:
    other = classes.create_class(account("tess"), "Period 5")
    assign(teacher, room, opens_at="2030-06-01T08:00", due_at="2030-07-01T10:00", max_attempts="2",
           time_limit_minutes="15", show_answers="after_due", close_at_due="y",
           shuffle_questions="y", question_count="5")
    [work] = assignments_of(room)
    page = teacher.get(edit_url(room, work)).text
    assert f'<option value="{other.id}">Period 5</option>' in page
    response = teacher.post(edit_url(room, work, "copy"), data={"classroom": str(other.id)})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/classes/{other.id}#assignments"
    [copied] = assignments_of(other)
    names = ("bank_id", "opens_at", "due_at", "max_attempts", "time_limit_seconds", "show_answers",
             "close_at_due", "shuffle_questions", "question_count")
    assert {n: getattr(copied, n) for n in names} == {n: getattr(work, n) for n in names}
    target = teacher.get(f"/classes/{other.id}").text
    assert f"“{TITLE}” is copied to Period 5, with the same dates and options." in target
    assert "5 of 7 questions" in options_cell(target, copied)
    # and to the same class
    assert teacher.post(edit_url(room, work, "copy"), data={"classroom": str(room.id)}).status_code == 303
    assert len(assignments_of(room)) == 2


def test_copy_refuses_a_class_that_is_not_the_teachers(app, teacher, room) -> None:
    make_account("otto", role="teacher")
    elsewhere = classes.create_class(account("otto"), "Otto's class")
    assign(teacher, room)
    [work] = assignments_of(room)
    response = teacher.post(edit_url(room, work, "copy"), data={"classroom": str(elsewhere.id)})
    assert response.status_code == 404
    assert assignments_of(elsewhere) == []
    assert "Otto" not in teacher.get(edit_url(room, work)).text  # not offered either
    empty = teacher.post(edit_url(room, work, "copy"), data={"classroom": ""})
    assert empty.status_code == 422 and "Choose a class." in empty.text
    odd = teacher.post(edit_url(room, work, "copy"), data={"classroom": "x"})
    assert odd.status_code == 422
    assert len(assignments_of(room)) == 1


# --- accommodations --------------------------------------------------------------------------------


def test_an_accommodation_is_saved_in_the_teachers_zone_and_shown_on_the_class_page(app, teacher,
                                                                                    room) -> None:
    assign(teacher, room, due_at="2030-07-01T10:00", time_limit_minutes="20")
    [work] = assignments_of(room)
    student_in(app, room, "ada")
    student_in(app, room, "bob")
    form = teacher.get(edit_url(room, work)).text
    assert '<option value="ada">Ada (ada)</option>' in form
    assert "No student has an accommodation on this assignment." in form
    response = teacher.post(edit_url(room, work, "accommodations"), data={
        "student": "ada", "extra_time_percent": "50", "extra_attempts": "1",
        "due_at": "2030-07-02T09:00", "tz": "America/New_York"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/classes/{room.id}/assignments/{work.id}/edit#accommodations"
    extra = db.session.execute(select(Accommodation)).scalar_one()
    assert (extra.extra_time_percent, extra.extra_attempts, extra.due_at) == (
        50, 1, dt.datetime(2030, 7, 2, 13))
    page = teacher.get(f"/classes/{room.id}").text
    assert '<h3 id="accommodations-heading">Accommodations</h3>' in page
    table = re.sub(r"\s+", " ", page[page.index('id="accommodations-heading"'):page.index('id="assign"')])
    assert "<th scope=\"row\">Ada</th>" in table and TITLE in table
    assert "50% more time, 1 more attempt, due" in table and "2030-07-02 13:00 UTC" in table
    assert "Bob" not in table
    change = f'/classes/{room.id}/assignments/{work.id}/edit?student=ada#accommodations'
    assert change in table
    assert "1 accommodation" in options_cell(page, work)
    # the link to change it opens the form filled with what Ada has
    again = teacher.get(change.split("#")[0]).text
    assert '<option selected value="ada">' in again
    assert ('id="accommodation-extra_time_percent" max="1000" min="0" name="extra_time_percent" '
            'type="number" value="50"') in again
    assert 'value="2030-07-02T13:00"' in again
    # all three empty takes it away
    teacher.post(edit_url(room, work, "accommodations"), data={"student": "ada"})
    page = teacher.get(f"/classes/{room.id}").text
    assert "Ada has no accommodation" in page or "accommodations-heading" not in page
    assert "accommodation" not in options_cell(page, work)


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"student": ""}, "accommodation-student", "Choose a student."),
    ({"student": "zed"}, "accommodation-student", "Not a valid choice."),
    ({"student": "ada", "extra_time_percent": "-5"}, "accommodation-extra_time_percent",
     "Number must be between 0 and 1000."),
    ({"student": "ada", "extra_attempts": "one"}, "accommodation-extra_attempts",
     "Not a valid integer value."),
    ({"student": "ada", "due_at": "2030-06-30T09:00"}, "accommodation-due_at",
     "Their own due date must come after the assignment's due date, 2030-07-01 10:00 UTC."),
])
def test_an_accommodation_that_does_not_fit_is_refused_at_its_field(app, teacher, room, fields, field,
                                                                    message) -> None:
    make_account("zed")  # a student, but not in this class
    assign(teacher, room, due_at="2030-07-01T10:00")
    [work] = assignments_of(room)
    student_in(app, room, "ada")
    response = teacher.post(edit_url(room, work, "accommodations"), data=fields)
    assert response.status_code == 422
    page = html.unescape(response.text)
    assert f'<a href="#{field}">{message}</a>' in page
    assert f'<p class="error" id="{field}-error">{message}' in page
    assert db.session.execute(select(func.count(Accommodation.id))).scalar_one() == 0


# --- who may ---------------------------------------------------------------------------------------


def test_only_the_classes_teacher_reaches_the_pages(app, teacher, room) -> None:
    assign(teacher, room)
    [work] = assignments_of(room)
    ada = student_in(app, room, "ada")
    otto = signed_in(app, "otto", "teacher")
    otto_room = classes.create_class(account("otto"), "Otto's class")
    for what in ("edit", "delete"):
        assert ada.get(edit_url(room, work, what)).status_code == 403
        assert otto.get(edit_url(room, work, what)).status_code == 404
        # the assignment named under another class is not there
        assert otto.get(f"/classes/{otto_room.id}/assignments/{work.id}/{what}").status_code == 404
    assert otto.post(edit_url(room, work, "delete")).status_code == 404
    assert otto.post(edit_url(room, work, "copy"), data={"classroom": str(otto_room.id)}).status_code == 404
    assert ada.post(edit_url(room, work, "accommodations"),
                    data={"student": "ada", "extra_attempts": "9"}).status_code == 403
    assert len(assignments_of(room)) == 1 and assignments_of(otto_room) == []
    assert db.session.execute(select(func.count(Accommodation.id))).scalar_one() == 0
