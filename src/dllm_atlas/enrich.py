"""Enrich: stars, last push and archived state of the catalog's code, downloads and likes of its models.

``dllm-atlas enrich [-o data/activity.json]`` runs :func:`enrich`:

* every GitHub code link (``links.code``) is read through GitHub's GraphQL API, up to
  :data:`GITHUB_BATCH` repositories per query (aliases ``r0`` … ``r99``; owner and name passed as
  GraphQL *variables*, never spliced into the query text), with the token from ``GITHUB_TOKEN``;
* every Hugging Face model link (``links.huggingface``, not datasets, spaces or collections) through
  the Hub's public API, ``/api/models/<org>/<name>``, one request per :data:`HF_INTERVAL` seconds.

Rate limits are waited out when the wait is short: ``Retry-After``, or GitHub's
``x-ratelimit-reset`` with ``x-ratelimit-remaining: 0``, or a GraphQL ``RATE_LIMITED`` error, each
at most :data:`MAX_WAIT` seconds, a few times; a longer limit, a refused token or the network
failing raises :class:`EnrichError`. The caller writes the file (:func:`dllm_atlas.activity.dump`)
only when everything was read, so a failed run leaves the previous file as it was. A repository
or model that no longer exists is left out and listed in :attr:`EnrichResult.missing`.

The clock and the sleep are injectable, and the transport too, so tests run on httpx's
MockTransport with a fake clock.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from . import __version__
from .activity import ActivityData, HubModel, Repository, github_key, huggingface_key
from .load import Catalog
from .retry import retry_after_seconds

GITHUB_GRAPHQL = "https://api.github.com/graphql"
HF_API = "https://huggingface.co/api/models"
GITHUB_BATCH = 100  # GitHub's limit of nodes per connection; also what one query costs 1 point for
HF_INTERVAL = 0.5
MAX_WAIT = 300.0
TRIES = 4
TIMEOUT = 30.0
USER_AGENT = f"dllm-atlas/{__version__} (catalog of diffusion language model research; dllm-atlas enrich)"


class EnrichError(Exception):
    """Activity could not be read; the message says why and what to try."""


def _json(response: httpx.Response, service: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise EnrichError(f"{service}'s answer is not JSON") from None


@dataclass
class EnrichResult:
    data: ActivityData
    missing: list[str] = field(default_factory=list)  # "github:owner/name" or "huggingface:org/name"
    requests: int = 0


def targets(catalog: Catalog) -> tuple[list[str], list[str]]:
    """The GitHub repositories and Hugging Face models the catalog links to, as sorted keys."""
    repos, models = set(), set()
    for item in catalog.entries.values():
        links = item.entry.links
        if links.code and (key := github_key(str(links.code))):
            repos.add(key)
        if links.huggingface and (key := huggingface_key(str(links.huggingface))):
            models.add(key)
    return sorted(repos), sorted(models)


def graphql_query(batch: list[str]) -> tuple[str, dict[str, str]]:
    """One query for up to 100 repositories, and its variables."""
    params = ", ".join(f"$o{n}: String!, $n{n}: String!" for n in range(len(batch)))
    fields = " ".join(
        f"r{n}: repository(owner: $o{n}, name: $n{n}) {{ stargazerCount pushedAt isArchived }}"
        for n in range(len(batch))
    )
    variables: dict[str, str] = {}
    for n, key in enumerate(batch):
        variables[f"o{n}"], variables[f"n{n}"] = key.split("/", 1)
    return f"query({params}) {{ rateLimit {{ remaining resetAt }} {fields} }}", variables


class _Wait(Exception):
    def __init__(self, reason: str, seconds: float | None) -> None:
        super().__init__(reason)
        self.reason, self.seconds = reason, seconds


class Enricher:
    """The two APIs' client: one :class:`httpx.Client`, an injectable clock and sleep."""

    def __init__(
        self,
        token: str,
        *,
        github_url: str = GITHUB_GRAPHQL,
        hf_url: str = HF_API,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        on_wait: Callable[[str, float], None] | None = None,
    ) -> None:
        self.github_url, self.hf_url = github_url, hf_url.rstrip("/")
        self.sleep, self.clock, self.on_wait = sleep, clock, on_wait
        self.requests = 0
        self._token = token
        self._last_hf: float | None = None
        self._http = httpx.Client(transport=transport, timeout=TIMEOUT, headers={"User-Agent": USER_AGENT})

    def __enter__(self) -> Enricher:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def _send(self, what: str, request: Callable[[], httpx.Response], check: Callable[[httpx.Response], Any]) -> Any:
        """Send, waiting out short rate limits; ``check`` raises _Wait for a limit read in the body."""
        for attempt in range(TRIES):
            self.requests += 1
            try:
                response = request()
            except httpx.TransportError as exc:
                raise EnrichError(f"cannot reach {what} ({exc.__class__.__name__}: {exc}); check the network") from None
            try:
                return check(response)
            except _Wait as wait:
                seconds = wait.seconds if wait.seconds is not None else 2.0 ** (attempt + 2)
                if seconds > MAX_WAIT or attempt == TRIES - 1:
                    raise EnrichError(
                        f"{what}: {wait.reason}; waited {attempt} time(s), the limit lifts in {seconds:.0f} s: "
                        "run again later"
                    ) from None
                if self.on_wait is not None:
                    self.on_wait(f"{what}: {wait.reason}", seconds)
                self.sleep(seconds)
        raise AssertionError("unreachable")

    def _limit(self, response: httpx.Response) -> float | None:
        """Seconds until a GitHub rate limit lifts, from its headers; None if it says nothing."""
        after = retry_after_seconds(response.headers.get("Retry-After"))
        if after is not None:
            return after
        if response.headers.get("x-ratelimit-remaining") == "0":
            try:
                return max(0.0, float(response.headers.get("x-ratelimit-reset", "")) - self.clock())
            except ValueError:
                return None
        return None

    def _github_answer(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code == 401:
            raise EnrichError("GitHub refused the token (HTTP 401): check GITHUB_TOKEN")
        if response.status_code in (403, 429):
            wait = self._limit(response)
            if wait is not None or response.status_code == 429:
                raise _Wait(f"rate limited (HTTP {response.status_code})", wait)
            raise EnrichError(f"GitHub answered HTTP {response.status_code}: {response.text[:200]}")
        if response.status_code >= 500:
            raise _Wait(f"HTTP {response.status_code}", retry_after_seconds(response.headers.get("Retry-After")))
        if response.status_code != 200:
            raise EnrichError(f"GitHub answered HTTP {response.status_code}: {response.text[:200]}")
        body = _json(response, "GitHub")
        errors = body.get("errors") or []
        if any(e.get("type") == "RATE_LIMITED" for e in errors):
            raise _Wait("rate limited (GraphQL RATE_LIMITED)", self._limit(response))
        other = [e for e in errors if e.get("type") != "NOT_FOUND"]
        if other or not isinstance(body.get("data"), dict):
            message = "; ".join(str(e.get("message", e)) for e in other) or "no data in the answer"
            raise EnrichError(f"GitHub GraphQL: {message[:300]}")
        return body["data"]  # type: ignore[no-any-return]

    def github(self, keys: list[str], result: EnrichResult) -> dict[str, Repository]:
        found: dict[str, Repository] = {}
        for start in range(0, len(keys), GITHUB_BATCH):
            batch = keys[start : start + GITHUB_BATCH]
            query, variables = graphql_query(batch)
            data = self._send(
                f"GitHub's GraphQL API at {self.github_url}",
                lambda q=query, v=variables: self._http.post(  # type: ignore[misc]
                    self.github_url,
                    json={"query": q, "variables": v},
                    headers={"Authorization": f"bearer {self._token}"},
                ),
                self._github_answer,
            )
            for n, key in enumerate(batch):
                node = data.get(f"r{n}")
                if not node:
                    result.missing.append(f"github:{key}")
                    continue
                pushed = node.get("pushedAt")
                found[key] = Repository(
                    stars=int(node["stargazerCount"]),
                    pushed=dt.datetime.fromisoformat(pushed.replace("Z", "+00:00")).date() if pushed else None,
                    archived=bool(node.get("isArchived")),
                )
        return found

    def _hf_answer(self, response: httpx.Response) -> dict[str, Any] | None:
        if response.status_code in (401, 404):  # gone, or gated and private: nothing public to show
            return None
        if response.status_code == 429 or response.status_code >= 500:
            raise _Wait(f"HTTP {response.status_code}", retry_after_seconds(response.headers.get("Retry-After")))
        if response.status_code != 200:
            raise EnrichError(f"Hugging Face answered HTTP {response.status_code}")
        body = _json(response, "Hugging Face")
        return body if isinstance(body, dict) else None

    def _hf_turn(self) -> None:
        if self._last_hf is not None:
            remaining = HF_INTERVAL - (self.clock() - self._last_hf)
            if remaining > 0:
                self.sleep(remaining)
        self._last_hf = self.clock()

    def huggingface(self, keys: Iterable[str], result: EnrichResult) -> dict[str, HubModel]:
        found: dict[str, HubModel] = {}
        for key in keys:
            url = f"{self.hf_url}/{key}"

            def get(u: str = url) -> httpx.Response:
                self._hf_turn()
                return self._http.get(u)

            body = self._send(f"Hugging Face's API at {self.hf_url}", get, self._hf_answer)
            if body is None:
                result.missing.append(f"huggingface:{key}")
                continue
            found[key] = HubModel(downloads=int(body.get("downloads") or 0), likes=int(body.get("likes") or 0))
        return found


def enrich(catalog: Catalog, client: Enricher, today: dt.date) -> EnrichResult:
    """Read every repository and model the catalog links to; raises :class:`EnrichError`."""
    repos, models = targets(catalog)
    result = EnrichResult(ActivityData(taken=today))
    github = client.github(repos, result)
    hub = client.huggingface(models, result)
    result.data = ActivityData(taken=today, github=github, huggingface=hub)
    result.requests = client.requests
    return result
