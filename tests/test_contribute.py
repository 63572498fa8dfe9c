"""Contributor tooling through the CLI: add from arXiv, new scaffolds, the README guard, the forms."""

from __future__ import annotations

import datetime as dt
import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import pytest
import yaml

from dllm_atlas import arxiv, contribute, schema
from dllm_atlas.load import load_catalog, load_entry, load_taxonomy
from dllm_atlas.models import ENTRY_CLASSES
from dllm_atlas.readme import BEGIN, END
from dllm_atlas.render import environment

from .conftest import REAL_CATALOG
from .test_arxiv import arxiv_stand_in, entry, feed

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
    with arxiv_stand_in(known, seen) as url:
        yield url, seen


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
    # TODO marks only what is still to write; the rest of a `new` scaffold is there, prefilled or blank.
    todo = [line for line in text.splitlines() if line.startswith("# TODO")]
    assert [line.split(":")[0] for line in todo] == ["# TODO", "# TODO"]
    assert todo[0].startswith("# TODO: every topic that fits, from these slugs")
    assert todo[1].startswith("# TODO: one or two sentences in your own words")
    assert "#   Decoding: remasking, unmasking-order," in text  # the valid slugs, beside topics
    assert 'venue: "NeurIPS 2025"' in text  # from the arXiv comment, which stays as a note
    assert "# NOTE: arXiv comment (venue taken from it: check): Accepted at NeurIPS 2025" in text
    for blank in (
        "  code:\n",
        "  project:\n",
        "relations:\n  # Entries whose",
        "  builds_on: []\n",
        "unconfirmed: {}\n",
    ):
        assert blank in text
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
    summary_line = text.splitlines().index("summary:") + 1
    assert (
        f"catalog/papers/block-diffusion.yaml:{summary_line}:1: summary: required field is missing: one or two" in out
    )
    assert "a draft marker is still here" in out
    finished = "\n".join(
        line
        for line in text.replace("topics: []", "topics: [block-diffusion]").splitlines()
        if not line.startswith(("# TODO", "# DRAFT"))
    ).replace(
        "\nsummary:\n",
        "\nsummary: Interpolates between autoregressive and diffusion models by diffusing within blocks.\n",
    )
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


def test_one_bad_id_does_not_cancel_the_good_ones_and_the_run_says_what_was_written(catalog, cli, arxiv_server):
    url, _ = arxiv_server
    result = cli("add", "not-an-id", "2503.09573", "2599.00001", "--api-url", url)
    assert result.code == 1
    assert "wrote catalog/papers/block-diffusion.yaml" in result.out
    assert (catalog.root / "papers" / "block-diffusion.yaml").is_file()
    assert "not an arXiv id or arXiv URL: not-an-id" in result.err
    assert "2599.00001: arXiv has no such paper" in result.err
    assert "1 draft(s) written, 2 id(s) not: see the lines above" in result.err


def test_add_finds_a_draft_that_does_not_load_yet_instead_of_writing_a_second(catalog, cli, arxiv_server):
    url, seen = arxiv_server
    assert cli("add", "2503.09573", "--api-url", url).code == 0  # a draft that fails validation
    result = cli("add", "2503.09573", "--api-url", url)
    assert result.code == 1
    assert "2503.09573 is already in the catalog: catalog/papers/block-diffusion.yaml" in result.err
    assert len(seen) == 1  # found by its arXiv id before asking arXiv
    # Without the arXiv id, the same title still finds it (after arXiv has said what the title is).
    draft = catalog.root / "papers" / "block-diffusion.yaml"
    draft.write_text(draft.read_text(encoding="utf-8").replace('arxiv: "2503.09573"', ""), encoding="utf-8")
    result = cli("add", "2503.09573", "--api-url", url)
    assert "2503.09573 is already in the catalog: catalog/papers/block-diffusion.yaml" in result.err
    assert sorted(p.name for p in (catalog.root / "papers").iterdir()) == ["block-diffusion.yaml", "mdlm.yaml"]


def test_add_announces_each_retry(catalog, cli, arxiv_server):
    url, _ = arxiv_server
    busy = {"left": 1}

    class Flaky(httpx.BaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.HTTPTransport()

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if busy["left"]:
                busy["left"] -= 1
                return httpx.Response(503, headers={"Retry-After": "0"})
            return self.inner.handle_request(request)

    with pytest.MonkeyPatch.context() as patch:
        real = arxiv.ArxivClient.__init__
        patch.setattr(arxiv.ArxivClient, "__init__", lambda self, *a, **k: real(self, *a, transport=Flaky(), **k))
        result = cli("add", "2503.09573", "--api-url", url)
    assert result.code == 0, result.err
    assert "arXiv API: HTTP 503; try 2 of 5 in 0 s" in result.err


def test_an_arxiv_failure_keeps_the_drafts_of_earlier_batches(catalog, monkeypatch):
    monkeypatch.setattr(arxiv, "BATCH_SIZE", 1)

    def answer(request: httpx.Request) -> httpx.Response:
        if "2503.09573" in str(request.url):
            return httpx.Response(
                200, text=feed(entry("2503.09573", "Block Diffusion", ["A B"], "2025-03-12T17:00:00Z"))
            )
        return httpx.Response(400)

    client = arxiv.ArxivClient("http://api.test/query", transport=httpx.MockTransport(answer), sleep=lambda s: None)
    heard: list[Path] = []
    report = contribute.add_from_arxiv(
        ["2503.09573", "2510.01384"],
        load_catalog(catalog.root),
        "paper",
        client,
        environment(),
        dt.date(2026, 12, 1),
        on_written=heard.append,
    )
    assert heard == report.written == [catalog.root / "papers" / "block-diffusion.yaml"]
    assert report.written[0].is_file()
    assert report.not_fetched == ["2510.01384"]
    assert "answered HTTP 400" in (report.error or "")


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
    # The blank scaffold fails only on what must be written: title, date, topics, summary (all at once).
    _, diags = load_entry(path, path.name)
    assert sorted({d.field for d in diags}) == ["date", "summary", "title", "topics"]


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
    assert "stale (README.md, lists/masked-diffusion.md)" in cli("readme", "--check").err
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


def test_the_hook_installs_and_imports_nothing_of_the_site():
    # pre-commit installs the package without extras: MkDocs must not be among its dependencies ...
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if d.lower().startswith("mkdocs")]
    assert {d.split(">")[0] for d in project["optional-dependencies"]["site"]} == {
        "mkdocs",
        "mkdocs-material",
        "watchdog",
    }
    # ... and validation must not import it.
    probe = (
        "import sys, io, contextlib; from dllm_atlas.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): code = main(['validate'])\n"
        "print(code, sorted({m.split('.')[0] for m in sys.modules} & {'mkdocs', 'material', 'watchdog'}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "0 []", done.stderr


def test_build_and_serve_without_the_site_extra_say_what_to_install(catalog, cli, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "mkdocs" else real(name, *a))
    for command in ("build", "serve"):
        result = cli(command)
        assert result.code == 2
        assert (
            f"'dllm-atlas {command}' needs MkDocs and mkdocs-material (missing: mkdocs): pip install 'dllm-atlas[site]'"
            in result.err
        )


def test_the_repository_runs_its_own_hooks_from_the_checkout():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert all(repo["repo"] == "local" for repo in config["repos"])  # nothing downloaded at commit time
    assert hooks["dllm-atlas-validate"]["entry"] == "dllm-atlas validate"
    assert hooks["dllm-atlas-readme"]["entry"] == "dllm-atlas readme --check"


@pytest.mark.parametrize(
    ("comment", "venue"),
    [
        ("Accepted at ICLR 2026. 20 pages", "ICLR 2026"),
        ("To appear in Findings of EMNLP 2025", "Findings of EMNLP 2025"),
        ("NeurIPS 2025 camera-ready version", "NeurIPS 2025"),
        ("accepted by icml 2024 (oral)", "ICML 2024"),
        ("Under review at ICLR 2026", None),
        ("Submitted to NeurIPS 2025", None),
        ("Accepted at the NeurIPS 2025 Workshop on Efficient Reasoning", None),
        ("12 pages, 5 figures", None),
    ],
)
def test_venue_is_taken_from_an_arxiv_comment_only_when_it_states_an_acceptance(comment, venue):
    assert contribute.venue_in_comment(comment) == venue


def test_code_link_is_taken_from_an_arxiv_comment():
    assert contribute.code_in_comment("Code: https://github.com/kuleshov-group/bd3lms.") == (
        "https://github.com/kuleshov-group/bd3lms"
    )
    assert contribute.code_in_comment("Project page: https://example.org/x") is None


def test_add_with_kind_model_and_id_writes_every_model_field_under_that_id(catalog, cli, arxiv_server):
    url, _ = arxiv_server
    result = cli("add", "2510.01384", "--kind", "model", "--id", "self-correcting-mdm", "--api-url", url)
    assert result.code == 0, result.err
    text = (catalog.root / "models" / "self-correcting-mdm.yaml").read_text(encoding="utf-8")
    for field_name in ("parameters", "context_length", "license", "open_weights", "base_model", "training"):
        description = ENTRY_CLASSES["model"].model_fields[field_name].description
        assert f"\n# {field_name}: {description}\n{field_name}:" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2510.01384", "2503.09573", "--id", "x"], "--id names one entry: give it with a single arXiv id"),
        (["2510.01384", "--id", "Bad_Id"], "id 'Bad_Id' must be a lowercase slug"),
        (["2510.01384", "--id", "mdlm"], "id 'mdlm' is already used in catalog: choose another with --id"),
    ],
)
def test_add_refuses_a_bad_or_taken_id_before_asking_arxiv(catalog, cli, arxiv_server, args, message):
    url, seen = arxiv_server
    result = cli("add", *args, "--api-url", url)
    assert result.code == 2
    assert message in result.err
    assert seen == []


def test_new_refuses_an_id_longer_than_validation_allows(catalog, cli):
    result = cli("new", "paper", "--id", "a" * 81)
    assert result.code == 1
    assert "of at most 80 characters" in result.err
    assert not (catalog.root / "papers" / f"{'a' * 81}.yaml").exists()
