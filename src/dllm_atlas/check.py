"""Stage 2, check: rules that need the whole catalog, not one file.

:func:`check_catalog` returns located diagnostics for:

* relations and ``supported_models`` that do not resolve (or point at the entry itself);
* two entries with the same arXiv id, the same primary URL, or the same title once normalised
  (case, punctuation and a leading "Name:" prefix ignored);
* an arXiv id whose year-month disagrees with the entry's date (a paper's date must fall in the
  id's month, or in the last days of the month before: arXiv numbers by announcement);
* an entry for a paper that ``exclusions.yaml`` excludes (quoting the reason);
* arXiv links that are not canonical (``/pdf/``, ``/html/``, a version suffix) or name another id.

Each rule is a small function taking the catalog and yielding diagnostics; add a rule by writing
one and listing it in ``RULES``. :func:`load_and_check` runs the load stage and these rules
together, as every command that needs a valid catalog does.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

from . import arxivid
from .diagnostics import Diagnostic
from .load import Catalog, LoadedEntry, load_catalog
from .models import RELATION_TYPES

# A paper announced on the 1st of a month may have been submitted up to this many days earlier.
ARXIV_EARLY_DAYS = 7


def _diag(item: LoadedEntry, path: tuple[str | int, ...], field: str, message: str) -> Diagnostic:
    line, column = item.where(*path)
    return Diagnostic(item.display_path, line, column, field, message)


def _guess(target: str, ids: Iterable[str]) -> str:
    close = difflib.get_close_matches(target, sorted(ids), n=1, cutoff=0.75)
    return f"; did you mean '{close[0]}'?" if close else ""


def check_references(catalog: Catalog) -> Iterator[Diagnostic]:
    entries = catalog.entries
    for item in entries.values():
        for rel in RELATION_TYPES:
            for index, target in enumerate(getattr(item.entry.relations, rel)):
                field = f"relations.{rel}[{index}]"
                where = ("relations", rel, index)
                if target == item.id:
                    yield _diag(item, where, field, "an entry cannot relate to itself")
                elif target not in entries and target not in catalog.failed_ids:
                    yield _diag(item, where, field, f"no entry with id '{target}'{_guess(target, entries)}")
        for index, target in enumerate(getattr(item.entry, "supported_models", [])):
            field = f"supported_models[{index}]"
            if target not in entries:
                if target not in catalog.failed_ids:
                    yield _diag(
                        item,
                        ("supported_models", index),
                        field,
                        f"no entry with id '{target}'{_guess(target, entries)}",
                    )
            elif entries[target].entry.kind != "model":
                yield _diag(
                    item,
                    ("supported_models", index),
                    field,
                    f"'{target}' is a {entries[target].entry.kind}, not a model",
                )


def _first_claims(
    catalog: Catalog, key: Callable[[LoadedEntry], Iterable[tuple[str, tuple[str | int, ...], str]]], what: str
) -> Iterator[Diagnostic]:
    """Report every entry whose key was already claimed by an earlier entry (in id order)."""
    owner: dict[str, LoadedEntry] = {}
    for entry_id in sorted(catalog.entries):
        item = catalog.entries[entry_id]
        for value, path, field in key(item):
            if value in owner and owner[value].id != item.id:
                first = owner[value]
                yield _diag(item, path, field, f"same {what} as {first.display_path} (id '{first.id}')")
            else:
                owner.setdefault(value, item)


def normalise_url(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    arxiv_url = arxivid.parse_url(url)
    if arxiv_url is not None:
        return f"arxiv:{arxiv_url.id}"
    return f"{host}{path}{'?' + parts.query if parts.query else ''}"


def normalise_title(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def check_duplicates(catalog: Catalog) -> Iterator[Diagnostic]:
    yield from _first_claims(
        catalog,
        lambda item: [(item.entry.arxiv, ("arxiv",), "arxiv")] if item.entry.arxiv else [],
        "arXiv id",
    )

    def primary(item: LoadedEntry) -> list[tuple[str, tuple[str | int, ...], str]]:
        present = item.entry.links.items_present()
        if not present:
            return []
        name, url = present[0]
        return [(normalise_url(url), ("links", name), f"links.{name}")]

    yield from _first_claims(catalog, primary, "primary URL")

    def titles(item: LoadedEntry) -> list[tuple[str, tuple[str | int, ...], str]]:
        title = item.entry.title
        keys = {normalise_title(title)}
        if ":" in title:
            head, tail = title.split(":", 1)
            if len(head.split()) <= 3 and len(tail.split()) >= 4:
                keys.add(normalise_title(tail))
        return [(key, ("title",), "title") for key in sorted(keys) if key]

    yield from _first_claims(catalog, titles, "title (near-duplicate)")


def check_arxiv(catalog: Catalog) -> Iterator[Diagnostic]:
    for item in catalog.entries.values():
        entry = item.entry
        if entry.arxiv:
            ym = arxivid.month_of(entry.arxiv)
            if ym is None and arxivid.is_new_style(entry.arxiv):
                yield _diag(item, ("arxiv",), "arxiv", f"arXiv id '{entry.arxiv}' has no valid month")
            elif ym is not None:
                first = dt.date(ym[0], ym[1], 1)
                last = dt.date(ym[0], ym[1], calendar.monthrange(*ym)[1])
                # Models and software are often released before their paper; papers are not.
                earliest = first - dt.timedelta(days=ARXIV_EARLY_DAYS) if entry.kind == "paper" else dt.date.min
                if not earliest <= entry.date <= last:
                    yield _diag(
                        item,
                        ("date",),
                        "date",
                        f"date {entry.date.isoformat()} disagrees with arXiv id {entry.arxiv} "
                        f"(submitted {ym[0]}-{ym[1]:02d})",
                    )
        for name, url in entry.links.items_present():
            arxiv_url = arxivid.parse_url(url)
            if arxiv_url is None:
                continue
            canonical_id, canonical = arxiv_url.id, arxiv_url.canonical
            if url != canonical:
                yield _diag(item, ("links", name), f"links.{name}", f"write arXiv links as {canonical}")
            if entry.arxiv and canonical_id != entry.arxiv:
                yield _diag(
                    item, ("links", name), f"links.{name}", f"links to arXiv {canonical_id} but arxiv is {entry.arxiv}"
                )
            elif not entry.arxiv and name == "paper":
                yield _diag(item, ("links", name), "arxiv", f"the paper is on arXiv: set arxiv: '{canonical_id}'")


def check_exclusions(catalog: Catalog) -> Iterator[Diagnostic]:
    for item in catalog.entries.values():
        excluded = catalog.exclusions.get(item.entry.arxiv or "")
        if excluded is not None:
            yield _diag(
                item,
                ("arxiv",),
                "arxiv",
                f"arXiv {item.entry.arxiv} is excluded in {excluded.display_path}:{excluded.line} "
                f"({excluded.exclusion.reason}): remove this entry, or the exclusion if the paper is in scope",
            )


def check_dates(catalog: Catalog) -> Iterator[Diagnostic]:
    for item in catalog.entries.values():
        if item.entry.added < item.entry.date:
            yield _diag(item, ("added",), "added", "added is earlier than the entry's own date")


RULES: tuple[Callable[[Catalog], Iterator[Diagnostic]], ...] = (
    check_references,
    check_duplicates,
    check_arxiv,
    check_exclusions,
    check_dates,
)


def check_catalog(catalog: Catalog) -> list[Diagnostic]:
    """Run every cross-entry rule; the catalog's own load diagnostics are not repeated."""
    return [diag for rule in RULES for diag in rule(catalog)]


def load_and_check(root: Path) -> tuple[Catalog, list[Diagnostic]]:
    """Stages 1 and 2 together: the loaded catalog and every problem found, loading or checking."""
    catalog = load_catalog(root)
    return catalog, catalog.diagnostics + check_catalog(catalog)
