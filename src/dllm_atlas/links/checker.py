"""Checking URLs: HEAD then GET, redirects by hand, retries, verdicts.

:class:`LinkChecker` checks each URL once, async and bounded (a global limit, and per host the
limits of :class:`~dllm_atlas.links.polite.HostGate`). A task waits for its host before it takes a
global slot, so one slow host never starves the others. HEAD comes first; GET (headers only, the
body is never read) when HEAD is refused or lies. Redirects are followed by hand up to
:data:`MAX_REDIRECTS`, so the final target is reported and loops are caught. 5xx, timeouts and
resets are retried with exponential backoff; a 429 waits for ``Retry-After`` (capped) and pauses the
whole host meanwhile.
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

import httpx

from .. import __version__
from ..retry import retry_after_seconds
from .guard import GuardedBackend, GuardedTransport, RefusedAddress, Resolver, UnknownHost, system_resolve
from .polite import Clock, HostGate, MonotonicClock
from .urls import Where

CLASSES = ("ok", "redirected", "broken", "blocked", "unreachable", "error")
MAX_REDIRECTS = 10
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


def _caused_by(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


class LinkChecker:
    def __init__(
        self,
        options: Options,
        *,
        resolve: Resolver = system_resolve,
        transport: httpx.AsyncBaseTransport | None = None,
        progress: Callable[[Result], None] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.options = options
        self.progress = progress
        self.clock = clock or MonotonicClock()
        self._transport = transport or GuardedTransport(
            GuardedBackend(options.allow_private, resolve),
            httpx.Limits(max_connections=options.max_concurrency, max_keepalive_connections=options.max_concurrency),
        )
        self._gates: dict[str, HostGate] = {}

    def _gate(self, url: str) -> HostGate:
        host = (urlsplit(url).hostname or "").lower()
        if host not in self._gates:
            self._gates[host] = HostGate(self.options.host_concurrency, self.options.host_interval, self.clock)
        return self._gates[host]

    async def check_all(self, urls: Iterable[str]) -> list[Result]:
        timeout = httpx.Timeout(self.options.timeout)
        headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
        self._global = asyncio.Semaphore(self.options.max_concurrency)
        async with httpx.AsyncClient(
            transport=self._transport, timeout=timeout, headers=headers, follow_redirects=False
        ) as client:
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
            raise _Retry(f"HTTP {status}", status, retry_after_seconds(headers.get("retry-after")))
        klass = classify_status(status)
        return Result(url, klass, status, error=None if klass == "ok" else f"HTTP {status}")

    async def _request(self, method: str, url: str) -> tuple[int, httpx.Headers]:
        """Status and headers of one request. Never reads the body."""
        try:
            async with self._client.stream(method, url) as response:
                return response.status_code, response.headers
        except UnknownHost as exc:
            # Offline, every host is unknown too: a name that does not resolve is not proof of rot.
            raise _Verdict(Result(url, "unreachable", error=str(exc))) from None
        except RefusedAddress as exc:
            raise _Verdict(Result(url, "error", error=str(exc))) from None
        except httpx.TimeoutException:
            raise _Retry("timed out") from None
        except httpx.ConnectError as exc:
            tls = _caused_by(exc, ssl.SSLError)
            if tls is not None:
                raise _Verdict(Result(url, "error", error=f"TLS: {tls}")) from None
            raise _Retry(f"connection failed: {exc or exc.__class__.__name__}", klass="unreachable") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise _Retry(f"connection reset or broken: {exc.__class__.__name__}") from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise _Verdict(Result(url, "error", error=f"invalid URL: {exc}")) from None
