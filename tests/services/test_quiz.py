"""The quiz service: pinned versions, one answer per question, limits and shuffles."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Answer, Attempt, AttemptQuestion, Bank, QuestionVersion
from quizapp.services import quiz
from quizapp.services.errors import Conflict, NotFound
from tests.conftest import FIXTURES, load_banks, make_account

BANK = (FIXTURES / "all-types.yaml").read_text()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "all-types.yaml"
    path.write_text(text)
    return path


@pytest.fixture
def student(app, all_types):
    return make_account("ada")


def test_an_attempt_keeps_the_versions_it_started_with(app, student, tmp_path) -> None:
    attempt = quiz.start_attempt(student.id, "all-types")
    # the teacher fixes the key while Ada is mid-attempt
    load_banks(write(tmp_path, BANK.replace("    answer: 2017\n", "    answer: 2016\n")))
    attempt = quiz.load_attempt(attempt.id, student.id)
    outcome = quiz.answer_question(attempt, quiz.item_for(attempt, "year"), "2017")
    assert outcome.result.correct  # scored by the key she was asked
    fresh = quiz.start_attempt(make_account("bob").id, "all-types")
    fresh = quiz.load_attempt(fresh.id, fresh.account_id)
    assert quiz.answer_question(fresh, quiz.item_for(fresh, "year"), "2016").result.correct


def test_a_retired_question_is_not_asked_but_history_keeps_it(app, student, tmp_path) -> None:
    attempt = quiz.start_attempt(student.id, "all-types")
    quiz.answer_question(attempt, quiz.item_for(attempt, "dni"), "Tulsi Gabbard")
    without = BANK[: BANK.index("  - id: dni")] + BANK[BANK.index("  - id: curtailed"):]
    load_banks(write(tmp_path, without))
    assert "dni" not in [v.content["id"] for v in quiz.current_versions("all-types")]
    attempt = quiz.load_attempt(attempt.id, student.id)
    assert attempt.items[0].answer.score == 1


def test_a_question_is_answered_once(app, student) -> None:
    attempt = quiz.load_attempt(quiz.start_attempt(student.id, "all-types").id, student.id)
    item = quiz.item_for(attempt, "analyst")
    first = quiz.answer_question(attempt, item, "Emily Harding")
    again = quiz.answer_question(attempt, item, "nobody")
    assert not first.duplicate and again.duplicate
    assert again.answer.response == "Emily Harding" and again.result.correct
    assert db.session.execute(select(func.count(Answer.id))).scalar_one() == 1


def test_a_simultaneous_second_answer_is_caught_by_the_database(app, student) -> None:
    attempt = quiz.load_attempt(quiz.start_attempt(student.id, "all-types").id, student.id)
    item = quiz.item_for(attempt, "analyst")
    quiz.answer_question(attempt, item, "Emily Harding")
    # a second request that loaded the attempt before the first answer was stored
    db.session.expire_all()
    stale = quiz.load_attempt(attempt.id, student.id)
    stale_item = quiz.item_for(stale, "analyst")
    stale_item.__dict__["answer"] = None  # what that request saw
    outcome = quiz.answer_question(stale, stale_item, "nobody")
    assert outcome.duplicate and outcome.answer.response == "Emily Harding"
    assert db.session.execute(select(func.count(Answer.id))).scalar_one() == 1


def test_finishing_totals_the_answers_and_twice_changes_nothing(app, student) -> None:
    attempt = quiz.load_attempt(quiz.start_attempt(student.id, "all-types").id, student.id)
    quiz.answer_question(attempt, quiz.item_for(attempt, "curtailed"), ["United Kingdom", "Colombia"])
    finished = quiz.finish_attempt(attempt)
    when = finished.finished_at
    assert (finished.score, finished.points) == (2, 9)
    assert quiz.finish_attempt(attempt).finished_at == when
    with pytest.raises(Conflict):
        quiz.answer_question(attempt, quiz.item_for(attempt, "dni"), "Tulsi Gabbard")


def test_the_time_limit_is_enforced_on_the_server(app, tmp_path) -> None:
    load_banks(write(tmp_path, BANK.replace("  shuffle_choices: true", "  time_limit_seconds: 60")))
    ada = make_account("ada")
    start = dt.datetime(2026, 1, 1, 9, 0, 0)
    attempt = quiz.start_attempt(ada.id, "all-types", now=start)
    item = quiz.item_for(attempt, "dni")
    quiz.answer_question(attempt, quiz.item_for(attempt, "analyst"), "Harding",
                         now=start + dt.timedelta(seconds=64))  # within the grace period
    with pytest.raises(Conflict, match="Time is up"):
        quiz.answer_question(attempt, item, "Tulsi Gabbard", now=start + dt.timedelta(seconds=66))
    assert attempt.finished_at == start + dt.timedelta(seconds=60)
    assert attempt.score == 1


def test_the_attempt_limit_is_enforced_on_the_server(app, tmp_path) -> None:
    load_banks(write(tmp_path, BANK.replace("  shuffle_choices: true", "  max_attempts: 2")))
    ada = make_account("ada")
    for _ in range(2):
        quiz.finish_attempt(quiz.start_attempt(ada.id, "all-types"))
    with pytest.raises(Conflict, match="used all 2 attempts"):
        quiz.start_attempt(ada.id, "all-types")


def test_someone_elses_attempt_does_not_exist_for_you(app, student) -> None:
    attempt = quiz.start_attempt(student.id, "all-types")
    bob = make_account("bob")
    with pytest.raises(NotFound):
        quiz.load_attempt(attempt.id, bob.id)


def test_one_question_loads_as_it_does_with_the_whole_attempt(app, student) -> None:
    whole = quiz.load_attempt(quiz.start_attempt(student.id, "all-types").id, student.id)
    for number, item in enumerate(whole.items, start=1):
        attempt, one, tally = quiz.load_position(whole.id, student.id, number)
        assert one.id == item.id and one.version.content == item.version.content
        assert quiz.public_question(attempt, one) == quiz.public_question(whole, item)
        assert tally == quiz.Tally(total=7, answered=0, next_position=0)
    _, by_key = quiz.load_item(whole.id, student.id, "year")
    assert by_key.version.content["id"] == "year"
    with pytest.raises(NotFound):
        quiz.load_position(whole.id, student.id, 8)
    with pytest.raises(NotFound):
        quiz.load_position(whole.id, student.id, 0)
    with pytest.raises(NotFound):
        quiz.load_position(whole.id, make_account("bob").id, 1)


def test_the_tally_counts_answers_and_finds_the_first_unanswered(app, student) -> None:
    attempt = quiz.load_attempt(quiz.start_attempt(student.id, "all-types").id, student.id)
    for item in (attempt.items[0], attempt.items[1], attempt.items[3]):
        quiz.answer_question(attempt, item, "anything")
    assert quiz.tally(attempt) == quiz.Tally(total=7, answered=3, next_position=2)
    for item in attempt.items:
        quiz.answer_question(attempt, item, "anything")
    assert quiz.tally(attempt) == quiz.Tally(total=7, answered=7, next_position=None)


def test_choices_keep_their_shuffled_order_in_an_attempt(app, student) -> None:
    attempt = quiz.load_attempt(quiz.start_attempt(student.id, "all-types").id, student.id)
    item = quiz.item_for(attempt, "curtailed")
    first = quiz.public_question(attempt, item)
    assert quiz.public_question(quiz.load_attempt(attempt.id, student.id), item) == first
    assert sorted(first["choices"]) == sorted(["United Kingdom", "Colombia", "Netherlands", "France"])
    assert set(first) == {"id", "type", "prompt", "points", "choices"}


def _shown_order(seed: int, items: list[str]) -> tuple[str, ...]:
    """The items an ordering question shows in an attempt with ``seed`` (no database needed)."""
    attempt = Attempt(seed=seed, bank=Bank(settings={}))
    version = QuestionVersion(content={"id": "order", "type": "ordering", "prompt": "Order them.",
                                       "items": items})
    view = quiz.public_question(attempt, AttemptQuestion(version=version))
    return tuple(view["items"])


@pytest.mark.parametrize("items", [["CNN", "The Atlantic"], ["CNN", "New York Times", "The Atlantic"]])
def test_ordering_shuffle_is_uniform_over_all_orders(items) -> None:
    seeds = 6000
    counts = Counter(_shown_order(seed, items) for seed in range(seeds))
    orders = set(itertools.permutations(items))
    assert set(counts) == orders  # the right order too: leaving it out would be a clue
    expected = seeds / len(orders)
    for order, seen in counts.items():
        assert abs(seen - expected) < 0.1 * expected, (order, seen, expected)


def test_the_ordering_shuffle_is_the_same_on_every_reload() -> None:
    items = ["CNN", "New York Times", "The Atlantic", "Reuters"]
    assert [_shown_order(seed, items) for seed in range(50)] == [
        _shown_order(seed, items) for seed in range(50)]


def test_nothing_to_practise_after_a_perfect_attempt(app, student) -> None:
    from quizapp.scoring import key_response

    attempt = quiz.load_attempt(quiz.start_attempt(student.id, "all-types").id, student.id)
    for item in attempt.items:
        quiz.answer_question(attempt, item, key_response(quiz.question_of(item)))
    quiz.finish_attempt(attempt)
    with pytest.raises(Conflict, match="Nothing to practise"):
        quiz.start_practice(student.id, "all-types")
