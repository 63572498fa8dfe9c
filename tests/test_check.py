"""Cross-entry rules: each reported with file, line, column, field and a message that says why."""

from __future__ import annotations

from .conftest import GOOD_MODEL, GOOD_PAPER

OTHER = """\
kind: paper
title: "Block Diffusion: Interpolating Between Autoregressive and Diffusion Language Models"
date: 2025-03-12
arxiv: "2503.09573"
links:
  paper: https://arxiv.org/abs/2503.09573
topics: [block-diffusion]
summary: Diffuses within blocks and runs autoregressively across them.
added: 2026-11-26
"""


def validate_out(cli) -> str:
    result = cli("validate")
    assert result.code == 1
    return result.out


def test_unknown_topic(catalog, cli):
    catalog.write("papers/bd3lm.yaml", OTHER.replace("[block-diffusion]", "[block-diffusion, magic]"))
    assert "catalog/papers/bd3lm.yaml:7:27: topics[1]: unknown topic 'magic' (see taxonomy.yaml)" in validate_out(cli)


def test_unknown_topic_is_reported_beside_the_entrys_other_schema_errors(catalog, cli):
    broken = OTHER.replace("[block-diffusion]", "[magic]").replace("date: 2025-03-12", "date: someday")
    catalog.write("papers/bd3lm.yaml", broken)
    out = validate_out(cli)
    assert "catalog/papers/bd3lm.yaml:3:1: date: 'someday' is not a date: write YYYY-MM-DD" in out
    assert "catalog/papers/bd3lm.yaml:7:10: topics[0]: unknown topic 'magic' (see taxonomy.yaml)" in out


def test_unresolved_and_self_relations(catalog, cli):
    catalog.write("papers/bd3lm.yaml", OTHER + "relations:\n  builds_on: [mdlm, nope]\n  related: [bd3lm]\n")
    out = validate_out(cli)
    assert "catalog/papers/bd3lm.yaml:11:21: relations.builds_on[1]: no entry with id 'nope'" in out
    assert "catalog/papers/bd3lm.yaml:12:13: relations.related[0]: an entry cannot relate to itself" in out
    assert "builds_on[0]" not in out


def test_supported_models_must_be_models(catalog, cli):
    catalog.write(
        "frameworks/kit.yaml",
        """\
        kind: framework
        title: "A Kit"
        date: 2025-05-01
        links:
          code: https://github.com/x/kit
        topics: [training-frameworks]
        supported_models: [llada, mdlm, ghost]
        summary: A toolkit for the tests.
        added: 2026-11-26
        """,
    )
    out = validate_out(cli)
    assert "catalog/frameworks/kit.yaml:7:27: supported_models[1]: 'mdlm' is a paper, not a model" in out
    assert "catalog/frameworks/kit.yaml:7:33: supported_models[2]: no entry with id 'ghost'" in out


def test_duplicate_arxiv_id_names_the_first_entry(catalog, cli):
    catalog.write("papers/zz-copy.yaml", OTHER.replace("2503.09573", "2406.07524"))
    out = validate_out(cli)
    assert "catalog/papers/zz-copy.yaml:4:1: arxiv: same arXiv id as catalog/papers/mdlm.yaml (id 'mdlm')" in out


def test_duplicate_primary_url_ignores_www_and_trailing_slash(catalog, cli):
    text = OTHER.replace('arxiv: "2503.09573"\n', "").replace(
        "paper: https://arxiv.org/abs/2503.09573", "code: https://www.github.com/kuleshov-group/mdlm/"
    )
    catalog.write("papers/zz.yaml", text.replace("paper:", "code:"))
    catalog.write("papers/aa.yaml", text.replace("Block Diffusion", "Other Thing").replace("2503.09573", "x"))
    out = validate_out(cli)
    assert "catalog/papers/zz.yaml:5:3: links.code: same primary URL as catalog/papers/aa.yaml (id 'aa')" in out


def test_near_duplicate_titles_are_flagged(catalog, cli):
    text = (
        OTHER.replace("2503.09573", "2503.09999")
        .replace("Block Diffusion: Interpolating", "BD3-LM: block diffusion -- interpolating")
        .replace("added: 2026-11-26", "added: 2026-11-28")  # the newcomer, on which it is reported
    )
    catalog.write("papers/bd3lm.yaml", OTHER)
    catalog.write("papers/bd3lm-again.yaml", text)
    out = validate_out(cli)
    assert (
        "catalog/papers/bd3lm-again.yaml:2:1: title: same title (near-duplicate) as catalog/papers/bd3lm.yaml (id 'bd3lm')"
        in out
    )


def test_arxiv_month_must_agree_with_date(catalog, cli):
    catalog.write("papers/bd3lm.yaml", OTHER.replace("date: 2025-03-12", "date: 2025-06-03"))
    out = validate_out(cli)
    assert (
        "catalog/papers/bd3lm.yaml:3:1: date: date 2025-06-03 disagrees with arXiv id 2503.09573 (submitted 2025-03)"
        in out
    )


def test_paper_dated_in_the_last_days_of_the_previous_month_is_accepted(catalog, cli):
    catalog.write("papers/bd3lm.yaml", OTHER.replace("date: 2025-03-12", "date: 2025-02-27"))
    assert cli("validate").code == 0


def test_a_model_may_be_released_before_its_paper_but_not_after_the_month(catalog, cli):
    catalog.write("models/llada.yaml", GOOD_MODEL.replace("date: 2025-02-14", "date: 2024-12-01"))
    assert cli("validate").code == 0
    catalog.write("models/llada.yaml", GOOD_MODEL.replace("date: 2025-02-14", "date: 2025-03-01"))
    assert "date 2025-03-01 disagrees with arXiv id 2502.09992" in validate_out(cli)


def test_arxiv_links_must_be_canonical_and_agree_with_the_id(catalog, cli):
    catalog.write(
        "papers/bd3lm.yaml", OTHER.replace("https://arxiv.org/abs/2503.09573", "https://arxiv.org/pdf/2503.09573v2")
    )
    out = validate_out(cli)
    assert "catalog/papers/bd3lm.yaml:6:3: links.paper: write arXiv links as https://arxiv.org/abs/2503.09573" in out
    catalog.write(
        "papers/bd3lm.yaml", OTHER.replace("https://arxiv.org/abs/2503.09573", "https://arxiv.org/abs/2503.09574")
    )
    assert "links.paper: links to arXiv 2503.09574 but arxiv is 2503.09573" in validate_out(cli)


def test_paper_link_on_arxiv_without_arxiv_field(catalog, cli):
    catalog.write("papers/bd3lm.yaml", OTHER.replace('arxiv: "2503.09573"\n', ""))
    assert "catalog/papers/bd3lm.yaml:5:3: arxiv: the paper is on arXiv: set arxiv: '2503.09573'" in validate_out(cli)


def test_same_id_in_two_kind_folders(catalog, cli):
    catalog.write("articles/mdlm.yaml", GOOD_PAPER.replace("kind: paper", "kind: article"))
    out = validate_out(cli)
    assert "catalog/papers/mdlm.yaml:1:1: id 'mdlm' is already used by catalog/articles/mdlm.yaml" in out


def test_taxonomy_errors_are_located(catalog, cli):
    text = (catalog.root / "taxonomy.yaml").read_text()
    catalog.write("taxonomy.yaml", text.replace("slug: theory\n", "slug: scaling-laws\n", 1))
    out = validate_out(cli)
    assert "catalog/taxonomy.yaml:" in out and "slug 'scaling-laws' is used twice" in out


EXCLUSIONS = """\
# Out of scope, each with why.
- arxiv: "2503.09573"
  title: "Block Diffusion"
  reason: image diffusion
- arxiv: "2501.001"
  title: "Malformed"
  reason: not a language model
- arxiv: "2502.00002"
  title: "No reason given"
- arxiv: "2503.09573"
  title: "Block Diffusion, again"
  reason: listed twice
"""


def test_exclusions_file_is_checked_item_by_item(catalog, cli):
    catalog.write("exclusions.yaml", EXCLUSIONS)
    out = validate_out(cli)
    assert (
        "catalog/exclusions.yaml:5:3: [1].arxiv: not an arXiv id: write it as a quoted string like "
        "'2502.09992', without version"
    ) in out
    assert "catalog/exclusions.yaml:8:3: [2].reason: required field is missing" in out
    assert "catalog/exclusions.yaml:10:3: [3].arxiv: arXiv 2503.09573 is already excluded on line 2" in out


def test_an_entry_for_an_excluded_paper_fails_quoting_the_reason(catalog, cli):
    catalog.write("exclusions.yaml", EXCLUSIONS.split('- arxiv: "2501.001"')[0])
    catalog.write("papers/bd3lm.yaml", OTHER)
    assert (
        "catalog/papers/bd3lm.yaml:4:1: arxiv: arXiv 2503.09573 is excluded in catalog/exclusions.yaml:2 "
        "(image diffusion): remove this entry, or the exclusion if the paper is in scope"
    ) in validate_out(cli)
    (catalog.root / "papers" / "bd3lm.yaml").unlink()
    assert cli("validate").code == 0


def test_exclusions_must_be_a_list(catalog, cli):
    catalog.write("exclusions.yaml", "arxiv: '2503.09573'\n")
    assert "catalog/exclusions.yaml:1:1: exclusions must be a list of {arxiv, title, reason} mappings" in validate_out(
        cli
    )
