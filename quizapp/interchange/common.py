"""What every interchange format shares: notes, limits, metadata, safe zips and XML.

Other formats hold less than a format-1 bank. What they cannot hold as questions
(the skill, the evidence, ``as_of``, an exact short answer, a question id) travels in
a one-line JSON comment, ``quizapp: {...}``, that Moodle and Canvas ignore and our
importer reads back, so a round trip keeps it. The evidence is also appended to the
general feedback in words, for the students of the other system.
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder  # noqa: S405 - types and tree only; parsing is defused

import yaml
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, fromstring

from quizapp.banks.schema import SLUG_PATTERN, Bank, Question

MAX_TEXT_BYTES = 1024 * 1024  # a GIFT file, as a bank file
MAX_ZIP_BYTES = 2 * 1024 * 1024  # a package as uploaded (the server takes 2 MiB requests)
MAX_ZIP_MEMBERS = 1010  # a package of the most questions, with its manifest
MAX_MEMBER_BYTES = 8 * 1024 * 1024  # one file, unpacked (a Canvas quiz of 1,000 questions is one file)
MAX_UNPACKED_BYTES = 20 * 1024 * 1024  # every file, unpacked
MAX_RATIO = 100  # unpacked size over packed size, per member: more is a compression bomb
MAX_SECONDS = 5.0  # an import that takes longer stops
MAX_QUESTIONS = 1000
MAX_ANSWERS = 50  # choices, answers or pairs in one question (a bank takes at most 10 choices)
MAX_PROBLEMS = 100  # problems listed for one file; the rest are counted
MAX_DEPTH = 100  # elements inside one another in an XML document

META_PREFIX = "quizapp:"
BANK_META_PREFIX = "quizapp-bank:"
NO_EXPLANATION = (
    "The imported file gave no explanation for this question. Write one: say why the answer "
    "is right, and which paragraph of the article shows it."
)
# bank keys that travel in the bank comment; id and title are given on import
BANK_META_KEYS = ("description", "source", "tags", "as_of", "review_by", "settings")
# question keys that other formats have no place for
QUESTION_META_KEYS = ("id", "type", "points", "skill", "difficulty", "as_of", "evidence", "exact", "partial")


@dataclass(frozen=True)
class Note:
    """A question, or part of one, that a format could not hold: left out or changed, and why."""

    question: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"question": self.question, "reason": self.reason}

    def __str__(self) -> str:
        if not self.question:
            return self.reason
        if self.question.startswith("at line "):  # a question without a name or id
            return f"the question {self.question}: {self.reason}"
        return f"question '{self.question}': {self.reason}"


@dataclass(frozen=True)
class SourceProblem:
    """A mistake in an imported file: at a line and column (GIFT) or in an item (QTI)."""

    message: str
    line: int = 1
    column: int = 1
    item: str | None = None

    def as_dict(self) -> dict[str, Any]:
        message = f"{self.item}: {self.message}" if self.item else self.message
        return {"line": self.line, "column": self.column, "severity": "error", "message": message}

    def __str__(self) -> str:
        where = self.item or f"{self.line}:{self.column}"
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """The file cannot be read as its format; ``problems`` says where and why.

    At most :data:`MAX_PROBLEMS` are kept, the last of them counting the rest.
    """

    def __init__(self, problems: list[SourceProblem]) -> None:
        if len(problems) > MAX_PROBLEMS:
            more = len(problems) - MAX_PROBLEMS + 1
            problems = [*problems[:MAX_PROBLEMS - 1],
                        SourceProblem(f"and {more:,} more problems like these", line=problems[-1].line)]
        super().__init__("; ".join(str(p) for p in problems[:5]))
        self.problems = problems


@dataclass
class Imported:
    """What a reader found: format-1 question mappings, bank metadata, and notes on losses."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    bank: dict[str, Any] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)


@dataclass
class Written:
    """What a writer made: the file and notes on what it could not hold."""

    content: bytes
    notes: list[Note] = field(default_factory=list)


class Deadline:
    """Stops an import that runs too long, checked between questions and items."""

    def __init__(self, seconds: float = MAX_SECONDS) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise ImportFailed([SourceProblem(
                f"the file took longer than {self.seconds:g} seconds to read; split it into smaller files"
            )])


# -- metadata --------------------------------------------------------------------------------------


def question_meta(question: Question) -> dict[str, Any]:
    """The keys of a question that another format has no place for, as JSON values."""
    data = question.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    meta = {key: data[key] for key in QUESTION_META_KEYS if key in data}
    meta["id"] = question.id
    meta["type"] = question.type
    return meta


def bank_meta(bank: Bank) -> dict[str, Any]:
    data = bank.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return {key: data[key] for key in BANK_META_KEYS if key in data}


def meta_text(meta: dict[str, Any], prefix: str = META_PREFIX) -> str:
    """One line: ``quizapp: {"skill": "recall", ...}``."""
    return f"{prefix} {json.dumps(meta, ensure_ascii=False, sort_keys=True, separators=(', ', ': '))}"


def read_meta(text: str, prefix: str = META_PREFIX) -> dict[str, Any] | None:
    """The mapping of a metadata line, or None when the line is something else."""
    text = text.strip()
    if not text.startswith(prefix):
        return None
    try:
        value = json.loads(text[len(prefix):])
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    # a comment anyone can edit: keep only the keys, and only of the types, that quizapp writes
    return {key: item for key, item in value.items() if key in META_TYPES and META_TYPES[key](item)}


def _text(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 10_000


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1e9


def _date(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None


def _evidence(value: Any) -> bool:
    return (isinstance(value, dict) and set(value) <= {"paragraph", "quote"}
            and isinstance(value.get("paragraph"), int) and not isinstance(value.get("paragraph"), bool)
            and 0 < value["paragraph"] < 100_000 and ("quote" not in value or _text(value["quote"])))


def _settings(value: Any) -> bool:
    keys = {"shuffle_choices", "time_limit_seconds", "max_attempts"}
    return (isinstance(value, dict) and set(value) <= keys
            and all(isinstance(v, bool) if k == "shuffle_choices" else isinstance(v, int)
                    and not isinstance(v, bool) and v > 0 for k, v in value.items()))


#: what a metadata comment may hold, key by key (bank and question keys together)
META_TYPES: dict[str, Any] = {
    "id": _text, "type": _text, "points": _number, "skill": _text, "difficulty": _text,
    "as_of": _date, "review_by": _date, "evidence": _evidence,
    "exact": lambda v: isinstance(v, bool), "partial": lambda v: isinstance(v, bool),
    "description": _text, "source": _text, "settings": _settings,
    "tags": lambda v: isinstance(v, list) and len(v) <= 100 and all(_text(t) for t in v),
}


def evidence_words(evidence: dict[str, Any] | None) -> str:
    """The evidence as a sentence for the general feedback of another system."""
    if not evidence:
        return ""
    words = f"Evidence: paragraph {evidence['paragraph']}"
    if evidence.get("quote"):
        words += f": \u201c{evidence['quote']}\u201d"
    return words


def general_feedback(question: Question) -> str:
    """The explanation, then the evidence in words."""
    meta = question.evidence.model_dump(exclude_none=True) if question.evidence else None
    words = evidence_words(meta)
    return f"{question.explanation}\n\n{words}" if words else question.explanation


def explanation_from(feedback: str | None, meta: dict[str, Any]) -> str:
    """Undo :func:`general_feedback`: drop the evidence sentence that the metadata also holds."""
    text = (feedback or "").strip()
    words = evidence_words(meta.get("evidence"))
    if words and text.endswith(words):
        text = text[: -len(words)].rstrip()
    return text or NO_EXPLANATION


def apply_meta(question: dict[str, Any], meta: dict[str, Any] | None) -> dict[str, Any]:
    """Put back what the metadata line kept (never the type, which the reader decides)."""
    for key in QUESTION_META_KEYS:
        if meta and key in meta and key != "type":
            question[key] = meta[key]
    return question


# -- ids -------------------------------------------------------------------------------------------


def slug(text: str, fallback: str) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64].strip("-")
    return value or fallback


def unique_ids(questions: list[dict[str, Any]]) -> None:
    """Give every question a distinct slug id, keeping ids that already are."""
    seen: set[str] = set()
    for number, question in enumerate(questions, start=1):
        given = str(question.get("id") or "")
        base = given if re.fullmatch(SLUG_PATTERN, given) else slug(given, f"q{number}")
        candidate, n = base, 2
        while candidate in seen:
            suffix = f"-{n}"
            candidate, n = base[: 64 - len(suffix)] + suffix, n + 1
        question["id"] = candidate
        seen.add(candidate)


# -- YAML ------------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)

KEY_ORDER = ("format", "id", "title", "description", "source", "tags", "as_of", "review_by",
             "settings", "questions", "type", "prompt", "choices", "answer", "items", "pairs",
             "distractors", "tolerance", "exact", "partial", "feedback", "explanation", "points",
             "skill", "difficulty", "evidence")


def _ordered(value: Any) -> Any:
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (KEY_ORDER.index(k) if k in KEY_ORDER else len(KEY_ORDER)))
        if "id" in value and "type" in value:  # a question: its id first
            keys.remove("id")
            keys.insert(0, "id")
        return {k: _ordered(value[k]) for k in keys}
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


def to_yaml(data: dict[str, Any]) -> str:
    """A format-1 bank as YAML text, keys in the order authors write them."""
    return yaml.dump(_ordered(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=100, default_flow_style=False)


# -- zips and XML ----------------------------------------------------------------------------------


def read_zip(data: bytes) -> dict[str, bytes]:
    """The files of a zip, refusing what could harm the server or write outside a folder."""
    if len(data) > MAX_ZIP_BYTES:
        raise ImportFailed([SourceProblem(f"the package is larger than {MAX_ZIP_BYTES // 1024 // 1024} MiB")])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportFailed([SourceProblem("the file is not a zip package")]) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportFailed([SourceProblem(f"the package holds more than {MAX_ZIP_MEMBERS} files")])
    files: dict[str, bytes] = {}
    total = 0
    for info in members:
        name = info.filename
        if info.is_dir():
            continue
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
            raise ImportFailed([SourceProblem("a file name leads outside the package", item=name)])
        if info.file_size > MAX_MEMBER_BYTES:
            raise ImportFailed([SourceProblem(
                f"the file is larger than {MAX_MEMBER_BYTES // 1024 // 1024} MiB unpacked", item=name)])
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise ImportFailed([SourceProblem("the file is packed too tightly to be a question file "
                                              "(a compression bomb)", item=name)])
        total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise ImportFailed([SourceProblem(
                f"the package unpacks to more than {MAX_UNPACKED_BYTES // 1024 // 1024} MiB")])
        try:
            with archive.open(info) as member:
                # the sizes in a zip's directory can lie: read no more than allowed
                content = member.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, NotImplementedError):
            raise ImportFailed([SourceProblem("the file cannot be unpacked", item=name)]) from None
        if len(content) > MAX_MEMBER_BYTES:
            raise ImportFailed([SourceProblem(
                f"the file is larger than {MAX_MEMBER_BYTES // 1024 // 1024} MiB unpacked", item=name)])
        files["/".join(p for p in parts if p not in ("", "."))] = content
    return files


def parse_xml(data: bytes, name: str, *, comments: bool = False) -> Element:
    """An XML document read with no entities, no DTD and no external references.

    With ``comments``, the comments inside the root element are kept in the tree (as
    ``xml.etree.ElementTree.Comment`` nodes), for readers of a metadata comment.
    """
    try:
        if comments:
            parser = DefusedXMLParser(target=TreeBuilder(insert_comments=True), forbid_dtd=True,
                                      forbid_entities=True, forbid_external=True)
            parser.feed(data)
            root = parser.close()
        else:
            root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ImportFailed([SourceProblem(
            "the XML declares a DTD or entities, which are refused", item=name)]) from None
    except ParseError as error:
        line, column = getattr(error, "position", (1, 0))
        raise ImportFailed([SourceProblem(f"not well-formed XML ({error})", line=line,
                                          column=column + 1, item=name)]) from None
    _shallow(root, name)
    return root


def _shallow(root: Element, name: str) -> None:
    """Refuse a document nested deeper than :data:`MAX_DEPTH` (walked without recursion)."""
    pending = [(root, 1)]
    while pending:
        element, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise ImportFailed([SourceProblem(
                f"elements are nested more than {MAX_DEPTH} deep, which no question needs", item=name)])
        pending.extend((child, depth + 1) for child in element)


def write_zip(files: dict[str, bytes]) -> bytes:
    """A zip of the given files, in the given order, with fixed times (the same bank, the same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()
