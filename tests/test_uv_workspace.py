"""uv workspaces: the root's `constraint-dependencies` and `override-dependencies` hold for
every member (and the root itself)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import write_tree

ScanJson = Callable[..., tuple[int, Any]]


def _member(name: str, dependency: str) -> str:
    return f'[project]\nname = "{name}"\nversion = "0.1.0"\ndependencies = ["{dependency}"]\n'


def _workspace(tmp_path: Path, uv: str) -> Any:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "root"\nversion = "0.1.0"\ndependencies = []\n'
            '[tool.uv.workspace]\nmembers = ["packages/*"]\n[tool.uv]\n' + uv,
            "packages/api/pyproject.toml": _member("api", "urllib3>=1.26"),
            "packages/web/pyproject.toml": _member("web", "urllib3<2"),
            "tools/lint/requirements.txt": "urllib3>=2\n",
        },
    )
    return tmp_path


def test_constraints_apply_to_every_member(tmp_path: Path, scan_json: ScanJson) -> None:
    code, report = scan_json(_workspace(tmp_path, 'constraint-dependencies = ["urllib3>=2.2"]\n'))
    assert code == 1  # a finding, not an input error
    # web's own <2 contradicts the workspace's >=2.2; api's >=1.26 admits it
    (error,) = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert error["finding"] is True
    assert error["message"].startswith(
        "service 'packages/web' contradicts itself on host default: no version of urllib3 satisfies"
    )
    assert "urllib3>=2.2 (pyproject.toml:" in error["message"]
    assert "api" not in error["message"]


def test_an_override_replaces_the_members_ranges(tmp_path: Path, scan_json: ScanJson) -> None:
    code, report = scan_json(_workspace(tmp_path, 'override-dependencies = ["urllib3==2.2.1"]\n'))
    assert code == 0, report["conflicts"]
    assert report["conflicts"] == []
