"""Class pages: codes, rosters, assignments, leaderboards, the projector, reports, who sees what."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from quizapp.extensions import db
from quizapp.models import Account, Assignment, Attempt, Classroom, Membership
from quizapp.scoring import key_response
from quizapp.services import classes, quiz
from quizapp.services.accounts import create_account
from tests.conftest import make_account, sign_in

RIGHT = object()  # stands for the right answer in ``sit``
KEYS = ["dni", "curtailed", "five-eyes-founded", "analyst", "year", "order", "agencies"]
PAST_DUE = "2020-01-02T09:00"


def client_for(app, username: str, role: str = "student"):
    """A client signed in as a new account."""
    make_account(username, role=role)
    other = app.test_client()
    sign_in(other, username)
    return other


def account(username: str) -> Account:
    return db.session.execute(select(Account).where(Account.username == username)).scalar_one()


def sit(student: Account, assignment_id: int, answers: dict[str, Any] | int) -> Attempt:
    """A finished attempt at the assignment: ``answers`` maps question keys to responses
    (RIGHT for the key), or is a number: the first that many questions right."""
    if isinstance(answers, int):
        answers = dict.fromkeys(KEYS[:answers], RIGHT)
    attempt = quiz.start_attempt(student.id, "all-types", assignment_id=assignment_id)
    attempt = quiz.load_attempt(attempt.id, student.id)
    for key, response in answers.items():
        item = quiz.item_for(attempt, key)
        if response is RIGHT:
            response = key_response(quiz.question_of(item))
        quiz.answer_question(attempt, item, response)
    return quiz.finish_attempt(attempt)


@pytest.fixture
def teacher(app, client, all_types):
    make_account("teach", role="teacher")
    sign_in(client, "teach")
    return client


def create_class(teacher_client, name: str = "Period 3") -> Classroom:
    response = teacher_client.post("/classes/new", data={"name": name})
    assert response.status_code == 303, response.text
    class_id = int(re.fullmatch(r"/classes/(\d+)", response.headers["Location"]).group(1))
    return db.session.get(Classroom, class_id)


def assign(teacher_client, room: Classroom, **fields: Any) -> Assignment:
    data = {"bank": "all-types", **fields}
    data.setdefault("confirm", data["bank"])  # set again while one is open: confirmed
    response = teacher_client.post(f"/classes/{room.id}/assignments", data=data)
    assert response.status_code == 303, response.text
    return db.session.execute(
        select(Assignment).where(Assignment.classroom_id == room.id).order_by(Assignment.id.desc())
    ).scalars().first()


@pytest.fixture
def room(teacher) -> Classroom:
    return create_class(teacher)


@pytest.fixture
def homework(teacher, room) -> Assignment:
    return assign(teacher, room)


def student_in(app, room: Classroom, username: str):
    """A signed-in client of a new student who has joined ``room``."""
    other = client_for(app, username)
    assert other.post("/classes/join", data={"code": room.join_code}).status_code == 303
    return other


# --- classes, codes, members --------------------------------------------------------------


def test_a_teacher_creates_a_class_and_a_student_joins_with_its_code(app, teacher) -> None:
    room = create_class(teacher, "  Period   3 ")
    page = teacher.get(f"/classes/{room.id}").text
    assert "<h1>Period 3</h1>" in page and room.join_code in page
    assert "Period 3" in teacher.get("/classes/").text

    ada = client_for(app, "ada")
    assert "Join a class" in ada.get("/classes/").text
    typed = f"  {room.join_code[:3].lower()} {room.join_code[3:].lower()} "  # case and spaces ignored
    response = ada.post("/classes/join", data={"code": typed})
    assert response.status_code == 303 and response.headers["Location"] == f"/classes/{room.id}"
    assert classes.membership(room.id, account("ada").id) is not None
    assert "Period 3" in ada.get("/classes/").text
    assert "<h1>Period 3</h1>" in ada.get(f"/classes/{room.id}").text

    wrong = ada.post("/classes/join", data={"code": "QQQQQQ"})
    assert wrong.status_code == 422 and "No class has that code" in wrong.text


def test_a_class_needs_a_name(teacher) -> None:
    response = teacher.post("/classes/new", data={"name": ""})
    assert response.status_code == 422 and "This field is required." in response.text


def test_a_new_code_replaces_the_old_one(app, teacher, room) -> None:
    old = room.join_code
    response = teacher.post(f"/classes/{room.id}/code", follow_redirects=True)
    db.session.refresh(room)
    assert room.join_code != old
    assert f"The new join code is {room.join_code}" in response.text
    ada = client_for(app, "ada")
    refused = ada.post("/classes/join", data={"code": old})
    assert refused.status_code == 422 and "No class has that code" in refused.text
    assert ada.post("/classes/join", data={"code": room.join_code}).status_code == 303


def upload(teacher_client, room: Classroom, text: str):
    return teacher_client.post(
        f"/classes/{room.id}/roster",
        data={"roster": (io.BytesIO(text.encode("utf-8-sig")), "roster.csv")},
        content_type="multipart/form-data",
    )


def test_a_roster_creates_accounts_with_one_time_passwords_shown_once(app, teacher, room) -> None:
    make_account("old.hand")
    response = upload(teacher, room, "username,display_name\nbea.x,Bea Xu\ncal.y,Cal Young\n"
                                     "old.hand,Old Hand\nx,Too Short\n")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    cards = dict(re.findall(r'<dt>Username</dt><dd><code class="login-value">([^<]+)</code></dd>\s*'
                            r'<dt>Password</dt><dd><code class="login-value">([^<]+)</code></dd>',
                            response.text))
    assert set(cards) == {"bea.x", "cal.y"}
    # old.hand has an account: not enrolled by someone else's roster, nothing about them shown
    assert "Has an account already, so was not added" in response.text
    assert "Not added" in response.text and "A username has 3 to 32" in response.text

    for username, password in cards.items():
        created = account(username)
        assert created.must_change_password
        assert password not in created.password_hash and check_password_hash(created.password_hash, password)
        assert classes.membership(room.id, created.id) is not None
    assert classes.membership(room.id, account("old.hand").id) is None

    page = teacher.get(f"/classes/{room.id}").text
    assert "Bea Xu" in page and not any(p in page for p in cards.values())  # shown once only

    bea = app.test_client()
    first = bea.post("/login", data={"username": "bea.x", "password": cards["bea.x"]})
    assert first.headers["Location"] == "/account/password"  # must choose their own


def test_a_roster_without_its_header_is_refused(teacher, room) -> None:
    response = upload(teacher, room, "bea.x,Bea Xu\n")
    assert response.status_code == 422
    assert "The CSV needs a header line with: display_name, username." in response.text


@pytest.mark.parametrize("text", [
    "username,display_name,role\nnew.boss,New Boss,teacher\nbea.x,Bea Xu,student\n",
    "username,display_name,role,password\nnew.boss,New Boss,teacher,known to me\n",
])
def test_a_roster_with_role_teacher_creates_no_teacher(teacher, room, text) -> None:
    response = upload(teacher, room, text)
    assert response.status_code == 422
    assert "A roster adds students only, each with a one-time password: remove the role" in response.text
    assert "Nothing was added." in response.text
    assert db.session.execute(select(Account.username).where(Account.role == "teacher")).scalars().all() == [
        "teach"]
    assert classes.members(room.id) == [] and "new.boss" not in response.text


def test_a_roster_with_a_password_column_is_refused(teacher, room) -> None:
    response = upload(teacher, room, "username,display_name,password\nbea.x,Bea Xu,known to me\n")
    assert response.status_code == 422
    assert "remove the password column and upload the file again" in response.text
    assert db.session.execute(select(Account).where(Account.username == "bea.x")).first() is None


def test_a_username_twice_and_an_invalid_one_are_refused_per_row_and_the_rest_added(teacher, room) -> None:
    response = upload(teacher, room, "username,display_name\nbea.x,Bea Xu\nBEA.X,Bea Again\n"
                                     "no spaces allowed,Spaces\ncal.y,Cal Young\n")
    assert response.status_code == 200
    assert "Not added: An earlier row has this username; only the first counts." in response.text
    assert "Not added: A username has 3 to 32" in response.text
    assert {a.username for _, a in classes.members(room.id)} == {"bea.x", "cal.y"}
    assert account("bea.x").display_name == "Bea Xu"


def test_a_student_already_in_the_class_is_left_as_they_are(app, teacher, room) -> None:
    student_in(app, room, "ada.l")
    response = upload(teacher, room, "username,display_name\nada.l,Someone Else\n")
    assert response.status_code == 200 and "Already in this class." in response.text
    assert account("ada.l").display_name == "Ada.L" and len(classes.members(room.id)) == 1


def test_a_roster_of_more_than_500_students_is_refused(teacher, room) -> None:
    rows = "".join(f"kid.{n:03},Kid {n}\n" for n in range(501))
    response = upload(teacher, room, "username,display_name\n" + rows)
    assert response.status_code == 422 and "A roster adds at most 500 students" in response.text
    assert classes.members(room.id) == []


def test_a_roster_file_that_is_too_large_says_so(app, teacher, room) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = upload(teacher, room, "username,display_name\n" + "abc,Abc\n" * 200)
    assert response.status_code == 413 and "That file is too large." in response.text


def test_a_student_can_leave_and_a_teacher_can_remove(app, teacher, room) -> None:
    ada = student_in(app, room, "ada")
    student_in(app, room, "bob")
    response = ada.post(f"/classes/{room.id}/leave")
    assert response.status_code == 303 and response.headers["Location"] == "/classes/"
    assert classes.membership(room.id, account("ada").id) is None
    assert ada.get(f"/classes/{room.id}").status_code == 404

    bob_id = account("bob").id
    assert teacher.post(f"/classes/{room.id}/members/{bob_id}/remove").status_code == 303
    assert classes.membership(room.id, bob_id) is None
    assert teacher.post(f"/classes/{room.id}/members/{bob_id}/remove").status_code == 404


def test_a_teacher_sets_a_nickname(app, teacher, room) -> None:
    ada = student_in(app, room, "ada")
    ada_id = account("ada").id
    response = teacher.post(f"/classes/{room.id}/members/{ada_id}/nickname", data={"nickname": " Blue  Fox "})
    assert response.status_code == 303
    assert classes.membership(room.id, ada_id).nickname == "Blue Fox"
    assert 'value="Blue Fox"' in teacher.get(f"/classes/{room.id}").text
    assert "your nickname in this class: <strong>Blue Fox</strong>" in ada.get(f"/classes/{room.id}").text
    empty = teacher.post(f"/classes/{room.id}/members/{ada_id}/nickname", data={"nickname": ""})
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.text


# --- assignments --------------------------------------------------------------------------


def test_an_assignment_with_dates_and_limits_that_override_the_banks(teacher, room) -> None:
    form = teacher.get(f"/classes/{room.id}").text
    assert "Dates and times are in <strong>UTC</strong>" in form
    assert 'type="datetime-local"' in form
    work = assign(teacher, room, opens_at="2020-01-01T09:00", due_at=PAST_DUE, max_attempts="2",
                  time_limit_minutes="10")
    assert (work.opens_at, work.due_at) == (dt.datetime(2020, 1, 1, 9), dt.datetime(2020, 1, 2, 9))
    assert (work.max_attempts, work.time_limit_seconds) == (2, 600)
    page = teacher.get(f"/classes/{room.id}").text
    assert "2020-01-02 09:00 UTC" in page and "2 attempts, 10 min" in page


def test_dates_typed_in_the_teachers_time_zone_are_stored_in_utc(teacher, room) -> None:
    """quiz.js sends the browser's zone as tz; 09:00 in Paris in winter is 08:00 UTC, and
    10:00 in New York in summer is 14:00 UTC."""
    work = assign(teacher, room, opens_at="2030-01-10T09:00", due_at="2030-07-01T10:00",
                  tz="Europe/Paris")
    assert work.opens_at == dt.datetime(2030, 1, 10, 8)
    assert work.due_at == dt.datetime(2030, 7, 1, 8)
    other = assign(teacher, room, due_at="2030-07-01T10:00", tz="America/New_York")
    assert other.due_at == dt.datetime(2030, 7, 1, 14)


def test_a_time_zone_the_server_does_not_know_is_refused_not_guessed(teacher, room) -> None:
    response = teacher.post(f"/classes/{room.id}/assignments", data={
        "bank": "all-types", "due_at": "2030-01-01T09:00", "tz": "Mars/Olympus_Mons"})
    assert response.status_code == 422
    assert "time zone this server does not know" in response.text
    assert room.assignments == []


def test_an_assignment_due_before_it_opens_is_refused(teacher, room) -> None:
    response = teacher.post(f"/classes/{room.id}/assignments", data={
        "bank": "all-types", "opens_at": "2030-01-02T09:00", "due_at": "2030-01-01T09:00"})
    assert response.status_code == 422
    assert "The due date must come after the opening date." in response.text
    assert room.assignments == []


def test_a_students_home_shows_what_is_assigned_and_due(app, teacher, room) -> None:
    assign(teacher, room, due_at="2099-05-01T12:30")
    late = assign(teacher, room, due_at=PAST_DUE)
    ada = student_in(app, room, "ada")
    home = ada.get("/").text
    assert "Assigned to you" in home
    assert home.count("Every question type") >= 2 and "Period 3" in home
    assert "Due <time datetime=\"2099-05-01T12:30:00Z\">2099-05-01 12:30 UTC</time>" in home
    assert "<strong>Late:</strong> this was due" in home and home.count("Late:") == 1
    assert f'name="assignment_id" value="{late.id}"' in home
    # the soonest due comes first
    assert home.index("2020-01-02 09:00 UTC") < home.index("2099-05-01 12:30 UTC")


def test_an_assignment_that_has_not_opened_cannot_be_started_yet(app, teacher, room) -> None:
    work = assign(teacher, room, opens_at="2099-01-01T09:00")
    ada = student_in(app, room, "ada")
    assert "You can start it once it opens." in ada.get("/").text
    response = ada.post("/quizzes/all-types/start", data={"assignment_id": work.id}, follow_redirects=True)
    assert "This assignment opens at 2099-01-01 09:00 UTC." in response.text


def test_start_from_an_assignment_after_its_due_date_is_accepted_and_late(app, teacher, room) -> None:
    work = assign(teacher, room, due_at=PAST_DUE, max_attempts="1", time_limit_minutes="10")
    ada = student_in(app, room, "ada")
    response = ada.post("/quizzes/all-types/start", data={"assignment_id": work.id})
    assert response.status_code == 303
    attempt_id = int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.assignment_id == work.id
    assert attempt.deadline_at - attempt.started_at == dt.timedelta(minutes=10)  # the assignment's limit
    assert "Continue" in ada.get("/").text
    ada.post(f"/attempts/{attempt_id}/finish")

    report = teacher.get(f"/classes/{room.id}/assignments/{work.id}/report").text
    assert '<span class="badge late">late</span>' in report
    again = ada.post("/quizzes/all-types/start", data={"assignment_id": work.id}, follow_redirects=True)
    assert "You have used all 1 attempts at this quiz." in again.text
    assert "You have used your only attempt." in ada.get("/").text


def test_the_bank_page_offers_the_assignment_too(app, homework, room) -> None:
    ada = student_in(app, room, "ada")
    page = ada.get("/quizzes/all-types").text
    assert f'name="assignment_id" value="{homework.id}"' in page
    assert "Only attempts started from your class's assignment count" in page


# --- leaderboards -------------------------------------------------------------------------


def names_on(html: str) -> list[str]:
    return re.findall(r'<th scope="row">([^<]+?)(?: <span class="you">\(you\)</span>)?</th>', html)


def test_a_board_ranks_the_best_attempts(app, teacher, room, homework) -> None:
    for username in ("ada", "bob", "cyd"):
        student_in(app, room, username)
    sit(account("ada"), homework.id, 1)
    sit(account("bob"), homework.id, 3)
    sit(account("cyd"), homework.id, 2)
    sit(account("ada"), homework.id, 7)  # her best counts
    page = teacher.get(f"/classes/{room.id}/assignments/{homework.id}/board").text
    assert names_on(page) == ["Ada", "Bob", "Cyd"]
    assert "3 of 3 students finished" in page
    whole = teacher.get(f"/classes/{room.id}/board").text
    assert names_on(whole) == ["Ada", "Bob", "Cyd"]


def test_a_board_can_show_nicknames(app, teacher, room, homework) -> None:
    ada = student_in(app, room, "ada")
    ada_id = account("ada").id
    sit(account("ada"), homework.id, 1)
    teacher.post(f"/classes/{room.id}/members/{ada_id}/nickname", data={"nickname": "Blue Fox"})
    assert names_on(ada.get(f"/classes/{room.id}/board").text) == ["Ada"]
    response = teacher.post(f"/classes/{room.id}/board-settings", data={"names": "nickname"})
    assert response.status_code == 303
    assert names_on(ada.get(f"/classes/{room.id}/board").text) == ["Blue Fox"]


def test_a_hidden_board_gives_students_a_message_and_not_the_board(app, teacher, room, homework) -> None:
    ada = student_in(app, room, "ada")
    sit(account("ada"), homework.id, 1)
    teacher.post(f"/classes/{room.id}/board-settings", data={"names": "display_name", "hidden": "y"})
    for url in (f"/classes/{room.id}/board", f"/classes/{room.id}/assignments/{homework.id}/board"):
        page = ada.get(url)
        assert page.status_code == 200
        assert "Your teacher has hidden the leaderboards of Period 3" in page.text
        assert names_on(page.text) == []
    assert "hidden the leaderboards" in ada.get(f"/classes/{room.id}").text
    teacher_view = teacher.get(f"/classes/{room.id}/board").text
    assert names_on(teacher_view) == ["Ada"] and "Hidden from students" in teacher_view


def test_a_frozen_board_says_when_and_ignores_later_attempts(app, teacher, room, homework) -> None:
    ada = student_in(app, room, "ada")
    sit(account("ada"), homework.id, 1)
    teacher.post(f"/classes/{room.id}/board-settings", data={"names": "display_name", "frozen": "y"})
    db.session.refresh(room)
    frozen_at = room.board_frozen_at
    sit(account("ada"), homework.id, 7)
    page = ada.get(f"/classes/{room.id}/assignments/{homework.id}/board").text
    assert (f"Frozen at <time datetime=\"{frozen_at:%Y-%m-%dT%H:%M:%S}Z\" data-show=\"time\">"
            f"{frozen_at:%H:%M} UTC</time>") in page
    assert '<td class="num">1<span class="muted">/9</span></td>' in page  # the later 9 does not count yet
    # saving the settings again keeps the moment it was frozen
    teacher.post(f"/classes/{room.id}/board-settings", data={"names": "nickname", "frozen": "y"})
    db.session.refresh(room)
    assert room.board_frozen_at == frozen_at
    teacher.post(f"/classes/{room.id}/board-settings", data={"names": "display_name"})
    page = ada.get(f"/classes/{room.id}/assignments/{homework.id}/board").text
    assert "Frozen at" not in page and '<td class="num">9<span class="muted">/9</span></td>' in page


def test_a_student_sees_their_own_rank_outside_the_top_ten(app, teacher, room, homework) -> None:
    for number in range(11):
        student_in(app, room, f"kid{number:02d}")
    for number in range(11):
        sit(account(f"kid{number:02d}"), homework.id, 3 + number % 5)  # 5 to 9 points
    last = student_in(app, room, "zed")
    sit(account("zed"), homework.id, 1)  # 1 point: 12th of 12 finished
    page = last.get(f"/classes/{room.id}/assignments/{homework.id}/board").text
    names = names_on(page)
    assert len(names) == 11 and names[-1] == "Zed" and "Zed" not in names[:10]
    assert re.search(r'<tr class="me">\s*<td class="rank">12</td>', page)
    assert "Your place: <strong>12</strong> of 12." in page
    # a student in the top ten is not listed twice
    top = app.test_client()
    sign_in(top, "kid04")  # 9 points
    assert names_on(top.get(f"/classes/{room.id}/assignments/{homework.id}/board").text).count("Kid04") == 1
    # the teacher sees everyone
    assert len(names_on(teacher.get(f"/classes/{room.id}/assignments/{homework.id}/board").text)) == 12


def test_a_student_reads_over_the_api_only_what_the_board_page_shows(app, teacher, room,
                                                                     homework) -> None:
    for number in range(11):
        student_in(app, room, f"kid{number:02d}")
        sit(account(f"kid{number:02d}"), homework.id, 3 + number % 5)  # 5 to 9 points
    last = student_in(app, room, "zed")
    sit(account("zed"), homework.id, 1)  # 12th of 12
    for path, query in ((f"/classes/{room.id}/board", ""),
                        (f"/classes/{room.id}/assignments/{homework.id}/board",
                         f"?assignment_id={homework.id}")):
        on_page = names_on(last.get(path).text)
        board = last.get(f"/api/v1/classes/{room.id}/leaderboard{query}").get_json()
        assert [e["name"] for e in board["entries"]] == on_page[:10]  # the top ten, no more
        assert (board["me"]["name"], board["me"]["rank"]) == ("Zed", 12) and on_page[10] == "Zed"
        everyone = teacher.get(f"/api/v1/classes/{room.id}/leaderboard{query}").get_json()
        assert len(everyone["entries"]) == 12 and everyone["me"] is None
        assert [e["name"] for e in everyone["entries"]] == names_on(teacher.get(path).text)


def test_the_projector_and_its_json(app, teacher, room, homework) -> None:
    for username in ("ada", "bob", "cyd"):
        student_in(app, room, username)
    sit(account("ada"), homework.id, 1)
    sit(account("bob"), homework.id, 2)
    sit(account("ada"), homework.id, 3)  # Ada overtakes Bob
    quiz.start_attempt(account("cyd").id, "all-types", assignment_id=homework.id)  # answering now

    page = teacher.get(f"/classes/{room.id}/assignments/{homework.id}/projector")
    assert page.status_code == 200
    assert f'data-projector="/classes/{room.id}/assignments/{homework.id}/projector.json"' in page.text
    assert ">Refresh</a>" in page.text
    assert '<span class="move-up" aria-hidden="true">▲1</span>' in page.text
    assert '<span class="move-down" aria-hidden="true">▼1</span>' in page.text
    assert "<script>" not in page.text and "style=" not in page.text

    data = teacher.get(f"/classes/{room.id}/assignments/{homework.id}/projector.json").get_json()
    assert [(e["rank"], e["name"], e["shown_score"], e["movement"]) for e in data["entries"]] == [
        (1, "Ada", "5/9", 1), (2, "Bob", "4/9", -1)]
    assert (data["finished"], data["members"], data["answering"]) == (2, 3, 1)
    assert data["frozen_at"] is None and data["title"] == "Every question type"

    teacher.post(f"/classes/{room.id}/board-settings", data={"names": "nickname", "frozen": "y"})
    data = teacher.get(f"/classes/{room.id}/projector.json").get_json()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["frozen_at"]), data["frozen_at"]
    assert data["title"] == "Whole class"
    assert [e["name"] for e in data["entries"]] == ["Reader 1", "Reader 2"]
    assert (f'Frozen at <time datetime="{data["frozen_at"]}" data-show="time" data-field="frozen_at">'
            f'{data["frozen_at"][11:16]} UTC</time>') in teacher.get(f"/classes/{room.id}/projector").text


# --- reports and downloads ----------------------------------------------------------------


def test_the_report_shows_the_figures(app, teacher, room, homework) -> None:
    for username in ("ada", "bob", "cyd", "dee"):
        student_in(app, room, username)
    sit(account("ada"), homework.id, {"dni": RIGHT, "curtailed": RIGHT})                 # 4 of 9
    sit(account("bob"), homework.id, {"dni": "Kash Patel", "curtailed": RIGHT})          # 3 of 9
    sit(account("cyd"), homework.id, {"dni": RIGHT, "curtailed": RIGHT,
                                      "five-eyes-founded": RIGHT})                        # 5 of 9
    # Dee has no attempt: a blank row
    page = teacher.get(f"/classes/{room.id}/assignments/{homework.id}/report").text
    assert '<strong>3/4</strong> <span>finished</span>' in page
    assert '<strong>1</strong> <span>still to finish</span>' in page
    # the mean of the best scores: (4 + 3 + 5) / 27 points
    assert '<strong>44%</strong> <span>mean score</span>' in page
    waiting = re.search(r'<section class="to-finish".*?</section>', page, re.S).group(0)
    assert "Dee" in waiting and "Ada" not in waiting

    rows = re.findall(r'<tr id="q-(\d)">.*?<td class="num facility">([^<]+)</td>\s*'
                      r'<td class="num discrimination">([^<]+)'
                      r'(?:<span class="unreliable">[^<]*</span>)?</td>', page, re.S)
    figures = {KEYS[int(n) - 1]: (facility, discrimination) for n, facility, discrimination in rows}
    # dni: marks 1, 0, 1 -> mean 2/3 of 1 point = 67%
    # five-eyes: 0, 0, 1 -> 33%; its mark against the rest (4, 3, 4) -> r = 0.50
    assert figures["dni"][0] == "67%" and figures["curtailed"] == ("100%", "–")
    assert figures["five-eyes-founded"] == ("33%", "0.50")
    assert figures["analyst"] == ("0%", "–")
    assert "<li>Kash Patel <span class=\"muted\">(1)</span></li>" in page
    # alpha over the 3 x 7 marks: k/(k-1) * (1 - sum of item variances / variance of totals)
    #   = 7/6 * (1 - (1/3 + 0 + 1/3) / 1) = 0.39
    assert '<strong class="alpha">0.39</strong>' in page
    assert ("Score distribution of 3 finished attempts: 0–9%: 0; 10–19%: 0; 20–29%: 0; 30–39%: 1; "
            "40–49%: 1; 50–59%: 1; 60–69%: 0") in page
    assert 'role="img" aria-labelledby="distribution-title"' in page
    assert page.count('<rect class="bar"') == 3
    assert ">Recall</span>" in page and '<meter min="0" max="1"' in page
    assert '<td class="num total"></td>' in page  # Dee


def test_alpha_needs_three_finished_attempts(app, teacher, room, homework) -> None:
    student_in(app, room, "ada")
    sit(account("ada"), homework.id, 2)
    page = teacher.get(f"/classes/{room.id}/assignments/{homework.id}/report").text
    assert "needs 3 or more finished attempts" in page


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.text)))


def test_grid_and_leaderboard_csv_downloads(app, teacher, room, homework) -> None:
    create_account("eve", "=HYPERLINK(\"http://x\")", "correct horse")
    eve = app.test_client()
    sign_in(eve, "eve")
    eve.post("/classes/join", data={"code": room.join_code})
    student_in(app, room, "ada")
    sit(account("eve"), homework.id, 2)
    sit(account("ada"), homework.id, 1)

    grid = teacher.get(f"/classes/{room.id}/assignments/{homework.id}/grid.csv")
    assert grid.status_code == 200 and grid.mimetype == "text/csv"
    assert grid.headers["Content-Disposition"] == 'attachment; filename="period-3-all-types-grid.csv"'
    rows = csv_rows(grid)
    assert rows[0][:2] == ["username", "name"]
    assert rows[0][2].startswith("Q1: ") and rows[0][3].startswith("Q2: ")
    assert rows[0][-5:] == ["total", "points", "finished_at", "late", "status"]
    by_user = {r[0]: r for r in rows[1:]}
    assert by_user["eve"][1] == "'=HYPERLINK(\"http://x\")"  # not a formula in a spreadsheet
    assert by_user["ada"][2:5] == ["1", "0", "0"] and by_user["ada"][-5:-3] == ["1", "9"]

    board = teacher.get(f"/classes/{room.id}/assignments/{homework.id}/board.csv")
    assert board.mimetype == "text/csv"
    assert board.headers["Content-Disposition"].startswith("attachment; filename=")
    assert csv_rows(board) == [["rank", "name", "score", "points", "percent"],
                               ["1", "'=HYPERLINK(\"http://x\")", "4", "9", "44.44"],
                               ["2", "Ada", "1", "9", "11.11"]]
    whole = teacher.get(f"/classes/{room.id}/board.csv")
    assert csv_rows(whole)[1:] == [["1", "'=HYPERLINK(\"http://x\")", "4", "9", "44.44"],
                                   ["2", "Ada", "1", "9", "11.11"]]


# --- who may see what ---------------------------------------------------------------------


def teacher_urls(room_id: int, assignment_id: int) -> list[tuple[str, str]]:
    """Every teacher-only page and form of a class, as (method, url)."""
    base = f"/classes/{room_id}"
    work = f"{base}/assignments/{assignment_id}"
    return [
        ("GET", f"{work}/report"), ("GET", f"{work}/grid.csv"), ("GET", f"{work}/board.csv"),
        ("GET", f"{base}/board.csv"), ("GET", f"{base}/projector"), ("GET", f"{base}/projector.json"),
        ("GET", f"{work}/projector"), ("GET", f"{work}/projector.json"),
        ("POST", f"{base}/code"), ("POST", f"{base}/roster"), ("POST", f"{base}/assignments"),
        ("POST", f"{base}/board-settings"), ("POST", f"{base}/members/1/nickname"),
        ("POST", f"{base}/members/1/remove"),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(app, room, homework) -> None:
    anonymous = app.test_client()
    urls = [*teacher_urls(room.id, homework.id), ("GET", "/classes/"), ("GET", f"/classes/{room.id}"),
            ("GET", f"/classes/{room.id}/board"), ("POST", "/classes/join"), ("POST", "/classes/new"),
            ("POST", f"/classes/{room.id}/leave")]
    for method, url in urls:
        response = anonymous.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login?next="), (method, url)
    refused = anonymous.post("/quizzes/all-types/start", data={"assignment_id": homework.id})
    assert refused.headers["Location"].startswith("/login")


def test_a_teacher_gets_404_for_another_teachers_class(app, room, homework) -> None:
    other = client_for(app, "other", role="teacher")
    for method, url in [*teacher_urls(room.id, homework.id), ("GET", f"/classes/{room.id}"),
                        ("GET", f"/classes/{room.id}/board"),
                        ("GET", f"/classes/{room.id}/assignments/{homework.id}/board")]:
        assert other.open(url, method=method).status_code == 404, (method, url)
    assert f'href="/classes/{room.id}"' not in other.get("/classes/").text


def test_a_teacher_cannot_reach_another_class_through_their_own(app, teacher, room, homework) -> None:
    other = client_for(app, "other", role="teacher")
    theirs = create_class(other, "Their class")
    their_work = assign(other, theirs)
    ada = student_in(app, theirs, "ada")
    # their assignment under my class's address, and their student in my class
    assert teacher.get(f"/classes/{room.id}/assignments/{their_work.id}/report").status_code == 404
    assert teacher.get(f"/classes/{room.id}/assignments/{their_work.id}/board").status_code == 404
    ada_id = account("ada").id
    assert teacher.post(f"/classes/{room.id}/members/{ada_id}/remove").status_code == 404
    assert classes.membership(theirs.id, ada_id) is not None
    assert ada.get(f"/classes/{theirs.id}").status_code == 200


def test_a_student_sees_only_their_own_classes(app, teacher, room, homework) -> None:
    ada = student_in(app, room, "ada")
    bob = client_for(app, "bob")
    for url in (f"/classes/{room.id}", f"/classes/{room.id}/board",
                f"/classes/{room.id}/assignments/{homework.id}/board", "/classes/999999"):
        assert bob.get(url).status_code == 404, url
        if url != "/classes/999999":
            assert ada.get(url).status_code == 200, url
    assert bob.post(f"/classes/{room.id}/leave").status_code == 404
    assert f'href="/classes/{room.id}"' not in bob.get("/classes/").text


def test_a_student_cannot_start_an_assignment_of_a_class_they_are_not_in(app, homework) -> None:
    bob = client_for(app, "bob")
    response = bob.post("/quizzes/all-types/start", data={"assignment_id": homework.id})
    assert response.status_code == 404
    assert db.session.execute(select(Attempt)).first() is None


def test_teacher_pages_are_forbidden_to_students(app, room, homework) -> None:
    ada = student_in(app, room, "ada")  # in the class, and still not its teacher
    for method, url in [*teacher_urls(room.id, homework.id), ("POST", "/classes/new")]:
        response = ada.open(url, method=method)
        assert response.status_code == 403, (method, url)
        assert "Not yours to see" in response.text
    assert classes.membership(room.id, account("ada").id) is not None


def test_teachers_do_not_join_classes_with_a_code(app, room) -> None:
    other = client_for(app, "other", role="teacher")
    assert other.post("/classes/join", data={"code": room.join_code}).status_code == 403


def test_a_form_without_its_csrf_token_is_refused(app, room) -> None:
    ada = client_for(app, "ada")
    app.config["WTF_CSRF_ENABLED"] = True
    response = ada.post("/classes/join", data={"code": room.join_code})
    assert response.status_code == 400 and "Page out of date" in response.text
    assert db.session.execute(select(Membership)).first() is None
    page = ada.get("/classes/").text  # with the form's token it works
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert ada.post("/classes/join", data={"code": room.join_code, "csrf_token": token}).status_code == 303


def test_the_roster_sample_can_be_copied_as_it_is(teacher, room) -> None:
    """The sample file on the Students tab has no indentation a teacher would copy with it."""
    page = teacher.get(f"/classes/{room.id}").text
    assert '<pre class="sample">username,display_name\nada.l,Ada Lovelace\ngrace.h,Grace Hopper</pre>' in page
