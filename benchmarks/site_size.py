"""The built site's weight at scale: what a reader's browser fetches, on synthetic catalogs.

Usage: .venv/bin/python benchmarks/site_size.py [--sizes 1000 3000] [--site DIR]

For each size, builds the site of a synthetic catalog (``benchmarks/synthetic.py``) in a temporary
folder (``dllm-atlas build``'s steps: generate the pages, then ``mkdocs build --strict``) and prints
the sizes issue 12 sets targets for (and issue 15's: people pages, the timeline's year pages, the
largest HTML page of the whole site, within 500 KB), then the largest pages and data files of the build
(``site.largest_files``). ``--site DIR`` measures an existing build instead. Sizes are bytes on
disk, uncompressed (GitHub Pages serves them gzipped; the targets are uncompressed).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from dllm_atlas import render, site
from dllm_atlas.check import load_and_check
from dllm_atlas.index import build_index

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.synthetic import synthetic_catalog  # noqa: E402
from tests.sitekit import mkdocs_build, project_copy  # noqa: E402

KB = 1000


def build(size: int, work: Path) -> Path:
    root = synthetic_catalog(work, size)
    catalog, problems = load_and_check(root)
    assert not problems, problems[:5]
    index = build_index(catalog)
    config_file = project_copy(work / "project", root)
    settings = site.read_config(config_file)
    site.generate(index, render.environment(), settings)
    start = time.perf_counter()
    result = mkdocs_build(config_file, work / "site")
    assert result.returncode == 0, result.stderr[-2000:]
    print(f"(built {len(index.entries)} entries in {time.perf_counter() - start:.0f} s)")
    return work / "site"


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0


def _largest(folder: Path) -> int:
    return max((_size(p) for p in folder.glob("*/index.html")), default=0)


def report(site_dir: Path, label: str) -> None:
    entries = sorted(_size(p) for p in (site_dir / "entries").glob("*/index.html"))
    listing = {
        f"{kind}/{p.parent.name}": _size(p)
        for kind in ("areas", "topics")
        for p in (site_dir / kind).glob("*/index.html")
    }
    biggest_listing = max(listing.items(), key=lambda item: item[1])
    (largest_page, largest_page_size), *_ = site.largest_files(site_dir, 1, (".html",))
    rows = [
        ("explorer page", _size(site_dir / "explorer" / "index.html")),
        ("explorer data (explorer.json)", _size(site_dir / "explorer.json")),
        ("search index", _size(site_dir / "search" / "search_index.json")),
        ("tags page", _size(site_dir / "tags" / "index.html")),
        (f"largest topic or area page ({biggest_listing[0]})", biggest_listing[1]),
        ("entry page, median", int(statistics.median(entries))),
        ("entry page, 95th percentile", entries[int(len(entries) * 0.95)]),
        ("entry page, largest", entries[-1]),
        ("people index (authors/)", _size(site_dir / "authors" / "index.html")),
        ("author page, largest", _largest(site_dir / "authors")),
        ("timeline page, largest year", _largest(site_dir / "timeline")),
        (f"largest HTML page of the site ({largest_page})", largest_page_size),
    ]
    print(f"\n{label}\n\n| what | bytes |\n|---|---|")
    for what, size in rows:
        print(f"| {what} | {size:,} |")
    print("\nLargest files:\n\n| file | bytes |\n|---|---|")
    for path, size in site.largest_files(site_dir, 10):
        print(f"| {path} | {size:,} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 3000])
    parser.add_argument("--site", type=Path, help="measure this built site instead of building")
    args = parser.parse_args()
    if args.site:
        report(args.site, str(args.site))
        return
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            report(build(size, Path(tmp)), f"{size} entries")


if __name__ == "__main__":
    main()
