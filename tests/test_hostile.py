"""The hostile-input corpus (tests/hostile/): one folder per class of bad input, each dropped into a
valid catalog. For each: every command refuses with exit 1, the report is exactly the located lines
of its expected.txt, there is no traceback, and nothing is written: README, lists/, docs/, the site
and the export stay byte-identical. (How long each takes is measured by benchmarks/hostile_inputs.py,
not here.)

A case folder mirrors the catalog (``papers/x.yaml``); a file named ``*.symlink`` becomes a symbolic
link to the path it holds."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .conftest import GOOD_MODEL, GOOD_PAPER, REAL_CATALOG

CORPUS = Path(__file__).parent / "hostile"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
README = "# Project\n\n<!-- dllm-atlas:begin -->\n<!-- dllm-atlas:end -->\n"


def hostile_project(case: str, root: Path) -> Path:
    """A project whose catalog is valid but for the case's files; the catalog folder."""
    catalog = root / "catalog"
    (catalog / "papers").mkdir(parents=True)
    (catalog / "models").mkdir()
    shutil.copy(REAL_CATALOG / "taxonomy.yaml", catalog / "taxonomy.yaml")
    (catalog / "papers" / "mdlm.yaml").write_text(GOOD_PAPER, encoding="utf-8")
    (catalog / "models" / "llada.yaml").write_text(GOOD_MODEL, encoding="utf-8")
    for source in sorted((CORPUS / case).rglob("*")):
        relative = source.relative_to(CORPUS / case)
        if source.is_dir() or relative.name == "expected.txt":
            continue
        target = catalog / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix == ".symlink":
            os.symlink(source.read_text(encoding="utf-8").strip(), target.with_suffix(""))
        else:
            target.write_bytes(source.read_bytes())
    (root / "README.md").write_text(README, encoding="utf-8")
    return catalog


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and "catalog" not in p.relative_to(root).parts
    }


@pytest.mark.parametrize("case", CASES)
def test_hostile_input_is_refused_with_its_located_message_and_nothing_written(case, tmp_path, monkeypatch, cli):
    catalog = hostile_project(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    before = _snapshot(tmp_path)
    result = cli("validate")
    expected = (CORPUS / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert result.code == 1
    assert result.out.splitlines() == expected
    for command in (["readme"], ["export", "json", "-o", "export.json"], ["build", "-o", "site"]):
        refused = cli(*command)
        assert refused.code == 1, command
        assert "Traceback" not in refused.out + refused.err
        assert expected[0] in refused.err  # the same located report
    assert _snapshot(tmp_path) == before
    assert catalog.is_dir()
