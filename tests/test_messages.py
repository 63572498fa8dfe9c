"""What ``validate`` says about the usual mistakes: each message names the fix, at the right place."""

from __future__ import annotations

import pytest

from .conftest import GOOD_PAPER


def _problems(cli) -> list[str]:
    return cli("validate").out.splitlines()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "topics: [masked-diffusion]",
            "topics: [masked-diffusion, remaskng]",
            "catalog/papers/mdlm.yaml:10:28: topics[1]: unknown topic 'remaskng' (see taxonomy.yaml); did you mean 'remasking'?",
        ),
        (
            "topics: [masked-diffusion]",
            "topics: [decoding]",
            "catalog/papers/mdlm.yaml:10:10: topics[0]: 'decoding' is an area, not a topic: use one of its topics "
            "(remasking, unmasking-order,",
        ),
        (
            "date: 2024-06-11",
            "date: 2024-6-11",
            "catalog/papers/mdlm.yaml:5:1: date: '2024-6-11' is not a date: write YYYY-MM-DD (when only the month is "
            "known, its first day and date_precision: month)",
        ),
        (
            'title: "Simple and Effective Masked Diffusion Language Models"',
            "title:",
            "catalog/papers/mdlm.yaml:2:1: title: required field is blank",
        ),
        (
            "date: 2024-06-11",
            "date: 2024-06-11\ndate_precision:",
            "catalog/papers/mdlm.yaml:6:1: date_precision: blank: write a value or delete the line",
        ),
        (
            "  code: https://github.com/kuleshov-group/mdlm",
            "  code: https://arxiv.org/abs/2406.07524",
            "catalog/papers/mdlm.yaml:9:3: links.code: an arXiv link is the paper, not code: put it under links.paper",
        ),
        (
            "links:",
            "code: https://github.com/kuleshov-group/mdlm\nlinks:",
            "catalog/papers/mdlm.yaml:7:1: code: unknown field 'code': a link goes under 'links:', indented by two spaces",
        ),
        (
            'title: "Simple and Effective Masked Diffusion Language Models"',
            "title: MDLM: Simple and Effective Masked Diffusion Language Models",
            "catalog/papers/mdlm.yaml:2:12: invalid YAML: mapping values are not allowed in this context (a value that "
            "contains ': ' must be quoted",
        ),
        (
            "date: 2024-06-11",
            "\tdate: 2024-06-11",
            "catalog/papers/mdlm.yaml:5:1: invalid YAML: found character that cannot start any token (a tab: YAML indents with spaces only)",
        ),
    ],
    ids=[
        "topic-typo",
        "area-as-topic",
        "date-format",
        "blank-required",
        "blank-optional",
        "arxiv-as-code",
        "top-level-link",
        "unquoted-colon",
        "tab",
    ],
)
def test_a_usual_mistake_gets_a_message_that_names_the_fix(catalog, cli, old, new, expected):
    assert old in GOOD_PAPER
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace(old, new))
    problems = _problems(cli)
    assert any(line.startswith(expected) for line in problems), problems


def test_an_unknown_relation_id_gets_a_did_you_mean(catalog, cli):
    catalog.write("papers/mdlm.yaml", GOOD_PAPER + "relations:\n  builds_on: [lladaa]\n")
    assert (
        "catalog/papers/mdlm.yaml:16:15: relations.builds_on[0]: no entry with id 'lladaa'; did you mean 'llada'?"
        in _problems(cli)
    )


def test_the_count_line_counts_every_file_not_only_the_valid_ones(catalog, cli):
    catalog.write("papers/broken.yaml", "kind: paper\n")
    result = cli("validate")
    assert result.code == 1
    assert "3 file(s) checked," in result.err


def test_outside_the_repository_it_names_the_catalog_option(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("validate")
    assert result.code == 1
    assert (
        "catalog:1:1: catalog folder not found: run from the repository root, or name the folder with --catalog DIR"
        in result.out
    )


def test_validate_files_reports_only_those_files_checked_against_the_whole_catalog(catalog, cli):
    catalog.write("papers/mdlm.yaml", GOOD_PAPER + "relations:\n  builds_on: [llada]\n")  # needs models/llada.yaml
    catalog.write("papers/other.yaml", "kind: paper\n")
    result = cli("validate", "catalog/papers/mdlm.yaml")
    assert result.code == 0, result.out  # the relation resolves; other.yaml's errors are not this file's
    assert result.out.strip() == "1 file(s) checked, 0 error(s)"
    result = cli("validate", "catalog/papers/other.yaml")
    assert result.code == 1 and all(line.startswith("catalog/papers/other.yaml:") for line in result.out.splitlines())
    result = cli("validate", "README.md")
    assert result.code == 2 and "not in the catalog folder catalog: README.md" in result.err
