"""Flask extensions, created here unbound and bound to each app in ``create_app``."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so migrations can alter them on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)


MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def init_migrations(app: Flask) -> None:
    """Bind Flask-Migrate (Alembic) to ``app``, once.

    Only what migrates calls this (``quizapp load``, ``run`` and ``db``, the
    tests), so the processes that serve requests never import Alembic and Mako:
    some 12 MB less in every gunicorn worker.
    """
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(MIGRATIONS), render_as_batch=True)


def _account_key() -> str:
    from flask_login import current_user

    return f"account:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def limit_answers() -> Callable[[Any], Any]:
    """Answer submissions, per account and per address (a whole school shares one)."""
    from flask import current_app

    def decorate(view: Any) -> Any:
        view = limiter.limit(lambda: current_app.config["ANSWER_LIMIT_PER_ACCOUNT"],
                             key_func=_account_key, methods=["POST", "PUT"])(view)
        return limiter.limit(lambda: current_app.config["ANSWER_LIMIT_PER_ADDRESS"],
                             methods=["POST", "PUT"])(view)

    return decorate
