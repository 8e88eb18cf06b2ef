"""Sign up, sign in, sign out and change password."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user

from quizapp.extensions import limit_sign_ins, limiter
from quizapp.services import accounts, privacy
from quizapp.services.errors import ServiceError
from quizapp.web import sign_in, sign_out
from quizapp.web.forms import ActionForm, ChangePasswordForm, LoginForm, SignupForm

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """``target`` if it stays on this site, else the home page.

    A target with a control character (CR, LF, NUL, ...) is not followed: in a Location
    header it could start another header, and browsers drop tabs and line breaks from
    URLs, which can make ``/\n/evil.example`` read as ``//evil.example``.
    """
    if target and target.isprintable():
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for("quiz.home")


def _failed(response: Any) -> bool:
    # only failed sign-ins count against the limits (a success redirects)
    return response.status_code != 303


def _succeeded(response: Any) -> bool:
    return response.status_code == 303


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=_succeeded,
               error_message="Many accounts were just made from this network: wait a minute, "
                             "then try again, or ask your teacher for a login card.")
def signup() -> Any:
    form = SignupForm()
    if form.validate_on_submit():
        try:
            account = accounts.create_account(
                form.username.data, form.display_name.data, form.password.data
            )
        except ServiceError as error:
            form.username.errors.append(error.message)
        else:
            sign_in(account)
            flash(f"Welcome, {account.display_name}! Pick a quiz to start.", "success")
            return redirect(safe_next(request.args.get("next")), code=303)
    return render_template("auth/signup.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limit_sign_ins(_failed)
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        account = accounts.authenticate(form.username.data, form.password.data)
        if account is not None:
            sign_in(account)
            if account.must_change_password:
                flash("Please choose a new password of your own.", "info")
                return redirect(url_for("auth.password"), code=303)
            return redirect(safe_next(request.args.get("next")), code=303)
        form.password.errors.append("That username and password do not match.")
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout() -> Any:
    if ActionForm().validate_on_submit():
        sign_out()
        flash("You are signed out.", "info")
    return redirect(url_for("quiz.home"), code=303)


@bp.get("/account/data.json")
@login_required
def my_data() -> Any:
    """Everything stored about the signed-in account, as a JSON download."""
    response = jsonify(privacy.export_account(current_user.id))
    response.headers["Content-Disposition"] = (
        f'attachment; filename="quizapp-{current_user.username}.json"')
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.password.data)
        except ServiceError as error:
            form.current.errors.append(error.message)
        else:
            login_user(current_user)  # this session goes on under the new password's id
            flash("Your password is changed.", "success")
            return redirect(url_for("quiz.home"), code=303)
    return render_template("auth/password.html", form=form), 422 if form.errors else 200
