"""``dllm-atlas serve``: serves the generated site on 127.0.0.1, rebuilds when an entry changes,
shows an invalid catalog's errors in the browser, refuses a busy address in one line, and leaves
nothing running or on disk once stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import GOOD_PAPER
from .sitekit import project_copy

ENTRY_PATH = "/dllm-atlas/entries/mdlm/"  # mkdocs serves under site_url's path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str | None:
    """The body of ``url`` (error pages included), or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(url: str, needle: str, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = _get(url)
        if body is not None and needle in body:
            return body
        time.sleep(0.3)
    raise AssertionError(f"{needle!r} never appeared at {url}")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _serve(catalog_root: Path, config_file: Path, port: int, tmp: Path) -> subprocess.Popen[str]:
    tmp.mkdir(exist_ok=True)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dllm_atlas.cli",
            "serve",
            "--catalog",
            str(catalog_root),
            "--config-file",
            str(config_file),
            "--dev-addr",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(tmp)},
        cwd=config_file.parent,
    )


@pytest.fixture
def served(catalog, tmp_path):
    """A running ``serve`` on a free port: (process, base URL, its TMPDIR)."""
    config_file = project_copy(tmp_path / "project", catalog=catalog.root)
    port = _free_port()
    tmp = tmp_path / "tmp"
    process = _serve(catalog.root, config_file, port, tmp)
    try:
        yield process, f"http://127.0.0.1:{port}", tmp
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from /proc")
def test_serve_rebuilds_on_an_edit_and_sigterm_leaves_no_process_and_no_temp_folder(catalog, served):
    process, base, tmp = served
    first = _wait_for(base + ENTRY_PATH, "Simple and Effective Masked Diffusion Language Models", 90)
    # The live-reload script, which reloads the browser after each rebuild, is in every page.
    assert "livereload(" in first
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("Simple and Effective", "Renamed Live"))
    _wait_for(base + ENTRY_PATH, "Renamed Live Masked Diffusion Language Models", 60)
    assert _children(process.pid) == []  # the server runs in-process: nothing to re-parent to PID 1
    assert [p.name for p in tmp.iterdir()] != []  # its build folder lives under TMPDIR

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    assert _get(base + ENTRY_PATH) is None  # nobody answers on the port any more
    assert list(tmp.iterdir()) == []
    assert "Traceback" not in process.stdout.read()


def test_an_invalid_catalog_shows_its_located_errors_in_the_browser_until_fixed(catalog, served):
    process, base, _ = served
    _wait_for(base + ENTRY_PATH, "Simple and Effective Masked Diffusion Language Models", 90)
    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("date: 2024-06-11", "date: 2024-13-45"))

    page = _wait_for(base + ENTRY_PATH, "the catalog has 1 error", 30)
    assert f"{catalog.root / 'papers/mdlm.yaml'}:5:1: date:" in page  # the located line of validate
    assert "&#39;2024-13-45&#39; is not a date: write YYYY-MM-DD" in page  # escaped HTML
    assert "the catalog has 1 error" in (_get(base + "/dllm-atlas/") or "")  # every page shows it

    catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("Simple and Effective", "Fixed"))
    _wait_for(base + ENTRY_PATH, "Fixed Masked Diffusion Language Models", 60)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0


def test_the_error_page_escapes_what_the_catalog_wrote(catalog):
    from dllm_atlas import render
    from dllm_atlas.diagnostics import Diagnostic
    from dllm_atlas.serve import error_page

    page = error_page(
        [Diagnostic("papers/x.yaml", 2, 1, "title", "bad <script>alert(1)</script>")], render.environment()
    )
    assert b"bad &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert b"<script>alert(1)" not in page


def _run_serve(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dllm_atlas.cli", "serve", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def test_a_busy_port_is_one_line_and_exit_2_before_anything_is_built(catalog, tmp_path):
    config_file = project_copy(tmp_path / "project", catalog=catalog.root)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _run_serve(
            ["--catalog", str(catalog.root), "--config-file", str(config_file), "--dev-addr", f"127.0.0.1:{port}"],
            config_file.parent,
        )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"127.0.0.1:{port} is not available" in lines[0]
    assert "--dev-addr HOST:PORT" in lines[0]
    assert not (config_file.parent / "docs" / "entries").exists()  # nothing was generated


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("8000", "expected HOST:PORT"),
        ("127.0.0.1:99999", "a port from 1 to 65535"),
        ("127.0.0.1:http", "expected HOST:PORT"),
        ("no-such-host.invalid:8000", "unknown host 'no-such-host.invalid'"),
    ],
)
def test_a_bad_dev_addr_is_one_line_and_exit_2(catalog, tmp_path, address, expected):
    result = _run_serve(["--catalog", str(catalog.root), "--dev-addr", address], tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
