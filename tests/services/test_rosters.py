"""Class rosters: students only, one-time passwords hashed in bulk, one transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Account, Membership
from quizapp.services import accounts, classes
from quizapp.services.errors import Invalid
from tests.conftest import make_account, recorded_queries


@pytest.fixture
def room(app):
    return classes.create_class(make_account("teach", role="teacher"), "Period 3")


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_roster_runs_the_same_few_queries_however_many_students_it_has(app, room) -> None:
    statements = {}
    for size, prefix in ((3, "small"), (60, "large")):
        with recorded_queries() as seen:
            rows = classes.enrol_students(room, [(f"{prefix}.{n}", f"Kid {n}") for n in range(size)])
        assert [row.note for row in rows] == [classes.CREATED] * size
        statements[size] = len(seen)
    # the names that exist, the class's count, the inserts in batches, the board: no row-by-row
    assert statements[3] == statements[60], statements
    assert count(Membership) == 63
    nicknames = db.session.execute(select(Membership.nickname).order_by(Membership.id)).scalars().all()
    assert nicknames[:2] == ["Reader 1", "Reader 2"] and nicknames[-1] == "Reader 63"


def test_roster_accounts_are_students_with_cheaply_hashed_one_time_passwords(app, room) -> None:
    [row] = classes.enrol_students(room, [("bea.x", "Bea Xu")])
    bea = accounts.get_by_username("bea.x")
    assert (bea.role, bea.must_change_password) == ("student", True)
    assert bea.password_hash.startswith(accounts.ONE_TIME_HASH_METHOD + "$")
    assert accounts.authenticate("bea.x", row.password) is not None
    accounts.set_password(bea, "her own secret")  # her own password: the configured method
    assert not bea.password_hash.startswith("pbkdf2:sha256:5000$")
    assert bea.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")


def test_a_roster_row_whose_display_name_is_a_role_word_is_refused_the_others_made(app, room) -> None:
    rows = classes.enrol_students(room, [("cal.y", "Teacher"), ("dia.z", "Dia Zed"), ("eve.q", "A.D.M.I.N.")])
    assert [row.note.split(":")[0] for row in rows] == ["error", classes.CREATED, "error"]
    assert "reads as a role, not a name" in rows[0].note
    assert accounts.get_by_username("cal.y") is None and accounts.get_by_username("eve.q") is None
    assert accounts.get_by_username("dia.z") is not None


def test_more_than_500_students_are_refused_and_nothing_is_made(app, room) -> None:
    with pytest.raises(Invalid, match="at most 500"):
        classes.enrol_students(room, [(f"kid.{n}", "Kid") for n in range(501)])
    assert count(Account) == 1


@pytest.mark.parametrize("header", ["username,display_name,role", "username,display_name,password",
                                    "username,display_name,Role,Password"])
def test_a_class_roster_with_a_role_or_password_column_is_refused(header) -> None:
    with pytest.raises(Invalid, match="A roster adds students only") as refused:
        classes.parse_roster(f"{header}\nbea.x,Bea,teacher,secret1234\n")
    assert "Nothing was added" in refused.value.message


def test_the_operators_import_still_reads_role_and_password() -> None:
    [row] = classes.parse_roster("username,display_name,role,password\nbea.x,Bea,teacher,secret1234\n",
                                 with_roles=True)
    assert (row["role"], row["password"]) == ("teacher", "secret1234")
