"""Output: the browsable site's pages, generated into the MkDocs docs folder.

``dllm-atlas build`` (and the MkDocs hook, for ``mkdocs serve``) call :func:`generate`, which renders
``templates/site/*.j2`` from the index into the docs folder:

==========================  ===============================================================
``index.md``                home: intro (``docs/_snippets/intro.md``), counts, newest, chart
``explorer.md``             the explorer's form; client-side facets (``docs/assets/atlas.js``)
``explorer.json``           the explorer's data: the fields it filters and shows, fetched once
``areas/``, ``topics/``     one page per area and per topic, entries newest first
``entries/<id>.md``         one page per entry: every field, relations both ways, BibTeX
``authors/``                the people index and one page per author (:mod:`dllm_atlas.people`)
``models.md`` …             models and frameworks tables, timeline (``timeline/<year>.md``), lineages
                            (drawn), charts
``map.md``, ``maps/``       the relation map (``maps/overview.svg``, fetched by the page) and each
                            entry's neighbourhood (``maps/entries/<id>.svg``): :mod:`.graph`
``excluded.md``             the papers judged out of scope (``catalog/exclusions.yaml``)
``search-records.json``     the site search's entry records, merged into Material's index after
                            the build (:func:`merge_search_records`); not published itself
``catalog.json``            the JSON export (compact), each entry with its page ``url``
``catalog.bib``             BibTeX for every entry
``feed.xml``, ``feed-*``    Atom feed of the newest additions, and one per topic
==========================  ===============================================================

These paths are build output (git-ignored); every other file in the docs folder is hand-written.
Only files whose bytes change are rewritten, and generated files of entries that no longer exist
are removed, so ``mkdocs serve`` settles after one rebuild.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import json
import os
import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment

from . import activity, charts, export, graph, memo, people, render, sharing
from .fsutil import sync_dir, write_atomic
from .index import Index, entry_record
from .load import LoadedEntry
from .memo import Memo
from .safeyaml import YamlError, decode, parse
from .similar import similar_entries

GENERATED_FILES = (
    "index.md",
    "explorer.md",
    "explorer.json",
    "models.md",
    "frameworks.md",
    "timeline.md",
    "lineages.md",
    "map.md",
    "charts.md",
    "excluded.md",
    "search-records.json",
    "catalog.json",
    "catalog.bib",
    "feed.xml",
)
GENERATED_DIRS = ("areas", "topics", "entries", "maps", "authors", "timeline")
# Generated files at the top whose names follow a pattern: the topics' feeds (sharing.topic_feed_path).
GENERATED_PATTERNS = ("feed-*.xml",)
MAP_FILE = "maps/overview.svg"
# A memo's get (or memo.compute): a value by its key, reused while the key is the same.
Cached = Callable[[Hashable, Callable[[], Any]], Any]
# The entries' search records, for the hook to merge into Material's index (excluded from the site).
SEARCH_RECORDS = "search-records.json"
SEARCH_INDEX = Path("search") / "search_index.json"
# Set by `dllm-atlas build` for its MkDocs run: the pages are generated, the hook need not.
PAGES_READY_ENV = "DLLM_ATLAS_PAGES_READY"
# The same, as a key of the MkDocs config, for `dllm-atlas serve`'s in-process builds.
PAGES_READY_KEY = "atlas_pages_ready"
# Set by `dllm-atlas serve`: the folder where its builds keep the theme's compiled templates.
SERVE_KEY = "atlas_serve_templates"
FEED_SIZE = 50
# The links the models table shows for each model, in its Links column.
MODEL_TABLE_LINKS = ("code", "huggingface", "paper", "blog")
NEWEST_ON_HOME = 12
# Hex digits of a data file's SHA-256 in the URL a page fetches it by: a new file, a new URL.
DATA_HASH_LENGTH = 12
INTRO_SNIPPET = Path("_snippets") / "intro.md"
# One colour per area, in taxonomy order; readable on light and dark backgrounds.
PALETTE = (
    "#5c6bc0",
    "#26a69a",
    "#ef5350",
    "#ffa726",
    "#ab47bc",
    "#29b6f6",
    "#8d6e63",
    "#66bb6a",
    "#ec407a",
    "#78909c",
    "#d4e157",
    "#7e57c2",
)


def edit_url(repository: str | None, branch: str, source: str) -> str | None:
    """The "edit this page" URL of a repository file, or None without a repository."""
    return f"{repository.rstrip('/')}/edit/{branch}/{source}" if repository else None


def mkdocs_env(*, pages_ready: bool) -> dict[str, str]:
    """The environment for a MkDocs process: quiet about MkDocs 2, and telling the hook whether the
    pages are already generated (``build``) or must be generated by the hook (plain ``mkdocs``)."""
    env = {k: v for k, v in os.environ.items() if k != PAGES_READY_ENV}
    env["NO_MKDOCS_2_WARNING"] = "1"
    if pages_ready:
        env[PAGES_READY_ENV] = "1"
    return env


@dataclass(frozen=True)
class SiteConfig:
    """What the pages need from ``mkdocs.yml``."""

    docs_dir: Path
    site_url: str
    repo_url: str | None
    branch: str = "main"
    # The code and model activity `dllm-atlas enrich` writes; the site builds without it.
    activity_file: Path | None = None

    def edit_url(self, source: str) -> str | None:
        return edit_url(self.repo_url, self.branch, source)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], config_dir: Path, where: str) -> SiteConfig:
        """From MkDocs settings: the parsed file, or the config object MkDocs hands its hooks."""
        if not data.get("site_url"):
            raise ValueError(f"{where}: site_url must be set (the feed and navigation.instant need it)")
        extra = data.get("extra")
        atlas = extra.get("atlas") if isinstance(extra, Mapping) else None
        if not isinstance(atlas, Mapping):
            atlas = {}
        return cls(
            docs_dir=config_dir / (data.get("docs_dir") or "docs"),
            site_url=str(data["site_url"]).rstrip("/") + "/",
            repo_url=atlas.get("repository"),
            branch=atlas.get("branch") or "main",
            activity_file=config_dir / activity.ACTIVITY_FILE,
        )


def read_config(config_file: Path) -> SiteConfig:
    """Read the few settings we need from mkdocs.yml with the same safe reader as the catalog."""
    try:
        data, _ = parse(decode(config_file.read_bytes()))
    except (OSError, YamlError) as exc:
        raise ValueError(f"{config_file}: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{config_file}: not a mapping of MkDocs settings")
    return SiteConfig.from_mapping(data, config_file.parent, str(config_file))


def entry_path(entry_id: str) -> str:
    """The entry page's path on the site (directory URLs)."""
    return f"entries/{entry_id}/"


# The navigation page whose tab an entry page belongs to, by kind; other kinds go under Areas.
SECTION_OF_KIND = {"model": "models.md", "framework": "frameworks.md"}
AREAS_SECTION = "areas/index.md"
PEOPLE_SECTION = "authors/index.md"


def section_of(item: LoadedEntry) -> str:
    """The nav page (source path) an entry page highlights: the table listing its kind, else Areas."""
    return SECTION_OF_KIND.get(item.entry.kind, AREAS_SECTION)


def source_path(item: LoadedEntry) -> str:
    return f"catalog/{item.path.parent.name}/{item.path.name}"


def _year_counts(index: Index) -> dict[str, Any]:
    """Entries per year, each counted once: in the area of its first topic, its primary area.

    Counting an entry in every area it touches would make a bar's height the number of
    entry-area pairs, which readers take for the number of entries.
    """
    years = sorted(index.years)
    primary: dict[str, list[LoadedEntry]] = {}
    for item in index.entries:
        area = index.primary_area.get(item.id)
        if area is not None:
            primary.setdefault(area.slug, []).append(item)
    rows = []
    for area_number, area in enumerate(index.taxonomy.areas):
        items = primary.get(area.slug, [])
        counts = {year: sum(1 for i in items if i.entry.date.year == year) for year in years}
        rows.append({"area": area, "colour": PALETTE[area_number % len(PALETTE)], "counts": counts})
    return {"years": years, "rows": rows}


def chart_geometry(index: Index) -> dict[str, Any]:
    """Stacked bars of entries per year by primary area, laid out for templates/site/chart.svg.j2."""
    data = _year_counts(index)
    years, rows = data["years"], data["rows"]
    totals = {y: sum(r["counts"][y] for r in rows) for y in years}
    peak = max(totals.values(), default=1) or 1
    width, height, left, bottom, top = 640, 260, 40, 30, 24
    bar_space = (width - left - 10) / max(len(years), 1)
    scale = (height - bottom - top) / peak
    bars = []
    for n, year in enumerate(years):
        x = left + n * bar_space + bar_space * 0.15
        y = height - bottom
        segments = []
        for row in rows:
            value = row["counts"][year]
            if value:
                h = value * scale
                y -= h
                segments.append(
                    {
                        "y": round(y, 1),
                        "h": round(h, 1),
                        "colour": row["colour"],
                        "area": row["area"].name,
                        "value": value,
                    }
                )
        bars.append(
            {
                "year": year,
                "x": round(x, 1),
                "w": round(bar_space * 0.7, 1),
                "segments": segments,
                "total": totals[year],
                "top": round(y, 1),
            }
        )
    ticks = sorted({0, peak // 2, peak})
    return {
        "width": width,
        "height": height,
        "left": left,
        "base": height - bottom,
        "bars": bars,
        "ticks": [{"value": t, "y": round(height - bottom - t * scale, 1)} for t in ticks],
        "legend": [{"name": r["area"].name, "colour": r["colour"]} for r in rows if any(r["counts"].values())],
    }


# The models table sorts by the same largest total parameter count the models chart plots.
parameter_sort_key = charts.parameters_in_billions


def activity_by_id(index: Index, data: activity.ActivityData | None) -> dict[str, activity.EntryActivity]:
    """Each entry's code and model activity (``data/activity.json``), for the entries that have some."""
    found = {item.id: activity.of_entry(item.entry.links, data) for item in index.entries}
    return {entry_id: value for entry_id, value in found.items() if value is not None}


# Values explorer.json leaves out, as the explorer assumes them when a record has no such key.
EXPLORER_DEFAULTS: dict[str, Any] = {
    "short": "",
    "code": False,
    "weights": False,
    "venue": "",
    "cite": "misc",
    "arxiv": "",
    "link": "",
    "summary": "",
}


def explorer_data(
    index: Index, persons: people.People, activities: Mapping[str, activity.EntryActivity] | None = None
) -> dict[str, Any]:
    """The explorer's data (``explorer.json``): every author's name once (``authors``), and the
    entries newest first (``entries``) with what the explorer filters, sorts, shows and exports,
    and no more. An entry's ``authors`` are positions in that list (every author, canonical names);
    its areas come from its topics (the page's topic buttons name them) and its page is
    ``entries/<id>/``, so neither is repeated here. ``stars`` and ``pushed`` (the repository's last
    push, from ``data/activity.json``) are there when known, for the explorer's sort. (Made whole:
    positions in the author list are the whole catalog's.)"""
    activities = activities or {}
    position = {author.name: n for n, author in enumerate(persons.authors)}
    entries = []
    for item in index.entries:
        e = item.entry
        names = dict.fromkeys(persons.canonical(raw) for raw in e.authors)
        record = {
            "id": item.id,
            "title": e.title,
            "short": e.short_name or "",
            "kind": e.kind,
            "date": render.date_shown(e),
            "iso": e.date.isoformat(),
            "topics": e.topics,
            "code": bool(e.links.code),
            "weights": bool(getattr(e, "open_weights", None)),
            "venue": e.venue or "",
            "cite": e.citation_type(),
            "arxiv": e.arxiv or "",
            "link": e.links.primary() or "",
            "summary": e.summary or "",
            "authors": [position[name] for name in names],
            **_activity_fields(activities.get(item.id)),
        }
        # Defaults are left out (a tenth of the file); the explorer fills them in (atlas.js OMITTED).
        entries.append({k: v for k, v in record.items() if k not in EXPLORER_DEFAULTS or v != EXPLORER_DEFAULTS[k]})
    return {"authors": [author.name for author in persons.authors], "entries": entries}


def venues(index: Index) -> list[str]:
    """The venues entries name, for the explorer's venue facet (case-insensitive order)."""
    return sorted({item.entry.venue for item in index.entries if item.entry.venue}, key=lambda v: (v.casefold(), v))


def _activity_fields(found: activity.EntryActivity | None) -> dict[str, Any]:
    """``stars`` and ``pushed`` when known, else absent (3,000 entries without them stay as light)."""
    fields: dict[str, Any] = {}
    if found is not None and found.stars is not None:
        fields["stars"] = found.stars
    if found is not None and found.pushed is not None:
        fields["pushed"] = found.pushed.isoformat()
    return fields


def search_records(index: Index, env: Environment, cached: Cached = memo.compute) -> list[dict[str, Any]]:
    """One search record per entry, in Material's index format: the entry pages themselves are kept
    out of Material's indexing (``search: exclude``), which would hold every section of every page
    (details, relations, BibTeX) and repeat each entry's text several times over."""
    # A template's macros are attributes of its module, made at run time: mypy cannot see them.
    record = env.get_template("site/search_record.html.j2").module

    def one(item: LoadedEntry) -> dict[str, Any]:
        return {
            "location": entry_path(item.id),
            "title": str(record.title(item.entry)),  # type: ignore[attr-defined]
            "text": str(record.text(item.entry)),  # type: ignore[attr-defined]
        }

    return [cached(("search", item.id, item.digest), partial(one, item)) for item in index.entries]


def merge_search_records(site_dir: Path, docs_dir: Path) -> int:
    """Put the entries' records (``docs/search-records.json``) into the search index Material wrote,
    replacing anything it indexed of those pages, and write the index compactly; the number of
    records merged (0 without a search index or records: the search plugin off, or not our docs)."""
    index_path, records_path = site_dir / SEARCH_INDEX, docs_dir / SEARCH_RECORDS
    if not index_path.is_file() or not records_path.is_file():
        return 0
    data = json.loads(index_path.read_text(encoding="utf-8"))
    records = json.loads(records_path.read_text(encoding="utf-8"))
    ours = {record["location"] for record in records}
    data["docs"] = [doc for doc in data["docs"] if doc["location"].split("#", 1)[0] not in ours] + records
    # Written as MkDocs wrote it (a plain write, the file's mode kept): part of a build in progress.
    index_path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return len(records)


def versioned(path: str, text: str) -> str:
    """``path?v=<hash of text>``: the browser caches the file and fetches it again once it changes."""
    return f"{path}?v={hashlib.sha256(text.encode('utf-8')).hexdigest()[:DATA_HASH_LENGTH]}"


def listed(items: list[LoadedEntry]) -> tuple[tuple[Any, ...], ...]:
    """What a listing (topic, area, timeline, lineage) shows of its entries: the key of its page in
    a memo, so an edit to a summary does not render every listing again. Each entry's part is
    made once per loaded file (``LoadedEntry.listed``): comparing two keys is then mostly
    comparing the same objects."""
    return tuple(i.listed for i in items)


def entry_page_inputs(index: Index, item: LoadedEntry) -> Hashable:
    """Everything an entry page shows, as digests: its file's, and each linked entry's (relations
    both ways, base model, supported models) with the group it is shown in."""
    by_id = index.by_id

    def linked(ids: list[str]) -> tuple[tuple[str, str | None], ...]:
        return tuple((i, by_id[i].digest if i in by_id else None) for i in ids)

    groups = tuple((g.key, linked([x.id for x in g.entries])) for g in index.relation_groups.get(item.id, []))
    base = getattr(item.entry, "base_model", None)
    supported = getattr(item.entry, "supported_models", None) or []
    return (item.digest, groups, linked([base] if base else []), linked(supported))


def drawn(index: Index) -> Hashable:
    """What the drawings (map, neighbourhoods, lineages, charts) are laid out from: each entry's
    listed fields, topics (its colour), relations and parameters. A summary edit leaves it as it was,
    so no layout is made again."""
    return tuple(
        (
            *item.listed,
            tuple(item.entry.topics),
            tuple(index.outgoing.get(item.id, [])),
            tuple(getattr(item.entry, "parameters", None) or []),
        )
        for item in index.entries
    )


def charted(index: Index) -> Hashable:
    """What the charts show: each entry's month and primary area, and each model's listed
    fields, parameters and open weights. A title edit of a paper leaves them alone."""
    return (
        tuple((i.entry.date, area.slug if (area := index.primary_area.get(i.id)) else None) for i in index.entries),
        tuple(
            (i.listed, tuple(i.entry.parameters), i.entry.open_weights)
            for i in index.of_kind("model")
            if getattr(i.entry, "parameters", None)
        ),
    )


def author_page_inputs(author: people.Author) -> Hashable:
    """What an author's page shows: the name, its variants, the entries listed, the co-authors."""
    return (
        author.name,
        author.slug,
        tuple(author.variants),
        listed(author.entries),
        tuple((other.name, other.slug, shared) for other, shared in author.coauthors),
    )


def table_inputs(index: Index, items: list[LoadedEntry], links: str) -> Hashable:
    """What the models or frameworks table shows: its rows' entries, and the names of the entries
    they link to (``links``: the base model, or the supported models); None without digests."""
    if not all(item.digest for item in items):
        return None
    rows = []
    for item in items:
        value = getattr(item.entry, links, None) or []
        targets = [value] if isinstance(value, str) else value
        rows.append((item.id, item.digest, listed([index.by_id[t] for t in targets if t in index.by_id])))
    return tuple(rows)


def render_pages(
    index: Index,
    env: Environment,
    config: SiteConfig,
    intro: str,
    today: dt.date,
    activity_data: activity.ActivityData | None = None,
    cached: Cached = memo.compute,
    similar: Mapping[str, list[str]] | None = None,
    kept_drawings: Callable[[Hashable], Mapping[str, str] | None] | None = None,
) -> dict[str, str]:
    """Every generated file, as ``{path relative to docs_dir: text}``. With ``cached`` (a
    :class:`dllm_atlas.memo.Memo`'s ``get``), pages and fragments whose inputs did not change since
    the last generation are reused, not rendered. ``similar``: each entry's similar work, when the
    caller has it (``serve`` computes it beside its rebuilds); else it is computed here.
    ``kept_drawings``: given what the drawings are drawn from (:func:`drawn`), the files of a
    generation to take the map and neighbourhood drawings from instead of making them, or None
    (see :func:`generate`'s ``defer``)."""
    topic_area = index.taxonomy.topic_area()
    topics = index.taxonomy.topics()
    activities = activity_by_id(index, activity_data)
    # The people are made again only when who wrote what changes (or the entries' order, which
    # orders each author's entries); their entries are then pointed at this generation's objects,
    # so an author page shows an edited title. What an author page shows of its entries is its
    # key (author_page_inputs).
    people_key = (
        "people",
        tuple((i.id, tuple(i.entry.authors)) for i in index.entries),
        tuple(sorted(index.author_aliases.items())),
    )
    persons = cached(people_key, partial(people.build_people, index.entries, index.author_aliases))
    people.use_entries(persons, index.by_id)
    common = {
        "activity": activities,
        "index": index,
        "people": persons,
        "topics": topics,
        "topic_area": topic_area,
        "entry_path": entry_path,
        "site_url": config.site_url,
    }
    pages: dict[str, str] = {}

    def page(
        path: str,
        template: str,
        inputs: Hashable = None,
        lazy: Callable[[], dict[str, Any]] | None = None,
        **context: Any,
    ) -> None:
        """Render ``template`` to ``path``; ``lazy`` gives context worth computing only when the
        page is rendered (not when a memo already holds it)."""

        def make() -> str:
            return env.get_template(f"site/{template}").render(**common, **context, **(lazy() if lazy else {}))

        # Pages without declared inputs are small: rendered every time.
        pages[path] = make() if inputs is None else cached(("page", path, template, inputs), make)

    newest = sorted(index.entries, key=lambda i: (i.entry.added, i.entry.date, i.id), reverse=True)
    page(
        "index.md",
        "home.md.j2",
        intro=intro,
        newest=newest[:NEWEST_ON_HOME],
        chart=env.get_template("site/chart.svg.j2").render(**chart_geometry(index)),
    )
    # Whole, but made again only when an entry or the people change (the activity data is part of
    # the generation's context).
    pages["explorer.json"] = cached(
        ("explorer.json", tuple((i.id, i.digest) for i in index.entries), people_key),
        lambda: env.get_template("site/explorer.json.j2").render(data=explorer_data(index, persons, activities)),
    )
    # Relative to the page (explorer/), so the site works under any site_url path.
    page(
        "explorer.md",
        "explorer.md.j2",
        data_src=versioned("../explorer.json", pages["explorer.json"]),
        venues=venues(index),
    )
    models, frameworks = index.of_kind("model"), index.of_kind("framework")
    page(
        "models.md",
        "models.md.j2",
        inputs=table_inputs(index, models, "base_model"),
        models=models,
        sort_key=parameter_sort_key,
        table_links=MODEL_TABLE_LINKS,
    )
    page(
        "frameworks.md",
        "frameworks.md.j2",
        inputs=table_inputs(index, frameworks, "supported_models"),
        frameworks=frameworks,
    )
    page("timeline.md", "timeline.md.j2")
    # One page per year: the whole timeline in one page was 568 KB at 3,000 entries.
    years = index.years  # newest first
    for n, year in enumerate(years):
        in_year = [item for item in index.entries if item.entry.date.year == year]
        newer, older = years[n - 1] if n > 0 else None, years[n + 1] if n + 1 < len(years) else None
        page(
            f"timeline/{year}.md",
            "timeline_year.md.j2",
            inputs=(listed(in_year), newer, older),
            year=year,
            entries=in_year,
            newer=newer,
            older=older,
        )
    shape = drawn(index) if all(i.digest for i in index.entries) else None
    before = kept_drawings(shape) if kept_drawings is not None and shape is not None else None
    if before is None:
        render_drawings(index, env, pages, cached, shape)
    else:
        pages.update({path: text for path, text in before.items() if is_drawing(path)})
    drawings = cached(
        ("lineage-layouts", shape if shape is not None else object()), partial(graph.lineage_drawings, index)
    )

    def lineage_context() -> dict[str, Any]:
        return {
            "drawings": [
                env.get_template("site/lineage.svg.j2").render(drawing=d, prefix="../", first=n == 0, palette=PALETTE)
                for n, d in enumerate(drawings)
            ]
        }

    page(
        "lineages.md",
        "lineages.md.j2",
        inputs=(
            shape,
            tuple((tuple((i.id, i.digest) for i in lin.members), listed(lin.built_on_by)) for lin in index.lineages),
        )
        if shape is not None
        else None,
        lazy=lineage_context,
    )
    chart_key = charted(index) if shape is not None else object()
    months, models_chart = cached(
        ("chart-layouts", chart_key),
        lambda: (charts.months_chart(index, PALETTE), charts.models_chart(index)),
    )

    def chart_context() -> dict[str, Any]:
        return {
            "months_svg": env.get_template("site/chart_months.svg.j2").render(c=months, palette=PALETTE),
            "models_svg": env.get_template("site/chart_models.svg.j2").render(
                c=models_chart, prefix="../", palette=PALETTE
            ),
        }

    page(
        "charts.md",
        "charts.md.j2",
        inputs=chart_key if shape is not None else None,
        lazy=chart_context,
        months=months,
        models=models_chart,
    )
    page("excluded.md", "excluded.md.j2")
    page("areas/index.md", "areas.md.j2")
    for area in index.taxonomy.areas:
        by_topic = [index.by_topic.get(topic.slug, []) for topic in area.topics]
        page(
            f"areas/{area.slug}.md",
            "area.md.j2",
            inputs=tuple(listed(entries) for entries in by_topic),
            area=area,
            section=AREAS_SECTION,
        )
        for topic, entries in zip(area.topics, by_topic, strict=True):
            page(
                f"topics/{topic.slug}.md",
                "topic.md.j2",
                inputs=listed(entries),
                area=area,
                topic=topic,
                entries=entries,
                section=AREAS_SECTION,
                feed=sharing.topic_feed_path(topic.slug),
            )
    page(PEOPLE_SECTION, "authors.md.j2")
    for author in persons.authors:
        page(
            f"authors/{author.slug}.md",
            "author.md.j2",
            inputs=author_page_inputs(author) if all(i.digest for i in author.entries) else None,
            author=author,
            section=PEOPLE_SECTION,
        )
    # A template's macros are attributes of its module, made at run time: mypy cannot see them.
    bib_macro = env.get_template("site/_bibtex.j2").module.entry  # type: ignore[attr-defined]

    def bib(item: LoadedEntry) -> str:
        return str(bib_macro(item))

    bibtex = {item.id: cached(("bib", item.id, item.digest), partial(bib, item)) for item in index.entries}
    nearest = similar_entries(index) if similar is None else similar
    for item in index.entries:
        source = source_path(item)
        hood = f"maps/entries/{item.id}.svg"
        similar_items = [index.by_id[other] for other in nearest.get(item.id, []) if other in index.by_id]
        page(
            f"entries/{item.id}.md",
            "entry.md.j2",
            inputs=(
                entry_page_inputs(index, item),
                listed(similar_items),
                hood in pages,
                tuple(persons.slug_of(name) for name in item.entry.authors),
            )
            if item.digest
            else None,
            item=item,
            source=source,
            edit_url=config.edit_url(source),
            bibtex=bibtex[item.id],
            section=section_of(item),
            similar=similar_items,
            # Relative to the page (entries/<id>/), fetched when shown: entry pages stay light.
            hood_src=f"../../{hood}" if hood in pages else None,
            lazy=partial(sharing_context, item),
        )
    pages["catalog.bib"] = env.get_template("site/catalog.bib.j2").render(
        bibtex=[bibtex[item.id] for item in sorted(index.entries, key=lambda i: i.id)]
    )
    pages[SEARCH_RECORDS] = json.dumps(search_records(index, env, cached), ensure_ascii=False, separators=(",", ":"))
    pages["catalog.json"] = export.to_json(
        export.catalog_document(
            index,
            entry_path,
            lambda item, url: cached(("json", item.id, item.digest, url), lambda: entry_record(item, url)),
        ),
        compact=True,
    )
    render_feeds(index, env, config, common, today, pages, cached)
    return pages


def sharing_context(item: LoadedEntry) -> dict[str, Any]:
    """An entry page's sharing card and JSON-LD: made only when the page is rendered."""
    return {"card": sharing.card(item), "jsonld": sharing.json_ld(item)}


def render_drawings(
    index: Index, env: Environment, pages: dict[str, str], cached: Cached = memo.compute, shape: Hashable = None
) -> None:
    """The map page and its SVG, and every entry's neighbourhood drawing (:mod:`.graph`). With a
    memo, layouts are made again only when what they are drawn from (``shape``, see :func:`drawn`)
    changed, and a neighbourhood's drawing only when its own layout did."""
    shape = shape if shape is not None else object()  # without a shape, nothing is reused
    layout = cached(("map-layout", shape), partial(graph.map_layout, index))
    pages[MAP_FILE] = cached(
        ("map", shape),
        lambda: env.get_template("site/map.svg.j2").render(layout=layout, prefix="../", palette=PALETTE),
    )
    hood_template = env.get_template("site/neighbourhood.svg.j2")

    def layouts() -> dict[str, tuple[graph.Neighbourhood, str]]:
        found = {}
        for item in index.entries:
            hood = graph.neighbourhood(index, item.id)
            if hood is not None:
                found[item.id] = (hood, repr(hood))
        return found

    def draw(hood: graph.Neighbourhood, heading: str) -> str:
        return hood_template.render(hood=hood, heading=heading, prefix="../../", palette=PALETTE)

    for entry_id, (hood, text) in cached(("hood-layouts", shape), layouts).items():
        heading = index.by_id[entry_id].entry.heading()
        pages[f"maps/entries/{entry_id}.svg"] = cached(("hood", entry_id, heading, text), partial(draw, hood, heading))
    pages["map.md"] = env.get_template("site/map.md.j2").render(
        index=index,
        palette=PALETTE,
        # Relative to the page (map/), versioned by content like explorer.json.
        map_src=versioned(f"../{MAP_FILE}", pages[MAP_FILE]),
        map_file=MAP_FILE,
    )


def render_feeds(
    index: Index,
    env: Environment,
    config: SiteConfig,
    common: dict[str, Any],
    today: dt.date,
    pages: dict[str, str],
    cached: Cached = memo.compute,
) -> None:
    """The global Atom feed and one per topic, newest additions first."""
    feed = env.get_template("site/feed.xml.j2")
    host = urlsplit(config.site_url).hostname or "localhost"

    def newest(items: list[LoadedEntry]) -> list[LoadedEntry]:
        return sorted(items, key=lambda i: (i.entry.added, i.entry.date, i.id), reverse=True)[:FEED_SIZE]

    def updated(items: list[LoadedEntry]) -> dt.date:
        return max((i.entry.added for i in items), default=today)

    pages["feed.xml"] = feed.render(
        **common,
        entries=newest(index.entries),
        updated=updated(index.entries),
        host=host,
        topic=None,
        feed_path="feed.xml",
    )

    def topic_feed(topic: Any, entries: list[LoadedEntry], when: dt.date, path: str) -> str:
        return str(feed.render(**common, entries=entries, updated=when, host=host, topic=topic, feed_path=path))

    for topic in index.taxonomy.topics().values():
        items = index.by_topic.get(topic.slug, [])
        path = sharing.topic_feed_path(topic.slug)
        entries, when = newest(items), updated(items)
        digests = tuple((i.id, i.digest) for i in entries)
        key = ("feed", path, digests, when) if all(i.digest for i in entries) else ("feed", path, object())
        pages[path] = cached(key, partial(topic_feed, topic, entries, when, path))


def is_drawing(relative: str) -> bool:
    """Whether a generated file is one render_drawings makes: the map page, its SVG, a neighbourhood."""
    return relative in ("map.md", MAP_FILE) or (relative.startswith("maps/entries/") and relative.endswith(".svg"))


def is_generated(relative: str) -> bool:
    return (
        relative in GENERATED_FILES
        or relative.split("/", 1)[0] in GENERATED_DIRS
        or ("/" not in relative and any(fnmatch.fnmatchcase(relative, p) for p in GENERATED_PATTERNS))
    )


def write_pages(
    docs_dir: Path,
    pages: dict[str, str],
    known: dict[str, str] | None = None,
    changed: dict[str, str | None] | None = None,
) -> tuple[int, int]:
    """Write changed files, remove stale generated ones; return (written, removed).

    ``known`` (kept by a memo between generations) maps each path to the text last found or put
    on disk: a page whose text is that very object is not read back to be compared. ``changed``,
    when given, receives each file written with the text it replaced (None for a new file)."""
    written = removed = 0
    touched: set[Path] = set()
    known_before = set(known) if known else set()
    docs_text = str(docs_dir)
    for relative, text in sorted(pages.items()):
        assert is_generated(relative), relative
        # Strings, not Paths, for the pages the memo vouches for: 7,000 of them at 3,000 entries.
        if known is not None and known.get(relative) is text and os.path.isfile(os.path.join(docs_text, relative)):
            continue
        path = docs_dir / relative
        before = path.read_text(encoding="utf-8") if path.is_file() else None
        if before != text:
            # Atomic, not durable: pages are regenerated at will, so their folders are synced once
            # below instead of an fsync per page (3,065 fsyncs took 6.6 s of a 3k build).
            write_atomic(path, text, durable=False)
            touched.add(path.parent)
            written += 1
            if changed is not None:
                changed[relative] = before
        if known is not None:
            known[relative] = text
    for folder in sorted(touched):
        sync_dir(folder)
    if known is not None and known_before:
        # Every generated file on disk is known since the first generation: the stale ones are the
        # known ones this generation did not make (no walk through 3,000 entry pages).
        stale = [docs_dir / relative for relative in sorted(known_before - pages.keys())]
    else:
        stale = [path for directory in GENERATED_DIRS for path in sorted((docs_dir / directory).glob("**/*"))]
        stale += [path for pattern in GENERATED_PATTERNS for path in sorted(docs_dir.glob(pattern))]
    for path in stale:
        if path.is_file() and path.relative_to(docs_dir).as_posix() not in pages:
            path.unlink()
            removed += 1
    if known is not None:
        for relative in known.keys() - pages.keys():
            del known[relative]
    return written, removed


# Elements whose text is shown or run as written, and tags (attribute values may hold newlines).
_VERBATIM = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2\s*>|<[^>]*>)", re.S | re.I)
_INDENT = re.compile(r"[ \t\r\f]*\n\s*")


def compact_html(html: str) -> str:
    """A page without the indentation and blank lines of Material's templates (a fifth of an entry
    page): in text between tags, whitespace holding a line break becomes one line break, which
    renders the same. ``pre``, ``textarea``, ``script`` and ``style`` elements and the tags
    themselves are kept byte for byte."""
    parts = _VERBATIM.split(html)
    # split() yields text, then per match the whole match and its element name (or None).
    out = []
    for n, part in enumerate(parts):
        if n % 3 == 0:
            out.append(_INDENT.sub("\n", part))
        elif n % 3 == 1:
            out.append(part)
    return "".join(out)


def largest_files(
    site_dir: Path, count: int = 10, suffixes: tuple[str, ...] = (".html", ".json")
) -> list[tuple[str, int]]:
    """The ``count`` largest pages and data files of a built site: (path relative to it, bytes),
    largest first (ties by path). What a reader's browser may have to fetch in one go."""
    sizes = [
        (path.relative_to(site_dir).as_posix(), path.stat().st_size)
        for path in site_dir.rglob("*")
        if path.suffix in suffixes and path.is_file()
    ]
    return sorted(sizes, key=lambda item: (-item[1], item[0]))[:count]


def generate(
    index: Index,
    env: Environment,
    config: SiteConfig,
    today: dt.date | None = None,
    memo: Memo | None = None,
    similar: Mapping[str, list[str]] | None = None,
    defer: bool = False,
) -> tuple[int, int]:
    """Render every generated file into the docs folder; (written, removed). With ``memo`` (kept
    by ``serve`` between generations), only what changed is rendered (see :mod:`dllm_atlas.memo`);
    ``similar`` as for :func:`render_pages`. ``defer`` (with a memo that has made them once): the
    map and neighbourhood drawings stay as they were when their layouts would have to be made
    again (about a second at 3,000 entries after a title edit); ``memo.deferred`` then says so,
    and a later generation without ``defer`` makes them."""
    intro_path = config.docs_dir / INTRO_SNIPPET
    intro = intro_path.read_text(encoding="utf-8") if intro_path.is_file() else ""
    today = today or dt.date.today()
    # A malformed data file raises activity.ActivityError (a ValueError) naming it; none is no data.
    data = activity.read(config.activity_file) if config.activity_file else None
    if memo is None:
        return write_pages(config.docs_dir, render_pages(index, env, config, intro, today, data, similar=similar))
    memo.begin(generation_context(index, env, config, intro, today, data))
    memo.deferred = False

    def kept(shape: Hashable) -> Mapping[str, str] | None:
        # Deferred: the layouts the drawings need are not in the memo (what they are drawn from
        # changed), and the last generation's drawings are there to keep meanwhile.
        memo.deferred = MAP_FILE in memo.on_disk and not memo.holds(("map-layout", shape))
        return memo.on_disk if memo.deferred else None

    pages = render_pages(index, env, config, intro, today, data, memo.get, similar, kept if defer else None)
    if not memo.deferred:
        # A deferred generation keeps what it did not ask for: the drawings' layouts among them.
        memo.end()
    return write_pages(config.docs_dir, pages, memo.on_disk, memo.changed)


def generation_context(
    index: Index,
    env: Environment,
    config: SiteConfig,
    intro: str,
    today: dt.date,
    data: activity.ActivityData | None = None,
) -> Hashable:
    """What every generated page may depend on besides the entries: the templates' files (by
    name, size and modification time), the taxonomy, the site settings, the intro, the date and
    the activity data (rewritten weekly by ``enrich``: then everything is rendered again)."""
    templates: list[tuple[str, int, int]] = []
    for folder in getattr(env.loader, "searchpath", []):
        for root, _, names in os.walk(folder):
            for name in names:
                info = os.stat(os.path.join(root, name))
                templates.append((os.path.join(root, name), info.st_size, info.st_mtime_ns))
    activity_key = data.model_dump_json() if data is not None else None
    return (tuple(sorted(templates)), index.taxonomy.model_dump_json(), config, intro, today, activity_key)
