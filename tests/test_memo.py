"""Incremental generation (``serve``): after any edit, a generation that reuses the memo and the load
cache writes exactly what a generation from nothing writes, and renders only what the edit touches."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from dllm_atlas import pipeline, render, site
from dllm_atlas.load import LoadCache
from dllm_atlas.memo import Memo
from dllm_atlas.similar import similar_entries

from .conftest import REAL_CATALOG

TODAY = dt.date(2026, 12, 1)
SEEDS = ("llada", "dream-7b", "sedd", "mdlm", "dinfer", "sglang", "fast-dllm", "llada-1-5", "d1", "dimple")


def _load(text: str) -> dict:
    return yaml.load(text, Loader=yaml.CSafeLoader)


def _refs(data: dict) -> set[str]:
    relations = data.get("relations") or {}
    found = {t for targets in relations.values() for t in targets}
    found.update(data.get("supported_models") or [])
    if data.get("base_model"):
        found.add(data["base_model"])
    return found


@pytest.fixture(scope="module")
def slice_of_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _slice(tmp_path_factory.mktemp("slice"))


def _slice(dest: Path) -> Path:
    """A valid slice of the real catalog: the seeds, two entries linking to each, and everything
    those link to (transitively), so every relation in it resolves."""
    files = {p.stem: p for p in REAL_CATALOG.glob("*/*.yaml") if p.name not in ("taxonomy.yaml", "exclusions.yaml")}
    data = {stem: _load(path.read_text(encoding="utf-8")) for stem, path in files.items()}
    chosen = {s for s in SEEDS if s in files}
    for seed in SEEDS:
        chosen.update(sorted(stem for stem, d in data.items() if seed in _refs(d))[:2])
    todo = list(chosen)
    while todo:
        for ref in _refs(data[todo.pop()]):
            if ref in files and ref not in chosen:
                chosen.add(ref)
                todo.append(ref)
    root = dest / "catalog"
    root.mkdir(parents=True)
    for name in ("taxonomy.yaml", "exclusions.yaml"):
        shutil.copy(REAL_CATALOG / name, root / name)
    for stem in chosen:
        target = root / files[stem].parent.name / files[stem].name
        target.parent.mkdir(exist_ok=True)
        shutil.copy(files[stem], target)
    return root


def small_catalog(dest: Path, template: Path) -> Path:
    shutil.copytree(template, dest / "catalog")
    return dest / "catalog"


class Session:
    """What ``serve`` keeps between rebuilds: a load cache and a memo, generating into one docs folder."""

    def __init__(self, catalog: Path, work: Path) -> None:
        self.catalog = catalog
        self.cache = LoadCache()
        self.memo = Memo()
        self.env = render.environment()
        self.settings = site.SiteConfig(work / "docs", "https://example.org/atlas/", "https://github.com/o/r")
        self.settings.docs_dir.mkdir()

    def generate(self, similar: dict[str, list[str]] | None = None, defer: bool = False) -> None:
        checked = pipeline.run_checks(self.catalog, cache=self.cache)
        assert checked.index is not None, [d.text() for d in checked.diagnostics]
        site.generate(checked.index, self.env, self.settings, TODAY, self.memo, similar, defer)

    def fresh(self) -> dict[str, str]:
        """Every generated file, rendered from nothing (no cache, no memo)."""
        checked = pipeline.run_checks(self.catalog)
        assert checked.index is not None
        return site.render_pages(checked.index, render.environment(), self.settings, "", TODAY)

    def on_disk(self) -> dict[str, str]:
        docs = self.settings.docs_dir
        return {p.relative_to(docs).as_posix(): p.read_text(encoding="utf-8") for p in docs.rglob("*") if p.is_file()}


def _edit(catalog: Path, entry_id: str, change: Callable[[dict], None]) -> None:
    path = next(catalog.glob(f"*/{entry_id}.yaml"))
    data = _load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _first(catalog: Path, test: Callable[[dict], bool]) -> str:
    for path in sorted(catalog.glob("*/*.yaml")):
        if path.name in ("taxonomy.yaml", "exclusions.yaml"):
            continue
        if test(_load(path.read_text(encoding="utf-8"))):
            return path.stem
    raise AssertionError("no such entry in the slice")


def _linked_to(catalog: Path) -> str:
    """An entry that another entry links to with builds_on."""
    targets = {
        t
        for p in catalog.glob("papers/*.yaml")
        for t in (_load(p.read_text()).get("relations") or {}).get("builds_on", [])
    }
    return sorted(targets)[0]


def _add_relation(data: dict) -> None:
    data.setdefault("relations", {}).setdefault("related", []).append("sedd")


def _new_entry(catalog: Path) -> None:
    (catalog / "papers" / "memo-test-new.yaml").write_text(
        "kind: paper\n"
        'title: "A Paper Added While the Preview Runs"\n'
        "date: 2025-03-04\n"
        "links:\n  paper: https://example.org/memo-test-new\n"
        "topics: [masked-diffusion]\n"
        "summary: >-\n  Written for the memo test: it links to SEDD and appears on its page.\n"
        "relations:\n  builds_on: [sedd]\n"
        "authors: [Ada Example]\n"
        "added: 2026-11-30\n",
        encoding="utf-8",
    )


def _remove_unlinked(catalog: Path) -> None:
    """Delete an entry nothing links to (so the catalog stays valid)."""
    linked = {
        ref
        for p in catalog.glob("*/*.yaml")
        if p.stem not in ("taxonomy", "exclusions")
        for ref in _refs(_load(p.read_text(encoding="utf-8")))
    }
    victim = next(p for p in sorted(catalog.glob("papers/*.yaml")) if p.stem not in linked and p.stem not in SEEDS)
    victim.unlink()


def _rename_topic(catalog: Path) -> None:
    taxonomy = catalog / "taxonomy.yaml"
    text = taxonomy.read_text(encoding="utf-8")
    taxonomy.write_text(text.replace("name: Reasoning\n", "name: Reasoning (edited)\n", 1), encoding="utf-8")


EDITS: dict[str, Callable[[Path], None]] = {
    "summary": lambda c: _edit(c, "sedd", lambda d: d.update(summary="An edited summary of SEDD, for the test.")),
    "title of a linked entry": lambda c: _edit(c, _linked_to(c), lambda d: d.update(title=d["title"] + " (Edited)")),
    "short name of a linked entry": lambda c: _edit(c, _linked_to(c), lambda d: d.update(short_name="EDITED")),
    "date": lambda c: _edit(c, "sedd", lambda d: d.update(date=dt.date(2023, 1, 2))),
    "date precision": lambda c: _edit(c, "sedd", lambda d: d.update(date=dt.date(2023, 1, 1), date_precision="month")),
    "topics": lambda c: _edit(c, "sedd", lambda d: d.update(topics=[*d["topics"], "reasoning"])),
    "a relation added": lambda c: _edit(c, "llada", _add_relation),
    "relations removed": lambda c: _edit(
        c, _first(c, lambda d: bool((d.get("relations") or {}).get("builds_on"))), lambda d: d.pop("relations")
    ),
    "authors": lambda c: _edit(c, "sedd", lambda d: d.update(authors=["Ada Example", "Grace Example"])),
    # A co-author joins: both authors' pages, their co-author lists and the entry pages' links.
    "an author shared": lambda c: _edit(c, "llada", lambda d: d.update(authors=[*d.get("authors", []), "Ada Example"])),
    "links": lambda c: _edit(c, "sedd", lambda d: d["links"].update(project="https://example.org/sedd-project")),
    "venue": lambda c: _edit(c, "sedd", lambda d: d.update(venue="ICML 2024")),
    "model parameters": lambda c: _edit(c, "llada", lambda d: d.update(parameters=["8B", "1B"])),
    # LLaDA is the base model of several models in the slice: their pages and the models table show it.
    "a base model's name": lambda c: _edit(c, "llada", lambda d: d.update(short_name="LLaDA-edited")),
    "supported models": lambda c: _edit(
        c, "dinfer", lambda d: d.update(supported_models=[*d.get("supported_models", []), "dimple"])
    ),
    "an entry added": _new_entry,
    "an entry removed": _remove_unlinked,
    "a topic renamed": _rename_topic,
}


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory, slice_of_catalog: Path) -> Session:
    work = tmp_path_factory.mktemp("memo")
    catalog = small_catalog(work, slice_of_catalog)
    session = Session(catalog, work)
    session.generate()
    return session


@pytest.mark.parametrize("edit", list(EDITS))
def test_incremental_generation_equals_a_fresh_one(session: Session, edit: str) -> None:
    # The edits accumulate over the parametrised runs, as a contributor's do in one session.
    EDITS[edit](session.catalog)
    session.generate()
    assert session.on_disk() == session.fresh()


def test_a_summary_edit_renders_only_what_shows_it(tmp_path: Path, slice_of_catalog: Path) -> None:
    catalog = small_catalog(tmp_path, slice_of_catalog)
    session = Session(catalog, tmp_path)
    checked = pipeline.run_checks(catalog)
    assert checked.index is not None
    index = checked.index
    # Similar work held fixed, as serve holds it while it is computed again beside the rebuild.
    similar = similar_entries(index)
    session.generate(similar)
    everything = session.memo.misses
    # The edited entry: its page, BibTeX, search and JSON records; the explorer's data, made
    # whole (its author positions are the catalog's); the pages of the
    # entries it links to or that link to it, whose relation lists show its digest; and the feeds
    # of its topics, which carry its summary.
    in_lineage = {i.id for lineage in index.lineages for i in [*lineage.members]}
    # A paper outside every lineage, with relations both ways.
    paper = next(
        i.id
        for i in index.of_kind("paper")
        if i.id not in in_lineage and index.incoming.get(i.id) and index.outgoing.get(i.id)
    )
    neighbours = {x.id for g in index.relation_groups[paper] for x in g.entries}
    _edit(catalog, paper, lambda d: d.update(summary="Edited once, for the test."))
    session.generate(similar)
    topics = index.by_id[paper].entry.topics
    assert session.memo.misses == 4 + 1 + len(neighbours) + len(topics), (session.memo.misses, everything)
    assert session.cache.misses == 1  # the edited file is the only one parsed again
    assert everything > 10 * session.memo.misses
    fresh = site.render_pages(
        pipeline.run_checks(catalog).index, render.environment(), session.settings, "", TODAY, similar=similar
    )  # type: ignore[arg-type]
    assert session.on_disk() == fresh


def test_a_listing_follows_a_title_edit_but_not_a_summary_edit(tmp_path: Path, slice_of_catalog: Path) -> None:
    catalog = small_catalog(tmp_path, slice_of_catalog)
    session = Session(catalog, tmp_path)
    session.generate()
    year = _load(next(catalog.glob("*/sedd.yaml")).read_text(encoding="utf-8"))["date"].year
    timeline = session.settings.docs_dir / "timeline" / f"{year}.md"  # the page of its year
    before = timeline.stat().st_mtime_ns
    _edit(catalog, "sedd", lambda d: d.update(summary="Edited, and not shown in any listing."))
    session.generate()
    assert timeline.stat().st_mtime_ns == before  # not rewritten: MkDocs' dirty build skips it
    _edit(catalog, "sedd", lambda d: d.update(title="Score Entropy, Edited Title"))
    session.generate()
    assert "Score Entropy, Edited Title" in timeline.read_text(encoding="utf-8")


def test_a_changed_template_renders_everything_again(tmp_path: Path, slice_of_catalog: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(render.templates_dir(), templates)
    catalog = small_catalog(tmp_path, slice_of_catalog)
    session = Session(catalog, tmp_path)
    session.env = render.environment(templates)
    session.generate()
    line = templates / "site" / "_macros.md.j2"
    line.write_text(
        line.read_text(encoding="utf-8").replace(
            " · {{ item.entry | date_shown }}", " — {{ item.entry | date_shown }}"
        ),
        encoding="utf-8",
    )
    session.generate()
    assert session.memo.hits == 0
    assert " — " in (session.settings.docs_dir / "topics" / "masked-diffusion.md").read_text(encoding="utf-8")
    fresh = site.render_pages(
        pipeline.run_checks(catalog).index, render.environment(templates), session.settings, "", TODAY
    )  # type: ignore[arg-type]
    assert session.on_disk() == fresh


def test_load_cache_reads_again_only_changed_files(tmp_path: Path, slice_of_catalog: Path) -> None:
    catalog = small_catalog(tmp_path, slice_of_catalog)
    cache = LoadCache()
    first = pipeline.run_checks(catalog, cache=cache)
    assert cache.hits == 0 and cache.misses == len(first.catalog.entries)
    _edit(catalog, "sedd", lambda d: d.update(topics=["no-such-topic"]))
    second = pipeline.run_checks(catalog, cache=cache)
    assert cache.misses == 1 and cache.hits == len(first.catalog.entries) - 1
    assert [d.text() for d in second.diagnostics] == [d.text() for d in pipeline.run_checks(catalog).diagnostics]
    assert any("no-such-topic" in d.message for d in second.diagnostics)


def test_deferred_drawings_stay_as_they_were_until_a_generation_without_defer_makes_them(
    tmp_path: Path, slice_of_catalog: Path
) -> None:
    catalog = small_catalog(tmp_path, slice_of_catalog)
    session = Session(catalog, tmp_path)
    checked = pipeline.run_checks(catalog)
    assert checked.index is not None
    similar = similar_entries(checked.index)
    session.generate(similar, defer=True)
    assert session.memo.deferred is False  # nothing drawn before: drawn now
    before = session.on_disk()
    # A summary edit leaves the layouts in the memo: nothing to defer.
    _edit(catalog, "mdlm", lambda d: d.update(summary="Edited once, for the deferral test."))
    session.generate(similar, defer=True)
    assert session.memo.deferred is False
    # A title edit changes what the drawings show: they are kept as they were.
    _edit(catalog, "mdlm", lambda d: d.update(title="A Renamed Masked Diffusion Model"))
    session.generate(similar, defer=True)
    assert session.memo.deferred is True
    now = session.on_disk()
    drawings = [path for path in now if site.is_drawing(path)]
    assert site.MAP_FILE in drawings and "map.md" in drawings and any(p.startswith("maps/entries/") for p in drawings)
    assert all(now[path] == before[path] for path in drawings)
    assert "A Renamed Masked Diffusion Model" not in now[site.MAP_FILE]
    # Everything else is what a generation from nothing makes, the entry pages' drawings linked.
    fresh = site.render_pages(
        pipeline.run_checks(catalog).index, render.environment(), session.settings, "", TODAY, similar=similar
    )  # type: ignore[arg-type]
    assert {p: t for p, t in now.items() if not site.is_drawing(p)} == {
        p: t for p, t in fresh.items() if not site.is_drawing(p)
    }
    session.generate(similar)
    assert session.memo.deferred is False
    assert "A Renamed Masked Diffusion Model" in session.on_disk()[site.MAP_FILE]
    assert session.on_disk() == fresh
