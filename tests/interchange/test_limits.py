"""The limits fit each other: a bank of the most questions a file may hold goes out to every
format and comes back in, whole (bench/interchange.py times the same)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from quizapp.interchange import export_bank, import_bank
from quizapp.interchange.common import MAX_QUESTIONS

_spec = importlib.util.spec_from_file_location(
    "bench_interchange", Path(__file__).resolve().parents[2] / "bench" / "interchange.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


@pytest.fixture(scope="module")
def largest():
    return bench.big_bank(MAX_QUESTIONS)


@pytest.mark.parametrize("fmt", ["gift", "qti21", "canvas"])
def test_the_largest_bank_comes_back_from_every_format(largest, fmt):
    exported = export_bank(largest, fmt)
    result = import_bank(exported.content, fmt, bank_id="big", title="Big")
    assert [q["id"] for q in result.data["questions"]] == [q.id for q in largest.questions]
    assert [q["type"] for q in result.data["questions"]] == [q.type for q in largest.questions]
