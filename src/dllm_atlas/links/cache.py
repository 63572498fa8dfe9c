"""The results cache: a JSON file of earlier verdicts with their time, reused within ``--max-age``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from ..fsutil import write_atomic
from .checker import CLASSES, Result

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """'90s', '30m', '12h', '1d', '2w' → seconds."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"not a duration: {text!r} (write e.g. 30m, 12h, 1d, 2w)")
    return float(match.group(1)) * _UNITS[match.group(2)]


def load_cache(path: Path | None) -> dict[str, Result]:
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            url: Result(url, r["class"], r.get("status"), r.get("target"), r.get("error"), float(r["checked_at"]), True)
            for url, r in data.get("results", {}).items()
            if r.get("class") in CLASSES
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # a damaged cache is only a slower run


def save_cache(path: Path, results: Iterable[Result]) -> None:
    data = {
        "version": 1,
        "results": {
            r.url: {
                "class": r.klass,
                "status": r.status,
                "target": r.target,
                "error": r.error,
                "checked_at": r.checked_at,
            }
            for r in sorted(results, key=lambda r: r.url)
        },
    }
    write_atomic(path, json.dumps(data, indent=1, sort_keys=True) + "\n")
