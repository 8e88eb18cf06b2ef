"""A new student's whole visit: sign up, read the article, take a quiz of every type, see how it went."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    PASSWORD,
    PLAN,
    PLAN_SCORE,
    LiveServer,
    Look,
    feedback_heading,
    fill_answer,
    submit_answer,
)

ARTICLE = "/articles/allies-intelligence-sharing"



def test_sign_up_read_the_article_and_take_every_type_of_question(
    page: Page, look: Look, live_server: LiveServer
) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Read the news closely")
    expect(page.get_by_role("link", name="Every question type")).to_be_visible()
    look(page, "01-catalogue-signed-out")

    # Sign up, with a typo in the second password first.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/signup$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    look(page, "02-signup")
    page.get_by_label("Username").fill("ada.reader")
    page.get_by_label("Display name").fill("Ada Reader")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD + "!")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("The passwords differ.")).to_be_visible()
    expect(page.get_by_label("Password again")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Username")).to_have_value("ada.reader")
    look(page, "03-signup-error")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_text("Welcome, Ada Reader! Pick a quiz to start.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Ada Reader")).to_be_visible()
    look(page, "04-catalogue-signed-in")

    # Read the article: numbered paragraphs, each with its own anchor.
    page.get_by_role("link", name="Read the article").click()
    expect(page).to_have_url(live_server.url + ARTICLE)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What happens when allies don’t trust America to keep a secret?")
    expect(page.locator("#p1")).to_contain_text("Can allies still trust the United States")
    expect(page.locator("#p9")).to_contain_text("Tulsi Gabbard")
    expect(page.get_by_role("link", name="Paragraph 9", exact=True)).to_have_attribute("href", "#p9")
    look(page, "05-article")

    # The article lists its quizzes; start the one with every question type.
    page.get_by_role("region", name="Quizzes about this article").get_by_role(
        "link", name="Every question type").click()
    expect(page).to_have_url(live_server.url + "/quizzes/all-types")
    expect(page.get_by_text("7 questions")).to_be_visible()
    look(page, "06-quiz")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/questions/1$"))
    attempt = int(re.search(r"/attempts/(\d+)/", page.url).group(1))

    for number, (kind, response, verdict, marks, paragraph) in enumerate(PLAN, start=1):
        expect(page).to_have_url(re.compile(rf"/attempts/{attempt}/questions/{number}$"))
        expect(page).to_have_title(re.compile(rf"^Question {number} of 7\b"))
        expect(page.get_by_role("progressbar")).to_have_attribute("value", str(number - 1))
        expect(page.locator("form.answer-form")).to_have_attribute("data-type", kind)
        expect(feedback_heading(page)).to_have_count(0)
        look(page, f"07-q{number}-{kind}")
        fill_answer(page, kind, response)
        if kind == "ordering":  # the move buttons left the list in the order chosen
            expect(page.locator("[data-ordering] li label")).to_have_text(response)
        submit_answer(page)
        # after a redirect: reloading this page cannot send the answer again
        expect(page).to_have_url(re.compile(rf"/attempts/{attempt}/questions/{number}$"))
        expect(feedback_heading(page)).to_have_text(re.compile(rf"^{re.escape(verdict)}\s+{re.escape(marks)}$"))
        expect(page.get_by_role("button", name="Submit answer")).to_have_count(0)
        evidence = page.get_by_role("link", name=re.compile(r"^Read paragraph \d+ of the article$"))
        if paragraph is None:
            expect(evidence).to_have_count(0)
        else:
            expect(evidence).to_have_text(f"Read paragraph {paragraph} of the article")
            href = urlsplit(evidence.get_attribute("href"))
            assert (href.path, parse_qs(href.query)["hl"], href.fragment) == (ARTICLE, [str(paragraph)],
                                                                             f"p{paragraph}")
        look(page, f"08-q{number}-{kind}-feedback")

        if number == 1:
            expect(page.get_by_text("Paragraph 9 names Tulsi Gabbard as Director")).to_be_visible()
            evidence.click()
            expect(page).to_have_url(re.compile(rf"{ARTICLE}\?hl=9&quote=Tulsi\+Gabbard#p9$"))
            expect(page.locator("#p9")).to_have_class(re.compile(r"\bhighlight\b"))
            expect(page.locator("#p9 mark")).to_have_text("Tulsi Gabbard")
            expect(page.locator("#p9")).to_be_in_viewport()
            expect(page.locator("mark")).to_have_count(1)
            look(page, "09-evidence-paragraph-9")
            page.go_back()
            expect(feedback_heading(page)).to_have_text(re.compile(r"^Right!"))
        if kind == "multiple":
            your_answer = page.locator("section.feedback dd").first
            for choice in response:
                expect(your_answer).to_contain_text(choice)
            expect(your_answer).not_to_contain_text("Netherlands")
        if kind == "numeric":
            expect(page.locator("section.feedback dd").nth(1)).to_have_text("2017")
        if kind == "ordering":
            expect(page.locator("section.feedback dd").first).to_have_text("CNNNew York TimesThe Atlantic")

        if number < len(PLAN):
            page.get_by_role("link", name="Next question").click()
    assert live_server.answers(attempt) == 7

    page.get_by_role("button", name="See my results").click()
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt}/results$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your results: Every question type")
    expect(page.get_by_text(f"You scored {PLAN_SCORE}.")).to_be_visible()
    rows = page.locator("ol.results > li")
    expect(rows).to_have_count(7)
    expect(rows.locator("summary .score")).to_have_text([marks for *_, marks, _ in PLAN])
    skills = page.get_by_role("region", name="By skill")
    by_skill = [("Recall", "40%"), ("Context", "25%"), ("Attribution", "100%"), ("Sourcing", "100%")]
    for skill, value in by_skill:
        expect(skills.locator(".meter-row", has_text=skill).locator(".meter-value")).to_have_text(value)
    expect(page.get_by_role("link", name="Paragraph 6 of the article")).to_be_visible()
    look(page, "10-results")

    page.get_by_role("link", name="My progress").first.click()
    expect(page).to_have_url(live_server.url + "/progress")
    card = page.locator("article.progress-card", has_text="Every question type")
    expect(card).to_contain_text("Best 50% · latest 50% · 1 finished attempt")
    expect(card.get_by_role("img")).to_have_accessible_name(re.compile(r"Scores over 1 attempt: 50%"))
    expect(card.get_by_role("button", name="Practise what I missed (4)")).to_be_visible()
    expect(page.locator(".meter-row", has_text="Attribution").locator(".meter-value")).to_have_text("100%")
    expect(page.locator(".meter-row", has_text="Lateral reading")).to_contain_text("not yet answered")
    look(page, "11-progress")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Quizzes").click()
    expect(page.locator("li.card", has_text="Every question type")).to_contain_text(
        "Your best: 50% (4.5/9) · 1 attempt")
    look(page, "12-catalogue-after")
