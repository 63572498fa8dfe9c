"""MkDocs hook: keeps the generated catalog pages current under plain ``mkdocs build``/``serve``.

``mkdocs.yml`` lists this file under ``hooks:`` and watches ``catalog/`` and ``templates/``, so
``mkdocs serve`` regenerates the pages whenever an entry or a template changes. An invalid catalog
stops the build with the located errors. ``dllm-atlas build`` generates the pages itself and sets
``DLLM_ATLAS_PAGES_READY`` so the work is not done twice.

It also sets every page's "edit this page" link from ``extra.atlas.repository``: hand-written pages
edit their Markdown, entry pages edit their YAML source (front matter ``atlas_source``), and other
generated pages have none. (``repo_url`` stays unset: Material would fetch repository statistics
from api.github.com on every view.)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from dllm_atlas import check, diagnostics, render, site
from dllm_atlas.index import build_index

READY_ENV = "DLLM_ATLAS_PAGES_READY"


def on_pre_build(config: Any) -> None:
    if os.environ.get(READY_ENV) == "1":
        return
    project = Path(config.config_file_path).parent
    catalog, problems = check.load_and_check(Path(os.environ.get("DLLM_ATLAS_CATALOG") or project / "catalog"))
    if diagnostics.has_errors(problems):
        raise PluginError("the catalog is invalid:\n" + diagnostics.render(problems, "text"))
    settings = site.read_config(Path(config.config_file_path))
    site.generate(build_index(catalog), render.environment(), settings)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    settings = (config.get("extra") or {}).get("atlas") or {}
    repo, branch = settings.get("repository"), settings.get("branch", "main")
    meta = page.meta or {}
    if not repo:
        page.edit_url = None
    elif meta.get("atlas_generated"):
        source = meta.get("atlas_source")
        page.edit_url = f"{repo.rstrip('/')}/edit/{branch}/{source}" if source else None
    else:
        docs = Path(config["docs_dir"]).name
        page.edit_url = f"{repo.rstrip('/')}/edit/{branch}/{docs}/{page.file.src_uri}"
    return markdown
