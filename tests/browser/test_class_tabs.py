"""The class page's tabs: one section at a time, reached in one click, with JavaScript and
without it (where the link's #fragment picks the section)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from quizapp.extensions import db
from quizapp.services import classes
from quizapp.services.accounts import create_account, get_by_username
from tests.browser.conftest import PASSWORD, LiveServer, sign_in

SECTIONS = {"assignments": "Assignments", "students": "Students", "boards": "Leaderboards",
            "settings": "Settings"}


def a_class(live_server: LiveServer, suffix: str) -> tuple[int, int]:
    """A teacher's class with one student; the class's id and the student's."""
    with live_server.app.app_context():
        try:
            teacher = create_account(f"tabs.t{suffix}", "Tab Teacher", PASSWORD, role="teacher")
            room = classes.create_class(teacher, f"Tabs {suffix}")
            student = create_account(f"tabs.s{suffix}", "Tab Student", PASSWORD)
            classes.add_member(room, student)
            db.session.commit()
            return room.id, get_by_username(f"tabs.s{suffix}").id
        finally:
            db.session.remove()


def shown(page: Page) -> list[str]:
    """The ids of the class page's sections that are on screen."""
    return [section.get_attribute("id") for section in page.locator(".tab-panels > section").all()
            if section.is_visible()]


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_one_section_at_a_time_and_each_a_click_away(new_context, live_server: LiveServer, js: bool) -> None:
    class_id, student_id = a_class(live_server, "js" if js else "nojs")
    page = new_context(java_script_enabled=js).new_page()
    sign_in(page, f"tabs.t{'js' if js else 'nojs'}")
    page.goto(f"/classes/{class_id}")
    assert shown(page) == ["assignments"]  # the first section, when the address names none
    tabs = page.get_by_role("navigation", name="Sections of this class")
    for section, label in SECTIONS.items():
        tabs.get_by_role("link", name=re.compile(f"^{label}")).click()
        expect(page.locator(f"section#{section}")).to_be_visible()
        assert shown(page) == [section]
        if js:
            expect(tabs.get_by_role("link", name=re.compile(f"^{label}"))).to_have_attribute(
                "aria-current", "true")
    # a link to something inside a section opens that section (a student's row after a save)
    page.goto(f"/classes/{class_id}#member-{student_id}")
    assert shown(page) == ["students"]
    expect(page.get_by_role("region", name="Students table")).to_contain_text("Tab Student")
