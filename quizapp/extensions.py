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


def limit_per_account_and_address(
    name: str, message: str, *, methods: tuple[str, ...] = ("POST", "PUT"),
    deduct_when: Callable[[Any], bool] | None = None,
) -> Callable[[Any], Any]:
    """Limit a view per signed-in account and per address by the configuration's
    ``<NAME>_LIMIT_PER_ACCOUNT`` and ``<NAME>_LIMIT_PER_ADDRESS`` (a whole school shares
    one address, so its limit is the larger). ``message`` is what a refused person reads.

    Anonymous requests are counted per address under the account limit too; the
    page and the API route of one action share ``name``'s buckets.
    """
    from flask import current_app

    scope = name.lower()

    def decorate(view: Any) -> Any:
        # shared limits: the page and the API route of one action count in the same buckets
        view = limiter.shared_limit(lambda: current_app.config[f"{name}_LIMIT_PER_ACCOUNT"],
                                    f"{scope}-account", key_func=_account_key, methods=list(methods),
                                    deduct_when=deduct_when, error_message=message)(view)
        return limiter.shared_limit(lambda: current_app.config[f"{name}_LIMIT_PER_ADDRESS"],
                                    f"{scope}-address", key_func=get_remote_address,
                                    methods=list(methods), deduct_when=deduct_when,
                                    error_message=message)(view)

    return decorate


def limit_answers() -> Callable[[Any], Any]:
    """Answer submissions, per account and per address."""
    return limit_per_account_and_address(
        "ANSWER", "Too many answers at once: wait the seconds in Retry-After, then go on.")


def limit_attempt_starts() -> Callable[[Any], Any]:
    """Starting (or resuming) attempts, per account and per address."""
    return limit_per_account_and_address(
        "ATTEMPT", "Too many quizzes started at once: wait a moment, then try again.",
        methods=("POST",))


def limit_checks() -> Callable[[Any], Any]:
    """The bank editor's checks and previews (sent as a teacher types), per account and address."""
    return limit_per_account_and_address(
        "CHECK", "Too many checks at once: wait a moment; your text is kept.", methods=("POST",))


def limit_joins() -> Callable[[Any], Any]:
    """Wrong join codes (404 from the API, 422 from the page), per account and per address."""
    return limit_per_account_and_address(
        "JOIN", "Too many wrong codes: wait a minute, then check the code with your teacher.",
        methods=("POST",), deduct_when=lambda response: response.status_code in (404, 422))


#: Joins to live games per address (a school joins at once from one address) and wrong PINs
#: per address (guessing a PIN into someone else's game), unless the configuration says otherwise.
GAME_JOIN_LIMIT_DEFAULT = "300 per minute"
GAME_PIN_LIMIT_DEFAULT = "20 per minute"


def limit_game_joins() -> Callable[[Any], Any]:
    """Joins to a live game per address (``GAME_JOIN_LIMIT_PER_ADDRESS``), and wrong PINs (404)
    per address in a tighter bucket (``GAME_PIN_LIMIT_PER_ADDRESS``), counted together for the
    join page and ``POST /api/v1/games/join``."""
    from flask import current_app

    def decorate(view: Any) -> Any:
        view = limiter.shared_limit(
            lambda: current_app.config.get("GAME_JOIN_LIMIT_PER_ADDRESS", GAME_JOIN_LIMIT_DEFAULT),
            "game-join", key_func=get_remote_address, methods=["POST"],
            error_message="Too many joins from here: wait a moment, then try again.")(view)
        return limiter.shared_limit(
            lambda: current_app.config.get("GAME_PIN_LIMIT_PER_ADDRESS", GAME_PIN_LIMIT_DEFAULT),
            "game-pin", key_func=get_remote_address, methods=["POST"],
            deduct_when=lambda response: response.status_code == 404,
            error_message="Too many wrong PINs: wait a minute, then check the PIN.")(view)

    return decorate


SIGN_IN_LIMITED = "Too many failed sign-ins: wait a minute (the seconds in Retry-After), then try again."


def _sign_in_account_key() -> str:
    """The username tried, from a form or a JSON body (the page takes both, the API JSON)."""
    from flask import request

    data = request.get_json(silent=True) if request.is_json else request.form
    name = data.get("username") if isinstance(data, dict) else None
    name = name.strip().lower()[:64] if isinstance(name, str) else ""
    return f"login-account:{name}"


def limit_sign_ins(failed: Callable[[Any], bool]) -> Callable[[Any], Any]:
    """Failed sign-ins per username tried and per address, counted together for the sign-in
    page and ``POST /api/v1/tokens``; ``failed`` tells a failure by its response."""
    from flask import current_app

    def decorate(view: Any) -> Any:
        view = limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
                                    "login-account", key_func=_sign_in_account_key, methods=["POST"],
                                    deduct_when=failed, error_message=SIGN_IN_LIMITED)(view)
        return limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
                                    "login-address", key_func=get_remote_address, methods=["POST"],
                                    deduct_when=failed, error_message=SIGN_IN_LIMITED)(view)

    return decorate
