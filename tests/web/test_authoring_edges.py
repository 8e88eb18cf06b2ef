"""Authoring at its edges: a deleted author, ids already used, edits that keep what they do not
change, odd input, and the limits on checks."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Article, Bank, BankDraft
from quizapp.scoring import key_response
from quizapp.services import authoring, privacy, quiz
from quizapp.services import classes as classes_service
from quizapp.services.accounts import get_by_username
from quizapp.services.errors import Conflict
from tests.conftest import make_account, sign_in
from tests.web.test_api_authoring import ARTICLE, BANK


@pytest.fixture
def tess(app, client):
    make_account("tess", "teacher")
    sign_in(client, "tess")
    client.post("/teach/articles/new", data={"title": "Allies pull back", "article_id": "pulled-back",
                                            "body": ARTICLE, "published": "2025-11-14",
                                            "outlet": "Daily", "action": "save"})
    return client


def _publish(client, text: str = BANK, path: str = "/teach/banks/new"):
    return client.post(path, data={"yaml": text, "visibility": "private", "action": "publish"})


def test_a_deleted_authors_private_bank_stays_private(app, client, tess) -> None:
    assert _publish(tess).status_code == 303
    privacy.delete_account(get_by_username("tess").id)
    bank = db.session.get(Bank, "pull-back")
    assert bank.owner_id is None  # kept for the attempts made of it, but nobody's
    anonymous = app.test_client()
    assert anonymous.get("/quizzes/pull-back").status_code == 404
    assert "Allies pull back" not in anonymous.get("/").get_data(as_text=True)
    make_account("tom", "teacher")
    tom = app.test_client()
    sign_in(tom, "tom")
    assert tom.get("/teach/banks/pull-back").status_code == 404
    assert tom.get("/api/v1/banks/pull-back/source").status_code == 404


def test_publishing_a_new_bank_never_replaces_one_of_ones_own(tess) -> None:
    assert _publish(tess).status_code == 303
    again = _publish(tess, BANK.replace("title: Allies pull back", "title: Another quiz"))
    assert again.status_code == 422
    assert "You already have a bank with the id" in again.get_data(as_text=True)
    assert db.session.get(Bank, "pull-back").title == "Allies pull back"


def test_a_copy_gets_a_new_id_even_with_a_comment_on_the_id_line(tess) -> None:
    commented = BANK.replace("id: pull-back\n", "id: pull-back  # the bank's id\n")
    assert _publish(tess, commented).status_code == 303
    assert tess.post("/teach/banks/pull-back/copy").status_code == 303
    draft = db.session.execute(select(BankDraft)).scalar_one()
    assert "id: pull-back-copy  # the bank's id" in draft.yaml


def test_editing_an_article_keeps_its_published_date(tess) -> None:
    page = tess.get("/teach/articles/pulled-back/edit").get_data(as_text=True)
    assert 'value="2025-11-14"' in page
    saved = tess.post("/teach/articles/pulled-back/edit", data={
        "title": "Allies pull back", "body": ARTICLE + "\nOne more paragraph.\n", "outlet": "Daily",
        "published": "2025-11-14", "action": "save"})
    assert saved.status_code == 303
    assert db.session.get(Article, "pulled-back").meta["published"] == "2025-11-14"


def test_an_article_edit_cannot_break_the_evidence_an_attempt_was_shown(app, tess) -> None:
    assert _publish(tess).status_code == 303
    teacher = get_by_username("tess")
    room = classes_service.create_class(teacher, "Year 9")
    ada = make_account("ada")
    classes_service.add_member(room, ada)
    attempt = quiz.start_attempt(ada.id, "pull-back",
                                 assignment_id=classes_service.create_assignment(room, "pull-back").id)
    item = quiz.load_attempt(attempt.id, ada.id).items[0]
    quiz.answer_question(attempt, item, key_response(quiz.question_of(item)))
    # the question quoting paragraph 1 is removed from the bank (retired), the attempt keeps it
    without_uk = BANK[:BANK.index("  - id: uk")] + BANK[BANK.index("  - id: colombia"):]
    assert tess.post("/teach/banks/pull-back/edit", data={
        "yaml": without_uk, "visibility": "private", "action": "publish"}).status_code == 303
    article = db.session.get(Article, "pulled-back")
    moved = ARTICLE.replace("The United Kingdom stopped", "Britain stopped")
    with pytest.raises(Conflict, match="question 'uk'"):
        authoring.update_article(teacher, article, authoring.ArticleInput("Allies pull back", moved))


def test_a_new_version_without_visibility_keeps_the_banks(app, client, tess) -> None:
    tess.post("/teach/banks/new", data={"yaml": BANK, "visibility": "teachers", "action": "publish"})
    from tests.web.test_api import token_for

    token = token_for(app, "tess")
    response = app.test_client().put("/api/v1/banks/pull-back", json={"yaml": BANK},
                                     headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert db.session.get(Bank, "pull-back").visibility == "teachers"


@pytest.mark.parametrize("field", ["title", "body", "outlet"])
def test_a_control_character_in_an_article_is_refused_not_a_server_error(tess, field) -> None:
    data = {"title": "Odd", "body": "One paragraph.", "outlet": "", "action": "save",
            "article_id": "odd"}
    data[field] = data[field] + "\x00x" if data[field] else "x\x00"
    response = tess.post("/teach/articles/new", data=data)
    assert response.status_code == 422
    assert "control character" in response.get_data(as_text=True)
    assert db.session.get(Article, "odd") is None


def test_a_control_character_in_a_draft_or_upload_is_refused(tess) -> None:
    draft = tess.post("/teach/banks/new", data={"yaml": "format: 1\x00", "visibility": "private",
                                                "action": "draft"})
    assert draft.status_code == 422
    import io

    upload = tess.post("/teach/banks/upload", data={"file": (io.BytesIO(b"format: 1\x00"), "b.yaml")},
                       content_type="multipart/form-data")
    assert upload.status_code == 422
    assert db.session.execute(select(BankDraft)).first() is None


def test_a_library_bank_whose_file_is_gone_is_not_found(app, tess, tmp_path) -> None:
    from quizapp.banks import validate_paths
    from quizapp.services.banks import sync_banks
    from tests.conftest import FIXTURES, SEEDS

    path = tmp_path / "all-types.yaml"
    path.write_text((FIXTURES / "all-types.yaml").read_text())
    report = validate_paths([path], SEEDS)
    sync_banks(report.banks)
    db.session.commit()
    path.unlink()
    assert tess.get("/teach/banks/all-types/source.yaml").status_code == 404
    assert tess.post("/teach/banks/all-types/copy").status_code == 404


@pytest.mark.parametrize("body", [[1, 2], "text", 5, {"yaml": 5}, {"yaml": "x", "line": [1]}])
def test_the_preview_answers_a_body_of_the_wrong_shape_with_422(tess, body) -> None:
    response = tess.post("/teach/editor/preview", json=body)
    assert response.status_code == 422 and response.get_json()["error"]


def test_every_way_to_validate_counts_against_the_check_limit(app, tess) -> None:
    app.config["CHECK_LIMIT_PER_ACCOUNT"] = "3 per minute"
    statuses = [tess.post("/teach/banks/new", data={"yaml": "x: 1", "visibility": "private",
                                                    "action": "check"}).status_code for _ in range(2)]
    statuses.append(tess.post("/teach/editor/preview", json={"yaml": "x: 1", "line": 1}).status_code)
    statuses.append(tess.post("/teach/banks/new", data={"yaml": "x: 1", "visibility": "private",
                                                        "action": "check"}).status_code)
    assert statuses == [422, 422, 200, 429]


def test_the_sign_in_page_and_the_token_route_count_failures_together(app, client) -> None:
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per minute"
    make_account("ada")
    for _ in range(2):
        assert client.post("/login", data={"username": "ada", "password": "wrong!!!"}).status_code == 422
    assert client.post("/api/v1/tokens", json={"username": "ada", "password": "wrong!!!"}).status_code == 401
    limited = client.post("/api/v1/tokens", json={"username": "ada", "password": "correct horse"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert client.post("/login", data={"username": "ada", "password": "correct horse"}).status_code == 429
