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
Positions = dict[Path, tuple[int, int]]


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
    character index to the editor's (line, column) instead, counting only CR, LF and CRLF."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in _BREAK.finditer(text))]

    def at(self, mark: Any) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, mark.index)
        return line, mark.index - self.starts[line - 1] + 1


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
        self.positions: Positions = {}
        # Stack of (container, path, pending_key, pending_key_pos, seen_keys).
        self.stack: list[list[Any]] = []
        self.root: Any = None
        self.documents = 0
        self.nodes = 0

    def _pos(self, event: Any) -> tuple[int, int]:
        return self.lines.at(event.start_mark)

    def _attach(self, value: Any, event: Any) -> Path | None:
        pos = self._pos(event)
        if not self.stack:
            self.root = value
            self.positions[()] = pos
            return ()
        frame = self.stack[-1]
        container, path = frame[0], frame[1]
        if isinstance(container, list):
            child = (*path, len(container))
            container.append(value)
            self.positions[child] = pos
            return child
        if frame[2] is None:  # this node is a key
            if not isinstance(value, str):
                raise YamlError("mapping keys must be plain strings", *pos)
            if value in frame[4]:
                first = frame[4][value]
                raise YamlError(f"duplicate key '{value}' (first defined on line {first[0]})", *pos)
            frame[4][value] = pos
            frame[2], frame[3] = value, pos
            return None
        key, key_pos = frame[2], frame[3]
        container[key] = value
        child = (*path, key)
        self.positions[child] = key_pos
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
_MAPPING_TAG = "tag:yaml.org,2002:map"


class _Walker:
    """Plain data and positions from a composed node tree, as :class:`_Builder` makes them."""

    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.positions: Positions = {}
        self.nodes = 0

    def value(self, node: Any, path: Path, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlError(f"more than {MAX_NODES} YAML nodes", *self.lines.at(node.start_mark))
        if isinstance(node, yaml.ScalarNode):
            plain = not node.style
            if plain and node.value in _NULLS:
                return None
            if plain and node.tag in _NUMBER_TAGS:
                return Unquoted(node.value)
            return node.value
        if depth >= MAX_DEPTH:
            raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", *self.lines.at(node.start_mark))
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, child in enumerate(node.value):
                self.positions[(*path, index)] = self.lines.at(child.start_mark)
                items.append(self.value(child, (*path, index), depth + 1))
            return items
        mapping: dict[str, Any] = {}
        seen: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            pos = self.lines.at(key_node.start_mark)
            key = self.value(key_node, path, depth + 1) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise YamlError("mapping keys must be plain strings", *pos)
            key = str(key)  # an Unquoted key is just a key
            if key in seen:
                raise YamlError(f"duplicate key '{key}' (first defined on line {seen[key][0]})", *pos)
            seen[key] = pos
            self.positions[(*path, key)] = pos
            mapping[key] = self.value(value_node, (*path, key), depth + 1)
        return mapping


def _parse_composed(text: str, lines: _Lines) -> tuple[Any, Positions] | None:
    """The fast path, or None to take the event stream (it then reports any problem exactly)."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    if root is None:
        return None
    walker = _Walker(lines)
    walker.positions[()] = lines.at(root.start_mark)
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
