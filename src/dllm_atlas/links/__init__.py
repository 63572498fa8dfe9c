"""Link health: check every URL of the catalog, fast and politely.

``dllm-atlas check-links [--format text|json|markdown] [--cache FILE] [--max-age 1d] [--allow-private]``

How a URL is checked:

* **Once**, however many entries share it; every finding names each entry file, line and field
  (:mod:`.urls`).
* **Async and bounded**: a global limit on requests in flight, a per-host limit, and a minimum
  interval between two request starts to the same host (:mod:`.polite`).
* **HEAD first, GET when HEAD is refused or lies** (and GET only, from then on, for a host that
  refused HEAD), the hosts taken round-robin; **redirects** followed by hand so the final target
  is reported and loops are caught; **retries** for 5xx, timeouts and resets, and ``Retry-After``
  honoured on 429 (:mod:`.checker`).
* **Kept-alive connections**, over a small HTTP/1.1 client of our own: headers are what counts, a
  small body is drained so the connection serves the next request, a large or slow one is never
  read (:mod:`.guard`).
* **Only http(s)**, and never to loopback, private, link-local or otherwise reserved addresses,
  checked on the address actually connected after DNS resolution (:mod:`.guard`).

Verdicts (:data:`CLASSES`): ``ok``; ``redirected`` (works, but the catalog should carry the target);
``broken`` (404, 410); ``blocked`` (401, 403, persistent 429: not a verdict of death);
``unreachable`` (the name did not resolve or the connection failed, on every try); ``error``
(timeouts, TLS, resets, loops, other statuses). Only ``broken`` makes the command exit 1. When most
hosts of a run are unreachable, the network is down, not the links: the command says so, exits 3
and reports nothing as broken; those results are not cached.

Results can be cached in a JSON file with their time; a re-run within ``--max-age`` reuses them
(:mod:`.cache`). Reports: :mod:`.report`.

In code: ``results = run(collect_urls(index.entries), Options())``.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TextIO

from .cache import load_cache, parse_duration, save_cache
from .checker import CLASSES, LinkChecker, Options, Result
from .guard import Resolver, system_resolve
from .polite import Clock
from .report import Progress, network_down
from .urls import Where, collect_urls

__all__ = [
    "CLASSES",
    "Clock",
    "LinkChecker",
    "Options",
    "Progress",
    "Result",
    "Where",
    "collect_urls",
    "parse_duration",
    "run",
]


def run(
    urls: dict[str, list[Where]],
    options: Options,
    cache_path: Path | None = None,
    max_age: float = 86400.0,
    progress_stream: TextIO | None = None,
    resolve: Resolver = system_resolve,
) -> list[Result]:
    """Check ``urls`` (skipping fresh cache hits); save the cache; results in URL order."""
    cached = load_cache(cache_path)
    now = time.time()
    fresh = {u: r for u, r in cached.items() if u in urls and now - r.checked_at <= max_age}
    todo = [u for u in urls if u not in fresh]
    progress = Progress(len(todo), progress_stream) if progress_stream is not None and todo else None
    checked = asyncio.run(LinkChecker(options, resolve=resolve, progress=progress).check_all(todo)) if todo else []
    results = {**fresh, **{r.url: r for r in checked}}
    if cache_path is not None and network_down(checked) is None:  # an outage must not be remembered
        save_cache(cache_path, {**cached, **results}.values())
    return [results[u] for u in urls]
