"""A site that stays light (issue 12): what the pages and data files hold, asserted by structure
rather than by timing; one size budget on a synthetic 1,000-entry build."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pytest

from dllm_atlas import site
from dllm_atlas.index import build_index
from dllm_atlas.load import load_catalog

from .sitekit import ROOT


@pytest.fixture(scope="module")
def real_index():
    return build_index(load_catalog(ROOT / "catalog"))


def test_largest_files_lists_pages_and_data_largest_first(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("x" * 30)
    (tmp_path / "b.json").write_text("x" * 50)
    (tmp_path / "c.html").write_text("x" * 30)
    (tmp_path / "big.css").write_text("x" * 500)  # not a page or data file
    assert site.largest_files(tmp_path) == [("b.json", 50), ("a/index.html", 30), ("c.html", 30)]
    assert site.largest_files(tmp_path, 1) == [("b.json", 50)]


# The explorer: its page carries the form, its data comes from explorer.json.

EXPLORER_FIELDS = {"id", "title", "short", "kind", "date", "year", "topics", "code", "summary", "authors"}


def test_the_explorer_page_holds_no_entry_data(real_site, real_index):
    html = (real_site / "explorer" / "index.html").read_text(encoding="utf-8")
    assert 'id="atlas-data"' not in html
    assert '<script type="application/json"' not in html
    article = html[html.index("<article") : html.index("</article>")]
    for item in real_index.entries[:50]:
        assert item.entry.title not in article, item.id
    # The data file it loads, relative to the page (so any site_url path works), versioned by content.
    src = re.search(r'data-src="([^"]+)"', article).group(1)
    digest = hashlib.sha256((real_site / "explorer.json").read_bytes()).hexdigest()[: site.DATA_HASH_LENGTH]
    assert src == f"../explorer.json?v={digest}"


def test_explorer_json_has_exactly_the_fields_the_explorer_uses(real_site, real_index):
    records = json.loads((real_site / "explorer.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == [item.id for item in real_index.entries]
    for record in records:
        assert set(record) == EXPLORER_FIELDS, record["id"]
    llada = next(r for r in records if r["id"] == "llada")
    entry = real_index.by_id["llada"].entry
    assert llada["title"] == entry.title and llada["short"] == "LLaDA" and llada["kind"] == "model"
    assert llada["year"] == entry.date.year and llada["topics"] == entry.topics
    assert llada["authors"] == entry.authors[: site.EXPLORER_AUTHORS]


def test_each_topic_option_names_its_area_for_the_area_filter(real_site, real_index):
    html = (real_site / "explorer" / "index.html").read_text(encoding="utf-8")
    options = dict(re.findall(r'<option value="([a-z0-9-]+)" data-area="([a-z0-9-]+)">', html))
    topic_area = real_index.taxonomy.topic_area()
    assert options == {slug: area.slug for slug, area in topic_area.items()}
    # Which is what an entry's areas are: the areas of its topics.
    for item in real_index.entries:
        assert {a.slug for a in real_index.areas_of[item.id]} == {options[t] for t in item.entry.topics}


def test_explorer_json_escapes_markup_like_tojson(tmp_path):
    from dllm_atlas import render

    from .sitekit import index_of
    from .test_site import HOSTILE_TITLE, Paper

    evil = Paper.model_construct(
        kind="paper",
        title=HOSTILE_TITLE,
        short_name="</script><b>",
        authors=["A & B"],
        date=dt.date(2025, 3, 3),
        date_precision="day",
        venue=None,
        arxiv=None,
        links=Paper.model_fields["links"].default_factory(),
        topics=["theory"],
        summary="<img src=x onerror=alert(1)>",
        relations=Paper.model_fields["relations"].default_factory(),
        added=dt.date(2026, 11, 26),
    )
    config = site.SiteConfig(docs_dir=tmp_path, site_url="https://example.org/", repo_url=None)
    pages = site.render_pages(index_of({"evil": evil}), render.environment(), config, "", dt.date(2026, 11, 26))
    text = pages["explorer.json"]
    assert "<" not in text and ">" not in text and "&" not in text
    (record,) = json.loads(text)
    assert record["title"] == HOSTILE_TITLE and record["short"] == "</script><b>"
    assert "evil" not in pages["explorer.md"] and "onerror" not in pages["explorer.md"]
