"""``serve`` in a browser: an open page reloads itself and shows an edit once it is rebuilt."""

from __future__ import annotations

from pathlib import Path

from ..conftest import GOOD_PAPER
from ..sitekit import project_copy
from ..test_serve import ENTRY_PATH, _free_port, _serve, _wait_for


def test_an_open_page_shows_an_edit_after_the_rebuild(browser, catalog, tmp_path: Path) -> None:
    config_file = project_copy(tmp_path / "project", catalog=catalog.root)
    port = _free_port()
    process = _serve(catalog.root, config_file, port, tmp_path / "tmp")
    try:
        url = f"http://127.0.0.1:{port}{ENTRY_PATH}"
        _wait_for(url, "Simple and Effective", 90)
        page = browser.new_page()
        page.goto(url)
        catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("Simple and Effective", "Edited in Place"))
        # No navigation of ours: MkDocs' live-reload script reloads the page after the rebuild.
        page.wait_for_function(
            "() => document.body && document.body.innerText.includes('Edited in Place')", timeout=60_000, polling=100
        )
        assert "Edited in Place Masked Diffusion Language Models" in page.title()
        page.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
