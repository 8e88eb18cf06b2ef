"""The JSON API for authoring (teachers): articles, validating, saving and reading banks."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from flask import Response, jsonify
from flask_login import current_user
from pydantic import Field

from quizapp.extensions import limit_checks
from quizapp.models import Account
from quizapp.services import authoring
from quizapp.services.errors import Forbidden, NotFound
from quizapp.web.api import route
from quizapp.web.api_schemas import Reply, Request
from quizapp.web.display import teacher_view

Visibility = Literal["private", "teachers"]


def _me() -> Account:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _teacher() -> Account:
    me = _me()
    if not me.is_teacher:
        raise Forbidden("Only teachers write articles and banks.")
    return me


# -- bodies and replies -------------------------------------------------------------------------


class ImageRequest(Request):
    alt: str | None = Field(default=None, max_length=300)
    caption: str | None = Field(default=None, max_length=1000)
    credit: str | None = Field(default=None, max_length=300)


class ArticleRequest(Request):
    """A new article. `body` is Markdown or plain text: paragraphs are separated by blank lines
    and numbered from 1; lines starting with `#` are headings."""

    title: str = Field(min_length=1, max_length=500)
    body: str = Field(min_length=1, max_length=authoring.MAX_BODY_CHARS)
    id: str | None = Field(default=None, max_length=64,
                           description="lower-case letters, digits and dashes; from the title if left out")
    outlet: str | None = Field(default=None, max_length=200)
    author: str | None = Field(default=None, max_length=200)
    published: dt.date | None = None
    url: str | None = Field(default=None, max_length=1000)
    image: ImageRequest | None = Field(default=None, description="the photo as the text describes it")


class ArticleCreated(Reply):
    id: str
    title: str
    paragraphs: int = Field(description="how many numbered paragraphs the body has")


class Paragraph(Reply):
    n: int
    text: str


class ArticleReply(Reply):
    id: str
    title: str
    outlet: str | None
    author: str | None
    published: str | None
    url: str | None
    paragraphs: list[Paragraph]


class YamlRequest(Request):
    yaml: str = Field(max_length=authoring.MAX_YAML_CHARS)


class BankRequest(Request):
    yaml: str = Field(max_length=authoring.MAX_YAML_CHARS)
    visibility: Visibility | None = None


class ProblemReply(Reply):
    line: int
    column: int
    severity: Literal["error", "warning"]
    message: str


class ValidateReply(Reply):
    valid: bool
    problems: list[ProblemReply]


class Changes(Reply):
    new: int
    changed: int
    unchanged: int
    retired: int


class SavedReply(Reply):
    id: str
    changes: Changes


class SourceReply(Reply):
    yaml: str


class PreviewReply(Reply):
    questions: list[dict[str, Any]] = Field(
        description="every question as the teacher sees it: key, explanation, evidence")


def _problems(checked: authoring.Checked) -> list[ProblemReply]:
    return [ProblemReply(line=p.line, column=p.column, severity="warning" if p.warning else "error",
                         message=p.message) for p in checked.all()]


def _invalid(error: authoring.BankInvalid) -> Response:
    response = jsonify(error=error.message,
                       problems=[p.model_dump() for p in _problems(error.checked)])
    response.status_code = 422
    return response


# -- articles -------------------------------------------------------------------------------------


@route("POST", "/articles", summary="Add an article (teachers)", ok=201, reply=ArticleCreated,
       body=ArticleRequest, errors=(403, 409, 422))
def create_article(body: ArticleRequest) -> ArticleCreated:
    """Its paragraphs are numbered as the reader numbers them; banks cite them by number.
    409 when the id is taken."""
    row = authoring.create_article(_teacher(), authoring.ArticleInput(
        title=body.title, body=body.body, outlet=body.outlet, author=body.author,
        published=body.published, url=body.url,
        image=body.image.model_dump(exclude_none=True) if body.image else None), body.id)
    return ArticleCreated(id=row.id, title=row.title, paragraphs=len(row.paragraphs))


@route("GET", "/articles/<article_id>", summary="An article, paragraph by paragraph",
       reply=ArticleReply, errors=(404,))
def get_article(article_id: str) -> ArticleReply:
    """For anyone signed in: the text students read and banks cite."""
    from quizapp.services.progress import get_article as find

    row = find(article_id) if article_id.isprintable() else None
    if row is None:
        raise NotFound("There is no such article.")
    meta = row.meta or {}
    published = meta.get("published")
    return ArticleReply(
        id=row.id, title=row.title, outlet=meta.get("outlet"), author=meta.get("author"),
        published=str(published) if published else None, url=meta.get("url"),
        paragraphs=[Paragraph(n=n, text=text) for n, text in enumerate(row.paragraphs, start=1)],
    )


# -- banks ------------------------------------------------------------------------------------------


@route("POST", "/banks/validate", summary="Check a bank's text (teachers)", reply=ValidateReply,
       body=YamlRequest, errors=(403, 429))
@limit_checks()
def validate_bank(body: YamlRequest) -> ValidateReply:
    """Every error and warning, with its line and column, as `quizapp validate` gives them.
    Warnings never make a bank invalid."""
    _teacher()
    checked = authoring.check_yaml(body.yaml)
    return ValidateReply(valid=checked.valid, problems=_problems(checked))


@route("POST", "/banks", summary="Save a new bank, or a new version of one's own (teachers)",
       ok=201, reply=SavedReply, body=BankRequest, errors=(403, 409, 422, 429))
@limit_checks()
def create_bank(body: BankRequest) -> Any:
    """Loaded as `quizapp load` loads files. 422 with `problems` when invalid (nothing is
    saved); 409 when the id belongs to another author or to a bank loaded from files."""
    try:
        saved = authoring.save_bank(_teacher(), body.yaml, visibility=body.visibility)
    except authoring.BankInvalid as error:
        return _invalid(error)
    return SavedReply(id=saved.bank.id, changes=Changes(**saved.changes)), 201


@route("PUT", "/banks/<bank_id>", summary="Change one's own bank", reply=SavedReply,
       body=BankRequest, errors=(403, 404, 409, 422, 429))
@limit_checks()
def update_bank(bank_id: str, body: BankRequest) -> Any:
    """The text's `id` must be `bank_id`. Changed questions get new versions; attempts already
    made keep theirs. 403 for a bank from files or another teacher's; 404 when not visible."""
    me = _me()
    authoring.own_bank(me, bank_id)
    try:
        saved = authoring.save_bank(me, body.yaml, visibility=body.visibility, bank_id=bank_id)
    except authoring.BankInvalid as error:
        return _invalid(error)
    return SavedReply(id=saved.bank.id, changes=Changes(**saved.changes))


@route("GET", "/banks/<bank_id>/source", summary="A bank's YAML text", reply=SourceReply,
       errors=(404,))
def bank_source(bank_id: str) -> SourceReply:
    """For its author; for any teacher when it is shared with teachers or loaded from files."""
    bank = authoring.readable_bank(_me(), bank_id)
    return SourceReply(yaml=authoring.source_of(bank))


@route("GET", "/banks/<bank_id>/preview", summary="A bank as its teacher sees it",
       reply=PreviewReply, errors=(404,))
def bank_preview(bank_id: str) -> PreviewReply:
    """Every question with its key, explanation and evidence; for those who may read its source."""
    from quizapp.services.quiz import current_versions

    bank = authoring.readable_bank(_me(), bank_id)
    return PreviewReply(questions=[teacher_view(bank.source_id, v.content)
                                   for v in current_versions(bank.id)])
