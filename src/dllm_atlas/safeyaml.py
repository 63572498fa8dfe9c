"""A hostile-input YAML reader that keeps the source position of every value.

Catalog files arrive in strangers' pull requests, so :func:`parse` reads YAML from libyaml's event
stream (``yaml.parse`` with the C loader) and builds plain Python data itself:

* anchors, aliases and explicit tags are refused (an alias bomb of a few hundred bytes would
  otherwise expand to millions of nodes, and tags are how arbitrary objects get constructed);
* duplicate mapping keys are refused (YAML silently keeps the last one);
* size, nesting depth and node count are bounded;
* scalars stay strings — except the plain null forms — so ``2401.10100`` never becomes a float and
  ``NO`` never becomes ``False``. Pydantic converts strings to dates, numbers and booleans where a
  field asks for them. A plain (unquoted) scalar that other YAML readers would take for a number is
  an :class:`Unquoted` string, so a field that must be text elsewhere too (the arXiv id) can say
  "quote it".

The result is ``(data, positions)`` where ``positions`` maps a path tuple (keys and list indices) to
the 1-based ``(line, column)`` of the key for mapping members, or of the value for list items.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

import yaml

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml is part of every PyYAML wheel we install
    _Loader = yaml.SafeLoader

MAX_BYTES = 64 * 1024
MAX_DEPTH = 12
MAX_NODES = 20_000
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})

_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
_RESOLVER = yaml.resolver.Resolver()


def _reads_as_number(value: str) -> bool:
    if not value or value[0] not in "0123456789+-.":  # every int and float form starts so
        return False
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return tag in _NUMBER_TAGS


class Unquoted(str):
    """A plain scalar that YAML's own resolver reads as a number (``arxiv: 2406.04329``)."""

    __slots__ = ()


Path = tuple[str | int, ...]


@dataclass
class YamlError(Exception):
    """A problem that stops a file from being read at all, with its position (1-based)."""

    message: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"


_BREAK = re.compile(r"\r\n|\r|\n")


def editor_lines(text: str) -> list[str]:
    """The lines of ``text`` as an editor numbers them (``str.splitlines`` also breaks at U+2028 …)."""
    return _BREAK.split(text)


class _Lines:
    """Line and column as editors count them. libyaml also breaks lines at U+0085, U+2028 and
    U+2029, so its own line numbers run ahead of the editor's after one of those; this maps a
    character index to the editor's (line, column) instead, counting only CR, LF and CRLF. The line
    starts are found on first use: most files are never reported on."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    def at_index(self, index: int) -> tuple[int, int]:
        if self._starts is None:
            self._starts = [0, *(m.end() for m in _BREAK.finditer(self.text))]
        line = bisect.bisect_right(self._starts, index)
        return line, index - self._starts[line - 1] + 1

    def at(self, mark: Any) -> tuple[int, int]:
        return self.at_index(mark.index)


class Positions:
    """Where each value of a file starts: ``positions[path]`` is its 1-based ``(line, column)``.
    Kept as character indices, turned into lines and columns only when asked."""

    __slots__ = ("_index", "_lines")

    def __init__(self, lines: _Lines) -> None:
        self._index: dict[Path, int] = {}
        self._lines = lines

    def set(self, path: Path, index: int) -> None:
        self._index[path] = index

    def __contains__(self, path: object) -> bool:
        return path in self._index

    def __getitem__(self, path: Path) -> tuple[int, int]:
        return self._lines.at_index(self._index[path])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Positions) and self._index == other._index

    def __hash__(self) -> int:  # pragma: no cover - positions are compared, never hashed
        raise TypeError("Positions are not hashable")

    def __repr__(self) -> str:
        return f"Positions({ {path: self[path] for path in self._index} })"


def decode(raw: bytes) -> str:
    """Decode UTF-8 strictly, locating the first bad byte; bound the size."""
    if len(raw) > MAX_BYTES:
        raise YamlError(f"file is {len(raw)} bytes; the limit is {MAX_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlError(f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})", line, column) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise YamlError("file contains a NUL character", line, 1)
    return text


class _Builder:
    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.positions = Positions(lines)
        # Stack of (container, path, pending_key, pending_key_index, seen_keys).
        self.stack: list[list[Any]] = []
        self.root: Any = None
        self.documents = 0
        self.nodes = 0

    def _pos(self, event: Any) -> tuple[int, int]:
        return self.lines.at(event.start_mark)

    def _attach(self, value: Any, event: Any) -> Path | None:
        index = event.start_mark.index
        if not self.stack:
            self.root = value
            self.positions.set((), index)
            return ()
        frame = self.stack[-1]
        container, path = frame[0], frame[1]
        if isinstance(container, list):
            child = (*path, len(container))
            container.append(value)
            self.positions.set(child, index)
            return child
        if frame[2] is None:  # this node is a key
            if not isinstance(value, str):
                raise YamlError("mapping keys must be plain strings", *self.lines.at_index(index))
            if value in frame[4]:
                first = self.lines.at_index(frame[4][value])
                raise YamlError(
                    f"duplicate key '{value}' (first defined on line {first[0]})", *self.lines.at_index(index)
                )
            frame[4][value] = index
            frame[2], frame[3] = value, index
            return None
        key, key_index = frame[2], frame[3]
        container[key] = value
        child = (*path, key)
        self.positions.set(child, key_index)
        frame[2] = None
        return child

    def feed(self, event: Any) -> None:
        if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
            return
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise YamlError("a file must hold exactly one YAML document", *self._pos(event))
            return
        if isinstance(event, yaml.AliasEvent):
            raise YamlError("YAML aliases are not allowed", *self._pos(event))
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlError(f"more than {MAX_NODES} YAML nodes", *self._pos(event))
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self.stack.pop()
            return
        if getattr(event, "anchor", None) is not None:
            raise YamlError("YAML anchors are not allowed", *self._pos(event))
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise YamlError(f"YAML tags are not allowed ({tag})", *self._pos(event))
        if isinstance(event, yaml.ScalarEvent):
            value: Any = None if event.implicit[0] and event.value in _NULLS else event.value
            if value is not None and event.implicit[0] and not event.style and _reads_as_number(value):
                value = Unquoted(value)
            self._attach(value, event)
            return
        container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
        path = self._attach(container, event)
        if path is None:
            raise YamlError("mapping keys must be plain strings", *self._pos(event))
        if len(self.stack) >= MAX_DEPTH:
            raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", *self._pos(event))
        self.stack.append([container, path, None, None, {}])


def _hint(problem: str, text: str, line: int) -> str:
    """What the usual cause of a libyaml complaint is, in the words of the fix."""
    lines = editor_lines(text)
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in here[: len(here) - len(here.lstrip())] or ("cannot start any token" in problem and "\t" in here):
        return " (a tab: YAML indents with spaces only)"
    if "mapping values are not allowed" in problem:
        return " (a value that contains ': ' must be quoted, e.g. title: \"LLaDA: Large Language Diffusion Models\")"
    return ""


# Anchors need "&", aliases "*", tags "!": a text without them can have none, so libyaml may compose
# it whole (in C) and only the tree is walked in Python. Anything else, or any error, takes the event
# stream, which stops at the first problem in document order.
_NEEDS_EVENTS = re.compile(r"[&*!]")
_DEFAULT_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


class _ComposeLoader(_Loader):  # type: ignore[misc]
    """libyaml asks the resolver for every node's tag; tags are not used (numbers are recognised
    by :func:`_reads_as_number` where it matters), so the answer is the default one, at once."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return _DEFAULT_TAGS[kind]


class _Walker:
    """Plain data and positions from a composed node tree, as :class:`_Builder` makes them."""

    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.positions = Positions(lines)
        self.nodes = 0

    def value(self, node: Any, path: Path, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlError(f"more than {MAX_NODES} YAML nodes", *self.lines.at(node.start_mark))
        if isinstance(node, yaml.ScalarNode):
            plain = not node.style
            if plain and node.value in _NULLS:
                return None
            if plain and _reads_as_number(node.value):
                return Unquoted(node.value)
            return node.value
        if depth >= MAX_DEPTH:
            raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", *self.lines.at(node.start_mark))
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, child in enumerate(node.value):
                self.positions.set((*path, index), child.start_mark.index)
                items.append(self.value(child, (*path, index), depth + 1))
            return items
        mapping: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            index = key_node.start_mark.index
            key = self.value(key_node, path, depth + 1) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise YamlError("mapping keys must be plain strings", *self.lines.at_index(index))
            if key in seen:
                first = self.lines.at_index(seen[key])[0]
                raise YamlError(f"duplicate key '{key}' (first defined on line {first})", *self.lines.at_index(index))
            seen[key] = index
            self.positions.set((*path, key), index)
            mapping[key] = self.value(value_node, (*path, key), depth + 1)
        return mapping


def _parse_composed(text: str, lines: _Lines) -> tuple[Any, Positions] | None:
    """The fast path, or None to take the event stream (it then reports any problem exactly)."""
    try:
        root = yaml.compose(text, Loader=_ComposeLoader)
    except yaml.YAMLError:
        return None
    if root is None:
        return None
    walker = _Walker(lines)
    walker.positions.set((), root.start_mark.index)
    return walker.value(root, (), 0), walker.positions


def parse(text: str) -> tuple[Any, Positions]:
    """Parse one YAML document safely; raise :class:`YamlError` with a position on any problem."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise YamlError(f"file is larger than {MAX_BYTES} bytes")
    lines = _Lines(text)
    if not _NEEDS_EVENTS.search(text):
        composed = _parse_composed(text, lines)
        if composed is not None:
            return composed
    builder = _Builder(lines)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = lines.at(mark) if mark else (1, 1)
        problem = str(exc.problem or exc.context)
        raise YamlError(f"invalid YAML: {problem}{_hint(problem, text, line)}", line, column) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}") from None
    return builder.root, builder.positions


def locate(positions: Positions, path: Path) -> tuple[int, int]:
    """The position of ``path``, or of its nearest located ancestor."""
    for end in range(len(path), -1, -1):
        if path[:end] in positions:
            return positions[path[:end]]
    return (1, 1)
