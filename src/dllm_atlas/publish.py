"""Stage 4, the site's last step: MkDocs builds the generated ``docs/`` into the static site.

``dllm-atlas build`` calls :func:`build_site` after the pages are generated. What it promises:

* MkDocs runs in this process (``mkdocs.commands.build``), strict, with the hook told the pages
  are ready; nothing is left running if this process is killed.
* It builds into a fresh folder beside the target and swaps it in only when complete
  (:func:`dllm_atlas.fsutil.replace_dir`): MkDocs empties its site folder first, so building in
  place would leave a half-filled site behind an interrupted or failed build.
* MkDocs' warnings and errors are printed (stderr) as they come; with ``--strict`` a warning fails.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from . import logs, site
from .fsutil import replace_dir, staging_dir

log = logging.getLogger(logs.LOGGER)


def build_site(config_file: Path, output: Path, verbose: bool = False) -> bool:
    """Build the site into ``output``; False (``output`` untouched) if MkDocs failed."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("mkdocs: %(levelname)s - %(message)s"))
    handler.setLevel(logging.INFO if verbose else logging.WARNING)
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(handler)
    level = mkdocs_log.level
    mkdocs_log.setLevel(logging.INFO if verbose else logging.WARNING)
    staging = staging_dir(output)
    try:
        config = load_config(config_file=str(config_file), site_dir=str(staging), strict=True)
        config[site.PAGES_READY_KEY] = True
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
        replace_dir(staging, output)
        return True
    except (MkDocsException, SystemExit) as exc:  # MkDocs' Abort is also a SystemExit
        log.error("mkdocs build --strict failed: %s; %s is unchanged", exc or "see its messages above", output)
        return False
    except Exception as exc:  # a theme or plugin bug: a clear line, not a traceback
        log.error("mkdocs build failed: %s: %s; %s is unchanged", type(exc).__name__, exc, output)
        return False
    finally:
        mkdocs_log.removeHandler(handler)
        mkdocs_log.setLevel(level)
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
