"""The web layer: blueprints, error pages, template helpers."""

from __future__ import annotations

import functools
from typing import Any

from flask import (
    Flask,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from quizapp.extensions import db, login_manager
from quizapp.models import Account
from quizapp.services import accounts

# CommonMark without raw HTML: a bank's "<script>" is shown as text. Images are
# off too, so a bank cannot make a student's browser fetch another site.
_markdown = MarkdownIt("commonmark", {"html": False}).disable("image")


@functools.lru_cache(maxsize=4096)
def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML; safe to mark as such because raw HTML is escaped by the renderer.

    Prompts, explanations and descriptions are rendered on every page that shows
    them and change only when a bank is loaded, so the HTML is kept per text.
    """
    return Markup(_markdown.render(text or ""))  # noqa: S704 - html=False escapes raw HTML


def see_other(url: str) -> Any:
    """Redirect after a POST; to a script that sent the form itself, say where instead.

    A redirect followed inside ``fetch`` would use up the flashed message
    before the page the student sees is loaded.
    """
    if request.headers.get("X-Requested-With") == "fetch":
        return jsonify(location=url)
    return redirect(url, code=303)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    from quizapp.web import (  # noqa: F401
        api,
        api_authoring,
        articles,
        auth,
        classes,
        games,
        quiz,
        review,
        teach,
    )
    from quizapp.web.converters import CONVERTERS
    from quizapp.web.display import number

    app.url_map.converters.update(CONVERTERS)  # before any rule is added
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to take a quiz."
    login_manager.login_message_category = "info"
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["num"] = number
    app.jinja_env.globals["skill_names"] = SKILL_NAMES

    app.register_blueprint(auth.bp)
    app.register_blueprint(quiz.bp)
    app.register_blueprint(articles.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(classes.bp)
    app.register_blueprint(teach.bp)
    app.register_blueprint(games.bp)

    @app.before_request
    def require_own_password() -> Any:
        """Accounts with a one-time password choose their own before anything else."""
        if (current_user.is_authenticated and current_user.must_change_password
                and request.endpoint not in ("auth.password", "auth.logout", "static", "healthz")
                and not wants_json()):
            flash("Please choose a new password of your own first.", "info")
            return redirect(url_for("auth.password"))
        return None

    @app.after_request
    def security_headers(response: Any) -> Any:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if request.endpoint != "static" and "Cache-Control" not in headers:
            # pages carry marks, keys after answering, rosters: never kept by a browser's or a
            # proxy's cache, nor shown again by the back button after signing out
            headers["Cache-Control"] = "no-store"
        return response

    @app.get("/healthz")
    def healthz() -> Any:
        if not accounts.database_answers():
            return jsonify(status="unavailable"), 503
        return jsonify(status="ok")

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        if wants_json():
            return jsonify(error="Missing or invalid CSRF token."), 400
        if request.method == "POST" and request.referrer and request.referrer.startswith(request.host_url):
            flash("That page was out of date, so nothing was saved. Please try again.", "warning")
            return see_other(request.referrer)
        return render_template("error.html", code=400, title="Page out of date",
                               message="That form was out of date. Go back, reload and try again."), 400

    @app.errorhandler(OperationalError)
    def database_down(error: OperationalError) -> Any:
        db.session.rollback()
        app.logger.error("database unavailable: %s", error.orig)
        if wants_json():
            return jsonify(error="The database is not answering; try again in a moment."), 503
        return render_template("error.html", code=503, title="Back soon",
                               message="The quiz database is not answering. Nothing you "
                               "submitted before this page was lost; try again in a moment."), 503

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        if wants_json():
            response = jsonify(error=error.description if code != 500 else "Something went wrong.")
            response.status_code = code
            for name in ("Retry-After", "Allow"):
                if error.get_response().headers.get(name):
                    response.headers[name] = error.get_response().headers[name]
            return response
        titles = {403: "Not yours to see", 404: "Page not found", 429: "Too many tries"}
        response = app.make_response((render_template(
            "error.html", code=code, title=titles.get(code, error.name),
            message=error.description), code))
        retry = error.get_response().headers.get("Retry-After")
        if retry:
            response.headers["Retry-After"] = retry
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        db.session.rollback()
        app.logger.exception("unhandled error")
        if wants_json():
            return jsonify(error="Something went wrong on our side."), 500
        return render_template("error.html", code=500, title="Something went wrong",
                               message="Something went wrong on our side. Your answers so far "
                               "are saved."), 500


#: Everything from this site only; no inline scripts or styles; never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)

SKILL_NAMES = {
    "recall": "Recall",
    "sourcing": "Sourcing",
    "attribution": "Attribution",
    "fact_vs_opinion": "Fact vs. opinion",
    "evidence": "Evidence",
    "context": "Context",
    "lateral_reading": "Lateral reading",
}


#: Where the session cookie keeps the id of its sign-in session on the server.
SESSION_KEY = "sid"


@login_manager.user_loader
def load_user(account_id: str) -> Account | None:
    """The signed-in account, only while its session is kept on the server: a cookie replayed
    after sign-out (or after the session expired) signs no one in."""
    number = account_id.partition(".")[0]
    token = session.get(SESSION_KEY)
    if not number.isdigit() or len(number) > 18 or not isinstance(token, str):
        return None
    account = accounts.account_for_session(int(number), token,
                                           lifetime=current_app.permanent_session_lifetime)
    return account if account is not None and account.get_id() == account_id else None


def sign_in(account: Account) -> None:
    """Start a new session for ``account``: a fresh cookie (and CSRF token), its id kept on the
    server so that signing out can end it."""
    session.clear()
    login_user(account)
    session[SESSION_KEY] = accounts.open_session(account.id,
                                                 lifetime=current_app.permanent_session_lifetime)


def sign_out() -> None:
    """End the session on the server and clear the cookie."""
    token = session.get(SESSION_KEY)
    if isinstance(token, str):
        accounts.close_session(token)
    logout_user()
    session.clear()


def is_teacher() -> bool:
    return bool(current_user.is_authenticated and current_user.is_teacher)
