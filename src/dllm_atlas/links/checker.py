"""Checking URLs: HEAD then GET, redirects by hand, retries, verdicts.

:class:`LinkChecker` checks each URL once, async and bounded (a global limit, and per host the
limits of :class:`~dllm_atlas.links.polite.HostGate`). A task waits for its host before it takes a
global slot, so one slow host never starves the others, and the work is ordered round-robin across
hosts (:func:`interleaved`): every host gets its first request early, so a rate-limited host's
pause starts early and overlaps the other hosts' work instead of coming at the end of a sorted run.

HEAD comes first; GET when HEAD is refused (405, 501) or lies (a 4xx that GET contradicts), and
from then on GET directly for every URL of that host. Requests go through
:class:`~dllm_atlas.links.guard.GuardedClient`, which keeps connections alive (a small body is
drained, a large or slow one is never read) and refuses private addresses. Redirects are followed
by hand up to :data:`MAX_REDIRECTS`, so the final target is reported and loops are caught. 5xx,
timeouts and resets are retried with exponential backoff; a 429 waits for ``Retry-After`` (capped)
and pauses the whole host meanwhile.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from .. import __version__
from ..retry import retry_after_seconds
from .guard import (
    BadURL,
    Broken,
    ConnectFailed,
    GuardedClient,
    RefusedAddress,
    Resolver,
    Timeout,
    TLSFailed,
    UnknownHost,
    system_resolve,
)
from .polite import Clock, HostGate, MonotonicClock
from .urls import Where

CLASSES = ("ok", "redirected", "broken", "blocked", "unreachable", "error")
MAX_REDIRECTS = 10
# HEAD answers that mean "this host does not do HEAD": later URLs of the host are fetched with GET.
HEAD_REFUSED = (405, 501)
USER_AGENT = f"Mozilla/5.0 (compatible; dllm-atlas-linkcheck/{__version__}; catalog of diffusion LM research)"


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
            "checked_at": dt.datetime.fromtimestamp(self.checked_at, dt.UTC).isoformat(timespec="seconds"),
            "cached": self.cached,
            "entries": [asdict(w) for w in entries],
        }


class _Retry(Exception):
    def __init__(self, reason: str, status: int | None = None, wait: float | None = None, klass: str = "error") -> None:
        super().__init__(reason)
        self.reason, self.status, self.wait = reason, status, wait
        self.klass = klass  # the verdict if every try fails this way


class _Verdict(Exception):
    def __init__(self, result: Result) -> None:
        super().__init__(result.error)
        self.result = result


def classify_status(status: int) -> str:
    if 200 <= status < 300:
        return "ok"
    if status in (404, 410):
        return "broken"
    if status in (401, 403, 429):
        return "blocked"
    return "error"


def _answers(status: int, headers: dict[str, str]) -> bool:
    """A status that needs no second opinion from GET: success, or a redirect that says where."""
    return 200 <= status < 300 or (300 <= status < 400 and "location" in headers)


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # e.g. an unclosed IPv6 bracket: the check says "invalid URL"
        return ""


def _scheme(url: str) -> str | None:
    try:
        return urlsplit(url).scheme
    except ValueError:
        return None


def interleaved(urls: Iterable[str]) -> list[str]:
    """``urls`` round-robin across hosts: the first URL of each host (hosts in order of first
    appearance), then the second of each, and so on; each host keeps its own order."""
    queues: dict[str, list[str]] = {}
    for url in urls:
        queues.setdefault(host_of(url), []).append(url)
    rounds = max((len(q) for q in queues.values()), default=0)
    return [q[n] for n in range(rounds) for q in queues.values() if n < len(q)]


class LinkChecker:
    def __init__(
        self,
        options: Options,
        *,
        resolve: Resolver = system_resolve,
        progress: Callable[[Result], None] | None = None,
        clock: Clock | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.options = options
        self.progress = progress
        self.clock = clock or MonotonicClock()
        self.client = GuardedClient(
            allow_private=options.allow_private,
            resolve=resolve,
            timeout=options.timeout,
            headers=[("User-Agent", USER_AGENT), ("Accept", "*/*"), ("Accept-Encoding", "gzip, deflate")],
            ssl_context=ssl_context,
        )
        self._gates: dict[str, HostGate] = {}
        self.head_refused: set[str] = set()  # hosts whose URLs are fetched with GET directly
        self._left: dict[str, int] = {}  # URLs of each host not checked yet

    def _gate(self, url: str) -> HostGate:
        host = host_of(url)
        if host not in self._gates:
            self._gates[host] = HostGate(self.options.host_concurrency, self.options.host_interval, self.clock)
        return self._gates[host]

    async def check_all(self, urls: Iterable[str]) -> list[Result]:
        """Check each URL (round-robin across hosts); the results in the order of ``urls``."""
        given = list(urls)
        self._global = asyncio.Semaphore(self.options.max_concurrency)
        for url in given:
            self._left[host_of(url)] = self._left.get(host_of(url), 0) + 1
        order = interleaved(given)
        try:
            done = dict(zip(order, await asyncio.gather(*(self._check(url) for url in order)), strict=True))
        finally:
            await self.client.aclose()
        return [done[url] for url in given]

    async def _check(self, url: str) -> Result:
        scheme = _scheme(url)
        if scheme is None:
            result = Result(url, "error", error="invalid URL: cannot be parsed")
        elif scheme not in ("http", "https"):
            result = Result(url, "error", error="only http(s) URLs are checked")
        else:
            result = await self._follow(url)
        result.checked_at = time.time()
        host = host_of(url)
        self._left[host] -= 1
        if not self._left[host]:
            await self.client.release(host)  # nothing more for this host: close its idle connections
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
            try:
                target = urljoin(current, location)
            except ValueError:
                return Result(url, "error", status, error=f"redirects to an invalid URL: {location[:200]}")
            if _scheme(target) not in ("http", "https"):
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
        delay, rate_limited, attempt = opts.backoff, 0, 0
        while True:
            try:
                return await self._once(url, gate)
            except _Retry as retry:
                if retry.status == 429:  # wait as told (or back off), pausing the whole host
                    rate_limited += 1
                    if rate_limited > opts.rate_limit_retries:
                        return Result(url, "blocked", 429, error="rate limited (429) on every try")
                    gate.pause(min(retry.wait if retry.wait is not None else delay, opts.max_retry_after))
                    delay *= 2
                    continue
                attempt += 1
                if attempt > opts.retries:
                    return Result(url, retry.klass, retry.status, error=retry.reason)
                await self.clock.sleep(delay)
                delay *= 2
            except _Verdict as verdict:
                return verdict.result

    async def _once(self, url: str, gate: HostGate) -> Result | tuple[int, str]:
        host = host_of(url)
        async with gate.slots:
            # Wait for the host's turn before taking a global slot: a paused host holds none.
            await gate.turn()
            async with self._global:
                if host in self.head_refused:
                    status, headers = await self._request("GET", url)
                else:
                    status, headers = await self._request("HEAD", url)
                    if status != 429 and not _answers(status, headers):
                        # HEAD refused, or lying: ask again with GET.
                        head_status = status
                        status, headers = await self._request("GET", url)
                        if head_status in HEAD_REFUSED or (
                            400 <= head_status < 500 and head_status != 429 and _answers(status, headers)
                        ):
                            self.head_refused.add(host)
        location = headers.get("location")
        if 300 <= status < 400 and location:
            return status, location
        if status == 429 or status >= 500:
            raise _Retry(f"HTTP {status}", status, retry_after_seconds(headers.get("retry-after")))
        klass = classify_status(status)
        return Result(url, klass, status, error=None if klass == "ok" else f"HTTP {status}")

    async def _request(self, method: str, url: str) -> tuple[int, dict[str, str]]:
        """Status and headers of one request (the client drains or abandons the body)."""
        try:
            return await self.client.fetch(method, url)
        except UnknownHost as exc:
            # Offline, every host is unknown too: a name that does not resolve is not proof of rot.
            raise _Verdict(Result(url, "unreachable", error=str(exc))) from None
        except RefusedAddress as exc:
            raise _Verdict(Result(url, "error", error=str(exc))) from None
        except Timeout:
            raise _Retry("timed out") from None
        except TLSFailed as exc:
            raise _Verdict(Result(url, "error", error=f"TLS: {exc}")) from None
        except ConnectFailed as exc:
            raise _Retry(f"connection failed: {exc}", klass="unreachable") from None
        except Broken as exc:
            raise _Retry(f"connection reset or broken: {exc}") from None
        except BadURL as exc:
            raise _Verdict(Result(url, "error", error=f"invalid URL: {exc}")) from None
