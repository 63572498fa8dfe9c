"""Discover new dLLM papers on arXiv and prepare them for a curator.

``dllm-atlas discover [--since DATE] [--until DATE] [-o DIR] [--report FILE]``:

1. :func:`search_query` builds one arXiv ``search_query`` from the rules' phrases and categories;
   :func:`fetch_candidates` pages through it newest first (:meth:`ArxivClient.search`, same
   etiquette as ``add``) and stops at ``since``.
2. What the catalog holds or excludes is dropped (by canonical arXiv id, so ``2502.09992v3`` is
   ``2502.09992``; also by title or link, as ``add`` does).
3. :func:`score` rates each candidate with the rules of ``data/discover-rules.yaml``
   (:class:`Rules`): weighted terms in title and abstract, negative terms that count only when the
   text is not about language. Every point is explained by a :class:`Reason`.
4. :func:`discover` writes a draft per candidate at or above the threshold (topics guessed from the
   taxonomy's names and aliases, marked for review) and returns a :class:`DiscoverReport`, which
   :func:`render_report` lays out through ``templates/discover_report.md.j2``.

A failure of the API after some pages keeps what those pages gave: their drafts are written and
the report says what failed (the CLI exits 3).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated

from jinja2 import Environment
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from . import drafts
from .arxiv import PAGE_SIZE, ArxivClient, ArxivError, ArxivRecord
from .contribute import draft_for
from .fsutil import write_atomic
from .load import Catalog
from .models import Taxonomy
from .safeyaml import YamlError, decode, locate, parse

RULES_FILE = Path("data") / "discover-rules.yaml"
LOOKBACK = dt.timedelta(days=7)
MAX_TOPICS = 4
FIRST_SENTENCE_CHARS = 300

Phrase = Annotated[str, StringConstraints(min_length=1, max_length=80, strip_whitespace=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Term(_Strict):
    term: Phrase
    weight: float = Field(gt=0, le=100)
    case_sensitive: bool = False

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return phrase_pattern(self.term, self.case_sensitive)


class Search(_Strict):
    categories: list[Annotated[str, StringConstraints(pattern=r"^[a-z-]+(\.[A-Za-z-]+)?$")]] = Field(min_length=1)
    phrases: list[Phrase] = Field(min_length=1)


class Rules(_Strict):
    """``data/discover-rules.yaml``: what to search for and how to score what comes back."""

    search: Search
    threshold: float
    title_factor: float = Field(1.0, ge=1, le=10)
    terms: list[Term] = Field(min_length=1)
    negative: list[Term] = Field(default_factory=list)
    language_terms: list[Phrase] = Field(default_factory=list)
    topic_alias_ignore: list[Phrase] = Field(default_factory=list)

    @cached_property
    def language_patterns(self) -> list[re.Pattern[str]]:
        return [phrase_pattern(t) for t in self.language_terms]


class RulesError(Exception):
    """The rules file cannot be used; the message names the file and, for a bad value, the field."""


def phrase_pattern(phrase: str, case_sensitive: bool = False) -> re.Pattern[str]:
    """A phrase as whole words, spaces and hyphens alike, with an optional plural ``s``."""
    words = [re.escape(w) for w in re.split(r"[\s-]+", phrase.strip()) if w]
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(r"(?<![\w-])" + r"[\s-]+".join(words) + r"s?(?![\w])", flags)


def load_rules(path: Path) -> Rules:
    """Read and validate the rules file; a problem raises :class:`RulesError` with its location."""
    try:
        data, positions = parse(decode(path.read_bytes()))
    except OSError as exc:
        raise RulesError(f"cannot read the discover rules {path}: {exc.strerror or exc}") from None
    except YamlError as exc:
        raise RulesError(f"{path}: {exc}") from None
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        # A missing field is shown where its mapping starts.
        anchor = first["loc"][:-1] if first["type"] == "missing" else first["loc"]
        line, column = locate(positions, tuple(anchor))
        where = ".".join(str(p) for p in first["loc"]) or "the file"
        raise RulesError(f"{path}:{line}:{column}: {where}: {first['msg']}") from None


def search_query(rules: Rules, since: dt.date, until: dt.date) -> str:
    """The arXiv ``search_query``: any phrase in title or abstract, in the categories, submitted
    between ``since`` and ``until`` (both days included)."""
    phrases = " OR ".join(f'{field}:"{p}"' for p in rules.search.phrases for field in ("ti", "abs"))
    categories = " OR ".join(f"cat:{c}" for c in rules.search.categories)
    dates = f"submittedDate:[{since:%Y%m%d}0000 TO {until:%Y%m%d}2359]"
    return f"({phrases}) AND ({categories}) AND {dates}"


@dataclass(frozen=True)
class Reason:
    """One term's part in a score: ``+12 "diffusion language model" (title)``."""

    term: str
    points: float
    where: str  # "title" or "abstract"

    def __str__(self) -> str:
        return f'{self.points:+g} "{self.term}" ({self.where})'


@dataclass
class Candidate:
    record: ArxivRecord
    score: float = 0.0
    reasons: list[Reason] = field(default_factory=list)
    about_language: bool = False
    kept: bool = False
    draft_path: Path | None = None

    @property
    def first_sentence(self) -> str:
        return first_sentence(self.record.summary)


def first_sentence(text: str) -> str:
    """The abstract's first sentence (at a full stop followed by a capital), at most 300 characters."""
    text = " ".join(text.split())
    match = re.search(r"(?<=[.!?])\s+(?=[A-Z(\"'])", text)
    sentence = text[: match.start()] if match else text
    return sentence if len(sentence) <= FIRST_SENTENCE_CHARS else sentence[: FIRST_SENTENCE_CHARS - 1].rstrip() + "…"


def _found(pattern: re.Pattern[str], title: str, abstract: str) -> str | None:
    if pattern.search(title):
        return "title"
    if pattern.search(abstract):
        return "abstract"
    return None


def score(record: ArxivRecord, rules: Rules) -> Candidate:
    """Score one record by the rules; the reasons list every term that counted."""
    candidate = Candidate(record)
    title, abstract = record.title, record.summary
    candidate.about_language = any(_found(p, title, abstract) for p in rules.language_patterns)
    groups = [(rules.terms, 1)] + ([] if candidate.about_language else [(rules.negative, -1)])
    for terms, sign in groups:
        for term in terms:
            where = _found(term.pattern, title, abstract)
            if where is not None:
                points = sign * term.weight * (rules.title_factor if where == "title" else 1)
                candidate.reasons.append(Reason(term.term, points, where))
    candidate.score = sum(r.points for r in candidate.reasons)
    candidate.kept = candidate.score >= rules.threshold
    candidate.reasons.sort(key=lambda r: -abs(r.points))
    return candidate


def guess_topics(text: str, taxonomy: Taxonomy, ignore: Iterable[str]) -> list[str]:
    """Topic slugs whose name or an alias appears in ``text``, in taxonomy order, at most four."""
    skipped = {i.lower() for i in ignore}
    found = []
    for area in taxonomy.areas:
        for topic in area.topics:
            names = [n for n in (topic.name, *topic.aliases) if n.lower() not in skipped]
            if any(phrase_pattern(n).search(text) for n in names):
                found.append(topic.slug)
    return found[:MAX_TOPICS]


@dataclass
class DiscoverReport:
    since: dt.date
    until: dt.date
    query: str
    total: int = 0  # opensearch:totalResults of the search
    fetched: int = 0  # records read before stopping
    candidates: list[Candidate] = field(default_factory=list)  # new to the catalog, scored
    known: list[tuple[ArxivRecord, str]] = field(default_factory=list)  # (record, entry path or "excluded: why")
    written: list[Path] = field(default_factory=list)
    error: str | None = None

    @property
    def kept(self) -> list[Candidate]:
        return sorted((c for c in self.candidates if c.kept), key=lambda c: (-c.score, c.record.id))

    @property
    def dropped(self) -> list[Candidate]:
        return sorted((c for c in self.candidates if not c.kept), key=lambda c: (-c.score, c.record.id))


def fetch_candidates(client: ArxivClient, report: DiscoverReport, page_size: int = PAGE_SIZE) -> None:
    """Page through the search until a record older than ``report.since``; each record read counts in
    ``report.fetched`` and those submitted in the window (once each, by canonical id) go to
    ``report.candidates``, unscored. An :class:`ArxivError` is left to the caller, with the pages
    before it recorded."""
    since, until = report.since, report.until
    seen = {c.record.id for c in report.candidates}
    for page in client.search(report.query, page_size=page_size):
        report.total = page.total
        older = False
        for record in page.records:
            report.fetched += 1
            if record.published < since:
                older = True
                continue
            if record.published > until or record.id in seen:
                continue
            seen.add(record.id)
            report.candidates.append(Candidate(record))
        if older:
            return


def _drop_known(report: DiscoverReport, catalog: Catalog) -> None:
    identities = catalog.identities()
    by_id = {i.arxiv: i.display_path for i in identities if i.arxiv}
    fresh = []
    for candidate in report.candidates:
        record = candidate.record
        if record.id in by_id:
            report.known.append((record, by_id[record.id]))
        elif record.id in catalog.exclusions:
            report.known.append((record, f"excluded: {catalog.exclusions[record.id].exclusion.reason}"))
        else:
            fresh.append(candidate)
    # The same paper under another id or a link only (a venue page): what `add` also refuses.
    made = {id(c): draft_for(c.record, "paper") for c in fresh}
    _, present = drafts.split_known(list(made.values()), identities)
    present_ids = {d.arxiv: path for d, path in present}
    report.candidates = []
    for candidate in fresh:
        if candidate.record.id in present_ids:
            report.known.append((candidate.record, present_ids[candidate.record.id]))
        else:
            report.candidates.append(candidate)


def default_since(catalog: Catalog) -> dt.date:
    """The newest ``date`` in the catalog minus a week (papers announced late are still found)."""
    dates = [item.entry.date for item in catalog.entries.values()]
    return (max(dates) if dates else dt.date.today()) - LOOKBACK


def discover(
    catalog: Catalog,
    rules: Rules,
    client: ArxivClient,
    env: Environment,
    *,
    since: dt.date,
    until: dt.date,
    out: Path,
    today: dt.date,
    page_size: int = PAGE_SIZE,
) -> DiscoverReport:
    """Search, drop the known, score, and write a draft per kept candidate under ``out``."""
    report = DiscoverReport(since=since, until=until, query=search_query(rules, since, until))
    try:
        fetch_candidates(client, report, page_size)
    except ArxivError as exc:
        report.error = str(exc)
    _drop_known(report, catalog)
    report.candidates = [score(c.record, rules) for c in report.candidates]
    taken = set(catalog.entries) | set(catalog.failed_ids)
    kept = report.kept
    made = [draft_for(c.record, "paper") for c in kept]
    drafts.assign_ids(made, taken)
    for candidate, draft in zip(kept, made, strict=True):
        if catalog.taxonomy is not None:
            text = f"{candidate.record.title}. {candidate.record.summary}"
            draft.topics = guess_topics(text, catalog.taxonomy, rules.topic_alias_ignore)
        why = ", ".join(map(str, candidate.reasons[:6]))
        draft.notes.append(f"found by dllm-atlas discover, score {candidate.score:g}: {why}")
        path = drafts.draft_path(out, draft)
        if path.exists():  # never overwrite a file, even one that does not load
            continue
        write_atomic(path, drafts.render_draft(env, draft, today, "discover", catalog.taxonomy, topics_guessed=True))
        candidate.draft_path = path
        report.written.append(path)
    return report


def render_report(report: DiscoverReport, env: Environment) -> str:
    """The Markdown review report (``templates/discover_report.md.j2``)."""
    return env.get_template("discover_report.md.j2").render(report=report)
