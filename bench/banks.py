"""Benchmark: validate and load ten banks of 500 questions (5,000 in all).

Prints the median of several runs of: validating the files, loading them into
an empty SQLite database, and loading them again unchanged. Each load figure
includes validation, as ``quizapp load`` does it.

    .venv/bin/python bench/banks.py [--runs 5] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quizapp import create_app  # noqa: E402
from quizapp.banks import validate_paths  # noqa: E402
from quizapp.banks.yamlread import MAX_FILE_BYTES  # noqa: E402
from quizapp.extensions import db  # noqa: E402
from quizapp.services.banks import sync_banks, upgrade_database  # noqa: E402

SEEDS = ROOT / "seeds"
TYPES = ("single", "multiple", "true_false", "short", "numeric", "ordering", "matching")
QUOTES = {2: "CNN reported", 9: "Director of National Intelligence", 13: "Even during Snowden"}


def make_question(rng: random.Random, n: int) -> dict:
    kind = TYPES[n % len(TYPES)]
    q: dict = {
        "id": f"q{n}",
        "type": kind,
        "prompt": f"Question {n}: which statement does the article support about item {n}?",
        "explanation": f"Paragraph {n % 18 + 1} of the article explains this in its own words.",
        "skill": rng.choice(["recall", "sourcing", "attribution", "evidence", "context"]),
        "difficulty": rng.choice(["easy", "medium", "hard"]),
    }
    choices = [f"Choice {n}-{i}" for i in range(4)]
    if kind == "single":
        q |= {"choices": choices, "answer": choices[1], "feedback": {choices[0]: "Not this."}}
    elif kind == "multiple":
        q |= {"choices": choices, "answer": choices[:2]}
    elif kind == "true_false":
        q["answer"] = bool(n % 2)
    elif kind == "short":
        q["answer"] = [f"Answer number {n}", f"Number {n}"]
    elif kind == "numeric":
        q |= {"answer": 1000 + n, "tolerance": 0.5}
    elif kind == "ordering":
        q |= {"items": choices, "partial": True}
    else:
        q |= {"pairs": {f"Left {n}-{i}": f"Right {n}-{i}" for i in range(4)},
              "distractors": [f"Other {n}"]}
    paragraph = rng.choice(list(QUOTES))
    q["evidence"] = {"paragraph": paragraph, "quote": QUOTES[paragraph]}
    return q


def write_banks(folder: Path, banks: int = 10, per_bank: int = 500) -> None:
    rng = random.Random(1)
    for b in range(banks):
        bank = {
            "format": 1, "id": f"bench-{b}", "title": f"Benchmark bank {b}",
            "source": "allies-intelligence-sharing", "as_of": "2025-11-14",
            "questions": [make_question(rng, b * per_bank + i) for i in range(per_bank)],
        }
        text = yaml.safe_dump(bank, sort_keys=False, allow_unicode=True)
        assert len(text.encode()) < MAX_FILE_BYTES, "a generated bank is over 1 MiB"
        (folder / f"bench-{b}.yaml").write_text(text)


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", help="default: a new SQLite file per run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "banks"
        folder.mkdir()
        write_banks(folder)
        size = sum(p.stat().st_size for p in folder.iterdir())
        report = validate_paths([folder], SEEDS)
        assert report.ok, report.problems[:5]
        count = sum(len(b.bank.questions) for b in report.banks)
        print(f"{len(report.banks)} banks, {count:,} questions, {size / 1e6:.1f} MB of YAML")

        validate_times, first_times, again_times = [], [], []
        for run in range(args.runs):
            validate_times.append(timed(lambda: validate_paths([folder], SEEDS)))
            url = args.database_url or f"sqlite:///{tmp}/bench-{run}.sqlite3"
            app = create_app({"SQLALCHEMY_DATABASE_URI": url})
            with app.app_context():
                upgrade_database()

                def load() -> None:
                    result = sync_banks(validate_paths([folder], SEEDS).banks)
                    db.session.commit()
                    load.result = result  # type: ignore[attr-defined]

                first_times.append(timed(load))
                assert load.result.questions["new"] == count  # type: ignore[attr-defined]
                again_times.append(timed(load))
                assert not load.result.changed  # type: ignore[attr-defined]
                db.drop_all()
                db.session.remove()
                db.engine.dispose()

    def show(label: str, times: list[float], target: float) -> None:
        median = statistics.median(times)
        verdict = "ok" if median < target else "OVER TARGET"
        print(f"{label:<34} median {median:6.3f} s  (target < {target} s, {verdict}; "
              f"runs: {', '.join(f'{t:.3f}' for t in times)})")

    show("validate 5,000 questions", validate_times, 1.5)
    show("load into an empty database", first_times, 3.0)
    show("load again, unchanged", again_times, 1.5)


if __name__ == "__main__":
    main()
