"""The application factory: configuration, extensions and blueprints."""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from quizapp.extensions import csrf, db, limiter, login_manager

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs that name no driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; reads configuration only, touches no database or network."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        SQLALCHEMY_DATABASE_URI=database_url(
            os.environ.get("DATABASE_URL")
            or "sqlite:///" + str(Path(app.instance_path) / "quizapp.sqlite3")
        ),
        SEEDS_DIR=str(PROJECT_ROOT / "seeds"),
        QUESTIONS_DIR=str(PROJECT_ROOT / "questions"),
        # A token lives as long as the session: a quiz page left open stays usable.
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        # If Redis goes away, count per process rather than refuse every sign-in.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        #: Proxies in front that set X-Forwarded-For (e.g. 1 behind nginx); 0 trusts none.
        PROXY_FIX_X_FOR=0,
        #: Failed sign-ins allowed per account, and per address (a school shares one).
        LOGIN_LIMIT_PER_ACCOUNT="10 per minute",
        LOGIN_LIMIT_PER_ADDRESS="100 per minute",
        #: Answers allowed per account (no one reads and answers faster), and per address.
        ANSWER_LIMIT_PER_ACCOUNT="60 per minute",
        ANSWER_LIMIT_PER_ADDRESS="3000 per minute",
        #: Attempts started (or resumed) per account and per address.
        ATTEMPT_LIMIT_PER_ACCOUNT="30 per minute",
        ATTEMPT_LIMIT_PER_ADDRESS="1000 per minute",
        #: Wrong join codes per account and per address: codes cannot be guessed by trying.
        JOIN_LIMIT_PER_ACCOUNT="10 per minute",
        JOIN_LIMIT_PER_ADDRESS="60 per minute",
        #: Checks and previews of the bank editor (it sends one as the teacher types).
        CHECK_LIMIT_PER_ACCOUNT="120 per minute",
        CHECK_LIMIT_PER_ADDRESS="2000 per minute",
        #: Accounts made by sign-up per address (a class signing up at once fits in a few minutes).
        SIGNUP_LIMIT_PER_ADDRESS="10 per minute",
        #: How long a sign-in lasts at most (seconds); signing out ends it at once.
        PERMANENT_SESSION_LIFETIME=7 * 24 * 3600,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        #: werkzeug's method for new password hashes: memory-hard scrypt.
        PASSWORD_HASH_METHOD="scrypt",  # noqa: S106 - a method name, not a password
        #: Production: secure cookies, and a SECRET_KEY is required (gunicorn.conf.py sets it).
        PRODUCTION=False,
        #: Connections each process keeps to PostgreSQL (a sync worker needs one at a time).
        DATABASE_POOL_SIZE=2,
        DATABASE_POOL_OVERFLOW=2,
    )
    app.config.from_prefixed_env("QUIZAPP")
    if test_config:
        app.config.from_mapping(test_config)
    url = app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not url.startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {
            "pool_size": app.config["DATABASE_POOL_SIZE"],
            "max_overflow": app.config["DATABASE_POOL_OVERFLOW"],
            "pool_pre_ping": True,  # a database restart costs one retry, not an error page
            "pool_recycle": 1800,
        })
    if app.config["PRODUCTION"]:
        if not app.config["SECRET_KEY"]:
            raise RuntimeError(
                "SECRET_KEY is not set. In production it must be: sessions of several "
                "processes, and of restarts, need the same key (see docs/deploy.md)."
            )
        # cookies only over HTTPS, unless the operator says otherwise explicitly
        given = set(test_config or ()) | {k.removeprefix("QUIZAPP_") for k in os.environ}
        for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
            if name not in given:
                app.config[name] = True

    from quizapp import models  # noqa: F401 - the tables must be known to migrations

    if not app.config["SECRET_KEY"]:
        # Sessions then last only as long as this process; `quizapp run` keeps a key
        # in the instance folder, and production sets SECRET_KEY.
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        app.config["SECRET_KEY_GENERATED"] = True

    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)

    from quizapp import web

    web.init_app(app)
    if app.config["PROXY_FIX_X_FOR"]:
        # the client's address (for per-address limits) as the proxy saw it
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]),
                                x_proto=1, x_host=1)

    from quizapp.cli import register_commands

    register_commands(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite as a server: WAL so readers never wait for the writer, a busy timeout so
    writers queue instead of failing, and foreign keys enforced.

    synchronous=NORMAL in WAL mode: a crash of the app loses nothing committed;
    a crash of the operating system or a power cut may lose the transactions
    committed last, but never corrupts the database (docs/deploy.md).
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
