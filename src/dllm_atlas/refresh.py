"""Refresh: what arXiv now says about the catalog's papers, and the edits it implies.

``dllm-atlas refresh [--write]`` runs :func:`refresh`, which asks arXiv for every entry with an
``arxiv`` id in batched ``id_list`` queries (:meth:`ArxivClient.batches`) and returns a
:class:`RefreshReport` of :class:`Change` records:

* a new title (written with the old one added to ``former_titles``);
* a changed author list;
* a ``journal_ref`` or comment announcing acceptance, for an entry without a ``venue``: suggested,
  and set only by ``--write``;
* a withdrawn paper (reported; a curator decides whether it moves to the exclusions);
* authors or a venue the entry lists under ``unconfirmed``: arXiv states them now, so ``--write``
  fills them and removes their ``unconfirmed`` notes;
* an id arXiv no longer knows.

:func:`apply` edits one entry file with ruamel.yaml's round-trip mode (comments, key order, quoting
and the formatting of every other field kept) and checks that the result still loads
(:func:`dllm_atlas.load.load_entry`) before it replaces the file atomically.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .arxiv import ArxivClient, ArxivError, ArxivRecord
from .contribute import venue_in_comment
from .fsutil import write_atomic
from .load import Catalog, LoadedEntry, load_entry

_WITHDRAWN = re.compile(r"\b(?:this (?:paper|submission|article) (?:has been|is) withdrawn|withdrawn)\b", re.I)


@dataclass
class Change:
    """What differs between one entry and its arXiv record (each part None when unchanged)."""

    entry_id: str
    path: Path
    display: str
    arxiv: str
    title: tuple[str, str] | None = None  # (old, new)
    authors: tuple[list[str], list[str]] | None = None
    venue: str | None = None  # suggested from the journal_ref or comment
    venue_source: str = ""
    withdrawn: str | None = None  # the comment saying so
    unknown: bool = False  # arXiv has no such paper any more
    # Fields the entry lists under `unconfirmed` that arXiv now states: written, their note goes.
    confirms: list[str] = field(default_factory=list)

    @property
    def writable(self) -> bool:
        return bool(self.title or self.authors or self.venue)

    @property
    def empty(self) -> bool:
        return not (self.writable or self.withdrawn or self.unknown)


@dataclass
class RefreshReport:
    checked: int = 0
    changes: list[Change] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    not_written: list[tuple[str, str]] = field(default_factory=list)  # (display path, why)
    not_fetched: list[str] = field(default_factory=list)
    error: str | None = None


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def compare(item: LoadedEntry, record: ArxivRecord) -> Change:
    """The differences between an entry and its current arXiv record."""
    entry = item.entry
    change = Change(item.id, item.path, item.display_path, record.id)
    if not _same_text(entry.title, record.title) and not any(_same_text(t, record.title) for t in entry.former_titles):
        change.title = (entry.title, record.title)
    if record.authors and [a.strip() for a in entry.authors] != record.authors:
        change.authors = (list(entry.authors), list(record.authors))
    if entry.venue is None:
        for source, text in (("journal_ref", record.journal_ref), ("comment", record.comment)):
            if not text:
                continue
            venue = venue_in_comment(f"published in {text}" if source == "journal_ref" else text)
            if venue:
                change.venue, change.venue_source = venue, f"{source}: {' '.join(text.split())[:160]}"
                break
    if record.comment and _WITHDRAWN.search(record.comment):
        change.withdrawn = " ".join(record.comment.split())[:200]
    unconfirmed = entry.unconfirmed or {}
    change.confirms = [name for name in ("authors", "venue") if getattr(change, name) and name in unconfirmed]
    return change


def refresh(catalog: Catalog, client: ArxivClient) -> RefreshReport:
    """Compare every entry that has an arXiv id with arXiv's record; a failing batch stops the run
    with the batches before it kept (``report.error``, ``report.not_fetched``)."""
    report = RefreshReport()
    by_arxiv = {item.entry.arxiv: item for item in catalog.entries.values() if item.entry.arxiv}
    ids = sorted(by_arxiv)
    answered: set[str] = set()
    try:
        for batch, records in client.batches(ids):
            answered.update(batch)
            for arxiv_id in batch:
                item = by_arxiv[arxiv_id]
                report.checked += 1
                if arxiv_id not in records:
                    report.changes.append(Change(item.id, item.path, item.display_path, arxiv_id, unknown=True))
                    continue
                change = compare(item, records[arxiv_id])
                if not change.empty:
                    report.changes.append(change)
    except ArxivError as exc:
        report.error = str(exc)
        report.not_fetched = [i for i in ids if i not in answered]
    return report


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line of a field we did not touch
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _update_list(items: Any, new: list[str]) -> None:
    """Make ``items`` (a ruamel sequence) equal ``new`` item by item, so its style and the comments
    on the items that stay are kept."""
    for n, value in enumerate(new):
        if n >= len(items):
            items.append(value)
        elif items[n] != value:
            items[n] = value
    del items[len(new) :]


def edited_text(text: str, change: Change) -> str:
    """The file's text with the change's title, authors and venue applied, everything else kept."""
    from ruamel.yaml.comments import CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    yaml = _yaml()
    data = yaml.load(text)
    keys = list(data)
    if change.title:
        old, new = change.title
        data["title"] = DoubleQuotedScalarString(new)
        if "former_titles" in data and data["former_titles"] is not None:
            data["former_titles"].append(DoubleQuotedScalarString(old))
        else:
            former = CommentedSeq([DoubleQuotedScalarString(old)])
            former.fa.set_flow_style()  # one line, as the catalog writes short lists
            data.insert(keys.index("title") + 1, "former_titles", former)
    if change.authors:
        authors = data.get("authors")
        if authors is None:
            after = max(list(data).index(k) for k in ("title", "former_titles", "short_name") if k in data)
            data.insert(after + 1, "authors", list(change.authors[1]))
        else:
            _update_list(authors, change.authors[1])
    if change.venue and data.get("venue") in (None, ""):
        if "venue" in data:
            data["venue"] = DoubleQuotedScalarString(change.venue)
        else:
            data.insert(list(data).index("date") + 1, "venue", DoubleQuotedScalarString(change.venue))
    notes = data.get("unconfirmed")
    if notes:
        for name in change.confirms:
            notes.pop(name, None)  # arXiv states it now: the reason it was missing no longer holds
        if not notes:
            del data["unconfirmed"]
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def apply(
    change: Change, topics: AbstractSet[str] | None = None, areas: Mapping[str, list[str]] | None = None
) -> str | None:
    """Write the change into its file; None when done, else why not (the file is left as it was)."""
    try:
        text = change.path.read_text(encoding="utf-8")
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    new_text = edited_text(text, change)
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / change.path.parent.name / change.path.name
        trial.parent.mkdir()
        trial.write_text(new_text, encoding="utf-8")
        _, problems = load_entry(trial, change.display, topics, areas)
    if problems:
        return "the edited file would not validate: " + "; ".join(f"{d.line}:{d.column}: {d.message}" for d in problems)
    write_atomic(change.path, new_text)
    return None


def write_all(report: RefreshReport, catalog: Catalog) -> None:
    """Apply every writable change; what could not be written goes to ``report.not_written``."""
    taxonomy = catalog.taxonomy
    topics = frozenset(taxonomy.topics()) if taxonomy is not None else None
    areas = {a.slug: [t.slug for t in a.topics] for a in taxonomy.areas} if taxonomy is not None else None
    for change in report.changes:
        if not change.writable:
            continue
        problem = apply(change, topics, areas)
        if problem is None:
            report.written.append(change.path)
        else:
            report.not_written.append((change.display, problem))
