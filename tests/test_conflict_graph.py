"""Which services of a conflict disagree with which, from real scans."""

from __future__ import annotations

from pathlib import Path

from depcheck.model import Kind
from depcheck.report.conflict_graph import conflict_graph, conflict_pairs
from tests.conftest import write_tree
from tests.report.conftest import config, locked, scan_path


def test_incompatible_pairs_skip_bystanders(tmp_path: Path) -> None:
    names = ["a", "b", "c"]
    files = {
        "depcheck.toml": config({"h": names}, {n: n for n in names}),
        "a/requirements.txt": "attrs<20\n",
        "b/requirements.txt": "attrs>=21\n",
        "c/requirements.txt": "attrs>=22,<23\n",
    }
    report = scan_path(write_tree(tmp_path, files), root=".")
    [conflict] = report.conflicts
    assert conflict.kind is Kind.INCOMPATIBLE
    assert conflict_pairs(conflict) == (("a", "b"), ("a", "c"))


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
    assert conflict_pairs(conflict) == (("a", "b"),)


def test_graph_merges_packages_per_pair_and_keeps_hosts_apart(tmp_path: Path) -> None:
    services = {"a": "a", "b": "b"}
    files = {
        "depcheck.toml": config({"one": ["a", "b"], "two": ["a", "b"]}, services),
        "a/requirements.txt": "attrs<20\nsix<1\n",
        "b/requirements.txt": "attrs>=21\nsix>=1\n",
    }
    report = scan_path(write_tree(tmp_path, files), root=".")
    graph = conflict_graph(report.conflicts)
    assert graph.nodes == (("one", "a"), ("one", "b"), ("two", "a"), ("two", "b"))
    assert [(e.host, e.services, [p.package for p in e.packages]) for e in graph.edges] == [
        ("one", ("a", "b"), ["attrs", "six"]),
        ("two", ("a", "b"), ["attrs", "six"]),
    ]
    assert all(e.incompatible for e in graph.edges)
