"""A stand-in arXiv API on 127.0.0.1 for ``discover`` and ``refresh``, answering as arXiv does.

Feeds have the real layout of ``export.arxiv.org/api/query`` answers: the ``self`` link, an
``ArXiv Query`` title, ``opensearch:totalResults``/``startIndex``/``itemsPerPage``, entries with
versioned ids (``…/abs/2601.00001v2``), titles and abstracts wrapped over several lines with the
indentation arXiv leaves in them, ``arxiv:`` comment, journal reference and categories. Search
queries page by ``start``/``max_results`` over the papers newest first and answer past the end with
an empty page; ``id_list`` queries answer the papers asked for, and a title-less entry for an
unknown id. ``script`` makes the n-th request (1-based) fail: ``"error"`` (arXiv's error feed),
``"503"``, ``"empty"`` (an empty feed although results remain) or ``"drop"`` (the connection
closed without an answer).
"""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlsplit
from xml.sax.saxutils import escape


@dataclass
class Paper:
    id: str
    title: str
    abstract: str = "We study diffusion language models."
    authors: list[str] = field(default_factory=lambda: ["Ada One", "Bo Two"])
    published: dt.date = dt.date(2026, 1, 15)
    version: int = 2
    comment: str | None = None
    journal_ref: str | None = None
    categories: tuple[str, ...] = ("cs.CL", "cs.LG")


def _wrap(text: str, indent: str) -> str:
    # arXiv wraps long titles and abstracts, leaving a newline and indentation inside the text.
    return ("\n" + indent).join(textwrap.wrap(escape(text), 60)) or ""


def atom_entry(paper: Paper) -> str:
    stamp = f"{paper.published.isoformat()}T17:59:{paper.version:02d}Z"
    authors = "".join(f"\n    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in paper.authors)
    extra = ""
    if paper.comment:
        extra += (
            f'\n    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">{escape(paper.comment)}</arxiv:comment>'
        )
    if paper.journal_ref:
        extra += (
            f'\n    <arxiv:journal_ref xmlns:arxiv="http://arxiv.org/schemas/atom">{escape(paper.journal_ref)}'
            "</arxiv:journal_ref>"
        )
    categories = "".join(
        f'\n    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>' for c in paper.categories
    )
    vid = f"{paper.id}v{paper.version}"
    return f"""  <entry>
    <id>http://arxiv.org/abs/{vid}</id>
    <updated>{stamp}</updated>
    <published>{stamp}</published>
    <title>{_wrap(paper.title, "  ")}</title>
    <summary>  {_wrap(paper.abstract, "")}
</summary>{authors}{extra}
    <link href="http://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{vid}" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="{paper.categories[0]}" scheme="http://arxiv.org/schemas/atom"/>{categories}
  </entry>
"""


def atom_feed(entries: list[str], query: str, total: int, start: int, per_page: int) -> str:
    self_href = escape(f"http://arxiv.org/api/query?{query}")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="{self_href}" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: {escape(query)}</title>
  <id>http://arxiv.org/api/Yk1TVq3T9pwqzGgOxpZ6V3xmQ2M</id>
  <updated>2026-12-01T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{start}</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{per_page}</opensearch:itemsPerPage>
{"".join(entries)}</feed>
"""


ERROR_ENTRY = """  <entry>
    <id>http://arxiv.org/api/errors#max_results_must_be_non-negative</id>
    <title>Error</title>
    <summary>max_results must be non-negative</summary>
    <updated>2026-12-01T00:00:00-05:00</updated>
    <link href="http://arxiv.org/api/errors#max_results_must_be_non-negative" rel="alternate" type="text/html"/>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>
"""


@dataclass
class Seen:
    """What the stand-in was asked: each request's query parameters and User-Agent."""

    params: list[dict[str, str]] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)


@contextmanager
def arxiv_api(papers: list[Paper], script: dict[int, str] | None = None) -> Iterator[tuple[str, Seen]]:
    """Serve ``papers`` (sorted newest first for searches); yields the API URL and what was asked."""
    ordered = sorted(papers, key=lambda p: (p.published, p.id), reverse=True)
    by_id = {p.id: p for p in papers}
    seen = Seen()
    lock = threading.Lock()
    plan = dict(script or {})

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            raw_query = urlsplit(self.path).query
            params = {k: v[0] for k, v in parse_qs(raw_query).items()}
            with lock:
                seen.params.append(params)
                seen.agents.append(self.headers.get("User-Agent", ""))
                failure = plan.get(len(seen.params))
            start, per_page = int(params.get("start", "0")), int(params.get("max_results", "10"))
            if failure == "drop":
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if failure == "503":
                self.send_response(503)
                self.send_header("Retry-After", "7")
                self.end_headers()
                return
            if failure == "error":
                body = atom_feed([ERROR_ENTRY], raw_query, 1, 0, 1)
            elif "id_list" in params:
                ids = params["id_list"].split(",")
                entries = [
                    atom_entry(by_id[i])
                    if i in by_id
                    else f"  <entry><id>http://arxiv.org/api/{quote(i)}</id></entry>\n"
                    for i in ids
                ]
                body = atom_feed(entries, raw_query, len(ids), 0, len(ids))
            else:
                page = [] if failure == "empty" else ordered[start : start + per_page]
                body = atom_feed([atom_entry(p) for p in page], raw_query, len(ordered), start, len(page))
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/query", seen
    finally:
        server.shutdown()
        server.server_close()
