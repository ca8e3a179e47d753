"""Host plans: the fewest groups a host's services split into, and the fewest to isolate.

For a host with incompatibilities we answer two questions exactly (within a time budget):

* **groups**: the fewest conflict-free groups the host's services can be split into (colouring);
* **isolate**: the fewest services whose removal leaves the rest conflict-free (vertex cover).

"Conflict-free" is judged on the constraints themselves, not only on pairs: a group is fine when,
for every clashing package, the ranges of its members still intersect. When every range is an
interval that is the same as "no two members clash" (Helly); ranges with holes can make three
services clash while no two do, and the search handles that too (hyperedges, found lazily).

Services with identical ranges on every clashing package are interchangeable, so the search runs
on those classes (a thousand services sharing one pin are one vertex) and on each connected
component separately. Each host gets `budget` CPU seconds (`--plan-budget`, default 2), shared
out between its components as the search goes; when it runs out (or a component has more than
`EXACT_LIMIT` classes) we keep the best answer found and say the plan is `heuristic`, with the
lower bound on the groups that was proven (the largest clique found, or every k refuted).
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from packaging.ranges import VersionRange
from packaging.version import Version

from depcheck.analysis.algebra import admits, satisfiable, specifier_range
from depcheck.analysis.host import Clash
from depcheck.analysis.rules.python import HOST_PYTHON
from depcheck.model import (
    Host,
    Plan,
    is_version,
)
from depcheck.recommend import PLAN_BUDGET
from depcheck.recommend.colouring import (
    Deadline,
    exact_colouring,
    greedy,
    heuristic_colourings,
    max_clique,
)

#: above this many classes in one component only heuristics run (the searches recurse per class)
EXACT_LIMIT = 400

Signature = tuple[tuple[str, str], ...]


class _OutOfTime(Exception):
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
        # two classes clash when some package's ranges of theirs do not intersect: per package,
        # one check per pair of distinct ranges (not per pair of classes)
        self.edges: dict[int, set[int]] = {c.index: set() for c in self.classes}
        by_range: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for cls in self.classes:
            for package, key in cls.signature.items():
                by_range[package][key].append(cls.index)
        for holders in by_range.values():
            keys = sorted(holders)
            for i, first in enumerate(keys):
                for second in keys[i + 1 :]:
                    if not _disjoint(first, second):
                        continue
                    for a in holders[first]:
                        self.edges[a].update(holders[second])
                    for b in holders[second]:
                        self.edges[b].update(holders[first])
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
        """Connected components of the clash structure, pairwise edges and multi-way clashes.

        A union-find of its own, not `networkx.utils.UnionFind`: importing networkx costs a
        scan about 0.15 s of start-up, and a scan with conflicts plans every host (a JSON scan
        imports no networkx: tests/test_startup.py). Roots are the smallest index, so the
        components come out in the classes' order.
        """
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


#: the clauses whose version is a member of the range they bound (a witness of satisfiability)
_WITNESS_IN_KEY = re.compile(r"(?:^|,)\s*(?:==|<=|>=|~=)\s*([^,;\s*]+)(?=\s*(?:,|$))")


@lru_cache(maxsize=65536)
def _witnesses(key: str) -> tuple[str, ...]:
    return tuple(v for v in _WITNESS_IN_KEY.findall(key) if is_version(v))


def _disjoint(first: str, second: str) -> bool:
    """Whether no version satisfies both ranges: `satisfiable`, after a cheap look for a
    witness. A host of 200 services with 99 `!=` each asks this for 20,000 pairs, and one
    intersection of two ranges with holes costs a hundred membership tests; a version one of
    the two names as a bound (`>=1.4`, `==2.0`) that both admit settles most pairs at once."""
    if "===" not in first and "===" not in second:
        for version in (*_witnesses(first), *_witnesses(second)):
            if admits(first, version) and admits(second, version):
                return False
    return not satisfiable((first, second))


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
        reach = {key: _reach(key, candidates) for key in keys}
        for cls in classes:
            if clash.package in cls.signature:
                ages[cls.index] += reach[cls.signature[clash.package]]
    return ages


def _reach(key: str, candidates: Sequence[Version]) -> int:
    """The index of the highest of the (sorted) candidates that `key` admits, -1 for none.

    Every candidate against every range cost 4 million membership tests on a host of 200
    ranges with 99 `!=` each (30 s). An open range admits the last candidate; for the others a
    binary search finds the last candidate above which the range still holds a version, and
    the walk down from there stops at the first member (a member is in that part, so the
    answer is never above it)."""
    top = len(candidates) - 1
    if admits(key, str(candidates[top])):
        return top
    start = top - 1
    if "===" not in key and start > 0:
        allowed = specifier_range(key)
        low, high = 0, start
        if (allowed & VersionRange.from_bounds(lower=candidates[0])).is_empty:
            return -1
        while low < high:  # the last index whose half-line [candidate, ...) meets the range
            middle = (low + high + 1) // 2
            if (allowed & VersionRange.from_bounds(lower=candidates[middle])).is_empty:
                high = middle - 1
            else:
                low = middle
        start = low
    for index in range(start, -1, -1):
        if admits(key, str(candidates[index])):
            return index
    return -1


def _colour(
    problem: _Problem, component: list[_Class], deadline: Deadline
) -> tuple[list[list[_Class]], int, bool]:
    """Fewest compatible groups for one component; returns (groups, proven lower bound, exact).

    The lower bound is the largest clique of pairwise-clashing classes found within a quarter of
    the time left (each needs a group of its own). Several heuristics give the first answer; when
    it is above the bound, a DSATUR branch and bound (recommend/colouring.py) decides k groups
    for k from the bound upwards until one works (optimal) or the deadline stops it (heuristic).
    """
    local = {c.index: i for i, c in enumerate(component)}
    neighbours = [sorted(local[n] for n in problem.edges[c.index] if n in local) for c in component]
    order = sorted(
        range(len(component)),
        key=lambda i: (-len(neighbours[i]), -component[i].weight, component[i].services),
    )
    rank = [0] * len(component)
    for position, i in enumerate(order):
        rank[i] = position
    fits = None
    if not problem.pairwise:

        def fits(group: Sequence[int], v: int) -> bool:
            return problem.compatible([*(component[i] for i in group), component[v]])

    clique, _ = max_clique(neighbours, Deadline(deadline.remaining() / 4))
    lower = max(1, len(clique))
    candidates = [greedy(neighbours, order, fits)]
    if len(candidates[0]) > lower:
        candidates += heuristic_colourings(neighbours, rank, fits, deadline)
    best = min(candidates, key=len)
    exact = len(best) <= lower
    if not exact and len(component) <= EXACT_LIMIT:
        best, lower, exact = exact_colouring(
            neighbours, rank, fits, lower=lower, best=best, clique=clique, deadline=deadline
        )
    return [[component[i] for i in group] for group in best], lower, exact


def _cover(problem: _Problem, component: list[_Class], deadline: Deadline) -> tuple[set[int], bool]:
    """Smallest total weight of classes whose removal leaves the component compatible."""
    weights = {c.index: c.weight for c in component}
    by_index = {c.index: c for c in component}
    edges: set[frozenset[int]] = {
        frozenset((a, b)) for a in weights for b in problem.edges[a] if b in weights and a < b
    }
    exact = len(component) <= EXACT_LIMIT
    while True:
        chosen, complete = _hitting_set(edges, weights, problem.age, deadline, exhaustive=exact)
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
    deadline: Deadline,
    *,
    exhaustive: bool,
) -> tuple[set[int], bool]:
    """Minimum-weight set meeting every edge; branch on the busiest vertex (in, or out)."""
    greedy = _greedy_hitting_set(edges, weights, age)
    best = (sum(weights[v] for v in greedy), greedy)
    if not exhaustive or deadline.expired():
        return greedy, False
    nodes = 0

    def search(open_edges: frozenset[frozenset[int]], chosen: frozenset[int], cost: int) -> None:
        nonlocal best, nodes
        nodes += 1
        # a node here costs more than reading the clock: check at every one
        if deadline.expired():
            raise _OutOfTime
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
    except _OutOfTime:
        return best[1], False
    return best[1], True


def _greedy_hitting_set(
    edges: set[frozenset[int]], weights: Mapping[int, int], age: Mapping[int, int]
) -> set[int]:
    """Repeatedly take the vertex meeting the most open edges per unit of weight.

    Degrees are kept up to date as edges close (each edge is closed once), not recounted.
    """
    chosen: set[int] = set()
    incident: dict[int, list[frozenset[int]]] = defaultdict(list)
    for edge in edges:
        for v in edge:
            incident[v].append(edge)
    degree = {v: len(e) for v, e in incident.items()}
    closed: set[frozenset[int]] = set()
    while len(closed) < len(edges):
        vertex = min(
            (v for v in degree if degree[v]),
            key=lambda v: (-degree[v] / weights[v], age[v], v),
        )
        chosen.add(vertex)
        for edge in incident[vertex]:
            if edge not in closed:
                closed.add(edge)
                for v in edge:
                    degree[v] -= 1
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


def plan_host(host: Host, clashes: Sequence[Clash], *, budget: float = PLAN_BUDGET) -> Plan:
    """The fewest conflict-free groups and the fewest services to move out, for one host.

    `budget` is in CPU seconds for the whole host; each component gets an even share of what is
    left when its turn comes (half for the groups, the rest for the cover), so components that
    finish early leave their time to the others.
    """
    if not clashes:
        return Plan(host.name, (tuple(sorted(host.services)),), (), "exact", lower_bound=1)
    deadline = Deadline(budget)
    problem = _Problem(clashes)
    colourings: list[list[list[_Class]]] = []
    isolate: set[str] = set()
    exact = True
    lower = 1
    components = problem.components()
    for position, component in enumerate(components):
        started = time.process_time()
        share = deadline.remaining() / (len(components) - position)
        groups, bound, colour_exact = _colour(problem, component, Deadline(share / 2))
        # the cover's time ends where this component's share does
        chosen, cover_exact = _cover(problem, component, Deadline(share, start=started))
        exact = exact and colour_exact and cover_exact
        lower = max(lower, bound)
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
        lower_bound=lower,
    )


def _names(group: list[_Class]) -> tuple[str, ...]:
    return tuple(sorted(s for c in group for s in c.services))
