"""People (issue 15): names matched after normalisation, the alias map and its located errors, the
author pages' data, and the pages themselves on the real catalog's site."""

from __future__ import annotations

import re
from html import unescape

import pytest

from dllm_atlas.index import build_index
from dllm_atlas.load import load_catalog
from dllm_atlas.people import build_people, initial, normalise_name, slug_base

from .conftest import GOOD_PAPER
from .sitekit import ROOT


def test_names_match_after_nfc_and_whitespace_collapsing_only():
    composed, decomposed = "Louis B\u00e9thune", "Louis Be\u0301thune"
    assert normalise_name(decomposed) == composed
    assert normalise_name("  Louis \t Béthune ") == composed
    assert normalise_name("Louis Bethune") != composed  # accents are not dropped: that is an alias's job
    assert normalise_name("louis béthune") != composed


def test_slugs_are_ascii_and_a_name_without_latin_letters_gets_a_stable_hash():
    assert slug_base("Louis Béthune") == "louis-bethune"
    assert slug_base("Şuayp Talha Kocabay") == "suayp-talha-kocabay"
    assert re.fullmatch(r"author-[0-9a-f]{8}", slug_base("李崇轩"))
    assert slug_base("李崇轩") == slug_base("李崇轩") != slug_base("张三")
    assert initial("Élodie Roux") == "E" and initial("李崇轩") == "#"


def _paper(entry_id: str, authors: list[str], date: str) -> str:
    return (
        GOOD_PAPER.replace("Simple and Effective Masked Diffusion Language Models", f"Paper {entry_id}")
        .replace("short_name: MDLM\n", "")
        .replace("[Subham Sekhar Sahoo, Volodymyr Kuleshov]", "[" + ", ".join(authors) + "]")
        .replace("2024-06-11", date)
        .replace('arxiv: "2406.07524"\n', "")
        .replace("https://arxiv.org/abs/2406.07524", f"https://example.org/{entry_id}")
        .replace("https://github.com/kuleshov-group/mdlm", f"https://example.org/{entry_id}/code")
    )


@pytest.fixture
def people_catalog(catalog):
    (catalog.root / "models" / "llada.yaml").unlink()
    (catalog.root / "papers" / "mdlm.yaml").unlink()
    catalog.write("papers/old.yaml", _paper("old", ["Ann Lee", "Bo Chen"], "2023-01-05"))
    catalog.write("papers/new.yaml", _paper("new", ["Ann  Lee", "Cy Dunn", "A. Lee"], "2025-03-01"))
    catalog.write("papers/mid.yaml", _paper("mid", ["Bo Chen", "Ann-Lee"], "2024-02-02"))
    return catalog


def test_an_author_has_every_entry_newest_first_with_co_authors_by_shared_count(people_catalog):
    people_catalog.write("authors.yaml", 'aliases:\n  "Ann Lee": ["A. Lee"]\n')
    loaded = load_catalog(people_catalog.root)
    assert loaded.diagnostics == []
    index = build_index(loaded)
    people = build_people(index.entries, index.author_aliases)
    ann = people.by_name["Ann Lee"]
    assert [item.id for item in ann.entries] == ["new", "old"]  # "A. Lee" twice in `new` lists it once
    assert ann.variants == ["A. Lee"]
    assert [(other.name, n) for other, n in ann.coauthors] == [("Bo Chen", 1), ("Cy Dunn", 1)]
    bo = people.by_name["Bo Chen"]
    assert [item.id for item in bo.entries] == ["mid", "old"]
    assert [other.name for other, _ in bo.coauthors] == ["Ann Lee", "Ann-Lee"]
    # "Ann-Lee" slugs like "Ann Lee": the later name in index order gets a suffix.
    assert (ann.slug, people.by_name["Ann-Lee"].slug) == ("ann-lee", "ann-lee-2")
    assert people.slug_of("A. Lee") == "ann-lee" and people.slug_of("Ann  Lee") == "ann-lee"
    assert [a.name for a in people.authors] == ["Ann Lee", "Ann-Lee", "Bo Chen", "Cy Dunn"]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ('aliases:\n  "Ann Lee": ["A. Lee"]\nauthors: {}\n', 3, 1, "unknown field 'authors'"),
        (
            'aliases:\n  "Ann Lee": ["A. Lee"]\n  "Bo Chen": ["A. Lee"]\n',
            3,
            15,
            "'A. Lee' is already a variant of 'Ann Lee'",
        ),
        (
            'aliases:\n  "Ann Lee": ["Bo Chen"]\n  "Bo Chen": ["B. Chen"]\n',
            2,
            15,
            "'Bo Chen' is a canonical name of its own",
        ),
        ('aliases:\n  "Ann Lee": ["Ann  Lee"]\n', 2, 15, "'Ann Lee' is the name itself"),
        ('aliases:\n  "Ann Lee": [""]\n', 2, 15, "at least 1 character"),
        ('aliases:\n  "Ann Lee": "A. Lee"\n', 2, 3, "valid list"),
        ('aliases:\n  "Ann Lee": ["A. <b>Lee</b>"]\n', 2, 15, "plain text"),
        ('aliases:\n  "Ann Lee": []\n  "Ann  Lee": ["A. Lee"]\n', 3, 3, "'Ann Lee' is listed twice"),
        ("- Ann Lee\n", 1, 1, "must be a mapping with an 'aliases' mapping"),
    ],
)
def test_alias_map_errors_are_located(people_catalog, text, line, column, message):
    people_catalog.write("authors.yaml", text)
    loaded = load_catalog(people_catalog.root)
    (problem,) = loaded.diagnostics
    assert problem.file.endswith("authors.yaml")
    assert (problem.line, problem.column) == (line, column), problem
    assert message in problem.message, problem.message
    assert loaded.author_aliases == {}


def test_the_alias_map_is_not_taken_for_an_entry_file(people_catalog):
    people_catalog.write("authors.yaml", "aliases: {}\n")
    assert load_catalog(people_catalog.root).diagnostics == []


def test_validate_reports_a_bad_alias_map_with_its_location(people_catalog, cli):
    people_catalog.write("authors.yaml", 'aliases:\n  "Ann Lee": ["A. Lee"]\n  "Bo Chen": ["A. Lee"]\n')
    result = cli("validate", "--catalog", str(people_catalog.root))
    assert result.code == 1
    assert (
        "authors.yaml:3:15: aliases.Bo Chen[0]: 'A. Lee' is already a variant of 'Ann Lee'" in result.out + result.err
    )
    assert "Traceback" not in result.out + result.err


# The real catalog's pages.


@pytest.fixture(scope="module")
def real_people():
    index = build_index(load_catalog(ROOT / "catalog"))
    return index, build_people(index.entries, index.author_aliases)


def _article(html: str) -> str:
    return html[html.index("<article") : html.index("</article>")]


def test_an_author_page_lists_their_entries_newest_first_and_links_co_authors(real_site, real_people):
    _, people = real_people
    kong = people.by_name["Lingpeng Kong"]
    html = _article((real_site / "authors" / kong.slug / "index.html").read_text(encoding="utf-8"))
    listed = re.findall(r'<li><a href="\.\./\.\./entries/([a-z0-9-]+)/">', html)
    assert listed == [item.id for item in kong.entries] and len(listed) >= 10
    dates = [item.entry.date for item in kong.entries]
    assert dates == sorted(dates, reverse=True)
    coauthors = re.findall(r'<a href="\.\./([a-z0-9-]+)/">([^<]+)</a>', html[html.index("Co-authors") :])
    assert [(slug, unescape(name)) for slug, name in coauthors] == [(o.slug, o.name) for o, _ in kong.coauthors]
    for slug, _ in coauthors[:5]:
        assert (real_site / "authors" / slug / "index.html").is_file()
    assert 'href="../../explorer/?author=Lingpeng%20Kong"' in html


def test_an_alias_joins_the_variant_spellings_on_one_page(real_site, real_people):
    index, _ = real_people
    written_bethune = [i.id for i in index.entries if "Louis Bethune" in i.entry.authors]
    written_accent = [i.id for i in index.entries if "Louis Béthune" in i.entry.authors]
    assert written_bethune and written_accent, "the real catalog writes both spellings"
    html = _article((real_site / "authors" / "louis-bethune" / "index.html").read_text(encoding="utf-8"))
    listed = set(re.findall(r'<li><a href="\.\./\.\./entries/([a-z0-9-]+)/">', html))
    assert listed == set(written_bethune) | set(written_accent)
    assert "also written Louis Bethune" in html
    assert not (real_site / "authors" / "louis-bethune-2").exists()


def test_the_people_index_links_every_author_once_by_initial(real_site, real_people):
    _, people = real_people
    html = _article((real_site / "authors" / "index.html").read_text(encoding="utf-8"))
    links = re.findall(r'<a href="([a-z0-9-]+)/">([^<]+)</a>&nbsp;(\d+)', html)
    assert [(slug, unescape(name), int(n)) for slug, name, n in links] == [
        (a.slug, a.name, len(a.entries)) for _, group in people.groups() for a in group
    ]
    assert re.findall(r'<h2 id="initial-([a-z]|other)"', html)[:3] == ["a", "b", "c"]


def test_an_entry_page_links_each_author_to_their_page(real_site, real_people):
    index, people = real_people
    html = (real_site / "entries" / "llada" / "index.html").read_text(encoding="utf-8")
    line = re.search(r'<p class="atlas-authors">(.*?)</p>', html, re.S).group(1)
    links = re.findall(r'<a href="\.\./\.\./authors/([a-z0-9-]+)/">([^<]+)</a>', line)
    authors = index.by_id["llada"].entry.authors
    assert [unescape(name) for _, name in links] == authors
    assert [slug for slug, _ in links] == [people.slug_of(a) for a in authors]
