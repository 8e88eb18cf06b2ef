"""Source articles: Markdown files with YAML front matter, split into numbered paragraphs."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizapp.banks.problems import Problem
from quizapp.banks.yamlread import YamlError, read_yaml

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

_FOLD = str.maketrans(
    {
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
    }
)  # fmt: skip
_SPACE = re.compile(r"\s+")


def fold_quote(text: str) -> str:
    """Fold white space, typographic quotes, apostrophes and dashes to plain ones."""
    return _SPACE.sub(" ", text.translate(_FOLD)).strip()


@dataclass(frozen=True)
class Block:
    """A heading (``level`` > 0) or a numbered paragraph (``number`` > 0) of an article."""

    text: str
    number: int = 0
    level: int = 0


@dataclass(frozen=True)
class Article:
    """An article's metadata and body; paragraphs are numbered from 1 in reading order.

    Read from a file by :func:`parse_article`; built from stored blocks (an article
    written in the browser) by :meth:`from_blocks` or :meth:`from_paragraphs`.
    """

    id: str
    title: str
    meta: dict[str, Any]
    blocks: tuple[Block, ...]
    #: Of the file when read from one; else of the id, title, metadata and blocks.
    content_hash: str = ""
    _folded: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self._folded:
            folded = tuple(fold_quote(b.text) for b in self.blocks if b.number)
            object.__setattr__(self, "_folded", folded)
        if not self.content_hash:
            content = {"id": self.id, "title": self.title, "meta": self.meta,
                       "blocks": [[b.text, b.number, b.level] for b in self.blocks]}
            digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode())
            object.__setattr__(self, "content_hash", digest.hexdigest())

    @classmethod
    def from_blocks(
        cls,
        id: str,
        title: str,
        blocks: Iterable[Block | Mapping[str, Any]],
        meta: Mapping[str, Any] | None = None,
        *,
        content_hash: str = "",
    ) -> Article:
        """An article from its blocks in reading order: :class:`Block` objects or stored
        mappings ``{"text": ..., "number": N, "level": L}`` (number > 0 for a paragraph,
        level > 0 for a heading, as ``parse_article`` makes them)."""
        made = tuple(
            b if isinstance(b, Block)
            else Block(str(b["text"]), number=int(b.get("number") or 0), level=int(b.get("level") or 0))
            for b in blocks
        )
        return cls(id=id, title=title, meta=dict(meta or {}), blocks=made, content_hash=content_hash)

    @classmethod
    def from_paragraphs(
        cls,
        id: str,
        title: str,
        paragraphs: Iterable[str],
        meta: Mapping[str, Any] | None = None,
        *,
        content_hash: str = "",
    ) -> Article:
        """An article of numbered paragraphs only (no headings), numbered from 1."""
        blocks = [Block(text, number=i) for i, text in enumerate(paragraphs, start=1)]
        return cls.from_blocks(id, title, blocks, meta, content_hash=content_hash)

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if b.number]

    def paragraph(self, number: int) -> str | None:
        """The text of paragraph ``number`` (1-based), or None when there is none."""
        paragraphs = self.paragraphs
        return paragraphs[number - 1] if 1 <= number <= len(paragraphs) else None

    def quote_in(self, quote: str, number: int) -> bool:
        """Whether ``quote`` occurs in paragraph ``number``, folding quotes, dashes, spaces."""
        return 1 <= number <= len(self._folded) and fold_quote(quote) in self._folded[number - 1]

    def find_quote(self, quote: str) -> list[int]:
        """Numbers of the paragraphs in which ``quote`` occurs."""
        needle = fold_quote(quote)
        return [i for i, text in enumerate(self._folded, start=1) if needle in text]


class ArticleError(Exception):
    """An article file that cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def parse_article(raw: bytes, name: str) -> Article:
    """Read an article from the bytes of ``name`` (shown in messages, stem = expected id)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArticleError([Problem(name, 1, 1, "article is not UTF-8 text")]) from None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ArticleError([Problem(name, 1, 1, "article must start with '---' front matter")])
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ArticleError([Problem(name, 1, 1, "front matter has no closing '---'")]) from None
    try:
        located = read_yaml("\n".join(lines[1:end]).encode())
    except YamlError as exc:
        raise ArticleError([Problem(name, exc.line + 1, exc.column, exc.message)]) from None
    problems = [Problem(name, ln + 1, col, msg) for ln, col, msg in located.problems]
    meta = located.data
    if not isinstance(meta, dict):
        raise ArticleError([Problem(name, 2, 1, "front matter must be a mapping")])
    for key in ("id", "title"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            problems.append(Problem(name, 2, 1, f"front matter needs a text '{key}'"))
    stem = Path(name).stem
    if isinstance(meta.get("id"), str) and meta["id"] != stem:
        line, col = located.position(("id",))
        problems.append(
            Problem(name, line + 1, col, f"id '{meta['id']}' must match the file name '{stem}'")
        )
    elif isinstance(meta.get("id"), str) and not SLUG.match(meta["id"]):
        problems.append(Problem(name, 2, 1, f"id '{meta['id']}' is not a slug"))
    image = meta.get("image")
    if image is not None and not (
        isinstance(image, dict)
        and all(isinstance(image.get(k, ""), str) for k in ("alt", "caption", "credit"))
    ):
        line, col = located.position(("image",))
        problems.append(Problem(name, line + 1, col,
                                "image must be a mapping of 'alt', 'caption' and 'credit' (texts)"))
    if problems:
        raise ArticleError(problems)

    blocks = split_blocks(lines[end + 1 :])
    if not any(b.number for b in blocks):
        raise ArticleError([Problem(name, end + 2, 1, "article has no paragraphs")])
    return Article(
        id=meta["id"],
        title=meta["title"],
        meta=meta,
        blocks=blocks,
        content_hash=hashlib.sha256(raw).hexdigest(),
    )


def split_blocks(body: str | Iterable[str]) -> tuple[Block, ...]:
    """An article body (text, or its lines) as headings and numbered paragraphs.

    Paragraphs are blocks of lines separated by blank lines, numbered from 1;
    a line starting with ``#`` is a heading and is not numbered.
    """
    blocks: list[Block] = []
    number = 0
    chunk: list[str] = []

    def flush() -> None:
        nonlocal number
        if chunk:
            number += 1
            blocks.append(Block(" ".join(s.strip() for s in chunk), number=number))
            chunk.clear()

    for line in body.splitlines() if isinstance(body, str) else body:
        stripped = line.strip()
        if not stripped:
            flush()
        elif stripped.startswith("#"):
            flush()
            level = len(stripped) - len(stripped.lstrip("#"))
            blocks.append(Block(stripped[level:].strip(), level=level))
        else:
            chunk.append(stripped)
    flush()
    return tuple(blocks)


def load_article(path: Path) -> Article:
    """Read the article file at ``path``."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ArticleError([Problem(str(path), 1, 1, f"cannot read article: {exc.strerror}")]) from None
    return parse_article(raw, str(path))


def load_articles(seeds: Path) -> tuple[dict[str, Article], list[Problem]]:
    """Every article ``seeds/<id>.md``, and the problems of those that cannot be read."""
    articles: dict[str, Article] = {}
    problems: list[Problem] = []
    for path in sorted(seeds.glob("*.md")) if seeds.is_dir() else []:
        try:
            article = load_article(path)
        except ArticleError as exc:
            problems.extend(exc.problems)
        else:
            articles[article.id] = article
    return articles, problems
