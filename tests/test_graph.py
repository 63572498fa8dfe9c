"""The drawings, charts, similar work and sharing records, computed from small hand-made catalogs
and from the real one (no build): layouts that keep nodes apart, neighbourhoods of at most 15,
similarity that ranks what shares the most, JSON-LD that cannot leave its script element."""

from __future__ import annotations

import json
from collections import defaultdict
from itertools import pairwise

import pytest

from dllm_atlas import charts, graph, sharing, site
from dllm_atlas.index import build_index
from dllm_atlas.load import load_catalog
from dllm_atlas.models import Model, Paper
from dllm_atlas.render import environment
from dllm_atlas.similar import similar_entries

from .sitekit import ROOT, index_of


def _paper(title: str, date: str, topics: list[str] | None = None, **fields: object) -> Paper:
    return Paper.model_validate(
        {
            "kind": "paper",
            "title": title,
            "date": date,
            "topics": topics or ["masked-diffusion"],
            "summary": fields.pop("summary", f"{title}: a test entry, what it does."),
            "added": "2026-11-26",
            **fields,
        }
    )


@pytest.fixture(scope="module")
def real_index():
    return build_index(load_catalog(ROOT / "catalog"))


def _extent(node: graph.Node) -> tuple[float, float]:
    return node.x - graph.DOT, graph._extent(node.x, node.label)


def test_no_two_nodes_of_the_map_overlap_dots_or_labels(real_index):
    layout = graph.map_layout(real_index)
    assert sorted(n.id for n in layout.nodes) == sorted(i.id for i in real_index.entries)  # each once
    rows: dict[float, list[graph.Node]] = defaultdict(list)
    for node in layout.nodes:
        rows[node.y].append(node)
    for y, nodes in rows.items():
        spans = sorted(_extent(n) for n in nodes)
        for (_, end), (start, _) in pairwise(spans):
            assert end <= start, f"overlap on the lane at y={y}"
    # Lanes are LANE apart, more than a 12 px label's height, so nodes of different lanes never touch.
    assert min(b - a for a, b in pairwise(sorted(rows))) >= graph.LANE
    assert all(n.x >= 0 and _extent(n)[1] <= layout.width for n in layout.nodes)


def test_families_are_drawn_each_on_one_line_in_time_order(real_index):
    layout = graph.map_layout(real_index)
    where = {n.id: n for n in layout.nodes}
    families = layout.bands[0]
    assert families.name == "Families"
    drawn: set[str] = set()
    for lineage in real_index.lineages:
        members = [m.id for m in lineage.members if m.id not in drawn]
        drawn.update(members)
        assert len({where[m].y for m in members}) == 1, members
        assert [where[m].x for m in members] == sorted(where[m].x for m in members)
        assert families.y < where[members[0]].y < families.y + families.height
    extends = [e for e in layout.edges if e.relation == "extends"]
    assert len(extends) == sum(1 for pairs in real_index.outgoing.values() for rel, _ in pairs if rel == "extends")


def test_the_map_is_the_same_drawing_every_time(real_index):
    env = environment()
    first = env.get_template("site/map.svg.j2").render(
        layout=graph.map_layout(real_index), prefix="../", palette=site.PALETTE
    )
    again = env.get_template("site/map.svg.j2").render(
        layout=graph.map_layout(build_index(load_catalog(ROOT / "catalog"))), prefix="../", palette=site.PALETTE
    )
    assert first == again


@pytest.fixture(scope="module")
def chain_index():
    """root ← a1 … a6 (six build on root), each aN ← bN (second steps), root extends base ← base0."""
    entries: dict[str, object] = {
        "base0": _paper("Base Zero", "2024-01-01"),
        "base": _paper("Base", "2024-06-01", relations={"builds_on": ["base0"]}),
        "root": _paper("Root", "2025-01-01", relations={"extends": ["base"]}),
        "lonely": _paper("Lonely", "2025-01-02"),
    }
    for n in range(1, 7):
        entries[f"a{n}"] = _paper(f"User A{n}", f"2025-02-0{n}", relations={"builds_on": ["root"]})
        entries[f"b{n}"] = _paper(f"User B{n}", f"2025-03-0{n}", relations={"builds_on": [f"a{n}"]})
    return index_of(entries)


def test_a_neighbourhood_holds_two_steps_each_way_and_at_most_fifteen_entries(chain_index):
    hood = graph.neighbourhood(chain_index, "root")
    assert hood is not None
    columns = {name: more for _, name, more in hood.columns}
    assert list(columns) == ["further back", "builds on", "this entry", "built on by", "further on"]
    by_x: dict[float, list[str]] = defaultdict(list)
    for node in hood.nodes:
        by_x[node.x].append(node.id)
    assert [sorted(ids) for _, ids in sorted(by_x.items())] == [
        ["base0"],
        ["base"],
        ["root"],
        ["a3", "a4", "a5", "a6"],  # the newest four of six, each leading a step further
        ["b4", "b5", "b6"],  # reached through the drawn first steps, newest three
    ]
    assert columns["built on by"] == 2 and columns["further on"] == 1
    assert hood.width <= 690 and all(graph.label_width(n.label) < graph.HOOD_COLUMN - 6 for n in hood.nodes)
    assert len(hood.nodes) <= 15
    assert [n.id for n in hood.nodes if n.centre] == ["root"]
    # Every drawn entry but the centre has its line to the column next to it.
    ends = {(x1, y1) for x1, y1, *_ in hood.edges} | {(x2, y2) for _, _, x2, y2, _ in hood.edges}
    assert all((n.x, n.y) in ends for n in hood.nodes)
    assert ("extends" in {rel for *_, rel in hood.edges}) and graph.neighbourhood(chain_index, "lonely") is None


def test_lineage_drawings_follow_the_families_oldest_first(real_index):
    drawings = graph.lineage_drawings(real_index)
    assert len(drawings) == len(real_index.lineages)
    for drawing, lineage in zip(drawings, real_index.lineages, strict=True):
        assert [n.id for n in drawing.nodes] == [m.id for m in lineage.members]
        assert [n.x for n in drawing.nodes] == sorted(n.x for n in drawing.nodes)
        assert drawing.dates == [m.entry.date_text() for m in lineage.members]
        # Labels are cut to fit the step between two members.
        assert all(graph.label_width(n.label) < graph.LINEAGE_STEP - 8 for n in drawing.nodes)


def test_the_months_chart_counts_every_entry_once_in_its_primary_area(real_index):
    chart = charts.months_chart(real_index, site.PALETTE)
    assert sum(row["total"] for row in chart["rows"]) == len(real_index.entries)
    llada = real_index.by_id["llada"]
    month = f"{llada.entry.date.year}-{llada.entry.date.month:02d}"
    row = next(r for r in chart["rows"] if r["month"] == month)
    expected = sum(1 for i in real_index.entries if i.entry.date_text().startswith(month))
    assert row["total"] == expected
    names = [a["name"] for a in chart["areas"]]
    area = real_index.primary_area["llada"].name
    assert row["counts"][names.index(area)] == sum(
        1
        for i in real_index.entries
        if i.entry.date_text().startswith(month) and real_index.primary_area[i.id].name == area
    )
    bar = next(b for b in chart["bars"] if b["label"] == month)
    assert bar["total"] == expected and sum(s["value"] for s in bar["segments"]) == expected
    assert chart["earlier"] == sum(r["total"] for r in chart["rows"] if r["month"] < chart["start"])


def test_the_models_chart_places_each_model_by_date_and_size_and_labels_never_collide():
    entries = {
        "small": Model.model_validate(
            {
                "kind": "model",
                "title": "Small Model",
                "date": "2025-01-10",
                "topics": ["pretrained-models"],
                "parameters": ["400M"],
                "summary": "A small test model, for the chart.",
                "added": "2026-11-26",
            }
        ),
        "big": Model.model_validate(
            {
                "kind": "model",
                "title": "Big Model",
                "date": "2025-06-10",
                "topics": ["pretrained-models"],
                "parameters": ["8B", "100B-A6B"],
                "summary": "A big test model, for the chart.",
                "added": "2026-11-26",
            }
        ),
    }
    chart = charts.models_chart(index_of(entries))
    points = {p.item.id: p for p in chart.points}
    assert points["big"].billions == 100 and points["small"].billions == 0.4
    assert points["big"].y < points["small"].y and points["big"].x > points["small"].x
    assert all(p.shown for p in chart.points)
    assert [name for name, _ in chart.ticks] == ["100M", "1B", "10B", "100B"]


def test_similar_work_ranks_shared_rare_words_and_topics_first():
    entries = {
        "anchor": _paper(
            "Speculative Decoding for Masked Diffusion",
            "2025-01-01",
            ["speculative-decoding"],
            summary="Drafts tokens with a small verifier and accepts them in parallel.",
        ),
        "close": _paper(
            "Faster Speculative Decoding with Verifier Drafts",
            "2025-02-01",
            ["speculative-decoding"],
            summary="A verifier accepts drafts tokens in parallel.",
        ),
        "topic-only": _paper(
            "Another Method", "2025-03-01", ["speculative-decoding"], summary="Something unrelated entirely, for sure."
        ),
        "far": _paper("Protein Folding", "2025-04-01", ["theory"], summary="Structures of molecules and more."),
    }
    for n in range(30):  # common words everywhere, so document frequencies mean something
        entries[f"filler-{n:02d}"] = _paper(
            f"Filler Number {n}", "2024-01-01", summary=f"Unrelated filler text number {n}."
        )
    nearest = similar_entries(index_of(entries))
    assert nearest["anchor"][:2] == ["close", "topic-only"]
    assert "anchor" not in nearest["anchor"] and "far" not in nearest["anchor"]
    assert all(len(ids) <= 5 for ids in nearest.values())


def test_json_ld_cannot_end_its_script_element_and_reads_back_as_the_same_record():
    evil = Paper.model_construct(
        **{
            **_paper("Plain", "2025-01-01").__dict__,
            "title": "Break </script><script>alert(1)</script> & <!-- out",
            "authors": ["A </SCRIPT> B"],
            "arxiv": "2501.01234",
        }
    )
    index = index_of({"evil": evil})
    text = sharing.json_ld(index.by_id["evil"])
    assert text is not None
    assert "<" not in text and ">" not in text and "&" not in text
    record = json.loads(text)
    assert record["@type"] == "ScholarlyArticle" and record["headline"] == evil.title
    assert record["author"] == [{"@type": "Person", "name": "A </SCRIPT> B"}]
    assert record["sameAs"] == "https://arxiv.org/abs/2501.01234"
    assert record["datePublished"] == "2025-01-01"


def test_a_card_description_is_cut_at_a_word():
    paper = _paper("Long", "2025-01-01", summary="word " * 100)
    index = index_of({"long": paper})
    description = sharing.card(index.by_id["long"])["description"]
    assert len(description) <= sharing.CARD_DESCRIPTION + 1 and description.endswith("word…")
