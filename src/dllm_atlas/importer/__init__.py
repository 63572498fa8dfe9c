"""Importer: an awesome list written in Markdown → draft entry files.

``dllm-atlas import-markdown FILE -o DIR [--catalog DIR]`` reads a list of papers as people write
them and writes one draft per work to ``DIR/<kind>s/<id>.yaml``. Layouts it reads
(:mod:`.layout`): bullet and numbered items (with continuation lines and nested items), Markdown
and HTML tables, paragraphs (a bold or plain title line, then date and links; entries separated by
blank lines or hard breaks: two trailing spaces, ``\\``, ``<br>``), date-first lines
(``14 Feb 2025, **Title**, [paper](…)``), title / italic authors / venue / links on lines of one
paragraph, ``<details>`` blocks, headings that are themselves the title, ``[[Paper](…)]`` labels,
badges and images, reference-style links, emoji and stars badges.

For each work (:mod:`.entries`) it recovers the title (never a link label, badge text or date: a
block without a real title is reported instead), the date with its precision (:mod:`.dates`: a
day, or only a month, written as the 1st with ``date_precision: month``; a year alone is no date),
the links classified as paper, code, project, Hugging Face, blog, demo, video (:mod:`.links`), the
canonical arXiv id from the paper link (arXiv in every form, alphaXiv, Hugging Face papers) or an
``arXiv:ID`` in the text, never from a code or badge image link, and topics guessed from the
heading path through the taxonomy's names and aliases. The same work listed in several sections
becomes one draft with every topic. Works already in ``--catalog`` (same arXiv id, title or link)
are skipped, and so are papers ``exclusions.yaml`` excludes (each named with its reason); existing
files are never overwritten.

The command prints, with line numbers, every line it could not parse (no link, no title) and every
heading that matched no topic, once, with the count of entries under it. Drafts are deliberately
incomplete: summary, authors and anything not in the list are left for a curator, and a draft
without topics or date fails validation until someone fills them in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment

from .. import drafts
from ..drafts import Draft
from ..fsutil import write_atomic
from ..load import Catalog
from .entries import ImportResult, Skipped, TopicGuesser, Unmatched, is_label_title, parse_markdown

__all__ = [
    "ImportReport",
    "ImportResult",
    "Skipped",
    "TopicGuesser",
    "Unmatched",
    "import_list",
    "is_label_title",
    "parse_markdown",
]


@dataclass
class ImportReport:
    """What :func:`import_list` did, line by line, for the command to tell."""

    written: list[tuple[Draft, Path]] = field(default_factory=list)
    incomplete: list[tuple[Draft, Path, list[str]]] = field(default_factory=list)  # written, but lacking these
    exists: list[tuple[Draft, Path]] = field(default_factory=list)  # a file is already there: not overwritten
    known: list[tuple[Draft, str]] = field(default_factory=list)  # already in the catalog, at this path
    excluded: list[tuple[Draft, str]] = field(default_factory=list)  # excluded, with the reason
    skipped: list[Skipped] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    merged: int = 0
    found: int = 0  # works found in the list, before the catalog and exclusions are consulted


def import_list(text: str, catalog: Catalog, out: Path, env: Environment, today: dt.date) -> ImportReport:
    """Parse a Markdown list and write a draft for each work the catalog lacks into ``out``."""
    assert catalog.taxonomy is not None
    result = parse_markdown(text, TopicGuesser(catalog.taxonomy))
    report = ImportReport(
        skipped=result.skipped, unmatched=result.unmatched, merged=result.merged, found=len(result.drafts)
    )
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
