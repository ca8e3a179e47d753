"""A project's own package: a service whose pyproject.toml names a project installs that project
at its version, and other services' constraints on it are checked like any other."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write_tree

ScanJson = Callable[..., tuple[int, Any]]

LIB = '[project]\nname = "LangGraph"\nversion = "1.2.11"\ndependencies = ["httpx"]\n'


def test_a_service_pinning_another_version_of_a_co_hosted_project_clashes(
    tmp_path: Path, scan_json: ScanJson
) -> None:
    write_tree(
        tmp_path,
        {
            "libs/langgraph/pyproject.toml": LIB,
            "services/agent/requirements.txt": "langgraph==1.1.5\n",
        },
    )
    code, report = scan_json(tmp_path)
    assert code == 1
    (conflict,) = report["conflicts"]
    assert conflict["package"] == "langgraph"
    assert conflict["kind"] == "incompatible"
    assert conflict["services"] == ["libs/langgraph", "services/agent"]
    itself = next(r for r in conflict["requirements"] if r["service"] == "libs/langgraph")
    assert itself["requirement"] == "LangGraph==1.2.11 (the project itself)"
    assert (itself["source"], itself["line"]) == ("libs/langgraph/pyproject.toml", 3)


def test_a_range_that_admits_the_version_is_fine(tmp_path: Path, scan_json: ScanJson) -> None:
    write_tree(
        tmp_path,
        {
            "libs/langgraph/pyproject.toml": LIB,
            "services/agent/requirements.txt": "langgraph>=1.2\n",
        },
    )
    code, report = scan_json(tmp_path)
    assert code == 0
    assert report["conflicts"] == []


@pytest.mark.parametrize(
    "pyproject",
    [
        '[project]\nname = "langgraph"\ndynamic = ["version"]\n',
        '[tool.poetry]\nname = "langgraph"\nversion = "1.2.11"\npackage-mode = false\n'
        '[tool.poetry.dependencies]\npython = "^3.11"\n',
    ],
)
def test_no_static_version_or_no_package_installs_nothing_of_itself(
    tmp_path: Path, scan_json: ScanJson, pyproject: str
) -> None:
    write_tree(
        tmp_path,
        {
            "libs/langgraph/pyproject.toml": pyproject,
            "libs/langgraph/requirements.txt": "httpx\n",
            "services/agent/requirements.txt": "langgraph==1.1.5\n",
        },
    )
    _, report = scan_json(tmp_path)
    assert [c["package"] for c in report["conflicts"]] == []
