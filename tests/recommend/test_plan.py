"""Host plans (fewest groups, fewest services to move out) and per-conflict advice."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Mapping, Sequence

import pytest

from benchmarks.plan_graphs import mycielski
from depcheck.analysis.host import analyse_host
from depcheck.graph import DependencyGraph
from depcheck.model import Action, Host, Kind, Plan, Requirement
from depcheck.recommend.advice import advise, describe
from depcheck.recommend.plan import plan_host
from tests.analysis.test_host import PY311, req


def host_of(requirements: Mapping[str, Sequence[Requirement]], name: str = "web") -> Host:
    return Host(name, tuple(sorted(requirements)), PY311)


def plan_for(requirements: Mapping[str, Sequence[Requirement]], **kwargs: float):  # type: ignore[no-untyped-def]
    host = host_of(requirements)
    analysis = analyse_host(host, requirements, DependencyGraph.build({}))
    plan = plan_host(host, analysis.clashes, **kwargs)
    return plan, [advise(c, plan) for c in analysis.conflicts]


def incompatible_services(
    requirements: Mapping[str, Sequence[Requirement]], members: Sequence[str]
) -> bool:
    subset = {s: requirements[s] for s in members}
    host = host_of(subset)
    conflicts = analyse_host(host, subset, DependencyGraph.build({})).conflicts
    return any(c.kind is Kind.INCOMPATIBLE for c in conflicts)


def assert_valid(plan: Plan, requirements: Mapping[str, Sequence[Requirement]]) -> None:
    assert sorted(s for g in plan.groups for s in g) == sorted(requirements)
    for group in plan.groups:
        assert not incompatible_services(requirements, group), group
    rest = [s for s in requirements if s not in plan.isolate]
    assert not incompatible_services(requirements, rest)


def test_one_service_against_the_rest_is_isolated() -> None:
    requirements = {
        "api": [req("requests==2.31.0")],
        "auth": [req("requests>=2.31")],
        "billing": [req("requests>=2.20,<2.28")],
        "search": [req("requests")],
    }
    plan, (conflict,) = plan_for(requirements)
    assert plan.groups == (("api", "auth", "search"), ("billing",))
    assert plan.isolate == ("billing",)
    assert plan.method == "exact"
    assert conflict.recommendation.action is Action.ISOLATE
    assert conflict.recommendation.services == ("billing",)
    assert describe(conflict) == "move out billing"


def test_two_camps_are_split_not_isolated() -> None:
    requirements = {
        "a": [req("numpy<2")],
        "b": [req("numpy<2")],
        "c": [req("numpy>=2")],
        "d": [req("numpy>=2")],
    }
    plan, (conflict,) = plan_for(requirements)
    assert plan.groups == (("a", "b"), ("c", "d"))
    assert len(plan.isolate) == 2
    assert conflict.recommendation.action is Action.SPLIT
    assert conflict.recommendation.groups == (("a", "b"), ("c", "d"))
    assert describe(conflict) == "split host web into 2 groups: [a and b] | [c and d]"


def test_a_triangle_needs_three_groups_or_two_services_moved() -> None:
    requirements = {
        "a": [req("p==1"), req("r==1")],
        "b": [req("p==2"), req("q==1")],
        "c": [req("q==2"), req("r==2")],
    }
    plan, conflicts = plan_for(requirements)
    assert len(plan.groups) == 3
    assert len(plan.isolate) == 2
    assert {c.recommendation.action for c in conflicts} == {Action.ISOLATE}
    assert_valid(plan, requirements)


def test_three_services_that_clash_only_together() -> None:
    requirements = {
        "a": [req("p>=1.0,<3.0")],
        "b": [req("p!=1.*")],
        "c": [req("p!=2.*")],
    }
    plan, (conflict,) = plan_for(requirements)
    assert conflict.services == ("a", "b", "c")
    assert len(plan.groups) == 2
    assert len(plan.isolate) == 1
    assert_valid(plan, requirements)


def test_independent_clashes_share_the_groups() -> None:
    requirements = {
        "a": [req("p==1")],
        "b": [req("p==2")],
        "c": [req("q==1")],
        "d": [req("q==2")],
        "e": [req("r")],
    }
    plan, _ = plan_for(requirements)
    assert len(plan.groups) == 2
    assert len(plan.isolate) == 2
    assert "e" in plan.groups[0]
    assert_valid(plan, requirements)


def test_interchangeable_services_are_planned_as_one() -> None:
    requirements = {f"svc{i:03}": [req("django==4.2")] for i in range(300)}
    requirements["legacy"] = [req("django<4")]
    plan, (conflict,) = plan_for(requirements)
    assert plan.isolate == ("legacy",)
    assert len(plan.groups) == 2
    assert plan.method == "exact"
    assert len(conflict.services) == 301


def partitions(items: list[str]) -> Iterator[list[list[str]]]:
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in partitions(rest):
        for index in range(len(partition)):
            yield [*partition[:index], [first, *partition[index]], *partition[index + 1 :]]
        yield [[first], *partition]


def random_requirements(seed: int) -> dict[str, list[Requirement]]:
    rng = random.Random(seed)
    specs = ["==1", "==2", "==3", "<2", ">=2", ">=1.5,<2.5", "!=2", ""]
    services = [f"s{i}" for i in range(rng.randint(3, 7))]
    return {
        s: [req(f"{p}{rng.choice(specs)}") for p in ("p", "q", "r") if rng.random() < 0.7]
        for s in services
    }


@pytest.mark.parametrize("seed", range(25))
def test_plans_are_optimal_against_brute_force(seed: int) -> None:
    requirements = random_requirements(seed)
    plan, _ = plan_for(requirements)
    assert_valid(plan, requirements)
    names = sorted(requirements)
    fewest = min(
        len(p)
        for p in partitions(names)
        if all(not incompatible_services(requirements, g) for g in p)
    )
    smallest = min(
        size
        for size in range(len(names) + 1)
        for removed in itertools.combinations(names, size)
        if not incompatible_services(requirements, [n for n in names if n not in removed])
    )
    assert len(plan.groups) == fewest == plan.lower_bound
    assert len(plan.isolate) == smallest
    assert plan.method == "exact"


def star_requirements(n: int, edges: Sequence[tuple[int, int]]) -> dict[str, list[Requirement]]:
    """Services that clash exactly along `edges`: u pins star-u==1, each later neighbour ==2."""
    requirements = {f"s{u:02}": [req(f"star-{u}==1")] for u in range(n)}
    for u, v in edges:
        requirements[f"s{max(u, v):02}"].append(req(f"star-{min(u, v)}==2"))
    return requirements


def test_a_search_that_runs_out_of_budget_says_heuristic_and_what_it_proved() -> None:
    # Mycielski M5: 23 services, no three clash pairwise, yet five groups are needed
    requirements = star_requirements(*mycielski(5))
    plan, _ = plan_for(requirements, budget=0.0)
    assert plan.method == "heuristic"
    assert_valid(plan, requirements)
    assert 2 <= plan.lower_bound < len(plan.groups)
    exact, _ = plan_for(requirements, budget=30.0)
    assert exact.method == "exact"
    assert len(exact.groups) == exact.lower_bound == 5
    assert_valid(exact, requirements)
    assert len(exact.isolate) <= len(plan.isolate)


def test_a_hostile_host_gets_a_valid_plan_within_its_budget() -> None:
    # dense random clashes between 80 services: the search stops at its budget
    rng = random.Random(3)
    edges = [(u, v) for u, v in itertools.combinations(range(80), 2) if rng.random() < 0.6]
    requirements = star_requirements(80, edges)
    plan, _ = plan_for(requirements, budget=0.2)
    assert_valid(plan, requirements)
    assert 1 <= plan.lower_bound <= len(plan.groups)
    if plan.method == "exact":
        assert plan.lower_bound == len(plan.groups)


@pytest.mark.parametrize("seed", range(12))
def test_plans_on_small_clash_graphs_match_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(2, 7)
    edges = [(u, v) for u, v in itertools.combinations(range(n), 2) if rng.random() < 0.5]
    requirements = star_requirements(n, edges)
    plan, _ = plan_for(requirements)
    assert_valid(plan, requirements)
    adjacent = set(edges) | {(v, u) for u, v in edges}
    fewest = min(
        len(p)
        for p in partitions(list(range(n)))
        if all((u, v) not in adjacent for g in p for u, v in itertools.combinations(g, 2))
    )
    assert len(plan.groups) == plan.lower_bound == fewest
    assert plan.method == "exact"


@pytest.mark.parametrize(
    ("old", "new"),
    [("alpha", "beta"), ("beta", "alpha")],
)
def test_between_equal_answers_the_service_holding_versions_back_moves_out(
    old: str, new: str
) -> None:
    requirements = {old: [req("requests==2.25.1")], new: [req("requests>=2.31")]}
    plan, (conflict,) = plan_for(requirements)
    assert plan.isolate == (old,)
    assert conflict.recommendation.services == (old,)
    upper = {old: [req("urllib3<2")], new: [req("urllib3>=2.0.7")]}
    plan, _ = plan_for(upper)
    assert plan.isolate == (old,)
