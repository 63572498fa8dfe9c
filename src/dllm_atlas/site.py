"""Output: the browsable site's pages, generated into the MkDocs docs folder.

``dllm-atlas build`` (and the MkDocs hook, for ``mkdocs serve``) call :func:`generate`, which renders
``templates/site/*.j2`` from the index into the docs folder:

==========================  ===============================================================
``index.md``                home: intro (``docs/_snippets/intro.md``), counts, newest, chart
``explorer.md``             every entry with client-side facets (``docs/assets/atlas.js``)
``areas/``, ``topics/``     one page per area and per topic, entries newest first
``entries/<id>.md``         one page per entry: every field, relations both ways, BibTeX
``models.md`` …             models and frameworks tables, timeline, lineages
``excluded.md``             the papers judged out of scope (``catalog/exclusions.yaml``)
``catalog.json``            the JSON export, each entry with its page ``url``
``catalog.bib``             BibTeX for every entry
``feed.xml``                Atom feed of the newest additions
==========================  ===============================================================

These paths are build output (git-ignored); every other file in the docs folder is hand-written.
Only files whose bytes change are rewritten, and generated files of entries that no longer exist
are removed, so ``mkdocs serve`` settles after one rebuild.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment

from . import export
from .fsutil import write_atomic
from .index import Index
from .load import LoadedEntry
from .safeyaml import YamlError, decode, parse

GENERATED_FILES = (
    "index.md",
    "explorer.md",
    "models.md",
    "frameworks.md",
    "timeline.md",
    "lineages.md",
    "excluded.md",
    "catalog.json",
    "catalog.bib",
    "feed.xml",
)
GENERATED_DIRS = ("areas", "topics", "entries")
# Set by `dllm-atlas build` for its MkDocs run: the pages are generated, the hook need not.
PAGES_READY_ENV = "DLLM_ATLAS_PAGES_READY"
# Set by `dllm-atlas serve`: the catalog folder the hook regenerates from.
CATALOG_ENV = "DLLM_ATLAS_CATALOG"
FEED_SIZE = 50
NEWEST_ON_HOME = 12
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


def mkdocs_env(*, pages_ready: bool, catalog: Path | None = None) -> dict[str, str]:
    """The environment for a MkDocs process: quiet about MkDocs 2, and telling the hook whether the
    pages are already generated (``build``) or must be regenerated on each rebuild (``serve``)."""
    env = {k: v for k, v in os.environ.items() if k not in (PAGES_READY_ENV, CATALOG_ENV)}
    env["NO_MKDOCS_2_WARNING"] = "1"
    if pages_ready:
        env[PAGES_READY_ENV] = "1"
    if catalog is not None:
        env[CATALOG_ENV] = str(catalog.resolve())
    return env


@dataclass(frozen=True)
class SiteConfig:
    """What the pages need from ``mkdocs.yml``."""

    docs_dir: Path
    site_url: str
    repo_url: str | None
    branch: str = "main"

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


def parameter_sort_key(parameters: list[str]) -> float:
    """Largest total parameter count, in billions, for sorting the models table."""
    units = {"K": 1e-6, "M": 1e-3, "B": 1.0, "T": 1e3}
    best = 0.0
    for value in parameters:
        total = value.split("-A")[0]
        best = max(best, float(total[:-1]) * units[total[-1]])
    return best


def explorer_records(index: Index) -> list[dict[str, Any]]:
    return [
        {
            "id": item.id,
            "title": item.entry.title,
            "short": item.entry.short_name or "",
            "kind": item.entry.kind,
            "date": item.entry.date.isoformat(),
            "year": item.entry.date.year,
            "topics": item.entry.topics,
            "areas": sorted(area.slug for area in index.areas_of[item.id]),
            "code": bool(item.entry.links.code),
            "summary": item.entry.summary or "",
            "authors": item.entry.authors[:6],
            "url": f"../{entry_path(item.id)}",
        }
        for item in index.entries
    ]


def render_pages(index: Index, env: Environment, config: SiteConfig, intro: str, today: dt.date) -> dict[str, str]:
    """Every generated file, as ``{path relative to docs_dir: text}``."""
    topic_area = index.taxonomy.topic_area()
    topics = index.taxonomy.topics()
    common = {
        "index": index,
        "topics": topics,
        "topic_area": topic_area,
        "entry_path": entry_path,
        "site_url": config.site_url,
    }
    pages: dict[str, str] = {}

    def page(path: str, template: str, **context: Any) -> None:
        pages[path] = env.get_template(f"site/{template}").render(**common, **context)

    newest = sorted(index.entries, key=lambda i: (i.entry.added, i.entry.date, i.id), reverse=True)
    page(
        "index.md",
        "home.md.j2",
        intro=intro,
        newest=newest[:NEWEST_ON_HOME],
        chart=env.get_template("site/chart.svg.j2").render(**chart_geometry(index)),
    )
    page("explorer.md", "explorer.md.j2", records=explorer_records(index))
    page("models.md", "models.md.j2", models=index.of_kind("model"), sort_key=parameter_sort_key)
    page("frameworks.md", "frameworks.md.j2", frameworks=index.of_kind("framework"))
    page("timeline.md", "timeline.md.j2")
    page("lineages.md", "lineages.md.j2")
    page("excluded.md", "excluded.md.j2")
    page("areas/index.md", "areas.md.j2")
    for area in index.taxonomy.areas:
        page(f"areas/{area.slug}.md", "area.md.j2", area=area)
        for topic in area.topics:
            page(
                f"topics/{topic.slug}.md",
                "topic.md.j2",
                area=area,
                topic=topic,
                entries=index.by_topic.get(topic.slug, []),
            )
    # A template's macros are attributes of its module, made at run time: mypy cannot see them.
    bib_entry = env.get_template("site/_bibtex.j2").module.entry  # type: ignore[attr-defined]
    for item in index.entries:
        source = source_path(item)
        page(
            f"entries/{item.id}.md",
            "entry.md.j2",
            item=item,
            source=source,
            edit_url=config.edit_url(source),
            bibtex=bib_entry(item),
        )
    pages["catalog.bib"] = env.get_template("site/catalog.bib.j2").render(
        entries=sorted(index.entries, key=lambda i: i.id)
    )
    pages["catalog.json"] = export.to_json(export.catalog_document(index, entry_path))
    pages["feed.xml"] = env.get_template("site/feed.xml.j2").render(
        **common,
        entries=newest[:FEED_SIZE],
        updated=max((i.entry.added for i in index.entries), default=today),
        host=urlsplit(config.site_url).hostname or "localhost",
    )
    return pages


def is_generated(relative: str) -> bool:
    return relative in GENERATED_FILES or relative.split("/", 1)[0] in GENERATED_DIRS


def write_pages(docs_dir: Path, pages: dict[str, str]) -> tuple[int, int]:
    """Write changed files, remove stale generated ones; return (written, removed)."""
    written = removed = 0
    for relative, text in sorted(pages.items()):
        assert is_generated(relative), relative
        path = docs_dir / relative
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            write_atomic(path, text)
            written += 1
    for directory in GENERATED_DIRS:
        for path in sorted((docs_dir / directory).glob("**/*")):
            if path.is_file() and path.relative_to(docs_dir).as_posix() not in pages:
                path.unlink()
                removed += 1
    return written, removed


def generate(index: Index, env: Environment, config: SiteConfig, today: dt.date | None = None) -> tuple[int, int]:
    intro_path = config.docs_dir / INTRO_SNIPPET
    intro = intro_path.read_text(encoding="utf-8") if intro_path.is_file() else ""
    pages = render_pages(index, env, config, intro, today or dt.date.today())
    return write_pages(config.docs_dir, pages)
