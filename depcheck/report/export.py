"""Graph export for ``depcheck graph``: the dependency graph as DOT, GraphML, Mermaid or JSON.

Two views:

- the **dependency graph** (`DependencyGraph`): service and package nodes, an edge per direct
  requirement (service -> package) and per transitive one recorded by a lock (package ->
  package). Given the scan's conflicts, package nodes say where they conflict;
- with ``conflicts_only``, the **service conflict graph** (each conflict's `pairs`, grouped by
  `report.summary.conflict_edges`): the services that take part in a conflict, an edge per pair
  that disagrees, labelled with the packages.

Every writer gets the same flattened graph: node ids are strings (``service:api``,
``package:requests``; the graph's own nodes are tuples), and every attribute is a string, the
per-service detail joined into one value (``api: ==2.31.0; auth: >=2.31``), because GraphML and
DOT only carry scalars. GraphML and JSON come from networkx's writers (`write_graphml`,
`node_link_data`). DOT is written here: networkx's DOT writers need pydot or pygraphviz, a
dependency for a few lines of quoting. Mermaid is written here too (networkx has no writer).

Output is deterministic: nodes and edges are added in sorted order and the writers keep it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import networkx as nx

from depcheck.graph import DependencyGraph, Node
from depcheck.model import Conflict, Dependency, Kind, Requirement
from depcheck.report import mermaid
from depcheck.report.sanitize import clean
from depcheck.report.summary import conflict_edges

FORMATS = ("dot", "graphml", "mermaid", "json")
_SHAPES = {"service": "box", "package": "ellipse"}


def node_id(node: Node) -> str:
    """A graph node (``("service", "api")``) as the string id every output uses."""
    kind, name = node
    return f"{kind}:{name}"


def _joined(values: Iterable[str], separator: str = ", ") -> str:
    return separator.join(sorted(set(values)))


def _edge_attributes(
    records_by_service: dict[str, list[Requirement | Dependency]],
) -> dict[str, str]:
    specifiers: list[str] = []
    markers: list[str] = []
    sources: set[str] = set()
    for service in sorted(records_by_service):
        records = records_by_service[service]
        # a record with no specifier (a bare name, a `# via` edge) adds nothing to the label
        asked = _joined((str(r.specifier) for r in records if str(r.specifier)), ",")
        specifiers.append(f"{service}: {asked or '*'}")
        written = _joined(str(r.marker) for r in records if r.marker is not None)
        if written:
            markers.append(f"{service}: {written}")
        sources.update(str(r.location) for r in records)
    return {
        "services": _joined(records_by_service),
        "specifiers": "; ".join(specifiers),
        "markers": "; ".join(markers),
        "sources": _joined(sources),
    }


def _conflict_marks(conflicts: Iterable[Conflict]) -> dict[Node, list[str]]:
    """Per node, the conflicts it takes part in (``web: requests incompatible``)."""
    found: dict[Node, list[str]] = {}
    for conflict in conflicts:
        entry = f"{conflict.host}: {conflict.package} {conflict.kind.value}"
        found.setdefault(("package", conflict.package), []).append(entry)
        for service in conflict.services:
            found.setdefault(("service", service), []).append(entry)
    return found


def dependency_view(graph: DependencyGraph, conflicts: Iterable[Conflict] = ()) -> Any:
    """The dependency graph with string ids and string attributes (a `networkx.DiGraph`)."""
    source = graph.graph
    marks = _conflict_marks(conflicts)
    flat = nx.DiGraph(name="depcheck dependencies")
    for node in sorted(source.nodes):
        kind, name = node
        conflicts_here = "; ".join(sorted(marks.get(node, [])))
        flat.add_node(node_id(node), kind=kind, name=name, label=name, conflicts=conflicts_here)
    for u, v in sorted(source.edges):
        data = _edge_attributes(source.edges[u, v].get("by_service", {}))
        flat.add_edge(node_id(u), node_id(v), label=data["specifiers"], **data)
    return flat


def conflict_view(conflicts: Sequence[Conflict]) -> Any:
    """The service conflict graph with string ids and string attributes (a `networkx.Graph`)."""
    nodes, edges = conflict_edges(conflicts)
    flat = nx.Graph(name="depcheck conflicts")
    hosts: dict[str, set[str]] = {}
    for host, service in nodes:
        hosts.setdefault(service, set()).add(host)
    for service in sorted(hosts):
        flat.add_node(
            node_id(("service", service)),
            kind="service",
            name=service,
            label=service,
            hosts=_joined(hosts[service]),
        )
    merged: dict[tuple[str, str], list[Any]] = {}
    for edge in edges:  # one service pair may clash on several hosts
        merged.setdefault(edge.services, []).append(edge)
    for (a, b), same_pair in sorted(merged.items()):
        packages = [p for e in same_pair for p in e.packages]
        flat.add_edge(
            node_id(("service", a)),
            node_id(("service", b)),
            label=_joined(p.display_name for p in packages),
            packages=_joined(p.package for p in packages),
            incompatible=_joined(p.package for p in packages if p.kind is Kind.INCOMPATIBLE),
            pin_mismatch=_joined(p.package for p in packages if p.kind is Kind.PIN_MISMATCH),
            hosts=_joined(e.host for e in same_pair),
            conflicts=_joined(p.conflict_id for p in packages),
        )
    return flat


def dot_quote(text: str) -> str:
    """A DOT quoted string.

    Inside quotes DOT only unescapes ``\\"``; a lone backslash before the closing quote would
    swallow it, so backslashes are doubled (labels render them as one, ids keep both). Line
    breaks become ``\\n``, which labels render as a line break.
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return f'"{clean(escaped)}"'


def _dot_attributes(attributes: dict[str, Any]) -> str:
    if not attributes:
        return ""
    body = ", ".join(f"{dot_quote(str(k))}={dot_quote(str(v))}" for k, v in attributes.items())
    return f" [{body}]"


def write_dot(flat: Any) -> str:
    directed = flat.is_directed()
    arrow = "->" if directed else "--"
    lines = [
        f"{'digraph' if directed else 'graph'} {dot_quote(flat.graph.get('name', 'depcheck'))} {{",
        "  graph [rankdir=LR];",
    ]
    for node, data in flat.nodes(data=True):
        # Graphviz's own outputs report a node's id as "name": an attribute of that name would
        # hide it, and `label` already carries the name
        shown = {k: v for k, v in data.items() if k != "name"}
        shown["shape"] = _SHAPES.get(data.get("kind", ""), "box")
        lines.append(f"  {dot_quote(node)}{_dot_attributes(shown)};")
    for u, v, data in flat.edges(data=True):
        shown = dict(data)
        if not directed and not data.get("incompatible"):
            shown["style"] = "dashed"  # only the locked pins differ
        lines.append(f"  {dot_quote(u)} {arrow} {dot_quote(v)}{_dot_attributes(shown)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_graphml(flat: Any) -> str:
    # XML 1.0 cannot hold most control characters at all: names from the scanned files show
    # them as escapes, as the text report does
    printable = nx.relabel_nodes(flat, {node: clean(node) for node in flat.nodes}, copy=True)
    for _, data in printable.nodes(data=True):
        data.update({key: clean(value) for key, value in data.items() if isinstance(value, str)})
    for _, _, data in printable.edges(data=True):
        data.update({key: clean(value) for key, value in data.items() if isinstance(value, str)})
    buffer = io.BytesIO()
    nx.write_graphml(printable, buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8").rstrip("\n") + "\n"


def write_json(flat: Any) -> str:
    try:
        data = nx.node_link_data(flat, edges="edges")
    except TypeError:  # networkx < 3.4 names the parameter `link`
        data = nx.node_link_data(flat, link="edges")
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_mermaid(flat: Any) -> str:
    ids = mermaid.node_ids(flat.nodes)
    lines = ["graph LR"]
    for node, data in flat.nodes(data=True):
        text = mermaid.label(str(data.get("label", node)))
        shape = f"[{text}]" if data.get("kind") == "service" else f"([{text}])"
        lines.append(f"  {ids[node]}{shape}")
    for u, v, data in flat.edges(data=True):
        # directed: requirements; undirected: conflicts, dotted when only the pins differ
        link = "-->" if flat.is_directed() else "---" if data.get("incompatible") else "-.-"
        label = str(data.get("label", ""))
        middle = f"{link}|{mermaid.label(label)}|" if label else link
        lines.append(f"  {ids[u]} {middle} {ids[v]}")
    return "\n".join(lines) + "\n"


_WRITERS: dict[str, Callable[[Any], str]] = {
    "dot": write_dot,
    "graphml": write_graphml,
    "json": write_json,
    "mermaid": write_mermaid,
}


def export_graph(
    graph: DependencyGraph,
    fmt: str,
    *,
    conflicts: Sequence[Conflict] | None = None,
    conflicts_only: bool = False,
) -> str:
    """`graph` (or, with `conflicts_only`, the conflict graph of `conflicts`) in format `fmt`.

    Raises `ValueError` for an unknown format, or for `conflicts_only` without `conflicts`.
    """
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown graph format {fmt!r} (choose from {', '.join(FORMATS)})")
    if conflicts_only:
        if conflicts is None:
            raise ValueError("conflicts_only needs the scan's conflicts")
        return writer(conflict_view(conflicts))
    return writer(dependency_view(graph, conflicts or ()))
