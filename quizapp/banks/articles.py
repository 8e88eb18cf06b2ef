"""Source articles: Markdown files with YAML front matter, split into numbered paragraphs."""

from __future__ import annotations

import hashlib
import re
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
    """An article's metadata and body; paragraphs are numbered from 1 in reading order."""

    id: str
    title: str
    meta: dict[str, Any]
    blocks: tuple[Block, ...]
    content_hash: str
    _folded: tuple[str, ...] = field(default=(), repr=False, compare=False)

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
        isinstance(image, dict) and all(isinstance(image.get(k, ""), str) for k in ("alt", "caption"))
    ):
        line, col = located.position(("image",))
        problems.append(Problem(name, line + 1, col, "image must be a mapping of 'alt' and 'caption'"))
    if problems:
        raise ArticleError(problems)

    blocks: list[Block] = []
    number = 0
    chunk: list[str] = []

    def flush() -> None:
        nonlocal number
        if chunk:
            number += 1
            blocks.append(Block(" ".join(s.strip() for s in chunk), number=number))
            chunk.clear()

    for line in lines[end + 1 :]:
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
    if not number:
        raise ArticleError([Problem(name, end + 2, 1, "article has no paragraphs")])
    return Article(
        id=meta["id"],
        title=meta["title"],
        meta=meta,
        blocks=tuple(blocks),
        content_hash=hashlib.sha256(raw).hexdigest(),
        _folded=tuple(fold_quote(b.text) for b in blocks if b.number),
    )


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
