"""Graph export: GraphML and JSON read back with networkx, DOT quoting, Mermaid, conflict view."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from depcheck.graph import DependencyGraph
from depcheck.model import Report
from depcheck.report.export import (
    FORMATS,
    conflict_view,
    dependency_view,
    dot_quote,
    export_graph,
    node_id,
    stream_graph,
)
from tests.conftest import FIXTURES, write_tree
from tests.report.conftest import CLASH, config, locked, scan_path

DOT_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)


def graph_of(report: Report) -> DependencyGraph:
    """The dependency graph of a scanned report (its services' parsed files)."""
    return DependencyGraph.build({s.service.name: s.sources for s in report.services})


@pytest.fixture(scope="module")
def demo() -> Report:
    return scan_path(FIXTURES / "demo", root="fixtures/demo")


def same(a: Any, b: Any) -> bool:
    """Same nodes and edges with the same attributes (graph-level attributes aside)."""

    def edges(g: Any) -> dict[Any, Any]:
        key = tuple if g.is_directed() else frozenset
        return {key((u, v)): d for u, v, d in g.edges(data=True)}

    return (
        a.is_directed() == b.is_directed()
        and dict(a.nodes(data=True)) == dict(b.nodes(data=True))
        and edges(a) == edges(b)
    )


def read_json(text: str) -> Any:
    data = json.loads(text)
    try:
        return nx.node_link_graph(data, edges="edges")
    except TypeError:  # networkx < 3.4
        return nx.node_link_graph(data, link="edges")


def test_graphml_reads_back_with_networkx(demo: Report) -> None:
    graph = graph_of(demo)
    text = export_graph(graph, "graphml", conflicts=demo.conflicts)
    assert text.startswith("<?xml")
    back = nx.read_graphml(io.BytesIO(text.encode("utf-8")))
    assert isinstance(back, nx.DiGraph)
    assert set(back.nodes) == {node_id(n) for n in graph.graph.nodes}
    assert set(back.edges) == {(node_id(u), node_id(v)) for u, v in graph.graph.edges}
    assert back.nodes["service:api"] == {
        "kind": "service",
        "name": "api",
        "label": "api",
        "conflicts": "web: gunicorn pin-mismatch; web: requests incompatible; "
        "web: urllib3 pin-mismatch",
    }
    assert back.nodes["package:requests"]["conflicts"] == "web: requests incompatible"
    edge = back.edges["service:billing", "package:requests"]
    assert edge["services"] == "billing"
    assert edge["specifiers"] == "billing: <2.28,>=2.20"
    assert edge["sources"] == "services/billing/requirements.txt:4:1"
    assert same(back, dependency_view(graph, demo.conflicts))


def test_json_round_trips(demo: Report) -> None:
    graph = graph_of(demo)
    text = export_graph(graph, "json", conflicts=demo.conflicts)
    back = read_json(text)
    assert same(back, dependency_view(graph, demo.conflicts))
    assert all(isinstance(n, str) for n in back.nodes)
    assert all(isinstance(v, str) for _, _, d in back.edges(data=True) for v in d.values())
    # a transitive edge recorded by a lock, for one service only
    assert back.edges["package:requests", "package:urllib3"]["services"] == "api, auth"


def _node_link_json(view: Any) -> str:
    try:
        data = nx.node_link_data(view, edges="edges")
    except TypeError:  # networkx < 3.4 names the parameter `link`
        data = nx.node_link_data(view, link="edges")
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _networkx_graphml(view: Any) -> str:
    """What networkx's writer makes of a view, each string `clean`ed first (the writer
    `graph --format graphml` used to call), each id as `graphml_id` writes it."""
    from depcheck.report.export import graphml_id
    from depcheck.report.sanitize import clean

    printable = nx.relabel_nodes(view, {node: graphml_id(node) for node in view.nodes}, copy=True)
    for _, data in printable.nodes(data=True):
        data.update({key: clean(value) for key, value in data.items() if isinstance(value, str)})
    for _, _, data in printable.edges(data=True):
        data.update({key: clean(value) for key, value in data.items() if isinstance(value, str)})
    buffer = io.BytesIO()
    nx.write_graphml(printable, buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8").rstrip("\n") + "\n"


@pytest.mark.parametrize("fmt", ["json", "graphml"])
@pytest.mark.parametrize("conflicts_only", [False, True])
def test_json_and_graphml_are_what_networkx_writes_byte_for_byte(
    demo: Report, odd: Report, tmp_path: Path, fmt: str, conflicts_only: bool
) -> None:
    # a service whose file names nothing: a node with no edge; and no conflict at all
    write_tree(tmp_path / "quiet", {"a/requirements.txt": "# nothing\n", "b/requirements.txt": ""})
    quiet = scan_path(tmp_path / "quiet", root=".")
    reference = _node_link_json if fmt == "json" else _networkx_graphml
    for report in (demo, odd, quiet):
        graph = graph_of(report)
        view = (
            conflict_view(report.conflicts)
            if conflicts_only
            else dependency_view(graph, report.conflicts)
        )
        text = export_graph(graph, fmt, conflicts=report.conflicts, conflicts_only=conflicts_only)
        assert text == reference(view)
    assert not quiet.conflicts  # (the conflict view of it: a graph with no node)


def test_names_clean_shows_alike_stay_two_graphml_nodes() -> None:
    # an escape character, and its escape written out: shown alike, two services all the same
    from depcheck.report.export import Flat, graphml_lines

    ids = ["service:a\x1b", "service:a\\x1b", "service:a\\\\x1b"]
    data = {"kind": "service", "name": "a", "label": "a", "conflicts": ""}
    flat = Flat("g", True, [(i, data) for i in ids], [(ids[0], ids[1], {"label": ""})])
    back = nx.read_graphml(io.BytesIO("".join(graphml_lines(flat)).encode("utf-8")))
    assert back.number_of_nodes() == 3 and back.number_of_edges() == 1
    assert sorted(back.nodes) == ["service:a\\\\\\\\x1b", "service:a\\\\x1b", "service:a\\x1b"]


def test_the_stream_comes_in_chunks_of_whole_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from depcheck.report import export

    monkeypatch.setattr(export, "CHUNK", 100)
    services = {f"s{i}": f"s{i}" for i in range(6)}
    files = {"depcheck.toml": config({"h": list(services)}, services)}
    for i in range(6):
        files[f"s{i}/requirements.txt"] = locked("requests==2.31.0", "six==1.16.0")
    write_tree(tmp_path, files)
    graph = graph_of(scan_path(tmp_path, root="."))
    for fmt in ("dot", "mermaid", "json"):
        chunks = list(stream_graph(graph, fmt))
        assert len(chunks) > 2, fmt
        assert all(chunk.endswith("\n") for chunk in chunks), fmt
        assert "".join(chunks) == export_graph(graph, fmt)


def test_outputs_are_deterministic(demo: Report) -> None:
    graph = graph_of(demo)
    for fmt in FORMATS:
        first = export_graph(graph, fmt, conflicts=demo.conflicts)
        assert first == export_graph(graph_of(demo), fmt, conflicts=demo.conflicts), fmt
        assert export_graph(graph, fmt, conflicts=demo.conflicts, conflicts_only=True)


ODD = ['we"ird', "back\\slash", "trailing\\", "new\nline", "spa ce -> {x}; y=z", "node", "ünï"]


@pytest.fixture
def odd(tmp_path: Path) -> Report:
    services = {name: f"s{i}" for i, name in enumerate(ODD)}
    files = {"depcheck.toml": config({"h": ODD}, services)}
    for i in range(len(ODD)):
        files[f"s{i}/requirements.txt"] = f"flask=={i}.0\n"
    write_tree(tmp_path, files)
    return scan_path(tmp_path, root=".")


def _unquote(body: str) -> str:
    """A DOT quoted string's content, with the escapes dot_quote writes undone."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), body)


def test_dot_quotes_odd_names(odd: Report) -> None:
    graph = graph_of(odd)
    text = export_graph(graph, "dot")
    lines = text.splitlines()
    assert lines[0] == 'digraph "depcheck dependencies" {' and lines[-1] == "}"
    statement = re.compile(
        r'^  ("(?:[^"\\]|\\.)*")( -> "(?:[^"\\]|\\.)*")? \[("(?:[^"\\]|\\.)*"="(?:[^"\\]|\\.)*"'
        r"(, )?)+\];$"
    )
    body = lines[2:-1]
    assert all(statement.match(line) for line in body), body
    ids = {_unquote(m.group(1)) for line in body for m in [DOT_STRING.match(line.strip())] if m}
    assert ids == {node_id(n) for n in graph.graph.nodes}
    assert {f"service:{name}" for name in ODD} <= ids


def test_dot_quote() -> None:
    assert dot_quote("plain") == '"plain"'
    assert dot_quote('say "hi"') == '"say \\"hi\\""'
    assert dot_quote("end\\") == '"end\\\\"'
    assert dot_quote("a\r\nb") == '"a\\nb"'


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
def test_graphviz_reads_the_dot_file(odd: Report) -> None:
    graph = graph_of(odd)
    done = subprocess.run(
        ["dot", "-Tjson"],
        input=export_graph(graph, "dot"),
        capture_output=True,
        text=True,
        check=True,
    )
    objects = json.loads(done.stdout)["objects"]
    # Graphviz keeps an id's escapes as written (`\\` stays two characters)
    names = {_unquote(o["name"]) for o in objects}
    assert names == {node_id(n) for n in graph.graph.nodes}


def test_conflicts_only_is_the_service_conflict_graph(tmp_path: Path) -> None:
    write_tree(tmp_path, CLASH)
    report = scan_path(tmp_path, root=".")
    graph = graph_of(report)
    view = conflict_view(report.conflicts)
    assert not view.is_directed()
    assert set(view.nodes) == {"service:api", "service:worker"}
    assert view.edges["service:api", "service:worker"] == {
        "label": "requests, urllib3",
        "packages": "requests, urllib3",
        "incompatible": "requests",
        "pin_mismatch": "urllib3",
        "hosts": "web",
        "conflicts": ", ".join(sorted(c.id for c in report.conflicts)),
    }
    dot = export_graph(graph, "dot", conflicts=report.conflicts, conflicts_only=True)
    assert dot.startswith('graph "depcheck conflicts" {')
    assert '"service:api" -- "service:worker"' in dot and "dashed" not in dot
    back = nx.read_graphml(
        io.BytesIO(
            export_graph(graph, "graphml", conflicts=report.conflicts, conflicts_only=True).encode()
        )
    )
    assert same(back, view)


def test_pin_only_conflicts_are_dashed(tmp_path: Path) -> None:
    files = {
        "depcheck.toml": config({"h": ["a", "b"]}, {"a": "a", "b": "b"}),
        "a/requirements.txt": locked("six==1.16.0"),
        "b/requirements.txt": locked("six==1.15.0"),
    }
    write_tree(tmp_path, files)
    report = scan_path(tmp_path, root=".")
    graph = graph_of(report)
    dot = export_graph(graph, "dot", conflicts=report.conflicts, conflicts_only=True)
    assert '"style"="dashed"' in dot
    mermaid = export_graph(graph, "mermaid", conflicts=report.conflicts, conflicts_only=True)
    assert mermaid.splitlines() == ["graph LR", '  n0["a"]', '  n1["b"]', '  n0 -.-|"six"| n1']


def test_mermaid_labels_are_quoted_and_escaped(odd: Report) -> None:
    text = export_graph(graph_of(odd), "mermaid", conflicts=odd.conflicts)
    lines = text.splitlines()
    assert lines[0] == "graph LR"
    label = r'"[^"\n]*"'
    node = re.compile(rf"^  n\d+(\[{label}\]|\(\[{label}\]\))$")
    edge = re.compile(rf"^  n\d+ -->(\|{label}\|)? n\d+$")
    assert all(node.match(line) or edge.match(line) for line in lines[1:]), lines
    assert '["we#quot;ird"]' in text
    assert '["new line"]' in text


def test_errors(demo: Report) -> None:
    graph = graph_of(demo)
    with pytest.raises(ValueError, match=r"unknown graph format 'png' \(choose from dot, "):
        export_graph(graph, "png")
    with pytest.raises(ValueError, match="conflicts_only needs the scan's conflicts"):
        export_graph(graph, "dot", conflicts_only=True)


def test_a_bare_name_beside_a_pin_adds_no_empty_clause_to_the_label(tmp_path: Path) -> None:
    # svc's lock pins six (an edge record with a specifier) and its .in names it bare
    write_tree(
        tmp_path,
        {
            "svc/requirements.in": "six\nrequests\n",
            "svc/requirements.txt": locked("six==1.16.0", "requests==2.31.0"),
        },
    )
    report = scan_path(tmp_path, root=".")
    text = export_graph(graph_of(report), "mermaid")
    labels = re.findall(r'\|"([^"]*)"\|', text)
    assert labels, text
    assert not any(": ," in label or label.endswith(",") for label in labels), labels
