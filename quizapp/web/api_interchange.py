"""The JSON API for interchange: a bank out as GIFT, QTI 2.1 or Canvas, and such a file in."""

from __future__ import annotations

import json
from typing import Literal

from flask import Response, jsonify
from pydantic import Field

from quizapp.banks.schema import SLUG_PATTERN
from quizapp.extensions import limit_checks
from quizapp.interchange import ImportFailed
from quizapp.services import interchange
from quizapp.web.api import route
from quizapp.web.api_authoring import ProblemReply, _me, _teacher
from quizapp.web.api_schemas import Query, Reply, Request

ExportFormat = Literal["yaml", "gift", "qti21", "canvas"]
ImportFormat = Literal["gift", "qti21", "canvas"]


class ExportQuery(Query):
    format: ExportFormat = Field(
        description="yaml (the bank's own text), gift (Moodle), qti21 (IMS QTI 2.1 package), "
                    "canvas (QTI 1.2 package for Canvas classic quizzes)")


class ImportRequest(Request):
    format: ImportFormat
    content: str = Field(max_length=3 * 1024 * 1024,
                         description="the file: its text for gift, base64 for a zip package")
    id: str = Field(pattern=SLUG_PATTERN, description="the new bank's id")
    title: str = Field(min_length=1, max_length=500, description="the new bank's title")


class DroppedReply(Reply):
    question: str | None = Field(description="the question's name or id in the file; null for the file")
    reason: str


class ImportReply(Reply):
    yaml: str = Field(description="a draft bank in format 1, saved by nothing")
    problems: list[ProblemReply] = Field(description="what `validate` says of the draft")
    dropped: list[DroppedReply] = Field(description="what the file held that the draft could not keep")


@route("GET", "/banks/<bank_id>/export", summary="A bank as a file of another format",
       query=ExportQuery, errors=(404, 409), files=("text/plain; charset=utf-8", "application/zip"))
def export_bank(bank_id: str, query: ExportQuery) -> Response:
    """For those who may read the bank's source. What the format cannot hold is listed, as JSON,
    in the `Quizapp-Dropped` header (and in the file, where the format has comments)."""
    exported = interchange.export(_me(), bank_id, query.format)
    response = Response(exported.content, mimetype=exported.media_type.split(";")[0])
    if exported.media_type.startswith("text/"):
        response.mimetype = "text/plain"
        response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response.headers["Quizapp-Dropped"] = json.dumps([n.as_dict() for n in exported.notes])
    response.headers["Cache-Control"] = "private, no-store"
    return response


@route("POST", "/banks/import", summary="Read a GIFT, QTI 2.1 or Canvas file into a draft bank",
       body=ImportRequest, reply=ImportReply, errors=(403, 429))
@limit_checks()
def import_bank(body: ImportRequest) -> ImportReply | Response:
    """Teachers. The draft is returned, not saved: check it, then save it with `POST /banks`.
    A file that cannot be read is a 422 with every problem, at its line (GIFT) or item (QTI)."""
    try:
        result, checked = interchange.import_file(_teacher(), body.format, body.content,
                                                  bank_id=body.id, title=body.title)
    except ImportFailed as failed:
        response = jsonify(error="The file cannot be imported; nothing was changed.",
                           problems=[p.as_dict() for p in failed.problems])
        response.status_code = 422
        return response
    return ImportReply(
        yaml=result.yaml,
        problems=[ProblemReply(line=p.line, column=p.column, severity="warning" if p.warning else "error",
                               message=p.message) for p in checked.all()],
        dropped=[DroppedReply(**n.as_dict()) for n in result.notes])
