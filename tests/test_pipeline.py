"""The pipeline wires the stages: what makes a scan impossible, what prepare hands on, one Report."""

from __future__ import annotations

from pathlib import Path

import pytest

from depcheck.errors import ScanError
from depcheck.model import Environment, Kind, Severity
from depcheck.pipeline import ScanOptions, prepare, scan
from depcheck.topology.config import ConfigError
from tests.conftest import FIXTURES, write_tree

INTERPRETER = Environment("3.12", "3.12.3", "linux", "posix", "Linux", source="interpreter")


def options(root: Path, **more: object) -> ScanOptions:
    return ScanOptions(root=root, interpreter=INTERPRETER, **more)  # type: ignore[arg-type]


def test_a_missing_root_or_a_file_cannot_be_scanned(tmp_path: Path) -> None:
    with pytest.raises(ScanError, match="no such directory"):
        scan(options(tmp_path / "missing"))
    (tmp_path / "file.txt").write_text("x\n", encoding="utf-8")
    with pytest.raises(ScanError, match="not a directory"):
        scan(options(tmp_path / "file.txt"))


def test_a_config_that_cannot_be_used_stops_the_scan_with_its_message(tmp_path: Path) -> None:
    write_tree(tmp_path, {"depcheck.toml": "[hosts.web]\nservices = 3\n"})
    # the config's own error, with its line, not a re-wrapped copy
    with pytest.raises(ConfigError, match=r"^config depcheck\.toml:2: hosts\.web\.services: "):
        prepare(options(tmp_path))


def test_prepare_reads_everything_before_any_conflict_is_decided() -> None:
    prepared = prepare(options(FIXTURES / "demo"))
    names = sorted(s.name for s in prepared.topology.services)
    assert names == sorted(prepared.sources) and len(names) == 5
    assert {h.name for h in prepared.hosts} == {"web", "batch"}
    assert all(prepared.requirements[name] for name in names)
    assert prepared.graph.pinned("api", "requests") is not None
    assert prepared.interpreter == INTERPRETER


def test_scan_returns_one_report_of_conflicts_plans_and_diagnostics() -> None:
    report = scan(options(FIXTURES / "demo"))
    assert [(c.host, c.package, c.kind) for c in report.conflicts] == [
        ("web", "gunicorn", Kind.PIN_MISMATCH),
        ("web", "requests", Kind.INCOMPATIBLE),
        ("web", "urllib3", Kind.PIN_MISMATCH),
    ]
    [plan] = report.plans
    assert plan.host == "web" and len(plan.groups) == 2
    assert not [d for d in report.diagnostics if d.severity is Severity.ERROR]


def test_an_empty_tree_is_a_warning_not_an_error(tmp_path: Path) -> None:
    report = scan(options(tmp_path))
    assert report.conflicts == () and report.services == ()
    [warning] = report.diagnostics
    assert warning.severity is Severity.WARNING and "no services found" in warning.message


def test_one_unreadable_file_does_not_stop_the_others(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "api/requirements.txt": "requests>=\n",
            "worker/requirements.txt": "requests<2\n",
            "web/requirements.txt": "requests>=2.31\n",
        },
    )
    report = scan(options(tmp_path))
    [error] = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    assert error.location.path == "api/requirements.txt"
    assert [c.package for c in report.conflicts] == ["requests"]
    assert set(report.conflicts[0].services) == {"web", "worker"}
