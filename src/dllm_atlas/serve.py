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
- An edit costs what it touches, not the catalog's size: files are watched through the operating
  system's notifications (not by polling every file twice a second); only changed entry files are
  read and validated again (:class:`dllm_atlas.load.LoadCache`); only the pages showing what
  changed are rendered (:class:`dllm_atlas.memo.Memo`) and rewritten; MkDocs rebuilds only those
  pages (its dirty build) with its theme templates compiled once. Writing the generated pages
  never triggers a rebuild of its own. ``benchmarks/live_edit.py`` measures an edit's way to the
  browser at 3,000 entries.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment

from . import diagnostics, inplace, logs, pipeline, site
from .fsutil import temporary_target
from .load import LoadCache
from .memo import Memo
from .similar import similar_entries

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


# Seconds similar work waits after a rebuild before it starts (see Preview._refresh_similar), and
# seconds before the rebuild that renders what a rebuild left is asked for (Preview._follow_up):
# time for the browsers to reload first.
SIMILAR_DELAY = 1.0
FOLLOW_UP_DELAY = 1.0
# Changed pages up to this size (characters of Markdown) are rendered with the entry pages; larger
# ones (listings) in the next rebuild (see Preview._in_place).
FIRST_PAGE_LIMIT = 32_000
# How a rebuild reached the site (Preview.last_build, and the log line of each rebuild).
IN_PLACE = "changed pages rendered in place"
DIRTY_BUILD = "changed pages"
WHOLE_BUILD = "every page"


class Preview:
    """One preview session: the builder MkDocs' live-reload server calls on every change."""

    def __init__(self, catalog: Path, config_file: Path, address: Address, env: Environment) -> None:
        self.catalog = catalog
        self.config_file = config_file
        self.address = address
        self.env = env
        self.site_dir = tempfile.mkdtemp(prefix="dllm-atlas-serve-")
        self.failure: bytes | None = None  # the error page while the catalog is invalid
        self.cache = LoadCache()
        self.memo = Memo()
        # Compiled theme templates, kept between builds (MkDocs makes a new Jinja environment each).
        self.bytecode_dir = tempfile.mkdtemp(prefix="dllm-atlas-serve-templates-")
        # Whether site_dir holds a whole build that a dirty build may update in place, and what
        # that build was made from besides the catalog (see layout()).
        self.built = False
        self.built_layout: tuple[tuple[str, int, int], ...] = ()
        # Similar work (a pass over every entry's text, seconds at 3,000 entries) is computed in
        # line for the first build only; after an edit the pages keep the last lists and a
        # thread computes them again once the build is done, asking for one more rebuild if
        # they changed (see _refresh_similar).
        self.similar: dict[str, list[str]] | None = None
        self.similar_job: threading.Thread | None = None
        self.similar_cancel = threading.Event()
        self.similar_made_from: tuple[tuple[str, str], ...] = ()  # the entries (id, digest) it is of
        self.server: Any = None  # the live-reload server, to ask it for a rebuild
        # The last MkDocs build's config and what it made, for pages rendered in place.
        self.last_config: Any = None
        self.last_settings: site.SiteConfig | None = None
        self.site_state = inplace.BuiltSite()
        self.last_build = ""  # how the last rebuild went: IN_PLACE, DIRTY_BUILD or WHOLE_BUILD
        # Pages written but left for the next rebuild to render (see _in_place), with the text
        # the last build read.
        self.pending: dict[str, str | None] = {}
        self.drawings_owed = False  # the last generation kept the old drawings (site.generate's defer)
        self.follow_up_delay = FOLLOW_UP_DELAY
        self.follow_up_timer: threading.Timer | None = None
        self.similar_delay = SIMILAR_DELAY

    def load_config(self) -> Any:
        from mkdocs.config import load_config

        config = load_config(config_file=str(self.config_file), site_dir=self.site_dir, dev_addr=str(self.address))
        # The builder has generated the pages already: the hook must not run the pipeline again.
        config[site.PAGES_READY_KEY] = True
        config[site.SERVE_KEY] = self.bytecode_dir
        return config

    def serve_url(self, config: Any) -> str:
        mount = urlsplit(config.site_url or "/").path or "/"
        return f"http://{self.address}{mount if mount.endswith('/') else mount + '/'}"

    def build(self, config: Any | None = None) -> None:
        start = time.perf_counter()
        # A rebuild that follows one which left pages or drawings for later renders them all.
        follow_up = bool(self.pending) or self.drawings_owed
        checked = pipeline.run_checks(self.catalog, cache=self.cache)
        checked_at = time.perf_counter()
        if checked.index is None:
            log.error(
                "the catalog has %d error(s); every page shows them until they are fixed:\n%s",
                len(checked.diagnostics),
                diagnostics.render(checked.diagnostics, "text"),
            )
            self.failure = error_page(checked.diagnostics, self.env)
            _empty(Path(self.site_dir))  # every URL now falls through to the error page
            self.built, self.last_config = False, None
            return
        # An edit that leaves the config, the hand-written pages and the theme alone is shown by
        # rendering the pages it changed into the last build (dllm_atlas.inplace), with that
        # build's config; anything else is a MkDocs build.
        reuse = config is None and self.last_config is not None and self.layout(self.last_config) == self.built_layout
        if reuse and self.last_settings is not None:  # set with last_config
            config, settings = self.last_config, self.last_settings
        else:
            reuse = False
            config = config or self.load_config()
            # Read before a build points the config's site_url at the preview's address.
            settings = site.SiteConfig.from_mapping(config, self.config_file.parent, str(self.config_file))
        try:
            fresh_similar = self.similar is None
            if self.similar is None:
                self.similar = similar_entries(checked.index)
                self.similar_made_from = tuple((item.id, item.digest) for item in checked.index.entries)
            # With a server to ask for the next rebuild, drawings whose layouts must be made again
            # (a title or relation edit: about a second at 3,000 entries) wait for that rebuild.
            defer = reuse and self.server is not None and not self.drawings_owed
            written, removed = pipeline.generate_site(
                checked.index, settings, env=self.env, memo=self.memo, similar=self.similar, defer=defer
            )
            self.drawings_owed = self.memo.deferred
        except ValueError as exc:  # a malformed data/activity.json
            log.error("%s", exc)
            self.failure = error_page(
                [diagnostics.Diagnostic(str(settings.activity_file), 1, 1, "", str(exc))], self.env
            )
            return
        generated_at = time.perf_counter()
        # Pages changed by an earlier generation but not rendered yet (see _in_place) keep the text
        # the last build read.
        changed = {**self.memo.changed, **self.pending}
        self.pending = {}
        try:
            if not (reuse and not removed and self._in_place(config, changed, split=not follow_up)):
                if reuse:
                    config = self.load_config()
                    settings = site.SiteConfig.from_mapping(config, self.config_file.parent, str(self.config_file))
                self.last_build = self._mkdocs_build(config, removed)
                self.last_settings = settings
            if self.pending or self.drawings_owed:
                self._follow_up()  # similar work comes after that rebuild
            elif not fresh_similar:
                self._refresh_similar(checked.index)
            log.info(
                "rebuilt in %.2f s: checks %.2f s (%d file(s) read again), pages %.2f s (%d written, %d removed), "
                "MkDocs %.2f s (%s)",
                time.perf_counter() - start,
                checked_at - start,
                self.cache.misses,
                generated_at - checked_at,
                written,
                removed,
                time.perf_counter() - generated_at,
                self.last_build
                + (f"; {len(self.pending)} page(s) left for the next rebuild" if self.pending else "")
                + ("; drawings left for the next rebuild" if self.drawings_owed else ""),
            )
        except Exception as exc:
            self._failed(exc)
            return
        self.failure = None

    def _failed(self, exc: Exception) -> None:
        log.error("the site failed to build: %s", exc)
        self.failure = error_page(
            [diagnostics.Diagnostic(str(self.config_file), 1, 1, "", f"the site failed to build: {exc}")], self.env
        )
        _empty(Path(self.site_dir))
        self.built, self.last_config = False, None

    def _in_place(self, config: Any, changed: dict[str, str | None], split: bool) -> bool:
        """Render ``changed`` into the last build, entry pages, data files and small pages first:
        the page an author is looking at is usually the edited entry's, while the listings that
        show a new title (topics, areas, timeline: up to hundreds of KB each) take seconds. Those
        follow in one more rebuild (``split``: not when this is that rebuild), asked of the
        live-reload server a moment later (_follow_up)."""
        docs_dir = Path(config.docs_dir)

        def at_once(path: str) -> bool:
            if path.startswith("entries/") or not path.endswith(".md"):
                return True
            try:
                return (docs_dir / path).stat().st_size <= FIRST_PAGE_LIMIT
            except OSError:
                return True

        first = {path: text for path, text in changed.items() if at_once(path)}
        later = {path: text for path, text in changed.items() if path not in first}
        if not split or self.server is None or not later or not any(path.endswith(".md") for path in first):
            first, later = changed, {}
        # Declined: MkDocs builds it all. The later pages may still be declined by the next
        # rebuild, whose MkDocs build then renders them (their Markdown is newer than their HTML).
        if not inplace.update_pages(config, self.site_state, first):
            return False
        self.last_build = IN_PLACE
        self.pending = later
        return True

    def _mkdocs_build(self, config: Any, removed: int) -> str:
        """A MkDocs build, of the changed pages only when it can be: what it did, for the log."""
        from mkdocs.commands.build import build

        url = self.serve_url(config)
        config.site_url = url
        layout = self.layout(config)
        # A dirty build updates changed pages only: a removed page, a hand-written page, the
        # config or the theme (which shape every page or the navigation) need a whole build.
        dirty = self.built and not removed and layout == self.built_layout
        self.site_state = inplace.BuiltSite()  # filled by the hook as this build goes
        config[inplace.STATE_KEY] = self.site_state
        with _quiet_dirty_warning():
            build(config, serve_url=url, dirty=dirty)
        self.built, self.built_layout, self.last_config = True, layout, config
        return DIRTY_BUILD if dirty else WHOLE_BUILD

    def error_handler(self, code: int) -> bytes | None:
        if self.failure is not None:
            return self.failure
        page = Path(self.site_dir) / f"{code}.html"
        return page.read_bytes() if page.is_file() else None

    def layout(self, config: Any) -> tuple[tuple[str, int, int], ...]:
        """Name, size and modification time of every file a build reads besides the generated
        pages: the config file, the hand-written docs and the theme overrides."""
        docs_dir = Path(config.docs_dir)
        files = [str(self.config_file)]
        for root, dirs, names in os.walk(docs_dir):
            relative = Path(root).relative_to(docs_dir).as_posix()
            if relative == ".":
                dirs[:] = [d for d in dirs if d not in site.GENERATED_DIRS]  # 3,000 entry pages: not walked
                names = [n for n in names if not site.is_generated(n)]
            files += [os.path.join(root, n) for n in names]
        if config.theme.custom_dir:
            files += [os.path.join(r, n) for r, _, names in os.walk(config.theme.custom_dir) for n in names]
        found = []
        for path in files:
            try:
                info = os.stat(path)
            except OSError:
                continue
            found.append((path, info.st_size, info.st_mtime_ns))
        return tuple(sorted(found))

    def _refresh_similar(self, index: Any) -> None:
        """Compute similar work again in a thread; when it differs, keep it and ask for a rebuild.
        Not for the entries it was last computed from (the rebuild it asked for, one that only
        rendered what another left)."""
        made_from = tuple((item.id, item.digest) for item in index.entries)
        if made_from == self.similar_made_from:
            return
        self.similar_made_from = made_from
        if self.similar_job is not None:
            self.similar_cancel.set()  # a job still waiting gives way to this one
            self.similar_job.join()  # one at a time: the newest index wins
        cancel = self.similar_cancel = threading.Event()

        def work() -> None:
            # A moment's wait first: the browsers are reloading the pages just rebuilt, and this
            # pass (seconds of Python at 3,000 entries) would slow their requests to the server.
            if cancel.wait(self.similar_delay):
                return
            start = time.perf_counter()
            found = similar_entries(index)
            changed = found != self.similar
            log.info(
                "similar work computed again in %.2f s: %s",
                time.perf_counter() - start,
                "changed, rebuilding" if changed else "unchanged",
            )
            if changed:
                self.similar = found
                self._ask_for_rebuild()

        self.similar_job = threading.Thread(target=work, name="atlas-similar", daemon=True)
        self.similar_job.start()

    def _follow_up(self) -> None:
        """Ask for the rebuild that renders what this one left, after a moment: the browsers are
        reloading the page just rebuilt, and a rebuild (seconds of Python) would slow their
        requests to the server."""
        if self.server is None:
            return
        if self.follow_up_timer is not None:
            self.follow_up_timer.cancel()
        self.follow_up_timer = threading.Timer(self.follow_up_delay, request_rebuild, [self.server])
        self.follow_up_timer.daemon = True
        self.follow_up_timer.start()

    def _ask_for_rebuild(self) -> None:
        if self.server is not None:
            request_rebuild(self.server)

    def close(self) -> None:
        self.similar_cancel.set()
        if self.follow_up_timer is not None:
            self.follow_up_timer.cancel()
        shutil.rmtree(self.site_dir, ignore_errors=True)
        shutil.rmtree(self.bytecode_dir, ignore_errors=True)

    def watch(self, server: Any, docs_dir: Path, paths: list[str]) -> None:
        """Watch the config file, ``paths`` (the config's ``watch`` list: the catalog and the
        templates) and the hand-written part of the docs folder. The generated pages are this
        builder's output: writing them must not ask for another build."""
        _watch_filtered(server, docs_dir, handwritten(docs_dir))
        config_file = str(self.config_file)
        _watch_filtered(server, self.config_file.parent, lambda path: path == config_file, recursive=False)
        for path in paths:
            _watch_filtered(server, Path(path).resolve(), lambda _: True)


def handwritten(docs_dir: Path) -> Callable[[str], bool]:
    """A test of paths: false for the generated pages of ``docs_dir``, true for anything else."""
    docs_dir = docs_dir.resolve()

    def test(path: str) -> bool:
        try:
            relative = Path(path).resolve().relative_to(docs_dir)
        except ValueError:
            return True
        # A generated page is written through a temporary file beside it: that is output too.
        name = temporary_target(relative.name) or relative.name
        return not site.is_generated((relative.parent / name).as_posix())

    return test


def is_change(event: Any, wanted: Callable[[str], bool]) -> bool:
    """Whether a watchdog event is a change to a file ``wanted`` accepts (on either side of a move)."""
    if event.is_directory or event.event_type not in _CHANGES:
        return False
    return any(wanted(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p)


@contextmanager
def _quiet_dirty_warning() -> Iterator[None]:
    """MkDocs warns on every dirty build that navigation may be inaccurate; here every page is
    generated again when the navigation could change (a new or removed page is a full build)."""

    class Drop(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return "dirty' build" not in record.getMessage()

    target = logging.getLogger("mkdocs.commands.build")
    drop = Drop()
    target.addFilter(drop)
    try:
        yield
    finally:
        target.removeFilter(drop)


# What changes a file: inotify also reports files opened, read and closed, and the builder reads
# every watched file, so reacting to any event (as MkDocs' own watch does) rebuilds for ever.
_CHANGES = {"created", "modified", "deleted", "moved", "closed"}


def request_rebuild(server: Any) -> None:
    """Ask the live-reload server for a rebuild, as its own watch callback does (MkDocs 1.6)."""
    with server._rebuild_cond:
        server._want_rebuild = True
        server._rebuild_cond.notify_all()


def _watch_filtered(server: Any, folder: Path, wanted: Callable[[str], bool], recursive: bool = True) -> None:
    """``server.watch(folder)``, but only changes to paths that ``wanted`` accepts ask for a rebuild."""
    import watchdog.events

    def callback(event: Any) -> None:
        if is_change(event, wanted):
            request_rebuild(server)

    handler = watchdog.events.FileSystemEventHandler()
    handler.on_any_event = callback  # type: ignore[method-assign]
    server.observer.schedule(handler, str(folder), recursive=recursive)
    # What server.watch() records too: serve() starts the observer, and pages get the live-reload
    # script, only when something is watched.
    server._watched_paths[str(folder)] = server._watched_paths.get(str(folder), 0) + 1


def _empty(folder: Path) -> None:
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def serve(catalog: Path, config_file: Path, address: Address, env: Environment) -> int:
    """Serve until interrupted; 1 if the first build fails (its errors are printed), else 0."""
    import watchdog.observers
    from mkdocs.livereload import LiveReloadServer

    preview = Preview(catalog, config_file.resolve(), address, env)
    try:
        with _sigterm_as_interrupt():
            config = preview.load_config()
            # dirty=True: Material's search keeps its index between builds and updates what changed.
            config.plugins.on_startup(command="serve", dirty=True)
            try:
                preview.build(config)
                if preview.failure is not None:
                    return 1
                # What the first build made (the loaded catalog, the memo of 7,000 pages at 3,000
                # entries) lives as long as the session: out of the collector's way, a full
                # collection during a rebuild takes 0.1 s instead of 0.3 s. Cyclic garbage among
                # it stays uncollected: at most what this one build made.
                gc.collect()
                gc.freeze()
                server = LiveReloadServer(
                    builder=preview.build,
                    host=address.host,
                    port=address.port,
                    root=preview.site_dir,
                    mount_path=urlsplit(config.site_url).path,
                )
                server.error_handler = preview.error_handler
                preview.server = server
                # Notified by the operating system (inotify on Linux) rather than by MkDocs'
                # polling, which would stat every file of a 3,000-entry catalog twice a second
                # and see an edit up to half a second late.
                server.observer = watchdog.observers.Observer()  # type: ignore[assignment]
                preview.watch(server, Path(config.docs_dir), list(config.watch))
                server = config.plugins.on_serve(server, config=config, builder=preview.build)
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
