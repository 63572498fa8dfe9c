"""The site with and without ``data/activity.json``: stars and last push on entry pages and in the
models and frameworks tables (sortable), archived and silent repositories flagged, the explorer's
data carrying ``stars`` and ``pushed`` for its sort; a malformed file is a located build error."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from dllm_atlas import activity, render, site
from dllm_atlas.load import load_catalog
from dllm_atlas.pipeline import run_checks

from .conftest import GOOD_MODEL
from .sitekit import project_copy

FRAMEWORK = """\
kind: framework
title: "dLLM-Serve: Serving Diffusion Language Models"
date: 2025-05-01
links:
  code: https://github.com/example/dllm-serve
topics: [inference-engines]
summary: >-
  A serving engine for diffusion language models, with block caching.
supported_models: [llada]
added: 2026-11-26
"""

DATA = {
    "taken": "2026-12-01",
    "github": {
        "kuleshov-group/mdlm": {"stars": 1234, "pushed": "2025-06-01", "archived": False},
        "ml-gsai/llada": {"stars": 3100, "pushed": "2026-11-20", "archived": False},
        "example/dllm-serve": {"stars": 12, "pushed": "2026-10-01", "archived": True},
    },
    "huggingface": {"gsai-ml/llada-8b-instruct": {"downloads": 51234, "likes": 280}},
}


@pytest.fixture
def index(catalog):
    catalog.write(
        "models/llada.yaml",
        GOOD_MODEL.replace(
            "  paper: https://arxiv.org/abs/2502.09992\n",
            "  paper: https://arxiv.org/abs/2502.09992\n  code: https://github.com/ML-GSAI/LLaDA\n"
            "  huggingface: https://huggingface.co/GSAI-ML/LLaDA-8B-Instruct\n",
        ),
    )
    catalog.write("frameworks/dllm-serve.yaml", FRAMEWORK)
    checked = run_checks(catalog.root)
    assert checked.index is not None, checked.diagnostics
    return checked.index


def pages(index, data=None) -> dict[str, str]:
    config = site.SiteConfig(docs_dir=Path("docs"), site_url="https://example.org/", repo_url=None)
    parsed = activity.ActivityData.model_validate(data) if data else None
    return site.render_pages(index, render.environment(), config, "", dt.date(2026, 12, 1), parsed)


def test_entry_pages_show_stars_last_push_downloads_and_flags(index):
    out = pages(index, DATA)
    assert (
        "**Code:** 3,100 stars · last push 2026-11-20 · **Hugging Face:** 51,234 downloads · 280 likes"
        " · *as of 2026-12-01*\n{: .atlas-activity }" in out["entries/llada.md"]
    )
    assert (
        '**Code:** 1,234 stars · last push 2025-06-01 <span class="atlas-flag">no activity for over a year</span>'
        " · *as of 2026-12-01*" in out["entries/mdlm.md"]
    )
    assert '12 stars · last push 2026-10-01 <span class="atlas-flag">archived</span>' in out["entries/dllm-serve.md"]


def test_the_models_and_frameworks_tables_gain_sortable_stars_and_last_push_columns(index):
    out = pages(index, DATA)
    models = out["models.md"]
    assert (
        '<th>Training</th><th data-sort-method="number">Stars</th><th>Last push</th><th data-sort-method="none">Links'
        in models
    )
    assert '<td data-sort="3100">3,100</td>\n<td data-sort="2026-11-20">2026-11-20</td>' in models
    frameworks = out["frameworks.md"]
    assert '<th data-sort-method="number">Stars</th><th>Last push</th></tr>' in frameworks
    assert (
        '<td data-sort="12">12</td>\n<td data-sort="2026-10-01">2026-10-01 <span class="atlas-flag">archived</span></td>'
        in frameworks
    )


def test_the_explorer_data_carries_stars_and_last_push_and_the_form_a_sort(index):
    out = pages(index, DATA)
    records = {r["id"]: r for r in json.loads(out["explorer.json"])["entries"]}
    assert (records["llada"]["stars"], records["llada"]["pushed"]) == (3100, "2026-11-20")
    assert (records["mdlm"]["stars"], records["mdlm"]["pushed"]) == (1234, "2025-06-01")
    # The sort's options come from atlas.js's SORTS table, stars and last push among them: the
    # browser test (tests/browser/test_browser_activity.py) picks them.
    assert '<select name="sort"></select>' in out["explorer.md"]


def test_without_the_file_nothing_is_shown_and_nothing_breaks(index):
    out = pages(index)
    assert "atlas-activity" not in out["entries/llada.md"] and "**Code:**" not in out["entries/llada.md"]
    assert ">Stars<" not in out["models.md"] and ">Stars<" not in out["frameworks.md"]
    records = json.loads(out["explorer.json"])
    assert not any("stars" in r or "pushed" in r for r in records)


def test_the_built_site_shows_the_file_and_a_malformed_one_is_a_located_error(index, catalog, cli, tmp_path):
    config_file = project_copy(tmp_path)  # beside the catalog, in the working folder (snippets are found from it)
    data_file = tmp_path / "data" / "activity.json"
    data_file.parent.mkdir()
    data_file.write_text(json.dumps(DATA), encoding="utf-8")
    out = tmp_path / "site"
    result = cli("build", "--catalog", str(catalog.root), "--config-file", str(config_file), "-o", str(out))
    assert result.code == 0, result.err
    html = (out / "models" / "index.html").read_text(encoding="utf-8")
    assert '<th data-sort-method="number">Stars</th>' in html and '<td data-sort="3100">3,100</td>' in html
    entry = (out / "entries" / "mdlm" / "index.html").read_text(encoding="utf-8")
    assert '<span class="atlas-flag">no activity for over a year</span>' in entry
    data_file.write_text('{"taken": "2026-12-01", "github": {"x/y": {"stars": "many"}}}', encoding="utf-8")
    result = cli("build", "--catalog", str(catalog.root), "--config-file", str(config_file), "-o", str(out))
    assert result.code == 1
    assert f"{data_file}: github.x/y.stars: Input should be a valid integer" in result.err
    assert "Traceback" not in result.err
    assert load_catalog(catalog.root).diagnostics == []
