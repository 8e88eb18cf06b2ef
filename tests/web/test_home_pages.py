"""Home pages by who is signed in, the results summary, matching marks, names and wording."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import update

from quizapp.extensions import db
from quizapp.models import Attempt, Bank, utcnow
from quizapp.scoring import key_response
from quizapp.services import accounts, classes, quiz
from quizapp.services.dashboard import teacher_dashboard
from quizapp.services.errors import Invalid
from tests.conftest import make_account, sign_in

NOW = utcnow()


def _in_class(room, *usernames: str) -> list:
    students = [make_account(name) for name in usernames]
    for student in students:
        classes.add_member(room, student)
    return students


def _finish(student, assignment) -> Attempt:
    attempt = quiz.start_attempt(student.id, assignment.bank_id, assignment_id=assignment.id)
    return quiz.finish_attempt(attempt)


# -- the teacher's dashboard -----------------------------------------------------------------


def test_the_dashboard_counts_each_student_once_and_only_the_class_now(app, all_types) -> None:
    teacher = make_account("teach", role="teacher")
    room = classes.create_class(teacher, "Period 3")
    ada, bob, cyd, dee, eve = _in_class(room, "ada", "bob", "cyd", "dee", "eve")
    homework = classes.create_assignment(room, all_types, due_at=NOW + dt.timedelta(days=3))
    _finish(ada, homework)
    _finish(ada, homework)                      # a second finished attempt: still one student
    quiz.start_attempt(ada.id, all_types, assignment_id=homework.id)  # trying again: finished
    quiz.start_attempt(bob.id, all_types, assignment_id=homework.id)  # answering
    timed = quiz.start_attempt(cyd.id, all_types, assignment_id=homework.id)
    db.session.execute(update(Attempt).where(Attempt.id == timed.id)
                       .values(deadline_at=NOW - dt.timedelta(minutes=5)))  # its time ran out
    db.session.commit()
    _finish(eve, homework)
    classes.remove_member(room, eve.id)         # left the class: not counted
    # dee has not started

    board = teacher_dashboard(teacher)
    [row] = board.open_now
    assert (row.students, row.finished, row.answering, row.not_started) == (4, 1, 1, 2)
    assert [r.assignment.id for r in board.due_soon] == [homework.id]
    assert [(c.classroom.name, c.students) for c in board.classes] == [("Period 3", 4)]


def test_the_dashboard_sorts_assignments_into_open_now_and_due_soon(app, all_types) -> None:
    teacher = make_account("teach", role="teacher")
    room = classes.create_class(teacher, "Period 3")
    day = dt.timedelta(days=1)
    soon = classes.create_assignment(room, all_types, due_at=NOW + 2 * day)
    later = classes.create_assignment(room, all_types, due_at=NOW + 10 * day)
    no_date = classes.create_assignment(room, all_types)
    not_open = classes.create_assignment(room, all_types, opens_at=NOW + day, due_at=NOW + 3 * day)
    classes.create_assignment(room, all_types, due_at=NOW - day)               # past due: neither
    classes.create_assignment(room, all_types, opens_at=NOW + 9 * day)        # opens later: neither
    other = classes.create_class(make_account("other", role="teacher"), "Not mine")
    classes.create_assignment(other, all_types)                                # another teacher's

    board = teacher_dashboard(teacher)
    assert [r.assignment.id for r in board.open_now] == [soon.id, later.id, no_date.id]
    assert [r.assignment.id for r in board.due_soon] == [soon.id, not_open.id]


def test_the_dashboard_lists_the_banks_past_their_review_date(app, all_types) -> None:
    teacher = make_account("teach", role="teacher")
    assert teacher_dashboard(teacher).to_review == []
    today = dt.date.today()
    db.session.get(Bank, all_types).review_by = today  # due today: not past yet
    db.session.commit()
    assert teacher_dashboard(teacher).to_review == []
    db.session.get(Bank, all_types).review_by = today - dt.timedelta(days=1)
    db.session.commit()
    assert [b.id for b in teacher_dashboard(teacher).to_review] == [all_types]


def test_a_teachers_home_is_the_dashboard_with_links(app, client, all_types) -> None:
    teacher = make_account("teach", role="teacher")
    room = classes.create_class(teacher, "Period 3")
    [ada] = _in_class(room, "ada")
    homework = classes.create_assignment(room, all_types, due_at=NOW + dt.timedelta(days=2))
    _finish(ada, homework)
    db.session.get(Bank, all_types).review_by = dt.date(2020, 1, 1)
    db.session.commit()
    sign_in(client, "teach")
    page = client.get("/").text
    assert "<h1>Dashboard</h1>" in page
    assert f'href="/classes/{room.id}"' in page
    assert f'href="/classes/{room.id}/assignments/{homework.id}/report"' in page
    assert f'href="/teach/banks/{all_types}"' in page
    assert re.search(r"<strong data-finished>1</strong> of 1 student finished", page)
    assert "1 student ·" in page and "1 students" not in page
    # the catalogue stays at /quizzes, for teachers too
    catalogue = client.get("/quizzes").text
    assert "Dashboard" not in catalogue and "Every question type" in catalogue


def test_a_students_home_shows_what_is_assigned_before_practice(app, client, all_types) -> None:
    teacher = make_account("teach", role="teacher")
    room = classes.create_class(teacher, "Period 3")
    _in_class(room, "ada")
    classes.create_assignment(room, all_types)
    sign_in(client, "ada")
    page = client.get("/").text
    assert page.index("Assigned to you") < page.index("Practice") < page.index("Read the article")
    assert "Dashboard" not in page


def test_a_student_with_nothing_assigned_is_told_so(app, client, all_types) -> None:
    make_account("ada")
    sign_in(client, "ada")
    page = client.get("/").text
    assert "Nothing is assigned to you right now." in page and "Practice" in page


def test_a_visitor_signed_out_sees_the_catalogue(app, client, all_types) -> None:
    page = client.get("/").text
    assert "Read the news closely" in page and "Every question type" in page
    assert "Assigned to you" not in page and "Dashboard" not in page


# -- counts in words ---------------------------------------------------------------------------


def test_one_attempt_is_never_one_attempts(app, client, all_types) -> None:
    teacher = make_account("teach", role="teacher")
    room = classes.create_class(teacher, "Period 3")
    [ada] = _in_class(room, "ada")
    once = classes.create_assignment(room, all_types, max_attempts=1)
    _finish(ada, once)
    sign_in(client, "ada")
    page = client.get("/").text
    assert "You have used your only attempt." in page
    assert "1 of 1 attempt used" in page
    assert not re.search(r"\b1 (attempts|questions|students)\b", page)


# -- results and feedback ----------------------------------------------------------------------


def _answer_all(client, all_types: str, responses: dict[int, dict]) -> str:
    """Answer all-types through the pages (question number -> form data); the attempt's URL."""
    attempt = client.post(f"/quizzes/{all_types}/start").headers["Location"]
    for number, data in responses.items():
        assert client.post(f"{attempt}/questions/{number}", data=data).status_code == 303
    return attempt


def test_the_results_open_with_a_ring_whose_percentage_is_the_score(app, client, all_types) -> None:
    make_account("ada")
    sign_in(client, "ada")
    attempt = _answer_all(client, all_types, {1: {"choice": "Tulsi Gabbard"}})
    client.post(f"{attempt}/finish")
    page = client.get(f"{attempt}/results").text
    assert 'role="img" aria-label="Score 11%"' in page
    assert "You scored <strong>1/9</strong> (11%)" in page
    # the ring comes before the review; the one right answer is closed, the others open
    assert page.index('class="ring') < page.index("Question by question")
    assert len(re.findall(r'<details class="result right">', page)) == 1
    assert len(re.findall(r'<details class="result wrong" open>', page)) == 6
    # the ring fills 11% of its circle
    filled, whole = map(float, re.search(r'stroke-dasharray="([\d.]+) ([\d.]+)"', page).groups())
    assert round(100 * filled / whole) == 11


def test_a_matching_answer_is_marked_pair_by_pair(app, client, all_types) -> None:
    make_account("ada")
    sign_in(client, "ada")
    match = {"match-0": "United Kingdom", "match-1": "Netherlands"}  # MI5 right, FBI wrong
    attempt = _answer_all(client, all_types, {7: match})
    feedback = client.get(f"{attempt}/questions/7").text
    client.post(f"{attempt}/finish")
    results = client.get(f"{attempt}/results").text
    for page in (feedback, results):
        marks = re.findall(r'<li class="(is-right|is-wrong)">\s*<span class="visually-hidden">(\w+):</span>'
                           r'\s*([^<]*?)\s*(?:<span class="pair-key">\(the answer: ([^)]*)\)</span>)?'
                           r"\s*</li>",
                           page)
        assert marks == [("is-right", "Right", "MI5 → United Kingdom", ""),
                         ("is-wrong", "Wrong", "FBI → Netherlands", "United States")], marks


def test_the_last_questions_see_my_results_button_takes_the_focus(app, client, all_types) -> None:
    ada = make_account("ada")
    sign_in(client, "ada")
    attempt = _answer_all(client, all_types, {1: {"choice": "Tulsi Gabbard"}})
    page = client.get(f"{attempt}/questions/1").text
    assert re.search(r'<a class="button" href="[^"]+/questions/2" autofocus>Next question</a>', page)
    started = quiz.load_attempt(int(attempt.rsplit("/", 1)[1]), ada.id)
    for item in started.items[1:6]:
        quiz.answer_question(started, item, key_response(quiz.question_of(item)))
    client.post(f"{attempt}/questions/7", data={"match-0": "United Kingdom"})
    page = client.get(f"{attempt}/questions/7").text
    assert "Next question" not in page
    assert '<button type="submit" class="button" data-once autofocus>See my results</button>' in page


def test_ordering_instructions_name_the_position_menus_and_carry_the_buttons_text(
        app, client, all_types) -> None:
    make_account("ada")
    sign_in(client, "ada")
    attempt = client.post(f"/quizzes/{all_types}/start").headers["Location"]
    page = client.get(f"{attempt}/questions/6").text
    assert ('<span data-ordering-hint="use the Move up ↑ and Move down ↓ buttons, or drag the items">'
            "choose each item's position, 1 first</span>") in page


# -- display names that read as a role ---------------------------------------------------------


@pytest.mark.parametrize("name", ["Teacher", "  ADMIN ", "A.d.m.i.n", "staff", "Mod-erator",
                                  "SYSTEM!", "quiz app", "ＴＥＡＣＨＥＲ", "Administrator"])
def test_a_display_name_that_is_a_role_word_is_refused(app, name: str) -> None:
    with pytest.raises(Invalid, match="reads as a role"):
        accounts.create_account("ada", name, "correct horse")


@pytest.mark.parametrize("name", ["Ms Teacher-Smith", "Ada", "Staffan", "Sysadmin Sam"])
def test_names_that_only_contain_a_role_word_are_kept(app, name: str) -> None:
    assert accounts.create_account("ada", name, "correct horse").display_name == name


def test_a_teacher_may_be_called_teacher_but_not_admin(app) -> None:
    assert accounts.create_account("tess", "Teacher", "correct horse", "teacher").display_name == "Teacher"
    with pytest.raises(Invalid):
        accounts.create_account("tom", "Admin", "correct horse", "teacher")


def test_signing_up_as_teacher_is_refused_on_the_display_name_field(app, client) -> None:
    response = client.post("/signup", data={"username": "sneaky", "display_name": "Teacher",
                                            "password": "correct horse", "confirm": "correct horse"})
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="display_name-error">([^<]*)</p>', response.text)
    assert error and "reads as a role" in error.group(1)
    assert accounts.get_by_username("sneaky") is None


def test_quizapp_users_create_and_import_refuse_a_role_word(app, runner, tmp_path) -> None:
    result = runner.invoke(args=["users", "create", "sneaky", "--display-name", "Admin"],
                           input="correct horse\ncorrect horse\n")
    assert result.exit_code != 0 and "reads as a role" in result.output
    roster = tmp_path / "people.csv"
    roster.write_text("username,display_name,role,password\n"
                      "sneaky2,S.T.A.F.F,student,\nfine,Fine Name,student,\n")
    result = runner.invoke(args=["users", "import", str(roster)])
    assert "reads as a role" in result.output
    assert accounts.get_by_username("sneaky2") is None and accounts.get_by_username("fine") is not None


# -- the password page's wording -----------------------------------------------------------------


def test_the_password_page_tells_students_but_not_teachers_their_teacher_can_delete_them(
        app, client) -> None:
    make_account("ada")
    make_account("teach", role="teacher")
    sign_in(client, "ada")
    assert "Your teacher can delete your account" in client.get("/account/password").text
    client.post("/logout")
    sign_in(client, "teach")
    page = client.get("/account/password").text
    assert "Your teacher can delete" not in page
    assert "Whoever runs quizapp for your school can delete your account" in page


def test_key_response_still_scores_full_marks(app, all_types) -> None:
    # the marks shown per pair come from the same rule as the score: a full key is all right
    from quizapp.web.display import pair_marks

    ada = make_account("ada")
    attempt = quiz.load_attempt(quiz.start_attempt(ada.id, all_types).id, ada.id)
    question = quiz.question_of(attempt.items[6])
    assert all(p["ok"] for p in pair_marks(question, key_response(question)))
    assert not any(p["ok"] for p in pair_marks(question, {"MI5": "United Kingdom", "CIA": "x"}))
