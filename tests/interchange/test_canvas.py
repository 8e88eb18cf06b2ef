"""Canvas classic quizzes (QTI 1.2): round trips, the shape Canvas exports, Canvas's own files, bad input.

The shape followed is Canvas's quiz export (canvas-lms ``lib/cc/qti/qti_items.rb``,
``qti_generator.rb``): ``questestinterop`` > ``assessment`` > ``section
ident="root_section"`` > ``item``, each with ``question_type`` and
``points_possible`` fields, ``response_lid ident="response1"`` (choices) or
``response_str``/``render_fib`` (typed answers), ``setvar SCORE`` 100 for the key,
``itemfeedback general_fb`` / ``<answer id>_fb``; the manifest's
``imsqti_xmlv1p2`` resource depends on ``assessment_meta.xml``.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 - building a tree only

import pytest
from hypothesis import HealthCheck, given, settings

from quizapp.banks.schema import Bank
from quizapp.interchange import ImportFailed, export_bank, import_bank
from quizapp.interchange import canvas as canvas_format
from quizapp.interchange.common import Deadline, parse_xml
from quizapp.interchange.xmltext import local
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
from tests.interchange.strategies import TYPES, assert_scores_alike, banks, responses

Q = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "interchange" / "all-types.canvas"


def round_trip(bank: Bank) -> Bank:
    result = import_bank(export_bank(bank, "canvas").content, "canvas", bank_id=bank.id, title=bank.title)
    return Bank.model_validate(result.data)


def _assessment(bank: Bank) -> Any:
    files = unzip(canvas_format.write(bank).content)
    name = next(n for n in files if n.endswith(".xml") and "/" in n and "assessment_meta" not in n)
    return parse_xml(files[name], name, comments=True)


def _items(bank: Bank) -> dict[str, Any]:
    return {item.get("title"): item for item in _assessment(bank).iter(f"{Q}item")}


def _fields(item: Any) -> dict[str, str]:
    return {f.find(f"{Q}fieldlabel").text: f.find(f"{Q}fieldentry").text
            for f in item.iter(f"{Q}qtimetadatafield")}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(banks(TYPES))
def test_round_trip_scores_every_response_alike(bank: Bank) -> None:
    """Export -> import scores every response the same for every type; ordering comes back as ordering
    through its metadata comment (Canvas itself holds it as item -> position matching)."""
    after = round_trip(bank)
    assert_scores_alike(bank, after)
    assert [q.type for q in after.questions] == [q.type for q in bank.questions]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(banks(("single", "multiple", "true_false", "numeric", "matching")))
def test_round_trip_without_our_comments_scores_every_response_alike(bank: Bank) -> None:
    """With every quizapp comment taken out (what Canvas itself keeps), the items alone keep the score of
    every response for each type Canvas scores as we do: choices, multiple answers (Canvas's partial rule
    is ours), numbers with their margin, and matching per pair."""
    package = without_our_comments(canvas_format.write(bank).content)
    assert b"quizapp" not in b"".join(unzip(package).values())
    result = import_bank(package, "canvas", bank_id=bank.id, title=bank.title)
    assert_scores_alike_by_position(bank, Bank.model_validate(result.data))


def test_round_trip_of_the_fixture_keeps_every_key() -> None:
    """Metadata comment and general_fb bring back everything format 1 holds."""
    bank = fixture_bank()
    assert round_trip(bank).model_dump(exclude={"id", "title"}) == bank.model_dump(exclude={"id", "title"})


def test_written_package_is_deterministic_and_matches_the_golden_files() -> None:
    """Same bank, same bytes; regenerate with ``python -m tests.interchange.test_canvas``."""
    content = canvas_format.write(fixture_bank()).content
    assert content == canvas_format.write(fixture_bank()).content
    files = unzip(content)
    golden = {str(p.relative_to(GOLDEN)): p.read_bytes() for p in sorted(GOLDEN.rglob("*.xml"))}
    assert sorted(files) == sorted(golden)
    for name, data in files.items():
        assert data.decode() == golden[name].decode(), name


def test_question_types_are_canvas_types() -> None:
    """Canvas question_type per type (Canvas export's qtimetadata), points_possible from points."""
    items = _items(fixture_bank())
    assert {title: _fields(item)["question_type"] for title, item in items.items()} == {
        "dni": "multiple_choice_question", "curtailed": "multiple_answers_question",
        "five-eyes-founded": "true_false_question", "analyst": "short_answer_question",
        "year": "numerical_question", "order": "matching_question", "agencies": "matching_question"}
    assert _fields(items["curtailed"])["points_possible"] == "3"


def test_multiple_answers_key_is_an_and_of_picks_and_non_picks() -> None:
    """Canvas multiple_answers_question: and(varequal right..., not(varequal wrong)...) sets SCORE 100."""
    item = _items(fixture_bank())["curtailed"]
    both = item.find(f".//{Q}and")
    assert [local(c.tag) for c in both] == ["varequal", "varequal", "varequal", "not"]
    assert item.find(f".//{Q}response_lid").get("rcardinality") == "Multiple"


def test_numeric_is_exact_or_within_margin() -> None:
    """Canvas numerical_question, exact answer with margin: or(varequal, and(vargte, varlte))."""
    bank = Bank.model_validate({"format": 1, "id": "n", "title": "N", "questions": [
        {"id": "pi", "type": "numeric", "prompt": "Pi?", "explanation": "E", "answer": 3.14,
         "tolerance": 0.01}]})
    item = _items(bank)["pi"]
    assert [(local(e.tag), e.text) for e in item.find(f".//{Q}or").iter() if e.text and e.text.strip()] == [
        ("varequal", "3.14"), ("vargte", "3.13"), ("varlte", "3.15")]
    assert item.find(f".//{Q}render_fib").get("fibtype") == "Decimal"


def test_matching_scores_per_pair_with_distractors() -> None:
    """Canvas matching_question: one response_lid per left, every right (and distractor) a label,
    SCORE Add 100/n per right pair."""
    item = _items(fixture_bank())["agencies"]
    lids = item.findall(f".//{Q}response_lid")
    assert len(lids) == 2 and len(lids[0].findall(f".//{Q}response_label")) == 3
    assert [s.text for s in item.iter(f"{Q}setvar")] == ["50.00", "50.00"]
    assert {s.get("action") for s in item.iter(f"{Q}setvar")} == {"Add"}


def test_ordering_becomes_item_to_position_matching_with_a_note() -> None:
    """Canvas has no ordering type: item -> 'Position N' matching, which scores per item in place; the
    Note says so, and that all-or-nothing ordering differs."""
    written = canvas_format.write(fixture_bank())
    [note] = [n for n in written.notes if n.question == "order"]
    assert note.question == "order" and "all or nothing" in note.reason
    labels = [e.text for e in _items(fixture_bank())["order"].iter(f"{Q}mattext")]
    assert "Position 1" in labels and "Position 3" in labels


def test_short_answers_are_noted_on_export() -> None:
    """Canvas short_answer_question matches the answer apart from case and surrounding spaces: a Note says
    that what scores here (a typo, a leading 'the') scores 0 there."""
    notes = [str(n) for n in canvas_format.write(fixture_bank()).notes if n.question == "analyst"]
    assert notes == [
        "question 'analyst': Canvas compares a short answer exactly, apart from case and surrounding "
        "spaces: a response with a typo, other punctuation or spacing, or a leading 'the', which scores "
        "here, scores 0 there"]


def test_a_short_answer_from_canvas_is_made_exact() -> None:
    """Without our comment, a short answer is read as Canvas scores it: no typo forgiven (exact), with a
    Note; what our scoring still folds (case, punctuation, spacing, a leading 'the') is named."""
    item = _canvas_item("short", "short_answer_question", "", _score("Paris"))
    imported = canvas_format.read(_canvas_package(item), Deadline())
    [question] = imported.questions
    assert (question["answer"], question["exact"]) == ("Paris", True)
    assert [str(n) for n in imported.notes] == [
        "question 'short': made 'exact: true': as in Canvas, a typo is not forgiven (punctuation, spacing, "
        "case and a leading 'the' are still ignored here)"]


def test_ordering_without_our_comment_reads_as_matching_scored_per_position() -> None:
    """What Canvas itself would keep: drop our comments and the question is a matching question whose
    per-pair score equals partial ordering's per-position score for every ordering response."""
    bank = Bank.model_validate({"format": 1, "id": "o", "title": "O", "questions": [
        {"id": "o", "type": "ordering", "prompt": "Order", "explanation": "E", "items": ["a", "b", "c"],
         "partial": True}]})
    files = unzip(canvas_format.write(bank).content)
    stripped = {name: re.sub(rb"<!--.*?-->", b"", data, flags=re.S) for name, data in files.items()}
    result = import_bank(make_zip(stripped), "canvas", bank_id="o", title="O")
    [question] = Bank.model_validate(result.data).questions
    assert question.type == "matching"
    # full orders only: a response that leaves an item out scores 0 as ordering, per pair as matching
    orders = [r for r in responses(bank.questions[0]) if isinstance(r, list) and sorted(r) == ["a", "b", "c"]]
    assert orders
    for response in orders:
        as_pairs = {item: f"Position {n}" for n, item in enumerate(response, start=1)}
        assert score(question, as_pairs).score == score(bank.questions[0], response).score


def test_manifest_and_meta_are_as_canvas_exports_them() -> None:
    """imsmanifest.xml: an imsqti_xmlv1p2 resource with a file and a dependency on the
    learning-application-resource holding assessment_meta.xml (Canvas QTIGenerator)."""
    files = unzip(canvas_format.write(fixture_bank()).content)
    manifest = parse_xml(files["imsmanifest.xml"], "m")
    resources = [e for e in manifest.iter() if local(e.tag) == "resource"]
    assert [r.get("type") for r in resources] == [
        "imsqti_xmlv1p2", "associatedcontent/imscc_xmlv1p1/learning-application-resource"]
    hrefs = [e.get("href") for e in manifest.iter() if local(e.tag) == "file"]
    assert sorted(hrefs) == sorted(n for n in files if n != "imsmanifest.xml")
    meta = parse_xml(files[hrefs[1]], "meta")
    assert meta.tag == "{http://canvas.instructure.com/xsd/cccv1p0}quiz"
    assert {local(e.tag): e.text for e in meta}["points_possible"] == "9"


# -- Canvas's own files ----------------------------------------------------------------------------

CANVAS_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2">
  <assessment ident="g1" title="Quiz">
    <section ident="root_section">
      <item ident="i1" title="Question">
        <itemmetadata><qtimetadata>
          <qtimetadatafield><fieldlabel>question_type</fieldlabel>
            <fieldentry>multiple_choice_question</fieldentry></qtimetadatafield>
          <qtimetadatafield><fieldlabel>points_possible</fieldlabel>
            <fieldentry>2.0</fieldentry></qtimetadatafield>
        </qtimetadata></itemmetadata>
        <presentation>
          <material><mattext texttype="text/html"
            >&lt;div&gt;&lt;p&gt;Capital of &lt;b&gt;France&lt;/b&gt;?&lt;/p&gt;&lt;/div&gt;</mattext>
          </material>
          <response_lid ident="response1" rcardinality="Single"><render_choice>
            <response_label ident="5501"><material>
              <mattext texttype="text/plain">Lyon</mattext></material></response_label>
            <response_label ident="5502"><material>
              <mattext texttype="text/plain">Paris</mattext></material></response_label>
          </render_choice></response_lid>
        </presentation>
        <resprocessing>
          <outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>
          <respcondition continue="No">
            <conditionvar><varequal respident="response1">5502</varequal></conditionvar>
            <setvar action="Set" varname="SCORE">100</setvar>
            <displayfeedback feedbacktype="Response" linkrefid="correct_fb"/></respcondition>
        </resprocessing>
        <itemfeedback ident="correct_fb"><flow_mat><material>
          <mattext texttype="text/html">&lt;p&gt;Yes, Paris.&lt;/p&gt;</mattext>
        </material></flow_mat></itemfeedback>
      </item>
      <item ident="i2" title="Essay">
        <itemmetadata><qtimetadata><qtimetadatafield><fieldlabel>question_type</fieldlabel>
          <fieldentry>essay_question</fieldentry></qtimetadatafield></qtimetadata></itemmetadata>
        <presentation><material><mattext>Discuss.</mattext></material></presentation>
      </item>
      <item ident="i3" title="Range">
        <itemmetadata><qtimetadata><qtimetadatafield><fieldlabel>question_type</fieldlabel>
          <fieldentry>numerical_question</fieldentry></qtimetadatafield></qtimetadata></itemmetadata>
        <presentation><material><mattext>Between?</mattext></material>
          <response_str ident="response1" rcardinality="Single"><render_fib fibtype="Decimal">
            <response_label ident="answer1"/></render_fib></response_str></presentation>
        <resprocessing><respcondition continue="No"><conditionvar>
          <vargte respident="response1">1.5</vargte><varlte respident="response1">2.5</varlte></conditionvar>
          <setvar action="Set" varname="SCORE">100</setvar></respcondition></resprocessing>
      </item>
    </section>
  </assessment>
</questestinterop>"""

CANVAS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1">
  <resources><resource identifier="g1" type="imsqti_xmlv1p2"><file href="g1/g1.xml"/></resource></resources>
</manifest>"""


def test_reads_what_canvas_exports() -> None:
    """A Canvas export: HTML prompt read as text, the key from setvar SCORE 100, points_possible 2.0,
    correct_fb kept in the explanation (noted), an essay left out with a Note, a range answer read as
    its middle with half its width as tolerance."""
    package = make_zip({"imsmanifest.xml": CANVAS_MANIFEST, "g1/g1.xml": CANVAS_EXPORT})
    imported = canvas_format.read(package, Deadline())
    first, third = imported.questions
    assert first["type"] == "single" and first["answer"] == "Paris" and first["choices"] == ["Lyon", "Paris"]
    assert first["prompt"] == "Capital of France?" and first["points"] == 2
    assert first["explanation"] == "Yes, Paris."
    assert (third["type"], third["answer"], third["tolerance"]) == ("numeric", 2, 0.5)
    assert [str(n) for n in imported.notes] == [
        "question 'Question': its feedback for right and wrong answers is added to the explanation",
        "question 'Essay': left out: Canvas's 'essay_question' has no question type here"]


def _canvas_item(ident: str, kind: str, lids: str, conditions: str, feedback: str = "") -> str:
    return f"""<item ident="{ident}" title="{ident}"><itemmetadata><qtimetadata>
        <qtimetadatafield><fieldlabel>question_type</fieldlabel><fieldentry>{kind}</fieldentry>
        </qtimetadatafield></qtimetadata></itemmetadata>
      <presentation><material><mattext>Pick</mattext></material>{lids}</presentation>
      <resprocessing>{conditions}</resprocessing>{feedback}</item>"""


def _canvas_package(*items: str) -> bytes:
    head = CANVAS_EXPORT.split("<item ", 1)[0]
    assessment = head + "".join(items) + "</section></assessment></questestinterop>"
    return make_zip({"imsmanifest.xml": CANVAS_MANIFEST, "g1/g1.xml": assessment})


def _labels(n: int) -> str:
    return "".join(f'<response_label ident="{i}"><material><mattext>c{i}</mattext></material>'
                   "</response_label>" for i in range(n))


def _score(value: str, respident: str = "response1", score: str = "100", action: str = "Set") -> str:
    return (f'<respcondition><conditionvar><varequal respident="{respident}">{value}</varequal>'
            f'</conditionvar><setvar action="{action}" varname="SCORE">{score}</setvar></respcondition>')


def test_an_item_with_thousands_of_answers_is_dropped_unread() -> None:
    """A question here has at most 10 choices: a Canvas item of 5000 choices, of 5000 lefts to match or of
    5000 accepted answers is left out with a Note before they are read."""
    n = 5000
    lid = f'<response_lid ident="response1"><render_choice>{_labels(n)}</render_choice></response_lid>'
    choice = _canvas_item("choice", "multiple_choice_question", lid, _score("1"))
    lefts = "".join(f'<response_lid ident="r{i}"><material><mattext>l{i}</mattext></material>'
                    '<render_choice><response_label ident="1"/></render_choice></response_lid>'
                    for i in range(n))
    matching = _canvas_item("matching", "matching_question", lefts,
                            "".join(_score("1", f"r{i}", "1", "Add") for i in range(n)))
    short = _canvas_item("short", "short_answer_question", "",
                         "<respcondition><conditionvar>" + "".join(
                             f'<varequal respident="response1">a{i}</varequal>' for i in range(n))
                         + '</conditionvar><setvar varname="SCORE">100</setvar></respcondition>')
    fine = _canvas_item("fine", "multiple_choice_question", lid.replace(_labels(n), _labels(3)), _score("1"))
    notes = []
    for items, kept in (((choice, fine), ["c1"]), ((matching,), []), ((short,), [])):
        imported = canvas_format.read(_canvas_package(*items), Deadline())  # each under 2 MiB
        assert [q["answer"] for q in imported.questions] == kept
        notes += imported.notes
    assert [str(n) for n in notes] == [
        "question 'choice': left out: it has 5000 choices; more than 50 are not read "
        "(a question here has at most 10)",
        "question 'matching': left out: it has 5000 lefts to match; more than 50 are not read "
        "(a question here has at most 10)",
        "question 'short': left out: it has 5000 answers; more than 50 are not read "
        "(a question here has at most 10)"]


def test_the_deadline_is_checked_inside_one_item() -> None:
    """One item's long loops check the deadline too: one item of 5000 feedbacks and conditions outlasts
    100 checks, where an import that checks item by item would look 3 times."""
    lid = f'<response_lid ident="response1"><render_choice>{_labels(3)}</render_choice></response_lid>'
    feedback = "".join(f'<itemfeedback ident="f{i}"><flow_mat><material><mattext>f</mattext></material>'
                       "</flow_mat></itemfeedback>" for i in range(5000))
    shown = '<respcondition continue="Yes"><conditionvar><other/></conditionvar></respcondition>' * 5000
    item = _canvas_item("long", "multiple_choice_question", lid, _score("1") + shown, feedback)
    data = _canvas_package(item)
    assert [q["answer"] for q in canvas_format.read(data, CountingDeadline(10**6)).questions] == ["c1"]
    with pytest.raises(ImportFailed, match="took longer than"):
        canvas_format.read(data, CountingDeadline(100))


# -- bad input -------------------------------------------------------------------------------------


def _fails(data: bytes) -> str:
    with pytest.raises(ImportFailed) as caught:
        import_bank(data, "canvas", bank_id="b", title="B")
    return str(caught.value)


def test_bad_packages_fail_with_clear_messages() -> None:
    """No manifest, XML bombs and external entities, a malformed assessment (named), zip slip."""
    assert "no imsmanifest.xml" in _fails(make_zip({"g1/g1.xml": CANVAS_EXPORT}))
    assert "DTD or entities" in _fails(make_zip({"imsmanifest.xml": CANVAS_MANIFEST,
                                                 "g1/g1.xml": BILLION_LAUGHS}))
    assert "DTD or entities" in _fails(make_zip({"imsmanifest.xml": CANVAS_MANIFEST,
                                                 "g1/g1.xml": EXTERNAL_ENTITY}))
    message = _fails(make_zip({"imsmanifest.xml": CANVAS_MANIFEST, "g1/g1.xml": CANVAS_EXPORT[:400]}))
    assert message.startswith("g1/g1.xml:") and "not well-formed" in message
    assert "outside the package" in _fails(make_zip({"../evil.xml": "x", "imsmanifest.xml": CANVAS_MANIFEST}))
    assert "lists no QTI 1.2" in _fails(export_bank(fixture_bank(), "qti21").content)


def test_a_deeply_nested_condition_needs_no_recursion() -> None:
    """The walk for the answers a condition accepts is iterative: conditions far deeper than Python's
    recursion limit are read (varequal in document order, none under a <not>)."""
    depth = sys.getrecursionlimit() * 5
    root = node = ET.Element(f"{Q}conditionvar")
    for n in range(depth):
        ET.SubElement(node, f"{Q}varequal").text = str(n)
        ET.SubElement(ET.SubElement(node, f"{Q}not"), f"{Q}varequal").text = "no"
        node = ET.SubElement(node, f"{Q}and")
    found = canvas_format._positive_equals(root)
    assert [v.text for v in found] == [str(n) for n in range(depth)]


if __name__ == "__main__":  # regenerate the golden files
    with zipfile.ZipFile(io.BytesIO(canvas_format.write(fixture_bank()).content)) as archive:
        for info in archive.infolist():
            target = GOLDEN / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(info))
