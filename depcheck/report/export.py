"""Graph export for ``depcheck graph``: the dependency graph as DOT, GraphML, Mermaid or JSON.

Two views:

- the **dependency graph** (`DependencyGraph`): service and package nodes, an edge per direct
  requirement (service -> package) and per transitive one recorded by a lock (package ->
  package). Given the scan's conflicts, package nodes say where they conflict;
- with ``conflicts_only``, the **service conflict graph** (each conflict's `pairs`, grouped by
  `report.summary.conflict_edges`): the services that take part in a conflict, an edge per pair
  that disagrees, labelled with the packages.

Every writer gets the same flattened graph (`Flat`): node ids are strings (``service:api``,
``package:requests``; the graph's own nodes are tuples), and every attribute is a string, the
per-service detail joined into one value (``api: ==2.31.0; auth: >=2.31``), because GraphML and
DOT only carry scalars. DOT, Mermaid and JSON are written here, a line at a time as the
dependency graph's edges are read (`DependencyGraph.edges`), so `depcheck graph` holds no second
copy of the graph however large it is: `stream_graph` yields the document in chunks of whole
lines. The JSON is networkx's node-link form (`node_link_data`, indented, keys sorted), byte for
byte, and the GraphML networkx's writer (`write_graphml`) would write, byte for byte, without
building a networkx graph and an XML tree of the whole document. (networkx's DOT writers need
pydot or pygraphviz, a dependency for a few lines of quoting; it has no Mermaid writer.)

Output is deterministic: nodes and edges come in sorted order and the writers keep it.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from depcheck.graph import DependencyGraph, Node
from depcheck.model import Conflict, Dependency, Kind, Requirement, specifier_facts
from depcheck.report import mermaid
from depcheck.report.sanitize import clean, clean_printable
from depcheck.report.summary import conflict_edges

FORMATS = ("dot", "graphml", "mermaid", "json")
_SHAPES = {"service": "box", "package": "ellipse"}
#: how many characters of whole lines `stream_graph` gathers into one chunk
CHUNK = 1 << 16

Attributes = dict[str, str]


@dataclass(frozen=True, slots=True)
class Flat:
    """A graph as the writers read it: string ids, string attributes, nodes and edges sorted.

    `nodes` and `edges` may be iterators over a graph being read (each is read once)."""

    name: str
    directed: bool
    nodes: Iterable[tuple[str, Attributes]]
    edges: Iterable[tuple[str, str, Attributes]]


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
    services = sorted(records_by_service)
    for service in services:
        records = records_by_service[service]
        if len(records) == 1:  # (most edges: one record per service, nothing to sort)
            [record] = records
            asked = _specifier_text(record)
            written = "" if record.marker is None else str(record.marker)
            sources.add(str(record.location))
        else:
            # a record with no specifier (a bare name, a `# via` edge) adds nothing to the label
            asked = _joined((t for t in map(_specifier_text, records) if t), ",")
            written = _joined(str(r.marker) for r in records if r.marker is not None)
            sources.update(str(r.location) for r in records)
        specifiers.append(f"{service}: {asked or '*'}")
        if written:
            markers.append(f"{service}: {written}")
    return {
        "services": ", ".join(services),
        "specifiers": "; ".join(specifiers),
        "markers": "; ".join(markers),
        "sources": _joined(sources),
    }


def _specifier_text(record: Requirement | Dependency) -> str:
    """`str(record.specifier)`: a requirement's parse holds it, an edge's is memoized per
    specifier object (sources share them)."""
    if record.__class__ is Requirement:
        key = record.parsed.key
    else:
        key = specifier_facts(record.specifier)[0]
    return "" if key == "*" else key


def _conflict_marks(conflicts: Iterable[Conflict]) -> dict[Node, list[str]]:
    """Per node, the conflicts it takes part in (``web: requests incompatible``)."""
    found: dict[Node, list[str]] = {}
    for conflict in conflicts:
        entry = f"{conflict.host}: {conflict.package} {conflict.kind.value}"
        found.setdefault(("package", conflict.package), []).append(entry)
        for service in conflict.services:
            found.setdefault(("service", service), []).append(entry)
    return found


def dependency_flat(graph: DependencyGraph, conflicts: Iterable[Conflict] = ()) -> Flat:
    """The dependency graph flattened, its edges read as the writer asks for them."""
    marks = _conflict_marks(conflicts)

    def nodes() -> Iterator[tuple[str, Attributes]]:
        for node in graph.nodes():
            kind, name = node
            here = "; ".join(sorted(marks.get(node, [])))
            yield node_id(node), {"kind": kind, "name": name, "label": name, "conflicts": here}

    def edges() -> Iterator[tuple[str, str, Attributes]]:
        for u, v, by_service in graph.edges():
            data = _edge_attributes(by_service)
            yield node_id(u), node_id(v), {"label": data["specifiers"], **data}

    return Flat("depcheck dependencies", True, nodes(), edges())


def to_networkx(flat: Flat) -> Any:
    """A flattened graph as a `networkx.DiGraph` (directed) or `networkx.Graph`."""
    import networkx as nx  # GraphML and the conflict view: DOT, Mermaid and JSON need none

    view = (nx.DiGraph if flat.directed else nx.Graph)(name=flat.name)
    for node, data in flat.nodes:
        view.add_node(node, **data)
    for u, v, data in flat.edges:
        view.add_edge(u, v, **data)
    return view


def from_networkx(view: Any) -> Flat:
    return Flat(
        view.graph.get("name", "depcheck"),
        view.is_directed(),
        view.nodes(data=True),
        view.edges(data=True),
    )


def dependency_view(graph: DependencyGraph, conflicts: Iterable[Conflict] = ()) -> Any:
    """The dependency graph with string ids and string attributes (a `networkx.DiGraph`)."""
    return to_networkx(dependency_flat(graph, conflicts))


def conflict_view(conflicts: Sequence[Conflict]) -> Any:
    """The service conflict graph with string ids and string attributes (a `networkx.Graph`)."""
    import networkx as nx  # (see to_networkx)

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
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        # (most text: nothing to escape or break; `clean` leaves it as it is but for ##[)
        return f'"{clean_printable(text)}"'
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return f'"{clean(escaped)}"'


def _dot_attributes(attributes: dict[str, Any]) -> str:
    if not attributes:
        return ""
    body = ", ".join(f"{_dot_key(k)}={dot_quote(str(v))}" for k, v in attributes.items())
    return f" [{body}]"


@functools.lru_cache(maxsize=64)
def _dot_key(key: str) -> str:
    """An attribute's name quoted (the writers' own few names: each quoted once)."""
    return dot_quote(str(key))


def dot_lines(flat: Flat) -> Iterator[str]:
    arrow = "->" if flat.directed else "--"
    yield f"{'digraph' if flat.directed else 'graph'} {dot_quote(flat.name)} {{\n"
    yield "  graph [rankdir=LR];\n"
    for node, data in flat.nodes:
        # Graphviz's own outputs report a node's id as "name": an attribute of that name would
        # hide it, and `label` already carries the name
        shown = {k: v for k, v in data.items() if k != "name"}
        shown["shape"] = _SHAPES.get(data.get("kind", ""), "box")
        yield f"  {dot_quote(node)}{_dot_attributes(shown)};\n"
    for u, v, data in flat.edges:
        shown = dict(data)
        if not flat.directed and not data.get("incompatible"):
            shown["style"] = "dashed"  # only the locked pins differ
        yield f"  {dot_quote(u)} {arrow} {dot_quote(v)}{_dot_attributes(shown)};\n"
    yield "}\n"


_GRAPHML_OPEN = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_attribute(text: str) -> str:
    text = _xml_text(text).replace('"', "&quot;")
    return text.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


def _graphml_data(key: str, text: str, indent: str) -> str:
    escaped = _xml_text(text)
    if not escaped:
        return f'{indent}<data key="{key}" />\n'
    return f'{indent}<data key="{key}">{escaped}</data>\n'


def graphml_id(node: str) -> str:
    """A node's GraphML id: `clean`ed, its backslashes doubled first, so that two names `clean`
    would show alike (one holding a control character, one its escape written out) stay two
    nodes. (A value is only shown: `clean` alone.)"""
    return clean(node.replace("\\", "\\\\"))


def _graphml_element(
    tag: str, ids: dict[str, str], data: Attributes, keys: dict[str, str]
) -> Iterator[str]:
    """A node or edge element and its data, each id and value of a scanned file `clean`ed
    (XML 1.0 cannot hold most control characters at all: names show them as escapes, as the
    text report does)."""
    opening = " ".join([tag, *(f'{k}="{_xml_attribute(graphml_id(v))}"' for k, v in ids.items())])
    if not data:
        yield f"    <{opening} />\n"
        return
    yield f"    <{opening}>\n"
    for name, value in data.items():
        key = keys.get(name)
        if key is None:
            raise ValueError(f"GraphML: attribute {name!r} is not on the first element")
        yield _graphml_data(key, clean(value), "      ")
    yield f"    </{tag}>\n"


def graphml_lines(flat: Flat) -> Iterator[str]:
    """GraphML as networkx's writer (`write_graphml`, pretty-printed) writes the same graph,
    byte for byte, an element at a time: the writer declares each attribute's key before the
    graph, so the keys are read from the first node and the first edge (every node of a `Flat`
    carries the same attributes, and every edge: both views build them so), and the rest is
    written as it is read. Every attribute is a string."""
    nodes, edges = iter(flat.nodes), iter(flat.edges)
    first_node, first_edge = next(nodes, None), next(edges, None)
    # ids in the writer's order: the graph's name, the nodes' attributes, the edges'
    node_keys = {name: f"d{1 + i}" for i, name in enumerate(first_node[1] if first_node else ())}
    edge_keys = {
        name: f"d{1 + len(node_keys) + i}"
        for i, name in enumerate(first_edge[2] if first_edge else ())
    }
    declared = [("graph", "name", "d0")]
    declared += [("node", name, key) for name, key in node_keys.items()]
    declared += [("edge", name, key) for name, key in edge_keys.items()]
    yield _GRAPHML_OPEN
    for scope, name, key in reversed(declared):  # (the writer puts each new key first)
        yield (
            f'  <key id="{key}" for="{scope}" attr.name="{_xml_attribute(name)}" '
            'attr.type="string" />\n'
        )
    yield f'  <graph edgedefault="{"directed" if flat.directed else "undirected"}">\n'
    for node, data in itertools.chain([first_node] if first_node else [], nodes):
        yield from _graphml_element("node", {"id": node}, data, node_keys)
    for u, v, data in itertools.chain([first_edge] if first_edge else [], edges):
        yield from _graphml_element("edge", {"source": u, "target": v}, data, edge_keys)
    yield _graphml_data("d0", flat.name, "    ")
    yield "  </graph>\n</graphml>\n"


_string = json.JSONEncoder(ensure_ascii=False).encode


def _json_items(items: Iterable[Attributes]) -> Iterator[str]:
    """A JSON list of flat objects of strings, as `json.dumps(indent=2, sort_keys=True)`
    writes it two levels down, one object at a time (each piece ends a line)."""
    previous = None
    for item in items:
        fields = ",\n".join(f"      {_string(k)}: {_string(v)}" for k, v in sorted(item.items()))
        yield "[\n" if previous is None else previous + ",\n"
        previous = "    {\n" + fields + "\n    }"
    yield "[]" if previous is None else previous + "\n  ]"


def json_lines(flat: Flat) -> Iterator[str]:
    """networkx's node-link data of `flat` (`node_link_data(edges="edges")`), indented and
    with its keys sorted as `json.dumps(indent=2, sort_keys=True)` writes it: the edges come
    first, then the nodes."""
    yield f'{{\n  "directed": {"true" if flat.directed else "false"},\n  "edges": '
    yield from _json_items({**data, "source": u, "target": v} for u, v, data in flat.edges)
    yield f',\n  "graph": {{\n    "name": {_string(flat.name)}\n  }},\n  "multigraph": false,\n'
    yield '  "nodes": '
    yield from _json_items({**data, "id": node} for node, data in flat.nodes)
    yield "\n}\n"


def mermaid_lines(flat: Flat) -> Iterator[str]:
    nodes = list(flat.nodes)
    ids = mermaid.node_ids(node for node, _ in nodes)
    yield "graph LR\n"
    for node, data in nodes:
        text = mermaid.label(str(data.get("label", node)))
        shape = f"[{text}]" if data.get("kind") == "service" else f"([{text}])"
        yield f"  {ids[node]}{shape}\n"
    for u, v, data in flat.edges:
        # directed: requirements; undirected: conflicts, dotted when only the pins differ
        link = "-->" if flat.directed else "---" if data.get("incompatible") else "-.-"
        label = str(data.get("label", ""))
        middle = f"{link}|{mermaid.label(label)}|" if label else link
        yield f"  {ids[u]} {middle} {ids[v]}\n"


_WRITERS: dict[str, Callable[[Flat], Iterator[str]]] = {
    "dot": dot_lines,
    "graphml": graphml_lines,
    "json": json_lines,
    "mermaid": mermaid_lines,
}


def _chunks(pieces: Iterable[str]) -> Iterator[str]:
    """`pieces` gathered into chunks of about `CHUNK` characters, each ending a line."""
    gathered: list[str] = []
    size = 0
    for piece in pieces:
        gathered.append(piece)
        size += len(piece)
        if size >= CHUNK and piece.endswith("\n"):
            yield "".join(gathered)
            gathered, size = [], 0
    if gathered:
        yield "".join(gathered)


def stream_graph(
    graph: DependencyGraph,
    fmt: str,
    *,
    conflicts: Sequence[Conflict] | None = None,
    conflicts_only: bool = False,
) -> Iterator[str]:
    """`export_graph`'s document in chunks of whole lines, written as the graph is read.

    Raises `ValueError` (before yielding anything) for an unknown format, or for
    `conflicts_only` without `conflicts`.
    """
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown graph format {fmt!r} (choose from {', '.join(FORMATS)})")
    if conflicts_only:
        if conflicts is None:
            raise ValueError("conflicts_only needs the scan's conflicts")
        flat = from_networkx(conflict_view(conflicts))
    else:
        flat = dependency_flat(graph, conflicts or ())
    return _chunks(writer(flat))


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
    chunks = stream_graph(graph, fmt, conflicts=conflicts, conflicts_only=conflicts_only)
    return "".join(chunks)
