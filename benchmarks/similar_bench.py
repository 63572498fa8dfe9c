"""Time similar work (``dllm_atlas.similar.similar_entries``) on the real catalog and synthetic ones.

Usage: .venv/bin/python benchmarks/similar_bench.py [SIZE ...]   (default: 1000 3000)

Prints, per catalog size, the best of three wall times of computing every entry's five most
similar entries (loading and indexing excluded) and, for the real catalog, a few examples.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from synthetic import ROOT, synthetic_catalog

from dllm_atlas.check import load_and_check
from dllm_atlas.index import build_index
from dllm_atlas.similar import similar_entries


def timed(catalog_root: Path) -> tuple[int, float, dict[str, list[str]]]:
    catalog, problems = load_and_check(catalog_root)
    assert not problems, problems[:3]
    index = build_index(catalog)
    best, result = float("inf"), {}
    for _ in range(3):
        start = time.perf_counter()
        result = similar_entries(index)
        best = min(best, time.perf_counter() - start)
    return len(index.entries), best, result


def main(sizes: list[int]) -> None:
    n, seconds, result = timed(ROOT / "catalog")
    print(f"real catalog: {n} entries, {seconds:.3f} s")
    for example in ("llada", "mdlm", "dream-7b"):
        if example in result:
            print(f"  {example}: {', '.join(result[example])}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            n, seconds, _ = timed(synthetic_catalog(Path(tmp), size))
        print(f"synthetic: {n} entries, {seconds:.3f} s")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 3000])
