"""Teachers writing content in the browser: articles, bank drafts, saving and sharing banks.

Banks written here are loaded by the same code as ``quizapp load`` (new question
versions, retired questions, history never rescored). Who may see what:

- a bank loaded from files (``file_path`` set): everyone;
- a bank written in the browser: its author; with visibility ``teachers`` every
  teacher too (preview, assign, copy); and the students of classes that have an
  assignment of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.exc import IntegrityError

from quizapp.banks import ValidatedBank
from quizapp.banks.articles import SLUG, Block, split_blocks
from quizapp.banks.articles import Article as ArticleFile
from quizapp.banks.problems import Problem
from quizapp.extensions import db
from quizapp.models import (
    Account,
    Article,
    Assignment,
    AttemptQuestion,
    Bank,
    BankDraft,
    Membership,
    Question,
    QuestionVersion,
    utcnow,
)
from quizapp.services.banks import sync_banks
from quizapp.services.errors import Conflict, Forbidden, Invalid, NotFound

VISIBILITIES = ("private", "teachers")
#: The longest bank text the editor and the API accept (the same as a bank file).
MAX_YAML_CHARS = 1024 * 1024
#: The longest article body.
MAX_BODY_CHARS = 200_000


# -- who may see what ---------------------------------------------------------------------------


def visible_banks(account: Account | None) -> ColumnElement[bool]:
    """A condition on :class:`Bank`: the banks ``account`` may see (and take, when a student)."""
    from_files = Bank.file_path.is_not(None)
    if account is None:
        return from_files
    assigned = Bank.id.in_(
        select(Assignment.bank_id)
        .join(Membership, Membership.classroom_id == Assignment.classroom_id)
        .where(Membership.account_id == account.id)
    )
    shared = (Bank.visibility == "teachers") if account.is_teacher else false()
    return or_(from_files, Bank.owner_id == account.id, shared, assigned)


def can_see(account: Account | None, bank: Bank) -> bool:
    if bank.file_path is not None:
        return True
    if account is None:
        return False
    return db.session.execute(
        select(true()).where(Bank.id == bank.id, visible_banks(account))
    ).first() is not None


def visible_bank(account: Account | None, bank_id: str) -> Bank:
    """The bank, if ``account`` may see it; else :class:`NotFound`, as if it did not exist."""
    bank = db.session.get(Bank, bank_id) if bank_id.isprintable() else None
    if bank is None or not can_see(account, bank):
        raise NotFound("There is no such quiz.")
    return bank


def can_read_source(account: Account, bank: Bank) -> bool:
    """The author; any teacher when the bank is shared with teachers or comes from files."""
    if bank.owner_id is not None and bank.owner_id == account.id:
        return True
    return account.is_teacher and (bank.file_path is not None
                                   or (bank.owner_id is not None and bank.visibility == "teachers"))


def readable_bank(account: Account, bank_id: str) -> Bank:
    """A bank whose source and teacher's preview ``account`` may read; else 404."""
    bank = visible_bank(account, bank_id)
    if not can_read_source(account, bank):
        raise NotFound("There is no such quiz.")
    return bank


def own_bank(account: Account, bank_id: str) -> Bank:
    """A bank ``account`` wrote, for changing it: 404 when not visible, 403 when not theirs."""
    bank = visible_bank(account, bank_id)
    if bank.file_path is not None:
        raise Forbidden("This bank is loaded from files: copy it to change it.")
    if bank.owner_id != account.id:
        raise Forbidden("Only the bank's author can change it: copy it to adapt it.")
    return bank


# -- articles -----------------------------------------------------------------------------------


def slugify(text: str, limit: int = 64) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")
    return slug or "article"


def split_body(body: str) -> list[Block]:
    """Headings (``# ...``) and paragraphs (separated by blank lines), paragraphs numbered from
    1, exactly as the articles in ``seeds/`` are numbered. Plain text works too."""
    return list(split_blocks(body.replace("\r\n", "\n").replace("\r", "\n")))


def article_file(row: Article) -> ArticleFile:
    """A stored article as the validator reads articles."""
    return ArticleFile.from_blocks(row.id, row.title, row.blocks, dict(row.meta),
                                   content_hash=row.content_hash)


@dataclass
class ArticleInput:
    title: str
    body: str
    outlet: str | None = None
    author: str | None = None
    published: dt.date | None = None
    url: str | None = None
    #: The photo as the text describes it: alt text, caption, credit (the photo itself is not kept).
    image: dict[str, str] | None = None


def _meta(data: ArticleInput) -> dict[str, Any]:
    meta: dict[str, Any] = {"title": data.title}
    for key in ("outlet", "author", "url"):
        value = getattr(data, key)
        if value:
            meta[key] = value
    if data.published:
        meta["published"] = data.published.isoformat()
    image = {k: v.strip() for k, v in (data.image or {}).items()
             if k in ("alt", "caption", "credit") and isinstance(v, str) and v.strip()}
    if image:
        meta["image"] = image
    return meta


def _no_control_characters(text: str, what: str) -> None:
    if any(not ch.isprintable() and ch not in "\n\r\t" for ch in text):
        raise Invalid(f"The {what} holds a control character (such as NUL); remove it.")


def _check_article(data: ArticleInput) -> list[Block]:
    if not data.title.strip():
        raise Invalid("An article needs a title.")
    for value, what in ((data.title, "headline"), (data.body, "text"), (data.outlet or "", "outlet"),
                        (data.author or "", "author"), (data.url or "", "link"),
                        *((v, "photo's description") for v in (data.image or {}).values())):
        _no_control_characters(value, what)
    if len(data.body) > MAX_BODY_CHARS:
        raise Invalid(f"The text is longer than {MAX_BODY_CHARS:,} characters.")
    if data.url and not re.match(r"^https?://[^\s]+$", data.url):
        raise Invalid("The link must start with http:// or https://.")
    blocks = split_body(data.body)
    if not any(b.number for b in blocks):
        raise Invalid("The text has no paragraphs: paste the article's text.")
    return blocks


def _hash(meta: dict[str, Any], blocks: list[Block]) -> str:
    data = {"meta": meta, "blocks": [[b.text, b.number, b.level] for b in blocks]}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def create_article(owner: Account, data: ArticleInput, article_id: str | None = None) -> Article:
    """Store an article written in the browser; :class:`Conflict` when the id is taken."""
    if not owner.is_teacher:
        raise Forbidden("Only teachers add articles.")
    blocks = _check_article(data)
    article_id = article_id or slugify(data.title)
    if not SLUG.match(article_id):
        raise Invalid("An article id has lower-case letters, digits and dashes (at most 64).")
    if db.session.get(Article, article_id) is not None or (_seeds() / f"{article_id}.md").exists():
        raise Conflict(f"The article id '{article_id}' is taken: choose another.")
    meta = _meta(data)
    row = Article(id=article_id, title=data.title.strip(), meta=meta,
                  blocks=[{"text": b.text, "number": b.number, "level": b.level} for b in blocks],
                  content_hash=_hash(meta, blocks), owner_id=owner.id, body=data.body)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"The article id '{article_id}' is taken: choose another.") from None
    return row


def update_article(owner: Account, article: Article, data: ArticleInput) -> Article:
    """Change an article the teacher wrote, unless that would break a bank's evidence.

    A bank's evidence names a paragraph and a quote in it: a change that moves or
    removes a quoted passage is refused, naming the bank and question, so no
    student is ever pointed at the wrong paragraph.
    """
    if article.owner_id != owner.id:
        raise Forbidden("Only the article's author can change it.")
    blocks = _check_article(data)
    meta = _meta(data)
    candidate = ArticleFile.from_blocks(article.id, data.title, blocks, meta)
    broken = list(_broken_evidence(article.id, candidate))
    if broken:
        raise Conflict("This change would break the evidence of " + "; ".join(broken[:5])
                       + (f" and {len(broken) - 5} more" if len(broken) > 5 else "")
                       + ". Keep those paragraphs as they are, or change the questions first.")
    article.title, article.meta, article.body = data.title.strip(), meta, data.body
    article.blocks = [{"text": b.text, "number": b.number, "level": b.level} for b in blocks]
    article.content_hash = _hash(meta, blocks)
    db.session.commit()
    return article


def _broken_evidence(article_id: str, candidate: ArticleFile) -> Iterator[str]:
    asked = select(AttemptQuestion.question_version_id)
    current = (QuestionVersion.number == Question.version) & Question.retired_at.is_(None)
    rows = db.session.execute(
        select(Bank.id, QuestionVersion.content)
        .join(Question, Question.bank_id == Bank.id)
        .join(QuestionVersion, QuestionVersion.question_id == Question.id)
        .where(Bank.source_id == article_id, current | QuestionVersion.id.in_(asked))
        .order_by(Bank.id, Question.position, QuestionVersion.number)
    ).all()
    seen: set[str] = set()
    for bank_id, content in rows:
        evidence = content.get("evidence") or {}
        number, quote = evidence.get("paragraph"), evidence.get("quote")
        if not number:
            continue
        if candidate.paragraph(number) is None or (quote and not candidate.quote_in(quote, number)):
            where = f"bank '{bank_id}', question '{content['id']}' (paragraph {number})"
            if where not in seen:  # the current version, or one that attempts were asked
                seen.add(where)
                yield where


def _seeds() -> Path:
    return Path(current_app.config["SEEDS_DIR"])


def own_article(owner: Account, article_id: str) -> Article:
    article = db.session.get(Article, article_id) if article_id.isprintable() else None
    if article is None:
        raise NotFound("There is no such article.")
    if article.owner_id != owner.id:
        raise Forbidden("Only the article's author can change it.")
    return article


def articles_for(teacher: Account) -> list[Article]:
    """Articles a teacher can write banks about: the seeds and every article written here."""
    return list(db.session.execute(select(Article).order_by(Article.title)).scalars())


# -- validating bank text -------------------------------------------------------------------------


class _StoredArticles(Mapping[str, ArticleFile]):
    """Articles written in the browser, read from the database when a bank names one."""

    def __init__(self) -> None:
        self._cache: dict[str, ArticleFile | None] = {}

    def _load(self, key: str) -> ArticleFile | None:
        if key not in self._cache:
            row = db.session.get(Article, key) if key.isprintable() else None
            self._cache[key] = article_file(row) if row is not None and row.body is not None else None
        return self._cache[key]

    def __getitem__(self, key: str) -> ArticleFile:
        found = self._load(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._load(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(k for k, v in self._cache.items() if v is not None)

    def __len__(self) -> int:
        return sum(1 for v in self._cache.values() if v is not None)

    def __bool__(self) -> bool:  # empty until asked: still a source of articles
        return True


@dataclass
class Checked:
    """What the validator says of a bank text: errors, warnings, and the bank when valid."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    bank: ValidatedBank | None = None

    @property
    def valid(self) -> bool:
        return not self.problems and self.bank is not None

    def all(self) -> list[Problem]:
        return sorted(self.problems + self.warnings, key=lambda p: (p.line, p.column, p.warning))


def check_yaml(text: str, name: str = "bank.yaml") -> Checked:
    """Validate a bank text as ``quizapp validate`` does (errors and warnings, with positions)."""
    if len(text) > MAX_YAML_CHARS:
        return Checked([Problem(name, 1, 1, f"the text is longer than {MAX_YAML_CHARS:,} characters")])
    from quizapp.banks.validate import validate_text

    report = validate_text(text, name, _seeds(), articles=_StoredArticles())
    return Checked(list(report.problems), list(report.warnings),
                   report.banks[0] if report.banks and not report.problems else None)


# -- saving banks ----------------------------------------------------------------------------------


@dataclass
class Saved:
    bank: Bank
    changes: dict[str, int]


def _check_visibility(visibility: str | None) -> str:
    visibility = visibility or "private"
    if visibility not in VISIBILITIES:
        raise Invalid(f"Visibility is one of: {', '.join(VISIBILITIES)}.")
    return visibility


def save_bank(owner: Account, text: str, *, visibility: str | None = None,
              bank_id: str | None = None, new_only: bool = False) -> Saved:
    """Validate and load a bank written in the browser, as ``quizapp load`` loads files.

    ``bank_id`` (when editing) must be the text's id; with ``new_only`` (a new bank, a
    draft or a copy) the id must not be taken at all, the author's own banks included.
    Raises :class:`BankInvalid`
    with every problem when the text is not a valid bank; :class:`Conflict` when
    its id belongs to another author or to a bank from files.
    """
    if not owner.is_teacher:
        raise Forbidden("Only teachers write banks.")
    checked = check_yaml(text)
    if not checked.valid:
        raise BankInvalid(checked)
    assert checked.bank is not None  # noqa: S101 - valid means a bank
    new_id = checked.bank.bank.id
    if bank_id is not None and new_id != bank_id:
        raise Invalid(f"The text's id is '{new_id}'; this bank's id is '{bank_id}'. "
                      "To make another bank, copy this one.")
    existing = db.session.get(Bank, new_id)
    _check_id_free(existing, new_id, owner, new_only)
    if existing is not None and visibility is None:
        visibility = existing.visibility
    try:
        report = sync_banks([checked.bank], from_files=False)
        row = db.session.get(Bank, new_id)
        assert row is not None  # noqa: S101 - just loaded
        if existing is None and row.owner_id is not None and row.owner_id != owner.id:
            # saved by someone else since the check above
            raise Conflict(f"The id '{new_id}' was just taken: choose another id.")
    except (IntegrityError, Conflict):
        db.session.rollback()
        raise Conflict(f"The id '{new_id}' was just taken: choose another id.") from None
    row.file_path = None
    row.owner_id = owner.id
    row.visibility = _check_visibility(visibility)
    row.source_yaml = text
    try:
        db.session.commit()
    except IntegrityError:  # the same id saved by someone else at the same moment
        db.session.rollback()
        raise Conflict(f"The id '{new_id}' was just taken: choose another id.") from None
    changes = {key: report.questions.get(key, 0) for key in ("new", "changed", "unchanged", "retired")}
    return Saved(row, changes)


def _check_id_free(existing: Bank | None, bank_id: str, owner: Account, new_only: bool) -> None:
    if existing is None:
        return
    if existing.file_path is not None:
        raise Conflict(f"The id '{bank_id}' belongs to a bank loaded from files: choose another id.")
    if existing.owner_id != owner.id:
        raise Conflict(f"The id '{bank_id}' belongs to another teacher's bank: choose another id.")
    if new_only:
        raise Conflict(f"You already have a bank with the id '{bank_id}': give this one another id, "
                       "or open that bank to edit it.")


class BankInvalid(Invalid):
    """A bank text with errors; ``checked`` holds every problem."""

    def __init__(self, checked: Checked) -> None:
        count = len(checked.problems)
        super().__init__(f"The bank has {count} problem{'s' if count != 1 else ''}; "
                         "nothing was saved.")
        self.checked = checked


def set_visibility(owner: Account, bank_id: str, visibility: str) -> Bank:
    bank = own_bank(owner, bank_id)
    bank.visibility = _check_visibility(visibility)
    db.session.commit()
    return bank


def source_of(bank: Bank) -> str:
    """The YAML a bank was saved or loaded from."""
    if bank.source_yaml is not None:
        return bank.source_yaml
    if bank.file_path:
        try:
            return Path(bank.file_path).read_text(encoding="utf-8")
        except OSError:
            pass
    raise NotFound("This bank's text is not available.")


# -- drafts ------------------------------------------------------------------------------------------


def save_draft(owner: Account, text: str, *, draft_id: int | None = None,
               bank_id: str | None = None, visibility: str | None = None) -> BankDraft:
    """Keep a text as it is, valid or not; students never see drafts."""
    if not owner.is_teacher:
        raise Forbidden("Only teachers write banks.")
    if len(text) > MAX_YAML_CHARS:
        raise Invalid(f"The text is longer than {MAX_YAML_CHARS:,} characters.")
    _no_control_characters(text, "text")
    draft = own_draft(owner, draft_id) if draft_id is not None else None
    if draft is None and bank_id is not None:
        own_bank(owner, bank_id)
        draft = db.session.execute(
            select(BankDraft).where(BankDraft.owner_id == owner.id, BankDraft.bank_id == bank_id)
        ).scalars().first()
    if draft is None:
        draft = BankDraft(owner_id=owner.id, bank_id=bank_id, yaml=text)
        db.session.add(draft)
    draft.yaml = text
    draft.visibility = _check_visibility(visibility)
    draft.updated_at = utcnow()
    db.session.commit()
    return draft


def own_draft(owner: Account, draft_id: int) -> BankDraft:
    draft = db.session.get(BankDraft, draft_id)
    if draft is None or draft.owner_id != owner.id:
        raise NotFound("There is no such draft.")
    return draft


def draft_for(owner: Account, bank_id: str) -> BankDraft | None:
    return db.session.execute(
        select(BankDraft).where(BankDraft.owner_id == owner.id, BankDraft.bank_id == bank_id)
    ).scalars().first()


def drafts_of(owner: Account) -> list[BankDraft]:
    return list(db.session.execute(
        select(BankDraft).where(BankDraft.owner_id == owner.id).order_by(BankDraft.updated_at.desc())
    ).scalars())


def discard_draft(draft: BankDraft) -> None:
    db.session.delete(draft)
    db.session.commit()


def publish(owner: Account, text: str, *, draft: BankDraft | None = None,
            bank_id: str | None = None, visibility: str | None = None) -> Saved:
    """Save a bank from the editor; its draft, if any, is done with."""
    saved = save_bank(owner, text, visibility=visibility, bank_id=bank_id, new_only=bank_id is None)
    if draft is not None:
        discard_draft(draft)
    return saved


def copy_bank(owner: Account, bank: Bank) -> BankDraft:
    """A draft of a new bank with the text of ``bank`` under a new id, to adapt it."""
    if not owner.is_teacher or not can_read_source(owner, bank):
        raise NotFound("There is no such quiz.")
    text = source_of(bank)
    new_id = _free_id(f"{bank.id}-copy")
    text = re.sub(rf"(?m)^id:[ \t]*(['\"]?){re.escape(bank.id)}\1(?=[ \t]*(#.*)?$)", f"id: {new_id}",
                  text, count=1)
    return save_draft(owner, text)


def _free_id(base: str) -> str:
    base = base[:58]
    candidate, n = base, 1
    while db.session.get(Bank, candidate) is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def banks_by(owner: Account) -> list[Bank]:
    return list(db.session.execute(
        select(Bank).where(Bank.owner_id == owner.id).order_by(Bank.title)).scalars())


def shared_banks(teacher: Account) -> list[Bank]:
    """Banks other teachers share with every teacher."""
    return list(db.session.execute(
        select(Bank).where(Bank.visibility == "teachers", Bank.owner_id.is_not(None),
                           Bank.owner_id != teacher.id).order_by(Bank.title)).scalars())


def library_banks() -> list[Bank]:
    """Banks loaded from files."""
    return list(db.session.execute(
        select(Bank).where(Bank.file_path.is_not(None)).order_by(Bank.title)).scalars())


# -- the editor's preview ------------------------------------------------------------------------


@dataclass
class UnderCursor:
    """The question whose text holds the editor's cursor: its content when it is valid on its
    own (the rest of the bank may not be), else why not."""

    content: dict[str, Any] | None
    source: str | None
    message: str | None = None


def question_under(text: str, line: int) -> UnderCursor:
    from pydantic import ValidationError

    from quizapp.banks import question_adapter
    from quizapp.banks.yamlread import YamlError, read_yaml
    from quizapp.services.banks import question_content

    if len(text) > MAX_YAML_CHARS:
        return UnderCursor(None, None, "The text is too long to preview.")
    try:
        located = read_yaml(text.encode())
    except YamlError as error:
        return UnderCursor(None, None, f"Line {error.line}: {error.message}")
    data = located.data
    questions = data.get("questions") if isinstance(data, dict) else None
    source = data.get("source") if isinstance(data, dict) and isinstance(data.get("source"), str) else None
    if not isinstance(questions, list) or not questions:
        return UnderCursor(None, source, "There are no questions yet: add one with the buttons.")
    index = 0
    for i in range(len(questions)):
        if located.position(("questions", i))[0] <= line:
            index = i
    try:
        model = question_adapter.validate_python(questions[index])
    except ValidationError:
        return UnderCursor(None, source, f"Question {index + 1} has problems: see the list.")
    return UnderCursor(question_content(model), source)
