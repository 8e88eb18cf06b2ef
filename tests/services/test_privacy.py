"""A student's data: the export holds everything; deletion leaves consistent boards."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Account, Answer, ApiToken, Attempt, AttemptQuestion, Membership
from quizapp.scoring import key_response
from quizapp.services import accounts, classes, leaderboard, privacy, quiz, reports
from tests.conftest import make_account


def count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def sit(student, assignment, right: int):
    attempt = quiz.load_attempt(
        quiz.start_attempt(student.id, "all-types", assignment_id=assignment.id).id, student.id)
    for item in attempt.items[:right]:
        quiz.answer_question(attempt, item, key_response(quiz.question_of(item)))
    return quiz.finish_attempt(attempt)


def test_the_export_holds_the_account_classes_attempts_and_answers(app, all_types) -> None:
    teacher = make_account("teach", role="teacher")
    room = classes.create_class(teacher, "Period 3")
    work = classes.create_assignment(room, "all-types")
    ada = make_account("ada")
    classes.join(ada, room.join_code)
    sit(ada, work, 2)
    data = privacy.export_account(ada.id)
    json.dumps(data)  # it is JSON as it stands
    assert data["account"]["username"] == "ada"
    assert data["classes"] == [{"name": "Period 3", "nickname": "Reader 1",
                                "joined_at": data["classes"][0]["joined_at"]}]
    [attempt] = data["attempts"]
    assert attempt["score"] == 4 and attempt["assignment_id"] == work.id
    assert [a["question_id"] for a in attempt["answers"]] == ["dni", "curtailed"]
    assert "password" not in json.dumps(data)


def test_deleting_a_student_removes_them_everywhere_and_keeps_figures_consistent(app, all_types) -> None:
    teacher = make_account("teach", role="teacher")
    room = classes.create_class(teacher, "Period 3")
    work = classes.create_assignment(room, "all-types")
    ada, bob, cyd = make_account("ada"), make_account("bob"), make_account("cyd")
    for student, right in ((ada, 2), (bob, 1), (cyd, 3)):
        classes.join(student, room.join_code)
        sit(student, work, right)
    accounts.issue_token(bob)
    before = leaderboard.board(room, work.id)
    assert [e.name for e in before.entries] == ["Cyd", "Ada", "Bob"]

    privacy.delete_account(bob.id)

    assert db.session.get(Account, bob.id) is None
    for model in (Attempt, Membership, ApiToken):
        assert count(model, model.account_id == bob.id) == 0
    assert count(Answer) == 2 + 3 and count(AttemptQuestion) == 14
    after = leaderboard.board(room, work.id)
    assert [(e.rank, e.name) for e in after.entries] == [(1, "Cyd"), (2, "Ada")]
    report = reports.assignment_report(work)
    assert [s.username for s in report.students] == ["ada", "cyd"]
    assert report.questions[0].facility == 1.0  # both remaining students got question 1


def test_a_student_downloads_their_data_from_the_account_page(app, client, all_types) -> None:
    from tests.conftest import sign_in

    make_account("ada")
    sign_in(client)
    assert "Download my data" in client.get("/account/password").text
    response = client.get("/account/data.json")
    assert response.headers["Content-Disposition"] == 'attachment; filename="quizapp-ada.json"'
    assert response.get_json()["account"]["username"] == "ada"
    client.post("/logout")
    assert client.get("/account/data.json").status_code == 302


def test_a_teacher_deletes_a_student_of_their_class_only(app, client, all_types) -> None:
    from tests.conftest import sign_in

    teacher = make_account("teach", role="teacher")
    room = classes.create_class(teacher, "Period 3")
    ada, eve = make_account("ada"), make_account("eve")
    classes.join(ada, room.join_code)
    sign_in(client, "teach")
    assert client.post(f"/classes/{room.id}/members/{eve.id}/delete").status_code == 404
    response = client.post(f"/classes/{room.id}/members/{ada.id}/delete")
    assert response.status_code in (302, 303)
    ada_id, eve_id = ada.id, eve.id
    db.session.expire_all()
    assert db.session.get(Account, ada_id) is None and db.session.get(Account, eve_id) is not None


def test_an_operator_deletes_and_exports_from_the_command_line(app) -> None:
    make_account("ada")
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["users", "export", "ada"])
    assert exported.exit_code == 0 and json.loads(exported.output)["account"]["username"] == "ada"
    result = runner.invoke(args=["users", "delete", "ada", "--yes"])
    assert result.exit_code == 0 and "deleted student 'ada'" in result.output
    assert accounts.get_by_username("ada") is None
    assert runner.invoke(args=["users", "delete", "ada", "--yes"]).exit_code == 1
