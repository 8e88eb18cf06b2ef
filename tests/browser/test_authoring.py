"""Authoring in the browser: a teacher pastes a new article, writes a bank with a question of
every type about it, checks it, previews it, publishes it and assigns it to a class; a student
of the class takes the quiz and is pointed at the new article's paragraphs.

Twice: with JavaScript (the code editor: typing, the lint marks on the planted error's line,
the live summary and preview) and without (the plain textarea, Check's problem list, Publish).
Each run makes its own teacher, student, article, bank and class, as the browser tests share
one database. Pages are scanned with axe at 1280 (with JavaScript on; a context without it
cannot run axe) and photographed at 1280, and at 360 where nothing may scroll sideways.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Locator, Page, expect

from quizapp.extensions import db
from quizapp.models import Bank
from quizapp.services.accounts import create_account
from tests.browser.conftest import (
    BLOCKING,
    PASSWORD,
    LiveServer,
    Look,
    _axe_violations,
    axe_available,
    feedback_heading,
    fill_answer,
    sign_in,
    submit_answer,
)

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 800}

HEADLINE = "Library lends out air-quality monitors"
OUTLET = "The Riverside Courier"
AUTHOR = "Dana Whitfield"
#: Six paragraphs, pasted as a teacher would: a blank line between them.
ARTICLE = """\
The Riverside Public Library began lending portable air-quality monitors on Monday, the first \
library in the county to do so.

Head librarian Marisol Ortega said the library bought 40 monitors with a grant from the state \
environment agency.

Borrowers can keep a monitor for two weeks. Each device measures fine particles, ozone and carbon \
dioxide, and shows the readings on a small screen.

The idea came from a group of high-school students who measured the air near the bus depot in 2023 \
and then presented their results to the city council.

"People want to know what they are breathing," said Ravi Anand, a council member who supported the \
plan. Two other council members said the money should have gone to longer opening hours.

The library will publish the readings on its website each month without names, and says it will \
not share borrowers' names with anyone.
"""

#: The first six question types, pasted into the editor; every quote is copied from the article.
PASTED = """\
format: 1
id: {bank}
title: {title}
description: Seven questions about the library's new air monitors.
source: {article}
as_of: 2025-10-06
questions:
  - id: librarian
    type: single
    prompt: Who is the head librarian?
    choices: [Marisol Ortega, Ravi Anand, Dana Whitfield]
    answer: Marisol Ortega
    explanation: Paragraph 2 names Marisol Ortega as head librarian.
    skill: recall
    evidence: {{paragraph: 2, quote: "Head librarian Marisol Ortega"}}
  - id: measures
    type: multiple
    prompt: What does each monitor measure? Choose all that apply.
    choices: [Fine particles, Ozone, Carbon dioxide, Noise]
    answer: [Fine particles, Ozone, Carbon dioxide]
    explanation: Paragraph 3 lists fine particles, ozone and carbon dioxide.
    skill: recall
    evidence: {{paragraph: 3, quote: "measures fine particles, ozone and carbon dioxide"}}
  - id: names-shared
    type: true_false
    prompt: The library will share borrowers' names with the city council.
    answer: false
    explanation: Paragraph 6 says it will not share borrowers' names with anyone.
    skill: evidence
    evidence: {{paragraph: 6, quote: "it will not share borrowers' names with anyone"}}
  - id: supporter
    type: short
    prompt: Which council member does the article quote in support of the plan?
    answer: [Ravi Anand, Anand]
    explanation: Paragraph 5 quotes Ravi Anand, a council member who supported the plan.
    skill: attribution
    evidence: {{paragraph: 5, quote: "Ravi Anand, a council member who supported the plan"}}
  - id: how-many
    type: numeric
    prompt: How many monitors did the library buy?
    answer: 40
    explanation: Paragraph 2 says the library bought 40 monitors.
    skill: recall
    evidence: {{paragraph: 2, quote: "bought 40 monitors"}}
  - id: order
    type: ordering
    prompt: Put these in the order they happened, earliest first.
    items: [Students measured the air, Students told the city council, The library began lending]
    explanation: The students measured, then told the council (paragraph 4); lending began on Monday.
    skill: sourcing
    evidence: {{paragraph: 4, quote: "measured the air near the bus depot in 2023"}}
"""
#: The matching question, written from the editor's template (lines 52 to 61 of the bank).
#: The planted error: the quote says "backed" where paragraph 5 says "supported".
MATCHING = """\
  - id: who-is-who
    type: matching
    prompt: Match each person with their role. One role is not used.
    pairs:
      Marisol Ortega: Head librarian
      Ravi Anand: Council member
    distractors: [Bus driver]
    explanation: Paragraph 2 names the head librarian; paragraph 5 quotes the council member.
    skill: context
    evidence: {paragraph: 5, quote: "Ravi Anand, a council member who backed the plan"}
"""
PLANTED_LINE, PLANTED_COLUMN = 61, 37
PLANTED_MESSAGE = ("question 'who-is-who': quote is not in paragraph 5: "
                   "'Ravi Anand, a council member who backed the plan'")
#: How the student answers, question by question: (type, response, verdict, evidence paragraph).
ANSWERS: list[tuple[str, Any, str, int]] = [
    ("single", "Marisol Ortega", "Right!", 2),
    ("multiple", ["Fine particles", "Ozone", "Carbon dioxide"], "Right!", 3),
    ("true_false", False, "Right!", 6),
    ("short", "ravi anand", "Right!", 5),
    ("numeric", "45", "Not quite", 2),
    ("ordering", ["Students measured the air", "Students told the city council",
                  "The library began lending"], "Right!", 4),
    ("matching", {"Marisol Ortega": "Head librarian", "Ravi Anand": "Council member"}, "Right!", 5),
]
SCORE = "6/7 (86%)"


def bank_text(names: dict[str, str], *, planted: bool = False) -> str:
    text = PASTED.format(**names) + MATCHING
    return text if planted else text.replace("who backed the plan", "who supported the plan")


def names_for(flavour: str) -> dict[str, str]:
    """Ids and titles of one run (with or without JavaScript): the database is shared."""
    return {"teacher": f"tess.author-{flavour}", "student": f"sam.author-{flavour}",
            "article": f"library-air-monitors-{flavour}", "bank": f"air-monitors-{flavour}",
            "title": f"Air monitors at the library ({flavour})", "class": f"Year 8 media ({flavour})"}


def wide_page(new_context: Any, *, js: bool = True) -> Page:
    """A page in a new context (its own cookies), 1280 wide, with JavaScript on or off."""
    page: Page = new_context(java_script_enabled=js).new_page()
    page.set_viewport_size(WIDE)
    return page


def make_teacher(live_server: LiveServer, username: str) -> None:
    with live_server.app.app_context():
        try:
            create_account(username, "Tess Author", PASSWORD, role="teacher")
        finally:
            db.session.remove()


def paste_the_article(page: Page, names: dict[str, str], look: Look, *, js: bool) -> None:
    """From My banks: paste the article, preview its numbering, save it; lands on the reader."""
    page.goto("/teach/banks")
    expect(page.get_by_role("heading", level=1)).to_have_text("My banks")
    page.get_by_role("link", name="Add an article").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an article")
    page.get_by_label("Headline").fill(HEADLINE)
    page.get_by_label("Outlet (optional)").fill(OUTLET)
    page.get_by_label("Author (optional)").fill(AUTHOR)
    page.get_by_label("Published on (optional)").fill("2025-10-06")
    page.get_by_label("Link to the original (optional)").fill("https://example.org/news/library-air-monitors")
    page.get_by_label("Article id (optional)").fill(names["article"])
    page.get_by_label("Text", exact=True).fill(ARTICLE)
    page.get_by_role("button", name="Preview the numbering").click()
    numbered = page.get_by_role("region", name="As students will see it")
    expect(numbered.locator(".para-number")).to_have_text(["1", "2", "3", "4", "5", "6"])
    expect(numbered.locator("p.para").nth(1)).to_have_text(re.compile(r"^2\s+Head librarian Marisol Ortega"))
    expect(page.get_by_label("Text", exact=True)).to_have_value(ARTICLE)  # the form keeps the text
    look(page, "article-form-1280", axe=js)

    page.get_by_role("button", name="Save the article").click()
    expect(page).to_have_url(re.compile(rf"/articles/{names['article']}$"))
    expect(page.get_by_text(f"“{HEADLINE}” is saved with 6 numbered paragraphs.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    expect(page.locator("#p5")).to_contain_text("Ravi Anand, a council member who supported the plan")
    facts = page.locator(".article-facts dd")
    expect(facts).to_have_text([OUTLET, AUTHOR, "2025-10-06", "https://example.org/news/library-air-monitors"])


def open_a_new_bank_about(page: Page, names: dict[str, str]) -> None:
    """From My banks, the article's "Write a bank about it" link: the editor with a starter text."""
    page.goto("/teach/banks")
    articles = page.get_by_role("region", name="Articles")
    row = articles.get_by_role("listitem").filter(has_text=names["article"])
    row.get_by_role("link", name="Write a bank about it").click()
    expect(page).to_have_url(re.compile(rf"/teach/banks/new\?article={names['article']}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New bank")


def publish_and_see_the_bank(page: Page, names: dict[str, str], look: Look, *, js: bool) -> None:
    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(rf"/teach/banks/{names['bank']}$"))
    expect(page.get_by_text(f"“{names['title']}” is published (7 new).")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(names["title"])
    expect(page.locator(".facts")).to_contain_text("7 questions")
    expect(page.locator(".facts").get_by_role("link", name=HEADLINE)).to_have_attribute(
        "href", f"/articles/{names['article']}")
    questions = page.locator("ol.preview-list > li")
    expect(questions).to_have_count(7)
    expect(questions.first.get_by_role("region", name="The teacher's view")).to_contain_text(
        "Answer: Marisol Ortega")
    expect(questions.first).to_contain_text("Paragraph 2: “Head librarian Marisol Ortega”")
    expect(questions.nth(6)).to_contain_text(
        "Paragraph 5: “Ravi Anand, a council member who supported the plan”")
    expect(page.get_by_role("button", name="Copy to adapt it")).to_be_visible()
    download = page.get_by_role("link", name="Download the YAML")
    expect(download).to_have_attribute("href", f"/teach/banks/{names['bank']}/source.yaml")
    source = page.request.get(download.get_attribute("href") or "")
    assert source.ok and source.text() == bank_text(names)  # as written (line breaks as LF)
    look(page, "bank-page-1280", axe=js)
    at_360_nothing_scrolls_sideways(page, look, "bank-page-360")
    page.get_by_role("button", name="Try it as a student").click()  # counts nowhere
    expect(page).to_have_url(re.compile(r"/attempts/\d+/questions/1$"))
    expect(page.locator(".prompt")).to_have_text("Who is the head librarian?")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text(names["title"])

    page.goto("/teach/banks")
    mine = page.get_by_role("region", name="Published by me").get_by_role("listitem").filter(
        has_text=names["title"])
    expect(mine.locator(".badge")).to_have_text("private")
    expect(page.get_by_role("region", name="Drafts")).to_contain_text("No drafts.")  # publishing ends one
    look(page, "banks-1280", axe=js)
    at_360_nothing_scrolls_sideways(page, look, "banks-360")
    page.go_back()


def at_360_nothing_scrolls_sideways(page: Page, look: Look, step: str) -> None:
    """A screenshot 360 wide (axe has scanned the page at 1280); no sideways scroll; back to 1280."""
    page.set_viewport_size(PHONE)
    look(page, step, axe=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], step
    page.set_viewport_size(WIDE)


def assign_to_a_new_class(page: Page, names: dict[str, str], look: Look, *, js: bool) -> str:
    """From the bank's page: make a class, assign the bank; the class's join code."""
    page.get_by_role("link", name="Assign it to a class").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My classes")
    page.get_by_label("Class name").fill(names["class"])
    page.get_by_role("button", name="Create the class").click()
    expect(page).to_have_url(re.compile(r"/classes/\d+$"))
    code = page.locator(".join-code code").inner_text()
    page.get_by_label("Quiz", exact=True).select_option(label=names["title"])
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text(f"“{names['title']}” is assigned to {names['class']}.")).to_be_visible()
    rows = page.get_by_role("region", name="Assignments table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("rowheader")).to_contain_text(names["title"])
    look(page, "class-page-1280", axe=False)  # the class page is scanned by test_classroom
    return code


def the_student_takes_it(page: Page, names: dict[str, str], code: str, look: Look) -> None:
    """Join with the code, start the assignment from home, answer all seven; the evidence links
    point to the new article's paragraphs."""
    sign_in(page, names["student"])
    page.goto("/classes")
    page.get_by_label("Class code").fill(code)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text(f"You are in “{names['class']}”.")).to_be_visible()
    page.goto("/")
    assigned = page.get_by_role("region", name="Assigned to you").locator("li.card")
    expect(assigned).to_have_count(1)
    assigned.get_by_role("button", name=f"Start {names['title']} for {names['class']}").click()
    article = f"/articles/{names['article']}"
    for number, (kind, response, verdict, paragraph) in enumerate(ANSWERS, start=1):
        expect(page).to_have_url(re.compile(rf"/attempts/\d+/questions/{number}$"))
        expect(page.locator("form.answer-form")).to_have_attribute("data-type", kind)
        if number == 1:
            expect(page.locator(".prompt")).to_have_text("Who is the head librarian?")
            look(page, "student-question-1280", axe=False)  # question pages are scanned elsewhere
        fill_answer(page, kind, response)
        submit_answer(page)
        expect(feedback_heading(page)).to_have_text(re.compile(rf"^{re.escape(verdict)}"))
        evidence = page.get_by_role("link", name=f"Read paragraph {paragraph} of the article")
        href = urlsplit(evidence.get_attribute("href") or "")
        assert (href.path, parse_qs(href.query)["hl"], href.fragment) == (article, [str(paragraph)],
                                                                         f"p{paragraph}")
        if number == 1:
            expect(page.locator("blockquote.evidence")).to_contain_text("“Head librarian Marisol Ortega”")
            look(page, "student-feedback-1280", axe=False)
            evidence.click()
            expect(page).to_have_url(re.compile(rf"{article}\?hl=2&quote=[^#]+#p2$"))
            expect(page.get_by_role("heading", level=1)).to_have_text(HEADLINE)
            expect(page.locator("#p2")).to_have_class(re.compile(r"\bhighlight\b"))
            expect(page.locator("#p2 mark")).to_have_text("Head librarian Marisol Ortega")
            look(page, "student-evidence-1280", axe=False)
            page.go_back()
            expect(feedback_heading(page)).to_have_text(re.compile(r"^Right!"))
        if number < len(ANSWERS):
            page.get_by_role("link", name="Next question").click()
    page.get_by_role("button", name="See my results").click()
    expect(page.get_by_text(f"You scored {SCORE}.")).to_be_visible()


# -- the code editor -----------------------------------------------------------------------------


def editor_line(page: Page, text: str) -> Locator:
    """The code editor's one line holding ``text``, as a teacher finds it by reading."""
    line = page.locator(".cm-line").filter(has_text=text)
    expect(line).to_have_count(1)
    return line


def paste(page: Page, text: str) -> None:
    """Paste ``text`` where the editor's selection is, as Ctrl+V does: a paste event with the
    text on its clipboard data, which CodeMirror handles (headless Chromium has no clipboard)."""
    page.locator(".cm-content").evaluate(
        """(content, text) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            const init = {clipboardData: data, bubbles: true, cancelable: true};
            content.dispatchEvent(new ClipboardEvent("paste", init));
        }""", text)


def replace_line(page: Page, text: str, new: str) -> None:
    """Click the line holding ``text``, select it after its indentation, type ``new`` over it.

    End twice: with long lines wrapped, the first End stops at the end of the screen row.
    """
    editor_line(page, text).click(position={"x": 12, "y": 6})
    page.keyboard.press("Home")  # after the indentation
    page.keyboard.press("Shift+End")
    page.keyboard.press("Shift+End")
    page.keyboard.type(new)


def beside(marker: Locator, line: Locator) -> None:
    """``marker`` (in a gutter) is level with the first row of ``line``."""
    marker_box, line_box = marker.bounding_box(), line.bounding_box()
    assert marker_box and line_box
    middle = marker_box["y"] + marker_box["height"] / 2
    assert line_box["y"] <= middle <= line_box["y"] + line_box["height"], (marker_box, line_box)


def axe_clean_with_a_long_bank(page: Page) -> None:
    """axe at serious and critical, as ``look`` scans, once the bank is longer than the editor's
    box: its scroll area must be reachable by keyboard (the editable text takes the focus)."""
    if not axe_available():
        return
    blocking = [(v["id"], [n["target"] for n in v["nodes"]]) for v in _axe_violations(page)
                if v["impact"] in BLOCKING]
    assert blocking == [], blocking


def gutter_number(page: Page, number: int) -> Locator:
    return page.locator(".cm-lineNumbers .cm-gutterElement").filter(has_text=re.compile(rf"^{number}$"))


def test_write_a_bank_in_the_code_editor_and_a_class_takes_it(
    new_context, look: Look, live_server: LiveServer
) -> None:
    names = names_for("js")
    make_teacher(live_server, names["teacher"])
    live_server.make_account(names["student"], "Sam Student")
    page = wide_page(new_context)
    sign_in(page, names["teacher"])
    paste_the_article(page, names, look, js=True)
    open_a_new_bank_about(page, names)

    # The code editor replaces the textarea, with the starter text about the article.
    summary = page.locator("#problem-summary")
    expect(page.locator(".cm-content")).to_be_visible()
    expect(page.locator("#bank-yaml")).to_be_hidden()
    editor_line(page, f"source: {names['article']}")
    expect(summary).to_have_text(re.compile(r"^\d+ errors?"))  # the starter's placeholders
    expect(page.locator("#problem-list li").first).to_contain_text("Error: ")
    look(page, "editor-1280-starter")

    # Paste the six questions written elsewhere over the starter text.
    page.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    paste(page, PASTED.format(**names))
    expect(summary).to_have_text("No problems found")
    assert page.locator("#bank-yaml").input_value() == PASTED.format(**names)

    # The seventh with the "Match pairs" button, in the last question: the template goes after it.
    editor_line(page, "type: ordering").click()
    page.get_by_role("button", name="Match pairs").click()
    expect(page.get_by_text("“Match pairs”: the new question starts at line 52, with its prompt "
                            "selected.")).to_be_visible()
    page.keyboard.type("Match each person with their role. One role is not used.")
    replace_line(page, "- id: new-matching", "- id: who-is-who")
    replace_line(page, "Left one: Right one", "Marisol Ortega: Head librarian")
    replace_line(page, "Left two: Right two", "Ravi Anand: Council member")
    replace_line(page, "distractors: [Not a match]", "distractors: [Bus driver]")
    replace_line(page, "explanation: Paragraph N says", "explanation: Paragraph 2 names the head "
                 "librarian; paragraph 5 quotes the council member.")
    replace_line(page, "words copied from that paragraph", 'evidence: {paragraph: 5, quote: '
                 '"Ravi Anand, a council member who backed the plan"}')
    assert page.locator("#bank-yaml").input_value() == bank_text(names, planted=True)

    # The planted error: marked on line 61, in the gutter and under the text, and listed.
    expect(summary).to_have_text("1 error")
    planted = editor_line(page, "who backed the plan")
    expect(planted.locator(".cm-lintRange-error")).to_have_text(
        '"Ravi Anand, a council member who backed the plan"}')
    expect(page.locator(".cm-lintRange-error, .cm-lintRange-warning")).to_have_count(1)
    marker = page.locator(".cm-gutter-lint .cm-lint-marker-error")
    expect(marker).to_have_count(1)
    beside(marker, planted)
    beside(gutter_number(page, PLANTED_LINE), planted)
    problems = page.locator("#problem-list li")
    expect(problems).to_have_text([f"Line {PLANTED_LINE}, column {PLANTED_COLUMN}: Error: {PLANTED_MESSAGE}"])
    planted.locator(".cm-lintRange-error").hover()  # CodeMirror's tooltip says the same
    expect(page.locator(".cm-tooltip-lint")).to_contain_text(PLANTED_MESSAGE)
    page.mouse.move(0, 0)
    look(page, "editor-1280-error", axe=False)
    axe_clean_with_a_long_bank(page)

    # Fix it from the list: the link puts the cursor on the line; replace "backed" by typing.
    problems.get_by_role("link", name=f"Line {PLANTED_LINE}, column {PLANTED_COLUMN}").click()
    expect(page.get_by_role("textbox", name="Bank (YAML)")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.press("End")
    for _ in ' the plan"}':
        page.keyboard.press("ArrowLeft")
    for _ in "backed":
        page.keyboard.press("Backspace")
    page.keyboard.type("supported")
    expect(summary).to_have_text("No problems found")
    expect(page.locator(".cm-lintRange-error, .cm-lintRange-warning, .cm-lint-marker")).to_have_count(0)
    expect(page.locator("#problem-list")).to_be_hidden()
    assert page.locator("#bank-yaml").input_value() == bank_text(names)

    # The preview follows the cursor: the question as a student sees it, and its key.
    editor_line(page, "answer: Marisol Ortega").click()
    preview = page.locator("#preview")
    expect(preview.get_by_role("region", name="As a student sees it")).to_contain_text(
        "Who is the head librarian?")
    teacher_view = preview.get_by_role("region", name="The teacher's view")
    expect(teacher_view).to_contain_text("Answer: Marisol Ortega")
    expect(teacher_view).to_contain_text("Paragraph 2: “Head librarian Marisol Ortega”")
    expect(teacher_view.get_by_role("link", name="open in the article")).to_have_attribute(
        "href", re.compile(rf"^/articles/{names['article']}\?hl=2&.*#p2$"))
    editor_line(page, "Ravi Anand: Council member").click()
    expect(teacher_view).to_contain_text("Ravi Anand → Council member")
    look(page, "editor-1280", axe=False)
    axe_clean_with_a_long_bank(page)

    # At 1280 the editor and the aside sit side by side; on a phone one above the other.
    pane, side = page.locator(".editor-pane").bounding_box(), page.locator(".editor-side").bounding_box()
    assert pane and side
    assert side["x"] >= pane["x"] + pane["width"] and abs(side["y"] - pane["y"]) < 40, (pane, side)
    page.set_viewport_size(PHONE)
    look(page, "editor-360", axe=False)  # the same page, scanned at 1280
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    pane, side = page.locator(".editor-pane").bounding_box(), page.locator(".editor-side").bounding_box()
    assert pane and side
    assert side["y"] >= pane["y"] + pane["height"] - 1, (pane, side)
    expect(page.get_by_role("button", name="Publish")).to_be_visible()
    page.set_viewport_size(WIDE)

    publish_and_see_the_bank(page, names, look, js=True)
    code = assign_to_a_new_class(page, names, look, js=True)
    the_student_takes_it(wide_page(new_context), names, code, look)


# -- without JavaScript ------------------------------------------------------------------------


def test_write_a_bank_without_javascript_and_a_class_takes_it(
    new_context, look: Look, live_server: LiveServer
) -> None:
    names = names_for("nojs")
    make_teacher(live_server, names["teacher"])
    live_server.make_account(names["student"], "Sam Student")
    page = wide_page(new_context, js=False)
    sign_in(page, names["teacher"])
    paste_the_article(page, names, look, js=False)
    open_a_new_bank_about(page, names)

    textarea = page.get_by_role("textbox", name="Bank (YAML)")
    expect(textarea).to_be_visible()
    expect(textarea).to_have_value(re.compile(rf"\nsource: {names['article']}\n"))
    expect(page.locator("#problem-summary")).to_have_text("Press Check to find problems.")

    # The insert buttons post the form: the server appends the template.
    textarea.fill(PASTED.format(**names))
    page.get_by_role("button", name="Match pairs").click()
    expect(textarea).to_have_value(re.compile(r"\n  - id: new-matching\n    type: matching\n"))

    # Check lists the planted error with its line; the text is kept as typed.
    textarea.fill(bank_text(names, planted=True))
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#problem-summary")).to_have_text("1 error")  # worded as the script words it
    problem = page.locator("#problem-list li")
    expect(problem).to_have_count(1)
    expect(problem.get_by_role("link")).to_have_text(f"Line {PLANTED_LINE}, column {PLANTED_COLUMN}")
    expect(problem).to_contain_text(PLANTED_MESSAGE)
    expect(problem.locator("code")).to_contain_text("evidence:")  # the line itself, to find it
    expect(textarea).to_have_value(bank_text(names, planted=True))
    look(page, "editor-nojs-1280-error", axe=False)

    # A draft keeps the text as it is, error and all, until it is published.
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/teach/drafts/\d+$"))
    expect(page.get_by_text("Draft saved. Students do not see drafts.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft")
    expect(textarea).to_have_value(bank_text(names, planted=True))
    expect(problem).to_contain_text(PLANTED_MESSAGE)  # checked when the draft opens
    expect(page.locator(".danger-zone").get_by_role("link")).to_have_text("Discard this draft…")
    look(page, "draft-nojs-1280", axe=False)

    # Publish refuses it and says nothing was saved.
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert")).to_contain_text("The bank has 1 problem; nothing was saved.")
    expect(problem).to_contain_text(PLANTED_MESSAGE)
    assert live_server.count(Bank, Bank.id == names["bank"]) == 0

    textarea.fill(bank_text(names))
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#problem-summary")).to_have_text("No problems found")
    expect(problem).to_have_count(0)
    at_360_nothing_scrolls_sideways(page, look, "editor-nojs-360")

    publish_and_see_the_bank(page, names, look, js=False)
    code = assign_to_a_new_class(page, names, look, js=False)
    the_student_takes_it(wide_page(new_context, js=False), names, code, look)
