"""How scores read on the pages."""

from __future__ import annotations

import pytest

from quizapp.web.display import percent


@pytest.mark.parametrize(("score", "points", "shown"), [
    (5, 8, "63%"),        # a half goes up, as a student works it out (Python's round gives 62)
    (1, 8, "13%"),
    (3, 8, "38%"),
    (1, 3, "33%"),
    (2, 3, "67%"),
    (0, 9, "0%"),
    (9, 9, "100%"),
    (0.625, 1, "63%"),    # a fraction, as mastery and facility are
    (None, 9, "–"),
    (3, 0, "–"),
])
def test_a_percentage_rounds_halves_up(score, points, shown) -> None:
    assert percent(score, points) == shown


def test_a_fraction_needs_no_points() -> None:
    assert percent(0.125) == "13%" and percent(None) == "–"
