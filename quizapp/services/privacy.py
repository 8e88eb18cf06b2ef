"""A student's data: everything we hold about them, to download or to delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from quizapp.extensions import db
from quizapp.models import (
    Account,
    Answer,
    ApiToken,
    Attempt,
    AttemptQuestion,
    Classroom,
    Membership,
)
from quizapp.services.classes import touch_board
from quizapp.services.errors import NotFound


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def export_account(account_id: int) -> dict[str, Any]:
    """Everything stored about an account, as JSON-able data."""
    account = db.session.get(Account, account_id)
    if account is None:
        raise NotFound("There is no such account.")
    memberships = db.session.execute(
        select(Membership, Classroom).join(Classroom, Classroom.id == Membership.classroom_id)
        .where(Membership.account_id == account_id)
    ).all()
    attempts = db.session.execute(
        select(Attempt).where(Attempt.account_id == account_id).order_by(Attempt.id)
        .options(selectinload(Attempt.items).selectinload(AttemptQuestion.answer),
                 selectinload(Attempt.items).selectinload(AttemptQuestion.version))
    ).scalars().all()
    return {
        "account": {
            "username": account.username,
            "display_name": account.display_name,
            "role": account.role,
            "created_at": _when(account.created_at),
        },
        "classes": [
            {"name": classroom.name, "nickname": member.nickname, "joined_at": _when(member.joined_at)}
            for member, classroom in memberships
        ],
        "attempts": [
            {
                "id": attempt.id,
                "bank_id": attempt.bank_id,
                "assignment_id": attempt.assignment_id,
                "kind": attempt.kind,
                "started_at": _when(attempt.started_at),
                "finished_at": _when(attempt.finished_at),
                "score": attempt.score,
                "points": attempt.points,
                "answers": [
                    {
                        "question_id": item.version.content["id"],
                        "response": item.answer.response,
                        "score": item.answer.score,
                        "points": item.answer.points,
                        "answered_at": _when(item.answer.answered_at),
                    }
                    for item in attempt.items if item.answer is not None
                ],
            }
            for attempt in attempts
        ],
    }


def delete_account(account_id: int) -> None:
    """Delete an account with its answers, attempts, memberships and tokens.

    Boards and reports are computed from what remains, so they stay
    consistent: the student simply is not in them any more.
    """
    account = db.session.get(Account, account_id)
    if account is None:
        raise NotFound("There is no such account.")
    classroom_ids = db.session.execute(
        select(Membership.classroom_id).where(Membership.account_id == account_id)
    ).scalars().all()
    attempts = select(Attempt.id).where(Attempt.account_id == account_id)
    db.session.execute(delete(Answer).where(Answer.attempt_id.in_(attempts)))
    db.session.execute(delete(AttemptQuestion).where(AttemptQuestion.attempt_id.in_(attempts)))
    db.session.execute(delete(Attempt).where(Attempt.account_id == account_id))
    db.session.execute(delete(ApiToken).where(ApiToken.account_id == account_id))
    db.session.execute(delete(Membership).where(Membership.account_id == account_id))
    db.session.execute(delete(Account).where(Account.id == account_id))
    db.session.expunge(account)
    for classroom_id in classroom_ids:
        touch_board(classroom_id)
    db.session.commit()
