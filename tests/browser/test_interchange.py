"""Interchange in the browser: a teacher imports a quiz from Moodle into a new draft, sees what
was not kept, publishes it, and exports a bank for Moodle and Canvas from its page.

Also: a broken file is refused on the same page with every problem at its line, the form
keeping what the teacher typed.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from playwright.sync_api import Page, expect

from quizapp.extensions import db
from quizapp.services.accounts import create_account
from tests.browser.conftest import PASSWORD, LiveServer, Look, sign_in

GIFT = """// exported from Moodle
$CATEGORY: $course$/top/Allies

::fbi:: Who does the article name as FBI Director?{
  =Kash Patel#Right: paragraph 9.
  ~Tulsi Gabbard#She is the Director of National Intelligence.
  ~John Ratcliffe
}

::uk-stopped:: The UK stopped sharing some intelligence about boats in the Caribbean.{TRUE####Paragraph 2.}

::essay:: Why do allies share intelligence?{}
"""


def _teacher(live_server: LiveServer, username: str) -> None:
    with live_server.app.app_context():
        try:
            create_account(username, "Theo Importer", PASSWORD, role="teacher")
        finally:
            db.session.remove()


def test_import_a_moodle_quiz_then_export_a_bank(page: Page, live_server: LiveServer, look: Look,
                                                 tmp_path: Path) -> None:
    _teacher(live_server, "theo.import")
    sign_in(page, "theo.import")
    page.goto("/teach/banks")
    broken = tmp_path / "broken.gift"
    broken.write_text("Fine?{T}\n\nBroken?{=A ~B\n")
    form = page.locator("#import")
    form.get_by_label("File", exact=True).set_input_files(str(broken))
    form.get_by_label("Id of the new bank").fill("from-moodle")
    form.get_by_label("Title of the new bank").fill("From Moodle")
    form.get_by_role("button", name="Import as a draft").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("nothing was changed")
    expect(summary).to_contain_text("Line 3, column 8")
    expect(form.get_by_label("Id of the new bank")).to_have_value("from-moodle")
    look(page, "broken")

    good = tmp_path / "allies.gift"
    good.write_text(GIFT)
    form.get_by_label("File", exact=True).set_input_files(str(good))
    form.get_by_role("button", name="Import as a draft").click()
    expect(page.get_by_text("2 questions imported as a draft")).to_be_visible()
    expect(page.get_by_text("could not be kept as they were")).to_be_visible()
    editor_text = page.locator("textarea[name=yaml]").input_value()
    assert "id: from-moodle" in editor_text and "Kash Patel" in editor_text
    # every note, at the top of the text, where it stays until the teacher deletes it
    assert editor_text.startswith("# Not kept as it was in allies.gift")
    assert "# - question 'essay': left out: essay questions are marked by hand" in editor_text
    look(page, "draft")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="From Moodle")).to_be_visible()

    # a bank's own page offers each format, saying what it cannot hold
    page.goto("/teach/banks/all-types")
    page.get_by_text("Export it for Moodle, Canvas or another system").click()
    expect(page.get_by_text("GIFT has no ordering type")).to_be_visible()
    look(page, "export")
    with page.expect_download() as gift:
        page.get_by_role("link", name="Moodle (GIFT)").click()
    assert gift.value.suggested_filename == "all-types.gift.txt"
    text = Path(gift.value.path()).read_text(encoding="utf-8")
    assert "::dni::[markdown]Who does the article name" in text
    with page.expect_download() as canvas:
        page.get_by_role("link", name="Canvas (QTI 1.2)").click()
    names = zipfile.ZipFile(io.BytesIO(Path(canvas.value.path()).read_bytes())).namelist()
    assert "imsmanifest.xml" in names
