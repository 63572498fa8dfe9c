"""A wheel install works on its own: built from the checkout, installed into a fresh virtual
environment, and run against the repository's catalog, with templates found inside the package."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from .sitekit import ROOT, project_copy

# Nothing may lead the fresh interpreter back to the checkout's sources.
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def _run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, env=CLEAN_ENV, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding only the wheel; the dependencies come from the test venv (no network)."""
    work = tmp_path_factory.mktemp("wheel")
    built = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", work / "dist", ROOT, cwd=work
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (work / "dist").glob("dllm_atlas-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)  # the test venv's pip installs into it (--python): no ensurepip
    python = env_dir / "bin" / "python"
    site_packages = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=work).stdout.strip()
    )
    # The test venv's packages (pydantic, mkdocs, …) are reachable as a plain path; its editable
    # install of dllm_atlas is not, because .pth files in an added path are not processed.
    (site_packages / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    installed = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel, cwd=work
    )
    assert installed.returncode == 0, installed.stderr
    return env_dir


def test_the_wheel_carries_the_templates_and_is_what_runs(installed, tmp_path):
    where = _run(
        installed / "bin" / "python",
        "-c",
        "import dllm_atlas, dllm_atlas.render as r; print(dllm_atlas.__file__); print(r.templates_dir())",
        cwd=tmp_path,
    )
    module, templates = where.stdout.split()
    assert Path(module).is_relative_to(installed) and Path(templates).is_relative_to(installed)
    assert (Path(templates) / "site" / "entry.md.j2").is_file()


def test_validate_readme_new_and_build_run_from_the_wheel(installed, tmp_path):
    cli = installed / "bin" / "dllm-atlas"
    validated = _run(cli, "validate", "--catalog", ROOT / "catalog", cwd=tmp_path)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "file(s) checked, 0 error(s)" in validated.stdout
    readme = _run(cli, "readme", "--check", "--catalog", ROOT / "catalog", "--readme", ROOT / "README.md", cwd=tmp_path)
    assert readme.returncode == 0 and "are up to date" in readme.stdout, readme.stdout + readme.stderr
    scaffold = tmp_path / "catalog"
    (scaffold / "models").mkdir(parents=True)
    (scaffold / "taxonomy.yaml").write_bytes((ROOT / "catalog" / "taxonomy.yaml").read_bytes())
    made = _run(cli, "new", "model", "--id", "x", "--catalog", scaffold, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "# parameters: Released sizes" in (scaffold / "models" / "x.yaml").read_text(encoding="utf-8")
    config = project_copy(tmp_path / "project")
    site_dir = tmp_path / "site"
    built = _run(
        cli, "build", "--catalog", ROOT / "catalog", "--config-file", config, "-o", site_dir, cwd=config.parent
    )  # snippets (CONTRIBUTING.md) resolve from the project folder
    assert built.returncode == 0, built.stdout + built.stderr
    assert (site_dir / "entries" / "llada" / "index.html").is_file()
