"""Every rule of the bank format, each with a bad file and the exact place reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from quizapp.banks import validate_paths
from quizapp.banks.yamlread import MAX_FILE_BYTES

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

HEAD = """\
format: 1
id: people
title: People in the news
source: allies-intelligence-sharing
questions:
"""  # questions start on line 6

SINGLE = """\
  - id: dni
    type: single
    prompt: Who is the Director of National Intelligence?
    explanation: The article names Tulsi Gabbard.
    choices: [Tulsi Gabbard, Kash Patel, John Ratcliffe]
    answer: Tulsi Gabbard
"""


def check(tmp_path: Path, text: str, name: str = "bank.yaml", **kwargs) -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    report = validate_paths([path], SEEDS, **kwargs)
    return [f"{p.line}:{p.column}: {p.message}" for p in report.problems]


def test_a_valid_bank_has_no_problems(tmp_path: Path) -> None:
    assert check(tmp_path, HEAD + SINGLE) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            HEAD.replace("format: 1", "format: 2") + SINGLE,
            "1:9: 'format' must be 1, not 2", id="format",
        ),
        pytest.param(
            HEAD.replace("id: people", "id: People") + SINGLE,
            "2:5: 'id' 'People' is not a valid id: use lowercase letters, digits and hyphens, "
            "starting with a letter or digit, at most 64 characters",
            id="bank-id-slug",
        ),
        pytest.param(
            HEAD.replace("title: People in the news", 'title: ""') + SINGLE,
            "3:8: 'title' must not be empty", id="title-empty",
        ),
        pytest.param(
            HEAD.replace("title: People in the news\n", "") + SINGLE,
            "1:1: missing required key 'title'", id="title-missing",
        ),
        pytest.param(
            HEAD.replace("allies-intelligence-sharing", "no-such-article") + SINGLE,
            f"4:9: source 'no-such-article' is not an article in {SEEDS}", id="source-unknown",
        ),
        pytest.param(
            "tags: [news, [2]]\n" + HEAD + SINGLE,
            "1:14: 'tags item 2' must be text, not a list", id="tags",
        ),
        pytest.param(
            "as_of: 2025-13-01\n" + HEAD + SINGLE,
            "1:8: 'as_of' must be a date (YYYY-MM-DD), not text", id="as-of",
        ),
        pytest.param(
            "settings:\n  shuffle_choices: maybe\n  max_attempts: 0\n  time_limit: 5\n" + HEAD + SINGLE,
            ["2:20: 'shuffle_choices' must be true or false, not text",
             "3:17: 'max_attempts' must be above 0",
             "4:3: unknown key 'time_limit'; did you mean 'time_limit_seconds'?"],
            id="settings",
        ),
        pytest.param(
            "settings:\n  time_limit_seconds: 1.5\n" + HEAD + SINGLE,
            "2:23: 'time_limit_seconds' must be a whole number, not 1.5", id="time-limit",
        ),
        pytest.param(
            HEAD.replace("questions:\n", "questions: Who is who?\n"),
            "5:12: 'questions' must be a list, not text", id="questions-list",
        ),
        pytest.param(
            HEAD.replace("questions:\n", "questions: []\n"),
            "5:12: 'questions' needs at least 1 entries, has 0", id="questions-empty",
        ),
        pytest.param(
            "titel: x\n" + HEAD + SINGLE, "1:1: unknown key 'titel'; did you mean 'title'?",
            id="unknown-top-key",
        ),
        pytest.param(
            HEAD + SINGLE + "    answr: x\n",
            "12:5: question 'dni': unknown key 'answr'; did you mean 'answer'?",
            id="unknown-question-key",
        ),
        pytest.param(
            HEAD + SINGLE + "    evidence: {paragraph: 9, qoute: x}\n",
            "12:30: question 'dni': unknown key 'qoute'; did you mean 'quote'?",
            id="unknown-evidence-key",
        ),
        pytest.param(
            HEAD + SINGLE.replace("id: dni", "id: Dni!"),
            "6:9: question 'Dni!': 'id' 'Dni!' is not a valid id: use lowercase letters, digits "
            "and hyphens, starting with a letter or digit, at most 64 characters",
            id="question-id-slug",
        ),
        pytest.param(
            HEAD + SINGLE + SINGLE,
            "12:9: question id 'dni' is used twice (first on line 6)", id="question-id-duplicate",
        ),
        pytest.param(
            HEAD + SINGLE.replace("type: single", "type: choice"),
            "7:11: question 'dni': unknown question type 'choice'; use one of: single, multiple, "
            "true_false, short, numeric, ordering, matching",
            id="type-unknown",
        ),
        pytest.param(
            HEAD + SINGLE.replace("    type: single\n", ""),
            "6:5: question 'dni': missing required key 'type'", id="type-missing",
        ),
        pytest.param(
            HEAD + SINGLE.replace("    explanation: The article names Tulsi Gabbard.\n", ""),
            "6:5: question 'dni': missing required key 'explanation'", id="explanation-missing",
        ),
        pytest.param(
            HEAD + SINGLE + "    points: -1\n", "12:13: question 'dni': 'points' must be above 0",
            id="points",
        ),
        pytest.param(
            HEAD + SINGLE + "    skill: memory\n",
            "12:12: question 'dni': 'skill' must be 'recall', 'sourcing', 'attribution', "
            "'fact_vs_opinion', 'evidence', 'context' or 'lateral_reading', not 'memory'",
            id="skill",
        ),
        pytest.param(
            HEAD + SINGLE + "    difficulty: tricky\n",
            "12:17: question 'dni': 'difficulty' must be 'easy', 'medium' or 'hard', not 'tricky'",
            id="difficulty",
        ),
        pytest.param(
            HEAD + SINGLE + "    as_of: last week\n",
            "12:12: question 'dni': 'as_of' must be a date (YYYY-MM-DD), not text", id="question-as-of",
        ),
        pytest.param(
            HEAD + SINGLE + "    evidence: {paragraph: 19}\n",
            "12:27: question 'dni': paragraph 19 is not in article 'allies-intelligence-sharing', "
            "which has 18 numbered paragraphs",
            id="evidence-paragraph",
        ),
        pytest.param(
            HEAD + SINGLE + "    evidence:\n      paragraph: 2\n      quote: Tulsi Gabbard\n",
            "14:14: question 'dni': quote is not in paragraph 2 (it is in paragraph 9): "
            "'Tulsi Gabbard'",
            id="evidence-quote",
        ),
        pytest.param(
            HEAD.replace("source: allies-intelligence-sharing\n", "") + SINGLE
            + "    evidence: {paragraph: 9}\n",
            "11:27: question 'dni': evidence needs the bank's 'source' (the article it points into)",
            id="evidence-needs-source",
        ),
        pytest.param(
            HEAD + SINGLE.replace("answer: Tulsi Gabbard", "answer: Tulsi Gabard"),
            "11:13: question 'dni': answer 'Tulsi Gabard' is not one of the choices",
            id="single-answer",
        ),
        pytest.param(
            HEAD + SINGLE.replace("[Tulsi Gabbard, Kash Patel, John Ratcliffe]", "[Tulsi Gabbard]"),
            "10:14: question 'dni': 'choices' needs at least 2 entries, has 1", id="single-choices-min",
        ),
        pytest.param(
            HEAD + SINGLE.replace("John Ratcliffe]", "Kash Patel]"),
            "10:14: question 'dni': choice 'Kash Patel' is given twice", id="single-choices-distinct",
        ),
        pytest.param(
            HEAD + SINGLE.replace("[Tulsi Gabbard, ", "[Tulsi Gabbard, " + "x, " * 10),
            "10:14: question 'dni': 'choices' needs at most 10 entries, has 13", id="choices-max",
        ),
        pytest.param(
            HEAD + SINGLE + "    feedback: {Kash Pattel: He runs the FBI.}\n",
            "12:15: question 'dni': feedback for 'Kash Pattel', which is not one of the choices",
            id="single-feedback",
        ),
        pytest.param(
            HEAD + SINGLE.replace("type: single", "type: multiple"),
            "11:13: question 'dni': 'answer' must be a list, not text", id="multiple-answer-list",
        ),
        pytest.param(
            HEAD + SINGLE.replace("type: single", "type: multiple").replace(
                "answer: Tulsi Gabbard", "answer: [Kash Patel, Kash Patel]"),
            "11:13: question 'dni': answer 'Kash Patel' is given twice", id="multiple-distinct",
        ),
        pytest.param(
            HEAD + SINGLE.replace("type: single", "type: multiple").replace(
                "answer: Tulsi Gabbard", "answer: [Kash Patel, Marco Rubio]"),
            "11:13: question 'dni': answer 'Marco Rubio' is not one of the choices",
            id="multiple-in-choices",
        ),
        pytest.param(
            HEAD + "  - {id: t, type: true_false, prompt: p, explanation: e, answer: maybe}\n",
            "6:66: question 't': 'answer' must be true or false, not text", id="true-false",
        ),
        pytest.param(
            HEAD + "  - {id: s, type: short, prompt: p, explanation: e, answer: [], exact: 1}\n",
            ["6:61: question 's': 'answer' needs at least 1 entries, has 0",
             "6:72: question 's': 'exact' must be true or false, not 1"],
            id="short",
        ),
        pytest.param(
            HEAD + "  - {id: n, type: numeric, prompt: p, explanation: e, answer: 'x', tolerance: -1}\n",
            ["6:63: question 'n': 'answer' must be a number, not text",
             "6:79: question 'n': 'tolerance' must be at least 0"],
            id="numeric",
        ),
        pytest.param(
            HEAD + "  - {id: o, type: ordering, prompt: p, explanation: e, items: [a, b, a]}\n",
            "6:63: question 'o': item 'a' is given twice", id="ordering-distinct",
        ),
        pytest.param(
            HEAD + "  - {id: o, type: ordering, prompt: p, explanation: e, items: [a], partial: 2}\n",
            ["6:63: question 'o': 'items' needs at least 2 entries, has 1",
             "6:77: question 'o': 'partial' must be true or false, not 2"],
            id="ordering",
        ),
        pytest.param(
            HEAD + "  - id: m\n    type: matching\n    prompt: p\n    explanation: e\n"
            "    pairs: {MI5: domestic, MI6: domestic}\n",
            "10:12: question 'm': right-hand side 'domestic' is given twice", id="matching-rights",
        ),
        pytest.param(
            HEAD + "  - id: m\n    type: matching\n    prompt: p\n    explanation: e\n"
            "    pairs: {MI5: domestic}\n    distractors: [foreign]\n",
            "10:12: question 'm': 'pairs' needs at least 2 entries, has 1", id="matching-min",
        ),
        pytest.param(
            HEAD + "  - id: m\n    type: matching\n    prompt: p\n    explanation: e\n"
            "    pairs: {MI5: domestic, MI6: foreign}\n    distractors: [foreign]\n",
            "11:18: question 'm': distractor 'foreign' is also a right-hand side of a pair",
            id="matching-distractors",
        ),
        pytest.param(
            HEAD + SINGLE + "    prompt: again\n",
            "12:5: question 'dni': duplicate key 'prompt' (first given on line 8)", id="duplicate-key",
        ),
        pytest.param(
            HEAD + SINGLE.replace("[Tulsi Gabbard, Kash Patel, John Ratcliffe]", "[Tulsi Gabbard, Kash"),
            "11:11: YAML syntax error: while parsing a flow sequence, did not find expected ',' or ']'",
            id="yaml-syntax",
        ),
        pytest.param(
            HEAD + SINGLE + "    explanation2: !!python/object/apply:os.system ['true']\n",
            ["12:5: question 'dni': unknown key 'explanation2'; did you mean 'explanation'?",
             "12:19: question 'dni': tag 'tag:yaml.org,2002:python/object/apply:os.system' is "
             "not allowed; only plain YAML is read"],
            id="python-tag",
        ),
        pytest.param("- just\n- a list\n", "1:1: a bank must be a mapping with format, id, title "
                     "and questions", id="not-a-mapping"),
        pytest.param("", "1:1: file is empty", id="empty"),
    ],
)
def test_each_rule_reports_its_exact_place(tmp_path: Path, text: str, expected) -> None:
    expected = [expected] if isinstance(expected, str) else expected
    assert check(tmp_path, text) == expected


def test_a_file_over_one_mebibyte_is_refused_before_parsing(tmp_path: Path) -> None:
    text = HEAD + SINGLE + "# " + "x" * MAX_FILE_BYTES + "\n"
    assert check(tmp_path, text) == [
        f"1:1: file is {len(text.encode()):,} bytes; the limit is {MAX_FILE_BYTES:,} (1 MiB)"
    ]


def test_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for name, prev in zip("bcdef", "abcde", strict=True):
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    problems = check(tmp_path, bomb + HEAD + SINGLE)
    assert len(problems) == 1
    assert "aliases expand to more than 10,000 extra values" in problems[0]


def test_a_small_alias_is_fine(tmp_path: Path) -> None:
    text = HEAD + SINGLE.replace("choices: [", "choices: &people [") + SINGLE.replace(
        "id: dni", "id: dni-again"
    ).replace("choices: [Tulsi Gabbard, Kash Patel, John Ratcliffe]", "choices: *people")
    assert check(tmp_path, text) == []


def test_a_quote_matches_across_typographic_quotes_dashes_and_spaces(tmp_path: Path) -> None:
    # paragraph 9 has "Patel — a partisan operator" with an em dash
    text = HEAD + SINGLE + "    evidence: {paragraph: 9, quote: 'Patel -  a partisan operator'}\n"
    assert check(tmp_path, text) == []
    text = HEAD + SINGLE + """    evidence: {paragraph: 5, quote: '"politicization of our intelligence'}\n"""
    assert check(tmp_path, text) == []


def test_a_bank_id_used_by_two_files_is_reported_on_the_second(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(HEAD + SINGLE)
    (tmp_path / "b.yml").write_text("\n" + HEAD + SINGLE)
    report = validate_paths([tmp_path], SEEDS)
    assert [str(p) for p in report.problems] == [
        f"{tmp_path / 'b.yml'}:3:5: bank id 'people' is also used by {tmp_path / 'a.yaml'}:2"
    ]


def test_every_problem_of_every_file_is_reported_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(HEAD + SINGLE.replace("answer: Tulsi Gabbard", "answer: x")
                                       + "    points: 0\n")
    (tmp_path / "two.yaml").write_text("format: 1\nid: two\nquestions: [\n")
    (tmp_path / "notes.txt").write_text("not a bank")
    report = validate_paths([tmp_path, tmp_path / "missing.yaml"], SEEDS)
    assert [f"{Path(p.file).name}:{p.line}:{p.column}" for p in report.problems] == [
        "missing.yaml:1:1", "one.yaml:11:13", "one.yaml:12:13", "two.yaml:4:1",
    ]
    assert report.files == 2


def test_review_by_in_the_past_is_a_warning_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text("review_by: 2026-01-31\n" + HEAD + SINGLE + "    evidence: {paragraph: 9}\n")
    report = validate_paths([path], SEEDS, today=dt.date(2026, 2, 1))
    assert report.ok
    assert [str(w) for w in report.warnings] == [
        f"{path}:1:12: warning: bank 'people' was due for review on 2026-01-31: check that its "
        "answers are still true, then set a later review_by"
    ]
    assert validate_paths([path], SEEDS, today=dt.date(2026, 1, 31)).warnings == []


def test_text_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_bytes(b"title: caf\xe9\n")
    assert [str(p) for p in validate_paths([path], SEEDS).problems] == [
        f"{path}:1:11: file is not UTF-8 text"
    ]


def test_a_broken_article_is_reported_with_its_own_file(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "story.md").write_text("---\nid: story\n---\n\nOne paragraph.\n")
    bank = tmp_path / "bank.yaml"
    bank.write_text(HEAD.replace("allies-intelligence-sharing", "story") + SINGLE)
    assert [str(p) for p in validate_paths([bank], seeds).problems] == [
        f"{bank}:4:9: source 'story' is not an article in {seeds}",
        f"{seeds / 'story.md'}:2:1: front matter needs a text 'title'",
    ]


def test_numbers_where_text_is_wanted_are_read_as_written(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text(HEAD + "  - {id: a, type: single, prompt: p, explanation: e, "
                    "choices: [007, 1.10, 2017], answer: 007}\n")
    report = validate_paths([path], SEEDS)
    assert report.ok, report.problems
    question = report.banks[0].bank.questions[0]
    assert question.choices == ["007", "1.10", "2017"] and question.answer == "007"
