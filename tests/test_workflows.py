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
    steps = jobs["readme"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "dllm-atlas readme" in runs
    # The token never lands in .git/config, where every later step could read it ...
    assert steps[0]["with"]["persist-credentials"] is False
    assert 'git -c http.extraheader="$auth" push' in runs
    # ... and a merge landing first means regenerating on top of it, not a failed job.
    assert "for attempt in" in runs and "git reset --quiet --hard origin/main" in runs


def test_every_workflow_caches_pip_and_dependabot_keeps_the_pins_current():
    for path in WORKFLOWS:
        for job in load(path)["jobs"].values():
            for step in job["steps"]:
                if "setup-python" in step.get("uses", ""):
                    assert step["with"]["cache"] == "pip", path.name
    updates = load(ROOT / ".github" / "dependabot.yml")["updates"]
    assert {u["package-ecosystem"] for u in updates} == {"github-actions", "pip"}


def test_weekly_link_check_opens_or_updates_one_issue():
    data = load(ROOT / ".github" / "workflows" / "links.yml")
    assert data["on"]["schedule"]
    job = data["jobs"]["links"]
    assert job["permissions"] == {"issues": "write"}
    runs = "\n".join(s.get("run", "") for s in job["steps"])
    assert "dllm-atlas check-links --format markdown" in runs
    assert "gh issue edit" in runs and "gh issue create" in runs
    assert "gh issue close" in runs  # once the links are fixed
    assert "gh label create links" in runs and "--force" in runs  # the label exists before it is used
    assert '[ "$STATUS" = "3" ]' in runs  # the network was down: nothing filed
    assert '[ ! -s "$REPORT" ]' in runs  # never an empty body


def _run_issue_step(tmp_path, status: str, report: str, open_issue: str = "") -> tuple[int, list[str]]:
    """Run the link workflow's issue step with bash and a fake ``gh`` that records its calls."""
    step = next(
        s
        for s in load(ROOT / ".github" / "workflows" / "links.yml")["jobs"]["links"]["steps"]
        if "gh " in s.get("run", "")
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    calls = tmp_path / "calls"
    fake = bin_dir / "gh"
    fake.write_text(
        '#!/bin/sh\necho "$*" >> "$CALLS"\nif [ "$1 $2" = "issue list" ]; then printf "%s" "$OPEN"; fi\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    (tmp_path / "links.md").write_text(report, encoding="utf-8")
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "CALLS": str(calls),
        "OPEN": open_issue,
        "STATUS": status,
        "REPORT": str(tmp_path / "links.md"),
    }
    done = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, capture_output=True, text=True)
    return done.returncode, calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []


def test_link_issue_step_files_nothing_when_the_network_was_down(tmp_path):
    code, calls = _run_issue_step(tmp_path, "3", "")
    assert code == 1 and calls == []


def test_link_issue_step_closes_the_open_report_once_links_are_fixed(tmp_path):
    code, calls = _run_issue_step(tmp_path, "0", "", open_issue="42")
    assert code == 0
    assert calls[-1].startswith("issue close 42")


def test_link_issue_step_creates_the_label_then_the_issue_and_never_an_empty_one(tmp_path):
    code, calls = _run_issue_step(tmp_path, "1", "## Link check\n")
    assert code == 0
    assert calls[1].startswith("label create links") and calls[2].startswith("issue create")
    empty = tmp_path / "empty"
    empty.mkdir()
    code, calls = _run_issue_step(empty, "1", "")
    assert code == 1 and not any(c.startswith("issue create") for c in calls)
