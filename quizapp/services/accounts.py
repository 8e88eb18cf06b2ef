"""Accounts, passwords and API tokens."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
import unicodedata
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from werkzeug.security import check_password_hash, generate_password_hash

from quizapp.extensions import db
from quizapp.models import ROLES, Account, ApiToken, LoginSession, utcnow
from quizapp.services.errors import Conflict, Invalid

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
PASSWORD_MIN_LENGTH = 8
# Checked against when the username is unknown, so both paths take as long.
_DUMMY_HASH = generate_password_hash("not a password")


def hash_password(password: str) -> str:
    """A memory-hard hash (scrypt) unless the configuration names another method."""
    return generate_password_hash(password, current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


#: One-time passwords are drawn at random (``generate_password``: 12 characters from 31, about
#: 59 bits) and replaced at the first sign-in, so a fast salted hash is enough for them, and a
#: roster of 500 students hashes in well under a second; see docs/security.md, "Rosters".
ONE_TIME_HASH_METHOD = "pbkdf2:sha256:5000"


def hash_one_time_password(password: str) -> str:
    """The hash of a generated one-time password: salted PBKDF2, cheap enough to make in bulk.

    Only for passwords from :func:`generate_password`: a password a person chooses gets
    :func:`hash_password`, which is what replaces this one at the first sign-in.
    """
    return generate_password_hash(password, ONE_TIME_HASH_METHOD)


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_username(username: str) -> str:
    """The normalised username, or :class:`Invalid` saying what is wrong with it."""
    name = normalise_username(username)
    if not USERNAME.match(name):
        raise Invalid(
            "A username has 3 to 32 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit."
        )
    return name


def check_password(password: str) -> str:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise Invalid(f"A password needs at least {PASSWORD_MIN_LENGTH} characters.")
    return password


#: Words a display name may not be on its own: a student named "Teacher" or "Admin" on a board
#: or in a class list could pass for staff, or for a message from the app itself.
ROLE_WORDS = frozenset({"teacher", "admin", "administrator", "moderator", "staff", "system", "quizapp"})


def check_display_name(display_name: str, role: str = "student") -> str:
    """The display name, or :class:`Invalid` if it is only a role word ("Teacher", "A.D.M.I.N.").

    Case, spaces and punctuation are ignored. A teacher may be called "Teacher" (it is what they
    are; the first account ``quizapp run`` makes is), but no one may take another role word.
    """
    folded = "".join(ch for ch in unicodedata.normalize("NFKC", display_name).casefold() if ch.isalnum())
    if folded in ROLE_WORDS and not (role == "teacher" and folded == "teacher"):
        raise Invalid(
            f"“{display_name}” reads as a role, not a name: choose a display name that is "
            "your own name (or a nickname), not teacher, admin, staff, moderator or system."
        )
    return display_name


def generate_password() -> str:
    """A one-time password that is easy to type from a printed card."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


@functools.cache
def _account_by_id() -> Any:
    return select(Account).where(Account.id == bindparam("id"))


def get_account(account_id: int) -> Account | None:
    """The account, by one prebuilt query: every signed-in request runs it."""
    return db.session.execute(_account_by_id(), {"id": account_id}).scalar_one_or_none()


def database_answers() -> bool:
    """Whether the database answers a trivial query (for /healthz)."""
    try:
        db.session.execute(select(1))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True


def count_accounts() -> int:
    return db.session.execute(select(func.count(Account.id))).scalar_one()


def one_line(text: str, limit: int) -> str:
    """Text for a name: control characters dropped (PostgreSQL refuses NUL), spaces folded."""
    text = "".join(ch for ch in text if ch.isprintable() or ch == " ")
    return " ".join(text.split())[:limit]


def get_by_username(username: str) -> Account | None:
    if not username.isprintable():
        return None  # no account has such a name, and PostgreSQL refuses NUL
    return db.session.execute(
        select(Account).where(Account.username == normalise_username(username))
    ).scalar_one_or_none()


def create_account(
    username: str,
    display_name: str,
    password: str,
    role: str = "student",
    *,
    must_change_password: bool = False,
) -> Account:
    """Create and commit an account; :class:`Conflict` if the username is taken."""
    name = check_username(username)
    display = one_line(display_name, 100) or name
    if role not in ROLES:
        raise Invalid(f"A role is one of: {', '.join(ROLES)}.")
    check_display_name(display, role)
    check_password(password)
    if get_by_username(name) is not None:
        raise Conflict(f"The username '{name}' is taken.")
    account = Account(
        username=name,
        display_name=display[:100],
        password_hash=hash_password(password),
        role=role,
        must_change_password=must_change_password,
    )
    db.session.add(account)
    try:
        db.session.commit()
    except IntegrityError:  # created by someone else since the check
        db.session.rollback()
        raise Conflict(f"The username '{name}' is taken.") from None
    return account


def authenticate(username: str, password: str) -> Account | None:
    """The account with these credentials, or None."""
    account = get_by_username(username)
    if account is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return account if check_password_hash(account.password_hash, password) else None


def set_password(account: Account, password: str, *, must_change: bool = False) -> None:
    """Set a new password; the account's API tokens and other sessions stop working."""
    account.password_hash = hash_password(check_password(password))
    account.must_change_password = must_change
    db.session.execute(delete(ApiToken).where(ApiToken.account_id == account.id))
    db.session.commit()


def change_password(account: Account, current: str, new: str) -> None:
    if not check_password_hash(account.password_hash, current):
        raise Invalid("The current password is not right.")
    if new == current:
        raise Invalid("The new password must differ from the current one.")
    set_password(account, new)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(account: Account) -> str:
    """A new bearer token for ``account``; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(account_id=account.id, token_hash=_token_hash(token)))
    db.session.commit()
    return token


@functools.cache
def _account_by_token_hash() -> Any:
    # built once: every API call runs it, and building it costs as much as running it
    return select(Account).join(ApiToken).where(ApiToken.token_hash == bindparam("token_hash"))


def account_for_token(token: str) -> Account | None:
    return db.session.execute(
        _account_by_token_hash(), {"token_hash": _token_hash(token)}
    ).scalar_one_or_none()


def revoke_token(token: str) -> None:
    db.session.execute(delete(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    db.session.commit()


# -- browser sessions: the cookie carries a random id whose hash is kept here ------------------


def open_session(account_id: int, *, lifetime: dt.timedelta) -> str:
    """A new sign-in session for the account; the id to keep in its cookie.

    Sessions older than ``lifetime`` (of every account) are deleted on the way.
    """
    token = secrets.token_urlsafe(32)
    db.session.execute(delete(LoginSession).where(LoginSession.created_at < utcnow() - lifetime))
    db.session.add(LoginSession(account_id=account_id, token_hash=_token_hash(token)))
    db.session.commit()
    return token


@functools.cache
def _account_by_session() -> Any:
    # built once: every signed-in page runs it
    return (select(Account).join(LoginSession, LoginSession.account_id == Account.id)
            .where(Account.id == bindparam("id"), LoginSession.token_hash == bindparam("token_hash"),
                   LoginSession.created_at >= bindparam("since")))


def account_for_session(account_id: int, token: str, *, lifetime: dt.timedelta) -> Account | None:
    """The account, if ``token`` is one of its sessions that has not ended or expired."""
    return db.session.execute(
        _account_by_session(),
        {"id": account_id, "token_hash": _token_hash(token), "since": utcnow() - lifetime},
    ).scalar_one_or_none()


def close_session(token: str) -> None:
    """End a session: its cookie, replayed, no longer signs anyone in."""
    db.session.execute(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
    db.session.commit()
