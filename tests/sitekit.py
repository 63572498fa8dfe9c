"""Helpers for site tests: build a site from a catalog folder, or from hand-made entries."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

from dllm_atlas import render, site
from dllm_atlas.index import Index, build_index
from dllm_atlas.load import Catalog, LoadedEntry, LoadedExclusion, load_taxonomy

ROOT = Path(__file__).resolve().parents[1]


def project_copy(dest: Path, catalog: Path | None = None) -> Path:
    """A throwaway project: hand-written docs and a mkdocs.yml whose paths (hook, theme overrides)
    point back at ours (or, for ``watch``, at ``catalog`` when given)."""
    shutil.copytree(
        ROOT / "docs",
        dest / "docs",
        ignore=lambda d, names: [
            n
            for n in names
            if Path(d, n).relative_to(ROOT / "docs").as_posix().split("/")[0] in site.GENERATED_DIRS
            or (Path(d) == ROOT / "docs" and site.is_generated(n))
        ],
    )
    shutil.copy(ROOT / "CONTRIBUTING.md", dest / "CONTRIBUTING.md")  # docs/contributing.md includes it
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("src/dllm_atlas/mkdocs_hook.py", str(ROOT / "src/dllm_atlas/mkdocs_hook.py"))
    config = config.replace("custom_dir: templates/theme", f"custom_dir: {ROOT / 'templates/theme'}")
    watched = {"catalog": catalog or ROOT / "catalog", "templates": ROOT / "templates"}
    config = re.sub(r"(?m)^  - (catalog|templates)$", lambda m: f"  - {watched[m.group(1)]}", config)
    (dest / "mkdocs.yml").write_text(config, encoding="utf-8")
    return dest / "mkdocs.yml"


def mkdocs_build(config_file: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(config_file),
            "--site-dir",
            str(site_dir),
        ],
        capture_output=True,
        text=True,
        env=site.mkdocs_env(pages_ready=True),
    )


def index_of(entries: dict[str, object], exclusions: dict[str, LoadedExclusion] | None = None) -> Index:
    """An index over entries made directly (validation bypassed on purpose: defence in depth)."""
    taxonomy, _ = load_taxonomy(ROOT / "catalog")
    catalog = Catalog(ROOT / "catalog", taxonomy, "taxonomy.yaml", exclusions=exclusions or {})
    for entry_id, entry in entries.items():
        kind_dir = f"{entry.kind}s"  # type: ignore[attr-defined]
        catalog.entries[entry_id] = LoadedEntry(
            entry_id, Path(f"catalog/{kind_dir}/{entry_id}.yaml"), entry_id, entry, {}
        )
    return build_index(catalog)


def build_from_index(index: Index, workdir: Path) -> Path:
    config_file = project_copy(workdir)
    settings = site.read_config(config_file)
    site.write_pages(
        settings.docs_dir, site.render_pages(index, render.environment(), settings, "", dt.date(2026, 11, 26))
    )
    out = workdir / "site"
    result = mkdocs_build(config_file, out)
    assert result.returncode == 0, result.stderr
    return out
