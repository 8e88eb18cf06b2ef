"""GIFT, as Moodle imports it. Each test names the rule it checks and where the rule is written:

- [format.php] Moodle's importer, question/format/gift/format.php (qformat_gift::readquestion
  and its helpers), and question/format.php (qformat_default::readquestions, which splits
  a file into questions at blank lines, and extract_idnumber_and_tags_from_comment);
- [docs] Moodle Docs, "GIFT format" (docs.moodle.org/en/GIFT_format);
- [bank.php] question/engine/bank.php, question_bank::fraction_options_full: the grades
  Moodle accepts for an answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings

from quizapp.banks.schema import Bank
from quizapp.banks.validate import validate_paths, validate_text
from quizapp.interchange import export_bank, import_bank
from quizapp.interchange.common import NO_EXPLANATION, Deadline, ImportFailed
from quizapp.interchange.gift import escape, unescape
from quizapp.scoring import score
from tests.interchange.strategies import assert_scores_alike, banks, responses

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def read(text: str, **kwargs):
    return import_bank(text.encode("utf-8"), "gift", bank_id="imported", title="Imported", **kwargs)


def one(text: str) -> dict:
    result = read(text)
    assert len(result.data["questions"]) == 1, result.data
    return result.data["questions"][0]


def valid_bank(result) -> Bank:
    """The imported YAML passes the validator, as the issue requires."""
    report = validate_text(result.yaml, "imported.yaml", SEEDS)
    assert not report.problems, [str(p) for p in report.problems]
    return report.banks[0].bank


# -- the rules, one by one ----------------------------------------------------------------------------


def test_blank_lines_separate_questions_and_comment_lines_are_ignored():
    """[format.php] readquestions splits at blank lines; readquestion drops lines starting with //."""
    result = read("// a comment\nFirst?{T}\n\n\n// another\nSecond?\n{F}\n")
    first, second = result.data["questions"]
    assert (first["prompt"], first["answer"]) == ("First?", True)
    assert (second["prompt"], second["answer"]) == ("Second?", False)


def test_question_name_between_double_colons_becomes_the_id():
    """[docs] "::Question title:: text" names a question; quizapp makes the name a slug id."""
    question = one("::Capital of France:: What is the capital of France? {=Paris ~Lyon ~Nice}")
    assert question["id"] == "capital-of-france"
    assert question["prompt"] == "What is the capital of France?"


def test_moodle_idnumber_and_tags_in_comments():
    """[format.php] extract_idnumber_and_tags_from_comment reads // [id:...] and // [tag:...]."""
    question = one("// [id:q-7] [tag:sourcing]\n::Seven:: Who said it? {=Harding ~Patel}")
    assert question["id"] == "q-7"
    assert question["skill"] == "sourcing"


def test_category_names_become_tags_and_several_are_noted():
    """[docs] "$CATEGORY: path" puts the questions that follow into that category."""
    result = read("$CATEGORY: $course$/top/News/Spies\n\nA?{T}\n\n$CATEGORY: $course$/top/Allies\n\nB?{F}")
    assert result.data["tags"] == ["Spies", "Allies"]
    assert any("categories" in note.reason for note in result.notes)


@pytest.mark.parametrize(("prefix", "prompt"), [
    ("[markdown]", "**Bold** question?"),
    ("[plain]", "**Bold** question?"),
    ("[moodle]", "**Bold** question?"),
    ("", "**Bold** question?"),
])
def test_text_formats_are_taken_off_the_text(prefix, prompt):
    """[format.php] parse_text_with_format: a leading [markdown], [html], [plain] or [moodle]."""
    assert one(f"{prefix}**Bold** question?{{T}}")["prompt"] == prompt


def test_html_text_is_made_plain_and_noted():
    """[format.php] [html] texts are HTML; quizapp renders Markdown without raw HTML, so tags go."""
    result = read("[html]<p>Who is <b>DNI</b>?</p>{=Gabbard ~Patel}")
    assert result.data["questions"][0]["prompt"] == "Who is DNI?"
    assert any("HTML" in note.reason for note in result.notes)


def test_single_choice_with_feedback_for_each_answer():
    """[docs] Multiple choice: "=" marks the right answer, "~" a wrong one, "#" its feedback."""
    question = one("Who leads the FBI?{=Kash Patel#Right. ~Tulsi Gabbard#She is the DNI. ~John Ratcliffe}")
    assert question["type"] == "single"
    assert question["choices"] == ["Kash Patel", "Tulsi Gabbard", "John Ratcliffe"]
    assert question["answer"] == "Kash Patel"
    assert question["feedback"] == {"Kash Patel": "Right.", "Tulsi Gabbard": "She is the DNI."}


def test_multiple_answers_with_weights():
    """[docs] Multiple answers: no "=", weights "~%50%" for right answers, "~%-100%" for wrong ones."""
    result = read("Which allies curtailed sharing?{~%50%UK ~%50%Colombia ~%-100%France}")
    question = result.data["questions"][0]
    assert question["type"] == "multiple"
    assert question["answer"] == ["UK", "Colombia"]
    # -100% per wrong pick differs from quizapp's rule (one share, 50%): the change is noted
    assert any("weights changed" in note.reason for note in result.notes)
    bank = valid_bank(result)
    assert score(bank.questions[0], ["UK", "Colombia"]).score == 1
    assert score(bank.questions[0], ["UK", "France"]).score == 0


def test_even_weights_are_quizapps_rule_and_need_no_note():
    """[docs] weights; quizapp's rule is +1/n per right pick and -1/n per wrong pick."""
    result = read("Pick the two.{~%50%a ~%50%b ~%-50%c}")
    assert result.notes == []
    assert score(valid_bank(result).questions[0], ["a", "c"]).score == 0


def test_a_weight_outside_moodles_grades_is_an_error_at_its_line():
    """[bank.php] only Moodle's grades (100, 90, 83.33333, ... 5) are accepted."""
    with pytest.raises(ImportFailed) as failed:
        read("Fine?{T}\n\nPick.{\n~%45%a\n~%55%b\n}")
    problem = failed.value.problems[0]
    assert problem.line == 4 and "45%" in problem.message and "Moodle's grades" in problem.message


def test_partial_credit_in_a_single_choice_is_dropped_with_a_note():
    """[docs] "~%50%" gives half marks in a single choice; quizapp's single is all or nothing."""
    result = read("Best source?{=The report ~%50%A tweet about it ~Nothing}")
    assert result.data["questions"][0]["answer"] == "The report"
    assert any("partial credit" in note.reason for note in result.notes)


def test_true_false_with_both_feedbacks():
    """[format.php] split_truefalse_comment: {T#feedback if wrong#feedback if right}."""
    result = read("Five Eyes has five members.{TRUE#No: count them.#Yes: five.####General.}")
    question = result.data["questions"][0]
    assert question["type"] == "true_false" and question["answer"] is True
    assert question["explanation"] == ("General.\n\nTo a wrong answer: No: count them.\n\n"
                                       "To a right answer: Yes: five.")
    assert one("The UK left.{F}")["answer"] is False


def test_short_answer_with_several_accepted_answers():
    """[docs] Short answer: every "=" answer is accepted."""
    question = one("Who is the CIA director?{=John Ratcliffe =Ratcliffe}")
    assert question["type"] == "short"
    assert question["answer"] == ["John Ratcliffe", "Ratcliffe"]


def test_short_answer_weights_below_full_marks_are_noted():
    """[format.php] short answers take weights too; quizapp accepts only full-marks answers."""
    result = read("Agency?{=MI5 =%50%MI6}")
    assert result.data["questions"][0]["answer"] == "MI5"
    assert any("50%" in note.reason for note in result.notes)


def test_numerical_with_tolerance():
    """[docs] Numerical: {#answer:tolerance}."""
    question = one("How many members in Five Eyes?{#5:0}")
    assert (question["type"], question["answer"]) == ("numeric", 5)
    assert "tolerance" not in question
    question = one("Year?{#2017:1}")
    assert (question["answer"], question["tolerance"]) == (2017, 1)


def test_numerical_range():
    """[docs] Numerical range: {#min..max} is answer (min+max)/2 with tolerance (max-min)/2."""
    question = one("Pi?{#3.1..3.2}")
    assert question["answer"] == pytest.approx(3.15) and question["tolerance"] == pytest.approx(0.05)
    bank = valid_bank(read("Pi?{#3.1..3.2}"))
    assert score(bank.questions[0], "3.2").correct and not score(bank.questions[0], "3.21").correct


def test_numerical_with_several_answers_keeps_the_full_marks_one():
    """[docs] Numerical with several answers: {#=%100%2017:0 =%50%2016:0}."""
    result = read("Year?{#\n=%50%2016:0#Close.\n=2017:0#Right.\n}")
    question = result.data["questions"][0]
    assert question["answer"] == 2017
    assert any("other answer" in note.reason for note in result.notes)


def test_numerical_that_is_not_a_number_is_an_error():
    """[format.php] errornotnumbers: the answer and margin must be numbers."""
    with pytest.raises(ImportFailed) as failed:
        read("Year?{#twenty:1}")
    assert "not a number" in failed.value.problems[0].message


def test_matching_with_an_extra_answer():
    """[docs] Matching: {=left -> right}; [format.php] an empty left adds a wrong answer."""
    question = one("Match.{=MI5 -> domestic =MI6 -> foreign = -> police}")
    assert question["type"] == "matching"
    assert question["pairs"] == {"MI5": "domestic", "MI6": "foreign"}
    assert question["distractors"] == ["police"]


def test_general_feedback_after_four_hashes_is_the_explanation():
    """[docs] General feedback: "####" before the closing brace."""
    assert one("Who?{=A ~B ####Because A.}")["explanation"] == "Because A."


def test_no_explanation_says_so_plainly():
    """The issue: where the source has no explanation, the explanation says so, for the teacher."""
    assert one("Who?{=A ~B}")["explanation"] == NO_EXPLANATION


@pytest.mark.parametrize(("written", "meant"), [
    (r"Use \~ here", "Use ~ here"), (r"a \= b", "a = b"), (r"\#1", "#1"), (r"\{x\}", "{x}"),
    (r"Time\: now", "Time: now"), (r"one\ntwo", "one\ntwo"), ("back\\\\slash", "back\\slash"),
])
def test_every_escape(written, meant):
    """[format.php] escapedchar_pre / escapedchar_post: \\~ \\= \\# \\{ \\} \\: \\n \\\\."""
    assert one(f"{written}?{{T}}")["prompt"] == f"{meant}?"
    assert unescape(escape(meant)) == meant


def test_missing_word_questions_show_a_blank():
    """[format.php] text after the closing brace: the answers are a blank, shown as _____."""
    assert one("The {=FBI ~CIA} sent an agent.")["prompt"] == "The _____ sent an agent."


def test_essays_and_descriptions_are_left_out_and_listed():
    """[format.php] no answers is an essay; no braces a description: quizapp has neither."""
    result = read("Write about it.{}\n\nJust some text.\n\nFine?{T}")
    assert [q["prompt"] for q in result.data["questions"]] == ["Fine?"]
    reasons = " ".join(note.reason for note in result.notes)
    assert "essay" in reasons and "description" in reasons


# -- bad input: every mistake, at its line ------------------------------------------------------------


def test_unclosed_braces_are_reported_at_their_line_and_column_every_one():
    """[format.php] braceerror: a question needs both braces; every broken question is reported."""
    with pytest.raises(ImportFailed) as failed:
        read("Fine?{T}\n\nBroken?{=A ~B\n\nAlso fine?{F}\n\nAnd this }one")
    problems = failed.value.problems
    assert [(p.line, p.column) for p in problems] == [(3, 8), (7, 10)]
    assert "never closed" in problems[0].message and "closes no" in problems[1].message
    assert problems[0].as_dict()["severity"] == "error"


def test_a_matching_line_without_arrow_is_an_error():
    """[format.php] giftmatchingformat: each matching answer needs "->"."""
    with pytest.raises(ImportFailed) as failed:
        read("Match.{=a -> b =c d}")
    assert "'->'" in failed.value.problems[0].message


def test_text_that_is_not_utf8_is_refused_with_its_line():
    with pytest.raises(ImportFailed) as failed:
        import_bank(b"Fine?{T}\n\n\xff\xfe{T}", "gift", bank_id="x", title="X")
    assert failed.value.problems[0].line == 3 and "UTF-8" in failed.value.problems[0].message


def test_a_huge_file_is_refused_before_it_is_read():
    with pytest.raises(ImportFailed) as failed:
        import_bank(b"A?{T}\n\n" * 200_000, "gift", bank_id="x", title="X")
    assert "larger than 1 MiB" in failed.value.problems[0].message


def test_an_import_that_runs_too_long_stops_with_a_message():
    with pytest.raises(ImportFailed) as failed:
        read("A?{T}\n\nB?{F}", deadline=Deadline(seconds=-1))
    assert "longer than" in failed.value.problems[0].message


def test_a_file_of_only_comments_has_no_question():
    with pytest.raises(ImportFailed) as failed:
        read("// nothing here\n")
    assert "no question" in failed.value.problems[0].message


# -- writing -----------------------------------------------------------------------------------------


def fixture_bank() -> Bank:
    report = validate_paths([ROOT / "tests" / "fixtures" / "all-types.yaml"], SEEDS)
    return report.banks[0].bank


def test_written_file_uses_only_moodles_weights_and_escapes():
    """[bank.php] export only Moodle's grades; [format.php] repchar escapes reserved characters."""
    text = export_bank(fixture_bank(), "gift").content.decode()
    assert "~%33.33333%United Kingdom" in text and "~%-33.33333%France" in text
    assert "\\: paragraph 9\\:" in text  # the evidence words, escaped
    assert "$CATEGORY: $course$/top/all-types" in text
    for line in text.splitlines():
        assert line == line.rstrip()


def test_ordering_is_written_as_matching_to_places_and_noted():
    """GIFT has no ordering type: the nearest honest one is matching each item to its place."""
    exported = export_bank(fixture_bank(), "gift")
    text = exported.content.decode()
    assert "=1 -> CNN" in text and "=3 -> The Atlantic" in text
    assert [note.question for note in exported.notes] == ["order", None]
    assert "no ordering type" in exported.notes[0].reason
    assert "short answer" in exported.notes[1].reason  # the fixture's short answer is not exact


def test_round_trip_of_the_fixture_keeps_ids_skills_evidence_and_explanations():
    """The metadata comment and the general feedback carry what GIFT has no place for."""
    bank = fixture_bank()
    result = import_bank(export_bank(bank, "gift").content, "gift", bank_id=bank.id, title=bank.title)
    again = valid_bank(result)
    assert again.source == bank.source and again.as_of == bank.as_of
    assert again.description == bank.description
    for before, after in zip(bank.questions, again.questions, strict=True):
        assert (after.id, after.type, after.skill, after.evidence, after.explanation, after.prompt) == (
            before.id, before.type, before.skill, before.evidence, before.explanation, before.prompt)
    assert_scores_alike(bank, again)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(banks())
def test_round_trip_scores_every_response_the_same(bank):
    """Export to GIFT and import again: every response scores the same, for every type.

    Ordering has no GIFT type; it comes back as ordering through the metadata comment.
    A short answer or a matching left holding '->' cannot be written (Moodle would misread
    it): those questions are left out and noted, and checked to be so.
    """
    exported = export_bank(bank, "gift")
    left_out = {note.question for note in exported.notes if note.reason.startswith("left out")}
    kept = [q for q in bank.questions if q.id not in left_out]
    for question in bank.questions:
        if question.id in left_out:
            texts = getattr(question, "accepted", None) or list(getattr(question, "pairs", None) or [])
            assert any("->" in t for t in texts)
    if not kept:
        return
    result = import_bank(exported.content, "gift", bank_id=bank.id, title=bank.title)
    again = valid_bank(result)
    assert_scores_alike(bank.model_copy(update={"questions": kept}), again)
    for before, after in zip(kept, again.questions, strict=True):
        assert (after.prompt, after.explanation) == (before.prompt, before.explanation)


# -- files from elsewhere, and files made to break the reader -----------------------------------------


def test_answers_and_feedback_take_their_questions_html_format():
    """[format.php] commentparser($answer, $question->questiontextformat): answers, feedback and the
    general feedback take the question's format; Moodle's export writes [html] on the question only."""
    result = read("::uk::[html]<p>Which?</p>{\n=<p>United Kingdom</p>#<p>Paragraph 1.</p>\n"
                  "~<p>Germany &amp; Austria</p>\n####<p>Because 3 &lt; 4.</p>\n}")
    question = result.data["questions"][0]
    assert question["choices"] == ["United Kingdom", "Germany & Austria"]
    assert question["feedback"] == {"United Kingdom": "Paragraph 1."}
    assert question["explanation"] == "Because 3 < 4."


def test_html_entities_are_read_after_the_tags_are_taken_out():
    assert one("[html]<p>Which is larger: 3 &lt; x or x &gt; 7?</p>{T}")["prompt"] == (
        "Which is larger: 3 < x or x > 7?")


def test_a_missing_word_blank_only_when_the_text_does_not_end_with_a_brace():
    """[format.php] substr($text, -1) == "}": no blank when the whole text ends with a brace."""
    assert one("The {=FBI ~CIA} sent an agent.")["prompt"] == "The _____ sent an agent."
    assert one("Pick {=a ~b} or \\{x\\}")["prompt"] == "Pick _____ or {x}"


def test_an_unclosed_name_loses_its_colons_as_in_moodle():
    """[format.php] the opening '::' is taken off even when no '::' closes the name."""
    assert one("::Unclosed name Who?{T}")["prompt"] == "Unclosed name Who?"


def test_short_answers_from_moodle_forgive_no_typo_and_say_so():
    """Moodle compares short answers exactly apart from case: imported ones are made exact."""
    result = read("Who?{=Gabbard}")
    question = valid_bank(result).questions[0]
    assert question.exact
    assert score(question, "gabbard").correct and not score(question, "Gabard").correct
    assert any("exact: true" in note.reason for note in result.notes)


def test_exporting_short_answers_says_moodle_is_stricter():
    bank = Bank.model_validate({"format": 1, "id": "b", "title": "B", "questions": [
        {"id": "who", "type": "short", "prompt": "Who?", "answer": "Gabbard", "explanation": "E."}]})
    notes = export_bank(bank, "gift").notes
    assert any("scores 0 there" in note.reason for note in notes)


@pytest.mark.parametrize("comment", [
    '// quizapp: {"evidence": {"quote": "x"}}', '// quizapp: {"evidence": "abc"}',
    '// quizapp: {"points": "many", "exact": "yes", "id": 5}', '// quizapp-bank: {"tags": 5}',
    '// quizapp: [1, 2]', '// quizapp: {not json',
])
def test_a_metadata_comment_of_the_wrong_shape_is_ignored_not_a_crash(comment):
    """Anyone can edit a comment: only keys of the right type are read back."""
    result = read(f"{comment}\n::q1::Q?{{T}}\n\n$CATEGORY: a\n\n$CATEGORY: b\n\n::q2::R?{{F}}")
    valid_bank(result)


def test_a_question_with_thousands_of_answers_is_refused_at_once():
    with pytest.raises(ImportFailed) as failed:
        read("Q?{=a " + "~b " * 5000 + "}")
    assert "at most 10 choices" in failed.value.problems[0].message


def test_too_many_questions_stop_the_reading():
    with pytest.raises(ImportFailed) as failed:
        read("Q?{T}\n\n" * 1001)
    assert "more than 1,000 questions" in failed.value.problems[0].message


def test_thousands_of_broken_questions_stop_the_reading_at_a_hundred_problems():
    with pytest.raises(ImportFailed) as failed:
        read("Q{\n\n" * 5000)
    problems = failed.value.problems
    assert len(problems) == 100 and problems[98].line == 197
    assert problems[-1].message == "reading stopped here, after 99 problems: fix those first"
    assert problems[-1].line == 199


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(banks(types=("single", "multiple", "true_false", "numeric", "matching")))
def test_without_quizapps_comments_moodle_scores_the_same(bank):
    """What Moodle keeps of the file (its comments dropped) scores every response as quizapp does:
    the weights, margins and pairs alone carry the scoring. Points are Moodle's own (not in GIFT),
    so scores are compared as fractions of the question's points."""
    exported = export_bank(bank, "gift")
    left_out = {n.question for n in exported.notes if n.reason.startswith("left out")}
    kept = [q for q in bank.questions if q.id not in left_out]  # '->' in a matching left: noted
    text = exported.content.decode()
    bare = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
    note(bare)
    if not kept:
        return
    again = valid_bank(read(bare))
    assert [q.id for q in again.questions] == [q.id for q in kept]  # the names
    for before, after in zip(kept, again.questions, strict=True):
        for response in responses(before):
            a, b = score(before, response), score(after, response)
            assert a.score / a.points == pytest.approx(b.score / b.points, abs=1e-5), (before.type, response)
