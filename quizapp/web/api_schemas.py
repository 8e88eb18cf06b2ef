"""The JSON API's request and response models, and the OpenAPI document built from them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    ValidationError,
)
from pydantic.json_schema import JsonSchemaMode, SkipJsonSchema, models_json_schema

from quizapp.banks.schema import QUESTION_TYPES
from quizapp.models import SHOW_ANSWERS
from quizapp.services.classes import (
    MAX_ATTEMPTS,
    MAX_EXTRA_ATTEMPTS,
    MAX_EXTRA_TIME_PERCENT,
    MAX_QUESTION_COUNT,
    MAX_TIME_LIMIT,
    ROSTER_LIMIT,
)
from quizapp.services.marking import COMMENT_LIMIT

# Literal of a tuple is the Literal of its items: the types stay those of the bank format.
QuestionType = Literal[QUESTION_TYPES]  # type: ignore[valid-type]
ShowAnswers = Literal[SHOW_ANSWERS]  # type: ignore[valid-type]


def _absent_unless_set(description: str) -> Any:
    """A field sent only for the question types that have it (never as null)."""

    def no_default(schema: dict[str, Any]) -> None:
        schema.pop("default", None)

    return Field(default=None, exclude_if=lambda value: value is None, description=description,
                 json_schema_extra=no_default)


class Request(BaseModel):
    """A request body: unknown fields are refused, so a misspelt name is a 422, not ignored."""

    model_config = ConfigDict(extra="forbid")


class Reply(BaseModel):
    """A response body; clients should ignore fields they do not know (more may come)."""


class Query(BaseModel):
    """A query string; unknown parameters are ignored (caches and proxies add their own)."""

    model_config = ConfigDict(extra="ignore")


#: The largest id the database holds (PostgreSQL's integer); a larger one cannot exist.
MAX_ID = 2**31 - 1


def _iso_8601(value: Any) -> Any:
    """Only ISO 8601 text is a time here (pydantic alone would take Unix seconds too)."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("give the time as an ISO 8601 string, e.g. 2026-03-01T09:00:00Z")
    try:
        return dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("not an ISO 8601 time, e.g. 2026-03-01T09:00:00Z") from None


def _naive_utc(value: dt.datetime) -> dt.datetime:
    """The database keeps naive UTC: an offset is applied, a time without one is taken as UTC."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    except OverflowError:
        raise ValueError("the time is out of range") from None


UtcDateTime = Annotated[dt.datetime, BeforeValidator(_iso_8601), AfterValidator(_naive_utc)]


def _rfc_3339(value: dt.datetime) -> str:
    return value.replace(tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


#: A stored (naive UTC) time, sent as RFC 3339 with its zone, as "date-time" requires.
UtcOut = Annotated[dt.datetime, PlainSerializer(_rfc_3339, return_type=str, when_used="json")]


# -- requests ---------------------------------------------------------------------------------


class TokenRequest(Request):
    """A username and password, exchanged for a bearer token."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class StartAttempt(Request):
    """Start (or resume) an attempt; an empty object or no body at all is fine."""

    assignment_id: Annotated[StrictInt, Field(ge=1, le=MAX_ID)] | None = Field(
        default=None,
        description="The class assignment the attempt is for: its dates and limits apply, and "
        "only its class's students may start it (anyone else: 404)",
    )


class AnswerRequest(Request):
    """A student's response; any JSON value, and one that cannot be read as an answer scores 0."""

    response: Any = Field(
        description="single: a choice; multiple: a list of choices; true_false: a boolean; "
        "short and numeric: a string; ordering: the items in order; matching: {left: right}"
    )


class ClassRequest(Request):
    """A new class; the teacher who sends it teaches it."""

    name: str = Field(min_length=1, max_length=100)


class JoinRequest(Request):
    """A class's join code; case, spaces and dashes are ignored."""

    join_code: str = Field(min_length=1, max_length=40)


class AssignmentRequest(Request):
    """A bank set for a class. Times are ISO 8601; with an offset they are converted to UTC,
    without one they are taken as UTC. Limits left out are the bank's own."""

    bank_id: str = Field(min_length=1, max_length=64)
    opens_at: UtcDateTime | None = Field(default=None, description="No attempts before this")
    due_at: UtcDateTime | None = Field(
        default=None, description="Attempts finished after this are marked late; after opens_at"
    )
    max_attempts: Annotated[StrictInt, Field(ge=1, le=MAX_ATTEMPTS)] | None = Field(
        default=None, description="Attempts each student may start (replaces the bank's)"
    )
    time_limit_seconds: Annotated[StrictInt, Field(ge=1, le=MAX_TIME_LIMIT)] | None = Field(
        default=None, description="Time for each attempt (replaces the bank's)"
    )
    show_answers: ShowAnswers = Field(
        default="immediately",
        description="When students see marks, keys and explanations: immediately, after_due "
        "(after their due date; needs due_at) or never")
    close_at_due: StrictBool = Field(
        default=False, description="No attempt starts and no answer is taken after the due "
        "date (needs due_at); otherwise late work is marked late")
    shuffle_questions: StrictBool = Field(
        default=False, description="Each attempt asks the questions in an order of its own")
    question_count: Annotated[StrictInt, Field(ge=1, le=MAX_QUESTION_COUNT)] | None = Field(
        default=None, description="Each attempt asks this many questions drawn from the bank "
        "(a draw of its own); null: all of them")


class AssignmentPatch(Request):
    """Any of an assignment's options; a field left out stays as it is, null clears it (only
    the dates, limits and question_count can be cleared). Checked together with the options
    it keeps, as when the assignment is set."""

    opens_at: UtcDateTime | None = Field(default=None, description="No attempts before this")
    due_at: UtcDateTime | None = Field(default=None, description="After opens_at")
    max_attempts: Annotated[StrictInt, Field(ge=1, le=MAX_ATTEMPTS)] | None = None
    time_limit_seconds: Annotated[StrictInt, Field(ge=1, le=MAX_TIME_LIMIT)] | None = Field(
        default=None, description="Attempts under way take the new limit at once")
    show_answers: ShowAnswers | None = None
    close_at_due: StrictBool | None = None
    shuffle_questions: StrictBool | None = Field(
        default=None, description="For attempts started from now on")
    question_count: Annotated[StrictInt, Field(ge=1, le=MAX_QUESTION_COUNT)] | None = Field(
        default=None, description="For attempts started from now on")


class CopyRequest(Request):
    """Where to copy an assignment: one of the caller's classes."""

    class_id: Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


class AccommodationRequest(Request):
    """What one student gets beyond the class; a field left out keeps its value (at first 0,
    0 and none)."""

    extra_time_percent: Annotated[StrictInt, Field(ge=0, le=MAX_EXTRA_TIME_PERCENT)] | None = Field(
        default=None, description="Each attempt's time limit grows by this percent")
    extra_attempts: Annotated[StrictInt, Field(ge=0, le=MAX_EXTRA_ATTEMPTS)] | None = Field(
        default=None, description="Added to the attempt limit")
    due_at: UtcDateTime | None = Field(
        default=None, description="Their own due date (lateness, closing and after_due answers "
        "follow it); null: the assignment's")


class MarkRequest(Request):
    """A teacher's mark for one answer."""

    score: Annotated[float, Field(ge=0, allow_inf_nan=False)] = Field(
        description="0 to the question's points")
    comment: str | None = Field(default=None, max_length=COMMENT_LIMIT,
                                description="Shown to the student with the mark")


class RosterStudent(Request):
    """A student to make; any other field (a role, a password) is refused."""

    username: str = Field(
        max_length=200, description="3 to 32 letters, digits, dots, dashes or underscores, "
        "case ignored; one that is not valid is refused on its own row, not the whole roster",
    )
    display_name: str = Field(default="", max_length=200,
                              description="Up to 100 characters are kept; empty: the username")


class RosterRequest(Request):
    """Students for a class: each gets a student account with a one-time password."""

    students: list[RosterStudent] = Field(min_length=1, max_length=ROSTER_LIMIT)


class LeaderboardQuery(Query):
    assignment_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = Field(
        default=None, description="One assignment's board; without it, the whole class's"
    )


# -- responses --------------------------------------------------------------------------------


class ErrorReply(Reply):
    """Every 4xx and 5xx answer."""

    error: str = Field(description="A short message a person can read")


class TokenReply(Reply):
    token: str = Field(description="Send as `Authorization: Bearer <token>`; shown only this once")


class BankSummary(Reply):
    id: str
    title: str
    questions: int = Field(description="How many questions an attempt asks")
    source: str | None = Field(description="Id of the article the bank is about, if any")


class BankList(Reply):
    banks: list[BankSummary]


class PublicQuestion(Reply):
    """A question as sent before it is answered: never its key, feedback or explanation."""

    id: str
    type: QuestionType
    prompt: str = Field(description="Markdown; raw HTML is to be shown as text")
    points: float
    choices: list[str] | SkipJsonSchema[None] = _absent_unless_set("single and multiple only")
    items: list[str] | SkipJsonSchema[None] = _absent_unless_set("ordering only, shuffled")
    lefts: list[str] | SkipJsonSchema[None] = _absent_unless_set("matching only")
    rights: list[str] | SkipJsonSchema[None] = _absent_unless_set(
        "matching only, shuffled with the distractors"
    )


class Evidence(Reply):
    paragraph: int = Field(description="Number of the paragraph in the bank's article")
    quote: str | None = Field(description="Words of that paragraph that support the answer")
    url: str = Field(description="The paragraph in the article reader")


class Feedback(Reply):
    choice: str
    text: str = Field(description="What the bank says about picking this choice (Markdown)")


class AnswerResult(Reply):
    """The marks for an answer, and what the student learns from it. While the assignment
    does not show answers to the student yet, only `recorded` and `points` are given:
    `score`, `correct`, `explanation` and `evidence` are null, `feedback` empty."""

    recorded: bool = Field(default=True, description="The answer is stored (always true)")
    score: float | None = Field(description="null while answers are not shown")
    points: float
    correct: bool | None = Field(description="True when the score equals the points; null while "
                                 "answers are not shown")
    explanation: str | None = Field(description="Markdown; null while answers are not shown")
    evidence: Evidence | None
    feedback: list[Feedback] = Field(description="Feedback for each chosen option that has some")
    note: str | None = Field(description="Why the response could not be read as an answer, if so")
    comment: str | None = Field(default=None,
                                description="The teacher's comment with a changed mark")


class AnswerRecord(AnswerResult):
    """An answer given in an attempt."""

    question_id: str
    response: Any
    answered_at: UtcOut


class MarkChangeReply(Reply):
    by: str | None = Field(description="The teacher's display name (null: account deleted)")
    at: UtcOut
    old_score: float
    new_score: float
    comment: str | None


class ReviewItem(Reply):
    """One question of an attempt as its teacher reads it: nothing held back."""

    number: int = Field(description="Its place in this attempt, from 1")
    question_id: str
    type: QuestionType
    prompt: str
    points: float
    answered: bool
    response: Any = Field(description="As stored; null when unanswered")
    answered_at: UtcOut | None
    score: float | None = Field(description="The mark (after any change); null: unanswered")
    correct: bool | None
    key: Any = Field(description="A response that scores full marks")
    explanation: str | None
    evidence: Evidence | None
    comment: str | None = Field(description="The teacher's comment with the latest change")
    changes: list[MarkChangeReply] = Field(description="Every change of the mark, oldest first")


class StudentRef(Reply):
    username: str
    name: str


class Attempt(Reply):
    id: int
    bank_id: str | None = Field(description="The bank attempted; null for a review, whose "
                                "questions come from any bank")
    kind: Literal["full", "practice", "preview", "review"] = Field(
        description="full: the whole bank; practice: questions missed last time; review: "
        "questions due for spaced review, across banks"
    )
    assignment_id: int | None = Field(default=None,
                                      description="The class assignment it was made for")
    status: Literal["in progress", "finished"] = Field(
        default="in progress", description="in progress until finished (or out of time)")
    released: bool = Field(
        default=True, description="Whether marks, keys and explanations are shown to the "
        "student: false while the assignment's show_answers holds them back")
    started_at: UtcOut = Field(description="UTC")
    deadline_at: UtcOut | None = Field(description="UTC; answers after it are refused (409)")
    finished: bool
    finished_at: UtcOut | None
    score: float | None = Field(description="Total marks, once finished")
    points: float = Field(description="Total points of the attempt's questions")
    questions: list[PublicQuestion]
    answers: list[AnswerRecord] = Field(description="Answers given so far, in question order")
    student: StudentRef | SkipJsonSchema[None] = _absent_unless_set(
        "Whose attempt it is (the teacher's view only)")
    review: list[ReviewItem] | SkipJsonSchema[None] = _absent_unless_set(
        "Every question with its response, mark, key and explanation (the teacher's view only)")


class AttemptReply(Reply):
    attempt: Attempt


class StartReview(Request):
    """Start a review (or go on with the one under way): an empty object or no body."""


class DueQuestion(Reply):
    bank_id: str
    question_id: str = Field(description="The question's id within its bank")
    due_at: UtcOut = Field(description="UTC; when it fell due")


class ReviewReply(Reply):
    due: list[DueQuestion] = Field(description="Questions due for review now, the longest due "
                                   "first (questions of banks set as an open assignment that "
                                   "holds answers back or has limits wait)")
    next_due_at: UtcOut | None = Field(description="UTC; when the next question that is not "
                                       "due yet falls due; null when none is waiting")


class ReviewAttemptReply(Reply):
    attempt: Attempt | None = Field(description="The review attempt; null when nothing is due")
    next_due_at: UtcOut | None = Field(default=None, description="UTC; with a null attempt, "
                                       "when the next question falls due")


class FinishReply(Reply):
    score: float | None = Field(description="null while answers are not shown to the student")
    points: float
    released: bool = Field(default=True, description="Whether marks are shown to the student")


class BankProgressReply(Reply):
    id: str
    title: str
    best: float | None = Field(description="Best finished attempt's score as a fraction 0..1")
    latest: float | None = Field(description="Latest finished attempt's score as a fraction 0..1")
    attempts: int = Field(description="Finished whole-bank attempts")
    hidden: int = Field(default=0, description="Of those, attempts whose marks are not shown "
                        "yet (an assignment's show_answers): not in best and latest")


class ProgressReply(Reply):
    banks: list[BankProgressReply] = Field(description="Banks with at least one finished attempt")
    skills: dict[str, float] = Field(
        description="Mastery 0..1 per skill, from the latest outcome of each question asked "
        "(left unanswered in a finished attempt counts as 0); skills never asked are left out"
    )


class ClassReply(Reply):
    id: int
    name: str
    join_code: str = Field(description="Students join with this code")


class JoinReply(Reply):
    id: int
    name: str


class Assignment(Reply):
    id: int
    class_id: int
    bank_id: str
    title: str = Field(description="The bank's title")
    opens_at: UtcOut | None = Field(description="UTC; no attempts before it")
    due_at: UtcOut | None = Field(description="UTC; attempts finished after it are late")
    max_attempts: int | None = Field(description="Attempts each student may start; null: the bank's")
    time_limit_seconds: int | None = Field(description="Time per attempt; null: the bank's")
    show_answers: ShowAnswers = "immediately"
    close_at_due: bool = False
    shuffle_questions: bool = False
    question_count: int | None = Field(default=None,
                                       description="Questions each attempt draws; null: all")


class AccommodationReply(Reply):
    assignment_id: int
    username: str
    name: str = Field(description="Display name")
    extra_time_percent: int
    extra_attempts: int
    due_at: UtcOut | None = Field(description="Their own due date; null: the assignment's")


class MarkReply(Reply):
    """The answer's mark after the change, and the attempt's total."""

    attempt_id: int
    question_id: str
    score: float
    points: float
    comment: str | None
    attempt_score: float | None = Field(description="The attempt's total; null until finished")
    attempt_points: float
    changes: list[MarkChangeReply] = Field(description="Every change of this mark, oldest first")


class AssignmentList(Reply):
    assignments: list[Assignment] = Field(description="In the order they were set")


class LeaderboardEntry(Reply):
    rank: int = Field(description="Equal scores share a rank: 1, 2, 2, 4")
    name: str = Field(description="Display name or nickname, as the class's privacy setting says")
    score: float = Field(description="Best finished attempt (summed over assignments for the class)")
    points: float = Field(description="Points of the attempts counted")
    total: float = Field(default=0.0, description="The points the board is out of, the same "
                         "for everyone: the assignment's, or the sum of all the class's")
    percent: float | None = Field(default=None, description="score over total, 0..100, two decimals")
    movement: int = Field(description="Places gained (+) or lost (-) by the latest finished attempt")


class Leaderboard(Reply):
    assignment_id: int | None = Field(description="null: the whole class's board")
    entries: list[LeaderboardEntry] = Field(description="Higher score first; among equal scores, "
                                            "whoever reached it first. Every entry for the "
                                            "teacher; the top ten for a student")
    me: LeaderboardEntry | None = Field(
        description="The calling student's own entry (null for the teacher, or before they "
        "finish an attempt)"
    )
    members: int = Field(description="Students in the class")
    frozen_at: UtcOut | None = Field(
        description="UTC; while set, only attempts finished before it count"
    )


class RosterCreated(Reply):
    username: str = Field(description="As stored (lower case): the name to sign in with")
    display_name: str
    one_time_password: str = Field(
        description="Shown only in this reply; it must be changed at the first sign-in"
    )


class RosterAdded(Reply):
    username: str
    display_name: str


class RosterRefused(Reply):
    username: str = Field(description="As stored, or as sent when it is not a valid username")
    error: str = Field(description="Why the row put no one in the class")


class RosterReply(Reply):
    """What each row did, in the roster's order: a new account is in `created` and `added`,
    a student already in this class only in `added`, any other row in `refused`."""

    created: list[RosterCreated] = Field(description="New student accounts, each now in the class")
    added: list[RosterAdded] = Field(
        description="Every student of the roster who is in the class now: those created, and "
        "any already in this class (left as they were)"
    )
    refused: list[RosterRefused] = Field(
        description="Rows that put no one in the class: a username not valid, one named by an "
        "earlier row, or an account that exists outside this class (they join with the code)"
    )


class StudentResult(Reply):
    username: str
    name: str = Field(description="Display name")
    status: Literal["finished", "in progress", "not started"] = Field(
        default="not started", description="finished: a finished attempt (the best shown); in "
        "progress: one under way and none finished")
    attempt_id: int | None = Field(default=None, description="The best finished attempt")
    open_attempt_id: int | None = Field(default=None, description="An attempt under way")
    score: float | None = Field(description="Best finished attempt's score; null: none finished")
    points: float | None
    finished_at: UtcOut | None = Field(description="UTC, of that attempt")
    late: bool = Field(description="That attempt finished after the due date")
    marks: dict[str, float | None] = Field(
        description="Mark per question id in that attempt; null: not asked or no attempt"
    )


class WrongResponse(Reply):
    response: str = Field(description="A wrong response, as text")
    count: int


class QuestionResult(Reply):
    id: str
    prompt: str = Field(description="Markdown")
    type: QuestionType
    skill: str | None
    points: float
    facility: float | None = Field(description="Mean mark over the points, 0..1; null: no attempts")
    discrimination: float | None = Field(
        description="Correlation of the mark with the rest of the test, -1..1; null: undefined"
    )
    discrimination_reliable: bool = Field(
        default=False, description="Whether enough finished attempts asked it for the "
        "discrimination to mean much (see discrimination_min_attempts)")
    asked: int = Field(default=0, description="Finished attempts (best per student) that asked it")
    wrong: list[WrongResponse] = Field(description="The most given wrong responses, scored 0 (up to 3)")
    partly: list[WrongResponse] = Field(
        default_factory=list, description="The most given partly right responses (up to 3)")


class AssignmentResults(Reply):
    """Each student's best finished attempt, and statistics over those attempts."""

    assignment: Assignment
    finished: int = Field(description="Students with a finished attempt")
    students: list[StudentResult] = Field(description="Every student of the class, by name")
    questions: list[QuestionResult] = Field(description="In the order the attempts asked them")
    alpha: float | None = Field(
        description="Cronbach's alpha; null below three finished attempts or when undefined"
    )
    mastery: dict[str, float | None] = Field(description="Mean mark 0..1 per skill; null: not asked")
    distribution: list[int] = Field(
        description="Finished attempts per score band: 0-9%, 10-19%, ..., 90-100%"
    )
    discrimination_min_attempts: int = Field(
        default=0, description="Below this many attempts asking a question, its "
        "discrimination is marked unreliable")


def validation_message(error: ValidationError) -> str:
    """A pydantic error as one line that names the fields: ``response: Field required``."""
    parts = []
    for item in error.errors(include_url=False)[:3]:
        where = ".".join(str(p) for p in item["loc"]) or "body"
        parts.append(f"{where}: {item['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


# -- the OpenAPI document ---------------------------------------------------------------------

ERROR_DESCRIPTIONS = {
    400: "The request was refused: a session-cookie call without a valid X-CSRFToken header",
    401: "No valid credentials",
    403: "The account may not do this",
    404: "It does not exist, or it is not the caller's",
    409: "A conflict with the state of things",
    413: "The body is larger than the server accepts",
    415: "The body is not sent as application/json",
    422: "The body or query string does not fit (the message names the field)",
    429: "Rate-limited: wait the Retry-After header's seconds",
    500: "Something went wrong on the server",
    503: "The database is not answering",
}
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass
class Operation:
    """One route of the API, as Flask serves it and as the OpenAPI document describes it."""

    method: str
    rule: str
    endpoint: str
    summary: str
    description: str
    ok: int
    reply: type[BaseModel] | None
    body: type[BaseModel] | None = None
    body_required: bool = True
    errors: tuple[int, ...] = ()
    authenticated: bool = True
    params: dict[str, str] = field(default_factory=dict)
    query: type[BaseModel] | None = None
    #: The credentials it takes, when not the document's (an account's token or cookie).
    security: list[dict[str, list[str]]] | None = None
    #: Media types of a reply that is a file rather than JSON.
    files: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", self.rule)

    @property
    def path_params(self) -> list[tuple[str, str]]:
        return [(m.group(2), m.group(1) or "string") for m in _CONVERTER.finditer(self.rule)]

    @property
    def statuses(self) -> list[int]:
        codes = set(self.errors) | {500, 503}
        if self.body is not None:
            codes |= {413, 415, 422}
        if self.query is not None:
            codes.add(422)
        if self.authenticated or self.security:
            codes.add(401)
            if self.method in ("POST", "PUT", "PATCH", "DELETE"):
                codes.add(400)
        return sorted(codes)


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The query string's fields as OpenAPI parameters (optional ones without their null)."""
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        if prop.get("default", ...) is None:
            del prop["default"]
        options = [o for o in prop.pop("anyOf", []) if o != {"type": "null"}]
        if len(options) == 1:
            prop.update(options[0])
        elif options:
            prop["anyOf"] = options
        parameters.append({"name": name, "in": "query", "required": name in required,
                           "schema": prop, **({"description": description} if description else {})})
    return parameters


def build_openapi(operations: list[Operation], *, server: str, cookie_name: str,
                  version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document, from the same models that validate requests and shape replies."""
    pairs: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorReply, "serialization")]
    for op in operations:
        if op.body is not None:
            pairs.append((op.body, "validation"))
        if op.reply is not None:
            pairs.append((op.reply, "serialization"))
    pairs = list(dict.fromkeys(pairs))
    refs, top = models_json_schema(pairs, ref_template="#/components/schemas/{model}")

    def content(model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        return {"application/json": {"schema": refs[(model, mode)]}}

    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        responses: dict[str, Any] = {}
        if op.reply is None and op.ok == 204:
            responses[str(op.ok)] = {"description": "Done; no body"}
        elif op.files:
            responses[str(op.ok)] = {"description": "The file", "content": {
                media: {"schema": {"type": "string"} if media.startswith("text/")
                        else {"type": "string", "contentMediaType": media}} for media in op.files}}
        elif op.reply is None:
            responses[str(op.ok)] = {"description": "OK",
                                     "content": {"application/json": {"schema": {"type": "object"}}}}
        else:
            responses[str(op.ok)] = {"description": "OK", "content": content(op.reply, "serialization")}
            if op.endpoint == "api.start_attempt":
                responses["200"] = {"description": "The open attempt, resumed",
                                    "content": content(op.reply, "serialization")}
            elif op.endpoint == "api.start_review":
                responses["200"] = {"description": "The review under way, or a null attempt with "
                                    "next_due_at when nothing is due",
                                    "content": content(op.reply, "serialization")}
        for code in op.statuses:
            entry: dict[str, Any] = {"description": ERROR_DESCRIPTIONS[code],
                                     "content": content(ErrorReply, "serialization")}
            if code == 429:
                entry["headers"] = {"Retry-After": {"description": "Seconds to wait",
                                                    "schema": {"type": "integer"}}}
            if code == 401:
                entry["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
            responses[str(code)] = entry
        operation: dict[str, Any] = {
            "operationId": op.endpoint.removeprefix("api."),
            "summary": op.summary,
            "description": op.description,
            "responses": dict(sorted(responses.items())),
        }
        if op.path_params:
            operation["parameters"] = [
                {"name": name, "in": "path", "required": True,
                 "schema": {"type": "integer" if kind in ("int", "id") else "string"},
                 **({"description": op.params[name]} if name in op.params else {})}
                for name, kind in op.path_params
            ]
        if op.query is not None:
            operation.setdefault("parameters", []).extend(query_parameters(op.query))
        if op.body is not None:
            operation["requestBody"] = {"required": op.body_required,
                                        "content": content(op.body, "validation")}
        if op.security is not None:
            operation["security"] = op.security
        elif not op.authenticated:
            operation["security"] = []
        paths.setdefault(op.path, {})[op.method.lower()] = operation

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "quizapp JSON API",
            "version": version,
            "description": "Everything a student or teacher does in the browser, over JSON. "
            "Authenticate with `Authorization: Bearer <token>` (from POST /tokens), or with the "
            "browser's session cookie, in which case POST, PUT and DELETE need the page's CSRF "
            "token in the `X-CSRFToken` header. Every error is `{\"error\": \"...\"}`.",
        },
        "servers": [{"url": server}],
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": paths,
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "A token from POST /tokens"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": cookie_name,
                           "description": "The browser session; writes also need X-CSRFToken"},
                "player": {"type": "http", "scheme": "bearer",
                           "description": "A live game's player token, from POST /games/join: "
                           "it opens that game's state and answers only"},
            },
        },
    }
