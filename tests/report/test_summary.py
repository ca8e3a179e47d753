"""report/summary: counts, plan wording and the service edges every format shares."""

from __future__ import annotations

from pathlib import Path

from depcheck.report.summary import conflict_edges
from tests.conftest import write_tree
from tests.report.conftest import config, scan_path


def test_edges_merge_packages_per_pair_and_keep_hosts_apart(tmp_path: Path) -> None:
    services = {"a": "a", "b": "b"}
    files = {
        "depcheck.toml": config({"one": ["a", "b"], "two": ["a", "b"]}, services),
        "a/requirements.txt": "attrs<20\nsix<1\n",
        "b/requirements.txt": "attrs>=21\nsix>=1\n",
    }
    report = scan_path(write_tree(tmp_path, files), root=".")
    nodes, edges = conflict_edges(report.conflicts)
    assert nodes == (("one", "a"), ("one", "b"), ("two", "a"), ("two", "b"))
    assert [(e.host, e.services, [p.package for p in e.packages]) for e in edges] == [
        ("one", ("a", "b"), ["attrs", "six"]),
        ("two", ("a", "b"), ["attrs", "six"]),
    ]
    assert all(e.incompatible for e in edges)
