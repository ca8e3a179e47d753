"""PEP 440 set algebra: which ranges take part in a clash, checked against brute force."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from depcheck.analysis.algebra import clashing

CANDIDATES = [
    f"{major}.{minor}{suffix}"
    for major in range(4)
    for minor in range(10)
    for suffix in ("", "rc1", ".post1", "+cpu")
]


def brute_force_clashing(keys: Sequence[str]) -> set[int]:
    """Membership in minimal unsatisfiable subsets, by enumerating subsets over sample versions."""
    from itertools import combinations

    from packaging.specifiers import SpecifierSet

    admitted = [
        {v for v in CANDIDATES if SpecifierSet(k).contains(v, prereleases=True)} for k in keys
    ]

    def unsat(subset: tuple[int, ...]) -> bool:
        return not set.intersection(*(admitted[i] for i in subset)) if subset else False

    involved: set[int] = set()
    for size in range(1, len(keys) + 1):
        for subset in combinations(range(len(keys)), size):
            if unsat(subset) and all(not unsat(tuple(x for x in subset if x != i)) for i in subset):
                involved.update(subset)
    return involved


@pytest.mark.parametrize(
    "keys",
    [
        ["<2", ">=1.5,<3", ">=2.5", "!=1.7", "==1.7"],
        [">=1.0,<3.0", "!=1.*", "!=2.*", ">=0"],
        ["==1.*", "!=1.5", ">=1.5,<1.6", "<1.5"],
        ["~=1.4", "<1.4", ">=2", "!=2.*", "<3"],
    ],
)
def test_clashing_matches_a_brute_force_search(keys: list[str]) -> None:
    assert clashing(keys) == brute_force_clashing(keys)
