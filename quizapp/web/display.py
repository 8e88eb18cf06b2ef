"""Turning questions, responses and keys into what pages and the API show."""

from __future__ import annotations

import math
from typing import Any

from flask import url_for

from quizapp.banks.schema import NumericQuestion, ShortQuestion
from quizapp.banks.schema import Question as QuestionModel
from quizapp.scoring import key_response
from quizapp.scoring import score as score_response


def evidence_link(article_id: str | None, evidence: dict[str, Any] | None) -> dict[str, Any] | None:
    """``{"paragraph", "quote", "url"}`` for a question's evidence, or None."""
    if not evidence or not article_id:
        return None
    number = evidence["paragraph"]
    params: dict[str, Any] = {"article_id": article_id, "hl": number, "_anchor": f"p{number}"}
    if evidence.get("quote"):
        params["quote"] = evidence["quote"]
    return {"paragraph": number, "quote": evidence.get("quote"), "url": url_for("articles.read", **params)}


def show_response(question: QuestionModel, response: Any) -> list[str]:
    """A response as lines a person can read; empty when nothing readable was given."""
    if response is None or response == "" or response == [] or response == {}:
        return []
    match question.type:
        case "true_false":
            return ["True" if response is True or response == "true" else "False"]
        case "multiple" | "ordering":
            return [str(r) for r in response] if isinstance(response, list) else [str(response)]
        case "matching":
            if isinstance(response, dict):
                return [f"{left} → {response.get(left) or '(no match)'}" for left in question.pairs]
            return [str(response)]
        case _:
            return [str(response)]


def show_key(question: QuestionModel) -> list[str]:
    """The answer key as lines a person can read."""
    match question:
        case ShortQuestion():
            return [" or ".join(question.accepted)]
        case NumericQuestion():
            key = f"{question.answer:g}"
            return [f"{key} (± {question.tolerance:g})" if question.tolerance else key]
    return show_response(question, key_response(question))


def number(value: float) -> str:
    """A score or count as pages and CSV files show it: at most two decimals, no trailing
    zeros (``6.83``, ``7``, ``0.5``); stored values keep their full precision."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def as_fraction(score: float, points: float) -> str:
    """``6.83/10``: a score out of its points, each with at most two decimals."""
    return f"{number(score)}/{number(points)}"


def percent(score: float | None, points: float | None = 1.0) -> str:
    """A share as a whole percentage, halves rounded up as people do (5/8 is 63%, not
    Python's 62%); a fraction is ``percent(fraction)``."""
    if score is None or not points:
        return "–"
    return f"{math.floor(100 * score / points + 0.5)}%"


def count_of(count: int, word: str, plural: str | None = None) -> str:
    """``1 attempt``, ``2 attempts``: a count with its noun in the right number."""
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def pair_marks(question: QuestionModel, response: Any) -> list[dict[str, Any]]:
    """A matching question's pairs as the student matched them: each left with the right the
    student chose (or None), the right one, and whether they agree; empty for other types.

    A response the scorer cannot read scores no pair, so none of its pairs is marked right.
    """
    if question.type != "matching":
        return []
    readable = isinstance(response, dict) and score_response(question, response).note is None
    given = response if readable else {}
    return [{"left": left, "given": given.get(left), "right": right, "ok": given.get(left) == right}
            for left, right in question.pairs.items()]


RING_RADIUS = 52


def score_ring(score: float | None, points: float | None) -> dict[str, Any]:
    """What the results page's SVG ring needs: the share filled, as a stroke dash, and its label
    (the same percentage the page prints)."""
    fraction = min(1.0, max(0.0, (score or 0) / points)) if points else 0.0
    circumference = 2 * math.pi * RING_RADIUS
    return {"radius": RING_RADIUS, "circumference": f"{circumference:.2f}",
            "filled": f"{fraction * circumference:.2f}", "fraction": fraction,
            "percent": percent(score, points)}


def teacher_view(article_id: str | None, content: dict[str, Any]) -> dict[str, Any]:
    """A question as its teacher previews it: as asked, with the key, explanation and evidence."""
    from quizapp.services.banks import question_model

    question = question_model(content)
    view = {key: content[key] for key in ("id", "type", "prompt", "choices", "items", "skill")
            if key in content}
    view["points"] = content.get("points", 1)
    if "pairs" in content:
        view["lefts"] = list(content["pairs"])
        view["rights"] = [*content["pairs"].values(), *content.get("distractors", [])]
    view["key"] = show_key(question)
    view["explanation"] = content.get("explanation")
    view["evidence"] = evidence_link(article_id, content.get("evidence"))
    return view
