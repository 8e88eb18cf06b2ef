"""Statements and CPU per live-game request, in process (Flask's test client): a game of
``--players`` players with question 1 open and ``--answered`` of them answered, on a new
SQLite file or a PostgreSQL database of its own (``--database-url``, as bench/databases.py).

    .venv/bin/python bench/game_profile.py [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each line: the request, the SQL statements it ran (a ``before_cursor_execute`` listener)
and its wall time per request (median of ``--repeat``), measured on the warm process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--players", type=int, default=100)
    parser.add_argument("--answered", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    from bench.databases import run_on_database

    run_on_database(parser, args.database_url, lambda url, label: run(url, label, args))


def run(url: str, label: str, args: argparse.Namespace) -> list[str]:
    from sqlalchemy import event

    from quizapp import create_app
    from quizapp.extensions import db
    from quizapp.services import accounts
    from tests.conftest import FIXTURES, SEEDS

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "profile", "SEEDS_DIR": str(SEEDS),
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        from quizapp.banks import validate_paths
        from quizapp.services.banks import sync_banks

        report = validate_paths([FIXTURES / "all-types.yaml"], SEEDS)
        sync_banks(report.banks)
        db.session.commit()
        teacher = accounts.create_account("tess", "Tess", "correct horse", "teacher")
        host = {"Authorization": f"Bearer {accounts.issue_token(teacher)}"}
        db.session.remove()
    client = app.test_client()
    game = client.post("/api/v1/games", json={"bank_id": "all-types", "seconds_per_question": 240},
                       headers=host).get_json()
    tokens = [client.post("/api/v1/games/join", json={"pin": game["pin"], "nickname": f"Player {i}"})
              .get_json()["player_token"] for i in range(args.players)]
    base = f"/api/v1/games/{game['id']}"
    client.post(f"{base}/advance", headers=host)
    q1 = client.get(f"{base}/state", headers=host).get_json()["question"]
    response: Any = q1["choices"][0] if "choices" in q1 else True
    for token in tokens[:args.answered]:
        client.put(f"{base}/answers/1", json={"response": response},
                   headers={"Authorization": f"Bearer {token}"})

    with app.app_context():
        engine = db.engine
    count = [0]
    event.listen(engine, "before_cursor_execute", lambda *a: count.__setitem__(0, count[0] + 1))

    def measure(label: str, call: Any, repeat: int = args.repeat) -> None:
        times, statements = [], []
        for i in range(repeat):
            count[0] = 0
            start = time.perf_counter()
            call(i)
            times.append((time.perf_counter() - start) * 1000)
            statements.append(count[0])
        print(f"{label:<44} {statistics.median(statements):>4.0f} statements "
              f"{statistics.median(times):6.2f} ms")

    def poll(token: str, etag: str | None = None, status: int = 200) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        if etag:
            headers["If-None-Match"] = etag
        reply = client.get(f"{base}/state", headers=headers)
        assert reply.status_code == status, reply.status_code

    n = len(tokens)
    print(f"{label}: a game of {args.players}, question 1 open, {args.answered} answered")
    measure("player poll 200, question (each player once)", lambda i: poll(tokens[i % n]), n)
    measure("player poll 200, question (again)", lambda i: poll(tokens[i % n]), n)
    etags = [client.get(f"{base}/state", headers={"Authorization": f"Bearer {t}"}).headers["ETag"]
             for t in tokens]
    measure("player poll 304", lambda i: poll(tokens[i % n], etags[i % n], 304))
    measure("host poll 200, question", lambda i: client.get(f"{base}/state", headers=host), 50)
    rest = tokens[args.answered:-1]
    measure("answer", lambda i: client.put(f"{base}/answers/1", json={"response": response},
                                           headers={"Authorization": f"Bearer {rest[i]}"}), len(rest))
    version = client.get(f"{base}/state", headers=host).get_json()["version"]
    shown = client.post(f"{base}/advance", headers={**host, "If-Match": f'"v{version}"'}).get_json()
    assert shown["phase"] == "reveal", shown["phase"]
    measure("player poll 200, reveal (each player once)", lambda i: poll(tokens[i % n]), n)
    measure("player poll 200, reveal (again)", lambda i: poll(tokens[i % n]), n)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return []


if __name__ == "__main__":
    main()
