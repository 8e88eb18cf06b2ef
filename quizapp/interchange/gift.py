"""Moodle's GIFT format, written and read as Moodle's importer reads it.

The rules follow Moodle's GIFT importer (question/format/gift/format.php,
``qformat_gift::readquestion``) and its documentation (docs.moodle.org, "GIFT
format"); tests/interchange/test_gift.py names the rule each test checks:

- questions are separated by blank lines; lines starting with ``//`` are comments;
- ``$CATEGORY: path`` switches category; ``::name::`` names a question;
- the answers are between the first ``{`` and the first ``}``; text after the
  ``}`` makes a "missing word" question (the blank is shown as ``_____``);
- ``####`` starts the general feedback; ``#`` the feedback of one answer;
- ``[markdown]``, ``[html]``, ``[plain]`` or ``[moodle]`` at the start of a text
  gives its format;
- the type is read from the answers: none is an essay, ``#`` numerical, a ``~``
  multiple choice (single when one answer has ``=``), ``=`` with ``->``
  matching, ``T``/``TRUE``/``F``/``FALSE`` true/false, anything else short answer;
- weights ``%50%`` follow ``~`` or ``=``, and must be one of Moodle's grades;
- ``\\~ \\= \\# \\{ \\} \\: \\n \\\\`` are escapes.

GIFT has no ordering type: an ordering question is written as a matching of each
place to its item, and listed in the notes. What GIFT cannot hold (points, skill,
evidence, exact, as_of, the question id) travels in a ``// quizapp: {...}`` comment.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from quizapp.banks.schema import (
    SKILLS,
    Bank,
    MatchingQuestion,
    MultipleQuestion,
    NumericQuestion,
    OrderingQuestion,
    Question,
    ShortQuestion,
    SingleQuestion,
    TrueFalseQuestion,
)
from quizapp.interchange.common import (
    BANK_META_PREFIX,
    MAX_ANSWERS,
    MAX_PROBLEMS,
    MAX_QUESTIONS,
    Deadline,
    Imported,
    ImportFailed,
    Note,
    SourceProblem,
    Written,
    apply_meta,
    bank_meta,
    explanation_from,
    general_feedback,
    meta_text,
    question_meta,
    read_meta,
)

ESCAPES = {"\\": "\\", ":": ":", "#": "#", "=": "=", "{": "{", "}": "}", "~": "~", "n": "\n"}
FORMATS = ("moodle", "html", "plain", "markdown")
# Moodle's grades (question_bank::fraction_options_full), as fractions
MOODLE_FRACTIONS = (1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3,
                    0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0)
# the share of each right answer of n, as Moodle writes it
SHARES = {1: "100", 2: "50", 3: "33.33333", 4: "25", 5: "20", 6: "16.66667", 7: "14.28571",
          8: "12.5", 9: "11.11111", 10: "10"}
WEIGHT = re.compile(r"^%(-*[0-9]{1,2}\.?[0-9]*)%")
UNNAMED = "at line "  # how a question without a name is called in notes
ORDER_HINT = "Match each place in the order (1 is first) to its item."


# -- writing ---------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Moodle's ``repchar``: the reserved characters escaped, line breaks as ``\\n``."""
    out = text.replace("\\", "\\\\")
    for char in "#=~{}:":
        out = out.replace(char, "\\" + char)
    return out.replace("\r", "").replace("\n", "\\n")


def _formatted(text: str) -> str:
    # a text read through Moodle's parse_text_with_format loses a leading "[...]": say "markdown" first
    return ("[markdown]" if text.startswith("[") else "") + escape(text)


def _answer(text: str) -> str:
    # an answer that starts with "%" would be read as a weight: give its weight first
    return _formatted(text)


def _number(value: float | int) -> str:
    return str(value) if isinstance(value, int) else repr(value)


def write(bank: Bank) -> Written:
    notes: list[Note] = []
    lines = [f"// {meta_text(bank_meta(bank), BANK_META_PREFIX)}",
             f"// {' '.join(bank.title.split())} (bank '{bank.id}'), written by quizapp "
             "for Moodle's GIFT import.",
             f"$CATEGORY: $course$/top/{bank.id}", ""]
    for question in bank.questions:
        block = _write_question(question, notes)
        if block:
            lines += [*block, ""]
    if any(isinstance(q, ShortQuestion) and not q.exact for q in bank.questions):
        notes.append(Note(None, "Moodle compares a short answer exactly, apart from case: a response "
                                "with a typo or a leading 'the', which scores here, scores 0 there"))
    # what GIFT could not hold, said in the file too
    lines[2:2] = [f"// Note: {note}" for note in notes]
    return Written("\n".join(lines).encode("utf-8"), notes)


def _write_question(q: Question, notes: list[Note]) -> list[str] | None:
    head = [f"// {meta_text(question_meta(q))}", f"// [id:{q.id}]"]
    if q.skill:
        head.append(f"// [tag:{q.skill}]")
    prompt = q.prompt
    body: list[str] = []
    match q:
        case SingleQuestion():
            for choice in q.choices:
                mark = "=" if choice == q.answer else ("~%0%" if choice.startswith("%") else "~")
                body.append(f"\t{mark}{_answer(choice)}{_choice_feedback(q, choice)}")
        case MultipleQuestion():
            share = SHARES[len(q.answer)]
            for choice in q.choices:
                weight = share if choice in q.answer else f"-{share}"
                body.append(f"\t~%{weight}%{_formatted(choice)}{_choice_feedback(q, choice)}")
        case TrueFalseQuestion():
            body.append("\tTRUE" if q.answer else "\tFALSE")
        case ShortQuestion():
            if any("->" in a for a in q.accepted):
                notes.append(Note(q.id, "left out: Moodle reads an answer holding '->' as a matching "
                                        "question, and GIFT cannot escape it"))
                return None
            body += [f"\t=%100%{_formatted(a)}" for a in q.accepted]
        case NumericQuestion():
            body.append(f"\t#{_number(q.answer)}:{_number(q.tolerance)}")
        case MatchingQuestion() | OrderingQuestion():
            if isinstance(q, OrderingQuestion):
                pairs = {str(place): item for place, item in enumerate(q.items, start=1)}
                prompt = f"{q.prompt}\n\n{ORDER_HINT}"
                notes.append(Note(q.id, "GIFT has no ordering type: written as a matching of each place "
                                        "to its item" + ("" if q.partial else
                                        "; Moodle gives credit for each item in its place, where this "
                                        "question gives none unless all are")))
                distractors: list[str] = []
            else:
                pairs, distractors = dict(q.pairs), list(q.distractors or [])
            if any("->" in left for left in pairs):
                notes.append(Note(q.id, "left out: Moodle cuts a matching line at its first '->', and "
                                        "an item here holds one"))
                return None
            body += [f"\t={_formatted(left)} -> {escape(right)}" for left, right in pairs.items()]
            body += [f"\t= -> {escape(extra)}" for extra in distractors]
    body.append(f"\t####{_formatted(general_feedback(q))}")
    return [*head, f"::{escape(q.id)}::[markdown]{escape(prompt)}{{", *body, "}"]


def _choice_feedback(q: SingleQuestion | MultipleQuestion, choice: str) -> str:
    text = (q.feedback or {}).get(choice)
    return f"#{_formatted(text)}" if text else ""


# -- reading ---------------------------------------------------------------------------------------


@dataclass
class _Text:
    """Raw GIFT text with the positions of its characters in the file, escapes still in."""

    text: str
    where: list[tuple[int, int]]  # (line, column) of each character

    def at(self, index: int) -> tuple[int, int]:
        if not self.where:
            return (1, 1)
        return self.where[min(max(index, 0), len(self.where) - 1)]

    def escaped(self) -> list[bool]:
        flags = [False] * len(self.text)
        i = 0
        while i < len(self.text) - 1:
            if self.text[i] == "\\" and self.text[i + 1] in ESCAPES:
                flags[i] = flags[i + 1] = True
                i += 2
            else:
                i += 1
        return flags


def unescape(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in ESCAPES:
            out.append(ESCAPES[text[i + 1]])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _find(text: str, flags: list[bool], needle: str, start: int = 0, last: bool = False) -> int:
    """The index of ``needle`` made of unescaped characters, or -1."""
    positions = range(len(text) - len(needle), start - 1, -1) if last else range(start, len(text))
    for i in positions:
        if text.startswith(needle, i) and not any(flags[i:i + len(needle)]):
            return i
    return -1


def _split(text: str, flags: list[bool], seps: str) -> list[tuple[int, str]]:
    """Pieces of ``text`` cut before each unescaped separator, with their start index."""
    pieces, start = [], 0
    for i, char in enumerate(text):
        if char in seps and not flags[i] and i > start:
            pieces.append((start, text[start:i]))
            start = i
    pieces.append((start, text[start:]))
    return pieces


def _format_of(raw: str, default: str = "moodle") -> tuple[str, str]:
    """Moodle's ``parse_text_with_format``: the text's own [format] if it starts with one, else
    ``default`` (answers and feedback take their question's format); and the text without it."""
    text = raw.strip()
    if text.startswith("["):
        end = text.find("]")
        if end > 0 and text[1:end] in FORMATS:
            return text[1:end], text[end + 1:]
    return default, text


def _with_format(raw: str, notes: list[str], default: str = "moodle") -> str:
    """A GIFT text as quizapp keeps it: format taken off, escapes read, HTML made plain text."""
    fmt, text = _format_of(raw, default)
    text = unescape(text).strip()
    if fmt == "html":
        # tags out first, then entities: "3 &lt; x" is text, not the start of a tag
        plain = re.sub(r"<[^>]*>", "", re.sub(r"<br\s*/?>|</p>", "\n", text))
        plain = html.unescape(plain).strip()
        if plain != text:
            notes.append("HTML was turned into plain text")
        text = plain
    return text


@dataclass
class _Reader:
    deadline: Deadline
    problems: list[SourceProblem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    categories: dict[str, None] = field(default_factory=dict)  # in order, without repeats
    bank: dict[str, Any] = field(default_factory=dict)
    fmt: str = "moodle"  # the current question's text format, which its answers take
    short_answers: int = 0  # read from a file without quizapp's comments, so made exact

    def error(self, raw: _Text, index: int, name: str | None, message: str) -> None:
        line, column = raw.at(index)
        # an unnamed question is known by its line, which the problem gives already
        who = f"question '{name}': " if name and not name.startswith(UNNAMED) else ""
        self.problems.append(SourceProblem(who + message, line=line, column=column))


def _blocks(source: str) -> Iterator[tuple[list[str], _Text, int]]:
    """The questions of a file, one at a time: (comment lines, text with positions, first line)."""
    comments: list[str] = []
    chars: list[str] = []
    where: list[tuple[int, int]] = []
    first = 0
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            if comments or chars:
                yield comments, _Text("".join(chars), where), first
            comments, chars, where = [], [], []
            continue
        if not comments and not chars:
            first = number
        if stripped.startswith("//"):
            comments.append(stripped[2:].strip())
            continue
        offset = len(line) - len(line.lstrip())
        if chars:  # Moodle joins a question's lines with line breaks
            chars.append("\n")
            where.append((number, 1))
        chars.extend(stripped)
        where.extend((number, offset + i + 1) for i in range(len(stripped)))
    if comments or chars:
        yield comments, _Text("".join(chars), where), first


def read(content: bytes, deadline: Deadline) -> Imported:
    try:
        source = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise ImportFailed([SourceProblem("the file is not UTF-8 text", line=line)]) from None
    reader = _Reader(deadline)
    questions: list[dict[str, Any]] = []
    for comments, raw, first in _blocks(source):
        deadline.check()
        for comment in comments:
            meta = read_meta(comment, BANK_META_PREFIX)
            if meta:
                reader.bank.update(meta)
        if not raw.text:
            continue
        if len(reader.problems) >= MAX_PROBLEMS - 1:
            reader.problems.append(SourceProblem(
                f"reading stopped here, after {MAX_PROBLEMS - 1} problems: fix those first", line=first))
            break
        question = _read_question(reader, comments, raw, first)
        if question is not None:
            questions.append(question)
            if len(questions) > MAX_QUESTIONS:
                raise ImportFailed([SourceProblem(
                    f"the file holds more than {MAX_QUESTIONS:,} questions: split it", line=first)])
    if reader.problems:
        raise ImportFailed(reader.problems)
    if reader.categories and not (reader.bank and len(reader.categories) == 1):
        # (a file quizapp wrote has one category, the bank's id, and carries its tags itself)
        tags = list(reader.bank.get("tags") or [])
        tags += [c for c in reader.categories if c not in tags]
        reader.notes.append(Note(None, "Moodle's categories became the bank's tags: "
                                 + ", ".join(reader.categories)))
        reader.bank["tags"] = tags
    if reader.short_answers:
        reader.notes.append(Note(None, f"{reader.short_answers} short answer question(s) were made "
                                 "'exact: true': like Moodle, they forgive no typo (case, spacing, "
                                 "punctuation and a leading 'the' are still ignored here); take "
                                 "'exact' out to forgive one"))
    return Imported(questions, reader.bank, reader.notes)


def _category(text: str) -> str:
    path = unescape(text).strip()
    for prefix in ("$course$/top/", "$course$/", "$system$/top/", "$system$/", "$module$/top/",
                   "$module$/", "top/"):
        if path.startswith(prefix):
            path = path[len(prefix):]
            break
    return path.split("/")[-1].strip() or path


def _read_question(r: _Reader, comments: list[str], raw: _Text, first: int) -> dict[str, Any] | None:
    text, flags = raw.text, raw.escaped()
    if text.startswith("$CATEGORY:"):
        category = _category(text[len("$CATEGORY:"):])
        if category:
            r.categories.setdefault(category, None)
        return None
    meta: dict[str, Any] = {}
    moodle_id = tags = None
    for comment in comments:
        meta = read_meta(comment) or meta
        if found := re.search(r"\[id:((?:\\]|[^\]])+)\]", comment):
            moodle_id = found.group(1).replace("\\]", "]")
        tags = [*(tags or []), *re.findall(r"\[tag:([^\]]+)\]", comment)]
    start = 0
    name = None
    if text.startswith("::"):
        end = _find(text, flags, "::", 2)
        # Moodle drops the opening "::" even when no "::" closes the name
        start = 2 if end < 0 else end + 2
        if end >= 0:
            name = unescape(text[2:end]).strip()
    label = meta.get("id") or moodle_id or name or f"{UNNAMED}{first}"
    open_, close = _find(text, flags, "{", start), _find(text, flags, "}", start)
    if open_ < 0 and close < 0:
        r.notes.append(Note(label, "left out: a text without answers (a Moodle description) "
                                   "is not a question"))
        return None
    if open_ < 0 or close < 0 or close < open_:
        at = open_ if open_ >= 0 else close
        what = "'{' is never closed by '}'" if open_ >= 0 else "'}' closes no '{'"
        r.error(raw, at, label, f"{what}: write the answers between braces, and escape a brace in a "
                                "text as \\{ or \\}")
        return None
    # Moodle: a "missing word" blank unless the whole text ends with a closing brace
    ends_with_brace = text.endswith("}") and not flags[-1]
    prompt_raw = text[start:open_] + ("" if ends_with_brace else "_____") + text[close + 1:]
    answers = text[open_ + 1:close]
    aflags = flags[open_ + 1:close]
    general = ""
    gf = _find(answers, aflags, "####", last=True)
    if gf >= 0:
        general, answers, aflags = answers[gf + 4:], answers[:gf], aflags[:gf]
    text_notes: list[str] = []
    r.fmt = _format_of(prompt_raw)[0]
    prompt = _with_format(prompt_raw, text_notes)
    feedback_text = _with_format(general, text_notes, r.fmt) if general.strip() else ""
    body = answers.strip()
    lead = len(answers) - len(answers.lstrip())
    bflags = aflags[lead:lead + len(body)]
    base = open_ + 1 + lead
    question: dict[str, Any] = {"id": meta.get("id") or moodle_id or name or "", "prompt": prompt}
    kind = _kind(body, bflags)
    reader = _READERS.get(kind)
    if reader is None:
        r.notes.append(Note(label, f"left out: {kind} questions are marked by hand, which quizapp "
                                   "does not do"))
        return None
    before = len(r.problems)
    found = reader(r, raw, base, body, bflags, label, question, meta, text_notes)
    if found is None or len(r.problems) > before:
        return None
    if meta.get("type") == "ordering" and kind == "matching":
        found = _as_ordering(found)
    if found["type"] == "short" and not meta:
        found["exact"] = True  # as Moodle compares: no typo forgiven
        r.short_answers += 1
    explanation = explanation_from(feedback_text, meta)
    extra = found.pop("_explanation_extra", "")
    found["explanation"] = f"{explanation}\n\n{extra}" if extra else explanation
    if tags and not meta.get("skill"):
        skill = next((t for t in tags if t in SKILLS), None)
        if skill:
            found["skill"] = skill
    apply_meta(found, meta)
    if not meta.get("id") and (moodle_id or name):
        found["id"] = moodle_id or name
    for note in dict.fromkeys(text_notes):
        r.notes.append(Note(label, note))
    return found


def _kind(body: str, flags: list[bool]) -> str:
    if not body:
        return "essay"
    if body[0] == "#":
        return "numeric"
    if _find(body, flags, "~") >= 0:
        return "choice"
    if _find(body, flags, "=") >= 0 and "->" in body:
        return "matching"
    hash_at = _find(body, flags, "#")
    check = body[:hash_at].strip() if hash_at > 0 else body
    return "true_false" if check in ("T", "TRUE", "F", "FALSE") else "short"


def _too_many(r: _Reader, raw: _Text, base: int, label: str, pieces: list[tuple[int, str]]) -> bool:
    if len(pieces) <= MAX_ANSWERS:
        return False
    r.error(raw, base, label, f"{len(pieces):,} answers: a question here takes at most 10 choices "
                              f"(and no file more than {MAX_ANSWERS} answers to one question)")
    return True


def _weight(piece: str) -> tuple[float | None, str]:
    found = WEIGHT.match(piece)
    if not found:
        return None, piece
    try:
        return float(found.group(1)) / 100, piece[found.end():]
    except ValueError:
        return None, piece


def _moodle_grade(value: float) -> bool:
    return any(abs(abs(value) - f) < 0.00001 for f in MOODLE_FRACTIONS) or abs(value + 1) < 0.00001


def _comment(piece: str) -> tuple[str, str]:
    flags = _Text(piece, []).escaped()
    at = _find(piece, flags, "#")
    return (piece, "") if at < 0 else (piece[:at], piece[at + 1:])


def _read_choice(r: _Reader, raw: _Text, base: int, body: str, flags: list[bool], label: str,
                 q: dict[str, Any], meta: dict[str, Any], notes: list[str]) -> dict[str, Any] | None:
    single = _find(body, flags, "=") >= 0
    choices: list[tuple[str, float, str]] = []
    pieces = _split(body, flags, "~=")
    if _too_many(r, raw, base, label, pieces):
        return None
    for at, piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        right = piece.startswith("=")
        if piece[0] in "~=":
            piece = piece[1:]
        weight: float | None = 1.0 if right else 0.0
        if not right:
            found, rest = _weight(piece)
            if found is not None:
                if not _moodle_grade(found):
                    r.error(raw, base + at, label, f"the weight {found * 100:g}% is not one of Moodle's "
                                                   "grades (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, "
                                                   "40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, "
                                                   "11.11111, 10, 5 and 0, or minus one of them)")
                    return None
                weight, piece = found, rest
        text, feedback = _comment(piece)
        choices.append((_with_format(text, notes, r.fmt), weight, _with_format(feedback, notes, r.fmt)))
    if len(choices) < 2:
        r.error(raw, base, label, "a choice question needs at least two answers")
        return None
    q["type"] = "single" if single else "multiple"
    q["choices"] = [c for c, _, _ in choices]
    feedback = {c: f for c, _, f in choices if f}
    if feedback:
        q["feedback"] = feedback
    rights = [(c, w) for c, w, _ in choices if w > 0]
    if not rights:
        r.error(raw, base, label, "no answer is right: mark one with '=' or a weight above 0%")
        return None
    if single:
        full = [c for c, w in rights if w >= 1]
        q["answer"] = full[0] if full else rights[0][0]
        changed = [c for c, w, _ in choices if c != q["answer"] and w != 0 and not (w < 0)]
        if len(full) > 1 or changed:
            r.notes.append(Note(label, f"only '{q['answer']}' is right here; partial credit for "
                                       + ", ".join(f"'{c}'" for c in [*full[1:], *changed])
                                       + " was dropped (a single choice scores all or nothing)"))
        if any(w < 0 for _, w, _ in choices):
            r.notes.append(Note(label, "negative weights were dropped: a wrong choice scores 0 here"))
        return q
    q["answer"] = [c for c, _ in rights]
    share = 1 / len(rights)
    even = all(abs(w - share) < 0.0001 for _, w in rights) and all(
        abs(w + share) < 0.0001 for _, w, _ in choices if w <= 0)
    if not even:
        r.notes.append(Note(label, "weights changed to quizapp's rule: each right choice earns an equal "
                                   "share, each wrong choice picked takes one share away"))
    return q


def _read_true_false(r: _Reader, raw: _Text, base: int, body: str, flags: list[bool], label: str,
                     q: dict[str, Any], meta: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    parts = [p for _, p in _split(body, flags, "#")]
    q["type"] = "true_false"
    q["answer"] = parts[0].strip() in ("T", "TRUE")
    wrong = _with_format(parts[1][1:], notes, r.fmt) if len(parts) > 1 else ""
    right = _with_format("".join(parts[2:])[1:], notes, r.fmt) if len(parts) > 2 else ""
    extra = [f"{what}: {text}" for what, text in (("To a wrong answer", wrong), ("To a right answer", right))
             if text]
    if extra:
        q["_explanation_extra"] = "\n\n".join(extra)
        r.notes.append(Note(label, "the feedback for each answer was added to the explanation"))
    return q


def _read_short(r: _Reader, raw: _Text, base: int, body: str, flags: list[bool], label: str,
                q: dict[str, Any], meta: dict[str, Any], notes: list[str]) -> dict[str, Any] | None:
    accepted: list[str] = []
    pieces = _split(body, flags, "=")
    if _too_many(r, raw, base, label, pieces):
        return None
    for _, piece in pieces:
        piece = piece.strip().removeprefix("=")
        if not piece.strip():
            continue
        weight, piece = _weight(piece.strip())
        text, feedback = _comment(piece)
        text = _with_format(text, notes)
        if weight is not None and weight < 1:
            r.notes.append(Note(label, f"the answer '{text}' earned {weight * 100:g}% in Moodle; here "
                                       "it is not accepted (a short answer scores all or nothing)"))
            continue
        if feedback.strip():
            r.notes.append(Note(label, f"the feedback for the answer '{text}' was dropped"))
        if "*" in text:
            r.notes.append(Note(label, f"'*' in '{text}' is a wildcard in Moodle; here it is read as it is"))
        accepted.append(text)
    if not accepted:
        r.error(raw, base, label, "no answer earns full marks")
        return None
    q["type"] = "short"
    q["answer"] = accepted[0] if len(accepted) == 1 else accepted
    return q


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _plain_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)


def _read_numeric(r: _Reader, raw: _Text, base: int, body: str, flags: list[bool], label: str,
                  q: dict[str, Any], meta: dict[str, Any], notes: list[str]) -> dict[str, Any] | None:
    body = body[1:]
    flags = flags[1:]
    wrong_at = _find(body, flags, "~")
    if wrong_at >= 0:
        r.notes.append(Note(label, "the feedback for wrong answers was dropped"))
        body, flags = body[:wrong_at], flags[:wrong_at]
    found: list[tuple[float, Decimal, Decimal]] = []
    pieces = _split(body, flags, "=")
    if _too_many(r, raw, base, label, pieces):
        return None
    for at, piece in pieces:
        piece = piece.strip().removeprefix("=").strip()
        if not piece:
            continue
        weight, piece = _weight(piece)
        text, _ = _comment(piece)
        text = unescape(text).strip()
        if ".." in text[1:]:
            low, _, high = text.partition("..")
            lo, hi = _decimal(low), _decimal(high)
            answer = tolerance = None
            if lo is not None and hi is not None:
                answer, tolerance = (lo + hi) / 2, abs(hi - lo) / 2
        elif ":" in text[1:]:
            value, _, margin = text.partition(":")
            answer, tolerance = _decimal(value), _decimal(margin)
        else:
            answer, tolerance = _decimal(text), Decimal(0)
        if answer is None or tolerance is None:
            r.error(raw, base + 1 + at, label, f"'{text}' is not a number, a number:margin or min..max")
            return None
        found.append((1.0 if weight is None else weight, answer, abs(tolerance)))
    full = [f for f in found if f[0] >= 1]
    if not full:
        r.error(raw, base, label, "no numerical answer earns full marks")
        return None
    if len(found) > 1:
        r.notes.append(Note(label, f"{len(found) - 1} other answer(s) were dropped: a numeric question "
                                   "here has one answer and a margin"))
    _, answer, tolerance = full[0]
    q["type"] = "numeric"
    q["answer"] = _plain_number(answer)
    if tolerance:
        q["tolerance"] = _plain_number(tolerance)
    return q


def _read_matching(r: _Reader, raw: _Text, base: int, body: str, flags: list[bool], label: str,
                   q: dict[str, Any], meta: dict[str, Any], notes: list[str]) -> dict[str, Any] | None:
    pairs: dict[str, str] = {}
    distractors: list[str] = []
    pieces = _split(body, flags, "=")
    if _too_many(r, raw, base, label, pieces):
        return None
    for at, piece in pieces:
        piece = piece.strip().removeprefix("=")
        if not piece.strip():
            continue
        arrow = piece.find("->")
        if arrow < 0:
            r.error(raw, base + at, label, "a matching line is '=left -> right'; this one has no '->'")
            return None
        left = _with_format(piece[:arrow], notes, r.fmt)
        right = unescape(piece[arrow + 2:]).strip()
        if not left:
            distractors.append(right)
        elif left in pairs:
            r.error(raw, base + at, label, f"'{left}' is matched twice")
            return None
        else:
            pairs[left] = right
    q["type"] = "matching"
    q["pairs"] = pairs
    if distractors:
        q["distractors"] = distractors
    return q


def _as_ordering(q: dict[str, Any]) -> dict[str, Any]:
    """A matching of items to places that quizapp wrote from an ordering question, back to one."""
    pairs = q.pop("pairs")
    q.pop("distractors", None)
    q["type"] = "ordering"
    q["items"] = [item for _, item in sorted(pairs.items(), key=lambda kv: _place(kv[0]))]
    q["prompt"] = q["prompt"].removesuffix(ORDER_HINT).rstrip()
    return q


def _place(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 10**6


_READERS = {
    "choice": _read_choice,
    "true_false": _read_true_false,
    "short": _read_short,
    "numeric": _read_numeric,
    "matching": _read_matching,
}
