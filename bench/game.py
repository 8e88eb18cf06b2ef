"""Live games under load: simulated players play games over gunicorn, as configured.

    .venv/bin/python bench/game.py [--database sqlite|postgresql] [--games 1] [--players 300]
                                   [--questions 5] [--seconds 20]

Starts the app under gunicorn with the project's gunicorn.conf.py (2 sync workers,
production mode, rate limits off, a SECRET_KEY) on a port the kernel picks on 127.0.0.1,
over a database of its own (bench/databases.py: a new SQLite file, or
``quizapp_bench_<pid>`` on the PostgreSQL server ``--database-url`` names, dropped at the
end). Then, for each of ``--games`` games at once:

- **the host** (the teacher's API token) creates a game of ``--bank``, with
  ``--seconds`` per question, and polls its state once a second as the projector does;
  when every player has joined it clicks Start, and then, for each of ``--questions``
  questions, waits for the reveal (the question closes when every player has answered),
  shows it for ``--reveal`` seconds and clicks Next (``If-Match`` with the state's
  version). After the last question played it steps through the rest of the bank to
  the podium;
- **each player** is a thread of its own, as each phone is: it joins with the PIN and a
  nickname, then polls the state with ``If-None-Match`` 0.8 to 1.2 s (at random) after each answer, as
  game.js does, and answers each question played once it sees it, after a think time of
  1 to 8 seconds (never past half the question's time), with a plausible response.

The player pages' own requests (game.js fetches the page again when the phase or the
question changes) are not made: only the API's routes are driven.

It prints requests, errors and p50/p95/p99 latency per route; how long after the host's
click each player first saw the new question (its poll's response showing the number,
measured from the advance's response); the workers' CPU time and the client's; and the
targets of issue 14, met or missed:

1. no error, and every answer stored once: the rows in the database are the answers that
   got a 200, no (player, question) twice, and each player's score is the sum of their
   answers' points;
2. state polls p95 < 100 ms, answers p99 < 300 ms;
3. 95% of players see the host's next question within 1.5 s of the click;
4. (with ``--games 10 --players 30 --database postgresql``) ten games of 30 at once.

Exit status: 0 when there was no error and the checks passed (targets are reported, not
enforced, unless ``--strict``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, insert, select  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from bench.databases import run_on_database  # noqa: E402
from bench.load import (  # noqa: E402
    PASSWORD,
    REQUEST_TIMEOUT,
    TEACHER,
    Client,
    FlowError,
    RssWatch,
    Sample,
    Server,
    choose_response,
    expect_json,
    figures,
    load_average,
    one_call,
    percentile,
    rss_mb,
    table,
)
from quizapp.app import database_url as driver_url  # noqa: E402
from quizapp.models import Account, GameAnswer, GamePlayer, utcnow  # noqa: E402

POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# Route labels, as printed.
CREATE = "POST /api/v1/games"
JOIN = "POST /api/v1/games/join"
POLL = "GET .../state (player)"
POLL_304 = "GET .../state (player) 304"
POLL_200 = "GET .../state (player) 200"
HOST_POLL = "GET .../state (host)"
ADVANCE = "POST .../advance"
ANSWER = "PUT .../answers/{n}"

#: Target figures of issue 14.
POLL_P95_MS, ANSWER_P99_MS = 100.0, 300.0
SEE_WITHIN, SEE_SHARE = 1.5, 0.95


# -- pure helpers -----------------------------------------------------------------------------------


def seen_delays(clicks: dict[int, float], seen: dict[int, float]) -> list[float]:
    """Seconds from each click's response (``clicks``: question number -> time) to when a
    player first saw that number (``seen``); a player's poll that was answered before the host's
    advance was counts as 0; a question the player never saw counts as infinitely late. One
    value per question clicked and player (``players`` of them)."""
    return [max(0.0, seen[number] - clicked) if number in seen else float("inf")
            for number, clicked in clicks.items()]


def share_within(values: list[float], limit: float) -> float:
    """The share of ``values`` at most ``limit`` (1.0 for none)."""
    return sum(v <= limit for v in values) / len(values) if values else 1.0


def think_seconds(rng: random.Random, question_seconds: int) -> float:
    """A player's time to answer: 1 to 8 seconds, never past half the question's time."""
    top = max(0.2, min(8.0, question_seconds / 2))
    return rng.uniform(min(1.0, top / 2), top)


# -- the simulated people ---------------------------------------------------------------------------


@dataclass
class GameRun:
    """One game: its id and PIN, the host's clicks, what its players saw and answered."""

    index: int
    players: int
    questions: int
    game_id: int = 0
    pin: str = ""
    #: question number -> time.perf_counter() at the advance's response that opened it
    clicks: dict[int, float] = field(default_factory=dict)
    joined: threading.Event = field(default_factory=threading.Event)
    started: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    joined_count: int = 0
    #: player id -> question number -> when the player's poll first showed it
    seen: dict[int, dict[int, float]] = field(default_factory=dict)
    #: (player id, number) of every answer that got a 200
    answered: list[tuple[int, int]] = field(default_factory=list)
    played: int = 0  # questions the host actually opened and closed
    total: int = 0


class Bench:
    def __init__(self, args: argparse.Namespace, port: int, teacher_token: str) -> None:
        self.args, self.port, self.token = args, port, teacher_token
        self.samples: list[Sample] = []
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.deadline = time.perf_counter() + args.time_limit

    def _keep(self, samples: list[Sample], failure: str | None = None) -> None:
        with self.lock:
            self.samples += samples
            if failure:
                self.failures.append(failure)

    # -- a player

    def player(self, game: GameRun, index: int) -> None:
        mine: list[Sample] = []
        client = Client(self.port, mine)
        rng = random.Random(f"{game.index}.{index}")
        failure = None
        try:
            game.started.wait(REQUEST_TIMEOUT)
            status, data, _ = client.call(JOIN, "POST", "/api/v1/games/join", expect=(201,), json_body={
                "pin": game.pin, "nickname": f"Player {index + 1}"})
            joined = expect_json(status, data, 201, JOIN)
            with game.lock:
                game.joined_count += 1
                if game.joined_count == game.players:
                    game.joined.set()
            self._play(client, game, joined["player_id"], joined["player_token"], rng)
        except (FlowError, ValueError, KeyError, TypeError) as error:
            failure = f"game {game.index} player {index + 1}: {error}"
        finally:
            client.close()
            self._keep(mine, failure)

    def _play(self, client: Client, game: GameRun, player_id: int, token: str,
              rng: random.Random) -> None:
        path = f"/api/v1/games/{game.game_id}/state"
        seen: dict[int, float] = {}
        etag = ""
        due: tuple[float, int, Any] | None = None  # (when, number, response) of the next answer
        answered: set[int] = set()
        next_poll = time.perf_counter() + rng.uniform(0.0, 1.0)  # phones do not poll in step
        while not self.stop.is_set() and time.perf_counter() < self.deadline:
            wake = min(next_poll, due[0]) if due else next_poll
            if self.stop.wait(max(0.0, wake - time.perf_counter())):
                break
            if due and time.perf_counter() >= due[0]:
                _, number, response = due
                due = None
                status, data, _ = client.call(ANSWER, "PUT", f"/api/v1/games/{game.game_id}/answers/{number}",
                                              token=token, json_body={"response": response})
                if status == 200:
                    answered.add(number)
                    with game.lock:
                        game.answered.append((player_id, number))
                continue
            headers = {"If-None-Match": etag} if etag else {}
            status, data, response = client.call(POLL, "GET", path, token=token, expect=(200, 304),
                                                 headers=headers)
            now = time.perf_counter()
            next_poll = now + rng.uniform(0.8, 1.2)  # game.js: 0.8 to 1.2 s after this one's answer
            if status != 200 or response is None:
                continue
            etag = response.headers.get("ETag", "")
            state = json.loads(data)
            number = state["number"]
            if number and number not in seen:
                seen[number] = now
            if (state["phase"] == "question" and number <= game.questions and number not in answered
                    and (due is None or due[1] != number) and not state["me"]["answered"]):
                question = state["question"]
                due = (now + think_seconds(rng, question["seconds"]), number,
                       choose_response(question, rng))
            if state["phase"] == "podium":
                break
        with game.lock:
            game.seen[player_id] = seen

    # -- a host

    def host(self, game: GameRun) -> None:
        mine: list[Sample] = []
        client = Client(self.port, mine)
        failure = None
        try:
            self._host(client, game)
        except (FlowError, ValueError, KeyError, TypeError, TimeoutError) as error:
            failure = f"game {game.index} host: {error}"
        finally:
            game.started.set()  # players waiting for a PIN stop waiting
            game.finished.set()
            client.close()
            self._keep(mine, failure)

    def _poll_until(self, client: Client, game: GameRun, done: Any) -> dict[str, Any]:
        """Poll as the projector does, once a second, until ``done(state)``."""
        path = f"/api/v1/games/{game.game_id}/state"
        etag, state = "", None
        while time.perf_counter() < self.deadline:
            headers = {"If-None-Match": etag} if etag else {}
            status, data, response = client.call(HOST_POLL, "GET", path, token=self.token,
                                                 expect=(200, 304), headers=headers)
            if status == 200 and response is not None:
                etag, state = response.headers.get("ETag", ""), json.loads(data)
            if state is not None and done(state):
                return state
            time.sleep(1.0)
        raise TimeoutError(f"the game did not get there within --time-limit (last state: "
                           f"{state and (state['phase'], state['number'], state['answered'])})")

    def _advance(self, client: Client, game: GameRun, version: int) -> dict[str, Any]:
        status, data, _ = client.call(ADVANCE, "POST", f"/api/v1/games/{game.game_id}/advance",
                                      token=self.token, headers={"If-Match": f'"v{version}"'})
        state = expect_json(status, data, 200, ADVANCE)
        if state["version"] == version:
            raise FlowError(f"advance from version {version} took no step")
        return state

    def _host(self, client: Client, game: GameRun) -> None:
        status, data, _ = client.call(CREATE, "POST", "/api/v1/games", token=self.token, expect=(201,),
                                      json_body={"bank_id": self.args.bank,
                                                 "seconds_per_question": self.args.seconds})
        created = expect_json(status, data, 201, CREATE)
        game.game_id, game.pin = created["id"], created["pin"]
        game.started.set()
        if not game.joined.wait(self.args.time_limit):
            raise TimeoutError("not every player joined")
        state = self._poll_until(client, game, lambda s: s["players"] == game.players)
        game.total = state["total"]
        for number in range(1, min(game.questions, game.total) + 1):
            state = self._advance(client, game, state["version"])
            game.clicks[number] = time.perf_counter()
            if (state["phase"], state["number"]) != ("question", number):
                raise FlowError(f"advance opened {state['phase']} {state['number']}, not question {number}")
            state = self._poll_until(client, game, lambda s, n=number: s["phase"] != "question"
                                     or s["number"] != n)
            game.played = number
            time.sleep(self.args.reveal)
        # the rest of the bank, unplayed, to the podium
        while state["phase"] != "podium":
            state = self._advance(client, game, state["version"])


# -- the run ----------------------------------------------------------------------------------------


def prepare(url: str, env: dict[str, str]) -> None:
    """Migrate and load questions/ (``quizapp load``, run by this Python from this checkout),
    and add the teacher who hosts."""
    done = subprocess.run(  # noqa: S603 - fixed argv, our own code
        [sys.executable, "-c", "import sys; from quizapp.cli import main; sys.argv[0] = 'quizapp'; main()",
         "load"], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=300,
        check=False)
    if done.returncode != 0:
        raise SystemExit(f"quizapp load failed:\n{done.stdout}{done.stderr}")
    engine = create_engine(driver_url(url))
    with engine.begin() as connection:
        connection.execute(insert(Account), [{
            "username": TEACHER, "display_name": "Game Host", "role": "teacher",
            "password_hash": generate_password_hash(PASSWORD), "must_change_password": False,
            "created_at": utcnow()}])
    engine.dispose()


def check(url: str, games: list[GameRun]) -> tuple[list[str], int]:
    """Every answer that got a 200 is stored once and nothing else is; scores add up."""
    problems: list[str] = []
    engine = create_engine(driver_url(url))
    with engine.connect() as connection:
        ids = [g.game_id for g in games if g.game_id]
        rows = connection.execute(
            select(GameAnswer.player_id, GameAnswer.number, func.count(GameAnswer.id))
            .where(GameAnswer.game_id.in_(ids)).group_by(GameAnswer.player_id, GameAnswer.number)).all()
        scores = connection.execute(
            select(GamePlayer.id, GamePlayer.score, func.coalesce(func.sum(GameAnswer.points), 0))
            .outerjoin(GameAnswer, GameAnswer.player_id == GamePlayer.id)
            .where(GamePlayer.game_id.in_(ids)).group_by(GamePlayer.id, GamePlayer.score)).all()
    engine.dispose()
    stored = {(p, n): c for p, n, c in rows}
    sent = [a for g in games for a in g.answered]
    twice = [k for k, c in stored.items() if c > 1]
    if twice:
        problems.append(f"{len(twice)} (player, question) stored more than once, e.g. {twice[0]}")
    if len(set(sent)) != len(sent):
        problems.append("a 200 was seen twice for one player and question")
    missing = set(sent) - set(stored)
    extra = set(stored) - set(sent)
    if missing:
        problems.append(f"{len(missing)} answers got a 200 and are not stored, e.g. {min(missing)}")
    if extra:
        problems.append(f"{len(extra)} answers are stored without a 200 seen, e.g. {min(extra)}")
    wrong = [pid for pid, got, total in scores if got != total]
    if wrong:
        problems.append(f"{len(wrong)} players' scores are not the sum of their answers' points")
    expected = sum(g.players * g.played for g in games)
    if len(sent) != expected:
        problems.append(f"{len(sent)} answers accepted, {expected} expected (players x questions played)")
    print(f"answers: {len(sent)} accepted with a 200 (players x questions played: {expected}), "
          f"{sum(stored.values())} rows stored, {len(twice)} (player, question) twice; "
          f"{len(scores) - len(wrong)} of {len(scores)} scores = the sum of the player's points")
    return problems, len(sent)


def run(args: argparse.Namespace, url: str, label: str) -> list[str]:
    workdir = Path(tempfile.mkdtemp(prefix="quizapp-game-"))
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "QUIZAPP_RATELIMIT_ENABLED": "false",
        "QUIZAPP_SESSION_COOKIE_SECURE": "false",
        "QUIZAPP_REMEMBER_COOKIE_SECURE": "false",
        "QUIZAPP_ACCESS_LOG": "",
    }
    server: Server | None = None
    watch: RssWatch | None = None
    try:
        prepare(url, env)
        server = Server("quizapp", "quizapp:create_app()", env, workdir / "app.log", "/healthz")
        watch = RssWatch(server, url)
        token = one_call(server.port, "POST", "/api/v1/tokens", want=201,
                         body={"username": TEACHER, "password": PASSWORD})["token"]
        bench = Bench(args, server.port, token)
        games = [GameRun(i + 1, args.players, args.questions) for i in range(args.games)]
        threads = [threading.Thread(target=bench.host, args=(g,), daemon=True) for g in games]
        threads += [threading.Thread(target=bench.player, args=(g, i), daemon=True)
                    for g in games for i in range(g.players)]
        print(f"{label}: {args.games} game(s) of {args.players} players at once, {args.questions} "
              f"questions played of bank {args.bank!r} ({args.seconds} s a question, reveal shown "
              f"{args.reveal} s); {len(threads)} client threads in one process (a host and a thread per "
              f"player), http.client; gunicorn.conf.py: {len(server.workers())} sync workers")
        print(f"load average before: {load_average()}")
        cpu_server = server.cpu_seconds()
        cpu_client = resource.getrusage(resource.RUSAGE_SELF)
        begin = time.perf_counter()
        for thread in threads:
            thread.start()
        for g in games:
            g.finished.wait(args.time_limit + REQUEST_TIMEOUT)
        time.sleep(2.5)  # players see the podium
        bench.stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
        wall = time.perf_counter() - begin
        watch.stop()
        used = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = used.ru_utime + used.ru_stime - cpu_client.ru_utime - cpu_client.ru_stime
        server_cpu = server.cpu_seconds() - cpu_server
        return report(args, url, server, watch, bench, games, wall, client_cpu, server_cpu)
    finally:
        if watch is not None:
            watch.stop()
            watch.close()
        if server is not None:
            server.stop()
        if args.keep_logs:
            print(f"gunicorn log kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def report(args: argparse.Namespace, url: str, server: Server, watch: RssWatch, bench: Bench,
           games: list[GameRun], wall: float, client_cpu: float, server_cpu: float) -> list[str]:
    samples = list(bench.samples)
    # the player polls as a whole (the target), and split by what they got
    split = [Sample(POLL_304 if s.status == 304 else POLL_200 if s.status == 200 else POLL,
                    s.start, s.seconds, s.status, s.ok) for s in samples if s.label == POLL]
    by_route = figures(samples + split, wall)
    order = [JOIN, POLL, POLL_304, POLL_200, ANSWER, HOST_POLL, ADVANCE, CREATE]
    print(f"\n{len(samples)} requests in {wall:.1f} s ({len(samples) / wall:.0f} req/s); "
          f"workers' CPU {server_cpu:.1f} s ({server_cpu / wall:.0%} of one core), this client's "
          f"{client_cpu:.1f} s ({client_cpu / wall:.0%} of one core)")
    print(table([(by_route[r], None) for r in order if r in by_route]))
    errors = sum(not s.ok for s in samples) + len(bench.failures)
    bad: dict[tuple[str, int], int] = defaultdict(int)
    for s in samples:
        if not s.ok:
            bad[(s.label, s.status)] += 1
    print(f"errors: {errors}" + "".join(f"\n  {label}: HTTP {status or 'no response'} x{n}"
                                         for (label, status), n in sorted(bad.items()))
          + "".join(f"\n  {f}" for f in bench.failures[:10]))

    delays = [d for g in games for pid in g.seen
              for d in seen_delays(g.clicks, g.seen[pid])]
    missing = sum(g.players for g in games) - sum(len(g.seen) for g in games)
    delays += [float("inf")] * missing * max((len(g.clicks) for g in games), default=0)
    ordered = sorted(delays)
    within = share_within(ordered, SEE_WITHIN)
    print(f"\nseeing the next question: {len(ordered)} (player, question) pairs; from the advance's "
          f"response to the player's first poll showing it: p50 {percentile(ordered, 0.5):.2f} s, "
          f"p95 {percentile(ordered, 0.95):.2f} s, max {ordered[-1] if ordered else 0:.2f} s; "
          f"{within:.1%} within {SEE_WITHIN} s")
    problems, _ = check(url, games)
    workers = server.workers()
    print("workers: " + ", ".join(f"{pid} {rss_mb(pid) or 0:.0f} MB" for pid in workers)
          + f"; {len(set(watch.peak))} worker processes seen (max_requests recycles them)")
    if watch.engine is not None:
        print(f"PostgreSQL connections of the app: at most {max(watch.connections, default=0)}")

    polls, answers = by_route.get(POLL), by_route.get(ANSWER)
    checks = [
        (f"errors {errors} (target 0)", errors == 0),
        (f"every answer stored once ({'yes' if not problems else '; '.join(problems)})", not problems),
        (f"state polls p95 {polls.p95 if polls else float('nan'):.1f} ms (target < {POLL_P95_MS:.0f} ms)",
         bool(polls) and polls.p95 < POLL_P95_MS),
        (f"answers p99 {answers.p99 if answers else float('nan'):.1f} ms (target < {ANSWER_P99_MS:.0f} ms)",
         bool(answers) and answers.p99 < ANSWER_P99_MS),
        (f"{within:.1%} saw the next question within {SEE_WITHIN} s (target >= {SEE_SHARE:.0%})",
         within >= SEE_SHARE),
    ]
    print(f"\ntargets ({args.games} game(s) of {args.players} at once, "
          f"{'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}):")
    for what, met in checks:
        print(f"  {'met   ' if met else 'MISSED'} {what}")
    args.exit_status = 1 if errors or problems or (args.strict and not all(m for _, m in checks)) else 0
    return []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", default=POSTGRESQL,
                        help="the PostgreSQL server for --database postgresql (default: %(default)s); "
                        "a database of the run's own is made there and dropped")
    parser.add_argument("--games", type=int, default=1, help="games at once (default 1)")
    parser.add_argument("--players", type=int, default=300, help="players in each game (default 300)")
    parser.add_argument("--questions", type=int, default=5, help="questions played in each game (default 5)")
    parser.add_argument("--seconds", type=int, default=20, help="seconds per question (default 20)")
    parser.add_argument("--reveal", type=float, default=3.0, help="seconds the host shows each reveal")
    parser.add_argument("--bank", default="what-happened", help="the bank played (default: %(default)s)")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds for the games")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--keep-logs", action="store_true", help="keep the gunicorn log (printed path)")
    args = parser.parse_args()
    if min(args.games, args.players, args.questions) < 1:
        parser.error("--games, --players and --questions must be at least 1")
    args.exit_status = 1
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("hard time limit")))
    signal.alarm(int(args.time_limit) + 300)
    print(f"quizapp live games: {os.cpu_count()} cores, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.system()} {platform.release()}")
    started = time.time()
    try:
        run_on_database(parser, args.database_url if args.database == "postgresql" else None,
                        lambda url, label: run(args, url, label))
    finally:
        signal.alarm(0)
    print(f"run took {time.time() - started:.0f} s")
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    return int(args.exit_status)


if __name__ == "__main__":
    sys.exit(main())
