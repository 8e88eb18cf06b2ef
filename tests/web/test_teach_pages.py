"""Authoring in the browser without JavaScript: an article pasted, a bank written, checked,
fixed, published, tried, copied and assigned; and who may open these pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Article, Bank, BankDraft
from quizapp.services import classes as classes_service
from quizapp.services.accounts import get_by_username
from tests.conftest import FIXTURES, load_banks, make_account, sign_in
from tests.web.test_api_authoring import ARTICLE, BANK


@pytest.fixture
def teacher(app, client):
    make_account("tess", "teacher")
    sign_in(client, "tess")
    return client


def _article(client) -> None:
    response = client.post("/teach/articles/new", data={
        "title": "Allies pull back", "article_id": "pulled-back", "body": ARTICLE, "action": "save"})
    assert response.status_code == 303, response.text


def test_a_pasted_article_is_previewed_numbered_then_saved(teacher) -> None:
    preview = teacher.post("/teach/articles/new", data={
        "title": "Allies pull back", "body": ARTICLE, "action": "preview"})
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert re.search(r'para-number">2</span>\s*Colombia suspended', page)
    assert db.session.get(Article, "allies-pull-back") is None  # a preview saves nothing
    saved = teacher.post("/teach/articles/new", data={
        "title": "Allies pull back", "body": ARTICLE, "outlet": "The Daily Example", "author": "",
        "published": "2025-11-14", "url": "https://example.org/allies", "action": "save",
        "image_alt": "A bridge over a river", "image_caption": "The bridge at dawn.",
        "image_credit": "A. Photographer"})
    assert saved.status_code == 303
    article = db.session.get(Article, "allies-pull-back")
    assert len(article.paragraphs) == 3 and "author" not in article.meta
    reader = teacher.get(saved.headers["Location"]).get_data(as_text=True)
    assert "The Daily Example" in reader and "No author named" in reader
    assert '<time datetime="2025-11-14">' in reader and 'href="https://example.org/allies"' in reader
    assert 'id="p3"' in reader
    assert "A bridge over a river" in reader and "Credit: A. Photographer" in reader


def test_the_editor_checks_inserts_and_publishes_without_javascript(teacher) -> None:
    _article(teacher)
    page = teacher.get("/teach/banks/new?article=pulled-back")
    assert page.status_code == 200
    assert "source: pulled-back" in page.get_data(as_text=True)

    planted = BANK.replace("answer: United Kingdom", "answer: Spain")
    checked = teacher.post("/teach/banks/new", data={"yaml": planted, "visibility": "private",
                                                     "action": "check"})
    assert checked.status_code == 422
    text = checked.get_data(as_text=True)
    assert '>Line 10, column 13</a>: <span class="severity">Error</span>' in text
    assert "is not one of the choices" in text and "<code class=\"problem-line\">answer: Spain</code>" in text
    assert "Spain" in text  # the teacher's text is kept

    inserted = teacher.post("/teach/banks/new", data={"yaml": BANK, "visibility": "private",
                                                      "insert": "matching"})
    assert inserted.status_code == 200
    assert "id: new-matching" in inserted.get_data(as_text=True)

    refused = teacher.post("/teach/banks/new", data={"yaml": planted, "visibility": "private",
                                                     "action": "publish"})
    assert refused.status_code == 422 and db.session.get(Bank, "pull-back") is None
    published = teacher.post("/teach/banks/new", data={"yaml": BANK, "visibility": "private",
                                                       "action": "publish"})
    assert published.status_code == 303
    assert published.headers["Location"].endswith("/teach/banks/pull-back")
    shown = teacher.get("/teach/banks/pull-back", follow_redirects=True).get_data(as_text=True)
    assert "is published (2 new)" in shown
    assert "Answer:</strong> United Kingdom" in shown


def test_a_draft_keeps_an_invalid_text_and_students_never_see_it(app, teacher) -> None:
    _article(teacher)
    planted = BANK.replace("answer: United Kingdom", "answer: Spain")
    saved = teacher.post("/teach/banks/new", data={"yaml": planted, "visibility": "private",
                                                   "action": "draft"})
    assert saved.status_code == 303
    draft = db.session.execute(select(BankDraft)).scalar_one()
    assert draft.yaml == planted
    reopened = teacher.get(saved.headers["Location"]).get_data(as_text=True)
    assert "answer: Spain" in reopened and "is not one of the choices" in reopened
    make_account("ada")
    student = app.test_client()
    sign_in(student, "ada")
    assert student.get(saved.headers["Location"]).status_code == 403
    assert "pull-back" not in student.get("/").get_data(as_text=True)


def test_editing_a_published_bank_and_downloading_it(teacher) -> None:
    _article(teacher)
    teacher.post("/teach/banks/new", data={"yaml": BANK, "visibility": "private", "action": "publish"})
    page = teacher.get("/teach/banks/pull-back/edit").get_data(as_text=True)
    assert "id: pull-back" in page
    changed = BANK.replace("in the first paragraph?", "in paragraph 1?")
    done = teacher.post("/teach/banks/pull-back/edit", data={"yaml": changed, "visibility": "teachers",
                                                             "action": "publish"})
    assert done.status_code == 303
    assert db.session.get(Bank, "pull-back").visibility == "teachers"
    download = teacher.get("/teach/banks/pull-back/source.yaml")
    assert download.get_data(as_text=True) == changed
    assert "attachment" in download.headers["Content-Disposition"]


def test_a_bank_from_files_is_copied_to_adapt_it(app, teacher) -> None:
    load_banks(FIXTURES / "all-types.yaml")
    assert teacher.get("/teach/banks/all-types/edit").status_code == 403
    copied = teacher.post("/teach/banks/all-types/copy")
    assert copied.status_code == 303
    draft = db.session.execute(select(BankDraft)).scalar_one()
    assert "id: all-types-copy" in draft.yaml and draft.bank_id is None
    published = teacher.post(copied.headers["Location"], data={
        "yaml": draft.yaml, "visibility": "private", "action": "publish"})
    assert published.status_code == 303
    assert db.session.get(Bank, "all-types-copy").owner_id == get_by_username("tess").id


def test_a_published_bank_is_assigned_and_taken_by_the_class(app, teacher) -> None:
    _article(teacher)
    teacher.post("/teach/banks/new", data={"yaml": BANK, "visibility": "private", "action": "publish"})
    room = classes_service.create_class(get_by_username("tess"), "Year 9")
    ada = make_account("ada")
    classes_service.add_member(room, ada)
    response = teacher.post(f"/classes/{room.id}/assignments", data={"bank": "pull-back"})
    assert response.status_code == 303, response.text
    student = app.test_client()
    sign_in(student, "ada")
    assert "Allies pull back" in student.get("/").get_data(as_text=True)
    started = student.post("/quizzes/pull-back/start", data={"kind": "full"}, follow_redirects=True)
    assert started.status_code == 200
    assert "Which country stopped sharing" in started.get_data(as_text=True)


def test_a_teachers_try_is_taken_like_a_quiz(teacher) -> None:
    _article(teacher)
    teacher.post("/teach/banks/new", data={"yaml": BANK, "visibility": "private", "action": "publish"})
    tried = teacher.post("/teach/banks/pull-back/try", follow_redirects=True)
    assert tried.status_code == 200
    assert "Which country stopped sharing" in tried.get_data(as_text=True)


def test_the_preview_shows_the_question_under_the_cursor_with_its_key(teacher) -> None:
    _article(teacher)
    response = teacher.post("/teach/editor/preview", json={"yaml": BANK, "line": 14})
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "Colombia suspended" in html and "True" in html and "answer:</strong> true" in html.lower()
    broken = teacher.post("/teach/editor/preview", json={"yaml": "format: [", "line": 1}).get_json()
    assert "Line" in broken["html"]


def test_students_and_strangers_cannot_open_authoring_pages(app, client) -> None:
    assert client.get("/teach/banks").status_code == 302
    make_account("ada")
    sign_in(client, "ada")
    for path in ("/teach/banks", "/teach/banks/new", "/teach/articles/new"):
        assert client.get(path).status_code == 403


def test_another_teachers_private_bank_is_not_found(app, teacher) -> None:
    _article(teacher)
    teacher.post("/teach/banks/new", data={"yaml": BANK, "visibility": "private", "action": "publish"})
    make_account("tom", "teacher")
    tom = app.test_client()
    sign_in(tom, "tom")
    assert tom.get("/teach/banks/pull-back").status_code == 404
    assert tom.get("/teach/banks/pull-back/source.yaml").status_code == 404
    assert tom.post("/teach/banks/pull-back/copy").status_code == 404
    assert tom.get("/quizzes/pull-back").status_code == 404


def test_discarding_a_draft_asks_first_and_says_what_is_lost(teacher) -> None:
    saved = teacher.post("/teach/banks/new", data={"yaml": BANK, "visibility": "private",
                                                   "action": "draft"})
    draft_page = teacher.get(saved.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/teach/drafts/\d+/discard)"', draft_page).group(1)
    asked = teacher.get(link).get_data(as_text=True)
    assert "Its text is lost: 20 lines" in asked and "Nothing published changes" in asked
    assert db.session.execute(select(BankDraft)).scalar_one() is not None
    assert teacher.post(link).status_code == 303
    assert db.session.execute(select(BankDraft)).first() is None


def test_the_editor_page_allows_style_attributes_and_nothing_more(teacher) -> None:
    policy = teacher.get("/teach/banks/new").headers["Content-Security-Policy"]
    assert "style-src-attr 'unsafe-inline'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in teacher.get("/teach/banks").headers["Content-Security-Policy"]


def test_the_article_page_offers_a_teacher_to_write_a_bank_about_it(app, teacher) -> None:
    _article(teacher)
    page = teacher.get("/articles/pulled-back").get_data(as_text=True)
    assert 'href="/teach/banks/new?article=pulled-back"' in page
    make_account("ada")
    student = app.test_client()
    sign_in(student, "ada")
    assert "/teach/banks/new" not in student.get("/articles/pulled-back").get_data(as_text=True)
