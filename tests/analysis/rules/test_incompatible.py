"""Rule incompatible: the services that clash, and which pairs of them, from real scans."""

from __future__ import annotations

from pathlib import Path

from depcheck.model import Kind
from tests.conftest import write_tree
from tests.report.conftest import config, scan_path


def test_incompatible_pairs_skip_bystanders(tmp_path: Path) -> None:
    names = ["a", "b", "c", "d"]
    files = {
        "depcheck.toml": config({"h": names}, {n: n for n in names}),
        "a/requirements.txt": "attrs<20\n",
        "b/requirements.txt": "attrs>=21\n",
        "c/requirements.txt": "attrs>=22,<23\n",
        "d/requirements.txt": "attrs\n",
    }
    report = scan_path(write_tree(tmp_path, files), root=".")
    [conflict] = report.conflicts
    assert conflict.kind is Kind.INCOMPATIBLE
    assert conflict.services == ("a", "b", "c")  # d fits any version: a bystander
    assert conflict.pairs == (("a", "b"), ("a", "c"))
    assert conflict.reason == (
        "no version satisfies attrs<20 (a), attrs>=21 (b) and attrs>=22,<23 (c)"
    )


def test_a_clash_only_three_ranges_make_together_pairs_every_two(tmp_path: Path) -> None:
    names = ["a", "b", "c"]
    files = {
        "depcheck.toml": config({"h": names}, {n: n for n in names}),
        "a/requirements.txt": "attrs>=1,<3\n",
        "b/requirements.txt": "attrs!=1.*\n",
        "c/requirements.txt": "attrs!=2.*\n",
    }
    report = scan_path(write_tree(tmp_path, files), root=".")
    [conflict] = report.conflicts
    assert conflict.kind is Kind.INCOMPATIBLE
    assert conflict.pairs == (("a", "b"), ("a", "c"), ("b", "c"))
