"""Live editing at scale: how long a one-entry edit takes to show in the browser under ``serve``.

Usage: .venv/bin/python benchmarks/live_edit.py [--size 3000] [--repeat 5]

Writes a synthetic catalog (benchmarks/synthetic.py) and a project around it, starts
``dllm-atlas serve`` on a free port of 127.0.0.1 and opens an entry page in headless Chromium (Debian's,
through Playwright). Then, ``--repeat`` times for each kind of edit, it rewrites the entry's YAML file
and times from just before the write until the open page — reloaded by MkDocs' live-reload script —
shows the new text:

* a summary edit (the entry's page, its neighbours' pages and the data files change);
* a title edit (the listings that show the entry change too: its topics, areas and the timeline).

Each edit starts once the server's log has been quiet for five seconds (the rebuilds the last
edit led to are done). Prints the first build's time and, per kind of edit, the median, the slowest
and every run. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import synthetic_catalog  # noqa: E402

from tests.browser.conftest import LAUNCH_ARGS, chromium_path  # noqa: E402
from tests.sitekit import project_copy  # noqa: E402

ENTRY = "sedd-copy2"  # a cloned entry with relations both ways
_SUMMARY = re.compile(r"^summary: >-\n(  .*\n)+", re.MULTILINE)
_TITLE = re.compile(r'^title: ".*"$', re.MULTILINE)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_served(url: str, seconds: float) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} was not served within {seconds:.0f} s")


def _wait_until_settled(log: Path, quiet: float = 5.0, longest: float = 120.0) -> None:
    """Until the server's log has not grown for ``quiet`` seconds: every edit starts from a server
    that has finished the rebuilds the last one led to (the pages left for a second rebuild, and
    similar work, which starts a second after a rebuild, takes 1–2.5 s at 3,000 entries, logs
    when it is done and asks for one more rebuild when it changed)."""
    start = time.perf_counter()
    size, since = -1, time.perf_counter()
    while time.perf_counter() - start < longest:
        now = log.stat().st_size
        if now != size:
            size, since = now, time.perf_counter()
        elif time.perf_counter() - since >= quiet:
            return
        time.sleep(0.1)


def _edit(path: Path, kind: str, marker: str) -> None:
    text = path.read_text(encoding="utf-8")
    if kind == "summary":
        text = _SUMMARY.sub(
            f"summary: >-\n  Edited live ({marker}): a summary long enough to validate.\n", text, count=1
        )
    else:
        text = _TITLE.sub(f'title: "Edited Live {marker}"', text, count=1)
    path.write_text(text, encoding="utf-8")


def measure(size: int, repeat: int, keep_log: bool = False) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise SystemExit("Chromium not found (apt-get install chromium)")
    results: dict[str, list[float]] = {"first build": [], "summary": [], "title": []}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        catalog = synthetic_catalog(work, size)
        config = project_copy(work / "project", catalog=catalog)
        entry_file = next(catalog.glob(f"*/{ENTRY}.yaml"))
        port = _free_port()
        url = f"http://127.0.0.1:{port}/dllm-atlas/entries/{ENTRY}/"
        log = open(work / "serve.log", "w", encoding="utf-8")  # noqa: SIM115 (closed below)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dllm_atlas",
                "serve",
                "--catalog",
                str(catalog),
                "--config-file",
                str(config),
                "--dev-addr",
                f"127.0.0.1:{port}",
            ],
            cwd=config.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        try:
            results["first build"].append(_wait_until_served(url, 600))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
                page = browser.new_page()
                page.goto(url)
                _wait_until_settled(work / "serve.log")
                for n in range(repeat):
                    for kind in ("summary", "title"):
                        marker = f"{kind}-{n}-{time.time_ns()}"
                        start = time.perf_counter()
                        _edit(entry_file, kind, marker)
                        page.wait_for_function(
                            "m => document.body && document.body.innerText.includes(m)",
                            arg=marker,
                            timeout=120_000,
                            polling=20,
                        )
                        results[kind].append(time.perf_counter() - start)
                        _wait_until_settled(work / "serve.log")
                browser.close()
        except BaseException:
            log.flush()
            print((work / "serve.log").read_text(encoding="utf-8")[-3000:], file=sys.stderr)
            raise
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
            if keep_log:
                print((work / "serve.log").read_text(encoding="utf-8"), file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--log", action="store_true", help="print the server's log (its rebuild times) to stderr")
    args = parser.parse_args()
    results = measure(args.size, args.repeat, args.log)
    print(f"| at {args.size:,} entries | median (s) | slowest (s) | every run (s) |")
    print("|---|---|---|---|")
    for name, times in results.items():
        every = ", ".join(f"{t:.2f}" for t in times)
        print(f"| {name} | {statistics.median(times):.2f} | {max(times):.2f} | {every} |")


if __name__ == "__main__":
    main()
