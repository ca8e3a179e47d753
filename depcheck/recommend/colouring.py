"""Graph colouring and cliques on small integer graphs, within a CPU-time budget.

This module owns the search behind a host's plan, free of depcheck's types: vertices are
`0..n-1`, `neighbours[v]` lists v's neighbours, and an optional `fits(group, v)` says whether
vertex `v` may join a group beyond the pairwise edges (constraints that clash only three or more
at a time). Everything takes a `Deadline` and returns the best it found together with whether
that answer is proven:

* `max_clique`: the largest set of pairwise-adjacent vertices (branch and bound on bitsets with
  a greedy-colouring bound), a lower bound for any colouring: proven or not, a clique found is a
  valid bound;
* `heuristic_colourings`: DSATUR, largest-first and smallest-last greedy colourings and, for
  graphs big enough to be worth the import, networkx's `greedy_color` strategies (not its
  `independent_set`, cubic on dense graphs);
* `exact_colouring`: for k from the lower bound upwards, a DSATUR branch and bound that decides
  whether k groups suffice. Saturation (how many different groups a vertex's neighbours sit in)
  is kept incrementally, as a colour bitmask per vertex updated on each assignment and undone on
  backtrack, never recomputed per node. Each k refuted raises the proven lower bound; the first k
  that works is optimal.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

Colouring = list[list[int]]
Fits = Callable[[Sequence[int], int], bool]

# how many search nodes between two reads of the clock (a read costs about as much as a node)
_CHECK_EVERY = 64


class Deadline:
    """A CPU-time limit (`time.process_time`), so a busy machine does not shrink the search."""

    __slots__ = ("end",)

    def __init__(self, seconds: float, *, start: float | None = None) -> None:
        self.end = (time.process_time() if start is None else start) + seconds

    def expired(self) -> bool:
        return time.process_time() >= self.end

    def remaining(self) -> float:
        return max(0.0, self.end - time.process_time())


class _OutOfTime(Exception):
    pass


def bitsets(neighbours: Sequence[Sequence[int]]) -> list[int]:
    masks = []
    for adjacent in neighbours:
        mask = 0
        for u in adjacent:
            mask |= 1 << u
        masks.append(mask)
    return masks


def max_clique(neighbours: Sequence[Sequence[int]], deadline: Deadline) -> tuple[list[int], bool]:
    """The largest clique found before the deadline, and whether it is proven maximum."""
    n = len(neighbours)
    if n == 0:
        return [], True
    adjacency = bitsets(neighbours)
    # a greedy clique first: the answer when the search gets no time at all
    best = _greedy_clique(adjacency, sorted(range(n), key=lambda v: -len(neighbours[v])))
    nodes = 0

    def expand(candidates: int, clique: list[int]) -> None:
        nonlocal best, nodes
        nodes += 1
        if nodes % _CHECK_EVERY == 1 and deadline.expired():
            raise _OutOfTime
        order, bounds = _colour_sort(adjacency, candidates)
        for i in range(len(order) - 1, -1, -1):
            if len(clique) + bounds[i] <= len(best):
                return
            v = order[i]
            clique.append(v)
            inside = candidates & adjacency[v]
            if inside:
                expand(inside, clique)
            elif len(clique) > len(best):
                best = list(clique)
            clique.pop()
            candidates &= ~(1 << v)

    try:
        expand((1 << n) - 1, [])
    except _OutOfTime:
        return best, False
    return best, True


def _greedy_clique(adjacency: Sequence[int], order: Sequence[int]) -> list[int]:
    clique: list[int] = []
    candidates = (1 << len(adjacency)) - 1
    for v in order:
        if candidates >> v & 1:
            clique.append(v)
            candidates &= adjacency[v]
    return clique


def _colour_sort(adjacency: Sequence[int], candidates: int) -> tuple[list[int], list[int]]:
    """Vertices of `candidates` in greedy colour classes, each with its class number (a bound)."""
    order: list[int] = []
    bounds: list[int] = []
    colour = 0
    left = candidates
    while left:
        colour += 1
        free = left
        while free:
            low = free & -free
            v = low.bit_length() - 1
            free &= ~adjacency[v] & ~low
            left &= ~low
            order.append(v)
            bounds.append(colour)
    return order, bounds


def greedy(
    neighbours: Sequence[Sequence[int]], order: Sequence[int], fits: Fits | None = None
) -> Colouring:
    """First fit in `order`: each vertex joins the first group it may join."""
    colour = [-1] * len(neighbours)
    groups: Colouring = []
    for v in order:
        taken = {colour[u] for u in neighbours[v]}
        for c, group in enumerate(groups):
            if c not in taken and (fits is None or fits(group, v)):
                group.append(v)
                colour[v] = c
                break
        else:
            colour[v] = len(groups)
            groups.append([v])
    return groups


def dsatur(
    neighbours: Sequence[Sequence[int]], rank: Sequence[int], fits: Fits | None = None
) -> Colouring:
    """Brélaz's DSATUR: colour next the vertex seeing the most groups (ties: lowest rank)."""
    n = len(neighbours)
    colour = [-1] * n
    seen = [0] * n  # bitmask of the groups among each vertex's neighbours
    score = [-r for r in rank]  # saturation * n - rank, kept up to date
    left = set(range(n))
    groups: Colouring = []
    while left:
        v = max(left, key=score.__getitem__)
        left.discard(v)
        c = 0
        while seen[v] >> c & 1 or (c < len(groups) and fits is not None and not fits(groups[c], v)):
            c += 1
        if c == len(groups):
            groups.append([])
        groups[c].append(v)
        colour[v] = c
        bit = 1 << c
        for u in neighbours[v]:
            if colour[u] < 0 and not seen[u] & bit:
                seen[u] |= bit
                score[u] += n
    return groups


def smallest_last(neighbours: Sequence[Sequence[int]]) -> list[int]:
    """The smallest-last (degeneracy) order: repeatedly remove a vertex of least degree."""
    n = len(neighbours)
    degree = [len(a) for a in neighbours]
    buckets: list[set[int]] = [set() for _ in range(n + 1)]
    for v, d in enumerate(degree):
        buckets[d].add(v)
    removed = [False] * n
    order: list[int] = []
    low = 0
    for _ in range(n):
        low = max(0, low - 1)
        while not buckets[low]:
            low += 1
        v = min(buckets[low])
        buckets[low].discard(v)
        removed[v] = True
        order.append(v)
        for u in neighbours[v]:
            if not removed[u]:
                buckets[degree[u]].discard(u)
                degree[u] -= 1
                buckets[degree[u]].add(u)
    order.reverse()
    return order


# below this many vertices our own heuristics are as good and networkx is not worth importing
NETWORKX_FROM = 24
_NX_STRATEGIES = (
    "largest_first",
    "smallest_last",
    "connected_sequential_bfs",
    "saturation_largest_first",
)


def heuristic_colourings(
    neighbours: Sequence[Sequence[int]],
    rank: Sequence[int],
    fits: Fits | None,
    deadline: Deadline,
) -> list[Colouring]:
    """Several heuristic colourings (each proper, each respecting `fits`), cheapest first: DSATUR,
    then each other only when the deadline leaves room for it."""
    n = len(neighbours)
    started = time.process_time()
    found = [dsatur(neighbours, rank, fits)]
    took = time.process_time() - started
    # one networkx call cannot be interrupted: start one only with room for several DSATURs
    room = 4 * took
    if deadline.remaining() <= took:  # a first fit costs about what DSATUR did
        return found
    by_degree = sorted(range(n), key=lambda v: (-len(neighbours[v]), rank[v]))
    found.append(greedy(neighbours, by_degree, fits))
    if deadline.remaining() <= room:
        return found
    found.append(greedy(neighbours, smallest_last(neighbours), fits))
    if n >= NETWORKX_FROM and deadline.remaining() > room:
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(range(n))
        graph.add_edges_from((v, u) for v in range(n) for u in neighbours[v] if v < u)
        for strategy in _NX_STRATEGIES:
            if deadline.remaining() <= room:
                break
            colours: dict[int, int] = nx.greedy_color(graph, strategy=strategy)
            found.append(_repair(neighbours, colours, fits))
    return found


def _repair(
    neighbours: Sequence[Sequence[int]], colours: dict[int, int], fits: Fits | None
) -> Colouring:
    """networkx's colouring as groups; with `fits`, members a group refuses are re-placed."""
    classes: dict[int, list[int]] = {}
    for v in sorted(colours, key=lambda v: (colours[v], v)):
        classes.setdefault(colours[v], []).append(v)
    if fits is None:
        return list(classes.values())
    order = [v for c in sorted(classes) for v in classes[c]]
    return greedy(neighbours, order, fits)


def exact_colouring(
    neighbours: Sequence[Sequence[int]],
    rank: Sequence[int],
    fits: Fits | None,
    *,
    lower: int,
    best: Colouring,
    clique: Sequence[int],
    deadline: Deadline,
) -> tuple[Colouring, int, bool]:
    """Raise the lower bound k by k until k groups suffice; returns (groups, lower bound, exact).

    `best` is the best colouring known, `clique` a clique of `lower` vertices (coloured first,
    one group each: any colouring can be renamed so they are).
    """
    n = len(neighbours)
    k = max(lower, 1)
    while k < len(best):
        try:
            found = _colourable(neighbours, rank, fits, k, clique, deadline)
        except _OutOfTime:
            return best, k, False
        if found is not None:
            return found, k, True
        k += 1
    return best, len(best) if n else 0, True


def _colourable(
    neighbours: Sequence[Sequence[int]],
    rank: Sequence[int],
    fits: Fits | None,
    k: int,
    clique: Sequence[int],
    deadline: Deadline,
) -> Colouring | None:
    """A colouring with at most k groups, or None when there is none (DSATUR branch and bound)."""
    n = len(neighbours)
    colour = [-1] * n
    seen = [0] * n  # groups among each vertex's coloured neighbours, as a bitmask
    saturation = [0] * n
    # next vertex: most saturated, then most neighbours, then the caller's rank
    score = [len(neighbours[v]) * n - rank[v] for v in range(n)]
    weight = n * n
    groups: Colouring = []
    left = set(range(n))
    nodes = 0

    def assign(v: int, c: int) -> list[int]:
        colour[v] = c
        groups[c].append(v)
        left.discard(v)
        bit = 1 << c
        changed = []
        for u in neighbours[v]:
            if colour[u] < 0 and not seen[u] & bit:
                seen[u] |= bit
                saturation[u] += 1
                score[u] += weight
                changed.append(u)
        return changed

    def unassign(v: int, c: int, changed: list[int]) -> None:
        bit = ~(1 << c)
        for u in changed:
            seen[u] &= bit
            saturation[u] -= 1
            score[u] -= weight
        groups[c].pop()
        colour[v] = -1
        left.add(v)

    def search() -> bool:
        nonlocal nodes
        nodes += 1
        if nodes % _CHECK_EVERY == 1 and deadline.expired():
            raise _OutOfTime
        if not left:
            return True
        v = max(left, key=score.__getitem__)
        if saturation[v] >= k:
            return False
        mask = seen[v]
        for c in range(min(len(groups) + 1, k)):
            if mask >> c & 1:
                continue
            if c == len(groups):
                groups.append([])
            elif fits is not None and not fits(groups[c], v):
                continue
            changed = assign(v, c)
            if search():
                return True
            unassign(v, c, changed)
            if not groups[c]:
                groups.pop()
        return False

    for c, v in enumerate(clique[:k]):
        groups.append([])
        assign(v, c)
    if len(clique) > k:
        return None
    return [list(g) for g in groups] if search() else None
