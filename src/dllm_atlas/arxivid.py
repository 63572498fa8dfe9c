"""arXiv identifiers, written once: the patterns and functions every stage uses.

New-style ids are ``YYMM.NNNNN`` (four or five digits after the dot); old-style ids are
``archive[.XX]/YYMMNNN`` (``math/0601001``, ``cs.CL/0112017``). An id is canonical without a
version; links to a paper are canonical as ``https://arxiv.org/abs/<id>``.

* :func:`canonical_id` — the id in anything people write: ``2502.09992v3``, ``arXiv:2502.09992``,
  ``https://www.arxiv.org/pdf/2502.09992v2.pdf``, ``export.arxiv.org/abs/cs/0112017``;
* :func:`parse_url` — an arXiv URL's page type, id and version (None for other URLs);
* :func:`find_in_text` — the first id in free text ("arXiv:2502.09992", or a link);
* :func:`month_of` — the year and month a new-style id was announced in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The arXiv API (here, not in arxiv.py, so the CLI can name it without importing httpx).
API_URL = "https://export.arxiv.org/api/query"
NEW_ID = r"[0-9]{4}\.[0-9]{4,5}"  # ASCII digits only: "\d" also matches "２" or "٢"
OLD_ID = r"[a-zA-Z][a-zA-Z-]*(?:\.[A-Z]{2})?/[0-9]{7}"
ID = rf"(?:{NEW_ID}|{OLD_ID})"
# For the schema: a canonical id, nothing around it (old-style archives are lowercase).
CANONICAL_PATTERN = rf"^(?:{NEW_ID}|[a-z][a-z-]*(?:\.[A-Z]{{2}})?/[0-9]{{7}})$"

_HOST = r"(?:https?://)?(?:www\.|export\.|web3\.)?arxiv\.org"
_URL = re.compile(rf"^{_HOST}/(abs|pdf|html)/({ID})(v[0-9]+)?(\.pdf)?/?(?:[?#].*)?$", re.I)
_URL_ANYWHERE = re.compile(rf"{_HOST}/(?:abs|pdf|html)/({ID})(?:v[0-9]+)?", re.I)
_PREFIXED = re.compile(rf"^(?:arxiv:\s*)?({ID})(?:v[0-9]+)?$", re.I)
_IN_TEXT = re.compile(rf"\barxiv[:\s]\s*({ID})(?:v[0-9]+)?", re.I)
_NEW = re.compile(rf"^({NEW_ID})$")


@dataclass(frozen=True)
class ArxivUrl:
    page: str  # abs, pdf or html
    id: str  # canonical, without version
    version: str | None  # "v2", or None

    @property
    def canonical(self) -> str:
        return abs_url(self.id)


def _canonical(found: str) -> str:
    if _NEW.match(found):
        return found
    archive, number = found.split("/", 1)
    if "." in archive:
        name, sub = archive.split(".", 1)
        return f"{name.lower()}.{sub.upper()}/{number}"
    return f"{archive.lower()}/{number}"


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def parse_url(url: str) -> ArxivUrl | None:
    """The parts of an arXiv paper URL, or None if ``url`` is not one."""
    match = _URL.match(url.strip())
    if not match:
        return None
    return ArxivUrl(match.group(1).lower(), _canonical(match.group(2)), match.group(3))


def canonical_id(text: str) -> str:
    """The canonical arXiv id in ``text`` (an id, ``arXiv:`` id or arXiv URL); ValueError if none."""
    stripped = text.strip()
    parsed = parse_url(stripped)
    if parsed is not None:
        return parsed.id
    match = _PREFIXED.match(stripped)
    if not match:
        raise ValueError(f"not an arXiv id or arXiv URL: {text!r}")
    return _canonical(match.group(1))


def find_in_url(url: str) -> str | None:
    """The id of an arXiv link found anywhere in ``url`` (proxies and odd prefixes included)."""
    match = _URL_ANYWHERE.search(url)
    return _canonical(match.group(1)) if match else None


def find_in_text(text: str) -> str | None:
    """The first id written as ``arXiv:ID`` / ``arXiv ID`` or as an arXiv link in ``text``."""
    candidates = [m for m in (_IN_TEXT.search(text), _URL_ANYWHERE.search(text)) if m]
    if not candidates:
        return None
    return _canonical(min(candidates, key=lambda m: m.start()).group(1))


def month_of(arxiv_id: str) -> tuple[int, int] | None:
    """(year, month) of a new-style id; None for old-style ids or a month that cannot be."""
    match = _NEW.match(arxiv_id)
    if not match:
        return None
    year, month = 2000 + int(arxiv_id[:2]), int(arxiv_id[2:4])
    return (year, month) if 1 <= month <= 12 else None


def is_new_style(arxiv_id: str) -> bool:
    return bool(_NEW.match(arxiv_id))
