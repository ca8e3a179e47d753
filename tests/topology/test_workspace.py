"""uv workspaces' `[tool.uv] conflicts`: members declared never installed together.

Where hosts are only assumed, each declared member is checked on a host of its own; where a
config (or `--hosts-from single`) puts them on one host, their clashes are shown as `declared`
and do not fail the run, and the plan keeps them apart. A clash with anyone else still counts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write_tree

ScanJson = Callable[..., tuple[int, Any]]
RunCli = Callable[..., tuple[int, str, str]]


def _member(name: str, dependency: str, extra: str = "") -> str:
    text = f'[project]\nname = "{name}"\nversion = "0.1.0"\ndependencies = ["{dependency}"]\n'
    if extra:
        text += f"[project.optional-dependencies]\n{extra}\n"
    return text


def _workspace(tmp_path: Path, conflicts: str, **members: str) -> Path:
    files = {
        "pyproject.toml": '[project]\nname = "root"\nversion = "0.1.0"\ndependencies = []\n'
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n[tool.uv]\n' + conflicts,
        "packages/cpu/pyproject.toml": _member("train-cpu", "torch==2.1.0"),
        "packages/gpu/pyproject.toml": _member("train-gpu", "torch==2.4.0"),
        "packages/web/pyproject.toml": _member("web", "torch>=2"),
    }
    files.update(members)
    return write_tree(tmp_path, files)


DECLARED = 'conflicts = [[{ package = "train-cpu" }, { package = "Train_GPU" }]]\n'
ONE_HOST = '[hosts.box]\nservices = ["packages/cpu", "packages/gpu", "packages/web", "."]\n'


def _hosts(report: Any) -> dict[str, list[str]]:
    return {h["name"]: h["services"] for h in report["hosts"]}


def test_without_the_declaration_the_members_clash(tmp_path: Path, scan_json: ScanJson) -> None:
    code, report = scan_json(_workspace(tmp_path, ""))
    assert code == 1
    (conflict,) = report["conflicts"]
    assert conflict["package"] == "torch"
    assert conflict["ignored"] is None


def test_assumed_host_puts_each_declared_member_on_its_own(
    tmp_path: Path, scan_json: ScanJson, run_cli: RunCli
) -> None:
    root = _workspace(tmp_path, DECLARED)
    code, report = scan_json(root)
    assert code == 0, report["conflicts"]
    assert report["conflicts"] == []
    hosts = _hosts(report)
    assert hosts["packages/cpu"] == ["packages/cpu"]
    assert hosts["packages/gpu"] == ["packages/gpu"]
    # the members the declaration does not name stay together
    assert sorted(hosts["default"]) == [".", "packages/web"]
    (note,) = [n for n in report["notes"] if "[tool.uv] conflicts" in n]
    assert "declares packages/cpu and packages/gpu never installed together" in note
    code, out, _ = run_cli("scan", str(root))
    assert code == 0
    assert "declares packages/cpu and packages/gpu never installed together" in out
    assert "pyproject.toml:8" in out


def test_on_a_configured_host_the_clash_is_declared_and_does_not_fail(
    tmp_path: Path, scan_json: ScanJson, run_cli: RunCli
) -> None:
    root = _workspace(tmp_path, DECLARED, **{"depcheck.toml": ONE_HOST})
    code, report = scan_json(root)
    assert code == 0
    (conflict,) = report["conflicts"]
    assert conflict["kind"] == "incompatible"
    ignored = conflict["ignored"]
    assert ignored["by"] == "declared"
    assert ignored["source"] == "pyproject.toml"
    assert ignored["line"] == 8  # the `conflicts` entry
    assert (
        "packages/cpu and packages/gpu are declared never installed together" in (ignored["reason"])
    )
    # the plan keeps them apart, as the declaration says
    (plan,) = report["plans"]
    together = [set(g) for g in plan["groups"]]
    assert not any({"packages/cpu", "packages/gpu"} <= g for g in together)
    code, out, _ = run_cli("scan", str(root))
    assert code == 0
    assert "1 declared" in out
    assert "declared: packages/cpu and packages/gpu" in out


def test_hosts_from_single_marks_rather_than_separates(tmp_path: Path, scan_json: ScanJson) -> None:
    code, report = scan_json(_workspace(tmp_path, DECLARED), "--hosts-from", "single")
    assert code == 0
    assert list(_hosts(report)) == ["default"]
    (conflict,) = report["conflicts"]
    assert conflict["ignored"]["by"] == "declared"


def test_a_clash_with_an_undeclared_service_still_fails(
    tmp_path: Path, scan_json: ScanJson
) -> None:
    # web now needs torch<2.1, which clashes with train-gpu too: only one pair is declared
    root = _workspace(
        tmp_path,
        'conflicts = [[{ package = "train-cpu" }, { package = "train-gpu" }]]\n',
        **{
            "packages/web/pyproject.toml": _member("web", "torch<2.2"),
            "depcheck.toml": ONE_HOST,
        },
    )
    code, report = scan_json(root)
    assert code == 1
    (conflict,) = report["conflicts"]
    assert conflict["ignored"] is None


def test_an_extra_item_counts_only_when_the_extra_is_installed(
    tmp_path: Path, scan_json: ScanJson
) -> None:
    conflicts = (
        'conflicts = [[{ package = "train-cpu" }, { package = "train-gpu", extra = "cuda" }]]\n'
    )
    members = {
        "packages/gpu/pyproject.toml": _member(
            "train-gpu", "numpy", extra='cuda = ["torch==2.4.0"]'
        ),
    }
    # without the extra, train-gpu does not install torch at all: nothing clashes
    code, report = scan_json(_workspace(tmp_path / "a", conflicts, **members))
    assert code == 0 and report["conflicts"] == []
    assert "packages/gpu" not in _hosts(report)  # not separated: its item is not installed
    # installed with the extra (config), the members are separated by the declaration
    config = (
        '[services.cpu]\npath = "packages/cpu"\n[services.web]\npath = "packages/web"\n'
        '[services.gpu]\npath = "packages/gpu"\nextras = ["cuda"]\n'
    )
    code, report = scan_json(
        _workspace(tmp_path / "b", conflicts, **members, **{"depcheck.toml": config})
    )
    assert code == 0, report["conflicts"]
    assert report["conflicts"] == []
    hosts = _hosts(report)
    assert hosts["gpu"] == ["gpu"] and hosts["cpu"] == ["cpu"]
    assert hosts["default"] == ["web"]


def test_one_service_installing_two_declared_extras_is_a_warning(
    tmp_path: Path, scan_json: ScanJson
) -> None:
    conflicts = 'conflicts = [[{ extra = "cpu" }, { extra = "cuda" }]]\n'
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "trainer"\nversion = "0.1.0"\n'
            'dependencies = []\n[project.optional-dependencies]\ncpu = ["torch==2.1.0"]\n'
            'cuda = ["torch==2.4.0"]\n[tool.uv]\n' + conflicts,
            "depcheck.toml": '[services.trainer]\npath = "."\nextras = ["cpu", "cuda"]\n',
        },
    )
    _, report = scan_json(root)
    (warning,) = [d for d in report["diagnostics"] if "[tool.uv] conflicts" in d["message"]]
    assert warning["severity"] == "warning"
    assert warning["source"] == "pyproject.toml" and warning["line"] == 9
    assert "installs both trainer[cpu] and trainer[cuda]" in warning["message"]


@pytest.mark.parametrize(
    ("conflicts", "message"),
    [
        ('conflicts = "train-cpu"', "must be an array of arrays, not a string"),
        ("conflicts = [1]", "entry 1 must be an array of tables, not an integer"),
        ('conflicts = [["train-cpu"]]', "item must be a table such as"),
        (
            "conflicts = [[{ package = 3 }]]",
            "`package` in a `tool.uv.conflicts` item must be a name",
        ),
        (
            'conflicts = [[{ package = "a", extra = "x", group = "y" }]]',
            "at most one of `extra` and `group`",
        ),
        ('conflicts = [[{ pkg = "a" }]]', "unknown key 'pkg'"),
    ],
)
def test_malformed_entries_name_file_and_line(
    tmp_path: Path, scan_json: ScanJson, conflicts: str, message: str
) -> None:
    code, report = scan_json(_workspace(tmp_path, conflicts + "\n"))
    assert code == 2
    (error,) = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert error["source"] == "pyproject.toml"
    assert error["line"] == 8
    assert message in error["message"]
