"""Links in a list entry: found in every Markdown and HTML form, classified, and the paper chosen.

:func:`find_links` returns the entry's :class:`Link`\\ s in order of appearance from inline links
(``[label](url)``, ``[[Paper]](url)``, ``[[Paper](url)]``), reference-style links (``[label][ref]``,
``[label][]``, ``[label]`` with a ``[ref]: url`` definition anywhere in the list), HTML anchors, and
bare URLs. A link whose label is an image is a *badge* (``[![arXiv](shields…)](https://arxiv.org/…)``):
its target counts, its image URL never does (shields.io URLs often spell an id or a date).

:func:`classify` names a link's kind from its host first, then its label: ``paper`` (arXiv in every
form, alphaXiv, OpenReview, ACL Anthology, Hugging Face papers, proceedings, DOIs), ``code``
(GitHub, GitLab, Codeberg), ``huggingface`` (models, datasets, spaces), ``project``, ``blog``,
``demo``, ``video``. :func:`paper_link` picks the entry's paper link (arXiv first) and
:func:`arxiv_of` its arXiv id, only ever from a paper link, so a code repository or a badge image
that mentions an id cannot lend it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .. import arxivid

_IMAGE_MD = re.compile(r"!\[([^\]]*)\]\(\s*<?[^()\s<>]*(?:\([^()\s]*\))?[^()\s<>]*>?(?:\s+\"[^\"]*\")?\s*\)")
# Bounded repeats throughout: a list is untrusted text, and "<a href=" repeated without a ">" must
# not cost quadratic (or worse) time.
_IMG_TAG = re.compile(r"<img\b[^>]{0,2000}>", re.I)
_ALT = re.compile(r"\balt\s*=\s*[\"']([^\"']*)[\"']", re.I)
_LABEL = r"((?:[^\[\]]|\[(?:[^\[\]]|\[[^\[\]]*\])*\])*)"
_URL = r"<?([^()\s<>]+(?:\([^()\s]*\))?[^()\s<>]*)>?"
MD_LINK = re.compile(rf"\[{_LABEL}\]\(\s*{_URL}(?:\s+\"[^\"]*\")?\s*\)")
REF_LINK = re.compile(rf"\[{_LABEL}\](?:\[([^\]]*)\])?(?![(:])")
REF_DEFINITION = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+[\"'(].*)?\s*$")
HTML_LINK = re.compile(
    r"<a\s[^>]{0,500}?href\s*=\s*[\"']([^\"'<>]{1,2000})[\"'][^>]{0,2000}>((?:[^<]|<(?!/?a[\s>])){0,4000}?)</a>",
    re.I | re.S,
)
_BARE_URL = re.compile(r"(?<![(\"'<=\w/])https?://[^\s<>()\[\]\"'|]+[^\s<>()\[\]\"'|.,;:!?*_]")
_IMAGE_HOSTS = ("img.shields.io", "badgen.net", "badge.fury.io", "camo.githubusercontent.com")
_PAPER_HOSTS = (
    "openreview.net",
    "aclanthology.org",
    "proceedings",
    "neurips.cc",
    "nips.cc",
    "mlr.press",
    "techrxiv",
    "doi.org",
    "dl.acm.org",
    "ieeexplore",
    "semanticscholar.org",
    "ojs.aaai.org",
    "ijcai.org",
    "thecvf.com",
    "biorxiv.org",
    "ssrn.com",
    "researchgate.net",
    "papers.cool",
)
_BLOG_HOSTS = ("medium.com", "substack.com", "notion.site", "notion.so", "blog", "x.com", "twitter.com")


@dataclass(frozen=True)
class Link:
    label: str  # plain text of the label (a badge's alt text)
    url: str
    badge: bool = False  # the label is an image
    position: int = 0  # where it starts in the text it was found in


def _image_alts(text: str) -> str:
    """Images → their alt text, so a badge label reads as the words it shows."""
    text = _IMAGE_MD.sub(lambda m: m.group(1), text)
    return _IMG_TAG.sub(lambda m: alt.group(1) if (alt := _ALT.search(m.group(0))) else "", text)


def _has_image(label: str) -> bool:
    return bool(_IMAGE_MD.search(label) or _IMG_TAG.search(label))


def plain(text: str) -> str:
    """Markdown/HTML inline text → plain text (links → labels, images → alt text, no markup)."""
    text = _image_alts(text)
    text = MD_LINK.sub(lambda m: m.group(1), text)
    text = HTML_LINK.sub(lambda m: m.group(2), text)
    text = re.sub(r"<[^<>]{1,2000}>", " ", text)
    text = re.sub(r"(\*\*|__|~~|`|(?<!\w)[*_](?!\s)|(?<!\s)[*_](?!\w))", "", text)
    # Markdown escapes ("\_", "\|") lose their backslash; a hard-break backslash at a line end goes; TeX keeps its own
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|&])", r"\1", html.unescape(text))
    text = re.sub(r"\\$", " ", text, flags=re.M)
    return " ".join(text.split())


def _clean_url(url: str) -> str | None:
    url = html.unescape(url.strip()).replace("\\&", "&").replace("\\_", "_")
    if not url.startswith(("http://", "https://")):
        return None
    host = (urlsplit(url).hostname or "").lower()
    if any(host.endswith(h) for h in _IMAGE_HOSTS) or re.search(r"\.(png|jpe?g|gif|svg|webp)(\?|$)", url, re.I):
        return None
    return url


def find_links(text: str, references: dict[str, str] | None = None) -> list[Link]:
    """Every link in ``text`` with a usable http(s) target, in order (image targets left out)."""
    found: list[Link] = []
    taken = bytearray(len(text) + 1)  # 1 where a link already found covers the text (no nested finds)

    def add(start: int, end: int, raw_label: str, url: str) -> None:
        taken[start:end] = b"\x01" * (end - start)
        clean = _clean_url(url)
        if clean:
            found.append(Link(plain(raw_label).strip("[] "), clean, _has_image(raw_label), start))

    for m in HTML_LINK.finditer(text):
        add(m.start(), m.end(), m.group(2), m.group(1))
    masked = HTML_LINK.sub(lambda m: " " * len(m.group(0)), text)
    masked = _IMAGE_MD.sub(lambda m: "!" + m.group(1).join("[]").ljust(len(m.group(0)) - 1), masked)
    for m in MD_LINK.finditer(masked):
        if not taken[m.start()]:
            # the label as written (with its images), the URL from the text
            add(m.start(), m.end(), text[m.start(1) : m.end(1)], m.group(2))
    if references:
        for m in REF_LINK.finditer(masked):
            key = (m.group(2) or m.group(1)).strip().lower()
            if not taken[m.start()] and key in references:
                add(m.start(), m.end(), text[m.start(1) : m.end(1)], references[key])
    for m in _BARE_URL.finditer(text):
        if not taken[m.start()]:
            add(m.start(), m.end(), "", m.group(0))
    return sorted(found, key=lambda link: link.position)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def classify(link: Link) -> str | None:
    """The link's kind (paper, code, huggingface, project, blog, demo, video), or None if unknown."""
    host, low, path = _host(link.url), link.label.lower(), urlsplit(link.url).path.lower()
    if arxivid.find_in_url(link.url) or "alphaxiv.org" in host:
        return "paper"
    if "huggingface.co" in host:
        return "paper" if path.startswith("/papers/") else "huggingface"
    if host in ("github.com", "www.github.com", "gitlab.com", "codeberg.org"):
        return "code"
    if any(k in host for k in _PAPER_HOSTS):
        return "paper"
    if "youtube.com" in host or "youtu.be" in host or "video" in low:
        return "video"
    if "demo" in low or "playground" in low:
        return "demo"
    if any(k in low for k in ("blog", "post", "notion", "tweet")) or any(k in host for k in _BLOG_HOSTS):
        return "blog"
    if "code" in low or "github" in low:
        return "project"
    if host.endswith("github.io") or any(k in low for k in ("project", "page", "website", "homepage")):
        return "project"
    if low in ("paper", "pdf"):
        return "paper"
    return None


def _paper_rank(link: Link) -> int:
    if arxivid.find_in_url(link.url):
        return 0
    host = _host(link.url)
    if "huggingface.co" in host or "alphaxiv.org" in host:
        return 1
    return 2


def paper_link(links: list[Link]) -> Link | None:
    """The entry's paper: its arXiv link if it has one, else alphaXiv/HF papers, else a venue's page."""
    papers = [link for link in links if classify(link) == "paper"]
    return min(papers, key=_paper_rank) if papers else None


def arxiv_of(link: Link | None) -> str | None:
    """The canonical arXiv id of a paper link (arXiv, alphaXiv or Hugging Face papers), or None."""
    if link is None:
        return None
    found = arxivid.find_in_url(link.url)
    if found:
        return found
    match = re.search(rf"(?:alphaxiv\.org/(?:abs|overview)|huggingface\.co/papers)/({arxivid.ID})", link.url, re.I)
    return arxivid.canonical_id(match.group(1)) if match else None
