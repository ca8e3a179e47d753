"""Rule pin_mismatch: locks that disagree while a version fits, and which pairs disagree."""

from __future__ import annotations

from pathlib import Path

from depcheck.model import Action, Kind
from tests.conftest import write_tree
from tests.report.conftest import config, locked, scan_path


def test_pin_outside_a_declared_range_is_a_pair(tmp_path: Path) -> None:
    names = ["a", "b"]
    files = {
        "depcheck.toml": config({"h": names}, {n: n for n in names}),
        "a/requirements.in": "six>=1\n",
        "a/requirements.txt": locked("six==1.16.0"),
        "b/requirements.txt": "six>=1,<1.16\n",
    }
    report = scan_path(write_tree(tmp_path, files), root=".")
    [conflict] = report.conflicts
    assert conflict.kind is Kind.PIN_MISMATCH
    assert conflict.pairs == (("a", "b"),)
    assert conflict.reason == "locked at 1.16.0; 1.16.0 outside what other services allow"


def test_locks_that_differ_pair_only_the_services_whose_pins_differ(tmp_path: Path) -> None:
    names = ["a", "b", "c"]
    files = {
        "depcheck.toml": config({"h": names}, {n: n for n in names}),
        "a/requirements.txt": locked("six==1.15.0"),
        "b/requirements.txt": locked("six==1.16.0"),
        "c/requirements.txt": locked("six==1.16.0"),
    }
    report = scan_path(write_tree(tmp_path, files), root=".")
    [conflict] = report.conflicts
    assert conflict.kind is Kind.PIN_MISMATCH
    assert conflict.services == ("a", "b", "c")
    assert conflict.pairs == (("a", "b"), ("a", "c"))
    assert conflict.recommendation.action is Action.ALIGN
    assert conflict.recommendation.version == "1.16.0"
    assert conflict.recommendation.relock == ("a/requirements.txt",)
