"""Spaced review in the service layer, on a controlled clock: what becomes due and when, how
each review answer reschedules it (FSRS), and what a review never counts toward."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fsrs import Rating

from quizapp.extensions import db
from quizapp.models import Attempt, ReviewCard
from quizapp.scoring import key_response
from quizapp.services import classes as classes_service
from quizapp.services import leaderboard, progress, quiz, release, review
from tests.conftest import FIXTURES, ROOT, load_banks, make_account

T0 = dt.datetime(2026, 3, 2, 9, 0)
DAY = dt.timedelta(days=1)
BANK = "all-types"


def sit(account_id: int, bank_id: str = BANK, *, wrong: tuple[str, ...] = (), at: dt.datetime = T0,
        assignment_id: int | None = None, finish: bool = True):
    """An attempt at the bank answered right, except the questions in ``wrong`` (answered with
    a response that scores 0); finished a minute after ``at``."""
    attempt = quiz.start_attempt(account_id, bank_id, assignment_id=assignment_id, now=at)
    attempt = quiz.load_attempt(attempt.id, account_id, now=at)
    for item in attempt.items:
        key = item.version.content["id"]
        response = "not it" if key in wrong else key_response(quiz.question_of(item))
        quiz.answer_question(attempt, item, response, now=at)
    if finish:
        quiz.finish_attempt(attempt, now=at + dt.timedelta(minutes=1))
    return attempt


def answer_review(account_id: int, attempt_id: int, responses: dict[str, object], at: dt.datetime,
                  *, finish: bool = True):
    attempt = quiz.load_attempt(attempt_id, account_id, now=at)
    for item in attempt.items:
        key = item.version.content["id"]
        if key in responses:
            response = responses[key]
            if response == "right":
                response = key_response(quiz.question_of(item))
            quiz.answer_question(attempt, item, response, now=at)
    if finish:
        quiz.finish_attempt(attempt, now=at)
    return attempt


def due_keys(account_id: int, at: dt.datetime) -> list[str]:
    return [c.question_id for c in review.overview(account_id, at).due]


def card(account_id: int, key: str) -> ReviewCard:
    cards = [c for c in db.session.query(ReviewCard).all() if c.account_id == account_id
             and c.question.key == key]
    assert len(cards) == 1
    return cards[0]


@pytest.fixture
def ada(app, all_types):
    return make_account("ada")


def test_a_question_missed_in_a_finished_attempt_is_due_at_once(ada) -> None:
    attempt = sit(ada.id, wrong=("dni", "year"), finish=False)
    assert due_keys(ada.id, T0 + DAY) == []  # not while the attempt is under way
    quiz.finish_attempt(attempt, now=T0 + dt.timedelta(minutes=1))
    assert sorted(due_keys(ada.id, T0 + dt.timedelta(minutes=2))) == ["dni", "year"]
    assert review.overview(ada.id, T0 + dt.timedelta(minutes=2)).next_due_at is None


def test_a_question_left_unanswered_in_a_finished_attempt_is_due_too(ada) -> None:
    attempt = quiz.start_attempt(ada.id, BANK, now=T0)
    quiz.finish_attempt(attempt, now=T0)
    assert len(due_keys(ada.id, T0)) == 7


def test_a_wrong_review_answer_is_due_the_next_day_and_a_right_one_later(ada) -> None:
    sit(ada.id, wrong=("dni", "year", "analyst"))
    at = T0 + dt.timedelta(hours=1)
    started, created = review.start_review(ada.id, at)
    assert created and started.kind == "review" and started.bank_id is None
    answer_review(ada.id, started.id, {"dni": "not it", "year": "right", "curtailed": "x"}, at,
                  finish=False)
    wrong, right = card(ada.id, "dni"), card(ada.id, "year")
    assert wrong.due_at == at + DAY  # exactly the next day
    assert right.due_at >= at + 2 * DAY and right.due_at > wrong.due_at
    assert (wrong.reps, wrong.lapses, right.reps, right.lapses) == (1, 1, 1, 0)
    assert wrong.last_review_at == at
    # "analyst" is not answered yet: still due, in the review under way
    assert due_keys(ada.id, at) == ["analyst"]
    assert review.start_review(ada.id, at) == (started, False)  # the same review goes on
    quiz.finish_attempt(quiz.load_attempt(started.id, ada.id), now=at)
    # finishing the review makes nothing due again: its answers were rescheduled as given
    assert due_keys(ada.id, at) == ["analyst"]
    assert review.overview(ada.id, at).next_due_at == at + DAY
    assert "dni" in due_keys(ada.id, at + DAY)
    assert "year" not in due_keys(ada.id, at + DAY)


def test_right_answers_push_a_question_further_out_each_time(ada) -> None:
    sit(ada.id, wrong=("dni",))
    at, gaps = T0 + dt.timedelta(hours=1), []
    for _ in range(4):
        attempt, _ = review.start_review(ada.id, at)
        answer_review(ada.id, attempt.id, {"dni": "right"}, at)
        due = card(ada.id, "dni").due_at
        gaps.append(due - at)
        at = due
    assert gaps == sorted(gaps) and gaps[0] >= 2 * DAY and gaps[-1] > gaps[0]
    assert len(set(gaps)) == 4


def test_ratings_follow_the_score() -> None:
    assert review.rating_for(0, 2) == Rating.Again
    assert review.rating_for(None, 2) == Rating.Again
    assert review.rating_for(1, 2) == Rating.Hard
    assert review.rating_for(2, 2) == Rating.Good


def test_the_scheduler_has_no_steps_shorter_than_a_day() -> None:
    scheduler = review.SCHEDULER
    assert scheduler.learning_steps == () and scheduler.relearning_steps == ()
    assert not scheduler.enable_fuzzing


def test_nothing_due_says_when_the_next_is(ada) -> None:
    assert review.start_review(ada.id, T0) == (None, False)
    sit(ada.id, wrong=("dni",))
    attempt, _ = review.start_review(ada.id, T0 + dt.timedelta(hours=2))
    answer_review(ada.id, attempt.id, {"dni": "right"}, T0 + dt.timedelta(hours=2))
    found = review.overview(ada.id, T0 + dt.timedelta(hours=3))
    assert found.due == [] and found.next_due_at == card(ada.id, "dni").due_at
    assert review.start_review(ada.id, T0 + dt.timedelta(hours=3)) == (None, False)


def test_a_review_asks_at_most_twenty_questions_across_banks(app, ada) -> None:
    load_banks(*sorted((ROOT / "questions").glob("*.yaml")), FIXTURES / "all-types.yaml")
    banks = ["who-is-who", "what-happened", BANK]
    for bank_id in banks:
        attempt = quiz.start_attempt(ada.id, bank_id, now=T0)
        quiz.finish_attempt(attempt, now=T0)  # every question left unanswered: all missed
    due = review.overview(ada.id, T0).due
    assert len(due) > review.MAX_QUESTIONS
    attempt, _ = review.start_review(ada.id, T0)
    attempt = quiz.load_attempt(attempt.id, ada.id)
    assert len(attempt.items) == review.MAX_QUESTIONS == 20
    asked = {quiz.bank_of(attempt, item).id for item in attempt.items}
    assert len(asked) >= 2
    keys = [item.version.content["id"] for item in attempt.items]
    assert len(set(keys)) == len(keys)


def test_a_miss_in_a_later_quiz_makes_a_reviewed_question_due_again(ada) -> None:
    sit(ada.id, wrong=("dni",))
    attempt, _ = review.start_review(ada.id, T0 + dt.timedelta(hours=1))
    answer_review(ada.id, attempt.id, {"dni": "right"}, T0 + dt.timedelta(hours=1))
    later = T0 + dt.timedelta(hours=5)
    assert due_keys(ada.id, later) == []
    sit(ada.id, wrong=("dni",), at=later)  # practice on her own, missed again
    assert due_keys(ada.id, later + dt.timedelta(minutes=2)) == ["dni"]
    assert card(ada.id, "dni").reps == 1  # a miss outside review is no review


def test_a_retired_question_is_not_reviewed_and_a_new_version_is_asked(app, ada, tmp_path: Path) -> None:
    sit(ada.id, wrong=("dni", "year"))
    text = (FIXTURES / "all-types.yaml").read_text()
    text = text[: text.index("  - id: dni")] + text[text.index("  - id: curtailed"):]  # dni retired
    text = text.replace("    answer: 2017\n", "    answer: 2016\n")  # year: a new version
    bank = tmp_path / "all-types.yaml"
    bank.write_text(text)
    load_banks(bank)
    assert due_keys(ada.id, T0 + DAY) == ["year"]
    attempt, _ = review.start_review(ada.id, T0 + DAY)
    attempt = quiz.load_attempt(attempt.id, ada.id)
    assert [item.version.number for item in attempt.items] == [2]
    assert quiz.answer_question(attempt, attempt.items[0], "2016").result.correct


def test_held_back_answers_are_not_due_until_released(ada) -> None:
    teacher = make_account("tess", "teacher")
    room = classes_service.create_class(teacher, "Year 9")
    classes_service.add_member(room, ada)
    assignment = classes_service.create_assignment(room, BANK, due_at=T0 + 2 * DAY,
                                                   show_answers="after_due")
    sit(ada.id, wrong=("dni",), assignment_id=assignment.id)
    assert due_keys(ada.id, T0 + DAY) == []
    assert review.start_review(ada.id, T0 + DAY) == (None, False)
    assert due_keys(ada.id, T0 + 2 * DAY) == ["dni"]  # shown at the due date: due at once


def test_a_bank_set_as_a_limited_open_assignment_waits(ada) -> None:
    sit(ada.id, wrong=("dni",))
    teacher = make_account("tess", "teacher")
    room = classes_service.create_class(teacher, "Year 9")
    classes_service.add_member(room, ada)
    classes_service.create_assignment(room, BANK, max_attempts=1)
    assert release.refused_banks(ada.id, T0) == {BANK}
    assert due_keys(ada.id, T0 + DAY) == []


def test_a_review_counts_toward_no_board_assignment_or_bank_score(ada) -> None:
    teacher = make_account("tess", "teacher")
    room = classes_service.create_class(teacher, "Year 9")
    classes_service.add_member(room, ada)
    assignment = classes_service.create_assignment(room, BANK)
    sit(ada.id, wrong=("dni", "year"), assignment_id=assignment.id)
    before = leaderboard.board(room, assignment.id)
    class_before = leaderboard.board(room)
    attempt, _ = review.start_review(ada.id, T0 + DAY)
    answer_review(ada.id, attempt.id, {"dni": "right", "year": "right"}, T0 + DAY)
    leaderboard.clear_cache()
    assert leaderboard.board(room, assignment.id) == before
    assert leaderboard.board(room) == class_before
    assert quiz.attempts_used(ada.id, BANK, assignment.id) == 1
    assert quiz.attempts_used(ada.id, BANK) == 0
    [bank] = progress.bank_progress(ada.id)
    assert len(bank.attempts) == 1 and bank.attempts[0].score == 7  # of 9: the review is not in it
    assert quiz.open_attempt(ada.id, BANK, "practice") is None
    # "practise what I missed" still reads the assignment's attempt, not the review
    assert {v.content["id"] for v in quiz.missed_versions(ada.id, BANK)} == {"dni", "year"}


def test_two_starts_at_the_same_moment_make_one_review(ada, monkeypatch) -> None:
    """A double click's second start, arriving before the first is stored, finds no open review;
    the database's one-unfinished-review rule then hands it the first one."""
    sit(ada.id, wrong=("dni", "year"))
    first, new = review.start_review(ada.id, T0 + DAY)
    assert new
    monkeypatch.setattr(review, "open_review", _racing(review.open_review))
    second, new = review.start_review(ada.id, T0 + DAY)
    assert (second.id, new) == (first.id, False)
    reviews = [a for a in db.session.query(Attempt).all() if a.kind == "review"]
    assert len(reviews) == 1


def _racing(real):
    """``open_review`` as a racing request sees it: nothing at its first look, the truth after."""
    looks = {"n": 0}

    def look(account_id: int):
        looks["n"] += 1
        return None if looks["n"] == 1 else real(account_id)

    return look
