"""Validating bank files: every problem of every file, as FILE:LINE:COL: message."""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from quizapp.banks.articles import Article, ArticleError, load_article
from quizapp.banks.problems import Problem
from quizapp.banks.schema import QUESTION_MODELS, QUESTION_TYPES, Bank, Evidence, Settings
from quizapp.banks.warnings import bank_warnings
from quizapp.banks.yamlread import MAX_FILE_BYTES, Located, YamlError, read_yaml

BANK_SUFFIXES = (".yaml", ".yml")


@dataclass
class ValidatedBank:
    """A bank that passed validation, with the file it came from and its article."""

    path: Path
    bank: Bank
    article: Article | None
    content_hash: str


@dataclass
class ValidationReport:
    banks: list[ValidatedBank] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def bank_files(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """The bank files named by ``paths`` (folders are searched for *.yaml and *.yml)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.suffix in BANK_SUFFIXES and p.is_file())
            )
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), 1, 1, "no such file or folder"))
    return files, problems


class _Articles:
    """Articles by id: those given first, then a seeds folder's, each read once,
    their problems reported once."""

    def __init__(
        self, seeds: Path, given: Mapping[str, Article] | None = None, *, where: str | None = None
    ) -> None:
        self.seeds = seeds
        self.given = given or {}
        #: Where articles are looked for, as messages say it.
        self.where = where or str(seeds)
        self.cache: dict[str, Article | None] = {}
        self.problems: list[Problem] = []

    def get(self, article_id: str) -> Article | None:
        if article_id in self.given:
            return self.given[article_id]
        if article_id not in self.cache:
            path = self.seeds / f"{article_id}.md"
            article = None
            if "/" not in article_id and path.is_file():
                try:
                    article = load_article(path)
                except ArticleError as exc:
                    self.problems.extend(exc.problems)
            self.cache[article_id] = article
        return self.cache[article_id]


def validate_paths(
    paths: list[Path], seeds: Path, *, today: dt.date | None = None
) -> ValidationReport:
    """Validate every bank file under ``paths`` against the articles in ``seeds``."""
    today = today or dt.date.today()
    report = ValidationReport()
    files, report.problems = bank_files(paths)
    report.files = len(files)
    articles = _Articles(seeds)
    bank_ids: dict[str, tuple[str, int]] = {}
    for path in files:
        name = str(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            report.problems.append(Problem(name, 1, 1, f"cannot read file: {exc.strerror}"))
            continue
        problems, bank = _validate_file(raw, name, articles)
        report.problems.extend(problems)
        if bank is None:
            continue
        bank_model, located, article = bank
        line, col = located.position(("id",))
        if bank_model.id in bank_ids:
            other, other_line = bank_ids[bank_model.id]
            report.problems.append(
                Problem(name, line, col, f"bank id '{bank_model.id}' is also used by {other}:{other_line}")
            )
            continue
        bank_ids[bank_model.id] = (name, line)
        report.warnings.extend(bank_warnings(bank_model, located, name, today=today))
        report.banks.append(
            ValidatedBank(path, bank_model, article, hashlib.sha256(raw).hexdigest())
        )
    report.problems.extend(articles.problems)
    report.problems.sort()
    report.warnings.sort()
    return report


def validate_text(
    raw: bytes | str,
    name: str,
    seeds: Path,
    *,
    articles: Mapping[str, Article] | None = None,
    today: dt.date | None = None,
) -> ValidationReport:
    """Validate one bank that is not a file (the browser editor's text, an upload).

    ``name`` stands for the file in messages and in the report's one bank
    (``path=Path(name)``), there when the bank is valid. The bank's ``source``
    is looked up in ``articles`` (those written in the app, by id) before the
    ``seeds`` folder. Messages name the folder by its name only, not where the
    server keeps it.
    """
    today = today or dt.date.today()
    # a lone surrogate (JSON allows "\ud800") is reported by the UTF-8 check, with its place
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    where = f"{seeds.name}/" + (" or among the articles written in the app" if articles is not None else "")
    found = _Articles(seeds, articles, where=where)
    report = ValidationReport(files=1)
    problems, result = _validate_file(data, name, found)
    report.problems = sorted(problems + found.problems)
    if result is not None and not report.problems:
        bank, located, article = result
        report.warnings = bank_warnings(bank, located, name, today=today)
        report.banks.append(ValidatedBank(Path(name), bank, article, hashlib.sha256(data).hexdigest()))
    return report


def validate_bytes(raw: bytes, name: str, seeds: Path) -> tuple[list[Problem], Bank | None]:
    """Validate one bank given as bytes (an upload, a test); ``name`` is used in messages."""
    report = validate_text(raw, name, seeds)
    return report.problems, report.banks[0].bank if report.banks else None


def _validate_file(
    raw: bytes, name: str, articles: _Articles
) -> tuple[list[Problem], tuple[Bank, Located, Article | None] | None]:
    if len(raw) > MAX_FILE_BYTES:
        return [
            Problem(name, 1, 1, f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,} (1 MiB)")
        ], None
    try:
        located = read_yaml(raw)
    except YamlError as exc:
        return [Problem(name, exc.line, exc.column, exc.message)], None
    data = located.data
    in_question = _question_labels(located, data)
    problems = [Problem(name, line, col, in_question(line) + msg) for line, col, msg in located.problems]
    if not isinstance(data, dict):
        problems.append(
            Problem(name, 1, 1, "a bank must be a mapping with format, id, title and questions")
        )
        return problems, None

    source = data.get("source")
    article = articles.get(source) if isinstance(source, str) else None
    context = {"source": source, "article": article, "seeds": articles.where}
    problems.extend(_duplicate_question_ids(data, located, name))
    try:
        bank = Bank.model_validate(data, context=context)
    except ValidationError as exc:
        problems.extend(_explain(exc, data, located, name))
        return problems, None
    if problems:
        return problems, None
    return problems, (bank, located, article)


def _question_labels(located: Located, data: Any) -> Callable[[int], str]:
    """A function of a line: ``question 'id': `` when it is inside a question, else nothing."""
    root = located.root
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list) or root is None:
        return lambda line: ""
    questions = next((v for k, v in root.value if getattr(k, "value", None) == "questions"), None)
    nodes = getattr(questions, "value", None)
    if not isinstance(nodes, list) or not nodes:
        return lambda line: ""
    starts = [node.start_mark.line + 1 for node in nodes]
    last = questions.end_mark.line + 1  # type: ignore[union-attr]

    def label(line: int) -> str:
        if line < starts[0] or line > last:
            return ""
        # the last question that starts on or before the line holds it
        index = bisect.bisect_right(starts, line) - 1
        question = data["questions"][index]
        qid = question.get("id") if isinstance(question, dict) else None
        return f"question '{qid}': " if isinstance(qid, str) else f"question number {index + 1}: "

    return label


def _duplicate_question_ids(data: dict[str, Any], located: Located, name: str) -> list[Problem]:
    questions = data.get("questions")
    problems = []
    first: dict[str, int] = {}
    for i, question in enumerate(questions if isinstance(questions, list) else []):
        qid = question.get("id") if isinstance(question, dict) else None
        if not isinstance(qid, str):
            continue
        if qid in first:
            line, col = located.position(("questions", i, "id"))
            earlier = located.position(("questions", first[qid], "id"))[0]
            problems.append(
                Problem(name, line, col, f"question id '{qid}' is used twice (first on line {earlier})")
            )
        else:
            first[qid] = i
    return problems


def _real_path(loc: tuple[Any, ...], data: Any) -> tuple[tuple[Any, ...], bool]:
    """The path of ``loc`` in ``data`` without pydantic's union and tag steps.

    Returns the path and whether its last step exists in the data.
    """
    path: list[Any] = []
    node = data
    for step in loc:
        if isinstance(node, dict) and isinstance(step, str) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        elif isinstance(node, dict) and step in _all_keys():
            path.append(step)
            return tuple(path), False
        else:
            continue
        path.append(step)
    return tuple(path), True


def _all_keys() -> set[str]:
    keys = set(Bank.model_fields) | set(Settings.model_fields) | set(Evidence.model_fields)
    for model in QUESTION_MODELS.values():
        keys |= set(model.model_fields)
    return keys


def _allowed_keys(path: tuple[Any, ...], data: Any) -> list[str]:
    if path == ():
        return list(Bank.model_fields)
    if path == ("settings",):
        return list(Settings.model_fields)
    if len(path) == 2 and path[0] == "questions":
        qtype = data["questions"][path[1]].get("type")
        return list(QUESTION_MODELS[qtype].model_fields) if qtype in QUESTION_MODELS else []
    if len(path) == 3 and path[0] == "questions" and path[2] == "evidence":
        return list(Evidence.model_fields)
    return []


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "empty"
    return "text"


def _message(err: dict[str, Any], path: tuple[Any, ...], exists: bool, data: Any) -> str:
    kind = err["type"]
    value = err.get("input")
    key = next((s for s in reversed(path) if isinstance(s, str)), "bank")
    if path and isinstance(path[-1], int):
        key = f"{key} item {path[-1] + 1}"
    if kind == "missing" or (not exists and kind != "extra_forbidden"):
        return f"missing required key '{path[-1]}'" if path else "missing required keys"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(path[:-1], data)
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"unknown key '{path[-1]}'{hint}"
    if kind == "union_tag_invalid":
        return f"unknown question type '{err['ctx']['tag']}'; use one of: {', '.join(QUESTION_TYPES)}"
    if kind == "union_tag_not_found":
        return "missing required key 'type'"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    if kind == "string_pattern_mismatch":
        return (
            f"'{key}' {value!r} is not a valid id: use lowercase letters, digits and hyphens, "
            "starting with a letter or digit, at most 64 characters"
        )
    if kind == "string_too_short" or (kind == "too_short" and isinstance(value, str)):
        return f"'{key}' must not be empty"
    if kind in ("too_short", "too_long"):
        bound = err["ctx"].get("min_length" if kind == "too_short" else "max_length")
        word = "at least" if kind == "too_short" else "at most"
        return f"'{key}' needs {word} {bound} entries, has {err['ctx'].get('actual_length')}"
    if kind in ("string_type", "bool_type", "int_type", "float_type", "list_type", "dict_type",
                "model_type", "date_type", "date_from_datetime_parsing", "date_parsing"):
        wanted = {
            "string_type": "text", "bool_type": "true or false", "int_type": "a whole number",
            "float_type": "a number", "list_type": "a list", "dict_type": "a mapping",
            "model_type": "a mapping", "date_type": "a date (YYYY-MM-DD)",
            "date_from_datetime_parsing": "a date (YYYY-MM-DD)", "date_parsing": "a date (YYYY-MM-DD)",
        }[kind]  # fmt: skip
        got = _describe(value)
        if got == "a number":
            got = repr(value)
        quote_hint = " (put it in quotes)" if kind == "string_type" and not isinstance(
            value, list | dict | type(None)) else ""
        return f"'{key}' must be {wanted}, not {got}{quote_hint}"
    if kind == "literal_error":
        return f"'{key}' must be {err['ctx']['expected']}, not {value!r}"
    if kind in ("greater_than", "greater_than_equal"):
        return f"'{key}' must be {'above' if kind == 'greater_than' else 'at least'} " + str(
            err["ctx"].get("gt", err["ctx"].get("ge"))
        )
    if kind == "finite_number":
        return f"'{key}' must be a finite number"
    return f"'{key}': {err['msg']}"


def _explain(exc: ValidationError, data: Any, located: Located, name: str) -> list[Problem]:
    # A value that fits none of a union's shapes errs once per shape; group by place and
    # keep the most specific errors (a range or rule broken beats a wrong type).
    grouped: dict[tuple[Any, ...], list[tuple[dict[str, Any], bool]]] = {}
    for err in exc.errors(include_url=False):
        path, exists = _real_path(err["loc"], data)
        if err["type"] == "union_tag_invalid":
            path, exists = (*path, "type"), True
        grouped.setdefault(path, []).append((err, exists))
    problems: dict[tuple[int, int, str], Problem] = {}
    for path, errors in grouped.items():
        specific = [(e, x) for e, x in errors if not e["type"].endswith("_type")]
        # int | float: say "a number", not "a whole number"
        errors.sort(key=lambda pair: pair[0]["type"] != "float_type")
        for err, exists in specific or errors[:1]:
            message = _message(err, path, exists, data)
            if err["type"] == "extra_forbidden":
                line, col = located.position(path, key=True)
            elif exists:
                line, col = located.position(path)
            else:
                line, col = located.position(path[:-1])
            if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
                question = data["questions"][path[1]]
                qid = question.get("id") if isinstance(question, dict) else None
                label = f"'{qid}'" if isinstance(qid, str) else f"number {path[1] + 1}"
                message = f"question {label}: {message}"
            problems[(line, col, message)] = Problem(name, line, col, message)
    return list(problems.values())
