"""The built site (no browser): every page type, the published files, escaping, determinism."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import bibtexparser
import feedparser
import pytest

from dllm_atlas import render, site
from dllm_atlas.index import build_index
from dllm_atlas.load import LoadedExclusion, load_catalog
from dllm_atlas.models import Exclusion, Paper

from .sitekit import ROOT, build_from_index, index_of, project_copy

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="session")
def real_index():
    return build_index(load_catalog(ROOT / "catalog"))


def test_every_page_type_exists(real_site, real_index):
    for page in (
        "index.html",
        "explorer/index.html",
        "models/index.html",
        "frameworks/index.html",
        "timeline/index.html",
        "lineages/index.html",
        "areas/index.html",
        "tags/index.html",
        "about/index.html",
        "contributing/index.html",
        "search/search_index.json",
    ):
        assert (real_site / page).is_file(), page
    for area in real_index.taxonomy.areas:
        assert (real_site / "areas" / area.slug / "index.html").is_file()
        for topic in area.topics:
            assert (real_site / "topics" / topic.slug / "index.html").is_file()
    for item in real_index.entries:
        assert (real_site / "entries" / item.id / "index.html").is_file()


def test_catalog_json_matches_the_export_plus_urls(real_site, real_index, cli):
    published = json.loads((real_site / "catalog.json").read_text(encoding="utf-8"))
    exported = json.loads(cli("export", "json", "--catalog", str(ROOT / "catalog")).out)
    assert published == exported
    for entry in published["entries"]:
        assert entry["url"] == f"entries/{entry['id']}/"
        assert (real_site / entry["url"] / "index.html").is_file()


def test_catalog_bib_parses_with_one_record_per_entry(real_site, real_index):
    database = bibtexparser.loads((real_site / "catalog.bib").read_text(encoding="utf-8"))
    keys = {record["ID"] for record in database.entries}
    assert keys == {item.id for item in real_index.entries}
    llada = next(r for r in database.entries if r["ID"] == "llada")
    assert llada["eprint"] == "2502.09992" and llada["title"] == "{Large Language Diffusion Models}"


def test_feed_is_well_formed_atom(real_site, real_index):
    raw = (real_site / "feed.xml").read_bytes()
    root = ET.fromstring(raw)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert 0 < len(entries) <= site.FEED_SIZE
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}") is not None
    parsed = feedparser.parse(raw)
    assert parsed.bozo == 0 and parsed.version == "atom10"


def test_entry_page_shows_relations_both_ways_and_bibtex(real_site):
    llada = (real_site / "entries" / "llada" / "index.html").read_text(encoding="utf-8")
    assert "Extended by" in llada and 'href="../llada-1-5/"' in llada
    assert "@inproceedings{llada," in re.sub(r"<[^>]+>", "", llada)
    assert 'href="https://github.com/dllm-atlas/dllm-atlas/edit/main/catalog/models/llada.yaml"' in llada
    v15 = (real_site / "entries" / "llada-1-5" / "index.html").read_text(encoding="utf-8")
    assert "Extends" in v15 and 'href="../llada/"' in v15


def test_home_chart_counts_each_entry_once_per_year(real_site, real_index):
    svg = (real_site / "index.html").read_text(encoding="utf-8")
    bars = re.findall(r'class="atlas-axis">(\d{4})</text><text [^>]*class="atlas-axis">(\d+)</text>', svg)
    per_year: dict[str, int] = {}
    for item in real_index.entries:
        per_year[str(item.entry.date.year)] = per_year.get(str(item.entry.date.year), 0) + 1
    assert dict(bars) == {year: str(count) for year, count in per_year.items()}
    segments = [int(n) for n in re.findall(r"<title>\d{4} · [^<]*: (\d+)</title>", svg)]
    assert sum(segments) == len(real_index.entries)


def test_no_remote_assets(real_site):
    """Scripts, styles, images and frames all come from the site itself: no CDN, no fonts service."""
    for page in sorted(real_site.rglob("*.html")):
        for tag, attrs in _tags(page.read_text(encoding="utf-8")):
            attrs = dict(attrs)
            loaded = (
                attrs.get("src")
                if tag in ("script", "img", "iframe")
                else (
                    attrs.get("href")
                    if tag == "link" and attrs.get("rel") in ("stylesheet", "preload", "icon", "manifest")
                    else None
                )
            )
            assert not (loaded or "").startswith(("http:", "https:", "//")), (page, tag, loaded)


def test_generation_is_deterministic(real_index, tmp_path):
    config = site.read_config(project_copy(tmp_path))
    env = render.environment()
    first = site.render_pages(real_index, env, config, "intro", dt.date(2026, 11, 26))
    second = site.render_pages(real_index, env, config, "intro", dt.date(2026, 11, 26))
    assert first == second
    written, _ = site.write_pages(config.docs_dir, first)
    assert written == len(first)
    assert site.write_pages(config.docs_dir, first) == (0, 0)


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = _TagCollector()
    collector.feed(html)
    return collector.tags


HOSTILE_TITLE = 'Evil [click](javascript:alert(1)) <script>alert(2)</script> a|b {: onclick="x()"} `tick` }{'


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    evil = Paper.model_construct(
        kind="paper",
        title=HOSTILE_TITLE,
        short_name=None,
        authors=["<img src=x onerror=alert(3)>", "A } B"],
        date=dt.date(2025, 3, 3),
        date_precision="day",
        venue=None,
        arxiv=None,
        links=Paper.model_fields["links"].default_factory(),
        topics=["theory"],
        summary='Summary with <b>bold</b> and [link](javascript:alert(4)) and | pipes" onmouseover="alert(5)',
        relations=Paper.model_fields["relations"].default_factory(),
        added=dt.date(2026, 11, 26),
    )
    excluded = Exclusion.model_construct(
        arxiv="2501.00001", title=HOSTILE_TITLE, reason="<b>why</b> | [x](javascript:y)"
    )
    exclusions = {"2501.00001": LoadedExclusion(excluded, "catalog/exclusions.yaml", 1)}
    return build_from_index(index_of({"evil": evil}, exclusions), tmp_path_factory.mktemp("hostile"))


def test_hostile_text_is_literal_on_every_page(hostile_site):
    pages = list(hostile_site.rglob("*.html"))
    assert len(pages) > 60
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>alert(2)" not in text, page
        assert "<img src=x" not in text, page
        assert 'href="javascript:' not in text, page
        if page.suffix == ".html":
            tags = _tags(text)
            # No element gains an event handler, and no script or img comes from entry text.
            assert [t for t in tags if any(name.startswith("on") for name, _ in t[1])] == [], page
            assert not [t for t in tags if t[0] == "img"], page
    entry = (hostile_site / "entries" / "evil" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in entry
    excluded = (hostile_site / "excluded" / "index.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;why&lt;/b&gt; &#124; [x](javascript:y)" in excluded
    assert excluded.count("<tr>") == 2  # the header and one row: a "|" in the text split no cell
    assert "[click](javascript:alert(1))" in entry
    # JSON is data: the text is kept exactly, for consumers to escape for their own output.
    (record,) = json.loads((hostile_site / "catalog.json").read_text(encoding="utf-8"))["entries"]
    assert record["title"] == HOSTILE_TITLE


def test_hostile_text_in_bibtex_and_feed(hostile_site):
    database = bibtexparser.loads((hostile_site / "catalog.bib").read_text(encoding="utf-8"))
    (record,) = database.entries
    assert record["ID"] == "evil"
    assert "\\textbraceright{}\\textbraceleft{}" in record["title"]
    assert record["author"] == "<img src=x onerror=alert(3)> and A \\textbraceright{} B"
    parsed = feedparser.parse((hostile_site / "feed.xml").read_bytes())
    assert parsed.bozo == 0
    assert parsed.entries[0].title == HOSTILE_TITLE


def _script_json(html: str) -> list[str]:
    return re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)


def test_hostile_text_in_the_sharing_card_json_ld_topic_feed_and_map(hostile_site):
    entry = (hostile_site / "entries" / "evil" / "index.html").read_text(encoding="utf-8")
    # The JSON-LD holds no "<", so the title's "</script>" cannot end the element early: the first
    # "</script>" after it is its own, and the record reads back with the title as written.
    (block,) = _script_json(entry)
    assert "<" not in block and ">" not in block
    record = json.loads(block)
    assert record["@type"] == "ScholarlyArticle" and record["headline"] == HOSTILE_TITLE
    assert record["author"][0] == {"@type": "Person", "name": "<img src=x onerror=alert(3)>"}
    og = dict(re.findall(r'<meta property="og:(\w+)" content="([^"]*)">', entry))
    assert unescape(og["title"]) == HOSTILE_TITLE and og["type"] == "article"  # the regex saw no raw quote
    assert og["url"] == "https://dllm-atlas.github.io/dllm-atlas/entries/evil/"
    assert og["description"].startswith("Summary with &lt;b&gt;bold&lt;/b&gt;")
    assert unescape(og["description"]).endswith('pipes" onmouseover="alert(5)')
    assert '<meta name="twitter:card" content="summary">' in entry
    # The topic's own feed parses and carries the title as text.
    parsed = feedparser.parse((hostile_site / "feed-theory.xml").read_bytes())
    assert parsed.bozo == 0 and [e.title for e in parsed.entries] == [HOSTILE_TITLE]
    assert parsed.feed.title == "dllm-atlas: Theory"
    # The map is XML that parses, with the title as text and no element from it.
    svg = ET.parse(hostile_site / "maps" / "overview.svg").getroot()
    assert {el.tag.split("}")[1] for el in svg.iter()} <= {"svg", "style", "line", "text", "a", "circle", "title"}
    labels = [el.get("aria-label") for el in svg.iter("{http://www.w3.org/2000/svg}a")]
    assert labels == [f"{HOSTILE_TITLE}, 2025-03-03"]


def test_build_refuses_an_invalid_catalog_and_writes_nothing(catalog, cli, tmp_path):
    config_file = project_copy(tmp_path / "project")
    catalog.write("papers/bad.yaml", "kind: paper\ntitle: &a x\n")
    out = tmp_path / "out"
    result = cli("build", "--catalog", str(catalog.root), "--config-file", str(config_file), "-o", str(out))
    assert result.code == 1
    assert "catalog/papers/bad.yaml:2:8: YAML anchors are not allowed" in result.err
    assert not out.exists()
    assert not (config_file.parent / "docs" / "entries").exists()


def test_stale_generated_pages_are_removed(tmp_path):
    docs = tmp_path / "docs"
    (docs / "entries").mkdir(parents=True)
    (docs / "entries" / "gone.md").write_text("old")
    (docs / "about.md").write_text("hand-written")
    written, removed = site.write_pages(docs, {"entries/kept.md": "new"})
    assert (written, removed) == (1, 1)
    assert not (docs / "entries" / "gone.md").exists()
    assert (docs / "about.md").read_text() == "hand-written"


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    from dllm_atlas import fsutil

    target = tmp_path / "README.md"
    target.write_text("old")

    def boom(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(fsutil.os, "fsync", boom)
    with pytest.raises(OSError):
        fsutil.write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]


def test_contributing_page_is_the_contributing_guide(real_site):
    html = (real_site / "contributing" / "index.html").read_text(encoding="utf-8")
    assert "Way 1: a paper on arXiv" in html and "Choosing topics" in html
