"""A teacher's control of assignments over the API: edit, delete, copy, accommodations, when
answers are shown, closing at the due date, question order and pools, one student's attempt
and a changed mark, and the class board's totals.

Calls go through :class:`tests.web.test_api.Api`, which checks every answer against
/api/v1/openapi.json. Times are set relative to now, as a teacher would set them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, MarkChange
from tests.web.test_api import RIGHT, load_bank
from tests.web.test_api_classes import Room, person, take


@pytest.fixture
def room(app: Flask, client: FlaskClient, tmp_path: Path) -> Room:
    """As in test_api_classes: Tess teaches Ada, Bob and Cy; Otto teaches elsewhere."""
    load_bank(tmp_path)
    tess = person(app, client, "tess", "Tess Teacher", "teacher")
    made = tess.call("POST", "/classes", {"name": "Year 9 Media"}, status=201)
    students = [person(app, client, "ada", "Ada Lovelace"), person(app, client, "bob", "Bob Baker"),
                person(app, client, "cy.young", "Cy Young")]
    for student in students:
        student.call("POST", "/classes/join", {"join_code": made["join_code"]}, status=200)
    return Room(tess, students[0], students[1], person(app, client, "eve", "Eve Outsider"),
                person(app, client, "otto", "Otto Other", "teacher"), made["id"], made["join_code"])

HIDDEN = {"recorded": True, "score": None, "correct": None, "explanation": None, "evidence": None}


def when(**delta: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(**delta)).isoformat()


def start(student: Any, assignment_id: int | None, status: int = 201) -> dict[str, Any]:
    body = {"assignment_id": assignment_id} if assignment_id is not None else {}
    return student.call("POST", "/banks/everything/attempts", body, status=status)


def answer(student: Any, attempt_id: int, question_id: str, response: Any,
           status: int = 200) -> dict[str, Any]:
    return student.call("PUT", f"/attempts/{attempt_id}/answers/{question_id}",
                        {"response": response}, status=status)


def backdate(attempt_id: int, **delta: float) -> None:
    """Move an attempt's start (and deadline) into the past, as if it began earlier."""
    attempt = db.session.get(Attempt, attempt_id)
    attempt.started_at -= dt.timedelta(**delta)
    db.session.commit()


# -- edit, delete, copy -----------------------------------------------------------------------


def test_a_teacher_edits_an_assignment_field_by_field(room: Room) -> None:
    made = room.assign(due_at=when(days=7), max_attempts=2)
    path = f"/assignments/{made['id']}"
    changed = room.tess.call("PATCH", path, {"max_attempts": 3, "show_answers": "after_due",
                                             "shuffle_questions": True, "question_count": 4},
                             status=200)
    assert (changed["max_attempts"], changed["show_answers"], changed["shuffle_questions"],
            changed["question_count"], changed["due_at"]) == (3, "after_due", True, 4, made["due_at"])
    # null clears a nullable option; the list shows what was saved
    cleared = room.tess.call("PATCH", path, {"max_attempts": None, "question_count": None}, status=200)
    assert (cleared["max_attempts"], cleared["question_count"]) == (None, None)
    listed = room.ada.call("GET", f"/classes/{room.class_id}/assignments", status=200)["assignments"]
    assert listed == [cleared]


@pytest.mark.parametrize(("body", "words"), [
    ({"due_at": None}, "Answers shown after the due date need a due date"),
    ({"opens_at": "2099-01-01T00:00:00Z"}, "due date must come after the opening date"),
    ({"show_answers": None}, "cannot be cleared"),
    ({"show_answers": "sometimes"}, "show_answers"),
    ({"question_count": 8}, "The quiz has 7 questions"),
    ({"max_attempts": 0}, "max_attempts"),
    ({"colour": "red"}, "colour"),
])
def test_an_edit_that_does_not_fit_is_a_422_and_changes_nothing(room: Room, body, words) -> None:
    made = room.assign(due_at=when(days=7), show_answers="after_due")
    error = room.tess.call("PATCH", f"/assignments/{made['id']}", body, status=422)["error"]
    assert words in error
    listed = room.tess.call("GET", f"/classes/{room.class_id}/assignments", status=200)["assignments"]
    assert listed == [made]


def test_only_the_classs_teacher_edits_deletes_or_copies(room: Room) -> None:
    made = room.assign()
    path = f"/assignments/{made['id']}"
    assert room.ada.call("PATCH", path, {"max_attempts": 1}, status=403)["error"]
    assert room.otto.call("PATCH", path, {"max_attempts": 1}, status=404)["error"]
    assert room.ada.call("DELETE", path, status=403)
    assert room.otto.call("DELETE", path, status=404)
    otto_class = room.otto.call("POST", "/classes", {"name": "Otto's"}, status=201)["id"]
    # a teacher cannot copy into another teacher's class, nor copy another's assignment
    room.tess.call("POST", f"{path}/copy", {"class_id": otto_class}, status=404)
    room.otto.call("POST", f"{path}/copy", {"class_id": otto_class}, status=404)
    assert room.tess.call("GET", f"/classes/{room.class_id}/assignments", status=200)["assignments"] == [made]


def test_deleting_an_assignment_keeps_its_attempts_in_the_students_history(room: Room) -> None:
    made = room.assign(max_attempts=1)
    done = take(room.ada, made["id"], RIGHT)
    under_way = start(room.bob, made["id"])["attempt"]
    room.tess.call("DELETE", f"/assignments/{made['id']}", status=204)

    assert room.tess.call("GET", f"/classes/{room.class_id}/assignments", status=200)["assignments"] == []
    # the attempts are still the students', with their marks, in their history
    again = room.ada.call("GET", f"/attempts/{done['id']}", status=200)["attempt"]
    assert (again["score"], again["finished"], again["assignment_id"]) == (7, True, None)
    progress = room.ada.call("GET", "/me/progress", status=200)
    assert progress["banks"][0]["attempts"] == 1 and progress["banks"][0]["best"] == 1.0
    assert room.bob.call("GET", f"/attempts/{under_way['id']}", status=200)["attempt"]["finished"] is False
    # the class board no longer counts them
    assert room.tess.call("GET", f"/classes/{room.class_id}/leaderboard", status=200)["entries"] == []
    # an attempt of the deleted assignment is not the student's own practice: Bob's open one is
    # not resumed as practice, and a new assignment's attempts are numbered from 1 again
    own = start(room.bob, None)["attempt"]
    assert own["id"] != under_way["id"]
    newer = room.assign(max_attempts=1)
    assert newer["id"] != made["id"]
    take(room.ada, newer["id"], RIGHT)
    assert start(room.ada, newer["id"], status=409)["error"].startswith("You have used all 1")


def test_a_copy_has_the_same_options_in_the_other_class(room: Room) -> None:
    other = room.tess.call("POST", "/classes", {"name": "Year 10"}, status=201)["id"]
    made = room.assign(due_at=when(days=3), max_attempts=2, time_limit_seconds=300,
                       show_answers="after_due", close_at_due=True, shuffle_questions=True,
                       question_count=5)
    room.tess.call("PUT", f"/assignments/{made['id']}/accommodations/ada", {"extra_attempts": 2},
                   status=200)
    copy = room.tess.call("POST", f"/assignments/{made['id']}/copy", {"class_id": other}, status=201)
    assert copy["id"] != made["id"] and copy["class_id"] == other
    assert {k: v for k, v in copy.items() if k not in ("id", "class_id")} == {
        k: v for k, v in made.items() if k not in ("id", "class_id")}
    listed = room.tess.call("GET", f"/classes/{other}/assignments", status=200)["assignments"]
    assert listed == [copy]


# -- when answers are shown -------------------------------------------------------------------


def test_never_shows_no_mark_key_or_explanation_anywhere_the_student_looks(room: Room) -> None:
    made = room.assign(show_answers="never")
    attempt = start(room.ada, made["id"])["attempt"]
    assert attempt["released"] is False
    reply = answer(room.ada, attempt["id"], "dni", "Kash Patel")
    assert {k: reply[k] for k in HIDDEN} == HIDDEN and reply["points"] == 1
    assert reply["feedback"] == []  # the choice's feedback would give the key away
    answer(room.ada, attempt["id"], "postwar", True)
    finished = room.ada.call("POST", f"/attempts/{attempt['id']}/finish", status=200)
    assert finished == {"score": None, "points": 7, "released": False}
    seen = room.ada.call("GET", f"/attempts/{attempt['id']}", status=200)["attempt"]
    assert seen["score"] is None and seen["finished"] is True
    assert all({k: a[k] for k in HIDDEN} == HIDDEN for a in seen["answers"])
    progress = room.ada.call("GET", "/me/progress", status=200)
    assert progress["banks"] == [{"id": "everything", "title": "Every kind of question",
                                  "best": None, "latest": None, "attempts": 1, "hidden": 1}]
    assert progress["skills"] == {}
    # practice of the bank would show every key: refused while the assignment is open to her
    assert "set as an assignment" in start(room.ada, None, status=409)["error"]
    # the teacher sees everything
    marked = room.tess.call("GET", f"/attempts/{attempt['id']}", status=200)["attempt"]
    assert marked["score"] == 1 and marked["review"][0]["score"] == 0


def test_immediately_shows_marks_as_before(room: Room) -> None:
    made = room.assign()
    attempt = start(room.ada, made["id"])["attempt"]
    reply = answer(room.ada, attempt["id"], "dni", "Tulsi Gabbard")
    assert (reply["recorded"], reply["score"], reply["correct"]) == (True, 1, True)
    assert reply["explanation"].startswith("EXPLAIN-dni")


def test_after_due_shows_answers_once_the_students_own_due_date_passes(room: Room) -> None:
    made = room.assign(due_at=when(days=1), show_answers="after_due")
    ada = take(room.ada, made["id"], {"dni": "Tulsi Gabbard"})
    bob = take(room.bob, made["id"], {"dni": "Tulsi Gabbard"})
    assert ada["score"] is None and ada["answers"][0]["score"] is None
    # Bob gets a later due date; then the class's due date passes
    room.tess.call("PUT", f"/assignments/{made['id']}/accommodations/bob",
                   {"due_at": when(days=2)}, status=200)
    room.tess.call("PATCH", f"/assignments/{made['id']}",
                   {"opens_at": when(days=-3), "due_at": when(minutes=-1)}, status=200)
    ada = room.ada.call("GET", f"/attempts/{ada['id']}", status=200)["attempt"]
    assert (ada["released"], ada["score"], ada["answers"][0]["correct"]) == (True, 1, True)
    assert room.ada.call("GET", "/me/progress", status=200)["banks"][0]["best"] == pytest.approx(1 / 7)
    bob = room.bob.call("GET", f"/attempts/{bob['id']}", status=200)["attempt"]
    assert (bob["released"], bob["score"], bob["answers"][0]["score"]) == (False, None, None)
    assert "set as an assignment" in start(room.bob, None, status=409)["error"]
    # Ada's practice is open again: her answers are out
    assert start(room.ada, None)["attempt"]["assignment_id"] is None


# -- closing at the due date ------------------------------------------------------------------


def test_close_at_due_refuses_starts_and_answers_after_the_due_date(room: Room) -> None:
    made = room.assign(opens_at=when(days=-2), due_at=when(hours=1), close_at_due=True)
    attempt = start(room.ada, made["id"])["attempt"]
    # the attempt's deadline is the due date
    assert attempt["deadline_at"] == made["due_at"].replace("+00:00", "Z")
    answer(room.ada, attempt["id"], "dni", "Tulsi Gabbard")
    backdate(attempt["id"], hours=2)
    room.tess.call("PATCH", f"/assignments/{made['id']}", {"due_at": when(minutes=-30)}, status=200)
    assert answer(room.ada, attempt["id"], "postwar", True, status=409)["error"]
    assert "closed at its due date" in start(room.bob, made["id"], status=409)["error"]
    # the attempt under way was finished at the due date with what it had
    seen = room.ada.call("GET", f"/attempts/{attempt['id']}", status=200)["attempt"]
    assert seen["finished"] is True and seen["score"] == 1
    # a student with a later due date of their own may still start
    room.tess.call("PUT", f"/assignments/{made['id']}/accommodations/bob", {"due_at": when(hours=5)},
                   status=200)
    assert start(room.bob, made["id"])["attempt"]["id"]


def test_without_close_at_due_late_work_is_taken_and_marked_late(room: Room) -> None:
    made = room.assign(opens_at=when(days=-2), due_at=when(days=-1))
    take(room.ada, made["id"], RIGHT)
    results = room.tess.call("GET", f"/assignments/{made['id']}/results", status=200)
    ada = next(s for s in results["students"] if s["username"] == "ada")
    assert (ada["late"], ada["score"]) == (True, 7)


# -- accommodations ---------------------------------------------------------------------------


def test_accommodations_add_attempts_time_and_a_due_date_for_one_student(room: Room) -> None:
    made = room.assign(opens_at=when(days=-2), due_at=when(days=-1), max_attempts=1,
                       time_limit_seconds=600)
    given = room.tess.call("PUT", f"/assignments/{made['id']}/accommodations/ada",
                           {"extra_time_percent": 50, "extra_attempts": 1, "due_at": when(days=1)},
                           status=200)
    assert (given["username"], given["extra_time_percent"], given["extra_attempts"]) == ("ada", 50, 1)
    # a field left out keeps its value
    again = room.tess.call("PUT", f"/assignments/{made['id']}/accommodations/ada",
                           {"extra_attempts": 2}, status=200)
    assert (again["extra_time_percent"], again["extra_attempts"], again["due_at"]) == (
        50, 2, given["due_at"])
    first = start(room.ada, made["id"])["attempt"]
    started = dt.datetime.fromisoformat(first["started_at"])
    deadline = dt.datetime.fromisoformat(first["deadline_at"])
    assert deadline - started == dt.timedelta(seconds=900)  # 600 s and half again
    room.ada.call("POST", f"/attempts/{first['id']}/finish", status=200)
    take(room.ada, made["id"], RIGHT)
    take(room.ada, made["id"], RIGHT)
    assert start(room.ada, made["id"], status=409)["error"].startswith("You have used all 3")
    take(room.bob, made["id"], RIGHT)
    assert start(room.bob, made["id"], status=409)["error"].startswith("You have used all 1")
    bob_attempt = room.bob.call("GET", f"/classes/{room.class_id}/assignments", status=200)
    assert bob_attempt["assignments"][0]["time_limit_seconds"] == 600
    # lateness follows each student's own due date
    results = room.tess.call("GET", f"/assignments/{made['id']}/results", status=200)
    late = {s["username"]: s["late"] for s in results["students"]}
    assert late == {"ada": False, "bob": True, "cy.young": False}


def test_an_accommodation_is_for_a_student_of_the_class(room: Room) -> None:
    made = room.assign()
    path = f"/assignments/{made['id']}/accommodations"
    assert "not in this class" in room.tess.call("PUT", f"{path}/eve", {"extra_attempts": 1},
                                                 status=404)["error"]
    assert room.tess.call("PUT", f"{path}/nobody", {"extra_attempts": 1}, status=404)
    room.tess.call("PUT", f"{path}/ada", {"extra_attempts": -1}, status=422)
    room.ada.call("PUT", f"{path}/ada", {"extra_attempts": 1}, status=403)
    room.otto.call("PUT", f"{path}/ada", {"extra_attempts": 1}, status=404)


# -- one student's attempt and a changed mark ------------------------------------------------


def test_the_teacher_reads_any_students_attempt_in_full_even_under_way(room: Room) -> None:
    made = room.assign(show_answers="never")
    attempt = start(room.ada, made["id"])["attempt"]
    answer(room.ada, attempt["id"], "dni", "Kash Patel")
    seen = room.tess.call("GET", f"/attempts/{attempt['id']}", status=200)["attempt"]
    assert seen["status"] == "in progress" and seen["finished"] is False
    assert seen["student"] == {"username": "ada", "name": "Ada Lovelace"}
    first = seen["review"][0]
    assert (first["question_id"], first["response"], first["score"], first["correct"]) == (
        "dni", "Kash Patel", 0, False)
    assert first["key"] == "Tulsi Gabbard" and first["explanation"].startswith("EXPLAIN-dni")
    assert all(item["answered"] is False and item["key"] is not None for item in seen["review"][1:])
    # another teacher, and another student, find nothing
    room.otto.call("GET", f"/attempts/{attempt['id']}", status=404)
    room.bob.call("GET", f"/attempts/{attempt['id']}", status=404)


def test_a_changed_mark_moves_the_total_the_board_and_the_results(room: Room) -> None:
    made = room.assign()
    ada = take(room.ada, made["id"], {**RIGHT, "fbi": "Patel K."})
    take(room.bob, made["id"], RIGHT)
    board = room.tess.call("GET", f"/classes/{room.class_id}/leaderboard?assignment_id={made['id']}",
                           status=200)
    assert [(e["name"], e["score"]) for e in board["entries"]] == [("Bob Baker", 7), ("Ada Lovelace", 6)]

    path = f"/attempts/{ada['id']}/answers/fbi/mark"
    assert "between 0 and 1" in room.tess.call("PUT", path, {"score": 1.5}, status=422)["error"]
    room.tess.call("PUT", path, {"score": -1}, status=422)
    room.ada.call("PUT", path, {"score": 1}, status=403)
    room.otto.call("PUT", path, {"score": 1}, status=404)
    marked = room.tess.call("PUT", path, {"score": 1, "comment": "Patel it is: full marks."}, status=200)
    assert (marked["score"], marked["attempt_score"], marked["comment"]) == (1, 7, "Patel it is: full marks.")
    assert [(c["by"], c["old_score"], c["new_score"]) for c in marked["changes"]] == [("Tess Teacher", 0, 1)]

    board = room.tess.call("GET", f"/classes/{room.class_id}/leaderboard?assignment_id={made['id']}",
                           status=200)
    assert [(e["rank"], e["score"]) for e in board["entries"]] == [(1, 7), (1, 7)]
    results = room.tess.call("GET", f"/assignments/{made['id']}/results", status=200)
    assert {s["username"]: s["score"] for s in results["students"]}["ada"] == 7
    # the student sees the new mark and the comment
    seen = room.ada.call("GET", f"/attempts/{ada['id']}", status=200)["attempt"]
    fbi = next(a for a in seen["answers"] if a["question_id"] == "fbi")
    assert (seen["score"], fbi["score"], fbi["correct"], fbi["comment"]) == (
        7, 1, True, "Patel it is: full marks.")
    # a second change is kept too, with who and when
    room.tess.call("PUT", path, {"score": 0.5}, status=200)
    changes = db.session.execute(select(MarkChange).order_by(MarkChange.id)).scalars().all()
    assert [(c.old_score, c.new_score, c.comment) for c in changes] == [
        (0, 1, "Patel it is: full marks."), (1, 0.5, None)]
    assert all(c.changed_by_id is not None and c.changed_at for c in changes)
    assert room.ada.call("GET", f"/attempts/{ada['id']}", status=200)["attempt"]["score"] == 6.5


def test_an_unanswered_question_is_marked_only_once_the_attempt_is_finished(room: Room) -> None:
    made = room.assign()
    attempt = start(room.ada, made["id"])["attempt"]
    path = f"/attempts/{attempt['id']}/answers/dni/mark"
    assert "not answered yet" in room.tess.call("PUT", path, {"score": 1}, status=409)["error"]
    room.ada.call("POST", f"/attempts/{attempt['id']}/finish", status=200)
    assert room.tess.call("PUT", path, {"score": 1}, status=200)["attempt_score"] == 1


# -- order and pools --------------------------------------------------------------------------


def test_shuffled_questions_have_an_order_per_attempt_fixed_on_reload(room: Room) -> None:
    made = room.assign(shuffle_questions=True)
    orders = []
    for _ in range(4):
        attempt = start(room.ada, made["id"])["attempt"]
        order = [q["id"] for q in attempt["questions"]]
        again = room.ada.call("GET", f"/attempts/{attempt['id']}", status=200)["attempt"]
        assert [q["id"] for q in again["questions"]] == order
        assert sorted(order) == sorted(RIGHT)
        orders.append(tuple(order))
        room.ada.call("POST", f"/attempts/{attempt['id']}/finish", status=200)
    assert len(set(orders)) > 1  # four orders of seven questions all alike: 1 in 5040**3


def test_a_pool_asks_its_own_draw_and_reports_count_the_attempts_that_asked(room: Room) -> None:
    made = room.assign(question_count=3)
    draws = []
    for student in (room.ada, room.bob) * 3:
        attempt = start(student, made["id"])["attempt"]
        assert len(attempt["questions"]) == 3 and attempt["points"] == 3
        draws.append(frozenset(q["id"] for q in attempt["questions"]))
        for q in attempt["questions"]:
            answer(student, attempt["id"], q["id"], RIGHT[q["id"]])
        student.call("POST", f"/attempts/{attempt['id']}/finish", status=200)
    assert len(set(draws)) > 1
    results = room.tess.call("GET", f"/assignments/{made['id']}/results", status=200)
    for question in results["questions"]:
        assert question["facility"] == 1.0  # over the attempts that asked it, not 0 for the rest
        assert 1 <= question["asked"] <= 2


# -- boards -----------------------------------------------------------------------------------


def test_the_class_board_sums_every_assignment_out_of_one_total(room: Room) -> None:
    first, second = room.assign(), room.assign()
    take(room.ada, first["id"], RIGHT)             # 7 of 7, second not attempted
    take(room.bob, first["id"], {"dni": "Tulsi Gabbard"})
    take(room.bob, second["id"], RIGHT)            # 1 + 7
    board = room.tess.call("GET", f"/classes/{room.class_id}/leaderboard", status=200)["entries"]
    assert [(e["name"], e["score"], e["total"], e["percent"]) for e in board] == [
        ("Bob Baker", 8, 14, 57.14), ("Ada Lovelace", 7, 14, 50.0)]
    one = room.tess.call("GET", f"/classes/{room.class_id}/leaderboard?assignment_id={second['id']}",
                         status=200)["entries"]
    assert [(e["score"], e["total"], e["percent"]) for e in one] == [(7, 7, 100.0)]


def test_a_board_waits_for_the_answers_to_be_shown_to_the_student(room: Room) -> None:
    shown, hidden = room.assign(), room.assign(show_answers="never")
    take(room.ada, hidden["id"], RIGHT)
    path = f"/classes/{room.class_id}/leaderboard"
    assert "shows once" in room.ada.call("GET", f"{path}?assignment_id={hidden['id']}", status=403)["error"]
    assert "shows once" in room.ada.call("GET", path, status=403)["error"]
    assert room.ada.call("GET", f"{path}?assignment_id={shown['id']}", status=200)["entries"] == []
    # the teacher sees it; once the answers are shown, so does the student
    assert room.tess.call("GET", path, status=200)["entries"][0]["score"] == 7
    room.tess.call("PATCH", f"/assignments/{hidden['id']}", {"show_answers": "immediately"}, status=200)
    assert room.ada.call("GET", path, status=200)["me"]["score"] == 7
