"""The ``quizapp`` command: Flask's CLI plus validate, score, load and schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from quizapp.banks import ValidationReport, validate_paths
from quizapp.banks.schema import json_schema
from quizapp.scoring import score as score_response


def _create_app() -> Flask:
    from quizapp.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """quizapp: quizzes and reading practice for news literacy."""


def _default_seeds() -> Path:
    here = Path.cwd() / "seeds"
    from quizapp.app import PROJECT_ROOT

    return here if here.is_dir() else PROJECT_ROOT / "seeds"


seeds_option = click.option(
    "--seeds",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of articles (default: ./seeds, else the project's seeds/).",
)


def _report(report: ValidationReport) -> None:
    for problem in [*report.problems, *report.warnings]:
        click.echo(str(problem))


def _number(value: float) -> str:
    return f"{value:g}"


@main.command(with_appcontext=False)
@seeds_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(seeds: Path | None, paths: tuple[Path, ...]) -> None:
    """Check bank files and folders; print every problem as FILE:LINE:COL: message."""
    report = validate_paths(list(paths), seeds or _default_seeds())
    _report(report)
    if not report.ok:
        click.echo(f"{len(report.problems)} problem(s) in {report.files} file(s)", err=True)
        sys.exit(1)
    click.echo(f"{report.files} file(s) valid: {len(report.banks)} bank(s), "
               f"{sum(len(b.bank.questions) for b in report.banks)} question(s)", err=True)


def _response_from_args(question: Any, args: tuple[str, ...]) -> Any:
    kind = question.type
    if kind in ("multiple", "ordering"):
        return list(args)
    if kind == "matching":
        response: dict[str, str] = {}
        for arg in args:
            left = next((x for x in question.pairs if arg.startswith(x + "=")), None)
            if left is None:
                left = arg.partition("=")[0]
            response[left] = arg[len(left) + 1 :]
        return response
    return " ".join(args) if args else None


@main.command(with_appcontext=False)
@seeds_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("question_id")
@click.argument("response", nargs=-1)
def score(seeds: Path | None, file: Path, question_id: str, response: tuple[str, ...]) -> None:
    """Score RESPONSE to one question of a bank file exactly as the app would."""
    report = validate_paths([file], seeds or _default_seeds())
    if not report.ok:
        _report(report)
        sys.exit(1)
    bank = report.banks[0].bank
    question = next((q for q in bank.questions if q.id == question_id), None)
    if question is None:
        click.echo(f"{file}: no question '{question_id}' in bank '{bank.id}'", err=True)
        sys.exit(1)
    result = score_response(question, _response_from_args(question, response))
    click.echo(f"score: {_number(result.score)}/{_number(result.points)}")
    click.echo("correct" if result.correct else "not fully correct")
    if result.note:
        click.echo(f"note: {result.note}")
    for choice, text in result.feedback:
        click.echo(f"feedback for '{choice}': {text}")


@click.command()
@seeds_option
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@with_appcontext
def load(seeds: Path | None, paths: tuple[Path, ...]) -> None:
    """Validate banks, then load them into the database in one transaction.

    With no PATH, loads the project's questions/ folder.
    """
    from quizapp.extensions import db
    from quizapp.services.banks import sync_banks, upgrade_database

    targets = list(paths) or [Path(current_app.config["QUESTIONS_DIR"])]
    report = validate_paths(targets, seeds or Path(current_app.config["SEEDS_DIR"]))
    _report(report)
    if not report.ok:
        click.echo(f"{len(report.problems)} problem(s); nothing was loaded", err=True)
        sys.exit(1)
    try:
        upgrade_database(current_app.instance_path)
        result = sync_banks(report.banks)
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        click.echo(f"cannot load into the database: {exc.__class__.__name__}: "
                   f"{str(exc.orig if hasattr(exc, 'orig') else exc).strip()}", err=True)
        sys.exit(1)
    for line in result.lines:
        click.echo(line)
    summary = []
    for what, counter in (("banks", result.banks), ("questions", result.questions)):
        summary.append(f"{what}: " + ", ".join(
            f"{counter[k]} {k}" for k in ("new", "changed", "restored", "unchanged", "retired")
            if counter[k] or k == "unchanged"
        ))
    click.echo("; ".join(summary))
    if not result.changed:
        click.echo("nothing changed")


@main.command(with_appcontext=False)
def schema() -> None:
    """Print the JSON Schema of bank format 1 (for editors and integrators)."""
    click.echo(json.dumps(json_schema(), indent=2))


def register_commands(app: Flask) -> None:
    """Add the commands that work on the app's database to ``app.cli``."""
    app.cli.add_command(load)
