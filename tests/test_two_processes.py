"""Two gunicorn processes on one PostgreSQL and one Redis behave as one site.

Each process is started as production starts it (gunicorn.conf.py, one sync
worker each, the same SECRET_KEY), on a port the kernel picks. What one
process does, the other sees: tokens and session cookies made on one work on
the other; answers given on one show on the other's projector and
leaderboard; failed sign-ins counted on one are refused on the other.

Needs TEST_DATABASE_URL (a PostgreSQL server; the test migrates a schema of its
own there and drops it) and Redis on 127.0.0.1:6379 (the test uses db 5 and
deletes only its own keys). Either missing: skipped, except under CI=true,
where both must be there and a missing one fails.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
IN_CI = os.environ.get("CI") == "true"
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 5
PASSWORD = "two processes pw"
BANK = "who-is-who"
#: Every wait is bounded.
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 15.0


def _missing(reason: str) -> None:
    """Skip, saying why; under CI=true the service must be there, so fail instead."""
    if IN_CI:
        pytest.fail(f"CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


def _redis_answers() -> str | None:
    """None when Redis answers PING within two seconds, else why not."""
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            answer = connection.recv(64)
    except OSError as error:
        return f"{error.__class__.__name__}: {error}"
    return None if answer.startswith(b"+PONG") else f"it answered {answer!r} to PING"


# -- a small HTTP client with a cookie jar shared by both processes (one site, as behind a proxy) --


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()

    def csrf_token(self) -> str:
        match = CSRF.search(self.text)
        assert match, f"no CSRF token in the page (HTTP {self.status})"
        return match.group(1)


@dataclass
class Browser:
    """Cookies as a browser keeps them for 127.0.0.1 (whatever the port)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def call(self, port: int, method: str, path: str, *, json_body: Any = None,
             form: dict[str, Any] | None = None, token: str | None = None,
             headers: dict[str, str] | None = None) -> Reply:
        sent = dict(headers or {})
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        elif form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            reply = Reply(response.status, response.headers, response.read())
        finally:
            connection.close()
        for header in reply.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return reply

    def sign_in(self, port: int, username: str, password: str = PASSWORD) -> None:
        """The HTML form on /login, as a person signs in."""
        token = self.call(port, "GET", "/login").csrf_token()
        reply = self.call(port, "POST", "/login",
                          form={"csrf_token": token, "username": username, "password": password})
        assert reply.status == 303, reply.text[:500]
        assert "session" in self.cookies


def api_token(port: int, username: str) -> str:
    reply = Browser().call(port, "POST", "/api/v1/tokens",
                           json_body={"username": username, "password": PASSWORD})
    assert reply.status == 201, reply.body
    return reply.json()["token"]


# -- the two processes ------------------------------------------------------------------------


@dataclass
class Gunicorn:
    process: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]
    port: int = 0

    def tail(self) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:])


def start_gunicorn(env: dict[str, str], log_path: Path) -> Gunicorn:
    log = log_path.open("wb")
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--no-control-socket",
         "quizapp:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    return Gunicorn(process, log_path, log)


def wait_until_serving(server: Gunicorn) -> None:
    """The port gunicorn was given by the kernel, then a 200 from /healthz."""
    deadline = time.monotonic() + START_TIMEOUT
    while not server.port:
        found = re.search(rb"Listening at: http://127\.0\.0\.1:(\d+)", server.log_path.read_bytes())
        if found:
            server.port = int(found.group(1))
        elif server.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"gunicorn did not start:\n{server.tail()}", pytrace=False)
        else:
            time.sleep(0.1)
    while True:
        try:
            if Browser().call(server.port, "GET", "/healthz").status == 200:
                return
        except OSError:
            pass
        if server.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"gunicorn did not answer /healthz:\n{server.tail()}", pytrace=False)
        time.sleep(0.2)


def stop_gunicorn(server: Gunicorn) -> None:
    try:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
            try:
                server.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(timeout=10)
    finally:
        server.log.close()


def run_cli(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run([str(BIN / "quizapp"), *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"quizapp {' '.join(args)}:\n{done.stdout}{done.stderr}"
    return done.stdout


@dataclass
class Site:
    a: int
    b: int
    redis_prefix: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Two gunicorn processes on a schema of their own and on Redis db 5, with accounts."""
    if not POSTGRES_URL:
        _missing("TEST_DATABASE_URL is not set: two processes need a shared PostgreSQL "
                 "(e.g. TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    why = _redis_answers()
    if why:
        _missing(f"Redis on {REDIS_HOST}:{REDIS_PORT} does not answer ({why}): the processes need it "
                 "to share rate limits")
    import redis

    from quizapp.app import database_url

    run_id = f"quizapp_2proc_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(database_url(str(POSTGRES_URL)), isolation_level="AUTOCOMMIT")
    redis_client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=5)
    servers: list[Gunicorn] = []
    logs = tmp_path_factory.mktemp("two-processes")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {run_id}"))
        separator = "&" if "?" in str(POSTGRES_URL) else "?"
        url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{run_id}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_hex(32),
            "QUIZAPP_BIND": "127.0.0.1:0",
            "WEB_CONCURRENCY": "1",
            "QUIZAPP_ACCESS_LOG": "",
            # values are JSON: a string needs its quotes (without them Flask keeps the text as is)
            "QUIZAPP_RATELIMIT_STORAGE_URI": json.dumps(f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"),
            # our own key prefix, so that only this run's keys are deleted afterwards
            "QUIZAPP_RATELIMIT_STORAGE_OPTIONS": json.dumps({"key_prefix": run_id}),
            "QUIZAPP_LOGIN_LIMIT_PER_ACCOUNT": json.dumps("3 per minute"),
            # plain HTTP on 127.0.0.1 (docs/deploy.md)
            "QUIZAPP_SESSION_COOKIE_SECURE": "false",
            "QUIZAPP_REMEMBER_COOKIE_SECURE": "false",
            # this checkout's code, whichever checkout the environment's package points at
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        env.pop("QUIZAPP_RATELIMIT_ENABLED", None)
        # migrate and load the banks, then the accounts, before either process starts
        run_cli(["load"], env)
        roster = logs / "roster.csv"
        roster.write_text("username,display_name,role,password\n"
                          f"grace,Grace Hopper,teacher,{PASSWORD}\n"
                          f"ada,Ada Lovelace,student,{PASSWORD}\n"
                          f"bob,Bob Baker,student,{PASSWORD}\n"
                          f"carol,Carol Shaw,student,{PASSWORD}\n"
                          f"dave,Dave Race,student,{PASSWORD}\n")
        run_cli(["users", "import", str(roster)], env)
        servers = [start_gunicorn(env, logs / f"gunicorn-{name}.log") for name in "ab"]
        for server in servers:
            wait_until_serving(server)
        assert servers[0].port != servers[1].port
        yield Site(servers[0].port, servers[1].port, run_id)
    finally:
        for server in servers:
            stop_gunicorn(server)
        try:
            for key in redis_client.scan_iter(match=f"{run_id}*", count=500):
                redis_client.delete(key)
        finally:
            redis_client.close()
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {run_id} CASCADE"))
        admin.dispose()


def some_response(question: dict[str, Any]) -> Any:
    """A response to any question: its first choice when it has choices, else nothing."""
    return question["choices"][0] if "choices" in question else None


def test_two_processes_are_one_site(site: Site) -> None:
    a, b = site.a, site.b

    # A teacher's token from A sets up a class on B and an assignment on A.
    teacher = api_token(a, "grace")
    reply = Browser().call(b, "POST", "/api/v1/classes", token=teacher, json_body={"name": "Year 9"})
    assert reply.status == 201, reply.body
    classroom = reply.json()
    reply = Browser().call(a, "POST", f"/api/v1/classes/{classroom['id']}/assignments", token=teacher,
                           json_body={"bank_id": BANK})
    assert reply.status == 201, reply.body
    assignment = reply.json()

    # The projector runs on A, on the teacher's session cookie made on A.
    projector = Browser()
    projector.sign_in(a, "grace")
    projector_path = f"/classes/{classroom['id']}/projector.json"

    def projected(port: int) -> dict[str, Any]:
        reply = projector.call(port, "GET", projector_path)
        assert reply.status == 200, reply.body
        return reply.json()

    before = projected(a)
    assert before["entries"] == [] and before["answering"] == 0

    # Ada signs in (a token) on A, joins and starts on B, answers on both, finishes on B.
    ada = api_token(a, "ada")
    reply = Browser().call(b, "POST", "/api/v1/classes/join", token=ada,
                           json_body={"join_code": classroom["join_code"]})
    assert reply.status == 200, reply.body
    reply = Browser().call(b, "POST", f"/api/v1/banks/{BANK}/attempts", token=ada,
                           json_body={"assignment_id": assignment["id"]})
    assert reply.status == 201, reply.body
    attempt = reply.json()["attempt"]
    first, *rest = attempt["questions"]
    reply = Browser().call(b, "PUT", f"/api/v1/attempts/{attempt['id']}/answers/{first['id']}", token=ada,
                           json_body={"response": some_response(first)})
    assert reply.status == 200, reply.body
    ada_total = reply.json()["score"]

    # A's projector sees the answer given on B: Ada is answering, nobody has finished.
    during = projected(a)
    assert during["answering"] == 1 and during["entries"] == []

    for number, question in enumerate(rest):
        port = a if number % 2 else b
        reply = Browser().call(port, "PUT", f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}",
                               token=ada, json_body={"response": some_response(question)})
        assert reply.status == 200, reply.body
        ada_total += reply.json()["score"]
    # the first answer counts, whichever process is asked again
    reply = Browser().call(a, "PUT", f"/api/v1/attempts/{attempt['id']}/answers/{first['id']}", token=ada,
                           json_body={"response": None})
    assert reply.status == 409, reply.body
    reply = Browser().call(b, "POST", f"/api/v1/attempts/{attempt['id']}/finish", token=ada)
    assert reply.status == 200, reply.body
    assert reply.json()["score"] == pytest.approx(ada_total)

    # A had a board cached from before; it must show Ada's finished attempt now.
    after = projected(a)
    assert after["answering"] == 0 and after["finished"] == 1
    assert [(e["rank"], e["name"]) for e in after["entries"]] == [(1, "Ada Lovelace")]
    assert after["entries"][0]["score"] == pytest.approx(ada_total)

    # Bob signs in with the HTML form on A; his session cookie works on B.
    bob = Browser()
    bob.sign_in(a, "bob")
    home = bob.call(b, "GET", "/")
    assert home.status == 200 and "Bob Baker" in home.text
    join_page = bob.call(b, "GET", "/classes/")
    reply = bob.call(b, "POST", "/classes/join", form={"csrf_token": join_page.csrf_token(),
                                                       "code": classroom["join_code"]})
    assert reply.status == 303, reply.text[:500]
    # an API call riding on the cookie (with the page's CSRF token), on A
    reply = bob.call(a, "POST", f"/api/v1/banks/{BANK}/attempts",
                     json_body={"assignment_id": assignment["id"]},
                     headers={"X-CSRFToken": home.csrf_token()})
    assert reply.status == 201, reply.body
    bobs = reply.json()["attempt"]
    # a single-choice question's page from A, its form posted to B
    number, question = next((n, q) for n, q in enumerate(bobs["questions"], start=1) if q["type"] == "single")
    page = bob.call(a, "GET", f"/attempts/{bobs['id']}/questions/{number}")
    assert page.status == 200 and f"Question {number} of {len(bobs['questions'])}" in page.text
    reply = bob.call(b, "POST", f"/attempts/{bobs['id']}/questions/{number}",
                     form={"csrf_token": page.csrf_token(), "choice": question["choices"][0]})
    assert reply.status == 303, reply.text[:500]
    seen = bob.call(a, "GET", f"/api/v1/attempts/{bobs['id']}").json()["attempt"]["answers"]
    assert [(x["question_id"], x["response"]) for x in seen] == [(question["id"], question["choices"][0])]
    other = next(q for q in bobs["questions"] if q["id"] != question["id"])
    reply = bob.call(a, "PUT", f"/api/v1/attempts/{bobs['id']}/answers/{other['id']}",
                     json_body={"response": some_response(other)}, headers={"X-CSRFToken": page.csrf_token()})
    assert reply.status == 200, reply.body
    bob_total = seen[0]["score"] + reply.json()["score"]
    reply = bob.call(a, "POST", f"/api/v1/attempts/{bobs['id']}/finish",
                     headers={"X-CSRFToken": page.csrf_token()})
    assert reply.status == 200, reply.body
    assert reply.json()["score"] == pytest.approx(bob_total)

    # The leaderboard is the same from either process (and on the projector of either).
    boards = [Browser().call(port, "GET", f"/api/v1/classes/{classroom['id']}/leaderboard", token=teacher)
              for port in (a, b)]
    assert all(board.status == 200 for board in boards)
    assert boards[0].json() == boards[1].json()
    # higher score first; equal scores share the rank, Ada (who finished first) listed first
    entries = boards[0].json()["entries"]
    tied = bob_total == pytest.approx(ada_total)
    if bob_total > ada_total and not tied:
        expected = [(1, "Bob Baker"), (2, "Ada Lovelace")]
    else:
        expected = [(1, "Ada Lovelace"), (1 if tied else 2, "Bob Baker")]
    assert [(e["rank"], e["name"]) for e in entries] == expected
    scores = {e["name"]: e["score"] for e in entries}
    assert scores == {"Ada Lovelace": pytest.approx(ada_total), "Bob Baker": pytest.approx(bob_total)}
    assert projected(a)["entries"] == projected(b)["entries"]


def test_a_rate_limit_counted_on_one_process_holds_on_the_other(site: Site) -> None:
    """3 failed tries a minute per account (set for this test): two on A, one on B, then
    both refuse, even the right password, with Retry-After."""
    a, b = site.a, site.b
    wrong = {"username": "carol", "password": "not the password"}
    for port in (a, b, a):
        reply = Browser().call(port, "POST", "/api/v1/tokens", json_body=wrong)
        assert reply.status == 401, reply.body
    for port in (b, a):
        reply = Browser().call(port, "POST", "/api/v1/tokens",
                               json_body={"username": "carol", "password": PASSWORD})
        assert reply.status == 429, reply.body
        assert 0 < int(reply.headers["Retry-After"]) <= 60
        assert "Too many failed sign-ins" in reply.json()["error"]
    # the count lives in Redis, under this run's own prefix
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=5)
    try:
        keys = [k.decode() for k in client.scan_iter(match=f"{site.redis_prefix}*", count=500)]
    finally:
        client.close()
    assert any("login-account:carol" in key for key in keys), keys


def test_an_attempt_limit_holds_when_both_processes_are_asked_at_once(site: Site) -> None:
    """Twenty starts of a one-attempt assignment, released together and shared between the two
    processes, make one attempt: every start gets that same attempt."""
    import threading

    a, b = site.a, site.b
    teacher = api_token(a, "grace")
    classroom = Browser().call(a, "POST", "/api/v1/classes", token=teacher,
                               json_body={"name": "Race"}).json()
    assignment = Browser().call(b, "POST", f"/api/v1/classes/{classroom['id']}/assignments",
                                token=teacher, json_body={"bank_id": BANK, "max_attempts": 1}).json()
    student = api_token(b, "dave")
    joined = Browser().call(a, "POST", "/api/v1/classes/join", token=student,
                            json_body={"join_code": classroom["join_code"]})
    assert joined.status == 200, joined.body

    starts = 20
    barrier = threading.Barrier(starts)
    replies: list[Reply] = []
    lock = threading.Lock()

    def start(port: int) -> None:
        barrier.wait(timeout=REQUEST_TIMEOUT)
        reply = Browser().call(port, "POST", f"/api/v1/banks/{BANK}/attempts", token=student,
                               json_body={"assignment_id": assignment["id"]})
        with lock:
            replies.append(reply)

    threads = [threading.Thread(target=start, args=((a, b)[n % 2],)) for n in range(starts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * REQUEST_TIMEOUT)
    assert len(replies) == starts
    assert sorted(r.status for r in replies) == [200] * (starts - 1) + [201], [r.body for r in replies]
    assert len({r.json()["attempt"]["id"] for r in replies}) == 1


def test_signing_out_on_one_process_ends_the_session_on_both(site: Site) -> None:
    browser = Browser()
    browser.sign_in(site.a, "bob")  # carol's sign-ins are held by the rate-limit test
    stolen = dict(browser.cookies)
    assert browser.call(site.b, "GET", "/progress").status == 200
    token = browser.call(site.b, "GET", "/").csrf_token()
    assert browser.call(site.b, "POST", "/logout", form={"csrf_token": token}).status == 303
    replayed = Browser(cookies=stolen)
    for port in (site.a, site.b):
        assert replayed.call(port, "GET", "/progress").status == 302
        assert replayed.call(port, "GET", "/api/v1/me/progress").status == 401


def test_a_game_stepped_on_one_process_is_seen_and_played_on_the_other(site: Site) -> None:
    """The host creates and steps the game on A; players join, poll (ETag/304) and answer on
    B; each step on A is the next state read on B, and a double click makes one step."""
    a, b = site.a, site.b
    teacher = api_token(a, "grace")
    reply = Browser().call(a, "POST", "/api/v1/games", token=teacher,
                           json_body={"bank_id": BANK, "seconds_per_question": 60})
    assert reply.status == 201, reply.body
    game = reply.json()
    players = []
    for nickname in ("Ada", "Bob"):
        reply = Browser().call(b, "POST", "/api/v1/games/join",
                               json_body={"pin": game["pin"], "nickname": nickname})
        assert reply.status == 201, reply.body
        players.append(reply.json()["player_token"])
    state_path = f"/api/v1/games/{game['id']}/state"
    lobby = Browser().call(b, "GET", state_path, token=players[0])
    assert lobby.status == 200 and lobby.json()["phase"] == "lobby"
    etag = lobby.headers["ETag"]
    unchanged = Browser().call(a, "GET", state_path, token=players[0], headers={"If-None-Match": etag})
    assert unchanged.status == 304

    stepped = Browser().call(a, "POST", f"/api/v1/games/{game['id']}/advance", token=teacher)
    assert stepped.status == 200 and stepped.json()["phase"] == "question"
    # the second click of a double click, on the other process: no second step
    again = Browser().call(b, "POST", f"/api/v1/games/{game['id']}/advance", token=teacher)
    assert (again.json()["phase"], again.json()["number"]) == ("question", 1)
    seen = Browser().call(b, "GET", state_path, token=players[0], headers={"If-None-Match": etag})
    assert seen.status == 200 and seen.headers["ETag"] != etag
    question = seen.json()["question"]
    assert question["number"] == 1 and "answer" not in question
    for port, token in zip((b, a), players, strict=True):
        reply = Browser().call(port, "PUT", f"/api/v1/games/{game['id']}/answers/1", token=token,
                               json_body={"response": some_response(question)})
        assert reply.status == 200, reply.body
    # every player answered: the question closed, whichever process is asked
    for port in (a, b):
        reveal = Browser().call(port, "GET", state_path, token=teacher).json()
        assert (reveal["phase"], reveal["number"], reveal["answered"]) == ("reveal", 1, 2)
        assert "answer" in reveal["question"]
