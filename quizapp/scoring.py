"""Scoring: one pure function per question type, ``score(question, response) -> ScoreResult``.

Responses come from students, so any value at all (of any JSON type) is
scored; what cannot be read as an answer scores 0 and never raises.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from quizapp.banks.schema import (
    MatchingQuestion,
    MultipleQuestion,
    NumericQuestion,
    OrderingQuestion,
    Question,
    ShortQuestion,
    SingleQuestion,
    TrueFalseQuestion,
)


@dataclass(frozen=True)
class ScoreResult:
    """The marks for one response: ``score`` out of ``points``, and what to tell the student."""

    score: float
    points: float
    #: (choice, text) for each chosen option that has feedback in the bank.
    feedback: tuple[tuple[str, str], ...] = ()
    #: Why the response could not be read, when it could not.
    note: str | None = None

    @property
    def correct(self) -> bool:
        return self.score == self.points


def _result(question: Question, fraction: float, **extra: Any) -> ScoreResult:
    fraction = min(1.0, max(0.0, fraction))
    return ScoreResult(score=round(fraction * question.points, 6), points=question.points, **extra)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _feedback(question: SingleQuestion | MultipleQuestion, chosen: list[str]) -> Any:
    table = question.feedback or {}
    return tuple((c, table[c]) for c in chosen if c in table)


def score_single(question: SingleQuestion, response: Any) -> ScoreResult:
    if not isinstance(response, str) or response not in question.choices:
        return _result(question, 0, note="No choice was selected.")
    return _result(
        question, float(response == question.answer), feedback=_feedback(question, [response])
    )


def score_multiple(question: MultipleQuestion, response: Any) -> ScoreResult:
    if isinstance(response, str):
        response = [response]
    if not _is_str_list(response) or any(r not in question.choices for r in response):
        return _result(question, 0, note="The response does not name the question's choices.")
    chosen = list(dict.fromkeys(response))
    right = sum(1 for c in chosen if c in question.answer)
    wrong = len(chosen) - right
    return _result(
        question, (right - wrong) / len(question.answer), feedback=_feedback(question, chosen)
    )


def score_true_false(question: TrueFalseQuestion, response: Any) -> ScoreResult:
    if isinstance(response, str) and response.strip().lower() in ("true", "false"):
        response = response.strip().lower() == "true"
    if not isinstance(response, bool):
        return _result(question, 0, note="Neither true nor false was selected.")
    return _result(question, float(response == question.answer))


_ARTICLE = re.compile(r"^(the|a|an) ")


def fold_answer(text: str) -> str:
    """Fold case, punctuation, white space and a leading article, for short answers."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("P"))
    text = " ".join(text.split())
    return _ARTICLE.sub("", text)


def typo_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): edits incl. swapped neighbours."""
    if a == b:
        return 0
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def typos_forgiven(accepted: str) -> int:
    """How many typos a folded accepted answer forgives: 0, 1 from 5 characters, 2 from 12."""
    return 2 if len(accepted) >= 12 else 1 if len(accepted) >= 5 else 0


def score_short(question: ShortQuestion, response: Any) -> ScoreResult:
    if not isinstance(response, str) or not response.strip():
        return _result(question, 0, note="No answer was typed.")
    given = fold_answer(response)
    for accepted in map(fold_answer, question.accepted):
        allowed = 0 if question.exact else typos_forgiven(accepted)
        # the length gap bounds the distance, so most wrong answers skip the DP
        if abs(len(given) - len(accepted)) <= allowed and typo_distance(given, accepted) <= allowed:
            return _result(question, 1)
    return _result(question, 0)


_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")


def parse_number(text: Any) -> Decimal | None:
    """A decimal number, optionally signed, with optional comma thousands separators."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not _NUMBER.match(text) or not any(ch.isdigit() for ch in text):
        return None
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None
    return number if number.is_finite() else None


def score_numeric(question: NumericQuestion, response: Any) -> ScoreResult:
    number = parse_number(response)
    if number is None:
        return _result(question, 0, note="The answer was not read as a number.")
    gap = abs(number - Decimal(str(question.answer)))
    return _result(question, float(gap <= Decimal(str(question.tolerance))))


def score_ordering(question: OrderingQuestion, response: Any) -> ScoreResult:
    if not _is_str_list(response) or sorted(response) != sorted(question.items):
        return _result(question, 0, note="The response does not put each item in one place.")
    if not question.partial:
        return _result(question, float(response == question.items))
    in_place = sum(1 for given, item in zip(response, question.items, strict=False) if given == item)
    return _result(question, in_place / len(question.items))


def score_matching(question: MatchingQuestion, response: Any) -> ScoreResult:
    rights = {*question.pairs.values(), *(question.distractors or ())}
    if not isinstance(response, dict) or any(
        left not in question.pairs or not isinstance(right, str) or right not in rights
        for left, right in response.items()
    ):
        return _result(question, 0, note="The response does not match the question's items.")
    matched = sum(1 for left, right in question.pairs.items() if response.get(left) == right)
    return _result(question, matched / len(question.pairs))


SCORERS: dict[str, Callable[[Any, Any], ScoreResult]] = {
    "single": score_single,
    "multiple": score_multiple,
    "true_false": score_true_false,
    "short": score_short,
    "numeric": score_numeric,
    "ordering": score_ordering,
    "matching": score_matching,
}


def score(question: Question, response: Any) -> ScoreResult:
    """Score ``response`` to ``question`` exactly as the app does; never raises for a response."""
    return SCORERS[question.type](question, response)


# -- how large a response may be -----------------------------------------------------------

#: The most characters in a typed answer (short, numeric) or any other string of a response;
#: a question whose own choices, items or accepted answers are longer allows their length.
MAX_RESPONSE_CHARS = 300
#: A response is a value or one list or object of values: no type needs a list in a list.
MAX_RESPONSE_DEPTH = 1


@dataclass(frozen=True)
class ResponseBounds:
    """How large a response to one question may be before it is refused unscored."""

    #: entries in the response's list or object
    items: int
    #: characters in any one string of it (keys too), or digits in a whole number
    chars: int
    #: lists and objects inside one another (0: a plain value only)
    depth: int = MAX_RESPONSE_DEPTH


def response_bounds(question: Question) -> ResponseBounds:
    """The bounds for responses to ``question``, by its type.

    A list holds at most as many entries as there are choices or items to give,
    an object at most one per left-hand side, and a string can always be as
    long as the longest thing it could name. Wrong but small responses stay
    within them, to be scored 0 as the API promises.
    """
    match question:
        case SingleQuestion() | MultipleQuestion():
            items, texts = len(question.choices), list(question.choices)
        case OrderingQuestion():
            items, texts = len(question.items), list(question.items)
        case MatchingQuestion():
            items = len(question.pairs)
            texts = [*question.pairs, *question.pairs.values(), *(question.distractors or ())]
        case ShortQuestion():
            items, texts = 1, question.accepted
        case _:
            items, texts = 1, []
    return ResponseBounds(items=items, chars=max([MAX_RESPONSE_CHARS, *map(len, texts)]))


def response_too_large(question: Question, response: Any) -> str | None:
    """Why ``response`` is beyond :func:`response_bounds` for ``question``, or None if it is not.

    Walks the response without recursion, so no nesting can exhaust the stack.
    """
    bounds = response_bounds(question)
    pending: list[tuple[Any, int]] = [(response, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, list | dict):
            if depth >= bounds.depth:
                return "That answer is nested too deeply for this question."
            if len(value) > bounds.items:
                return (f"That answer has too many parts: this question takes at most "
                        f"{bounds.items}.")
            entries = [*value, *value.values()] if isinstance(value, dict) else value
            pending.extend((entry, depth + 1) for entry in entries)
        elif isinstance(value, str) and len(value) > bounds.chars or (
                isinstance(value, int) and abs(value) >= 10 ** bounds.chars):
            return f"That answer is too long: at most {bounds.chars} characters."
    return None


def key_response(question: Question) -> Any:
    """The response that the answer key itself gives (it scores full points)."""
    match question:
        case ShortQuestion():
            return question.accepted[0]
        case NumericQuestion():
            return str(question.answer)
        case OrderingQuestion():
            return list(question.items)
        case MatchingQuestion():
            return dict(question.pairs)
        case _:
            return question.answer
