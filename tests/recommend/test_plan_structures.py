"""The plan's data structures against the plain definitions they replace.

`_Problem` keeps each class's clashing neighbours as a bitmask and joins components by the
packages classes share; `_Fits` answers "may this class join that group" from a record of the
group's ranges kept up to date as the search grows and shrinks groups; `_greedy_hitting_set`
takes its next vertex off a heap. Each must give exactly what the definition gives: every pair
intersected, every member's ranges walked, a `min` over every vertex per pick.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from depcheck.analysis.algebra import satisfiable
from depcheck.analysis.host import Clash
from depcheck.recommend.plan import _Fits, _greedy_hitting_set, _members, _Problem
from tests.recommend.test_plan_exclusions import keys

PACKAGES = ["alpha", "beta", "gamma"]


@st.composite
def clash_sets(draw: st.DrawFn) -> list[Clash]:
    services = [f"s{i}" for i in range(draw(st.integers(2, 9)))]
    clashes = []
    for package in draw(st.lists(st.sampled_from(PACKAGES), min_size=1, unique=True)):
        holders = draw(st.lists(st.sampled_from(services), min_size=1, unique=True))
        clashes.append(Clash(package, {s: draw(keys) for s in holders}))
    return clashes


@settings(max_examples=200, deadline=None)
@given(clash_sets())
def test_the_problem_is_the_plain_clash_structure(clashes: list[Clash]) -> None:
    problem = _Problem(clashes)
    classes = problem.classes
    for a in classes:
        # two different ranges that share no version (the same range twice is no clash between
        # the two: a range nothing satisfies is its own service's contradiction)
        plain = [
            b.index
            for b in classes
            if any(
                b.signature.get(p, k) != k and not satisfiable((k, b.signature[p]))
                for p, k in a.signature.items()
            )
        ]
        assert _members(problem.adjacent[a.index]) == plain
    # components: classes are joined by a package they both hold
    seen: dict[int, int] = {}
    for number, component in enumerate(problem.components()):
        for cls in component:
            seen[cls.index] = number
    for a in classes:
        for b in classes:
            if set(a.signature) & set(b.signature):
                assert seen[a.index] == seen[b.index]
    assert sorted(seen) == [c.index for c in classes]
    services = sorted({s for clash in clashes for s in clash.ranges})
    assert sorted(s for c in classes for s in c.services) == services


@settings(max_examples=300, deadline=None)
@given(clash_sets(), st.data())
def test_fits_follows_groups_as_they_grow_and_shrink(
    clashes: list[Clash], data: st.DataObject
) -> None:
    problem = _Problem(clashes)
    component = problem.classes
    fits = _Fits(component)
    groups: list[list[int]] = [[], []]
    for _ in range(data.draw(st.integers(1, 30))):
        group = groups[data.draw(st.integers(0, 1))]
        action = data.draw(st.sampled_from(["grow", "grow", "shrink", "change"]))
        if action == "shrink" and group:
            group.pop()
        elif action == "change" and group:
            # a change in the middle, as a reused list or a renamed group would look
            group[data.draw(st.integers(0, len(group) - 1))] = data.draw(
                st.integers(0, len(component) - 1)
            )
        elif action == "grow":
            v = data.draw(st.integers(0, len(component) - 1))
            if problem.compatible([*(component[i] for i in group), component[v]]):
                group.append(v)
        if problem.compatible(component[i] for i in group):
            for v in range(len(component)):
                plain = problem.compatible([*(component[i] for i in group), component[v]])
                assert fits(group, v) == plain


def plain_greedy(
    edges: Sequence[frozenset[int]], weights: Mapping[int, int], age: Mapping[int, int]
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


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_greedy_cover_takes_the_plain_greedy_choices(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 12))
    vertex = st.integers(0, n - 1)
    pairs_drawn = data.draw(st.lists(st.tuples(vertex, vertex).filter(lambda p: p[0] != p[1])))
    wider = data.draw(st.lists(st.frozensets(vertex, min_size=1, max_size=4), max_size=4))
    weights = {v: data.draw(st.integers(1, 4)) for v in range(n)}
    age = {v: data.draw(st.integers(0, 3)) for v in range(n)}
    pairs = dict.fromkeys(range(n), 0)
    for a, b in pairs_drawn:
        pairs[a] |= 1 << b
        pairs[b] |= 1 << a
    edges = {frozenset((a, b)) for a, b in pairs_drawn} | set(wider)
    chosen = _greedy_hitting_set(pairs, wider, weights, age)
    assert chosen == plain_greedy(sorted(edges, key=sorted), weights, age)
    assert all(edge & chosen for edge in edges)


def test_members_are_the_set_bits_lowest_first() -> None:
    assert _members(0) == []
    assert _members(0b101001) == [0, 3, 5]
    assert _members(1 << 1000 | 1) == [0, 1000]
