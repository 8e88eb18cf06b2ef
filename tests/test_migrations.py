"""Migrations: a database of the previous schema, with data in it, upgrades without loss."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from quizapp import create_app
from quizapp.app import database_url as driver_url
from quizapp.extensions import db, init_migrations
from tests.conftest import DATABASES, POSTGRES_URL


@pytest.fixture(params=DATABASES)
def empty_database(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    schema = f"quizapp_migration_{os.getpid()}"
    admin = create_engine(driver_url(str(POSTGRES_URL)))
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in str(POSTGRES_URL) else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def _article_and_bank(connection: Any) -> None:
    """Article 'a' and bank 'b' about it, as rows of any schema since the first."""
    connection.execute(text(
        "INSERT INTO article (id, title, meta, blocks, content_hash, updated_at) "
        "VALUES ('a', 'A', '{}', '[]', 'h', '2026-01-01 00:00:00')"))
    connection.execute(text(
        "INSERT INTO bank (id, title, source_id, tags, settings, header_hash, created_at, "
        "updated_at) VALUES ('b', 'B', 'a', '[]', '{}', 'h', '2026-01-01 00:00:00', "
        "'2026-01-01 00:00:00')"))


def test_upgrading_from_the_schema_before_classes_keeps_every_row(empty_database) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    init_migrations(app)
    with app.app_context():
        upgrade(revision="0002")
        tables = set(inspect(db.engine).get_table_names())
        assert "classroom" not in tables and "attempt" in tables
        with db.engine.begin() as connection:
            _article_and_bank(connection)
            connection.execute(text(
                "INSERT INTO account (id, username, display_name, password_hash, role, "
                "must_change_password, created_at) VALUES (1, 'ada', 'Ada', 'x', 'student', "
                "false, '2026-01-01 00:00:00')"))
            connection.execute(text(
                "INSERT INTO attempt (id, account_id, bank_id, kind, seed, started_at, finished_at, "
                "score, points) VALUES (7, 1, 'b', 'full', 42, '2026-01-01 09:00:00', "
                "'2026-01-01 09:10:00', 3.5, 5)"))
        upgrade()
        with db.engine.connect() as connection:
            row = connection.execute(text(
                "SELECT id, account_id, bank_id, score, points, assignment_id FROM attempt"
            )).one()
            assert tuple(row) == (7, 1, "b", 3.5, 5, None)
            assert connection.execute(text("SELECT username FROM account")).scalar_one() == "ada"
        assert {"classroom", "membership", "assignment"} <= set(inspect(db.engine).get_table_names())
        # and back: the downgrade removes the classes and keeps the rest
        downgrade(revision="0002")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT score FROM attempt")).scalar_one() == 3.5
        assert "classroom" not in set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def _student_teacher_and_class(connection) -> None:
    """Ada (student 1) and Tess (teacher 2), and Tess's class 1, as the 0003 schema holds them."""
    for id_, name, role in ((1, "ada", "student"), (2, "tess", "teacher")):
        connection.execute(text(
            "INSERT INTO account (id, username, display_name, password_hash, role, "
            "must_change_password, created_at) VALUES (:id, :name, :name, 'x', :role, "
            "false, '2026-01-01 00:00:00')"), {"id": id_, "name": name, "role": role})
    connection.execute(text(
        "INSERT INTO classroom (id, name, teacher_id, join_code, board_names, board_hidden, "
        "board_version, created_at) VALUES (1, 'C', 2, 'ACDEFG', 'display_name', false, 0, "
        "'2026-01-01 00:00:00')"))


def test_upgrading_numbers_the_attempts_made_before_and_keeps_them(empty_database) -> None:
    """Attempt numbers (which make attempt limits hold under concurrency) are given to the
    attempts already made, per student, bank and assignment, in the order they started."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    init_migrations(app)
    with app.app_context():
        upgrade(revision="0003")
        with db.engine.begin() as connection:
            _article_and_bank(connection)
            _student_teacher_and_class(connection)
            connection.execute(text(
                "INSERT INTO assignment (id, classroom_id, bank_id, created_at) "
                "VALUES (4, 1, 'b', '2026-01-01 00:00:00')"))
            for id_, kind, assignment in ((10, "full", None), (11, "practice", None),
                                          (12, "full", 4), (13, "full", None), (14, "full", 4)):
                connection.execute(text(
                    "INSERT INTO attempt (id, account_id, bank_id, assignment_id, kind, seed, "
                    "started_at, points) VALUES (:id, 1, 'b', :assignment, :kind, 1, "
                    "'2026-01-01 09:00:00', 5)"), {"id": id_, "assignment": assignment, "kind": kind})
            # rows that point at attempts and banks, which SQLite's table copies must keep
            connection.execute(text(
                "INSERT INTO question (id, bank_id, key, position, version) VALUES (1, 'b', 'q', 0, 1)"))
            connection.execute(text(
                "INSERT INTO question_version (id, question_id, number, content_hash, content, "
                "created_at) VALUES (1, 1, 1, 'h', '{}', '2026-01-01 00:00:00')"))
            connection.execute(text(
                "INSERT INTO attempt_question (id, attempt_id, position, question_version_id) "
                "VALUES (1, 10, 0, 1)"))
            connection.execute(text(
                "INSERT INTO answer (id, attempt_question_id, attempt_id, response, score, points, "
                "answered_at) VALUES (1, 1, 10, '\"x\"', 1, 1, '2026-01-01 09:01:00')"))
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT id, scope, number FROM attempt ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [
            (10, 0, 1), (11, 0, None), (12, 4, 1), (13, 0, 2), (14, 4, 2)]
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM answer")).scalar_one() == 1
            assert connection.execute(text("SELECT count(*) FROM question")).scalar_one() == 1
        downgrade(revision="0003")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM attempt")).scalar_one() == 5
        db.engine.dispose()


def test_the_migrations_make_the_schema_the_models_describe(empty_database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    init_migrations(app)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        db.engine.dispose()
    assert differences == []


def test_after_the_upgrade_an_assignments_attempts_outlive_it_and_its_id_is_not_reused(
        empty_database) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    init_migrations(app)
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as connection:
            _article_and_bank(connection)
            _student_teacher_and_class(connection)
            old_id = connection.execute(text(
                "INSERT INTO assignment (classroom_id, bank_id, max_attempts, created_at) "
                "VALUES (1, 'b', 2, '2026-01-01 00:00:00') RETURNING id")).scalar_one()
            connection.execute(text(
                "INSERT INTO attempt (id, account_id, bank_id, assignment_id, kind, scope, number, "
                "seed, started_at, points) VALUES (10, 1, 'b', :a, 'full', :a, 1, 1, "
                "'2026-01-01 09:00:00', 5)"), {"a": old_id})
        upgrade()
        with db.engine.begin() as connection:
            row = connection.execute(text(
                "SELECT max_attempts, show_answers, close_at_due, shuffle_questions, question_count "
                "FROM assignment")).one()
            assert tuple(row) == (2, "immediately", False, False, None)
            connection.execute(text("DELETE FROM assignment WHERE id = :a"), {"a": old_id})
        with db.engine.begin() as connection:
            row = connection.execute(text("SELECT id, assignment_id, scope, number FROM attempt")).one()
            assert tuple(row) == (10, None, old_id, 1)
            new_id = connection.execute(text(
                "INSERT INTO assignment (classroom_id, bank_id, show_answers, close_at_due, "
                "shuffle_questions, created_at) VALUES (1, 'b', 'immediately', false, false, "
                "'2026-01-02 00:00:00') RETURNING id")).scalar_one()
            assert new_id > old_id  # the deleted assignment's id is not given again
        db.engine.dispose()


def test_upgrading_to_review_keeps_attempts_and_lets_a_review_have_no_bank(empty_database) -> None:
    """0008: review cards, and attempts whose bank is optional (a review's is null); going back
    drops the reviews, which no bank could hold, and keeps every other attempt."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "x"})
    init_migrations(app)
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as connection:
            _article_and_bank(connection)
            _student_teacher_and_class(connection)
        upgrade(revision="0007")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO attempt (id, account_id, bank_id, kind, scope, number, seed, "
                "started_at, points) VALUES (10, 1, 'b', 'full', 0, 1, 1, '2026-01-01 09:00:00', 5)"))
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO attempt (id, account_id, bank_id, kind, scope, seed, started_at, "
                "points) VALUES (11, 1, NULL, 'review', 0, 1, '2026-01-02 09:00:00', 1)"))
            connection.execute(text(
                "INSERT INTO question (id, bank_id, key, position, version) VALUES (1, 'b', 'q', 0, 1)"))
            connection.execute(text(
                "INSERT INTO review_card (account_id, bank_id, question_id, memory, due_at, reps, "
                "lapses, created_at) VALUES (1, 'b', 1, '{}', '2026-01-02 09:00:00', 0, 0, "
                "'2026-01-01 09:00:00')"))
        assert "review_card" in inspect(db.engine).get_table_names()
        downgrade(revision="0007")
        with db.engine.connect() as connection:
            ids = connection.execute(text("SELECT id FROM attempt ORDER BY id")).scalars().all()
        assert ids == [10]
        assert "review_card" not in inspect(db.engine).get_table_names()
        db.engine.dispose()
