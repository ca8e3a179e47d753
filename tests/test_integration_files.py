"""The pre-commit hook manifest and the GitHub Action: structure, and the action's scan script run."""

from __future__ import annotations

import importlib.util
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from depcheck.sources import source_spec
from tests.conftest import FIXTURES, ROOT

HOOKS = ROOT / ".pre-commit-hooks.yaml"
ACTION = ROOT / "action.yml"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- .pre-commit-hooks.yaml ----------------------------------------------------------------


def hook() -> dict[str, Any]:
    hooks = load(HOOKS)
    assert isinstance(hooks, list) and len(hooks) == 1
    entry: dict[str, Any] = hooks[0]
    return entry


def test_hook_manifest() -> None:
    entry = hook()
    assert entry["id"] == "depcheck"
    assert entry["entry"] == "depcheck scan"
    assert entry["language"] == "python"
    assert entry["pass_filenames"] is False
    assert entry["name"] and entry["description"]


@pytest.mark.parametrize(
    "path",
    [
        "requirements.txt",
        "requirements.in",
        "services/api/requirements-prod.txt",
        "api/dev-requirements.txt",
        "api/requirements/base.txt",
        "api/requirements/base.in",
        "Requirements.TXT",
        "pyproject.toml",
        "svc/poetry.lock",
        "uv.lock",
        "Pipfile",
        "svc/Pipfile.lock",
        "pylock.toml",
        "svc/pylock.web.toml",
        "setup.cfg",
        "depcheck.toml",
        "constraints.txt",
        "svc/Dockerfile",
        "svc/Dockerfile.worker",
        "svc/api.Dockerfile",
        "Containerfile",
        "compose.yaml",
        "deploy/docker-compose.override.yml",
        "svc/Procfile",
        "svc/runtime.txt",
        "svc/.python-version",
        "template.yaml",
        "serverless.yml",
    ],
)
def test_hook_runs_for_dependency_files(path: str) -> None:
    assert re.search(hook()["files"], path)


@pytest.mark.parametrize(
    "path",
    ["README.md", "src/requirements.py", "notpyproject.toml", "requirements.txt.orig", "x.toml"],
)
def test_hook_skips_other_files(path: str) -> None:
    assert not re.search(hook()["files"], path)


# names discovery may meet, in a root folder and in a service's: what it reads must run the hook
_CANDIDATES = (
    "requirements.txt",
    "requirements-prod.in",
    "dev-requirements.txt",
    "requirements/base.txt",
    "constraints.txt",
    "pyproject.toml",
    "setup.cfg",
    "Pipfile",
    "Pipfile.lock",
    "poetry.lock",
    "uv.lock",
    "pylock.toml",
    "pylock.web.toml",
    "Dockerfile",
    "Containerfile",
    "Dockerfile.worker",
    "api.Dockerfile",
    "compose.yaml",
    "docker-compose.yml",
    "docker-compose.override.yaml",
    "compose.prod.yml",
    "Procfile",
    "runtime.txt",
    ".python-version",
    "template.yaml",
    "template.json",
    "sam-app.yml",
    "serverless.yml",
    "serverless.yaml",
    "README.md",
    "app.py",
    "requirements.py",
    "config.yaml",
    "notes.txt",
    ".dockerignore",
)


def _read_by_discovery(root: Path) -> set[str]:
    """Every file a scan of `root` reads: dependency files, their includes, deployment files."""
    from depcheck.fs import Tree
    from depcheck.sources import ReadOptions, source_for
    from depcheck.topology.deploy.procfile import app_python
    from depcheck.topology.deployed import find_deploy_files
    from depcheck.topology.discover import walk_dependency_files

    read = set(walk_dependency_files(root, include_dev=True))
    for path in list(read):
        source = source_for(path)
        assert source is not None
        read.update(source.read(path, ReadOptions(root=root, include_dev=True)).includes)
    deploy = find_deploy_files(root)
    for group in (deploy.dockerfiles, deploy.compose, deploy.procfiles, deploy.templates):
        read.update(group)
    read.update(deploy.serverless)
    for procfile in deploy.procfiles:
        found = app_python(Tree(root), posixpath.dirname(procfile), [])
        if found is not None:
            read.add(found[1].path)
    return read


def test_hook_pattern_covers_what_discovery_reads(tmp_path: Path) -> None:
    contents = {
        "requirements.txt": "requests==2.31.0\n-c constraints.txt\n",
        "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = ["rich"]\n',
        "setup.cfg": "[options]\ninstall_requires =\n    rich\n",
        "Procfile": "web: gunicorn app:app\n",
        "runtime.txt": "python-3.11.9\n",
        ".python-version": "3.11\n",
        "Dockerfile": "FROM python:3.12\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n",
    }
    written = []
    for folder in ("", "services/api/"):
        for name in _CANDIDATES:
            path = tmp_path / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(contents.get(posixpath.basename(name), "x = 1\n"), encoding="utf-8")
            written.append(folder + name)
    read = _read_by_discovery(tmp_path)
    pattern = hook()["files"]
    # the list is not trivially small: every kind above is found in both folders
    assert {"constraints.txt", "services/api/Dockerfile.worker", "runtime.txt"} <= read
    assert {"services/api/compose.yaml", "serverless.yml", "services/api/template.yaml"} <= read
    missed = sorted(p for p in read if not re.search(pattern, p))
    assert missed == []
    others = sorted(p for p in written if p not in read and re.search(pattern, p))
    # the pattern may be broader than one scan's reads, but never triggers on source or docs
    assert not [p for p in others if p.endswith((".py", ".md", ".dockerignore"))], others


def test_hook_runs_for_every_file_depcheck_reads() -> None:
    demo = [p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*") if p.is_file()]
    read = [p for p in demo if source_spec(p) is not None]
    assert read
    assert all(re.search(hook()["files"], p) for p in read)


@pytest.mark.skipif(
    importlib.util.find_spec("pre_commit") is None, reason="pre-commit is not installed"
)
def test_pre_commit_validates_the_manifest() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(HOOKS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- action.yml ----------------------------------------------------------------------------


def action() -> dict[str, Any]:
    data: dict[str, Any] = load(ACTION)
    return data


def steps() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = action()["runs"]["steps"]
    return found


def step(step_id: str) -> dict[str, Any]:
    [found] = [s for s in steps() if s.get("id") == step_id]
    return found


def test_action_inputs() -> None:
    data = action()
    assert data["name"] == "depcheck" and data["description"]
    inputs = data["inputs"]
    assert {k: v.get("default") for k, v in inputs.items()} == {
        "path": ".",
        "fail-on": "any",
        "diff-base": "${{ github.base_ref }}",  # the pull request's base branch, if any
        "baseline": "",
        "config": "",
        "args": "",
        "python-version": "3.12",
        "sarif": "auto",
        "comment": "false",
        "github-token": "${{ github.token }}",
    }
    assert all(v["description"] for v in inputs.values())
    assert set(data["outputs"]) == {"exit-code", "sarif-file", "markdown-file"}


def test_action_is_a_composite_of_the_agreed_steps() -> None:
    assert action()["runs"]["using"] == "composite"
    uses = [s["uses"] for s in steps() if "uses" in s]
    assert uses == [
        "actions/setup-python@v5",
        "github/codeql-action/upload-sarif@v3",
        "github/codeql-action/upload-sarif@v3",
    ]
    assert step("python")["with"]["python-version"] == "${{ inputs.python-version }}"
    assert step("install")["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    uploads = [s for s in steps() if s.get("uses", "").startswith("github/codeql-action/")]
    assert "inputs.sarif == 'true'" in uploads[0]["if"]
    assert "continue-on-error" not in uploads[0]
    # auto: skipped for a fork's pull request, and a refused upload does not fail the step
    assert "inputs.sarif == 'auto'" in uploads[1]["if"]
    assert "head.repo.full_name == github.repository" in uploads[1]["if"]
    assert uploads[1]["continue-on-error"] is True
    assert all(u["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}" for u in uploads)
    scan = step("scan")["run"]
    for expected in (
        "--fail-on",
        "--baseline",
        "--diff-base",
        "--config",
        "-P -m depcheck",  # never import modules from the scanned checkout
        "--format text",
        '--output "sarif:$sarif_file"',
        '--output "markdown:$summary_file"',
        '--output "github:$annotations_file"',
        '>> "$GITHUB_STEP_SUMMARY"',
    ):
        assert expected in scan
    assert scan.count("-m depcheck") == 1  # one scan writes every format


def test_action_comment_is_sticky() -> None:
    """The comment step finds its earlier comment by the report's first line and edits it."""
    [comment] = [s for s in steps() if s.get("name") == "Comment on the pull request"]
    assert "inputs.comment == 'true'" in comment["if"]
    assert "github.event.pull_request != null" in comment["if"]
    script = comment["run"]
    assert 'marker="<!-- depcheck:report -->"' in script
    assert "--method PATCH" in script and "--method POST" in script
    assert comment["env"]["GH_TOKEN"] == "${{ inputs.github-token }}"


def test_markdown_report_starts_with_the_comment_marker(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "depcheck",
            "scan",
            str(FIXTURES / "demo"),
            "-q",
            "-f",
            "markdown",
            "-o",
            str(out),
        ],
        capture_output=True,
        check=False,
    )
    assert out.read_text(encoding="utf-8").splitlines()[0] == "<!-- depcheck:report -->"


def test_action_scripts_take_inputs_from_the_environment() -> None:
    """An input spliced into a script's text could inject shell code; env vars cannot."""
    for entry in steps():
        if "run" in entry:
            assert entry["shell"] == "bash"
            assert "${{" not in entry["run"], entry.get("name")


def run_scan_step(tmp_path: Path, cwd: Path = ROOT, **env: str) -> tuple[int, dict[str, str], str]:
    """Run the action's scan script as the runner would; (status, step outputs, summary)."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    outputs, summary = tmp_path / "output", tmp_path / "summary.md"
    environment = {
        **os.environ,
        "PYTHON": sys.executable,
        "SCAN_PATH": str(FIXTURES / "demo"),
        "FAIL_ON": "any",
        "BASELINE": "",
        "DIFF_BASE": "",
        "CONFIG": "",
        "EXTRA_ARGS": "",
        "COMMENT": "false",
        "UPLOAD_SARIF": "true",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        **env,
    }
    done = subprocess.run(
        ["bash", "-e", "-c", step("scan")["run"]],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    values = {}
    if outputs.exists():
        for line in outputs.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            values[key] = value
    text = summary.read_text(encoding="utf-8") if summary.exists() else ""
    return done.returncode, values, text + done.stdout


def test_action_scan_step_reports_and_keeps_the_exit_code(tmp_path: Path) -> None:
    status, outputs, log = run_scan_step(tmp_path)
    assert status == 0, log
    assert outputs["exit-code"] == "1"
    sarif = json.loads(Path(outputs["sarif-file"]).read_text(encoding="utf-8"))
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for result in sarif["runs"][0]["results"]
        for loc in result["locations"]
    }
    # the absolute path was made relative to the checkout, so code scanning finds the files
    assert "fixtures/demo/services/billing/requirements.txt" in uris
    assert "## depcheck: 3 conflicts" in log
    # annotations in every mode: code scanning may be unavailable or late; on the line to change
    assert "::error file=fixtures/demo/services/billing/requirements.txt,line=4" in log


def test_action_scan_step_without_sarif_annotates(tmp_path: Path) -> None:
    status, outputs, log = run_scan_step(tmp_path, UPLOAD_SARIF="false", FAIL_ON="never")
    assert status == 0, log
    assert outputs["exit-code"] == "0"
    assert "::error file=fixtures/demo/services/billing/requirements.txt,line=4" in log


def test_action_scan_step_rejects_an_unknown_fail_on(tmp_path: Path) -> None:
    status, outputs, log = run_scan_step(tmp_path, FAIL_ON="sometimes")
    assert status == 2
    assert "exit-code" not in outputs
    assert "::error title=depcheck::the fail-on input must be" in log


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _repository_with_a_new_conflict(tmp_path: Path) -> Path:
    """A git repository whose main has one conflict and whose work tree adds a second."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "a").mkdir(parents=True)
    (repo / "b").mkdir()
    (repo / "a" / "requirements.txt").write_text("requests==2.31.0\n", encoding="utf-8")
    (repo / "b" / "requirements.txt").write_text("requests==2.30.0\n", encoding="utf-8")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    (repo / "a" / "requirements.txt").write_text(
        "requests==2.31.0\nrich==13.0.0\n", encoding="utf-8"
    )
    (repo / "b" / "requirements.txt").write_text(
        "requests==2.30.0\nrich==12.0.0\n", encoding="utf-8"
    )
    return repo


def test_action_scan_step_compares_with_the_diff_base(tmp_path: Path) -> None:
    repo = _repository_with_a_new_conflict(tmp_path)
    status, outputs, log = run_scan_step(
        tmp_path, cwd=repo, SCAN_PATH=".", DIFF_BASE="main", FAIL_ON="any"
    )
    assert status == 0, log
    assert outputs["exit-code"] == "1"
    errors = [line for line in log.splitlines() if line.startswith("::error")]
    assert any("rich" in line for line in errors), log
    assert "against git main: 1 new, 0 fixed" in log


def test_action_scan_step_passes_config_and_extra_args(tmp_path: Path) -> None:
    repo = _repository_with_a_new_conflict(tmp_path)
    config = tmp_path / "topology.toml"
    config.write_text(
        '[hosts.one]\nservices = ["a"]\n[hosts.two]\nservices = ["b"]\n', encoding="utf-8"
    )
    status, outputs, log = run_scan_step(
        tmp_path,
        cwd=repo,
        SCAN_PATH=".",
        CONFIG=str(config),
        EXTRA_ARGS="--hosts-from 'config' --python 3.12",
    )
    assert status == 0, log
    # each service alone on its host: nothing clashes
    assert outputs["exit-code"] == "0", log
    assert "python 3.12" in log


def test_action_scan_step_rejects_an_option_as_diff_base(tmp_path: Path) -> None:
    status, _, log = run_scan_step(tmp_path, DIFF_BASE="--output=/etc/x")
    assert status == 2
    assert "diff-base input must be a git ref" in log


def _help_uris(outputs: dict[str, str]) -> set[str]:
    sarif = json.loads(Path(outputs["sarif-file"]).read_text(encoding="utf-8"))
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    return {rule.get("helpUri", "").partition("#")[0] for rule in rules}


@pytest.mark.parametrize(
    ("env", "readme"),
    [
        (
            {"ACTION_REPOSITORY": "org/depcheck", "ACTION_REF": "v1"},
            "https://github.com/org/depcheck/blob/v1/README.md",
        ),
        # a composite action may see both empty: the runner's checkout of it says them
        (
            {"ACTION_PATH": "/home/runner/work/_actions/org/depcheck/release/1.2"},
            "https://github.com/org/depcheck/blob/release/1.2/README.md",
        ),
        # used from the workspace (uses: ./): this repository at this commit
        (
            {"ACTION_PATH": "/w/repo", "GITHUB_WORKSPACE": "/w/repo", "SHA": "abc123"},
            "https://github.com/me/repo/blob/abc123/README.md",
        ),
        # nothing that looks right: no helpUri, and the scan goes on
        ({"ACTION_REPOSITORY": "org/depcheck", "ACTION_REF": "v1;rm -rf /"}, ""),
        ({"ACTION_REPOSITORY": "", "ACTION_REF": ""}, ""),
        ({"SERVER_URL": "", "ACTION_REPOSITORY": "org/depcheck", "ACTION_REF": "v1"}, ""),
        # the user's own DEPCHECK_DOCS_URL wins
        (
            {
                "ACTION_REPOSITORY": "org/depcheck",
                "ACTION_REF": "v1",
                "DEPCHECK_DOCS_URL": "https://docs.invalid/README.md",
            },
            "https://docs.invalid/README.md",
        ),
    ],
)
def test_action_points_the_sarif_rules_at_its_own_readme(
    tmp_path: Path, env: dict[str, str], readme: str
) -> None:
    environment = {
        "SERVER_URL": "https://github.com",
        "ACTION_REPOSITORY": "",
        "ACTION_REF": "",
        "ACTION_PATH": "",
        "REPOSITORY": "me/repo",
        "SHA": "0" * 40,
        "DEPCHECK_DOCS_URL": "",
        **env,
    }
    status, outputs, log = run_scan_step(tmp_path, **environment)
    assert status == 0 and outputs["exit-code"] == "1", log
    assert _help_uris(outputs) == {readme}


def test_action_passes_the_readme_from_the_environment_not_the_script() -> None:
    scan = step("scan")
    assert scan["env"]["SERVER_URL"] == "${{ github.server_url }}"
    assert scan["env"]["ACTION_REPOSITORY"] == "${{ github.action_repository }}"
    assert scan["env"]["ACTION_REF"] == "${{ github.action_ref }}"
    assert "--docs-url" in scan["run"]
