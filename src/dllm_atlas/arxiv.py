"""A polite arXiv API client: ids in, metadata out.

Used by ``dllm-atlas add``. What it promises:

* **Ids in any usual form** — ``arxiv:2502.09992``, ``2502.09992v3``, ``https://arxiv.org/abs/…``,
  ``…/pdf/…``, ``…/html/…`` and old-style ``cs/0112017`` — are reduced to the canonical id
  (:func:`dllm_atlas.arxivid.canonical_id`).
* **Batched**: one ``id_list`` query per :data:`BATCH_SIZE` ids, always with ``max_results`` set
  (the API's default of 10 silently drops the rest).
* **Rate limited**: at most one request every :data:`MIN_INTERVAL` seconds, one at a time, with a
  descriptive User-Agent, as arXiv's API terms ask.
* **Searches paged**: :meth:`ArxivClient.search` runs a ``search_query`` newest first, page by
  page (``start``/``max_results``), until an empty page or ``opensearch:totalResults``.
* **Batches as they come**: :meth:`ArxivClient.batches` yields each answered batch, so a caller
  keeps what it has when a later batch fails.
* **Retried**: HTTP 429 and 5xx, timeouts, and the API's two soft failures — an empty feed where
  entries were expected, and a feed whose only entry is titled "Error" — are retried with
  exponential backoff (``Retry-After`` honoured). What still fails raises :class:`ArxivError` with a
  message fit for a terminal. An ``on_retry`` callback hears of each retry before its wait.

The clock and the sleep are injectable, so tests check the spacing without waiting for it.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

import httpx

from . import __version__
from .arxivid import API_URL, find_in_url
from .retry import retry_after_seconds

__all__ = ["ArxivClient", "ArxivError", "ArxivRecord", "SearchPage", "parse_feed", "parse_page"]

USER_AGENT = f"dllm-atlas/{__version__} (catalog of diffusion language model research; dllm-atlas add)"
BATCH_SIZE = 50
PAGE_SIZE = 100  # search results per request; arXiv asks for slices of at most 2,000
MIN_INTERVAL = 3.0
RETRIES = 4
BACKOFF = 3.0
MAX_RETRY_AFTER = 120.0
TIMEOUT = 30.0

_T = TypeVar("_T")

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


class ArxivError(Exception):
    """The API could not give an answer; the message says why and what to try."""


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.wait = reason, wait


@dataclass(frozen=True)
class ArxivRecord:
    id: str
    title: str
    authors: list[str]
    published: dt.date
    updated: dt.date | None = None
    summary: str = ""
    primary_category: str | None = None
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    links: dict[str, str] = field(default_factory=dict)
    categories: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SearchPage:
    """One answered page of a search: ``opensearch:totalResults`` and this page's records."""

    total: int
    start: int
    records: list[ArxivRecord]


def _text(element: ET.Element | None) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def _date(value: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _records(root: ET.Element) -> list[ArxivRecord]:
    """The feed's entries as records; raises _Retry for an "Error" entry. An id arXiv does not know
    comes back as an entry without a title: skipped."""
    records = []
    for entry in root.findall(f"{_ATOM}entry"):
        title = _text(entry.find(f"{_ATOM}title"))
        raw_id = _text(entry.find(f"{_ATOM}id"))
        if title == "Error":
            raise _Retry(f"arXiv answered with an error: {_text(entry.find(f'{_ATOM}summary')) or raw_id}")
        record_id = find_in_url(raw_id)
        published = _date(_text(entry.find(f"{_ATOM}published")))
        if not record_id or not title or published is None:
            continue
        links = {
            (link.get("title") or link.get("rel") or ""): link.get("href", "") for link in entry.findall(f"{_ATOM}link")
        }
        category = entry.find(f"{_ARXIV}primary_category")
        records.append(
            ArxivRecord(
                id=record_id,
                title=title,
                authors=[_text(a.find(f"{_ATOM}name")) for a in entry.findall(f"{_ATOM}author")],
                published=published,
                updated=_date(_text(entry.find(f"{_ATOM}updated"))),
                summary=_text(entry.find(f"{_ATOM}summary")),
                primary_category=category.get("term") if category is not None else None,
                comment=_text(entry.find(f"{_ARXIV}comment")) or None,
                journal_ref=_text(entry.find(f"{_ARXIV}journal_ref")) or None,
                doi=_text(entry.find(f"{_ARXIV}doi")) or None,
                links=links,
                categories=[c.get("term", "") for c in entry.findall(f"{_ATOM}category")],
            )
        )
    return records


def _root(xml_text: str) -> ET.Element:
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        raise _Retry(f"malformed feed ({exc})") from None
    if root.tag != f"{_ATOM}feed":
        raise _Retry("the answer is not an Atom feed")
    return root


def parse_feed(xml_text: str) -> list[ArxivRecord]:
    """Records from an ``id_list`` feed; raises _Retry for the soft failures (empty, "Error", garbage)."""
    root = _root(xml_text)
    if not root.findall(f"{_ATOM}entry"):
        raise _Retry("the feed came back empty")
    return _records(root)


def _parse_page_at(xml_text: str, *, start: int) -> SearchPage:
    return parse_page(xml_text, start)


def parse_page(xml_text: str, start: int) -> SearchPage:
    """One page of a ``search_query`` feed. An empty page past ``opensearch:totalResults`` is the
    end of the results; an empty page before it is arXiv's soft failure, retried (_Retry)."""
    root = _root(xml_text)
    total_text = _text(root.find(f"{_OPENSEARCH}totalResults"))
    try:
        total = int(total_text)
    except ValueError:
        raise _Retry("the feed has no opensearch:totalResults") from None
    records = _records(root)
    if not root.findall(f"{_ATOM}entry") and start < total:
        raise _Retry(f"the feed came back empty at {start} of {total} results")
    return SearchPage(total=total, start=start, records=records)


class ArxivClient:
    """Fetch metadata for arXiv ids, politely. Use as a context manager or call :meth:`close`."""

    def __init__(
        self,
        api_url: str = API_URL,
        *,
        transport: httpx.BaseTransport | None = None,
        min_interval: float = MIN_INTERVAL,
        retries: int = RETRIES,
        backoff: float = BACKOFF,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_retry: Callable[[str, float, int, int], None] | None = None,
    ) -> None:
        self.api_url = api_url
        # Told (reason, seconds to wait, try about to be made, tries in all) before each wait.
        self.on_retry = on_retry
        self.min_interval, self.retries, self.backoff = min_interval, retries, backoff
        self.sleep, self.clock = sleep, clock
        self._last: float | None = None
        self.requests = 0
        self._http = httpx.Client(
            transport=transport, timeout=TIMEOUT, headers={"User-Agent": USER_AGENT}, follow_redirects=True
        )

    def __enter__(self) -> ArxivClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def fetch(self, ids: Iterable[str]) -> dict[str, ArxivRecord]:
        """Records by canonical id; ids arXiv does not know are absent from the result."""
        found: dict[str, ArxivRecord] = {}
        for _, records in self.batches(ids):
            found.update(records)
        return found

    def batches(self, ids: Iterable[str]) -> Iterator[tuple[list[str], dict[str, ArxivRecord]]]:
        """Each batch of ids with its records, as soon as it is answered, so a caller can write what
        it has before a later batch fails (that batch raises :class:`ArxivError`)."""
        wanted = list(dict.fromkeys(ids))
        for start in range(0, len(wanted), BATCH_SIZE):
            batch = wanted[start : start + BATCH_SIZE]
            yield batch, {record.id: record for record in self._query(batch) if record.id in batch}

    def _wait_turn(self) -> None:
        if self._last is not None:
            remaining = self.min_interval - (self.clock() - self._last)
            if remaining > 0:
                self.sleep(remaining)
        self._last = self.clock()

    def search(self, query: str, page_size: int = PAGE_SIZE, max_results: int = 5000) -> Iterator[SearchPage]:
        """Pages of a ``search_query``, newest submission first, until the results run out (an empty
        page, or ``opensearch:totalResults`` reached) or ``max_results``. The caller stops early by
        leaving the loop (``discover`` stops at its ``--since`` date); a failing page raises
        :class:`ArxivError` after the pages before it were yielded."""
        start = 0
        while start < max_results:
            params = {
                "search_query": query,
                "sortBy": "submittedDate",
                "sortOrder": "descending",
                "start": str(start),
                "max_results": str(page_size),
            }
            page = self._request(params, functools.partial(_parse_page_at, start=start))
            yield page
            if not page.records or start + page_size >= page.total:
                return
            start += page_size

    def _query(self, batch: list[str]) -> list[ArxivRecord]:
        params = {"id_list": ",".join(batch), "max_results": str(len(batch)), "start": "0"}
        return self._request(params, parse_feed)

    def _request(self, params: dict[str, str], parse: Callable[[str], _T]) -> _T:
        delay = self.backoff
        for attempt in range(self.retries + 1):
            self._wait_turn()
            self.requests += 1
            try:
                return parse(self._attempt(params))
            except _Retry as retry:
                if attempt == self.retries:
                    raise ArxivError(
                        f"arXiv API at {self.api_url}: {retry.reason} (gave up after {attempt + 1} tries)"
                    ) from None
                wait = min(retry.wait if retry.wait is not None else delay, MAX_RETRY_AFTER)
                if self.on_retry is not None:
                    self.on_retry(retry.reason, wait, attempt + 2, self.retries + 1)
                self.sleep(wait)
                delay *= 2
        raise AssertionError("unreachable")

    def _attempt(self, params: dict[str, str]) -> str:
        try:
            response = self._http.get(self.api_url, params=params)
        except httpx.TimeoutException:
            raise _Retry("the request timed out") from None
        except httpx.TransportError as exc:
            raise ArxivError(
                f"cannot reach the arXiv API at {self.api_url} ({exc.__class__.__name__}: {exc}); "
                "check the network, or point --api-url at a mirror"
            ) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise _Retry(f"HTTP {response.status_code}", retry_after_seconds(response.headers.get("Retry-After")))
        if response.status_code != 200:
            raise ArxivError(f"arXiv API at {self.api_url} answered HTTP {response.status_code}")
        return response.text
