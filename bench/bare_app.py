"""The yardstick for bench/load.py: a bare Flask route returning a short string.

Served by gunicorn with the project's gunicorn.conf.py, like the app:

    .venv/bin/gunicorn -c gunicorn.conf.py bench.bare_app:app

What the app's routes reach, as a share of this route's requests per second
at the same concurrency, says how much of a request's cost is the app's own
work rather than HTTP, gunicorn and Flask.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "ok"
