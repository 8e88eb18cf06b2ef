"""Fuzzing the validator: mutated valid banks and random YAML never make it raise,
and every problem it reports names a file and a line."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.banks.validate import validate_bytes

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "all-types.yaml"
VALID = FIXTURE.read_text()
VALID_DATA = yaml.safe_load(VALID)

FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def check(raw: bytes) -> None:
    problems, bank = validate_bytes(raw, "fuzz.yaml", SEEDS)
    for problem in problems:
        assert problem.file == "fuzz.yaml"
        assert problem.line >= 1 and problem.column >= 1
        assert problem.message and "Traceback" not in problem.message
    assert (bank is None) == bool(problems)


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**6, max_value=10**6),
    st.floats(allow_nan=True), st.text(max_size=20),
    st.sampled_from(["single", "multiple", "numeric", "ordering", "yes", "~", "2025-13-40", ""]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)


def paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from paths(value, (*prefix, index))


ALL_PATHS = [p for p in paths(VALID_DATA) if p]


def replace(data, path, value):
    if not path:
        return value
    head, *rest = path
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[head] = replace(copy[head], rest, value)
    return copy


def delete(data, path):
    head, *rest = path
    copy = dict(data) if isinstance(data, dict) else list(data)
    if rest:
        copy[head] = delete(copy[head], rest)
    elif isinstance(copy, dict):
        del copy[head]
    else:
        copy.pop(head)
    return copy


@FUZZ
@given(path=st.sampled_from(ALL_PATHS), value=values, remove=st.booleans())
def test_a_mutated_valid_bank_is_validated_without_raising(path, value, remove) -> None:
    mutated = delete(VALID_DATA, path) if remove else replace(VALID_DATA, path, value)
    check(yaml.safe_dump(mutated, allow_unicode=True).encode())


@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(VALID)), junk=st.text(max_size=12))
def test_a_valid_bank_cut_or_spliced_anywhere_is_validated_without_raising(cut, junk) -> None:
    check((VALID[:cut] + junk + VALID[cut:]).encode())


@FUZZ
@given(raw=st.binary(max_size=300))
def test_random_bytes_are_validated_without_raising(raw) -> None:
    check(raw)


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("-:[]{}&*!|>'\"#%@`, \n\tabc019?")), max_size=120))
def test_random_yaml_punctuation_is_validated_without_raising(text) -> None:
    check(text.encode())


REPRESENTATIVE = [None, True, 0, -1, 1.5, float("inf"), "", "x", "yes", [], [None], {}, {"a": 1},
                  [{"id": "q"}]]


def test_every_value_of_a_valid_bank_replaced_by_every_kind_of_value_is_validated() -> None:
    """Exhaustive where the random runs sample: each path, each kind of YAML value, and removal."""
    for path in ALL_PATHS:
        for value in REPRESENTATIVE:
            check(yaml.safe_dump(replace(VALID_DATA, path, value), allow_unicode=True).encode())
        check(yaml.safe_dump(delete(VALID_DATA, path), allow_unicode=True).encode())
