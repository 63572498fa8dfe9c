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


def split_blocks(text: str) -> Layout:
    """The list's candidate entries, headings and reference definitions."""
    layout = Layout()
    lines = _prepare(text, layout)
    path: list[Heading] = []
    restore: list[tuple[int, list[Heading]]] = []  # (closing line index, path) of <details> sections
    last_heading: Heading | None = None
    header: list[str] | None = None
    items: list[tuple[int, Block]] = []  # open list items, (indent, block)
    linked_heading: Block | None = None  # a heading holding links: the entry the next lines complete
    i = 0

    def add(block: Block) -> None:
        nonlocal last_heading
        block.after_heading = last_heading
        last_heading = None
        layout.blocks.append(block)

    while i < len(lines):
        raw = lines[i]
        while restore and i > restore[-1][0]:
            path = restore.pop()[1]
        if not raw.strip():
            i += 1
            continue
        number = i + 1
        heading = _heading_of(raw)
        if heading and not linkmod.find_links(heading[1], layout.references):
            level, words = heading
            current = Heading(level, linkmod.plain(words), number)
            path = [h for h in path if h.level < level] + [current]
            layout.headings.append(current)
            last_heading, items, header, linked_heading = current, [], None, None
            i += 1
            continue
        stripped = raw.strip()
        if re.match(r"^<table\b", stripped, re.I):
            end = _closing(lines, i, r"<table\b", r"</table>")
            _html_table(lines, i, end, path, layout)
            last_heading, items, i = None, [], end + 1
            continue
        if re.match(r"^(?:[-*+]\s+)?<details\b", stripped, re.I) and not items:
            end = _closing(lines, i, r"<details\b", r"</details>")
            chunk = "\n".join(lines[i : end + 1])
            summary = re.search(r"<summary\b[^>]*>(.*?)</summary>", chunk, re.I | re.S)
            if summary and not linkmod.find_links(summary.group(1), layout.references):
                level = (path[-1].level if path else 0) + 1
                current = Heading(level, linkmod.plain(summary.group(1)), number)
                restore.append((end, path))
                path = [*path, current]
                layout.headings.append(current)
                last_heading = current
                i = i + 1 + chunk[: summary.end()].count("\n")
                continue
            if summary:
                body = [(i + 1 + k, line) for k, line in enumerate(lines[i : end + 1]) if line.strip()]
                add(Block("details", body, list(path)))
                i = end + 1
                continue
        if _is_table_line(lines, i):
            if i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1]):
                header = [linkmod.plain(c).lower() for c in _cells(raw)]
                i += 2
                continue
            if not _TABLE_RULE.match(raw):
                add(Block("row", [(number, raw)], list(path), cells=_cells(raw), header=header))
            i += 1
            continue
        header = None
        item = _ITEM.match(raw)
        if item:
            linked_heading = None
        if item and not _TABLE_RULE.match(raw):
            indent = _indent(raw)
            while items and items[-1][0] >= indent:
                items.pop()
            parent = items[-1][1] if items else None
            block = Block("item", _hard_lines(number, item.group(3)), list(path))
            block.parent_text = parent.text if parent else None
            add(block)
            items.append((indent, block))
            i += 1
            continue
        if items:
            # a continuation of the innermost open item: indented, or lazy right after it
            previous_blank = not lines[i - 1].strip()
            if not previous_blank or _indent(raw) > items[-1][0]:
                owner = next((b for ind, b in reversed(items) if _indent(raw) > ind), items[-1][1])
                owner.lines.extend(_hard_lines(number, raw.strip()))
                i += 1
                continue
            items = []
        paragraph: list[tuple[int, str]] = []
        while i < len(lines) and lines[i].strip():
            raw = lines[i]
            if paragraph and (_heading_of(raw) or _ITEM.match(raw) or _is_table_line(lines, i)):
                break
            paragraph.extend(_hard_lines(i + 1, raw.strip()))
            i += 1
        groups = _split_paragraph(paragraph, layout.references)
        if groups and _heading_of(groups[0][0][1]):
            linked_heading = Block("heading", groups.pop(0), list(path))
            add(linked_heading)
        for group in groups:
            if linked_heading is not None and not _starts_title(group[0][1]):
                linked_heading.lines.extend(group)  # "### [Title](…)" then a line of its date and links
                continue
            linked_heading = None
            add(Block("paragraph", group, list(path)))
    return layout
