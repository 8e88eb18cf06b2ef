"""Building and reading the XML of QTI packages: elements, text as paragraphs, numbers.

Shared by the QTI 2.1 and Canvas (QTI 1.2) formats. Elements are built with
ElementTree (building is safe; reading goes through :func:`common.parse_xml`, which
is defused). Names are written without namespace prefixes and the default
namespace is an ``xmlns`` attribute on the root, so the output reads as written.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar
from xml.etree import ElementTree as ET  # noqa: S405 - building only; parsing is defused

from quizapp.interchange.common import META_PREFIX

Element = ET.Element
CHECK_EVERY = 64  # steps of a long walk between two looks at an import's deadline
# a short answer read from a system that compares strings: made exact, and why
EXACT_NOTE = ("made 'exact: true': as in {system}, a typo is not forgiven (punctuation, spacing, case and "
              "a leading 'the' are still ignored here)")

T = TypeVar("T")

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# characters XML 1.0 cannot hold at all: written as a space
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def el(tag: str, attrs: dict[str, Any] | None = None, *children: Element | None,
       text: str | None = None) -> Element:
    """An element with attributes (in the given order), children and text."""
    node = ET.Element(tag, {k: str(v) for k, v in (attrs or {}).items() if v is not None})
    if text is not None:
        node.text = xml_safe(text)
    node.extend(child for child in children if child is not None)
    return node


def xml_safe(text: str) -> str:
    return _NOT_XML.sub(" ", text)


def comment(text: str) -> Element:
    """An XML comment; ``--`` (which a comment cannot hold) becomes a JSON escape of ``-``."""
    return ET.Comment(f" {xml_safe(text).replace('--', '-' + chr(92) + 'u002d')} ")


def meta_comment(meta: dict[str, Any], prefix: str = META_PREFIX) -> Element:
    """The metadata line of :func:`common.meta_text` as a comment that survives any text in it."""
    line = json.dumps(meta, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    return comment(f"{prefix} {line}")


def to_bytes(root: Element) -> bytes:
    """The document, indented, with an XML declaration: the same tree, the same bytes."""
    ET.indent(root, space="  ")
    return (XML_DECLARATION + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


def number(value: float | int) -> str:
    """A number as QTI writes it: integers without a point, other floats in full (``repr``)."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        return str(int(value))
    return repr(float(value))


def read_number(text: str | None) -> int | float | None:
    """A number written by :func:`number` or by another tool; None when it is not one."""
    text = (text or "").strip()
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() and abs(value) < 1e15 and "e" not in text.lower() else value


def paragraphs(text: str) -> list[list[str]]:
    """Markdown text as paragraphs (split at blank lines), each a list of its lines."""
    found: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            current.append(line)
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def fill_lines(node: Element, lines: list[str]) -> Element:
    """Put lines into ``node`` as text separated by ``<br/>``."""
    node.text = xml_safe(lines[0])
    for line in lines[1:]:
        br = ET.SubElement(node, "br")
        br.tail = xml_safe(line)
    return node


def local(tag: Any) -> str:
    """An element's name without its namespace; '' for comments and processing instructions."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(node: Element, name: str) -> list[Element]:
    return [child for child in node if local(child.tag) == name]


def child(node: Element, name: str) -> Element | None:
    return next((c for c in node if local(c.tag) == name), None)


def descendants(node: Element, name: str) -> list[Element]:
    return [d for d in node.iter() if local(d.tag) == name]


def checked(elements: Iterable[T], check: Callable[[], None]) -> Iterator[T]:
    """The elements, calling ``check`` (an import's deadline) every :data:`CHECK_EVERY` of them."""
    for n, element in enumerate(elements):
        if n % CHECK_EVERY == 0:
            check()
        yield element


def comments(node: Element) -> list[str]:
    return [c.text or "" for c in node.iter() if c.tag is ET.Comment]


_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "pre",
           "table", "tr", "thead", "tbody", "dl", "dt", "dd", "prompt", "hr", "address", "caption",
           "itemBody", "simpleChoice", "modalFeedback", "feedbackBlock", "mattext", "material",
           "flow_mat", "flow"}


def _line(text: str) -> str:
    return " ".join(text.split())


def blocks(node: Element, skip: frozenset[str] = frozenset(),
           inline: dict[str, str] | None = None, check: Callable[[], None] | None = None) -> list[str]:
    """The text of ``node`` as paragraphs: block elements apart, ``<br/>`` as a line break.

    Elements named in ``skip`` are left out with their text (not their tail);
    elements named in ``inline`` stand for the given text (a gap in a sentence).
    White space inside a line is collapsed, as a browser shows it. ``check`` (an
    import's deadline) is called every :data:`CHECK_EVERY` steps of a long walk.
    """
    found: list[str] = []
    current: list[str] = []

    def flush() -> None:
        lines = [_line(line) for line in "".join(current).split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            found.append(text)
        current.clear()

    # an explicit stack, not recursion: no depth of nesting can exhaust Python's stack
    # (each entry: an element to enter, a tail to add, or None to end a block)
    todo: list[tuple[Element, bool] | str | None] = [(node, True)]
    steps = 0
    while todo:
        steps += 1
        if check is not None and steps % CHECK_EVERY == 0:
            check()
        step = todo.pop()
        if step is None:
            flush()
            continue
        if isinstance(step, str):
            current.append(step)
            continue
        elem, top = step
        name = local(elem.tag)
        if not top and (name in skip or not name):
            continue
        if inline and name in inline:
            current.append(inline[name])
        elif name == "br":
            current.append("\n")
        else:
            is_block = name in _BLOCKS
            if is_block:
                flush()
            current.append(elem.text or "")
            later: list[tuple[Element, bool] | str | None] = []
            for sub in elem:
                later += [(sub, False), sub.tail or ""]
            if is_block:
                later.append(None)
            todo.extend(reversed(later))
    flush()
    return found


def text_of(node: Element | None, skip: frozenset[str] = frozenset()) -> str:
    """The text of an element as one string of paragraphs separated by blank lines."""
    return "\n\n".join(blocks(node, skip)) if node is not None else ""
