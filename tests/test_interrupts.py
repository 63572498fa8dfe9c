"""Killing readme, build or export at any moment never leaves a truncated output: the target is
the old one or the new one, whole. SIGTERM also cleans up its temporary files. The kill delays are
spread over each command's run (no timing is asserted: only the state left behind)."""

from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dllm_atlas import pipeline, readme, render
from dllm_atlas.fsutil import replace_dir, staging_dir, write_atomic

from .conftest import ROOT
from .sitekit import project_copy

KILL_AFTER = (0.3, 0.8, 1.5, 2.5, 4.0)  # seconds into the run


def _start(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "dllm_atlas", *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _kill_after(process: subprocess.Popen[bytes], seconds: float, sig: int = signal.SIGKILL) -> None:
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(sig)
        process.wait(timeout=60)


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file's bytes; the sitemap's only by name (it carries the build date)."""
    return {
        str(p.relative_to(folder)): b"" if p.name.startswith("sitemap.xml") else p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_killed_build_leaves_the_previous_site_whole(catalog, tmp_path):
    config = project_copy(tmp_path / "project", catalog=catalog.root)
    site = tmp_path / "site"
    args = ["build", "--catalog", str(catalog.root), "--config-file", str(config), "-o", str(site)]
    project = config.parent  # MkDocs reads the snippets it includes relative to the working directory
    first = subprocess.run([sys.executable, "-m", "dllm_atlas", *args], cwd=project, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr[-2000:]
    reference = _tree(site)
    assert "index.html" in reference
    for delay in KILL_AFTER:
        _kill_after(_start(args, project), delay)
        # Either the kill came before the swap (the old site) or after it (an identical new one).
        assert _tree(site) == reference, f"killed after {delay} s"
    finished = subprocess.run([sys.executable, "-m", "dllm_atlas", *args], cwd=project, capture_output=True)
    assert finished.returncode == 0
    assert not list(tmp_path.glob(".site.building-*"))  # what killed runs left is cleared by the next


def _synthetic_catalog(tmp_path: Path, size: int) -> Path:
    import importlib.util

    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "benchmarks" / "synthetic.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.synthetic_catalog(tmp_path, size)


@pytest.mark.parametrize("command", ["export", "readme"])
def test_a_killed_export_or_readme_leaves_each_file_whole(tmp_path, command):
    root = _synthetic_catalog(tmp_path, 2000)  # big enough that a kill lands inside the run
    readme_path = tmp_path / "README.md"
    original = "<!-- dllm-atlas:begin -->\n<!-- dllm-atlas:end -->\n"
    readme_path.write_text(original, encoding="utf-8")
    out = tmp_path / "export.json"
    args = ["export", "json", "-o", str(out)] if command == "export" else ["readme", "--readme", str(readme_path)]
    args += ["--catalog", str(root)]
    checked = pipeline.run_checks(root)
    assert checked.index is not None
    expected = readme.generated_files(readme_path, original, checked.index, render.environment())
    for delay in KILL_AFTER:
        _kill_after(_start(args, tmp_path), delay)
        if command == "export" and out.exists():
            json.loads(out.read_text(encoding="utf-8"))  # complete, or it would not parse
        if command == "readme":
            # Each file is as it was (README: the original; a page: absent) or whole and new.
            assert readme_path.read_text(encoding="utf-8") in (original, expected[readme_path])
            for page in (tmp_path / "lists").glob("*.md"):
                assert page.read_text(encoding="utf-8") == expected[page], f"{page.name}, killed after {delay} s"


def test_sigterm_removes_the_temporary_file_of_an_interrupted_write(tmp_path):
    script = (
        "import signal, sys, time\n"
        "from pathlib import Path\n"
        "import dllm_atlas.fsutil as f\n"
        "from dllm_atlas.cli import _interrupt\n"
        "signal.signal(signal.SIGTERM, _interrupt)\n"
        "class Slow(str):\n"
        "    pass\n"
        "orig = f.os.fdopen\n"
        "def slow(*a, **k):\n"
        "    h = orig(*a, **k)\n"
        "    print('writing', flush=True); time.sleep(30)\n"
        "    return h\n"
        "f.os.fdopen = slow\n"
        "try:\n"
        "    f.write_atomic(Path(sys.argv[1]), 'new')\n"
        "except KeyboardInterrupt:\n"
        "    sys.exit(130)\n"
    )
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "writing\n"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 130
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]  # no .out.json.*.tmp left


def test_atomic_writes_keep_the_file_mode_and_replace_dir_swaps_whole_folders(tmp_path):
    target = tmp_path / "README.md"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    write_atomic(target, "new", durable=False)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # not mkstemp's 0600
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.html").write_text("old", encoding="utf-8")
    new = staging_dir(site)
    (new / "new.html").write_text("new", encoding="utf-8")
    replace_dir(new, site)
    assert sorted(p.name for p in site.iterdir()) == ["new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "site"]
