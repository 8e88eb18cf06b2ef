"""The accessibility check itself: axe-core is there, and a scan does find what it should."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import AXE, Look, _missing, axe_available


def test_axe_core_is_installed() -> None:
    """Without it every page's accessibility scan is skipped; this test says so (and fails in CI)."""
    if not axe_available():
        _missing(f"axe-core ({AXE})",
                 "every page's accessibility scan was skipped; run `npm ci` at the repository root")


def test_a_scan_fails_on_a_planted_violation_and_names_it(page: Page, look: Look) -> None:
    """A scan that always passed would prove nothing about the app's pages."""
    if not axe_available():
        pytest.skip(f"{AXE} is missing: run `npm ci` at the repository root")
    page.goto("/")
    page.locator("main").evaluate(
        "main => main.insertAdjacentHTML('beforeend', "
        "'<img src=\"/static/none.png\" class=\"planted\"><button class=\"planted\"></button>')"
    )
    with pytest.raises(AssertionError) as failure:
        look(page, "planted-violations-on-purpose")
    message = str(failure.value)
    assert "critical image-alt: Images must have alternative text" in message
    assert "critical button-name: Buttons must have discernible text" in message
    assert '<img src="/static/none.png" class="planted">' in message  # which element, and where
    assert '<button class="planted"></button>' in message
