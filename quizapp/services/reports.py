"""Teacher reports per assignment: the grid, item statistics, mastery, reliability, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select

from quizapp.banks.schema import SKILLS
from quizapp.extensions import db
from quizapp.models import (
    Accommodation,
    Account,
    Answer,
    Assignment,
    Attempt,
    AttemptQuestion,
    Membership,
    Question,
    QuestionVersion,
)

#: Below this many finished attempts asking a question, its discrimination is computed but
#: marked unreliable: a correlation over a handful of students swings with each one of them.
DISCRIMINATION_MIN_ATTEMPTS = 10


@dataclass
class QuestionStats:
    key: str
    prompt: str
    type: str
    skill: str | None
    points: float
    #: How many of the finished attempts asked it (all of them, unless the bank changed).
    asked: int = 0
    #: Mean mark over the maximum mark, 0..1, over the attempts that asked it (None if none).
    facility: float | None = None
    #: Correlation of the question's mark with the rest-of-test total (None if undefined).
    discrimination: float | None = None
    #: The most chosen wrong responses (scored 0), as (response as text, how many).
    wrong: list[tuple[str, int]] = field(default_factory=list)
    #: The most chosen partly right responses (some marks, not all), likewise.
    partly: list[tuple[str, int]] = field(default_factory=list)
    #: Its number in the bank's order, from 1 (the grid CSV heads its column "Q<n>: prompt").
    number: int = 0

    @property
    def discrimination_reliable(self) -> bool:
        """Whether :data:`DISCRIMINATION_MIN_ATTEMPTS` or more finished attempts asked it."""
        return self.asked >= DISCRIMINATION_MIN_ATTEMPTS


@dataclass
class StudentRow:
    account_id: int
    username: str
    name: str
    attempt_id: int | None
    marks: dict[str, float | None]
    total: float | None
    points: float | None
    finished_at: Any
    late: bool
    #: An attempt under way, if the student has one (shown as in progress, not as blank).
    open_attempt_id: int | None = None

    @property
    def status(self) -> str:
        """"finished" (a finished attempt is shown), "in progress" or "not started"."""
        if self.attempt_id is not None:
            return "finished"
        return "in progress" if self.open_attempt_id is not None else "not started"


@dataclass
class Report:
    assignment: Assignment
    questions: list[QuestionStats]
    students: list[StudentRow]
    mastery: dict[str, float | None]
    #: Cronbach's alpha, once three or more attempts are finished (and it is defined).
    alpha: float | None
    #: Counts of finished attempts per score band: 0-9%, 10-19%, ... 90-100%.
    distribution: list[int]

    @property
    def finished(self) -> int:
        return sum(1 for s in self.students if s.attempt_id is not None)


#: Marks are stored to six decimals, so values closer than this are the same mark: sums
#: such as 0.2 + 0.4 (0.6000000000000001) differ from 0.6 only by floating-point noise.
_SAME_MARK = 1e-9


def _varies(values: list[float]) -> bool:
    return max(values) - min(values) > _SAME_MARK


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's correlation, or None when either side does not vary."""
    if len(xs) < 2 or not _varies(xs) or not _varies(ys):
        return None
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def cronbach_alpha(matrix: list[list[float]]) -> float | None:
    """Cronbach's alpha of a students x questions mark matrix (sample variances).

    None with fewer than three students or two questions, or when the
    totals do not vary.
    """
    if len(matrix) < 3 or len(matrix[0]) < 2:
        return None
    k = len(matrix[0])
    totals = [sum(row) for row in matrix]
    if not _varies(totals):
        return None
    item_variance = sum(statistics.variance([row[i] for row in matrix]) for i in range(k))
    total_variance = statistics.variance(totals)
    return k / (k - 1) * (1 - item_variance / total_variance)


def _in_bank_order(content: dict[str, Any]) -> Callable[[Any], Any]:
    """A function giving a response's choices (or pairs) in the bank's order.

    A form sends chosen options in the shuffled order it showed, so without this one
    wrong answer would be counted as several.
    """
    kind = content.get("type")
    if kind == "multiple":
        choices = {choice: i for i, choice in enumerate(content.get("choices", []))}

        def chosen(response: Any) -> Any:
            if not isinstance(response, list):
                return response
            return sorted(dict.fromkeys(map(str, response)),
                          key=lambda c: (choices.get(c, len(choices)), c))
        return chosen
    if kind == "matching":
        lefts = {left: i for i, left in enumerate(content.get("pairs", {}))}

        def matched(response: Any) -> Any:
            if not isinstance(response, dict):
                return response
            return dict(sorted(response.items(), key=lambda kv: (lefts.get(kv[0], len(lefts)), kv[0])))
        return matched
    return lambda response: response


def _response_text(response: Any) -> str:
    if isinstance(response, bool):
        return "True" if response else "False"
    if isinstance(response, list):
        return ", ".join(map(str, response))
    if isinstance(response, dict):
        return "; ".join(f"{k} → {v}" for k, v in response.items())
    return "(no answer)" if response in (None, "") else str(response)


def assignment_report(assignment: Assignment) -> Report:
    """Each student's best finished attempt at the assignment, and statistics over them.

    Statistics follow Moodle's quiz statistics: facility is the mean mark over
    the maximum mark; discrimination is the correlation between a question's
    mark and the rest of the test (the total minus that question). Both are
    taken over the attempts that asked the question: one added to the bank or
    retired from it part-way through, or left out of an attempt's draw (an
    assignment's ``question_count``), is not counted as 0 for the attempts that
    never showed it. Below :data:`DISCRIMINATION_MIN_ATTEMPTS` such attempts a
    question's discrimination is marked unreliable. Columns are in the bank's
    order, whatever order the attempts asked them in. A late attempt is one
    finished after the student's due date (their accommodation's, if any).
    """
    members = db.session.execute(
        select(Account.id, Account.username, Account.display_name)
        .join(Membership, Membership.account_id == Account.id)
        .where(Membership.classroom_id == assignment.classroom_id)
        .order_by(Account.display_name, Account.id)
    ).all()
    numbered = (
        select(Attempt.id, Attempt.account_id, Attempt.score, Attempt.points, Attempt.finished_at,
               func.row_number().over(
                   partition_by=Attempt.account_id,
                   order_by=(Attempt.score.desc(), Attempt.finished_at, Attempt.id),
               ).label("place"))
        .where(Attempt.assignment_id == assignment.id, Attempt.finished_at.is_not(None),
               Attempt.kind == "full")
        .subquery()
    )
    best = {
        row.account_id: row for row in db.session.execute(
            select(numbered).where(numbered.c.place == 1)
        ).all()
    }
    under_way = dict(db.session.execute(
        select(Attempt.account_id, func.max(Attempt.id))
        .where(Attempt.assignment_id == assignment.id, Attempt.finished_at.is_(None),
               Attempt.kind == "full")
        .group_by(Attempt.account_id)
    ).all())
    own_due = dict(db.session.execute(
        select(Accommodation.account_id, Accommodation.due_at)
        .where(Accommodation.assignment_id == assignment.id, Accommodation.due_at.is_not(None))
    ).all())
    marks: dict[int, dict[str, tuple[float, Any]]] = defaultdict(dict)
    contents: dict[str, dict[str, Any]] = {}
    positions: dict[str, int] = {}
    if best:
        # One row per question of each best attempt. Decoding JSON is most of the cost of
        # a report, so the versions' content is read once per version, not once per row,
        # and a response only where it lost marks (it is shown among the wrong answers).
        rows = db.session.execute(
            select(AttemptQuestion.attempt_id, AttemptQuestion.position,
                   AttemptQuestion.question_version_id, Answer.score,
                   case((Answer.score < Answer.points, Answer.response)))
            .outerjoin(Answer, Answer.attempt_question_id == AttemptQuestion.id)
            .where(AttemptQuestion.attempt_id.in_([b.id for b in best.values()]))
        ).all()
        versions = dict(db.session.execute(
            select(QuestionVersion.id, QuestionVersion.content)
            .where(QuestionVersion.id.in_({row[2] for row in rows}))
        ).all())
        key_of = {version_id: content["id"] for version_id, content in versions.items()}
        by_attempt = {b.id: b.account_id for b in best.values()}
        for attempt_id, position, version_id, score, response in rows:
            key = key_of[version_id]
            if key not in contents:
                contents[key] = versions[version_id]
                positions[key] = position
            elif position < positions[key]:
                positions[key] = position
            marks[by_attempt[attempt_id]][key] = (score or 0.0, response)
    bank_order = dict(db.session.execute(
        select(Question.key, Question.position).where(Question.bank_id == assignment.bank_id)
    ).all())
    keys = sorted(contents, key=lambda k: (bank_order.get(k, positions[k]), k))
    numbers = {key: n for n, key in enumerate(
        sorted(bank_order, key=lambda k: (bank_order[k], k)), start=1)}

    due = assignment.due_at
    students = []
    for account_id, username, name in members:
        attempt = best.get(account_id)
        got = marks.get(account_id, {})
        students.append(StudentRow(
            account_id, username, name,
            attempt.id if attempt else None,
            {k: got[k][0] if k in got else None for k in keys},
            attempt.score if attempt else None,
            attempt.points if attempt else None,
            attempt.finished_at if attempt else None,
            bool(attempt and (own_due.get(account_id) or due)
                 and attempt.finished_at > (own_due.get(account_id) or due)),
            under_way.get(account_id),
        ))

    finished = [s for s in students if s.attempt_id is not None]
    matrix = [[s.marks[k] or 0.0 for k in keys] for s in finished]
    totals = [sum(row) for row in matrix]
    questions = []
    for i, key in enumerate(keys):
        content = contents[key]
        points = float(content.get("points", 1))
        asked = [(row[i], total) for s, row, total in zip(finished, matrix, totals, strict=True)
                 if s.marks[key] is not None]
        column = [mark for mark, _ in asked]
        stats = QuestionStats(key, content["prompt"], content["type"], content.get("skill"), points,
                              asked=len(asked), number=numbers.get(key, i + 1))
        if column:
            stats.facility = statistics.fmean(column) / points
            stats.discrimination = pearson(column, [total - mark for mark, total in asked])
        wrong: Counter[str] = Counter()
        partly: Counter[str] = Counter()
        in_order = _in_bank_order(content)
        for s in finished:
            got = marks[s.account_id].get(key)
            if got is not None and got[0] < points - _SAME_MARK:
                shown = _response_text(in_order(got[1]))
                (partly if got[0] > _SAME_MARK else wrong)[shown] += 1
        stats.wrong = wrong.most_common(3)
        stats.partly = partly.most_common(3)
        questions.append(stats)

    got_by_skill: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for stats in questions:
        if stats.skill and stats.facility is not None:
            got_by_skill[stats.skill][0] += stats.facility * stats.points * stats.asked
            got_by_skill[stats.skill][1] += stats.points * stats.asked
    mastery = {s: (got_by_skill[s][0] / got_by_skill[s][1] if got_by_skill[s][1] else None)
               for s in SKILLS}

    distribution = [0] * 10
    for s in finished:
        fraction = (s.total or 0) / s.points if s.points else 0
        distribution[min(9, int(fraction * 10))] += 1
    return Report(assignment, questions, students, mastery, cronbach_alpha(matrix), distribution)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A formula character after a character some spreadsheet splits cells on (comma, semicolon
#: in many locales, tab, pipe, a line break), spaces allowed between: opened with that
#: separator, the part after it is a cell of its own that would run.
_FORMULA_AFTER_SEPARATOR = re.compile(r"[,;\t|\r\n] *[=+\-@]")


def csv_cell(value: Any) -> str:
    """A cell a spreadsheet shows as written: text that could be read as a formula, at its
    start or after any separator a spreadsheet might split on, gets a leading quote.

    Numbers are written as numbers and never quoted, so a negative mark stays a number;
    pass marks as numbers, not as text. Floats get at most two decimals, without trailing
    zeros (6.83, 7, 0.5), as every score in the app is shown.
    """
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return two_decimals(value) if isinstance(value, float) else str(value)
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) or _FORMULA_AFTER_SEPARATOR.search(text):
        return "'" + text
    return text


def two_decimals(value: float) -> str:
    """A number with at most two decimals and no trailing zeros: 6.8333 -> "6.83", 7.0 -> "7"."""
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def iso_time(value: dt.datetime | None) -> str:
    """A stored (UTC) time as ISO 8601 with its zone, to the second: 2026-11-29T10:00:00+00:00."""
    if value is None:
        return ""
    return value.replace(tzinfo=dt.UTC, microsecond=0).isoformat()


def to_csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def grid_csv(report: Report) -> str:
    """Every student's marks per question, headed ``Q<n>: <prompt>`` (the question's number in
    the bank); times in ISO 8601 with the zone; marks with at most two decimals; a student
    with an attempt under way and none finished is shown "in progress"."""
    keys = [q.key for q in report.questions]
    rows = [
        [s.username, s.name, *[s.marks[k] for k in keys], s.total, s.points,
         iso_time(s.finished_at), "late" if s.late else "", s.status]
        for s in report.students
    ]
    heads = [f"Q{q.number}: {_one_line(q.prompt)}" for q in report.questions]
    return to_csv(["username", "name", *heads, "total", "points", "finished_at", "late", "status"],
                  rows)


def _one_line(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit - 1] + "…"
