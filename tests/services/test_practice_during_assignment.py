"""Practice of a bank shows its keys after each answer: it is refused while an assignment of the
same bank with a time or attempt limit is still open to the student."""

from __future__ import annotations

import pytest

from quizapp.scoring import key_response
from quizapp.services import classes as classes_service
from quizapp.services import quiz
from quizapp.services.errors import Conflict
from tests.conftest import make_account, sign_in


@pytest.fixture
def room(app, all_types):
    teacher = make_account("tess", "teacher")
    room = classes_service.create_class(teacher, "Year 9")
    ada = make_account("ada")
    classes_service.add_member(room, ada)
    return room, ada


def _sit(account_id: int, assignment_id: int | None = None) -> None:
    attempt = quiz.start_attempt(account_id, "all-types", assignment_id=assignment_id)
    for item in quiz.load_attempt(attempt.id, account_id).items:
        quiz.answer_question(attempt, item, key_response(quiz.question_of(item)))
    quiz.finish_attempt(attempt)


@pytest.mark.parametrize("limits", [{"max_attempts": 1}, {"time_limit_seconds": 600}])
def test_practice_is_refused_while_a_limited_assignment_of_the_bank_is_open(room, limits) -> None:
    classroom, ada = room
    _sit(ada.id)  # practised before the assignment was set: a missed-question round would follow
    classes_service.create_assignment(classroom, "all-types", **limits)
    with pytest.raises(Conflict, match="set as an assignment in Year 9"):
        quiz.start_attempt(ada.id, "all-types")
    with pytest.raises(Conflict, match="set as an assignment in Year 9"):
        quiz.start_practice(ada.id, "all-types")


def test_the_practice_page_says_why_it_is_refused(app, client, room) -> None:
    classroom, _ = room
    classes_service.create_assignment(classroom, "all-types", time_limit_seconds=600)
    sign_in(client)
    response = client.post("/quizzes/all-types/start", data={"kind": "full"}, follow_redirects=True)
    assert response.status_code == 200
    assert "is set as an assignment in Year 9" in response.get_data(as_text=True)


def test_practice_opens_again_once_the_assignments_attempts_are_used(room) -> None:
    classroom, ada = room
    assignment = classes_service.create_assignment(classroom, "all-types", max_attempts=1)
    _sit(ada.id, assignment.id)
    assert quiz.start_attempt(ada.id, "all-types").assignment_id is None


def test_an_assignment_without_limits_leaves_practice_open(room) -> None:
    classroom, ada = room
    classes_service.create_assignment(classroom, "all-types")
    assert quiz.start_attempt(ada.id, "all-types").assignment_id is None


def test_an_assignment_of_another_class_leaves_practice_open(room) -> None:
    other = classes_service.create_class(make_account("tom", "teacher"), "Other class")
    classes_service.create_assignment(other, "all-types", max_attempts=1)
    _, ada = room
    assert quiz.start_attempt(ada.id, "all-types").assignment_id is None
