"""The question bank format, version 1, as pydantic models.

The same models validate files, generate the JSON Schema that editors use
(``quizapp schema``), and rebuild stored questions for scoring. Checks that
need the bank's article (evidence paragraphs and quotes) read it from the
validation context; without a context they are skipped, as for questions
already validated and stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)

from quizapp.banks.yamlread import as_written

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
SKILLS = (
    "recall",
    "sourcing",
    "attribution",
    "fact_vs_opinion",
    "evidence",
    "context",
    "lateral_reading",
)
QUESTION_TYPES = ("single", "multiple", "true_false", "short", "numeric", "ordering", "matching")

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
# A number where text is wanted (`choices: [2016, 2017]`) is read as it was written.
Text = Annotated[
    str, BeforeValidator(as_written), StringConstraints(min_length=1, strip_whitespace=True)
]
Number = StrictInt | StrictFloat
Skill = Literal[
    "recall", "sourcing", "attribution", "fact_vs_opinion", "evidence", "context", "lateral_reading"
]
Difficulty = Literal["easy", "medium", "hard"]


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, coerce_numbers_to_str=True
    )


def _distinct(values: list[str], what: str) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} '{value}' is given twice")
        seen.add(value)
    return values


def _article(info: ValidationInfo) -> Any:
    return (info.context or {}).get("article")


class Evidence(_Strict):
    """Where the article supports the answer: a numbered paragraph and, optionally, a quote."""

    paragraph: StrictInt = Field(ge=1, description="Number of a paragraph of the bank's source")
    quote: Text | None = Field(
        default=None,
        description="Words that occur in that paragraph (quotes, dashes, spaces folded)",
    )

    @field_validator("paragraph")
    @classmethod
    def _paragraph_exists(cls, value: int, info: ValidationInfo) -> int:
        context = info.context
        if context is None:
            return value
        if not context.get("source"):
            raise ValueError("evidence needs the bank's 'source' (the article it points into)")
        article = context.get("article")
        if article is not None and article.paragraph(value) is None:
            raise ValueError(
                f"paragraph {value} is not in article '{article.id}', "
                f"which has {len(article.paragraphs)} numbered paragraphs"
            )
        return value

    @field_validator("quote")
    @classmethod
    def _quote_in_paragraph(cls, value: str | None, info: ValidationInfo) -> str | None:
        article = _article(info)
        number = info.data.get("paragraph")
        if value is None or article is None or number is None:
            return value
        if not article.quote_in(value, number):
            elsewhere = article.find_quote(value)
            hint = f" (it is in paragraph {elsewhere[0]})" if elsewhere else ""
            raise ValueError(f"quote is not in paragraph {number}{hint}: '{value}'")
        return value


class _Question(_Strict):
    id: Slug = Field(description="Unique within the bank; keep it when editing the question")
    prompt: Text = Field(description="Markdown; raw HTML is shown as text")
    explanation: Text = Field(description="Markdown, shown after the student answers")
    points: Annotated[Number, Field(gt=0)] = 1
    skill: Skill | None = None
    difficulty: Difficulty | None = None
    as_of: dt.date | None = Field(default=None, description="Overrides the bank's as_of")
    evidence: Evidence | None = None


Choices = Annotated[list[Text], Field(min_length=2, max_length=10)]


def _answers_in(values: list[str], info: ValidationInfo) -> None:
    choices = info.data.get("choices")
    for value in values if choices is not None else ():
        if value not in choices:
            raise ValueError(f"answer '{value}' is not one of the choices")


class _ChoiceQuestion(_Question):
    """Questions answered by picking among ``choices``, with optional feedback per choice."""

    choices: Choices
    feedback: dict[str, Text] | None = Field(
        default=None, description="Text shown to a student who picked that choice"
    )

    @field_validator("choices")
    @classmethod
    def _distinct_choices(cls, value: list[str]) -> list[str]:
        return _distinct(value, "choice")

    @field_validator("feedback")
    @classmethod
    def _feedback_for_choices(cls, value: dict[str, str] | None, info: ValidationInfo) -> Any:
        choices = info.data.get("choices")
        for key in (value or {}) if choices is not None else ():
            if key not in choices:
                raise ValueError(f"feedback for '{key}', which is not one of the choices")
        return value


class SingleQuestion(_ChoiceQuestion):
    """One choice is right."""

    type: Literal["single"]
    answer: Text

    @field_validator("answer")
    @classmethod
    def _answer_is_choice(cls, value: str, info: ValidationInfo) -> str:
        _answers_in([value], info)
        return value


class MultipleQuestion(_ChoiceQuestion):
    """Every right choice must be picked; wrong picks cancel right ones."""

    type: Literal["multiple"]
    answer: Annotated[list[Text], Field(min_length=1)]

    @field_validator("answer")
    @classmethod
    def _answers_are_choices(cls, value: list[str], info: ValidationInfo) -> list[str]:
        _distinct(value, "answer")
        _answers_in(value, info)
        return value


class TrueFalseQuestion(_Question):
    """A statement that is true or false."""

    type: Literal["true_false"]
    answer: StrictBool


class ShortQuestion(_Question):
    """A typed answer, compared leniently unless ``exact``."""

    type: Literal["short"]
    answer: Text | Annotated[list[Text], Field(min_length=1)]
    exact: StrictBool = False

    @property
    def accepted(self) -> list[str]:
        return [self.answer] if isinstance(self.answer, str) else list(self.answer)


class NumericQuestion(_Question):
    """A number, right within ``tolerance``."""

    type: Literal["numeric"]
    answer: Number
    tolerance: Annotated[Number, Field(ge=0)] = 0


class OrderingQuestion(_Question):
    """Items to put in order; written here in the correct order."""

    type: Literal["ordering"]
    items: Annotated[list[Text], Field(min_length=2, max_length=10)]
    partial: StrictBool = False

    @field_validator("items")
    @classmethod
    def _distinct_items(cls, value: list[str]) -> list[str]:
        return _distinct(value, "item")


class MatchingQuestion(_Question):
    """Each left matched to its right; distractors are extra rights that match nothing."""

    type: Literal["matching"]
    pairs: Annotated[dict[Text, Text], Field(min_length=2, max_length=10)]
    distractors: list[Text] | None = None

    @field_validator("pairs")
    @classmethod
    def _distinct_rights(cls, value: dict[str, str]) -> dict[str, str]:
        _distinct(list(value.values()), "right-hand side")
        return value

    @field_validator("distractors")
    @classmethod
    def _distractors_differ(cls, value: list[str] | None, info: ValidationInfo) -> Any:
        if value:
            _distinct(value, "distractor")
            rights = set((info.data.get("pairs") or {}).values())
            for item in value:
                if item in rights:
                    raise ValueError(f"distractor '{item}' is also a right-hand side of a pair")
        return value


Question = Annotated[
    SingleQuestion
    | MultipleQuestion
    | TrueFalseQuestion
    | ShortQuestion
    | NumericQuestion
    | OrderingQuestion
    | MatchingQuestion,
    Field(discriminator="type"),
]
question_adapter: TypeAdapter[Question] = TypeAdapter(Question)
QUESTION_MODELS: dict[str, type[_Question]] = {
    "single": SingleQuestion,
    "multiple": MultipleQuestion,
    "true_false": TrueFalseQuestion,
    "short": ShortQuestion,
    "numeric": NumericQuestion,
    "ordering": OrderingQuestion,
    "matching": MatchingQuestion,
}


class Settings(_Strict):
    shuffle_choices: StrictBool = True
    time_limit_seconds: Annotated[StrictInt, Field(gt=0)] | None = None
    max_attempts: Annotated[StrictInt, Field(gt=0)] | None = None


class Bank(_Strict):
    """A question bank file, format 1."""

    model_config = ConfigDict(title="quizapp question bank, format 1")

    format: Literal[1] = Field(description="Always the integer 1")
    id: Slug = Field(description="Unique across all banks; used in URLs")
    title: Text
    description: str | None = Field(default=None, description="Markdown")
    source: Slug | None = Field(default=None, description="Id of an article in seeds/")
    tags: list[Text] = Field(default_factory=list)
    as_of: dt.date | None = Field(default=None, description="Date the answers were true")
    review_by: dt.date | None = Field(default=None, description="Check the bank again after")
    settings: Settings = Field(default_factory=Settings)
    questions: Annotated[list[Question], Field(min_length=1)]

    @field_validator("source")
    @classmethod
    def _source_exists(cls, value: str | None, info: ValidationInfo) -> str | None:
        context = info.context
        if value is not None and context is not None and context.get("article") is None:
            raise ValueError(f"source '{value}' is not an article in {context['seeds']}")
        return value


def json_schema() -> dict[str, Any]:
    """JSON Schema of format 1, for editors (``yaml-language-server``) and integrators."""
    schema = Bank.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
