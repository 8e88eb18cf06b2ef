"""The ``quizapp`` command: Flask's CLI plus validate, score, load and schema."""

from __future__ import annotations

import csv
import json
import secrets
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import (
    AppGroup,
    FlaskGroup,
    ScriptInfo,
    routes_command,
    run_command,
    shell_command,
    with_appcontext,
)
from sqlalchemy.exc import SQLAlchemyError

from quizapp.banks import ValidationReport, validate_paths
from quizapp.banks.schema import json_schema
from quizapp.scoring import score as score_response


def _create_app() -> Flask:
    from quizapp.app import create_app
    from quizapp.extensions import init_migrations

    app = create_app()
    init_migrations(app)  # for `quizapp db ...` (Flask-Migrate); servers never load it
    return app


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main() -> None:
    """quizapp: quizzes and reading practice for news literacy."""


main.add_command(shell_command)
main.add_command(routes_command)


def _instance_secret(instance_path: str) -> str:
    """A secret key kept in the instance folder, made once, readable by its owner only."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def prepare(app: Flask) -> list[str]:
    """Bring the database up to date, load questions/, and make the first teacher.

    Returns what to tell the operator. Used by ``quizapp run`` (and so ``make run``).
    """
    from quizapp.extensions import db
    from quizapp.services import accounts
    from quizapp.services.banks import sync_banks, upgrade_database

    lines: list[str] = []
    if app.config.get("SECRET_KEY_GENERATED"):
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
    upgrade_database()
    report = validate_paths([Path(app.config["QUESTIONS_DIR"])], Path(app.config["SEEDS_DIR"]))
    lines.extend(str(p) for p in report.problems)
    if report.warnings:
        lines.append(f"questions: {len(report.warnings)} item-writing warning(s); "
                     "`quizapp validate questions/` lists them")
    if report.ok:
        result = sync_banks(report.banks)
        db.session.commit()
        lines.append(f"questions: {len(report.banks)} bank(s) loaded"
                     + ("" if result.changed else " (no changes)"))
    else:
        lines.append("questions/ has problems (above); the banks already loaded are served")
    if accounts.count_accounts() == 0:
        password = accounts.generate_password()
        accounts.create_account("teacher", "Teacher", password, "teacher", must_change_password=True)
        lines.append(
            f"Created the teacher account 'teacher' with the one-time password {password}\n"
            "  (shown only now; you will choose your own at the first sign-in)"
        )
    return lines


@main.command("run", params=list(run_command.params), help=run_command.help)
@click.pass_context
def run(ctx: click.Context, **kwargs: Any) -> None:
    app = ctx.ensure_object(ScriptInfo).load_app()
    with app.app_context():
        try:
            lines = prepare(app)
        except SQLAlchemyError as exc:
            click.echo(f"The database is not answering ({exc.__class__.__name__}); "
                       "serving anyway, pages will say so.", err=True)
            lines = []
    for line in lines:
        click.echo(line)
    ctx.invoke(run_command, **kwargs)


def _default_seeds(fallback: Path | None = None) -> Path:
    """./seeds when there is one (a teacher's own folder), else the app's articles."""
    here = Path.cwd() / "seeds"
    if here.is_dir():
        return here
    if fallback is not None:
        return fallback
    from quizapp.app import PROJECT_ROOT

    return PROJECT_ROOT / "seeds"


seeds_option = click.option(
    "--seeds",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of articles (default: ./seeds if there is one, else the app's seeds/).",
)


def _report(report: ValidationReport) -> None:
    # errors and warnings together, in the order of the files and of the places in them
    for problem in sorted([*report.problems, *report.warnings]):
        click.echo(str(problem))


def _number(value: float) -> str:
    return f"{value:g}"


@main.command(with_appcontext=False)
@seeds_option
@click.option("--strict", is_flag=True, help="Exit 1 when there are warnings, as for problems.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(seeds: Path | None, strict: bool, paths: tuple[Path, ...]) -> None:
    """Check bank files and folders; print every problem as FILE:LINE:COL: message.

    Warnings (FILE:LINE:COL: warning: message) point out what lets students guess
    without reading; they leave a file valid unless --strict is given.
    """
    report = validate_paths(list(paths), seeds or _default_seeds())
    _report(report)
    if not report.ok:
        click.echo(f"{len(report.problems)} problem(s) in {report.files} file(s)", err=True)
        sys.exit(1)
    if strict and report.warnings:
        click.echo(f"{len(report.warnings)} warning(s) in {report.files} file(s) "
                   "(--strict counts warnings as problems)", err=True)
        sys.exit(1)
    warned = f", {len(report.warnings)} warning(s)" if report.warnings else ""
    click.echo(f"{report.files} file(s) valid: {len(report.banks)} bank(s), "
               f"{sum(len(b.bank.questions) for b in report.banks)} question(s){warned}", err=True)


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
@click.argument("file", type=click.Path(path_type=Path))
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
    report = validate_paths(targets, seeds or _default_seeds(Path(current_app.config["SEEDS_DIR"])))
    _report(report)
    if not report.ok:
        click.echo(f"{len(report.problems)} problem(s); nothing was loaded", err=True)
        sys.exit(1)
    try:
        upgrade_database()
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
            if counter[k]
        ) or "none")
    click.echo("; ".join(summary))
    if not result.changed:
        click.echo("nothing changed")


FORMAT_CHOICE = click.Choice(["yaml", "gift", "qti21", "canvas"])


def _import_problem(file: Path, problem: Any) -> str:
    if problem.item:
        return f"{file}: {problem.item}: {problem.message}"
    return f"{file}:{problem.line}:{problem.column}: {problem.message}"


@main.command("export", with_appcontext=False)
@seeds_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=FORMAT_CHOICE, required=True,
              help="gift (Moodle), qti21 (IMS QTI 2.1 package), canvas (QTI 1.2 for Canvas), yaml")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write here instead of to standard output.")
def export_command(seeds: Path | None, file: Path, fmt: str, output: Path | None) -> None:
    """Write the bank FILE in another format; what the format cannot hold goes to standard error."""
    from quizapp.interchange import export_bank

    report = validate_paths([file], seeds or _default_seeds())
    if not report.ok:
        for problem in report.problems:  # standard output is the file
            click.echo(str(problem), err=True)
        click.echo(f"{len(report.problems)} problem(s); nothing was exported", err=True)
        sys.exit(1)
    exported = export_bank(report.banks[0].bank, fmt, source=file.read_text(encoding="utf-8"))
    for note in exported.notes:
        click.echo(f"{file}: {note}", err=True)
    if output is None:
        sys.stdout.buffer.write(exported.content)
        sys.stdout.flush()
    else:
        output.write_bytes(exported.content)
        click.echo(f"wrote {output} ({len(exported.content):,} bytes)", err=True)


def _slug(ctx: click.Context, param: click.Parameter, value: str) -> str:
    import re

    from quizapp.banks.schema import SLUG_PATTERN

    if not re.match(SLUG_PATTERN, value):
        raise click.BadParameter("lower-case letters, digits and hyphens, starting with a letter or digit")
    return value


@main.command("import", with_appcontext=False)
@seeds_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--format", "fmt", type=click.Choice(["gift", "qti21", "canvas"]), required=True)
@click.option("--id", "bank_id", required=True, callback=_slug, help="The new bank's id.")
@click.option("--title", required=True, help="The new bank's title.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the bank here instead of to standard output.")
def import_command(seeds: Path | None, file: Path, fmt: str, bank_id: str, title: str,
                   output: Path | None) -> None:
    """Read FILE (GIFT, QTI 2.1 or Canvas) into a bank in format 1, for `quizapp validate`.

    What the file holds that a bank cannot goes to standard error, question by question.
    """
    from quizapp.banks.validate import validate_text
    from quizapp.interchange import ImportFailed, import_bank

    try:
        result = import_bank(file.read_bytes(), fmt, bank_id=bank_id, title=title)
    except ImportFailed as failed:
        for problem in failed.problems:
            click.echo(_import_problem(file, problem), err=True)
        click.echo(f"{len(failed.problems)} problem(s); nothing was imported", err=True)
        sys.exit(1)
    for note in result.notes:
        click.echo(f"{file}: {note}", err=True)
    text = result.yaml
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
    name = str(output or "<stdout>")
    checked = validate_text(text, name, seeds or _default_seeds())
    for problem in sorted([*checked.problems, *checked.warnings]):
        click.echo(str(problem), err=True)
    questions = len(result.data["questions"])
    state = "valid" if not checked.problems else f"{len(checked.problems)} problem(s) to fix"
    click.echo(f"{name}: {questions} question(s), {state}"
               + (f"; check it with: quizapp validate {output}" if output else ""), err=True)


@main.command(with_appcontext=False)
def schema() -> None:
    """Print the JSON Schema of bank format 1 (for editors and integrators)."""
    click.echo(json.dumps(json_schema(), indent=2))


users = AppGroup("users", help="Create and import accounts (for operators).")


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["student", "teacher"]), default="student", show_default=True)
@click.option("--display-name", default=None, help="Defaults to the username.")
def users_create(username: str, role: str, display_name: str | None) -> None:
    """Create an account; the password is read from standard input (one line) or prompted."""
    from quizapp.services import accounts
    from quizapp.services.banks import upgrade_database
    from quizapp.services.errors import ServiceError

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        upgrade_database()
        account = accounts.create_account(username, display_name or username, password, role)
    except ServiceError as error:
        click.echo(error.message, err=True)
        sys.exit(1)
    click.echo(f"created {account.role} '{account.username}'")


IMPORT_HEADER = ["username", "display_name", "role", "password", "status"]


@users.command("import")
@click.argument("file", type=click.Path(path_type=Path))
def users_import(file: Path) -> None:
    """Create the accounts a CSV lists (header: username,display_name,role,password).

    Prints a CSV (username,display_name,role,password,status): an empty password
    gets a one-time password, shown only here and changed at the first sign-in;
    accounts that exist are left as they are (status "exists"). Exits 1 if a
    row could not be imported (the others are).
    """
    from quizapp.services import accounts, reports
    from quizapp.services.banks import upgrade_database
    from quizapp.services.classes import import_accounts, parse_roster
    from quizapp.services.errors import ServiceError

    try:
        text = file.read_bytes().decode("utf-8")
    except OSError as error:
        click.echo(f"{file}: cannot read the file ({error.strerror or error})", err=True)
        sys.exit(1)
    except UnicodeDecodeError:
        click.echo(f"{file}: the file is not UTF-8 text (save the CSV as UTF-8)", err=True)
        sys.exit(1)
    try:
        rows = parse_roster(text, with_roles=True)
    except ServiceError as error:
        click.echo(f"{file}: {error.message}", err=True)
        sys.exit(1)
    except csv.Error as error:
        click.echo(f"{file}: not a CSV file ({error})", err=True)
        sys.exit(1)
    try:
        upgrade_database()
        results = import_accounts(rows)
        lines = []
        for row, result in zip(rows, results, strict=True):
            existing = accounts.get_by_username(result.username) if result.note == "exists" else None
            role = existing.role if existing else (row.get("role") or "student")
            lines.append([result.username, result.display_name, role, result.password or "",
                          result.note])
    except SQLAlchemyError as exc:
        click.echo(f"cannot import into the database: {exc.__class__.__name__}", err=True)
        sys.exit(1)
    click.echo(reports.to_csv(IMPORT_HEADER, lines), nl=False)
    counts = Counter(result.note.partition(":")[0] for result in results)
    click.echo(f"{counts['created']} created, {counts['exists']} existed, "
               f"{counts['error']} with errors", err=True)
    if counts["error"]:
        sys.exit(1)


@users.command("delete")
@click.argument("username")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def users_delete(username: str, yes: bool) -> None:
    """Delete an account with all its answers, attempts and memberships."""
    from quizapp.services import accounts, privacy

    account = accounts.get_by_username(username)
    if account is None:
        click.echo(f"no account '{username}'", err=True)
        sys.exit(1)
    if not yes:
        click.confirm(f"Delete {account.role} '{account.username}' and all their data?", abort=True)
    privacy.delete_account(account.id)
    click.echo(f"deleted {account.role} '{username}'")


@users.command("export")
@click.argument("username")
def users_export(username: str) -> None:
    """Print everything stored about an account, as JSON."""
    from quizapp.services import accounts, privacy

    account = accounts.get_by_username(username)
    if account is None:
        click.echo(f"no account '{username}'", err=True)
        sys.exit(1)
    click.echo(json.dumps(privacy.export_account(account.id), indent=2, ensure_ascii=False))


games = AppGroup("games", help="Live games (for operators).")


@games.command("cleanup")
@click.option("--hours", type=click.FloatRange(min=0), default=24.0, show_default=True,
              help="Delete games not changed for this many hours, ended or not.")
def games_cleanup(hours: float) -> None:
    """Delete old games with their players (nicknames) and answers."""
    import datetime as dt

    from quizapp.services import games as games_service

    deleted = games_service.cleanup(keep=dt.timedelta(hours=hours))
    click.echo(f"{deleted} game{'' if deleted == 1 else 's'} deleted")


def register_commands(app: Flask) -> None:
    """Add the commands that work on the app's database to ``app.cli``."""
    app.cli.add_command(load)
    app.cli.add_command(users)
    app.cli.add_command(games)
