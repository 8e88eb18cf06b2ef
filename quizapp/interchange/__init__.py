"""Questions to and from other systems: Moodle's GIFT, IMS QTI 2.1 and Canvas (QTI 1.2).

:func:`export_bank` writes a validated bank in a format; :func:`import_bank` reads a
file into a format-1 bank (a mapping, and YAML text by :func:`common.to_yaml`) that
the usual validator then checks. Both list what the format could not hold as
:class:`Note`; nothing is lost silently. docs/interchange.md maps every type.
"""

from __future__ import annotations

import base64
import binascii
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from quizapp.banks.schema import Bank
from quizapp.interchange.common import (
    MAX_QUESTIONS,
    MAX_TEXT_BYTES,
    MAX_ZIP_BYTES,
    NO_EXPLANATION,
    Deadline,
    Imported,
    ImportFailed,
    Note,
    SourceProblem,
    Written,
    to_yaml,
    unique_ids,
)

__all__ = ["FORMATS", "Exported", "ImportFailed", "ImportResult", "Note", "SourceProblem",
           "decode_content", "export_bank", "import_bank", "to_yaml"]


@dataclass(frozen=True)
class Format:
    name: str
    title: str
    media_type: str
    suffix: str
    binary: bool
    write: Callable[[Bank], Written] | None
    read: Callable[[bytes, Deadline], Imported] | None


_SPECS = {
    # name: (title, media type, file suffix, binary)
    "gift": ("Moodle GIFT", "text/plain; charset=utf-8", ".gift.txt", False),
    "qti21": ("IMS QTI 2.1 package", "application/zip", ".qti21.zip", True),
    "canvas": ("Canvas (QTI 1.2) package", "application/zip", ".canvas.zip", True),
}


def _format(name: str) -> Format | None:
    if name not in _SPECS:
        return None
    module = importlib.import_module(f"quizapp.interchange.{name}")
    title, media_type, suffix, binary = _SPECS[name]
    return Format(name, title, media_type, suffix, binary,
                  getattr(module, "write", None), getattr(module, "read", None))


FORMATS = ("yaml", "gift", "qti21", "canvas")


@dataclass(frozen=True)
class Exported:
    content: bytes
    media_type: str
    filename: str
    notes: list[Note]


def export_bank(bank: Bank, fmt: str, *, source: str | None = None) -> Exported:
    """The bank as a file of ``fmt``; ``source`` is its YAML text, which ``yaml`` returns as it is."""
    if fmt == "yaml":
        from quizapp.interchange.common import to_yaml as dump

        text = source if source is not None else dump(bank.model_dump(mode="json", exclude_none=True))
        return Exported(text.encode("utf-8"), "text/plain; charset=utf-8", f"{bank.id}.yaml", [])
    spec = _format(fmt)
    if spec is None or spec.write is None:
        raise ValueError(f"unknown format '{fmt}': one of {', '.join(FORMATS)}")
    written = spec.write(bank)
    return Exported(written.content, spec.media_type, f"{bank.id}{spec.suffix}", written.notes)


@dataclass
class ImportResult:
    """A draft bank in format 1, and what the source held that it could not keep."""

    data: dict[str, Any]
    notes: list[Note]

    @property
    def yaml(self) -> str:
        return to_yaml(self.data)


def importable_formats() -> tuple[str, ...]:
    return tuple(name for name in _SPECS if (spec := _format(name)) is not None and spec.read is not None)


def decode_content(fmt: str, content: str) -> bytes:
    """The bytes of an API import: text as UTF-8, a zip as base64."""
    spec = _format(fmt)
    if spec is not None and spec.binary:
        try:
            return base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise ImportFailed([SourceProblem(
                "content is not base64: send a zip package as base64")]) from None
    return content.encode("utf-8")


def import_bank(content: bytes, fmt: str, *, bank_id: str, title: str,
                deadline: Deadline | None = None) -> ImportResult:
    """Read a file of ``fmt`` into a format-1 bank with the given id and title."""
    spec = _format(fmt)
    if spec is None or spec.read is None:
        raise ImportFailed([SourceProblem(
            f"cannot import '{fmt}': one of {', '.join(importable_formats())}")])
    limit = MAX_ZIP_BYTES if spec.binary else MAX_TEXT_BYTES
    if len(content) > limit:
        raise ImportFailed([SourceProblem(f"the file is larger than {limit // 1024 // 1024} MiB")])
    imported = spec.read(content, deadline or Deadline())
    if not imported.questions:
        raise ImportFailed([SourceProblem("the file holds no question that can be imported")])
    if len(imported.questions) > MAX_QUESTIONS:
        raise ImportFailed([SourceProblem(f"the file holds more than {MAX_QUESTIONS} questions")])
    for question in imported.questions:
        if not str(question.get("explanation") or "").strip():
            question["explanation"] = NO_EXPLANATION
    unique_ids(imported.questions)
    data: dict[str, Any] = {"format": 1, "id": bank_id, "title": title}
    data.update({k: v for k, v in imported.bank.items() if k not in ("format", "id", "title")})
    data["questions"] = imported.questions
    return ImportResult(data, imported.notes)
