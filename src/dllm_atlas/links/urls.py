"""Which URLs the catalog holds, and where: each URL once, with every entry field that carries it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the loader (pydantic, the models) is the caller's: checking URLs needs none of it
    from ..load import LoadedEntry


@dataclass(frozen=True)
class Where:
    """An entry field that holds a URL, with the line and column of its value's key."""

    file: str
    field: str
    line: int
    column: int = 1


def collect_urls(entries: Iterable[LoadedEntry]) -> dict[str, list[Where]]:
    """Every URL of the catalog, in URL order, with the entry fields that hold it."""
    found: dict[str, list[Where]] = defaultdict(list)
    for item in entries:
        for name, url in item.entry.links.items_present():
            line, column = item.where("links", name)
            found[url].append(Where(item.display_path, f"links.{name}", line, column))
    return dict(sorted(found.items()))
