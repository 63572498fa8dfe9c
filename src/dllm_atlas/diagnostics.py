"""Located problems and the three ways ``dllm-atlas validate`` prints them.

A :class:`Diagnostic` names a file, a 1-based line and column, the field path inside the entry and a
message. Every stage (load, check) returns diagnostics instead of raising, so one run reports every
problem in the catalog.

Formats:

``text``
    ``catalog/papers/llada.yaml:7:3: links.code: URL scheme must be http or https``
``github``
    GitHub Actions workflow commands (``::error file=…,line=…,col=…,title=…::message``) with the
    toolkit's escaping, so each problem is annotated on the pull request's diff.
``json``
    A JSON list of objects with ``file``, ``line``, ``column``, ``field``, ``message``, ``severity``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

# Beyond the C0 controls: DEL and the C1 controls, zero-width space, line and paragraph separators,
# bidi overrides and isolates, word joiner, BOM. A regex character class, shared with the text rule
# of the models (models._INVISIBLE), which adds the noncharacters and keeps tab and newline.
INVISIBLE_CLASS = "\x7f-\x9f\u200b\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff"
# What a terminal or a log would act on instead of print: control characters (a message can quote an
# entry's text, ESC sequences included) and the invisible ones above.
_UNPRINTABLE = re.compile(f"[\x00-\x1f{INVISIBLE_CLASS}]")


def printable(text: str, keep: str = "") -> str:
    """``text`` with every such character (but those in ``keep``) written as an escape (``\\x1b``,
    ``\\u202e``), so a message prints as one inert line."""

    def escape(m: re.Match[str]) -> str:
        ch = m.group()
        if ch in keep:
            return ch
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"

    return _UNPRINTABLE.sub(escape, text)


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int
    column: int
    field: str
    message: str

    def text(self) -> str:
        where = f"{printable(self.file)}:{self.line}:{self.column}"
        return f"{where}: {printable(self.field) + ': ' if self.field else ''}{printable(self.message)}"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github_annotation(diag: Diagnostic) -> str:
    props = ",".join(
        f"{key}={_escape_property(str(value))}"
        for key, value in (
            ("file", printable(diag.file)),
            ("line", diag.line),
            ("col", diag.column),
            ("title", printable(diag.field) or "catalog"),
        )
    )
    # Line breaks stay: the toolkit's escaping carries them (%0A) into a multi-line annotation.
    return f"::error {props}::{_escape_data(printable(diag.message, keep=chr(10) + chr(13)))}"


def render(diagnostics: Iterable[Diagnostic], fmt: str) -> str:
    """Render diagnostics in ``text``, ``github`` or ``json`` format (no trailing newline)."""
    diags = sorted(diagnostics)
    if fmt == "json":
        # "severity" stays in the JSON for its readers; every diagnostic is an error.
        return json.dumps([{**asdict(d), "severity": "error"} for d in diags], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(github_annotation(d) for d in diags)
    return "\n".join(d.text() for d in diags)
