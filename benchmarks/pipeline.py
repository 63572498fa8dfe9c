"""Time each stage of the pipeline on the real catalog and on a synthetic one scaled up.

Usage: .venv/bin/python benchmarks/pipeline.py [--scale N]

The synthetic catalog copies every real entry N times under new ids (titles, arXiv ids and links made
unique, relations kept), so the validator, the index and the site see N times the real load. Prints a
Markdown table: stage, entries, seconds (one run each; rerun for variance), peak RSS of mkdocs.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from dllm_atlas import check, readme, render, site
from dllm_atlas.index import build_index
from dllm_atlas.load import load_catalog

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.sitekit import mkdocs_build, project_copy  # noqa: E402


def scaled_catalog(dest: Path, scale: int) -> Path:
    root = dest / "catalog"
    shutil.copytree(ROOT / "catalog", root)
    if scale <= 1:
        return root
    for path in sorted((ROOT / "catalog").glob("*/*.yaml")):
        text = path.read_text(encoding="utf-8")
        for n in range(2, scale + 1):
            copy = text.replace('title: "', f'title: "Copy {n} of ', 1)
            copy = "\n".join(line for line in copy.splitlines() if not line.startswith("arxiv:"))
            # A distinct host per copy keeps every primary URL unique.
            copy = copy.replace("https://", f"https://copy{n}.")
            (root / path.parent.name / f"{path.stem}-copy{n}.yaml").write_text(copy + "\n", encoding="utf-8")
    return root


def timed(label: str, entries: int, fn) -> object:
    start = time.perf_counter()
    result = fn()
    print(f"| {label} | {entries} | {time.perf_counter() - start:.2f} |")
    return result


def run(scale: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        root = scaled_catalog(work, scale)
        n = len(list(root.glob("*/*.yaml")))
        catalog = timed("load + schema", n, lambda: load_catalog(root))
        problems = timed("cross-entry checks", n, lambda: check.check_catalog(catalog))
        assert not catalog.diagnostics and not problems, (catalog.diagnostics + problems)[:5]
        index = timed("index", n, lambda: build_index(catalog))
        env = render.environment()
        timed("README list", n, lambda: readme.render_list(index, env))
        config_file = project_copy(work / "project")
        settings = site.read_config(config_file)
        timed("site pages (render + write)", n, lambda: site.generate(index, env, settings))
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result = timed("mkdocs build --strict", n, lambda: mkdocs_build(config_file, work / "site"))
        assert result.returncode == 0, result.stderr[-2000:]
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"| mkdocs peak RSS (MiB) | {n} | {max(peak, before) / 1024:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, nargs="*", default=[1, 10])
    args = parser.parse_args()
    print("| stage | entries | seconds |\n|---|---|---|")
    for scale in args.scale:
        run(scale)


if __name__ == "__main__":
    main()
