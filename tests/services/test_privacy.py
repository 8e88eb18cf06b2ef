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
