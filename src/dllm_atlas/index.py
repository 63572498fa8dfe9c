"""Stage 3, index: what the outputs need to know about the catalog as a whole.

:func:`build_index` takes a loaded, checked catalog and returns an :class:`Index` with

* entries sorted newest first (ties broken by id, so every output is deterministic);
* entries per topic and per area, and models/frameworks apart;
* relations in both directions: ``outgoing[id]`` as written, ``incoming[id]`` as ``(type, source)``
  pairs ("built on by", "extended by", "related to");
* lineages: the chains formed by ``extends`` (LLaDA → LLaDA 1.5 → …), oldest first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .load import Catalog, LoadedEntry, LoadedExclusion
from .models import RELATION_TYPES, Area, Taxonomy

INVERSE_NAMES = {"builds_on": "built on by", "extends": "extended by", "related": "related to"}
FORWARD_NAMES = {"builds_on": "builds on", "extends": "extends", "related": "related to"}


@dataclass
class Index:
    taxonomy: Taxonomy
    entries: list[LoadedEntry]
    by_id: dict[str, LoadedEntry]
    by_topic: dict[str, list[LoadedEntry]]
    by_area: dict[str, list[LoadedEntry]]
    outgoing: dict[str, list[tuple[str, str]]]
    incoming: dict[str, list[tuple[str, str]]]
    lineages: list[list[LoadedEntry]] = field(default_factory=list)
    # Papers judged out of scope (catalog/exclusions.yaml), by arXiv id.
    exclusions: list[LoadedExclusion] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[LoadedEntry]:
        return [item for item in self.entries if item.entry.kind in kinds]

    def area_of(self, topic: str) -> Area:
        return self.taxonomy.topic_area()[topic]


def _newest_first(items: list[LoadedEntry]) -> list[LoadedEntry]:
    return sorted(sorted(items, key=lambda item: item.id), key=lambda item: item.entry.date, reverse=True)


def _lineages(by_id: dict[str, LoadedEntry]) -> list[list[LoadedEntry]]:
    """Chains of ``extends``: start at entries nothing extends, walk to the oldest ancestor."""
    extended = {target for item in by_id.values() for target in item.entry.relations.extends}
    chains = []
    for item in sorted(by_id.values(), key=lambda i: i.id):
        if item.id in extended or not item.entry.relations.extends:
            continue
        chain, seen, current = [item], {item.id}, item
        while current.entry.relations.extends:
            parent_id = current.entry.relations.extends[0]
            if parent_id in seen or parent_id not in by_id:
                break
            current = by_id[parent_id]
            seen.add(parent_id)
            chain.append(current)
        chains.append(list(reversed(chain)))
    return sorted(chains, key=lambda chain: (chain[0].entry.date, chain[0].id))


def build_index(catalog: Catalog) -> Index:
    if catalog.taxonomy is None:
        raise ValueError("cannot index a catalog without a valid taxonomy")
    by_id = dict(sorted(catalog.entries.items()))
    entries = _newest_first(list(by_id.values()))
    topic_area = catalog.taxonomy.topic_area()
    by_topic: dict[str, list[LoadedEntry]] = defaultdict(list)
    by_area: dict[str, list[LoadedEntry]] = defaultdict(list)
    outgoing: dict[str, list[tuple[str, str]]] = defaultdict(list)
    incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for item in entries:
        areas_seen: set[str] = set()
        for topic in item.entry.topics:
            by_topic[topic].append(item)
            area = topic_area.get(topic)
            if area and area.slug not in areas_seen:
                areas_seen.add(area.slug)
                by_area[area.slug].append(item)
        for rel in RELATION_TYPES:
            for target in getattr(item.entry.relations, rel):
                if target in by_id:
                    outgoing[item.id].append((rel, target))
                    incoming[target].append((rel, item.id))
    for key in incoming:
        incoming[key].sort()
    return Index(
        taxonomy=catalog.taxonomy,
        entries=entries,
        by_id=by_id,
        by_topic=dict(by_topic),
        by_area=dict(by_area),
        outgoing=dict(outgoing),
        incoming=dict(incoming),
        lineages=_lineages(by_id),
        exclusions=sorted(catalog.exclusions.values(), key=lambda x: x.exclusion.arxiv),
    )


def entry_record(item: LoadedEntry, url: str | None = None) -> dict[str, Any]:
    """One entry as plain JSON-ready data: the schema fields plus ``id`` (and ``url`` once known)."""
    record: dict[str, Any] = {"id": item.id}
    record.update(item.entry.model_dump(mode="json"))
    if url is not None:
        record["url"] = url
    return record
