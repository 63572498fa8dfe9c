"""Sharing and discovery: what entry pages tell link previews and search engines.

* :func:`card` is the OpenGraph/Twitter card of an entry page, plain text the theme escapes
  (``templates/theme/main.html`` writes ``og:*`` and ``twitter:*`` meta tags from the page's
  ``atlas_card`` front matter);
* :func:`json_ld` is its schema.org ``ScholarlyArticle`` record, already safe to print inside a
  ``<script type="application/ld+json">`` element (``atlas_jsonld`` front matter; MkDocs does not
  autoescape theme templates, so the escaping happens here, once).

Per-topic Atom feeds are rendered by ``site.render_pages`` through the same template as the global
feed (``templates/site/feed.xml.j2``); :func:`topic_feed_path` names their files.
"""

from __future__ import annotations

import json
from typing import Any

from .load import LoadedEntry

# What search engines and previews show: the summary is cut at a word within this many characters.
CARD_DESCRIPTION = 120
# Characters that could end the script element or start markup (and the two line separators that
# older JavaScript parsers refuse in strings), as JSON escapes: the value is the same JSON.
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_ARTICLE_KINDS = ("paper", "article", "benchmark")


def topic_feed_path(topic_slug: str) -> str:
    """The topic's Atom feed, relative to the docs folder (``feed-<topic>.xml``). At the top, beside
    ``feed.xml``, on purpose: Material's instant navigation fetches ``sitemap.xml`` relative to every
    ``link rel=alternate`` of a page, so a feed in a folder would cost a 404 on every topic page."""
    return f"feed-{topic_slug}.xml"


def _shorten(text: str, limit: int = CARD_DESCRIPTION) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def card(item: LoadedEntry) -> dict[str, str]:
    """The entry's link-preview card: title and a short description, plain text."""
    entry = item.entry
    return {"title": entry.heading(), "description": _shorten(entry.summary or entry.title)}


def script_json(data: Any) -> str:
    """Compact JSON that cannot end or escape the ``<script>`` element holding it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in _SCRIPT_ESCAPES.items():
        text = text.replace(char, escape)
    return text


def json_ld(item: LoadedEntry) -> str | None:
    """The entry's schema.org ``ScholarlyArticle`` (papers, articles, benchmarks, and any entry with
    an arXiv id), or None for a model or framework without a paper."""
    entry = item.entry
    arxiv = getattr(entry, "arxiv", None)
    if entry.kind not in _ARTICLE_KINDS and not arxiv:
        return None
    # Lean on purpose: an entry page's budget is 20 KB, and the page's canonical link, its tags and
    # its details table already say the URL, the topics and the venue.
    record: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": entry.title,
        "datePublished": entry.date_text(),
    }
    if entry.authors:
        record["author"] = [{"@type": "Person", "name": name} for name in entry.authors]
    if arxiv:
        record["sameAs"] = f"https://arxiv.org/abs/{arxiv}"
    return script_json(record)
