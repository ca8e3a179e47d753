"""`depcheck graph`: the dependency graph exported through the CLI in each format."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import FIXTURES, write_tree

RunCli = Callable[..., tuple[int, str, str]]


def test_graphml_round_trips_through_networkx(run_cli: RunCli) -> None:
    code, out, _ = run_cli("graph", str(FIXTURES / "demo"), "--format", "graphml")
    assert code == 0
    graph = nx.read_graphml(io.BytesIO(out.encode()))
    services = {n for n, d in graph.nodes(data=True) if d.get("kind") == "service"}
    assert services == {
        "service:api",
        "service:auth",
        "service:billing",
        "service:etl",
        "service:reports",
    }
    # api reaches urllib3 through botocore, as its own lock records
    assert graph.has_edge("package:botocore", "package:urllib3")
    assert graph.has_edge("service:api", "package:boto3")


def test_json_export_lists_nodes_and_edges(run_cli: RunCli) -> None:
    code, out, _ = run_cli("graph", str(FIXTURES / "demo"), "--format", "json")
    assert code == 0
    data = json.loads(out)
    kinds = {node.get("kind") for node in data["nodes"]}
    assert kinds == {"service", "package"}
    assert len(data[next(k for k in ("edges", "links") if k in data)]) > 50


@pytest.mark.parametrize("fmt", ["dot", "mermaid"])
def test_conflicts_only_draws_the_clashing_services(run_cli: RunCli, fmt: str) -> None:
    code, out, _ = run_cli("graph", str(FIXTURES / "demo"), "--format", fmt, "--conflicts-only")
    assert code == 0
    assert "requests" in out
    assert "billing" in out and "api" in out
    assert "etl" not in out  # the batch host has no conflicts


def test_mermaid_past_its_limits_warns(run_cli: RunCli, tmp_path: Path) -> None:
    from depcheck.report.mermaid import MAX_EDGES, past_limits
    from tests.render.render import synthetic_repository

    code, out, err = run_cli("graph", str(FIXTURES / "demo"), "--format", "mermaid")
    assert code == 0 and "warning" not in err and past_limits(out) is None
    # 30 services and 400 packages, most shared: a dependency graph past 500 edges
    repo = synthetic_repository(tmp_path / "repo", conflicts=400)
    code, out, err = run_cli("graph", str(repo), "--format", "mermaid")
    assert code == 0
    edges = sum(1 for line in out.splitlines() if " -->" in line)
    assert edges > MAX_EDGES
    assert f"warning: the Mermaid graph has {edges} edges (Mermaid draws at most 500)" in err
    assert out.startswith("graph LR\n")  # still written whole, for a renderer set higher
    assert "use --conflicts-only" in err
    # drawn with --conflicts-only already: the warning does not suggest it again
    code, out, err = run_cli(
        "graph", str(FIXTURES / "demo"), "--format", "mermaid", "--conflicts-only"
    )
    assert code == 0 and "warning" not in err
    many = {f"s{i}/requirements.txt": f"pkg=={i}.0\n" for i in range(40)}
    code, out, err = run_cli(
        "graph", str(write_tree(tmp_path / "many", many)), "--format", "mermaid", "--conflicts-only"
    )
    assert code == 0 and "warning: the Mermaid graph has 780 edges" in err
    assert "--conflicts-only" not in err and "--format dot" in err
