"""Stage 4 helper: the Jinja2 environment every text output is rendered through.

Templates live in the top-level ``templates/`` folder. Python never assembles Markdown: it computes
data and hands it to a template. What a template may rely on:

Filters
    ``md``      escape text for inline Markdown, GitHub's and Python-Markdown's alike, so a title
                such as ``Let [EOS] Lead the Way`` prints literally, ``<script>`` is inert, a
                ``|`` cannot split a table cell and a bare URL or address is not autolinked.
    ``md_url``  make a validated URL safe inside ``[label](url)``.
    ``anchor``  the GitHub-style heading anchor of a text.
    ``yaml_str`` a YAML double-quoted scalar, for entry files and front matter.
    ``bibtex``  escape text for a braced BibTeX value; ``bibtex_name`` for one author (braced when
                it contains "and"); ``bibtex_url`` for the url field.
    ``date_shown`` an entry's date as every page shows it: ``2025-02-14``, or ``Feb 2025`` when only
                the month is known (``date_precision: month``).
Globals
    ``link_label(kind)``  the human label for a link kind (``code`` → ``Code``).
    ``training_labels``   a model's ``training`` value → its words (``ar-adapted`` → ``adapted from …``).

HTML, SVG and XML templates (``*.html.j2``, ``*.svg.j2``, ``*.xml.j2``) are autoescaped; Markdown templates are not,
so they must use ``md`` on every piece of entry text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Protocol

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .models import TRAINING_LABELS

# One escaping that holds in both GitHub Markdown (README) and Python-Markdown (site): backslash
# escapes for characters both accept, character references for those only one of them accepts
# (Python-Markdown prints "\|", "\~" and "\$" literally). "{" and "}" are escaped so attr_list
# cannot turn text into attributes.
_MD_ESCAPES = {ch: "\\" + ch for ch in "\\`*_[]#{}"}
_MD_ESCAPES.update({"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", "~": "&#126;", "$": "&#36;"})
# "&" only matters where it would start a character reference ("&lt;" must stay literal).
_MD_TABLE = re.compile(r"[\\`*_\[\]#{}<>|~$]|&(?=#?\w+;)")
# Text that starts a line must not start a list, quote or heading either.
_LINE_START = re.compile(r"^(\d+)([.)])(?=\s)|^([-+])(?=\s)")
_URL_ESCAPES = {"(": "%28", ")": "%29", "<": "%3C", ">": "%3E", " ": "%20", "\\": "%5C", '"': "%22"}

LINK_LABELS = {
    "paper": "Paper",
    "code": "Code",
    "project": "Project",
    "huggingface": "Hugging Face",
    "blog": "Blog",
    "demo": "Demo",
    "docs": "Docs",
    "video": "Video",
}


# GitHub turns bare "https://…", "www.…" and e-mail addresses in text into live links, whatever the
# escaping (it scans text after entities are decoded). A word joiner (U+2060, invisible) splits them.
_AUTOLINK = re.compile(r"(?i)\b(https?)(?=:)|\b(www)(?=\.)|(?<=[\w.+-])(@)(?=[\w-]+\.)")
_JOINER = "\u2060"


def md(text: object, links: bool = False) -> str:
    """Escape ``text`` for inline Markdown; newlines collapse to spaces; no autolinks unless
    ``links`` (a URL shown as such, e.g. in the link report, may stay clickable)."""
    flat = " ".join(str(text).split())
    escaped = _MD_TABLE.sub(lambda m: _MD_ESCAPES[m.group(0)], flat)
    if not links:
        escaped = _AUTOLINK.sub(lambda m: m.group(0) + _JOINER, escaped)
    return _LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", escaped)


def md_url(url: object) -> str:
    return "".join(_URL_ESCAPES.get(ch, ch) for ch in str(url))


def anchor(text: object) -> str:
    """GitHub's heading anchor: lowercase, punctuation dropped, spaces to hyphens."""
    lowered = str(text).strip().lower()
    kept = re.sub(r"[^\w\- ]", "", lowered)
    return kept.replace(" ", "-")


def yaml_str(text: object) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(str(text), ensure_ascii=False)


_BIBTEX_ESCAPES = {
    # BibTeX counts every brace, escaped or not, so braces become commands with balanced "{}".
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX = re.compile(r"[\\{}&%$#_~^]")


def bibtex(text: object) -> str:
    """Escape text for a braced BibTeX value: LaTeX specials neutralised, braces always balanced."""
    flat = " ".join(str(text).split())
    return _BIBTEX.sub(lambda m: _BIBTEX_ESCAPES[m.group(0)], flat)


_AND = re.compile(r"\band\b", re.IGNORECASE)


def bibtex_name(name: object) -> str:
    """One author for a BibTeX ``author`` list: braced whole when it contains the word "and", which
    BibTeX would take for the separator between two authors."""
    escaped = bibtex(name)
    return f"{{{escaped}}}" if _AND.search(escaped) else escaped


def bibtex_url(url: object) -> str:
    return "".join({"{": "%7B", "}": "%7D", "\\": "%5C"}.get(ch, ch) for ch in str(url))


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class _Dated(Protocol):
    @property
    def date(self) -> dt.date: ...
    @property
    def date_precision(self) -> str: ...


def date_shown(entry: _Dated) -> str:
    """The one way the site writes an entry's date: ``2025-02-14``, or ``Feb 2025`` for month precision
    (English month names whatever the locale, so every build prints the same)."""
    if entry.date_precision == "month":
        return f"{_MONTHS[entry.date.month - 1]} {entry.date.year}"
    return entry.date.isoformat()


def link_label(kind: str) -> str:
    return LINK_LABELS.get(kind, kind.title())


def templates_dir() -> Path:
    """The templates: the copy packaged in the wheel, else the checkout's top-level ``templates/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parents[1] / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("templates folder not found")


def _autoescaped(name: str | None) -> bool:
    return name is not None and name.endswith((".html.j2", ".xml.j2", ".svg.j2"))


def environment(directory: Path | None = None) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(directory or templates_dir())),
        autoescape=_autoescaped,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        md=md,
        md_url=md_url,
        anchor=anchor,
        yaml_str=yaml_str,
        bibtex=bibtex,
        bibtex_name=bibtex_name,
        bibtex_url=bibtex_url,
        date_shown=date_shown,
    )
    env.globals.update(link_label=link_label, training_labels=TRAINING_LABELS)
    # ``tojson`` output is safe inside <script type="application/json">: it escapes <, >, & and '.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}
    return env
