"""Banks out to other systems and files in from them, for the API and the editor's pages.

Exports are for those who may read a bank's source; imports make a draft that
nothing saves until the teacher does, checked as the editor checks a text.
"""

from __future__ import annotations

from quizapp.interchange import (
    Exported,
    ImportFailed,
    ImportResult,
    SourceProblem,
    decode_content,
    export_bank,
    import_bank,
)
from quizapp.models import Account
from quizapp.services import authoring
from quizapp.services.errors import Conflict, Forbidden


def export(account: Account, bank_id: str, fmt: str) -> Exported:
    """The bank ``bank_id`` as a file of ``fmt``; 404 for those who may not read its source."""
    bank = authoring.readable_bank(account, bank_id)
    text = authoring.source_of(bank)
    checked = authoring.check_yaml(text, f"{bank.id}.yaml")
    if checked.bank is None:
        raise Conflict("This bank's text no longer passes the checks (its article may have changed): "
                       "open it in the editor and fix it first.")
    return export_bank(checked.bank.bank, fmt, source=text)


def import_file(account: Account, fmt: str, content: str | bytes, *, bank_id: str,
                title: str) -> tuple[ImportResult, authoring.Checked]:
    """A draft bank read from a file, and what the editor's checks say of it.

    ``content`` is text (GIFT), base64 text of a zip (the API), or the file's bytes (an upload).
    Raises :class:`ImportFailed` when the file cannot be read as ``fmt``.
    """
    if not account.is_teacher:
        raise Forbidden("Only teachers import questions.")
    raw = decode_content(fmt, content) if isinstance(content, str) else content
    result = import_bank(raw, fmt, bank_id=bank_id, title=title)
    text = result.yaml
    if len(text) > authoring.MAX_YAML_CHARS:
        raise ImportFailed([SourceProblem(
            f"the bank made from this file is longer than {authoring.MAX_YAML_CHARS:,} characters: "
            "split the file")])
    return result, authoring.check_yaml(text, f"{bank_id}.yaml")
