"""Stage 3, index: what the outputs need to know about the catalog as a whole.

:func:`build_index` takes a loaded, checked catalog and returns an :class:`Index` with

* entries sorted newest first (ties broken by id, so every output is deterministic);
* entries per topic, each entry's areas and its primary area (the area of its first topic), the
  count of entries per kind and the years they span;
* relations in both directions: ``outgoing[id]`` as written, ``incoming[id]`` as ``(type, source)``
  pairs, and ``relation_groups[id]``, the same grouped and labelled for display: outgoing ("builds
  on", "extends"), then ``related`` once whichever side wrote it ("related to"), then incoming
  ("used by", "extended by"), each group flagged ``collapsed`` past ``COLLAPSE_AFTER`` entries;
* lineages: the chains formed by ``extends`` (LLaDA → LLaDA 1.5 → …), oldest first, each with the
  entries that build on any member.

Templates lay these out; they compute nothing of their own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from .load import Catalog, LoadedEntry, LoadedExclusion
from .models import ENTRY_CLASSES, RELATION_TYPES, Area, Taxonomy

# How an entry page labels its relations. Outgoing ones are as the entry's file writes them; incoming
# ones are the same relations seen from their target. `related` has no direction: it is shown once,
# as "related to", whichever file wrote it.
OUTGOING_NAMES = {"builds_on": "builds on", "extends": "extends"}
INCOMING_NAMES = {"builds_on": "used by", "extends": "extended by"}
MUTUAL_NAMES = {"related": "related to"}
# Lists longer than this fold into a <details> element on the entry page.
COLLAPSE_AFTER = 8


@dataclass(frozen=True)
class RelationGroup:
    """The entries one relation type links to an entry, in one direction, labelled for display."""

    key: str  # "builds_on", or "builds_on-inverse" for the entries that build on this one
    label: str
    direction: Literal["outgoing", "mutual", "incoming"]
    entries: list[LoadedEntry]

    @property
    def collapsed(self) -> bool:
        """Whether the list is long enough to fold away (more than ``COLLAPSE_AFTER`` entries)."""
        return len(self.entries) > COLLAPSE_AFTER


@dataclass(frozen=True)
class Lineage:
    """A family: its ``extends`` chain, oldest first, and the other entries that build on it."""

    members: list[LoadedEntry]
    built_on_by: list[LoadedEntry]


@dataclass
class Index:
    taxonomy: Taxonomy
    entries: list[LoadedEntry]
    by_id: dict[str, LoadedEntry]
    by_topic: dict[str, list[LoadedEntry]]
    outgoing: dict[str, list[tuple[str, str]]]
    incoming: dict[str, list[tuple[str, str]]]
    relation_groups: dict[str, list[RelationGroup]] = field(default_factory=dict)
    lineages: list[Lineage] = field(default_factory=list)
    areas_of: dict[str, list[Area]] = field(default_factory=dict)
    primary_area: dict[str, Area] = field(default_factory=dict)
    kind_counts: list[tuple[str, int]] = field(default_factory=list)  # kinds present, in schema order
    years: list[int] = field(default_factory=list)  # newest first
    # Papers judged out of scope (catalog/exclusions.yaml), by arXiv id.
    exclusions: list[LoadedExclusion] = field(default_factory=list)
    # Variant spelling of an author's name → the name shown (catalog/authors.yaml; dllm_atlas.people).
    author_aliases: dict[str, str] = field(default_factory=dict)

    def of_kind(self, *kinds: str) -> list[LoadedEntry]:
        return [item for item in self.entries if item.entry.kind in kinds]


def _newest_first(items: list[LoadedEntry]) -> list[LoadedEntry]:
    return sorted(sorted(items, key=lambda item: item.id), key=lambda item: item.entry.date, reverse=True)


def _chains(by_id: dict[str, LoadedEntry]) -> list[list[LoadedEntry]]:
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


def _lineages(by_id: dict[str, LoadedEntry], incoming: dict[str, list[tuple[str, str]]]) -> list[Lineage]:
    lineages = []
    for chain in _chains(by_id):
        members = {item.id for item in chain}
        builders = {src for item in chain for rel, src in incoming.get(item.id, []) if rel == "builds_on"}
        lineages.append(Lineage(chain, [by_id[src] for src in sorted(builders - members)]))
    return lineages


def _relation_groups(
    outgoing: list[tuple[str, str]], incoming: list[tuple[str, str]], by_id: dict[str, LoadedEntry]
) -> list[RelationGroup]:
    """Outgoing groups, then the mutual one, then incoming groups; each entry once per group."""

    def linked(pairs: list[tuple[str, str]], rel: str) -> list[str]:
        return list(dict.fromkeys(other for kind, other in pairs if kind == rel))

    groups = []
    for rel, label in OUTGOING_NAMES.items():
        if ids := linked(outgoing, rel):
            groups.append(RelationGroup(rel, label, "outgoing", [by_id[i] for i in ids]))
    for rel, label in MUTUAL_NAMES.items():
        if ids := list(dict.fromkeys(linked(outgoing, rel) + linked(incoming, rel))):
            groups.append(RelationGroup(rel, label, "mutual", [by_id[i] for i in ids]))
    for rel, label in INCOMING_NAMES.items():
        if ids := linked(incoming, rel):
            groups.append(RelationGroup(f"{rel}-inverse", label, "incoming", [by_id[i] for i in ids]))
    return groups


def build_index(catalog: Catalog) -> Index:
    if catalog.taxonomy is None:
        raise ValueError("cannot index a catalog without a valid taxonomy")
    by_id = dict(sorted(catalog.entries.items()))
    entries = _newest_first(list(by_id.values()))
    topic_area = catalog.taxonomy.topic_area()
    by_topic: dict[str, list[LoadedEntry]] = defaultdict(list)
    areas_of: dict[str, list[Area]] = {}
    outgoing: dict[str, list[tuple[str, str]]] = defaultdict(list)
    incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for item in entries:
        for topic in item.entry.topics:
            by_topic[topic].append(item)
        areas = [topic_area[t] for t in item.entry.topics if t in topic_area]
        areas_of[item.id] = list({area.slug: area for area in areas}.values())
        for rel in RELATION_TYPES:
            for target in getattr(item.entry.relations, rel):
                if target in by_id:
                    outgoing[item.id].append((rel, target))
                    incoming[target].append((rel, item.id))
    for key in incoming:
        incoming[key].sort()
    kinds = {kind: sum(1 for item in entries if item.entry.kind == kind) for kind in ENTRY_CLASSES}
    return Index(
        taxonomy=catalog.taxonomy,
        entries=entries,
        by_id=by_id,
        by_topic=dict(by_topic),
        outgoing=dict(outgoing),
        incoming=dict(incoming),
        relation_groups={
            item_id: _relation_groups(outgoing.get(item_id, []), incoming.get(item_id, []), by_id) for item_id in by_id
        },
        lineages=_lineages(by_id, incoming),
        areas_of=areas_of,
        primary_area={item_id: areas[0] for item_id, areas in areas_of.items() if areas},
        kind_counts=[(kind, n) for kind, n in kinds.items() if n],
        years=sorted({item.entry.date.year for item in entries}, reverse=True),
        exclusions=sorted(catalog.exclusions.values(), key=lambda x: x.exclusion.arxiv),
        author_aliases=dict(catalog.author_aliases),
    )


def entry_record(item: LoadedEntry, url: str | None = None) -> dict[str, Any]:
    """One entry as plain JSON-ready data: the schema fields plus ``id`` (and ``url`` once known)."""
    record: dict[str, Any] = {"id": item.id}
    record.update(item.entry.model_dump(mode="json"))
    if url is not None:
        record["url"] = url
    return record
