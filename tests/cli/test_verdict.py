"""cli/verdict: which conflicts fail the run, and the exit code only the command line picks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from depcheck.cli.verdict import decided, exit_code, failing
from depcheck.model import Diagnostic, Kind, Location, Report, Severity
from tests.conftest import write_tree
from tests.report.conftest import config, locked, scan_path


@pytest.fixture
def report(tmp_path: Path) -> Report:
    """One incompatible conflict (attrs) and one pin mismatch (six), as a scan finds them."""
    names = ["a", "b"]
    files = {
        "depcheck.toml": config({"h": names}, {n: n for n in names}),
        "a/requirements.in": "attrs<20\nsix\n",
        "a/requirements.txt": locked("six==1.15.0"),
        "b/requirements.in": "attrs>=21\nsix\n",
        "b/requirements.txt": locked("six==1.16.0"),
    }
    return scan_path(write_tree(tmp_path, files), root=".")


def test_fail_on_chooses_the_kinds_that_fail(report: Report) -> None:
    assert sorted(c.kind for c in report.conflicts) == [Kind.INCOMPATIBLE, Kind.PIN_MISMATCH]
    assert len(failing(replace(report, fail_on="any"))) == 2
    (only,) = failing(replace(report, fail_on="incompatible"))
    assert only.kind is Kind.INCOMPATIBLE
    assert failing(replace(report, fail_on="never")) == ()
    assert decided(report, "never").exit_code == 0
    assert decided(report, "any").exit_code == 1


def test_known_conflicts_do_not_fail_the_run(report: Report) -> None:
    known = replace(report, conflicts=tuple(replace(c, baseline="known") for c in report.conflicts))
    assert failing(known) == ()
    assert exit_code(known) == 0


def test_an_unreadable_input_is_exit_2_whatever_the_conflicts(report: Report) -> None:
    error = Diagnostic(Severity.ERROR, Location("a/requirements.txt", 3), "cannot parse")
    broken = replace(report, diagnostics=(*report.diagnostics, error))
    assert exit_code(broken) == 2
    assert decided(broken, "never").exit_code == 2
