"""Entry parsing: a :class:`layout.Block` → a :class:`Draft` (title, date, links, arXiv id, topics).

:func:`parse_markdown` runs layout detection and parses every block:

* the **title** is, in order, the label of a link to the paper (or its project page), bold text
  (``**…**``, ``<b>``), the label of another link, then the first line's own words; in a table,
  the cell under a *title*/*paper*/*name* column or the longest wordy cell. Dates, numbering,
  ``[venue]`` tags and trailing ``(venue)`` are taken off. A block right under a heading with no
  title of its own takes the heading's. A title is never a link label, badge text, id or date
  (:func:`is_label_title`): a block without a real title is reported, not drafted;
* the **date** is the first date in the block, with its precision (:mod:`.dates`);
* the **links** are classified (:mod:`.links`); the paper link and the arXiv id come from the paper
  link (``arXiv:ID`` written as text counts too), never from a code or badge image;
* the **topics** come from the heading path, deepest heading first, through the taxonomy's names,
  slugs and aliases (:class:`TopicGuesser`); headings that matched no topic are reported once,
  with the count of entries under them that got none.

The same work listed twice (same arXiv id or title) becomes one draft with every topic.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .. import arxivid
from ..check import normalise_title
from ..drafts import Draft, short_name_of
from ..models import Taxonomy
from . import dates as datemod
from . import links as linkmod
from .layout import Block, Heading, split_blocks

GENERIC_LABELS = frozenset(
    [
        "arxiv",
        "paper",
        "papers",
        "pdf",
        "code",
        "github",
        "gitlab",
        "project",
        "page",
        "website",
        "blog",
        "post",
        "posts",
        "demo",
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
        "datasets",
        "weights",
        "repo",
        "repository",
        "official",
        "video",
        "slides",
        "poster",
        "tweet",
        "x",
        "twitter",
        "techrxiv",
        "notion",
        "checkpoint",
        "checkpoints",
        "alphaxiv",
        "doi",
        "acl",
        "anthology",
        "proceedings",
        "star",
        "stars",
        "license",
        "docs",
        "documentation",
        "bibtex",
        "citation",
        "cite",
        "arxiv",
        "paper",
        "zhihu",
        "leaderboard",
        "space",
        "spaces",
        "colab",
        "kaggle",
        "none",
        "n/a",
        "tbd",
        "authors",
        "tl;dr",
        "tldr",
        "abstract",
        "venue",
        "date",
        "title",
        "summary",
        "link",
        "here",
        "news",
        "update",
        "url",
        "english",
        "chinese",
        "中文",
        "简体中文",
    ]
) | {"project page", "blog post", "hugging face", "iclr blog", "github stars", "paper link", "code link"}
_ID_LIKE = re.compile(r"^(?:arxiv[:\s]*)?(?:\d{4}\.\d{4,5}|[a-z-]+/\d{7})(?:v\d+)?$", re.I)
# Venue names: with a year or a label word they are no title ("ICLR 2026 blog post", "arXiv preprint").
VENUE_WORDS = frozenset(
    {
        "iclr",
        "neurips",
        "nips",
        "icml",
        "acl",
        "emnlp",
        "naacl",
        "eacl",
        "coling",
        "aaai",
        "ijcai",
        "cvpr",
        "iccv",
        "eccv",
        "tmlr",
        "colm",
        "jmlr",
        "kdd",
        "www",
        "sigir",
        "interspeech",
        "icassp",
        "aistats",
        "uai",
        "findings",
        "workshop",
        "preprint",
    }
)
_VENUE_LIKE = re.compile(r"^[A-Za-z][A-Za-z&'-]{1,14}\s?'?(?:\d{2}|\d{4})(?:\s+\w+)?$")
_NUMBERISH = re.compile(r"^[\W\d_]*$")
_LEAD = re.compile(r"^(?:#+\s*|[>\s]*|\d+[.)]\s+|[-*+]\s+)+")
_BOLD = re.compile(r"\*\*(.{1,500}?)\*\*|__(.{1,500}?)__|<(?:b|strong)>(.{0,1000}?)</(?:b|strong)>", re.I | re.S)
_TAG_PREFIX = re.compile(r"^\s*(?:\[[^\]]{1,40}\]|\([^)]{1,40}\))\s*[:\-–—]?\s*(?=\S)")
_TRAILING_VENUE = re.compile(r"\s*[\(\[](?:[A-Z][\w&@.\s'-]*\d{2,4}[^)\]]*|arxiv|preprint)[\)\]]\s*$", re.I)
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d]")
_TITLE_COLUMNS = ("title", "paper", "name", "method", "model", "work", "project")
_KIND_HEADINGS = (
    ("framework", ("librar", "framework", "toolkit", "tools", "codebase", "engine", "software")),
    ("model", ("models", "model release", "open model", "base model")),
    ("dataset", ("dataset",)),
    ("benchmark", ("benchmark",)),
    ("article", ("blog", "article", "talk", "tutorial", "video", "course")),
)
_TITLE_LINK_KINDS = ("paper", "project", "blog", "demo", "huggingface")


@dataclass
class Skipped:
    line: int
    text: str
    reason: str


@dataclass
class Unmatched:
    """A heading that matched no topic, and how many entries under it got no topic."""

    line: int
    heading: str
    entries: int


@dataclass
class ImportResult:
    drafts: list[Draft] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    merged: int = 0


def _label_words(text: str) -> bool:
    """Whether ``text`` holds nothing but punctuation, label words and numbers."""
    words = re.split(r"[\s:|/,;·•&+-]+", text.lower().strip())
    return all(not w or w in GENERIC_LABELS or _NUMBERISH.match(w) or _ID_LIKE.match(w) for w in words)


def trailing_short_name(title: str) -> tuple[str, str | None]:
    """``"Large Language Diffusion Models (LLaDA)"`` → the title without it, and ``"LLaDA"``."""
    match = re.match(r"^(.{12,}?)\s+\(([A-Za-z0-9][\w.+$^-]{1,24})\)$", title)
    if match and re.search(r"[A-Z]", match.group(2)) and match.group(2).lower() not in GENERIC_LABELS | VENUE_WORDS:
        return match.group(1), match.group(2)
    return title, None


def is_label_title(title: str | None) -> bool:
    """Whether a would-be title is no title: empty, a link label or badge text, an id, a date, a venue."""
    text = _EMOJI.sub("", title or "").strip(" \t[](){}<>|:;,.!*_`'\"-–—/#")
    low = " ".join(text.lower().split())
    if len(low) < 3 or _NUMBERISH.match(low) or low in GENERIC_LABELS:
        return True
    words = re.split(r"[\s:|/,&+-]+", low)
    if "href=" in low or "<" in low or ">" in low:
        return True  # markup left over, never a title
    if all(w in GENERIC_LABELS or w in VENUE_WORDS or _NUMBERISH.match(w) or _ID_LIKE.match(w) for w in words if w):
        return True  # "arXiv 2025", "Paper | Code", "arXiv:2505.18456"
    if _ID_LIKE.match(low) or low.startswith(("http://", "https://", "www.")):
        return True
    if re.fullmatch(r"[\w.-]+/[\w.-]+", low):
        return True  # owner/repo
    found = datemod.find_date(text)
    if found and not datemod.strip_dates(text).strip(" ,.-[]()"):
        return True
    return bool(_VENUE_LIKE.match(text) and re.search(r"\d", text) and len(words) <= 3)


def clean_title(text: str) -> str:
    """A title candidate without markup, numbering, dates, ``[tags]``, trailing venue or emoji."""
    text = _EMOJI.sub(" ", linkmod.plain(text))
    text = _LEAD.sub("", text)
    for _ in range(3):
        found = datemod.find_date(text)
        if found and found.start <= 2:
            text = text[found.end :].lstrip(" ]),:-–—|")
        tagged = _TAG_PREFIX.match(text)
        if tagged and len(text) - tagged.end() > 12:
            text = text[tagged.end() :]
    # brackets whose links were taken out, or holding only labels: "[ , ]", "(arXiv )"
    text = re.sub(r"\s*[\[(]([^\[\]()]*)[\])]", lambda m: " " if _label_words(m.group(1)) else m.group(0), text)
    text = text.strip()
    text = _TRAILING_VENUE.sub("", text)
    text = re.sub(r"\s*\(@[^)]*\)\s*$|,\s*(?:19|20)\d\d\.?\s*$", "", text)  # "(@UCB)", ", 2023"
    text = re.sub(r",\s*(?:[A-Z][\w&-]*\s+)?(?:[A-Z][\w&-]*\s*'?\d{2,4}|arxiv|preprint)\.?\s*$", "", text, flags=re.I)
    return " ".join(text.split()).strip(" -—–:,;|*\"'“”[]")


def _acceptable(candidate: str) -> str | None:
    title = clean_title(candidate)
    return title if len(title) >= 3 and not is_label_title(title) else None


def _title_from_links(links: list[linkmod.Link], kinds: tuple[str, ...] | None) -> str | None:
    for link in links:
        if link.badge or (kinds is not None and linkmod.classify(link) not in kinds):
            continue
        title = _acceptable(link.label)
        if title:
            return title
    return None


def _title_from_bold(text: str) -> str | None:
    for match in _BOLD.finditer(text):
        if text[match.start() - 1 : match.start()] == "[" and text[match.end() : match.end() + 2] in ("]", "] "):
            continue  # "[**Latency**] How Efficient Are …": a tag before the title, not the title
        inner = next(g for g in match.groups() if g is not None)
        title = _acceptable(inner)
        if title:
            return title
    return None


def _without_links(text: str, references: dict[str, str]) -> str:
    text = linkmod.HTML_LINK.sub(" ", text)
    text = linkmod.MD_LINK.sub(" ", text)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", " ", text, flags=re.I)
    text = re.sub(r"</?[a-z][^>]*>?", " ", text, flags=re.I)  # tags, and an anchor left open on its line
    text = re.sub(r"https?://\S+", " ", text)
    if references:
        text = re.sub(
            r"\[([^\]]*)\](?:\[([^\]]*)\])?",
            lambda m: " " if (m.group(2) or m.group(1)).lower() in references else m.group(0),
            text,
        )
    return text


def _title_from_text(lines: list[str], references: dict[str, str]) -> str | None:
    for line in lines:
        own = _without_links(line, references)
        if re.match(r"^\s*([*_])(?![*_]).+\1\W*$", own.strip()):
            continue  # authors in italics
        first = re.split(r"\s+[-—–|]\s+|\s\[\[", own)[0]
        if re.search(r"\s[.,;:]\s*$|[a-z]\.\s+[A-Z]", linkmod.plain(first)):
            continue  # prose whose link was taken out ("… see our ."), not a title
        title = _acceptable(first)
        if title:
            return title
    return None


def _title_from_cells(block: Block, references: dict[str, str]) -> str | None:
    cells = block.cells or []
    header = block.header or []
    columns = [(index, name) for word in _TITLE_COLUMNS for index, name in enumerate(header) if word in name]
    for index, _ in columns:
        if index < len(cells):
            title = _acceptable(_BR_SPLIT.split(_without_links(cells[index], references))[0])
            if title:
                return title
    for cell in cells:
        repo = re.fullmatch(r"`?[\w.-]+/([\w.-]+)`?", linkmod.plain(cell))
        if repo:  # "ZHZisZZ/dllm": a framework's name is its repository's
            return repo.group(1)
    best = ""
    for cell in cells:
        text = clean_title(_BR_SPLIT.split(_without_links(cell, references))[0])
        if len(text.split()) >= 3 and len(text) > len(best) and not is_label_title(text):
            best = text
    return best or None


_BR_SPLIT = re.compile(r"<br\s*/?>", re.I)


def choose_title(block: Block, links: list[linkmod.Link], references: dict[str, str]) -> str | None:
    """The block's title by the rules of this module's docstring, or None."""
    if block.cells is not None:
        cells_links = [link for cell in block.cells for link in linkmod.find_links(cell, references)]
        return (
            _title_from_links(cells_links, ("paper", "project"))
            or _title_from_bold(block.text)
            or _title_from_cells(block, references)
            or _title_from_links(cells_links, None)
        )
    texts = [text for _, text in block.lines]
    return (
        _title_from_links(links, _TITLE_LINK_KINDS)
        or _title_from_bold(block.text)
        or _title_from_links(links, None)
        or _title_from_text(texts, references)
    )


class TopicGuesser:
    """Match section headings against the taxonomy's topic names, slugs and aliases."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.exact: dict[str, str] = {}
        for area in taxonomy.areas:
            for topic in area.topics:
                for label in [topic.slug.replace("-", " "), topic.name, *topic.aliases]:
                    self.exact.setdefault(normalise_title(label), topic.slug)
        self._by_length = sorted(self.exact.items(), key=lambda kv: -len(kv[0]))
        self._seen: dict[str, str | None] = {}  # a list repeats its headings for every entry under them

    def guess(self, heading: str) -> str | None:
        if heading not in self._seen:
            self._seen[heading] = self._guess(heading)
        return self._seen[heading]

    def _guess(self, heading: str) -> str | None:
        key = normalise_title(re.sub(r"[^\w\s&/-]", " ", heading))
        if key in self.exact:
            return self.exact[key]
        for label, slug in self._by_length:
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


def _short_name(title: str, block_text: str, label_title: bool) -> str | None:
    found = short_name_of(title)
    tag = re.search(r"\[\*\*([^*\]]{2,30})\*\*\]\s*\S", block_text)
    if found or tag:
        return found or tag.group(1).strip()  # type: ignore[union-attr]
    if not label_title:
        return None
    # "D3PM: [Structured Denoising …](…)": a short name written before the linked title
    prefix = re.match(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?\**([A-Za-z][\w.+-]{1,24})\**\s*:\s*\[", block_text)
    return prefix.group(1) if prefix else None


def _reportable(block: Block) -> bool:
    """Whether a block without links looks enough like an entry to tell the curator about it."""
    text = linkmod.plain(block.text)
    if re.search(r"\]\(\s*(?!https?:)[^)\s]{1,500}\)|<a\s[^>]{0,500}href", block.text, re.I):
        return False  # in-page or relative links only: a table of contents, not an entry
    if block.kind == "row":
        # a row of figures (a results table) is no entry; one with a wordy cell might be
        return any(len(linkmod.plain(cell).split()) >= 3 for cell in block.cells or [])
    if block.kind == "item" and len(text) > 20 and not block.lines[0][1].startswith(" "):
        return not (block.kind == "item" and block.parent_text is None and text.endswith(":"))
    return block.kind == "paragraph" and bool(_BOLD.match(block.lines[0][1].strip())) and len(text) > 20


def _field_line(block: Block) -> bool:
    """``**Authors**: …``, ``**TL;DR:** …``: a field of the entry above, not an entry of its own."""
    return bool(
        re.match(r"^\s*(?:\*\*|__)[^*_]{1,30}(?:\*\*|__)?\s*[:：]|^\s*(?:\*\*|__)[^*_]{1,30}[:：]", block.lines[0][1])
    )


def _draft(
    block: Block, references: dict[str, str], guesser: TopicGuesser
) -> tuple[Draft, Heading | None] | Skipped | None:
    """The block's draft and the deepest heading it sits under, or why it is skipped (None: not an entry)."""
    links = linkmod.find_links(block.text, references)
    if not links and not arxivid.find_in_text(linkmod.plain(block.text)):
        reportable = _reportable(block) and not _field_line(block)
        return Skipped(block.line, block.lines[0][1].strip(), "no link") if reportable else None
    title = choose_title(block, links, references)
    headings: list[Heading] = list(block.headings)
    paper = linkmod.paper_link(links)
    if not title and paper is not None and block.after_heading is not None and block.after_heading.level >= 2:
        title = _acceptable(block.after_heading.text)
        if title:
            headings = [h for h in headings if h is not block.after_heading]
    if not title:
        return Skipped(block.line, block.lines[0][1].strip(), "no title found")
    title, trailing = trailing_short_name(title)
    names = [h.text for h in headings] + ([linkmod.plain(block.parent_text)] if block.parent_text else [])
    label_title = any(not link.badge and _acceptable(link.label) == title for link in links)
    draft = Draft(
        title=title, line=block.line, headings=names, short_name=trailing or _short_name(title, block.text, label_title)
    )
    draft.kind = _kind_for(names)
    plain_text = linkmod.plain(_without_links(block.text, references)) + " " + " ".join(link.label for link in links)
    found = datemod.find_date(plain_text)
    if found:
        draft.date, draft.date_precision = found.date, found.precision
    draft.arxiv = linkmod.arxiv_of(paper) or arxivid.find_in_text(plain_text)
    _add_links(draft, links, paper)
    if draft.kind == "paper" and "paper" not in draft.links and "blog" in draft.links:
        draft.kind = "article"
    topic = next((slug for name in reversed(names) if (slug := guesser.guess(name))), None)
    if topic:
        draft.topics.append(topic)
    else:
        draft.notes.append("no topic matched the headings: " + " › ".join(names))
    return draft, (headings[-1] if headings else None)


def _add_links(draft: Draft, links: list[linkmod.Link], paper: linkmod.Link | None) -> None:
    """The paper link (canonical on arXiv when it is there) first, then one link of each other kind."""
    others = sorted({i for link in links if (i := linkmod.arxiv_of(link)) and i != draft.arxiv})
    if others:  # a list's slip (title and badge pointing at different papers) for the curator to settle
        draft.notes.append(f"the entry also links arXiv {', '.join(others)}; the id kept is its paper link's")
    if paper is not None:
        draft.links["paper"] = arxivid.abs_url(draft.arxiv) if linkmod.arxiv_of(paper) and draft.arxiv else paper.url
    elif draft.arxiv:
        draft.links["paper"] = arxivid.abs_url(draft.arxiv)
    for link in links:
        kind = linkmod.classify(link)
        if kind is None:
            draft.notes.append(f"unclassified link {link.url}")
        elif kind != "paper" and kind not in draft.links:
            draft.links[kind] = link.url


def parse_markdown(text: str, guesser: TopicGuesser) -> ImportResult:
    """Find every entry in a Markdown list; report what could not be parsed and unmatched headings."""
    layout = split_blocks(text)
    result = ImportResult()
    merger = _Merger(result)
    without_topic: Counter[tuple[int, str]] = Counter()
    for block in layout.blocks:
        parsed = _draft(block, layout.references, guesser)
        if parsed is None:
            continue
        if isinstance(parsed, Skipped):
            result.skipped.append(parsed)
            continue
        draft, heading = parsed
        if not draft.topics:
            without_topic[(heading.line, heading.text) if heading else (0, "(no heading)")] += 1
        merger.add(draft)
    result.unmatched = [Unmatched(line, name, count) for (line, name), count in sorted(without_topic.items())]
    return result


class _Merger:
    """Adds drafts to a result, merging a work listed again (same arXiv id, or same title without
    conflicting ids) into its first listing; indexed, so a list of thousands stays linear."""

    def __init__(self, result: ImportResult) -> None:
        self.result = result
        self.by_key: dict[str, list[int]] = {}  # "arxiv:…" / "title:…" → positions in result.drafts

    def _index(self, position: int, draft: Draft) -> None:
        for key in (f"title:{normalise_title(draft.title)}", f"arxiv:{draft.arxiv}" if draft.arxiv else ""):
            if key and position not in self.by_key.setdefault(key, []):
                self.by_key[key].append(position)

    def add(self, draft: Draft) -> None:
        title_key = f"title:{normalise_title(draft.title)}"
        keys = [title_key] + ([f"arxiv:{draft.arxiv}"] if draft.arxiv else [])
        for position in sorted({p for key in keys for p in self.by_key.get(key, [])}):
            other = self.result.drafts[position]
            same_title = position in self.by_key.get(title_key, [])
            if draft.arxiv and other.arxiv and draft.arxiv != other.arxiv:
                if same_title:  # the list gives one title two ids: keep both for the curator to settle
                    draft.notes.append(f"the title is also listed on line {other.line} with arXiv {other.arxiv}")
                continue
            _merge(other, draft)
            self.result.merged += 1
            self._index(position, other)
            return
        self.result.drafts.append(draft)
        self._index(len(self.result.drafts) - 1, draft)


def _merge(other: Draft, draft: Draft) -> None:
    """Fold a second listing of a work into its first: topics, links, the more precise date, the id."""
    for topic in draft.topics:
        if topic not in other.topics:
            other.topics.append(topic)
    for kind, url in draft.links.items():
        other.links.setdefault(kind, url)
    if draft.date and other.date and draft.date != other.date:
        other.notes.append(f"listed again on line {draft.line} with date {draft.date.isoformat()}")
    if draft.date and (other.date is None or (other.date_precision == "month" and draft.date_precision == "day")):
        other.date, other.date_precision = draft.date, draft.date_precision
    other.arxiv = other.arxiv or draft.arxiv
    if other.kind == "paper" and draft.kind != "paper":
        other.kind = draft.kind
