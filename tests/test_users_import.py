"""`quizapp users import FILE.csv` creates accounts in bulk and prints their one-time passwords."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Account
from quizapp.services.accounts import authenticate, create_account, get_by_username

HEADER = "username,display_name,role,password\n"
OUTPUT_HEADER = ["username", "display_name", "role", "password", "status"]


def run_import(app: Flask, tmp_path: Path, text: str | bytes, name: str = "people.csv"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return app.test_cli_runner().invoke(args=["users", "import", str(path)])


def output_rows(result) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(result.stdout))
    assert reader.fieldnames == OUTPUT_HEADER
    return list(reader)


def count_accounts() -> int:
    return db.session.execute(select(func.count(Account.id))).scalar_one()


def test_accounts_are_created_with_given_and_one_time_passwords(app, tmp_path) -> None:
    result = run_import(app, tmp_path, HEADER + (
        "ada,Ada Lovelace,student,\n"
        "Grace.H,Grace Hopper,teacher,a long secret\n"
        "bob,,,\n"
    ))
    assert result.exit_code == 0, result.output
    rows = output_rows(result)
    assert [(r["username"], r["display_name"], r["role"], r["status"]) for r in rows] == [
        ("ada", "Ada Lovelace", "student", "created"),
        ("grace.h", "Grace Hopper", "teacher", "created"),
        ("bob", "bob", "student", "created"),  # no name: the username; no role: student
    ]
    ada_password, given, bob_password = (r["password"] for r in rows)
    assert given == ""  # a password the operator chose is not echoed
    assert ada_password and bob_password and ada_password != bob_password

    ada = authenticate("ada", ada_password)
    assert ada is not None and ada.must_change_password is True and ada.role == "student"
    grace = authenticate("grace.h", "a long secret")
    assert grace is not None and grace.must_change_password is False and grace.is_teacher
    assert authenticate("bob", bob_password).must_change_password is True
    assert "3 created, 0 existed, 0 with errors" in result.stderr


def test_a_one_time_password_must_be_changed_at_the_first_sign_in(app, client, tmp_path) -> None:
    result = run_import(app, tmp_path, HEADER + "ada,Ada Lovelace,student,\n")
    password = output_rows(result)[0]["password"]
    response = client.post("/login", data={"username": "ada", "password": password})
    assert response.status_code == 303
    assert client.get("/").headers["Location"].endswith("/password")


def test_existing_accounts_are_left_as_they_are_and_reported(app, tmp_path) -> None:
    create_account("ada", "Ada Lovelace", "her own password", "teacher")
    result = run_import(app, tmp_path, HEADER + (
        "ADA,Someone Else,student,\n"
        "bob,Bob Baker,student,\n"
        "bob,Bob Again,student,\n"
    ))
    assert result.exit_code == 0, result.output
    rows = output_rows(result)
    assert [(r["username"], r["display_name"], r["role"], r["password"] != "", r["status"])
            for r in rows] == [
        ("ada", "Ada Lovelace", "teacher", False, "exists"),
        ("bob", "Bob Baker", "student", True, "created"),
        ("bob", "Bob Baker", "student", False, "exists"),
    ]
    ada = get_by_username("ada")
    assert ada.display_name == "Ada Lovelace" and ada.role == "teacher"
    assert not ada.must_change_password
    assert authenticate("ada", "her own password") is not None
    assert count_accounts() == 2

    again = run_import(app, tmp_path, HEADER + "ada,,,\nbob,,,\n")
    assert again.exit_code == 0
    assert [r["status"] for r in output_rows(again)] == ["exists", "exists"]
    assert all(r["password"] == "" for r in output_rows(again))


def test_rows_that_cannot_be_imported_are_reported_and_the_rest_are_created(app, tmp_path) -> None:
    result = run_import(app, tmp_path, HEADER + (
        "x,Too Short,student,\n"
        "carol,Carol,admin,\n"
        "dave,Dave,student,short\n"
        "erin,=HYPERLINK(\"http://evil\"),student,\n"
        ",No Name,student,\n"
    ))
    assert result.exit_code == 1
    rows = output_rows(result)
    statuses = [r["status"] for r in rows]
    assert statuses[:3] == ["error: " + statuses[0].removeprefix("error: "),
                            "error: A role is one of: student, teacher.",
                            "error: A password needs at least 8 characters."]
    assert "username" in statuses[0]
    assert statuses[3] == "created" and statuses[4].startswith("error:")
    assert rows[3]["display_name"] == "'=HYPERLINK(\"http://evil\")"  # a spreadsheet shows text
    assert all(r["password"] == "" for r in rows if r["status"] != "created")
    assert count_accounts() == 1
    assert "1 created, 0 existed, 4 with errors" in result.stderr


def test_a_byte_order_mark_and_extra_columns_are_fine(app, tmp_path) -> None:
    text = "\ufeffusername,display_name,role,password,class\r\nada,Ada,student,,9B\r\n"
    result = run_import(app, tmp_path, text.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert output_rows(result)[0]["status"] == "created"


@pytest.mark.parametrize(("text", "message"), [
    ("username,display_name\nada,Ada\n", "needs a header line with: display_name, password, role, username"),
    ("name,role,password\nada,student,\n", "needs a header line"),
    ("", "needs a header line"),
    (HEADER, "no rows"),
    (b"username,display_name,role,password\nj\xf6rg,J\xf6rg,student,\n", "not UTF-8"),
])
def test_a_file_without_the_header_or_rows_is_exit_1_without_a_traceback(app, tmp_path, text,
                                                                         message) -> None:
    result = run_import(app, tmp_path, text)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert count_accounts() == 0


def test_a_file_that_cannot_be_read_is_exit_1(app, tmp_path) -> None:
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["users", "import", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1 and "cannot read" in missing.stderr
    folder = runner.invoke(args=["users", "import", str(tmp_path)])
    assert folder.exit_code == 1 and "cannot read" in folder.stderr
    assert count_accounts() == 0
