"""``dllm-atlas serve``: the live preview, MkDocs' development server run inside this process.

    dllm-atlas serve [--catalog DIR] [--config-file FILE] [--dev-addr HOST:PORT]

What a contributor can rely on:

- The address is checked before anything is built. A busy port, an unknown host or a malformed
  ``--dev-addr`` is one line on stderr and exit 2, with the option to change.
- Every rebuild (an edit under ``catalog/``, ``templates/`` or ``docs/``) runs the pipeline first.
  While the catalog is invalid, every page of the preview shows the located errors (the terminal
  shows them too) instead of leaving the browser waiting on a failed build; the page polls and
  reloads itself once an edit makes the catalog valid again.
- The server runs in this process, so nothing outlives it: SIGTERM or Ctrl-C stops it, removes
  its temporary site folder and exits 0.
"""

from __future__ import annotations

import logging
import shutil
import signal
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment

from . import diagnostics, logs, pipeline, site

log = logging.getLogger(logs.LOGGER)
# Marks the error page, so its poller can tell it from the real page once the catalog is fixed.
ERROR_MARKER = "atlas-serve-errors"


class AddressError(ValueError):
    """The ``--dev-addr`` cannot be served: the message says why and what to change."""


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_address(text: str) -> Address:
    """``HOST:PORT`` (``[::1]:8000`` for IPv6) → an :class:`Address`, or :class:`AddressError`."""
    host, sep, port_text = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise AddressError(f"--dev-addr {text!r}: expected HOST:PORT with a port from 1 to 65535, e.g. 127.0.0.1:8000")
    return Address(host, int(port_text))


def ensure_free(address: Address) -> None:
    """Raise :class:`AddressError` unless a server could listen on ``address`` now."""
    try:
        infos = socket.getaddrinfo(address.host, address.port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise AddressError(f"--dev-addr {address}: unknown host {address.host!r} ({exc.strerror})") from None
    family, kind, proto, _, sockaddr = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # MkDocs' server sets SO_REUSEADDR too: a port in TIME_WAIT is free, a listening one is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(sockaddr)
        except OSError as exc:
            raise AddressError(
                f"{address} is not available ({exc.strerror}): another server (an earlier 'serve'?) may be "
                f"using it; stop it or choose another address with --dev-addr HOST:PORT"
            ) from None


def error_page(problems: list[diagnostics.Diagnostic], env: Environment) -> bytes:
    """The page every URL of the preview shows while the catalog is invalid (escaped HTML)."""
    html = env.get_template("site/serve_errors.html.j2").render(
        problems=[d.text() for d in sorted(problems)], marker=ERROR_MARKER
    )
    return html.encode("utf-8")


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Let SIGTERM unwind like Ctrl-C, so the server shuts down and cleans up instead of dying."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Preview:
    """One preview session: the builder MkDocs' live-reload server calls on every change."""

    def __init__(self, catalog: Path, config_file: Path, address: Address, env: Environment) -> None:
        self.catalog = catalog
        self.config_file = config_file
        self.address = address
        self.env = env
        self.site_dir = tempfile.mkdtemp(prefix="dllm-atlas-serve-")
        self.failure: bytes | None = None  # the error page while the catalog is invalid

    def load_config(self) -> Any:
        from mkdocs.config import load_config

        config = load_config(config_file=str(self.config_file), site_dir=self.site_dir, dev_addr=str(self.address))
        # The builder has generated the pages already: the hook must not run the pipeline again.
        config[site.PAGES_READY_KEY] = True
        return config

    def serve_url(self, config: Any) -> str:
        mount = urlsplit(config.site_url or "/").path or "/"
        return f"http://{self.address}{mount if mount.endswith('/') else mount + '/'}"

    def build(self, config: Any | None = None) -> None:
        from mkdocs.commands.build import build

        checked = pipeline.run_checks(self.catalog)
        if checked.index is None:
            log.error(
                "the catalog has %d error(s); every page shows them until they are fixed:\n%s",
                len(checked.diagnostics),
                diagnostics.render(checked.diagnostics, "text"),
            )
            self.failure = error_page(checked.diagnostics, self.env)
            _empty(Path(self.site_dir))  # every URL now falls through to the error page
            return
        config = config or self.load_config()
        settings = site.SiteConfig.from_mapping(config, self.config_file.parent, str(self.config_file))
        try:
            pipeline.generate_site(checked.index, settings)
        except ValueError as exc:  # a malformed data/activity.json
            log.error("%s", exc)
            self.failure = error_page(
                [diagnostics.Diagnostic(str(settings.activity_file), 1, 1, "", str(exc))], self.env
            )
            return
        url = self.serve_url(config)
        config.site_url = url
        try:
            build(config, serve_url=url)
        except Exception as exc:
            log.error("the site failed to build: %s", exc)
            self.failure = error_page(
                [diagnostics.Diagnostic(str(self.config_file), 1, 1, "", f"the site failed to build: {exc}")], self.env
            )
            _empty(Path(self.site_dir))
            return
        self.failure = None

    def error_handler(self, code: int) -> bytes | None:
        if self.failure is not None:
            return self.failure
        page = Path(self.site_dir) / f"{code}.html"
        return page.read_bytes() if page.is_file() else None

    def close(self) -> None:
        shutil.rmtree(self.site_dir, ignore_errors=True)


def _empty(folder: Path) -> None:
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def serve(catalog: Path, config_file: Path, address: Address, env: Environment) -> int:
    """Serve until interrupted; 1 if the first build fails (its errors are printed), else 0."""
    from mkdocs.livereload import LiveReloadServer

    preview = Preview(catalog, config_file.resolve(), address, env)
    try:
        with _sigterm_as_interrupt():
            config = preview.load_config()
            config.plugins.on_startup(command="serve", dirty=False)
            try:
                preview.build(config)
                if preview.failure is not None:
                    return 1
                server = LiveReloadServer(
                    builder=preview.build,
                    host=address.host,
                    port=address.port,
                    root=preview.site_dir,
                    mount_path=urlsplit(config.site_url).path,
                )
                server.error_handler = preview.error_handler
                server.watch(config.docs_dir)
                server.watch(str(preview.config_file))
                server = config.plugins.on_serve(server, config=config, builder=preview.build)
                for path in config.watch:
                    server.watch(path)
                try:
                    server.serve()
                except KeyboardInterrupt:
                    log.info("shutting down")
                finally:
                    server.shutdown(wait=True)
                    server.server_close()
            finally:
                config.plugins.on_shutdown()
    except KeyboardInterrupt:  # interrupted before the server was up
        log.info("shutting down")
    finally:
        preview.close()
    return 0
