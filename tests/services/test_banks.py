"""Loading banks: new, unchanged, changed and retired questions, and one transaction."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from quizapp.banks import validate_paths
from quizapp.extensions import db
from quizapp.models import Article, Bank, Question, QuestionVersion
from quizapp.services.banks import question_model, sync_banks

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

BANK = """\
format: 1
id: people
title: People in the news
source: allies-intelligence-sharing
questions:
  - id: dni
    type: single
    prompt: Who is the Director of National Intelligence?
    explanation: The article names Tulsi Gabbard.
    choices: [Tulsi Gabbard, Kash Patel]
    answer: Tulsi Gabbard
    evidence: {paragraph: 9, quote: as Director of National Intelligence}
  - id: fbi
    type: short
    prompt: Who is the FBI director?
    explanation: Kash Patel.
    answer: Kash Patel
"""


def load(tmp_path: Path, text: str):
    path = tmp_path / "people.yaml"
    path.write_text(text)
    report = validate_paths([path], SEEDS)
    assert report.ok, report.problems
    result = sync_banks(report.banks)
    db.session.commit()
    return result


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_first_load_creates_the_article_bank_questions_and_versions(app, tmp_path) -> None:
    result = load(tmp_path, BANK)
    assert result.banks["new"] == 1 and result.questions["new"] == 2
    bank = db.session.get(Bank, "people")
    assert bank.title == "People in the news" and bank.article.title.startswith("What happens")
    assert len(db.session.get(Article, "allies-intelligence-sharing").paragraphs) == 18
    assert [q.key for q in bank.questions] == ["dni", "fbi"]
    dni = bank.questions[0]
    assert dni.current.number == 1
    assert question_model(dni.current.content).answer == "Tulsi Gabbard"


def test_loading_the_same_files_again_changes_nothing(app, tmp_path) -> None:
    load(tmp_path, BANK)
    again = load(tmp_path, BANK)
    assert not again.changed
    assert again.banks["unchanged"] == 1 and again.questions["unchanged"] == 2
    assert count(QuestionVersion) == 2


def test_an_edited_question_gets_a_new_version_and_keeps_the_old(app, tmp_path) -> None:
    load(tmp_path, BANK)
    result = load(tmp_path, BANK.replace("answer: Kash Patel", "answer: [Kash Patel, Patel]"))
    assert result.questions["changed"] == 1 and result.questions["unchanged"] == 1
    fbi = db.session.execute(select(Question).where(Question.key == "fbi")).scalar_one()
    assert [v.number for v in fbi.versions] == [1, 2]
    assert question_model(fbi.versions[0].content).answer == "Kash Patel"
    assert question_model(fbi.current.content).answer == ["Kash Patel", "Patel"]


def test_a_removed_question_is_retired_and_comes_back_when_restored(app, tmp_path) -> None:
    load(tmp_path, BANK)
    without_fbi = BANK[: BANK.index("  - id: fbi")]
    result = load(tmp_path, without_fbi)
    assert result.questions["retired"] == 1
    fbi = db.session.execute(select(Question).where(Question.key == "fbi")).scalar_one()
    assert fbi.retired_at is not None and fbi.versions  # history keeps it
    result = load(tmp_path, BANK)
    assert result.questions["restored"] == 1
    db.session.refresh(fbi)
    assert fbi.retired_at is None and fbi.version == 1


def test_a_changed_header_changes_the_bank_only(app, tmp_path) -> None:
    load(tmp_path, BANK)
    result = load(tmp_path, BANK.replace("title: People in the news", "title: Who is who"))
    assert result.banks["changed"] == 1 and result.questions["unchanged"] == 2
    assert db.session.get(Bank, "people").title == "Who is who"


def test_a_failure_midway_leaves_the_database_as_it_was(app, tmp_path, monkeypatch) -> None:
    load(tmp_path, BANK)
    path = tmp_path / "people.yaml"
    path.write_text(BANK.replace("title: People in the news", "title: Changed")
                    .replace("answer: Kash Patel", "answer: Patel"))
    report = validate_paths([path], SEEDS)
    from quizapp.services import banks as service

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "content_hash", explode)
    with pytest.raises(RuntimeError):
        try:
            sync_banks(report.banks)
        finally:
            db.session.rollback()
    assert db.session.get(Bank, "people").title == "People in the news"
    assert count(QuestionVersion) == 2
