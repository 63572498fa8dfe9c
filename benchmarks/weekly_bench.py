"""What the weekly update costs (not a test: a measurement).

Usage: PYTHONPATH=src .venv/bin/python benchmarks/weekly_bench.py [--candidates N]

* **discover**: scores N synthetic candidates (the labelled set of tests/data/discover, repeated)
  with data/discover-rules.yaml and prints candidates per second; a week brings about 100 to 300.
* **refresh --write**: round-trips every real entry file through the ruamel.yaml editor with nothing
  to apply, prints the time per file and how many came back changed (should be 0).
* **enrich**: counts the real catalog's GitHub repositories and Hugging Face models, and so the
  requests a run makes (GraphQL queries of up to 100 repositories, one Hub request per model, 0.5 s
  apart) and the least time the Hub's spacing takes.
* **arXiv**: the requests ``refresh`` makes (batches of 50 ids, 3 s apart).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import time
from pathlib import Path

import yaml

from dllm_atlas import arxiv, discover, enrich, refresh
from dllm_atlas.arxiv import ArxivRecord
from dllm_atlas.load import load_catalog

ROOT = Path(__file__).resolve().parents[1]


def score_rate(count: int) -> tuple[float, int]:
    rules = discover.load_rules(ROOT / "data" / "discover-rules.yaml")
    labelled = yaml.safe_load((ROOT / "tests" / "data" / "discover" / "candidates.yaml").read_text(encoding="utf-8"))
    records = [
        ArxivRecord(id=c["id"], title=c["title"], authors=[], published=dt.date(2026, 1, 1), summary=c["abstract"])
        for c in labelled
    ]
    batch = (records * (count // len(records) + 1))[:count]
    start = time.perf_counter()
    kept = sum(discover.score(r, rules).kept for r in batch)
    return count / (time.perf_counter() - start), kept


def round_trip() -> tuple[int, float, int]:
    files = sorted((ROOT / "catalog").glob("*/*.yaml"))
    changed = 0
    start = time.perf_counter()
    for path in files:
        text = path.read_text(encoding="utf-8")
        changed += refresh.edited_text(text, refresh.Change(path.stem, path, path.name, "")) != text
    return len(files), (time.perf_counter() - start) / len(files), changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=5000)
    args = parser.parse_args()
    rate, kept = score_rate(args.candidates)
    print(f"discover: {rate:,.0f} candidates scored per second ({kept} of {args.candidates} kept)")
    files, per_file, changed = round_trip()
    print(f"refresh --write: {files} files round-tripped, {per_file * 1000:.1f} ms per file, {changed} changed")
    catalog = load_catalog(ROOT / "catalog")
    repos, models = enrich.targets(catalog)
    queries = math.ceil(len(repos) / enrich.GITHUB_BATCH)
    print(
        f"enrich: {len(repos)} GitHub repositories in {queries} GraphQL queries; {len(models)} Hugging Face "
        f"models, {len(models)} requests, at least {max(0, len(models) - 1) * enrich.HF_INTERVAL:.0f} s of spacing"
    )
    papers = sum(1 for item in catalog.entries.values() if item.entry.arxiv)
    batches = math.ceil(papers / arxiv.BATCH_SIZE)
    print(
        f"refresh: {papers} arXiv ids in {batches} id_list queries, "
        f"at least {max(0, batches - 1) * arxiv.MIN_INTERVAL:.0f} s"
    )


if __name__ == "__main__":
    main()
