"""Hypothesis strategies for round trips: banks of every type, and responses to their questions.

Texts draw on the characters that other formats treat specially (GIFT's ``~ = # { } :``
and backslash, XML's ``< & "``), on line breaks and on letters beyond ASCII, so a
writer that escapes one of them wrongly is found.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from quizapp.banks.schema import Bank, Question
from quizapp.scoring import score

SPECIAL = "~=#{}:\\<>&\"'%-*_[]"
ALPHABET = st.sampled_from(list("abcdeXYZ019 ") + list(SPECIAL) + ["é", "ß", "→", "\u2019"])
TYPES = ("single", "multiple", "true_false", "short", "numeric", "ordering", "matching")


def _clean(text: str) -> str:
    return " ".join(text.split())


words = st.text(ALPHABET, min_size=1, max_size=14).map(_clean).filter(bool)
# prompts and explanations may hold line breaks; choices and answers are one line
paragraphs = st.lists(words, min_size=1, max_size=3).map("\n".join)


def distinct(strategy: st.SearchStrategy[str], min_size: int, max_size: int) -> st.SearchStrategy[list[str]]:
    # distinct after folding case and spaces, as authors would write them
    return st.lists(strategy, min_size=min_size, max_size=max_size,
                    unique_by=lambda s: " ".join(s.lower().split()))


numbers = st.one_of(st.integers(-10_000, 10_000),
                    st.decimals(-10_000, 10_000, places=2, allow_nan=False, allow_infinity=False)
                    .map(float))


@st.composite
def questions(draw: Any, qtype: str, number: int) -> dict[str, Any]:
    question: dict[str, Any] = {"id": f"q{number}", "type": qtype, "prompt": draw(paragraphs),
                                "explanation": draw(paragraphs)}
    if draw(st.booleans()):
        question["points"] = draw(st.sampled_from([1, 2, 3, 0.5]))
    if draw(st.booleans()):
        question["skill"] = draw(st.sampled_from(["recall", "sourcing", "evidence", "context"]))
    if qtype in ("single", "multiple"):
        choices = draw(distinct(words, 2, 6))
        question["choices"] = choices
        if qtype == "single":
            question["answer"] = draw(st.sampled_from(choices))
        else:
            question["answer"] = draw(st.lists(st.sampled_from(choices), min_size=1, unique=True))
        if draw(st.booleans()):
            question["feedback"] = {c: draw(words) for c in choices if draw(st.booleans())} or None
            if question["feedback"] is None:
                del question["feedback"]
    elif qtype == "true_false":
        question["answer"] = draw(st.booleans())
    elif qtype == "short":
        accepted = draw(distinct(words, 1, 3))
        question["answer"] = accepted[0] if len(accepted) == 1 else accepted
        if draw(st.booleans()):
            question["exact"] = True
    elif qtype == "numeric":
        question["answer"] = draw(numbers)
        if draw(st.booleans()):
            question["tolerance"] = draw(st.sampled_from([0, 0.5, 1, 2.25, 10]))
    elif qtype == "ordering":
        question["items"] = draw(distinct(words, 2, 5))
        if draw(st.booleans()):
            question["partial"] = True
    elif qtype == "matching":
        lefts = draw(distinct(words, 2, 4))
        rights = draw(distinct(words, len(lefts), len(lefts) + 2))
        question["pairs"] = dict(zip(lefts, rights[: len(lefts)], strict=True))
        if len(rights) > len(lefts):
            question["distractors"] = rights[len(lefts):]
    return question


@st.composite
def banks(draw: Any, types: tuple[str, ...] = TYPES) -> Bank:
    """A valid bank of one to five questions of the given types."""
    kinds = draw(st.lists(st.sampled_from(types), min_size=1, max_size=5))
    data = {"format": 1, "id": "round-trip", "title": "Round trip",
            "questions": [draw(questions(kind, n)) for n, kind in enumerate(kinds, start=1)]}
    return Bank.model_validate(data)


def responses(question: Question) -> list[Any]:
    """Responses worth scoring: the key, near misses, and wrong ones of every shape."""
    found: list[Any] = [None, "", [], {}]
    match question.type:
        case "single":
            found += [*question.choices, "not a choice"]
        case "multiple":
            choices = list(question.choices)
            found += [[c] for c in choices] + [choices, list(question.answer),
                                               list(question.answer) + choices[:1], choices[1:]]
        case "true_false":
            found += [True, False, "true", "false"]
        case "short":
            for accepted in question.accepted:
                found += [accepted, accepted.upper(), f" {accepted} ", accepted[:-1], accepted + "x",
                          f"the {accepted}"]
            found.append("something else")
        case "numeric":
            answer, tolerance = float(question.answer), float(question.tolerance)
            for value in (answer, answer + tolerance, answer - tolerance, answer + tolerance + 0.01,
                          answer - tolerance - 0.5, answer + 1, 0):
                found += [repr(value), f"{value:g}"]
            found += ["two", "1,000"]
        case "ordering":
            items = list(question.items)
            found += [items, items[::-1], items[1:] + items[:1], items[:-1]]
        case "matching":
            lefts, rights = list(question.pairs), list(question.pairs.values())
            rights_all = rights + list(question.distractors or [])
            found += [dict(question.pairs), dict(zip(lefts, rights[::-1], strict=True)),
                      {lefts[0]: rights[0]}, dict(zip(lefts, rights_all[::-1], strict=False))]
    return found


def assert_scores_alike(before: Bank, after: Bank) -> None:
    """Every response scores the same, in points, on both banks' questions, matched by id."""
    by_id = {q.id: q for q in after.questions}
    assert [q.id for q in before.questions] == [q.id for q in after.questions]
    for old in before.questions:
        new = by_id[old.id]
        assert float(new.points) == float(old.points), old.id
        for response in responses(old):
            a, b = score(old, response), score(new, response)
            assert (a.score, a.correct) == (b.score, b.correct), (old.id, old.type, response, a, b)
