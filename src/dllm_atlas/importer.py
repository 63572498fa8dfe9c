"""Importer: an awesome list written in Markdown → draft entry files.

``dllm-atlas import-markdown FILE -o DIR [--catalog DIR]`` reads a list of papers in any of the
usual layouts — bullet items (``- **Title** - *May 1, 2025* <a href=…>arXiv</a>``, ``* Title, venue
[[arXiv](…)]``, ``- [Title](url) (venue)``), numbered items, and Markdown tables with a title
column — and writes one draft per resource to ``DIR/<kind>s/<id>.yaml``.

For each resource it recovers the title, the date (only when the list gives a full day: a month
alone is not a date, and we never invent one), the links (classified as paper, code, project, Hugging
Face, blog, demo), the canonical arXiv id (from ``abs``/``pdf``/``html`` links, with or without
version, or ``arXiv:ID`` text), and topics guessed from the section headings above it by matching the
taxonomy's names and aliases. The same resource listed in several sections becomes one draft with
every topic. Resources already in ``--catalog`` (same arXiv id or title) are skipped, and so are
papers that ``exclusions.yaml`` excludes (each named with its reason); existing files are never
overwritten.

Everything it could not parse is reported with its line number. Drafts are deliberately incomplete:
summary, authors and anything not in the list are left for a curator, and a draft without topics or
date fails validation until someone fills them in.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment

from . import arxivid, drafts
from .check import normalise_title
from .drafts import Draft, short_name_of
from .fsutil import write_atomic
from .load import Catalog
from .models import Taxonomy

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_LINK = re.compile(
    r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^()\s<>]+(?:\([^()\s]*\))?[^()\s<>]*)>?(?:\s+\"[^\"]*\")?\s*\)"
)
_HTML_LINK = re.compile(r"<a\s[^>]*?href\s*=\s*[\"']([^\"']+)[\"'][^>]*>(.*?)</a>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        1,
    )
}
_MONTHS.update({name[:3]: number for name, number in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_DATE_PATTERNS = (
    (re.compile(r"\b([A-Z][a-z]{2,8})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b"), ("month", "day", "year")),
    (re.compile(r"\b(\d{1,2})\s+([A-Z][a-z]{2,8})\.?,?\s+(\d{4})\b"), ("day", "month", "year")),
    (re.compile(r"\b(\d{4})[-./](\d{1,2})[-./](\d{1,2})\b"), ("year", "month", "day")),
)
_GENERIC_LABELS = {
    "arxiv",
    "paper",
    "pdf",
    "code",
    "github",
    "project",
    "project page",
    "page",
    "website",
    "blog",
    "blog post",
    "demo",
    "hugging face",
    "huggingface",
    "hf",
    "model",
    "models",
    "link",
    "openreview",
    "html",
    "abs",
    "web",
    "homepage",
    "dataset",
    "weights",
    "repo",
    "official",
    "📄",
    "💻",
    "🤗",
    "video",
    "slides",
    "poster",
    "tweet",
    "x",
    "twitter",
    "techrxiv",
    "iclr blog",
    "notion",
}
_KIND_HEADINGS = (
    ("framework", ("librar", "framework", "toolkit", "tools", "codebase", "engine", "software")),
    ("model", ("models", "model release", "open model", "base model")),
    ("dataset", ("dataset",)),
    ("benchmark", ("benchmark",)),
    ("article", ("blog", "article", "talk", "tutorial", "video", "course")),
)


@dataclass
class Skipped:
    line: int
    text: str
    reason: str


@dataclass
class ImportResult:
    drafts: list[Draft] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    merged: int = 0


@dataclass
class ImportReport:
    """What :func:`import_list` did, line by line, for the command to tell."""

    written: list[tuple[Draft, Path]] = field(default_factory=list)
    incomplete: list[tuple[Draft, Path, list[str]]] = field(default_factory=list)  # written, but lacking these
    exists: list[tuple[Draft, Path]] = field(default_factory=list)  # a file is already there: not overwritten
    known: list[tuple[Draft, str]] = field(default_factory=list)  # already in the catalog, at this path
    excluded: list[tuple[Draft, str]] = field(default_factory=list)  # excluded, with the reason
    skipped: list[Skipped] = field(default_factory=list)
    merged: int = 0


def _plain(text: str) -> str:
    """Markdown/HTML inline text → plain text."""
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    text = _HTML_LINK.sub(lambda m: m.group(2), text)
    text = _TAG.sub(" ", text)
    text = re.sub(r"(\*\*|__|`|(?<!\w)[*_](?!\s)|(?<!\s)[*_](?!\w))", "", text)
    text = html.unescape(text).replace("\\", "")
    return " ".join(text.split())


def _links(text: str) -> list[tuple[str, str]]:
    """(label, url) pairs in order of appearance, from Markdown and HTML links (badges included)."""
    found: list[tuple[int, str, str]] = []
    for m in _MD_LINK.finditer(text):
        found.append((m.start(), _plain(m.group(1)), m.group(2)))
    for m in _HTML_LINK.finditer(text):
        found.append((m.start(), _plain(m.group(2)), html.unescape(m.group(1))))
    pairs = []
    for _, label, url in sorted(found):
        url = url.strip().replace("\\&", "&")
        if url.startswith(("http://", "https://")) and "img.shields.io" not in url:
            pairs.append((label, url))
    return pairs


def _parse_date(text: str) -> dt.date | None:
    for pattern, order in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups(), strict=True))
            month_raw = parts["month"]
            month = int(month_raw) if month_raw.isdigit() else _MONTHS.get(month_raw.lower().rstrip("."))
            if not month:
                continue
            try:
                return dt.date(int(parts["year"]), month, int(parts["day"]))
            except ValueError:
                continue
    return None


def _classify(label: str, url: str) -> str | None:
    host = (urlsplit(url).hostname or "").lower()
    low = label.lower()
    if "arxiv.org" in host:
        return "paper"
    if host in ("github.com", "gitlab.com") or "code" in low or "github" in low:
        return "code" if host in ("github.com", "gitlab.com", "codeberg.org") else "project"
    if "huggingface.co" in host or "hugging" in low or low in ("hf", "🤗"):
        return "huggingface"
    if "demo" in low or "playground" in low:
        return "demo"
    if any(k in low for k in ("blog", "post", "notion")) or any(
        k in host for k in ("medium.com", "substack.com", "notion.site", "notion.so")
    ):
        return "blog"
    if host.endswith("github.io") or any(k in low for k in ("project", "page", "website", "homepage")):
        return "project"
    if any(
        k in host for k in ("openreview.net", "aclanthology.org", "proceedings", "neurips.cc", "techrxiv", "doi.org")
    ) or low in ("paper", "pdf"):
        return "paper"
    if "youtube.com" in host or "video" in low:
        return "video"
    return None


def _canonical_arxiv(text: str, links: list[tuple[str, str]]) -> str | None:
    for _, url in links:
        found = arxivid.find_in_url(url)
        if found:
            return found
    return arxivid.find_in_text(text)


def _choose_title(body: str, cells: list[str] | None, links: list[tuple[str, str]]) -> str | None:
    bold = _BOLD.search(body)
    if bold:
        candidate = _plain(bold.group(1) or bold.group(2))
        if len(candidate) > 3 and candidate.lower() not in _GENERIC_LABELS:
            return candidate
    for label, _ in links:
        if len(label) > 12 and label.lower() not in _GENERIC_LABELS:
            return label
    pieces = cells if cells is not None else re.split(r"\s+[-—–|]\s+|,\s+(?=[A-Z][A-Za-z]*\s*\d{4})|\s\[\[|\(", body)
    best = ""
    for piece in pieces:
        text = _plain(_MD_LINK.sub("", _HTML_LINK.sub("", piece))).strip(" -—–:,;[]()")
        if _parse_date(text) or re.fullmatch(r"[\d.\s/-]+", text or "0"):
            continue
        if cells is None:
            return text or None
        if len(text.split()) >= 3 and len(text) > len(best):
            best = text
    return best or None


def _strip_title(title: str) -> str:
    title = re.sub(r"\s*\((?:[A-Z][\w&@.\s-]*\d{4}[^)]*|arxiv)\)\s*$", "", title, flags=re.I)
    return title.strip(" -—–:,;*\"'“”")


class TopicGuesser:
    """Match section headings against the taxonomy's topic names, slugs and aliases."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.exact: dict[str, str] = {}
        for area in taxonomy.areas:
            for topic in area.topics:
                for label in [topic.slug.replace("-", " "), topic.name, *topic.aliases]:
                    self.exact.setdefault(normalise_title(label), topic.slug)

    def guess(self, heading: str) -> str | None:
        key = normalise_title(re.sub(r"[^\w\s&/-]", " ", heading))
        if key in self.exact:
            return self.exact[key]
        for label, slug in sorted(self.exact.items(), key=lambda kv: -len(kv[0])):
            if len(label) > 3 and re.search(rf"\b{re.escape(label)}\b", key):
                return slug
        return None


def _kind_for(headings: list[str]) -> str:
    for heading in reversed(headings):
        low = heading.lower()
        for kind, needles in _KIND_HEADINGS:
            if any(n in low for n in needles):
                return kind
    return "paper"


def parse_markdown(text: str, guesser: TopicGuesser) -> ImportResult:
    """Find every resource in a Markdown list; report what could not be parsed."""
    result = ImportResult()
    headings: list[tuple[int, str]] = []
    lines = text.splitlines()
    in_fence = False
    for number, raw in enumerate(lines, 1):
        if raw.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        heading = _HEADING.match(raw)
        if heading:
            level = len(heading.group(1))
            headings = [h for h in headings if h[0] < level] + [(level, _plain(heading.group(2)))]
            continue
        cells: list[str] | None = None
        row = _TABLE_ROW.match(raw)
        if row:
            if _TABLE_RULE.match(raw):
                continue
            if number < len(lines) and _TABLE_RULE.match(lines[number]):
                continue  # the header row of a table
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", row.group(1))]
            body = raw
        else:
            item = _LIST_ITEM.match(raw)
            if not item:
                continue
            body = item.group(1)
        links = _links(body)
        if not links:
            if cells is None and len(_plain(body)) > 20 and not raw.startswith(" "):
                result.skipped.append(Skipped(number, raw.strip(), "no link"))
            continue
        title = _choose_title(body, cells, links)
        if not title:
            result.skipped.append(Skipped(number, raw.strip(), "no title found"))
            continue
        title = _strip_title(title)
        if len(title) < 4 or title.lower() in _GENERIC_LABELS:
            result.skipped.append(Skipped(number, raw.strip(), "no title found"))
            continue
        heading_names = [h[1] for h in headings]
        draft = Draft(title=title, line=number, headings=heading_names, short_name=short_name_of(title))
        draft.kind = _kind_for(heading_names)
        draft.date = _parse_date(_plain(body))
        draft.arxiv = _canonical_arxiv(body, links)
        for label, url in links:
            kind = _classify(label, url)
            arxiv_id = arxivid.find_in_url(url) if kind == "paper" else None
            if arxiv_id:
                url = arxivid.abs_url(arxiv_id)
            if kind is None:
                draft.notes.append(f"unclassified link {url}")
            elif kind not in draft.links:
                draft.links[kind] = url
        if draft.kind == "paper" and "paper" not in draft.links and "blog" in draft.links:
            draft.kind = "article"
        for name in reversed(heading_names):
            topic = guesser.guess(name)
            if topic:
                draft.topics.append(topic)
                break
        if not draft.topics:
            draft.notes.append("no topic matched the headings: " + " › ".join(heading_names))
        _merge_or_add(result, draft)
    return result


def _merge_or_add(result: ImportResult, draft: Draft) -> None:
    for other in result.drafts:
        same = (draft.arxiv and draft.arxiv == other.arxiv) or normalise_title(draft.title) == normalise_title(
            other.title
        )
        if not same:
            continue
        result.merged += 1
        for topic in draft.topics:
            if topic not in other.topics:
                other.topics.append(topic)
        for kind, url in draft.links.items():
            other.links.setdefault(kind, url)
        if draft.date and other.date and draft.date != other.date:
            other.notes.append(f"listed again on line {draft.line} with date {draft.date.isoformat()}")
        other.date = other.date or draft.date
        other.arxiv = other.arxiv or draft.arxiv
        if other.kind == "paper" and draft.kind != "paper":
            other.kind = draft.kind
        return
    result.drafts.append(draft)


def import_list(text: str, catalog: Catalog, out: Path, env: Environment, today: dt.date) -> ImportReport:
    """Parse a Markdown list and write a draft for each resource the catalog lacks into ``out``."""
    assert catalog.taxonomy is not None
    result = parse_markdown(text, TopicGuesser(catalog.taxonomy))
    report = ImportReport(skipped=result.skipped, merged=result.merged)
    fresh, report.known = drafts.split_known(result.drafts, catalog.identities())
    fresh, report.excluded = drafts.split_excluded(fresh, catalog.exclusions)
    drafts.assign_ids(fresh, set(catalog.entries))
    for draft in fresh:
        path = drafts.draft_path(out, draft)
        if path.exists():
            report.exists.append((draft, path))
            continue
        write_atomic(path, drafts.render_draft(env, draft, today, taxonomy=catalog.taxonomy))
        report.written.append((draft, path))
        missing = [name for name, value in (("date", draft.date), ("topics", draft.topics)) if not value]
        if missing:
            report.incomplete.append((draft, path, missing))
    return report
