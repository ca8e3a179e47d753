"""The dependency graph: which service needs which package, directly or through which others.

One `networkx.DiGraph` holds service nodes (``("service", name)``) and package nodes
(``("package", normalized name)``). A ``service -> package`` edge is a direct requirement; a
``package -> package`` edge is a transitive one recorded by a lock file. Locks of different
services disagree about edges and versions, so every edge keeps, per service, the requirements or
lock records behind it; queries for one service look only at that service's edges. "Why does
service S need package P" is then a path query on S's view of the graph.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from depcheck.model import Dependency, PathStep, Requirement, Role, SourceFile

Node = tuple[str, str]


def service_node(name: str) -> Node:
    return ("service", name)


def package_node(name: str) -> Node:
    return ("package", name)


class DependencyGraph:
    """The networkx graph plus the per-service queries the rest of depcheck asks of it."""

    def __init__(self, sources_by_service: Mapping[str, Iterable[SourceFile]]) -> None:
        # Built lazily: a scan asks for the paths of a few services only (those in a conflict),
        # so the whole-repository graph is assembled only when something wants all of it.
        self._sources = {service: tuple(files) for service, files in sources_by_service.items()}
        self._graph: Any = None
        self._views: dict[str, Any] = {}
        self._pins: dict[str, dict[str, str]] = {}
        self._adjacencies: dict[str, tuple[dict[Node, set[Node]], dict[str, str]]] = {}

    @classmethod
    def build(cls, sources_by_service: Mapping[str, Iterable[SourceFile]]) -> DependencyGraph:
        """The graph of each service's parsed dependency files."""
        return cls(sources_by_service)

    @property
    def graph(self) -> Any:
        """The whole `networkx.DiGraph`: every service, every package, every recorded edge."""
        import networkx as nx  # imported by the methods that use it: scans need none

        if self._graph is None:
            graph = nx.DiGraph()
            for service in self._sources:
                self._fill(graph, service)
            self._graph = graph
        return self._graph

    def _fill(self, graph: Any, service: str) -> None:
        pins = self._pins.setdefault(service, {})
        graph.add_node(service_node(service), kind="service", name=service)
        for source in self._sources.get(service, ()):
            for requirement in source.requirements:
                _add_requirement(graph, pins, service, requirement)
            for dependency in source.dependencies:
                _add_dependency(graph, service, dependency)

    def pinned(self, service: str, package: str) -> str | None:
        return self._adjacency(service)[1].get(package)

    def service_view(self, service: str) -> Any:
        """The graph of the edges `service`'s own files recorded."""
        import networkx as nx

        view = self._views.get(service)
        if view is None:
            view = nx.DiGraph()
            self._fill(view, service)
            self._views[service] = view
        return view

    def via(self, service: str, package: str) -> tuple[str, ...]:
        """The shortest chain of packages from `service` to `package` (exclusive), as name==version.

        Empty when the service requires the package directly or no chain is recorded. Of several
        equally short chains, the first by name (the same one `paths(..., shortest=True)` gives).
        A scan asks this for every requirement behind a conflict, so it walks plain adjacency
        sets of the service's own records rather than building the service's networkx view.
        """
        children, pins = self._adjacency(service)
        source, target = service_node(service), package_node(package)
        # distances to the target, walking the edges backwards
        parents: dict[Node, set[Node]] = {}
        for node, nexts in children.items():
            for child in nexts:
                parents.setdefault(child, set()).add(node)
        distance = {target: 0}
        frontier = [target]
        while frontier and source not in distance:
            step: list[Node] = []
            for node in frontier:
                for parent in parents.get(node, ()):
                    if parent not in distance:
                        distance[parent] = distance[node] + 1
                        step.append(parent)
            frontier = step
        if source not in distance:
            return ()
        chain: list[str] = []
        node = source
        while distance[node] > 1:
            node = min(c for c in children[node] if distance.get(c) == distance[node] - 1)
            version = pins.get(node[1])
            chain.append(f"{node[1]}=={version}" if version else node[1])
        return tuple(chain)

    def _adjacency(self, service: str) -> tuple[dict[Node, set[Node]], dict[str, str]]:
        """The service's own edges as adjacency sets, and its pins (built once per service)."""
        cached = self._adjacencies.get(service)
        if cached is not None:
            return cached
        children: dict[Node, set[Node]] = {}
        pins: dict[str, str] = {}
        snode = service_node(service)
        for source in self._sources.get(service, ()):
            for requirement in source.requirements:
                pnode = package_node(requirement.name)
                if requirement.pinned_version is not None and requirement.parent is None:
                    pins.setdefault(requirement.name, requirement.pinned_version)
                if requirement.parent is not None:
                    children.setdefault(package_node(requirement.parent), set()).add(pnode)
                elif requirement.direct and not requirement.constraint_only:
                    children.setdefault(snode, set()).add(pnode)
            for dependency in source.dependencies:
                parent = package_node(dependency.parent)
                children.setdefault(parent, set()).add(package_node(dependency.child))
        self._adjacencies[service] = (children, pins)
        return children, pins

    def paths(
        self, service: str, package: str, *, limit: int = 50, shortest: bool = False
    ) -> Iterator[list[PathStep]]:
        """Paths from `service` to `package` in the service's own view, each a list of steps.

        The simple paths (at most 12 edges) come from a depth-first walk of the service's own
        records, successors in the order its files recorded them: the order networkx's
        `all_simple_paths` gives on the same view, without building that view (a `why` over a
        thousand services would build a thousand graphs).
        """
        source, target = service_node(service), package_node(package)
        edges = self._edge_records(service)
        if source not in edges or not any(target in nexts for nexts in edges.values()):
            return
        if shortest:
            import networkx as nx

            view = self.service_view(service)
            # of several equally short chains, the same one every run: the first by name
            found: Iterable[list[Node]] = [min(nx.all_shortest_paths(view, source, target))]
        else:
            found = _simple_paths(edges, source, target, cutoff=12)
        for count, nodes in enumerate(found):
            if count >= limit:
                return
            yield [self._step(service, edges[u][v], v) for u, v in itertools.pairwise(nodes)]

    def _edge_records(self, service: str) -> dict[Node, dict[Node, list[Requirement | Dependency]]]:
        """The service's own edges, successors in recording order, each with its records."""
        edges: dict[Node, dict[Node, list[Requirement | Dependency]]] = {}
        snode = service_node(service)
        edges[snode] = {}

        def record(u: Node, v: Node, item: Requirement | Dependency) -> None:
            edges.setdefault(u, {}).setdefault(v, []).append(item)

        for source in self._sources.get(service, ()):
            for requirement in source.requirements:
                pnode = package_node(requirement.name)
                if requirement.parent is not None:
                    record(package_node(requirement.parent), pnode, requirement)
                elif requirement.direct and not requirement.constraint_only:
                    record(snode, pnode, requirement)
            for dependency in source.dependencies:
                record(package_node(dependency.parent), package_node(dependency.child), dependency)
        return edges

    def _step(self, service: str, records: Sequence[Requirement | Dependency], v: Node) -> PathStep:
        # a locked `==` pin on a direct edge is the version, not the constraint asked for
        asked = [
            r
            for r in records
            if str(r.specifier)
            and not (isinstance(r, Requirement) and r.role is Role.LOCKED and r.parent is None)
        ]
        specifiers = sorted({str(r.specifier) for r in asked})
        return PathStep(
            package=v[1],
            version=self.pinned(service, v[1]),
            specifier=",".join(specifiers),
            locations=tuple(sorted({r.location for r in records})),
            markers=tuple(sorted({str(r.marker) for r in records if r.marker is not None})),
        )


def _simple_paths(
    edges: Mapping[Node, Mapping[Node, object]], source: Node, target: Node, *, cutoff: int
) -> Iterator[list[Node]]:
    """Simple paths of at most `cutoff` edges, depth first, successors in their order."""
    path = [source]
    on_path = {source}
    stack = [iter(edges.get(source, ()))]
    while stack:
        child = next((c for c in stack[-1] if c not in on_path), None)
        if child is None:
            stack.pop()
            on_path.discard(path.pop())
            continue
        if child == target:
            yield [*path, child]
        elif len(path) < cutoff:
            path.append(child)
            on_path.add(child)
            stack.append(iter(edges.get(child, ())))


def _label(step: PathStep) -> str:
    if step.version:
        return f"{step.package}=={step.version}"
    return step.package


def _add_requirement(
    graph: Any, pins: dict[str, str], service: str, requirement: Requirement
) -> None:
    pnode = package_node(requirement.name)
    if pnode not in graph:
        graph.add_node(pnode, kind="package", name=requirement.name)
    if requirement.pinned_version is not None and requirement.parent is None:
        pins.setdefault(requirement.name, requirement.pinned_version)
    if requirement.parent is not None:
        parent = package_node(requirement.parent)
        if parent not in graph:
            graph.add_node(parent, kind="package", name=requirement.parent)
        _record(graph, parent, pnode, service, requirement)
    elif requirement.direct and not requirement.constraint_only:
        _record(graph, service_node(service), pnode, service, requirement)


def _add_dependency(graph: Any, service: str, dependency: Dependency) -> None:
    parent, child = package_node(dependency.parent), package_node(dependency.child)
    for node, name in ((parent, dependency.parent), (child, dependency.child)):
        if node not in graph:
            graph.add_node(node, kind="package", name=name)
    _record(graph, parent, child, service, dependency)


def _record(graph: Any, u: Node, v: Node, service: str, record: Requirement | Dependency) -> None:
    if graph.has_edge(u, v):
        by_service = graph.edges[u, v]["by_service"]
    else:
        by_service = {}
        graph.add_edge(u, v, by_service=by_service)
    by_service.setdefault(service, []).append(record)
