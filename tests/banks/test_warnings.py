"""Item-writing warnings: each at the exact place it is about, none making a bank invalid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from quizapp.banks import validate_text

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TODAY = dt.date(2026, 1, 1)

HEAD = """\
format: 1
id: people
title: People in the news
questions:
"""  # questions start on line 5


def single(qid: str, choices: str, answer: str) -> str:
    return (f"  - id: {qid}\n    type: single\n    prompt: p\n    explanation: e\n"
            f"    choices: {choices}\n    answer: {answer}\n")


def true_false(qid: str, answer: str) -> str:
    return f"  - {{id: {qid}, type: true_false, prompt: p, explanation: e, answer: {answer}}}\n"


def warnings_of(text: str) -> list[str]:
    """The warnings of a bank that must stay valid, as LINE:COL: message."""
    report = validate_text(text, "bank.yaml", SEEDS, today=TODAY)
    assert report.ok, report.problems
    assert [b.bank.id for b in report.banks] == ["people"]
    assert all(w.warning and w.file == "bank.yaml" for w in report.warnings)
    return [f"{w.line}:{w.column}: {w.message}" for w in report.warnings]


def test_a_bank_without_item_writing_faults_has_no_warnings() -> None:
    text = HEAD + single("a", "[Tulsi Gabbard, Kash Patel, John Ratcliffe]", "Kash Patel")
    assert warnings_of(text) == []


def test_choices_equal_but_for_case_spaces_and_end_punctuation_are_warned_at_the_second() -> None:
    text = HEAD + single("outlet", '[CNN, BBC, "  the  BBC", "cnn."]', "BBC")
    assert warnings_of(text) == [
        "9:39: question 'outlet': choices 'CNN' and 'cnn.' differ only in capitals, spaces or "
        "punctuation, so students cannot tell them apart; reword one of them or remove it"
    ]


def test_all_of_the_above_is_warned_at_the_choice() -> None:
    text = HEAD + single("outlet", "[CNN, BBC, All of the above.]", "All of the above.")
    assert warnings_of(text) == [
        "9:25: question 'outlet': choice 'All of the above.' can be picked by spotting two right "
        "choices, without weighing the others; remove it, and make the question a multiple "
        "question if several choices are right"
    ]


def test_none_of_the_above_in_a_multiple_question_is_warned_at_the_choice() -> None:
    text = HEAD + single("outlet", "[CNN, BBC, None of the above]", "[CNN]").replace(
        "type: single", "type: multiple")
    assert warnings_of(text) == [
        "9:25: question 'outlet': choice 'None of the above' shows only that a student can rule "
        "choices out, not that they know the answer; replace it with a wrong answer that is "
        "believable"
    ]


def test_a_single_question_of_two_choices_is_warned_at_its_choices() -> None:
    text = HEAD + single("outlet", "[CNN, BBC]", "CNN")
    assert warnings_of(text) == [
        "9:14: question 'outlet': only 2 choices, so a guess is right half the time; add a third "
        "choice that is wrong but believable"
    ]
    # two choices are fine in a multiple question, where each is judged on its own
    assert warnings_of(text.replace("type: single", "type: multiple").replace(
        "answer: CNN", "answer: [CNN]")) == []


def test_keys_that_are_the_longest_choice_in_most_single_questions_are_warned_at_the_bank_id() -> None:
    questions = [
        single("a", "[Kash Patel, Tulsi, John]", "Kash Patel"),
        single("b", "[Emily Harding, Loomer, Petro]", "Emily Harding"),
        single("c", "[Britain's MI5, CIA, NSA]", "Britain's MI5"),
        single("d", "[CNN, The New York Times, BBC]", "CNN"),
    ]
    assert warnings_of(HEAD + "".join(questions)) == [
        "2:5: bank 'people': in 3 of its 4 single questions the answer is the longest choice "
        "(a, b, c), so students can guess it without reading; make some wrong choices as long and "
        "precise as the answers"
    ]
    # half is not more than half; a key as long as another choice is not the longest
    questions[2] = single("c", "[Britain's MI5, Britain's MI6, NSA]", "Britain's MI5")
    assert warnings_of(HEAD + "".join(questions)) == []
    # three single questions are too few to show a pattern
    assert warnings_of(HEAD + "".join(questions[:2] + questions[3:])) == []


def test_true_false_keys_mostly_the_same_are_warned_at_the_bank_id() -> None:
    keys = ["false", "false", "true", "false"]
    text = HEAD + "".join(true_false(f"t{i}", key) for i, key in enumerate(keys))
    assert warnings_of(text) == [
        "2:5: bank 'people': 3 of its 4 true_false answers are false, so always answering false "
        "scores 75%; rewrite some statements so that the answer is true"
    ]
    # 70% is not more than 70%, and three questions are too few to show a pattern
    seven_of_ten = ["true"] * 7 + ["false"] * 3
    assert warnings_of(HEAD + "".join(true_false(f"t{i}", k) for i, k in enumerate(seven_of_ten))) == []
    assert warnings_of(HEAD + "".join(true_false(f"t{i}", "true") for i in range(3))) == []


def test_an_ordering_question_of_two_items_is_warned_at_its_items() -> None:
    text = HEAD + "  - {id: order, type: ordering, prompt: p, explanation: e, items: [CNN, BBC]}\n"
    assert warnings_of(text) == [
        "5:67: question 'order': putting two items in order is a true/false question (a guess is "
        "right half the time); add a third item, or ask it as a true_false question"
    ]


def test_a_short_answer_whose_typo_tolerance_accepts_another_questions_choice_is_warned() -> None:
    country = single("country", "[Colombia, Venezuela, Canada]", "Colombia")
    university = ("  - id: university\n    type: short\n    prompt: p\n    explanation: e\n"
                  "    answer: [CU, Columbia]\n")
    assert warnings_of(HEAD + country + university) == [
        "15:18: question 'university': answer 'Columbia' forgives 1 typo, so it also accepts "
        "'Colombia', a choice of question 'country'; add 'exact: true' to this question, or accept "
        "only answers that cannot be mistaken for it"
    ]
    # the same answer written another way is not a confusion, and exact answers forgive no typo
    assert warnings_of(HEAD + country.replace("Colombia", "COLUMBIA.") + university) == []
    assert warnings_of(HEAD + country + university + "    exact: true\n") == []


def test_a_short_answer_close_to_another_short_answer_is_warned_at_that_answer() -> None:
    text = HEAD + (
        "  - {id: spy, type: short, prompt: p, explanation: e, answer: Ratcliffe}\n"
        "  - {id: other, type: short, prompt: p, explanation: e, answer: Ratclife}\n"
    )
    assert warnings_of(text) == [
        "5:63: question 'spy': answer 'Ratcliffe' forgives 1 typo, so it also accepts 'Ratclife', "
        "an accepted answer of question 'other'; add 'exact: true' to this question, or accept "
        "only answers that cannot be mistaken for it",
        "6:65: question 'other': answer 'Ratclife' forgives 1 typo, so it also accepts 'Ratcliffe', "
        "an accepted answer of question 'spy'; add 'exact: true' to this question, or accept only "
        "answers that cannot be mistaken for it",
    ]


def test_a_question_without_evidence_in_a_bank_with_a_source_is_warned_at_its_id() -> None:
    text = (HEAD.replace("questions:", "source: allies-intelligence-sharing\nquestions:")
            + single("fbi", "[Kash Patel, Tulsi Gabbard, John Ratcliffe]", "Kash Patel")
            + "    evidence: {paragraph: 4, quote: FBI Director Kash Patel}\n"
            + single("dni", "[Tulsi Gabbard, Kash Patel, John Ratcliffe]", "Tulsi Gabbard"))
    assert warnings_of(text) == [
        "13:9: question 'dni' has no evidence, though the bank's source is "
        "'allies-intelligence-sharing'; add 'evidence' with the paragraph (and a quote) that "
        "supports the answer, so students are shown where to read"
    ]


def test_warnings_come_in_the_order_of_their_places() -> None:
    text = (HEAD.replace("format: 1\n", "format: 1\nreview_by: 2025-12-31\n")
            + "".join(true_false(f"t{i}", "false") for i in range(4))
            + single("outlet", "[CNN, BBC]", "CNN"))
    assert [w.split(":")[:2] for w in warnings_of(text)] == [["2", "12"], ["3", "5"], ["14", "14"]]
