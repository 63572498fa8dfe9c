"""The explorer's speed at scale, in headless Chromium: first interactive view and re-renders.

Usage: .venv/bin/python benchmarks/explorer_speed.py [--size 3000] [--runs 7] [--site DIR]

Builds the site of a synthetic catalog (``benchmarks/synthetic.py``, as ``site_size.py`` does), or
takes an existing build with ``--site``, serves it on 127.0.0.1 and drives Debian's Chromium
(``/usr/bin/chromium``) through Playwright. Each run opens the explorer in a fresh browser context
(empty cache) and reads:

* **first view**: the ``atlas-explorer-ready`` performance mark, which the explorer sets once its
  data is fetched and parsed and the first results are in the page (ms since navigation start);
* **re-render**: for each kind of change (a select, a topic include, a sort, the grouped view,
  text), the time of the change handler (filter, sort, build the cards) and the time until the
  next frame has been laid out (the handler plus style and layout), measured in the page.

Prints the median of the runs for each, with the load average (the machine is shared). Requests
that leave 127.0.0.1 are counted and must be zero.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import statistics
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.site_size import build  # noqa: E402
from tests.browser.conftest import LAUNCH_ARGS, chromium_path  # noqa: E402

# One change of each kind, made in the page, timed there; each resets to the full list after.
CHANGE = """async (change) => {
  const form = document.getElementById("atlas-explorer");
  const set = (name, value) => {
    form.elements[name].value = value;
    form.elements[name].dispatchEvent(new Event("change", {bubbles: true}));
  };
  const act = {
    kind: () => set("kind", "paper"),
    topic: () => form.querySelector("button.atlas-topic[data-topic=masked-diffusion]").click(),
    sort: () => set("sort", "title"),
    view: () => form.querySelector("input[name=view][value=topics]").click(),
    text: () => set("text", "cache"),
  }[change];
  const start = performance.now();
  act();
  const handled = performance.now() - start;
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  const framed = performance.now() - start;
  form.elements.reset.click();
  // The next change starts from the full list, laid out.
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  return [handled, framed];
}"""
CHANGES = ("kind", "topic", "sort", "view", "text")


def serve(site_dir: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site_dir)))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def measure(site_dir: Path, runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise SystemExit("Chromium not found (apt-get install chromium)")
    server, base = serve(site_dir)
    first: list[float] = []
    changes: dict[str, list[tuple[float, float]]] = {name: [] for name in CHANGES}
    foreign: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.on(
                    "request",
                    lambda r: (
                        foreign.append(r.url)
                        if urlsplit(r.url).hostname not in (None, "127.0.0.1")
                        and not r.url.startswith(("data:", "blob:"))
                        else None
                    ),
                )
                page.goto(base + "explorer/")
                page.wait_for_selector("#atlas-results[data-ready]", timeout=30_000)
                first.append(page.evaluate("performance.getEntriesByName('atlas-explorer-ready')[0].startTime"))
                for name in CHANGES:
                    handled, framed = page.evaluate(CHANGE, name)
                    changes[name].append((handled, framed))
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return {"first": first, "changes": changes, "foreign": foreign}


def report(result: dict[str, Any], label: str) -> None:
    print(f"\n{label}; load average {os.getloadavg()[0]:.1f}\n")
    print("| measure | median ms | runs (ms) |\n|---|---|---|")
    first = result["first"]
    print(f"| first interactive view | {statistics.median(first):.0f} | {', '.join(f'{v:.0f}' for v in first)} |")
    for name, values in result["changes"].items():
        handled = [h for h, _ in values]
        framed = [f for _, f in values]
        print(
            f"| re-render after a {name} change: handler / to next frame | "
            f"{statistics.median(handled):.1f} / {statistics.median(framed):.1f} | "
            f"{', '.join(f'{f:.0f}' for f in framed)} |"
        )
    print(f"\nrequests off 127.0.0.1: {len(result['foreign'])}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--site", type=Path, help="measure this built site instead of building one")
    args = parser.parse_args()
    if args.site:
        report(measure(args.site, args.runs), str(args.site))
        return
    with tempfile.TemporaryDirectory() as tmp:
        site_dir = build(args.size, Path(tmp))
        report(measure(site_dir, args.runs), f"{args.size} entries, {args.runs} runs")


if __name__ == "__main__":
    main()
