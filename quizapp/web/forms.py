"""Forms for the pages; every POST goes through one of these (CSRF on)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from quizapp.services.accounts import (
    PASSWORD_MIN_LENGTH,
    USERNAME,
    check_display_name,
    normalise_username,
)
from quizapp.services.errors import Invalid


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

    def validate_display_name(self, field: StringField) -> None:
        try:
            check_display_name(field.data or "")
        except Invalid as error:
            raise ValidationError(error.message) from None

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


class ZonedForm(FlaskForm):
    """A form with date-time fields read in the teacher's own time zone.

    A browser sends a date and time without a zone. quiz.js fills ``tz`` with the
    browser's IANA zone (and shows stored UTC values in it); without JavaScript ``tz``
    stays empty and the fields are UTC, as their labels say.
    """

    tz = HiddenField(validators=[Optional(), Length(max=64)])

    def zone(self) -> ZoneInfo | None:
        try:
            return ZoneInfo(self.tz.data) if self.tz.data else None
        except (ValueError, ZoneInfoNotFoundError):
            return None

    def utc(self, value: dt.datetime | None) -> dt.datetime | None:
        """A field's value as a naive UTC time, as the database keeps times."""
        zone = self.zone()
        if value is None or zone is None:
            return value
        return value.replace(tzinfo=zone).astimezone(dt.UTC).replace(tzinfo=None)

    def validate_tz(self, field: HiddenField) -> None:
        if field.data and self.zone() is None:
            raise ValidationError(
                "Your browser sent a time zone this server does not know; times were not read.")


def zoned_time(label: str, description: str) -> DateTimeLocalField:
    return DateTimeLocalField(
        f"{label} (UTC, optional)", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()], description=f"Times are UTC. {description}",
        render_kw={"data-utc": ""},
    )


#: When a student sees marks, keys and explanations, in the words the forms use.
SHOW_ANSWERS_CHOICES = [
    SelectChoice("immediately", "Immediately: each answer is marked and explained as soon as "
                                "the student gives it."),
    SelectChoice("after_due", "After the due date: until then students see only “Answer "
                              "recorded”; marks, keys and explanations appear once their due "
                              "date has passed."),
    SelectChoice("never", "Never: students see only “Answer recorded”; the marks and keys "
                          "stay with you."),
]
#: The largest limits a form takes (as the service does: 1000 attempts, 24 hours).
MAX_FORM_ATTEMPTS, MAX_FORM_MINUTES, MAX_FORM_QUESTIONS = 1000, 1440, 1000


class AssignmentOptionsForm(ZonedForm):
    """Everything a teacher may set on an assignment, then change on its edit page; dates in
    the teacher's zone (UTC without JavaScript)."""

    opens_at = zoned_time("Opens", "Leave empty to open it now.")
    due_at = zoned_time("Due", "Attempts after this are accepted and marked late, unless it "
                               "closes at the due date.")
    max_attempts = IntegerField(
        "Attempts allowed (optional)",
        validators=[Optional(), NumberRange(min=1, max=MAX_FORM_ATTEMPTS)],
        description="Leave empty to use the quiz's own limit.",
        render_kw={"min": 1, "max": MAX_FORM_ATTEMPTS},
    )
    time_limit_minutes = IntegerField(
        "Time limit in minutes (optional)",
        validators=[Optional(), NumberRange(min=1, max=MAX_FORM_MINUTES)],
        description="Leave empty to use the quiz's own limit.",
        render_kw={"min": 1, "max": MAX_FORM_MINUTES},
    )
    show_answers = RadioField("When students see their marks and the answers",
                              choices=SHOW_ANSWERS_CHOICES, default="immediately",
                              validators=[DataRequired("Choose when answers are shown.")])
    close_at_due = BooleanField(
        "Close at the due date",
        description="No attempt starts and no answer is taken after the due date; an attempt "
                    "under way ends then. Without this, late work is accepted and marked late.",
    )
    shuffle_questions = BooleanField(
        "Shuffle the question order",
        description="Each attempt asks the questions in an order of its own.",
    )
    question_count = IntegerField(
        "Questions to ask (optional)",
        validators=[Optional(), NumberRange(min=1, max=MAX_FORM_QUESTIONS)],
        description="Each attempt draws this many questions from the quiz. Leave empty to ask "
                    "them all.",
        render_kw={"min": 1, "max": MAX_FORM_QUESTIONS},
    )

    #: How many questions the quiz has, when the page knows (checked against question_count).
    bank_questions: int | None = None

    def validate_due_at(self, field: DateTimeLocalField) -> None:
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError("The due date must come after the opening date.")

    def validate_show_answers(self, field: RadioField) -> None:
        if field.data == "after_due" and not self.due_at.data and not self.due_at.errors:
            raise ValidationError("Answers shown after the due date need a due date: "
                                  "give one, or choose another option.")

    def validate_close_at_due(self, field: BooleanField) -> None:
        if field.data and not self.due_at.data and not self.due_at.errors:
            raise ValidationError("Closing at the due date needs a due date.")

    def validate_question_count(self, field: IntegerField) -> None:
        most = self.bank_questions
        if field.data and most is not None and field.data > most:
            raise ValidationError(f"The quiz has {most} questions: ask at most {most}.")

    def time_limit_seconds(self) -> int | None:
        minutes = self.time_limit_minutes.data
        return minutes * 60 if minutes else None

    def options(self) -> dict[str, object]:
        """The options as the services take them (times in UTC)."""
        return {
            "opens_at": self.utc(self.opens_at.data), "due_at": self.utc(self.due_at.data),
            "max_attempts": self.max_attempts.data,
            "time_limit_seconds": self.time_limit_seconds(),
            "show_answers": self.show_answers.data, "close_at_due": bool(self.close_at_due.data),
            "shuffle_questions": bool(self.shuffle_questions.data),
            "question_count": self.question_count.data,
        }

    def field_for(self, message: str) -> Field:
        """The field a service's refusal is about, to show the message there."""
        lowered = message.lower()
        for words, name in (("answers shown", "show_answers"), ("closing", "close_at_due"),
                            ("due date", "due_at"), ("attempt limit", "max_attempts"),
                            ("time limit", "time_limit_minutes"), ("questions", "question_count")):
            if words in lowered:
                return self[name]
        return self.opens_at


class AssignmentForm(AssignmentOptionsForm):
    """A bank set for a class. ``confirm`` is set by the button that assigns a bank the class
    already has open."""

    bank = SelectField("Quiz", validators=[DataRequired()])
    confirm = HiddenField(validators=[Optional(), Length(max=200)])

    def field_for(self, message: str) -> Field:
        if message == "There is no such quiz.":
            return self.bank
        return super().field_for(message)


class AssignmentEditForm(AssignmentOptionsForm):
    """An assignment's options on its edit page."""


class CopyAssignmentForm(FlaskForm):
    """Copy an assignment to one of the teacher's classes (the choices); another id is 404."""

    classroom = SelectField("Copy it to", coerce=int, validate_choice=False,
                            validators=[DataRequired("Choose a class.")])


class AccommodationForm(ZonedForm):
    """What one student gets on one assignment beyond the class; an empty field is none."""

    student = SelectField("Student", validators=[DataRequired("Choose a student.")])
    extra_time_percent = IntegerField(
        "Extra time, percent (optional)", validators=[Optional(), NumberRange(min=0, max=1000)],
        description="Added to the time limit: 50 makes 20 minutes 30. Leave empty for none.",
        render_kw={"min": 0, "max": 1000},
    )
    extra_attempts = IntegerField(
        "Extra attempts (optional)", validators=[Optional(), NumberRange(min=0, max=1000)],
        description="Added to the attempt limit. Leave empty for none.",
        render_kw={"min": 0, "max": 1000},
    )
    due_at = zoned_time("Their own due date", "Leave empty for the assignment's due date.")


# -- authoring (teachers) -----------------------------------------------------------------------

#: The largest bank text the editor sends (a bank file's limit, 1 MiB).
_MAX_YAML = 1024 * 1024

VISIBILITY_CHOICES = [
    SelectChoice("private", "Only me (and the classes I assign it to)"),
    SelectChoice("teachers", "Every teacher may preview, assign and copy it"),
]


class BankEditorForm(FlaskForm):
    """The bank editor: its text, who may see it; the pressed button says what to do."""

    yaml = TextAreaField("Bank (YAML)", validators=[Length(max=_MAX_YAML)],
                         render_kw={"spellcheck": "false", "autocapitalize": "none",
                                    "autocomplete": "off", "rows": 30})
    visibility = SelectField("Who may see it", choices=VISIBILITY_CHOICES, default="private",
                             validators=[DataRequired()])


class PreviewRequest(FlaskForm):
    """The editor's text and the cursor's line, for the preview of the question there."""

    yaml = TextAreaField(validators=[Length(max=_MAX_YAML)])
    line = IntegerField(validators=[Optional(), NumberRange(min=1, max=1_000_000)])


class BankUploadForm(FlaskForm):
    file = FileField(
        "Bank file (.yaml)",
        validators=[FileRequired("Choose a .yaml file."),
                    FileAllowed(["yaml", "yml"], "A bank file ends in .yaml or .yml.")],
        description="It opens as a draft in the editor; nothing changes until you publish it.",
        render_kw={"accept": ".yaml,.yml,text/yaml,text/plain"},
    )


IMPORT_FORMATS = [
    SelectChoice("gift", "Moodle GIFT (.txt or .gift)"),
    SelectChoice("qti21", "QTI 2.1 package (.zip: Blackboard, Canvas New Quizzes and others)"),
    SelectChoice("canvas", "Canvas classic quiz export (.zip, QTI 1.2)"),
]


class BankImportForm(FlaskForm):
    """A file from Moodle or Canvas, read into a new draft bank."""

    file = FileField(
        "File",
        validators=[FileRequired("Choose the file to import."),
                    FileAllowed(["txt", "gift", "zip", "xml"], "Import a .txt or .gift file (GIFT), "
                                "or a .zip package (QTI).")],
        render_kw={"accept": ".txt,.gift,.zip,text/plain,application/zip"},
    )
    format = SelectField("Its format", choices=IMPORT_FORMATS, default="gift")
    bank_id = StringField(
        "Id of the new bank", validators=[DataRequired("Give the new bank an id."), Length(max=64)],
        description="Lower-case letters, digits and hyphens, e.g. allies-from-moodle. Students see it "
                    "in links.")
    title = StringField("Title of the new bank",
                        validators=[DataRequired("Give the new bank a title."), Length(max=500)])

    def validate_bank_id(self, field: Field) -> None:
        import re

        from quizapp.banks.schema import SLUG_PATTERN

        if field.data and not re.match(SLUG_PATTERN, field.data):
            raise ValidationError("Use lower-case letters, digits and hyphens, starting with a letter "
                                  "or digit (at most 64).")


class ArticleForm(FlaskForm):
    """An article pasted by a teacher; paragraphs are numbered as students will see them."""

    title = StringField("Headline", validators=[DataRequired(), Length(max=500)])
    outlet = StringField("Outlet (optional)", validators=[Optional(), Length(max=200)],
                         description="Leave empty when the text does not say where it was published.")
    author = StringField("Author (optional)", validators=[Optional(), Length(max=200)],
                         description="Leave empty when the text names no author.")
    published = DateField("Published on (optional)", validators=[Optional()])
    url = URLField("Link to the original (optional)", validators=[Optional(), Length(max=1000)])
    image_alt = StringField("Photo: what it shows (optional)", validators=[Optional(), Length(max=300)],
                            description="When the article has a photo: what it shows, in a few words.")
    image_caption = StringField("Photo: caption (optional)", validators=[Optional(), Length(max=1000)])
    image_credit = StringField("Photo: credit (optional)", validators=[Optional(), Length(max=300)])
    article_id = StringField(
        "Article id (optional)", validators=[Optional(), Length(max=64)],
        description="Lower-case letters, digits and dashes; banks name the article by it. "
                    "Made from the headline when left empty.",
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    body = TextAreaField(
        "Text", validators=[DataRequired(), Length(max=200_000)],
        description="Paste the article. Leave a blank line between paragraphs; lines starting "
                    "with # are headings. Paragraphs are numbered from 1.",
        render_kw={"rows": 20},
    )
