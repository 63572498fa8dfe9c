"""The pipeline, run one way for every caller: load → check → index → outputs.

The CLI commands and the MkDocs hook all go through here, so a catalog is read once per run and
every caller sees the same diagnostics::

    checked = run_checks(Path("catalog"))
    if checked.index is None:          # the catalog has errors: checked.diagnostics says where
        ...
    written, removed = generate_site(checked.index, site.read_config(Path("mkdocs.yml")))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .check import load_and_check
from .diagnostics import Diagnostic
from .index import Index, build_index
from .load import Catalog, LoadCache

if TYPE_CHECKING:
    from jinja2 import Environment

    from . import site
    from .memo import Memo


@dataclass
class Checked:
    """A loaded and checked catalog: its index when it is valid, else None."""

    catalog: Catalog
    diagnostics: list[Diagnostic]
    index: Index | None
    ok: bool


def run_checks(root: Path, index: bool = True, cache: LoadCache | None = None) -> Checked:
    """Stages 1–3: load and check the catalog, and index it if nothing is wrong (and ``index``:
    ``validate`` needs only the verdict). ``cache`` (kept by ``serve`` between runs) spares
    reading again the files that did not change."""
    catalog, diagnostics = load_and_check(root, cache)
    valid = not diagnostics and catalog.taxonomy is not None
    return Checked(catalog, diagnostics, build_index(catalog) if valid and index else None, valid)


def generate_site(
    index: Index,
    config: site.SiteConfig,
    env: Environment | None = None,
    today: dt.date | None = None,
    memo: Memo | None = None,
    similar: Mapping[str, list[str]] | None = None,
    defer: bool = False,
) -> tuple[int, int]:
    """Stage 4 for the site: write the generated pages into the docs folder; (written, removed).
    ``memo`` (kept by ``serve``): render only what changed since the last generation; ``similar``:
    the entries' similar work when the caller has it (else computed); ``defer``: see
    :func:`dllm_atlas.site.generate`."""
    from . import render, site

    return site.generate(index, env or render.environment(), config, today, memo, similar, defer)
