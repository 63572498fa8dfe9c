"""The JSON Schema as other tools read it: jsonschema stands in for editors and check-jsonschema,
and a standard YAML reader (PyYAML's safe_load) for theirs."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest
import yaml

from .conftest import GOOD_PAPER, REAL_CATALOG, ROOT

SCHEMA = json.loads((ROOT / "schema" / "entry.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def _as_editors_read(text: str) -> object:
    """YAML as a standard reader gives it, dates as the strings an editor's schema check sees."""
    data = yaml.safe_load(text)
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}


def _error_paths(text: str) -> list[list[object]]:
    return [list(e.absolute_path) for e in VALIDATOR.iter_errors(_as_editors_read(text))]


def test_every_catalog_entry_passes_the_schema_as_other_tools_read_it():
    failures = {}
    for path in sorted(REAL_CATALOG.glob("*/*.yaml")):
        errors = [e.message for e in VALIDATOR.iter_errors(_as_editors_read(path.read_text(encoding="utf-8")))]
        if errors:
            failures[path.name] = errors
    assert failures == {}


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("  code: https://github.com/kuleshov-group/mdlm", "  code: ftp://example.org/mdlm", ["links", "code"]),
        ("topics: [masked-diffusion]", "topics: [masked-diffusion, magic]", ["topics", 1]),
        ('arxiv: "2406.07524"', "arxiv: 2406.07524", ["arxiv"]),
        ("short_name: MDLM", "short_nme: MDLM", []),
    ],
    ids=["link-scheme", "topic-not-in-taxonomy", "unquoted-arxiv", "unknown-field"],
)
def test_a_mistake_is_reported_at_its_own_field_not_at_kind(old, new, path):
    assert old in GOOD_PAPER
    assert _error_paths(GOOD_PAPER) == []
    paths = _error_paths(GOOD_PAPER.replace(old, new))
    assert paths and all(p == path for p in paths), paths


def test_an_unknown_kind_is_reported_at_kind():
    assert _error_paths(GOOD_PAPER.replace("kind: paper", "kind: poster")) == [["kind"]]


def test_the_validator_agrees_on_an_unquoted_arxiv_id_and_says_to_quote_it(catalog, cli):
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace('arxiv: "2406.07524"', "arxiv: 2406.07524"))
    result = cli("validate")
    assert result.code == 1
    assert (
        'catalog/papers/mdlm.yaml:6:1: arxiv: write the arXiv id in quotes (arxiv: "2406.07524"): unquoted, '
        "other YAML readers take it for the number 2406.07524"
    ) in result.out
