"""The drawings in a real browser: the map (renders, a click and the keyboard open an entry,
filters, find, zoom), an entry's neighbourhood, the lineage drawings and the charts. The ``page``
fixture fails a test on any console error or any request off 127.0.0.1."""

from __future__ import annotations

import re

import pytest

from dllm_atlas.index import build_index
from dllm_atlas.load import load_catalog

from ..sitekit import ROOT

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def index():
    return build_index(load_catalog(ROOT / "catalog"))


def _open_map(page, base_url):
    page.goto(base_url + "map/")
    page.locator("#atlas-map svg a[data-id]").first.wait_for()


def test_the_map_draws_every_entry_and_a_click_opens_one(page, base_url, index):
    _open_map(page, base_url)
    nodes = page.locator("#atlas-map svg a[data-id]")
    assert nodes.count() == len(index.entries)
    assert (
        page.locator("#atlas-map-status").inner_text() == f"{len(index.entries)} of {len(index.entries)} entries shown."
    )
    assert page.locator("#atlas-map svg line.extends").count() > 0
    llada = page.locator('#atlas-map svg a[data-id="llada"]')
    llada.scroll_into_view_if_needed()
    llada.locator("circle").click()
    page.wait_for_url(re.compile(r"/entries/llada/$"))
    assert page.locator("h1").inner_text().rstrip("¶") == "LLaDA: Large Language Diffusion Models"


def test_the_map_by_keyboard_tab_reaches_a_node_and_enter_opens_it(page, base_url, index):
    _open_map(page, base_url)
    page.locator('input[name="find"]').focus()
    for _ in range(4):  # the zoom buttons, then the first node of the map
        page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('svg a') && document.activeElement.dataset.id")
    first = page.locator("#atlas-map svg a[data-id]").first.get_attribute("data-id")
    assert focused == first
    page.keyboard.press("Tab")
    second = page.evaluate("document.activeElement.dataset.id")
    assert second != first and second in index.by_id
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/entries/{second}/$"))


def test_find_focuses_the_matching_node_and_enter_moves_to_the_next(page, base_url):
    _open_map(page, base_url)
    page.fill('input[name="find"]', "LLaDA")
    page.keyboard.press("Enter")
    status = page.locator("#atlas-map-status").inner_text()
    assert re.match(r"Match 1 of \d+: ", status), status
    first = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert "llada" in first.lower()
    page.locator('input[name="find"]').focus()
    page.keyboard.press("Enter")
    assert page.locator("#atlas-map-status").inner_text().startswith("Match 2 of ")
    assert page.locator("#atlas-map svg a.hit").count() > 1


def test_filters_hide_other_areas_and_topics_and_zoom_resizes(page, base_url, index):
    _open_map(page, base_url)
    page.select_option('select[name="topic"]', "reinforcement-learning")
    shown = page.locator("#atlas-map svg a[data-id]").evaluate_all(
        "nodes => nodes.filter(n => n.style.display !== 'none').map(n => n.dataset.id)"
    )
    expected = sorted(i.id for i in index.entries if "reinforcement-learning" in i.entry.topics)
    assert sorted(shown) == expected
    assert (
        page.locator("#atlas-map-status").inner_text()
        == f"{len(expected)} of {len(index.entries)} entries shown (filtered)."
    )
    # An edge stays only between two shown entries.
    edges = page.locator("#atlas-map svg line[data-e]").evaluate_all(
        "lines => lines.filter(l => l.style.display !== 'none').map(l => l.dataset.e.split(' '))"
    )
    assert all(a in expected and b in expected for a, b in edges)
    page.select_option('select[name="topic"]', "")
    area = index.taxonomy.areas[0]
    page.select_option('select[name="area"]', area.slug)
    count = page.locator("#atlas-map svg a[data-id]").evaluate_all(
        "nodes => nodes.filter(n => n.style.display !== 'none').length"
    )
    assert count == sum(1 for i in index.entries if area in index.areas_of[i.id])
    width = float(page.locator("#atlas-map svg").get_attribute("width"))
    page.click('button[name="out"]')
    assert float(page.locator("#atlas-map svg").get_attribute("width")) < width


def test_an_entry_page_draws_its_neighbourhood_and_its_nodes_link(page, base_url, index):
    page.goto(base_url + "entries/llada/")
    hood = page.locator(".atlas-hood svg")
    hood.wait_for()
    ids = hood.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert 2 <= len(ids) <= 15
    assert "../../entries/llada/" in ids
    assert "../../entries/llada-1-5/" in ids  # the family comes first
    hood.locator('a[href="../../entries/llada-1-5/"] circle').click()
    page.wait_for_url(re.compile(r"/entries/llada-1-5/$"))
    # Similar work: five links to other entries.
    similar = page.locator(".atlas-similar a")
    assert similar.count() == 5


def test_lineage_drawings_and_charts_render_and_link_after_instant_navigation(page, base_url, index):
    page.goto(base_url)
    page.click('a.md-tabs__link:text-is("Lineages")')  # Material's instant navigation
    page.wait_for_url(re.compile(r"/lineages/$"))
    drawings = page.locator(".atlas-lineage-drawing svg")
    assert drawings.count() == len(index.lineages)
    assert drawings.first.bounding_box()["height"] > 40
    first = index.lineages[0].members[0].id
    drawings.first.locator("circle").first.click()
    page.wait_for_url(re.compile(rf"/entries/{first}/$"))
    page.goto(base_url + "charts/")
    assert page.locator(".atlas-chart svg").count() == 2
    assert page.locator(".atlas-chart svg rect").count() > 10
    months = page.locator("details.atlas-chart-table").first
    months.locator("summary").click()
    assert months.locator("tbody tr").count() > 10
