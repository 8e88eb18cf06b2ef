"""Fixtures: an app on a fresh database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.exc import OperationalError

from quizapp import create_app
from quizapp.extensions import db
from quizapp.services import leaderboard
from quizapp.services.banks import upgrade_database

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail at once, rather than skip, when the PostgreSQL named for the suite is down."""
    if not POSTGRES_URL:
        return
    from quizapp.app import database_url

    engine = create_engine(database_url(POSTGRES_URL))
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except OperationalError as exc:
        pytest.exit(f"TEST_DATABASE_URL={POSTGRES_URL} does not answer: {exc.orig}", returncode=1)
    finally:
        engine.dispose()


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _config(url: str) -> dict[str, object]:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SEEDS_DIR": str(SEEDS),
        "SECRET_KEY": "test",
        # tests that prove CSRF protection turn it back on
        "WTF_CSRF_ENABLED": False,
        # scrypt costs 0.15 s a hash; the test proving production hashes sets it back
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


def _drop_everything(app: Flask) -> None:
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.engine.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database brought up to date by the migrations, once per kind per run.

    On PostgreSQL each run gets a schema of its own (dropped afterwards), so
    runs side by side on one server do not disturb each other.
    """
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        schema = None
    else:
        from quizapp.app import database_url as driver_url

        schema = f"quizapp_test_{os.getpid()}"
        admin = create_engine(driver_url(str(POSTGRES_URL)))
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        separator = "&" if "?" in str(POSTGRES_URL) else "?"
        url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    app = create_app(_config(url))
    with app.app_context():
        upgrade_database()
        db.engine.dispose()
    yield url
    if schema is None:
        _drop_everything(app)
    else:
        with app.app_context():
            db.engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


class FreshContextClient(FlaskClient):
    """Each request in an app context of its own, as in production.

    The ``app`` fixture keeps an app context open, and a request pushed inside
    it would share its ``g`` with every other request of the test (so
    Flask-Login's cached user, and ``g.api_token``, would leak between calls).
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """An app on the test database, inside an app context; every row is gone afterwards."""
    app = create_app(_config(database_url))
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()
    leaderboard.clear_cache()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


def table_names(app: Flask) -> set[str]:
    return set(inspect(db.engine).get_table_names())


def load_banks(*paths: Path) -> None:
    """Validate and load bank files into the test database."""
    from quizapp.banks import validate_paths
    from quizapp.services.banks import sync_banks

    report = validate_paths(list(paths), SEEDS)
    assert report.ok, report.problems
    sync_banks(report.banks)
    db.session.commit()


@pytest.fixture
def all_types(app: Flask) -> str:
    """The bank with one question of each type, loaded; its id."""
    load_banks(FIXTURES / "all-types.yaml")
    return "all-types"


def make_account(username: str = "ada", role: str = "student", password: str = "correct horse"):
    from quizapp.services.accounts import create_account

    return create_account(username, username.title(), password, role)


def sign_in(client, username: str = "ada", password: str = "correct horse"):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 303, response.text
    return response


@contextmanager
def recorded_queries() -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block."""
    statements: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
