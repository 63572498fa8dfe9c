"""Renderings kept between generations of the site, so ``serve`` redoes only what an edit touches.

``serve`` keeps one :class:`Memo` for its whole session and hands it to every generation::

    memo = Memo()
    site.generate(index, env, settings, memo=memo)   # the first run renders every page
    # ... a contributor edits one entry; the catalog is loaded again (load.LoadCache) ...
    site.generate(index, env, settings, memo=memo)   # renders that entry's page, its neighbours'
                                                     # pages and the listings that show what changed

Every rendering is stored under a key naming everything it shows: for an entry page, the digests of
its own file and of each entry it links to; for a listing, the listed fields (id, title, short name,
date, kind) of its entries; for a fragment of an export, the entry's digest. Keys live inside a
*context* (the templates' files, the taxonomy, the site settings, the intro): a new context starts
from nothing. ``tests/test_memo.py`` edits every field of every kind and checks that a generation
with the memo equals one without it, so a key that misses an input fails there.

``build``, ``readme`` and ``export`` never use a memo: their outputs are always made from nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
_MISSING = object()


class Memo:
    """Computed values by key, for one context at a time; values no generation asked for are
    dropped at its end, so the memo holds one site's worth at most."""

    def __init__(self) -> None:
        self._values: dict[Hashable, object] = {}
        self._used: set[Hashable] = set()
        self._context: Hashable = None
        # The text last found or written at each generated path (see site.write_pages).
        self.on_disk: dict[str, str] = {}
        # The files the last generation wrote, each with the text it replaced (site.write_pages):
        # what serve renders again.
        self.changed: dict[str, str | None] = {}
        # Whether the last generation left the drawings as they were (site.generate's ``defer``).
        self.deferred = False
        self.hits = 0
        self.misses = 0

    def begin(self, context: Hashable) -> None:
        """Start a generation in ``context``; a different context than the last forgets all."""
        if context != self._context:
            self._values.clear()
            self.on_disk.clear()
            self._context = context
        self._used = set()
        self.changed = {}
        self.hits = self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value stored under ``key``, computed (and stored) the first time it is asked for."""
        # Keys are nested tuples, whose hash Python does not keep: hashed twice, not three times.
        self._used.add(key)
        value = self._values.get(key, _MISSING)
        if value is not _MISSING:
            self.hits += 1
            return value  # type: ignore[return-value]
        self.misses += 1
        value = self._values[key] = compute()
        return value

    def holds(self, key: Hashable) -> bool:
        """Whether a value is stored under ``key`` (from this generation or the last)."""
        return key in self._values

    def end(self) -> None:
        """Finish a generation: forget the values it did not use."""
        for key in self._values.keys() - self._used:
            del self._values[key]


def compute(key: Hashable, compute: Callable[[], T]) -> T:
    """What :meth:`Memo.get` does without a memo: compute, every time."""
    return compute()
