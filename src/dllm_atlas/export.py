"""Output: the whole validated catalog as one JSON document.

``dllm-atlas export json [-o FILE]`` prints (or atomically writes)::

    {"taxonomy": {"areas": [...]}, "entries": [{"id": ..., "kind": ..., "title": ..., ...}, ...]}

Entries come newest first, each with every schema field under its schema name plus ``id`` and
``url``, the path of its page on the site (``entries/<id>/``, relative to the site root). The site
publishes the same document as ``catalog.json``. Third-party tools and our own checks read it, so
its shape only grows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .index import Index, entry_record


def catalog_document(index: Index, url_for: Callable[[str], str] | None = None) -> dict[str, Any]:
    return {
        "taxonomy": index.taxonomy.model_dump(mode="json"),
        "entries": [entry_record(item, url_for(item.id) if url_for else None) for item in index.entries],
    }


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
