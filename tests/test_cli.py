"""CLI conventions: python -m, --help that teaches (description, defaults, an example, exit codes),
and one spelling for output options."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dllm_atlas.cli import build_parser

from .conftest import ROOT

COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


def test_python_dash_m_runs_the_same_command():
    done = subprocess.run(
        [sys.executable, "-m", "dllm_atlas", "--version"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert done.stdout.startswith("dllm-atlas ")


def test_the_top_level_help_lists_every_command_and_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    text = capsys.readouterr().out
    for name in COMMANDS:
        assert f"    {name}" in text
    for code in ("0 ", "1 ", "2 ", "3 ", "130"):
        assert f"\n  {code}" in text


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_help_has_a_description_defaults_an_example_and_exit_codes(name, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args([name, "--help"])
    text = capsys.readouterr().out
    paragraphs = text.split("\n\n")
    assert len(paragraphs[2].split()) >= 8, "a description beyond the one-line summary"
    assert "(default: catalog)" in text  # every command reads a catalog, and says from where
    assert f"examples:\n  dllm-atlas {name}" in text
    assert "exit codes:\n  0    success" in text


def test_output_options_have_one_spelling():
    parser = build_parser()
    for name, sub in parser._subparsers._group_actions[0].choices.items():  # type: ignore[union-attr]
        spellings = {s for action in sub._actions for s in action.option_strings}
        assert not spellings & {"--out", "--site-dir", "--output-dir"}, name
        writes = {"export", "import-markdown", "build", "schema"}
        if name in writes:
            assert {"-o", "--output"} <= spellings, name
