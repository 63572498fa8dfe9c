"""Shared fixtures: a small, valid catalog in a temporary folder, and a CLI runner."""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from dllm_atlas.cli import main

ROOT = Path(__file__).resolve().parents[1]
REAL_CATALOG = ROOT / "catalog"

GOOD_PAPER = """\
kind: paper
title: "Simple and Effective Masked Diffusion Language Models"
short_name: MDLM
authors: [Subham Sekhar Sahoo, Volodymyr Kuleshov]
date: 2024-06-11
arxiv: "2406.07524"
links:
  paper: https://arxiv.org/abs/2406.07524
  code: https://github.com/kuleshov-group/mdlm
topics: [masked-diffusion]
summary: >-
  A simple masked diffusion recipe whose training loss is a weighted mix of masked language
  modelling losses.
added: 2026-11-26
"""

GOOD_MODEL = """\
kind: model
title: "Large Language Diffusion Models"
short_name: LLaDA
date: 2025-02-14
arxiv: "2502.09992"
links:
  paper: https://arxiv.org/abs/2502.09992
topics: [pretrained-models, masked-diffusion]
summary: >-
  An 8B masked diffusion language model pretrained from scratch and instruction-tuned.
relations:
  builds_on: [mdlm]
parameters: [8B]
open_weights: true
training: from-scratch
added: 2026-11-26
"""


@dataclass
class Result:
    code: int
    out: str
    err: str


class CatalogDir:
    """A throwaway catalog: the real taxonomy plus whatever entries a test writes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        shutil.copy(REAL_CATALOG / "taxonomy.yaml", root / "taxonomy.yaml")

    def write(self, relpath: str, text: str | bytes) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path


@pytest.fixture
def catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CatalogDir:
    monkeypatch.chdir(tmp_path)
    cat = CatalogDir(tmp_path / "catalog")
    cat.write("papers/mdlm.yaml", GOOD_PAPER)
    cat.write("models/llada.yaml", GOOD_MODEL)
    return cat


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real catalog's site, built once per run and shared by the site and browser tests."""
    from .sitekit import project_copy

    work = tmp_path_factory.mktemp("real")
    config_file = project_copy(work)
    out = work / "site"
    code = main(["build", "--catalog", str(REAL_CATALOG), "--config-file", str(config_file), "-o", str(out)])
    assert code == 0
    return out


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    def run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
