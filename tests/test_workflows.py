"""GitHub workflows: linted by actionlint, audited by zizmor, and safe by construction."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is a test dependency (pip install -e '.[test]')"
    return found


def load(path: Path) -> dict:
    # PyYAML reads the key "on" as True (YAML 1.1); normalise it back.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def test_there_are_the_three_workflows():
    assert [p.name for p in WORKFLOWS] == ["links.yml", "main.yml", "pull-request.yml"]


def test_actionlint_finds_nothing():
    result = subprocess.run([tool("actionlint"), *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_zizmor_finds_nothing():
    result = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", "--format", "plain", str(ROOT / ".github" / "workflows")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_workflow_runs_untrusted_code_with_write_access(path):
    data = load(path)
    triggers = data["on"] if isinstance(data["on"], dict) else {data["on"]: None}
    assert "pull_request_target" not in triggers
    assert data["permissions"] == {"contents": "read"}, "top-level permissions are minimal"
    for job in data["jobs"].values():
        for step in job.get("steps", []):
            uses = step.get("uses")
            if uses:
                ref = uses.split("@", 1)[1]
                assert len(ref) == 40 and all(c in "0123456789abcdef" for c in ref), f"{uses} is not pinned to a commit"
    if "pull_request" in triggers:
        for job in data["jobs"].values():
            assert "permissions" not in job, "pull-request jobs keep the read-only default"


def test_pull_request_workflow_validates_guards_the_readme_builds_and_tests():
    steps = load(ROOT / ".github" / "workflows" / "pull-request.yml")["jobs"]["check"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "dllm-atlas validate --format github" in runs and "GITHUB_STEP_SUMMARY" in runs
    assert "dllm-atlas readme --unchanged-from" in runs
    assert "dllm-atlas build" in runs and "pytest" in runs


def test_main_workflow_commits_the_readme_and_deploys_pages():
    jobs = load(ROOT / ".github" / "workflows" / "main.yml")["jobs"]
    assert jobs["readme"]["permissions"] == {"contents": "write"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert "dllm-atlas readme" in "\n".join(s.get("run", "") for s in jobs["readme"]["steps"])


def test_weekly_link_check_opens_or_updates_one_issue():
    data = load(ROOT / ".github" / "workflows" / "links.yml")
    assert data["on"]["schedule"]
    job = data["jobs"]["links"]
    assert job["permissions"] == {"issues": "write"}
    runs = "\n".join(s.get("run", "") for s in job["steps"])
    assert "dllm-atlas check-links --format markdown" in runs
    assert "gh issue edit" in runs and "gh issue create" in runs
