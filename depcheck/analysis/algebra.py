"""PEP 440 set algebra over specifier keys, memoized.

A *key* is the canonical text of a specifier set (`Requirement.key`), `FULL` for any version.
The algebra is `packaging`'s (`SpecifierSet.to_range()`, `VersionRange`): pre-releases, `~=`,
`==1.*`, `!=`, local versions and `===` are its business, not ours. We only memoize it, because a
monorepo repeats the same specifier thousands of times.

Which ranges take part in an incompatibility (`clashing`): each one that belongs to some minimal
set of constraints no version satisfies (DESIGN.md). When every range is one interval (no `!=`,
no `===`), Helly's theorem in one dimension makes those sets pairs, so a pairwise check is exact.
With holes, three ranges can be pairwise compatible and jointly empty (`>=1,<3`, `!=1.*`,
`!=2.*`), so we cut the version line into the atoms the ranges induce and test membership exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from packaging.ranges import VersionRange
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

FULL = "*"  # key of the range that admits every version


@lru_cache(maxsize=65536)
def specifier_range(key: str) -> VersionRange:
    """The set of versions a specifier string admits (memoized)."""
    if key == FULL:
        return VersionRange.full()
    return SpecifierSet(key).to_range()


@lru_cache(maxsize=262144)
def intersection(keys: frozenset[str]) -> VersionRange:
    """The versions every specifier in `keys` admits (memoized by set)."""
    result = VersionRange.full()
    for key in sorted(keys):
        if key != FULL:
            result = result & specifier_range(key)
            if result.is_empty:
                break
    return result


def combine_keys(keys: Iterable[str]) -> str:
    """The canonical key of the conjunction of several specifier keys (see `Requirement.key`)."""
    distinct = frozenset(keys) - {FULL}
    if not distinct:
        return FULL
    if len(distinct) == 1:
        return next(iter(distinct))
    return _combine_distinct(distinct)


@lru_cache(maxsize=65536)
def _combine_distinct(keys: frozenset[str]) -> str:
    return combine(SpecifierSet(k) for k in sorted(keys))


@lru_cache(maxsize=65536)
def _specifier_set(key: str) -> SpecifierSet:
    return SpecifierSet(key)


@lru_cache(maxsize=262144)
def admits(key: str, version: str) -> bool:
    """Whether the versions `key` admits include `version` (memoized).

    Asked of the specifier set, whose membership `packaging` documents to match its range's
    (`specifier_range(key).contains(version)`), at a fraction of the cost of building the range:
    a 1,000-service monorepo asks it of thousands of distinct keys, most of them only this."""
    if key == FULL:
        return True
    parsed = parsed_version(version)
    # `===` compares the text as written, which a parsed version no longer is
    return _specifier_set(key).contains(version if parsed is None or "===" in key else parsed)


@lru_cache(maxsize=65536)
def is_empty(key: str) -> bool:
    """Whether no version satisfies `key` (memoized)."""
    return specifier_range(key).is_empty


def satisfiable(keys: Iterable[str]) -> bool:
    return not intersection(frozenset(keys)).is_empty


def combine(specifiers: Iterable[SpecifierSet]) -> str:
    """One canonical key for the conjunction of several specifier sets."""
    merged = SpecifierSet()
    for spec in specifiers:
        merged &= spec
    text = str(merged)
    return text if text else FULL


def version_key(text: str) -> tuple[int, Version | str]:
    """A sort key for version strings: PEP 440 order, anything unparsable first."""
    try:
        return (1, Version(text))
    except InvalidVersion:
        return (0, text)


def _is_convex(key: str) -> bool:
    return key == FULL or ("!=" not in key and "===" not in key)


def disjoint(a: str, b: str) -> bool:
    """Whether no version satisfies both `a` and `b` (memoized, either order)."""
    return _disjoint(a, b) if a <= b else _disjoint(b, a)


@lru_cache(maxsize=131072)
def _disjoint(a: str, b: str) -> bool:
    # `is_disjoint` answers without building the intersection: on a host of 1,000 services
    # whose ranges disagree on 600 packages, the analysis and the plan ask 130,000 pairs each
    if a == b:
        return is_empty(a)
    return specifier_range(a).is_disjoint(specifier_range(b))


#: the most clauses, over every distinct range with holes (`!=`) on one package of one host, for
#: which the services that take part in a clash are told apart from bystanders exactly
MAX_ATOM_CLAUSES = 1000


@lru_cache(maxsize=65536)
def parsed_version(text: str) -> Version | None:
    """`text` as a PEP 440 version, None if it is none (memoized)."""
    try:
        return Version(text)
    except InvalidVersion:
        return None


def is_version(text: str) -> bool:
    return parsed_version(text) is not None


def clashing(keys: Sequence[str], witnesses: Iterable[str | None] = ()) -> set[int]:
    """Indices of the ranges that belong to some minimal unsatisfiable subset of `keys`.

    `witnesses`: versions to try first (the host's locked versions of the package): one that
    every range admits proves there is no clash without intersecting the ranges."""
    distinct = sorted({k for k in keys if k != FULL})
    if len(distinct) < 2:
        return set()
    for version in set(witnesses):
        if version and is_version(version) and all(admits(k, version) for k in distinct):
            return set()  # the common case: a locked version satisfies everyone
    if not intersection(frozenset(distinct)).is_empty:
        return set()  # one version satisfies everyone
    involved: set[str] = set()
    if all(_is_convex(k) for k in distinct):
        for i, a in enumerate(distinct):
            for b in distinct[i + 1 :]:
                if disjoint(a, b):
                    involved.update((a, b))
    elif sum(k.count(",") + 1 for k in distinct) > MAX_ATOM_CLAUSES:
        # the exact search costs (ranges x atoms), each atom a range with holes: past the
        # budget every range takes part (no bystander is told apart), and the cost stays linear
        involved = set(distinct)
    else:
        involved = _clashing_by_atoms(distinct)
    return {i for i, k in enumerate(keys) if k in involved}


def _clashing_by_atoms(keys: list[str]) -> set[str]:
    """Exact membership in minimal unsatisfiable subsets for ranges with holes.

    The ranges cut the version line into atoms, each with the set of ranges that contain it. A
    range R is in a minimal unsatisfiable subset iff some atom outside R has a member set T such
    that no atom contained by every range of T lies inside R (then T is satisfiable and T + R is
    not, so every unsatisfiable subset of T + R contains R).
    """
    atoms: list[tuple[VersionRange, frozenset[int]]] = [(VersionRange.full(), frozenset())]
    for index, key in enumerate(keys):
        current = specifier_range(key)
        refined: list[tuple[VersionRange, frozenset[int]]] = []
        for atom, members in atoms:
            # most atoms lie wholly outside or inside each range: two cheap tests before
            # the intersection and the difference (a few times dearer each)
            if atom.is_disjoint(current):
                refined.append((atom, members))
                continue
            if atom.is_subset(current):
                refined.append((atom, members | {index}))
                continue
            inside = atom & current
            outside = atom.difference(current)
            if not inside.is_empty:
                refined.append((inside, members | {index}))
            if not outside.is_empty:
                refined.append((outside, members))
        atoms = refined
    member_sets = [members for _, members in atoms]
    involved: set[str] = set()
    for index, key in enumerate(keys):
        for members in member_sets:
            if index in members:
                continue
            if all(index not in other for other in member_sets if members <= other):
                involved.add(key)
                break
    return involved
