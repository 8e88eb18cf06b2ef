"""Benchmark: a 500-student class roster, with the production password settings.

A roster makes 500 student accounts with one-time passwords and puts them in a
class. Before rosters hashed one-time passwords in bulk with their own cheap
scheme (docs/security.md, "Rosters"), each row cost a scrypt hash and a commit:
300 rows took 32 s, past gunicorn's 30 s timeout. This prints, for each of
``--runs`` new classes, the wall-clock seconds of 500 rows:

- through the service (``classes.enrol_students``);
- through ``POST /api/v1/classes/{id}/roster`` with Flask's test client;
- through the browser's CSV upload (``POST /classes/{id}/roster``), the same way;

and what one hash costs with each scheme. ``PASSWORD_HASH_METHOD`` keeps its
production default (scrypt); the target is well under 5 s for 500 rows.

    .venv/bin/python bench/roster.py [--runs 3] [--database-url URL]

With a PostgreSQL URL, the script creates a database of its own on that
server (``quizapp_bench_<pid>``) and drops it at the end.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import run_on_database  # noqa: E402
from quizapp import create_app  # noqa: E402
from quizapp.extensions import db  # noqa: E402
from quizapp.services import accounts, classes  # noqa: E402
from quizapp.services.banks import upgrade_database  # noqa: E402

ROWS = 500
TARGET_SECONDS = 5.0
PASSWORD = "bench teacher password"  # noqa: S105 - a throwaway account in a throwaway database


def students(prefix: str) -> list[tuple[str, str]]:
    return [(f"{prefix}.{n:03}", f"Student {n} of {prefix}") for n in range(ROWS)]


def per_hash_ms(hash_one: object, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        hash_one("abcd-efgh-jkmn")  # type: ignore[operator]
    return (time.perf_counter() - start) / count * 1000


def run(url: str, runs: int, label: str) -> list[str]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
    method = app.config["PASSWORD_HASH_METHOD"]
    lines = [f"{label}: {ROWS} rows a roster, {runs} runs each; PASSWORD_HASH_METHOD={method}, "
             f"one-time passwords {accounts.ONE_TIME_HASH_METHOD}"]
    with app.app_context():
        upgrade_database()
        teacher = accounts.create_account("bench.teacher", "Bench Teacher", PASSWORD, "teacher")
        token = accounts.issue_token(teacher)
        api, browser = app.test_client(), app.test_client()
        signed_in = browser.post("/login", data={"username": "bench.teacher", "password": PASSWORD})
        assert signed_in.status_code == 303, signed_in.status_code
        timings: dict[str, list[float]] = {"service": [], "API": [], "browser upload": []}
        for n in range(runs):
            room = classes.create_class(teacher, f"Service {n}")
            start = time.perf_counter()
            rows = classes.enrol_students(room, students(f"s{n}"))
            timings["service"].append(time.perf_counter() - start)
            assert sum(1 for row in rows if row.password) == ROWS

            room_id = classes.create_class(teacher, f"API {n}").id
            body = {"students": [{"username": u, "display_name": d} for u, d in students(f"a{n}")]}
            start = time.perf_counter()
            reply = api.post(f"/api/v1/classes/{room_id}/roster", json=body,
                             headers={"Authorization": f"Bearer {token}"})
            timings["API"].append(time.perf_counter() - start)
            assert reply.status_code == 201 and len(reply.get_json()["created"]) == ROWS, reply.text

            room_id = classes.create_class(teacher, f"Upload {n}").id
            csv = "username,display_name\n" + "".join(f"{u},{d}\n" for u, d in students(f"b{n}"))
            start = time.perf_counter()
            page = browser.post(f"/classes/{room_id}/roster", content_type="multipart/form-data",
                                data={"roster": (io.BytesIO(csv.encode()), "roster.csv")})
            timings["browser upload"].append(time.perf_counter() - start)
            assert page.status_code == 200 and page.text.count('class="login-card"') == ROWS, page.status_code
            db.session.remove()
        for name, seconds in timings.items():
            worst = max(seconds)
            verdict = "ok" if worst < TARGET_SECONDS else "OVER"
            lines.append(f"  {name:<15} median {statistics.median(seconds):5.2f} s  worst {worst:5.2f} s  "
                         f"(target < {TARGET_SECONDS:.0f} s, {verdict})")
        one_time = per_hash_ms(accounts.hash_one_time_password, 200)
        scrypt = per_hash_ms(accounts.hash_password, 5)
        lines.append(f"  one hash: one-time {one_time:.2f} ms ({ROWS} rows: {one_time * ROWS / 1000:.2f} s); "
                     f"{method} {scrypt:.0f} ms ({ROWS} rows: {scrypt * ROWS / 1000:.0f} s)")
        db.session.remove()
        db.engine.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", help="PostgreSQL server to use (default: a new SQLite file)")
    args = parser.parse_args()

    run_on_database(parser, args.database_url, lambda url, label: run(url, args.runs, label))

if __name__ == "__main__":
    main()
