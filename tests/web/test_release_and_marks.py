"""The pages of release of answers, one student's attempt, changed marks, reports and boards.

Students' pages hold every mark, key and explanation back until the assignment shows them
(``show_answers``); the teacher reads any student's attempt in full and changes a mark with a
comment, which the total, the report, the boards and the CSV files follow.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Assignment, Attempt, MarkChange, utcnow
from quizapp.scoring import key_response
from quizapp.services import assignments as assignments_service
from quizapp.services import classes as classes_service
from quizapp.services import leaderboard, quiz, reports
from quizapp.services.accounts import create_account
from tests.conftest import sign_in

PASSWORD = "correct horse"
BANK = "all-types"
#: all-types' question ids in the bank's order.
KEYS = ["dni", "curtailed", "five-eyes-founded", "analyst", "year", "order", "agencies"]
#: Form data answering each question of all-types on the question page: some right, some
#: partly right ("curtailed" 1/3, "agencies" 0.5/1), some wrong ("five-eyes-founded", "year").
FORM = {
    "dni": {"choice": "Tulsi Gabbard"},
    "curtailed": {"choice": ["United Kingdom", "Colombia", "France"]},
    "five-eyes-founded": {"answer": "true"},
    "analyst": {"answer": "emily harding"},
    "year": {"answer": "2018"},
    "order": None,  # the right order: see answer_on_pages
    "agencies": {"match-0": "United Kingdom", "match-1": "Netherlands"},
}
#: Text only a page that gives answers away shows: explanations, keys and verdicts.
SECRETS = [
    "Paragraph 9 names Tulsi Gabbard as Director",
    "founded after World War II",
    "Emily Harding, now at the Center",
    "Paragraph 8 says this happened in 2017",
    "MI5 is British",
    "Emily Harding or Harding",
    "The answer",
    "Right!", "Not quite", "Partly right", "✔", "✖",
]


class Room:
    """Tess teaches Ada and Bob in one class; Otto teaches another class."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.tess = create_account("tess", "Tess Teacher", PASSWORD, "teacher")
        self.otto = create_account("otto", "Otto Other", PASSWORD, "teacher")
        self.ada = create_account("ada", "Ada Lovelace", PASSWORD, "student")
        self.bob = create_account("bob", "Bob Baker", PASSWORD, "student")
        self.classroom = classes_service.create_class(self.tess, "Year 9 Media")
        for student in (self.ada, self.bob):
            classes_service.join(student, self.classroom.join_code)
        self.class_id = self.classroom.id

    def client(self, username: str) -> Any:
        client = self.app.test_client()
        sign_in(client, username, PASSWORD)
        return client

    def assign(self, **options: Any) -> Assignment:
        return classes_service.create_assignment(db.session.get(type(self.classroom), self.class_id),
                                                 BANK, **options)


@pytest.fixture
def room(app: Flask, all_types: str) -> Room:
    return Room(app)


def start(client: Any, assignment: Assignment) -> int:
    response = client.post(f"/quizzes/{BANK}/start", data={"assignment_id": str(assignment.id)})
    assert response.status_code == 303, response.text
    return int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))


def answer_on_pages(client: Any, attempt_id: int, upto: int | None = None) -> list[str]:
    """Answer the attempt's questions on the question pages as FORM says; the pages shown
    after each answer."""
    attempt = db.session.get(Attempt, attempt_id)
    shown = []
    for item in sorted(attempt.items, key=lambda i: i.position)[:upto]:
        number = item.position + 1
        url = f"/attempts/{attempt_id}/questions/{number}"
        data = FORM[item.version.content["id"]]
        if data is None:  # ordering: each shown item's place in the key
            shown_items = quiz.public_question(attempt, item)["items"]
            data = {f"position-{i}": str(item.version.content["items"].index(text) + 1)
                    for i, text in enumerate(shown_items)}
        response = client.post(url, data=data)
        assert response.status_code == 303, response.text
        page = client.get(url)
        assert page.status_code == 200
        shown.append(page.text)
    db.session.expire_all()
    return shown


def finish(client: Any, attempt_id: int) -> None:
    assert client.post(f"/attempts/{attempt_id}/finish").status_code == 303


def sit(student_id: int, assignment: Assignment, right: int = len(KEYS)) -> Attempt:
    """A finished attempt: the first ``right`` questions answered right, the rest left out."""
    attempt = quiz.load_attempt(quiz.start_attempt(student_id, BANK, assignment_id=assignment.id).id,
                                student_id)
    for item in attempt.items[:right]:
        quiz.answer_question(attempt, item, key_response(quiz.question_of(item)))
    return quiz.finish_attempt(attempt)


def set_due(assignment_id: int, due: dt.datetime) -> None:
    """The teacher moves the due date (attempts under way follow it, as on the edit page)."""
    assignments_service.update_assignment(db.session.get(Assignment, assignment_id), {"due_at": due})
    db.session.commit()
    db.session.expire_all()


def no_secrets(html: str, where: str) -> None:
    for text in SECRETS:
        assert text not in html, f"{where} shows {text!r}"


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# -- release of answers on the student's pages ----------------------------------------------------


def test_after_due_every_student_page_holds_keys_and_marks_back_until_the_due_date(room: Room) -> None:
    due = utcnow() + dt.timedelta(days=2)
    assignment = room.assign(due_at=due, show_answers="after_due")
    ada = room.client("ada")
    attempt_id = start(ada, assignment)
    pages = answer_on_pages(ada, attempt_id)
    for number, page in enumerate(pages, start=1):
        assert "Your answer is recorded" in page, number
        assert "shown after the due date" in page
        no_secrets(page, f"question {number}")
    # the student's own answer is shown back to them, and nothing about it
    assert "emily harding" in pages[3]
    finish(ada, attempt_id)
    results = ada.get(f"/attempts/{attempt_id}/results")
    assert results.status_code == 200
    assert "Your answers are recorded" in results.text and "You answered 7 of 7 questions" in results.text
    assert due.strftime("%Y-%m-%dT%H:%M:%SZ") in results.text  # the due date, in a <time>
    no_secrets(results.text, "results")
    assert "4.5/9" not in results.text and "50%" not in results.text
    for path in ("/progress", f"/quizzes/{BANK}", "/", "/quizzes"):
        page = ada.get(path)
        assert page.status_code == 200, path
        no_secrets(page.text, path)
        assert "50%" not in page.text, path
    progress = ada.get("/progress").text
    assert "1 finished attempt for an assignment" in progress
    assert "Practise what I missed" not in progress  # the count would say how many were wrong
    home = ada.get("/").text
    assert "Marks shown after" in home

    # once the due date is past, the same pages show everything
    set_due(assignment.id, utcnow() - dt.timedelta(minutes=1))
    results = ada.get(f"/attempts/{attempt_id}/results").text
    assert "4.5/9" in results and "Paragraph 9 names Tulsi Gabbard as Director" in results
    assert "Emily Harding or Harding" in results and "Your answers are recorded" not in results
    question = ada.get(f"/attempts/{attempt_id}/questions/1").text
    assert "Your answer is recorded" not in question and "Right!" in question
    assert "Best <strong>50%</strong>" in ada.get("/progress").text


def test_an_accommodated_due_date_keeps_answers_back_for_that_student_only(room: Room) -> None:
    assignment = room.assign(due_at=utcnow() - dt.timedelta(hours=1), show_answers="after_due")
    later = utcnow() + dt.timedelta(days=1)
    assignments_service.set_accommodation(assignment, "ada", due_at=later)
    db.session.commit()
    ada_attempt = sit(room.ada.id, assignment, right=7)
    bob_attempt = sit(room.bob.id, assignment, right=7)
    ada_page = room.client("ada").get(f"/attempts/{ada_attempt.id}/results").text
    assert "Your answers are recorded" in ada_page and later.strftime("%Y-%m-%dT%H:%M") in ada_page
    no_secrets(ada_page, "ada's results")
    assert "9/9" in room.client("bob").get(f"/attempts/{bob_attempt.id}/results").text


def test_never_says_the_teacher_goes_through_it_and_refuses_practice(room: Room) -> None:
    assignment = room.assign(show_answers="never")
    ada = room.client("ada")
    attempt_id = start(ada, assignment)
    page = answer_on_pages(ada, attempt_id, upto=1)[0]
    assert "your teacher will go through it" in page
    finish(ada, attempt_id)
    results = ada.get(f"/attempts/{attempt_id}/results").text
    assert "your teacher will go through it" in results
    no_secrets(results, "results")
    # practice of the bank on one's own would show every key: refused, with the reason
    bank = ada.get(f"/quizzes/{BANK}").text
    message = "is set as an assignment in Year 9 Media"
    assert message in bank
    assert "Start the quiz" not in bank and "I missed" not in bank
    refused = ada.post(f"/quizzes/{BANK}/start", data={"kind": "practice"})
    assert refused.status_code == 303 and refused.headers["Location"].endswith(f"/quizzes/{BANK}")
    assert message in ada.get(refused.headers["Location"]).text
    own = ada.post(f"/quizzes/{BANK}/start", data={})
    assert message in ada.get(own.headers["Location"]).text
    assert db.session.execute(select(Attempt).where(Attempt.assignment_id.is_(None))).first() is None


def test_close_at_due_says_closed_on_the_card_the_start_and_the_question_page(room: Room) -> None:
    assignment = room.assign(due_at=utcnow() + dt.timedelta(minutes=10), close_at_due=True)
    ada = room.client("ada")
    attempt_id = start(ada, assignment)
    question = ada.get(f"/attempts/{attempt_id}/questions/1").text
    assert "This assignment closes at its due date: answer by" in question
    started = db.session.get(Attempt, attempt_id)
    started.started_at -= dt.timedelta(minutes=5)  # begun a while ago
    db.session.commit()
    set_due(assignment.id, utcnow() - dt.timedelta(seconds=30))  # past the few seconds' grace
    # the attempt finished at the due date: an answer sent now is not counted, and says why
    sent = ada.post(f"/attempts/{attempt_id}/questions/1", data=FORM["dni"])
    assert sent.status_code == 303
    shown = ada.get(sent.headers["Location"]).text
    assert "This assignment closed at its due date" in shown and "not counted" in shown
    home = ada.get("/").text
    assert "Closed:" in home and "It takes no more attempts or answers." in home
    again = ada.post(f"/quizzes/{BANK}/start", data={"assignment_id": str(assignment.id)})
    assert "This assignment closed at its due date" in ada.get(again.headers["Location"]).text
    assert "closed at its due date" in ada.get(f"/quizzes/{BANK}").text


# -- one student's attempt for the teacher ------------------------------------------------------


def test_the_teacher_reads_every_response_key_and_explanation_of_an_attempt(room: Room) -> None:
    assignment = room.assign(show_answers="never")
    ada = room.client("ada")
    attempt_id = start(ada, assignment)
    answer_on_pages(ada, attempt_id)
    finish(ada, attempt_id)
    page = room.client("tess").get(f"/classes/{room.class_id}/attempts/{attempt_id}")
    assert page.status_code == 200
    html = page.text
    assert "Ada Lovelace: Every question type" in html
    assert 'Total <strong class="attempt-total">4.5/9</strong>' in html
    for text in ("Tulsi Gabbard", "emily harding", "2018", "Emily Harding or Harding", "2017",
                 "Paragraph 9 names Tulsi Gabbard as Director", "MI5 is British",
                 "FBI → Netherlands", "Paragraph 9 of the article"):
        assert text in html, text
    assert html.count('class="mark-form"') == 7
    assert html.count("✔ Right") == 3 and html.count("◐ Partly right") == 2 and html.count("✖ Wrong") == 2
    assert "sees no marks or answers for this assignment" in html


def test_an_attempt_in_progress_says_so_with_the_time_left(room: Room) -> None:
    assignment = room.assign(time_limit_seconds=600)
    ada = room.client("ada")
    attempt_id = start(ada, assignment)
    answer_on_pages(ada, attempt_id, upto=2)
    tess = room.client("tess")
    html = tess.get(f"/classes/{room.class_id}/attempts/{attempt_id}").text
    assert "In progress" in html and "2 of 7 questions answered so far" in html
    assert re.search(r"Time left: <strong class=\"time-left\">(9|10) min \d+ s</strong>", html)
    assert html.count("(not answered yet)") == 5
    assert html.count('class="mark-form"') == 2  # unanswered questions are marked once it is finished
    report = tess.get(f"/classes/{room.class_id}/assignments/{assignment.id}/report").text
    row = re.search(r'<tr>\s*<th scope="row"><a href="/classes/\d+/attempts/(\d+)">Ada Lovelace</a>.*?</tr>',
                    report, re.S)
    assert row and int(row.group(1)) == attempt_id
    assert "In progress" in row.group(0)
    assert "Not started" in report  # Bob


def test_only_the_class_teacher_opens_an_attempt(room: Room) -> None:
    assignment = room.assign()
    attempt = sit(room.ada.id, assignment, right=3)
    path = f"/classes/{room.class_id}/attempts/{attempt.id}"
    assert room.client("otto").get(path).status_code == 404
    assert room.client("ada").get(path).status_code == 403
    assert room.client("bob").get(path).status_code == 403
    assert room.app.test_client().get(path).status_code == 302
    # an attempt at another class's assignment is not found through this class
    other = classes_service.create_class(room.tess, "Another class")
    assert room.client("tess").get(f"/classes/{other.id}/attempts/{attempt.id}").status_code == 404


def test_a_students_attempts_are_listed_from_the_class_page(room: Room) -> None:
    assignment = room.assign()
    first = sit(room.ada.id, assignment, right=2)
    tess = room.client("tess")
    class_page = tess.get(f"/classes/{room.class_id}").text
    listing = f"/classes/{room.class_id}/students/{room.ada.id}/attempts"
    assert f'href="{listing}"' in class_page
    second = quiz.start_attempt(room.ada.id, BANK, assignment_id=assignment.id)
    html = tess.get(listing).text
    assert f"/classes/{room.class_id}/attempts/{first.id}" in html
    assert f"/classes/{room.class_id}/attempts/{second.id}" in html
    assert "4/9" in html and "In progress" in html
    assert tess.get(f"/classes/{room.class_id}/students/{room.otto.id}/attempts").status_code == 404


# -- changing a mark ----------------------------------------------------------------------------


def test_a_changed_mark_moves_the_total_everywhere_and_keeps_its_history(room: Room) -> None:
    assignment = room.assign()
    ada = room.client("ada")
    attempt_id = start(ada, assignment)
    answer_on_pages(ada, attempt_id)
    finish(ada, attempt_id)
    sit(room.bob.id, assignment, right=3)  # 5/9: Bob leads until Ada's mark changes
    tess = room.client("tess")
    base = f"/classes/{room.class_id}"
    board = tess.get(f"{base}/assignments/{assignment.id}/board").text
    assert board.index("Bob Baker") < board.index("Ada Lovelace")

    # "year" (1 point) was wrong: the teacher gives it full marks, with a comment
    saved = tess.post(f"{base}/attempts/{attempt_id}/answers/year/mark",
                      data={"score": "1", "comment": "2018 is when it was reported: fair."})
    assert saved.status_code == 303
    shown = tess.get(saved.headers["Location"]).text
    assert "the mark is now 1/1. The total is now 5.5/9." in shown
    assert "Total <strong class=\"attempt-total\">5.5/9</strong>" in shown
    history = re.search(r"<table class=\"data mark-history\">.*?</table>", shown, re.S).group(0)
    assert "Tess Teacher" in history and "2018 is when it was reported: fair." in history
    assert re.search(r"<td class=\"num\">0</td>\s*<td class=\"num\">1</td>", history)
    assert re.search(r"<time datetime=\"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\">", history)

    # a second change keeps the first
    tess.post(f"{base}/attempts/{attempt_id}/answers/year/mark", data={"score": "0.75", "comment": ""})
    db.session.expire_all()
    changes = db.session.execute(select(MarkChange).order_by(MarkChange.id)).scalars().all()
    assert [(c.old_score, c.new_score) for c in changes] == [(0.0, 1.0), (1.0, 0.75)]
    assert db.session.get(Attempt, attempt_id).score == pytest.approx(5.25)

    results = ada.get(f"/attempts/{attempt_id}/results").text
    assert "5.25/9" in results
    tess.post(f"{base}/attempts/{attempt_id}/answers/year/mark",
              data={"score": "1", "comment": "Counted: 2018 is when it was reported."})
    results = ada.get(f"/attempts/{attempt_id}/results").text
    assert "5.5/9" in results and "Your teacher's comment" in results
    assert "Counted: 2018 is when it was reported." in results

    report = tess.get(f"{base}/assignments/{assignment.id}/report").text
    assert "5.5<span class=\"muted\">/9" in report
    board = tess.get(f"{base}/assignments/{assignment.id}/board").text
    assert board.index("Ada Lovelace") < board.index("Bob Baker")
    assert "5.5<span class=\"muted\">/9</span>" in board and "61.11%" in board
    grid = csv_rows(tess.get(f"{base}/assignments/{assignment.id}/grid.csv").text)
    ada_row = next(r for r in grid if r[0] == "ada")
    assert ada_row[2 + KEYS.index("year")] == "1" and ada_row[9:11] == ["5.5", "9"]
    assert csv_rows(tess.get(f"{base}/assignments/{assignment.id}/board.csv").text) == [
        ["rank", "name", "score", "points", "percent"],
        ["1", "Ada Lovelace", "5.5", "9", "61.11"],
        ["2", "Bob Baker", "5", "9", "55.56"],
    ]
    assert csv_rows(tess.get(f"{base}/board.csv").text)[1] == ["1", "Ada Lovelace", "5.5", "9", "61.11"]


@pytest.mark.parametrize(("score", "message"), [
    ("", "Give a mark from 0 to 1."),
    ("lots", "The mark must be a number from 0 to 1, such as 0.5."),
    ("nan", "The mark must be a number from 0 to 1, such as 0.5."),
    ("2", "The mark must be between 0 and 1, the question&#39;s points."),
    ("-0.5", "The mark must be between 0 and 1, the question&#39;s points."),
])
def test_a_mark_out_of_range_is_422_with_the_message_at_the_field(room: Room, score: str,
                                                                   message: str) -> None:
    assignment = room.assign()
    attempt = sit(room.ada.id, assignment, right=7)
    response = room.client("tess").post(
        f"/classes/{room.class_id}/attempts/{attempt.id}/answers/year/mark",
        data={"score": score, "comment": "kept"})
    assert response.status_code == 422
    number = next(i.position + 1 for i in attempt.items if i.version.content["id"] == "year")
    field = re.search(rf'<p class="error" id="mark-{number}-error" role="alert">(.*?)</p>', response.text)
    assert field and field.group(1) == message
    assert f'aria-describedby="mark-{number}-error"' in response.text
    assert ">kept</textarea>" in response.text  # what the teacher typed stays
    db.session.expire_all()
    assert db.session.execute(select(MarkChange)).first() is None
    assert db.session.get(Attempt, attempt.id).score == 9


def test_marks_are_changed_by_the_class_teacher_only(room: Room) -> None:
    assignment = room.assign()
    attempt = sit(room.ada.id, assignment, right=0)
    path = f"/classes/{room.class_id}/attempts/{attempt.id}/answers/dni/mark"
    assert room.client("otto").post(path, data={"score": "1"}).status_code == 404
    assert room.client("ada").post(path, data={"score": "1"}).status_code == 403
    tess = room.client("tess")
    assert tess.post(f"/classes/{room.class_id}/attempts/{attempt.id}/answers/nope/mark",
                     data={"score": "1"}).status_code == 404
    # a question left unanswered in a finished attempt can be marked
    assert tess.post(path, data={"score": "1"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).score == 1


def test_an_unanswered_question_of_an_attempt_under_way_cannot_be_marked_yet(room: Room) -> None:
    assignment = room.assign()
    attempt = quiz.start_attempt(room.ada.id, BANK, assignment_id=assignment.id)
    response = room.client("tess").post(
        f"/classes/{room.class_id}/attempts/{attempt.id}/answers/dni/mark", data={"score": "1"})
    assert response.status_code == 409
    assert "That question is not answered yet" in response.text


def test_a_comment_waits_with_the_marks_while_answers_are_held_back(room: Room) -> None:
    assignment = room.assign(due_at=utcnow() + dt.timedelta(days=1), show_answers="after_due")
    attempt = sit(room.ada.id, assignment, right=7)
    tess = room.client("tess")
    tess.post(f"/classes/{room.class_id}/attempts/{attempt.id}/answers/dni/mark",
              data={"score": "0", "comment": "Check the spelling of the name."})
    ada = room.client("ada")
    page = ada.get(f"/attempts/{attempt.id}/results").text
    assert "Check the spelling" not in page and "8/9" not in page
    set_due(assignment.id, utcnow() - dt.timedelta(seconds=1))
    page = ada.get(f"/attempts/{attempt.id}/results").text
    assert "Check the spelling of the name." in page and "8/9" in page


# -- the report ----------------------------------------------------------------------------------


def test_the_report_keeps_partly_right_apart_and_flags_unreliable_discrimination(room: Room) -> None:
    assignment = room.assign()
    ada = room.client("ada")
    attempt_id = start(ada, assignment)
    answer_on_pages(ada, attempt_id)
    finish(ada, attempt_id)
    sit(room.bob.id, assignment, right=3)
    html = room.client("tess").get(f"/classes/{room.class_id}/assignments/{assignment.id}/report").text
    row = re.search(r'<tr id="q-2">.*?</tr>', html, re.S).group(0)  # "curtailed": Ada 1/3, Bob 3/3
    wrong = re.search(r'<td class="wrong">(.*?)</td>', row, re.S).group(1)
    partly = re.search(r'<td class="partly">(.*?)</td>', row, re.S).group(1)
    assert "France" not in wrong and "United Kingdom, Colombia, France" in partly
    year = re.search(r'<tr id="q-5">.*?</tr>', html, re.S).group(0)  # Ada 2018 (wrong), Bob blank
    assert "2018" in re.search(r'<td class="wrong">(.*?)</td>', year, re.S).group(1)
    limit = reports.DISCRIMINATION_MIN_ATTEMPTS
    assert html.count(f"fewer than {limit} finished attempts: not reliable yet") == len(KEYS)
    assert "Partly right answers" in html
    # Ada's row opens her attempt, and lists her other attempts
    assert f'href="/classes/{room.class_id}/attempts/{attempt_id}">Ada Lovelace</a>' in html
    assert f"/classes/{room.class_id}/students/{room.ada.id}/attempts" in html


def test_discrimination_is_not_flagged_from_the_stated_number_of_attempts(room: Room) -> None:
    assignment = room.assign()
    limit = reports.DISCRIMINATION_MIN_ATTEMPTS
    for n in range(limit):
        student = create_account(f"student{n}", f"Student {n}", PASSWORD, "student")
        classes_service.join(student, room.classroom.join_code)
        sit(student.id, assignment, right=n % (len(KEYS) + 1))
    html = room.client("tess").get(f"/classes/{room.class_id}/assignments/{assignment.id}/report").text
    assert "not reliable yet</span>" not in html


def test_the_grid_csv_is_headed_by_number_and_prompt_with_iso_times(room: Room) -> None:
    assignment = room.assign()
    sit(room.ada.id, assignment, right=2)
    quiz.start_attempt(room.bob.id, BANK, assignment_id=assignment.id)
    rows = csv_rows(room.client("tess").get(
        f"/classes/{room.class_id}/assignments/{assignment.id}/grid.csv").text)
    assert rows[0][2] == "Q1: Who does the article name as Director of National Intelligence?"
    assert rows[0][-1] == "status"
    ada = next(r for r in rows if r[0] == "ada")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", ada[-3]) and ada[-1] == "finished"
    assert next(r for r in rows if r[0] == "bob")[-1] == "in progress"


# -- boards and the projector ----------------------------------------------------------------------


def test_the_class_board_shows_one_total_for_everyone_and_the_percentage(room: Room) -> None:
    first = room.assign()
    room.assign()  # a second assignment of the same bank: 9 more points for everyone
    sit(room.ada.id, first, right=7)  # 9/9 of the first, nothing of the second
    html = room.client("tess").get(f"/classes/{room.class_id}/board").text
    assert "out of 18 points for everyone" in html
    assert "9<span class=\"muted\">/18</span>" in html and "50%" in html
    data = room.client("tess").get(f"/classes/{room.class_id}/projector.json").get_json()
    assert data["entries"][0]["shown_score"] == "9/18" and data["entries"][0]["percent"] == "50%"
    assert "questions" not in data  # per-question counts are for one assignment's projector


def test_the_projector_counts_each_question_live(room: Room) -> None:
    assignment = room.assign()
    ada = room.client("ada")
    attempt_id = start(ada, assignment)
    answer_on_pages(ada, attempt_id)  # not finished: the counts are live
    sit(room.bob.id, assignment, right=1)
    tess = room.client("tess")
    base = f"/classes/{room.class_id}/assignments/{assignment.id}"
    questions = tess.get(f"{base}/projector.json").get_json()["questions"]
    by_id = {q["question_id"]: q for q in questions}
    assert [q["number"] for q in questions] == [1, 2, 3, 4, 5, 6, 7]
    assert (by_id["dni"]["answered"], by_id["dni"]["right"]) == (2, 2)
    curtailed = by_id["curtailed"]
    counts = (curtailed["answered"], curtailed["right"], curtailed["partly"], curtailed["wrong"])
    assert counts == (1, 0, 1, 0)
    assert curtailed["text"] == "1 answered · 0 right · 1 partly · 0 wrong"
    assert by_id["year"]["bar"] == {"right": 0.0, "partly": 0.0, "wrong": 100.0}
    page = tess.get(f"{base}/projector").text
    section = re.search(r'<section class="projector-questions".*?</section>', page, re.S).group(0)
    assert '<rect class="q-partial" x="0.0" y="0" height="10" width="100.0">' in section
    assert "1 answered · 0 right · 1 partly · 0 wrong" in section
    assert "style=" not in section
    leaderboard.clear_cache()


def test_practice_of_missed_questions_says_nothing_of_an_attempt_held_back(room: Room) -> None:
    """Once a never-shown assignment's attempts are used up, practice opens again; but which
    questions were missed is a mark too, so practising "what I missed" leaves that attempt out."""
    work = room.assign(show_answers="never", max_attempts=1)
    sit(room.ada.id, work, right=2)  # five questions missed, and never shown
    assert quiz.missed_versions(room.ada.id, BANK) == []
    ada = room.client("ada")
    refused = ada.post(f"/quizzes/{BANK}/start", data={"kind": "practice"}, follow_redirects=True)
    assert "Nothing to practise yet: no finished attempt of yours shows its marks." in refused.text
    assert db.session.execute(select(Attempt).where(Attempt.kind == "practice")).first() is None
    # a practice of the whole bank, made after, does count: its own misses are the student's
    own = quiz.load_attempt(quiz.start_attempt(room.ada.id, BANK).id, room.ada.id)
    quiz.answer_question(own, own.items[0], key_response(quiz.question_of(own.items[0])))
    quiz.finish_attempt(own)
    assert len(quiz.missed_versions(room.ada.id, BANK)) == len(KEYS) - 1


def test_the_card_counts_a_students_extra_attempts(room: Room) -> None:
    work = room.assign(max_attempts=1)
    assignments_service.set_accommodation(work, "ada", extra_attempts=1)
    sit(room.ada.id, work, right=3)
    home = room.client("ada").get("/").text
    assert "1 of 2 attempts used" in home
    assert f'name="assignment_id" value="{work.id}"' in home  # a second try is offered
    bob = room.client("bob")
    sit(room.bob.id, work, right=3)
    assert f'name="assignment_id" value="{work.id}"' not in bob.get("/").text


def test_a_board_page_waits_for_the_answers_as_the_apis_board_does(room: Room) -> None:
    """The board shows every student's mark: a student sees it only once answers are shown."""
    work = room.assign(show_answers="never")
    sit(room.ada.id, work, right=7)
    for path in (f"/classes/{room.class_id}/board",
                 f"/classes/{room.class_id}/assignments/{work.id}/board"):
        page = room.client("ada").get(path).text
        assert "This board shows once your teacher shows the answers" in page, path
        assert 'class="data board"' not in page and "100%" not in page
        assert 'class="data board"' in room.client("tess").get(path).text  # the teacher sees it all


def test_an_own_attempt_begun_before_the_bank_was_assigned_hands_out_no_key_meanwhile(room: Room) -> None:
    ada = room.client("ada")
    response = ada.post(f"/quizzes/{BANK}/start")
    attempt_id = int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))
    room.assign(show_answers="never")  # set while Ada's own attempt is open
    shown = answer_on_pages(ada, attempt_id, upto=2)
    for html in shown:
        no_secrets(html, "the question page of an own attempt, while the assignment hides answers")
        assert "Your answer is recorded" in html
