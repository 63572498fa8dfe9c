"""The built site's pages, on a small catalog made for the purpose: the models table, dates, relations,
BibTeX types, and what every page's head and footer carry."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import bibtexparser
import feedparser
import pytest

from dllm_atlas.index import COLLAPSE_AFTER
from dllm_atlas.models import Model, Paper
from dllm_atlas.safeyaml import decode, parse

from .sitekit import ROOT, build_from_index, index_of

ADDED = "2026-11-26"


def _paper(title: str, date: str, **fields: object) -> Paper:
    return Paper.model_validate(
        {
            "kind": "paper",
            "title": title,
            "date": date,
            "topics": ["masked-diffusion"],
            "summary": f"{title}: a test entry, what it does and what it finds.",
            "added": ADDED,
            **fields,
        }
    )


def _model(title: str, date: str, **fields: object) -> Model:
    return Model.model_validate(
        {
            "kind": "model",
            "title": title,
            "date": date,
            "topics": ["pretrained-models"],
            "summary": f"{title}: a test model, what it does and what it finds.",
            "added": ADDED,
            **fields,
        }
    )


USERS = [f"user-{n:02d}" for n in range(COLLAPSE_AFTER + 2)]  # one more than fits, plus one


@pytest.fixture(scope="module")
def crafted(tmp_path_factory) -> Path:
    entries: dict[str, object] = {
        "alpha": _model(
            "Alpha: A Test Model",
            "2025-03-14",
            short_name="Alpha",
            venue="NeurIPS 2025",
            organization="Example University and Example Lab",
            modalities=["text", "image"],
            links={
                "paper": "https://arxiv.org/abs/2503.01234",
                "code": "https://github.com/example/alpha",
                "huggingface": "https://huggingface.co/example/alpha",
                "blog": "https://example.org/blog/alpha",
                "demo": "https://example.org/demo",
            },
            arxiv="2503.01234",
            relations={"related": ["gamma"]},
        ),
        # Added last, so the home page's newest additions show it too.
        "beta": _model(
            "Beta: A Model Known by Its Month",
            "2025-02-01",
            short_name="Beta",
            date_precision="month",
            added="2026-11-27",
        ),
        # Gamma and Alpha name each other as related: the pages must show the pair once.
        "gamma": _paper(
            "Gamma: A Related Paper", "2025-04-02", short_name="Gamma", venue="TMLR", relations={"related": ["alpha"]}
        ),
        "delta": _paper("Delta: The Next Version", "2025-05-05", short_name="Delta", relations={"extends": ["alpha"]}),
    }
    for n, entry_id in enumerate(USERS):
        entries[entry_id] = _paper(f"User {n:02d} of Alpha", f"2025-06-{n + 1:02d}", relations={"builds_on": ["alpha"]})
    return build_from_index(index_of(entries), tmp_path_factory.mktemp("crafted"))


def _text(html: str) -> str:
    """What a reader sees: tags (and so attribute values) removed, entities decoded, spaces collapsed."""
    collector = _TextCollector()
    collector.feed(html)
    return " ".join(" ".join(collector.parts).split())


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "svg"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "svg") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def _article(html: str) -> str:
    """The page's own content (no header, navigation, table of contents or footer)."""
    return html[html.index("<article") : html.index("</article>")]


def _row(html: str, entry_id: str) -> dict[str, str]:
    """The models-table row that links to an entry: header text → cell's inner HTML."""
    headers = [_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", html)]
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if cells and f'href="../entries/{entry_id}/"' in cells[0]:
            return dict(zip(headers, cells, strict=True))
    raise AssertionError(f"no row for {entry_id}")


# 1. The models table: links, organisation, modality.


def test_models_table_has_organisation_modality_and_a_links_column(crafted):
    html = _page(crafted, "models")
    alpha = _row(html, "alpha")
    assert {"Organisation", "Modality", "Links"} <= set(alpha)
    assert alpha["Organisation"] == "Example University and Example Lab"
    assert alpha["Modality"] == "text, image"
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', alpha["Links"])
    assert links == [
        ("https://github.com/example/alpha", "Code"),
        ("https://huggingface.co/example/alpha", "Hugging Face"),
        ("https://arxiv.org/abs/2503.01234", "Paper"),
        ("https://example.org/blog/alpha", "Blog"),
    ]
    beta = _row(html, "beta")
    assert (beta["Organisation"], beta["Modality"], beta["Links"]) == ("—", "—", "—")


def test_the_real_models_table_shows_what_the_catalog_records(real_site):
    llada2 = _row(_page(real_site, "models"), "llada-2-0")
    assert llada2["Organisation"] == "Ant Group" and llada2["Modality"] == "text"
    assert '<a href="https://github.com/inclusionAI/LLaDA2.X">Code</a>' in llada2["Links"]


# 2. One way to write a date.


def test_a_month_precision_date_reads_the_same_on_every_page(crafted):
    pages = {
        "entry": _page(crafted, "entries/beta"),
        "models table": _page(crafted, "models"),
        "timeline": _page(crafted, "timeline/2025"),
        "home card": _page(crafted, ""),
        "topic card": _page(crafted, "topics/pretrained-models"),
        "area card": _page(crafted, "areas/models"),
    }
    for where, html in pages.items():
        text = _text(html)
        assert "Feb 2025" in text, where
        assert not re.search(r"2025-02(?!-\d)|2025-02-01|February 2025 ·|1 February 2025", text), where
    # Day precision keeps the ISO day, the same on the entry page and in the table.
    assert "2025-03-14" in _text(_page(crafted, "entries/alpha"))
    assert _row(pages["models table"], "alpha")["Date"] == "2025-03-14"
    assert _row(pages["models table"], "beta")["Date"] == "Feb 2025"
    records = json.loads((crafted / "explorer.json").read_text(encoding="utf-8"))["entries"]
    assert {r["id"]: r["date"] for r in records}["beta"] == "Feb 2025"
    feed = feedparser.parse((crafted / "feed.xml").read_bytes())
    beta = next(e for e in feed.entries if e.link.endswith("/entries/beta/"))
    assert beta.summary.startswith("Feb 2025 · model")


# 3. Relations on an entry page.


def test_relations_are_split_by_direction_with_related_once(crafted):
    alpha = _text(_article(_page(crafted, "entries/alpha")))
    relations = alpha[alpha.index("Relations") : alpha.index("Similar work")]
    assert relations.count("Related to") == 1
    assert relations.count("Gamma") == 1  # named by both files, listed once
    assert "Built on by" not in relations and "Used by" in relations
    drawn_on, drawn_by = relations.split("What draws on it")
    assert "What it draws on" in drawn_on and "Related to" in drawn_on
    assert "Extended by" in drawn_by and "Delta" in drawn_by
    gamma = _text(_article(_page(crafted, "entries/gamma")))
    assert gamma[gamma.index("Relations") : gamma.index("Similar work")].count("Alpha") == 1


def test_a_long_backlink_list_folds_into_details(crafted):
    html = _page(crafted, "entries/alpha")
    folded = re.search(r'<details class="atlas-rel-more" data-rel="builds_on-inverse">(.*?)</details>', html, re.S)
    assert folded, "the used-by list is longer than COLLAPSE_AFTER and must fold"
    assert re.search(rf"<summary>Used by \({len(USERS)} entries\)</summary>", folded.group(1))
    assert len(re.findall(r'<a href="\.\./user-\d\d/"', folded.group(1))) == len(USERS)
    # A short list stays open.
    assert "<details" not in _page(crafted, "entries/gamma")
    assert "<script" not in folded.group(1)


# 8. BibTeX types.


def test_bibtex_type_follows_the_venue(crafted):
    records = {r["ID"]: r for r in bibtexparser.loads((crafted / "catalog.bib").read_text(encoding="utf-8")).entries}
    alpha, gamma, beta = records["alpha"], records["gamma"], records["beta"]
    assert alpha["ENTRYTYPE"] == "inproceedings" and alpha["booktitle"] == "NeurIPS 2025"
    assert alpha["eprint"] == "2503.01234" and "journal" not in alpha
    assert gamma["ENTRYTYPE"] == "article" and gamma["journal"] == "TMLR" and "booktitle" not in gamma
    assert beta["ENTRYTYPE"] == "misc" and not {"booktitle", "journal", "note"} & set(beta)
    entry_page = re.sub(r"<[^>]+>", "", _page(crafted, "entries/alpha"))
    assert "@inproceedings{alpha," in entry_page and "booktitle = {NeurIPS 2025}" in entry_page


def test_the_real_bibliography_types_its_venues(real_site):
    records = {r["ID"]: r for r in bibtexparser.loads((real_site / "catalog.bib").read_text(encoding="utf-8")).entries}
    assert records["llada"]["ENTRYTYPE"] == "inproceedings" and records["llada"]["booktitle"] == "NeurIPS 2025"
    assert records["dinoiser"]["ENTRYTYPE"] == "article" and records["dinoiser"]["journal"] == "TACL"
    no_venue = [r for r in records.values() if r["ENTRYTYPE"] == "misc"]
    assert no_venue and all("booktitle" not in r and "journal" not in r for r in no_venue)


# 9. Feed autodiscovery; 6. repository links without GitHub's API.


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.head_alternates: list[dict[str, str | None]] = []
        self.anchors: list[tuple[str | None, str]] = []
        self.attribute_values: list[str] = []
        self.scripts: list[str] = []
        self._in_head = False
        self._in_script = False
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.attribute_values.extend(v for _, v in attrs if v)
        self._in_script = tag == "script"
        if tag == "head":
            self._in_head = True
        elif tag == "link" and self._in_head and attributes.get("rel") == "alternate":
            self.head_alternates.append(attributes)
        elif tag == "a":
            self._href, self._text = attributes.get("href"), []

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False
        if tag == "head":
            self._in_head = False
        elif tag == "a" and self._href is not None:
            self.anchors.append((self._href, " ".join("".join(self._text).split())))
            self._href = None

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)
        if self._href is not None:
            self._text.append(data)


def _links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


SAMPLE_PAGES = ("", "entries/llada", "topics/caching", "areas/inference", "models", "about", "explorer")


@pytest.mark.parametrize("path", SAMPLE_PAGES)
def test_every_page_head_announces_the_feed(real_site, path):
    feeds = [a for a in _links(_page(real_site, path)).head_alternates if a.get("type") == "application/atom+xml"]
    page_url = f"https://example.org/{path}/" if path else "https://example.org/"
    paths = [urlsplit(urljoin(page_url, feed["href"])).path for feed in feeds]
    # The global feed everywhere; a topic page also announces its own, beside it.
    topic = path.split("/")[1] if path.startswith("topics/") else None
    assert paths == ["/feed.xml", f"/feed-{topic}.xml"] if topic else ["/feed.xml"], feeds
    assert (real_site / "feed.xml").is_file()


def test_every_page_links_the_repository_and_the_issue_form_without_the_github_api(real_site):
    config, _ = parse(decode((ROOT / "mkdocs.yml").read_bytes()))
    repository = config["extra"]["atlas"]["repository"]
    assert "repo_url" not in config
    suggest = f"{repository}/issues/new?template=suggest-resource.yml"
    assert (ROOT / ".github/ISSUE_TEMPLATE/suggest-resource.yml").is_file()
    pages = sorted(real_site.rglob("*.html"))
    assert len(pages) > 100
    for page in pages:
        html = page.read_text(encoding="utf-8")
        links = _links(html)
        # Nothing on the page points at the API: no attribute, no inline script (prose may name it).
        assert not [v for v in links.attribute_values if "api.github.com" in v], page
        assert not [s for s in links.scripts if "api.github.com" in s], page
        assert 'class="md-source"' not in html, page  # Material's repository widget, which calls the API
        anchors = dict(links.anchors)
        assert anchors.get(repository) == "Source on GitHub", page
        assert anchors.get(suggest) == "Suggest a resource", page


# 7. Developer pages out of the public navigation.


def test_developer_pages_are_built_and_linked_from_about_but_not_in_the_nav(real_site):
    config, _ = parse(decode((ROOT / "mkdocs.yml").read_bytes()))

    def files(nav: object) -> list[str]:
        if isinstance(nav, str):
            return [nav]
        if isinstance(nav, dict):
            return [f for value in nav.values() for f in files(value)]
        if isinstance(nav, list):
            return [f for item in nav for f in files(item)]
        return []

    listed = files(config["nav"])
    assert "architecture.md" not in listed and "performance.md" not in listed
    assert {"/architecture.md", "/performance.md"} <= set(config["not_in_nav"].split())
    for name in ("architecture", "performance"):
        assert (real_site / name / "index.html").is_file()
    about = dict(_links(_page(real_site, "about")).anchors)
    assert about.get("../architecture/") == "Architecture" and about.get("../performance/") == "Performance"
    # The home page links neither: not in its tabs, its sidebar, nor its content.
    home = [href or "" for href, _ in _links(_page(real_site, "")).anchors]
    assert not [h for h in home if "architecture" in h or "performance" in h]


# 10. Drawings, charts, similar work (issue 15).


def test_entry_pages_fetch_their_neighbourhood_and_list_similar_work(crafted):
    html = _page(crafted, "entries/delta")
    (src,) = re.findall(r'<div class="atlas-hood" data-src="([^"]+)"></div>', html)
    assert src == "../../maps/entries/delta.svg"
    svg = (crafted / "maps" / "entries" / "delta.svg").read_text(encoding="utf-8")
    # Delta extends Alpha, which the users build on: Alpha one step back, nothing further.
    assert re.findall(r'<a href="\.\./\.\./entries/([\w-]+)/"', svg) == ["alpha", "delta"]
    assert '<line class="e extends"' in svg
    # An entry without builds_on/extends either way has no drawing and no placeholder.
    assert "atlas-hood" not in _page(crafted, "entries/beta")
    assert not (crafted / "maps" / "entries" / "beta.svg").exists()
    similar = re.search(r'<p class="atlas-similar">Similar work: (.*?)</p>', html).group(1)
    links = re.findall(r'<a href="\.\./([\w-]+)/">', similar)
    assert 1 <= len(links) <= 5 and "delta" not in links


def test_the_map_page_fetches_its_versioned_drawing_and_the_charts_page_has_its_tables(crafted):
    html = _page(crafted, "map")
    (src,) = re.findall(r'<div class="atlas-map" id="atlas-map" tabindex="-1" data-src="([^"]+)">', html)
    svg = (crafted / "maps" / "overview.svg").read_text(encoding="utf-8")
    digest = hashlib.sha256(svg.encode()).hexdigest()[:12]
    assert src == f"../maps/overview.svg?v={digest}"
    assert svg.count("<a href=") == 4 + len(USERS)
    charts = _text(_article(_page(crafted, "charts")))
    # Alpha (2025-03), gamma (2025-04), delta (2025-05), beta (2025-02), the users (2025-06).
    # One row per month with entries: month, Foundations & Theory (the users), Models, total.
    assert f"2025-06 {len(USERS)} 0 {len(USERS)}" in charts and "2025-03 0 1 1" in charts
    assert "Models by parameter count" in charts
