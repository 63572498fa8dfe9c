"""Rebuild a few pages of a built MkDocs site in place: how ``serve`` shows an edit in about a second.

MkDocs' own dirty build still lists every file of the docs folder and makes a page object and the
navigation for each (1.2–3.6 s at 3,000 entries, 7,178 pages) before it skips the unchanged ones.
Between two generations of the catalog pages ``serve`` knows exactly which files it rewrote, so
it keeps what the last MkDocs build made (the file list, the navigation, the theme's Jinja
environment: :class:`BuiltSite`, filled by the hook) and renders only those files again::

    state = BuiltSite()
    config[STATE_KEY] = state           # before a whole build: the hook records what it makes
    build(config, serve_url=url)        # mkdocs.commands.build.build
    ...                                 # the catalog pages are generated again; some changed
    if not update_pages(config, state, changed):   # {path: the text the last build read}
        build(load_config(...), serve_url=url, dirty=True)   # what update_pages cannot do

:func:`update_pages` declines (returns False, having written nothing) whenever the rest of the site
could show what changed: a file the last build did not have, a page whose tags changed (the tags
index counts them), a page of the navigation whose title changed (every page shows it), or a
page that lists tags. It then runs the plugin events a page goes through (page
Markdown, content, context, post page) and the ``post_build`` ones, keeping Material's search
index in step: the changed pages' old records are dropped and their new ones added.

This uses MkDocs' page-building functions (``mkdocs.commands.build._populate_page`` and
``_build_page``), which are not public API: ``pyproject.toml`` pins ``mkdocs<2`` and
``tests/test_serve_incremental.py`` checks that a page updated in place equals the page a whole
build makes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The key under which a serve build's config carries its BuiltSite (see dllm_atlas.mkdocs_hook).
STATE_KEY = "atlas_built_site"
# Tags listings are filled in from every page's tags when the environment is made (Material's tags
# plugin, on_env): a page holding one cannot be rendered on its own.
_TAGS_LISTING = "<!-- material/tags"


@dataclass
class BuiltSite:
    """What the last whole MkDocs build made, as its plugin events saw it."""

    files: Any = None
    nav: Any = None
    env: Any = None

    @property
    def ready(self) -> bool:
        return self.files is not None and self.nav is not None and self.env is not None


def _search_plugin(config: Any) -> Any:
    """Material's search plugin when it keeps its index between builds the way update_pages needs."""
    for plugin in config.plugins.values():
        if all(hasattr(plugin, name) for name in ("search_index", "search_index_prev", "is_dirty")):
            return plugin
    return None


def seen_elsewhere(markdown: str, in_nav: bool) -> tuple[Any, ...]:
    """What other pages show of a page, from its Markdown: its front matter's tags (the tags index
    counts them) and, for a page in the navigation (which every page shows), its title there: the
    front matter's, else its first heading. The rest of the front matter (a description, search
    settings) shapes the page alone."""
    import yaml

    meta: Any = {}
    if markdown.startswith("---\n"):
        end = markdown.find("\n---\n", 4)
        if end != -1:
            meta = yaml.load(markdown[4:end], Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    heading = next((line for line in markdown.splitlines() if line.startswith("# ")), None)
    if not isinstance(meta, dict):
        meta = {}
    return meta.get("tags"), (meta.get("title"), heading) if in_nav else None


def update_pages(config: Any, state: BuiltSite, changed: Mapping[str, str | None]) -> bool:
    """Render the files at ``changed`` (paths relative to the docs folder, each with the text it
    had when the last build read it) into the site again; False, with nothing written, when that
    alone would leave the site inconsistent."""
    from mkdocs.commands.build import _build_page, _populate_page
    from mkdocs.structure.files import InclusionLevel

    if not state.ready:
        return False
    files, nav, env = state.files, state.nav, state.env
    targets = [files.get_file_from_path(path) for path in changed]
    if any(file is None for file in targets):
        return False
    # Excluded files are not part of the site (the search records: read by the post_build hook).
    targets = [file for file in targets if not file.inclusion.is_excluded()]
    pages = [file for file in targets if file.is_documentation_page()]
    search = _search_plugin(config)
    if pages and search is None and any(name.endswith("search") for name in config.plugins):
        return False
    in_nav = {page.file.src_uri for page in nav.pages}
    for file in pages:
        old, listed = changed[file.src_uri], file.src_uri in in_nav
        new = Path(file.abs_src_path).read_text(encoding="utf-8")
        if old is None or seen_elsewhere(old, listed) != seen_elsewhere(new, listed) or _TAGS_LISTING in new:
            return False
    for file in pages:
        _populate_page(file.page, config, files)
    kept: list[dict[str, Any]] = []
    if search is not None:
        # The records of the pages not rendered again, from the index the last build wrote; the
        # plugin's own merge (for MkDocs' dirty builds) drops only the first changed page's.
        urls = {file.page.url for file in pages}
        written = search.search_index_prev or search.search_index
        kept = [e for e in written.entries if e["location"].split("#", 1)[0] not in urls]
        search.search_index = type(search.search_index)(**search.config)
        search.search_index_prev = None
    for file in targets:
        if not file.is_documentation_page():
            file.copy_file(dirty=False)
    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
    for file in pages:
        _build_page(file.page, config, doc_files, nav, env)
    if search is not None:
        search.search_index.entries[:0] = kept
    for file in pages:
        file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
    config.plugins.on_post_build(config=config)
    return True
