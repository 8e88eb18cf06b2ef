"""gunicorn's settings, read by default from the repository root:

    SECRET_KEY=... DATABASE_URL=... gunicorn 'quizapp:create_app()'

Everything can be changed from the environment (docs/deploy.md).
"""

import os

bind = os.environ.get("QUIZAPP_BIND", "127.0.0.1:8000")
# gunicornc's control socket, one per address served: gunicorn's own default is one
# path for every gunicorn a user starts, so a second server would take the first's.
control_socket = os.environ.get("QUIZAPP_CONTROL_SOCKET") or os.path.join(
    os.environ.get("XDG_RUNTIME_DIR") or os.path.join(os.path.expanduser("~"), ".gunicorn"),
    "quizapp-" + bind.replace(":", "-").replace("/", "-") + ".ctl",
)
# Sync workers: each handles one request at a time; on 2 cores they beat threads here.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Import the app once in the master and fork the workers from it: they share its
# memory pages, and a recycled worker starts at once. create_app opens no
# connection, so nothing is shared that must not be (post_fork makes sure).
preload_app = True
# Recycle workers now and then, so memory cannot creep up over weeks.
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("QUIZAPP_ACCESS_LOG") or None
errorlog = "-"
# Behind a reverse proxy on this machine: trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The app runs in production mode under gunicorn: secure cookies, SECRET_KEY required.
raw_env = [f"QUIZAPP_PRODUCTION={os.environ.get('QUIZAPP_PRODUCTION', 'true')}"]


def post_fork(server, worker):  # noqa: ARG001 - gunicorn's hook signature
    """Drop any database connection inherited from the master (SQLAlchemy's fork rule)."""
    app = worker.app.wsgi()
    if "sqlalchemy" in getattr(app, "extensions", {}):
        from quizapp.extensions import db

        with app.app_context():
            db.engine.dispose(close=False)
