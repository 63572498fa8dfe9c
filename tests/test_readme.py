"""The generated list inside README.md: markers, byte-for-byte hand-written parts, escaping, --check."""

from __future__ import annotations

import shutil

import pytest

from dllm_atlas.readme import BEGIN, END, PAGE_MARKER, MarkerError, splice

from .conftest import GOOD_PAPER

HAND = "# Title\n\nIntro with trailing spaces   \n\n" + BEGIN + "\nold list\n" + END + "\n\n## After\n\nTail text\n"


@pytest.fixture
def readme(catalog):
    path = catalog.root.parent / "README.md"
    path.write_text(HAND, encoding="utf-8")
    return path


def test_regeneration_keeps_hand_written_parts_byte_for_byte(catalog, cli, readme):
    assert cli("readme").code == 0
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    assert head == HAND.split(BEGIN)[0]
    assert tail == HAND.split(END)[1]
    assert "old list" not in text
    assert (
        "[Simple and Effective Masked Diffusion Language Models](https://arxiv.org/abs/2406.07524) — 2024-06-11 · [Code](https://github.com/kuleshov-group/mdlm)"
        in text
    )


def test_regeneration_is_idempotent_and_check_passes(catalog, cli, readme):
    cli("readme")
    first = readme.read_bytes()
    result = cli("readme")
    assert result.out.strip() == "README.md is up to date"
    assert readme.read_bytes() == first
    assert cli("readme", "--check").code == 0


def test_check_reports_a_short_diff_when_stale(catalog, cli, readme):
    cli("readme")
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("date: 2024-06-11", "date: 2024-06-12"))
    before = readme.read_bytes()
    result = cli("readme", "--check")
    assert result.code == 1
    assert "-- 2024-06-11" not in result.out
    assert any(line.startswith("-") and "2024-06-11" in line for line in result.out.splitlines())
    assert any(line.startswith("+") and "2024-06-12" in line for line in result.out.splitlines())
    assert "2 generated file(s) stale (README.md, lists/masked-diffusion.md): run 'dllm-atlas readme'" in result.err
    assert readme.read_bytes() == before


def test_models_have_their_own_table_and_topics_their_pages(catalog, cli, readme):
    cli("readme")
    text = readme.read_text(encoding="utf-8")
    assert "| [LLaDA](https://arxiv.org/abs/2502.09992) | 2025-02-14 | 8B | — | open | — | — |" in text
    # The contents link each topic to its page, with its count; the page lists every entry, newest first.
    assert "| **Foundations & Theory** | [Masked & Discrete Diffusion](lists/masked-diffusion.md) (2) |" in text
    page = (readme.parent / "lists" / "masked-diffusion.md").read_text(encoding="utf-8")
    assert page.startswith(PAGE_MARKER + "\n# Masked & Discrete Diffusion\n")
    assert "\n## 2025\n" in page and "\n## 2024\n" in page
    assert page.index("**LLaDA**: [Large Language Diffusion Models]") < page.index("**MDLM**")
    assert "[All topics](../README.md#contents)" in page


def test_a_page_of_a_topic_left_without_entries_is_removed(catalog, cli, readme):
    catalog.write(
        "papers/mdlm.yaml", GOOD_PAPER.replace("topics: [masked-diffusion]", "topics: [masked-diffusion, theory]")
    )
    cli("readme")
    theory = readme.parent / "lists" / "theory.md"
    assert theory.is_file()
    assert "also: [Theory](theory.md)" in (readme.parent / "lists" / "masked-diffusion.md").read_text(encoding="utf-8")
    catalog.write("papers/mdlm.yaml", GOOD_PAPER)
    check = cli("readme", "--check")
    assert check.code == 1 and "lists/theory.md: no longer generated: remove it" in check.out
    assert "removed lists/theory.md" in cli("readme").out
    assert not theory.exists()


def test_the_pr_gate_reads_the_pages_too(catalog, cli, readme, tmp_path):
    cli("readme")
    base = tmp_path / "base"
    base.mkdir()
    shutil.copy(readme, base / "README.md")
    shutil.copytree(readme.parent / "lists", base / "lists")
    page = readme.parent / "lists" / "masked-diffusion.md"
    # A catalog change without regenerating: the pages lag behind, as the base had them: accepted.
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("date: 2024-06-11", "date: 2024-06-12"))
    assert cli("readme", "--unchanged-from", str(base)).code == 0
    # A page edited by hand matches neither: refused, naming the page.
    page.write_text(page.read_text(encoding="utf-8").replace("Simple and Effective", "Simply"), encoding="utf-8")
    result = cli("readme", "--unchanged-from", str(base))
    assert result.code == 1
    assert "lists/masked-diffusion.md: the generated list matches neither" in result.err
    assert "+- **MDLM**: [Simply Masked Diffusion Language Models]" in result.out


def test_markdown_significant_titles_are_escaped_not_interpreted(catalog, cli, readme):
    hostile = GOOD_PAPER.replace(
        'title: "Simple and Effective Masked Diffusion Language Models"',
        'title: "Let [EOS] Lead | the `Way` *now* $x$ a < b &lt;"',
    )
    catalog.write("papers/mdlm.yaml", hostile)
    assert cli("readme").code == 0
    text = readme.read_text(encoding="utf-8")
    assert (
        "[Let \\[EOS\\] Lead &#124; the \\`Way\\` \\*now\\* &#36;x&#36; a &lt; b &amp;lt;](https://arxiv.org/abs/2406.07524)"
        in text
    )


def test_escape_filter_neutralises_script_and_table_pipes():
    from dllm_atlas.render import md, md_url

    assert md("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert md("a|b") == "a&#124;b"
    assert md("{: onclick=x}") == "\\{: onclick=x\\}"
    assert md("1. not a list") == "1\\. not a list"
    assert md("two\nlines") == "two lines"
    assert md_url("https://x.org/a_(b)") == "https://x.org/a_%28b%29"


def test_invalid_catalog_leaves_readme_untouched(catalog, cli, readme):
    catalog.write("papers/mdlm.yaml", "kind: paper\nkind: paper\n")
    result = cli("readme")
    assert result.code == 1
    assert "catalog/papers/mdlm.yaml:2:1: duplicate key 'kind'" in result.err
    assert readme.read_text(encoding="utf-8") == HAND


@pytest.mark.parametrize("text", ["no markers", BEGIN + BEGIN + END, END + "x" + BEGIN])
def test_marker_problems_are_reported(text):
    with pytest.raises(MarkerError):
        splice(text, "x")


def test_missing_markers_exit_1(catalog, cli, readme):
    readme.write_text("# nothing here\n")
    result = cli("readme")
    assert result.code == 1
    assert "must contain '<!-- dllm-atlas:begin -->'" in result.err
