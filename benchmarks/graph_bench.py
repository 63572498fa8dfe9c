"""Time the build-time drawings and similar work on the real catalog and synthetic ones.

Usage: .venv/bin/python benchmarks/graph_bench.py [SIZE ...]   (default: 1000 3000)

For each catalog, the best of three wall times (loading and indexing excluded) of:
``similar.similar_entries`` (every entry's five most similar), ``graph.map_layout`` (the overview
map), every entry's ``graph.neighbourhood`` and the map's SVG (``templates/site/map.svg.j2``), with
the map's size in bytes and nodes per lane band. For the real catalog, a few entries' similar work.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synthetic import ROOT, synthetic_catalog

from dllm_atlas import graph, site
from dllm_atlas.check import load_and_check
from dllm_atlas.index import Index, build_index
from dllm_atlas.render import environment
from dllm_atlas.similar import similar_entries


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def measure(index: Index) -> dict[str, Any]:
    env = environment()
    similar_s, similar = best_of(lambda: similar_entries(index))
    layout_s, layout = best_of(lambda: graph.map_layout(index))
    hoods_s, hoods = best_of(lambda: [graph.neighbourhood(index, i.id) for i in index.entries])
    svg_s, svg = best_of(
        lambda: env.get_template("site/map.svg.j2").render(layout=layout, prefix="../", palette=site.PALETTE)
    )
    return {
        "entries": len(index.entries),
        "similar_s": similar_s,
        "layout_s": layout_s,
        "hoods_s": hoods_s,
        "svg_s": svg_s,
        "svg_bytes": len(svg.encode()),
        "map": f"{layout.width:.0f} x {layout.height:.0f} px",
        "drawn_hoods": sum(1 for h in hoods if h is not None),
        "largest_hood": max((len(h.nodes) for h in hoods if h), default=0),
        "similar": similar,
    }


def report(name: str, m: dict[str, Any]) -> None:
    print(
        f"{name}: {m['entries']} entries; similar {m['similar_s']:.2f} s; map layout {m['layout_s']:.2f} s, "
        f"SVG {m['svg_s']:.2f} s, {m['svg_bytes']:,} B, {m['map']}; neighbourhoods {m['hoods_s']:.2f} s "
        f"({m['drawn_hoods']} drawn, at most {m['largest_hood']} nodes)"
    )


def main(sizes: list[int]) -> None:
    catalog, problems = load_and_check(ROOT / "catalog")
    assert not problems, problems[:3]
    real = measure(build_index(catalog))
    report("real", real)
    for example in ("llada", "mdlm", "dream-7b"):
        if example in real["similar"]:
            print(f"  similar to {example}: {', '.join(real['similar'][example])}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            catalog, problems = load_and_check(synthetic_catalog(Path(tmp), size))
            assert not problems, problems[:3]
            report("synthetic", measure(build_index(catalog)))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 3000])
