"""Item-writing checks: what in a valid bank lets a student guess without reading.

Each check gives a warning at the place it is about; warnings never make a bank
invalid (``quizapp validate --strict`` makes them fail).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from collections.abc import Iterator

from quizapp.banks.problems import Problem
from quizapp.banks.schema import (
    Bank,
    MultipleQuestion,
    OrderingQuestion,
    ShortQuestion,
    SingleQuestion,
    TrueFalseQuestion,
)
from quizapp.banks.yamlread import Located

#: Banks with fewer questions of a type than this are not judged on their pattern of keys.
PATTERN_MIN_QUESTIONS = 4
#: Share of true_false keys that may be the same before the bank is warned.
TRUE_FALSE_MAX_SHARE = 0.7
#: Work the short-answer check does at most (texts looked at, letters counted, cells of
#: typo-distance tables: under a second), so that a huge bank of similar answers cannot
#: make validation slow; real banks need a few thousand. Past it, the rest is not compared.
MAX_TYPO_WORK = 500_000

_ABOVE = {
    "all of the above": "all", "all the above": "all", "all of these": "all",
    "none of the above": "none", "none of these": "none",
}  # fmt: skip

#: A place in the bank's YAML, as ``Located.position`` takes it, e.g. ("questions", 2, "answer").
Place = tuple[str | int, ...]
Found = Iterator[tuple[Place, str]]


def bank_warnings(bank: Bank, located: Located, name: str, *, today: dt.date) -> list[Problem]:
    """The warnings of a valid ``bank`` read from ``name``, at their places in ``located``."""
    return sorted(
        Problem(name, *located.position(path), message, warning=True)
        for path, message in [
            *_choice_warnings(bank),
            *_longest_choice(bank),
            *_true_false_keys(bank),
            *_short_answers(bank),
            *_evidence(bank),
            *_review(bank, today),
        ]
    )


def _fold_choice(text: str) -> str:
    """Case, runs of white space and punctuation at the ends folded, to compare choices."""
    text = " ".join(text.casefold().split())
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or unicodedata.category(text[start])[0] == "P"):
        start += 1
    while end > start and (text[end - 1].isspace() or unicodedata.category(text[end - 1])[0] == "P"):
        end -= 1
    return text[start:end]


def _choice_warnings(bank: Bank) -> Found:
    for i, question in enumerate(bank.questions):
        where = ("questions", i)
        if isinstance(question, OrderingQuestion) and len(question.items) == 2:
            yield (*where, "items"), (
                f"question '{question.id}': putting two items in order is a true/false question "
                "(a guess is right half the time); add a third item, or ask it as a true_false question"
            )
        if not isinstance(question, SingleQuestion | MultipleQuestion):
            continue
        if isinstance(question, SingleQuestion) and len(question.choices) < 3:
            yield (*where, "choices"), (
                f"question '{question.id}': only {len(question.choices)} choices, so a guess is "
                "right half the time; add a third choice that is wrong but believable"
            )
        first: dict[str, str] = {}
        for j, choice in enumerate(question.choices):
            folded = _fold_choice(choice)
            if folded in first:
                yield (*where, "choices", j), (
                    f"question '{question.id}': choices '{first[folded]}' and '{choice}' differ "
                    "only in capitals, spaces or punctuation, so students cannot tell them apart; "
                    "reword one of them or remove it"
                )
            else:
                first[folded] = choice
            kind = _ABOVE.get(folded)
            if kind == "all":
                yield (*where, "choices", j), (
                    f"question '{question.id}': choice '{choice}' can be picked by spotting two "
                    "right choices, without weighing the others; remove it, and make the question "
                    "a multiple question if several choices are right"
                )
            elif kind == "none":
                yield (*where, "choices", j), (
                    f"question '{question.id}': choice '{choice}' shows only that a student can "
                    "rule choices out, not that they know the answer; replace it with a wrong "
                    "answer that is believable"
                )


def answer_is_longest(question: SingleQuestion) -> bool:
    """Whether the key is longer than every other choice: only then does it give itself away."""
    return all(len(question.answer) > len(c) for c in question.choices if c != question.answer)


def _longest_choice(bank: Bank) -> Found:
    singles = [q for q in bank.questions if isinstance(q, SingleQuestion)]
    if len(singles) < PATTERN_MIN_QUESTIONS:
        return
    longest = [q.id for q in singles if answer_is_longest(q)]
    if len(longest) * 2 > len(singles):
        yield ("id",), (
            f"bank '{bank.id}': in {len(longest)} of its {len(singles)} single questions the "
            f"answer is the longest choice ({', '.join(longest)}), so students can guess it "
            "without reading; make some wrong choices as long and precise as the answers"
        )


def _true_false_keys(bank: Bank) -> Found:
    keys = [q.answer for q in bank.questions if isinstance(q, TrueFalseQuestion)]
    if len(keys) < PATTERN_MIN_QUESTIONS:
        return
    trues = sum(keys)
    common, count = (True, trues) if trues * 2 > len(keys) else (False, len(keys) - trues)
    if count > TRUE_FALSE_MAX_SHARE * len(keys):
        word, other = ("true", "false") if common else ("false", "true")
        share = round(100 * count / len(keys))
        yield ("id",), (
            f"bank '{bank.id}': {count} of its {len(keys)} true_false answers are {word}, so "
            f"always answering {word} scores {share}%; rewrite some statements so that the "
            f"answer is {other}"
        )


def _short_answers(bank: Bank) -> Found:
    if not any(isinstance(q, ShortQuestion) and not q.exact for q in bank.questions):
        return
    # scoring imports the schema, and so this package: import it once both are loaded
    from quizapp.scoring import fold_answer, typo_distance, typos_forgiven

    # every text of another question that a student might type: (folded, text, what, index)
    texts: list[tuple[str, str, str, int]] = []
    for i, question in enumerate(bank.questions):
        if isinstance(question, SingleQuestion | MultipleQuestion):
            texts.extend((fold_answer(c), c, "a choice", i) for c in question.choices)
        elif isinstance(question, ShortQuestion):
            texts.extend((fold_answer(a), a, "an accepted answer", i) for a in question.accepted)
    by_length: dict[int, list[int]] = {}
    for t, (folded, *_) in enumerate(texts):
        by_length.setdefault(len(folded), []).append(t)
    letters: dict[str, Counter[str]] = {}
    budget = MAX_TYPO_WORK
    for i, question in enumerate(bank.questions):
        if not isinstance(question, ShortQuestion) or question.exact:
            continue
        accepted = [fold_answer(a) for a in question.accepted]
        reported: set[str] = set()
        for k, key in enumerate(accepted):
            allowed = typos_forgiven(key)
            if not allowed:
                continue
            key_letters = Counter(key)
            # as the scorer does: the length gap bounds the distance
            lengths = range(len(key) - allowed, len(key) + allowed + 1)
            for t in (t for n in lengths for t in by_length.get(n, ())):
                folded, text, what, other = texts[t]
                budget -= 1 + len(key)
                if budget < 0:
                    return
                if other == i or folded in accepted or folded in reported:
                    continue
                # and so does the gap between their letters, which is cheaper to count
                if folded not in letters:
                    letters[folded] = Counter(folded)
                if max((letters[folded] - key_letters).total(),
                       (key_letters - letters[folded]).total()) > allowed:
                    continue
                budget -= len(folded) * len(key)
                if budget < 0:
                    return
                if typo_distance(folded, key) <= allowed:
                    reported.add(folded)
                    path: Place = ("questions", i, "answer")
                    if not isinstance(question.answer, str):
                        path = (*path, k)
                    typos = "1 typo" if allowed == 1 else f"{allowed} typos"
                    yield path, (
                        f"question '{question.id}': answer '{question.accepted[k]}' forgives "
                        f"{typos}, so it also accepts '{text}', {what} of question "
                        f"'{bank.questions[other].id}'; add 'exact: true' to this question, "
                        "or accept only answers that cannot be mistaken for it"
                    )


def _evidence(bank: Bank) -> Found:
    if bank.source is None:
        return
    for i, question in enumerate(bank.questions):
        if question.evidence is None:
            yield ("questions", i, "id"), (
                f"question '{question.id}' has no evidence, though the bank's source is "
                f"'{bank.source}'; add 'evidence' with the paragraph (and a quote) that supports "
                "the answer, so students are shown where to read"
            )


def _review(bank: Bank, today: dt.date) -> Found:
    if bank.review_by and bank.review_by < today:
        yield ("review_by",), (
            f"bank '{bank.id}' was due for review on {bank.review_by}: check that its answers "
            "are still true, then set a later review_by"
        )
