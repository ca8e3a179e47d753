"""`depcheck why`: paths from each service to a package, with constraints and file:line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, write_tree

RunCli = Callable[..., tuple[int, str, str]]


def test_why_shows_every_path_as_a_tree(run_cli: RunCli) -> None:
    code, out, _ = run_cli("why", "urllib3", str(FIXTURES / "demo"), "--color", "never")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "api  (host web)"
    assert (
        "└── boto3 >=1.34  [locked 1.34.0]  services/api/requirements.in:5, services/api/requirements.txt:11"
        in lines
    )
    # shared prefixes are drawn once: boto3 appears a single time under api
    assert sum("boto3" in line for line in lines) == 1
    assert any("s3transfer  [locked 0.9.0]" in line for line in lines)
    assert "    └── urllib3  [locked 2.2.1]  services/auth/requirements.txt:33" in lines
    assert lines[-1] == "2 services depend on urllib3"


def test_why_json_lists_each_path_with_steps(run_cli: RunCli) -> None:
    code, out, _ = run_cli("why", "URLLIB3", str(FIXTURES / "demo"), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["package"] == "urllib3"
    services = {s["service"]: s for s in document["services"]}
    assert set(services) == {"api", "auth"}
    chains = [[step["package"] for step in path] for path in services["api"]["paths"]]
    assert chains == [
        ["requests", "urllib3"],
        ["boto3", "botocore", "urllib3"],
        ["boto3", "s3transfer", "botocore", "urllib3"],
    ]
    first = services["auth"]["paths"][0][0]
    assert first == {
        "package": "requests",
        "version": "2.31.0",
        "specifier": ">=2.31",
        "markers": [],
        "resolved": False,
        "locations": [
            {"source": "services/auth/requirements.in", "line": 2},
            {"source": "services/auth/requirements.txt", "line": 27},
        ],
    }


def test_why_for_a_package_nobody_needs_exits_one(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = run_cli("why", "left-pad", "fixtures/demo", "--color", "never")
    assert code == 1
    assert out.strip() == "no service in fixtures/demo depends on left-pad"


def test_why_shows_markers(tmp_path: Path, run_cli: RunCli) -> None:
    write_tree(tmp_path, {"svc/requirements.txt": 'pywin32>=300 ; sys_platform == "win32"\n'})
    code, out, _ = run_cli("why", "pywin32", str(tmp_path), "--color", "never")
    assert code == 0
    assert '└── pywin32 >=300  ; sys_platform == "win32"  svc/requirements.txt:1' in out
