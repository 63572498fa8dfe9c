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
import functools
import importlib.util
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

from . import arxivid
from .diagnostics import Diagnostic
from .load import Catalog, LoadCache, LoadedEntry, load_catalog
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
    """Report every entry whose key an earlier entry already claimed. Earlier means added earlier
    (by ``added``, then by path), so the duplicate is reported on the newcomer, naming the entry that
    was there first, never on the untouched one."""
    owner: dict[str, LoadedEntry] = {}
    for item in sorted(catalog.entries.values(), key=lambda i: (i.entry.added, i.display_path)):
        for value, path, field in key(item):
            if value in owner and owner[value].id != item.id:
                first = owner[value]
                yield _diag(item, path, field, f"same {what} as {first.display_path} (id '{first.id}')")
            else:
                owner.setdefault(value, item)


_DEFAULT_PORTS = {"http": 80, "https": 443}


@functools.lru_cache(maxsize=1 << 14)  # serve checks the same URLs after every edit
def normalise_url(url: str) -> str:
    """A URL as duplicates are compared: scheme, "www.", a trailing slash and a default port
    ignored; any other port kept (``:8080`` is another server)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    try:
        port = parts.port
    except ValueError:  # the schema refuses such a URL; compare it as written
        port = None
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    arxiv_url = arxivid.parse_url(url)
    if arxiv_url is not None:
        return f"arxiv:{arxiv_url.id}"
    return f"{host}{path}{'?' + parts.query if parts.query else ''}"


@functools.cache
def _ascii_lookalikes() -> dict[str, str]:
    """Each non-ASCII character that Unicode's confusables table lists as looking like an ASCII one,
    mapped to it (Cyrillic "а" → "a"); from confusable-homoglyphs' copy of that table."""
    spec = importlib.util.find_spec("confusable_homoglyphs")  # its data file, without importing it
    assert spec is not None and spec.origin is not None, "confusable-homoglyphs is a dependency"
    path = Path(spec.origin).with_name("confusables.json")
    table = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for char, glyphs in table.items():
        ascii_forms = [g["c"] for g in glyphs if g["c"].isascii() and g["c"].isprintable()]
        if not char.isascii() and len(char) == 1 and ascii_forms:
            out[char] = ascii_forms[0]
    return out


@functools.lru_cache(maxsize=1 << 14)
def normalise_title(title: str) -> str:
    """A title as duplicates are compared: NFKC, look-alike letters as the ASCII ones they imitate,
    case and punctuation ignored."""
    text = unicodedata.normalize("NFKC", title)
    if not text.isascii():
        lookalikes = _ascii_lookalikes()
        text = "".join(lookalikes.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text).casefold()
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


def check_cycles(catalog: Catalog) -> Iterator[Diagnostic]:
    """``extends`` must not loop back (a family's lineage would have no first version and vanish
    from the lineages page); each cycle is reported once, on its first member by id."""
    entries = catalog.entries
    reported: set[str] = set()
    for start in sorted(entries):
        path: list[str] = []
        current: str | None = start
        while current is not None and current in entries and current not in path:
            path.append(current)
            parents = [t for t in entries[current].entry.relations.extends if t in entries and t != current]
            current = parents[0] if parents else None
        if current is None or current not in path:
            continue
        cycle = path[path.index(current) :]
        first = min(cycle)
        if first in reported:
            continue
        reported.add(first)
        item = entries[first]
        order = cycle[cycle.index(first) :] + cycle[: cycle.index(first)] + [first]
        index = next(i for i, t in enumerate(item.entry.relations.extends) if t in cycle)
        yield _diag(
            item,
            ("relations", "extends", index),
            f"relations.extends[{index}]",
            f"extends goes round in a cycle ({' → '.join(order)}): one of them must be the first version",
        )


RULES: tuple[Callable[[Catalog], Iterator[Diagnostic]], ...] = (
    check_references,
    check_duplicates,
    check_arxiv,
    check_exclusions,
    check_dates,
    check_cycles,
)


def check_catalog(catalog: Catalog) -> list[Diagnostic]:
    """Run every cross-entry rule; the catalog's own load diagnostics are not repeated."""
    return [diag for rule in RULES for diag in rule(catalog)]


def load_and_check(root: Path, cache: LoadCache | None = None) -> tuple[Catalog, list[Diagnostic]]:
    """Stages 1 and 2 together: the loaded catalog and every problem found, loading or checking
    (``cache``: see :class:`dllm_atlas.load.LoadCache`)."""
    catalog = load_catalog(root, cache)
    return catalog, catalog.diagnostics + check_catalog(catalog)
