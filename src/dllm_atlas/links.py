"""Link health: check every URL of the catalog, fast and politely.

``dllm-atlas check-links [--format text|json|markdown] [--cache FILE] [--max-age 1d] [--allow-private]``

How a URL is checked (:class:`LinkChecker`):

* **Once**, however many entries share it; every finding names each entry file and field.
* **Async and bounded**: a global limit on requests in flight, a per-host limit, and a minimum
  interval between two request starts to the same host. A task waits for its host before it takes
  a global slot, so one slow host never starves the others.
* **HEAD first, GET when HEAD is refused or lies** (any answer but 2xx/3xx), reading headers only:
  a slow or endless body costs nothing.
* **Redirects followed** by hand, at most :data:`MAX_REDIRECTS`, so the final target is reported and
  loops are caught.
* **Retries**: 5xx, timeouts and connection resets are retried with exponential backoff; 429 waits
  for ``Retry-After`` (capped) and pauses the whole host meanwhile.
* **Only http(s)**, and never to loopback, private, link-local or otherwise reserved addresses,
  checked on the address actually connected after DNS resolution (so a name that resolves to
  127.0.0.1 is refused too), unless ``--allow-private``.

Verdicts (:data:`CLASSES`): ``ok``; ``redirected`` (works, but the catalog should carry the target);
``broken`` (404, 410, unknown host); ``blocked`` (401, 403, persistent 429: not a verdict of death);
``error`` (timeouts, TLS, resets, loops, other statuses). Only ``broken`` makes the command exit 1.

Results can be cached in a JSON file with their time; a re-run within ``--max-age`` reuses them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import re
import socket
import ssl
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterable, TextIO
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from . import __version__
from .fsutil import write_atomic

CLASSES = ("ok", "redirected", "broken", "blocked", "error")
MAX_REDIRECTS = 10
USER_AGENT = f"Mozilla/5.0 (compatible; dllm-atlas-linkcheck/{__version__}; catalog of diffusion LM research)"
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True)
class Where:
    """An entry field that holds a URL."""

    file: str
    field: str
    line: int


@dataclass
class Options:
    max_concurrency: int = 64
    host_concurrency: int = 8
    host_interval: float = 0.05
    timeout: float = 20.0
    retries: int = 2
    backoff: float = 0.5
    max_retry_after: float = 60.0
    rate_limit_retries: int = 3
    allow_private: bool = False


@dataclass
class Result:
    url: str
    klass: str
    status: int | None = None
    target: str | None = None
    error: str | None = None
    checked_at: float = 0.0
    cached: bool = False

    def record(self, entries: list[Where]) -> dict[str, Any]:
        return {
            "url": self.url,
            "class": self.klass,
            "status": self.status,
            "target": self.target,
            "error": self.error,
            "checked_at": dt.datetime.fromtimestamp(self.checked_at, dt.timezone.utc).isoformat(timespec="seconds"),
            "cached": self.cached,
            "entries": [asdict(w) for w in entries],
        }


def parse_duration(text: str) -> float:
    """'90s', '30m', '12h', '1d', '2w' → seconds."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"not a duration: {text!r} (write e.g. 30m, 12h, 1d, 2w)")
    return float(match.group(1)) * _UNITS[match.group(2)]


def collect_urls(entries: Iterable[Any]) -> dict[str, list[Where]]:
    """Every URL of the catalog with the entry fields that hold it (loaded entries from load.py)."""
    found: dict[str, list[Where]] = defaultdict(list)
    for item in entries:
        for name, url in item.entry.links.items_present():
            line, _ = item.where("links", name)
            found[url].append(Where(item.display_path, f"links.{name}", line))
    return dict(sorted(found.items()))


# --- refusing private addresses, on the address actually connected ---------------------------

def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
                or ip.is_unspecified)


Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve names ourselves, refuse non-public addresses, connect to the address we checked."""

    def __init__(self, allow_private: bool, resolve: Resolver = system_resolve) -> None:
        self.allow_private, self.resolve = allow_private, resolve
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # type: ignore[no-untyped-def]
        try:
            addresses = await self.resolve(host, port)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"unknown host {host}: {exc.strerror}") from None
        if not addresses:
            raise httpcore.ConnectError(f"unknown host {host}")
        if not self.allow_private:
            refused = [a for a in addresses if not is_public(a)]
            if refused:
                raise httpcore.ConnectError(
                    f"{host} resolves to non-public address {refused[0]}; refused (use --allow-private)"
                )
        return await self._inner.connect_tcp(addresses[0], port, timeout, local_address, socket_options)

    async def connect_unix_socket(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise httpcore.ConnectError("unix sockets are not checked")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool that uses :class:`GuardedBackend`."""

    def __init__(self, backend: GuardedBackend, limits: httpx.Limits) -> None:
        super().__init__(limits=limits)
        # httpx does not take a network backend; its pool (httpcore's public API) does.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl.create_default_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


# --- politeness ----------------------------------------------------------------------------------

class HostGate:
    """At most N requests in flight to one host, starts spaced, and a shared pause after a 429."""

    def __init__(self, concurrency: int, interval: float) -> None:
        self.slots = asyncio.Semaphore(concurrency)
        self.interval = interval
        self.next_start = 0.0
        self.paused_until = 0.0
        self.lock = asyncio.Lock()

    async def turn(self) -> None:
        async with self.lock:
            now = time.monotonic()
            start = max(now, self.next_start, self.paused_until)
            self.next_start = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)


class _Retry(Exception):
    def __init__(self, reason: str, status: int | None = None, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.status, self.wait = reason, status, wait


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = dt.datetime.strptime(value, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=dt.timezone.utc)
        except ValueError:
            return None
        return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


def classify_status(status: int) -> str:
    if 200 <= status < 300:
        return "ok"
    if status in (404, 410):
        return "broken"
    if status in (401, 403, 429):
        return "blocked"
    return "error"


class LinkChecker:
    def __init__(
        self,
        options: Options,
        *,
        resolve: Resolver = system_resolve,
        transport: httpx.AsyncBaseTransport | None = None,
        progress: Callable[[Result], None] | None = None,
    ) -> None:
        self.options = options
        self.progress = progress
        self._transport = transport or GuardedTransport(
            GuardedBackend(options.allow_private, resolve),
            httpx.Limits(max_connections=options.max_concurrency, max_keepalive_connections=options.max_concurrency),
        )
        self._gates: dict[str, HostGate] = {}

    def _gate(self, url: str) -> HostGate:
        host = (urlsplit(url).hostname or "").lower()
        if host not in self._gates:
            self._gates[host] = HostGate(self.options.host_concurrency, self.options.host_interval)
        return self._gates[host]

    async def check_all(self, urls: Iterable[str]) -> list[Result]:
        timeout = httpx.Timeout(self.options.timeout)
        headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
        self._global = asyncio.Semaphore(self.options.max_concurrency)
        async with httpx.AsyncClient(transport=self._transport, timeout=timeout, headers=headers,
                                     follow_redirects=False) as client:
            self._client = client
            return list(await asyncio.gather(*(self._check(url) for url in urls)))

    async def _check(self, url: str) -> Result:
        if urlsplit(url).scheme not in ("http", "https"):
            result = Result(url, "error", error="only http(s) URLs are checked")
        else:
            result = await self._follow(url)
        result.checked_at = time.time()
        if self.progress:
            self.progress(result)
        return result

    async def _follow(self, url: str) -> Result:
        seen = [url]
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            outcome = await self._fetch(current)
            if isinstance(outcome, Result):
                outcome.url = url
                if outcome.klass == "ok" and current != url:
                    outcome.klass, outcome.target = "redirected", current
                return outcome
            status, location = outcome
            target = urljoin(current, location)
            if urlsplit(target).scheme not in ("http", "https"):
                return Result(url, "error", status, error=f"redirects to a non-http URL: {target[:200]}")
            if target in seen:
                return Result(url, "error", status, target=target, error="redirect loop")
            seen.append(target)
            current = target
        return Result(url, "error", error=f"more than {MAX_REDIRECTS} redirects", target=current)

    async def _fetch(self, url: str) -> Result | tuple[int, str]:
        """One URL without following redirects: a verdict, or (status, Location) of a redirect."""
        opts = self.options
        gate = self._gate(url)
        delay, rate_limited = opts.backoff, 0
        attempt = 0
        while True:
            try:
                return await self._once(url, gate)
            except _Retry as retry:
                if retry.status == 429:  # wait as told (or back off), pausing the whole host
                    rate_limited += 1
                    if rate_limited > opts.rate_limit_retries:
                        return Result(url, "blocked", 429, error="rate limited (429) on every try")
                    wait = min(retry.wait if retry.wait is not None else delay, opts.max_retry_after)
                    gate.pause(wait)
                    delay *= 2
                    continue
                attempt += 1
                if attempt > opts.retries:
                    return Result(url, "error", retry.status, error=retry.reason)
                await asyncio.sleep(delay)
                delay *= 2
            except _Verdict as verdict:
                return verdict.result

    async def _once(self, url: str, gate: HostGate) -> Result | tuple[int, str]:
        async with gate.slots:
            # Wait for the host's turn before taking a global slot: a paused host holds none.
            await gate.turn()
            async with self._global:
                status, headers = await self._request("HEAD", url)
                if status != 429 and not (200 <= status < 300 or (300 <= status < 400 and "location" in headers)):
                    # HEAD refused, or lying: ask again with GET (headers only).
                    status, headers = await self._request("GET", url)
        location = headers.get("location")
        if 300 <= status < 400 and location:
            return status, location
        if status == 429 or status >= 500:
            raise _Retry(f"HTTP {status}", status, _retry_after(headers.get("retry-after")))
        klass = classify_status(status)
        return Result(url, klass, status, error=None if klass == "ok" else f"HTTP {status}")

    async def _request(self, method: str, url: str) -> tuple[int, httpx.Headers]:
        """Status and headers of one request. Never reads the body."""
        try:
            async with self._client.stream(method, url) as response:
                return response.status_code, response.headers
        except httpx.ConnectError as exc:
            message = str(exc)
            if message.startswith("unknown host"):
                raise _Verdict(Result(url, "broken", error=message)) from None
            if "refused (use --allow-private)" in message:
                raise _Verdict(Result(url, "error", error=message)) from None
            if "CERTIFICATE" in message.upper() or "SSL" in message.upper():
                raise _Verdict(Result(url, "error", error=f"TLS: {message}")) from None
            raise _Retry(f"connection failed: {message or exc.__class__.__name__}") from None
        except httpx.TimeoutException:
            raise _Retry("timed out") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise _Retry(f"connection reset or broken: {exc.__class__.__name__}") from None
        except httpx.InvalidURL as exc:
            raise _Verdict(Result(url, "error", error=f"invalid URL: {exc}")) from None


class _Verdict(Exception):
    def __init__(self, result: Result) -> None:
        super().__init__(result.error)
        self.result = result


# --- cache ---------------------------------------------------------------------------------------

def load_cache(path: Path | None) -> dict[str, Result]:
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            url: Result(url, r["class"], r.get("status"), r.get("target"), r.get("error"), float(r["checked_at"]), True)
            for url, r in data.get("results", {}).items()
            if r.get("class") in CLASSES
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # a damaged cache is only a slower run


def save_cache(path: Path, results: Iterable[Result]) -> None:
    data = {
        "version": 1,
        "results": {
            r.url: {"class": r.klass, "status": r.status, "target": r.target, "error": r.error, "checked_at": r.checked_at}
            for r in sorted(results, key=lambda r: r.url)
        },
    }
    write_atomic(path, json.dumps(data, indent=1, sort_keys=True) + "\n")


# --- running -------------------------------------------------------------------------------------

class Progress:
    """A bar on a terminal, a plain line every 10% elsewhere (CI logs)."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.stream, self.done = total, stream, 0
        self.tty = stream.isatty()
        self.next_mark = 0.1

    def __call__(self, result: Result) -> None:
        self.done += 1
        fraction = self.done / max(self.total, 1)
        if self.tty:
            bar = "#" * int(fraction * 30)
            self.stream.write(f"\r[{bar:<30}] {self.done}/{self.total}")
            if self.done == self.total:
                self.stream.write("\n")
            self.stream.flush()
        elif fraction >= self.next_mark or self.done == self.total:
            self.stream.write(f"checked {self.done}/{self.total} URLs\n")
            self.next_mark = fraction + 0.1


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
    if cache_path is not None:
        save_cache(cache_path, {**cached, **results}.values())
    return [results[u] for u in urls]


def report_records(results: list[Result], urls: dict[str, list[Where]]) -> list[dict[str, Any]]:
    return [r.record(urls[r.url]) for r in results]


def exit_code(results: Iterable[Result]) -> int:
    return 1 if any(r.klass == "broken" for r in results) else 0


def text_lines(results: list[Result], urls: dict[str, list[Where]]) -> list[str]:
    """One line per problem and place: file:line: field: class (detail) url."""
    lines = []
    for r in results:
        if r.klass == "ok":
            continue
        detail = f"{r.status}" if r.status else ""
        if r.error and not (r.status and r.error == f"HTTP {r.status}"):
            detail = f"{detail} {r.error}".strip()
        if r.klass == "redirected":
            detail = f"now at {r.target}"
        for where in urls[r.url]:
            lines.append(f"{where.file}:{where.line}:3: {where.field}: {r.klass} ({detail}) {r.url}")
    return lines


def summary_counts(results: Iterable[Result]) -> dict[str, int]:
    counts = {k: 0 for k in CLASSES}
    for r in results:
        counts[r.klass] += 1
    return counts


def print_summary(results: list[Result], stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    counts = summary_counts(results)
    cached = sum(r.cached for r in results)
    parts = ", ".join(f"{n} {k}" for k, n in counts.items())
    stream.write(f"{len(results)} URLs: {parts} ({cached} from cache)\n")
