"""The plan's graph search: cliques and colourings against brute force, and under a zero budget."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

import pytest

from benchmarks.plan_graphs import mycielski as mycielski_edges
from depcheck.recommend.colouring import (
    Deadline,
    dsatur,
    exact_colouring,
    heuristic_colourings,
    max_clique,
    smallest_last,
)

Graph = list[list[int]]


def random_graph(seed: int, *, size: int | None = None) -> Graph:
    rng = random.Random(seed)
    n = size if size is not None else rng.randint(1, 9)
    density = rng.choice((0.2, 0.5, 0.8))
    graph: Graph = [[] for _ in range(n)]
    for u, v in itertools.combinations(range(n), 2):
        if rng.random() < density:
            graph[u].append(v)
            graph[v].append(u)
    return graph


def mycielski(order: int) -> Graph:
    n, edges = mycielski_edges(order)
    graph: Graph = [[] for _ in range(n)]
    for u, v in edges:
        graph[u].append(v)
        graph[v].append(u)
    return graph


def is_proper(graph: Graph, groups: Sequence[Sequence[int]]) -> bool:
    members = sorted(v for g in groups for v in g)
    if members != list(range(len(graph))):
        return False
    return all(u not in graph[v] for g in groups for u, v in itertools.combinations(g, 2))


def chromatic_number(graph: Graph) -> int:
    n = len(graph)
    for k in range(1, n + 1):
        for colours in itertools.product(range(k), repeat=n):
            if all(colours[u] != colours[v] for u in range(n) for v in graph[u]):
                return k
    return n


def clique_number(graph: Graph) -> int:
    n = len(graph)
    for size in range(n, 0, -1):
        for members in itertools.combinations(range(n), size):
            if all(v in graph[u] for u, v in itertools.combinations(members, 2)):
                return size
    return 0


def plan(graph: Graph, seconds: float) -> tuple[list[list[int]], int, bool]:
    deadline = Deadline(seconds)
    rank = list(range(len(graph)))
    clique, _ = max_clique(graph, deadline)
    best = min(heuristic_colourings(graph, rank, None, deadline), key=len)
    return exact_colouring(
        graph, rank, None, lower=len(clique), best=best, clique=clique, deadline=deadline
    )


@pytest.mark.parametrize("seed", range(40))
def test_colouring_and_clique_are_exact_against_brute_force(seed: int) -> None:
    graph = random_graph(seed)
    clique, proven = max_clique(graph, Deadline(10))
    assert proven
    assert len(clique) == clique_number(graph)
    assert all(v in graph[u] for u, v in itertools.combinations(clique, 2))
    groups, lower, exact = plan(graph, 10)
    assert exact
    assert is_proper(graph, groups)
    assert len(groups) == lower == chromatic_number(graph)


def test_mycielski_graphs_need_more_groups_than_their_largest_clique() -> None:
    # M4 (Grötzsch): 11 vertices, no triangle, 4 colours; the bound is raised past the clique
    graph = mycielski(4)
    assert len(max_clique(graph, Deadline(10))[0]) == 2
    groups, lower, exact = plan(graph, 10)
    assert (len(groups), lower, exact) == (4, 4, True)
    assert is_proper(graph, groups)


@pytest.mark.parametrize("graph", [mycielski(6), random_graph(3, size=120)], ids=["M6", "dense"])
def test_without_budget_the_answer_is_still_a_proper_colouring_with_a_true_bound(
    graph: Graph,
) -> None:
    groups, lower, exact = plan(graph, 0.0)
    assert is_proper(graph, groups)
    assert 1 <= lower <= len(groups)
    if not exact:
        assert lower < len(groups)
    clique, _ = max_clique(graph, Deadline(0.0))
    assert all(v in graph[u] for u, v in itertools.combinations(clique, 2))


def test_heuristics_respect_a_group_refusing_a_member() -> None:
    # no edges, but no group may hold two even vertices: the refusal is honoured
    graph: Graph = [[] for _ in range(6)]

    def fits(group: Sequence[int], v: int) -> bool:
        return v % 2 == 1 or all(u % 2 == 1 for u in group)

    for groups in heuristic_colourings(graph, list(range(6)), fits, Deadline(5)):
        assert all(sum(1 for v in g if v % 2 == 0) <= 1 for g in groups)
        assert sorted(v for g in groups for v in g) == list(range(6))
    assert len(dsatur(graph, list(range(6)), fits)) == 3


def test_smallest_last_is_an_order_of_every_vertex() -> None:
    graph = random_graph(5, size=30)
    assert sorted(smallest_last(graph)) == list(range(30))
