"""Contributor tooling through the CLI: add from arXiv, new scaffolds, the README guard, the forms."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from dllm_atlas import schema
from dllm_atlas.load import load_entry, load_taxonomy
from dllm_atlas.models import ENTRY_CLASSES
from dllm_atlas.readme import BEGIN, END
from dllm_atlas.render import environment

from .conftest import REAL_CATALOG
from .test_arxiv import entry, feed

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def arxiv_server():
    """A stand-in arXiv API on 127.0.0.1 that knows two papers."""
    known = {
        "2503.09573": entry(
            "2503.09573",
            "Block Diffusion: Interpolating Between Autoregressive and Diffusion Language Models",
            ["Marianne Arriola", "Aaron Gokaslan"],
            "2025-03-12T17:00:00Z",
        ),
        "2510.01384": entry(
            "2510.01384",
            "Fine-Tuning Masked Diffusion for Provable Self-Correction",
            ["Jaeyeon Kim"],
            "2025-10-01T12:00:00Z",
        ),
    }
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            query = parse_qs(urlsplit(self.path).query)
            ids = query["id_list"][0].split(",")
            seen.append(self.headers.get("User-Agent", ""))
            body = feed(
                *(known[i] for i in ids if i in known),
                *("<entry><id>http://arxiv.org/api/x</id></entry>" for i in ids if i not in known),
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/atom+xml")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/query", seen
    server.shutdown()


def test_add_writes_a_draft_with_facts_and_todo_markers(catalog, cli, arxiv_server):
    url, seen = arxiv_server
    result = cli("add", "https://arxiv.org/pdf/2503.09573v3", "--api-url", url)
    assert result.code == 0, result.err
    path = catalog.root / "papers" / "block-diffusion.yaml"
    assert "wrote catalog/papers/block-diffusion.yaml: write its topics and summary (marked TODO)" in result.out
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema/entry.schema.json\n")
    assert 'title: "Block Diffusion: Interpolating Between Autoregressive and Diffusion Language Models"' in text
    assert '  - "Marianne Arriola"' in text and "date: 2025-03-12" in text and 'arxiv: "2503.09573"' in text
    assert 'paper: "https://arxiv.org/abs/2503.09573"' in text
    assert "# TODO: every taxonomy topic that fits" in text and "# TODO: one or two sentences" in text
    assert seen and seen[0].startswith("dllm-atlas/")
    # Until the contributor does what the draft asks, it is refused: topics, summary, and the markers.
    loaded, diags = load_entry(path, "block-diffusion.yaml")
    assert loaded is None and "topics" in {d.field for d in diags}
    assert (
        "block-diffusion.yaml:2:1: a draft marker is still here (# DRAFT written by dllm-atlas add: check): "
        "do what it asks, then delete the line"
    ) in [d.text() for d in diags]
    # Topics alone are not enough: the summary is required and the TODO lines must go.
    path.write_text(text.replace("topics: []", "topics: [block-diffusion]"), encoding="utf-8")
    out = cli("validate").out
    assert "catalog/papers/block-diffusion.yaml:3:1: summary: required field is missing: one or two sentences" in out
    assert "a draft marker is still here" in out
    finished = "\n".join(
        line
        for line in text.replace("topics: []", "topics: [block-diffusion]").splitlines()
        if not line.startswith(("# TODO", "# DRAFT", "# summary", "#   ..."))
    )
    finished += "\nsummary: Interpolates between autoregressive and diffusion models by diffusing within blocks.\n"
    path.write_text(finished, encoding="utf-8")
    result = cli("validate")
    assert result.code == 0, result.out


def test_add_refuses_an_id_already_in_the_catalog_with_its_path(catalog, cli, arxiv_server):
    url, seen = arxiv_server
    result = cli("add", "arxiv:2406.07524", "--api-url", url)
    assert result.code == 1
    assert (
        "2406.07524 is already in the catalog: catalog/papers/mdlm.yaml (edit that file to change the entry)"
        in result.err
    )
    assert seen == []  # nothing asked of arXiv


def test_add_skips_an_excluded_id_with_its_reason(catalog, cli, arxiv_server):
    url, seen = arxiv_server
    catalog.write(
        "exclusions.yaml", '- {arxiv: "2503.09573", title: "Block Diffusion", reason: "not a language model"}\n'
    )
    result = cli("add", "2503.09573", "--api-url", url)
    assert result.code == 1
    assert "2503.09573 is excluded from the catalog (not a language model); see catalog/exclusions.yaml" in result.err
    assert seen == [] and not (catalog.root / "papers" / "block-diffusion.yaml").exists()


def test_add_reports_unknown_and_invalid_ids(catalog, cli, arxiv_server):
    url, _ = arxiv_server
    result = cli("add", "2599.00001", "--api-url", url)
    assert result.code == 1 and "2599.00001: arXiv has no such paper" in result.err
    result = cli("add", "not-an-id", "--api-url", url)
    assert result.code == 1 and "not an arXiv id or arXiv URL: not-an-id" in result.err


def test_add_without_network_is_a_clear_error(catalog, cli):
    result = cli("add", "2503.09573", "--api-url", "http://127.0.0.1:9/api/query")
    assert result.code == 1
    assert "cannot reach the arXiv API at http://127.0.0.1:9/api/query" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("kind", list(ENTRY_CLASSES))
def test_new_scaffolds_every_kind_from_the_schema(catalog, cli, kind):
    result = cli("new", kind, "--id", f"my-{kind}")
    assert result.code == 0
    path = catalog.root / f"{kind}s" / f"my-{kind}.yaml"
    text = path.read_text(encoding="utf-8")
    for name, info in ENTRY_CLASSES[kind].model_fields.items():
        assert f"\n{name}:" in text or name == "kind"
        if info.description and name not in ("links", "relations"):
            assert info.description in text
    data = yaml.safe_load(text)
    assert data["kind"] == kind
    # The blank scaffold fails only on what must be written: title, date, topics.
    _, diags = load_entry(path, path.name)
    assert sorted({d.field for d in diags}) == ["date", "title", "topics"]


def test_new_refuses_a_taken_or_bad_id(catalog, cli):
    assert "already used" in cli("new", "paper", "--id", "mdlm").err
    assert "must be a lowercase slug" in cli("new", "paper", "--id", "Bad Id").err


def _generated_readme_and_its_base(catalog, cli, tmp_path):
    """A README whose list is generated from the test catalog, and a copy of it as the base branch's."""
    readme = catalog.root.parent / "README.md"
    readme.write_text(f"# x\n\n{BEGIN}\n{END}\n", encoding="utf-8")
    assert cli("readme").code == 0
    base = tmp_path / "base-README.md"
    base.write_text(readme.read_text(encoding="utf-8"), encoding="utf-8")
    return readme, base


def test_readme_guard_accepts_catalog_changes_but_not_hand_edits(catalog, cli, tmp_path):
    readme, base = _generated_readme_and_its_base(catalog, cli, tmp_path)
    readme.write_text(readme.read_text(encoding="utf-8").replace("# x", "# x, reworded intro"), encoding="utf-8")
    assert cli("readme", "--unchanged-from", str(base)).code == 0
    readme.write_text(readme.read_text(encoding="utf-8").replace("2024-06-11", "2099-01-01"), encoding="utf-8")
    result = cli("readme", "--unchanged-from", str(base))
    assert result.code == 1
    assert "matches neither this change's catalog nor the base branch: it was edited by hand" in result.err
    assert "+++ README.md (this change)" in result.out
    assert (
        "+- **MDLM**: [Simple and Effective Masked Diffusion Language Models](https://arxiv.org/abs/2406.07524) — 2099-01-01"
        in result.out
    )


def test_readme_guard_accepts_a_list_regenerated_from_the_changed_catalog(catalog, cli, tmp_path):
    # The path readme --check tells a contributor to take: change an entry, run 'dllm-atlas readme'.
    _, base = _generated_readme_and_its_base(catalog, cli, tmp_path)
    entry = catalog.root / "papers" / "mdlm.yaml"
    entry.write_text(entry.read_text(encoding="utf-8").replace("2024-06-11", "2024-06-12"), encoding="utf-8")
    assert "is stale" in cli("readme", "--check").err
    assert cli("readme").code == 0
    result = cli("readme", "--unchanged-from", str(base))
    assert result.code == 0, result.err
    assert "generated list matches the catalog" in result.out


def test_issue_form_is_in_sync_with_the_models_and_taxonomy():
    taxonomy, _ = load_taxonomy(REAL_CATALOG)
    committed = (ROOT / ".github" / "ISSUE_TEMPLATE" / "suggest-resource.yml").read_text(encoding="utf-8")
    assert committed == schema.issue_form(taxonomy, environment()), (
        "run: dllm-atlas schema -o schema/entry.schema.json --issue-form .github/ISSUE_TEMPLATE/suggest-resource.yml"
    )
    form = yaml.safe_load(committed)
    ids = [item.get("id") for item in form["body"] if "id" in item]
    assert len(ids) == len(set(ids))
    kinds = next(item for item in form["body"] if item.get("id") == "kind")["attributes"]["options"]
    assert kinds == list(ENTRY_CLASSES)
    topics = next(item for item in form["body"] if item.get("id") == "topics")["attributes"]["options"]
    assert [t.split(" ")[0] for t in topics] == list(taxonomy.topics())


def test_pre_commit_hook_runs_validation():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["entry"] == "dllm-atlas validate" and hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["files"] == "^catalog/"
