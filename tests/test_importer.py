"""``dllm-atlas import-markdown`` on lists of several layouts, and on the seed list itself."""

from __future__ import annotations

import pytest

from dllm_atlas.drafts import split_known
from dllm_atlas.importer import TopicGuesser, parse_markdown
from dllm_atlas.load import load_catalog, load_entry, load_taxonomy

from .conftest import GOOD_MODEL, REAL_CATALOG

BULLETS_HTML = """\
# My list

## Libraries
- **FooLib: A Library** - *March 3, 2025* <i><a href="https://github.com/foo/foolib" target="_blank">GitHub</a></i>

## Decoding Strategies
- **Alpha: Remasking for Things** — *April 2, 2025* <i><a href="https://arxiv.org/pdf/2504.01234v2" target="_ blank">arXiv</a></i>
- **Gamma Study of Diffusion Sampling** — *May 9, 2025* <i><a href="http://arxiv.org/abs/2505.04321v1">arXiv</a>, <a href="https://github.com/g/gamma">Code</a></i>

## Quantization
- **Alpha: Remasking for Things** — *April 2, 2025* <i><a href="https://arxiv.org/abs/2504.01234">arXiv</a></i>
- A line that mentions a paper but gives no link at all, so it cannot be imported
"""

STARS_VENUE = """\
## Continuous diffusion
* Delta Embedding Diffusion for Text Generation, NeurIPS 2022  [[arXiv](https://arxiv.org/abs/2211.00001), [code](https://github.com/d/delta.git)]
* Epsilon: Flow Matching on Tokens, ICML 2025 [[Paper](https://openreview.net/forum?id=abc)]
"""

TABLE = """\
### Speculative decoding

| Date | Name | Title | Paper | Code |
|:----:|:----:|-------|:-----:|:----:|
| 2025.06 | `Zeta` | Zeta: Drafting Tokens in Parallel for Diffusion | [![Paper](https://img.shields.io/badge/paper-A42C25)](https://arxiv.org/abs/2506.00042) | [![Code](https://img.shields.io/badge/code-x)](https://github.com/z/zeta) |
| 2025-07-04 | `Eta` | Eta Verification for Masked Models | [![Paper](https://img.shields.io/badge/paper-A42C25)](https://arxiv.org/html/2507.00007v3) | — |
"""

LINK_TITLES = """\
## Survey
1. [A Survey of Theta Models](https://arxiv.org/pdf/2508.00011) (arxiv) ![](https://img.shields.io/badge/abs-2025.08-red)
2. [Iota: Watermarks for Diffusion Text](https://arxiv.org/abs/2509.00022) (ICLR 2026) [**Code**](https://github.com/i/iota)
"""


@pytest.fixture(scope="module")
def guesser() -> TopicGuesser:
    taxonomy, diags = load_taxonomy(REAL_CATALOG)
    assert taxonomy is not None, diags
    return TopicGuesser(taxonomy)


def by_title(result):
    return {d.title: d for d in result.drafts}


def test_bold_titles_html_links_and_merged_duplicates(guesser):
    result = parse_markdown(BULLETS_HTML, guesser)
    drafts = by_title(result)
    assert set(drafts) == {"FooLib: A Library", "Alpha: Remasking for Things", "Gamma Study of Diffusion Sampling"}
    foo = drafts["FooLib: A Library"]
    assert (foo.kind, foo.links, foo.short_name) == ("framework", {"code": "https://github.com/foo/foolib"}, "FooLib")
    assert foo.topics == ["training-frameworks"]
    alpha = drafts["Alpha: Remasking for Things"]
    assert alpha.arxiv == "2504.01234"
    assert alpha.links["paper"] == "https://arxiv.org/abs/2504.01234"
    assert alpha.date.isoformat() == "2025-04-02"
    assert alpha.topics == ["unmasking-order", "quantization"]  # one entry, both sections
    assert result.merged == 1
    gamma = drafts["Gamma Study of Diffusion Sampling"]
    assert gamma.arxiv == "2505.04321" and gamma.links["code"] == "https://github.com/g/gamma"
    assert [(s.line, s.reason) for s in result.skipped] == [(12, "no link")]


def test_star_items_with_venue_and_bracketed_links(guesser):
    drafts = by_title(parse_markdown(STARS_VENUE, guesser))
    delta = drafts["Delta Embedding Diffusion for Text Generation"]
    assert delta.arxiv == "2211.00001" and delta.topics == ["continuous-diffusion"]
    assert delta.date is None  # a year alone is not a date
    assert delta.links["code"] == "https://github.com/d/delta.git"
    epsilon = drafts["Epsilon: Flow Matching on Tokens"]
    assert epsilon.links == {"paper": "https://openreview.net/forum?id=abc"} and epsilon.arxiv is None


def test_tables_with_badges(guesser):
    drafts = by_title(parse_markdown(TABLE, guesser))
    assert set(drafts) == {"Zeta: Drafting Tokens in Parallel for Diffusion", "Eta Verification for Masked Models"}
    zeta = drafts["Zeta: Drafting Tokens in Parallel for Diffusion"]
    assert zeta.arxiv == "2506.00042" and zeta.links["code"] == "https://github.com/z/zeta"
    # "2025.06" gives the month only: kept as such, the day is not invented
    assert (zeta.date.isoformat(), zeta.date_precision) == ("2025-06-01", "month")
    assert zeta.topics == ["speculative-decoding"]
    eta = drafts["Eta Verification for Masked Models"]
    assert eta.arxiv == "2507.00007" and (eta.date.isoformat(), eta.date_precision) == ("2025-07-04", "day")


def test_link_titles_in_numbered_items(guesser):
    drafts = by_title(parse_markdown(LINK_TITLES, guesser))
    assert drafts["A Survey of Theta Models"].arxiv == "2508.00011"
    assert drafts["A Survey of Theta Models"].topics == ["surveys"]
    iota = drafts["Iota: Watermarks for Diffusion Text"]
    assert iota.links["code"] == "https://github.com/i/iota"


def test_arxiv_links_in_every_form_give_the_canonical_id(guesser):
    text = (
        "## Theory\n"
        "- **Old Style Paper on Diffusion** [[arXiv](https://arxiv.org/abs/math/0601001v2)]\n"
        "- **Export Mirror Paper on Diffusion** [[pdf](http://export.arxiv.org/pdf/2501.01234v3.pdf)]\n"
        "- **Www Paper on Diffusion** [[html](https://www.arxiv.org/html/2501.05678v1)]\n"
    )
    drafts = by_title(parse_markdown(text, guesser))
    assert drafts["Old Style Paper on Diffusion"].arxiv == "math/0601001"
    assert drafts["Old Style Paper on Diffusion"].links["paper"] == "https://arxiv.org/abs/math/0601001"
    assert drafts["Export Mirror Paper on Diffusion"].arxiv == "2501.01234"
    assert drafts["Www Paper on Diffusion"].links["paper"] == "https://arxiv.org/abs/2501.05678"


def test_cli_writes_drafts_that_load_and_never_overwrites(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "list.md"
    source.write_text(BULLETS_HTML, encoding="utf-8")
    out = tmp_path / "drafts"
    result = cli("import-markdown", str(source), "-o", str(out), "--catalog", str(REAL_CATALOG))
    assert result.code == 0
    assert "line 12: not parsed (no link)" in result.out
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.yaml"))
    assert files == ["frameworks/foolib.yaml", "papers/alpha.yaml", "papers/gamma-study-of-diffusion-sampling.yaml"]
    # A draft is a start, not an entry: it keeps its TODO markers until a curator acts on them.
    loaded, diags = load_entry(out / "papers" / "alpha.yaml", "alpha.yaml")
    assert loaded is None
    assert [(d.field, d.message.split(" (")[0]) for d in diags] == [
        ("", "a draft marker is still here"),
        (
            "summary",
            "required field is missing: one or two sentences in your own words on what the work does and its "
            "headline result",
        ),
    ]
    text = (out / "papers" / "alpha.yaml").read_text(encoding="utf-8")
    assert "topics: [unmasking-order, quantization]" in text
    marker = "# curator was here\n"
    (out / "papers" / "alpha.yaml").write_text(marker)
    again = cli("import-markdown", str(source), "-o", str(out), "--catalog", str(REAL_CATALOG))
    assert "exists; not overwritten" in again.out
    assert (out / "papers" / "alpha.yaml").read_text() == marker


def test_cli_skips_excluded_papers_and_says_why(tmp_path, monkeypatch, cli, catalog):
    catalog.write("exclusions.yaml", '- {arxiv: "2501.00002", title: "Pictures", reason: "image diffusion"}\n')
    source = tmp_path / "list.md"
    source.write_text(
        "## Decoding\n\n- **Pictures by Diffusion** [[arXiv](https://arxiv.org/abs/2501.00002v2)]\n"
        "- **Words by Diffusion** [[arXiv](https://arxiv.org/abs/2501.00003)]\n",
        encoding="utf-8",
    )
    result = cli("import-markdown", str(source), "-o", str(tmp_path / "drafts"))
    assert "line 3: arXiv 2501.00002 is excluded (image diffusion): Pictures by Diffusion" in result.out
    files = sorted(p.name for p in (tmp_path / "drafts").rglob("*.yaml"))
    assert files == ["words-by-diffusion.yaml"]


def test_split_known_matches_by_arxiv_title_or_link(guesser, catalog):
    # A catalog of our own, so entries added to the real one cannot claim these links first.
    catalog.write(
        "models/llada.yaml", GOOD_MODEL.replace("  paper:", "  code: https://github.com/ML-GSAI/LLaDA\n  paper:")
    )
    drafts = parse_markdown(BULLETS_HTML, guesser).drafts
    catalog = load_catalog(catalog.root)
    fresh, present = split_known(drafts, catalog.identities())
    assert len(fresh) == 3 and present == []
    from dllm_atlas.drafts import Draft

    by_link = Draft(title="Another name", line=1, links={"code": "https://www.github.com/ML-GSAI/LLaDA/"})
    by_arxiv = Draft(title="Other", line=2, arxiv="2502.09992")
    by_title = Draft(title="large language diffusion models!", line=3)
    fresh, present = split_known([by_link, by_arxiv, by_title], catalog.identities())
    assert fresh == []
    assert [path for _, path in present] == [catalog.entries["llada"].display_path] * 3
