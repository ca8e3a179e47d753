"""graph.py: the one dependency graph and its named queries, on real lock files."""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx

from benchmarks.generate import generate
from depcheck.graph import DependencyGraph, package_node, service_node
from depcheck.pipeline import ScanOptions, prepare
from depcheck.topology.environment import interpreter_environment
from tests.conftest import write_tree

LOCK = """\
#    pip-compile requirements.in
certifi==2024.2.2
    # via requests
charset-normalizer==3.3.2
    # via requests
idna==3.6
    # via requests
requests==2.31.0
    # via
    #   -r requirements.in
    #   responses
responses==0.25.0
    # via -r requirements.in
urllib3==2.2.1
    # via
    #   requests
    #   responses
"""


def graph_of(tmp_path: Path) -> DependencyGraph:
    root = write_tree(
        tmp_path,
        {
            "api/requirements.in": "requests>=2.31\nresponses\n",
            "api/requirements.txt": LOCK,
            "worker/requirements.txt": "urllib3<2\n",
        },
    )
    return prepare(ScanOptions(root=root, interpreter=interpreter_environment())).graph


def test_pinned_is_the_version_the_service_locks(tmp_path: Path) -> None:
    graph = graph_of(tmp_path)
    assert graph.pinned("api", "urllib3") == "2.2.1"
    assert graph.pinned("worker", "urllib3") is None


def test_via_is_the_shortest_chain_first_by_name(tmp_path: Path) -> None:
    graph = graph_of(tmp_path)
    # urllib3 comes through requests and through responses, both one step from api
    assert graph.via("api", "urllib3") == ("requests==2.31.0",)
    assert graph.via("api", "requests") == ()  # required directly
    assert graph.via("worker", "urllib3") == ()


def test_paths_list_every_chain_each_step_with_its_file(tmp_path: Path) -> None:
    graph = graph_of(tmp_path)
    paths = [[step.package for step in path] for path in graph.paths("api", "urllib3")]
    assert sorted(paths) == [
        ["requests", "urllib3"],
        ["responses", "requests", "urllib3"],
        ["responses", "urllib3"],
    ]
    first = next(iter(graph.paths("api", "requests")))
    assert first[0].specifier == ">=2.31" and first[0].version == "2.31.0"
    assert list(graph.paths("worker", "requests")) == []


def test_the_whole_graph_has_every_service_package_and_edge_per_service(tmp_path: Path) -> None:
    whole = graph_of(tmp_path).graph
    assert whole.nodes[service_node("api")]["kind"] == "service"
    assert package_node("certifi") in whole
    edge = whole.edges[package_node("requests"), package_node("urllib3")]
    assert sorted(edge["by_service"]) == ["api"]
    worker = whole.edges[service_node("worker"), package_node("urllib3")]
    assert [str(r.specifier) for r in worker["by_service"]["worker"]] == ["<2"]


def _generated(tmp_path: Path) -> DependencyGraph:
    root = tmp_path / "repo"
    generate(root, services=12, requirements=40, hosts=1, seed=7)
    return prepare(ScanOptions(root=root, interpreter=interpreter_environment())).graph


def test_nodes_and_edges_are_the_whole_graph_sorted_one_view_at_a_time(tmp_path: Path) -> None:
    graph = _generated(tmp_path)
    whole = graph.graph
    graph.forget(n[1] for n in whole if n[0] == "service")  # (building `graph` kept each view)
    assert graph.nodes() == sorted(whole.nodes)
    edges = list(graph.edges())
    assert [(u, v) for u, v, _ in edges] == sorted(whole.edges)
    assert all(by == whole.edges[u, v]["by_service"] for u, v, by in edges)
    assert not graph._by_service  # each service's view was dropped once read


def test_paths_are_networkx_s_simple_paths_in_its_order(tmp_path: Path) -> None:
    graph = _generated(tmp_path)
    deep = 0
    for service in sorted({n[1] for n in graph.graph if n[0] == "service"}):
        own = nx.DiGraph()
        for u, nexts in graph._edges(service).edges.items():
            own.add_edges_from((u, v) for v in nexts)
        # the deepest packages of the service's locks: each with several chains
        ranked = sorted(own, key=lambda n: (-len(nx.ancestors(own, n)), n))
        for package in [n[1] for n in ranked if n[0] == "package"][:4]:
            found = [[s.package for s in p] for p in graph.paths(service, package, limit=30)]
            expected = []
            if package_node(package) in own:
                simple = nx.all_simple_paths(
                    own, service_node(service), package_node(package), cutoff=12
                )
                expected = [[n[1] for n in p[1:]] for p in itertools.islice(simple, 30)]
            assert found == expected, (service, package)
            deep += sum(len(p) > 2 for p in found)
    assert deep > 0
