"""The field as a picture: layouts of the relation map, entry neighbourhoods and lineage drawings.

Everything here is computed at build time and is deterministic (same catalog, same drawing); the
templates ``templates/site/map.svg.j2``, ``neighbourhood.svg.j2`` and ``lineage.svg.j2`` draw the
results, escaping every text. Used by ``site.render_pages``::

    layout = graph.map_layout(index)             # every entry, every relation
    hood = graph.neighbourhood(index, "llada")   # None without builds_on/extends either way
    drawings = graph.lineage_drawings(index)     # one per family with an extends chain

The map's layout: time runs left to right, one column per month (a month's width grows with the
square root of its entries; empty months are narrow). The first band holds the families (each
``extends`` chain on one line, oldest first), then one band per area for the other entries, by
their primary area. Within a band, entries are packed into lanes greedily by date, each lane taking
the next entry whose dot and label fit after the last one, so no two nodes or labels overlap.
Label widths are estimated from their length (:data:`CHAR_WIDTH`, the site's 12 px sans-serif).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field

from .index import Index
from .load import LoadedEntry

# Estimated advance of one character of a 12 px label, a little over the sans-serif average.
CHAR_WIDTH = 6.9
LABEL_CHARS = 26
DOT = 5
LANE = 20
BAND_HEAD = 26
BAND_GAP = 14
AXIS = 30
LEFT = 10
GAP = 12
EMPTY_MONTH = 4
MONTH = 34
MONTH_PER_ENTRY = 16
# An entry page's neighbourhood: entries per column, nearest steps first (1 + 4 + 4 + 3 + 3 = 15).
STEP_ONE = 4
STEP_TWO = 3
# Five columns fit the content width of an entry page (about 690 px) without scrolling.
HOOD_COLUMN = 136
HOOD_LABEL = 18
HOOD_ROW = 46
HOOD_TOP = 46
HOOD_RELATIONS = ("builds_on", "extends")
LINEAGE_STEP = 170
FAMILIES = "Families"


def label_of(item: LoadedEntry, limit: int = LABEL_CHARS) -> tuple[str, bool]:
    """The node's label (short name, else title, cut to ``limit`` characters) and whether it was cut."""
    text = item.entry.short_name or item.entry.title
    if len(text) <= limit:
        return text, False
    return text[: limit - 1].rstrip() + "…", True


def label_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


@dataclass
class Node:
    id: str
    x: float
    y: float
    label: str
    cut: bool
    heading: str
    date: str
    colour: int  # index into the palette: the entry's primary area, in taxonomy order
    topics: list[str]


@dataclass
class Edge:
    source: str
    target: str
    relation: str
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class Band:
    name: str
    y: float
    height: float


@dataclass
class MapLayout:
    width: float
    height: float
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    years: list[tuple[int, float]] = field(default_factory=list)  # (year, x of its January)


def _month(item: LoadedEntry) -> int:
    date: dt.date = item.entry.date
    return date.year * 12 + date.month - 1


def _time_scale(items: list[LoadedEntry]) -> tuple[dict[int, tuple[float, float]], float]:
    """Each month's (left x, width), and the total width."""
    counts = Counter(_month(item) for item in items)
    first, last = min(counts), max(counts)
    columns, x = {}, float(LEFT)
    for month in range(first, last + 1):
        width = MONTH + MONTH_PER_ENTRY * math.sqrt(counts[month]) if counts[month] else EMPTY_MONTH
        columns[month] = (x, width)
        x += width
    return columns, x


def _x(item: LoadedEntry, columns: dict[int, tuple[float, float]]) -> float:
    left, width = columns[_month(item)]
    day: int = item.entry.date.day
    return left + DOT + (day - 1) / 31 * max(width - 2 * DOT, 0)


def _extent(x: float, label: str) -> float:
    """Where a node placed at ``x`` ends, its label included."""
    return x + DOT + 3 + label_width(label)


def _pack(groups: list[list[tuple[LoadedEntry, float]]]) -> list[list[tuple[LoadedEntry, float, int]]]:
    """Lanes for groups of nodes that share a line (a family, or one entry), left to right: each
    group goes into the first lane whose last node ends before the group's first begins."""
    ends: list[float] = []
    placed = []
    for group in sorted(groups, key=lambda g: (g[0][1], g[0][0].id)):
        start = group[0][1] - DOT
        lane = next((n for n, end in enumerate(ends) if end + GAP <= start), len(ends))
        end = _extent(group[-1][1], label_of(group[-1][0])[0])
        if lane == len(ends):
            ends.append(end)
        else:
            ends[lane] = end
        placed.append([(item, x, lane) for item, x in group])
    return placed


def _family_groups(index: Index, columns: dict[int, tuple[float, float]]) -> list[list[tuple[LoadedEntry, float]]]:
    """Each family on one line, in time order, a member moved right only as far as the label before it needs."""
    groups, placed = [], set()
    for lineage in index.lineages:
        line: list[tuple[LoadedEntry, float]] = []
        # Families that branch share their first members: each entry is drawn once, on the first.
        for item in lineage.members:
            if item.id in placed:
                continue
            placed.add(item.id)
            x = _x(item, columns)
            if line:
                x = max(x, _extent(line[-1][1], label_of(line[-1][0])[0]) + GAP + DOT)
            line.append((item, x))
        if line:
            groups.append(line)
    return groups


def map_layout(index: Index) -> MapLayout:
    """The overview map of the whole catalog (see the module docstring)."""
    if not index.entries:
        return MapLayout(width=LEFT * 2, height=AXIS)
    columns, width = _time_scale(index.entries)
    area_number = {area.slug: n for n, area in enumerate(index.taxonomy.areas)}
    in_family = {item.id for lineage in index.lineages for item in lineage.members}
    bands: list[tuple[str, list[list[tuple[LoadedEntry, float]]]]] = [(FAMILIES, _family_groups(index, columns))]
    by_area: dict[str, list[list[tuple[LoadedEntry, float]]]] = {}
    for item in index.entries:
        if item.id not in in_family:
            area = index.primary_area.get(item.id)
            by_area.setdefault(area.slug if area else "", []).append([(item, _x(item, columns))])
    bands += [(area.name, by_area[area.slug]) for area in index.taxonomy.areas if area.slug in by_area]
    if "" in by_area:
        bands.append(("Other", by_area[""]))
    layout = MapLayout(width=0, height=0)
    y = float(AXIS)
    positions: dict[str, tuple[float, float]] = {}
    right = width
    for name, groups in bands:
        if not groups:
            continue
        placed = _pack(groups)
        lanes = 1 + max(lane for group in placed for _, _, lane in group)
        layout.bands.append(Band(name, round(y, 1), BAND_HEAD + lanes * LANE))
        for group in sorted(placed, key=lambda g: (g[0][2], g[0][1])):
            for item, x, lane in group:
                node_y = y + BAND_HEAD + lane * LANE + LANE / 2
                area = index.primary_area.get(item.id)
                label, cut = label_of(item)
                layout.nodes.append(
                    Node(
                        id=item.id,
                        x=round(x, 1),
                        y=round(node_y, 1),
                        label=label,
                        cut=cut,
                        heading=item.entry.heading(),
                        date=item.entry.date_text(),
                        colour=area_number[area.slug] if area else len(area_number),
                        topics=item.entry.topics,
                    )
                )
                positions[item.id] = (round(x, 1), round(node_y, 1))
                right = max(right, _extent(x, label))
        y += BAND_HEAD + lanes * LANE + BAND_GAP
    for source in sorted(index.outgoing):
        for relation, target in index.outgoing[source]:
            (x1, y1), (x2, y2) = positions[source], positions[target]
            layout.edges.append(Edge(source, target, relation, x1, y1, x2, y2))
    first_month = min(columns)
    layout.years = [
        (month // 12, round(columns[month][0], 1))
        for month in sorted(columns)
        if month % 12 == 0 or month == first_month
    ]
    layout.width = round(right + LEFT, 1)
    layout.height = round(y, 1)
    return layout


@dataclass
class HoodNode:
    id: str
    label: str
    cut: bool
    heading: str
    x: float
    y: float
    colour: int
    centre: bool = False


@dataclass
class Neighbourhood:
    width: int
    height: int
    nodes: list[HoodNode]
    edges: list[tuple[float, float, float, float, str]]  # x1, y1, x2, y2, relation
    columns: list[tuple[float, str, int]]  # x, heading, entries left out of the column


def _steps(index: Index, item_id: str, pairs: dict[str, list[tuple[str, str]]]) -> tuple[list[str], list[str]]:
    """Entries one and two steps away along ``pairs`` (outgoing or incoming builds_on/extends)."""

    def around(node: str) -> list[str]:
        return list(dict.fromkeys(other for rel, other in pairs.get(node, []) if rel in HOOD_RELATIONS))

    one = [i for i in around(item_id) if i != item_id]
    seen = {item_id, *one}
    two: list[str] = []
    for near in one:
        for far in around(near):
            if far not in seen:
                seen.add(far)
                two.append(far)
    return one, two


def _newest(index: Index, ids: list[str]) -> list[str]:
    return sorted(ids, key=lambda i: (-index.by_id[i].entry.date.toordinal(), i))


def _first_steps(index: Index, item_id: str, ids: list[str], pairs: dict[str, list[tuple[str, str]]]) -> list[str]:
    """The first steps worth drawing first: ``extends`` (the family), then those that lead a step
    further, then the newest."""

    def onward(other: str) -> int:
        return sum(1 for rel, _ in pairs.get(other, []) if rel in HOOD_RELATIONS)

    def family(other: str) -> bool:
        return ("extends", other) in index.outgoing.get(item_id, []) or ("extends", item_id) in index.outgoing.get(
            other, []
        )

    return sorted(_newest(index, ids), key=lambda i: (not family(i), onward(i) == 0))[:STEP_ONE]


def neighbourhood(index: Index, item_id: str) -> Neighbourhood | None:
    """What the entry builds on (left, two steps) and what builds on it (right, two steps), at most
    15 entries; None when it has neither."""
    out_one, out_two = _steps(index, item_id, index.outgoing)
    in_one, in_two = _steps(index, item_id, index.incoming)
    if not out_one and not in_one:
        return None
    area_number = {area.slug: n for n, area in enumerate(index.taxonomy.areas)}
    kept_out_one = _first_steps(index, item_id, out_one, index.outgoing)
    kept_in_one = _first_steps(index, item_id, in_one, index.incoming)
    # Second steps only through first steps that are drawn, so every drawn node has its line.
    out_two = [
        i for i in out_two if any((r, i) in index.outgoing.get(n, []) for n in kept_out_one for r in HOOD_RELATIONS)
    ]
    in_two = [
        i for i in in_two if any((r, i) in index.incoming.get(n, []) for n in kept_in_one for r in HOOD_RELATIONS)
    ]
    spec = [
        ("further back", out_two, _newest(index, out_two)[:STEP_TWO], len(out_two)),
        ("builds on", out_one, kept_out_one, len(out_one)),
        ("this entry", [item_id], [item_id], 1),
        ("built on by", in_one, kept_in_one, len(in_one)),
        ("further on", in_two, _newest(index, in_two)[:STEP_TWO], len(in_two)),
    ]
    spec = [s for s in spec if s[1]]
    tallest = max(len(kept) for _, _, kept, _ in spec)
    height = HOOD_TOP + tallest * HOOD_ROW + 6
    nodes: list[HoodNode] = []
    columns = []
    where: dict[str, tuple[float, float]] = {}
    for column, (heading, _, kept, total) in enumerate(spec):
        x = HOOD_COLUMN * column + HOOD_COLUMN / 2
        columns.append((x, heading, total - len(kept)))
        top = HOOD_TOP + (tallest - len(kept)) * HOOD_ROW / 2
        for row, other in enumerate(kept):
            item = index.by_id[other]
            label, cut = label_of(item, HOOD_LABEL)
            area = index.primary_area.get(other)
            y = top + row * HOOD_ROW + 10
            nodes.append(
                HoodNode(
                    other,
                    label,
                    cut,
                    item.entry.heading(),
                    x,
                    y,
                    area_number[area.slug] if area else len(area_number),
                    other == item_id,
                )
            )
            where[other] = (x, y)
    edges = []
    for source in sorted(where):
        for relation, target in index.outgoing.get(source, []):
            # Not within a column: a vertical line would run through the labels between.
            if relation in HOOD_RELATIONS and target in where and where[target][0] != where[source][0]:
                (x1, y1), (x2, y2) = where[source], where[target]
                edges.append((x1, y1, x2, y2, relation))
    return Neighbourhood(HOOD_COLUMN * len(spec), round(height), nodes, edges, columns)


@dataclass
class LineageDrawing:
    width: int
    nodes: list[HoodNode]
    dates: list[str]
    title: str


def lineage_drawings(index: Index) -> list[LineageDrawing]:
    """One drawing per family: its members left to right, oldest first, each with its date."""
    area_number = {area.slug: n for n, area in enumerate(index.taxonomy.areas)}
    drawings = []
    for lineage in index.lineages:
        nodes, dates = [], []
        for n, item in enumerate(lineage.members):
            label, cut = label_of(item, 22)
            area = index.primary_area.get(item.id)
            nodes.append(
                HoodNode(
                    item.id,
                    label,
                    cut,
                    item.entry.heading(),
                    LINEAGE_STEP * n + LINEAGE_STEP / 2,
                    22,
                    area_number[area.slug] if area else len(area_number),
                )
            )
            dates.append(item.entry.date_text())
        first = lineage.members[0].entry
        drawings.append(
            LineageDrawing(LINEAGE_STEP * len(nodes), nodes, dates, f"{first.short_name or first.title} family")
        )
    return drawings
