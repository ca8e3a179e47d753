"""The service-level conflict graph: which co-hosted services disagree with which, over what.

A conflict lists every service that takes part in it; a diagram or a graph export wants an edge
only between services that actually disagree. For an incompatible package that is each pair
whose constraints share no version (`conflicts.intersection`, i.e. packaging's interval algebra).
A clash that only three or more ranges produce together (``>=1,<3``, ``!=1.*``, ``!=2.*``) has
no such pair, so its services are joined pairwise. For a pin mismatch it is each pair whose pins
differ, or where one service's pin lies outside the other's declared range.

Edges between the same two services on the same host are merged, one label listing every
package: parallel edges would draw as one line anyway.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from depcheck.analysis.algebra import FULL, combine, intersection, specifier_range
from depcheck.model import Conflict, ConflictRequirement, Kind, Role


@dataclass(frozen=True, slots=True, order=True)
class ConflictPackage:
    """One package two services disagree about."""

    package: str
    display_name: str
    kind: Kind
    conflict_id: str


@dataclass(frozen=True, slots=True, order=True)
class ConflictEdge:
    """Two services on one host that cannot share an environment as locked or declared."""

    host: str
    services: tuple[str, str]
    packages: tuple[ConflictPackage, ...]

    @property
    def incompatible(self) -> bool:
        return any(p.kind is Kind.INCOMPATIBLE for p in self.packages)


@dataclass(frozen=True, slots=True)
class ConflictGraph:
    """Nodes are (host, service) pairs that take part in some conflict; edges join disagreements."""

    nodes: tuple[tuple[str, str], ...]
    edges: tuple[ConflictEdge, ...]


def _specifier(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def _range_key(requirements: Iterable[ConflictRequirement]) -> str:
    specifiers = [s for s in (_specifier(r.specifier) for r in requirements) if s is not None]
    return combine(specifiers) if specifiers else FULL


def _pin(requirement: ConflictRequirement) -> str | None:
    """The version of a locked ``==V`` pin (not a wildcard), else None."""
    if requirement.role is not Role.LOCKED:
        return None
    specifier = _specifier(requirement.specifier)
    specs = list(specifier) if specifier is not None else []
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return None


def _admits(key: str, version: str) -> bool:
    # the same test conflicts.py applies to decide that a pin falls outside a range
    return key == FULL or bool(specifier_range(key).contains(version))


def _by_service(conflict: Conflict) -> dict[str, list[ConflictRequirement]]:
    grouped: dict[str, list[ConflictRequirement]] = defaultdict(list)
    for requirement in conflict.requirements:
        grouped[requirement.service].append(requirement)
    return grouped


def participants(conflict: Conflict) -> tuple[str, ...]:
    """The conflict's services and any other service whose constraint it shows, sorted."""
    return tuple(sorted(set(conflict.services) | {r.service for r in conflict.requirements}))


def _incompatible_pairs(conflict: Conflict, services: Sequence[str]) -> list[tuple[str, str]]:
    grouped = _by_service(conflict)
    keys = {s: _range_key(grouped.get(s, ())) for s in services}
    return [
        (a, b)
        for a, b in itertools.combinations(services, 2)
        if intersection(frozenset((keys[a], keys[b]))).is_empty
    ]


def _pin_mismatch_pairs(conflict: Conflict, services: Sequence[str]) -> list[tuple[str, str]]:
    grouped = _by_service(conflict)
    pins: dict[str, set[str]] = {}
    ranges: dict[str, str] = {}
    for service in services:
        requirements = grouped.get(service, [])
        pins[service] = {p for p in (_pin(r) for r in requirements) if p is not None}
        ranges[service] = _range_key(r for r in requirements if _pin(r) is None)

    def excludes(pinned: str, ranged: str) -> bool:
        return any(not _admits(ranges[ranged], v) for v in pins[pinned])

    return [
        (a, b)
        for a, b in itertools.combinations(services, 2)
        if (pins[a] and pins[b] and pins[a] != pins[b]) or excludes(a, b) or excludes(b, a)
    ]


def conflict_pairs(conflict: Conflict) -> tuple[tuple[str, str], ...]:
    """The pairs of services (each pair sorted) that disagree in `conflict`."""
    services = participants(conflict)
    if conflict.kind is Kind.INCOMPATIBLE:
        pairs = _incompatible_pairs(conflict, services)
    else:
        pairs = _pin_mismatch_pairs(conflict, services)
    if not pairs:
        # only the group as a whole clashes: every member against every other
        pairs = list(itertools.combinations(conflict.services, 2))
    return tuple(pairs)


def conflict_graph(conflicts: Iterable[Conflict]) -> ConflictGraph:
    """The conflict graph of `conflicts`, every list sorted."""
    nodes: set[tuple[str, str]] = set()
    merged: dict[tuple[str, str, str], set[ConflictPackage]] = defaultdict(set)
    for conflict in conflicts:
        nodes.update((conflict.host, s) for s in participants(conflict))
        package = ConflictPackage(
            conflict.package, conflict.display_name, conflict.kind, conflict.id
        )
        for a, b in conflict_pairs(conflict):
            merged[(conflict.host, a, b)].add(package)
    edges = tuple(
        ConflictEdge(host, (a, b), tuple(sorted(packages)))
        for (host, a, b), packages in sorted(merged.items())
    )
    return ConflictGraph(nodes=tuple(sorted(nodes)), edges=edges)
