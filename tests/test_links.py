"""The link checker against scripted local servers: classes, retries, politeness, cache, guard."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest

from dllm_atlas.links import LinkChecker, Options, Where, collect_urls, parse_duration, run
from dllm_atlas.links.polite import HostGate, MonotonicClock

from .conftest import GOOD_PAPER
from .linkserver import FaultServer

FAST = {"allow_private": True, "timeout": 0.5, "backoff": 0.05, "host_interval": 0.0, "retries": 2}


class FakeClock:
    """Virtual time: ``sleep`` records the wait and moves the clock on at once."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.t += seconds
        await asyncio.sleep(0)


def check(urls, resolve=None, clock=None, **options):
    opts = Options(**{**FAST, **options})
    kwargs = {"resolve": resolve} if resolve else {}
    results = asyncio.run(LinkChecker(opts, clock=clock or FakeClock(), **kwargs).check_all(urls))
    return {r.url: r for r in results}


@pytest.fixture
def server():
    with FaultServer("127.0.0.2") as srv:
        yield srv


def test_classes_for_plain_answers(server):
    b = server.base
    results = check([f"{b}/ok/1", f"{b}/gone/1", f"{b}/gone410/1", f"{b}/forbidden/1", f"{b}/redirect/x"])
    assert {u: (r.klass, r.status) for u, r in results.items()} == {
        f"{b}/ok/1": ("ok", 200),
        f"{b}/gone/1": ("broken", 404),
        f"{b}/gone410/1": ("broken", 410),
        f"{b}/forbidden/1": ("blocked", 403),
        f"{b}/redirect/x": ("redirected", 200),
    }
    assert results[f"{b}/redirect/x"].target == f"{b}/ok/x"


def test_head_refused_or_lying_falls_back_to_get(server):
    b = server.base
    results = check([f"{b}/head405/1", f"{b}/headlies/1"])
    assert results[f"{b}/head405/1"].klass == "ok" and results[f"{b}/headlies/1"].klass == "ok"
    assert [(m, p) for _, m, p in server.methods if p == "/head405/1"] == [
        ("HEAD", "/head405/1"),
        ("GET", "/head405/1"),
    ]


def test_head_is_skipped_for_a_host_once_it_refused_head(server):
    # One request at a time, so the order is fixed: after the first 405, the host gets GET only.
    b = server.base
    check([f"{b}/head405/1", f"{b}/head405/2", f"{b}/ok/3"], host_concurrency=1)
    assert [(m, p) for _, m, p in server.methods] == [
        ("HEAD", "/head405/1"),
        ("GET", "/head405/1"),
        ("GET", "/head405/2"),
        ("GET", "/ok/3"),
    ]


def test_head_is_skipped_for_a_host_once_its_head_lied():
    with FaultServer("127.0.0.8") as srv:
        b = srv.base
        results = check([f"{b}/headlies/1", f"{b}/headlies/2", f"{b}/gone/3"], host_concurrency=1)
        assert [r.klass for r in results.values()] == ["ok", "ok", "broken"]
        assert [(m, p) for _, m, p in srv.methods] == [
            ("HEAD", "/headlies/1"),
            ("GET", "/headlies/1"),
            ("GET", "/headlies/2"),
            ("GET", "/gone/3"),
        ]


def test_an_honest_head_404_keeps_head_for_the_host(server):
    # HEAD 404 confirmed by GET 404 is HEAD telling the truth: the next URL still starts with HEAD.
    b = server.base
    results = check([f"{b}/gone/1", f"{b}/ok/2"], host_concurrency=1)
    assert [r.klass for r in results.values()] == ["broken", "ok"]
    assert [(m, p) for _, m, p in server.methods] == [("HEAD", "/gone/1"), ("GET", "/gone/1"), ("HEAD", "/ok/2")]


def test_connections_are_reused():
    # 40 URLs on one host, HEAD and GET (with small bodies) mixed: the connections the server
    # accepted never exceed the per-host bound, where closing each response unread made 60.
    with FaultServer("127.0.0.9") as srv:
        b = srv.base
        urls = [f"{b}/ok/{n}" for n in range(20)] + [f"{b}/gone/{n}" for n in range(10)]
        urls += [f"{b}/page/{n}" for n in range(10)]
        results = check(urls, host_concurrency=3)
        assert sum(srv.hits.values()) >= 20 + 2 * 10 + 10  # HEAD for /ok/, HEAD and GET for /gone/, …
        assert sum(r.klass == "ok" for r in results.values()) == 30
        assert 1 <= srv.connections <= 3


def test_a_large_body_is_not_read_and_its_connection_is_dropped(server):
    # slowbody declares 100 MB: far above DRAIN_BYTES, so the checker closes instead of reading.
    from dllm_atlas.links.guard import DRAIN_BYTES

    assert DRAIN_BYTES < 100_000_000
    results = check([f"{server.base}/slowbody/2", f"{server.base}/ok/after"], host_concurrency=1, timeout=120)
    assert [r.klass for r in results.values()] == ["ok", "ok"]
    # HEAD (405) and GET on one connection; the GET's body abandoned with it; /ok/after on a new one.
    assert [(m, p) for _, m, p in server.methods] == [
        ("HEAD", "/slowbody/2"),
        ("GET", "/slowbody/2"),
        ("GET", "/ok/after"),
    ]
    assert server.connections == 2


def test_a_kept_alive_connection_the_server_closed_is_replaced_not_an_error(server):
    # The server drops the connection after /dropafter/1 without saying so: the next request finds
    # it closed (or fails on it at once) and goes out on a fresh connection, without a retry's wait.
    clock = FakeClock()
    results = check([f"{server.base}/dropafter/1", f"{server.base}/ok/2"], host_concurrency=1, clock=clock)
    assert [r.klass for r in results.values()] == ["ok", "ok"]
    assert server.hits["/ok/2"] == 1 and server.connections == 2 and clock.sleeps == []


def test_urls_that_cannot_be_requested_are_invalid_not_retried():
    async def never(host, port):
        raise AssertionError(f"resolved {host}")

    results = check(["http://example.test:99999/x", "http:///nohost", "http://[::1/x"], resolve=never)
    assert {r.klass for r in results.values()} == {"error"}
    assert all(r.error.startswith("invalid URL: ") for r in results.values()), results


def test_a_path_with_non_ascii_characters_is_sent_percent_encoded(server):
    (result,) = check([f"{server.base}/ok/caf\u00e9 au lait"]).values()
    assert result.klass == "ok" and server.hits["/ok/caf%C3%A9%20au%20lait"] == 1


def test_hosts_are_interleaved_round_robin():
    from dllm_atlas.links.checker import interleaved

    urls = ["http://a.test/1", "http://a.test/2", "http://a.test/3", "http://B.test/1", "http://c.test/1"]
    urls.append("http://c.test/2")
    assert interleaved(urls) == [
        "http://a.test/1",
        "http://B.test/1",
        "http://c.test/1",
        "http://a.test/2",
        "http://c.test/2",
        "http://a.test/3",
    ]
    assert interleaved([]) == []


def test_sorted_urls_are_requested_round_robin_across_hosts():
    # One request at a time overall: the servers see the hosts alternate, not one host's URLs and
    # then the other's, so a rate-limited host meets its first 429 in the first round. Results come
    # back in the order asked.
    with FaultServer("127.0.0.5") as one, FaultServer("127.0.0.6") as two:
        urls = [f"{one.base}/ok/{n}" for n in range(3)] + [f"{two.base}/limit/5/{n}" for n in range(3)]
        clock = FakeClock()
        results = asyncio.run(LinkChecker(Options(**FAST, max_concurrency=1), clock=clock).check_all(urls))
        assert [r.url for r in results] == urls and all(r.klass == "ok" for r in results)
        seen = sorted([(t, f"one{p}") for t, _, p in one.methods] + [(t, f"two{p}") for t, _, p in two.methods])
        assert [name for _, name in seen[:4]] == ["one/ok/0", "two/limit/5/0", "one/ok/1", "two/limit/5/1"]
        assert 5.0 in clock.sleeps  # the rate-limited host's pause, asked for in the first round


def test_no_import_fails_while_checking(server):
    # httpcore's async locks imported sniffio each time one was set up, and without sniffio every
    # one was a failed import (a search of the whole sys.path: 14,762 in one benchmark run). The
    # checker's own client imports nothing as it goes. A finder last on sys.meta_path is asked only
    # about modules no other finder found.
    import sys

    check([f"{server.base}/ok/warm-up"])  # modules imported on first use load here

    class Failed:
        def __init__(self):
            self.names = []

        def find_spec(self, name, path=None, target=None):
            self.names.append(name)

    failed = Failed()
    sys.meta_path.append(failed)
    try:
        check([f"{server.base}/ok/{n}" for n in range(10)] + [f"{server.base}/gone/1", f"{server.base}/page/1"])
    finally:
        sys.meta_path.remove(failed)
    assert failed.names == []


def test_plain_ok_needs_only_head(server):
    check([f"{server.base}/ok/only-head"])
    assert [m for _, m, p in server.methods if p == "/ok/only-head"] == ["HEAD"]


def test_redirect_loop_is_an_error_not_a_hang(server):
    (result,) = check([f"{server.base}/loop/a"]).values()
    assert (result.klass, result.error) == ("error", "redirect loop")


def test_server_errors_are_retried_with_backoff(server):
    clock = FakeClock()
    (result,) = check([f"{server.base}/flaky/1"], clock=clock, backoff=0.5).values()
    assert result.klass == "ok"
    assert server.hits["/flaky/1"] == 3
    assert clock.sleeps == [0.5]  # HEAD and GET fail, one backoff, then HEAD succeeds


def test_persistent_server_errors_end_as_error(server):
    clock = FakeClock()
    (result,) = check([f"{server.base}/flaky/2"], retries=0, clock=clock).values()
    assert (result.klass, result.status, result.error) == ("error", 500, "HTTP 500")


def test_retry_after_is_honoured(server):
    clock = FakeClock()
    (result,) = check([f"{server.base}/limit/7/a"], clock=clock).values()
    assert result.klass == "ok"
    assert server.hits["/limit/7/a"] == 2
    assert clock.sleeps == [7.0]  # the host paused for exactly what Retry-After asked


def test_retry_after_is_capped(server):
    clock = FakeClock()
    (result,) = check([f"{server.base}/limit/3600/a"], clock=clock, max_retry_after=30.0).values()
    assert result.klass == "ok" and clock.sleeps == [30.0]


def test_429_without_retry_after_backs_off_then_succeeds(server):
    clock = FakeClock()
    (result,) = check([f"{server.base}/limitnohdr/1"], clock=clock, backoff=0.5).values()
    assert result.klass == "ok" and clock.sleeps == [0.5, 1.0]
    assert server.hits["/limitnohdr/1"] == 3
    assert all(m == "HEAD" for _, m, p in server.methods if p == "/limitnohdr/1")  # no GET after a 429


def test_a_429_storm_is_blocked_not_broken(server):
    (result,) = check([f"{server.base}/storm/1"], rate_limit_retries=2).values()
    assert (result.klass, result.status) == ("blocked", 429)
    assert server.hits["/storm/1"] == 3


def test_hang_times_out_as_error(server):
    (result,) = check([f"{server.base}/hang/1"], retries=1).values()
    assert (result.klass, result.error) == ("error", "timed out")
    assert server.hits["/hang/1"] == 2


def test_connection_reset_is_an_error(server):
    (result,) = check([f"{server.base}/reset/1"], retries=1).values()
    assert result.klass == "error" and "connection" in result.error


def test_a_slow_body_is_never_read(server):
    # The body never ends: a checker that read it would wait for the server's 60 s cap.
    (result,) = check([f"{server.base}/slowbody/1"], timeout=120).values()
    assert result.klass == "ok" and result.status == 200
    assert server.body_abandoned.wait(30)  # the client hung up mid-body (the server notices on its next write)


def test_per_host_bound_is_kept():
    with FaultServer("127.0.0.3", latency=(0.05, 0.1)) as srv:
        urls = [f"{srv.base}/ok/{n}" for n in range(40)]
        results = check(urls, host_concurrency=3, max_concurrency=50)
        assert all(r.klass == "ok" for r in results.values())
        assert srv.max_in_flight == 3


class FrozenClock(FakeClock):
    """Time stands still: every waiter asks at the same instant."""

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        await asyncio.sleep(0)


def test_host_gate_spaces_starts_of_simultaneous_requests():
    clock = FrozenClock()

    async def six_at_once() -> None:
        gate = HostGate(concurrency=8, interval=0.2, clock=clock)
        await asyncio.gather(*(gate.turn() for _ in range(6)))

    asyncio.run(six_at_once())
    assert clock.sleeps == [0.2, 0.4, 0.6, 0.8, 1.0]  # the first starts at once


def test_host_gate_pause_holds_every_later_request():
    clock = FakeClock()

    async def paused() -> None:
        gate = HostGate(concurrency=8, interval=0.0, clock=clock)
        gate.pause(5.0)
        gate.pause(2.0)  # a shorter pause never shortens a longer one
        await gate.turn()
        await gate.turn()  # the pause is over by then

    asyncio.run(paused())
    assert clock.sleeps == [5.0]


def test_spacing_holds_end_to_end():
    # Loose on purpose: on a busy machine requests arrive late, never early, so the span of six
    # starts 0.2 s apart is at least half its scheduled 1.0 s (it is about 0 without spacing).
    with FaultServer("127.0.0.4") as srv:
        check([f"{srv.base}/ok/{n}" for n in range(6)], host_concurrency=6, host_interval=0.2, clock=MonotonicClock())
        starts = sorted(t for t, _, _ in srv.methods)
        assert len(starts) == 6 and starts[-1] - starts[0] >= 0.5, starts


def test_hosts_are_checked_in_parallel_each_with_its_bound():
    with FaultServer("127.0.0.5", latency=(0.05, 0.05)) as one, FaultServer("127.0.0.6", latency=(0.05, 0.05)) as two:
        urls = [f"{s.base}/ok/{n}" for s in (one, two) for n in range(20)]
        check(urls, host_concurrency=2, max_concurrency=10)
        assert one.max_in_flight == 2 and two.max_in_flight == 2


def test_an_unknown_host_is_unreachable_not_broken():
    # Offline, every host is "unknown" too (errno EAI_NONAME as well): no verdict of rot from DNS alone.
    async def nowhere(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    (result,) = check(["https://no-such-host.invalid/x"], resolve=nowhere).values()
    assert result.klass == "unreachable" and result.error.startswith("unknown host no-such-host.invalid")


def test_a_refused_connection_is_unreachable_after_its_retries():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def to_loopback(host, port):
        return ["127.0.0.1"]

    (result,) = check([f"http://closed.example.test:{port}/x"], resolve=to_loopback, allow_private=True).values()
    assert result.klass == "unreachable" and result.error.startswith("connection failed")


def test_private_addresses_are_refused_unless_allowed(server):
    async def to_loopback(host, port):
        return ["127.0.0.2"]

    url = f"http://docs.example.test:{server.port}/ok/1"
    (result,) = check([url], resolve=to_loopback, allow_private=False).values()
    assert result.klass == "error" and "resolves to non-public address 127.0.0.2" in result.error
    (direct,) = check([f"{server.base}/ok/2"], allow_private=False).values()
    assert direct.klass == "error" and "refused (use --allow-private)" in direct.error
    for blocked in ("http://169.254.169.254/latest/meta-data", "http://10.0.0.1/", "http://[::1]/"):
        (r,) = check([blocked], allow_private=False).values()
        assert r.klass == "error" and "non-public address" in r.error, blocked
    assert server.hits["/ok/1"] == 0 and server.hits["/ok/2"] == 0
    (allowed,) = check([url], resolve=to_loopback, allow_private=True).values()
    assert allowed.klass == "ok"


def test_only_http_urls_are_fetched():
    (result,) = check(["ftp://example.org/file"]).values()
    assert (result.klass, result.error) == ("error", "only http(s) URLs are checked")


def test_cache_skips_fresh_results_and_rechecks_stale_ones(server, tmp_path):
    cache = tmp_path / "links.json"
    urls = {f"{server.base}/ok/c": [Where("a.yaml", "links.code", 3)]}
    opts = Options(**FAST)
    (first,) = run(urls, opts, cache, max_age=3600)
    assert not first.cached and server.hits["/ok/c"] == 1
    (second,) = run(urls, opts, cache, max_age=3600)
    assert second.cached and second.klass == "ok" and server.hits["/ok/c"] == 1
    (third,) = run(urls, opts, cache, max_age=0)
    assert not third.cached and server.hits["/ok/c"] == 2
    data = json.loads(cache.read_text())
    assert data["results"][f"{server.base}/ok/c"]["class"] == "ok"


def test_damaged_cache_is_ignored(server, tmp_path):
    cache = tmp_path / "links.json"
    cache.write_text("{not json")
    (result,) = run({f"{server.base}/ok/d": []}, Options(**FAST), cache)
    assert result.klass == "ok"


@pytest.mark.parametrize("text, seconds", [("90s", 90), ("30m", 1800), ("12h", 43200), ("1d", 86400), ("2w", 1209600)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


def _catalog_with_links(catalog, base):
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("https://github.com/kuleshov-group/mdlm", f"{base}/gone/mdlm"))
    catalog.write(
        "models/llada.yaml",
        (catalog.root / "models" / "llada.yaml")
        .read_text()
        .replace("https://arxiv.org/abs/2502.09992", "https://arxiv.org/abs/2502.09992")
        .replace(
            "links:\n  paper: https://arxiv.org/abs/2502.09992",
            f"links:\n  paper: https://arxiv.org/abs/2502.09992\n  code: {base}/gone/mdlm\n  demo: {base}/redirect/demo",
        ),
    )


def test_cli_names_every_entry_and_field_and_checks_shared_urls_once(catalog, cli, server, monkeypatch):
    _catalog_with_links(catalog, server.base)
    # Keep the arXiv links off the network: only our server's URLs are real here.
    import dllm_atlas.links as links_module

    original = links_module.collect_urls
    monkeypatch.setattr(
        links_module,
        "collect_urls",
        lambda entries: {u: w for u, w in original(entries).items() if u.startswith(server.base)},
    )
    result = cli("check-links", "--allow-private", "--timeout", "2")
    assert result.code == 1
    assert f"catalog/papers/mdlm.yaml:9:3: links.code: broken (404) {server.base}/gone/mdlm" in result.out
    assert f"catalog/models/llada.yaml:8:3: links.code: broken (404) {server.base}/gone/mdlm" in result.out
    assert (
        f"catalog/models/llada.yaml:9:3: links.demo: redirected (now at {server.base}/ok/demo) {server.base}/redirect/demo"
        in result.out
    )
    assert server.hits["/gone/mdlm"] == 2  # one HEAD, one GET: the shared URL is checked once
    assert "2 URLs: 0 ok, 1 redirected, 1 broken, 0 blocked, 0 unreachable, 0 error" in result.err

    report = json.loads(cli("check-links", "--allow-private", "--format", "json").out)
    gone = next(r for r in report if r["url"].endswith("/gone/mdlm"))
    assert (gone["class"], gone["status"]) == ("broken", 404)
    assert {(e["file"], e["field"]) for e in gone["entries"]} == {
        ("catalog/papers/mdlm.yaml", "links.code"),
        ("catalog/models/llada.yaml", "links.code"),
    }

    markdown = cli("check-links", "--allow-private", "--format", "markdown").out
    assert "### Broken (1)" in markdown and "### Moved (1)" in markdown
    assert f"| {server.base}/gone/mdlm | 404 |" in markdown.replace("\\_", "_")


def test_cli_exits_0_when_nothing_is_broken(catalog, cli, server, monkeypatch):
    import dllm_atlas.links as links_module

    monkeypatch.setattr(
        links_module,
        "collect_urls",
        lambda entries: {f"{server.base}/forbidden/x": [Where("catalog/papers/mdlm.yaml", "links.code", 9, 3)]},
    )
    result = cli("check-links", "--allow-private")
    assert result.code == 0
    assert "catalog/papers/mdlm.yaml:9:3: links.code: blocked (403)" in result.out


def test_collect_urls_maps_each_url_to_its_places(catalog):
    from dllm_atlas.load import load_catalog

    urls = collect_urls(load_catalog(catalog.root).entries.values())
    assert urls["https://github.com/kuleshov-group/mdlm"] == [Where("catalog/papers/mdlm.yaml", "links.code", 9, 3)]
    assert len(urls["https://arxiv.org/abs/2406.07524"]) == 1


def test_progress_is_plain_lines_off_a_terminal_and_a_bar_on_one():
    import io

    from dllm_atlas.links import Progress, Result

    plain = io.StringIO()
    progress = Progress(20, plain)
    for n in range(20):
        progress(Result(f"u{n}", "ok"))
    lines = plain.getvalue().splitlines()
    assert lines[0] == "checked 2/20 URLs" and lines[-1] == "checked 20/20 URLs" and len(lines) == 10

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    bar = Progress(4, tty)
    for n in range(4):
        bar(Result(f"u{n}", "ok"))
    assert tty.getvalue().count("\r") == 4 and tty.getvalue().endswith("] 4/4\n")


class _TLSServer:
    """A FaultServer behind TLS, with a certificate for its address from a private CA."""

    def __init__(self, address: str):
        import ssl

        import trustme

        self.ca = trustme.CA()  # certifi's roots do not include it
        self.fault = FaultServer(address)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ca.issue_cert(address).configure_cert(context)
        self.fault.server.socket = context.wrap_socket(self.fault.server.socket, server_side=True)
        self.base = f"https://{address}:{self.fault.port}"

    def __enter__(self):
        self.fault.__enter__()
        return self

    def __exit__(self, *exc):
        self.fault.__exit__(*exc)


def test_a_certificate_no_trusted_root_signed_is_a_tls_error():
    with _TLSServer("127.0.0.7") as tls:
        (result,) = check([f"{tls.base}/ok/x"]).values()
    assert result.klass == "error" and result.error.startswith("TLS: "), result
    assert "CERTIFICATE_VERIFY_FAILED" in result.error
    assert tls.fault.hits["/ok/x"] == 0


def test_tls_connections_are_verified_and_reused():
    import ssl

    with _TLSServer("127.0.0.7") as tls:
        trusted = ssl.create_default_context()
        tls.ca.configure_trust(trusted)
        urls = [f"{tls.base}/ok/{n}" for n in range(6)] + [f"{tls.base}/gone/1", f"{tls.base}/page/1"]
        checker = LinkChecker(Options(**FAST, host_concurrency=2), clock=FakeClock(), ssl_context=trusted)
        results = asyncio.run(checker.check_all(urls))
        assert [r.klass for r in results] == ["ok"] * 6 + ["broken", "ok"]
        assert tls.fault.connections <= 2


def test_when_most_hosts_are_unreachable_the_run_says_the_network_is_down_and_reports_nothing(
    catalog, cli, tmp_path, monkeypatch
):
    # Three hosts, none resolving: what an outage of DNS looks like from inside the run.
    for n, host in enumerate(("a.example.test", "b.example.test", "c.example.test")):
        catalog.write(
            f"papers/p{n}.yaml",
            GOOD_PAPER.replace("https://github.com/kuleshov-group/mdlm", f"https://{host}/x")
            .replace("2406.07524", f"2406.0752{n}")
            .replace("Simple and Effective", f"Paper {n}"),
        )
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("  code: https://github.com/kuleshov-group/mdlm\n", ""))

    async def nowhere(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    import dllm_atlas.links as links_module

    original = links_module.run
    monkeypatch.setattr(links_module, "run", lambda *a, **k: original(*a, resolve=nowhere, **k))
    cache = tmp_path / "links.json"
    result = cli("check-links", "--format", "markdown", "--cache", str(cache))
    assert result.code == 3
    assert result.out == ""  # no report for the weekly workflow to file
    # arxiv.org and the three hosts: 4 of 4 unreachable.
    assert "4 of 4 hosts could not be reached (name not resolved or connection failed): the network looks down" in (
        result.err
    )
    assert not cache.exists()


def test_a_few_unreachable_hosts_among_answering_ones_are_reported_not_an_outage(server):
    from dllm_atlas.links.report import exit_code, network_down

    async def some(host, port):
        if host.startswith("gone"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return ["127.0.0.2"]

    urls = [f"http://ok{n}.example.test:{server.port}/ok/{n}" for n in range(3)] + [
        f"http://gone.example.test:{server.port}/x"
    ]
    results = list(check(urls, resolve=some, allow_private=True).values())
    assert [r.klass for r in results] == ["ok", "ok", "ok", "unreachable"]
    assert network_down(results) is None and exit_code(results) == 0
