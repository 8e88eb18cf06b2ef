"""Canvas classic quizzes: a QTI 1.2 package (``questestinterop``) as Canvas exports it, and back.

The shape follows Canvas's own quiz export (canvas-lms ``lib/cc/qti``): a manifest
with an ``imsqti_xmlv1p2`` resource and its ``assessment_meta.xml``; one
``assessment`` whose items carry ``question_type`` and ``points_possible`` in
their ``qtimetadata``, ``response_lid``/``response_str`` presentations and
``resprocessing`` that sets ``SCORE`` to 100; feedback as ``itemfeedback``
(``general_fb`` for the explanation, ``<answer id>_fb`` for a choice).

Types: single -> multiple_choice_question, multiple -> multiple_answers_question
(Canvas scores it as we do: points / right choices for each right pick, the same
off for each wrong one, at least 0), true_false -> true_false_question, short ->
short_answer_question, numeric -> numerical_question (exact answer with a
margin), matching -> matching_question (credit per pair, distractors as extra
matches). Canvas has no ordering type: an ordering question is written as a
matching question of each item to its position, with a Note.
"""

from __future__ import annotations

import hashlib
import html
import math
import posixpath
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from pydantic import ValidationError

from quizapp.banks.schema import (
    Bank,
    MatchingQuestion,
    MultipleQuestion,
    NumericQuestion,
    OrderingQuestion,
    Question,
    ShortQuestion,
    SingleQuestion,
    TrueFalseQuestion,
    question_adapter,
)
from quizapp.interchange.common import (
    BANK_META_PREFIX,
    MAX_ANSWERS,
    META_PREFIX,
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
    parse_xml,
    question_meta,
    read_meta,
    read_zip,
    write_zip,
)
from quizapp.interchange.xmltext import (
    EXACT_NOTE,
    Element,
    checked,
    child,
    children,
    comments,
    descendants,
    el,
    local,
    meta_comment,
    number,
    paragraphs,
    read_number,
    to_bytes,
)

QTI12_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
QTI12_XSD = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
CANVAS_XSD = "https://canvas.instructure.com/xsd/cccv1p0.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ASSESSMENT_TYPE = "imsqti_xmlv1p2"
META_TYPE = "associatedcontent/imscc_xmlv1p1/learning-application-resource"
MANIFEST = "imsmanifest.xml"

TYPES = {
    "single": "multiple_choice_question",
    "multiple": "multiple_answers_question",
    "true_false": "true_false_question",
    "short": "short_answer_question",
    "numeric": "numerical_question",
    "matching": "matching_question",
    "ordering": "matching_question",
}


# -- writing ---------------------------------------------------------------------------------------


def _ident(*parts: str) -> str:
    """A Canvas-like identifier ('g' and 32 hex digits), the same for the same bank and question."""
    return "g" + hashlib.md5("/".join(parts).encode("utf-8"), usedforsecurity=False).hexdigest()


def _html(text: str) -> str:
    """Markdown text as simple HTML paragraphs (markup shown as written, never as HTML)."""
    return "".join("<p>" + "<br>".join(html.escape(line, quote=False) for line in lines) + "</p>"
                   for lines in paragraphs(text))


def _mattext(text: str, rich: bool = True) -> Element:
    if rich:
        return el("mattext", {"texttype": "text/html"}, text=_html(text))
    return el("mattext", {"texttype": "text/plain"}, text=text)


def _material(text: str, rich: bool = True) -> Element:
    return el("material", None, _mattext(text, rich))


def _field(label: str, entry: str) -> Element:
    return el("qtimetadatafield", None, el("fieldlabel", text=label), el("fieldentry", text=entry))


def _condition(*conditions: Element) -> Element:
    return el("conditionvar", None, *conditions)


def _varequal(value: str, respident: str = "response1") -> Element:
    return el("varequal", {"respident": respident}, text=value)


def _respcondition(condition: Element, *, score: str | None = None, action: str = "Set",
                   feedback: str | None = None, continue_: str | None = "No") -> Element:
    setvar = el("setvar", {"action": action, "varname": "SCORE"}, text=score) if score is not None else None
    show = el("displayfeedback", {"feedbacktype": "Response", "linkrefid": feedback}) if feedback else None
    return el("respcondition", {"continue": continue_} if continue_ else None, condition, setvar, show)


def _feedback(ident: str, text: str) -> Element:
    return el("itemfeedback", {"ident": ident}, el("flow_mat", None, _material(text)))


def _decimal(value: float | int) -> Decimal:
    return Decimal(str(value))


def _item(bank: Bank, question: Question, number_: int, notes: list[Note]) -> Element:
    base = 1000 * number_
    answers: list[tuple[str, str]] = []  # (answer id, text) of choices or lefts
    presentation = el("presentation", None, _material(question.prompt))
    conditions: list[Element] = []
    feedbacks: list[Element] = []
    explanation = general_feedback(question)
    conditions.append(_respcondition(_condition(el("other")), feedback="general_fb", continue_="Yes"))
    match question:
        case SingleQuestion() | MultipleQuestion() | TrueFalseQuestion():
            if isinstance(question, TrueFalseQuestion):
                texts, right = ["True", "False"], ["True" if question.answer else "False"]
                table: dict[str, str] = {}
            else:
                texts = list(question.choices)
                right = [question.answer] if isinstance(question, SingleQuestion) else list(question.answer)
                table = question.feedback or {}
            answers = [(str(base + n), text) for n, text in enumerate(texts, start=1)]
            single = not isinstance(question, MultipleQuestion)
            presentation.append(el(
                "response_lid", {"ident": "response1", "rcardinality": "Single" if single else "Multiple"},
                el("render_choice", None, *(el("response_label", {"ident": i}, _material(t, rich=False))
                                            for i, t in answers))))
            for ident, text in answers:
                if text in table:
                    conditions.append(_respcondition(_condition(_varequal(ident)), feedback=f"{ident}_fb",
                                                     continue_="Yes"))
                    feedbacks.append(_feedback(f"{ident}_fb", table[text]))
            if single:
                correct = _condition(_varequal(next(i for i, t in answers if t in right)))
            else:
                correct = _condition(el("and", None, *(
                    _varequal(i) if t in right else el("not", None, _varequal(i)) for i, t in answers)))
            conditions.append(_respcondition(correct, score="100"))
        case ShortQuestion():
            accepted = list(dict.fromkeys(question.accepted))
            answers = [(str(base + n), text) for n, text in enumerate(accepted, start=1)]
            presentation.append(el("response_str", {"ident": "response1", "rcardinality": "Single"},
                                   el("render_fib", None, el("response_label", {"ident": "answer1",
                                                                                "rshuffle": "No"}))))
            conditions.append(_respcondition(_condition(*(_varequal(a) for a in accepted)), score="100"))
        case NumericQuestion():
            answers = [(str(base + 1), number(question.answer))]
            presentation.append(el("response_str", {"ident": "response1", "rcardinality": "Single"},
                                   el("render_fib", {"fibtype": "Decimal"},
                                      el("response_label", {"ident": "answer1"}))))
            exact = _decimal(question.answer)
            margin = _decimal(question.tolerance)
            either = el("or", None, _varequal(number(question.answer)))
            if margin:
                either.append(el("and", None,
                                 el("vargte", {"respident": "response1"}, text=str(exact - margin)),
                                 el("varlte", {"respident": "response1"}, text=str(exact + margin))))
            conditions.append(_respcondition(_condition(either), score="100"))
        case MatchingQuestion() | OrderingQuestion():
            if isinstance(question, OrderingQuestion):
                pairs = {item: f"Position {n}" for n, item in enumerate(question.items, start=1)}
                extra: list[str] = []
                notes.append(Note(question.id, (
                    "Canvas has no ordering question: written as a matching question of each item to its "
                    "position, which Canvas scores per item in place"
                    + ("" if question.partial else " (here the order scores all or nothing,"
                       " and a student may give two items one place)"))))
            else:
                pairs, extra = dict(question.pairs), list(question.distractors or [])
            answers = [(str(base + n), left) for n, left in enumerate(pairs, start=1)]
            matches = [(str(base + 500 + n), right)
                       for n, right in enumerate([*pairs.values(), *extra], start=1)]
            match_id = {text: ident for ident, text in matches}
            for ident, left in answers:
                presentation.append(el(
                    "response_lid", {"ident": f"response_{ident}"}, _material(left, rich=False),
                    el("render_choice", None, *(el("response_label", {"ident": i}, el(
                        "material", None, el("mattext", text=t))) for i, t in matches))))
            share = "%.2f" % (100 / len(answers))
            for ident, left in answers:
                conditions.append(_respcondition(
                    _condition(_varequal(match_id[pairs[left]], f"response_{ident}")),
                    score=share, action="Add", continue_=None))
    metadata = el("qtimetadata", None,
                  _field("question_type", TYPES[question.type]),
                  _field("points_possible", number(question.points)),
                  _field("original_answer_ids", ",".join(i for i, _ in answers)),
                  _field("assessment_question_identifierref", _ident(bank.id, question.id, "bank")))
    resprocessing = el("resprocessing", None, el("outcomes", None, el(
        "decvar", {"maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"})),
        *conditions)
    return el("item", {"ident": _ident(bank.id, question.id), "title": question.id},
              meta_comment(question_meta(question)),
              el("itemmetadata", None, metadata), presentation, resprocessing,
              _feedback("general_fb", explanation), *feedbacks)


def _assessment(bank: Bank, ident: str, notes: list[Note]) -> bytes:
    section = el("section", {"ident": "root_section"})
    for number_, question in enumerate(bank.questions, start=1):
        section.append(_item(bank, question, number_, notes))
    metadata = el("qtimetadata")
    if bank.settings.time_limit_seconds:
        metadata.append(_field("qmd_timelimit", str(math.ceil(bank.settings.time_limit_seconds / 60))))
    metadata.append(_field("cc_maxattempts", str(bank.settings.max_attempts or "unlimited")))
    root = el("questestinterop", {"xmlns": QTI12_NS, "xmlns:xsi": XSI_NS,
                                  "xsi:schemaLocation": f"{QTI12_NS} {QTI12_XSD}"},
              meta_comment(bank_meta(bank), BANK_META_PREFIX),
              el("assessment", {"ident": ident, "title": bank.title}, metadata, section))
    return to_bytes(root)


def _assessment_meta(bank: Bank, ident: str, notes: list[Note]) -> bytes:
    points = sum(_decimal(q.points) for q in bank.questions)
    seconds = bank.settings.time_limit_seconds
    if seconds and seconds % 60:
        notes.append(Note(None, f"Canvas counts time limits in minutes: {seconds} seconds is written as "
                                f"{math.ceil(seconds / 60)} minutes"))
    quiz = el("quiz", {"identifier": ident, "xmlns": CANVAS_NS, "xmlns:xsi": XSI_NS,
                       "xsi:schemaLocation": f"{CANVAS_NS} {CANVAS_XSD}"},
              el("title", text=bank.title),
              el("description", text=_html(bank.description or "")),
              el("shuffle_answers", text="true" if bank.settings.shuffle_choices else "false"),
              el("scoring_policy", text="keep_highest"),
              el("hide_results", text=""),
              el("quiz_type", text="assignment"),
              el("points_possible", text=number(float(points))),
              el("show_correct_answers", text="true"),
              el("time_limit", text=str(math.ceil(seconds / 60))) if seconds else None,
              el("allowed_attempts", text=str(bank.settings.max_attempts or -1)),
              el("one_question_at_a_time", text="false"),
              el("cant_go_back", text="false"),
              el("available", text="false"))
    return to_bytes(quiz)


def _manifest(bank: Bank, ident: str, meta_ident: str) -> bytes:
    assessment, meta = f"{ident}/{ident}.xml", f"{ident}/assessment_meta.xml"
    root = el("manifest", {"identifier": _ident(bank.id, "manifest"), "xmlns": CP_NS,
                           "xmlns:xsi": XSI_NS, "xsi:schemaLocation": f"{CP_NS} {CP_XSD}"},
              el("metadata", None, el("schema", text="IMS Content"), el("schemaversion", text="1.1.3")),
              el("organizations"),
              el("resources", None,
                 el("resource", {"identifier": ident, "type": ASSESSMENT_TYPE},
                    el("file", {"href": assessment}), el("dependency", {"identifierref": meta_ident})),
                 el("resource", {"identifier": meta_ident, "type": META_TYPE, "href": meta},
                    el("file", {"href": meta}))))
    return to_bytes(root)


def write(bank: Bank) -> Written:
    """The bank as a Canvas classic-quiz QTI 1.2 package (deterministic: same bank, same bytes)."""
    ident, meta_ident = _ident(bank.id), _ident(bank.id, "meta")
    notes: list[Note] = []
    assessment = _assessment(bank, ident, notes)
    notes += [Note(q.id, "Canvas compares a short answer exactly, apart from case and surrounding spaces: "
                         "a response with a typo, other punctuation or spacing, or a leading 'the', which "
                         "scores here, scores 0 there")
              for q in bank.questions if isinstance(q, ShortQuestion)]
    meta = _assessment_meta(bank, ident, notes)
    files = {MANIFEST: _manifest(bank, ident, meta_ident), f"{ident}/{ident}.xml": assessment,
             f"{ident}/assessment_meta.xml": meta}
    return Written(write_zip(files), notes)


# -- reading ---------------------------------------------------------------------------------------


class _Text(HTMLParser):
    """HTML of a mattext as paragraphs of plain text (tags dropped, entities decoded)."""

    BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []

    def flush(self) -> None:
        lines = [" ".join(line.split()) for line in "".join(self.current).split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "br":
            self.current.append("\n")
        elif tag in self.BLOCK:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCK:
            self.flush()

    def handle_data(self, data: str) -> None:
        self.current.append(data)


def _plain(node: Element | None) -> str:
    """The text of the mattexts under ``node``: HTML read as text, plain text as it is."""
    if node is None:
        return ""
    parts = []
    for mattext in descendants(node, "mattext"):
        text = mattext.text or ""
        if (mattext.get("texttype") or "text/plain") == "text/html":
            parser = _Text()
            parser.feed(text)
            parser.close()
            parser.flush()
            parts.append("\n\n".join(parser.blocks))
        else:
            parts.append(text.strip())
    return "\n\n".join(p for p in parts if p)


def _one_line(node: Element | None) -> str:
    return " ".join(_plain(node).split())


def _fields(node: Element) -> dict[str, str]:
    return {(child(f, "fieldlabel").text or "").strip(): (child(f, "fieldentry").text or "").strip()
            for f in descendants(node, "qtimetadatafield")
            if child(f, "fieldlabel") is not None and child(f, "fieldentry") is not None}


def _scoring_conditions(item: Element, deadline: Deadline) -> list[Element]:
    """The respconditions that give points (setvar SCORE to more than 0)."""
    found = []
    for condition in checked(descendants(item, "respcondition"), deadline.check):
        for setvar in children(condition, "setvar"):
            value = read_number(setvar.text)
            if value is not None and value > 0 and setvar.get("varname", "SCORE") == "SCORE":
                found.append(condition)
    return found


def _positive_equals(node: Element) -> list[Element]:
    """varequal elements under ``node`` that are not inside a <not>."""
    found = []
    todo = list(reversed(node))  # an explicit stack: no nesting can exhaust Python's stack
    while todo:
        sub = todo.pop()
        name = local(sub.tag)
        if name == "not":
            continue
        if name == "varequal":
            found.append(sub)
        todo.extend(reversed(sub))
    return found


def _too_many(presentation: Element, item: Element) -> str | None:
    """Why the item has more choices, lefts or answers than are read, or None."""
    lids = children(presentation, "response_lid")
    counts = ((max((len(descendants(lid, "response_label")) for lid in lids), default=0), "choices"),
              (len(lids), "lefts to match"),
              (len(descendants(item, "varequal")), "answers"))
    for count, what in counts:
        if count > MAX_ANSWERS:
            return (f"it has {count} {what}; more than {MAX_ANSWERS} are not read "
                    "(a question here has at most 10)")
    return None


def _read_item(item: Element, notes: list[str], deadline: Deadline) -> dict[str, Any]:
    fields = _fields(item)
    kind = fields.get("question_type", "")
    presentation = child(item, "presentation")
    if presentation is None:
        raise _Skip("it has no presentation")
    too_many = _too_many(presentation, item)
    if too_many:
        raise _Skip(too_many)
    prompt = _plain(child(presentation, "material"))
    scoring = _scoring_conditions(item, deadline)
    feedback = {f.get("ident", ""): _plain(f)
                for f in checked(children(item, "itemfeedback"), deadline.check)}
    question: dict[str, Any] = {"prompt": prompt}
    if kind in ("multiple_choice_question", "true_false_question", "multiple_answers_question"):
        lid = child(presentation, "response_lid")
        labels = [(lbl.get("ident", ""), _one_line(lbl)) for lbl in descendants(lid, "response_label")] \
            if lid is not None else []
        text_of = dict(labels)
        right = [text_of[v.text.strip()] for c in checked(scoring, deadline.check)
                 for v in _positive_equals(c) if v.text and v.text.strip() in text_of]
        right = list(dict.fromkeys(right))
        if not right:
            raise _Skip("it has no correct answer")
        if kind == "true_false_question":
            question.update(type="true_false", answer=right[0].casefold() == "true")
        else:
            question["choices"] = [t for _, t in labels]
            if kind == "multiple_choice_question":
                question.update(type="single", answer=right[0])
            else:
                question.update(type="multiple", answer=right)
            choice_feedback = {t: feedback[f"{i}_fb"] for i, t in labels if feedback.get(f"{i}_fb")}
            if choice_feedback:
                question["feedback"] = choice_feedback
    elif kind == "short_answer_question":
        accepted = [v.text.strip() for c in checked(scoring, deadline.check) for v in _positive_equals(c)
                    if v.text and v.text.strip()]
        if not accepted:
            raise _Skip("it accepts no answer")
        accepted = list(dict.fromkeys(accepted))
        question.update(type="short", answer=accepted[0] if len(accepted) == 1 else accepted)
        question["_exact"] = True  # as Canvas compares, unless our comment says otherwise
    elif kind == "numerical_question":
        if len(scoring) > 1:
            notes.append("it accepts several numbers or ranges; only the first is kept")
        if not scoring:
            raise _Skip("it has no correct number")
        condition = scoring[0]
        exact = next((read_number(v.text) for v in descendants(condition, "varequal")), None)
        low = next((read_number(v.text) for v in descendants(condition, "vargte")), None)
        high = next((read_number(v.text) for v in descendants(condition, "varlte")), None)
        if exact is not None:
            answer, tolerance = _decimal(exact), Decimal(0)
            if low is not None and high is not None:
                tolerance = max(answer - _decimal(low), _decimal(high) - answer)
        elif low is not None and high is not None:
            answer = (_decimal(low) + _decimal(high)) / 2
            tolerance = (_decimal(high) - _decimal(low)) / 2
        else:
            raise _Skip("its number cannot be read")
        question.update(type="numeric", answer=read_number(str(answer)))
        if tolerance:
            question["tolerance"] = read_number(str(tolerance))
    elif kind == "matching_question":
        pairs: dict[str, str] = {}
        rights: dict[str, str] = {}
        respident = {}
        for lid in children(presentation, "response_lid"):
            left = _one_line(child(lid, "material"))
            respident[lid.get("ident", "")] = left
            for label in descendants(lid, "response_label"):
                rights.setdefault(label.get("ident", ""), _one_line(label))
        for condition in checked(descendants(item, "respcondition"), deadline.check):
            for v in _positive_equals(condition):
                left = respident.get(v.get("respident", ""))
                if left and left not in pairs and (v.text or "").strip() in rights and any(
                        s.get("action") == "Add" or (read_number(s.text) or 0) > 0
                        for s in children(condition, "setvar")):
                    pairs[left] = rights[v.text.strip()]
        if len(pairs) < 2:
            raise _Skip("it has fewer than two matched pairs")
        question.update(type="matching", pairs=pairs)
        paired = set(pairs.values())
        extra = [t for t in rights.values() if t not in paired]
        if extra:
            question["distractors"] = extra
    else:
        raise _Skip(f"Canvas's '{kind or 'unknown'}' has no question type here")
    return question | {"_feedback": feedback, "_points": read_number(fields.get("points_possible"))}


class _Skip(Exception):
    pass


def _as_ordering(question: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    """An ordering question written as item -> 'Position N' matching, back to ordering."""
    try:
        places = {left: int(right.rsplit(" ", 1)[-1]) for left, right in question["pairs"].items()}
    except ValueError:
        return question
    items = [left for left, _ in sorted(places.items(), key=lambda pair: pair[1])]
    ordering = {k: v for k, v in question.items() if k not in ("pairs", "distractors", "type")}
    ordering.update(type="ordering", items=items)
    return ordering


def read(content: bytes, deadline: Deadline) -> Imported:
    """A Canvas (QTI 1.2) package back into format-1 questions, for the types Canvas writes."""
    files = read_zip(content)
    name = MANIFEST if MANIFEST in files else next(
        (n for n in sorted(files) if posixpath.basename(n) == MANIFEST), None)
    if name is None:
        raise ImportFailed([SourceProblem("the package has no imsmanifest.xml: export the quiz from "
                                          "Canvas as a QTI .zip")])
    manifest = parse_xml(files[name], name)
    base = posixpath.dirname(name)
    paths = []
    for resource in descendants(manifest, "resource"):
        deadline.check()
        if resource.get("type") != ASSESSMENT_TYPE:
            continue
        for file in children(resource, "file"):
            href = file.get("href") or ""
            path = posixpath.normpath(posixpath.join(base, href))
            if path.startswith("..") or href.startswith("/"):
                raise ImportFailed([SourceProblem(f"the manifest refers to '{href}', outside the package",
                                                  item=name)])
            if path not in files:
                raise ImportFailed([SourceProblem(f"the manifest lists '{path}', which is not in the "
                                                  "package", item=name)])
            paths.append(path)
    if not paths:
        raise ImportFailed([SourceProblem("the manifest lists no QTI 1.2 assessment (imsqti_xmlv1p2)",
                                          item=name)])
    imported = Imported()
    for path in paths:
        root = parse_xml(files[path], path, comments=True)
        if local(root.tag) != "questestinterop":
            raise ImportFailed([SourceProblem(f"the root element is <{local(root.tag)}>, not "
                                              "<questestinterop>", item=path)])
        for text in comments(root):
            meta = read_meta(text, BANK_META_PREFIX)
            if meta and not imported.bank:
                imported.bank = meta
        for item in descendants(root, "item"):
            deadline.check()
            meta = next((m for m in (read_meta(t, META_PREFIX) for t in comments(item)) if m), None)
            label = (meta or {}).get("id") or item.get("title") or item.get("ident") or path
            notes: list[str] = []
            try:
                question = _read_item(item, notes, deadline)
            except _Skip as reason:
                imported.notes.append(Note(label, f"left out: {reason}"))
                continue
            feedback, points = question.pop("_feedback"), question.pop("_points")
            if question.pop("_exact", False) and meta is None:
                question["exact"] = True
                notes.append(EXACT_NOTE.format(system="Canvas"))
            if meta and meta.get("type") == "ordering" and question["type"] == "matching":
                question = _as_ordering(question, meta)
            elif meta and meta.get("type") not in (None, question["type"]):
                notes.append(f"it was a '{meta['type']}' question; it is read as '{question['type']}'")
            extra = [feedback[k] for k in ("correct_fb", "general_incorrect_fb") if feedback.get(k)]
            if extra:
                notes.append("its feedback for right and wrong answers is added to the explanation")
            keep = {k: v for k, v in (meta or {}).items()
                    if (k != "exact" or question["type"] == "short")
                    and (k != "partial" or question["type"] == "ordering")}
            question["explanation"] = explanation_from(
                "\n\n".join([feedback.get("general_fb", ""), *extra]).strip(), keep)
            question["id"] = item.get("title") or item.get("ident") or f"q{len(imported.questions) + 1}"
            if points and points > 0 and points != 1:
                question["points"] = points
            apply_meta(question, keep)
            try:
                question_adapter.validate_python({**question, "id": "q"})
            except ValidationError as error:
                first = error.errors()[0]
                where = ".".join(str(p) for p in first["loc"][1:])
                imported.notes.append(Note(label, f"left out: {where + ': ' if where else ''}{first['msg']}"))
                continue
            imported.questions.append(question)
            imported.notes.extend(Note(label, n) for n in notes)
    return imported
