"""``dllm-atlas serve``: serves the generated site on 127.0.0.1 and rebuilds when an entry changes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from .conftest import GOOD_PAPER
from .sitekit import project_copy


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8")
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


def test_serve_rebuilds_when_a_catalog_entry_changes(catalog, tmp_path):
    config_file = project_copy(tmp_path / "project", catalog=catalog.root)
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dllm_atlas.cli",
            "serve",
            "--catalog",
            str(catalog.root),
            "--config-file",
            str(config_file),
            "--dev-addr",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=config_file.parent,
    )
    try:
        url = f"http://127.0.0.1:{port}/dllm-atlas/entries/mdlm/"  # mkdocs serves under site_url's path
        _wait_for(url, "Simple and Effective Masked Diffusion Language Models", 60)
        catalog.write("papers/mdlm.yaml", GOOD_PAPER.replace("Simple and Effective", "Renamed Live"))
        _wait_for(url, "Renamed Live Masked Diffusion Language Models", 60)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
