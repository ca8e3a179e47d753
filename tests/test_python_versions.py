"""Python itself as a constraint: requires-python across services and against a host's Python."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import write_tree

ScanJson = Callable[..., tuple[int, Any]]


def pyproject(requires: str, *deps: str) -> str:
    listed = ", ".join(f'"{d}"' for d in deps)
    return f'[project]\nname = "x"\nversion = "1"\nrequires-python = "{requires}"\ndependencies = [{listed}]\n'


def test_services_that_admit_no_common_python_conflict(tmp_path: Path, scan_json: ScanJson) -> None:
    write_tree(
        tmp_path,
        {
            "new/pyproject.toml": pyproject(">=3.12"),
            "old/pyproject.toml": pyproject(">=3.8,<3.11"),
            "any/requirements.txt": "flask\n",
        },
    )
    code, report = scan_json(tmp_path)
    assert code == 1
    (conflict,) = report["conflicts"]
    assert (conflict["package"], conflict["kind"], conflict["services"]) == (
        "python",
        "incompatible",
        ["new", "old"],
    )
    assert [(r["service"], r["source"], r["line"]) for r in conflict["requirements"]] == [
        ("new", "new/pyproject.toml", 4),
        ("old", "old/pyproject.toml", 4),
    ]
    (plan,) = report["plans"]
    assert len(plan["groups"]) == 2 and len(plan["isolate"]) == 1


def test_a_configured_host_python_must_satisfy_each_service(
    tmp_path: Path, scan_json: ScanJson
) -> None:
    write_tree(
        tmp_path,
        {
            "a/pyproject.toml": pyproject(">=3.12"),
            "b/pyproject.toml": pyproject(">=3.9"),
            "depcheck.toml": (
                "[services.a]\npath = 'a'\n[services.b]\npath = 'b'\n"
                "[hosts.web]\nservices = ['a', 'b']\npython = '3.11'\n"
            ),
        },
    )
    code, report = scan_json(tmp_path)
    assert code == 1
    (conflict,) = report["conflicts"]
    assert (conflict["package"], conflict["services"]) == ("python", ["a"])
    assert "Python 3.11.0 (what host web runs)" in conflict["reason"]
    (plan,) = report["plans"]
    assert plan["isolate"] == ["a"]
    assert conflict["recommendation"]["action"] == "isolate"


def test_unconfigured_hosts_use_the_newest_python_every_service_admits(
    tmp_path: Path, scan_json: ScanJson
) -> None:
    write_tree(
        tmp_path,
        {
            "a/pyproject.toml": pyproject(">=3.9,<3.12", "tomli>=2 ; python_version < '3.11'"),
            "b/requirements.txt": "tomli<2\n",
        },
    )
    code, report = scan_json(tmp_path)
    environment = report["hosts"][0]["environment"]
    assert environment["python_version"] == "3.11"
    assert environment["source"].startswith("python: newest every service admits")
    # on 3.11 the tomli marker is false, so there is no clash
    assert code == 0
    code, report = scan_json(tmp_path, "--python", "3.10")
    assert code == 1
    assert [c["package"] for c in report["conflicts"]] == ["tomli"]
