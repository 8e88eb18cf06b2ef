"""The ranking rule, and boards built from finished attempts."""

from __future__ import annotations

import datetime as dt

import pytest

from quizapp.services import classes, leaderboard, quiz
from quizapp.services.leaderboard import rank
from tests.conftest import FIXTURES, load_banks, make_account

T0 = dt.datetime(2026, 3, 1, 9, 0)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_equal_scores_share_a_rank_and_the_next_rank_skips() -> None:
    entries = rank([
        (1, "Ada", 7, 9, at(5)), (2, "Bo", 9, 9, at(9)), (3, "Cy", 7, 9, at(3)), (4, "Di", 2, 9, at(1)),
    ])
    assert [(e.rank, e.name) for e in entries] == [(1, "Bo"), (2, "Cy"), (2, "Ada"), (4, "Di")]


def test_who_reached_an_equal_score_first_is_listed_first() -> None:
    entries = rank([(1, "Zed", 5, 9, at(1)), (2, "Amy", 5, 9, at(2))])
    assert [e.name for e in entries] == ["Zed", "Amy"] and {e.rank for e in entries} == {1}


def test_a_student_sees_the_top_ten_and_their_own_place_and_the_teacher_everyone() -> None:
    entries = rank([(n, f"Kid {n:02d}", 20 - n, 20, at(n)) for n in range(1, 13)])
    ranked = leaderboard.Board(1, None, entries, 12, 12, None, 1, T0,
                               {e.account_id: e for e in entries})
    last = leaderboard.view_for(ranked, 12, teaches=False)
    assert [e.name for e in last.entries] == [f"Kid {n:02d}" for n in range(1, 11)]
    assert last.me is not None and (last.me.rank, last.me.name) == (12, "Kid 12")
    first = leaderboard.view_for(ranked, 1, teaches=False)
    assert len(first.entries) == 10 and first.me == first.entries[0]
    teacher = leaderboard.view_for(ranked, 99, teaches=True)
    assert teacher.entries == entries and teacher.me is None


@pytest.fixture
def room(app):
    load_banks(FIXTURES / "all-types.yaml")
    teacher = make_account("teach", role="teacher")
    room = classes.create_class(teacher, "Period 3")
    one = classes.create_assignment(room, "all-types")
    two = classes.create_assignment(room, "all-types")
    return room, one, two


def finish(student, assignment, right: int, when: dt.datetime):
    """An attempt at the assignment with the first ``right`` questions answered right."""
    from quizapp.scoring import key_response

    attempt = quiz.start_attempt(student.id, "all-types", assignment_id=assignment.id, now=when)
    attempt = quiz.load_attempt(attempt.id, student.id, now=when)
    for item in attempt.items[:right]:
        quiz.answer_question(attempt, item, key_response(quiz.question_of(item)), now=when)
    return quiz.finish_attempt(attempt, now=when)


def test_a_board_ranks_each_students_best_finished_attempt(app, room) -> None:
    room, one, _two = room
    ada, bo, cy = (make_account(n) for n in ("ada", "bob", "cyd"))
    for student in (ada, bo, cy):
        classes.join(student, room.join_code)
    finish(ada, one, 1, at(1))   # 1 point
    finish(ada, one, 2, at(2))   # 4 points: her best
    finish(bo, one, 2, at(3))    # 4 points, reached later than Ada
    quiz.start_attempt(cy.id, "all-types", assignment_id=one.id)  # not finished: not ranked
    board = leaderboard.board(room, one.id)
    assert [(e.rank, e.name, e.score) for e in board.entries] == [(1, "Ada", 4), (1, "Bob", 4)]
    assert board.members == 3 and board.finished == 2


def test_the_class_board_sums_the_best_of_each_assignment(app, room) -> None:
    room, one, two = room
    ada, bo = make_account("ada"), make_account("bob")
    for student in (ada, bo):
        classes.join(student, room.join_code)
    finish(ada, one, 2, at(1))   # 4
    finish(ada, two, 1, at(2))   # 1 -> 5
    finish(bo, one, 1, at(3))    # 1
    finish(bo, two, 2, at(4))    # 4 -> 5, reached later
    finish(bo, two, 3, at(5))    # 5 -> 6
    board = leaderboard.board(room)
    assert [(e.rank, e.name, e.score, e.points) for e in board.entries] == [
        (1, "Bob", 6, 18), (2, "Ada", 5, 18)]
    # they were level (both rank 1) before Bob's last attempt; now Ada is second
    assert (board.entry_for(bo.id).movement, board.entry_for(ada.id).movement) == (0, -1)


def test_a_frozen_board_ignores_later_attempts_until_unfrozen(app, room) -> None:
    room, one, _ = room
    ada = make_account("ada")
    classes.join(ada, room.join_code)
    finish(ada, one, 1, at(1))
    classes.update_board(room, frozen=True, now=at(2))
    finish(ada, one, 3, at(3))
    assert [e.score for e in leaderboard.board(room, one.id).entries] == [1]
    classes.update_board(room, frozen=False)
    assert [e.score for e in leaderboard.board(room, one.id).entries] == [5]


def test_nicknames_replace_names_when_the_class_says_so(app, room) -> None:
    room, one, _ = room
    ada = make_account("ada")
    classes.join(ada, room.join_code)
    classes.set_nickname(room, ada.id, "Blue Fox")
    finish(ada, one, 1, at(1))
    assert leaderboard.board(room, one.id).entries[0].name == "Ada"
    classes.update_board(room, names="nickname")
    assert leaderboard.board(room, one.id).entries[0].name == "Blue Fox"


def test_a_student_who_leaves_is_off_the_board(app, room) -> None:
    room, one, _ = room
    ada = make_account("ada")
    classes.join(ada, room.join_code)
    finish(ada, one, 1, at(1))
    assert len(leaderboard.board(room, one.id).entries) == 1
    classes.remove_member(room, ada.id)
    assert leaderboard.board(room, one.id).entries == []


def test_attempts_outside_the_assignment_do_not_count(app, room) -> None:
    room, one, _ = room
    ada = make_account("ada")
    classes.join(ada, room.join_code)
    quiz.finish_attempt(quiz.start_attempt(ada.id, "all-types"))  # on her own, not assigned
    assert leaderboard.board(room, one.id).entries == []


def test_only_members_may_start_an_assignment(app, room) -> None:
    from quizapp.services.errors import NotFound

    room, one, _ = room
    stranger = make_account("eve")
    with pytest.raises(NotFound):
        quiz.start_attempt(stranger.id, "all-types", assignment_id=one.id)
