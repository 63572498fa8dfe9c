"""Defects a hostile-input and fuzz campaign found, one test each (issue 12's list), beside the
corpus in tests/hostile/."""

from __future__ import annotations

import bibtexparser
import pytest

from dllm_atlas import render
from dllm_atlas.arxivid import canonical_id
from dllm_atlas.check import normalise_url

from .conftest import GOOD_PAPER


def test_a_file_name_ending_in_a_newline_is_refused(catalog, cli):
    (catalog.root / "papers" / "nl\n.yaml").write_text(GOOD_PAPER.replace("2406.07524", "2406.07525"), encoding="utf-8")
    result = cli("validate")
    assert result.code == 1
    # The name is printed with its newline escaped, so the report stays one line per problem.
    assert (
        "catalog/papers/nl\\x0a.yaml:1:1: file name 'nl\\x0a.yaml' must be <id>.yaml with a lowercase slug id"
        in result.out
    )


@pytest.mark.parametrize("escape", ["\\e", "\\0", "\\a", "\\b", "\\x7f", "\\uFFFE", "\\x85"])
def test_control_characters_written_as_yaml_escapes_are_refused(catalog, cli, escape):
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace('title: "Simple and', f'title: "Simple{escape} and'))
    result = cli("validate")
    assert result.code == 1
    assert "catalog/papers/mdlm.yaml:2:1: title: contains the control or invisible character U+" in result.out


def test_unicode_digits_are_not_an_arxiv_id():
    with pytest.raises(ValueError):
        canonical_id("\uff12\uff15\uff10\uff12.\uff10\uff19\uff19\uff19\uff12")
    with pytest.raises(ValueError):
        canonical_id("arxiv:\u0662\u0665\u0660\u0662.09992")  # Arabic-Indic digits


def test_add_refuses_unicode_digits(catalog, cli):
    result = cli("add", "\uff12\uff15\uff10\uff12.\uff10\uff19\uff19\uff19\uff12", "--api-url", "http://127.0.0.1:9/")
    assert result.code == 1
    assert "not an arXiv id or arXiv URL" in result.err


def test_messages_escape_terminal_sequences_from_entry_content(catalog, cli):
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("topics: [masked-diffusion]", 'topics: ["\\e]0;pwned\\a"]'))
    for fmt in ("text", "github"):
        out = cli("validate", "--format", fmt).out
        assert "\x1b" not in out and "\x07" not in out
        assert "\\x1b]0;pwned\\x07" in out


def _bibtex_authors(field: str) -> list[str]:
    """Split an author field as BibTeX does: at " and " outside braces."""
    names, depth, current, i = [], 0, "", 0
    while i < len(field):
        if depth == 0 and field[i : i + 5].lower() == " and ":
            names.append(current)
            current, i = "", i + 5
            continue
        depth += {"{": 1, "}": -1}.get(field[i], 0)
        current += field[i]
        i += 1
    return [*names, current]


def test_bibtex_keeps_an_author_with_and_in_the_name_as_one_author():
    names = ["Ada Lovelace", "Research and Development Team", "Alexander Andersen"]
    record = "@misc{x,\n  author = {" + " and ".join(render.bibtex_name(n) for n in names) + "},\n}\n"
    (entry,) = bibtexparser.loads(record).entries
    assert _bibtex_authors(entry["author"]) == ["Ada Lovelace", "{Research and Development Team}", "Alexander Andersen"]
    assert _bibtex_authors("Ada Lovelace and Research and Development Team") != names[:2]  # unbraced: three


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("https://evil.example/x", "https\u2060://evil.example/x"),
        ("see www.evil.example", "see www\u2060.evil.example"),
        ("ada@evil.example", "ada@\u2060evil.example"),
    ],
)
def test_bare_urls_and_addresses_in_text_are_not_autolinked(text, shown):
    assert render.md(text) == shown


def test_a_url_in_a_short_name_is_not_a_live_link_in_the_readme(catalog, cli):
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("short_name: MDLM", "short_name: https://evil.example"))
    (catalog.root.parent / "README.md").write_text(
        "<!-- dllm-atlas:begin -->\n<!-- dllm-atlas:end -->\n", encoding="utf-8"
    )
    assert cli("readme").code == 0
    for path in [catalog.root.parent / "README.md", *(catalog.root.parent / "lists").glob("*.md")]:
        assert "https://evil.example" not in path.read_text(encoding="utf-8"), path.name


def test_the_duplicate_url_check_tells_ports_apart():
    assert normalise_url("https://example.org:8080/x") != normalise_url("https://example.org/x")
    assert normalise_url("https://example.org:443/x") == normalise_url("https://example.org/x")


def test_a_duplicate_is_reported_on_the_entry_added_later_naming_the_other(catalog, cli):
    # "aaa" sorts first but came later: it is the newcomer, whatever its name.
    newcomer = GOOD_PAPER.replace("added: 2026-11-26", "added: 2026-11-30").replace("2406.07524", "2406.07599")
    catalog.write(
        "papers/aaa.yaml",
        newcomer.replace("  paper: https://arxiv.org/abs/2406.07599\n", "  paper: https://arxiv.org/abs/2406.07599\n"),
    )
    out = cli("validate").out
    assert (
        "catalog/papers/aaa.yaml:" in out and "same title" in out and "as catalog/papers/mdlm.yaml (id 'mdlm')" in out
    )
    assert "catalog/papers/mdlm.yaml:" not in out


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--host-concurrency", "-1", "-1 must be at least 1"),
        ("--max-concurrency", "0", "0 must be at least 1"),
        ("--timeout", "nan", "nan must be a finite number of seconds above 0"),
        ("--timeout", "-1", "-1 must be a finite number of seconds above 0"),
        ("--host-interval", "inf", "inf must be a finite number of seconds, 0 or more"),
    ],
)
def test_check_links_options_are_validated(catalog, cli, capsys, option, value, message):
    with pytest.raises(SystemExit) as exit_info:
        cli("check-links", option, value)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
