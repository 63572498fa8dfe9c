"""The real site in a real browser: home, search, entry pages, explorer, sortable tables."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from dllm_atlas.index import build_index
from dllm_atlas.load import load_catalog

from ..sitekit import ROOT
from .conftest import all_result_ids

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def index():
    return build_index(load_catalog(ROOT / "catalog"))


def test_home_renders_with_counts(page, base_url, index):
    page.goto(base_url)
    counts = page.locator(".atlas-counts")
    assert f"{len(index.entries)} entries" in counts.inner_text()
    assert f"{len(index.of_kind('model'))} models" in counts.inner_text()
    assert page.locator("svg.atlas-chart-svg rect").count() > 0
    assert page.locator(".atlas-card").count() > 0


def test_search_finds_llada(page, base_url):
    page.goto(base_url)
    page.keyboard.press("/")
    page.fill("input.md-search__input", "LLaDA")
    results = page.locator("li.md-search-result__item")
    results.first.wait_for(timeout=15_000)
    hrefs = [a.get_attribute("href") for a in page.locator("li.md-search-result__item a").all()]
    assert any(h and re.search(r"/entries/llada/(\?[^#]*)?(#.*)?$", h) for h in hrefs), hrefs


def test_entry_page_shows_links_bibtex_and_relations_both_ways(page, base_url):
    page.goto(base_url + "entries/llada/")
    assert page.locator("h1").inner_text().rstrip("¶") == "LLaDA: Large Language Diffusion Models"
    assert page.locator('a.md-button[href="https://arxiv.org/abs/2502.09992"]').count() == 1
    bib = page.locator("code").filter(has_text="@inproceedings{llada,")
    assert bib.count() == 1 and "eprint = {2502.09992}" in bib.inner_text()
    extended_by = page.locator('[data-rel="extends-inverse"] + ul a')
    assert "LLaDA 1.5" in extended_by.all_inner_texts()
    page.goto(base_url + "entries/llada-1-5/")
    extends = page.locator('[data-rel="extends"] + ul a')
    assert extends.all_inner_texts() == ["LLaDA"]
    extends.first.click()
    page.wait_for_url(re.compile(r"entries/llada/$"))


def _result_ids(page) -> list[str]:
    return all_result_ids(page)


def test_explorer_filters_by_topic_and_year_and_the_url_reproduces_it(page, base_url, index):
    page.goto(base_url + "explorer/")
    page.locator(".atlas-result").first.wait_for()
    assert len(_result_ids(page)) == len(index.entries)
    page.locator("button.atlas-topic[data-topic=reinforcement-learning]").click()
    page.select_option("select[name=year]", "2025")
    expected = sorted(
        i.id for i in index.entries if "reinforcement-learning" in i.entry.topics and i.entry.date.year == 2025
    )
    assert expected, "the real catalog has 2025 RL entries"
    assert sorted(_result_ids(page)) == expected
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"topic": ["reinforcement-learning"], "year": ["2025"]}
    assert page.locator("#atlas-count").inner_text() == f"{len(expected)} of {len(index.entries)} entries"
    shared = page.url
    page.goto(base_url)
    page.goto(shared)
    page.locator(".atlas-result").first.wait_for()
    assert sorted(_result_ids(page)) == expected
    assert (
        page.locator("button.atlas-topic[data-topic=reinforcement-learning]").get_attribute("data-state") == "include"
    )


def test_explorer_text_and_code_filters(page, base_url, index):
    page.goto(base_url + "explorer/?code=1&text=cache")
    page.locator(".atlas-result").first.wait_for()
    assert not page.locator("#__search").is_checked()  # Material's search overlay stays closed
    ids = set(_result_ids(page))
    for entry_id in ids:
        entry = index.by_id[entry_id].entry
        assert entry.links.code
        text = " ".join([entry.title, entry.short_name or "", " ".join(entry.authors), entry.summary or ""]).lower()
        assert "cache" in text
    assert "dllm-cache" in ids


def test_an_old_explorer_link_with_q_is_rewritten_and_keeps_the_search_closed(page, base_url):
    page.goto(base_url + "explorer/?q=cache&code=1")
    page.locator(".atlas-result").first.wait_for()
    assert page.locator("input[name=text]").input_value() == "cache"
    page.wait_for_function("!new URLSearchParams(location.search).has('q')")
    assert "text=cache" in page.evaluate("location.search")
    assert not page.locator("#__search").is_checked()


def test_models_table_sorts(page, base_url):
    page.goto(base_url + "models/")
    table = page.locator("#models-table")
    header = table.locator("th", has_text="Parameters")
    position = table.locator("th").all_inner_texts().index(header.inner_text()) + 1

    def column() -> list[float]:
        cells = table.locator(f"tbody tr td:nth-child({position})")
        return [float(v) for v in cells.evaluate_all("c => c.map(x => x.dataset.sort)")]

    header.click()
    first = column()
    header.click()
    second = column()
    assert first != second
    assert sorted(first) in (first, list(reversed(first)))
    assert second == sorted(second, reverse=True) or second == sorted(second)
    assert sorted(first) == sorted(second)


def test_lineages_and_timeline_pages(page, base_url):
    page.goto(base_url + "lineages/")
    chains = [ol.locator("li a").all_inner_texts() for ol in page.locator(".atlas-lineage ol").all()]
    assert any(chain[:4] == ["LLaDA", "LLaDA 1.5", "LLaDA-MoE", "LLaDA2.0"] for chain in chains)
    assert any(chain[:2] == ["Fast-dLLM", "Fast-dLLM v2"] for chain in chains)
    assert page.locator("h2", has_text="Fast-dLLM family").count() == 1
    page.goto(base_url + "timeline/")
    assert page.locator("h2", has_text="2025").count() == 1


def test_instant_navigation_reinitialises_the_explorer(page, base_url, index):
    page.goto(base_url)
    page.locator("a.md-button", has_text="Explore all entries").click()
    page.wait_for_url(re.compile(r"explorer/$"))
    page.locator(".atlas-result").first.wait_for()
    page.fill("input[name=text]", "LLaDA")
    page.wait_for_function("location.search.includes('text=LLaDA')")
    ids = _result_ids(page)
    assert "llada" in ids and len(ids) < len(index.entries)


def test_dark_mode_toggle_switches_the_scheme(page, base_url):
    page.goto(base_url)
    body = page.locator("body")
    before = body.get_attribute("data-md-color-scheme")
    page.locator("label.md-header__button[for^='__palette']").first.click()
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') !== {before!r}")
    assert body.get_attribute("data-md-color-scheme") in {"default", "slate"} - {before}


def test_tags_index_lists_topics(page, base_url):
    page.goto(base_url + "tags/")
    assert page.locator("article", has_text="Reinforcement Learning").count() == 1
    page.goto(base_url + "entries/llada/")
    tags = page.locator(".md-tag").all_inner_texts()
    assert "Models Trained from Scratch" in tags


def _active_tab(page) -> str:
    active = page.locator(".md-tabs__item--active")
    assert active.count() == 1
    return active.inner_text().strip()


def test_the_tab_of_an_entry_topic_or_area_page_is_its_section(page, base_url, index):
    page.goto(base_url + "entries/llada/")
    assert _active_tab(page) == "Models"
    paper = next(i.id for i in index.entries if i.entry.kind == "paper")
    page.goto(base_url + f"entries/{paper}/")
    assert _active_tab(page) == "Areas"
    page.goto(base_url + "topics/caching/")
    assert _active_tab(page) == "Areas"
    page.goto(base_url + "areas/inference/")
    assert _active_tab(page) == "Areas"
    page.goto(base_url + "architecture/")
    assert _active_tab(page) == "About"
    # Instant navigation swaps the header too: from an entry page to the explorer, the tab follows.
    page.goto(base_url + "entries/llada/")
    page.locator(".md-tabs__link", has_text="Explorer").click()
    page.wait_for_url(re.compile(r"explorer/$"))
    assert _active_tab(page) == "Explorer"


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgb(css: str) -> tuple[float, float, float, float]:
    parts = [float(x) for x in re.findall(r"[\d.]+", css)]
    return (parts[0], parts[1], parts[2], parts[3] if len(parts) > 3 else 1.0)


def test_secondary_buttons_keep_contrast_in_the_dark_scheme(page, base_url):
    page.emulate_media(color_scheme="dark")
    page.goto(base_url + "entries/llada/")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    button = page.locator("article a.md-button:not(.md-button--primary)").first
    # The text colour, and the first opaque background behind the button (its own is transparent).
    colours = button.evaluate(
        r"""b => {
            let el = b, bg = "rgba(0, 0, 0, 0)";
            while (el) {
                bg = getComputedStyle(el).backgroundColor;
                if (!/rgba\(.*, 0\)$/.test(bg) && bg !== "transparent") break;
                el = el.parentElement;
            }
            return [getComputedStyle(b).color, bg];
        }"""
    )
    fg, bg = (_rgb(c) for c in colours)
    assert fg[3] == 1.0 and bg[3] == 1.0, colours
    light, dark = sorted((_luminance(fg[:3]), _luminance(bg[:3])), reverse=True)
    ratio = (light + 0.05) / (dark + 0.05)
    assert ratio >= 4.5, f"secondary button contrast {ratio:.2f}:1 ({colours})"
