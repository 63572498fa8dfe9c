"""What a run tells people: progress while it runs, then the report as text, JSON or Markdown.

The Markdown report (the weekly issue, the job summary) is ``templates/link_report.md.j2`` laid out
from :data:`SECTIONS`; the text report is one ``file:line:column: field: class (detail) url`` line
per problem and place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlsplit

from .checker import CLASSES, Result
from .urls import Where

if TYPE_CHECKING:  # the caller's environment: checking needs no Jinja2
    from jinja2 import Environment

# (class, heading, what to do), in the order the Markdown report shows them.
SECTIONS = (
    ("broken", "Broken", "Gone (404 or 410): fix or remove these."),
    ("redirected", "Moved", "They still work, but the catalog should carry the new address."),
    ("blocked", "Blocked", "The server refused us (401, 403, persistent 429). Not a verdict of death: check by hand."),
    (
        "unreachable",
        "Unreachable",
        "The host name did not resolve or the connection failed: the host may be gone, or it was down. Check by hand.",
    ),
    ("error", "Errors", "Timeouts, TLS failures, resets, redirect loops and other statuses: usually transient."),
)


class Progress:
    """A bar on a terminal, a plain line every 10% elsewhere (CI logs)."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.stream, self.done = total, stream, 0
        self.tty = stream.isatty()
        self.next_mark = 0.1

    def __call__(self, result: Result) -> None:
        self.done += 1
        fraction = self.done / max(self.total, 1)
        if self.tty:
            bar = "#" * int(fraction * 30)
            self.stream.write(f"\r[{bar:<30}] {self.done}/{self.total}")
            if self.done == self.total:
                self.stream.write("\n")
            self.stream.flush()
        elif fraction >= self.next_mark or self.done == self.total:
            self.stream.write(f"checked {self.done}/{self.total} URLs\n")
            self.next_mark = fraction + 0.1


# Exit codes of check-links: 1 for broken links; NETWORK_DOWN when the run could not judge them.
BROKEN = 1
NETWORK_DOWN = 3
# Most hosts unreachable means our network, not theirs: at least this share of the hosts checked
# (not from the cache), and at least MIN_HOSTS of them.
DOWN_SHARE = 0.5
MIN_HOSTS = 3


def network_down(results: Iterable[Result]) -> tuple[int, int] | None:
    """(unreachable hosts, hosts checked) when most hosts checked in this run failed to resolve or
    connect, else None. A host counts as unreachable when none of its URLs got an answer."""
    answered: dict[str, bool] = {}
    for r in results:
        if r.cached:
            continue
        host = (urlsplit(r.url).hostname or "").lower()
        answered[host] = answered.get(host, False) or r.klass != "unreachable"
    down = sum(not ok for ok in answered.values())
    if len(answered) >= MIN_HOSTS and down >= DOWN_SHARE * len(answered):
        return down, len(answered)
    return None


def exit_code(results: list[Result]) -> int:
    if network_down(results):
        return NETWORK_DOWN
    return BROKEN if any(r.klass == "broken" for r in results) else 0


def summary_counts(results: Iterable[Result]) -> dict[str, int]:
    counts = dict.fromkeys(CLASSES, 0)
    for r in results:
        counts[r.klass] += 1
    return counts


def summary_line(results: list[Result]) -> str:
    parts = ", ".join(f"{n} {k}" for k, n in summary_counts(results).items())
    return f"{len(results)} URLs: {parts} ({sum(r.cached for r in results)} from cache)"


def records(results: list[Result], urls: dict[str, list[Where]]) -> list[dict[str, Any]]:
    """The JSON report: each result with every place that holds its URL."""
    return [r.record(urls[r.url]) for r in results]


def text_lines(results: list[Result], urls: dict[str, list[Where]]) -> list[str]:
    """One line per problem and place: file:line:column: field: class (detail) url."""
    lines = []
    for r in results:
        if r.klass == "ok":
            continue
        detail = f"{r.status}" if r.status else ""
        if r.error and not (r.status and r.error == f"HTTP {r.status}"):
            detail = f"{detail} {r.error}".strip()
        if r.klass == "redirected":
            detail = f"now at {r.target}"
        for where in urls[r.url]:
            lines.append(f"{where.file}:{where.line}:{where.column}: {where.field}: {r.klass} ({detail}) {r.url}")
    return lines


def markdown(results: list[Result], urls: dict[str, list[Where]], env: Environment) -> str:
    return (
        env.get_template("link_report.md.j2")
        .render(
            total=len(results),
            cached=sum(r.cached for r in results),
            counts=summary_counts(results),
            sections=SECTIONS,
            results=results,
            places=urls,
        )
        .rstrip()
    )
