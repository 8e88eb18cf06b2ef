"""Services the pages call for a teacher's control of assignments: the projector's live counts
per question, the open-assignment warning, accommodations listed for the class page, and when
answers are released."""

from __future__ import annotations

import datetime as dt

import pytest

from quizapp.scoring import key_response
from quizapp.services import assignments, leaderboard, quiz, release
from quizapp.services import classes as classes_service
from quizapp.services.errors import Conflict
from tests.conftest import make_account

NOW = dt.datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def room(app, all_types):
    teacher = make_account("tess", "teacher")
    room = classes_service.create_class(teacher, "Year 9")
    students = [make_account(name) for name in ("ada", "bob", "cyd")]
    for student in students:
        classes_service.add_member(room, student)
    return room, students


def test_the_projector_counts_right_partly_right_and_wrong_per_question_live(room) -> None:
    classroom, (ada, bob, cy) = room
    assignment = classes_service.create_assignment(classroom, "all-types")
    # Ada finishes all right; Bob is under way with dni wrong and curtailed 2 of 3; Cy has
    # not answered anything
    done = quiz.start_attempt(ada.id, "all-types", assignment_id=assignment.id)
    for item in quiz.load_attempt(done.id, ada.id).items:
        quiz.answer_question(done, item, key_response(quiz.question_of(item)))
    quiz.finish_attempt(done)
    going = quiz.load_attempt(quiz.start_attempt(bob.id, "all-types", assignment_id=assignment.id).id,
                              bob.id)
    quiz.answer_question(going, quiz.item_for(going, "dni"), "Kash Patel")
    quiz.answer_question(going, quiz.item_for(going, "curtailed"), ["United Kingdom", "Colombia"])
    quiz.start_attempt(cy.id, "all-types", assignment_id=assignment.id)

    counts = {c.question_id: c for c in leaderboard.question_counts(assignment)}
    assert [c.number for c in leaderboard.question_counts(assignment)] == list(range(1, 8))
    dni, curtailed, year = counts["dni"], counts["curtailed"], counts["year"]
    assert (dni.answered, dni.right, dni.partly, dni.wrong) == (2, 1, 0, 1)
    assert (curtailed.answered, curtailed.right, curtailed.partly, curtailed.wrong) == (2, 1, 1, 0)
    assert (year.answered, year.right, year.partly, year.wrong) == (1, 1, 0, 0)
    assert dni.prompt.startswith("Who does the article name")


def test_the_open_assignment_warning_names_assignments_not_yet_due(room) -> None:
    classroom, _ = room
    assert assignments.open_assignments_of_bank(classroom.id, "all-types", NOW) == []
    past = classes_service.create_assignment(classroom, "all-types", due_at=NOW - dt.timedelta(days=1))
    undated = classes_service.create_assignment(classroom, "all-types")
    coming = classes_service.create_assignment(classroom, "all-types", due_at=NOW + dt.timedelta(days=1))
    found = assignments.open_assignments_of_bank(classroom.id, "all-types", NOW)
    assert [a.id for a in found] == [undated.id, coming.id] and past.id not in {a.id for a in found}


def test_the_class_page_lists_its_accommodations(room) -> None:
    classroom, (ada, bob, _) = room
    first = classes_service.create_assignment(classroom, "all-types")
    second = classes_service.create_assignment(classroom, "all-types")
    assignments.set_accommodation(second, "bob", extra_time_percent=25)
    assignments.set_accommodation(first, "bob", extra_attempts=1)
    assignments.set_accommodation(first, "ada", due_at=NOW)
    rows = assignments.class_accommodations(classroom.id)
    assert [(r.assignment.id, r.student.username) for r in rows] == [
        (first.id, "ada"), (first.id, "bob"), (second.id, "bob")]
    assert (rows[1].accommodation.extra_attempts, rows[2].accommodation.extra_time_percent) == (1, 25)


def test_release_follows_the_students_due_date_and_practice_waits_for_it(room) -> None:
    classroom, (ada, bob, _) = room
    due = NOW + dt.timedelta(days=1)
    assignment = classes_service.create_assignment(classroom, "all-types", due_at=due,
                                                   show_answers="after_due")
    assignments.set_accommodation(assignment, "bob", due_at=due + dt.timedelta(days=2))
    attempt = quiz.start_attempt(ada.id, "all-types", assignment_id=assignment.id, now=NOW)
    bobs = quiz.start_attempt(bob.id, "all-types", assignment_id=assignment.id, now=NOW)
    later = due + dt.timedelta(minutes=1)
    assert not release.answers_released(attempt, NOW)
    assert release.answers_released(attempt, later)
    assert not release.answers_released(bobs, later)
    with pytest.raises(Conflict, match="set as an assignment"):
        quiz.start_practice(bob.id, "all-types", now=later)
    # an attempt of the student's own is always released
    classes_service.remove_member(classroom, ada.id)
    own = quiz.start_attempt(ada.id, "all-types", now=later)
    assert own.assignment_id is None and release.answers_released(own, later)
