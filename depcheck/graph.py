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
from dataclasses import dataclass
from typing import Any

from depcheck.model import Dependency, PathStep, Requirement, Role, SourceFile

Node = tuple[str, str]


def service_node(name: str) -> Node:
    return ("service", name)


def package_node(name: str) -> Node:
    return ("package", name)


@dataclass(frozen=True, slots=True)
class _Edges:
    """One service's own records as adjacency: successors in recording order, each edge with the
    requirements or lock records behind it; the packages its files name; its top-level pins."""

    edges: dict[Node, dict[Node, list[Requirement | Dependency]]]
    packages: tuple[str, ...]
    pins: dict[str, str]


class DependencyGraph:
    """One dependency graph with named queries: `pinned`, `via`, `paths`, and `graph` whole.

    Every query reads the one per-service adjacency (`_edges`, built once per service from its
    files). A scan asks only `pinned` and `via`, for the services in a conflict, and must not
    import networkx (start-up cost; tests/test_startup.py): so those queries walk the adjacency
    themselves. The whole `networkx.DiGraph` (for `depcheck graph` and exports) is built from
    the same adjacency when something asks for it.
    """

    def __init__(self, sources_by_service: Mapping[str, Iterable[SourceFile]]) -> None:
        self._sources = {service: tuple(files) for service, files in sources_by_service.items()}
        self._graph: Any = None
        self._by_service: dict[str, _Edges] = {}

    @classmethod
    def build(cls, sources_by_service: Mapping[str, Iterable[SourceFile]]) -> DependencyGraph:
        """The graph of each service's parsed dependency files."""
        return cls(sources_by_service)

    @property
    def graph(self) -> Any:
        """The whole `networkx.DiGraph`: every service, every package, every recorded edge,
        each edge's records per service (``by_service``)."""
        import networkx as nx  # imported by the methods that use it: scans need none

        if self._graph is None:
            graph = nx.DiGraph()
            for service in self._sources:
                own = self._edges(service)
                graph.add_node(service_node(service), kind="service", name=service)
                for name in own.packages:
                    if package_node(name) not in graph:
                        graph.add_node(package_node(name), kind="package", name=name)
                for u, nexts in own.edges.items():
                    for v, records in nexts.items():
                        if not graph.has_edge(u, v):
                            graph.add_edge(u, v, by_service={})
                        graph.edges[u, v]["by_service"][service] = list(records)
            self._graph = graph
        return self._graph

    def nodes(self) -> list[Node]:
        """Every node, sorted: the package nodes (any service's files name them), then the
        services."""
        names: set[str] = set()
        for service in self.walking():
            names.update(self._edges(service).packages)
        return sorted([*map(package_node, names), *map(service_node, self._sources)])

    def edges(self) -> Iterator[tuple[Node, Node, dict[str, list[Requirement | Dependency]]]]:
        """Every recorded edge once, sorted, with its records per service: what `graph` holds,
        read from the per-service adjacency as it goes, so `depcheck graph` can write each edge
        as it comes. Only the edges between packages are gathered across services (a service's
        view is dropped once read, unless a query had built it before); the edges out of each
        service come from its view built again, one service at a time."""
        between: dict[Node, dict[Node, dict[str, list[Requirement | Dependency]]]] = {}
        for service in self.walking():
            for node, nexts in self._edges(service).edges.items():
                if node[0] == "package":
                    out = between.setdefault(node, {})
                    for child, records in nexts.items():
                        out.setdefault(child, {})[service] = records
        for node in sorted(between):
            gathered = between.pop(node)
            for child in sorted(gathered):
                yield node, child, gathered[child]
        for service in self.walking(sorted(self._sources)):
            snode = service_node(service)
            nexts = self._edges(service).edges.get(snode, {})
            for child in sorted(nexts):
                yield snode, child, {service: nexts[child]}

    def walking(self, services: Iterable[str] | None = None) -> Iterator[str]:
        """`services` (default: all), each one's adjacency dropped once the caller moves on
        unless it was built before: a walk over every service (`why`, `graph`) holds one view
        at a time."""
        kept = set(self._by_service)
        for service in self._sources if services is None else services:
            yield service
            if service not in kept:
                self._by_service.pop(service, None)

    def pinned(self, service: str, package: str) -> str | None:
        """The version `service`'s lock pins `package` at, if any."""
        return self._edges(service).pins.get(package)

    def via(self, service: str, package: str) -> tuple[str, ...]:
        """The shortest chain of packages from `service` to `package` (exclusive), as name==version.

        Empty when the service requires the package directly or no chain is recorded. Of several
        equally short chains, the first by name (choosing the smallest next node at each step
        gives the lexicographically first shortest path).
        """
        own = self._edges(service)
        children = own.edges
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
            version = own.pins.get(node[1])
            chain.append(f"{node[1]}=={version}" if version else node[1])
        return tuple(chain)

    def paths(self, service: str, package: str, *, limit: int = 50) -> Iterator[list[PathStep]]:
        """Paths from `service` to `package` in the service's own records, each a list of steps.

        The simple paths (at most 12 edges) come from a depth-first walk, successors in the
        order the service's files recorded them: the order networkx's `all_simple_paths` gives
        on the same edges, without building a graph per service (a `why` over a thousand
        services would build a thousand).
        """
        source, target = service_node(service), package_node(package)
        edges = self._edges(service).edges
        if source not in edges or not any(target in nexts for nexts in edges.values()):
            return
        found = _simple_paths(edges, source, target, cutoff=12)
        steps: dict[tuple[Node, Node], PathStep] = {}  # paths share their first edges
        for count, nodes in enumerate(found):
            if count >= limit:
                return
            path = []
            for u, v in itertools.pairwise(nodes):
                step = steps.get((u, v))
                if step is None:
                    step = steps[u, v] = self._step(service, edges[u][v], v)
                path.append(step)
            yield path

    def forget(self, services: Iterable[str]) -> None:
        """Drop the adjacency of `services` built so far (a scan is done with a host's services
        once it has analysed the host: a thousand services' adjacency is 90 MB); a later query
        builds it again."""
        for service in services:
            self._by_service.pop(service, None)

    def _edges(self, service: str) -> _Edges:
        """The service's own adjacency, built once (until `forget`)."""
        cached = self._by_service.get(service)
        if cached is not None:
            return cached
        snode = service_node(service)
        edges: dict[Node, dict[Node, list[Requirement | Dependency]]] = {snode: {}}
        packages: dict[str, None] = {}
        pins: dict[str, str] = {}

        # (the loops below run once per requirement of every file: no call per record)
        for source in self._sources.get(service, ()):
            for requirement in source.requirements:
                name, parent = requirement.name, requirement.parent
                packages.setdefault(name)
                if parent is not None:
                    packages.setdefault(parent)
                    u = ("package", parent)
                elif requirement.pinned_version is not None:
                    pins.setdefault(name, requirement.pinned_version)
                    if not requirement.direct or requirement.constraint_only:
                        continue
                    u = snode
                elif requirement.direct and not requirement.constraint_only:
                    u = snode
                else:
                    continue
                edges.setdefault(u, {}).setdefault(("package", name), []).append(requirement)
            for dependency in source.dependencies:
                packages.setdefault(dependency.parent)
                packages.setdefault(dependency.child)
                nexts = edges.setdefault(("package", dependency.parent), {})
                nexts.setdefault(("package", dependency.child), []).append(dependency)
        built = _Edges(edges, tuple(packages), pins)
        self._by_service[service] = built
        return built

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
    """Simple paths of at most `cutoff` edges, depth first, successors in their order.

    The walk enters only nodes the target can be reached from: a branch that holds no path is
    never explored (the paths and their order are the same)."""
    parents: dict[Node, list[Node]] = {}
    for node, nexts in edges.items():
        for successor in nexts:
            parents.setdefault(successor, []).append(node)
    reaches = {target}
    frontier = [target]
    while frontier:
        for parent in parents.get(frontier.pop(), ()):
            if parent not in reaches:
                reaches.add(parent)
                frontier.append(parent)
    path = [source]
    on_path = {source}
    stack = [iter(edges.get(source, ()))]
    while stack:
        child = next((c for c in stack[-1] if c in reaches and c not in on_path), None)
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
