"""A class at work: a teacher sets a quiz, students join with the code and do it, the projector
follows live, and the teacher reads the report and downloads its CSV files."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from quizapp.extensions import db
from quizapp.services.accounts import create_account
from tests.browser.conftest import (
    PASSWORD,
    PLAN,
    PLAN_SCORE,
    LiveServer,
    Look,
    fill_answer,
    sign_in,
    submit_answer,
)

CLASS = "Period 3 Media"
QUIZ = "Every question type"
#: The teacher's browser is in another time zone than the server (UTC).
TEACHER_ZONE = "America/New_York"
#: all-types' question ids, in the bank's order (the grid CSV's columns).
KEYS = ["dni", "curtailed", "five-eyes-founded", "analyst", "year", "order", "agencies"]
#: The second student's answers, in PLAN's form: all right but the first (8/9 points).
BETTER = [
    ("single", "Kash Patel"),
    ("multiple", ["United Kingdom", "Colombia", "Netherlands"]),
    ("true_false", False),
    ("short", "Harding"),
    ("numeric", "2017"),
    ("ordering", ["CNN", "New York Times", "The Atlantic"]),
    ("matching", {"MI5": "United Kingdom", "FBI": "United States"}),
]
#: Marks per question: the first student follows PLAN (4.5/9), the second BETTER (8/9).
FIRST_MARKS = ["1", "1", "0", "1", "0", "1", "0.5"]
SECOND_MARKS = ["0", "3", "1", "1", "1", "1", "1"]
#: Facility (mean mark over the points) of each question over the two finished attempts.
FACILITY = ["50%", "67%", "50%", "100%", "50%", "100%", "75%"]


def row_link(label: str) -> re.Pattern[str]:
    """An assignment row's link: its label, then the quiz's title in hidden text.

    The hidden span is absolutely positioned, so Chromium's accessible name has a space
    before its colon ("Projector : Every question type").
    """
    return re.compile(rf"^{label}\s*: {QUIZ}$")


def make_teacher(live_server: LiveServer, username: str, display_name: str) -> None:
    """A teacher account; the live server's ``make_account`` makes students only."""
    with live_server.app.app_context():
        try:
            create_account(username, display_name, PASSWORD, role="teacher")
        finally:
            db.session.remove()


def join_and_start(page: Page, username: str, typed_code: str, look: Look, step: str) -> None:
    """Sign in, join the class with the code as typed, and start the assignment from home."""
    sign_in(page, username)
    page.goto("/classes")
    expect(page.get_by_role("heading", level=1)).to_have_text("My classes")
    if step == "a":
        look(page, "student-join-form")
    page.get_by_label("Class code").fill(typed_code)
    page.get_by_role("button", name="Join").click()
    expect(page).to_have_url(re.compile(r"/classes/\d+$"))
    expect(page.get_by_text(f"You are in “{CLASS}”.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(CLASS)
    expect(page.get_by_text("Teacher: Tess Teacher")).to_be_visible()
    expect(page.get_by_role("region", name="Assigned in this class").get_by_role(
        "heading", level=3)).to_have_text(QUIZ)
    look(page, f"student-{step}-class-page", axe=step == "a")  # b's page is the same but for names

    page.goto("/")
    assigned = page.get_by_role("region", name="Assigned to you").locator("li.card")
    expect(assigned).to_have_count(1)
    expect(assigned).to_contain_text(CLASS)
    expect(assigned).to_contain_text("Due ")
    expect(assigned.locator(".badge")).to_have_text("To do")
    look(page, f"student-{step}-home", axe=step == "a")
    assigned.get_by_role("button", name=f"Start {QUIZ} for {CLASS}").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/questions/1$"))


def answer_and_finish(page: Page, plan: list[tuple[str, Any]], score: str) -> None:
    for number, (kind, response) in enumerate(plan, start=1):
        expect(page).to_have_url(re.compile(rf"/questions/{number}$"))
        fill_answer(page, kind, response)
        submit_answer(page)
        if number < len(plan):
            page.get_by_role("link", name="Next question").click()
    page.get_by_role("button", name="See my results").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/results$"))
    expect(page.get_by_text(f"You scored {score}.")).to_be_visible()


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_a_class_does_an_assignment_live_on_the_projector_then_the_report(
    new_context, look: Look, live_server: LiveServer
) -> None:
    make_teacher(live_server, "tess.classroom", "Tess Teacher")
    live_server.make_account("amara.classroom", "Amara Okafor")
    live_server.make_account("ben.classroom", "Ben Carter")

    # The teacher creates the class and assigns all-types, due in a week, from a browser
    # in New York: the page reads and shows times in the teacher's zone, and stores UTC.
    teacher = new_context(timezone_id=TEACHER_ZONE).new_page()
    sign_in(teacher, "tess.classroom")
    teacher.goto("/classes")
    teacher.get_by_label("Class name").fill(CLASS)
    teacher.get_by_role("button", name="Create the class").click()
    expect(teacher).to_have_url(re.compile(r"/classes/\d+$"))
    class_id = int(re.search(r"/classes/(\d+)$", teacher.url).group(1))
    code = teacher.locator(".join-code code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{6}", code), code
    expect(teacher.get_by_text(f"Class “{CLASS}” created. Its join code is {code}.")).to_be_visible()

    zone = ZoneInfo(TEACHER_ZONE)
    due_there = (dt.datetime.now(zone) + dt.timedelta(days=7)).replace(second=0, microsecond=0)
    due = due_there.astimezone(dt.UTC)
    teacher.get_by_label("Quiz", exact=True).select_option(label=QUIZ)
    expect(teacher.get_by_text(f"Dates and times are in your time zone, {TEACHER_ZONE}.")).to_be_visible()
    teacher.get_by_label("Due (your time, optional)").fill(f"{due_there:%Y-%m-%dT%H:%M}")
    teacher.get_by_role("button", name="Assign").click()
    expect(teacher.get_by_text(f"“{QUIZ}” is assigned to {CLASS}.")).to_be_visible()
    assignments = teacher.get_by_role("region", name="Assignments table")
    expect(assignments.locator("tbody tr")).to_have_count(1)
    due_cell = assignments.locator("tbody tr td").nth(1).locator("time")
    expect(due_cell).to_have_attribute("datetime", f"{due:%Y-%m-%dT%H:%M:00Z}")  # stored in UTC
    expect(due_cell).to_have_attribute("title", f"{due:%Y-%m-%d %H:%M} UTC")
    expect(due_cell).to_contain_text(f"{due_there:%-I:%M %p} {due_there.tzname()}")  # shown in New York's
    look(teacher, "teacher-class-page")

    # The projector is up before anyone has joined; it must follow the class without reloading.
    assignments.get_by_role("link", name=row_link("Projector")).click()
    expect(teacher).to_have_url(re.compile(rf"/classes/{class_id}/assignments/\d+/projector$"))
    projector_path = teacher.url.removeprefix(live_server.url)
    assignment_id = int(re.search(r"/assignments/(\d+)/", projector_path).group(1))
    field = lambda name: teacher.locator(f'[data-field="{name}"]')  # noqa: E731
    board = teacher.get_by_role("list", name="Top ten").locator("li")
    expect(teacher.get_by_role("heading", level=1)).to_have_text(QUIZ)
    expect(field("members")).to_have_text("0")
    expect(teacher.get_by_text("No one has finished yet.")).to_be_visible()
    expect(teacher.get_by_text("Updates every 3 seconds.")).to_be_visible()
    teacher.evaluate("window.__sameProjectorPage = 'yes'")
    look(teacher, "projector-empty")

    def projector_loads() -> int:
        return sum(1 for method, path in live_server.requests.seen
                   if method == "GET" and path == projector_path)

    assert projector_loads() == 1

    # Two students join, typing the code as people do: lower case, with a space.
    typed = f"{code[:3].lower()} {code[3:].lower()}"
    amara = new_context().new_page()
    join_and_start(amara, "amara.classroom", typed, look, "a")
    ben = new_context().new_page()
    spaced = f"{code[:2].lower()} {code[2:4].lower()} {code[4:].lower()}"
    join_and_start(ben, "ben.classroom", spaced, look, "b")
    # polled every 3 seconds, so allow two polls
    expect(field("members")).to_have_text("2", timeout=7000)
    expect(field("answering")).to_have_text("2", timeout=7000)
    expect(field("finished")).to_have_text("0")
    expect(board).to_have_count(0)

    answer_and_finish(amara, [(kind, response) for kind, response, *_ in PLAN], PLAN_SCORE)
    expect(board.locator(".name")).to_have_text(["Amara Okafor"], timeout=7000)
    expect(board.locator(".score")).to_have_text(["50% 4.5/9"])
    expect(field("finished")).to_have_text("1")
    expect(field("answering")).to_have_text("1")
    expect(teacher.get_by_text("No one has finished yet.")).to_be_hidden()

    answer_and_finish(ben, BETTER, "8/9 (89%)")
    expect(board.locator(".name")).to_have_text(["Ben Carter", "Amara Okafor"], timeout=7000)
    expect(board.locator(".rank")).to_have_text(["1", "2"])
    expect(board.locator(".score")).to_have_text(["89% 8/9", "50% 4.5/9"])
    expect(board.nth(1).locator(".move")).to_contain_text("down 1")  # Ben went past her
    expect(board.first).to_have_class("top")
    expect(field("finished")).to_have_text("2")
    expect(field("answering")).to_have_text("0")
    # the same document all along: redrawn from its JSON, never reloaded
    assert teacher.evaluate("window.__sameProjectorPage") == "yes"
    assert teacher.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert projector_loads() == 1
    assert teacher.url == live_server.url + projector_path
    look(teacher, "projector-two-finished")

    # The students see the assignment done on their home page.
    amara.goto("/")
    done = amara.get_by_role("region", name="Assigned to you").locator("li.card")
    expect(done.locator(".status")).to_contain_text("Done Your best: 50%")
    expect(done.get_by_role("button", name=f"Try again {QUIZ} for {CLASS}")).to_be_visible()
    look(amara, "student-a-home-done")

    # The teacher goes back to the class, then to the report.
    teacher.get_by_role("link", name=f"Back to {CLASS}").click()
    expect(teacher).to_have_url(f"{live_server.url}/classes/{class_id}")
    # the class page opens on its assignments; its Students tab shows the students
    expect(teacher.get_by_role("region", name="Students table")).to_be_hidden()
    teacher.get_by_role("navigation", name="Sections of this class").get_by_role(
        "link", name=re.compile("^Students")).click()
    students = teacher.get_by_role("region", name="Students table")
    expect(students.locator("tbody th")).to_have_text(["Amara Okafor", "Ben Carter"])
    expect(teacher.get_by_role("link", name=re.compile("^Students"))).to_have_attribute(
        "aria-current", "true")
    expect(teacher.get_by_role("region", name="Assignments table")).to_be_hidden()
    look(teacher, "teacher-class-page-with-students")
    teacher.get_by_role("link", name=re.compile("^Assignments")).click()
    teacher.get_by_role("region", name="Assignments table").get_by_role(
        "link", name=row_link("Report")).click()
    expect(teacher).to_have_url(
        f"{live_server.url}/classes/{class_id}/assignments/{assignment_id}/report")
    expect(teacher.get_by_role("heading", level=1)).to_have_text(f"Report: {QUIZ}")
    expect(teacher.locator("p.facts").first.locator("time")).to_contain_text(
        f"{due_there:%-I:%M %p} {due_there.tzname()}")
    stats = teacher.locator("ul.stats li")
    expect(stats.first).to_have_text("2/2 finished")
    expect(stats.nth(2)).to_have_text("0 still to finish")
    expect(stats.nth(3)).to_contain_text("needs 3 or more finished attempts")
    expect(teacher.get_by_role("img", name=re.compile(r"^Score distribution of 2 finished attempts:")))\
        .to_have_accessible_name(re.compile(r"50–59%: 1;.*80–89%: 1;"))
    # Recall is questions 1, 2 and 5: 6 of their 10 points over the two attempts
    expect(teacher.locator(".meter-row", has_text="Recall").locator(".meter-value")).to_have_text("60%")
    expect(teacher.locator("td.facility")).to_have_text(FACILITY)
    # the first question: Amara right, Ben wrong, so it runs against the rest of the quiz
    expect(teacher.locator("#q-1 td.discrimination")).to_have_text(re.compile(r"^-1\.00"))
    # two finished attempts: the figure is flagged, as Moodle does
    expect(teacher.locator("#q-1 .unreliable")).to_have_text(
        "fewer than 10 finished attempts: not reliable yet")
    expect(teacher.locator("#q-1 td.wrong")).to_have_text("Kash Patel (1)")
    grid = teacher.get_by_role("region", name="Marks table").locator("tbody tr")
    expect(grid).to_have_count(2)
    expect(grid.first.locator("td.mark")).to_have_text(FIRST_MARKS)
    expect(grid.nth(1).locator("td.mark")).to_have_text(SECOND_MARKS)
    expect(grid.locator("td.total")).to_have_text(["4.5/9", "8/9"])
    expect(grid.locator(".badge.late")).to_have_count(0)
    look(teacher, "report")

    # Both downloads, read back as a spreadsheet would.
    with teacher.expect_download() as grid_download:
        teacher.get_by_role("link", name="Download the grid (CSV)").click()
    download = grid_download.value
    assert download.suggested_filename == "period-3-media-all-types-grid.csv"
    rows = read_csv(Path(download.path()))
    # columns headed by the question's number and prompt, in the bank's order
    assert rows[0][:2] == ["username", "name"] and len(rows[0]) == 2 + len(KEYS) + 5
    assert rows[0][2] == "Q1: Who does the article name as Director of National Intelligence?"
    assert [h.split(":")[0] for h in rows[0][2:9]] == [f"Q{n}" for n in range(1, 8)]
    assert rows[0][9:] == ["total", "points", "finished_at", "late", "status"]
    assert [row[:2] for row in rows[1:]] == [["amara.classroom", "Amara Okafor"],
                                             ["ben.classroom", "Ben Carter"]]
    assert [row[2:11] for row in rows[1:]] == [[*FIRST_MARKS, "4.5", "9"], [*SECOND_MARKS, "8", "9"]]
    for row in rows[1:]:
        finished = dt.datetime.fromisoformat(row[11])  # ISO 8601 with its zone
        assert finished.utcoffset() == dt.timedelta(0) and finished < due and row[12] == ""
        assert row[13] == "finished"

    with teacher.expect_download() as board_download:
        teacher.get_by_role("link", name="Download the leaderboard (CSV)").click()
    download = board_download.value
    assert download.suggested_filename == "period-3-media-all-types-leaderboard.csv"
    assert read_csv(Path(download.path())) == [
        ["rank", "name", "score", "points", "percent"],
        ["1", "Ben Carter", "8", "9", "88.89"],
        ["2", "Amara Okafor", "4.5", "9", "50"],
    ]
