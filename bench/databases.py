"""The database a benchmark runs on: a new SQLite file, or a database of its own on a
PostgreSQL server (created before, dropped after); and the closing line of figures."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable

from sqlalchemy import create_engine, make_url, text

BENCH_DATABASE = f"quizapp_bench_{os.getpid()}"


def run_on_database(parser: argparse.ArgumentParser, database_url: str | None,
                    run: Callable[[str, str], list[str]]) -> None:
    """Call ``run(url, label)`` on the database ``--database-url`` names (SQLite by default),
    then print its lines and the machine's load."""
    if not database_url:
        with tempfile.TemporaryDirectory() as tmp:
            lines = run(f"sqlite:///{tmp}/bench.sqlite3", "SQLite")
    else:
        given = make_url(database_url)
        if given.get_backend_name() != "postgresql":
            parser.error("--database-url takes a PostgreSQL URL; SQLite is the default")
        admin = create_engine(given, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}"))
            connection.execute(text(f"CREATE DATABASE {BENCH_DATABASE}"))
        try:
            url = given.set(database=BENCH_DATABASE).render_as_string(hide_password=False)
            lines = run(url, f"PostgreSQL ({BENCH_DATABASE} on {given.host})")
        finally:
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"))
            admin.dispose()
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print("\n".join(lines))
    print(f"({os.cpu_count()} cores; load average at the end {load})")
