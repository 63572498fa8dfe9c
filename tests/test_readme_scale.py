"""The README at ten times today's catalog: within GitHub's budget, every entry one click away, every
relative link resolving. Measured on the synthetic 3,000-entry catalog of benchmarks/synthetic.py."""

from __future__ import annotations

import importlib.util
import re
import shutil

import pytest

from dllm_atlas import readme, render
from dllm_atlas.check import load_and_check
from dllm_atlas.index import build_index
from dllm_atlas.render import anchor

from .conftest import ROOT

BUDGET = 400_000  # bytes; GitHub stops rendering a README at 512,000
PAGE_BUDGET = 500_000
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _synthetic():
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "benchmarks" / "synthetic.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """README.md and lists/ generated from a valid 3,000-entry catalog: (root, files, index)."""
    work = tmp_path_factory.mktemp("scale")
    root = _synthetic().synthetic_catalog(work, 3000)
    catalog, problems = load_and_check(root)
    assert problems == [] and len(catalog.entries) == 3000
    index = build_index(catalog)
    shutil.copy(ROOT / "README.md", work / "README.md")
    files = readme.generated_files(
        work / "README.md", (ROOT / "README.md").read_text(encoding="utf-8"), index, render.environment()
    )
    readme.write(files, readme.problems(files, work / "README.md"))
    return work, files, index


def test_the_readme_stays_within_budget_at_3000_entries(generated):
    work, files, _ = generated
    size = len(files[work / "README.md"].encode("utf-8"))
    assert size <= BUDGET, f"README.md is {size} bytes"
    largest = max(len(text.encode("utf-8")) for path, text in files.items() if path.parent.name == "lists")
    assert largest <= PAGE_BUDGET, f"the largest topic page is {largest} bytes"


def test_every_entry_is_one_click_from_the_readme(generated):
    work, files, index = generated
    text = files[work / "README.md"]
    linked_pages = {work / href for href in _LINK.findall(text) if href.startswith("lists/") and href.endswith(".md")}
    reachable = text + "".join(files[page] for page in linked_pages)
    missing = [item.id for item in index.entries if render.md(item.entry.title) not in reachable]
    assert missing == []


def test_every_relative_link_of_the_generated_files_resolves(generated):
    work, files, _ = generated
    broken = []
    for path, text in files.items():
        generated_text = readme.generated_block(text) if path == work / "README.md" else text
        for href in _LINK.findall(generated_text):
            if href.startswith(("http://", "https://")):
                continue
            target, _, fragment = href.partition("#")
            file = (path.parent / target).resolve() if target else path
            if not file.exists():
                broken.append(f"{path.name}: {href}")
            elif fragment and file.suffix == ".md":
                headings = {anchor(h) for h in re.findall(r"(?m)^#+ (.+)$", file.read_text(encoding="utf-8"))}
                if fragment not in headings:
                    broken.append(f"{path.name}: {href} (no such heading)")
    assert broken == []
