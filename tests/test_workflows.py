"""GitHub workflows: linted by actionlint, audited by zizmor, and safe by construction."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent
WEEKLY = ROOT / ".github" / "workflows" / "weekly.yml"
BOT_BRANCH = "bot/weekly-catalog"


def tool(name: str) -> str:
    """The linter's path. Missing, the test skips, except under CI=true, where it fails: CI installs
    the test extra, so a missing linter there is a broken setup, not a reason to skip the audit."""
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not found:
        message = f"{name} is a test dependency (pip install -e '.[test]')"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; missing under CI=true")
        pytest.skip(f"{message}; not installed")
    return found


def load(path: Path) -> dict:
    # PyYAML reads the key "on" as True (YAML 1.1); normalise it back.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def test_there_are_the_four_workflows():
    assert [p.name for p in WORKFLOWS] == ["links.yml", "main.yml", "pull-request.yml", "weekly.yml"]


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


def test_a_missing_linter_skips_locally_and_fails_under_ci(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"actionlint is a test dependency.*missing under CI=true"):
        tool("actionlint")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match=r"zizmor is a test dependency.*not installed"):
        tool("zizmor")


def test_zizmor_audits_the_weekly_workflow_too():
    result = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", "--format", "plain", "--persona", "auditor",
         str(ROOT / ".github" / "workflows" / "weekly.yml")],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert "completed " + str(WEEKLY) in result.stderr
    assert "No findings to report" in result.stdout + result.stderr, result.stdout


# The weekly workflow: discover, refresh and enrich, then one pull request from the bot branch.


def test_weekly_workflow_runs_the_three_commands_with_least_permissions():
    data = load(WEEKLY)
    assert data["on"]["schedule"] and "workflow_dispatch" in data["on"]
    job = data["jobs"]["update"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    steps = job["steps"]
    assert steps[0]["with"]["persist-credentials"] is False
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "dllm-atlas discover --report" in runs and "dllm-atlas refresh --write --report" in runs
    assert "dllm-atlas enrich" in runs
    assert steps[3]["env"] == {"GITHUB_TOKEN": "${{ github.token }}"}  # enrich's token, read by the command
    assert "HEAD:main" not in runs and "push" not in steps[3]["run"]


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def _weekly_repo(tmp_path: Path) -> tuple[Path, Path]:
    """A bare 'origin' with a main branch, and a clone of it as the runner's checkout."""
    origin, work = tmp_path / "origin.git", tmp_path / "work"
    _git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(origin))
    _git(tmp_path, "clone", "--quiet", str(origin), str(work))
    _git(work, "switch", "--quiet", "-c", "main")
    (work / "catalog").mkdir()
    (work / "catalog" / "taxonomy.yaml").write_text("areas: []\n", encoding="utf-8")
    _git(work, "add", "catalog")
    _git(work, "-c", "user.name=Maintainer", "-c", "user.email=m@example.org", "commit", "--quiet", "-m", "start")
    _git(work, "push", "--quiet", "origin", "main")
    return origin, work


def _run_pr_step(work: Path, tmp_path: Path, statuses=("0", "0", "0"), open_pr: str = "") -> tuple[int, list[str], str]:
    step = next(s for s in load(WEEKLY)["jobs"]["update"]["steps"] if "gh pr" in s.get("run", ""))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    calls = tmp_path / "calls"
    fake = bin_dir / "gh"
    fake.write_text(
        '#!/bin/sh\necho "$*" >> "$CALLS"\nif [ "$1 $2" = "pr list" ]; then printf "%s" "$OPEN"; fi\n'
        'if [ "$1 $2" = "pr create" ] || [ "$1 $2" = "pr edit" ]; then cp "$(echo "$*" | sed "s/.*--body-file //")" "$CALLS.body"; fi\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    reports = tmp_path / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "discover.md").write_text("## New papers found on arXiv\n\n**1 drafted**\n", encoding="utf-8")
    (reports / "refresh.md").write_text("## Changes on arXiv\n\nNothing changed.\n", encoding="utf-8")
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "CALLS": str(calls),
        "OPEN": open_pr,
        "TOKEN": "t0ken",
        "REMOTE": str(tmp_path / "origin.git"),
        "RUN_URL": "https://github.com/o/r/actions/runs/1",
        "DISCOVER": statuses[0],
        "REFRESH": statuses[1],
        "ENRICH": statuses[2],
        "REPORTS": str(reports),
    }
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=work, env=env, capture_output=True, text=True)
    lines = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
    return done.returncode, lines, done.stdout + done.stderr


def _draft(work: Path, name: str = "new-paper") -> None:
    (work / "catalog" / "papers").mkdir(exist_ok=True)
    (work / "catalog" / "papers" / f"{name}.yaml").write_text("# DRAFT\nkind: paper\n", encoding="utf-8")


def test_weekly_pr_step_pushes_the_bot_branch_and_opens_one_pull_request(tmp_path):
    origin, work = _weekly_repo(tmp_path)
    main_before = _git(origin, "rev-parse", "main")
    _draft(work)
    (work / "data").mkdir()
    (work / "data" / "activity.json").write_text('{"taken": "2026-12-01"}\n', encoding="utf-8")
    code, calls, output = _run_pr_step(work, tmp_path, statuses=("3", "0", "1"))
    assert code == 0, output
    assert _git(origin, "rev-parse", "main") == main_before  # main is never pushed to
    assert _git(origin, "show", "--name-only", "--format=%an <%ae>", BOT_BRANCH).split() == [
        "dllm-atlas", "bot", "<dllm-atlas-bot@users.noreply.github.com>", "catalog/papers/new-paper.yaml", "data/activity.json",
    ]  # fmt: skip
    assert calls[0] == f"pr list --head {BOT_BRANCH} --state open --json number --jq .[0].number // empty"
    assert calls[1].startswith(f"pr create --base main --head {BOT_BRANCH} --title Weekly catalog update --body-file ")
    body = (tmp_path / "calls.body").read_text(encoding="utf-8")
    assert body.startswith("Prepared by the [weekly workflow](https://github.com/o/r/actions/runs/1).")
    assert "the arXiv API failed partway" in body and "enrich exited 1" in body
    assert "## New papers found on arXiv\n\n**1 drafted**" in body and "## Changes on arXiv" in body
    assert "t0ken" not in _git(work, "config", "--list")  # the token never lands in .git/config


def test_weekly_pr_step_updates_the_open_pull_request_and_replaces_its_own_commit(tmp_path):
    origin, work = _weekly_repo(tmp_path)
    _draft(work, "first")
    assert _run_pr_step(work, tmp_path)[0] == 0
    # Next week, on a fresh checkout of main: discover drafts the unmerged paper again, and a new one.
    _git(work, "switch", "--quiet", "main")
    _draft(work, "first")
    _draft(work, "second")
    (tmp_path / "calls").unlink()
    code, calls, output = _run_pr_step(work, tmp_path, open_pr="17")
    assert code == 0, output
    assert calls[1].startswith("pr edit 17 --body-file ")
    files = _git(origin, "show", "--name-only", "--format=", BOT_BRANCH).split()
    assert files == ["catalog/papers/first.yaml", "catalog/papers/second.yaml"]  # one commit on main, rebuilt
    assert _git(origin, "rev-list", "--count", f"main..{BOT_BRANCH}").strip() == "1"


def test_weekly_pr_step_does_nothing_without_changes_or_over_a_maintainers_commits(tmp_path):
    origin, work = _weekly_repo(tmp_path)
    code, calls, output = _run_pr_step(work, tmp_path)
    assert code == 0 and calls == [] and "nothing new this week" in output
    # A maintainer curated the drafts on the bot branch: the next run leaves the branch alone.
    _git(work, "switch", "--quiet", "-c", BOT_BRANCH)
    _draft(work, "curated")
    _git(work, "add", "catalog")
    _git(work, "-c", "user.name=Maintainer", "-c", "user.email=m@example.org", "commit", "--quiet", "-m", "curate")
    _git(work, "push", "--quiet", "origin", BOT_BRANCH)
    curated = _git(origin, "rev-parse", BOT_BRANCH)
    _git(work, "switch", "--quiet", "main")
    _draft(work, "another")
    code, calls, output = _run_pr_step(work, tmp_path)
    assert code == 0 and calls == []
    assert f"::warning::{BOT_BRANCH} holds commits by m@example.org" in output
    assert _git(origin, "rev-parse", BOT_BRANCH) == curated


def test_weekly_pr_step_fails_on_a_real_failure_and_opens_nothing(tmp_path):
    origin, work = _weekly_repo(tmp_path)
    _draft(work)
    code, calls, output = _run_pr_step(work, tmp_path, statuses=("1", "0", "0"))
    assert code == 1 and calls == []
    assert "::error::discover, refresh, enrich exited 1, 0, 0; no pull request" in output
    assert BOT_BRANCH not in _git(origin, "branch", "--list")
