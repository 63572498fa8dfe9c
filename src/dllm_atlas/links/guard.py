"""The checker's HTTP/1.1 client: kept-alive connections, and never to a private address.

:class:`GuardedClient` asks one question per request, status and headers, over HTTP/1.1 (h11 for
the protocol, asyncio streams for the bytes). It resolves names itself and refuses loopback,
private, link-local and other reserved addresses unless allowed, then connects to the address it
checked, so a name that resolves to 127.0.0.1 cannot slip past. TLS is verified against certifi's
roots, against the URL's host name.

Connections are kept alive and reused: after the status and headers, the body is drained (HEAD has
none; a GET's is read and dropped up to :data:`DRAIN_BYTES` within :data:`DRAIN_SECONDS`), and the
connection waits, idle, for the next request to the same origin. A larger or slower body is never
read: its connection is closed instead. Idle connections older than :data:`KEEPALIVE_SECONDS`, or
that the server closed meanwhile, are dropped; a reused connection that fails before any answer is
retried once on a fresh one (the server may have closed it just then). The caller bounds requests
in flight per host, which bounds connections per host too (one request per connection).

Why not httpx over httpcore, as before: on this workload (thousands of HEADs to a few dozen hosts)
their layers (the client, httpcore's pool and anyio's cancel scopes around every read, write and
lock) cost about six times the CPU of the same requests through h11 on asyncio streams (1,600 HEADs
over 8 connections: 3.7 s against 0.6 s); the checker needs none of what they add (cookies, auth,
proxies, content decoding, HTTP/2). See docs/performance.md.

Failures the checker must tell apart are exceptions of their own type (subclasses of
:class:`FetchError`), never parsed from messages.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import quote, urlsplit

import certifi
import h11

Resolver = Callable[[str, int], Awaitable[list[str]]]

# A GET's body is read (and dropped) so its connection can serve the next request, up to this many
# bytes and seconds; past either, the connection is closed instead.
DRAIN_BYTES = 64 * 1024
DRAIN_SECONDS = 1.0
# An idle connection older than this is closed rather than reused (servers close theirs too).
KEEPALIVE_SECONDS = 5.0
READ_SIZE = 64 * 1024
# The most a status line and headers may take (h11's default is 16 KiB; httpcore allowed this much).
MAX_HEADER_BYTES = 100 * 1024
# What may stay unescaped in a request target: RFC 3986's reserved and unreserved characters, and
# "%" (the URL's own escapes are kept as they are).
_TARGET_SAFE = "!#$%&'()*+,/:;=?@[]~"


class FetchError(Exception):
    """A request got no answer; ``str()`` says why."""


class UnknownHost(FetchError):
    """The host name does not resolve."""


class RefusedAddress(FetchError):
    """The host resolves to an address the guard refuses (loopback, private, …)."""


class BadURL(FetchError):
    """The URL cannot be requested (no host, bad port, a host that is not a name)."""


class Timeout(FetchError):
    """Connecting, sending or waiting for the answer took longer than the timeout."""


class ConnectFailed(FetchError):
    """The connection could not be made (refused, unreachable)."""


class TLSFailed(FetchError):
    """The TLS handshake failed (certificate, protocol); the message is the ``ssl.SSLError``'s."""


class Broken(FetchError):
    """The connection was reset, closed or garbled before the answer's headers were complete."""


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified
    )


async def system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


Origin = tuple[str, str, int]  # scheme, host, port


class _Connection:
    """One HTTP/1.1 connection: its streams and its h11 state."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEADER_BYTES)
        self.idle_since = 0.0
        self.used = False  # has served a request before: a failure may just be the server's close

    def reusable(self, now: float) -> bool:
        return (
            now - self.idle_since < KEEPALIVE_SECONDS
            and not self.writer.is_closing()
            and not self.reader.at_eof()  # the server closed it while it was idle
        )

    def close(self) -> None:
        self.writer.close()

    async def read(self, timeout: float) -> None:
        try:
            async with asyncio.timeout(timeout):
                data = await self.reader.read(READ_SIZE)
        except TimeoutError:
            raise Timeout("timed out") from None
        except OSError as exc:
            raise Broken(exc.__class__.__name__) from None
        self.h11.receive_data(data)  # b"" tells h11 the server closed


class GuardedClient:
    """Status and headers of HTTP(S) URLs, over kept-alive connections, never to a refused address."""

    def __init__(
        self,
        *,
        allow_private: bool,
        resolve: Resolver = system_resolve,
        timeout: float,
        headers: Iterable[tuple[str, str]] = (),
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.allow_private, self.resolve, self.timeout = allow_private, resolve, timeout
        self.headers = list(headers)
        self.connections_made = 0  # connections opened so far
        self._idle: dict[Origin, list[_Connection]] = {}
        self._ssl = ssl_context  # certifi's roots unless given (tests trust their own CA)

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:  # loading certifi's roots takes a while: only when a URL needs TLS
            self._ssl = ssl.create_default_context(cafile=certifi.where())
            self._ssl.set_alpn_protocols(["http/1.1"])
        return self._ssl

    async def fetch(self, method: str, url: str) -> tuple[int, dict[str, str]]:
        """``method`` ``url``: the status and the headers (names lowercased, the first of repeated
        ones). Raises a :class:`FetchError`."""
        origin, target, host_header = _parse(url)
        try:
            request = h11.Request(method=method, target=target, headers=[("Host", host_header), *self.headers])
        except h11.LocalProtocolError as exc:  # h11 validates the target and the headers
            raise BadURL(str(exc)) from None
        connection = self._take(origin)
        if connection is not None:
            try:
                return await self._exchange(connection, origin, request)
            except Broken:
                pass  # the server closed the kept-alive connection as we sent: once more on a new one
        return await self._exchange(await self._connect(origin), origin, request)

    def _take(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.reusable(now):
                return connection
            connection.close()
        return None

    async def _connect(self, origin: Origin) -> _Connection:
        scheme, host, port = origin
        try:
            async with asyncio.timeout(self.timeout):
                try:
                    addresses = await self.resolve(host, port)
                except socket.gaierror as exc:
                    raise UnknownHost(f"unknown host {host}: {exc.strerror}") from None
                if not addresses:
                    raise UnknownHost(f"unknown host {host}")
                if not self.allow_private:
                    refused = [a for a in addresses if not is_public(a)]
                    if refused:
                        raise RefusedAddress(
                            f"{host} resolves to non-public address {refused[0]}; refused (use --allow-private)"
                        )
                if scheme == "https":
                    reader, writer = await asyncio.open_connection(
                        addresses[0], port, limit=READ_SIZE, ssl=self._ssl_context(), server_hostname=host
                    )
                else:
                    reader, writer = await asyncio.open_connection(addresses[0], port, limit=READ_SIZE)
        except TimeoutError:
            raise Timeout("timed out") from None
        except ssl.SSLError as exc:
            raise TLSFailed(str(exc)) from None
        except OSError as exc:
            raise ConnectFailed(str(exc) or exc.__class__.__name__) from None
        self.connections_made += 1
        return _Connection(reader, writer)

    async def _exchange(
        self, connection: _Connection, origin: Origin, request: h11.Request
    ) -> tuple[int, dict[str, str]]:
        keep = False
        try:
            status, headers = await self._send(connection, request)
            keep = await self._drain(connection, request.method == b"HEAD" or status in (204, 304))
            return status, headers
        finally:
            if keep:
                connection.used = True
                connection.idle_since = time.monotonic()
                self._idle.setdefault(origin, []).append(connection)
            else:
                connection.close()

    async def _send(self, connection: _Connection, request: h11.Request) -> tuple[int, dict[str, str]]:
        state = connection.h11
        try:
            data = (state.send(request) or b"") + (state.send(h11.EndOfMessage()) or b"")
            try:
                async with asyncio.timeout(self.timeout):
                    connection.writer.write(data)
                    await connection.writer.drain()
            except TimeoutError:
                raise Timeout("timed out") from None
            except OSError as exc:
                raise Broken(exc.__class__.__name__) from None
            while True:
                event = state.next_event()
                if event is h11.NEED_DATA:
                    await connection.read(self.timeout)
                elif isinstance(event, h11.Response):
                    headers: dict[str, str] = {}
                    for name, value in event.headers:
                        headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
                    return event.status_code, headers
                elif isinstance(event, h11.ConnectionClosed):
                    raise Broken("server closed the connection without answering")
                # an InformationalResponse (1xx): the answer is still to come
        except h11.RemoteProtocolError as exc:
            raise Broken(f"protocol error: {exc}") from None

    async def _drain(self, connection: _Connection, bodiless: bool) -> bool:
        """Read the rest of the answer if it is small and quick; whether the connection can be reused."""
        state = connection.h11
        read = 0
        try:
            async with asyncio.timeout(DRAIN_SECONDS):
                while True:
                    event = state.next_event()
                    if event is h11.NEED_DATA:
                        if bodiless:
                            return False  # nothing should be left to read: do not wait for it
                        await connection.read(self.timeout)
                    elif isinstance(event, h11.Data):
                        read += len(event.data)
                        if read > DRAIN_BYTES:
                            return False
                    elif isinstance(event, h11.EndOfMessage):
                        break
                    else:
                        return False
        except (TimeoutError, FetchError, h11.ProtocolError):
            return False
        if state.our_state is h11.DONE and state.their_state is h11.DONE:
            state.start_next_cycle()
            return True
        return False  # the server said it closes (Connection: close, HTTP/1.0)

    async def release(self, host: str) -> None:
        """Close the idle connections to ``host`` (the caller is done with it)."""
        for origin in [o for o in self._idle if o[1] == host]:
            for connection in self._idle.pop(origin):
                connection.close()

    async def aclose(self) -> None:
        idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()
        await asyncio.sleep(0)  # let the transports finish closing before the loop ends


def _parse(url: str) -> tuple[Origin, str, str]:
    """(origin, request target, Host header) of an http(s) URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
        if not host:
            raise ValueError("no host")
        if not host.isascii():
            host = host.encode("idna").decode("ascii")
    except (ValueError, UnicodeError) as exc:
        raise BadURL(str(exc) or "malformed") from None
    if parts.scheme not in ("http", "https"):
        raise BadURL(f"unsupported scheme {parts.scheme!r}")
    default = 443 if parts.scheme == "https" else 80
    target = quote(parts.path or "/", safe=_TARGET_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=_TARGET_SAFE)
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port in (None, default) else f"{shown}:{port}"
    return (parts.scheme, host, port or default), target, host_header
