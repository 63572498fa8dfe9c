"""Measure what breaks first as the catalog grows: issue 12's table, on synthetic catalogs.

Usage: .venv/bin/python benchmarks/scale.py [--sizes 1000 3000] [--repeat 3] [--no-site]

For each size, a valid synthetic catalog (benchmarks/synthetic.py) is written to a temporary folder
and measured:

* README.md bytes and the largest topic page under lists/ (``dllm-atlas readme``);
* ``dllm-atlas validate`` wall time ÷ a bare libyaml parse of the same files (``yaml.load`` with
  ``CSafeLoader``), both as fresh processes so start-up counts, medians of ``--repeat`` runs;
* the site (unless ``--no-site``): ``dllm-atlas build`` wall time and our share of it (checks and
  page generation, timed in-process). The built site's sizes are ``benchmarks/site_size.py``'s.

Prints one Markdown table, a column per size. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import synthetic_catalog  # noqa: E402

from tests.sitekit import project_copy  # noqa: E402

BARE_PARSE = (
    "import glob, sys, yaml\n"
    "for f in glob.glob(sys.argv[1] + '/*/*.yaml'):\n"
    "    yaml.load(open(f, encoding='utf-8'), Loader=yaml.CSafeLoader)\n"
)


def _wall(command: list[str], cwd: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _kb(n: int) -> str:
    return f"{n / 1000:,.0f} KB"


def measure(size: int, repeat: int, with_site: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        catalog = synthetic_catalog(work, size)
        cli = [sys.executable, "-m", "dllm_atlas"]
        (work / "README.md").write_text((ROOT / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
        subprocess.run([*cli, "readme", "--catalog", str(catalog)], cwd=work, check=True, capture_output=True)
        pages = sorted((work / "lists").glob("*.md"), key=lambda p: p.stat().st_size)
        out["README.md"] = _kb((work / "README.md").stat().st_size)
        out["largest topic page"] = f"{_kb(pages[-1].stat().st_size)} ({pages[-1].name})"
        bare = _wall([sys.executable, "-c", BARE_PARSE, str(catalog)], work, repeat)
        validate = _wall([*cli, "validate", "--catalog", str(catalog)], work, repeat)
        out["validate (s)"] = f"{validate:.2f}"
        out["bare CSafeLoader parse (s)"] = f"{bare:.2f}"
        out["validate ÷ bare parse"] = f"{validate / bare:.2f}×"
        if with_site:
            config = project_copy(work / "project", catalog=catalog)
            site_dir = work / "site"
            start = time.perf_counter()
            done = subprocess.run(
                [*cli, "-v", "build", "--catalog", str(catalog), "--config-file", str(config), "-o", str(site_dir)],
                cwd=config.parent,
                capture_output=True,
                text=True,
            )
            total = time.perf_counter() - start
            assert done.returncode == 0, done.stderr[-3000:]
            ours = _generation_seconds(catalog, config)
            out["site build (s)"] = f"{total:.1f}"
            out["our share (checks + page generation)"] = f"{ours / total:.0%}"
    return out


def _generation_seconds(catalog: Path, config: Path) -> float:
    from dllm_atlas import pipeline, site

    checked = pipeline.run_checks(catalog)
    assert checked.index is not None
    settings = site.read_config(config)
    start = time.perf_counter()
    for path in settings.docs_dir.rglob("*"):  # regenerate from nothing, as a first build does
        if path.is_file() and site.is_generated(path.relative_to(settings.docs_dir).as_posix()):
            path.unlink()
    pipeline.generate_site(checked.index, settings)
    return time.perf_counter() - start + _validate_seconds(catalog)


def _validate_seconds(catalog: Path) -> float:
    from dllm_atlas import pipeline

    start = time.perf_counter()
    pipeline.run_checks(catalog)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-site", action="store_true")
    args = parser.parse_args()
    results = {size: measure(size, args.repeat, not args.no_site) for size in args.sizes}
    rows = list(next(iter(results.values())))
    print("| | " + " | ".join(f"{s:,}" for s in args.sizes) + " |")
    print("|---|" + "---|" * len(args.sizes))
    for row in rows:
        print(f"| {row} | " + " | ".join(results[s].get(row, "—") for s in args.sizes) + " |")


if __name__ == "__main__":
    main()
