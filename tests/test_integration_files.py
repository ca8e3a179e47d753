"""The pre-commit hook manifest and the GitHub Action: structure, and the action's scan script run."""

from __future__ import annotations

import importlib.util
import json
import os
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
    assert set(inputs) == {"path", "fail-on", "baseline", "python-version", "sarif"}
    assert {k: v.get("default") for k, v in inputs.items()} == {
        "path": ".",
        "fail-on": "any",
        "baseline": "",
        "python-version": "3.12",
        "sarif": "true",
    }
    assert all(v["description"] for v in inputs.values())
    assert set(data["outputs"]) == {"exit-code", "sarif-file"}


def test_action_is_a_composite_of_the_agreed_steps() -> None:
    assert action()["runs"]["using"] == "composite"
    uses = [s["uses"] for s in steps() if "uses" in s]
    assert uses == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]
    assert step("python")["with"]["python-version"] == "${{ inputs.python-version }}"
    assert step("install")["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    upload = next(s for s in steps() if s.get("uses", "").startswith("github/codeql-action/"))
    assert "inputs.sarif == 'true'" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"
    scan = step("scan")["run"]
    for expected in (
        "--fail-on",
        "--baseline",
        "-P -m depcheck",  # never import modules from the scanned checkout
        "--format text",
        '--output "sarif:$sarif_file"',
        '--output "markdown:$summary_file"',
        '--output "github:$annotations_file"',
        '>> "$GITHUB_STEP_SUMMARY"',
    ):
        assert expected in scan
    assert scan.count("-m depcheck") == 1  # one scan writes every format


def test_action_scripts_take_inputs_from_the_environment() -> None:
    """An input spliced into a script's text could inject shell code; env vars cannot."""
    for entry in steps():
        if "run" in entry:
            assert entry["shell"] == "bash"
            assert "${{" not in entry["run"], entry.get("name")


def _cli_has(option: str) -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "depcheck", "scan", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    return option in done.stdout


def run_scan_step(tmp_path: Path, **env: str) -> tuple[int, dict[str, str], str]:
    """Run the action's scan script as the runner would; (status, step outputs, summary)."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    if not _cli_has("--fail-on"):
        pytest.skip("the CLI has no --fail-on option yet")
    outputs, summary = tmp_path / "output", tmp_path / "summary.md"
    environment = {
        **os.environ,
        "PYTHON": sys.executable,
        "SCAN_PATH": str(FIXTURES / "demo"),
        "FAIL_ON": "any",
        "BASELINE": "",
        "UPLOAD_SARIF": "true",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        **env,
    }
    done = subprocess.run(
        ["bash", "-e", "-c", step("scan")["run"]],
        cwd=ROOT,
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
    assert "fixtures/demo/services/api/requirements.in" in uris
    assert "## depcheck: 3 conflicts" in log
    assert "::error" not in log  # SARIF is uploaded, so no workflow annotations


def test_action_scan_step_without_sarif_annotates(tmp_path: Path) -> None:
    status, outputs, log = run_scan_step(tmp_path, UPLOAD_SARIF="false", FAIL_ON="never")
    assert status == 0, log
    assert outputs["exit-code"] == "0"
    assert "::error file=fixtures/demo/services/api/requirements.in,line=4" in log


def test_action_scan_step_rejects_an_unknown_fail_on(tmp_path: Path) -> None:
    status, outputs, log = run_scan_step(tmp_path, FAIL_ON="sometimes")
    assert status == 2
    assert "exit-code" not in outputs
    assert "::error title=depcheck::the fail-on input must be" in log
