"""Loading validated banks and their articles into the database, with question versions."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from quizapp.banks import Article as ArticleFile
from quizapp.banks import Bank as BankFile
from quizapp.banks import ValidatedBank, question_adapter
from quizapp.banks.schema import Question as QuestionFile
from quizapp.extensions import db, init_migrations
from quizapp.models import Article, Bank, Question, QuestionVersion, utcnow


def upgrade_database() -> None:
    """Bring the database schema up to date (creating a SQLite file's folder if needed)."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    init_migrations(current_app)
    from flask_migrate import upgrade

    upgrade()


def content_hash(data: Any) -> str:
    """A stable hash of JSON-able data."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def question_content(question: QuestionFile) -> dict[str, Any]:
    return question.model_dump(mode="json", exclude_none=True)


def question_model(content: dict[str, Any]) -> QuestionFile:
    """Rebuild a stored question version's content for scoring and display."""
    return question_adapter.validate_python(content)


@dataclass
class LoadReport:
    """What a load changed: counts of banks and of questions by what happened to them."""

    banks: Counter[str] = field(default_factory=Counter)
    questions: Counter[str] = field(default_factory=Counter)
    articles: Counter[str] = field(default_factory=Counter)
    #: One line per bank: its id and what changed in it.
    lines: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            n for c in (self.banks, self.questions, self.articles) for k, n in c.items()
            if k != "unchanged"
        )


def _sync_article(file: ArticleFile, report: LoadReport) -> None:
    row = db.session.get(Article, file.id)
    blocks = [{"text": b.text, "number": b.number, "level": b.level} for b in file.blocks]
    if row is None:
        db.session.add(
            Article(
                id=file.id, title=file.title, meta=_jsonable(file.meta), blocks=blocks,
                content_hash=file.content_hash,
            )
        )
        report.articles["new"] += 1
    elif row.content_hash != file.content_hash:
        row.title, row.meta, row.blocks = file.title, _jsonable(file.meta), blocks
        row.content_hash = file.content_hash
        report.articles["changed"] += 1
    else:
        report.articles["unchanged"] += 1


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return result


def _header(bank: BankFile) -> dict[str, Any]:
    return bank.model_dump(mode="json", exclude={"questions"})


def sync_banks(validated: list[ValidatedBank], *, from_files: bool = True) -> LoadReport:
    """Bring the database in line with ``validated`` banks; the caller commits.

    New questions get version 1; a question whose content changed gets a new
    version (older versions stay, for the attempts that used them); a question
    no longer in its file is retired, not deleted. Banks not named are left alone.

    Loading files never touches a bank a teacher wrote in the browser (it is
    reported as skipped); ``from_files=False`` is that browser's own saving.
    """
    report = LoadReport()
    seen_articles: set[str] = set()
    for item in validated:
        if item.article is not None and item.article.id not in seen_articles:
            seen_articles.add(item.article.id)
            _sync_article(item.article, report)
    db.session.flush()
    for item in validated:
        existing = db.session.get(Bank, item.bank.id)
        if from_files and existing is not None and existing.file_path is None:
            report.banks["skipped"] += 1
            report.lines.append(f"bank '{item.bank.id}': skipped (a teacher wrote a bank with this "
                                "id in the browser; give the file another id)")
            continue
        _sync_bank(item, report)
    db.session.flush()
    return report


def _sync_bank(item: ValidatedBank, report: LoadReport) -> None:
    file = item.bank
    header = _header(file)
    header_hash = content_hash(header)
    row = db.session.get(Bank, file.id)
    fields = {
        "title": file.title,
        "description": file.description,
        "source_id": file.source,
        "tags": list(file.tags),
        "as_of": file.as_of,
        "review_by": file.review_by,
        "settings": header["settings"],
        "header_hash": header_hash,
        "file_path": str(item.path),
    }
    counts: Counter[str] = Counter()
    if row is None:
        row = Bank(id=file.id, **fields)
        db.session.add(row)
        bank_status = "new"
        existing: dict[str, tuple[Question, str]] = {}
    else:
        bank_status = "unchanged"
        if row.header_hash != header_hash:
            for name, value in fields.items():
                setattr(row, name, value)
            bank_status = "changed"
        rows = db.session.execute(
            select(Question, QuestionVersion.content_hash)
            .join(
                QuestionVersion,
                (QuestionVersion.question_id == Question.id)
                & (QuestionVersion.number == Question.version),
            )
            .where(Question.bank_id == file.id)
        ).all()
        existing = {q.key: (q, h) for q, h in rows}

    for position, question in enumerate(file.questions):
        content = question_content(question)
        digest = content_hash(content)
        found = existing.pop(question.id, None)
        if found is None:
            new = Question(bank_id=file.id, key=question.id, position=position, version=1)
            new.versions.append(QuestionVersion(number=1, content_hash=digest, content=content))
            db.session.add(new)
            counts["new"] += 1
            continue
        current, current_hash = found
        was_retired = current.retired_at is not None
        current.retired_at = None
        if current.position != position:
            current.position = position
            counts["moved"] += 1
        if current_hash != digest:
            current.version += 1
            db.session.add(
                QuestionVersion(
                    question_id=current.id, number=current.version,
                    content_hash=digest, content=content,
                )
            )
            counts["changed"] += 1
        elif was_retired:
            counts["restored"] += 1
        else:
            counts["unchanged"] += 1
    now = utcnow()
    for question, _hash in existing.values():
        if question.retired_at is None:
            question.retired_at = now
            counts["retired"] += 1
    if bank_status == "unchanged" and set(counts) - {"unchanged"}:
        bank_status = "changed"
    report.banks[bank_status] += 1
    moved = counts.pop("moved", 0)
    if bank_status == "unchanged" and moved:
        bank_status = "changed"
    report.questions.update(counts)
    detail = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()) if n)
    if moved:
        detail += f"; {moved} moved"
    report.lines.append(f"bank '{file.id}': {bank_status} ({detail or 'no questions'})")
