"""Charts of the field's growth, laid out at build time for ``templates/site/charts.md.j2``.

* :func:`months_chart`: entries per month, stacked by primary area (an entry counts once, in the
  area of its first topic), with the numbers as table rows;
* :func:`models_chart`: models by parameter count over time (the largest total count a model
  lists, on a log scale), each point labelled where its label fits, with the rows of the table.

Both return plain data; the template draws the SVG and the tables and escapes every text::

    page(..., months=charts.months_chart(index, PALETTE), models=charts.models_chart(index))
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from .index import Index
from .load import LoadedEntry

WIDTH = 760
HEIGHT = 300
LEFT = 44
RIGHT = 12
TOP = 16
BOTTOM = 28
# A label's estimated width per character at 12 px, as in graph.py.
CHAR_WIDTH = 6.9


def _month_key(date: dt.date) -> tuple[int, int]:
    return date.year, date.month


def _nice_ticks(peak: int) -> list[int]:
    """0, and round steps up to the peak (at most five)."""
    if peak <= 0:
        return [0]
    step = 10 ** int(math.log10(peak))
    for factor in (1, 2, 5, 10):
        if peak / (step * factor) <= 5:
            step *= factor
            break
    return list(range(0, peak + 1, step))


def _first_unbroken_year(years: set[int]) -> int:
    """The first year from which every year up to the last has entries: a lone early paper
    (2015) would otherwise leave most of the chart empty."""
    year = max(years)
    while year - 1 in years:
        year -= 1
    return year


def months_chart(index: Index, palette: tuple[str, ...]) -> dict[str, Any]:
    """Stacked bars of entries per month by primary area, from the first month to the last."""
    if not index.entries:
        return {
            "bars": [],
            "rows": [],
            "areas": [],
            "ticks": [],
            "years": [],
            "width": WIDTH,
            "height": HEIGHT,
            "earlier": 0,
        }
    areas = list(index.taxonomy.areas)
    counts: dict[tuple[int, int], list[int]] = {}
    for item in index.entries:
        area = index.primary_area.get(item.id)
        if area is not None:
            counts.setdefault(_month_key(item.entry.date), [0] * len(areas))[areas.index(area)] += 1
    last = max(counts)
    first = (_first_unbroken_year({y for y, _ in counts}), 1)
    first = max(first, min(counts))
    earlier = sum(sum(row) for month, row in counts.items() if month < first)
    months = [(y, m) for y in range(first[0], last[0] + 1) for m in range(1, 13) if first <= (y, m) <= last]
    peak = max(sum(row) for month, row in counts.items() if month >= first)
    ticks = _nice_ticks(peak)
    top_value = max(ticks[-1], peak)
    plot = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / len(months)
    bars = []
    for n, month in enumerate(months):
        row = counts.get(month, [0] * len(areas))
        x, base, segments = LEFT + n * slot, float(HEIGHT - BOTTOM), []
        for area_number, value in enumerate(row):
            if value:
                height = value / top_value * plot
                base -= height
                segments.append({"y": round(base, 1), "h": round(height, 1), "colour": area_number, "value": value})
        bars.append(
            {
                "label": f"{month[0]}-{month[1]:02d}",
                "x": round(x + slot * 0.1, 1),
                "w": round(max(slot * 0.8, 1), 1),
                "segments": segments,
                "total": sum(row),
                "areas": [(areas[k].name, v) for k, v in enumerate(row) if v],
            }
        )
    used = [k for k in range(len(areas)) if any(counts[m][k] for m in counts)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "base": HEIGHT - BOTTOM,
        "bars": bars,
        "ticks": [{"value": t, "y": round(HEIGHT - BOTTOM - t / top_value * plot, 1)} for t in ticks],
        "years": [{"year": y, "x": round(LEFT + n * slot, 1)} for n, (y, m) in enumerate(months) if m == 1 or n == 0],
        "earlier": earlier,
        "start": f"{first[0]}-{first[1]:02d}",
        "areas": [{"name": areas[k].name, "colour": k, "palette": palette[k % len(palette)]} for k in used],
        # The table: one row per month with entries, newest first, a count per area shown.
        "rows": [
            {"month": f"{m[0]}-{m[1]:02d}", "counts": [counts[m][k] for k in used], "total": sum(counts[m])}
            for m in sorted(counts, reverse=True)
        ],
    }


def parameters_in_billions(parameters: list[str]) -> float:
    """A model's largest total parameter count, in billions ("8B", "16B-A1.4B", "400M")."""
    units = {"K": 1e-6, "M": 1e-3, "B": 1.0, "T": 1e3}
    best = 0.0
    for value in parameters:
        total = value.split("-A")[0]
        best = max(best, float(total[:-1]) * units[total[-1]])
    return best


@dataclass
class Point:
    item: LoadedEntry
    billions: float
    x: float
    y: float
    label: str
    label_x: float = 0.0
    label_y: float = 0.0
    anchor: str = "start"
    shown: bool = False


@dataclass
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def hits(self, other: Box) -> bool:
        return not (
            self.right <= other.left or other.right <= self.left or self.bottom <= other.top or other.bottom <= self.top
        )


@dataclass
class ModelsChart:
    width: int
    height: int
    left: int
    base: int
    points: list[Point] = field(default_factory=list)
    ticks: list[tuple[str, float]] = field(default_factory=list)
    years: list[tuple[int, float]] = field(default_factory=list)


def _label_places(point: Point, width: float) -> list[tuple[float, float, str, Box]]:
    """Right, left, above, below: where a point's label may go, with the box it would cover."""
    x, y, w = point.x, point.y, width
    return [
        (x + 7, y + 4, "start", Box(x + 6, y - 8, x + 7 + w, y + 6)),
        (x - 7, y + 4, "end", Box(x - 7 - w, y - 8, x - 6, y + 6)),
        (x, y - 9, "middle", Box(x - w / 2, y - 21, x + w / 2, y - 7)),
        (x, y + 17, "middle", Box(x - w / 2, y + 5, x + w / 2, y + 19)),
    ]


def _place_labels(points: list[Point], width: int) -> None:
    """Label the points, largest first, where a label covers no other label or point and stays in
    the plot; a point whose label fits nowhere keeps its tooltip and its table row."""
    taken = [Box(p.x - 5, p.y - 5, p.x + 5, p.y + 5) for p in points]
    for point in sorted(points, key=lambda p: (-p.billions, p.item.id)):
        label_width = len(point.label) * CHAR_WIDTH
        own = Box(point.x - 5, point.y - 5, point.x + 5, point.y + 5)
        for lx, ly, anchor, box in _label_places(point, label_width):
            inside = box.left >= LEFT and box.right <= width - 2 and box.top >= 0
            if inside and not any(box.hits(other) for other in taken if other != own):
                point.label_x, point.label_y, point.anchor, point.shown = round(lx, 1), round(ly, 1), anchor, True
                taken.append(box)
                break


def models_chart(index: Index) -> ModelsChart:
    """Models with a parameter count: date against size (log scale)."""
    chart = ModelsChart(WIDTH, HEIGHT, LEFT, HEIGHT - BOTTOM)
    models = [item for item in index.of_kind("model") if getattr(item.entry, "parameters", None)]
    if not models:
        return chart
    sizes = {item.id: parameters_in_billions(item.entry.parameters) for item in models}
    low = math.floor(math.log10(min(sizes.values())))
    high = math.ceil(math.log10(max(sizes.values())))
    high = max(high, low + 1)
    first: dt.date = min(item.entry.date for item in models).replace(month=1, day=1)
    last: dt.date = dt.date(max(item.entry.date for item in models).year + 1, 1, 1)
    span = (last - first).days
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(date: dt.date) -> float:
        return round(LEFT + (date - first).days / span * plot_w, 1)

    def y_of(billions: float) -> float:
        return round(HEIGHT - BOTTOM - (math.log10(billions) - low) / (high - low) * plot_h, 1)

    for item in sorted(models, key=lambda i: (i.entry.date, i.id)):
        chart.points.append(
            Point(
                item,
                sizes[item.id],
                x_of(item.entry.date),
                y_of(sizes[item.id]),
                item.entry.short_name or item.entry.title[:24],
            )
        )
    _place_labels(chart.points, WIDTH)
    names = {-3: "1M", -2: "10M", -1: "100M", 0: "1B", 1: "10B", 2: "100B", 3: "1T"}
    chart.ticks = [(names.get(p, f"1e{p + 9}"), y_of(10.0**p)) for p in range(low, high + 1)]
    chart.years = [(year, x_of(dt.date(year, 1, 1))) for year in range(first.year, last.year)]
    return chart
