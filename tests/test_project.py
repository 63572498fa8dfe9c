"""The project's promises about itself: quick start, CI, schema file, and the real catalog."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dllm_atlas import check, load, readme, render, schema
from dllm_atlas.index import build_index
from dllm_atlas.load import load_taxonomy

ROOT = Path(__file__).resolve().parents[1]


def quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_readme_quick_start_has_exactly_two_commands_and_ci_runs_the_test_one():
    commands = quick_start_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci.splitlines()


def test_committed_json_schema_is_in_sync_with_the_models():
    committed = json.loads((ROOT / "schema" / "entry.schema.json").read_text(encoding="utf-8"))
    taxonomy, _ = load_taxonomy(ROOT / "catalog")
    assert committed == schema.entry_schema(taxonomy), "run: dllm-atlas schema -o schema/entry.schema.json"


def test_real_catalog_validates():
    catalog = load.load_catalog(ROOT / "catalog")
    problems = catalog.diagnostics + check.check_catalog(catalog)
    assert [d.text() for d in problems] == []
    assert len(catalog.entries) >= 170


def test_readme_and_topic_pages_are_what_the_catalog_generates():
    catalog = load.load_catalog(ROOT / "catalog")
    path = ROOT / "README.md"
    expected = readme.generated_files(
        path, path.read_text(encoding="utf-8"), build_index(catalog), render.environment()
    )
    assert [str(f.relative_to(ROOT)) for f, _ in readme.problems(expected, path)] == [], "run: dllm-atlas readme"


def test_every_entry_file_points_editors_at_the_schema():
    first_line = "# yaml-language-server: $schema=../../schema/entry.schema.json"
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in sorted((ROOT / "catalog").glob("*/*.yaml"))
        if p.read_text(encoding="utf-8").splitlines()[0] != first_line
    ]
    assert offenders == []


def test_gitignore_lists_exactly_the_generated_site_files():
    from dllm_atlas import site

    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    ignored = {line for line in lines if line.startswith("/docs/")}
    expected = {f"/docs/{name}" for name in site.GENERATED_FILES} | {f"/docs/{name}/" for name in site.GENERATED_DIRS}
    expected |= {f"/docs/{pattern}" for pattern in site.GENERATED_PATTERNS}
    assert ignored == expected


def test_the_documented_add_example_is_an_id_add_would_accept():
    # README and CONTRIBUTING show `dllm-atlas add <id>`; an id already entered or excluded would be
    # refused on a contributor's first try.
    catalog = load.load_catalog(ROOT / "catalog")
    taken = {item.entry.arxiv for item in catalog.entries.values()} | set(catalog.exclusions)
    for doc in ("README.md", "CONTRIBUTING.md"):
        examples = re.findall(r"dllm-atlas add (\d{4}\.\d{4,5})", (ROOT / doc).read_text(encoding="utf-8"))
        assert examples, doc
        assert [e for e in examples if e in taken] == [], f"{doc}: pick an example that is not in the catalog"
