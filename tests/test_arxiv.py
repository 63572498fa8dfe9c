"""The arXiv client: id forms, batching, rate limiting, retries, malformed and error feeds.

Every test runs against httpx's MockTransport with Atom documents written here; none touches the
network. A fake clock records the sleeps, so spacing is checked without waiting for it.
"""

from __future__ import annotations

import datetime as dt
import http.server
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from dllm_atlas.arxiv import MIN_INTERVAL, USER_AGENT, ArxivClient, ArxivError, parse_feed


def entry(
    arxiv_id: str,
    title: str = "A Title",
    authors=("Ada One", "Bo Two"),
    published="2025-02-14T18:00:00Z",
    comment: str = "Accepted at NeurIPS 2025",
) -> str:
    names = "".join(f"<author><name>{a}</name></author>" for a in authors)
    return f"""<entry>
  <id>http://arxiv.org/abs/{arxiv_id}v2</id>
  <updated>2025-03-01T00:00:00Z</updated>
  <published>{published}</published>
  <title>{title}</title>
  <summary>Abstract text.</summary>
  {names}
  <arxiv:comment>{comment}</arxiv:comment>
  <link href="http://arxiv.org/abs/{arxiv_id}v2" rel="alternate" type="text/html"/>
  <arxiv:primary_category term="cs.CL"/>
</entry>"""


def feed(*entries: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
        "<title>ArXiv Query</title>" + "".join(entries) + "</feed>"
    )


@contextmanager
def arxiv_stand_in(known: dict[str, str], seen: list[str] | None = None) -> Iterator[str]:
    """A stand-in arXiv API on 127.0.0.1 answering for the ``known`` entries (id → Atom entry) and
    with a title-less entry for the rest, as arXiv does; each request's User-Agent goes to ``seen``.
    Yields the API URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            ids = parse_qs(urlsplit(self.path).query)["id_list"][0].split(",")
            if seen is not None:
                seen.append(self.headers.get("User-Agent", ""))
            body = feed(
                *(known[i] for i in ids if i in known),
                *("<entry><id>http://arxiv.org/api/x</id></entry>" for i in ids if i not in known),
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/atom+xml")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/query"
    finally:
        server.shutdown()


ERROR_FEED = feed(
    "<entry><id>http://arxiv.org/api/errors#x</id><title>Error</title><summary>incorrect id format</summary></entry>"
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_client(
    handler, clock: FakeClock | None = None, **kwargs
) -> tuple[ArxivClient, list[httpx.Request], FakeClock]:
    requests: list[httpx.Request] = []
    clock = clock or FakeClock()

    def record(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return handler(request, len(requests))

    client = ArxivClient(
        "http://api.test/query", transport=httpx.MockTransport(record), sleep=clock.sleep, clock=clock.clock, **kwargs
    )
    return client, requests, clock


def ids_of(request: httpx.Request) -> list[str]:
    return parse_qs(urlsplit(str(request.url)).query)["id_list"][0].split(",")


def test_parse_feed_reads_the_fields_we_need():
    (record,) = parse_feed(feed(entry("2502.09992", title="Large Language\n   Diffusion Models")))
    assert record.id == "2502.09992"
    assert record.title == "Large Language Diffusion Models"  # wrapped titles are joined
    assert record.authors == ["Ada One", "Bo Two"]
    assert record.published == dt.date(2025, 2, 14)
    assert record.primary_category == "cs.CL" and record.comment == "Accepted at NeurIPS 2025"


def test_fetch_batches_ids_and_always_sets_max_results():
    ids = [f"2501.{n:05d}" for n in range(60)]

    def handler(request, n):
        return httpx.Response(200, text=feed(*(entry(i) for i in ids_of(request))))

    client, requests, _ = make_client(handler)
    records = client.fetch(ids)
    assert len(records) == 60
    assert [len(ids_of(r)) for r in requests] == [50, 10]
    assert [parse_qs(urlsplit(str(r.url)).query)["max_results"] for r in requests] == [["50"], ["10"]]
    assert all(r.headers["User-Agent"] == USER_AGENT for r in requests)
    assert USER_AGENT.startswith("dllm-atlas/")


def test_requests_are_spaced_by_at_least_three_seconds():
    ids = [f"2501.{n:05d}" for n in range(120)]
    times: list[float] = []
    clock = FakeClock()

    def handler(request, n):
        times.append(clock.now)
        clock.now += 0.4  # the request itself takes a while
        return httpx.Response(200, text=feed(*(entry(i) for i in ids_of(request))))

    client, requests, _ = make_client(handler, clock)
    client.fetch(ids)
    assert len(requests) == 3
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= MIN_INTERVAL for gap in gaps), gaps
    assert clock.sleeps == pytest.approx([MIN_INTERVAL - 0.4] * 2)


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(503),
        httpx.Response(429),
        httpx.Response(200, text=feed()),  # arXiv's spurious empty feed
        httpx.Response(200, text=ERROR_FEED),
        httpx.Response(200, text="<feed><unclosed"),
    ],
    ids=["503", "429", "empty", "error-entry", "malformed"],
)
def test_soft_failures_are_retried_with_backoff(failure):
    def handler(request, n):
        return failure if n <= 2 else httpx.Response(200, text=feed(entry("2502.09992")))

    client, requests, clock = make_client(handler, backoff=2.0)
    records = client.fetch(["2502.09992"])
    assert list(records) == ["2502.09992"]
    assert len(requests) == 3
    # Backoff doubles (2 s, then 4 s); after the 2 s backoff, 1 s more keeps the 3 s spacing.
    assert clock.sleeps == [2.0, 1.0, 4.0]


def test_each_retry_is_announced_before_its_wait():
    def handler(request, n):
        return httpx.Response(503) if n <= 2 else httpx.Response(200, text=feed(entry("2502.09992")))

    heard: list[tuple[str, float, int, int]] = []
    client, _, clock = make_client(handler, backoff=2.0, on_retry=lambda *told: heard.append(told))
    client.min_interval = 0
    client.fetch(["2502.09992"])
    assert heard == [("HTTP 503", 2.0, 2, 5), ("HTTP 503", 4.0, 3, 5)]
    assert clock.sleeps == [2.0, 4.0]  # told before each wait, of the wait it then makes


def test_batches_are_yielded_as_answered_and_a_later_failure_keeps_the_earlier(monkeypatch):
    monkeypatch.setattr("dllm_atlas.arxiv.BATCH_SIZE", 1)

    def handler(request, n):
        return httpx.Response(200, text=feed(entry("2502.09992"))) if n == 1 else httpx.Response(400)

    client, _, _ = make_client(handler)
    batches = client.batches(["2502.09992", "2503.09573"])
    ids, records = next(batches)
    assert ids == ["2502.09992"] and list(records) == ["2502.09992"]
    with pytest.raises(ArxivError, match="answered HTTP 400"):
        next(batches)


def test_retry_after_is_honoured():
    def handler(request, n):
        return (
            httpx.Response(429, headers={"Retry-After": "17"})
            if n == 1
            else httpx.Response(200, text=feed(entry("2502.09992")))
        )

    client, _, clock = make_client(handler)
    client.fetch(["2502.09992"])
    assert clock.sleeps[0] == 17.0


def test_persistent_failure_gives_up_with_a_clear_message():
    client, requests, _ = make_client(lambda request, n: httpx.Response(200, text=ERROR_FEED), retries=2)
    with pytest.raises(
        ArxivError, match=r"arXiv answered with an error: incorrect id format \(gave up after 3 tries\)"
    ):
        client.fetch(["2502.09992"])
    assert len(requests) == 3


def test_no_network_is_a_clear_error():
    def handler(request, n):
        raise httpx.ConnectError("Name or service not known", request=request)

    client, requests, _ = make_client(handler)
    with pytest.raises(ArxivError, match=r"cannot reach the arXiv API at http://api\.test/query .*--api-url"):
        client.fetch(["2502.09992"])
    assert len(requests) == 1


def test_unknown_ids_are_absent_not_retried():
    def handler(request, n):
        return httpx.Response(200, text=feed(entry("2502.09992"), "<entry><id>http://arxiv.org/api/x</id></entry>"))

    client, requests, _ = make_client(handler)
    assert list(client.fetch(["2502.09992", "2502.99999"])) == ["2502.09992"]
    assert len(requests) == 1
