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
    catalog.write(
        "papers/second.yaml",
        GOOD_PAPER.replace("Simple and Effective", "Another")
        .replace("2406.07524", "2406.07525")
        .replace("kuleshov-group/mdlm", "o/second"),
    )
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
    instance.build()
    assert instance.similar_job is None  # the first build computes it in line
    twin = (
        GOOD_PAPER.replace("Simple and Effective", "A Twin of the Simple and Effective")
        .replace("2406.07524", "2406.07599")
        .replace("kuleshov-group/mdlm", "o/twin")
    )
    catalog.write("papers/twin.yaml", twin)
    instance.build()
    # The rebuild did not wait for similar work: the new entry's page has none yet.
    assert "entries/twin.md" not in (docs / "entries" / "mdlm.md").read_text(encoding="utf-8")
    instance.similar_job.join()
    assert "twin" in instance.similar["mdlm"]
    assert instance.server._want_rebuild is True  # it changed: one more rebuild asked for
    instance.build()
    assert "twin.md" in (docs / "entries" / "mdlm.md").read_text(encoding="utf-8")
    instance.similar_job.join()
