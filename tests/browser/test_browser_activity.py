"""The explorer sorts by stars and by last push (data/activity.json), in Chromium, on a small site
built with an activity file."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from dllm_atlas.cli import main

from ..conftest import GOOD_MODEL, GOOD_PAPER, REAL_CATALOG
from ..sitekit import project_copy
from ..test_site_activity import DATA, FRAMEWORK
from .conftest import _QuietHandler

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def activity_site(tmp_path_factory):
    work = tmp_path_factory.mktemp("activity")
    catalog = work / "catalog"
    for relpath, text in {
        "papers/mdlm.yaml": GOOD_PAPER,
        "models/llada.yaml": GOOD_MODEL.replace(
            "  paper: https://arxiv.org/abs/2502.09992\n",
            "  paper: https://arxiv.org/abs/2502.09992\n  code: https://github.com/ML-GSAI/LLaDA\n",
        ),
        "frameworks/dllm-serve.yaml": FRAMEWORK,
    }.items():
        (catalog / relpath).parent.mkdir(parents=True, exist_ok=True)
        (catalog / relpath).write_text(text, encoding="utf-8")
    shutil.copy(REAL_CATALOG / "taxonomy.yaml", catalog / "taxonomy.yaml")
    config_file = project_copy(work)
    (work / "data").mkdir()
    (work / "data" / "activity.json").write_text(json.dumps(DATA), encoding="utf-8")
    previous = Path.cwd()
    os.chdir(work)  # the contributing page's snippet is found from the working folder
    try:
        assert main(["build", "--catalog", str(catalog), "--config-file", str(config_file), "-o", "site"]) == 0
    finally:
        os.chdir(previous)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(work / "site"))
    )
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _ids(page) -> list[str]:
    return page.locator(".atlas-result").evaluate_all("cards => cards.map(c => c.dataset.id)")


def test_the_explorer_sorts_by_stars_and_by_last_push(page, activity_site):
    page.goto(activity_site + "explorer/")
    page.locator(".atlas-result").first.wait_for()
    assert _ids(page) == ["dllm-serve", "llada", "mdlm"]  # newest first: 2025-05, 2025-02, 2024-06
    page.select_option("select[name=sort]", "stars")
    assert _ids(page) == ["llada", "mdlm", "dllm-serve"]  # 3,100, 1,234, 12
    assert "sort=stars" in page.url
    assert "3100 stars" in page.locator(".atlas-result").first.inner_text()
    page.select_option("select[name=sort]", "pushed")
    assert _ids(page) == ["llada", "dllm-serve", "mdlm"]  # 2026-11-20, 2026-10-01, 2025-06-01
    page.goto(activity_site + "explorer/?sort=stars&kind=paper")
    page.locator(".atlas-result").first.wait_for()
    assert _ids(page) == ["mdlm"] and page.locator("select[name=sort]").input_value() == "stars"
