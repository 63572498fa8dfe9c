"""MkDocs hook: keeps the generated catalog pages current under plain ``mkdocs build``/``serve``.

``mkdocs.yml`` lists this file under ``hooks:`` and watches ``catalog/`` and ``templates/``, so
``mkdocs serve`` regenerates the pages whenever an entry or a template changes, through the same
pipeline as the CLI (:mod:`dllm_atlas.pipeline`), with the settings MkDocs hands the hook. An
invalid catalog stops the build with the located errors. ``dllm-atlas build`` and ``serve``
generate the pages themselves and say so (``DLLM_ATLAS_PAGES_READY`` in the environment, or the
``atlas_pages_ready`` config key), so the work is not done twice.

Every page is written without the indentation of Material's templates (:func:`dllm_atlas.site.compact_html`).
After the build it puts the entries' compact search records into Material's search index
(:func:`dllm_atlas.site.merge_search_records`; entry pages are kept out of Material's own indexing)
and reports the largest files of the site (not under ``dllm-atlas serve``, which also has the theme's
compiled templates kept between its builds).

It also sets every page's "edit this page" link from ``extra.atlas.repository``: hand-written pages
edit their Markdown, entry pages edit their YAML source (front matter ``atlas_source``), and other
generated pages have none. (``repo_url`` stays unset: Material would fetch repository statistics
from api.github.com on every view.)

Entry, topic and area pages are not in the navigation (``not_in_nav``: Material renders the whole
navigation on every page, so 170 more items would cost time quadratically), so nothing would mark
their tab. Their front matter names their section instead (``atlas_section``, the source path of a
page in ``nav``, set by :func:`dllm_atlas.site.section_of`); while such a page renders, that nav page
counts as active, so its tab (and sidebar item) is highlighted, and it is reset afterwards.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from dllm_atlas import diagnostics, inplace, pipeline, site

log = logging.getLogger("mkdocs.hooks.dllm_atlas")
# How many of the largest files each build reports.
LARGEST_REPORTED = 3


def _settings(config: Any) -> site.SiteConfig:
    config_dir = Path(config.config_file_path).parent
    # MkDocs has already made docs_dir absolute; the mapping reader joins it to the folder as given.
    return site.SiteConfig.from_mapping(config, config_dir, config.config_file_path)


def on_pre_build(config: Any) -> None:
    if os.environ.get(site.PAGES_READY_ENV) == "1" or config.get(site.PAGES_READY_KEY):
        return
    checked = pipeline.run_checks(Path(config.config_file_path).parent / "catalog")
    if checked.index is None:
        raise PluginError("the catalog is invalid:\n" + diagnostics.render(checked.diagnostics, "text"))
    try:
        pipeline.generate_site(checked.index, _settings(config))
    except ValueError as exc:  # a malformed data/activity.json
        raise PluginError(str(exc)) from None


def on_env(env: Any, config: Any, files: Any) -> Any:
    """Under ``dllm-atlas serve``, keep the theme's compiled templates between builds: MkDocs makes
    a new environment for each, and compiling Material's templates again took a second."""
    folder = config.get(site.SERVE_KEY)
    if folder:
        from jinja2 import FileSystemBytecodeCache

        env.bytecode_cache = FileSystemBytecodeCache(folder)
    state = config.get(inplace.STATE_KEY)
    if state is not None:  # serve renders edited pages again with what this build makes
        state.files, state.env = files, env
    return env


def on_nav(nav: Any, config: Any, files: Any) -> Any:
    state = config.get(inplace.STATE_KEY)
    if state is not None:
        state.nav = nav
    return nav


def on_page_context(context: Any, page: Any, config: Any, nav: Any) -> Any:
    section = (page.meta or {}).get("atlas_section")
    if section and page.parent is None:
        owner = next((item for item in nav.pages if item.file.src_uri == section), None)
        if owner is not None:
            owner.active = True  # MkDocs marks the owner's parents active too
            page.atlas_section_page = owner
    return context


def on_post_page(output: str, page: Any, config: Any) -> str:
    owner = getattr(page, "atlas_section_page", None)
    if owner is not None:
        owner.active = False
        page.atlas_section_page = None
    return site.compact_html(output)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    settings = _settings(config)
    meta = page.meta or {}
    if meta.get("atlas_generated"):
        source = meta.get("atlas_source")
        page.edit_url = settings.edit_url(source) if source else None
    else:
        page.edit_url = settings.edit_url(f"{Path(config['docs_dir']).name}/{page.file.src_uri}")
    return markdown


# After every plugin's on_post_build (Material's search writes its index there; hooks come last
# anyway, the priority says so explicitly).
@event_priority(-100)
def on_post_build(config: Any) -> None:
    site_dir = Path(config["site_dir"])
    site.merge_search_records(site_dir, Path(config["docs_dir"]))
    if config.get(site.SERVE_KEY):
        return  # a preview rebuilds after every edit: its sizes are the build's business
    largest = ", ".join(f"{path} ({size:,} bytes)" for path, size in site.largest_files(site_dir, LARGEST_REPORTED))
    log.info("largest pages and data files: %s", largest)
