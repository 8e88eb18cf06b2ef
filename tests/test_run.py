"""`quizapp run` prepares a fresh database; `quizapp users create` makes accounts."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select

from quizapp.cli import prepare
from quizapp.extensions import db
from quizapp.models import Account, Bank
from quizapp.services.accounts import authenticate


def test_prepare_loads_the_banks_and_makes_one_teacher_with_a_one_time_password(app) -> None:
    lines = prepare(app)
    assert {b.id for b in db.session.execute(select(Bank)).scalars()} == {
        "who-is-who", "what-happened", "reading-the-news", "weighing-the-story"}
    created = [line for line in lines if "teacher account" in line]
    assert len(created) == 1
    password = created[0].split("one-time password ")[1].split()[0]
    teacher = authenticate("teacher", password)
    assert teacher is not None and teacher.is_teacher and teacher.must_change_password
    again = prepare(app)
    assert not [line for line in again if "teacher account" in line]
    assert "questions: 4 bank(s) loaded (no changes)" in again
    assert len(db.session.execute(select(Account)).scalars().all()) == 1


def test_each_fresh_database_gets_a_different_password(app) -> None:
    first = [line for line in prepare(app) if "one-time password" in line][0]
    db.session.execute(db.delete(Account))
    db.session.commit()
    second = [line for line in prepare(app) if "one-time password" in line][0]
    assert first != second


def test_users_create_reads_the_password_from_standard_input(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "Mr.Smith", "--role", "teacher",
                                 "--display-name", "Mr Smith"], input="a long secret\n")
    assert result.exit_code == 0, result.output
    assert "created teacher 'mr.smith'" in result.output
    account = authenticate("mr.smith", "a long secret")
    assert account.display_name == "Mr Smith" and account.is_teacher
    again = runner.invoke(args=["users", "create", "mr.smith"], input="another secret\n")
    assert again.exit_code == 1 and "is taken" in again.output


def test_users_create_refuses_a_short_password(app) -> None:
    result = app.test_cli_runner().invoke(args=["users", "create", "kid"], input="short\n")
    assert result.exit_code == 1
    assert "at least 8 characters" in result.output


def test_serving_processes_never_import_the_migration_tools(tmp_path) -> None:
    """Alembic and Mako are loaded only where the schema is migrated (12 MB a worker)."""
    script = (
        "import sys\n"
        "from quizapp import create_app\n"
        f"app = create_app({{'SECRET_KEY': 'x', 'SQLALCHEMY_DATABASE_URI': "
        f"'sqlite:///{tmp_path}/q.sqlite3'}})\n"
        "for path in ('/healthz', '/', '/login', '/api/v1/openapi.json'):\n"
        "    app.test_client().get(path)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'alembic', 'flask_migrate', 'mako'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_command_line_still_runs_the_migration_commands(tmp_path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/q.sqlite3"}
    out = subprocess.run([sys.executable, "-c", "from quizapp.cli import main; main()", "db", "heads"],
                         capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "0008 (head)"
