"""URL converters for every blueprint: ids the database can hold, text it can store."""

from __future__ import annotations

from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, UnicodeConverter

from quizapp.web.api_schemas import MAX_ID


class IdConverter(IntegerConverter):
    """``<id:name>``: a row id, or a question's number. One larger than the database can hold
    cannot exist: 404 at once, rather than an overflow in the database driver (a 500)."""

    def to_python(self, value: str) -> Any:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound("Nothing has that id.")
        return number


class TextConverter(UnicodeConverter):
    """The default ``<name>``: any text but a slash or a control character. No bank, article or
    question id holds one, and PostgreSQL cannot even compare text holding NUL, so such a
    path matches no route (404) instead of failing in the database."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the same length rules as werkzeug's, over a narrower set of characters
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]", 1)


#: Registered on the app before any blueprint, so that every rule is built with them.
CONVERTERS = {"id": IdConverter, "default": TextConverter, "string": TextConverter}
