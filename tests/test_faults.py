"""Faults: a server killed mid-attempt loses no submitted answer, and the student resumes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(base: str, method: str, path: str, body=None, token: str | None = None):
    request = urllib.request.Request(  # noqa: S310 - http on loopback only
        base + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def serve(env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "quizapp:create_app()", "--bind", f"127.0.0.1:{port}",
         "--workers", "2"],
        cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):  # noqa: S310
                return process
        except OSError:
            time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError("gunicorn did not start within 20 s")


def test_a_server_killed_mid_attempt_loses_no_answer_and_the_student_resumes(tmp_path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'quiz.sqlite3'}",
           "SECRET_KEY": "fault-test", "QUIZAPP_SESSION_COOKIE_SECURE": "false",
           "QUIZAPP_RATELIMIT_ENABLED": "false"}
    subprocess.run([str(BIN / "quizapp"), "load", str(ROOT / "tests/fixtures/all-types.yaml")],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([str(BIN / "quizapp"), "users", "create", "ada"], cwd=ROOT, env=env,
                   input=b"correct horse\n", check=True, capture_output=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    server = serve(env, port)
    try:
        _, body = call(base, "POST", "/tokens", {"username": "ada", "password": "correct horse"})
        token = body["token"]
        status, body = call(base, "POST", "/banks/all-types/attempts", {}, token)
        assert status == 201
        attempt = body["attempt"]
        first, second = attempt["questions"][0]["id"], attempt["questions"][3]["id"]
        assert call(base, "PUT", f"/attempts/{attempt['id']}/answers/{first}",
                    {"response": "Tulsi Gabbard"}, token)[0] == 200
        assert call(base, "PUT", f"/attempts/{attempt['id']}/answers/{second}",
                    {"response": "Emily Harding"}, token)[0] == 200
        os.killpg(server.pid, signal.SIGKILL)  # no shutdown, no flush: the power cord
        server.wait(timeout=10)
        server = serve(env, port)
        status, body = call(base, "GET", f"/attempts/{attempt['id']}", token=token)
        assert status == 200
        stored = {a["question_id"]: a["score"] for a in body["attempt"]["answers"]}
        assert stored == {first: 1, second: 1}
        # the student carries on where they stopped, and nothing counts twice
        status, body = call(base, "POST", "/banks/all-types/attempts", {}, token)
        assert status == 200 and body["attempt"]["id"] == attempt["id"]
        assert call(base, "PUT", f"/attempts/{attempt['id']}/answers/{first}",
                    {"response": "Kash Patel"}, token)[0] == 409
        assert call(base, "POST", f"/attempts/{attempt['id']}/finish", token=token)[1]["score"] == 2
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


@pytest.mark.parametrize("path", ["/", "/articles/allies-intelligence-sharing", "/login"])
def test_with_the_database_unreachable_pages_say_so_and_healthz_is_503(tmp_path, path) -> None:
    """A server whose database is down starts (create_app does no I/O) and answers 503."""
    from quizapp import create_app

    app = create_app({"SECRET_KEY": "x", "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI":
                      "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"})
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    response = client.get(path)
    if path == "/login":  # the sign-in form itself needs no database
        assert response.status_code == 200
        response = client.post("/login", data={"username": "ada", "password": "x"})
    assert response.status_code == 503
    assert "The quiz database is not answering" in response.text
