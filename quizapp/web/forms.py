"""Forms for the pages; every POST goes through one of these (CSRF on)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from quizapp.services.accounts import PASSWORD_MIN_LENGTH, USERNAME, normalise_username


class SignupForm(FlaskForm):
    username = StringField(
        "Username", validators=[DataRequired(), Length(max=32)],
        description="3 to 32 letters, digits, dots, dashes or underscores.",
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    display_name = StringField(
        "Display name", validators=[DataRequired(), Length(max=100)],
        description="How your name appears to your teacher and class.",
        render_kw={"autocomplete": "name"},
    )
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(min=PASSWORD_MIN_LENGTH, max=200)],
        description=f"At least {PASSWORD_MIN_LENGTH} characters.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Password again", validators=[DataRequired(), EqualTo("password", "The passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_username(self, field: StringField) -> None:
        if not USERNAME.match(normalise_username(field.data or "")):
            raise ValidationError(
                "Use 3 to 32 letters, digits, dots, dashes or underscores, "
                "starting with a letter or digit."
            )


class LoginForm(FlaskForm):
    username = StringField(
        "Username", validators=[DataRequired(), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        "Current password", validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=PASSWORD_MIN_LENGTH, max=200)],
        description=f"At least {PASSWORD_MIN_LENGTH} characters.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("password", "The passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


class ActionForm(FlaskForm):
    """A button that changes something (start, finish, sign out): a CSRF token only."""


class AnswerForm(FlaskForm):
    """The CSRF token of an answer; the response fields depend on the question type."""
