"""Forms for the pages; every POST goes through one of these (CSRF on)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

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


class StartForm(FlaskForm):
    """Start (or resume) a quiz: the whole bank, a practice of what was missed, or for an assignment."""

    kind = HiddenField()
    assignment_id = IntegerField(widget=HiddenInput(), validators=[Optional()])


class ClassForm(FlaskForm):
    name = StringField(
        "Class name", validators=[DataRequired(), Length(max=100)],
        description="For example “Period 3 English” or “Year 9 Media”.",
    )


class JoinForm(FlaskForm):
    code = StringField(
        "Class code", validators=[DataRequired(), Length(max=40)],
        description="The six-letter code your teacher gives you. Capitals and spaces do not matter.",
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class RosterForm(FlaskForm):
    roster = FileField(
        "Roster file (CSV)",
        validators=[FileRequired("Choose a CSV file."),
                    FileAllowed(["csv", "txt"], "The roster must be a .csv file.")],
        description="A header line “username,display_name”, then one student a line (at most 500). "
                    "New accounts are students with a one-time password, shown once on the next page.",
        render_kw={"accept": ".csv,text/csv,text/plain"},
    )


class NicknameForm(FlaskForm):
    nickname = StringField("Nickname", validators=[DataRequired(), Length(max=40)])


BOARD_NAME_CHOICES = [SelectChoice("display_name", "Display names"), SelectChoice("nickname", "Nicknames")]


class BoardForm(FlaskForm):
    names = RadioField("Show students on leaderboards by", choices=BOARD_NAME_CHOICES,
                       validators=[DataRequired()])
    hidden = BooleanField("Hide the leaderboards from students")
    frozen = BooleanField(
        "Freeze the leaderboards",
        description="A frozen board counts only attempts finished before the moment you froze it.",
    )


class AssignmentForm(FlaskForm):
    """A bank set for a class; dates are UTC because the browser sends them without a zone."""

    bank = SelectField("Quiz", validators=[DataRequired()])
    opens_at = DateTimeLocalField(
        "Opens (UTC, optional)", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()], description="Times are UTC. Leave empty to open it now.",
    )
    due_at = DateTimeLocalField(
        "Due (UTC, optional)", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description="Times are UTC. Attempts after this are still accepted, and marked late.",
    )
    max_attempts = IntegerField(
        "Attempts allowed (optional)", validators=[Optional(), NumberRange(min=1, max=100)],
        description="Leave empty to use the quiz's own limit.", render_kw={"min": 1, "max": 100},
    )
    time_limit_minutes = IntegerField(
        "Time limit in minutes (optional)", validators=[Optional(), NumberRange(min=1, max=600)],
        description="Leave empty to use the quiz's own limit.", render_kw={"min": 1, "max": 600},
    )

    def validate_due_at(self, field: DateTimeLocalField) -> None:
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError("The due date must come after the opening date.")
