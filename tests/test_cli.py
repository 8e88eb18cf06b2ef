"""The quizapp command: validate, score, load and schema, as teachers run them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from quizapp.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

BANK = """\
format: 1
id: cli-bank
title: CLI bank
source: allies-intelligence-sharing
questions:
  - {id: one, type: single, prompt: p, explanation: e, choices: [CNN, BBC], answer: CNN,
     feedback: {BBC: The BBC is not named in the article.}}
  - {id: many, type: multiple, prompt: p, explanation: e, choices: [UK, Canada, France],
     answer: [UK, Canada]}
  - {id: tf, type: true_false, prompt: p, explanation: e, answer: true}
  - {id: who, type: short, prompt: p, explanation: e, answer: Emily Harding}
  - {id: year, type: numeric, prompt: p, explanation: e, answer: 2017}
  - {id: order, type: ordering, prompt: p, explanation: e, items: [first, second, third]}
  - {id: match, type: matching, prompt: p, explanation: e, pairs: {MI5: domestic, MI6: foreign}}
"""


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def bank_file(tmp_path: Path, text: str = BANK) -> Path:
    path = tmp_path / "bank.yaml"
    path.write_text(text)
    return path


def test_validate_exits_0_for_the_project_banks() -> None:
    result = run("validate", "--seeds", str(SEEDS), str(ROOT / "questions"))
    assert result.exit_code == 0, result.output
    assert "error" not in result.output.lower()


def test_validate_prints_every_problem_and_exits_1(tmp_path: Path) -> None:
    path = bank_file(tmp_path, BANK.replace("answer: CNN", "answer: Fox").replace(
        "answer: 2017", "answer: '2017'"))
    result = run("validate", "--seeds", str(SEEDS), str(path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:6:85: question 'one': answer 'Fox' is not one of the choices",
        f"{path}:12:66: question 'year': 'answer' must be a number, not text",
    ]
    assert "Traceback" not in result.output


WARNED = """\
format: 1
id: warned
title: Warned
questions:
  - {id: pick, type: single, prompt: p, explanation: e, choices: [CNN, BBC], answer: CNN}
  - {id: order, type: ordering, prompt: p, explanation: e, items: [first, second]}
"""
PICK_WARNING = ("5:66: warning: question 'pick': only 2 choices, so a guess is right half the "
                "time; add a third choice that is wrong but believable")
ORDER_WARNING = ("6:67: warning: question 'order': putting two items in order is a true/false "
                 "question (a guess is right half the time); add a third item, or ask it as a "
                 "true_false question")


def test_validate_prints_warnings_and_exits_0(tmp_path: Path) -> None:
    path = bank_file(tmp_path, WARNED)
    result = run("validate", "--seeds", str(SEEDS), str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{path}:{PICK_WARNING}", f"{path}:{ORDER_WARNING}"]
    assert result.stderr == "1 file(s) valid: 1 bank(s), 2 question(s), 2 warning(s)\n"


def test_validate_strict_exits_1_on_warnings_alone(tmp_path: Path) -> None:
    path = bank_file(tmp_path, WARNED)
    result = run("validate", "--strict", "--seeds", str(SEEDS), str(path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{path}:{PICK_WARNING}", f"{path}:{ORDER_WARNING}"]
    assert result.stderr == "2 warning(s) in 1 file(s) (--strict counts warnings as problems)\n"
    path.write_text(WARNED.replace("[CNN, BBC]", "[CNN, BBC, Fox]").replace("second]", "second, third]"))
    result = run("validate", "--strict", "--seeds", str(SEEDS), str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_validate_prints_problems_and_warnings_in_the_order_of_files_and_places(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(WARNED)
    (tmp_path / "a.yaml").write_text(WARNED.replace("warned", "other").replace(
        "title: Warned\n", "title: Other\nreview_by: 2020-01-01\n").replace("answer: CNN", "answer: Fox"))
    result = run("validate", "--seeds", str(SEEDS), str(tmp_path))
    assert result.exit_code == 1
    assert [line.split(": ", 2)[:2] for line in result.stdout.splitlines()] == [
        [f"{tmp_path / 'a.yaml'}:6:86", "question 'pick'"],
        [f"{tmp_path / 'b.yaml'}:5:66", "warning"],
        [f"{tmp_path / 'b.yaml'}:6:67", "warning"],
    ]


def test_validate_never_shows_a_traceback_for_garbage(tmp_path: Path) -> None:
    path = tmp_path / "junk.yaml"
    path.write_bytes(b"\x00\x01{{{[[[: : :\n\t- !!binary x\n")
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}:1:1: ")


def test_score_prints_the_score_first(tmp_path: Path) -> None:
    path = bank_file(tmp_path)
    cases = [
        (["one", "BBC"], "score: 0/1", "feedback for 'BBC': The BBC is not named in the article."),
        (["one", "CNN"], "score: 1/1", "correct"),
        (["many", "UK"], "score: 0.5/1", None),
        (["tf", "true"], "score: 1/1", None),
        (["who", "emily", "hardin"], "score: 1/1", None),
        (["year", "2,017"], "score: 1/1", None),
        (["year", "2016"], "score: 0/1", None),
        (["year", "two"], "score: 0/1", "note: The answer was not read as a number."),
        (["order", "first", "second", "third"], "score: 1/1", None),
        (["match", "MI5=domestic", "MI6=domestic"], "score: 0.5/1", None),
        (["match"], "score: 0/1", None),
    ]
    for args, first, extra in cases:
        result = run("score", "--seeds", str(SEEDS), str(path), *args)
        assert result.exit_code == 0, (args, result.output)
        lines = result.stdout.splitlines()
        assert lines[0] == first, args
        if extra:
            assert extra in lines, (args, lines)


def test_score_with_an_unknown_question_is_an_error(tmp_path: Path) -> None:
    result = run("score", "--seeds", str(SEEDS), str(bank_file(tmp_path)), "nope", "x")
    assert result.exit_code == 1
    assert "no question 'nope'" in result.stderr


def test_schema_is_json_schema_of_the_format(tmp_path: Path) -> None:
    import yaml
    from jsonschema import Draft202012Validator

    schema = json.loads(run("schema").stdout)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    assert not list(validator.iter_errors(yaml.safe_load(BANK)))
    assert list(validator.iter_errors({**yaml.safe_load(BANK), "titel": "x"}))


def test_load_twice_changes_nothing_the_second_time(app, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["load", "--seeds", str(SEEDS), str(ROOT / "questions")])
    assert first.exit_code == 0, first.output
    assert "banks: 4 new" in first.output
    second = runner.invoke(args=["load", "--seeds", str(SEEDS), str(ROOT / "questions")])
    assert second.exit_code == 0, second.output
    assert "nothing changed" in second.output
    assert "banks: 0 unchanged" not in second.output and "banks: 4 unchanged" in second.output


def test_load_of_an_invalid_file_changes_nothing(app, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    good = bank_file(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text(BANK.replace("cli-bank", "other").replace("answer: CNN", "answer: Fox"))
    result = runner.invoke(args=["load", "--seeds", str(SEEDS), str(good), str(bad)])
    assert result.exit_code == 1
    assert "nothing was loaded" in result.output
    from sqlalchemy import func, select

    from quizapp.extensions import db
    from quizapp.models import Bank

    assert db.session.execute(select(func.count()).select_from(Bank)).scalar_one() == 0
