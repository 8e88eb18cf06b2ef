"""Validating a bank given as text (the browser editor, the API), against articles passed in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from quizapp.banks import Article, validate_text
from quizapp.banks.articles import load_article

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

BANK = """\
format: 1
id: local-news
title: Local news
source: {source}
questions:
  - id: mayor
    type: single
    prompt: Who opened the library?
    explanation: Paragraph 2 says so.
    choices: [The mayor, The governor, A librarian]
    answer: The mayor
    evidence: {{paragraph: 2, quote: "the mayor opened"}}
"""

#: An article as the app stores one written in the browser: blocks as mappings.
STORED_BLOCKS = [
    {"text": "A library for the town", "number": 0, "level": 2},
    {"text": "The town has a new library.", "number": 1, "level": 0},
    {"text": "On Monday the mayor opened it.", "number": 2, "level": 0},
]


def test_a_bank_is_checked_against_an_article_passed_in() -> None:
    article = Article.from_blocks("town-library", "A new library", STORED_BLOCKS, {"outlet": "Gazette"})
    report = validate_text(BANK.format(source="town-library"), "editor", SEEDS,
                           articles={"town-library": article}, today=dt.date(2026, 1, 1))
    assert report.ok, report.problems
    assert report.warnings == []
    [validated] = report.banks
    assert validated.path == Path("editor")
    assert validated.bank.id == "local-news" and validated.article is article
    assert len(validated.content_hash) == 64


def test_the_quote_is_checked_in_the_article_passed_in() -> None:
    article = Article.from_paragraphs("town-library", "A new library", ["One.", "Two."])
    report = validate_text(BANK.format(source="town-library"), "editor", SEEDS,
                           articles={"town-library": article})
    assert [str(p) for p in report.problems] == [
        "editor:12:37: question 'mayor': quote is not in paragraph 2: 'the mayor opened'"
    ]
    assert report.banks == []


def test_an_article_passed_in_is_used_before_the_seed_of_the_same_id() -> None:
    text = BANK.format(source="allies-intelligence-sharing")
    assert not validate_text(text, "editor", SEEDS).ok  # the seed has no such quote
    article = Article.from_blocks("allies-intelligence-sharing", "Rewritten", STORED_BLOCKS)
    report = validate_text(text, "editor", SEEDS, articles={article.id: article})
    assert report.ok, report.problems
    assert report.banks[0].article is article


def test_a_seed_article_is_found_when_none_is_passed_in() -> None:
    text = BANK.format(source="allies-intelligence-sharing").replace(
        "{paragraph: 2, quote: \"the mayor opened\"}", "{paragraph: 4, quote: FBI Director Kash Patel}")
    report = validate_text(text, "editor", SEEDS, articles={})
    assert report.ok, report.problems
    assert report.banks[0].article == load_article(SEEDS / "allies-intelligence-sharing.md")


def test_an_unknown_source_names_both_places_and_not_the_servers_folder() -> None:
    report = validate_text(BANK.format(source="no-such-article"), "editor", SEEDS, articles={})
    assert [str(p) for p in report.problems] == [
        "editor:4:9: source 'no-such-article' is not an article in seeds/ or among the articles "
        "written in the app"
    ]


def test_warnings_of_the_text_are_reported_and_leave_it_valid() -> None:
    text = BANK.format(source="allies-intelligence-sharing").replace(
        "    evidence: {paragraph: 2, quote: \"the mayor opened\"}\n", "")
    report = validate_text(text, "editor", SEEDS)
    assert report.ok and len(report.banks) == 1
    assert [(w.line, w.column, w.warning) for w in report.warnings] == [(6, 9, True)]


def test_text_with_a_lone_surrogate_is_a_problem_with_a_place() -> None:
    report = validate_text("format: 1\ntitle: caf\ud800\n", "editor", SEEDS)
    assert [str(p) for p in report.problems] == ["editor:2:11: file is not UTF-8 text"]


def billion_laughs(levels: int = 9) -> str:
    text = 'lol0: &lol0 "lol"\n'
    for i in range(1, levels + 1):
        text += f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 10) + "]\n"
    return text


def test_a_billion_laughs_alias_bomb_is_refused_with_a_problem() -> None:
    report = validate_text(billion_laughs() + BANK.format(source="x"), "editor", SEEDS)
    assert [(p.line, p.message) for p in report.problems] == [
        (4, "aliases expand to more than 10,000 extra values")
    ]


def test_a_wide_list_repeated_by_aliases_is_refused_as_early_as_a_deep_bomb() -> None:
    # 100,000 values, each alias repeats all of them: scalars count, not only lists
    text = "wide: &wide [" + ", ".join(["x"] * 100_000) + "]\nmany: [" + ", ".join(["*wide"] * 200) + "]\n"
    report = validate_text(text, "editor", SEEDS)
    assert [(p.line, p.column, p.message) for p in report.problems] == [
        (1, 7, "aliases expand to more than 10,000 extra values")
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 10_000 + "]" * 10_000, id="flow-lists"),
        pytest.param("{a: " * 10_000 + "b" + "}" * 10_000, id="flow-mappings"),
        pytest.param("- " * 10_000 + "x\n", id="block-lists"),
        pytest.param("".join(" " * i + "a:\n" for i in range(1_000)) + " " * 1_000 + "b\n",
                     id="block-mappings"),
    ],
)
def test_deep_nesting_is_refused_with_a_problem(text: str) -> None:
    report = validate_text(text, "editor", SEEDS)
    assert [p.message for p in report.problems] == ["YAML is nested more than 50 levels deep"]
    assert report.banks == []


def test_every_duplicate_of_a_large_mapping_is_reported_once() -> None:
    keys = "".join(f"k{i}: 1\n" for i in range(10_000))
    report = validate_text(keys + keys, "editor", SEEDS)
    duplicates = [p for p in report.problems if p.message.startswith("duplicate key")]
    assert len(duplicates) == 10_000
    assert str(duplicates[-1]) == "editor:20000:1: duplicate key 'k9999' (first given on line 10000)"
