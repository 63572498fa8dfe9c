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
from collections.abc import Iterable
from dataclasses import asdict, dataclass


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int
    column: int
    field: str
    message: str

    def text(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.field + ': ' if self.field else ''}{self.message}"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github_annotation(diag: Diagnostic) -> str:
    props = ",".join(
        f"{key}={_escape_property(str(value))}"
        for key, value in (
            ("file", diag.file),
            ("line", diag.line),
            ("col", diag.column),
            ("title", diag.field or "catalog"),
        )
    )
    return f"::error {props}::{_escape_data(diag.message)}"


def render(diagnostics: Iterable[Diagnostic], fmt: str) -> str:
    """Render diagnostics in ``text``, ``github`` or ``json`` format (no trailing newline)."""
    diags = sorted(diagnostics)
    if fmt == "json":
        # "severity" stays in the JSON for its readers; every diagnostic is an error.
        return json.dumps([{**asdict(d), "severity": "error"} for d in diags], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(github_annotation(d) for d in diags)
    return "\n".join(d.text() for d in diags)
