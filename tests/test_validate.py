"""``dllm-atlas validate``: every error class, with its message and location, and the exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import GOOD_PAPER


def test_valid_catalog_exits_0(catalog, cli):
    result = cli("validate")
    assert result.code == 0
    assert "2 file(s) checked, 0 error(s)" in result.out


def test_bad_url_scheme_names_file_line_column_and_field(catalog, cli):
    catalog.write(
        "papers/bad.yaml",
        GOOD_PAPER.replace("https://github.com/kuleshov-group/mdlm", "javascript:alert(1)")
        .replace("2406.07524", "2406.07525")
        .replace("Simple and", "Other"),
    )
    result = cli("validate")
    assert result.code == 1
    assert "catalog/papers/bad.yaml:9:3: links.code: URL scheme must be http or https" in result.out


@pytest.mark.parametrize(
    "content, expected",
    [
        ("kind: paper\ntitle: &t x\n", "catalog/papers/x.yaml:2:8: YAML anchors are not allowed"),
        ("kind: paper\ntitle: *t\n", "catalog/papers/x.yaml:2:8: YAML aliases are not allowed"),
        ("kind: paper\nkind: model\n", "catalog/papers/x.yaml:2:1: duplicate key 'kind' (first defined on line 1)"),
        ("kind: !!python/object/apply:os.system ['id']\n", "catalog/papers/x.yaml:1:7: YAML tags are not allowed"),
        ("- a\n- b\n", "catalog/papers/x.yaml:1:1: an entry must be a YAML mapping of fields"),
        ("just text\n", "catalog/papers/x.yaml:1:1: an entry must be a YAML mapping of fields"),
        ("kind: paper\n---\nkind: paper\n", "catalog/papers/x.yaml:2:1: a file must hold exactly one YAML document"),
        ("kind: poster\n", "catalog/papers/x.yaml:1:1: kind: 'poster' is not a kind"),
        ("kind: model\ntitle: x\n", "catalog/papers/x.yaml:1:1: kind: a model entry belongs in models/, not papers/"),
    ],
)
def test_hostile_yaml_gets_a_located_error(catalog, cli, content, expected):
    catalog.write("papers/x.yaml", content)
    result = cli("validate")
    assert result.code == 1
    assert expected in result.out


def test_non_utf8_file_is_located(catalog, cli):
    catalog.write("papers/x.yaml", b"kind: paper\ntitle: caf\xe9\n")
    result = cli("validate")
    assert result.code == 1
    assert "catalog/papers/x.yaml:2:11: file is not valid UTF-8 (byte 0xe9)" in result.out


def test_oversized_file_is_refused(catalog, cli):
    catalog.write("papers/x.yaml", "kind: paper\n" + "#" * 70_000 + "\n")
    result = cli("validate")
    assert "catalog/papers/x.yaml:1:1: file is 70013 bytes; the limit is 65536" in result.out


def test_unknown_field_suggests_the_right_name(catalog, cli):
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("summary:", "sumary:"))
    result = cli("validate")
    assert "catalog/papers/mdlm.yaml:11:1: sumary: unknown field 'sumary'; did you mean 'summary'?" in result.out


def test_missing_required_field_points_at_the_mapping(catalog, cli):
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("date: 2024-06-11\n", ""))
    result = cli("validate")
    assert "catalog/papers/mdlm.yaml:1:1: date: required field is missing" in result.out


def test_every_error_in_one_run(catalog, cli):
    catalog.write("papers/a.yaml", "kind: paper\nkind: paper\n")
    catalog.write(
        "papers/b.yaml", GOOD_PAPER.replace("title: ", "title: <b>x</b> ").replace("2406.07524", "2406.07599")
    )
    catalog.write("papers/c.yaml", "kind: paper\ntitle: &a x\n")
    result = cli("validate")
    lines = [line for line in result.out.splitlines() if line.startswith("catalog/")]
    assert {line.split(":")[0] for line in lines} == {
        "catalog/papers/a.yaml",
        "catalog/papers/b.yaml",
        "catalog/papers/c.yaml",
    }
    assert "catalog/papers/b.yaml:2:1: title: raw HTML tags are not allowed in text; write plain text" in result.out


def test_file_name_must_be_a_slug(catalog, cli):
    catalog.write("papers/Bad Name.yaml", GOOD_PAPER)
    result = cli("validate")
    assert (
        "catalog/papers/Bad Name.yaml:1:1: file name 'Bad Name.yaml' must be <id>.yaml with a lowercase slug id"
        in result.out
    )


def test_symlink_out_of_the_catalog_is_not_followed(catalog, cli, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text(GOOD_PAPER)
    (catalog.root / "papers" / "link.yaml").symlink_to(secret)
    result = cli("validate")
    assert "catalog/papers/link.yaml:1:1: symbolic links are not allowed in the catalog" in result.out


def test_unexpected_files_are_reported(catalog, cli):
    catalog.write("papers/notes.yml", "x: 1\n")
    catalog.write("misc/x.yaml", "x: 1\n")
    result = cli("validate")
    assert "catalog/papers/notes.yml:1:1: unexpected file: entries are <id>.yaml files" in result.out
    assert "catalog/misc:1:1: unexpected path" in result.out


def test_github_format_escapes_properties_and_message(catalog, cli):
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("summary:", "sumary:"))
    result = cli("validate", "--format", "github")
    assert result.code == 1
    assert (
        "::error file=catalog/papers/mdlm.yaml,line=11,col=1,title=sumary::"
        "unknown field 'sumary'; did you mean 'summary'?"
    ) in result.out.splitlines()


def test_github_annotation_escaping():
    from dllm_atlas.diagnostics import Diagnostic, github_annotation

    line = github_annotation(Diagnostic("a,b:c.yaml", 1, 2, "f", "100% bad\nnext"))
    assert line == "::error file=a%2Cb%3Ac.yaml,line=1,col=2,title=f::100%25 bad%0Anext"


def test_json_format_is_a_machine_readable_list(catalog, cli):
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("summary:", "sumary:"))
    result = cli("validate", "--format", "json")
    report = json.loads(result.out)
    assert report == [
        {
            "file": "catalog/papers/mdlm.yaml",
            "line": 11,
            "column": 1,
            "field": "sumary",
            "message": "unknown field 'sumary'; did you mean 'summary'?",
            "severity": "error",
        }
    ]


def test_missing_catalog_folder_is_an_error_not_a_traceback(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    result = cli("validate", "--catalog", "nowhere")
    assert result.code == 1
    assert "nowhere:1:1: catalog folder not found" in result.out


def test_usage_error_exits_2(cli):
    with pytest.raises(SystemExit) as info:
        cli("validate", "--format", "xml")
    assert info.value.code == 2


def test_real_process_prints_no_traceback_on_hostile_input(catalog, tmp_path):
    catalog.write(
        "papers/bomb.yaml",
        'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n',
    )
    catalog.write("papers/bytes.yaml", b"\xff\xfe\x00k")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run(
        [sys.executable, "-m", "dllm_atlas.cli", "validate"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "catalog/papers/bomb.yaml:1:4: YAML anchors are not allowed" in proc.stdout
    assert "catalog/papers/bytes.yaml:1:1: file is not valid UTF-8 (byte 0xff)" in proc.stdout


def test_a_bad_unconfirmed_key_is_reported_at_that_key(catalog, cli):
    catalog.write("papers/x.yaml", GOOD_PAPER.replace("added:", "unconfirmed:\n  authors: none found\nadded:"))
    result = cli("validate")
    assert result.code == 1
    assert (
        "catalog/papers/x.yaml:15:3: unconfirmed.authors: 'authors' has a value, so it is not unconfirmed: "
        "remove it from unconfirmed or empty the field"
    ) in result.out


def test_version_and_quiet(catalog, cli, capsys, monkeypatch):
    from dllm_atlas import __version__, links

    with pytest.raises(SystemExit) as exit_info:
        cli("--version")
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"dllm-atlas {__version__}"
    monkeypatch.setattr(links, "collect_urls", lambda entries: {})  # no URL to check: no network
    assert "0 URLs: 0 ok" in cli("check-links").err  # information is logged …
    assert cli("-q", "check-links").err == ""  # … and -q keeps only errors
    catalog.write("papers/bad.yaml", "kind: paper\ntitle: x\n")
    quiet = cli("-q", "export", "json")
    assert quiet.code == 1 and "dllm-atlas: the catalog has 4 error(s); run 'dllm-atlas validate'" in quiet.err


def test_validate_loads_neither_http_nor_templates_nor_mkdocs(catalog):
    # Start-up was a third of validate's time when every command's dependencies loaded for it.
    probe = (
        "import sys, io, contextlib; from dllm_atlas.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): main(['validate'])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'httpx', 'httpcore', 'jinja2', 'mkdocs', 'material'}))"
    )
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=catalog.root.parent, capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == "[]", done.stderr
