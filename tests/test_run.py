"""`quizapp run` prepares a fresh database; `quizapp users create` makes accounts."""

from __future__ import annotations

from sqlalchemy import select

from quizapp.cli import prepare
from quizapp.extensions import db
from quizapp.models import Account, Bank
from quizapp.services.accounts import authenticate


def test_prepare_loads_the_banks_and_makes_one_teacher_with_a_one_time_password(app) -> None:
    lines = prepare(app)
    assert {b.id for b in db.session.execute(select(Bank)).scalars()} == {
        "who-is-who", "what-happened", "reading-the-news"}
    created = [line for line in lines if "teacher account" in line]
    assert len(created) == 1
    password = created[0].split("one-time password ")[1].split()[0]
    teacher = authenticate("teacher", password)
    assert teacher is not None and teacher.is_teacher and teacher.must_change_password
    again = prepare(app)
    assert not [line for line in again if "teacher account" in line]
    assert "questions: 3 bank(s) loaded (no changes)" in again
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
