"""The light site in a real browser: the explorer's data file, and search over compact records."""

from __future__ import annotations

import functools
import http.server
import re
import threading

import pytest

from dllm_atlas.index import build_index
from dllm_atlas.load import load_catalog

from ..sitekit import ROOT
from .conftest import _QuietHandler, all_result_ids

pytestmark = pytest.mark.browser

PREFIX = "/some/deep/path/"


@pytest.fixture(scope="module")
def index():
    return build_index(load_catalog(ROOT / "catalog"))


def _result_ids(page) -> list[str]:
    return all_result_ids(page)


def _data_requests(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if "explorer.json" in request.url else None)
    return seen


def test_the_explorer_fetches_its_data_once_however_often_it_filters(page, base_url, index):
    requests = _data_requests(page)
    page.goto(base_url + "explorer/")
    page.locator(".atlas-result").first.wait_for()
    for topic in ("caching", "reinforcement-learning", "caching"):  # include, include, exclude
        page.locator(f"button.atlas-topic[data-topic={topic}]").click()
    page.fill("input[name=text]", "LLaDA")
    page.check("input[name=code]")
    page.wait_for_function("location.search.includes('code=1')")
    assert 0 < len(_result_ids(page)) < len(index.entries)
    page.locator("button[name=reset]").click()
    assert len(_result_ids(page)) == len(index.entries)
    assert len(requests) == 1, requests
    assert re.search(r"/explorer\.json\?v=[0-9a-f]{12}$", requests[0])


def test_the_explorer_says_so_when_its_data_cannot_load(page, base_url):
    page.route("**/explorer.json*", lambda route: route.fulfill(status=404, body="not found"))
    page.goto(base_url + "explorer/")
    count = page.locator("#atlas-count")
    page.wait_for_function("document.getElementById('atlas-count').getAttribute('role') === 'alert'")
    assert "could not be loaded (HTTP 404)" in count.inner_text()
    assert count.locator("a").get_attribute("href").endswith("/timeline/")
    assert page.locator(".atlas-result").count() == 0
    # The browser reports the failed request itself; the page raises nothing of its own.
    page.watch.errors = [e for e in page.watch.errors if "Failed to load resource" not in e]


@pytest.fixture(scope="module")
def prefixed_url(real_site):
    """The same site served under a path of its own, as GitHub Pages serves a project site."""

    class Prefixed(_QuietHandler):
        def translate_path(self, path: str) -> str:
            return super().translate_path("/" + path[len(PREFIX) :] if path.startswith(PREFIX) else "/missing")

    handler = functools.partial(Prefixed, directory=str(real_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    server.shutdown()


def test_the_explorer_works_under_any_site_path(page, prefixed_url, index):
    requests = _data_requests(page)
    page.goto(prefixed_url + "explorer/?topic=caching")
    page.locator(".atlas-result").first.wait_for()
    expected = sorted(i.id for i in index.entries if "caching" in i.entry.topics)
    assert sorted(_result_ids(page)) == expected
    assert requests and all(r.startswith(prefixed_url + "explorer.json?v=") for r in requests)
    link = page.locator(".atlas-result a.atlas-title").first.get_attribute("href")
    assert link.startswith(prefixed_url + "entries/")
    page.locator(".atlas-result a.atlas-title").first.click()
    page.wait_for_url(re.compile(re.escape(prefixed_url) + r"entries/[a-z0-9-]+/$"))


def test_an_entry_tag_opens_its_topic_page_which_lists_the_entry(page, base_url, index):
    page.goto(base_url + "entries/llada/")
    name = index.taxonomy.topics()["remasking"].name
    page.locator("a.md-tag", has_text=name).click()
    page.wait_for_url(re.compile(r"topics/remasking/$"))
    assert page.locator("article li a[href$='/entries/llada/']").count() == 1


def _rare_author(index) -> tuple[str, str]:
    """An author listed after the sixth (past what the explorer keeps) whose every name part
    occurs in no other entry's text: (entry id, author)."""
    words: dict[str, set[str]] = {}
    for item in index.entries:
        e = item.entry
        for word in re.findall(r"\w+", " ".join([e.title, e.short_name or "", *e.authors, e.summary or ""]).lower()):
            words.setdefault(word, set()).add(item.id)
    for item in index.entries:
        for author in item.entry.authors[6:]:
            parts = re.findall(r"\w+", author.lower())
            if len(parts) > 1 and all(words[p] == {item.id} for p in parts):
                return item.id, author
    raise AssertionError("no author with a unique name past the sixth")


def test_search_finds_an_entry_by_one_of_its_authors(page, base_url, index):
    entry_id, author = _rare_author(index)
    page.goto(base_url)
    page.keyboard.press("/")
    page.fill("input.md-search__input", author)
    results = page.locator("li.md-search-result__item")
    results.first.wait_for(timeout=15_000)
    hrefs = [a.get_attribute("href") for a in page.locator("li.md-search-result__item a").all()]
    assert any(h and re.search(rf"/entries/{entry_id}/(\?[^#]*)?$", h) for h in hrefs), (author, hrefs)
    # The result shows the record's text, with the name in it.
    assert author.split()[-1].lower() in results.first.inner_text().lower()


def test_search_finds_a_topic_page_by_its_name(page, base_url):
    page.goto(base_url)
    page.keyboard.press("/")
    page.fill("input.md-search__input", "Remasking")
    page.locator("li.md-search-result__item").first.wait_for(timeout=15_000)
    hrefs = [a.get_attribute("href") for a in page.locator("li.md-search-result__item a").all()]
    assert any(h and re.search(r"/topics/remasking/(\?[^#]*)?$", h) for h in hrefs), hrefs
