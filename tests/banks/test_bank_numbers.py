"""The project's banks in questions/ teach reading, not guessing: their numbers, printed.

Each figure is computed from the banks as the validator reads them, so it cannot
drift from the files; ``pytest -s`` shows the table, and every failed assertion
carries it. docs/authoring.md lists each question under its skill; that list is
checked against the banks too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizapp.banks import SKILLS, ValidationReport, validate_paths
from quizapp.banks.schema import SingleQuestion, TrueFalseQuestion
from quizapp.banks.warnings import answer_is_longest
from quizapp.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
QUESTIONS = ROOT / "questions"
AUTHORING = ROOT / "docs" / "authoring.md"

MIN_QUESTIONS, MIN_BANKS, MIN_PER_SKILL = 75, 4, 6
MAX_RECALL = 0.30
TRUE_SHARE = (0.35, 0.65)
MAX_LONGEST_KEY = 0.40
MIN_QUOTED_EVIDENCE = 0.85
#: Banks that ask who holds an office: offices change hands, so teachers re-check them by then.
OFFICE_BANKS = {"who-is-who"}
OFFICE_REVIEW_BY = dt.date(2026, 9, 30)


@pytest.fixture(scope="module")
def report() -> ValidationReport:
    report = validate_paths([QUESTIONS], SEEDS)
    assert report.ok, "\n".join(map(str, report.problems))
    return report


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@pytest.fixture(scope="module")
def figures(report: ValidationReport) -> dict[str, object]:
    questions = [q for b in report.banks for q in b.bank.questions]
    skills = Counter(q.skill for q in questions)
    keys = [q.answer for q in questions if isinstance(q, TrueFalseQuestion)]
    singles = [q for q in questions if isinstance(q, SingleQuestion)]
    longest = [q.id for q in singles if answer_is_longest(q)]
    quoted = [q for q in questions if q.evidence is not None and q.evidence.quote]
    return {
        "banks": len(report.banks),
        "questions": len(questions),
        "per_bank": {b.bank.id: len(b.bank.questions) for b in report.banks},
        "skills": {skill: skills[skill] for skill in SKILLS},
        "unskilled": skills[None],
        "recall": _share(skills["recall"], len(questions)),
        "true_false": (sum(keys), len(keys)),
        "true": _share(sum(keys), len(keys)),
        "singles": len(singles),
        "longest": _share(len(longest), len(singles)),
        "longest_ids": longest,
        "quoted": _share(len(quoted), len(questions)),
        "quoted_count": len(quoted),
    }


def table(f: dict[str, object]) -> str:
    """The figures as a plain table, as the test prints them."""
    trues, tfs = f["true_false"]
    rows = [
        ("banks", f"{f['banks']}", f">= {MIN_BANKS}"),
        ("questions", f"{f['questions']}", f">= {MIN_QUESTIONS}"),
        *((f"  in {bank}", f"{n}", "") for bank, n in f["per_bank"].items()),
        *((f"skill {skill}", f"{n}", f">= {MIN_PER_SKILL}") for skill, n in f["skills"].items()),
        ("questions without a skill", f"{f['unskilled']}", "0"),
        ("recall share", f"{f['recall']:.1%}", f"<= {MAX_RECALL:.0%}"),
        ("true/false keys true", f"{trues}/{tfs} = {f['true']:.1%}",
         f"{TRUE_SHARE[0]:.0%} to {TRUE_SHARE[1]:.0%}"),
        ("single keys the longest choice",
         f"{len(f['longest_ids'])}/{f['singles']} = {f['longest']:.1%}", f"<= {MAX_LONGEST_KEY:.0%}"),
        ("evidence with a quote", f"{f['quoted_count']}/{f['questions']} = {f['quoted']:.1%}",
         f">= {MIN_QUOTED_EVIDENCE:.0%}"),
    ]
    width = max(len(r[0]) for r in rows)
    value = max(len(r[1]) for r in rows)
    lines = [f"{'figure':<{width}}  {'value':<{value}}  target", "-" * (width + value + 12)]
    lines += [f"{name:<{width}}  {got:<{value}}  {want}".rstrip() for name, got, want in rows]
    return "\n".join(lines)


def test_the_banks_reach_their_numbers(figures: dict[str, object]) -> None:
    shown = table(figures)
    print("\n" + shown)
    assert figures["banks"] >= MIN_BANKS, shown
    assert figures["questions"] >= MIN_QUESTIONS, shown
    assert figures["unskilled"] == 0, shown
    for skill, count in figures["skills"].items():
        assert count >= MIN_PER_SKILL, f"skill {skill}: {count}\n{shown}"
    assert figures["recall"] <= MAX_RECALL, shown
    assert TRUE_SHARE[0] <= figures["true"] <= TRUE_SHARE[1], shown
    assert figures["longest"] <= MAX_LONGEST_KEY, f"{figures['longest_ids']}\n{shown}"
    assert figures["quoted"] >= MIN_QUOTED_EVIDENCE, shown


def test_every_evidence_quote_is_in_its_paragraph(report: ValidationReport) -> None:
    # validation checks each quote against its paragraph; here, that each bank has an article
    for validated in report.banks:
        questions = validated.bank.questions
        assert validated.article is not None, validated.bank.id
        for q in questions:
            if q.evidence and q.evidence.quote:
                assert validated.article.quote_in(q.evidence.quote, q.evidence.paragraph), q.id


def test_strict_validation_warns_only_that_office_banks_are_due_for_review() -> None:
    result = CliRunner().invoke(main, ["validate", "--strict", "--seeds", str(SEEDS), str(QUESTIONS)],
                                catch_exceptions=False)
    lines = result.output.splitlines()
    warnings = [line for line in lines if ": warning: " in line]
    others = [line for line in warnings if "was due for review on" not in line]
    assert not others, result.output
    assert len(warnings) == len(lines) - 1, result.output  # and the summary line, no errors
    assert result.exit_code == (1 if warnings else 0), result.output


def test_banks_that_ask_who_holds_an_office_are_reviewed_by_september_2026(
    report: ValidationReport,
) -> None:
    review_by = {b.bank.id: b.bank.review_by for b in report.banks}
    for bank in OFFICE_BANKS:
        assert review_by[bank] is not None and review_by[bank] <= OFFICE_REVIEW_BY, (bank, review_by)


def docs_skill_list() -> dict[str, set[str]]:
    """``bank/question`` ids listed under each skill in docs/authoring.md's list of examples."""
    text = AUTHORING.read_text(encoding="utf-8")
    section = text.split("\n## Skills in the project's banks\n", 1)[1].split("\n## ", 1)[0]
    listed: dict[str, set[str]] = {}
    skill = None
    for line in section.splitlines():
        heading = re.fullmatch(r"### `(\w+)`.*", line)
        if heading:
            skill = heading[1]
            listed.setdefault(skill, set())
        entry = re.match(r"- `([a-z0-9-]+/[a-z0-9-]+)`: \S", line)
        if entry:
            assert skill is not None, line
            assert entry[1] not in listed[skill], f"{entry[1]} is listed twice under {skill}"
            listed[skill].add(entry[1])
    return listed


def test_the_authoring_guide_lists_every_question_under_its_skill(report: ValidationReport) -> None:
    in_banks: dict[str, set[str]] = {skill: set() for skill in SKILLS}
    for validated in report.banks:
        for q in validated.bank.questions:
            in_banks[q.skill].add(f"{validated.bank.id}/{q.id}")
    listed = docs_skill_list()
    assert set(listed) == set(SKILLS), sorted(listed)
    for skill in SKILLS:
        missing = sorted(in_banks[skill] - listed[skill])
        stale = sorted(listed[skill] - in_banks[skill])
        assert not missing and not stale, (
            f"docs/authoring.md, skill {skill}: not listed {missing}; listed but not in the banks "
            f"under this skill {stale}"
        )
