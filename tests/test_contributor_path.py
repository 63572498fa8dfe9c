"""The contributor's path, walked end to end on a copy of the repository, as CONTRIBUTING tells it:
add an arXiv id → finish the draft → validate → regenerate the README → the pull-request gate.
Every message on the way must say what to do next; none may be a traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_arxiv import arxiv_stand_in, entry

ARXIV_ID = "2605.17174"  # CONTRIBUTING's example: not in the catalog (tests/test_contribute.py keeps it so)


@pytest.fixture
def arxiv_api():
    """A stand-in arXiv API on 127.0.0.1 that knows the documented example."""
    record = entry(
        ARXIV_ID,
        "Denoising Paths: A Study of Remasking in Masked Diffusion Language Models",
        ["Ada Lovelace", "Alan Turing"],
        "2026-05-18T12:00:00Z",
        comment="Accepted at ICML 2026. Code: https://github.com/example/denoising-paths",
    )

    with arxiv_stand_in({ARXIV_ID: record}) as url:
        yield url


def _run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "dllm_atlas", *args], cwd=repo, capture_output=True, text=True, timeout=300
    )
    assert "Traceback" not in done.stdout + done.stderr
    return done


def test_from_an_arxiv_id_to_a_green_pull_request(tmp_path, arxiv_api):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "catalog", repo / "catalog")
    shutil.copy(ROOT / "README.md", repo / "README.md")
    shutil.copytree(ROOT / "lists", repo / "lists")
    base = tmp_path / "base"  # what the PR gate compares with: the base branch's checkout
    shutil.copytree(repo, base)

    # 1. add: one draft, and the message says what to write next.
    added = _run(repo, "add", ARXIV_ID, "--api-url", arxiv_api)
    assert added.returncode == 0, added.stderr
    draft = repo / "catalog" / "papers" / "denoising-paths.yaml"
    assert added.stdout.strip() == (
        "wrote catalog/papers/denoising-paths.yaml: write its topics and summary (marked TODO), "
        "then run 'dllm-atlas validate'"
    )
    text = draft.read_text(encoding="utf-8")
    assert 'venue: "ICML 2026"' in text and 'code: "https://github.com/example/denoising-paths"' in text

    # 2. validate before finishing: each problem is located and says what to do.
    early = _run(repo, "validate")
    assert early.returncode == 1
    problems = early.stdout.splitlines()
    assert problems, early.stderr
    assert all(line.startswith("catalog/papers/denoising-paths.yaml:") for line in problems)
    assert any("a draft marker is still here" in p and "then delete the line" in p for p in problems)
    assert any("topics: required: at least one topic slug from catalog/taxonomy.yaml" in p for p in problems)
    assert any("summary: required field is missing: one or two sentences" in p for p in problems)
    assert f"file(s) checked, {len(problems)} error(s)" in early.stderr

    # 3. finish the draft as CONTRIBUTING says: topics, summary, delete the TODO and DRAFT lines.
    finished = "\n".join(line for line in text.splitlines() if not line.startswith(("# TODO", "# DRAFT")))
    finished = finished.replace("topics: []", "topics: [remasking, empirical-analysis]").replace(
        "\nsummary:\n",
        "\nsummary: >-\n  Compares remasking rules for masked diffusion language models on reasoning and code tasks and\n"
        "  finds that confidence-based remasking keeps most of the accuracy at half the denoising steps.\n",
    )
    draft.write_text(finished + "\n", encoding="utf-8")
    checked = _run(repo, "validate")
    assert checked.returncode == 0, checked.stdout
    assert _run(repo, "validate", "--format", "github").stdout == ""

    # 4. the README: --check says to regenerate, regenerating makes it current.
    stale = _run(repo, "readme", "--check")
    assert stale.returncode == 1
    assert "generated file(s) stale (README.md, lists/" in stale.stderr
    assert "run 'dllm-atlas readme' and commit the result" in stale.stderr
    assert "Denoising Paths" in stale.stdout  # the diff shows the new line
    wrote = _run(repo, "readme")
    assert wrote.returncode == 0
    assert sorted(wrote.stdout.splitlines()) == [
        "wrote README.md",
        "wrote lists/empirical-analysis.md",
        "wrote lists/remasking.md",
    ]
    assert _run(repo, "readme", "--check").returncode == 0

    # 5. the pull-request gate accepts the regenerated README, and names a hand edit as one.
    gate = _run(repo, "readme", "--unchanged-from", str(base))
    assert gate.returncode == 0, gate.stderr
    assert gate.stdout.strip() == "README.md: generated list matches the catalog"
    page = repo / "lists" / "remasking.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Denoising Paths", "Denoising Pathz"), encoding="utf-8")
    edited = _run(repo, "readme", "--unchanged-from", str(base))
    assert edited.returncode == 1
    assert "lists/remasking.md: the generated list matches neither" in edited.stderr
    assert "was edited by hand. It is generated from catalog/: change the YAML files instead" in edited.stderr
