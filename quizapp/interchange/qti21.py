"""IMS QTI 2.1: a content package of one assessmentItem per question, and back.

Written (IMS QTI 2.1 Final, sections 5 "items", 7 "interactions", 8 "response
processing"; IMS Content Packaging 1.1 for ``imsmanifest.xml``):

- ``single``, ``multiple``, ``true_false``: ``choiceInteraction``; a multiple
  answer keeps our partial rule as a mapping of +1/n for each right choice and
  -1/n for each wrong one with ``lowerBound="0"``, scaled by the points;
- ``short``: ``textEntryInteraction`` with a case-insensitive mapping of the
  accepted strings; ``numeric``: a float ``textEntryInteraction`` compared with
  ``equal toleranceMode="absolute"``;
- ``ordering``: ``orderInteraction``, all or nothing (``match`` with the correct
  order) or, with ``partial``, credit for each item in its place (``index``);
- ``matching``: ``matchInteraction`` of directed pairs (distractors are extra
  targets), a mapping of 1/n for each right pair.

Every item carries the ``quizapp: {...}`` metadata comment, and the manifest the
bank's; the explanation (and the evidence in words) is the item's modal feedback,
per-choice feedback a ``feedbackInline`` in its choice. The reader also takes items
of other tools that use the standard templates ``match_correct`` and
``map_response``, and says in a :class:`Note` what it cannot keep.
"""

from __future__ import annotations

import posixpath
import re
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
    blocks,
    checked,
    child,
    children,
    comments,
    descendants,
    el,
    fill_lines,
    local,
    meta_comment,
    number,
    paragraphs,
    read_number,
    text_of,
    to_bytes,
)

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ITEM_TYPE = "imsqti_item_xmlv2p1"
MANIFEST = "imsmanifest.xml"
TEMPLATES = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/"
QTI_NAMESPACES = ("http://www.imsglobal.org/xsd/imsqti_v2p0", QTI_NS,
                  "http://www.imsglobal.org/xsd/imsqti_v2p2")

RESPONSE = "RESPONSE"
SCORE = "SCORE"
MAXSCORE = "MAXSCORE"
FEEDBACK = "FEEDBACK"  # per-choice feedback: the choices picked
FEEDBACKMODAL = "FEEDBACKMODAL"  # the explanation, shown once answered
EXPLANATION = "EXPLANATION"
INPLACE = "INPLACE"  # ordering with partial credit: items in their place
GAP = "____"  # a text entry inside a sentence, in the prompt
INTERACTIONS = ("choiceInteraction", "textEntryInteraction", "orderInteraction", "matchInteraction")


# -- writing ---------------------------------------------------------------------------------------


def _value(text: str, base_type: str | None = None) -> Element:
    return el("value", {"baseType": base_type} if base_type else None, text=text)


def _base(base_type: str, text: str) -> Element:
    return el("baseValue", {"baseType": base_type}, text=text)


def _variable(identifier: str) -> Element:
    return el("variable", {"identifier": identifier})


def _set(identifier: str, expression: Element) -> Element:
    return el("setOutcomeValue", {"identifier": identifier}, expression)


def _if_else(condition: Element, then: list[Element], otherwise: list[Element]) -> Element:
    return el("responseCondition", None, el("responseIf", None, condition, *then),
              el("responseElse", None, *otherwise) if otherwise else None)


def _score_if(condition: Element, points: float) -> Element:
    """SCORE is the points when the condition holds, else 0 (``match_correct``, scaled)."""
    return _if_else(condition, [_set(SCORE, _base("float", number(points)))],
                    [_set(SCORE, _base("float", "0"))])


def _score_mapped(points: float) -> Element:
    """SCORE is the mapped response times the points (``map_response``, scaled)."""
    return _if_else(el("isNull", None, _variable(RESPONSE)), [_set(SCORE, _base("float", "0"))],
                    [_set(SCORE, el("product", None, el("mapResponse", {"identifier": RESPONSE}),
                                    _base("float", number(points))))])


def _matches_correct() -> Element:
    return el("match", None, _variable(RESPONSE), el("correct", {"identifier": RESPONSE}))


def _declaration(cardinality: str, base_type: str, correct: list[str],
                 mapping: Element | None = None) -> Element:
    return el("responseDeclaration", {"identifier": RESPONSE, "cardinality": cardinality,
                                      "baseType": base_type},
              el("correctResponse", None, *(_value(v) for v in correct)), mapping)


def _mapping(entries: list[tuple[str, float]], *, default: float = 0, lower: float | None = None,
             upper: float | None = None, case_sensitive: bool | None = None) -> Element:
    attrs: dict[str, Any] = {"defaultValue": number(default)}
    if lower is not None:
        attrs["lowerBound"] = number(lower)
    if upper is not None:
        attrs["upperBound"] = number(upper)
    node = el("mapping", attrs)
    for key, value in entries:
        entry = {"mapKey": key, "mappedValue": number(value)}
        if case_sensitive is not None:
            entry["caseSensitive"] = "true" if case_sensitive else "false"
        node.append(el("mapEntry", entry))
    return node


def _outcome(identifier: str, cardinality: str, base_type: str, default: str | None = None,
             **attrs: Any) -> Element:
    return el("outcomeDeclaration", {"identifier": identifier, "cardinality": cardinality,
                                     "baseType": base_type, **attrs},
              el("defaultValue", None, _value(default)) if default is not None else None)


def _choices(question: SingleQuestion | MultipleQuestion) -> list[tuple[str, str, str | None]]:
    table = question.feedback or {}
    return [(f"C{n}", text, table.get(text)) for n, text in enumerate(question.choices, start=1)]


def _choice_interaction(options: list[tuple[str, str, str | None]], max_choices: int,
                        shuffle: bool) -> Element:
    interaction = el("choiceInteraction", {"responseIdentifier": RESPONSE,
                                           "shuffle": "true" if shuffle else "false",
                                           "maxChoices": max_choices})
    for identifier, text, feedback in options:
        choice = el("simpleChoice", {"identifier": identifier}, text=text)
        if feedback:
            choice.append(el("feedbackInline", {"outcomeIdentifier": FEEDBACK, "identifier": identifier,
                                                "showHide": "show"}, text=feedback))
        interaction.append(choice)
    return interaction


def _item_parts(question: Question, shuffle: bool) -> tuple[list[Element], Element, list[Element],
                                                            list[Element]]:
    """(response declarations, the interaction block, response rules, extra outcomes)."""
    points = question.points
    match question:
        case SingleQuestion() | MultipleQuestion():
            options = _choices(question)
            by_text = {text: identifier for identifier, text, _ in options}
            with_feedback = any(feedback for _, _, feedback in options)
            cardinality = "single" if isinstance(question, SingleQuestion) else "multiple"
            outcomes = ([_outcome(FEEDBACK, cardinality, "identifier")] if with_feedback else [])
            rules: list[Element] = []
            if isinstance(question, SingleQuestion):
                declaration = _declaration("single", "identifier", [by_text[question.answer]])
                rules.append(_score_if(_matches_correct(), points))
            else:
                share = 1 / len(question.answer)
                entries = [(identifier, share if text in question.answer else -share)
                           for identifier, text, _ in options]
                declaration = _declaration("multiple", "identifier",
                                           [by_text[a] for a in question.answer],
                                           _mapping(entries, lower=0, upper=1))
                rules.append(_score_mapped(points))
            if with_feedback:
                rules.append(_set(FEEDBACK, _variable(RESPONSE)))
            max_choices = 1 if cardinality == "single" else 0
            return [declaration], _choice_interaction(options, max_choices, shuffle), rules, outcomes
        case TrueFalseQuestion():
            options = [("TRUE", "True", None), ("FALSE", "False", None)]
            declaration = _declaration("single", "identifier", ["TRUE" if question.answer else "FALSE"])
            return ([declaration], _choice_interaction(options, 1, False),
                    [_score_if(_matches_correct(), points)], [])
        case ShortQuestion():
            accepted = list(dict.fromkeys(question.accepted))
            mapping = _mapping([(a, 1) for a in accepted], lower=0, upper=1, case_sensitive=False)
            declaration = _declaration("single", "string", [accepted[0]], mapping)
            longest = max(len(a) for a in accepted)
            box = el("p", None, el("textEntryInteraction", {"responseIdentifier": RESPONSE,
                                                            "expectedLength": max(10, longest)}))
            return [declaration], box, [_score_mapped(points)], []
        case NumericQuestion():
            declaration = _declaration("single", "float", [number(question.answer)])
            tolerance = number(question.tolerance)
            if question.tolerance:
                compare = el("equal", {"toleranceMode": "absolute", "tolerance": f"{tolerance} {tolerance}"},
                             _variable(RESPONSE), el("correct", {"identifier": RESPONSE}))
            else:
                compare = el("equal", {"toleranceMode": "exact"}, _variable(RESPONSE),
                             el("correct", {"identifier": RESPONSE}))
            box = el("p", None, el("textEntryInteraction", {"responseIdentifier": RESPONSE,
                                                            "expectedLength": 10}))
            return [declaration], box, [_score_if(compare, points)], []
        case OrderingQuestion():
            ids = [f"I{n}" for n in range(1, len(question.items) + 1)]
            declaration = _declaration("ordered", "identifier", ids)
            interaction = el("orderInteraction", {"responseIdentifier": RESPONSE, "shuffle": "true"},
                             *(el("simpleChoice", {"identifier": i}, text=t)
                               for i, t in zip(ids, question.items, strict=True)))
            if not question.partial:
                return [declaration], interaction, [_score_if(_matches_correct(), points)], []
            rules = [_set(INPLACE, _base("integer", "0"))]
            for position, identifier in enumerate(ids, start=1):
                in_place = el("match", None, el("index", {"n": position}, _variable(RESPONSE)),
                              _base("identifier", identifier))
                rules.append(_if_else(in_place, [_set(INPLACE, el("sum", None, _variable(INPLACE),
                                                                  _base("integer", "1")))], []))
            in_place_points = el("product", None, _variable(INPLACE), _base("float", number(points)))
            rules.append(_set(SCORE, el("divide", None, in_place_points, _base("float", number(len(ids))))))
            return [declaration], interaction, rules, [_outcome(INPLACE, "single", "integer", "0")]
        case MatchingQuestion():
            lefts = list(question.pairs)
            rights = [*question.pairs.values(), *(question.distractors or [])]
            left_id = {text: f"L{n}" for n, text in enumerate(lefts, start=1)}
            right_id = {text: f"R{n}" for n, text in enumerate(rights, start=1)}
            pairs = [f"{left_id[left]} {right_id[right]}" for left, right in question.pairs.items()]
            share = 1 / len(pairs)
            declaration = _declaration("multiple", "directedPair", pairs,
                                       _mapping([(p, share) for p in pairs], lower=0, upper=1))
            interaction = el(
                "matchInteraction", {"responseIdentifier": RESPONSE, "shuffle": "true",
                                     "maxAssociations": len(lefts)},
                el("simpleMatchSet", None, *(el("simpleAssociableChoice", {"identifier": left_id[t],
                                                                           "matchMax": 1}, text=t)
                                             for t in lefts)),
                el("simpleMatchSet", None, *(el("simpleAssociableChoice", {"identifier": right_id[t],
                                                                           "matchMax": len(lefts)}, text=t)
                                             for t in rights)))
            return [declaration], interaction, [_score_mapped(points)], []
    raise ValueError(f"no QTI 2.1 item for type {question.type}")  # pragma: no cover


ID_PREFIX = "Q-"  # before an id that cannot start an xs:NCName (a digit)
_OUR_PREFIXED = re.compile(r"Q-([0-9][a-z0-9-]*)")


def identifier(question_id: str) -> str:
    """The item identifier for a question id: an xs:NCName, which cannot start with a digit."""
    return question_id if re.match(r"[A-Za-z_]", question_id) else ID_PREFIX + question_id


def _question_id(item_identifier: str) -> str:
    """Undo :func:`identifier` (the metadata comment, when there is one, holds the id itself)."""
    ours = _OUR_PREFIXED.fullmatch(item_identifier)
    return ours.group(1) if ours else item_identifier


def short_answer_notes(bank: Bank, system: str) -> list[Note]:
    """What a system that compares short answers as strings scores differently from us."""
    return [Note(q.id, f"{system} compares a short answer exactly, apart from case: a response with a "
                       "typo, other punctuation or spacing, or a leading 'the', which scores here, "
                       "scores 0 there")
            for q in bank.questions if isinstance(q, ShortQuestion)]


def _title(question: Question) -> str:
    first = question.prompt.strip().split("\n", 1)[0]
    return first if len(first) <= 80 else first[:79].rstrip() + "\u2026"


def write_item(question: Question, shuffle: bool = True) -> bytes:
    """One question as a QTI 2.1 assessmentItem document."""
    declarations, interaction, rules, outcomes = _item_parts(question, shuffle)
    points = number(question.points)
    body = el("itemBody")
    for lines in paragraphs(question.prompt):
        body.append(fill_lines(el("p"), lines))
    body.append(interaction)
    feedback = el("modalFeedback", {"outcomeIdentifier": FEEDBACKMODAL, "identifier": EXPLANATION,
                                    "showHide": "show"})
    for lines in paragraphs(general_feedback(question)):
        feedback.append(fill_lines(el("p"), lines))
    rules.append(_set(FEEDBACKMODAL, _base("identifier", EXPLANATION)))
    item = el(
        "assessmentItem",
        {"xmlns": QTI_NS, "xmlns:xsi": XSI_NS, "xsi:schemaLocation": f"{QTI_NS} {QTI_XSD}",
         "identifier": identifier(question.id), "title": _title(question), "adaptive": "false",
         "timeDependent": "false"},
        meta_comment(question_meta(question)),
        *declarations,
        _outcome(SCORE, "single", "float", "0", normalMaximum=points),
        _outcome(MAXSCORE, "single", "float", points),
        *outcomes,
        _outcome(FEEDBACKMODAL, "single", "identifier"),
        body,
        el("responseProcessing", None, *rules),
        feedback,
    )
    return to_bytes(item)


def item_path(question: Question) -> str:
    return f"items/{question.id}.xml"


def write_manifest(bank: Bank, paths: list[tuple[Question, str]]) -> bytes:
    resources = el("resources")
    for question, path in paths:
        resources.append(el("resource", {"identifier": f"item-{question.id}", "type": ITEM_TYPE,
                                         "href": path}, el("file", {"href": path})))
    manifest = el(
        "manifest",
        {"xmlns": CP_NS, "xmlns:xsi": XSI_NS,
         "xsi:schemaLocation": f"{CP_NS} {CP_XSD} {QTI_NS} {QTI_XSD}",
         "identifier": f"manifest-{bank.id}"},
        meta_comment(bank_meta(bank), BANK_META_PREFIX),
        el("metadata", None, el("schema", text="QTIv2.1 Package"), el("schemaversion", text="1.0.0")),
        el("organizations"),
        resources,
    )
    return to_bytes(manifest)


def write(bank: Bank) -> Written:
    """The bank as an IMS content package of QTI 2.1 items (deterministic: same bank, same bytes)."""
    files: dict[str, bytes] = {}
    paths = []
    for question in bank.questions:
        path = item_path(question)
        paths.append((question, path))
        files[path] = write_item(question, bank.settings.shuffle_choices)
    return Written(write_zip({MANIFEST: write_manifest(bank, paths), **files}),
                   short_answer_notes(bank, "QTI"))


# -- reading ---------------------------------------------------------------------------------------


class Skip(Exception):
    """This item cannot become a question; the message says why (it becomes a Note)."""


def _meta(root: Element, prefix: str = META_PREFIX) -> dict[str, Any] | None:
    for text in comments(root):
        meta = read_meta(text, prefix)
        if meta is not None:
            return meta
    return None


def _manifest(files: dict[str, bytes]) -> tuple[str, bytes]:
    if MANIFEST in files:
        return MANIFEST, files[MANIFEST]
    nested = sorted(name for name in files if posixpath.basename(name) == MANIFEST)
    if nested:  # a package zipped from its folder: one level down
        return nested[0], files[nested[0]]
    raise ImportFailed([SourceProblem(
        "the package has no imsmanifest.xml: export it from your LMS as an IMS content package "
        "(QTI 2.1)")])


def _resolve(base: str, href: str, manifest: str) -> str:
    path = posixpath.normpath(posixpath.join(base, href.replace("\\", "/")))
    if path.startswith("../") or path == ".." or href.startswith("/"):
        raise ImportFailed([SourceProblem(f"the manifest refers to '{href}', outside the package",
                                          item=manifest)])
    return path


def item_files(files: dict[str, bytes], deadline: Deadline) -> tuple[list[str], dict[str, Any], list[Note]]:
    """The item files that the manifest lists, in its order; the bank metadata; notes."""
    name, data = _manifest(files)
    root = parse_xml(data, name, comments=True)
    if local(root.tag) != "manifest":
        raise ImportFailed([SourceProblem(f"the root element is <{local(root.tag)}>, not <manifest>",
                                          item=name)])
    base = posixpath.dirname(name)
    notes: list[Note] = []
    found: list[str] = []
    older = False
    for resource in descendants(root, "resource"):
        deadline.check()
        kind = resource.get("type", "")
        if kind.startswith("imsqti_xmlv1p") or kind == "imsqti_xmlv2p0":
            older = older or kind.startswith("imsqti_xmlv1p")
        if not kind.startswith("imsqti_item_xmlv2p"):
            continue
        href = resource.get("href") or next((f.get("href") for f in children(resource, "file")
                                             if f.get("href")), None)
        if not href:
            raise ImportFailed([SourceProblem(
                f"resource '{resource.get('identifier', '?')}' names no file", item=name)])
        path = _resolve(base, href, name)
        if path not in files:
            raise ImportFailed([SourceProblem(f"the manifest lists '{path}', which is not in the package",
                                              item=name)])
        if path not in found:
            found.append(path)
    if not found:
        hint = (" It is a QTI 1.2 package: import it as 'canvas'." if older else "")
        raise ImportFailed([SourceProblem(f"the manifest lists no QTI 2.1 item.{hint}", item=name)])
    meta = _meta(root, BANK_META_PREFIX) or {}
    return found, meta, notes


def _too_many(interaction: Element, declaration: Element) -> str | None:
    """Why the item has more choices or answers than are read, or None."""
    counts = (
        (sum(1 for e in interaction.iter() if local(e.tag) in ("simpleChoice", "simpleAssociableChoice")),
         "choices"),
        (len(descendants(declaration, "mapEntry")), "answers in its mapping"),
        (len(descendants(declaration, "value")), "correct responses"),
    )
    for count, what in counts:
        if count > MAX_ANSWERS:
            return (f"it has {count} {what}; more than {MAX_ANSWERS} are not read "
                    "(a question here has at most 10)")
    return None


def _declarations(item: Element) -> dict[str, Element]:
    return {d.get("identifier", ""): d for d in children(item, "responseDeclaration")}


def _correct(declaration: Element) -> list[str]:
    node = child(declaration, "correctResponse")
    return [(v.text or "").strip() for v in children(node, "value")] if node is not None else []


def _mapping_of(declaration: Element) -> tuple[dict[str, float], dict[str, str]] | None:
    """(mapKey -> value, bounds and default) of a response's mapping, or None."""
    node = child(declaration, "mapping")
    if node is None:
        return None
    values: dict[str, float] = {}
    for entry in children(node, "mapEntry"):
        value = read_number(entry.get("mappedValue"))
        key = entry.get("mapKey")
        if key is not None and value is not None:
            values[key.strip() if declaration.get("baseType") != "string" else key] = float(value)
    return values, {k: node.get(k, "") for k in ("defaultValue", "lowerBound", "upperBound")}


def _template(item: Element) -> str | None:
    """The standard template's name (``match_correct``, ``map_response``...), '' for rules, None for none."""
    processing = child(item, "responseProcessing")
    if processing is None:
        return None
    template = processing.get("template") or processing.get("templateLocation") or ""
    if template:
        return posixpath.basename(template).removesuffix(".xml")
    return ""


def _points(item: Element, meta: dict[str, Any] | None) -> float | int:
    if meta and isinstance(meta.get("points"), int | float) and meta["points"] > 0:
        return meta["points"]
    outcomes = {o.get("identifier"): o for o in children(item, "outcomeDeclaration")}
    for identifier in (MAXSCORE, SCORE):
        outcome = outcomes.get(identifier)
        if outcome is None:
            continue
        if identifier == SCORE:
            value = read_number(outcome.get("normalMaximum"))
        else:
            default = child(outcome, "defaultValue")
            value = read_number(child(default, "value").text) if default is not None and child(
                default, "value") is not None else None
        if value is not None and value > 0:
            return value
    return 1


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _choice_texts(interaction: Element, name: str) -> list[tuple[str, str, str | None]]:
    found = []
    for choice in children(interaction, name):
        text = text_of(choice, frozenset({"feedbackInline", "feedbackBlock"})).replace("\n\n", " ")
        feedback = [text_of(f) for f in choice.iter() if local(f.tag) in ("feedbackInline", "feedbackBlock")]
        found.append((choice.get("identifier", ""), " ".join(text.split()),
                      "\n\n".join(f for f in feedback if f) or None))
    return found


def _read_choice(item: Element, interaction: Element, declaration: Element, meta: dict[str, Any] | None,
                 notes: list[str], deadline: Deadline) -> dict[str, Any]:
    options = _choice_texts(interaction, "simpleChoice")
    text_of_id = {identifier: text for identifier, text, _ in options}
    feedback_of_id = {identifier: f for identifier, _, f in options if f}
    # modal feedback for one choice, as other tools write it: the first for a choice without its own
    for modal in checked(children(item, "modalFeedback"), deadline.check):
        identifier = modal.get("identifier", "")
        if identifier in text_of_id and identifier not in feedback_of_id:
            text = text_of(modal)
            if text:
                feedback_of_id[identifier] = text
    options = [(i, t, feedback_of_id.get(i)) for i, t, _ in options]
    correct = list(dict.fromkeys(c for c in _correct(declaration) if c in text_of_id))
    mapping = _mapping_of(declaration)
    if not correct and mapping:
        correct = [k for k, v in mapping[0].items() if v > 0 and k in text_of_id]
    if not correct:
        raise Skip("its choiceInteraction has no correct response")
    single = declaration.get("cardinality", "single") == "single"
    texts = [t for _, t, _ in options]
    wanted = (meta or {}).get("type")
    if single and (wanted == "true_false" or (wanted is None and sorted(t.casefold() for t in texts)
                                              == ["false", "true"])):
        return {"type": "true_false", "answer": text_of_id[correct[0]].casefold() == "true"}
    question: dict[str, Any] = {"choices": texts}
    feedback = {t: f for _, t, f in options if f}
    if feedback:
        question["feedback"] = feedback
    if single:
        if len(correct) > 1:
            notes.append(f"it accepts {len(correct)} choices; only the first, "
                         f"'{text_of_id[correct[0]]}', is kept as the answer")
        question.update(type="single", answer=text_of_id[correct[0]])
        if mapping and any(0 < v < max(mapping[0].values()) for v in mapping[0].values()):
            notes.append("partial credit for some choices cannot be kept: only the answer scores")
        return question
    question.update(type="multiple", answer=[text_of_id[c] for c in correct])
    template = _template(item)
    if mapping is None:
        if meta is None:
            notes.append("it scores all or nothing; here a multiple answer scores "
                         "max(0, (right picked - wrong picked) / right choices)")
        return question
    values, bounds = mapping
    default = float(read_number(bounds["defaultValue"]) or 0)
    share = values.get(correct[0], 0)
    right = set(correct)
    ours = share > 0 and read_number(bounds["lowerBound"]) == 0 and all(
        _close(values.get(i, default), share if i in right else -share) for i in text_of_id)
    if not ours or template not in ("", "map_response"):
        notes.append("its weights for the choices cannot be kept; here a multiple answer scores "
                     "max(0, (right picked - wrong picked) / right choices)")
    return question


def _read_text_entry(item: Element, declaration: Element, meta: dict[str, Any] | None,
                     notes: list[str]) -> dict[str, Any]:
    base_type = declaration.get("baseType", "string")
    correct = _correct(declaration)
    mapping = _mapping_of(declaration)
    if base_type in ("float", "integer") or (meta or {}).get("type") == "numeric":
        answer = read_number(correct[0]) if correct else None
        if answer is None and mapping:
            best = [k for k, v in mapping[0].items() if v == max(mapping[0].values())]
            answer = read_number(best[0]) if best else None
        if answer is None:
            raise Skip("its numeric textEntryInteraction has no correct number")
        question: dict[str, Any] = {"type": "numeric", "answer": answer}
        tolerance = _tolerance(item, answer, notes)
        if tolerance:
            question["tolerance"] = tolerance
        return question
    accepted: list[str] = []
    if mapping:
        values, _ = mapping
        top = max(values.values(), default=0)
        keys = dict.fromkeys([*correct, *values])
        right = set(correct)
        found: dict[str, None] = {}
        for key in keys:
            value = values.get(key, top if key in right else 0)
            if value >= top > 0 and key.strip():
                found.setdefault(key.strip())
        accepted = list(found)
        partial = [k for k, v in values.items() if 0 < v < top]
        if partial:
            notes.append("partial credit for " + ", ".join(f"'{k}'" for k in partial)
                         + " cannot be kept: those answers now score 0")
        if any(e.get("caseSensitive") == "true" for e in descendants(declaration, "mapEntry")):
            notes.append("its answers are case sensitive; here case is ignored")
    else:
        accepted = [c for c in correct if c]
    if not accepted:
        raise Skip("its textEntryInteraction accepts no answer")
    question = {"type": "short", "answer": accepted[0] if len(accepted) == 1 else accepted}
    if meta is None:  # scored as QTI compares strings, not with our forgiveness of typos
        question["exact"] = True
        notes.append(EXACT_NOTE.format(system="QTI"))
    return question


def _tolerance(item: Element, answer: float, notes: list[str]) -> int | float:
    processing = child(item, "responseProcessing")
    for equal in descendants(processing, "equal") if processing is not None else []:
        mode = equal.get("toleranceMode", "exact")
        values = [read_number(v) for v in (equal.get("tolerance") or "0").split()]
        if mode == "exact" or not values or any(v is None for v in values):
            return 0
        low, high = values[0], values[-1]
        if low != high:
            notes.append(f"its tolerance is {low} below and {high} above; here it is {min(low, high)} "
                         "either way")
        tolerance = min(low, high)
        if mode == "relative":
            tolerance = abs(answer) * tolerance / 100
        return tolerance
    return 0


def _read_order(item: Element, interaction: Element, declaration: Element, meta: dict[str, Any] | None,
                notes: list[str]) -> dict[str, Any]:
    text_of_id = {i: t for i, t, _ in _choice_texts(interaction, "simpleChoice")}
    order = [c for c in _correct(declaration) if c in text_of_id]
    if sorted(order) != sorted(text_of_id):
        raise Skip("its orderInteraction has no correct order of all its choices")
    processing = child(item, "responseProcessing")
    if meta is not None:
        partial = bool(meta.get("partial", False))
    else:
        partial = processing is not None and bool(descendants(processing, "index"))
        if partial:
            notes.append("its credit for items in place is read as a fraction of the items in place")
    question: dict[str, Any] = {"type": "ordering", "items": [text_of_id[c] for c in order]}
    if partial:
        question["partial"] = True
    return question


def _read_match(item: Element, interaction: Element, declaration: Element, meta: dict[str, Any] | None,
                notes: list[str]) -> dict[str, Any]:
    sets = children(interaction, "simpleMatchSet")
    if len(sets) != 2:
        raise Skip("its matchInteraction does not have two sets")
    lefts = {i: t for i, t, _ in _choice_texts(sets[0], "simpleAssociableChoice")}
    rights = {i: t for i, t, _ in _choice_texts(sets[1], "simpleAssociableChoice")}
    pairs: dict[str, str] = {}
    used: set[str] = set()
    for value in _correct(declaration):
        parts = value.split()
        if len(parts) != 2:
            continue
        left, right = parts
        if left not in lefts and right in lefts:  # written target first
            left, right = right, left
        if left not in lefts or right not in rights:
            continue
        if lefts[left] in pairs:
            notes.append(f"'{lefts[left]}' has more than one right match; only the first is kept")
            continue
        pairs[lefts[left]] = rights[right]
        used.add(right)
    unmatched = [t for t in lefts.values() if t not in pairs]
    if unmatched:
        notes.append("left out, with no right match: " + ", ".join(f"'{t}'" for t in unmatched))
    if len(pairs) < 2:
        raise Skip("its matchInteraction has fewer than two correct pairs")
    question: dict[str, Any] = {"type": "matching", "pairs": pairs}
    paired = set(pairs.values())
    distractors = [t for i, t in rights.items() if i not in used and t not in paired]
    if distractors:
        question["distractors"] = distractors
    mapping = _mapping_of(declaration)
    if meta is None:
        per_pair = mapping is not None and len({round(v, 9) for v in mapping[0].values() if v > 0}) == 1
        if not per_pair:
            notes.append("it scores all or nothing (or with its own weights); here each right pair "
                         "scores its share")
    if mapping is not None:
        # mapResponse gives a pair without a mapEntry the defaultValue: wrong pairs can cost points
        values, bounds = mapping
        default = read_number(bounds["defaultValue"]) or 0
        if default != 0 or any(v < 0 for v in values.values()):
            notes.append("it takes points off for wrong pairs (a default or negative mapped value); here "
                         "a wrong pair scores 0 and each right pair its share, so a response with wrong "
                         "pairs may score more than it did")
    return question


def read_item(data: bytes, name: str, deadline: Deadline | None = None) -> tuple[dict[str, Any] | None,
                                                                                  list[Note]]:
    """One assessmentItem as a format-1 question mapping (or None, with the Note saying why)."""
    deadline = deadline or Deadline()
    item = parse_xml(data, name, comments=True)
    if local(item.tag) != "assessmentItem":
        raise ImportFailed([SourceProblem(f"the root element is <{local(item.tag)}>, not <assessmentItem>",
                                          item=name)])
    namespace = item.tag[1:].split("}", 1)[0] if item.tag.startswith("{") else ""
    if namespace not in QTI_NAMESPACES:
        raise ImportFailed([SourceProblem(f"not a QTI 2 item (namespace '{namespace}')", item=name)])
    meta = _meta(item)
    label = (meta or {}).get("id") or _question_id(item.get("identifier") or "") or name
    body = child(item, "itemBody")
    if body is None:
        raise ImportFailed([SourceProblem("the item has no <itemBody>", item=name)])
    found = [d for d in body.iter() if local(d.tag).endswith("Interaction")]
    known = [d for d in found if local(d.tag) in INTERACTIONS]
    notes: list[str] = []
    try:
        if not found:
            raise Skip("it has no interaction (nothing to answer)")
        unknown = sorted({local(d.tag) for d in found} - set(INTERACTIONS))
        if unknown:
            raise Skip(f"it uses {', '.join(unknown)}, which has no question type here")
        if len(known) > 1:
            raise Skip(f"it has {len(known)} interactions; a question here has one answer")
        interaction = known[0]
        kind = local(interaction.tag)
        declaration = _declarations(item).get(interaction.get("responseIdentifier", ""))
        if declaration is None:
            raise ImportFailed([SourceProblem(
                f"<{kind}> answers '{interaction.get('responseIdentifier')}', which no "
                "<responseDeclaration> declares", item=name)])
        too_many = _too_many(interaction, declaration)
        if too_many:
            raise Skip(too_many)
        template = _template(item)
        if template not in (None, "", "match_correct", "map_response", "map_response_point"):
            notes.append(f"its response processing template '{template}' is read as match_correct")
        if kind == "choiceInteraction":
            question = _read_choice(item, interaction, declaration, meta, notes, deadline)
        elif kind == "textEntryInteraction":
            question = _read_text_entry(item, declaration, meta, notes)
        elif kind == "orderInteraction":
            question = _read_order(item, interaction, declaration, meta, notes)
        else:
            question = _read_match(item, interaction, declaration, meta, notes)
    except Skip as reason:
        return None, [Note(label, f"left out: {reason}")]
    # the text entry stands for a mark no XML text can hold, so a prompt's own "____" stays
    gap = "\x00"
    prompt_parts = [part.replace(gap, GAP) for part in blocks(
        body, frozenset({"feedbackInline", "feedbackBlock", "rubricBlock", "simpleChoice", "simpleMatchSet"}),
        inline={"textEntryInteraction": gap}, check=deadline.check) if part != gap]
    question["prompt"] = "\n\n".join(prompt_parts) or label
    choice_ids = {c.get("identifier") for c in descendants(item, "simpleChoice")}
    explanation = "\n\n".join(text_of(m) for m in checked(children(item, "modalFeedback"), deadline.check)
                              if m.get("identifier") not in choice_ids)
    meta_for_type = {k: v for k, v in (meta or {}).items()
                     if (k != "exact" or question["type"] == "short")
                     and (k != "partial" or question["type"] == "ordering")}
    question["explanation"] = explanation_from(explanation, meta_for_type)
    question["id"] = (_question_id(item.get("identifier") or "")
                      or posixpath.splitext(posixpath.basename(name))[0])
    apply_meta(question, meta_for_type)
    question["points"] = _points(item, meta)
    if question["points"] == 1:
        del question["points"]
    if meta is not None and meta.get("type") not in (None, question["type"]):
        notes.append(f"it was a '{meta['type']}' question; it is read as '{question['type']}'")
    try:
        question_adapter.validate_python({**question, "id": "q"})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"][1:])
        return None, [Note(label, f"left out: {where + ': ' if where else ''}{first['msg']}")]
    return question, [Note(label, n) for n in notes]


def read(content: bytes, deadline: Deadline) -> Imported:
    """A QTI 2.1 content package back into format-1 questions, with notes on what was lost."""
    files = read_zip(content)
    deadline.check()
    paths, bank, notes = item_files(files, deadline)
    imported = Imported(bank={k: v for k, v in bank.items() if k not in ("id", "title")}, notes=notes)
    for path in paths:
        deadline.check()
        question, item_notes = read_item(files[path], path, deadline)
        imported.notes.extend(item_notes)
        if question is not None:
            imported.questions.append(question)
    return imported
