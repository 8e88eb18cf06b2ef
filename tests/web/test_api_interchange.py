"""The interchange API: a bank out as GIFT, QTI 2.1, Canvas or YAML; a file in as a draft bank."""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest
import yaml
from flask import Flask

from quizapp.extensions import db
from quizapp.models import Bank
from tests.web.test_api_authoring import BANK, as_

GIFT = """// a quiz from Moodle
$CATEGORY: $course$/top/Allies

::uk:: Which country stopped sharing some intelligence?{
  =United Kingdom#Paragraph 1.
  ~France
  ~Germany
  ####The first paragraph names the United Kingdom.
}

::colombia:: Colombia suspended intelligence sharing.{TRUE}

::essay:: Explain why.{}
"""


@pytest.fixture
def app(app: Flask, all_types) -> Flask:
    from quizapp.services.accounts import create_account
    from tests.web.test_api import PASSWORD

    for name, role in (("tess", "teacher"), ("tom", "teacher"), ("ada", "student")):
        create_account(name, name.title(), PASSWORD, role)
    return app


def test_a_teacher_exports_a_bank_from_files_as_gift(app, client) -> None:
    tess = as_(app, client, "tess")
    response = tess.call("GET", "/banks/all-types/export?format=gift", status=200)
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert 'filename="all-types.gift.txt"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert "::dni::[markdown]Who does the article name" in text
    dropped = json.loads(response.headers["Quizapp-Dropped"])
    assert [d["question"] for d in dropped] == ["order", None]


def test_yaml_export_is_the_banks_own_text(app, client) -> None:
    tess = as_(app, client, "tess")
    response = tess.call("GET", "/banks/all-types/export?format=yaml", status=200)
    source = tess.call("GET", "/banks/all-types/source", status=200)["yaml"]
    assert response.get_data(as_text=True) == source


@pytest.mark.parametrize("fmt", ["qti21", "canvas"])
def test_packages_are_zips(app, client, fmt) -> None:
    tess = as_(app, client, "tess")
    response = tess.call("GET", f"/banks/all-types/export?format={fmt}", status=200)
    assert response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.get_data())).namelist()
    assert "imsmanifest.xml" in names


def test_who_may_export_is_who_may_read_the_source(app, client) -> None:
    """Students never get a bank's keys as a file; another teacher's private bank is a 404."""
    ada = as_(app, client, "ada")
    ada.call("GET", "/banks/all-types/export?format=gift", status=404)
    tess, tom = as_(app, client, "tess"), as_(app, client, "tom")
    tess.call("POST", "/articles", {"title": "Allies pull back", "id": "pulled-back",
                                    "body": "The United Kingdom stopped sharing some intelligence "
                                            "with the United States, officials said.\n\nColombia "
                                            "suspended intelligence sharing after strikes."}, status=201)
    tess.call("POST", "/banks", {"yaml": BANK}, status=201)
    tom.call("GET", "/banks/pull-back/export?format=gift", status=404)
    assert tess.call("GET", "/banks/pull-back/export?format=gift", status=200).status_code == 200
    tess.call("GET", "/banks/all-types/export?format=pdf", status=422)
    tess.call("GET", "/banks/no-such-bank/export?format=gift", status=404)


def test_import_makes_a_draft_that_validates_and_saves_nothing(app, client) -> None:
    tess = as_(app, client, "tess")
    reply = tess.call("POST", "/banks/import", {"format": "gift", "content": GIFT, "id": "from-moodle",
                                                "title": "From Moodle"}, status=200)
    data = yaml.safe_load(reply["yaml"])
    assert (data["id"], data["title"], data["tags"]) == ("from-moodle", "From Moodle", ["Allies"])
    assert [q["id"] for q in data["questions"]] == ["uk", "colombia"]
    assert data["questions"][0]["feedback"] == {"United Kingdom": "Paragraph 1."}
    assert not [p for p in reply["problems"] if p["severity"] == "error"]
    assert [(d["question"], d["reason"].split(":")[0]) for d in reply["dropped"]] == [
        ("essay", "left out"), (None, "Moodle's categories became the bank's tags")]
    assert db.session.get(Bank, "from-moodle") is None
    # the teacher saves it with the authoring API, as any bank
    tess.call("POST", "/banks", {"yaml": reply["yaml"]}, status=201)


def test_an_import_round_trip_through_the_api_keeps_the_bank(app, client) -> None:
    tess = as_(app, client, "tess")
    for fmt in ("gift", "qti21"):
        exported = tess.call("GET", f"/banks/all-types/export?format={fmt}", status=200).get_data()
        content = exported.decode() if fmt == "gift" else base64.b64encode(exported).decode()
        reply = tess.call("POST", "/banks/import", {"format": fmt, "content": content,
                                                    "id": f"again-{fmt}", "title": "Again"}, status=200)
        assert not [p for p in reply["problems"] if p["severity"] == "error"], reply["problems"]
        again = yaml.safe_load(reply["yaml"])
        assert [q["id"] for q in again["questions"]] == ["dni", "curtailed", "five-eyes-founded",
                                                         "analyst", "year", "order", "agencies"]


def test_a_broken_file_is_a_422_with_every_problem_at_its_line(app, client) -> None:
    tess = as_(app, client, "tess")
    reply = tess.call("POST", "/banks/import", {"format": "gift", "content": "A?{=x ~y\n\nB?{T}\n\nC}",
                                                "id": "broken", "title": "Broken"}, status=422)
    assert [(p["line"], p["column"]) for p in reply["problems"]] == [(1, 3), (5, 2)]
    reply = tess.call("POST", "/banks/import", {"format": "qti21", "content": "not base64!",
                                                "id": "broken", "title": "Broken"}, status=422)
    assert "base64" in reply["problems"][0]["message"]
    reply = tess.call("POST", "/banks/import", {"format": "qti21",
                                                "content": base64.b64encode(b"not a zip").decode(),
                                                "id": "broken", "title": "Broken"}, status=422)
    assert "not a zip" in reply["problems"][0]["message"]
    tess.call("POST", "/banks/import", {"format": "gift", "content": GIFT, "id": "Not A Slug",
                                        "title": "X"}, status=422)


def test_students_cannot_import(app, client) -> None:
    as_(app, client, "ada").call("POST", "/banks/import", {"format": "gift", "content": GIFT,
                                                           "id": "mine", "title": "Mine"}, status=403)
