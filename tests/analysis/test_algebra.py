"""PEP 440 set algebra: which ranges take part in a clash, checked against brute force."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depcheck.analysis.algebra import FULL, admits, clashing, specifier_range

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


# ranges with holes whose bounds are all among CANDIDATES, so each stretch of versions between
# two bounds holds a candidate and the brute force sees every atom
HOLED_KEYS = [
    ">=1.5",
    "<2.5",
    "!=1.7",
    "!=2.*",
    "==1.*",
    ">=1.0,<3.0",
    "~=1.4",
    "!=2.0,!=2.1",
    "<1.5",
    ">=3",
    "==2.3",
    ">=2,!=2.3",
    "!=1.5.*",
    ">=1.2,!=1.5,<2",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(HOLED_KEYS), min_size=2, max_size=6))
def test_clashing_ranges_with_holes_match_a_brute_force_search(keys: list[str]) -> None:
    # the atoms' search (`_clashing_by_atoms`), its shortcuts for atoms wholly in or out
    assert clashing(keys) == brute_force_clashing(keys)


ADMITS_KEYS = [
    ">=1.2",
    "<2.0",
    "<2.0rc2",
    ">=1.0rc1,<3",
    ">1.0",
    "<=2",
    "~=1.4",
    "~=1.4.2",
    "==1.*",
    "!=1.5.*",
    "==2.1.0",
    "==2.1.0+cpu",
    "!=2.0",
    "===1.0",
    "===foobar",
    "===01.0",
    "==1!1.0",
    ">=1.2,!=1.5,<2",
]
ADMITS_VERSIONS = [
    "1.0",
    "1.0.0",
    "1.0.post1",
    "1.4.dev1",
    "1.5",
    "1.5.3",
    "1.9",
    "2.0rc1",
    "2.0",
    "2.0.post1",
    "2.0+x",
    "2.1.0+cpu",
    "2.1.0+cu121",
    "1!0.5",
    "1!1.0",
    "FooBar",
    "foobar",
    "01.0",
    "not a version",
]


@pytest.mark.parametrize("key", ADMITS_KEYS)
def test_admits_is_membership_in_the_range(key: str) -> None:
    """`admits` asks the specifier set, not the range: both must agree on every version,
    pre-releases, post-releases, local labels, epochs and unparsable text included."""
    for version in ADMITS_VERSIONS:
        assert admits(key, version) == specifier_range(key).contains(version), (key, version)
    assert all(admits(FULL, version) for version in ADMITS_VERSIONS)
