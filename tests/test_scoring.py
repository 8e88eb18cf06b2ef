"""Scoring: the spec's rules per type, and invariants that hold for any response."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.banks import question_adapter
from quizapp.scoring import (
    MAX_RESPONSE_CHARS,
    fold_answer,
    key_response,
    parse_number,
    response_bounds,
    response_too_large,
    score,
    typo_distance,
)

BASE = {"prompt": "p", "explanation": "e"}


def q(**fields: Any):
    return question_adapter.validate_python({"id": "q", **BASE, **fields})


SINGLE = q(type="single", choices=["CNN", "The Atlantic", "New York Times"], answer="CNN",
           feedback={"The Atlantic": "The Atlantic reported on officials in January."})
MULTIPLE = q(type="multiple", choices=["UK", "Canada", "Colombia", "France"],
             answer=["UK", "Canada", "Colombia"], points=3)
TRUE_FALSE = q(type="true_false", answer=False)
SHORT = q(type="short", answer=["Tulsi Gabbard", "Gabbard"])
SHORT_EXACT = q(type="short", answer="Center for Strategic and International Studies", exact=True)
NUMERIC = q(type="numeric", answer=1000, tolerance=0.5)
ORDERING = q(type="ordering", items=["2016 election", "2017", "January", "this week"])
ORDERING_PARTIAL = q(type="ordering", items=["a", "b", "c", "d"], partial=True, points=2)
MATCHING = q(type="matching", pairs={"MI5": "domestic", "MI6": "foreign", "FBI": "US"},
             distractors=["military"])
ALL = [SINGLE, MULTIPLE, TRUE_FALSE, SHORT, SHORT_EXACT, NUMERIC, ORDERING, ORDERING_PARTIAL,
       MATCHING]


def marks(question, response) -> float:
    return score(question, response).score


def test_single_scores_the_answer_and_gives_the_chosen_feedback() -> None:
    assert marks(SINGLE, "CNN") == 1
    wrong = score(SINGLE, "The Atlantic")
    assert wrong.score == 0 and not wrong.correct
    assert wrong.feedback == (("The Atlantic", "The Atlantic reported on officials in January."),)
    assert score(SINGLE, "Fox").note == "No choice was selected."


def test_multiple_gives_partial_credit_and_takes_it_back_for_wrong_picks() -> None:
    assert marks(MULTIPLE, ["UK", "Canada", "Colombia"]) == 3
    assert marks(MULTIPLE, ["UK", "Canada"]) == 2
    assert marks(MULTIPLE, ["UK", "Canada", "France"]) == 1
    assert marks(MULTIPLE, ["UK", "France"]) == 0
    assert marks(MULTIPLE, ["France"]) == 0  # never below zero
    assert marks(MULTIPLE, ["UK", "UK", "UK"]) == 1  # a choice counts once
    assert marks(MULTIPLE, ["UK", "Germany"]) == 0  # an unknown choice spoils the response


def test_true_false_takes_booleans_and_their_words() -> None:
    assert marks(TRUE_FALSE, False) == 1
    assert marks(TRUE_FALSE, "false") == 1
    assert marks(TRUE_FALSE, True) == 0
    assert marks(TRUE_FALSE, 0) == 0  # a number is not a boolean


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("Tulsi Gabbard", 1),
        ("  tulsi   GABBARD. ", 1),
        ("Tulsi Gabard", 1),  # one letter missing
        ("Tuls Gabard", 1),  # two typos forgiven from 12 characters on
        ("Tul Gabard", 0),  # three are not
        ("Gabbrad", 1),  # a swap of neighbours is one typo
        ("Gabbard's", 1),  # punctuation dropped, then one typo
        ("Patel", 0),
    ],
)
def test_short_answers_fold_and_forgive_typos(response: str, expected: int) -> None:
    assert marks(SHORT, response) == expected


def test_short_answers_forgive_nothing_under_five_characters() -> None:
    question = q(type="short", answer="MI5")
    assert marks(question, "the mi5") == 1
    assert marks(question, "MI6") == 0
    question = q(type="short", answer="NATO!")
    assert marks(question, "nato") == 1 and marks(question, "nata") == 0


def test_exact_short_answers_still_fold_but_forgive_no_typo() -> None:
    assert marks(SHORT_EXACT, "the center for strategic and international studies") == 1
    assert marks(SHORT_EXACT, "Centre for Strategic and International Studies") == 0


def test_folding_follows_the_spec() -> None:
    assert fold_answer("  The  Five-Eyes,  alliance ") == "fiveeyes alliance"
    assert fold_answer("An NSA report") == "nsa report"
    assert fold_answer("Anadolu") == "anadolu"  # "an" only as a word


def test_typo_distance_is_damerau_levenshtein() -> None:
    assert typo_distance("abcd", "abdc") == 1
    assert typo_distance("kitten", "sitting") == 3
    assert typo_distance("", "abc") == 3


@pytest.mark.parametrize(
    ("response", "expected"),
    [("1000", 1), ("1,000", 1), ("+1,000.4", 1), ("999.5", 1), ("999.4", 0), ("1,00", 0),
     ("1000abc", 0), ("", 0), ("one thousand", 0), (1000, 1), (True, 0), ("nan", 0)],
)
def test_numeric_reads_decimals_with_thousands_separators(response: Any, expected: int) -> None:
    assert marks(NUMERIC, response) == expected


def test_numeric_says_when_it_could_not_read_a_number() -> None:
    assert score(NUMERIC, "about 1000").note == "The answer was not read as a number."
    assert score(NUMERIC, "1001").note is None
    assert parse_number("-1,234,567.50") == parse_number("-1234567.5")


def test_ordering_is_all_or_nothing_unless_partial() -> None:
    assert marks(ORDERING, list(ORDERING.items)) == 1
    assert marks(ORDERING, ["2017", "2016 election", "January", "this week"]) == 0
    assert marks(ORDERING_PARTIAL, ["a", "b", "d", "c"]) == 1  # half of 2 points
    assert marks(ORDERING_PARTIAL, ["d", "c", "b", "a"]) == 0
    # a response that repeats, invents or leaves out items names unknown choices: 0
    assert marks(ORDERING_PARTIAL, ["a", "a", "a", "a"]) == 0
    assert marks(ORDERING_PARTIAL, ["a", "b", "c"]) == 0
    assert marks(ORDERING_PARTIAL, ["a", "b", "c", "d", "e"]) == 0


def test_matching_scores_the_fraction_of_lefts_matched() -> None:
    assert marks(MATCHING, {"MI5": "domestic", "MI6": "foreign", "FBI": "US"}) == 1
    assert marks(MATCHING, {"MI5": "domestic", "MI6": "military"}) == pytest.approx(1 / 3)
    assert marks(MATCHING, {"MI5": "foreign", "MI6": "domestic", "FBI": "military"}) == 0
    # an unknown left or right spoils the response, like an unknown choice
    assert marks(MATCHING, {"MI5": "domestic", "MI6": "foreign", "CIA": "US"}) == 0
    assert marks(MATCHING, {"MI5": "domestic", "MI6": "foreign", "FBI": "police"}) == 0


@pytest.mark.parametrize("question", ALL, ids=lambda x: x.type)
def test_the_key_itself_scores_full_points(question) -> None:
    result = score(question, key_response(question))
    assert result.correct and result.score == question.points


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(response=json_values)
@pytest.mark.parametrize("question", ALL, ids=lambda x: x.type)
def test_any_response_at_all_scores_within_the_points(question, response: Any) -> None:
    result = score(question, response)
    assert 0 <= result.score <= question.points


choice_lists = st.lists(st.sampled_from(MULTIPLE.choices + ["other"]), max_size=6)


@settings(max_examples=200, deadline=None)
@given(picked=choice_lists, order=st.permutations(["a", "b", "c", "d"]),
       text=st.text(max_size=40))
def test_plausible_responses_stay_within_the_points(picked, order, text) -> None:
    for question, response in ((MULTIPLE, picked), (ORDERING_PARTIAL, order), (SHORT, text),
                               (NUMERIC, text), (MATCHING, dict(zip(MATCHING.pairs, order, strict=False)))):
        assert 0 <= score(question, response).score <= question.points


def test_a_matching_response_naming_a_list_scores_0_rather_than_failing() -> None:
    result = score(MATCHING, {"MI5": ["domestic"], "MI6": "foreign"})
    assert result.score == 0 and result.note


@pytest.mark.parametrize("question", ALL, ids=lambda x: x.type)
@pytest.mark.parametrize("response", [None, 12, -3, "maybe", "nul\u0000byte", {"a": 1}, ["x"], []])
def test_keys_and_small_wrong_responses_fit_the_response_bounds(question, response) -> None:
    assert response_too_large(question, key_response(question)) is None
    assert response_too_large(question, response) is None  # scored 0, as the API promises


def _nested(depth: int) -> Any:
    value: Any = "UK"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(("question", "response", "why"), [
    (SHORT, "Tulsi Gabbard " * 150_000, "too long"),
    (NUMERIC, "1" * (MAX_RESPONSE_CHARS + 1), "too long"),
    (NUMERIC, 10 ** 400, "too long"),
    (SINGLE, _nested(2), "nested too deeply"),
    (MULTIPLE, _nested(900), "nested too deeply"),
    (MULTIPLE, ["UK"] * 5, "too many parts"),
    (ORDERING, [*ORDERING.items, "2017"], "too many parts"),
    (MATCHING, {"MI5": "domestic", "MI6": "foreign", "FBI": "US", "CIA": "US"}, "too many parts"),
    (MATCHING, {"MI5": "x" * (MAX_RESPONSE_CHARS + 1)}, "too long"),
    (MATCHING, {"x" * (MAX_RESPONSE_CHARS + 1): "US"}, "too long"),
    (MATCHING, {"MI5": {"domestic": "foreign"}}, "nested too deeply"),
    (TRUE_FALSE, [True, False], "too many parts"),
], ids=lambda x: x.type if hasattr(x, "type") else "")
def test_responses_beyond_their_types_bounds_are_refused(question, response, why) -> None:
    assert why in response_too_large(question, response)


def test_a_question_with_long_options_allows_responses_that_long() -> None:
    long_choice = " and".join(["a choice written out at great length"] * 20)
    question = q(type="single", choices=[long_choice, "short"], answer=long_choice)
    assert response_bounds(question).chars == len(long_choice) > MAX_RESPONSE_CHARS
    assert response_too_large(question, long_choice) is None
