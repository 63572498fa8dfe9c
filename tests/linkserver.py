"""Scripted HTTP servers on 127.0.0.0/8 for link-checker tests and the benchmark.

Each :class:`FaultServer` listens on its own loopback address (127.0.0.2, 127.0.0.3, …: distinct
hosts to the checker) and answers by path:

=======================  ==================================================================
``/ok/…``                200
``/gone/…``              404 (``/gone410/…``: 410)
``/forbidden/…``         403
``/head405/…``           HEAD 405, GET 200
``/headlies/…``          HEAD 404, GET 200
``/page/…``              HEAD 405, GET 200 with a small body (2 KB)
``/dropafter/…``         200, then the connection closed without a word (as a keep-alive timeout does)
``/redirect/…``          301 to ``/ok/…``
``/loop/a`` ``/loop/b``  302 to each other
``/flaky/…``             500 on the first two requests for that path, then 200
``/limit/N/…``           429 with ``Retry-After: N`` on the first request, then 200
``/limitnohdr/…``        429 without Retry-After on the first two requests, then 200
``/storm/…``             429 always (with ``Retry-After: 0``)
``/hang/…``              never answers, until the client hangs up (or ``hang_seconds`` pass)
``/reset/…``             closes the connection without answering
``/slowbody/…``          HEAD 405; GET 200 with headers at once, then a body that trickles until the client hangs up
                         (at most 60 s); ``body_abandoned`` is set when a client hangs up mid-body
=======================  ==================================================================

Every response may be delayed by a latency drawn from ``latency`` (seconds, min/max). The server
counts requests in flight and records the maximum it ever saw (``max_in_flight``): tests assert the
checker's per-host bound with it. It also counts the connections it accepted (``connections``) and
the most it ever had open at once (``max_open``): a client that reuses connections makes far fewer
connections than requests. :meth:`FaultServer.reset` clears every counter between two runs.
Request loops are bounded: handlers stop by themselves.
"""

from __future__ import annotations

import contextlib
import http.server
import random
import select
import socket
import threading
import time
from collections import Counter


class _Handler(http.server.BaseHTTPRequestHandler):
    server: FaultServer._Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        owner = self.server.owner
        with owner.lock:
            owner.in_flight += 1
            owner.max_in_flight = max(owner.max_in_flight, owner.in_flight)
            owner.hits[self.path] += 1
            hits = owner.hits[self.path]
            owner.methods.append((time.monotonic(), self.command, self.path))
        self._counted = True
        try:
            low, high = owner.latency
            if high > 0:
                time.sleep(random.uniform(low, high))
            self._route(head, hits)
        finally:
            self._answered()

    def _answered(self) -> None:
        # Counted out before the answer leaves: the client may start its next request the moment it
        # reads this one's headers, before this thread gets to run again (on a loaded machine, long
        # before). Counting out afterwards made the in-flight maximum exceed the client's true bound.
        if self._counted:
            self._counted = False
            with self.server.owner.lock:
                self.server.owner.in_flight -= 1

    def _send(self, status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        self._answered()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _hang(self, seconds: float) -> None:
        """Answer nothing until the client gives up (closes) or ``seconds`` pass."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.connection], [], [], 0.05)
            if readable:
                try:
                    if self.connection.recv(1, socket.MSG_PEEK) == b"":
                        return  # the client closed: it no longer counts as in flight
                except OSError:
                    return

    def _route(self, head: bool, hits: int) -> None:
        kind = self.path.strip("/").split("/")[0]
        owner = self.server.owner
        if kind == "ok":
            self._send(200, body=b"ok")
        elif kind == "gone":
            self._send(404)
        elif kind == "gone410":
            self._send(410)
        elif kind == "forbidden":
            self._send(403)
        elif kind == "head405":
            self._send(405 if head else 200)
        elif kind == "headlies":
            self._send(404 if head else 200)
        elif kind == "page":
            self._send(405) if head else self._send(200, {"Content-Type": "text/html"}, b"<p>page</p>" * 186)
        elif kind == "dropafter":
            self._send(200, body=b"ok")
            self.close_connection = True  # no "Connection: close": the client learns it on reuse
        elif kind == "redirect":
            self._send(301, {"Location": "/ok/" + self.path.split("/", 2)[-1]})
        elif kind == "loop":
            self._send(302, {"Location": "/loop/b" if self.path.endswith("/a") else "/loop/a"})
        elif kind == "flaky":
            self._send(500 if hits <= 2 else 200)
        elif kind == "limit":
            seconds = self.path.strip("/").split("/")[1]
            self._send(429, {"Retry-After": seconds}) if hits == 1 else self._send(200)
        elif kind == "limitnohdr":
            self._send(429) if hits <= 2 else self._send(200)
        elif kind == "storm":
            self._send(429, {"Retry-After": "0"})
        elif kind == "hang":
            self._hang(owner.hang_seconds)
            self.close_connection = True
        elif kind == "reset":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
        elif kind == "slowbody" and head:
            self._send(405)  # so the checker has to GET, and meet the body
        elif kind == "slowbody":
            self.send_response(200)
            self.send_header("Content-Length", "100000000")
            self.end_headers()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    self.wfile.write(b"x" * 10)
                    self.wfile.flush()
                except OSError:
                    owner.body_abandoned.set()
                    return
                time.sleep(0.05)
            self.close_connection = True
        else:
            self._send(404)


class FaultServer:
    class _Server(http.server.ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256
        owner: FaultServer

        def get_request(self) -> tuple[socket.socket, object]:
            accepted = super().get_request()
            with self.owner.lock:
                self.owner.connections += 1
                self.owner.open += 1
                self.owner.max_open = max(self.owner.max_open, self.owner.open)
            return accepted

        def shutdown_request(self, request: object) -> None:
            with self.owner.lock:
                self.owner.open -= 1
            super().shutdown_request(request)  # type: ignore[arg-type]

    def __init__(
        self, address: str = "127.0.0.2", latency: tuple[float, float] = (0.0, 0.0), hang_seconds: float = 60.0
    ) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.open = 0
        self.reset()
        self.body_abandoned = threading.Event()
        self.latency = latency
        self.hang_seconds = hang_seconds
        self.server = self._Server((address, 0), _Handler)
        self.server.owner = self
        self.address = address
        self.port = self.server.server_address[1]
        # A short poll: shutdown() waits for the loop to notice, and 0.5 s a server adds up.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def reset(self) -> None:
        """Forget every request and connection counted so far (open connections stay counted as open)."""
        with self.lock:
            self.max_in_flight = self.in_flight
            self.hits: Counter[str] = Counter()
            self.methods: list[tuple[float, str, str]] = []
            self.connections = 0
            self.max_open = self.open

    @property
    def base(self) -> str:
        return f"http://{self.address}:{self.port}"

    def __enter__(self) -> FaultServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
