"""Attempts under real use: leaving and coming back, reloads, stale tabs, double clicks, no JavaScript."""

from __future__ import annotations

import html
import re

import pytest
import yaml
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    ALL_TYPES,
    PLAN,
    LiveServer,
    Look,
    answer_questions,
    feedback_heading,
    fill_answer,
    sign_in,
    start_quiz,
    submit_answer,
)

ORDER = ["CNN", "New York Times", "The Atlantic"]  # the all-types ordering question's answer


def test_closing_the_page_halfway_and_coming_back_resumes_the_attempt(
    new_context, look: Look, live_server: LiveServer, student: str
) -> None:
    context = new_context()
    page = context.new_page()
    sign_in(page, student)
    attempt = start_quiz(page)
    answer_questions(page, 1, 3)
    # question 4: the student types an answer, then closes the browser without sending it
    expect(page).to_have_title(re.compile(r"^Question 4 of 7\b"))
    page.get_by_role("textbox", name="Your answer").fill("Emily")
    look(page, "q4-typed-not-sent", axe=False)  # scanned elsewhere
    context.close()
    assert live_server.answers(attempt) == 3

    context = new_context()
    page = context.new_page()
    sign_in(page, student)
    page.goto("/quizzes/all-types")
    expect(page.get_by_role("link", name="Resume your attempt")).to_be_visible()
    expect(page.get_by_role("button", name="Start the quiz")).to_have_count(0)
    look(page, "quiz-page-offers-resume")
    page.get_by_role("link", name="Resume your attempt").click()
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt}/questions/4$"))
    expect(page).to_have_title(re.compile(r"^Question 4 of 7\b"))
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "3")
    expect(page.get_by_role("textbox", name="Your answer")).to_have_value("")
    look(page, "resumed-at-q4", axe=False)  # scanned elsewhere

    # what was answered before closing is kept, with its feedback
    page.goto(f"/attempts/{attempt}/questions/2")
    expect(feedback_heading(page)).to_have_text(re.compile(r"^Partly right\s+1/3 points$"))
    page.goto(f"/attempts/{attempt}/questions/4")
    answer_questions(page, 4, 4)  # and on from there, in the same attempt
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt}/questions/5$"))
    assert live_server.answers(attempt) == 4
    assert live_server.attempts(student, "all-types") == 1


def test_reloads_stale_tabs_and_a_second_finish_count_nothing_twice(
    page: Page, look: Look, live_server: LiveServer, student: str
) -> None:
    sign_in(page, student)
    attempt = start_quiz(page)
    fill_answer(page, "single", "Tulsi Gabbard")
    submit_answer(page)
    # the answer was posted and redirected, so a reload asks for the page again and sends nothing
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt}/questions/1$"))
    page.reload()
    expect(feedback_heading(page)).to_have_text(re.compile(r"^Right!"))
    assert live_server.answers(attempt) == 1

    # question 2 open in two tabs: the answer sent second, from the stale tab, does not count
    stale = page.context.new_page()
    stale.goto(f"/attempts/{attempt}/questions/2")
    page.bring_to_front()  # a background tab's animation frames are throttled, and clicks wait on them
    page.get_by_role("link", name="Next question").click()
    fill_answer(page, "multiple", ["United Kingdom", "Colombia", "Netherlands"])
    submit_answer(page)
    expect(feedback_heading(page)).to_have_text(re.compile(r"^Right!\s+3/3 points$"))
    stale.bring_to_front()
    fill_answer(stale, "multiple", ["France"])
    submit_answer(stale)
    expect(feedback_heading(stale)).to_have_text(re.compile(r"^Right!\s+3/3 points$"))
    expect(stale.locator("section.feedback dd").first).not_to_contain_text("France")
    look(stale, "stale-tab-answer-refused")
    assert live_server.answers(attempt) == 2

    page.bring_to_front()
    page.get_by_role("link", name="Next question").click()
    answer_questions(page, 3, 7)
    stale.goto(f"/attempts/{attempt}/questions/7")  # also offers "See my results"
    page.bring_to_front()
    page.get_by_role("button", name="See my results").click()
    total = re.compile(r"You scored 6\.5/9 \(72%\)\.")
    expect(page.get_by_text(total)).to_be_visible()
    page.reload()
    expect(page.get_by_text(total)).to_be_visible()
    stale.bring_to_front()
    stale.get_by_role("button", name="See my results").click()  # finishing again changes nothing
    expect(stale.get_by_text(total)).to_be_visible()
    assert live_server.answers(attempt) == 7
    assert live_server.attempts(student, "all-types") == 1

    page.goto("/progress")
    page.reload()
    expect(page.locator("article.progress-card", has_text="Every question type")).to_contain_text(
        "Best 72% · latest 72% · 1 finished attempt")
    look(page, "progress-after-reloads", axe=False)  # scanned elsewhere


@pytest.mark.parametrize("javascript", [
    pytest.param(True, id="javascript"),
    pytest.param(False, id="no-javascript"),
])
def test_an_answer_sent_from_a_stale_tab_is_refused_with_a_message(
    new_context, look: Look, live_server: LiveServer, student: str, javascript: bool
) -> None:
    page = new_context(java_script_enabled=javascript).new_page()
    sign_in(page, student)
    attempt = start_quiz(page)
    stale = page.context.new_page()
    stale.goto(f"/attempts/{attempt}/questions/1")
    page.bring_to_front()
    fill_answer(page, "single", "Tulsi Gabbard")
    submit_answer(page)
    stale.bring_to_front()
    fill_answer(stale, "single", "Kash Patel")
    submit_answer(stale)
    expect(feedback_heading(stale)).to_have_text(re.compile(r"^Right!\s+1/1 point$"))
    assert live_server.answers(attempt) == 1
    look(stale, "message", axe=javascript)
    already = "You had already answered this question; your first answer counts."
    expect(stale.get_by_text(already)).to_be_visible(timeout=1000)


def test_double_clicked_buttons_count_once(
    page: Page, look: Look, live_server: LiveServer, student: str
) -> None:
    sign_in(page, student)
    page.goto("/quizzes/all-types")
    page.get_by_role("button", name="Start the quiz").dblclick()
    page.wait_for_url(re.compile(r"/attempts/\d+/questions/1$"))
    assert live_server.attempts(student, "all-types") == 1
    attempt = int(re.search(r"/attempts/(\d+)/", page.url).group(1))

    fill_answer(page, "single", "Kash Patel")
    page.get_by_role("button", name="Submit answer").dblclick()
    expect(feedback_heading(page)).to_have_text(re.compile(r"^Not quite\s+0/1 point$"))
    expect(page.get_by_text("The article names Patel as FBI Director.")).to_be_visible()
    look(page, "after-double-click", axe=False)  # scanned elsewhere
    assert live_server.answers(attempt) == 1


def test_two_submits_of_one_answer_at_the_same_moment_count_once(
    page: Page, look: Look, live_server: LiveServer, student: str
) -> None:
    """What a double click sends where the script's guard is missing: the server counts one."""
    sign_in(page, student)
    attempt = start_quiz(page)
    fill_answer(page, "single", "Kash Patel")
    path = f"/attempts/{attempt}/questions/1"
    statuses = page.locator("form.answer-form").evaluate(
        """async (form) => {
            const send = () => fetch(location.href, {method: "POST", body: new FormData(form)});
            return (await Promise.all([send(), send()])).map((response) => response.status);
        }"""
    )
    assert statuses == [200, 200]  # both redirected to the question, now answered
    assert live_server.posts(path) == 2
    assert live_server.answers(attempt) == 1
    page.reload()
    expect(feedback_heading(page)).to_have_text(re.compile(r"^Not quite\s+0/1 point$"))
    look(page, "after-two-submits", axe=False)  # scanned elsewhere


def test_ordering_with_the_move_buttons(
    page: Page, look: Look, live_server: LiveServer, student: str
) -> None:
    sign_in(page, student)
    attempt = start_quiz(page)
    page.goto(f"/attempts/{attempt}/questions/6")
    items = page.locator("[data-ordering] li label")
    start = items.all_inner_texts()
    assert sorted(start) == sorted(ORDER)
    first = start[0]
    page.get_by_role("button", name=f"Move “{first}” down").click()
    moved = [start[1], first, start[2]]
    expect(items).to_have_text(moved)
    expect(page.get_by_text(f"{first} is now number 2.")).to_be_attached()
    expect(page.get_by_role("button", name=f"Move “{first}” down")).to_be_focused()
    look(page, "moved-down")
    submit_answer(page)
    expect(page.locator("section.feedback dd").first).to_have_text("".join(moved))
    assert live_server.answers(attempt) == 1


def test_tabbing_through_an_ordering_question_only_focuses_what_can_be_seen(
    page: Page, live_server: LiveServer, student: str
) -> None:
    sign_in(page, student)
    attempt = start_quiz(page)
    page.goto(f"/attempts/{attempt}/questions/6")
    page.get_by_role("link", name="Every question type").focus()  # the link just above the question
    focused = []
    for _ in range(20):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("""() => {
            const element = document.activeElement;
            const box = element.getBoundingClientRect();
            const seen = getComputedStyle(element).opacity !== "0" && box.width > 2 && box.height > 2;
            return {html: element.outerHTML.slice(0, 60), seen};
        }"""))
        if focused[-1]["html"].startswith('<button type="submit"'):
            break
    assert [f["html"] for f in focused if not f["seen"]] == []


def test_ordering_without_javascript_uses_the_position_selects(
    new_context, look: Look, live_server: LiveServer, student: str
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, student)
    attempt = start_quiz(page)
    page.goto(f"/attempts/{attempt}/questions/6")
    expect(page.get_by_role("button", name=re.compile(r"^Move "))).to_have_count(0)
    for item in ORDER:
        expect(page.get_by_label(item, exact=True)).to_be_visible()
    look(page, "selects", axe=False)
    # axe cannot run where scripts are off: scan the same form with scripts on but the
    # page's own script (the enhancement) blocked
    plain = new_context(storage_state=page.context.storage_state()).new_page()
    plain.route("**/static/quiz.js", lambda route: route.abort())
    plain.goto(f"/attempts/{attempt}/questions/6")
    expect(plain.get_by_label("CNN", exact=True)).to_be_visible()
    expect(plain.get_by_role("button", name=re.compile(r"^Move "))).to_have_count(0)
    look(plain, "selects-scanned")
    plain.close()

    # two items in first place: the form comes back with a message, and nothing counts
    page.get_by_label("CNN", exact=True).select_option("1")
    page.get_by_label("New York Times", exact=True).select_option("1")
    page.get_by_label("The Atlantic", exact=True).select_option("2")
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_role("alert")).to_have_text("Each position can be given to only one item.")
    look(page, "two-in-first-place", axe=False)
    assert live_server.answers(attempt) == 0

    fill_answer(page, "ordering", ORDER)
    submit_answer(page)
    expect(feedback_heading(page)).to_have_text(re.compile(r"^Right!\s+1/1 point$"))
    expect(page.locator("section.feedback dd").first).to_have_text("".join(ORDER))
    look(page, "answered", axe=False)
    assert live_server.answers(attempt) == 1


def test_the_answer_and_explanation_are_not_in_the_page_before_answering(
    page: Page, live_server: LiveServer, student: str
) -> None:
    sign_in(page, student)
    attempt = start_quiz(page)
    for number, question in enumerate(yaml.safe_load(ALL_TYPES.read_text())["questions"], start=1):
        response = page.goto(f"/attempts/{attempt}/questions/{number}")
        assert response is not None and response.status == 200
        sent = html.unescape(response.text())
        shown = html.unescape(page.content())
        expect(page.locator("form.answer-form")).to_have_attribute("data-type", question["type"])
        secrets = [question["explanation"], *question.get("feedback", {}).values()]
        if question.get("evidence") and question["evidence"]["quote"] not in question.get("choices", []):
            secrets.append(question["evidence"]["quote"])
        if question["type"] == "short":
            secrets += question["answer"]
        if question["type"] == "numeric":
            secrets.append(str(question["answer"]))
        for secret in secrets:
            assert secret not in sent and secret not in shown, (number, secret)
        for giveaway in ("The answer", "Right!", "Not quite", "Read paragraph"):
            assert giveaway not in shown, (number, giveaway)
        if question["type"] == "ordering":  # shuffled: every order equally likely, the key's too
            shown_items = page.locator("[data-ordering] li label").all_inner_texts()
            assert sorted(shown_items) == sorted(question["items"])
    assert live_server.answers(attempt) == 0
    # the answers other tests give follow these same seven questions
    kinds = [q["type"] for q in yaml.safe_load(ALL_TYPES.read_text())["questions"]]
    assert [kind for kind, *_ in PLAN] == kinds
