"""The authoring API: articles, validating, saving, editing and reading banks, with who may do what."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, Bank, Question, QuestionVersion
from quizapp.scoring import key_response
from quizapp.services import classes as classes_service
from quizapp.services import quiz
from quizapp.services.accounts import create_account
from tests.conftest import FIXTURES, load_banks
from tests.web.test_api import PASSWORD, Api, token_for

ARTICLE = """# Allies pull back

The United Kingdom stopped sharing some intelligence with the United States, officials said.

Colombia suspended intelligence sharing after strikes on boats in the Caribbean.

The Netherlands curtailed what it passes on, according to a Dutch newspaper.
"""

BANK = """format: 1
id: pull-back
title: Allies pull back
source: pulled-back
questions:
  - id: uk
    type: single
    prompt: Which country stopped sharing some intelligence, in the first paragraph?
    choices: [United Kingdom, France, Germany]
    answer: United Kingdom
    explanation: Paragraph 1 names the United Kingdom.
    skill: recall
    evidence: {paragraph: 1, quote: "The United Kingdom stopped sharing"}
  - id: colombia
    type: true_false
    prompt: The article says Colombia suspended intelligence sharing.
    answer: true
    explanation: Paragraph 2 says so.
    skill: recall
    evidence: {paragraph: 2, quote: "Colombia suspended intelligence sharing"}
"""


@pytest.fixture
def app(app: Flask) -> Flask:
    for name, role in (("tess", "teacher"), ("tom", "teacher"), ("ada", "student"), ("bob", "student")):
        create_account(name, name.title(), PASSWORD, role)
    return app


def as_(app: Flask, client: FlaskClient, name: str) -> Api:
    return Api(app, client, token_for(app, name))


@pytest.fixture
def tess(app, client) -> Api:
    return as_(app, client, "tess")


@pytest.fixture
def article(tess) -> dict:
    return tess.call("POST", "/articles", {"title": "Allies pull back", "body": ARTICLE,
                                           "id": "pulled-back"}, status=201)


def test_a_teacher_adds_an_article_and_everyone_signed_in_reads_it_numbered(app, client, tess) -> None:
    made = tess.call("POST", "/articles", {"title": "Allies pull back", "body": ARTICLE,
                                           "outlet": "The Daily Example", "published": "2025-11-14"},
                     status=201)
    assert made == {"id": "allies-pull-back", "title": "Allies pull back", "paragraphs": 3}
    read = as_(app, client, "ada").call("GET", "/articles/allies-pull-back", status=200)
    assert read["outlet"] == "The Daily Example" and read["author"] is None
    assert read["published"] == "2025-11-14"
    assert [p["n"] for p in read["paragraphs"]] == [1, 2, 3]
    assert read["paragraphs"][1]["text"].startswith("Colombia suspended")
    tess.call("POST", "/articles", {"title": "Again", "body": ARTICLE, "id": "allies-pull-back"},
              status=409)
    as_(app, client, "ada").call("POST", "/articles", {"title": "Mine", "body": ARTICLE}, status=403)
    tess.call("GET", "/articles/nothing-here", status=404)


def test_validate_lists_errors_and_warnings_with_their_lines(tess, article) -> None:
    broken = BANK.replace("answer: United Kingdom", "answer: Spain")
    result = tess.call("POST", "/banks/validate", {"yaml": broken}, status=200)
    assert result["valid"] is False
    errors = [p for p in result["problems"] if p["severity"] == "error"]
    assert errors and errors[0]["line"] == 10 and errors[0]["column"] == 13
    assert "Spain" in errors[0]["message"]
    good = tess.call("POST", "/banks/validate", {"yaml": BANK}, status=200)
    assert good["valid"] is True
    assert all(p["severity"] == "warning" for p in good["problems"])


def test_a_student_cannot_validate_or_save(app, client, article) -> None:
    ada = as_(app, client, "ada")
    ada.call("POST", "/banks/validate", {"yaml": BANK}, status=403)
    ada.call("POST", "/banks", {"yaml": BANK}, status=403)


def test_saving_loads_the_bank_and_editing_makes_new_versions(app, client, tess, article) -> None:
    saved = tess.call("POST", "/banks", {"yaml": BANK}, status=201)
    assert saved == {"id": "pull-back", "changes": {"new": 2, "changed": 0, "unchanged": 0, "retired": 0}}
    bank = db.session.get(Bank, "pull-back")
    assert bank.owner_id is not None and bank.file_path is None and bank.visibility == "private"

    # a student of a class it is assigned to takes it; the attempt keeps its version
    room = classes_service.create_class(_account(bank.owner_id), "Year 9")
    ada_id = _join(room, "ada")
    attempt = quiz.start_attempt(ada_id, "pull-back", assignment_id=classes_service.create_assignment(
        room, "pull-back").id)

    changed = BANK.replace("in the first paragraph?", "in paragraph 1?").replace(
        """  - id: colombia
    type: true_false
    prompt: The article says Colombia suspended intelligence sharing.
    answer: true
    explanation: Paragraph 2 says so.
    skill: recall
    evidence: {paragraph: 2, quote: "Colombia suspended intelligence sharing"}
""", "")
    result = tess.call("PUT", "/banks/pull-back", {"yaml": changed}, status=200)
    assert result["changes"] == {"new": 0, "changed": 1, "unchanged": 0, "retired": 1}
    versions = db.session.execute(
        select(func.count(QuestionVersion.id)).join(Question).where(Question.key == "uk")).scalar_one()
    assert versions == 2
    db.session.expire_all()
    kept = quiz.load_attempt(attempt.id, ada_id)
    assert [i.version.number for i in kept.items] == [1, 1]
    # the source reads back as saved
    assert tess.call("GET", "/banks/pull-back/source", status=200) == {"yaml": changed}


def _account(account_id: int):
    from quizapp.models import Account

    return db.session.get(Account, account_id)


def _join(room, username: str) -> int:
    from quizapp.services.accounts import get_by_username

    account = get_by_username(username)
    classes_service.add_member(room, account)
    return account.id


def test_an_invalid_bank_is_422_with_its_problems_and_saves_nothing(tess, article) -> None:
    response = tess.call("POST", "/banks", {"yaml": BANK.replace("id: uk", "id: UK!")}, status=422)
    assert response["error"] and response["problems"]
    assert {"line", "column", "severity", "message"} <= set(response["problems"][0])
    assert db.session.get(Bank, "pull-back") is None


def test_ids_of_others_and_of_files_are_409(app, client, tess, article) -> None:
    load_banks(FIXTURES / "all-types.yaml")
    tess.call("POST", "/banks", {"yaml": BANK}, status=201)
    tom = as_(app, client, "tom")
    tom.call("POST", "/banks", {"yaml": BANK}, status=409)
    from_files = BANK.replace("id: pull-back", "id: all-types")
    tess.call("POST", "/banks", {"yaml": from_files}, status=409)
    tom.call("PUT", "/banks/all-types", {"yaml": from_files}, status=403)


def test_put_needs_the_same_id_and_the_author(app, client, tess, article) -> None:
    tess.call("POST", "/banks", {"yaml": BANK, "visibility": "teachers"}, status=201)
    tess.call("PUT", "/banks/pull-back", {"yaml": BANK.replace("id: pull-back", "id: other")},
              status=422)
    as_(app, client, "tom").call("PUT", "/banks/pull-back", {"yaml": BANK}, status=403)
    as_(app, client, "ada").call("PUT", "/banks/pull-back", {"yaml": BANK}, status=404)


def test_private_banks_are_the_authors_and_their_classes_and_shared_ones_every_teachers(
        app, client, tess, article) -> None:
    tess.call("POST", "/banks", {"yaml": BANK}, status=201)
    tom, ada, bob = (as_(app, client, n) for n in ("tom", "ada", "bob"))
    for who in (tom, ada):
        who.call("GET", "/banks/pull-back/source", status=404)
        who.call("GET", "/banks/pull-back/preview", status=404)
    ada.call("POST", "/banks/pull-back/attempts", {}, status=404)
    assert "pull-back" not in {b["id"] for b in ada.call("GET", "/banks", status=200)["banks"]}

    # assigned to Ada's class: she sees it and takes it; Bob, in no class of it, still does not
    room = classes_service.create_class(_account(db.session.get(Bank, "pull-back").owner_id), "Year 9")
    _join(room, "ada")
    classes_service.create_assignment(room, "pull-back")
    assert "pull-back" in {b["id"] for b in ada.call("GET", "/banks", status=200)["banks"]}
    ada.call("POST", "/banks/pull-back/attempts", {}, status=201)
    ada.call("GET", "/banks/pull-back/source", status=404)  # a student never reads the key text
    bob.call("POST", "/banks/pull-back/attempts", {}, status=404)

    # shared with teachers: Tom previews it (with keys) and may assign it
    tess.call("PUT", "/banks/pull-back", {"yaml": BANK, "visibility": "teachers"}, status=200)
    preview = tom.call("GET", "/banks/pull-back/preview", status=200)["questions"]
    assert preview[0]["key"] == ["United Kingdom"] and preview[0]["evidence"]["paragraph"] == 1
    assert tom.call("GET", "/banks/pull-back/source", status=200)["yaml"] == BANK


def test_a_bank_from_files_is_read_by_every_teacher_not_students(app, client, tess) -> None:
    load_banks(FIXTURES / "all-types.yaml")
    assert "format: 1" in tess.call("GET", "/banks/all-types/source", status=200)["yaml"]
    as_(app, client, "ada").call("GET", "/banks/all-types/source", status=404)
    as_(app, client, "ada").call("GET", "/banks/all-types/preview", status=404)


def test_an_article_change_that_breaks_a_banks_evidence_is_refused(app, client, tess, article) -> None:
    from quizapp.services import authoring
    from quizapp.services.errors import Conflict

    tess.call("POST", "/banks", {"yaml": BANK}, status=201)
    owner = _account(db.session.get(Bank, "pull-back").owner_id)
    row = authoring.own_article(owner, "pulled-back")
    moved = ARTICLE.replace("The United Kingdom stopped", "Britain stopped")
    with pytest.raises(Conflict, match="bank 'pull-back', question 'uk'"):
        authoring.update_article(owner, row, authoring.ArticleInput("Allies pull back", moved))
    fine = ARTICLE + "\nA new last paragraph.\n"
    authoring.update_article(owner, row, authoring.ArticleInput("Allies pull back", fine))
    assert len(row.paragraphs) == 4


def test_a_teachers_try_of_a_bank_counts_nowhere(app, client, tess, article) -> None:
    tess.call("POST", "/banks", {"yaml": BANK}, status=201)
    owner = _account(db.session.get(Bank, "pull-back").owner_id)
    attempt = quiz.start_preview(owner.id, "pull-back")
    for item in quiz.load_attempt(attempt.id, owner.id).items:
        quiz.answer_question(attempt, item, key_response(quiz.question_of(item)))
    quiz.finish_attempt(attempt)
    from quizapp.services import progress

    assert progress.skill_mastery(owner.id)["recall"] is None
    assert db.session.execute(select(func.count(Attempt.id)).where(Attempt.kind == "full")).scalar_one() == 0


def test_checks_are_rate_limited_and_say_the_text_is_kept(app, client, tess) -> None:
    app.config["CHECK_LIMIT_PER_ACCOUNT"] = "2 per minute"
    for _ in range(2):
        tess.call("POST", "/banks/validate", {"yaml": BANK}, status=200)
    refused = tess.call("POST", "/banks/validate", {"yaml": BANK}, status=429)
    assert "text is kept" in refused["error"]


def test_loading_files_never_takes_over_a_bank_written_in_the_browser(app, tess, article, tmp_path) -> None:
    from quizapp.banks import validate_paths
    from quizapp.services.banks import sync_banks
    from tests.conftest import SEEDS

    tess.call("POST", "/banks", {"yaml": BANK}, status=201)
    path = tmp_path / "pull-back.yaml"
    path.write_text(BANK.replace("source: pulled-back\n", "").replace(
        "    evidence: {paragraph: 1, quote: \"The United Kingdom stopped sharing\"}\n", "").replace(
        "    evidence: {paragraph: 2, quote: \"Colombia suspended intelligence sharing\"}\n", ""))
    report = validate_paths([path], SEEDS)
    assert report.ok, report.problems
    loaded = sync_banks(report.banks)
    db.session.commit()
    assert loaded.banks["skipped"] == 1 and "skipped" in loaded.lines[0]
    bank = db.session.get(Bank, "pull-back")
    assert bank.owner_id is not None and bank.file_path is None and bank.source_yaml == BANK


def test_an_articles_photo_is_described_not_copied(app, client, tess) -> None:
    from quizapp.models import Article

    tess.call("POST", "/articles", {"title": "With a photo", "body": ARTICLE, "image": {
        "alt": "A bridge", "caption": "The bridge at dawn.", "credit": "A. Photographer"}}, status=201)
    assert db.session.get(Article, "with-a-photo").meta["image"] == {
        "alt": "A bridge", "caption": "The bridge at dawn.", "credit": "A. Photographer"}
    tess.call("POST", "/articles", {"title": "Odd photo", "body": ARTICLE, "image": {"src": "x"}},
              status=422)
