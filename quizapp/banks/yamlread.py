"""Reading YAML's safe subset while remembering where every key and value came from.

PyYAML's composer (the C one where available) builds a node graph that keeps
positions; this module walks it into plain Python values, refusing what a
bank file must never contain: object-building tags, duplicate keys, alias
bombs and runaway nesting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:  # the C composer is several times faster; the pure one behaves the same
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 1024 * 1024
#: How many values aliases may add beyond those written out ("billion laughs").
MAX_ALIAS_EXPANSION = 10_000
MAX_DEPTH = 50

Path = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_STR = _TAG + "str"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_SEQ = _TAG + "seq"
_MAP = _TAG + "map"
_MERGE = _TAG + "merge"
_constructor = SafeConstructor()


class _Int(int):
    """An integer that remembers how it was written (``007``), for fields that want text."""

    yaml_text: str


class _Float(float):
    yaml_text: str


_AS_WRITTEN = {_TAG + "int": _Int, _TAG + "float": _Float}


def as_written(value: Any) -> Any:
    """The text a YAML number was written as, for a field that takes text; else ``value``."""
    return getattr(value, "yaml_text", value)


class YamlError(Exception):
    """The file cannot be read at all; ``line`` and ``column`` are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Located:
    """Plain data read from YAML, with the node graph that knows where each value was written."""

    data: Any
    root: Node | None = None
    #: Problems that do not stop the reading: (line, column, message), 1-based.
    problems: list[tuple[int, int, str]] = field(default_factory=list)
    #: Each mapping's first (key, value) nodes by key, made when first asked for.
    _keys: dict[int, dict[str, tuple[Node, Node]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def position(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Where the value at ``path`` (or with ``key``, its key) is written.

        A path that goes further than the file does gives the nearest enclosing value.
        """
        node = self.root
        if node is None:
            return 1, 1
        for i, step in enumerate(path):
            child: Node | None = None
            if isinstance(node, MappingNode):
                found = self._mapping_keys(node).get(step) if isinstance(step, str) else None
                if found is not None:
                    if key and i == len(path) - 1:
                        return _pos(found[0])
                    child = found[1]
            elif isinstance(node, SequenceNode) and isinstance(step, int):
                if 0 <= step < len(node.value):
                    child = node.value[step]
            if child is None:
                break
            node = child
        return _pos(node)

    def _mapping_keys(self, node: MappingNode) -> dict[str, tuple[Node, Node]]:
        # an index, so that reporting every key of a large mapping is not quadratic
        keys = self._keys.get(id(node))
        if keys is None:
            keys = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode):
                    keys.setdefault(key_node.value, (key_node, value_node))
            self._keys[id(node)] = keys
        return keys


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _FastLoader(_Loader):  # type: ignore[misc, valid-type]
    """Resolves plain scalars like PyYAML's safe loader, without its general path machinery."""

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is not ScalarNode:
            return _SEQ if kind is SequenceNode else _MAP
        if not implicit[0]:
            return _STR
        tag = _RESOLVED.get(value)
        if tag is None:
            tag = _STR
            for candidate, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                if regexp.match(value):
                    tag = candidate
                    break
            if len(value) < 40 and len(_RESOLVED) < 50_000:  # keys and short values repeat
                _RESOLVED[value] = tag
        return tag


_RESOLVED: dict[str, str] = {}


def read_yaml(raw: bytes) -> Located:
    """Read one YAML document from ``raw``; raise :class:`YamlError` if it cannot be read."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlError(f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,} (1 MiB)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError("file is not UTF-8 text", line, column) from None
    try:
        root = yaml.compose(text, Loader=_FastLoader)  # noqa: S506 - composing only, no objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        parts = [p for p in (exc.context, exc.problem) if p]
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if "maximum nesting depth" in (exc.problem or ""):  # libyaml stops at 1,000 levels
            raise YamlError(f"YAML is nested more than {MAX_DEPTH} levels deep", line, col) from None
        raise YamlError("YAML syntax error: " + ", ".join(parts), line, col) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML syntax error: {exc}") from None
    except RecursionError:
        raise YamlError(f"YAML is nested more than {MAX_DEPTH} levels deep") from None
    if root is None:
        raise YamlError("file is empty")
    return _Walker(root).walk()


class _Walker:
    def __init__(self, root: Node) -> None:
        self.located = Located(data=None, root=root)
        #: Values made so far, counting each item of a list and each value of a mapping.
        self.values = 0
        #: Values made again by aliases, beyond those the file writes out.
        self.extra = 0
        #: How many values each list or mapping made when first walked, by node id.
        self.sizes: dict[int, int] = {}
        self.replaying = False
        self.active: set[int] = set()

    def walk(self) -> Located:
        self.located.data = self._value(self.located.root, 0)
        return self.located

    def _problem(self, node: Node, message: str) -> None:
        self.located.problems.append((*_pos(node), message))

    def _value(self, node: Node, depth: int) -> Any:
        if node.__class__ is ScalarNode:
            return node.value if node.tag == _STR else self._scalar(node)
        ident = id(node)
        if depth > MAX_DEPTH:
            raise YamlError(f"YAML is nested more than {MAX_DEPTH} levels deep", *_pos(node))
        if ident in self.active:
            raise YamlError("an alias refers to a value that contains it", *_pos(node))
        size = self.sizes.get(ident)
        if size is not None and not self.replaying:
            # An alias: everything under it is made again, scalars included, so that a
            # wide list repeated by many aliases is stopped as early as a deep bomb.
            self.extra += size
            if self.extra > MAX_ALIAS_EXPANSION:
                raise YamlError(
                    f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} extra values",
                    *_pos(node),
                )
            self.replaying = True
            try:
                return self._collection(node, depth)
            finally:
                self.replaying = False
        start = self.values
        value = self._collection(node, depth)
        if size is None:
            self.sizes[ident] = self.values - start
        return value

    def _collection(self, node: Node, depth: int) -> Any:
        ident = id(node)
        self.active.add(ident)
        try:
            self.values += len(node.value)
            if isinstance(node, SequenceNode):
                if node.tag != _SEQ:
                    self._problem(node, f"tag '{node.tag}' is not allowed; only plain YAML is read")
                return [self._value(item, depth + 1) for item in node.value]
            assert isinstance(node, MappingNode)  # noqa: S101 - the composer makes only three kinds
            if node.tag != _MAP:
                self._problem(node, f"tag '{node.tag}' is not allowed; only plain YAML is read")
            return self._mapping(node, depth)
        finally:
            self.active.discard(ident)

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            self._problem(node, f"tag '{tag}' is not allowed; only plain YAML is read")
            return node.value
        try:
            value = _constructor.yaml_constructors[tag](_constructor, node)
            kind = _AS_WRITTEN.get(tag)
            if kind is not None:
                value = kind(value)
                value.yaml_text = node.value
            return value
        except (ValueError, yaml.YAMLError):
            # e.g. 2025-13-01: kept as text, so the schema says what it should be
            return node.value

    def _mapping(self, node: MappingNode, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self._problem(key_node, "merge keys ('<<') are not supported; write the keys out")
                continue
            if key_node.__class__ is not ScalarNode:
                self._problem(key_node, "a key must be plain text, not a list or mapping")
                continue
            key = key_node.value
            if key in result:
                self._problem(
                    key_node, f"duplicate key '{key}' (first given on line {first_lines[key]})"
                )
                continue
            first_lines[key] = key_node.start_mark.line + 1
            result[key] = self._value(value_node, depth + 1)
        return result
