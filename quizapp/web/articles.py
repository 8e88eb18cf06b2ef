"""The article reader: numbered paragraphs, each with an anchor, and the quizzes about it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from quizapp.banks.articles import fold_quote
from quizapp.services import progress as progress_service

bp = Blueprint("articles", __name__, url_prefix="/articles")


def quote_span(text: str, quote: str) -> tuple[int, int] | None:
    """Where ``quote`` stands in ``text``, folding quotes, dashes and white space as banks do."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = fold_quote(char) if not char.isspace() else " "
        if piece == " " and folded and folded[-1] == " ":
            continue
        folded.append(piece or " ")
        origin.append(index)
    needle = fold_quote(quote)
    start = "".join(folded).find(needle) if needle else -1
    if start < 0:
        return None
    end = start + len(needle) - 1
    return origin[start], origin[end] + 1


@bp.get("/<article_id>")
def read(article_id: str) -> Any:
    article = progress_service.get_article(article_id)
    if article is None:
        abort(404)
    highlight = request.args.get("hl", type=int)
    quote = request.args.get("quote", "")[:500]
    blocks = []
    for block in article.blocks:
        parts: tuple[str, str, str] | None = None
        if block.get("number") and block["number"] == highlight and quote:
            span = quote_span(block["text"], quote)
            if span:
                text = block["text"]
                parts = (text[: span[0]], text[span[0] : span[1]], text[span[1] :])
        blocks.append({**block, "parts": parts})
    account_id = current_user.id if current_user.is_authenticated else None
    entries = [entry for section in progress_service.catalogue(account_id)
               if section.article is not None and section.article.id == article.id
               for entry in section.entries]
    return render_template("articles/read.html", article=article, blocks=blocks,
                           highlight=highlight, entries=entries)
