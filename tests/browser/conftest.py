"""Browser fixtures: the real site (built once, shared with the site tests) served on 127.0.0.1 and
driven through Debian's Chromium.

Chromium comes from the system (``apt-get install chromium``), never from a Playwright download.
Without it the browser tests skip, except under ``CI=true``, where they fail: CI installs it.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from urllib.parse import urlsplit

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def chromium_path() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def base_url(real_site):
    handler = functools.partial(_QuietHandler, directory=str(real_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # A short poll: shutdown() waits until serve_forever notices, 0.5 s by default.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


# Module scope, not session: Playwright's sync API keeps an event loop running in this thread while
# the browser lives, and later tests (the link checker's) need to start loops of their own.
@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing under CI=true: .ci/run must install Debian's chromium")
        pytest.skip("Chromium not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield instance
        instance.close()


class Watch:
    """Console errors and every request a page makes, to assert none leaves 127.0.0.1."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("request", self._request)

    def _request(self, request) -> None:
        host = urlsplit(request.url).hostname
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if host != "127.0.0.1":
            self.foreign.append(request.url)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.watch = Watch(page)
    yield page
    context.close()
    assert page.watch.foreign == [], "requests left localhost"
    assert page.watch.errors == [], "console errors"


# The explorer draws results in batches ("show more", or scrolling near the end): every result's id,
# after pressing "show more" until none is left (in the page, so no batch drawn on scroll races it).
EXPAND_ALL = """() => {
  for (let more; (more = document.querySelector("#atlas-results button.atlas-more")); ) more.click();
  return Array.from(document.querySelectorAll(".atlas-result"), (n) => n.dataset.id);
}"""


def all_result_ids(page) -> list[str]:
    return page.evaluate(EXPAND_ALL)
