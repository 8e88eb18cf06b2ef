"""Benchmark: leaderboards of a 1,000-student class and the report of a 200 x 50 assignment.

Fills a new database by bulk inserts (not through the services, which would
take minutes): one class of 1,000 students with 20 assignments on the
all-types bank and 100,000 answers in about 15,000 attempts, and a second
class of 200 of those students with one assignment on a generated
50-question bank, every student finished (some twice). Then it prints p50 and
p95 over repeated calls of:

- the class board, cold: ``board_version`` is bumped (and committed) before each call;
- the class board, warm: served from the cache;
- one assignment's board, cold and warm;
- the report of the 200 x 50 assignment (reports are not cached).

    .venv/bin/python bench/leaderboard.py [--calls 50] [--database-url URL]

With a PostgreSQL URL, the script creates a database of its own on that
server (``quizapp_bench_<pid>``), so it never touches the tables of the
database named, and drops it at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.banks import make_question  # noqa: E402
from bench.databases import run_on_database  # noqa: E402
from quizapp import create_app  # noqa: E402
from quizapp.banks import validate_paths  # noqa: E402
from quizapp.extensions import db  # noqa: E402
from quizapp.models import (  # noqa: E402
    Account,
    Answer,
    Assignment,
    Attempt,
    AttemptQuestion,
    Classroom,
    Membership,
    Question,
    QuestionVersion,
)
from quizapp.scoring import key_response, score  # noqa: E402
from quizapp.services import classes, leaderboard, reports  # noqa: E402
from quizapp.services.banks import question_model, sync_banks, upgrade_database  # noqa: E402

SEEDS = ROOT / "seeds"
ALL_TYPES = ROOT / "tests" / "fixtures" / "all-types.yaml"
STUDENTS, ASSIGNMENTS, ANSWERS = 1_000, 20, 100_000
TEACHER = STUDENTS + 1
REPORT_STUDENTS, REPORT_QUESTIONS = 200, 50
T0 = dt.datetime(2026, 9, 1, 8, 0)
#: A database of its own on the PostgreSQL server named (two runs at once do not clash).


def candidates(content: dict[str, Any]) -> list[tuple[Any, float]]:
    """A few responses to a question, right and wrong, with the marks the app gives them."""
    question = question_model(content)
    right = key_response(question)
    kind = content["type"]
    if kind == "single":
        given: list[Any] = list(content["choices"])
    elif kind == "multiple":
        choices = content["choices"]
        given = [right, right[:1], [choices[-1]], [*right[:1], *(c for c in choices if c not in right)]]
    elif kind == "true_false":
        given = [True, False]
    elif kind == "short":
        given = [right, "no idea", ""]
    elif kind == "numeric":
        given = [right, str(float(right) + 10), "about then"]
    elif kind == "ordering":
        given = [right, right[::-1], right[1:] + right[:1]]
    else:
        rights = list(right.values())
        given = [right, dict(zip(right, rights[::-1], strict=True)), dict(list(right.items())[:1])]
    return [(r, score(question, r).score) for r in ([right, *given])]


def insert_rows(model: Any, rows: list[dict[str, Any]], batch: int = 20_000) -> None:
    for start in range(0, len(rows), batch):
        db.session.execute(insert(model), rows[start:start + batch])


def bank_versions(bank_id: str) -> list[tuple[int, dict[str, Any]]]:
    return [tuple(row) for row in db.session.execute(
        select(QuestionVersion.id, QuestionVersion.content)
        .join(Question, (Question.id == QuestionVersion.question_id)
              & (Question.version == QuestionVersion.number))
        .where(Question.bank_id == bank_id).order_by(Question.position)
    ).all()]


class Filler:
    """Bulk rows with ids chosen here, so that children can point at their parents."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.attempts: list[dict[str, Any]] = []
        self.items: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []

    def attempt(self, account_id: int, bank_id: str, assignment_id: int,
                versions: list[tuple[int, dict[str, Any], list[tuple[Any, float]]]],
                started: dt.datetime, *, finished: bool,
                skip: frozenset[int] | set[int] = frozenset()) -> None:
        attempt_id = len(self.attempts) + 1
        total = 0.0
        for position, (version_id, content, options) in enumerate(versions):
            item_id = len(self.items) + 1
            self.items.append({"id": item_id, "attempt_id": attempt_id, "position": position,
                               "question_version_id": version_id})
            if position in skip:
                continue
            response, mark = options[0] if self.rng.random() < 0.6 else self.rng.choice(options)
            total += mark
            self.answers.append({
                "attempt_question_id": item_id, "attempt_id": attempt_id, "response": response,
                "score": mark, "points": float(content.get("points", 1)),
                "answered_at": started + dt.timedelta(seconds=20 * position),
            })
        points = float(sum(c.get("points", 1) for _, c, _ in versions))
        self.attempts.append({
            "id": attempt_id, "account_id": account_id, "bank_id": bank_id,
            "assignment_id": assignment_id, "kind": "full", "seed": self.rng.randrange(2**31),
            "started_at": started, "deadline_at": None,
            "finished_at": started + dt.timedelta(minutes=10) if finished else None,
            "score": round(total, 6) if finished else None, "points": points,
        })

    def write(self) -> None:
        insert_rows(Attempt, self.attempts)
        insert_rows(AttemptQuestion, self.items)
        insert_rows(Answer, self.answers)


def fill(folder: Path) -> dict[str, Any]:
    """Load the banks and insert the classes, attempts and answers; counts of what is there."""
    rng = random.Random(7)
    bank = {
        "format": 1, "id": "bench-report", "title": "Fifty questions",
        "source": "allies-intelligence-sharing", "as_of": "2025-11-14",
        "questions": [make_question(rng, n) for n in range(REPORT_QUESTIONS)],
    }
    (folder / "bench-report.yaml").write_text(yaml.safe_dump(bank, sort_keys=False))
    report = validate_paths([ALL_TYPES, folder / "bench-report.yaml"], SEEDS)
    assert report.ok, report.problems[:5]
    sync_banks(report.banks)
    db.session.commit()

    insert_rows(Account, [
        {"id": n, "username": f"student{n:04d}", "display_name": f"Student {n:04d}",
         "password_hash": "bench: no sign-in", "role": "student"}
        for n in range(1, STUDENTS + 1)
    ] + [{"id": TEACHER, "username": "teacher", "display_name": "Teacher",
          "password_hash": "bench: no sign-in", "role": "teacher"}])
    students = list(range(1, STUDENTS + 1))
    insert_rows(Classroom, [
        {"id": 1, "name": "Year 9, all of it", "teacher_id": TEACHER, "join_code": "BENCH1"},
        {"id": 2, "name": "Report class", "teacher_id": TEACHER, "join_code": "BENCH2"},
    ])
    insert_rows(Membership, [
        {"classroom_id": 1, "account_id": a, "nickname": f"Reader {a}"} for a in students
    ] + [
        {"classroom_id": 2, "account_id": a, "nickname": f"Reader {a}"}
        for a in students[:REPORT_STUDENTS]
    ])
    insert_rows(Assignment, [
        {"id": n, "classroom_id": 1, "bank_id": "all-types",
         "due_at": T0 + dt.timedelta(days=n)} for n in range(1, ASSIGNMENTS + 1)
    ] + [{"id": ASSIGNMENTS + 1, "classroom_id": 2, "bank_id": "bench-report",
          "due_at": T0 + dt.timedelta(days=3)}])

    filler = Filler(rng)
    small = [(v, c, candidates(c)) for v, c in bank_versions("all-types")]
    # 0, 1 or 2 attempts per student and assignment (15,000 expected), then exactly
    # ANSWERS answers: the rest of the questions are left unanswered.
    plan = [(a, n) for a in students for n in range(1, ASSIGNMENTS + 1)
            for _ in range(rng.choices((0, 1, 2), weights=(3, 4, 1))[0])]
    slots = len(plan) * len(small)
    assert slots >= ANSWERS, slots
    skipped = set(rng.sample(range(slots), slots - ANSWERS))
    for i, (account_id, assignment_id) in enumerate(plan):
        started = T0 + dt.timedelta(days=assignment_id, minutes=rng.randrange(-600, 1200))
        skip = {p for p in range(len(small)) if i * len(small) + p in skipped}
        filler.attempt(account_id, "all-types", assignment_id, small, started,
                       finished=rng.random() > 0.02, skip=skip)
    big = [(v, c, candidates(c)) for v, c in bank_versions("bench-report")]
    for account_id in students[:REPORT_STUDENTS]:
        for _ in range(2 if rng.random() < 0.2 else 1):
            started = T0 + dt.timedelta(days=2, minutes=rng.randrange(0, 2880))
            filler.attempt(account_id, "bench-report", ASSIGNMENTS + 1, big, started, finished=True)
    filler.write()
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        # As a server that has been running would have: the bulk load checkpointed out
        # of the write-ahead log, so reads are not looked up in a 100 MB log first.
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    if db.engine.dialect.name == "postgresql":
        for table in ("account", "classroom", "assignment", "attempt", "attempt_question", "answer",
                      "membership"):
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - names above
                f"(SELECT max(id) FROM {table}))"))
        db.session.commit()
        # Autovacuum analyses tables after a bulk load like this one, but not at once;
        # without statistics the planner guesses one row per table and nests loops.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    counts = {
        "attempts": db.session.execute(select(func.count(Attempt.id))).scalar_one(),
        "answers": db.session.execute(
            select(func.count(Answer.id)).join(Attempt, Attempt.id == Answer.attempt_id)
            .where(Attempt.assignment_id <= ASSIGNMENTS)).scalar_one(),
        "report answers": db.session.execute(
            select(func.count(Answer.id)).join(Attempt, Attempt.id == Answer.attempt_id)
            .where(Attempt.assignment_id == ASSIGNMENTS + 1)).scalar_one(),
    }
    assert counts["answers"] == ANSWERS, counts
    return counts


def measure(calls: int, action: Callable[[], Any],
            before: Callable[[], None]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of ``calls`` runs of ``action``; ``before`` runs
    untimed before each.

    CPU time is this process's only: on a shared machine it shows the work itself
    (all of it with SQLite, which runs in the process; not the PostgreSQL server's).
    """
    wall, cpu = [], []
    for _ in range(calls):
        before()
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def percentiles(times: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[94]


def run(url: str, calls: int, label: str) -> list[str]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    lines = []
    with app.app_context():
        upgrade_database()
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            counts = fill(Path(tmp))
            took = time.perf_counter() - started
        lines.append(
            f"{label}: {STUDENTS:,} students, {ASSIGNMENTS} assignments, "
            f"{counts['attempts'] - counts['report answers'] // REPORT_QUESTIONS:,} attempts, "
            f"{counts['answers']:,} answers; report: {REPORT_STUDENTS} students x "
            f"{REPORT_QUESTIONS} questions, {counts['report answers']:,} answers "
            f"(filled in {took:.1f} s)"
        )
        room = db.session.get(Classroom, 1)
        target = db.session.get(Assignment, ASSIGNMENTS + 1)
        assert room is not None and target is not None

        def end_request() -> None:
            db.session.commit()

        def bump() -> None:
            classes.touch_board(room.id)
            db.session.commit()

        # sanity: the boards and the report have what was inserted
        whole = leaderboard.board(room)
        assert whole.members == STUDENTS and whole.finished > 0.95 * STUDENTS, whole.finished
        report = reports.assignment_report(target)
        assert len(report.questions) == REPORT_QUESTIONS and report.finished == REPORT_STUDENTS
        leaderboard.clear_cache()

        figures = [
            ("class board, cold (version bumped)", 50,
             measure(calls, lambda: leaderboard.board(room), bump)),
            ("class board, warm (cached)", 50,
             measure(calls, lambda: leaderboard.board(room), end_request)),
            ("assignment board, cold", 50,
             measure(calls, lambda: leaderboard.board(room, 1), bump)),
            ("assignment board, warm", 50,
             measure(calls, lambda: leaderboard.board(room, 1), end_request)),
            (f"report, {REPORT_STUDENTS} x {REPORT_QUESTIONS}", 300,
             measure(calls, lambda: reports.assignment_report(target), end_request)),
        ]
        for name, target_ms, (wall, cpu) in figures:
            p50, p95 = percentiles(wall)
            verdict = "ok" if p95 < target_ms else "OVER"
            lines.append(f"  {name:<36} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
                         f"(target p95 < {target_ms} ms, {verdict:<4})  "
                         "CPU p50 {:5.1f} p95 {:5.1f} ms".format(*percentiles(cpu)))
        db.session.remove()
        db.engine.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--database-url", help="PostgreSQL server to use (default: a new SQLite file)")
    args = parser.parse_args()

    run_on_database(parser, args.database_url, lambda url, label: run(url, args.calls, label))

if __name__ == "__main__":
    main()
