"""Issue 15 in a real browser: author pages, the explorer's facets, sort, views and URL state, the
selection (its link and its exports), keyboard use. Every test also checks (through the `page`
fixture) that nothing was requested off 127.0.0.1 and that the console stayed free of errors."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import http.server
import io
import re
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import bibtexparser
import markdown
import pytest

from dllm_atlas.index import build_index
from dllm_atlas.load import load_catalog
from dllm_atlas.people import build_people

from ..sitekit import ROOT, build_from_index, index_of
from .conftest import _QuietHandler, all_result_ids

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def index():
    return build_index(load_catalog(ROOT / "catalog"))


@pytest.fixture(scope="module")
def people(index):
    return build_people(index.entries, index.author_aliases)


def _ids(page) -> list[str]:
    return page.locator(".atlas-result").evaluate_all("nodes => nodes.map(n => n.dataset.id)")


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#atlas-results[data-ready]")


def _all_ids(page) -> list[str]:
    """Every result, pressing "show more" until the list is complete."""
    return all_result_ids(page)


def test_an_author_page_lists_the_right_entries_and_links_co_authors(page, base_url, people):
    kong = people.by_name["Lingpeng Kong"]
    page.goto(base_url + f"authors/{kong.slug}/")
    assert page.locator("h1").inner_text().rstrip("¶") == "Lingpeng Kong"
    hrefs = page.locator("article .atlas-lines li a").evaluate_all("a => a.map(x => x.href)")
    assert hrefs == [f"{base_url}entries/{item.id}/" for item in kong.entries]
    first_coauthor, _ = kong.coauthors[0]
    page.locator(".atlas-coauthors a", has_text=first_coauthor.name).first.click()
    page.wait_for_url(re.compile(rf"authors/{first_coauthor.slug}/$"))
    assert page.locator(".md-tabs__item--active").inner_text().strip() == "People"


def test_from_an_entry_to_an_author_and_on_to_the_explorer(page, base_url, index, people):
    page.goto(base_url + "entries/llada/")
    page.locator(".atlas-authors a", has_text="Chongxuan Li").click()
    page.wait_for_url(re.compile(r"authors/chongxuan-li/$"))
    page.locator("a", has_text="These entries in the explorer").click()
    page.wait_for_selector("#atlas-results[data-ready]")
    assert page.locator("input[name=author]").input_value() == "Chongxuan Li"
    expected = [item.id for item in people.by_name["Chongxuan Li"].entries]
    assert _all_ids(page) == expected


def test_the_author_facet_finds_authors_past_the_first_few(page, base_url, index):
    item = next(i for i in index.entries if len(i.entry.authors) > 8)
    name = item.entry.authors[8]
    _open(page, base_url + "explorer/")
    page.fill("input[name=author]", name)
    page.wait_for_function(f"new URLSearchParams(location.search).get('author') === {name!r}")
    expected = [i.id for i in index.entries if name in {index.author_aliases.get(a, a) for a in i.entry.authors}]
    assert item.id in expected and _all_ids(page) == expected


def test_include_exclude_and_match_all_change_results_and_the_url(page, base_url, index):
    _open(page, base_url + "explorer/")
    masked, rl, caching = "masked-diffusion", "reinforcement-learning", "caching"
    page.locator(f"button.atlas-topic[data-topic={masked}]").click()
    page.locator(f"button.atlas-topic[data-topic={rl}]").click()
    has = lambda i, t: t in i.entry.topics  # noqa: E731
    any_of = [i.id for i in index.entries if has(i, masked) or has(i, rl)]
    assert _query(page) == {"topic": [f"{masked},{rl}"]}
    assert _all_ids(page) == any_of
    page.select_option("select[name=match]", "all")
    both = [i.id for i in index.entries if has(i, masked) and has(i, rl)]
    assert _query(page) == {"topic": [f"{masked},{rl}"], "match": ["all"]}
    assert _all_ids(page) == both and 0 < len(both) < len(any_of)
    # A third topic clicked twice is excluded.
    page.select_option("select[name=match]", "any")
    button = page.locator(f"button.atlas-topic[data-topic={caching}]")
    button.click()
    button.click()
    assert button.get_attribute("data-state") == "exclude" and button.get_attribute("aria-pressed") == "mixed"
    assert _query(page) == {"topic": [f"{masked},{rl}"], "xtopic": [caching]}
    assert _all_ids(page) == [i for i in any_of if not has(index.by_id[i], caching)]
    # Back steps through the changes: the exclusion's first click made `caching` included.
    page.go_back()
    page.wait_for_function(
        "new URLSearchParams(location.search).get('topic') === 'masked-diffusion,reinforcement-learning,caching'"
    )
    assert button.get_attribute("data-state") == "include"
    page.go_back()
    page.go_back()
    page.wait_for_function("new URLSearchParams(location.search).get('match') === 'all'")
    assert page.locator("select[name=match]").input_value() == "all"
    assert _all_ids(page) == both


def test_sort_venue_weights_and_the_grouped_view(page, base_url, index):
    _open(page, base_url + "explorer/?kind=model&weights=1")
    models = [i for i in index.entries if i.entry.kind == "model" and i.entry.open_weights]
    assert _all_ids(page) == [i.id for i in models]
    page.select_option("select[name=sort]", "title")
    assert _query(page) == {"kind": ["model"], "weights": ["1"], "sort": ["title"]}
    titles = [
        i.entry.title.lower() for i in sorted(models, key=lambda i: (i.entry.title.lower(), -i.entry.date.toordinal()))
    ]
    assert [index.by_id[i].entry.title.lower() for i in _all_ids(page)] == titles
    page.select_option("select[name=sort]", "oldest")
    dates = [index.by_id[i].entry.date for i in _all_ids(page)]
    assert dates == sorted(dates)
    page.go_back()  # back to the title order
    page.wait_for_function("new URLSearchParams(location.search).get('sort') === 'title'")
    assert page.locator("select[name=sort]").input_value() == "title"
    # The grouped view: one section per topic, an entry under each of its topics.
    page.locator("input[name=view][value=topics]").check()
    assert _query(page)["view"] == ["topics"]
    groups = page.locator("section.atlas-group").evaluate_all("s => s.map(x => x.dataset.topic)")
    topic_order = [t.slug for a in index.taxonomy.areas for t in a.topics]
    assert groups == [t for t in topic_order if any(t in i.entry.topics for i in models)]
    first = page.locator("section.atlas-group").first
    heading = first.locator("h2").inner_text()
    members = [i for i in models if groups[0] in i.entry.topics]
    assert heading.endswith(f"({len(members)})")
    # Venue: a named one, then "none".
    venue = next(i.entry.venue for i in index.entries if i.entry.venue)
    _open(page, base_url + "explorer/")
    page.select_option("select[name=venue]", venue)
    assert _all_ids(page) == [i.id for i in index.entries if i.entry.venue == venue]
    page.select_option("select[name=venue]", "-")
    assert _all_ids(page) == [i.id for i in index.entries if not i.entry.venue]


def _export(page, name: str) -> str:
    with page.expect_download() as info:
        page.locator(f"#atlas-selection button[name={name}]").click()
    return Path(info.value.path()).read_text(encoding="utf-8")


def _bib_records(real_site: Path, ids: list[str]) -> list[str]:
    bib = (real_site / "catalog.bib").read_text(encoding="utf-8")
    return [re.search(rf"^@\w+\{{{entry_id},\n.*?^\}}\n", bib, re.M | re.S).group(0) for entry_id in ids]


def test_a_selection_round_trips_through_its_link_and_exports_valid_bibtex(page, base_url, index, real_site):
    _open(page, base_url + "explorer/?topic=caching")
    ids = _ids(page)[:3]
    for entry_id in ids:
        page.locator(f".atlas-result[data-id={entry_id}] input[type=checkbox]").check()
    assert _query(page)["sel"] == [",".join(ids)]
    assert page.locator(".atlas-selection-count").inner_text() == "3 entries selected"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator("#atlas-selection button[name=share]").click()
    link = page.locator("#atlas-selection input[name=link]").input_value()
    assert parse_qs(urlsplit(link).query) == {"sel": [",".join(ids)], "only": ["1"]}
    text = _export(page, "bibtex")
    parsed = bibtexparser.loads(text)
    in_order = [i.id for i in index.entries if i.id in ids]  # exported newest first
    assert [e["ID"] for e in parsed.entries] == in_order
    # The same records as the site's catalog.bib (same escaping, same fields).
    assert text.strip() == "\n\n".join(r.strip() for r in _bib_records(real_site, in_order))
    # Opened elsewhere, the link shows exactly the selection, ticked.
    other = page.context.new_page()
    other.goto(link)
    other.wait_for_selector("#atlas-results[data-ready]")
    assert _ids(other) == in_order
    assert other.locator(".atlas-result input[type=checkbox]:checked").count() == 3
    assert other.locator("input[name=only]").is_checked()
    other.close()


def test_keyboard_moves_through_topics_and_ticks_entries(page, base_url, index):
    _open(page, base_url + "explorer/")
    buttons = page.locator("button.atlas-topic")
    first, second = buttons.nth(0), buttons.nth(1)
    assert first.get_attribute("tabindex") == "0" and second.get_attribute("tabindex") == "-1"  # one tab stop
    first.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.topic") == second.get_attribute("data-topic")
    page.keyboard.press("Space")
    assert second.get_attribute("data-state") == "include"
    page.keyboard.press("Enter")
    assert second.get_attribute("data-state") == "exclude"
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.dataset.topic") == buttons.last.get_attribute("data-topic")
    page.keyboard.press("Home")
    assert page.evaluate("document.activeElement.dataset.topic") == first.get_attribute("data-topic")
    # Tab leaves the group in one step, whichever topic has focus.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "sort"
    # A result's checkbox takes Space; the selection bar's buttons come alive.
    box = page.locator(".atlas-result input[type=checkbox]").first
    box.focus()
    page.keyboard.press("Space")
    assert box.is_checked()
    assert page.locator("#atlas-selection button[name=bibtex]").is_enabled()
    page.locator("#atlas-selection button[name=clear]").focus()
    page.keyboard.press("Enter")
    assert not box.is_checked() and page.locator("#atlas-selection button[name=bibtex]").is_disabled()


# Exports of hostile text: a small site whose entries carry every character each format cares about.

HOSTILE = {
    "brace": ("{Unbalanced} } title with \\ and 50% & $x$ #1 ~ ^_^", ["Ann {and} Lee", "Bo and Co"], "ICLR 2025"),
    "formula": ('=HYPERLINK("http://evil.example","x") | [a](b) *bold* `code`', ["-Minus Person", "@At Person"], None),
    "plus": ('+1 "quoted", with commas, | pipes | and\ttabs', ["Cy Dunn"], "TMLR"),
}


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    from dllm_atlas.models import Paper

    entries = {}
    for n, (entry_id, (title, authors, venue)) in enumerate(HOSTILE.items()):
        entries[entry_id] = Paper.model_construct(
            kind="paper",
            title=title,
            short_name=None,
            authors=authors,
            date=dt.date(2025, 3, 3 + n),
            date_precision="day",
            venue=venue,
            arxiv=None,
            links=Paper.model_fields["links"].default_factory(),
            topics=["theory"],
            summary="A summary.",
            relations=Paper.model_fields["relations"].default_factory(),
            added=dt.date(2026, 11, 26),
        )
    out = build_from_index(index_of(entries), tmp_path_factory.mktemp("hostile-export"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(out)))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _select_all_hostile(page, hostile_url) -> None:
    _open(page, hostile_url + "explorer/?sel=" + ",".join(HOSTILE))
    assert page.locator(".atlas-selection-count").inner_text() == "3 entries selected"


def test_bibtex_export_keeps_braces_balanced_and_names_apart(page, hostile_url):
    _select_all_hostile(page, hostile_url)
    text = _export(page, "bibtex")
    parsed = {e["ID"]: e for e in bibtexparser.loads(text).entries}
    assert set(parsed) == set(HOSTILE)
    assert parsed["brace"]["title"] == (
        "{\\textbraceleft{}Unbalanced\\textbraceright{} \\textbraceright{} title with \\textbackslash{} and "
        "50\\% \\& \\$x\\$ \\#1 \\textasciitilde{} \\textasciicircum{}\\_\\textasciicircum{}}"
    )
    # "and" inside a name is braced, so BibTeX does not split it into two authors.
    assert parsed["brace"]["author"] == "{Ann \\textbraceleft{}and\\textbraceright{} Lee} and {Bo and Co}"
    assert parsed["brace"]["booktitle"] == "ICLR 2025" and parsed["plus"]["journal"] == "TMLR"
    assert parsed["formula"]["ENTRYTYPE"] == "misc"
    for entry in parsed.values():  # every value's braces balance
        for value in entry.values():
            depth = 0
            for ch in re.sub(r"\\textbrace(left|right)\{\}", "", value):
                depth += {"{": 1, "}": -1}.get(ch, 0)
                assert depth >= 0
            assert depth == 0, value


def test_csv_export_quotes_cells_and_defuses_formulas(page, hostile_url):
    _select_all_hostile(page, hostile_url)
    text = _export(page, "csv")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    header, *body = rows
    assert header[:3] == ["id", "title", "authors"]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert set(by_id) == set(HOSTILE)
    assert by_id["formula"]["title"] == "'" + HOSTILE["formula"][0]  # a cell starting "=" is not a formula
    assert by_id["formula"]["authors"] == "'-Minus Person; @At Person"
    assert by_id["plus"]["title"] == "'" + HOSTILE["plus"][0]  # commas, quotes and the tab kept inside one cell
    assert by_id["brace"]["title"] == HOSTILE["brace"][0]
    for row in body:
        assert not re.match(r"[=+\-@\t\r]", "".join(row[1:2])), row


def test_markdown_export_escapes_pipes_and_brackets(page, hostile_url):
    _select_all_hostile(page, hostile_url)
    text = _export(page, "markdown")
    lines = text.strip().split("\n")
    assert lines[0] == "| Entry | Authors | Date | Venue | Link |" and len(lines) == 2 + len(HOSTILE)
    html = markdown.markdown(text, extensions=["tables"])
    cells = re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]
    assert len(cells) == len(HOSTILE)
    for row in cells:
        assert len(re.findall(r"<td", row)) == 5, row  # no pipe split a cell
    formula = next(r for r in cells if "HYPERLINK" in r)
    # One link per row (the entry's page): "[a](b)" in the title stayed text.
    (href,) = re.findall(r'<a href="([^"]+)"', formula.split("</td>")[0])
    assert href.endswith("/entries/formula/")
    assert "[a](b)" in re.sub(r"<[^>]+>", "", formula) and "<strong>" not in formula and "<code>" not in formula


def test_results_come_in_batches_and_show_more_adds_the_next(page, base_url, index):
    _open(page, base_url + "explorer/")
    assert _ids(page) == [i.id for i in index.entries[:20]]
    assert page.locator("#atlas-count").inner_text() == f"{len(index.entries)} of {len(index.entries)} entries"
    page.locator("#atlas-results button.atlas-more").focus()
    page.keyboard.press("Enter")
    ids = _ids(page)
    assert ids[:40] == [i.id for i in index.entries[:40]]
    # Focus goes to the first card of the new batch, so a keyboard reader reads on from there.
    assert page.evaluate("document.activeElement.href").endswith(f"/entries/{index.entries[20].id}/")
