"""Host plans and per-conflict advice: align, isolate, or split.

For a host with incompatibilities we answer two questions exactly (up to a search budget):

* **groups**: the fewest conflict-free groups the host's services can be split into (colouring);
* **isolate**: the fewest services whose removal leaves the rest conflict-free (vertex cover).

"Conflict-free" is judged on the constraints themselves, not only on pairs: a group is fine when,
for every clashing package, the ranges of its members still intersect. When every range is an
interval that is the same as "no two members clash" (Helly); ranges with holes can make three
services clash while no two do, and the search handles that too (hyperedges, found lazily).

Services with identical ranges on every clashing package are interchangeable, so the search runs
on those classes (a thousand services sharing one pin are one vertex) and on each connected
component separately. Within `exact_limit` classes per component the search is exhaustive; above
it, or when the node budget runs out, we keep the best found and say the plan is `heuristic`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import networkx as nx
from packaging.version import Version

from depcheck.analysis.conflicts import HOST_PYTHON, Clash, admits, satisfiable
from depcheck.model import Action, Conflict, Host, Kind, Plan, Recommendation, is_version

EXACT_LIMIT = 60
NODE_BUDGET = 500_000

Signature = tuple[tuple[str, str], ...]


class _BudgetExceeded(Exception):
    pass


@dataclass(frozen=True, slots=True)
class _Class:
    index: int
    services: tuple[str, ...]
    signature: Mapping[str, str]

    @property
    def weight(self) -> int:
        # the host's own Python cannot be moved out: make it too dear for any cover
        return 10**6 if HOST_PYTHON in self.services else len(self.services)


class _Problem:
    """The clash structure of one host, on classes of interchangeable services."""

    def __init__(self, clashes: Sequence[Clash]) -> None:
        by_signature: dict[Signature, list[str]] = defaultdict(list)
        members: set[str] = set()
        for clash in clashes:
            members.update(clash.ranges)
        for service in sorted(members):
            signature = tuple(
                (clash.package, clash.ranges[service])
                for clash in clashes
                if service in clash.ranges
            )
            by_signature[signature].append(service)
        self.classes = [
            _Class(i, tuple(services), dict(signature))
            for i, (signature, services) in enumerate(
                sorted(by_signature.items(), key=lambda item: item[1])
            )
        ]
        self.edges: dict[int, set[int]] = {c.index: set() for c in self.classes}
        for a in self.classes:
            for b in self.classes[a.index + 1 :]:
                if not self.compatible([a, b]):
                    self.edges[a.index].add(b.index)
                    self.edges[b.index].add(a.index)
        self.age = _ages(self.classes, clashes)
        # with interval ranges only (no `!=`, no `===`), pairwise compatibility is the whole
        # story (Helly): the searches can skip the full check
        self.pairwise = all(
            "!=" not in key and "===" not in key
            for clash in clashes
            for key in clash.ranges.values()
        )

    def compatible(self, classes: Iterable[_Class]) -> bool:
        keys: dict[str, set[str]] = defaultdict(set)
        for cls in classes:
            for package, key in cls.signature.items():
                keys[package].add(key)
        return all(len(k) < 2 or satisfiable(k) for k in keys.values())

    def components(self) -> list[list[_Class]]:
        """Connected components of the clash structure, pairwise edges and multi-way clashes."""
        parent = {c.index: c.index for c in self.classes}

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(a: int, b: int) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        for a, neighbours in self.edges.items():
            for b in neighbours:
                union(a, b)
        # a package whose clashes are not all pairwise: keep its classes in one component
        by_package: dict[str, list[int]] = defaultdict(list)
        for cls in self.classes:
            for package in cls.signature:
                by_package[package].append(cls.index)
        for indices in by_package.values():
            for other in indices[1:]:
                union(indices[0], other)
        groups: dict[int, list[_Class]] = defaultdict(list)
        for cls in self.classes:
            groups[find(cls.index)].append(cls)
        return [groups[root] for root in sorted(groups)]


_VERSION_IN_KEY = re.compile(r"(?:===|==|!=|<=|>=|~=|<|>)\s*([^,;\s*]+)")


def _ages(classes: Sequence[_Class], clashes: Sequence[Clash]) -> dict[int, int]:
    """How far up each class's ranges reach, summed over its clashing packages (lower: older).

    Between equally small answers the plan moves out the services that hold versions back (the
    `<2.28` or `==2.25` side), so the rest of the host can keep upgrading.
    """
    ages = {cls.index: 0 for cls in classes}
    for clash in clashes:
        keys = {cls.signature[clash.package] for cls in classes if clash.package in cls.signature}
        found = {v for key in keys for v in _VERSION_IN_KEY.findall(key)}
        newest = Version("99999")  # beyond any real release: open ranges reach it
        candidates = [*sorted(Version(v) for v in found if is_version(v)), newest]
        reach = {
            key: max((i for i, v in enumerate(candidates) if admits(key, str(v))), default=-1)
            for key in keys
        }
        for cls in classes:
            if clash.package in cls.signature:
                ages[cls.index] += reach[cls.signature[clash.package]]
    return ages


def _colour(
    problem: _Problem, component: list[_Class], *, budget: int
) -> tuple[list[list[_Class]], bool]:
    """Fewest compatible groups for one component; returns (groups, exact).

    Branch and bound in DSATUR order: always extend the class whose clashing neighbours already
    sit in the most different groups, try the groups it fits (a pairwise check, then the full
    constraint check for clashes of three or more), open a new group only while that can still
    beat the best partition found, and stop as soon as it meets the clique lower bound.
    """
    by_index = {c.index: c for c in component}
    order = sorted(component, key=lambda c: (-len(problem.edges[c.index]), -c.weight, c.services))
    best = _greedy_colour(problem, order)
    lower = _clique_bound(problem, order)
    if len(best) <= lower:
        return best, True
    if len(component) > EXACT_LIMIT:
        return best, False
    groups: list[list[_Class]] = []
    group_of: dict[int, int] = {}
    nodes = 0

    def saturation(cls: _Class) -> int:
        return len({group_of[n] for n in problem.edges[cls.index] if n in group_of})

    def search() -> None:
        nonlocal best, nodes
        nodes += 1
        if nodes > budget:
            raise _BudgetExceeded
        if len(group_of) == len(component):
            best = [list(g) for g in groups]
            return
        cls = max(
            (by_index[i] for i in by_index if i not in group_of),
            key=lambda c: (saturation(c), len(problem.edges[c.index]), c.weight, c.services),
        )
        taken = {group_of[n] for n in problem.edges[cls.index] if n in group_of}
        for position, group in enumerate(groups):
            if position in taken or (
                not problem.pairwise and not problem.compatible([*group, cls])
            ):
                continue
            group.append(cls)
            group_of[cls.index] = position
            search()
            del group_of[cls.index]
            group.pop()
            if len(best) <= lower:
                return
        if len(groups) + 1 < len(best):
            groups.append([cls])
            group_of[cls.index] = len(groups) - 1
            search()
            del group_of[cls.index]
            groups.pop()

    try:
        search()
    except _BudgetExceeded:
        return best, False
    return best, True


def _greedy_colour(problem: _Problem, order: list[_Class]) -> list[list[_Class]]:
    groups: list[list[_Class]] = []
    for cls in order:
        for group in groups:
            if problem.compatible([*group, cls]):
                group.append(cls)
                break
        else:
            groups.append([cls])
    return groups


def _clique_bound(problem: _Problem, order: list[_Class]) -> int:
    """The largest set of pairwise-clashing classes: each needs a group of its own (exact)."""
    graph = nx.Graph()
    members = {c.index for c in order}
    graph.add_nodes_from(members)
    graph.add_edges_from(
        (a, b) for a in members for b in problem.edges[a] if b in members and a < b
    )
    clique, _ = nx.max_weight_clique(graph, weight=None)
    return max(1, len(clique))


def _cover(problem: _Problem, component: list[_Class], *, budget: int) -> tuple[set[int], bool]:
    """Smallest total weight of classes whose removal leaves the component compatible."""
    weights = {c.index: c.weight for c in component}
    by_index = {c.index: c for c in component}
    edges: set[frozenset[int]] = {
        frozenset((a, b)) for a in weights for b in problem.edges[a] if b in weights and a < b
    }
    exact = len(component) <= EXACT_LIMIT
    while True:
        chosen, complete = _hitting_set(edges, weights, problem.age, budget=budget if exact else 0)
        exact = exact and complete
        remaining = [by_index[i] for i in sorted(weights) if i not in chosen]
        core = _unsatisfiable_core(problem, remaining)
        if core is None:
            return chosen, exact
        edges.add(frozenset(c.index for c in core))


def _unsatisfiable_core(problem: _Problem, classes: list[_Class]) -> list[_Class] | None:
    """A minimal incompatible subset of `classes` (deletion-based), or None if compatible."""
    if problem.compatible(classes):
        return None
    core = list(classes)
    for cls in list(core):
        trial = [c for c in core if c is not cls]
        if not problem.compatible(trial):
            core = trial
    return core


def _hitting_set(
    edges: set[frozenset[int]],
    weights: Mapping[int, int],
    age: Mapping[int, int],
    *,
    budget: int,
) -> tuple[set[int], bool]:
    """Minimum-weight set meeting every edge; branch on the busiest vertex (in, or out)."""
    greedy = _greedy_hitting_set(edges, weights, age)
    best = (sum(weights[v] for v in greedy), greedy)
    if budget <= 0:
        return greedy, False
    nodes = 0

    def search(open_edges: frozenset[frozenset[int]], chosen: frozenset[int], cost: int) -> None:
        nonlocal best, nodes
        nodes += 1
        if nodes > budget:
            raise _BudgetExceeded
        if any(not e for e in open_edges):
            return
        if not open_edges:
            if cost < best[0]:
                best = (cost, set(chosen))
            return
        if cost + _matching_bound(open_edges, weights) >= best[0]:
            return
        forced = next((e for e in open_edges if len(e) == 1), None)
        degree: dict[int, int] = defaultdict(int)
        for edge in open_edges:
            for v in edge:
                degree[v] += 1
        if forced is not None:
            (vertex,) = forced
        else:
            vertex = min(degree, key=lambda v: (-degree[v], weights[v], age[v], v))
        with_vertex = frozenset(e for e in open_edges if vertex not in e)
        search(with_vertex, chosen | {vertex}, cost + weights[vertex])
        if forced is None:
            without = frozenset(e - {vertex} if vertex in e else e for e in open_edges)
            search(without, chosen, cost)

    try:
        search(frozenset(edges), frozenset(), 0)
    except _BudgetExceeded:
        return best[1], False
    return best[1], True


def _greedy_hitting_set(
    edges: set[frozenset[int]], weights: Mapping[int, int], age: Mapping[int, int]
) -> set[int]:
    chosen: set[int] = set()
    open_edges = set(edges)
    while open_edges:
        degree: dict[int, int] = defaultdict(int)
        for edge in open_edges:
            for v in edge:
                degree[v] += 1
        vertex = min(degree, key=lambda v: (-degree[v] / weights[v], age[v], v))
        chosen.add(vertex)
        open_edges = {e for e in open_edges if vertex not in e}
    return chosen


def _matching_bound(edges: frozenset[frozenset[int]], weights: Mapping[int, int]) -> int:
    """A lower bound: edges sharing no vertex each need a distinct member."""
    used: set[int] = set()
    bound = 0
    for edge in sorted(edges, key=lambda e: (len(e), sorted(e))):
        if used.isdisjoint(edge):
            used.update(edge)
            bound += min(weights[v] for v in edge)
    return bound


def plan_host(host: Host, clashes: Sequence[Clash], *, budget: int = NODE_BUDGET) -> Plan:
    """The fewest conflict-free groups and the fewest services to move out, for one host."""
    if not clashes:
        return Plan(host.name, (tuple(sorted(host.services)),), (), "exact")
    problem = _Problem(clashes)
    colourings: list[list[list[_Class]]] = []
    isolate: set[str] = set()
    exact = True
    for component in problem.components():
        groups, colour_exact = _colour(problem, component, budget=budget)
        chosen, cover_exact = _cover(problem, component, budget=budget)
        exact = exact and colour_exact and cover_exact
        colourings.append(groups)
        for cls in component:
            if cls.index in chosen:
                isolate.update(cls.services)
    count = max(len(c) for c in colourings)
    merged: list[set[str]] = [set() for _ in range(count)]
    for colouring in colourings:
        # largest colour classes first, so the biggest groups line up
        ranked = sorted(colouring, key=lambda g: (-sum(c.weight for c in g), _names(g)))
        for position, group in enumerate(ranked):
            for cls in group:
                merged[position].update(cls.services)
    clashing = set().union(*(set(c.ranges) for c in clashes))
    bystanders = [s for s in host.services if s not in clashing]
    merged[0].update(bystanders)
    # the host's Python stays where it is; its group is the one that keeps the host
    final = sorted(
        (tuple(sorted(g - {HOST_PYTHON})) for g in merged if g - {HOST_PYTHON}),
        key=lambda g: (-len(g), g),
    )
    isolate.discard(HOST_PYTHON)
    return Plan(
        host=host.name,
        groups=tuple(final),
        isolate=tuple(sorted(isolate)),
        method="exact" if exact else "heuristic",
    )


def _names(group: list[_Class]) -> tuple[str, ...]:
    return tuple(sorted(s for c in group for s in c.services))


def recommend(conflict: Conflict, plan: Plan) -> Conflict:
    """Attach the advice for one conflict, consistent with its host's plan."""
    if conflict.kind is Kind.PIN_MISMATCH:
        return conflict
    involved = set(conflict.services)
    move = tuple(s for s in plan.isolate if s in involved)
    if len(plan.isolate) + 1 <= len(plan.groups) and move:
        summary = f"isolate {', '.join(move)}: {conflict.reason}"
        recommendation = Recommendation(Action.ISOLATE, summary, services=move)
    else:
        groups = tuple(
            tuple(s for s in group if s in involved)
            for group in plan.groups
            if involved.intersection(group)
        )
        shown = " | ".join("[" + ", ".join(g) + "]" for g in groups)
        summary = f"split host {conflict.host}: {shown}: {conflict.reason}"
        recommendation = Recommendation(Action.SPLIT, summary, groups=plan.groups)
    return replace(conflict, recommendation=recommendation)
