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
from operator import attrgetter
from typing import Any, TypeVar

from depcheck.model import (
    Dependency,
    Location,
    ParsedLine,
    PathStep,
    Requirement,
    RequirementChain,
    RequirementRows,
    Role,
    SourceFile,
    ViaEdges,
    specifier_facts,
)

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


_Record = Requirement | Dependency


class _Positions:
    """Where each name sits in a column of names (a lock names a package more than once only
    under different markers: those few are kept apart)."""

    __slots__ = ("first", "more")

    def __init__(self, names: Sequence[str]) -> None:
        #: each name's position (of a name on several lines, one of them: `more` lists all)
        self.first = dict(zip(names, range(len(names)), strict=True))
        #: the names on more than one line, with all their positions
        self.more: dict[str, list[int]] = {}
        if len(self.first) != len(names):
            every: dict[str, list[int]] = {}
            for position, name in enumerate(names):
                every.setdefault(name, []).append(position)
            self.more = {name: found for name, found in every.items() if len(found) > 1}

    def of(self, name: str) -> Sequence[int]:
        position = self.first.get(name)
        if position is None:
            return ()
        return (position,) if not self.more else self.more.get(name, (position,))


_name = attrgetter("name")


def _lines(rows: Sequence[Requirement]) -> Sequence[ParsedLine]:
    """Each row's parse: a `RequirementRows`' column, or each made requirement's."""
    return rows.parsed if isinstance(rows, RequirementRows) else [r.parsed for r in rows]


def _positions(rows: Sequence[Requirement]) -> _Positions:
    return _Positions(list(map(_name, _lines(rows))))


#: an edge into a package, as `_View.towards` finds it: its place in the service's recording
#: order (part, position, order in the line's `# via`), its parent node, the package, and
#: where its record is (the part, the position, the `# via` parent)
_Found = tuple[int, int, int, Node, Node, "_Part", int, str | None]
#: an edge's record as a path shows it: the part, the position, the `# via` parent
_Ref = tuple["_Part", int, str | None]
_Edge = TypeVar("_Edge")
#: what a step shows of one record (`_fact`): its constraint's text, where it is, its marker
_Fact = tuple[str, "Location", str | None]


class _Rows:
    """A file's requirements as its reader kept them: service -> package edges (a direct,
    not constraint-only line) and a package's pin, read from the columns; a requirement is
    made only for an edge a path shows."""

    __slots__ = ("at", "rows")

    def __init__(self, rows: RequirementRows, at: _Positions) -> None:
        self.rows, self.at = rows, at

    def into(self, names: Iterable[str], number: int, snode: Node, out: list[_Found]) -> None:
        rows = self.rows
        if rows.constraint:
            return
        direct, of = rows.direct, self.at.of
        for name in names:
            v = ("package", name)
            for position in of(name):
                if direct[position]:
                    out.append((number, position, 0, snode, v, self, position, None))

    def pin(self, name: str) -> str | None:
        parsed, at = self.rows.parsed, self.at
        many = at.more.get(name) if at.more else None
        if many is None:  # a name on one line (or none): no walk over its lines
            position = at.first.get(name)
            return None if position is None else parsed[position].pinned
        return next((v for i in many if (v := parsed[i].pinned) is not None), None)

    def fact(self, position: int, parent: str | None) -> _Fact:
        rows = self.rows
        parsed = rows.parsed[position]
        marker = parsed.marker
        return (
            # a locked `==` pin on a direct edge is the version, not the constraint asked for
            "*" if rows.role is Role.LOCKED else parsed.key,
            rows.location(position),
            None if marker is None else str(marker),
        )

    def packages(self) -> Iterable[str]:
        return self.at.first

    def direct(self) -> Iterator[tuple[str, _Record]]:
        rows = self.rows
        if not rows.constraint:
            for position in itertools.compress(range(len(rows.direct)), rows.direct):
                yield rows.parsed[position].name, rows.row(position)


class _Requirements:
    """Requirements a reader made (any format): an edge from the service, or from the
    package a lock records as the requirement's parent."""

    __slots__ = ("at", "records")

    def __init__(self, records: Sequence[Requirement], at: _Positions) -> None:
        self.records, self.at = records, at

    def into(self, names: Iterable[str], number: int, snode: Node, out: list[_Found]) -> None:
        for name in names:
            v = ("package", name)
            for position in self.at.of(name):
                requirement = self.records[position]
                if requirement.parent is not None:
                    u = ("package", requirement.parent)
                    out.append((number, position, 0, u, v, self, position, None))
                elif requirement.direct and not requirement.constraint_only:
                    out.append((number, position, 0, snode, v, self, position, None))

    def pin(self, name: str) -> str | None:
        for position in self.at.of(name):
            requirement = self.records[position]
            if requirement.parent is None and requirement.pinned_version is not None:
                return requirement.pinned_version
        return None

    def fact(self, position: int, parent: str | None) -> _Fact:
        return _fact(self.records[position])

    def packages(self) -> Iterable[str]:
        parents = {r.parent for r in self.records if r.parent is not None}
        return parents.union(self.at.first)

    def direct(self) -> Iterator[tuple[str, _Record]]:
        for requirement in self.records:
            if (
                requirement.parent is None
                and requirement.direct
                and not requirement.constraint_only
            ):
                yield requirement.name, requirement


class _Via:
    """One lock's `# via` origins beside its requirements, not yet made into edges: the edges
    into a package are read from the origins of its own lines."""

    __slots__ = ("at", "edges", "origins", "rows")

    def __init__(
        self,
        rows: Sequence[Requirement],
        origins: Sequence[tuple[str, ...] | None],
        at: _Positions,
        edges: ViaEdges,
    ) -> None:
        self.rows, self.origins, self.at, self.edges = rows, origins, at, edges

    def into(self, names: Iterable[str], number: int, snode: Node, out: list[_Found]) -> None:
        origins, parents, of = self.origins, self.edges.parents, self.at.of
        for name in names:
            v = ("package", name)
            for position in of(name):
                named = origins[position]
                if named:
                    for order, parent in enumerate(parents(named)):
                        u = ("package", parent)
                        out.append((number, position, order, u, v, self, position, parent))

    def pin(self, name: str) -> str | None:
        return None

    def fact(self, position: int, parent: str | None) -> _Fact:
        # the edge `ViaEdges.edge` makes: any version of the child, where the child's line is
        # (the same whichever parent its `# via` names)
        rows = self.rows
        where = (
            rows.location(position)
            if isinstance(rows, RequirementRows)
            else rows[position].location
        )
        return ("*", where, None)

    def packages(self) -> Iterable[str]:
        """The packages the edges name: each parent, and each line with one."""
        parents = self.edges.parents
        found: set[str] = set()
        for line, named in zip(_lines(self.rows), self.origins, strict=True):
            if named and (names := parents(named)):
                found.add(line.name)
                found.update(names)
        return found

    def direct(self) -> Iterator[tuple[str, _Record]]:
        return iter(())


class _Dependencies:
    """Edges a reader made (a lock's dependency tables, or `# via` edges already made)."""

    __slots__ = ("at", "records")

    def __init__(self, records: Sequence[Dependency]) -> None:
        self.records = records
        self.at = _Positions([d.child for d in records])

    def into(self, names: Iterable[str], number: int, snode: Node, out: list[_Found]) -> None:
        for name in names:
            v = ("package", name)
            for position in self.at.of(name):
                u = ("package", self.records[position].parent)
                out.append((number, position, 0, u, v, self, position, None))

    def pin(self, name: str) -> str | None:
        return None

    def fact(self, position: int, parent: str | None) -> _Fact:
        return _fact(self.records[position])

    def packages(self) -> Iterable[str]:
        return {name for d in self.records for name in (d.parent, d.child)}

    def direct(self) -> Iterator[tuple[str, _Record]]:
        return iter(())


_Part = _Rows | _Requirements | _Via | _Dependencies


@dataclass(frozen=True, slots=True)
class _Towards:
    """The adjacency of the nodes one package can be reached from (the service's node always
    in it): successors in recording order, each edge with where its records are."""

    edges: dict[Node, dict[Node, list[_Ref]]]


#: past this many parts, a view lists each package's parts (`_View._naming`)
INDEXED_PARTS = 16


class _View:
    """One service's records, indexed by the package each one leads to, so that a query about
    one package (its paths, its shortest chain, its pin) reads only the records on the way to
    it. Its adjacency towards a package (`towards`) is the service's whole adjacency
    (`_edges`) cut to the nodes the package can be reached from, in the same order: the same
    paths, found without making a record of any line."""

    __slots__ = ("_pins", "_towards", "_where", "parts", "snode")

    def __init__(self, service: str, sources: Iterable[SourceFile]) -> None:
        self.snode = service_node(service)
        self.parts: list[_Part] = []
        self._towards: dict[str, _Towards] = {}
        self._pins: dict[str, str | None] = {}
        indexed: dict[int, tuple[Sequence[Requirement], _Positions]] = {}

        def positions(rows: Sequence[Requirement]) -> _Positions:
            known = indexed.get(id(rows))
            if known is None:  # a lock's rows are read for its pins and its `# via` alike
                known = indexed[id(rows)] = (rows, _positions(rows))
            return known[1]

        for source in sources:
            requirements = source.requirements
            chunks = (
                requirements.chunks
                if isinstance(requirements, RequirementChain)
                else (requirements,)
            )
            for chunk in chunks:
                if isinstance(chunk, RequirementRows):
                    self.parts.append(_Rows(chunk, positions(chunk)))
                elif chunk:
                    self.parts.append(_Requirements(chunk, positions(chunk)))
            dependencies = source.dependencies
            unread = dependencies.unread() if isinstance(dependencies, ViaEdges) else None
            if unread is not None:
                assert isinstance(dependencies, ViaEdges)
                for rows, origins in unread:
                    self.parts.append(_Via(rows, origins, positions(rows), dependencies))
            elif dependencies:
                self.parts.append(_Dependencies(dependencies))
        # with many parts (a file that includes hundreds), each package's parts are listed
        # once, so that a walk never asks every part about every package (parts x packages)
        self._where: dict[str, list[int]] | None = None
        if len(self.parts) > INDEXED_PARTS:
            self._where = {}
            for number, part in enumerate(self.parts):
                for named in part.packages():
                    self._where.setdefault(named, []).append(number)

    def _naming(self, name: str) -> Iterable[int]:
        """The numbers of the parts that may hold a record of `name`, in order."""
        where = self._where
        return range(len(self.parts)) if where is None else where.get(name, ())

    def packages(self) -> set[str]:
        """Every package the service's files name (what `_edges` lists), made of names alone."""
        return set(itertools.chain.from_iterable(part.packages() for part in self.parts))

    def direct(self) -> dict[Node, list[_Record]]:
        """The service's own edges (to the packages it asks for), each with its records in
        recording order: what `_edges` holds for the service's node."""
        found: dict[Node, list[_Record]] = {}
        for part in self.parts:
            for name, record in part.direct():
                found.setdefault(("package", name), []).append(record)
        return found

    def pin(self, name: str) -> str | None:
        """The version the service's first pin of `name` states (what `_edges` keeps)."""
        pins = self._pins
        if name in pins:
            return pins[name]
        parts = self.parts
        found = None
        for number in self._naming(name):
            found = parts[number].pin(name)
            if found is not None:
                break
        pins[name] = found
        return found

    def towards(self, name: str) -> _Towards:
        """The adjacency of the nodes `name` can be reached from, walking each package's
        records back to the packages and the service they come from."""
        known = self._towards.get(name)
        if known is not None:
            return known
        snode, parts = self.snode, self.parts
        found: list[_Found] = []
        reached = {name}
        frontier = [name]
        where = self._where
        # a step back at a time, each part asked once about all the packages just reached
        while frontier:
            start = len(found)
            if where is None:
                for number, part in enumerate(parts):
                    part.into(frontier, number, snode, found)
            else:
                asked: dict[int, list[str]] = {}
                for child in frontier:
                    for number in where.get(child, ()):
                        asked.setdefault(number, []).append(child)
                for number, names in asked.items():
                    parts[number].into(names, number, snode, found)
            frontier = []
            for entry in itertools.islice(found, start, None):
                u = entry[3]
                if u[0] == "package" and u[1] not in reached:
                    reached.add(u[1])
                    frontier.append(u[1])
        # the order the service's files record them in: (part, position, order) is unique,
        # so the sort never compares further
        found.sort()
        edges: dict[Node, dict[Node, list[_Ref]]] = {snode: {}}
        for _, _, _, u, v, part, position, parent in found:
            edges.setdefault(u, {}).setdefault(v, []).append((part, position, parent))
        built = self._towards[name] = _Towards(edges)
        return built


class DependencyGraph:
    """One dependency graph with named queries: `pinned`, `via`, `paths`, and `graph` whole.

    A query about one package (`pinned`, `via`, `paths`: a scan's evidence for a conflict,
    `depcheck why`) reads the service's records indexed by the package each leads to (`_View`),
    and walks back from the package to the nodes it can be reached from: the records of the
    other lines stay the readers' columns (`RequirementRows`, unread `ViaEdges`). The whole
    graph (`graph`, `nodes`, `edges`: `depcheck graph` and exports) reads each service's whole
    adjacency (`_edges`), of which the view's is the part that reaches the package, in the
    same order. A scan must not import networkx (start-up cost; tests/test_startup.py): the
    queries walk the adjacency themselves, and the `networkx.DiGraph` is built only when asked.
    """

    def __init__(self, sources_by_service: Mapping[str, Iterable[SourceFile]]) -> None:
        self._sources = {service: tuple(files) for service, files in sources_by_service.items()}
        self._graph: Any = None
        self._by_service: dict[str, _Edges] = {}
        self._views: dict[str, _View] = {}

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
            names.update(self._view(service).packages())
        return sorted([*map(package_node, names), *map(service_node, self._sources)])

    def edges(self) -> Iterator[tuple[Node, Node, dict[str, list[Requirement | Dependency]]]]:
        """Every recorded edge once, sorted, with its records per service: what `graph` holds,
        read from the per-service adjacency as it goes, so `depcheck graph` can write each edge
        as it comes. Only the edges between packages are gathered across services (a service's
        adjacency is dropped once read, unless a query had built it before); the edges out of
        each service are read again afterwards, one service at a time, from its requirements
        alone (kept, they would be a sixth of the memory)."""
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
            nexts = self._view(service).direct()
            for child in sorted(nexts):
                yield snode, child, {service: nexts[child]}

    def walking(self, services: Iterable[str] | None = None) -> Iterator[str]:
        """`services` (default: all), each one's adjacency dropped once the caller moves on
        unless it was built before: a walk over every service (`why`, `graph`) holds one view
        at a time."""
        kept, viewed = set(self._by_service), set(self._views)
        for service in self._sources if services is None else services:
            yield service
            if service not in kept:
                self._by_service.pop(service, None)
            if service not in viewed:
                self._views.pop(service, None)

    def pinned(self, service: str, package: str) -> str | None:
        """The version `service`'s lock pins `package` at, if any."""
        return self._view(service).pin(package)

    def via(self, service: str, package: str) -> tuple[str, ...]:
        """The shortest chain of packages from `service` to `package` (exclusive), as name==version.

        Empty when the service requires the package directly or no chain is recorded. Of several
        equally short chains, the first by name (choosing the smallest next node at each step
        gives the lexicographically first shortest path).
        """
        view = self._view(service)
        children = view.towards(package).edges
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
            version = view.pin(node[1])
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
        view = self._view(service)
        edges = view.towards(package).edges
        if source not in edges or not any(target in nexts for nexts in edges.values()):
            return
        # paths share their edges, and edges into a package from the same lines (each parent
        # a `# via` of the package's line names) show the same step: one made per record set
        shown: dict[int, PathStep] = {}  # an edge's step, by its list of records
        steps: dict[tuple[object, ...], PathStep] = {}
        for count, walked in enumerate(_simple_paths(edges, source, target, cutoff=12)):
            if count >= limit:
                return
            path = []
            for v, refs in walked:
                step = shown.get(id(refs))
                if step is None:
                    key = (v, *[(part, at) for part, at, _ in refs])
                    step = steps.get(key)
                    if step is None:
                        facts = [part.fact(at, parent) for part, at, parent in refs]
                        step = steps[key] = _step(view.pin(v[1]), facts, v)
                    shown[id(refs)] = step
                path.append(step)
            yield path

    def forget(self, services: Iterable[str]) -> None:
        """Drop the adjacency of `services` built so far (a scan is done with a host's services
        once it has analysed the host: a thousand services' adjacency is 90 MB); a later query
        builds it again."""
        for service in services:
            self._by_service.pop(service, None)
            self._views.pop(service, None)

    def _view(self, service: str) -> _View:
        """The service's records indexed by the package each leads to, made once (until
        `forget`): what `pinned`, `via` and `paths` read."""
        view = self._views.get(service)
        if view is None:
            view = self._views[service] = _View(service, self._sources.get(service, ()))
        return view

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


def _fact(record: Requirement | Dependency) -> _Fact:
    """What a step shows of a record: its constraint's text ("*" for none, or a locked pin on
    a direct edge, which is the version rather than a constraint), where it is, its marker."""
    if record.__class__ is Requirement:
        assert isinstance(record, Requirement)
        locked = record.role is Role.LOCKED and record.parent is None
        text = "*" if locked else record.parsed.key
    else:
        text = specifier_facts(record.specifier)[0]
    marker = record.marker
    return (text, record.location, None if marker is None else str(marker))


def _step(version: str | None, facts: Sequence[_Fact], v: Node) -> PathStep:
    if len(facts) == 1:  # most edges: one record
        text, where, marker = facts[0]
        return PathStep(
            package=v[1],
            version=version,
            specifier="" if text == "*" else text,
            locations=(where,),
            markers=() if marker is None else (marker,),
        )
    return PathStep(
        package=v[1],
        version=version,
        specifier=",".join(sorted({text for text, _, _ in facts if text != "*"})),
        locations=tuple(sorted({where for _, where, _ in facts})),
        markers=tuple(sorted({marker for _, _, marker in facts if marker is not None})),
    )


def _simple_paths(
    edges: Mapping[Node, Mapping[Node, _Edge]], source: Node, target: Node, *, cutoff: int
) -> Iterator[list[tuple[Node, _Edge]]]:
    """Simple paths of at most `cutoff` edges, depth first, successors in their order: each
    as the edges it takes (the node each enters, and the edge's value in `edges`).

    `edges` holds only nodes the target can be reached from (`_View.towards`): the walk never
    enters a branch that cannot lead to it."""
    walked: list[tuple[Node, _Edge]] = []
    on_path = {source}
    stack = [iter(edges.get(source, {}).items())]
    while stack:
        for taken in stack[-1]:
            if taken[0] not in on_path:
                break
        else:  # every successor tried: back to the node before
            stack.pop()
            if walked:
                on_path.discard(walked.pop()[0])
            continue
        child, edge = taken
        if child == target:
            yield [*walked, (child, edge)]
        elif len(walked) < cutoff - 1:
            walked.append((child, edge))
            on_path.add(child)
            stack.append(iter(edges.get(child, {}).items()))
