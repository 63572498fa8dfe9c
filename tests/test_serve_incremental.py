"""``serve``'s rebuilds: which events ask for one, and when MkDocs may update only changed pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from watchdog.events import (
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

from dllm_atlas import render, serve

from .conftest import GOOD_PAPER
from .sitekit import project_copy


def _another_paper(title_start: str, arxiv: str, repo: str) -> str:
    """GOOD_PAPER under another title, arXiv id and code repository: a second entry that is no duplicate."""
    return (
        GOOD_PAPER.replace("Simple and Effective", title_start)
        .replace("2406.07524", arxiv)
        .replace("kuleshov-group/mdlm", repo)
    )


def test_reads_and_generated_pages_never_ask_for_a_rebuild(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    wanted = serve.handwritten(docs)
    entry, about = str(docs / "entries" / "mdlm.md"), str(docs / "about.md")
    # inotify reports reads too; the builder reads every watched file, so they must be ignored.
    assert not serve.is_change(FileOpenedEvent(about), wanted)
    assert not serve.is_change(FileClosedNoWriteEvent(about), wanted)
    # The builder's own output.
    for generated in (entry, str(docs / "index.md"), str(docs / "catalog.json"), str(docs / "topics" / "x.md")):
        assert not serve.is_change(FileModifiedEvent(generated), wanted), generated
        assert not serve.is_change(FileCreatedEvent(generated), wanted), generated
    # Their temporary files (fsutil.write_atomic writes through one beside each file).
    for temporary in (".catalog.json.k3j9x_1.tmp", "entries/.mdlm.md.q0w9e8.tmp"):
        assert not serve.is_change(FileCreatedEvent(str(docs / temporary)), wanted), temporary
        assert not serve.is_change(FileModifiedEvent(str(docs / temporary)), wanted), temporary
    assert serve.is_change(FileCreatedEvent(str(docs / ".notes.md.k3j9x_1.tmp")), wanted)  # of a hand-written page
    # Hand-written pages, and anything outside the docs folder (the catalog, the templates).
    assert serve.is_change(FileModifiedEvent(about), wanted)
    assert serve.is_change(FileClosedEvent(about), wanted)
    assert serve.is_change(FileDeletedEvent(str(docs / "assets" / "atlas.css")), wanted)
    assert serve.is_change(FileModifiedEvent(str(tmp_path / "catalog" / "papers" / "mdlm.yaml")), wanted)
    # An editor saving through a temporary file: the move's destination counts.
    assert serve.is_change(FileMovedEvent(str(docs / ".about.md.swp"), about), wanted)
    assert not serve.is_change(FileMovedEvent(entry + ".tmp", entry), wanted)


@pytest.fixture
def preview(catalog: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A Preview of the small catalog whose MkDocs builds are recorded, not run."""
    import mkdocs.commands.build

    config_file = project_copy(tmp_path / "project", catalog=catalog.root)
    builds: list[bool] = []
    monkeypatch.setattr(
        mkdocs.commands.build, "build", lambda config, serve_url=None, dirty=False: builds.append(dirty)
    )
    instance = serve.Preview(catalog.root, config_file, serve.Address("127.0.0.1", 8000), render.environment())
    yield instance, builds, config_file.parent / "docs"
    instance.close()


def test_an_entry_edit_is_a_dirty_build_and_a_removal_or_a_page_edit_a_whole_one(catalog: Any, preview: Any) -> None:
    instance, builds, docs = preview
    instance.build()
    assert builds == [False]  # the first build makes everything
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("Simple and Effective", "Renamed"))
    instance.build()
    assert builds[-1] is True
    assert "Renamed Masked Diffusion" in (docs / "entries" / "mdlm.md").read_text(encoding="utf-8")
    assert instance.cache.misses == 1  # only the edited file was read again
    catalog.write("papers/second.yaml", _another_paper("Another", "2406.07525", "o/second"))
    instance.build()
    assert builds[-1] is True  # a new page: MkDocs builds it as a changed page
    (catalog.root / "papers" / "second.yaml").unlink()
    instance.build()
    assert builds[-1] is False  # a removed page: its HTML must go, so everything is built again
    assert not (docs / "entries" / "second.md").exists()
    (docs / "about.md").write_text((docs / "about.md").read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    instance.build()
    assert builds[-1] is False  # a hand-written page may change the navigation
    instance.build()
    assert builds[-1] is True


def test_after_an_invalid_catalog_the_next_build_is_whole(catalog: Any, preview: Any) -> None:
    instance, builds, _ = preview
    instance.build()
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("topics: [masked-diffusion]", "topics: [nope]"))
    instance.build()
    assert instance.failure is not None and builds == [False]  # the error page, no MkDocs build
    catalog.write("papers/mdlm.yaml", GOOD_PAPER)
    instance.build()
    assert instance.failure is None and builds == [False, False]  # the site folder was emptied


class FakeServer:
    """What Preview asks of MkDocs' live-reload server: its rebuild flag and condition."""

    def __init__(self) -> None:
        import threading

        self._rebuild_cond = threading.Condition()
        self._want_rebuild = False


def test_similar_work_is_computed_again_beside_the_rebuild_and_shown_by_the_next(catalog: Any, preview: Any) -> None:
    instance, _, docs = preview
    instance.server = FakeServer()
    instance.similar_delay = instance.follow_up_delay = 0
    instance.build()
    assert instance.similar_job is None  # the first build computes it in line
    catalog.write("papers/twin.yaml", _another_paper("A Twin of the Simple and Effective", "2406.07599", "o/twin"))
    instance.build()
    # A new entry changes the drawings: they wait for the next rebuild, and similar work waits
    # for that one too (so this test builds with a zero delay and calls that rebuild itself).
    assert instance.drawings_owed is True and instance.similar_job is None
    instance.build()
    # The rebuild did not wait for similar work: the new entry's page has none yet.
    assert "entries/twin.md" not in (docs / "entries" / "mdlm.md").read_text(encoding="utf-8")
    instance.similar_job.join()
    assert "twin" in instance.similar["mdlm"]
    assert instance.server._want_rebuild is True  # it changed: one more rebuild asked for
    job = instance.similar_job
    instance.build()
    assert "twin.md" in (docs / "entries" / "mdlm.md").read_text(encoding="utf-8")
    # The entries are those it was computed from: not computed again.
    assert instance.similar_job is job


def _site_files(site_dir: Path) -> dict[str, Any]:
    """Every file of a built site; the search index as the set of its records (MkDocs' dirty
    builds and Material's merge may order and repeat them differently)."""
    import json

    found: dict[str, Any] = {}
    for path in sorted(site_dir.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(site_dir).as_posix()
        if relative == "search/search_index.json":
            docs = json.loads(path.read_text(encoding="utf-8"))["docs"]
            found[relative] = {json.dumps(doc, sort_keys=True) for doc in docs}
        elif relative != "sitemap.xml.gz":  # compressed with a timestamp
            found[relative] = path.read_bytes()
    return found


@pytest.fixture
def real_preview(catalog: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A Preview of the small catalog that runs MkDocs, as ``serve`` sets it up."""
    config_file = project_copy(tmp_path / "project", catalog=catalog.root)
    monkeypatch.chdir(config_file.parent)  # where serve runs: the docs include CONTRIBUTING.md from it
    instance = serve.Preview(catalog.root, config_file, serve.Address("127.0.0.1", 8000), render.environment())
    config = instance.load_config()
    config.plugins.on_startup(command="serve", dirty=True)
    instance.build(config)
    assert instance.last_build == serve.WHOLE_BUILD
    yield instance
    config.plugins.on_shutdown()
    instance.close()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("weighted mix of masked language", "weighted sum of masked language"),  # the entry's page and data
        ("Simple and Effective", "Plain and Effective"),  # its listings and author pages too
    ],
    ids=["summary", "title"],
)
def test_an_edit_rendered_in_place_leaves_the_site_a_whole_build_makes(
    catalog: Any, real_preview: Any, old: str, new: str
) -> None:
    instance = real_preview
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace(old, new))
    instance.build()
    assert instance.last_build == serve.IN_PLACE
    assert instance.failure is None
    # The pages the edit does not touch came from the memo: the generation ran with the settings
    # of the last build (not those of its config once MkDocs pointed it at the preview's address).
    assert instance.memo.misses * 4 < instance.memo.hits
    site_dir = Path(instance.site_dir)
    page = (site_dir / "entries" / "mdlm" / "index.html").read_text(encoding="utf-8")
    assert new in page and old not in page
    in_place = _site_files(site_dir)
    instance.last_build = instance._mkdocs_build(instance.load_config(), removed=1)  # removed: a whole build
    assert instance.last_build == serve.WHOLE_BUILD
    whole = _site_files(site_dir)
    assert in_place.keys() == whole.keys()
    differing = [path for path in whole if in_place[path] != whole[path]]
    assert differing == []


def test_an_edit_that_changes_what_other_pages_show_goes_through_mkdocs(catalog: Any, real_preview: Any) -> None:

    instance = real_preview
    # New tags on the entry's page: the tags index counts them.
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("[masked-diffusion]", "[masked-diffusion, theory]"))
    instance.build()
    assert instance.last_build == serve.DIRTY_BUILD
    # A new entry: a file the last build did not have.
    catalog.write("papers/second.yaml", _another_paper("Another", "2406.07525", "o/second"))
    instance.build()
    assert instance.last_build == serve.DIRTY_BUILD
    assert (Path(instance.site_dir) / "entries" / "second" / "index.html").is_file()
    # And then an edit of it is rendered in place, with the new build's file list.
    catalog.write(
        "papers/second.yaml",
        _another_paper("Another", "2406.07525", "o/second").replace("weighted mix", "weighted blend"),
    )
    instance.build()
    assert instance.last_build == serve.IN_PLACE
    assert "weighted blend" in (Path(instance.site_dir) / "entries" / "second" / "index.html").read_text(
        encoding="utf-8"
    )


def test_with_a_server_the_entry_pages_come_first_and_the_listings_in_the_next_rebuild(
    catalog: Any, real_preview: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = real_preview
    instance.server = FakeServer()
    instance.similar_delay = 3600  # similar work stays out of this test
    monkeypatch.setattr(serve, "FIRST_PAGE_LIMIT", 0)  # every listing counts as large here
    instance.follow_up_delay = 0
    site_dir = Path(instance.site_dir)
    topic_page = site_dir / "topics" / "masked-diffusion" / "index.html"
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("Simple and Effective", "Plain and Effective"))
    instance.build()
    assert instance.last_build == serve.IN_PLACE
    assert "Plain and Effective" in (site_dir / "entries" / "mdlm" / "index.html").read_text(encoding="utf-8")
    # The topic page lists the entry by title: written, left for the rebuild asked for at once.
    assert "topics/masked-diffusion.md" in instance.pending
    assert "Plain and Effective" not in topic_page.read_text(encoding="utf-8")
    instance.follow_up_timer.join()  # asked for a moment later (follow_up_delay, 0 here)
    assert instance.server._want_rebuild is True
    instance.server._want_rebuild = False
    instance.build()
    # That rebuild renders all it was left, at once, and asks for no other.
    assert instance.last_build == serve.IN_PLACE and instance.pending == {}
    assert "Plain and Effective" in topic_page.read_text(encoding="utf-8")
    assert instance.server._want_rebuild is False


def test_an_edit_before_the_rebuild_asked_for_is_shown_with_the_pages_left(
    catalog: Any, real_preview: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = real_preview
    instance.server = FakeServer()
    instance.similar_delay = 3600
    monkeypatch.setattr(serve, "FIRST_PAGE_LIMIT", 0)
    site_dir = Path(instance.site_dir)
    topic = "topics/masked-diffusion.md"
    rendered_from = (Path(instance.last_config.docs_dir) / topic).read_text(encoding="utf-8")
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("Simple and Effective", "Plain and Effective"))
    instance.build()
    # The listing left is known by the text its HTML was made from.
    assert instance.pending[topic] == rendered_from
    catalog.write(
        "papers/mdlm.yaml",
        GOOD_PAPER.replace("Simple and Effective", "Plain and Effective").replace("weighted mix", "weighted blend"),
    )
    instance.build()
    assert instance.pending == {} and instance.drawings_owed is False
    assert "weighted blend" in (site_dir / "entries" / "mdlm" / "index.html").read_text(encoding="utf-8")
    assert "Plain and Effective" in (site_dir / "topics" / "masked-diffusion" / "index.html").read_text(
        encoding="utf-8"
    )


def test_with_a_server_a_title_edit_leaves_the_drawings_to_the_next_rebuild(catalog: Any, real_preview: Any) -> None:
    instance = real_preview
    instance.server = FakeServer()
    instance.similar_delay = 3600
    instance.follow_up_delay = 0
    site_dir = Path(instance.site_dir)
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("Simple and Effective", "Plain and Effective"))
    instance.build()
    assert instance.last_build == serve.IN_PLACE
    assert "Plain and Effective" in (site_dir / "entries" / "mdlm" / "index.html").read_text(encoding="utf-8")
    instance.follow_up_timer.join()
    assert instance.drawings_owed is True and instance.server._want_rebuild is True
    assert "Plain and Effective" not in (site_dir / "maps" / "overview.svg").read_text(encoding="utf-8")
    instance.build()
    assert instance.drawings_owed is False
    assert "Plain and Effective" in (site_dir / "maps" / "overview.svg").read_text(encoding="utf-8")
