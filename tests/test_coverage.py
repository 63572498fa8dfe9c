"""The catalog against the field's public lists: what they agree on is entered or excluded, and
every entry carries the facts a reader needs (or says why it cannot)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from dllm_atlas.load import load_catalog

from .conftest import REAL_CATALOG, ROOT

UNION = ROOT.parent / "shared" / "sources" / "arxiv_union.tsv"
# Ids two or more lists carry that are neither entries nor exclusions yet, one per line with why
# ("<id> <reason>"). The test fails when this list and the catalog disagree, so it only shrinks.
PENDING = Path(__file__).parent / "data" / "pending_consensus.txt"
MODEL_FACTS = ("parameters", "context_length", "license", "open_weights", "base_model", "training")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REAL_CATALOG)


def _union_rows() -> list[dict[str, str]]:
    if not UNION.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{UNION} is missing: CI must provide ../shared/sources beside the project")
        pytest.skip("../shared/sources (the public lists' arXiv ids) is not beside this checkout")
    with UNION.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_every_id_two_lists_agree_on_is_an_entry_or_an_exclusion(catalog):
    consensus = {row["arxiv_id"] for row in _union_rows() if int(row["n_lists"]) >= 2}
    entered = {item.entry.arxiv for item in catalog.entries.values() if item.entry.arxiv}
    missing = consensus - entered - set(catalog.exclusions)
    pending = {line.split()[0] for line in PENDING.read_text(encoding="utf-8").splitlines() if line.strip()}
    assert sorted(missing - pending) == [], "neither entered, excluded nor listed as pending"
    assert sorted(pending - missing) == [], f"entered or excluded now: remove these from {PENDING.name}"


def test_every_entry_has_a_summary_and_every_paper_its_authors_or_the_reason_they_are_missing(catalog):
    no_summary = sorted(
        i for i, item in catalog.entries.items() if not item.entry.summary and "summary" not in item.entry.unconfirmed
    )
    no_authors = sorted(
        i
        for i, item in catalog.entries.items()
        if item.entry.kind == "paper" and not item.entry.authors and "authors" not in item.entry.unconfirmed
    )
    assert (no_summary, no_authors) == ([], [])


def test_every_model_has_its_facts_or_the_reason_each_is_missing(catalog):
    gaps = [
        f"{item_id}: {name}"
        for item_id, item in sorted(catalog.entries.items())
        if item.entry.kind == "model"
        for name in MODEL_FACTS
        if getattr(item.entry, name) in (None, []) and name not in item.entry.unconfirmed
    ]
    assert gaps == []
