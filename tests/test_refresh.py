"""``dllm-atlas refresh``: the catalog's papers against a stand-in arXiv API on 127.0.0.1 (batched
``id_list`` queries), what it reports, and ``--write`` editing files in place with their comments,
key order and formatting kept."""

from __future__ import annotations

import datetime as dt

import pytest

from dllm_atlas import arxiv
from dllm_atlas import cli as cli_module
from dllm_atlas.arxiv import ArxivClient
from dllm_atlas.load import load_catalog

from .arxivserver import Paper, arxiv_api
from .test_arxiv import FakeClock

BLOCK = """\
# yaml-language-server: $schema=../../schema/entry.schema.json
kind: paper
# The arXiv title of v1.
title: "Block Diffusion"
short_name: BD3-LMs
authors:
  - Marianne Arriola
  - Aaron Gokaslan   # first author's co-lead
date: 2025-03-12
arxiv: "2503.09573"
links:
  paper: https://arxiv.org/abs/2503.09573
topics: [block-diffusion]
summary: >-
  Block diffusion interpolates between autoregressive and diffusion language models: blocks are
  generated left to right, tokens inside a block by diffusion.
added: 2026-11-26
"""

WITHDRAWN = """\
kind: paper
title: "A Withdrawn Diffusion Paper"
authors: [Ann Example]
date: 2025-04-01
arxiv: "2504.00001"
links:
  paper: https://arxiv.org/abs/2504.00001
topics: [masked-diffusion]
summary: >-
  Something that arXiv now lists as withdrawn.
added: 2026-11-26
"""

GONE = WITHDRAWN.replace("2504.00001", "2504.00002").replace("A Withdrawn", "A Vanished")


@pytest.fixture
def papers(catalog):
    catalog.write("papers/block-diffusion.yaml", BLOCK)
    catalog.write("papers/withdrawn.yaml", WITHDRAWN)
    catalog.write("papers/vanished.yaml", GONE)
    return [
        Paper(
            "2503.09573",
            "Block Diffusion: Interpolating Between Autoregressive and Diffusion Language Models",
            authors=["Marianne Arriola", "Aaron Gokaslan", "Justin T. Chiu"],
            published=dt.date(2025, 3, 12),
            version=3,
            comment="ICLR 2025 Oral. Accepted at ICLR 2025",
        ),
        Paper(
            "2406.07524",  # mdlm.yaml: unchanged, but accepted somewhere per its journal reference
            "Simple and Effective Masked Diffusion Language Models",
            authors=["Subham Sekhar Sahoo", "Volodymyr Kuleshov"],
            published=dt.date(2024, 6, 11),
            journal_ref="NeurIPS 2024",
        ),
        Paper(
            "2502.09992",  # llada.yaml lists no authors: nothing to compare them with is a change
            "Large Language Diffusion Models",
            authors=["Shen Nie"],
            published=dt.date(2025, 2, 14),
        ),
        Paper(
            "2504.00001",
            "A Withdrawn Diffusion Paper",
            authors=["Ann Example"],
            published=dt.date(2025, 4, 1),
            comment="This paper has been withdrawn by the authors due to an error in Table 2",
        ),
    ]


@pytest.fixture
def fake_clock(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(cli_module, "_arxiv_client", lambda url: ArxivClient(url, sleep=clock.sleep, clock=clock.clock))
    return clock


def test_refresh_reports_titles_authors_venues_withdrawn_and_unknown_without_writing(
    catalog, cli, papers, fake_clock, tmp_path
):
    before = {p: p.read_bytes() for p in catalog.root.rglob("*.yaml")}
    with arxiv_api(papers) as (url, seen):
        result = cli("refresh", "--api-url", url, "--report", str(tmp_path / "refresh.md"))
    assert result.code == 0, result.err
    assert len(seen.params) == 1 and seen.params[0]["id_list"].split(",") == sorted(
        ["2503.09573", "2406.07524", "2502.09992", "2504.00001", "2504.00002"]
    )
    assert seen.params[0]["max_results"] == "5"
    lines = result.out.splitlines()
    assert lines == [
        "catalog/papers/mdlm.yaml: venue suggested (set by --write): NeurIPS 2024 (from the journal_ref: NeurIPS 2024)",
        "catalog/models/llada.yaml: authors changed: Shen Nie",
        "catalog/papers/block-diffusion.yaml: new title: 'Block Diffusion: Interpolating Between Autoregressive and "
        "Diffusion Language Models' (was 'Block Diffusion')",
        "catalog/papers/block-diffusion.yaml: authors changed: Marianne Arriola, Aaron Gokaslan, Justin T. Chiu",
        "catalog/papers/block-diffusion.yaml: venue suggested (set by --write): ICLR 2025 (from the comment: ICLR "
        "2025 Oral. Accepted at ICLR 2025)",
        "catalog/papers/withdrawn.yaml: withdrawn on arXiv: This paper has been withdrawn by the authors due to an "
        "error in Table 2",
        "catalog/papers/vanished.yaml: arXiv has no paper 2504.00002 any more",
        "5 paper(s) compared, 5 with changes, 0 file(s) updated",
    ]
    assert {p: p.read_bytes() for p in catalog.root.rglob("*.yaml")} == before  # never written without --write
    report = (tmp_path / "refresh.md").read_text(encoding="utf-8")
    assert "5 paper(s) compared with arXiv: 5 with something new." in report
    assert "  - venue suggested: **ICLR 2025** (from the comment: ICLR 2025 Oral. Accepted at ICLR 2025)" in report
    assert "  - **withdrawn** on arXiv: This paper has been withdrawn" in report


def test_write_edits_in_place_keeping_comments_order_and_formatting(catalog, cli, papers, fake_clock):
    with arxiv_api(papers) as (url, _):
        result = cli("refresh", "--write", "--api-url", url)
    assert result.code == 0, result.err
    assert "3 file(s) updated" in result.out
    text = (catalog.root / "papers" / "block-diffusion.yaml").read_text(encoding="utf-8")
    assert text == BLOCK.replace(
        'title: "Block Diffusion"\n',
        'title: "Block Diffusion: Interpolating Between Autoregressive and Diffusion Language Models"\n'
        'former_titles: ["Block Diffusion"]\n',
    ).replace(
        "  - Aaron Gokaslan   # first author's co-lead\n",
        "  - Aaron Gokaslan   # first author's co-lead\n  - Justin T. Chiu\n",
    ).replace("date: 2025-03-12\n", 'date: 2025-03-12\nvenue: "ICLR 2025"\n')
    mdlm = (catalog.root / "papers" / "mdlm.yaml").read_text(encoding="utf-8")
    assert 'date: 2024-06-11\nvenue: "NeurIPS 2024"\narxiv: "2406.07524"\n' in mdlm
    assert "authors: [Subham Sekhar Sahoo, Volodymyr Kuleshov]\n" in mdlm  # flow style kept
    llada = (catalog.root / "models" / "llada.yaml").read_text(encoding="utf-8")
    assert "short_name: LLaDA\nauthors:\n  - Shen Nie\ndate: 2025-02-14\n" in llada  # where `new` puts it
    # The result validates, and a second run finds nothing more to write.
    assert load_catalog(catalog.root).diagnostics == []
    with arxiv_api(papers) as (url, _):
        again = cli("refresh", "--write", "--api-url", url)
    assert "0 file(s) updated" in again.out and "new title" not in again.out


def test_a_write_that_would_not_validate_is_refused_and_the_file_kept(catalog, cli, fake_clock):
    path = catalog.write("papers/block-diffusion.yaml", BLOCK)
    bad = Paper("2503.09573", "Block Diffusion <b>v2</b>", authors=["Marianne Arriola", "Aaron Gokaslan"])
    with arxiv_api([bad]) as (url, _):
        result = cli("refresh", "--write", "--api-url", url)
    assert result.code == 1
    assert (
        "catalog/papers/block-diffusion.yaml: not updated: the edited file would not validate: 4:1: raw HTML tags are not allowed in text"
        in result.err
    )
    assert path.read_text(encoding="utf-8") == BLOCK


def test_batches_are_id_list_queries_and_a_network_failure_keeps_the_earlier_ones(
    catalog, cli, papers, fake_clock, monkeypatch
):
    monkeypatch.setattr(arxiv, "BATCH_SIZE", 2)
    with arxiv_api(papers, script={2: "drop"}) as (url, seen):
        result = cli("refresh", "--api-url", url)
    assert result.code == 3
    assert [p["id_list"] for p in seen.params] == ["2406.07524,2502.09992", "2503.09573,2504.00001"]
    assert "catalog/models/llada.yaml: authors changed: Shen Nie" in result.out  # from the first batch
    assert "2 paper(s) compared" in result.out
    assert f"cannot reach the arXiv API at {url}" in result.err
    assert "not compared: 2503.09573, 2504.00001, 2504.00002 (exit 3)" in result.err
    assert fake_clock.sleeps == [3.0]  # one request per 3 s


def test_every_real_entry_file_round_trips_through_the_editor_byte_for_byte():
    """What --write does not change stays as it was: with nothing to apply, the editor gives the real
    catalog's files back unchanged (comments, folded summaries, quoting, flow lists). Every fifth
    file, to keep the suite quick (ruamel.yaml takes about 13 ms a file); all 698 did on 2026-12-01."""
    from pathlib import Path

    from dllm_atlas.refresh import Change, edited_text

    files = sorted((Path(__file__).resolve().parents[1] / "catalog").glob("*/*.yaml"))[::5]
    assert len(files) > 100
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert edited_text(text, Change(path.stem, path, path.name, "")) == text, path.name


UNCONFIRMED = """\
kind: paper
title: "Unconfirmed Authors and Venue"
authors: []
date: 2025-05-01
arxiv: "2505.00001"
links:
  paper: https://arxiv.org/abs/2505.00001
topics: [masked-diffusion]
summary: >-
  A paper whose authors and venue a curator could not confirm from the copies at hand.
unconfirmed:
  authors: "the copy seen has no author line"
  venue: "no acceptance statement found"
  parameters: "not stated"
added: 2026-11-26
"""


def test_write_fills_what_unconfirmed_listed_and_removes_only_those_notes(catalog, cli, fake_clock):
    path = catalog.write("papers/unconfirmed.yaml", UNCONFIRMED.replace('  parameters: "not stated"\n', ""))
    paper = Paper(
        "2505.00001",
        "Unconfirmed Authors and Venue",
        authors=["Ada One"],
        comment="Accepted at ICML 2025",
    )
    with arxiv_api([paper]) as (url, _):
        dry = cli("refresh", "--api-url", url)
        assert "catalog/papers/unconfirmed.yaml: would remove the unconfirmed note for authors, venue" in dry.out
        result = cli("refresh", "--write", "--api-url", url)
    assert result.code == 0, result.err
    assert "catalog/papers/unconfirmed.yaml: unconfirmed note removed for authors, venue" in result.out
    text = path.read_text(encoding="utf-8")
    assert "authors:\n  - Ada One\n" in text and 'venue: "ICML 2025"\n' in text
    assert "unconfirmed" not in text  # both notes gone, so the empty mapping too
    assert load_catalog(catalog.root).diagnostics == []
