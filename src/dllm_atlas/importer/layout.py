"""Layout detection: a Markdown list → candidate entries (:class:`Block`) under their headings.

:func:`split_blocks` reads the list once, line by line, and cuts it into blocks, each one
candidate entry with the line numbers it came from:

* a bullet or numbered item with its continuation lines (indented, lazy, or after a blank line
  when indented: ``1. **Title**\\`` then ``   *Authors* Venue [[Paper](…)]``); a nested item is a
  block of its own that knows its parent's text (a parent without links is a group label);
* a Markdown table row (the header row gives the column names; rows need not end with ``|``) or an
  HTML ``<table>`` row (``<td>`` cells);
* a ``<details>`` element whose ``<summary>`` holds links (one entry); a summary without links is a
  section heading for what the element holds;
* a paragraph: lines up to a blank line, where hard breaks (two trailing spaces, ``\\``, ``<br>``)
  keep lines apart; a paragraph holding several entries is split where a new title starts after
  an entry already has links (a bold or linked title, or a plain line followed by its link line).

Headings (``#`` or ``<h2>``) form the heading path each block carries; a heading holding links is an
entry itself, and a block right under a heading knows it (``after_heading``), so a heading that is
the entry's title can be used. Fenced code and HTML comments are skipped; reference definitions
(``[ref]: url``) are collected for :func:`links.find_links`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import links as linkmod

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_HTML_HEADING = re.compile(r"^\s*<h([1-6])[^>]*>(.*?)</h\1>\s*$", re.I)
_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+(.*)$")
_TABLE_RULE = re.compile(r"^(?=.*\|)\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")  # "|:-:|" too
_BR = re.compile(r"<br\s*/?>", re.I)
_TITLE_START = re.compile(
    r"^\s*(?:[>\d.)\s]*)?(?:\[[^\]]{0,30}\d{4}[^\]]*\]\s*|\S{0,4}\d{4}\S{0,6}[,:\s-]+)?(?:\*\*|__|<b>|<strong>|\[(?!!|\[)[^\]]{12,}\]\()",
    re.I,
)
_ITALIC_LINE = re.compile(r"^\s*([*_])(?![*_]).+\1[\s.,]*$")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # plain text
    line: int


@dataclass
class Block:
    kind: str  # item, row, details, paragraph, heading
    lines: list[tuple[int, str]]
    headings: list[Heading]
    cells: list[str] | None = None
    header: list[str] | None = None
    after_heading: Heading | None = None
    parent_text: str | None = None  # the text of the item this item is nested in

    @property
    def line(self) -> int:
        return self.lines[0][0]

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.lines)


@dataclass
class Layout:
    blocks: list[Block] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    references: dict[str, str] = field(default_factory=dict)


def _prepare(text: str, layout: Layout) -> list[str]:
    """Lines with fenced code, HTML comments and reference definitions blanked (numbers kept)."""
    text = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    lines = text.splitlines()
    fence: str | None = None
    for i, raw in enumerate(lines):
        stripped = raw.lstrip()
        if fence is None and stripped.startswith(("```", "~~~")):
            fence, lines[i] = stripped[:3], ""
        elif fence is not None:
            fence = None if stripped.startswith(fence) else fence
            lines[i] = ""
        else:
            ref = linkmod.REF_DEFINITION.match(raw)
            if ref and ref.group(2).startswith(("http://", "https://")):
                layout.references[ref.group(1).strip().lower()] = ref.group(2)
                lines[i] = ""
            elif ref:
                lines[i] = ""  # "[//]: # (comment)" and other definitions
    return lines


def _heading_of(raw: str) -> tuple[int, str] | None:
    match = _HEADING.match(raw) or _HTML_HEADING.match(raw)
    return (
        (len(match.group(1)) if match.group(1).startswith("#") else int(match.group(1)), match.group(2))
        if match
        else None
    )


def _cells(raw: str) -> list[str]:
    body = raw.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", body)]


def _is_table_line(lines: list[str], i: int) -> bool:
    raw = lines[i].strip()
    if not raw.startswith("|"):
        return False
    return raw.count("|") >= 2 or (i + 1 < len(lines) and bool(_TABLE_RULE.match(lines[i + 1])))


def _indent(raw: str) -> int:
    return len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip())


def _starts_title(line: str) -> bool:
    return bool(_TITLE_START.match(line))


def _split_paragraph(lines: list[tuple[int, str]], references: dict[str, str]) -> list[list[tuple[int, str]]]:
    """Cut a paragraph where a new entry starts after the current one already has a link."""
    groups: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    has_link = False
    for k, (number, line) in enumerate(lines):
        here = bool(linkmod.find_links(line, references))
        if current and has_link:
            following = lines[k + 1][1] if k + 1 < len(lines) else ""
            plain_title = (
                not here
                and not _ITALIC_LINE.match(line)
                and bool(linkmod.find_links(following, references))
                and not _starts_title(following)
                and not _ITALIC_LINE.match(following)
            )
            if _starts_title(line) or plain_title:
                groups.append(current)
                current, has_link = [], False
        current.append((number, line))
        has_link = has_link or here
    if current:
        groups.append(current)
    return groups


def _hard_lines(number: int, raw: str) -> list[tuple[int, str]]:
    return [(number, part) for part in _BR.split(raw) if part.strip()]


def _html_table(lines: list[str], start: int, end: int, headings: list[Heading], layout: Layout) -> None:
    """Rows of an HTML table spanning lines ``start..end`` (inclusive) as blocks."""
    chunk = "\n".join(lines[start : end + 1])
    for row in re.finditer(r"<tr\b.*?</tr>", chunk, re.I | re.S):
        number = start + 1 + chunk[: row.start()].count("\n")
        cells = re.findall(r"<t([dh])\b[^>]*>(.*?)</t\1>", row.group(0), re.I | re.S)
        if not cells or all(kind.lower() == "h" for kind, _ in cells):
            continue
        values = [" ".join(value.split()) for _, value in cells]
        layout.blocks.append(Block("row", [(number, " | ".join(values))], list(headings), cells=values))


def _closing(lines: list[str], start: int, opening: str, closing: str) -> int:
    """The line index where the element opened on ``start`` closes (nesting counted)."""
    depth = 0
    for j in range(start, len(lines)):
        depth += len(re.findall(opening, lines[j], re.I)) - len(re.findall(closing, lines[j], re.I))
        if depth <= 0:
            return j
    return len(lines) - 1


class _Scanner:
    """One pass over a list's lines: each ``_…`` method reads one construct at line index ``i`` and
    returns the index after it, or None when the line is not that construct."""

    def __init__(self, text: str) -> None:
        self.layout = Layout()
        self.lines = _prepare(text, self.layout)
        self.path: list[Heading] = []
        self.restore: list[tuple[int, list[Heading]]] = []  # (closing line index, path) of <details> sections
        self.last_heading: Heading | None = None  # a heading nothing has followed yet
        self.header: list[str] | None = None  # the column names of the table being read
        self.items: list[tuple[int, Block]] = []  # open list items, (indent, block)
        self.linked_heading: Block | None = None  # a heading holding links: the entry the next lines complete

    def run(self) -> Layout:
        i = 0
        while i < len(self.lines):
            while self.restore and i > self.restore[-1][0]:
                self.path = self.restore.pop()[1]
            if not self.lines[i].strip():
                i += 1
                continue
            for read in (
                self._heading,
                self._html_table,
                self._details,
                self._table_row,
                self._item,
                self._continuation,
            ):
                after = read(i)
                if after is not None:
                    i = after
                    break
            else:
                i = self._paragraph(i)
        return self.layout

    def _add(self, block: Block) -> None:
        block.after_heading, self.last_heading = self.last_heading, None
        self.layout.blocks.append(block)

    def _heading(self, i: int) -> int | None:
        heading = _heading_of(self.lines[i])
        if not heading or linkmod.find_links(heading[1], self.layout.references):
            return None  # a heading holding links is an entry: read as a paragraph
        level, words = heading
        current = Heading(level, linkmod.plain(words), i + 1)
        self.path = [h for h in self.path if h.level < level] + [current]
        self.layout.headings.append(current)
        self.last_heading, self.items, self.header, self.linked_heading = current, [], None, None
        return i + 1

    def _html_table(self, i: int) -> int | None:
        if not re.match(r"^<table\b", self.lines[i].strip(), re.I):
            return None
        end = _closing(self.lines, i, r"<table\b", r"</table>")
        _html_table(self.lines, i, end, self.path, self.layout)
        self.last_heading, self.items = None, []
        return end + 1

    def _details(self, i: int) -> int | None:
        if self.items or not re.match(r"^(?:[-*+]\s+)?<details\b", self.lines[i].strip(), re.I):
            return None
        end = _closing(self.lines, i, r"<details\b", r"</details>")
        chunk = "\n".join(self.lines[i : end + 1])
        summary = re.search(r"<summary\b[^>]*>(.*?)</summary>", chunk, re.I | re.S)
        if summary is None:
            return None
        if linkmod.find_links(summary.group(1), self.layout.references):
            body = [(i + 1 + k, line) for k, line in enumerate(self.lines[i : end + 1]) if line.strip()]
            self._add(Block("details", body, list(self.path)))
            return end + 1
        # a summary without links names a section: a heading until </details>
        current = Heading((self.path[-1].level if self.path else 0) + 1, linkmod.plain(summary.group(1)), i + 1)
        self.restore.append((end, self.path))
        self.path = [*self.path, current]
        self.layout.headings.append(current)
        self.last_heading = current
        return i + 1 + chunk[: summary.end()].count("\n")

    def _table_row(self, i: int) -> int | None:
        if not _is_table_line(self.lines, i):
            return None
        raw = self.lines[i]
        if i + 1 < len(self.lines) and _TABLE_RULE.match(self.lines[i + 1]):
            self.header = [linkmod.plain(c).lower() for c in _cells(raw)]
            return i + 2
        if not _TABLE_RULE.match(raw):
            self._add(Block("row", [(i + 1, raw)], list(self.path), cells=_cells(raw), header=self.header))
        return i + 1

    def _item(self, i: int) -> int | None:
        self.header = None
        raw = self.lines[i]
        item = _ITEM.match(raw)
        if not item:
            return None
        self.linked_heading = None
        indent = _indent(raw)
        while self.items and self.items[-1][0] >= indent:
            self.items.pop()
        block = Block("item", _hard_lines(i + 1, item.group(3)), list(self.path))
        block.parent_text = self.items[-1][1].text if self.items else None
        self._add(block)
        self.items.append((indent, block))
        return i + 1

    def _continuation(self, i: int) -> int | None:
        """A line of the innermost open item: indented, or lazy right after it."""
        if not self.items:
            return None
        raw = self.lines[i]
        if self.lines[i - 1].strip() or _indent(raw) > self.items[-1][0]:
            owner = next((b for ind, b in reversed(self.items) if _indent(raw) > ind), self.items[-1][1])
            owner.lines.extend(_hard_lines(i + 1, raw.strip()))
            return i + 1
        self.items = []
        return None

    def _paragraph(self, i: int) -> int:
        paragraph: list[tuple[int, str]] = []
        while i < len(self.lines) and self.lines[i].strip():
            raw = self.lines[i]
            if paragraph and (_heading_of(raw) or _ITEM.match(raw) or _is_table_line(self.lines, i)):
                break
            paragraph.extend(_hard_lines(i + 1, raw.strip()))
            i += 1
        groups = _split_paragraph(paragraph, self.layout.references)
        if groups and _heading_of(groups[0][0][1]):
            self.linked_heading = Block("heading", groups.pop(0), list(self.path))
            self._add(self.linked_heading)
        for group in groups:
            if self.linked_heading is not None and not _starts_title(group[0][1]):
                self.linked_heading.lines.extend(group)  # "### [Title](…)" then a line of its date and links
                continue
            self.linked_heading = None
            self._add(Block("paragraph", group, list(self.path)))
        return i


def split_blocks(text: str) -> Layout:
    """The list's candidate entries, headings and reference definitions."""
    return _Scanner(text).run()
