"""QTI 2.1 packages: round trips, the written shape, foreign items and bad input.

Rules cited: IMS Question and Test Interoperability 2.1 Final (QTI 2.1), its
sections on the item (assessmentItem), interactions, response processing and
its standard templates; IMS Content Packaging 1.1 (CP) for the manifest.
No package in PyPI, npm or Debian ships imsqti_v2p1.xsd (docs/interchange-qti.md
says which were checked), so ``test_every_item_is_structurally_sound`` checks what
the schema and the spec's rules would: see its docstring.
"""

from __future__ import annotations

import io
import os
import re
import sys
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 - building a tree only

import pytest
from hypothesis import HealthCheck, given, settings

from quizapp.banks.schema import Bank
from quizapp.interchange import ImportFailed, export_bank, import_bank, qti21
from quizapp.interchange.common import MAX_MEMBER_BYTES, MAX_ZIP_BYTES, NO_EXPLANATION, Deadline, parse_xml
from quizapp.interchange.xmltext import blocks, children, comments, descendants, local, text_of
from quizapp.scoring import score
from tests.interchange.qtihelp import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    CountingDeadline,
    assert_scores_alike_by_position,
    fixture_bank,
    make_zip,
    unzip,
    without_our_comments,
)
from tests.interchange.strategies import TYPES, assert_scores_alike, banks

QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "interchange" / "all-types.qti21"


def round_trip(bank: Bank) -> Bank:
    result = import_bank(export_bank(bank, "qti21").content, "qti21", bank_id=bank.id, title=bank.title)
    return Bank.model_validate(result.data)


# -- round trips -----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(banks(TYPES))
def test_round_trip_scores_every_response_alike(bank: Bank) -> None:
    """Export -> import scores every response the same, for every type (all seven have a QTI 2.1 item)."""
    after = round_trip(bank)
    assert_scores_alike(bank, after)
    for old, new in zip(bank.questions, after.questions, strict=True):
        assert new.type == old.type
        assert new.prompt == old.prompt
        assert new.explanation == old.explanation
        assert new.skill == old.skill


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(banks(("single", "multiple", "true_false", "numeric", "ordering", "matching")))
def test_round_trip_without_our_comments_scores_every_response_alike(bank: Bank) -> None:
    """With every quizapp comment taken out (a pass through another system), the items alone keep the
    score of every response for each type whose scoring QTI 2.1 holds: choices (match_correct, or the
    multiple-answer mapping), numbers with their tolerance, orders (with index for partial) and pairs."""
    package = without_our_comments(qti21.write(bank).content)
    assert b"quizapp" not in b"".join(unzip(package).values())
    result = import_bank(package, "qti21", bank_id=bank.id, title=bank.title)
    assert_scores_alike_by_position(bank, Bank.model_validate(result.data))


def test_round_trip_of_the_fixture_keeps_every_key() -> None:
    """The metadata comment and the modal feedback bring back everything format 1 holds."""
    bank = fixture_bank()
    after = round_trip(bank)
    assert after.model_dump(exclude={"id", "title"}) == bank.model_dump(exclude={"id", "title"})


def test_written_package_is_deterministic() -> None:
    """The same bank gives the same bytes (fixed zip times, fixed order, no random identifiers)."""
    bank = fixture_bank()
    assert qti21.write(bank).content == qti21.write(bank).content


def test_written_package_matches_the_golden_files() -> None:
    """The exact output for tests/fixtures/all-types.yaml; regenerate with
    ``python -m tests.interchange.test_qti21`` after an intended change, and read the diff."""
    files = unzip(qti21.write(fixture_bank()).content)
    golden = {str(p.relative_to(GOLDEN)): p.read_bytes() for p in sorted(GOLDEN.rglob("*.xml"))}
    assert sorted(files) == sorted(golden)
    for name, content in files.items():
        assert content.decode() == golden[name].decode(), name


# -- the written shape -----------------------------------------------------------------------------


def _items() -> dict[str, Any]:
    files = unzip(qti21.write(fixture_bank()).content)
    return {name: parse_xml(data, name, comments=True) for name, data in files.items()
            if name != "imsmanifest.xml"}


def _item(question_id: str) -> Any:
    return _items()[f"items/{question_id}.xml"]


def test_multiple_answer_keeps_the_partial_rule_as_a_mapping() -> None:
    """QTI 2.1 responseDeclaration/mapping: +1/n per right choice, -1/n per wrong one, lowerBound 0;
    mapResponse sums the distinct values and clamps to the bounds, i.e. max(0, (right - wrong) / n)."""
    item = _item("curtailed")
    mapping = item.find(f"{QTI}responseDeclaration/{QTI}mapping")
    assert mapping.get("lowerBound") == "0" and mapping.get("upperBound") == "1"
    values = {e.get("mapKey"): float(e.get("mappedValue")) for e in mapping}
    assert values == pytest.approx({"C1": 1 / 3, "C2": 1 / 3, "C3": 1 / 3, "C4": -1 / 3})
    product = item.find(f".//{QTI}product")
    assert [local(c.tag) for c in product] == ["mapResponse", "baseValue"]
    assert product[1].text == "3"  # scaled by the question's points


def test_true_false_is_a_choice_of_true_and_false() -> None:
    """true_false -> choiceInteraction of two simpleChoices "True"/"False", maxChoices 1."""
    item = _item("five-eyes-founded")
    interaction = item.find(f".//{QTI}choiceInteraction")
    assert interaction.get("maxChoices") == "1"
    assert [(c.get("identifier"), c.text) for c in interaction] == [("TRUE", "True"), ("FALSE", "False")]
    assert item.find(f".//{QTI}correctResponse/{QTI}value").text == "FALSE"


def test_short_answer_is_a_case_insensitive_mapping() -> None:
    """short -> textEntryInteraction; QTI 2.1 mapEntry caseSensitive="false" for each accepted string."""
    item = _item("analyst")
    entries = item.findall(f".//{QTI}mapEntry")
    assert [(e.get("mapKey"), e.get("mappedValue"), e.get("caseSensitive")) for e in entries] == [
        ("Emily Harding", "1", "false"), ("Harding", "1", "false")]
    assert item.find(f".//{QTI}textEntryInteraction") is not None


def test_numeric_tolerance_is_an_absolute_equal() -> None:
    """numeric -> float textEntryInteraction; QTI 2.1 ``equal`` with toleranceMode absolute (or exact)."""
    bank = Bank.model_validate({"format": 1, "id": "n", "title": "N", "questions": [
        {"id": "pi", "type": "numeric", "prompt": "Pi?", "explanation": "3.14", "answer": 3.14,
         "tolerance": 0.01}]})
    item = parse_xml(qti21.write_item(bank.questions[0]), "pi")
    equal = item.find(f".//{QTI}equal")
    assert (equal.get("toleranceMode"), equal.get("tolerance")) == ("absolute", "0.01 0.01")
    assert item.find(f".//{QTI}responseDeclaration").get("baseType") == "float"
    assert _item("year").find(f".//{QTI}equal").get("toleranceMode") == "exact"


def test_ordering_partial_credit_counts_items_in_place() -> None:
    """ordering with partial -> per-position credit with QTI 2.1 ``index``; without it, match_correct."""
    bank = Bank.model_validate({"format": 1, "id": "o", "title": "O", "questions": [
        {"id": "o", "type": "ordering", "prompt": "Order", "explanation": "E", "items": ["a", "b", "c"],
         "partial": True, "points": 3}]})
    item = parse_xml(qti21.write_item(bank.questions[0]), "o")
    assert [i.get("n") for i in item.iter(f"{QTI}index")] == ["1", "2", "3"]
    assert item.find(f".//{QTI}outcomeDeclaration[@identifier='INPLACE']") is not None
    assert not list(_item("order").iter(f"{QTI}index"))
    assert _item("order").find(f".//{QTI}match/{QTI}correct") is not None


def test_matching_is_directed_pairs_with_distractors_as_targets() -> None:
    """matching -> matchInteraction: sources then targets (QTI 2.1 simpleMatchSet order), directedPair
    "source target", a distractor is a target in no pair, each pair maps to 1/n."""
    item = _item("agencies")
    sets = item.findall(f".//{QTI}simpleMatchSet")
    assert [c.text for c in sets[0]] == ["MI5", "FBI"]
    assert [c.text for c in sets[1]] == ["United Kingdom", "United States", "Netherlands"]
    assert [v.text for v in item.iter(f"{QTI}value")][:2] == ["L1 R1", "L2 R2"]
    assert [e.get("mappedValue") for e in item.iter(f"{QTI}mapEntry")] == ["0.5", "0.5"]


def test_feedback_and_explanation() -> None:
    """Per-choice feedback -> feedbackInline in its simpleChoice (shown when FEEDBACK holds the choice);
    explanation and evidence in words -> modalFeedback shown once answered."""
    item = _item("dni")
    inline = item.find(f".//{QTI}simpleChoice[@identifier='C2']/{QTI}feedbackInline")
    assert inline.text == "The article names Patel as FBI Director."
    assert inline.get("outcomeIdentifier") == "FEEDBACK"
    modal = item.find(f"{QTI}modalFeedback")
    assert [p.text for p in modal] == [
        "Paragraph 9 names Tulsi Gabbard as Director of National Intelligence.",
        "Evidence: paragraph 9: \u201cTulsi Gabbard\u201d"]


def test_short_answers_are_noted_on_export() -> None:
    """QTI 2.1 mapEntry caseSensitive="false" matches the string apart from case only: a Note says that
    what scores here (a typo, a leading 'the') scores 0 there."""
    assert [str(n) for n in qti21.write(fixture_bank()).notes] == [
        "question 'analyst': QTI compares a short answer exactly, apart from case: a response with a typo, "
        "other punctuation or spacing, or a leading 'the', which scores here, scores 0 there"]
    assert qti21.write(DIGIT_IDS).notes[0].question == "2017"


def test_metadata_comment_and_bank_comment() -> None:
    """Our metadata line (common.meta_text) rides in a comment, which QTI tools ignore."""
    assert 'quizapp: {"evidence": {"paragraph": 9, "quote": "Tulsi Gabbard"}, "id": "dni"' in comments(
        _item("dni"))[0]
    files = unzip(qti21.write(fixture_bank()).content)
    manifest = parse_xml(files["imsmanifest.xml"], "m", comments=True)
    assert comments(manifest)[0].strip().startswith('quizapp-bank: {"as_of": "2025-11-14"')


def test_a_double_hyphen_in_metadata_survives_the_comment() -> None:
    """XML 1.0 (section 2.5) forbids "--" in a comment: it is written as the JSON escape \\u002d."""
    bank = Bank.model_validate({"format": 1, "id": "d", "title": "D", "source": "s", "questions": [
        {"id": "a--b", "type": "true_false", "prompt": "P", "explanation": "E", "answer": True,
         "evidence": {"paragraph": 1, "quote": "x -- y ---"}}]})
    after = round_trip(bank)
    assert after.questions[0].id == "a--b"
    assert after.questions[0].evidence.quote == "x -- y ---"


# -- structure, in place of the XSD ----------------------------------------------------------------

# QTI 2.1 vocabulary that the writer may use (every name below is an element of imsqti_v2p1.xsd)
QTI_ELEMENTS = {
    "assessmentItem", "responseDeclaration", "outcomeDeclaration", "correctResponse", "value", "mapping",
    "mapEntry", "defaultValue", "itemBody", "p", "br", "choiceInteraction", "simpleChoice",
    "feedbackInline", "textEntryInteraction", "orderInteraction", "matchInteraction", "simpleMatchSet",
    "simpleAssociableChoice", "responseProcessing", "responseCondition", "responseIf", "responseElse",
    "setOutcomeValue", "baseValue", "variable", "correct", "match", "isNull", "mapResponse", "product",
    "equal", "index", "sum", "divide", "modalFeedback"}
ITEM_ORDER = ["responseDeclaration", "outcomeDeclaration", "templateDeclaration", "templateProcessing",
              "stylesheet", "itemBody", "responseProcessing", "modalFeedback"]
NCNAME = re.compile(r"^[A-Za-z_][\w.-]*$")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(banks(TYPES))
def test_every_item_is_structurally_sound(bank: Bank) -> None:
    """Every written package passes :func:`_assert_structurally_sound`."""
    _assert_structurally_sound(bank)


def _assert_structurally_sound(bank: Bank) -> None:
    """In place of imsqti_v2p1.xsd / imscp_v1p1.xsd (no registry package ships them), per QTI 2.1 and CP 1.1:
    well-formed; root and every element in the QTI 2.1 (items) or CP 1.1 (manifest) namespace; only QTI 2.1
    element names; assessmentItem's children in the schema's order with the required attributes; every
    responseIdentifier, variable, correct, mapResponse and feedback outcomeIdentifier declared;
    identifiers unique and NCNames; cardinality and baseType from the spec's lists; mapEntry keys name
    choices (or pairs of them); the manifest lists every item once, and every file it lists exists."""
    files = unzip(qti21.write(bank).content)
    manifest = parse_xml(files.pop("imsmanifest.xml"), "imsmanifest.xml")
    assert manifest.tag == f"{CP}manifest"
    assert all(e.tag.startswith(CP) for e in manifest.iter())
    hrefs = [f.get("href") for f in manifest.iter(f"{CP}file")]
    resources = list(manifest.iter(f"{CP}resource"))
    assert sorted(hrefs) == sorted(files) and len(set(hrefs)) == len(hrefs)
    assert all(r.get("type") == "imsqti_item_xmlv2p1" and r.get("href") in files for r in resources)
    resource_ids = [r.get("identifier") for r in resources]
    assert len(set(resource_ids)) == len(resource_ids) and all(NCNAME.match(i) for i in resource_ids)
    for name, data in files.items():
        item = parse_xml(data, name)
        assert item.tag == f"{QTI}assessmentItem"
        assert {local(e.tag) for e in item.iter()} <= QTI_ELEMENTS, name
        assert all(e.tag.startswith(QTI) for e in item.iter())
        assert all(item.get(a) for a in ("identifier", "title", "adaptive", "timeDependent"))
        assert NCNAME.match(item.get("identifier")), item.get("identifier")
        order = [ITEM_ORDER.index(local(c.tag)) for c in item]
        assert order == sorted(order), name
        responses = {d.get("identifier"): d for d in children(item, "responseDeclaration")}
        outcomes = {d.get("identifier"): d for d in children(item, "outcomeDeclaration")}
        declared = set(responses) | set(outcomes)
        assert len(declared) == len(responses) + len(outcomes)
        for declaration in [*responses.values(), *outcomes.values()]:
            assert declaration.get("cardinality") in ("single", "multiple", "ordered", "record")
            assert declaration.get("baseType") in ("identifier", "boolean", "integer", "float", "string",
                                                   "point", "pair", "directedPair", "duration", "file", "uri")
        assert "SCORE" in outcomes
        for interaction in item.iter():
            if local(interaction.tag).endswith("Interaction"):
                assert interaction.get("responseIdentifier") in responses
        refs = ("variable", "correct", "mapResponse", "setOutcomeValue")
        for ref in [e for e in item.iter() if local(e.tag) in refs]:
            assert ref.get("identifier") in declared, (name, ref.get("identifier"))
        for feedback in [*item.iter(f"{QTI}feedbackInline"), *item.iter(f"{QTI}modalFeedback")]:
            assert feedback.get("outcomeIdentifier") in outcomes
            assert feedback.get("showHide") in ("show", "hide")
        choice_ids = [c.get("identifier") for c in item.iter()
                      if local(c.tag) in ("simpleChoice", "simpleAssociableChoice")]
        assert len(set(choice_ids)) == len(choice_ids) and all(NCNAME.match(i) for i in choice_ids)
        for entry in item.iter(f"{QTI}mapEntry"):
            base_type = responses["RESPONSE"].get("baseType")
            if base_type == "identifier":
                assert entry.get("mapKey") in choice_ids
            elif base_type == "directedPair":
                assert all(part in choice_ids for part in entry.get("mapKey").split())
        for value in descendants(item, "correctResponse"):
            for v in value:
                if responses["RESPONSE"].get("baseType") == "identifier":
                    assert v.text in choice_ids


DIGIT_IDS = Bank.model_validate({"format": 1, "id": "1999", "title": "Years", "questions": [
    {"id": "9-11", "type": "single", "prompt": "When?", "explanation": "E", "choices": ["2001", "2002"],
     "answer": "2001", "points": 2},
    {"id": "2017", "type": "short", "prompt": "Year?", "explanation": "E", "answer": "2017"},
    {"id": "0-order", "type": "ordering", "prompt": "Order", "explanation": "E", "items": ["a", "b", "c"],
     "partial": True},
    {"id": "q-2", "type": "matching", "prompt": "Match", "explanation": "E",
     "pairs": {"a": "1", "b": "2"}, "distractors": ["3"]}]})


def test_ids_that_start_with_a_digit_are_written_as_ncnames_and_read_back() -> None:
    """xs:NCName cannot start with a digit: an id such as "9-11" is written as the item identifier
    "Q-9-11" (file names keep the id); the import gives back "9-11", from the metadata comment or,
    without it, by undoing the prefix. Scores stay alike."""
    _assert_structurally_sound(DIGIT_IDS)
    files = unzip(qti21.write(DIGIT_IDS).content)
    identifiers = [parse_xml(files[f"items/{q.id}.xml"], q.id).get("identifier") for q in DIGIT_IDS.questions]
    assert identifiers == ["Q-9-11", "Q-2017", "Q-0-order", "q-2"]
    after = round_trip(DIGIT_IDS)
    assert [q.id for q in after.questions] == ["9-11", "2017", "0-order", "q-2"]
    assert_scores_alike(DIGIT_IDS, after)
    stripped = {name: re.sub(rb"<!--.*?-->", b"", data, flags=re.S) for name, data in files.items()}
    imported = qti21.read(make_zip(stripped), Deadline())
    assert [q["id"] for q in imported.questions] == ["9-11", "2017", "0-order", "q-2"]


# -- other tools' items ----------------------------------------------------------------------------

ITEM_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<assessmentItem xmlns="http://www.imsglobal.org/xsd/'
             'imsqti_v2p1" identifier="{id}" title="T" adaptive="false" timeDependent="false">')


def package(items: dict[str, str], *, manifest: bool = True) -> bytes:
    files: dict[str, str] = {}
    if manifest:
        resources = "".join(f'<resource identifier="r{n}" type="imsqti_item_xmlv2p1" href="{name}">'
                            f'<file href="{name}"/></resource>' for n, name in enumerate(items))
        files["imsmanifest.xml"] = (
            '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="m">'
            f"<organizations/><resources>{resources}</resources></manifest>")
    files.update(items)
    return make_zip(files)


def read(data: bytes) -> Any:
    return qti21.read(data, Deadline())


MATCH_CORRECT_CHOICE = ITEM_HEAD.format(id="capital") + """
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse><value>B</value></correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="false" maxChoices="1">
      <prompt>What is the capital of <b>France</b>?</prompt>
      <simpleChoice identifier="A">Lyon</simpleChoice>
      <simpleChoice identifier="B">Paris</simpleChoice>
    </choiceInteraction>
  </itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
  <modalFeedback outcomeIdentifier="FEEDBACK" identifier="B" showHide="show">Right.</modalFeedback>
</assessmentItem>"""

MAP_RESPONSE_TEXT = ITEM_HEAD.format(id="river") + """
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="string">
    <correctResponse><value>Seine</value></correctResponse>
    <mapping defaultValue="0"><mapEntry mapKey="Seine" mappedValue="1"/>
      <mapEntry mapKey="La Seine" mappedValue="1"/><mapEntry mapKey="Loire" mappedValue="0.5"/></mapping>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody><p>Paris lies on the <textEntryInteraction responseIdentifier="RESPONSE"/>.</p></itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"/>
</assessmentItem>"""

MATCH_CORRECT_MULTIPLE = ITEM_HEAD.format(id="primes") + """
  <responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="identifier">
    <correctResponse><value>two</value><value>three</value></correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody><choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="0">
    <prompt>Which are prime?</prompt>
    <simpleChoice identifier="two">2</simpleChoice><simpleChoice identifier="three">3</simpleChoice>
    <simpleChoice identifier="four">4</simpleChoice></choiceInteraction></itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
</assessmentItem>"""

HOTSPOT = ITEM_HEAD.format(id="map") + """
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier"/>
  <itemBody><hotspotInteraction responseIdentifier="RESPONSE" maxChoices="1">
    <object type="image/png" data="map.png"/></hotspotInteraction></itemBody>
</assessmentItem>"""


def test_standard_template_match_correct_choice_item() -> None:
    """QTI 2.1 response processing template match_correct: the correct response is the answer;
    a prompt element and inline markup become plain text; modalFeedback for a choice is its feedback."""
    imported = read(package({"items/capital.xml": MATCH_CORRECT_CHOICE}))
    [question] = imported.questions
    assert question["type"] == "single" and question["answer"] == "Paris"
    assert question["choices"] == ["Lyon", "Paris"]
    assert question["prompt"] == "What is the capital of France?"
    assert question["feedback"] == {"Paris": "Right."}
    assert question["id"] == "capital"
    assert imported.notes == []


def test_standard_template_map_response_text_entry() -> None:
    """QTI 2.1 template map_response on a string textEntryInteraction: entries worth the most are the
    accepted answers; partial credit (0.5) cannot be held and is named in a Note. QTI compares the
    string exactly apart from case, so the answer is made exact (no typo forgiven), with a Note."""
    imported = read(package({"items/river.xml": MAP_RESPONSE_TEXT}))
    [question] = imported.questions
    assert question["type"] == "short" and question["answer"] == ["Seine", "La Seine"]
    assert question["exact"] is True
    assert question["prompt"] == "Paris lies on the ____."
    assert [str(n) for n in imported.notes] == [
        "question 'river': partial credit for 'Loire' cannot be kept: those answers now score 0",
        "question 'river': made 'exact: true': as in QTI, a typo is not forgiven (punctuation, spacing, "
        "case and a leading 'the' are still ignored here)"]


def test_a_prompt_of_underscores_is_kept() -> None:
    """A text entry in a sentence reads as "____"; one on its own line is left out of the prompt, but a
    paragraph of the prompt that is "____" is kept."""
    bank = Bank.model_validate({"format": 1, "id": "g", "title": "G", "questions": [
        {"id": "g", "type": "short", "prompt": "____", "explanation": "E", "answer": "a"}]})
    assert round_trip(bank).questions[0].prompt == "____"


MATCH_WITH_PENALTY = ITEM_HEAD.format(id="capitals") + """
  <responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="directedPair">
    <correctResponse><value>fr paris</value><value>de berlin</value><value>it rome</value></correctResponse>
    <mapping defaultValue="-1" lowerBound="0">{entries}</mapping>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody><matchInteraction responseIdentifier="RESPONSE" maxAssociations="3">
    <prompt>Match each country to its capital.</prompt>
    <simpleMatchSet><simpleAssociableChoice identifier="fr" matchMax="1">France</simpleAssociableChoice>
      <simpleAssociableChoice identifier="de" matchMax="1">Germany</simpleAssociableChoice>
      <simpleAssociableChoice identifier="it" matchMax="1">Italy</simpleAssociableChoice></simpleMatchSet>
    <simpleMatchSet><simpleAssociableChoice identifier="paris" matchMax="3">Paris</simpleAssociableChoice>
      <simpleAssociableChoice identifier="berlin" matchMax="3">Berlin</simpleAssociableChoice>
      <simpleAssociableChoice identifier="rome" matchMax="3">Rome</simpleAssociableChoice></simpleMatchSet>
  </matchInteraction></itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"/>
</assessmentItem>"""
RIGHT_PAIRS = ('<mapEntry mapKey="fr paris" mappedValue="1"/><mapEntry mapKey="de berlin" mappedValue="1"/>'
               '<mapEntry mapKey="it rome" mappedValue="1"/>')


def test_matching_with_penalties_for_wrong_pairs_is_noted() -> None:
    """QTI 2.1 mapResponse: a pair with no mapEntry scores the mapping's defaultValue, so with
    defaultValue -1 two right pairs and one wrong score (1 + 1 - 1) / 3 = 1/3 there; here a wrong pair
    scores 0 and that response 2/3. A Note says so; so it does for a negative mapEntry."""
    for entries in (RIGHT_PAIRS, RIGHT_PAIRS + '<mapEntry mapKey="fr rome" mappedValue="-1"/>'):
        mapping = 'defaultValue="-1"' if entries == RIGHT_PAIRS else 'defaultValue="0"'
        item = MATCH_WITH_PENALTY.format(entries=entries).replace('defaultValue="-1"', mapping)
        imported = read(package({"items/capitals.xml": item}))
        [question] = imported.questions
        assert question["pairs"] == {"France": "Paris", "Germany": "Berlin", "Italy": "Rome"}
        two_right = {"France": "Paris", "Germany": "Berlin", "Italy": "Paris"}
        assert score(Bank.model_validate({"format": 1, "id": "b", "title": "B", "questions": [
            {**question, "explanation": "E"}]}).questions[0], two_right).score == pytest.approx(2 / 3)
        assert [str(n) for n in imported.notes] == [
            "question 'capitals': it takes points off for wrong pairs (a default or negative mapped "
            "value); here a wrong pair scores 0 and each right pair its share, so a response with "
            "wrong pairs may score more than it did"]


def test_all_or_nothing_multiple_is_noted() -> None:
    """A multiple response item with match_correct scores all or nothing in QTI 2.1; ours gives partial
    credit, which a Note says."""
    imported = read(package({"items/primes.xml": MATCH_CORRECT_MULTIPLE}))
    [question] = imported.questions
    assert question["type"] == "multiple" and question["answer"] == ["2", "3"]
    assert "all or nothing" in str(imported.notes[0])


def test_an_unknown_interaction_is_dropped_with_a_note() -> None:
    """An interaction with no question type here (hotspotInteraction, QTI 2.1 section 7) is left out,
    never silently: a Note names it."""
    imported = read(package({"items/map.xml": HOTSPOT, "items/capital.xml": MATCH_CORRECT_CHOICE}))
    assert [q["id"] for q in imported.questions] == ["capital"]
    assert [str(n) for n in imported.notes] == [
        "question 'map': left out: it uses hotspotInteraction, which has no question type here"]


def test_an_item_that_fails_validation_is_dropped_with_a_note() -> None:
    """What format 1 refuses (here one choice only) becomes a Note, not a broken bank."""
    lonely = MATCH_CORRECT_CHOICE.replace('<simpleChoice identifier="A">Lyon</simpleChoice>', "")
    imported = read(package({"items/a.xml": lonely, "items/b.xml": MATCH_CORRECT_CHOICE}))
    assert len(imported.questions) == 1
    assert str(imported.notes[0]).startswith("question 'capital': left out: choices:")


def _many_choices(n: int, modals: int) -> str:
    """A choice item of ``n`` choices, each with its own modalFeedback, and ``modals`` more of those."""
    choices = "".join(f'<simpleChoice identifier="c{i}">choice {i}</simpleChoice>' for i in range(n))
    feedback = "".join(f'<modalFeedback outcomeIdentifier="FEEDBACK" identifier="c{i % n}" showHide="show">'
                       f"f{i}</modalFeedback>" for i in range(max(n, modals)))
    return ITEM_HEAD.format(id="many") + f"""
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse><value>c1</value></correctResponse></responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody><choiceInteraction responseIdentifier="RESPONSE" maxChoices="1">{choices}</choiceInteraction>
  </itemBody>
  <responseProcessing template="{qti21.TEMPLATES}match_correct"/>{feedback}
</assessmentItem>"""


ORDER_ITEM = ITEM_HEAD.format(id="order") + """
  <responseDeclaration identifier="RESPONSE" cardinality="ordered" baseType="identifier">
    <correctResponse>{values}</correctResponse></responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody><orderInteraction responseIdentifier="RESPONSE">{choices}</orderInteraction></itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
</assessmentItem>"""


def test_an_item_with_thousands_of_choices_is_dropped_unread() -> None:
    """A question here has at most 10 choices: an item of 5000 choices (each with a modalFeedback), of
    5000 items to order or 5000 accepted strings is left out with a Note before its choices are read."""
    n = 5000
    order = ORDER_ITEM.format(
        values="".join(f"<value>i{i}</value>" for i in range(n)),
        choices="".join(f'<simpleChoice identifier="i{i}">item {i}</simpleChoice>' for i in range(n)))
    text = MAP_RESPONSE_TEXT.replace('<mapEntry mapKey="Seine" mappedValue="1"/>', "".join(
        f'<mapEntry mapKey="s{i}" mappedValue="1"/>' for i in range(n)))
    imported = read(package({"items/many.xml": _many_choices(n, n), "items/order.xml": order,
                             "items/river.xml": text, "items/capital.xml": MATCH_CORRECT_CHOICE}))
    assert [q["id"] for q in imported.questions] == ["capital"]
    assert [str(n) for n in imported.notes] == [
        "question 'many': left out: it has 5000 choices; more than 50 are not read "
        "(a question here has at most 10)",
        "question 'order': left out: it has 5000 choices; more than 50 are not read "
        "(a question here has at most 10)",
        "question 'river': left out: it has 5002 answers in its mapping; more than 50 are not read "
        "(a question here has at most 10)"]


def test_thousands_of_modal_feedbacks_are_read_once_each() -> None:
    """An item of a few choices and 5000 modalFeedbacks imports: each feedback is read (the first for
    its choice is the choice's feedback), none of them is compared with every other."""
    imported = read(package({"items/many.xml": _many_choices(3, 5000)}))
    [question] = imported.questions
    assert question["feedback"] == {"choice 0": "f0", "choice 1": "f1", "choice 2": "f2"}
    assert question["explanation"] == NO_EXPLANATION


def test_the_deadline_is_checked_inside_one_item() -> None:
    """One item's long loops check the deadline too: one item of 5000 modalFeedbacks outlasts 100
    checks, where a package read item by item would check it 3 times."""
    data = package({"items/many.xml": _many_choices(3, 5000)})
    qti21.read(data, CountingDeadline(10**6))
    with pytest.raises(ImportFailed, match="took longer than"):
        qti21.read(data, CountingDeadline(100))


# -- bad input -------------------------------------------------------------------------------------


def _fails(data: bytes) -> str:
    with pytest.raises(ImportFailed) as caught:
        import_bank(data, "qti21", bank_id="b", title="B")
    message = str(caught.value)
    assert "Traceback" not in message
    return message


def test_malformed_item_names_the_item_and_line() -> None:
    """A malformed item fails the import with the item's file name and the line (no traceback)."""
    broken = MATCH_CORRECT_CHOICE.replace("</choiceInteraction>", "")
    with pytest.raises(ImportFailed) as caught:
        import_bank(package({"items/capital.xml": broken}), "qti21", bank_id="b", title="B")
    [problem] = caught.value.problems
    assert problem.item == "items/capital.xml"
    # line 13: </itemBody> meets the unclosed interaction
    assert "not well-formed XML" in problem.message and problem.line == 13


def test_undeclared_response_names_the_item() -> None:
    """QTI 2.1: an interaction's responseIdentifier must name a responseDeclaration."""
    broken = MATCH_CORRECT_CHOICE.replace('responseIdentifier="RESPONSE"', 'responseIdentifier="R2"')
    assert _fails(package({"items/capital.xml": broken})) == (
        "items/capital.xml: <choiceInteraction> answers 'R2', which no <responseDeclaration> declares")


def test_billion_laughs_is_refused() -> None:
    """An XML bomb (entity expansion) is refused: defusedxml forbids DTDs and entities."""
    assert "DTD or entities" in _fails(package({"items/x.xml": BILLION_LAUGHS}))
    assert "DTD or entities" in _fails(make_zip({"imsmanifest.xml": BILLION_LAUGHS}))


def test_external_entity_is_refused() -> None:
    """An external entity (XXE, file:///etc/passwd) is refused before anything is read."""
    assert "DTD or entities" in _fails(package({"items/x.xml": EXTERNAL_ENTITY}))


@pytest.mark.parametrize("name", ["../x.xml", "/etc/x.xml", "items/../../x.xml", "C:/x.xml"])
def test_zip_slip_is_refused(name: str) -> None:
    """Zip slip: a member named outside the package (.., absolute, drive letter) fails the import."""
    message = _fails(package({name: MATCH_CORRECT_CHOICE}))
    assert "leads outside the package" in message


def test_manifest_pointing_outside_is_refused() -> None:
    """CP 1.1 hrefs are relative to the manifest: one that climbs out of the package is refused."""
    data = make_zip({"imsmanifest.xml": '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
                     'identifier="m"><resources><resource identifier="r" type="imsqti_item_xmlv2p1" '
                     'href="../../etc/passwd"/></resources></manifest>'})
    assert "outside the package" in _fails(data)


def test_compression_bomb_is_refused() -> None:
    """A member that unpacks far beyond its packed size (a compression bomb) is refused unread."""
    data = make_zip({"imsmanifest.xml": "<manifest/>", "items/bomb.xml": b"\0" * (1024 * 1024)})
    assert "compression bomb" in _fails(data)


def test_huge_file_is_refused() -> None:
    """A package over the size limit is refused before it is opened; so is a member over its limit."""
    assert "larger than" in _fails(b"PK" + b"\0" * (MAX_ZIP_BYTES + 1))
    noise = os.urandom(MAX_MEMBER_BYTES + 10)  # random bytes do not compress: not a bomb, just big
    data = make_zip({"imsmanifest.xml": "<manifest/>", "items/big.xml": noise}, stored=True)
    assert "larger than" in _fails(data)


def test_package_without_manifest() -> None:
    """CP 1.1: a package is found through imsmanifest.xml; without one the import says so."""
    assert "no imsmanifest.xml" in _fails(package({"items/capital.xml": MATCH_CORRECT_CHOICE},
                                                  manifest=False))


def test_not_a_zip_and_a_qti12_package() -> None:
    """A file that is no zip, and a QTI 1.2 package sent as 2.1, get messages that say what to do."""
    assert "not a zip package" in _fails(b"hello")
    qti12 = export_bank(fixture_bank(), "canvas").content
    assert "import it as 'canvas'" in _fails(qti12)


def test_an_expired_deadline_stops_the_import_with_a_clear_message() -> None:
    """An import past its time stops with a message that says what to do, not a traceback (here at the
    first check; test_the_deadline_is_checked_inside_one_item shows the checks inside an item)."""
    data = qti21.write(fixture_bank()).content
    with pytest.raises(ImportFailed, match="took longer than"):
        qti21.read(data, Deadline(seconds=-1))


def test_text_of_a_deeply_nested_element_needs_no_recursion() -> None:
    """The text walker is iterative: a tree far deeper than Python's recursion limit is read in order,
    whatever limit the XML parser puts on depth."""
    depth = sys.getrecursionlimit() * 5
    root = leaf = ET.Element("div")
    for _ in range(depth):
        leaf = ET.SubElement(leaf, "span")
        leaf.tail = "t"
    leaf = ET.SubElement(leaf, "p")
    leaf.text = "deep"
    ET.SubElement(leaf, "br").tail = "line"
    assert blocks(root) == ["deep\nline", "t" * depth]
    assert text_of(root, frozenset({"span"})) == "t"


def test_the_key_scores_full_points_after_a_round_trip() -> None:
    """A sanity check on the scoring of what comes back: each key is still fully right."""
    from quizapp.scoring import key_response
    for question in round_trip(fixture_bank()).questions:
        assert score(question, key_response(question)).correct


if __name__ == "__main__":  # regenerate the golden files
    GOLDEN.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(qti21.write(fixture_bank()).content)) as archive:
        for info in archive.infolist():
            target = GOLDEN / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(info))
