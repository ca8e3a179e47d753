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

import heapq
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from packaging.ranges import VersionRange
from packaging.version import Version

from depcheck.analysis.algebra import (
    admits,
    disjoint,
    intersection,
    satisfiable,
    specifier_range,
)
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
    """The clash structure of one host, on classes of interchangeable services.

    Adjacency is a bitmask per class (`adjacent[i]` has bit j set when classes i and j clash on
    some package): a host of 1,000 services whose ranges disagree on 600 packages has 475,000
    clashing pairs, and a set of each class's neighbours cost more to build than the search.
    """

    def __init__(self, clashes: Sequence[Clash]) -> None:
        signatures: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for clash in clashes:
            for service, key in clash.ranges.items():
                signatures[service].append((clash.package, key))
        by_signature: dict[Signature, list[str]] = defaultdict(list)
        for service in sorted(signatures):
            by_signature[tuple(signatures[service])].append(service)
        self.classes = [
            _Class(i, tuple(services), dict(signature))
            for i, (signature, services) in enumerate(
                sorted(by_signature.items(), key=lambda item: item[1])
            )
        ]
        #: package -> range -> the classes holding it, in index order
        self.holders: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for cls in self.classes:
            for package, key in cls.signature.items():
                self.holders[package][key].append(cls.index)
        # two classes clash when some package's ranges of theirs do not intersect: per package,
        # one check per pair of distinct ranges (not per pair of classes)
        self.adjacent = [0] * len(self.classes)
        for holders in self.holders.values():
            keys = sorted(holders)
            masks = {key: _mask(holders[key]) for key in keys}
            against = dict.fromkeys(keys, 0)
            for i, first in enumerate(keys):
                for second in keys[i + 1 :]:
                    if disjoint(first, second):
                        against[first] |= masks[second]
                        against[second] |= masks[first]
            for key, mask in against.items():
                if mask:
                    for index in holders[key]:
                        self.adjacent[index] |= mask
        self.age = _ages(self.classes, self.holders)
        # with interval ranges only (no `!=`, no `===`), pairwise compatibility is the whole
        # story (Helly): the searches can skip the full check
        self.pairwise = all(
            "!=" not in key and "===" not in key
            for by_key in self.holders.values()
            for key in by_key
        )

    def compatible(self, classes: Iterable[_Class]) -> bool:
        keys: dict[str, set[str]] = defaultdict(set)
        for cls in classes:
            for package, key in cls.signature.items():
                keys[package].add(key)
        return all(len(k) < 2 or satisfiable(k) for k in keys.values())

    def components(self) -> list[list[_Class]]:
        """Connected components of the clash structure, pairwise edges and multi-way clashes.

        Two classes clash only on a package both hold, so classes that hold a clashing package
        in common are joined, and that covers every pairwise edge as well as every clash of three
        or more at a time. A union-find of its own, not `networkx.utils.UnionFind`: importing
        networkx costs a scan about 0.15 s of start-up, and a scan with conflicts plans every
        host (a JSON scan imports no networkx: tests/test_startup.py). Roots are the smallest
        index, so the components come out in the classes' order.
        """
        parent = list(range(len(self.classes)))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(a: int, b: int) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        for by_key in self.holders.values():
            indices = [index for held in by_key.values() for index in held]
            for other in indices[1:]:
                union(indices[0], other)
        groups: dict[int, list[_Class]] = defaultdict(list)
        for cls in self.classes:
            groups[find(cls.index)].append(cls)
        return [groups[root] for root in sorted(groups)]


def _mask(indices: Iterable[int]) -> int:
    mask = 0
    for index in indices:
        mask |= 1 << index
    return mask


def _members(mask: int) -> list[int]:
    """The set bits of `mask`, lowest first (one pass over its binary text, not a shift per bit)."""
    return [i for i, bit in enumerate(reversed(bin(mask))) if bit == "1"]


_VERSION_IN_KEY = re.compile(r"(?:===|==|!=|<=|>=|~=|<|>)\s*([^,;\s*]+)")


def _ages(
    classes: Sequence[_Class], holders: Mapping[str, Mapping[str, Sequence[int]]]
) -> dict[int, int]:
    """How far up each class's ranges reach, summed over its clashing packages (lower: older).

    Between equally small answers the plan moves out the services that hold versions back (the
    `<2.28` or `==2.25` side), so the rest of the host can keep upgrading. `holders` maps each
    clashing package's ranges to the classes that hold them.
    """
    ages = {cls.index: 0 for cls in classes}
    newest = Version("99999")  # beyond any real release: open ranges reach it
    for by_key in holders.values():
        found = {v for key in by_key for v in _VERSION_IN_KEY.findall(key)}
        candidates = [*sorted(Version(v) for v in found if is_version(v)), newest]
        halves = _HalfLines(candidates)
        for key, indices in by_key.items():
            reach = _reach(key, candidates, halves)
            for index in indices:
                ages[index] += reach
    return ages


class _HalfLines:
    """`[candidate, ...)` for each candidate, built when first asked for."""

    __slots__ = ("built", "candidates")

    def __init__(self, candidates: Sequence[Version]) -> None:
        self.candidates = candidates
        self.built: dict[int, VersionRange] = {}

    def __getitem__(self, index: int) -> VersionRange:
        line = self.built.get(index)
        if line is None:
            line = self.built[index] = VersionRange.from_bounds(lower=self.candidates[index])
        return line


def _reach(key: str, candidates: Sequence[Version], halves: _HalfLines | None = None) -> int:
    """The index of the highest of the (sorted) candidates that `key` admits, -1 for none.

    Every candidate against every range cost 4 million membership tests on a host of 200
    ranges with 99 `!=` each (30 s). An open range admits the last candidate; for the others a
    binary search finds the last candidate above which the range still holds a version, and
    the walk down from there stops at the first member (a member is in that part, so the
    answer is never above it)."""
    top = len(candidates) - 1
    if halves is None:
        halves = _HalfLines(candidates)
    if admits(key, str(candidates[top])):
        return top
    start = top - 1
    if "===" not in key and start > 0:
        allowed = specifier_range(key)
        low, high = 0, start
        if allowed.is_disjoint(halves[0]):
            return -1
        while low < high:  # the last index whose half-line [candidate, ...) meets the range
            middle = (low + high + 1) // 2
            if allowed.is_disjoint(halves[middle]):
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
    inside = _mask(local)
    # a component lists its classes in index order, so the local order is the global one
    neighbours = [
        [local[n] for n in _members(problem.adjacent[c.index] & inside)] for c in component
    ]
    order = sorted(
        range(len(component)),
        key=lambda i: (-len(neighbours[i]), -component[i].weight, component[i].services),
    )
    rank = [0] * len(component)
    for position, i in enumerate(order):
        rank[i] = position
    fits = None if problem.pairwise else _Fits(component)
    clique, _ = max_clique(neighbours, Deadline(deadline.remaining() / 4))
    lower = max(1, len(clique))
    started = time.process_time()
    if len(component) > EXACT_LIMIT:
        # only heuristics run here, and on a big component the budget may hold one or two:
        # DSATUR first (on a host of 1,000 or 2,000 services it needs a group or two fewer than
        # a first fit), the others with room for them
        candidates = heuristic_colourings(neighbours, rank, fits, deadline)
        if deadline.remaining() > time.process_time() - started:
            candidates.append(greedy(neighbours, order, fits))
    else:
        # (at most `EXACT_LIMIT` classes: a heuristic costs little beside the search)
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


class _Fits:
    """`fits(group, v)` for ranges with holes: whether class `v` may join a group (by position).

    The searches grow groups one class at a time and, backtracking, shrink them again. For each
    group list handed in (by identity, checked by content) we keep the group's ranges per
    package, with an undo log per member: a group that changed since the last call is undone to
    the part it still shares with what we hold and redone from there. A check is one lookup
    per package of the newcomer and, for a range the group does not hold yet, one intersection
    (memoized); `_Problem.compatible` walked every member's ranges, 0.85 ms a check on a host
    of 1,000 services.
    """

    #: groups followed at once; past it the record starts again (a search holds k groups)
    LIMIT = 4096

    def __init__(self, component: Sequence[_Class]) -> None:
        self.signatures = [tuple(c.signature.items()) for c in component]
        self.followed: dict[int, _Followed] = {}

    def __call__(self, group: Sequence[int], v: int) -> bool:
        held = self._ranges(group)
        for package, key in self.signatures[v]:
            keys = held.get(package)
            if (
                keys is not None
                and key not in keys
                and intersection(keys).is_disjoint(specifier_range(key))
            ):
                return False
        return True

    def _ranges(self, group: Sequence[int]) -> dict[str, frozenset[str]]:
        followed = self.followed.get(id(group))
        if followed is None:
            if len(self.followed) >= self.LIMIT:
                self.followed.clear()
            followed = self.followed[id(group)] = _Followed()
        members = followed.members
        if group != members:
            common = 0
            limit = min(len(group), len(members))
            while common < limit and group[common] == members[common]:
                common += 1
            while len(members) > common:
                followed.pop()
            for v in group[common:]:
                followed.push(v, self.signatures[v])
        return followed.ranges


class _Followed:
    """One group's members and ranges per package, with what each member changed."""

    __slots__ = ("members", "ranges", "undo")

    def __init__(self) -> None:
        self.members: list[int] = []
        self.ranges: dict[str, frozenset[str]] = {}
        self.undo: list[list[tuple[str, frozenset[str] | None]]] = []

    def push(self, v: int, signature: Sequence[tuple[str, str]]) -> None:
        changed: list[tuple[str, frozenset[str] | None]] = []
        ranges = self.ranges
        for package, key in signature:
            keys = ranges.get(package)
            if keys is None:
                ranges[package] = frozenset((key,))
                changed.append((package, None))
            elif key not in keys:
                ranges[package] = keys | {key}
                changed.append((package, keys))
        self.members.append(v)
        self.undo.append(changed)

    def pop(self) -> None:
        self.members.pop()
        ranges = self.ranges
        for package, keys in reversed(self.undo.pop()):
            if keys is None:
                del ranges[package]
            else:
                ranges[package] = keys


def _cover(problem: _Problem, component: list[_Class], deadline: Deadline) -> tuple[set[int], bool]:
    """Smallest total weight of classes whose removal leaves the component compatible.

    The pairwise clashes are the problem's bitmasks; a clash of three or more classes at a time
    (ranges with holes) joins them as an edge of its own when a cover leaves it standing.
    """
    weights = {c.index: c.weight for c in component}
    by_index = {c.index: c for c in component}
    inside = _mask(weights)
    pairs = {index: problem.adjacent[index] & inside for index in weights}
    wider: list[frozenset[int]] = []
    exact = len(component) <= EXACT_LIMIT
    while True:
        chosen, complete = _hitting_set(
            pairs, wider, weights, problem.age, deadline, exhaustive=exact
        )
        exact = exact and complete
        remaining = [by_index[i] for i in sorted(weights) if i not in chosen]
        core = _unsatisfiable_core(problem, remaining)
        if core is None:
            return chosen, exact
        wider.append(frozenset(c.index for c in core))


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
    pairs: Mapping[int, int],
    wider: Sequence[frozenset[int]],
    weights: Mapping[int, int],
    age: Mapping[int, int],
    deadline: Deadline,
    *,
    exhaustive: bool,
) -> tuple[set[int], bool]:
    """Minimum-weight set meeting every edge; branch on the busiest vertex (in, or out).

    The edges are the pairs `pairs` holds (a bitmask of each vertex's neighbours) and `wider`.
    """
    greedy = _greedy_hitting_set(pairs, wider, weights, age)
    best = (sum(weights[v] for v in greedy), greedy)
    if not exhaustive or deadline.expired():
        return greedy, False
    edges = {frozenset((a, b)) for a, mask in pairs.items() for b in _members(mask) if a < b}.union(
        wider
    )
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
    pairs: Mapping[int, int],
    wider: Sequence[frozenset[int]],
    weights: Mapping[int, int],
    age: Mapping[int, int],
) -> set[int]:
    """Repeatedly take the vertex meeting the most open edges per unit of weight.

    Degrees are kept up to date as edges close (each edge is closed once), not recounted, and
    the next vertex comes off a heap: a degree only falls, so an entry that is out of date is
    never above its vertex's true place and is refreshed when it comes to the top (a `min` over
    every vertex per pick was quadratic: 0.7 s on a host of 1,000 services).
    """
    chosen: set[int] = set()
    # an edge is met once however often it is listed (as a pair, or twice among the wider)
    wider = [e for e in dict.fromkeys(wider) if not (len(e) == 2 and _is_pair(pairs, e))]
    open_vertices = _mask(pairs)
    degree = {v: mask.bit_count() for v, mask in pairs.items()}
    open_pairs = sum(degree.values()) // 2
    incident: dict[int, list[int]] = defaultdict(list)
    for position, edge in enumerate(wider):
        for v in edge:
            incident[v].append(position)
            degree[v] = degree.get(v, 0) + 1
    open_wider = set(range(len(wider)))

    def entry(v: int) -> tuple[float, int, int, int]:
        return (-degree[v] / weights[v], age[v], v, degree[v])

    heap = [entry(v) for v in degree if degree[v]]
    heapq.heapify(heap)
    while open_pairs or open_wider:
        *_, vertex, known = heapq.heappop(heap)
        if vertex in chosen:
            continue
        if known != degree[vertex]:
            if degree[vertex]:
                heapq.heappush(heap, entry(vertex))
            continue
        chosen.add(vertex)
        open_vertices &= ~(1 << vertex)
        closing = pairs.get(vertex, 0) & open_vertices
        open_pairs -= closing.bit_count()
        for u in _members(closing):
            degree[u] -= 1
        for position in incident.get(vertex, ()):
            if position in open_wider:
                open_wider.discard(position)
                for u in wider[position]:
                    degree[u] -= 1
        degree[vertex] = 0
    return chosen


def _is_pair(pairs: Mapping[int, int], edge: frozenset[int]) -> bool:
    a, b = edge
    return bool(pairs.get(a, 0) >> b & 1)


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
