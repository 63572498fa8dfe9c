"""Refusing private addresses, on the address actually connected.

:class:`GuardedTransport` is an ``httpx.AsyncBaseTransport`` over an httpcore connection pool whose
network backend (:class:`GuardedBackend`) resolves names itself, refuses loopback, private,
link-local and other reserved addresses unless allowed, and connects to the address it checked, so
a name that resolves to 127.0.0.1 cannot slip past. TLS is verified against certifi's roots, as
httpx does by default.

Failures the checker must tell apart are exceptions of their own type, never parsed from messages:
:class:`UnknownHost` (DNS has no answer) and :class:`RefusedAddress` (the guard said no).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import typing
from collections.abc import Awaitable, Callable

import certifi
import httpcore
import httpx

Resolver = Callable[[str, int], Awaitable[list[str]]]


class UnknownHost(httpcore.ConnectError):
    """The host name does not resolve."""


class RefusedAddress(httpcore.ConnectError):
    """The host resolves to an address the guard refuses (loopback, private, …)."""


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


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve names ourselves, refuse non-public addresses, connect to the address we checked."""

    def __init__(self, allow_private: bool, resolve: Resolver = system_resolve) -> None:
        self.allow_private, self.resolve = allow_private, resolve
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
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
        return await self._inner.connect_tcp(addresses[0], port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise RefusedAddress("unix sockets are not checked")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


# httpcore's exceptions and the httpx ones the client expects, most specific first.
_EXCEPTIONS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.NetworkError, httpx.NetworkError),
)


def _httpx_error(exc: Exception) -> Exception:
    for source, target in _EXCEPTIONS:
        if isinstance(exc, source):
            return target(str(exc))
    return exc


class _Body(httpx.AsyncByteStream):
    def __init__(self, stream: typing.AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> typing.AsyncIterator[bytes]:
        try:
            async for chunk in self._stream:
                yield chunk
        except Exception as exc:
            raise _httpx_error(exc) from exc

    async def aclose(self) -> None:
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            await close()


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport over httpcore pools that connect only through :class:`GuardedBackend`.

    One pool per origin (scheme, host, port), each holding at most ``limits.max_connections``
    connections (the checker passes its per-host bound) and keeping them alive between requests:
    the checker's requests to one host reuse a few connections instead of opening one each. Pools
    stay small on purpose: httpcore scans every connection of a pool on each request and release,
    so one pool shared by every host would cost time growing with the square of its size.
    :meth:`release` closes a host's pools once the checker is done with it.
    """

    def __init__(self, backend: GuardedBackend, limits: httpx.Limits) -> None:
        self._backend = backend
        self._limits = limits
        self._ssl_context = ssl.create_default_context(cafile=certifi.where())
        self._pools: dict[tuple[bytes, bytes, int | None], httpcore.AsyncConnectionPool] = {}

    def _pool(self, url: httpx.URL) -> httpcore.AsyncConnectionPool:
        origin = (url.raw_scheme, url.raw_host.lower(), url.port)
        pool = self._pools.get(origin)
        if pool is None:
            pool = self._pools[origin] = httpcore.AsyncConnectionPool(
                ssl_context=self._ssl_context,
                max_connections=self._limits.max_connections,
                max_keepalive_connections=self._limits.max_keepalive_connections,
                keepalive_expiry=self._limits.keepalive_expiry,
                network_backend=self._backend,
            )
        return pool

    @property
    def connections(self) -> int:
        """Connections held open now, in every pool (idle or busy)."""
        return sum(len(pool.connections) for pool in self._pools.values())

    async def release(self, host: str) -> None:
        """Close the pools of ``host`` (a lowercase host name) that have nothing in flight."""
        raw = host.encode("ascii", "ignore")
        for origin, pool in list(self._pools.items()):
            if origin[1] == raw and all(c.is_idle() or c.is_closed() for c in pool.connections):
                del self._pools[origin]
                await pool.aclose()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            response = await self._pool(request.url).handle_async_request(core_request)
        except (UnknownHost, RefusedAddress):
            raise  # the checker's own verdicts: they keep their type
        except Exception as exc:
            raise _httpx_error(exc) from exc
        assert isinstance(response.stream, typing.AsyncIterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()
