"""Rule `pin_mismatch`: locks that disagree, or a pin another service excludes, while a shared
version exists (the fix is to align: re-lock on one version every known constraint allows).

A pin its own service's declared range excludes is that service's stale lock (rule `stale_lock`
reports it, and re-locking changes it): services are compared on their other pins, so a stale
lock alone is one finding, not also a pin mismatch.

A range a lock records between packages (botocore 1.34 needs urllib3<1.27) holds only while the
parent stays at that version: when such a range excludes the align version, the parent has to
move too, and the advice names it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from depcheck.analysis.algebra import FULL, admits, combine_keys, intersection, version_key
from depcheck.analysis.collect import PackageState
from depcheck.analysis.evidence import conflict_id, entries, every_pair, pairs_where, pin_of
from depcheck.analysis.rules.stale_lock import stale_versions
from depcheck.graph import DependencyGraph
from depcheck.model import (
    Action,
    Conflict,
    ConflictRequirement,
    Host,
    Kind,
    Pairs,
    ParentMove,
    Recommendation,
)


def pin_mismatch(
    host: Host,
    package: str,
    state: PackageState,
    ranges: Mapping[str, str],
    graph: DependencyGraph,
    *,
    note: str | None = None,
) -> Conflict | None:
    """Locks that disagree, or a pin another service excludes, while a shared version exists."""
    if not state.pins:
        return None
    first = {p.parsed.pinned for records in state.pins.values() for p in records}
    if len(first) == 1:
        # the common case: every lock agrees; a conflict only if some range excludes that pin
        (only,) = first
        if only is None or all(admits(key, only) for key in set(ranges.values())):
            return None
    pins = {
        service: {p.pinned_version for p in records if p.pinned_version}
        for service, records in state.pins.items()
    }
    pins = {service: versions for service, versions in pins.items() if versions}
    if not pins:
        return None
    # a pin its own service's declared range excludes is that service's stale lock (rule
    # stale_lock says so, and re-locking changes it): services are compared on the other pins
    current = {
        service: versions - stale_versions(state.pins[service], state.constraints.get(service, ()))
        for service, versions in pins.items()
    }
    current = {service: versions for service, versions in current.items() if versions}
    if not current:
        return None
    locked_versions = set().union(*current.values())
    # membership in every range, one memoized test per range and version (the intersection
    # itself is only needed to word an align with no version)
    keys = {k for k in ranges.values() if k != FULL}

    def allowed(version: str) -> bool:
        return all(admits(key, version) for key in keys)

    outside = {v for v in locked_versions if not allowed(v)}
    if len(locked_versions) < 2 and not outside:
        return None
    candidates = set(locked_versions)
    for constraints in state.constraints.values():
        for requirement in constraints:
            exact = requirement.pinned_version
            if exact:
                candidates.add(exact)
    fitting = sorted((v for v in candidates if allowed(v)), key=version_key)
    version = fitting[-1] if fitting else None
    moving = _parents_to_move(state, version, graph) if version is not None else ()
    services = sorted(pins)
    unverified = sorted(s for s in services if s not in ranges)
    found: list[ConflictRequirement] = []
    shown_services = sorted(set(services) | {s for s in ranges if outside})
    for service in shown_services:
        found.extend(entries(service, state.pins.get(service, ()), graph, pin_of(state, service)))
        found.extend(
            entries(service, state.constraints.get(service, ()), graph, pin_of(state, service))
        )
    relock = sorted(
        {
            p.path
            for service, records in state.pins.items()
            for p in records
            if p.pinned_version != version
        }
    )
    shown = ", ".join(sorted(set().union(*pins.values()), key=version_key))
    reason = f"locked at {shown}"
    if outside:
        reason += (
            f"; {', '.join(sorted(outside, key=version_key))} outside what other services allow"
        )
    if moving:
        reason += "; " + "; ".join(m.held(package) for m in moving)
    elif note:
        reason += f"; {note}"
    return Conflict(
        id=conflict_id(host.name, package),
        host=host.name,
        package=package,
        display_name=state.display or package,
        kind=Kind.PIN_MISMATCH,
        services=tuple(services),
        requirements=tuple(found),
        # the facts of the align; recommend.advice words it
        recommendation=Recommendation(
            Action.ALIGN,
            version=version,
            relock=tuple(relock),
            parents=tuple(m.parent for m in moving),
            moves=moving,
            allowed=_allowed_text(keys) if version is None else "",
            unverified=tuple(unverified),
        ),
        reason=reason,
        verified=not unverified,
        pairs=_disagreeing_pairs(state, current, shown_services, services),
    )


def _disagreeing_pairs(
    state: PackageState,
    pins: Mapping[str, set[str]],
    shown: Sequence[str],
    services: Sequence[str],
) -> Pairs:
    """The pairs whose pins differ, or where one's pin lies outside the other's range."""
    # a service's class: the versions it pins (none: empty) and its range on the package
    classes = {
        s: (
            frozenset(pins.get(s, ())),
            combine_keys(r.key for r in state.constraints.get(s, ())),
        )
        for s in shown
    }

    def excludes(pinned: frozenset[str], ranged: str) -> bool:
        return any(not admits(ranged, v) for v in pinned)

    def disagree(a: tuple[frozenset[str], str], b: tuple[frozenset[str], str]) -> bool:
        (pins_a, range_a), (pins_b, range_b) = a, b
        return bool(
            (pins_a and pins_b and pins_a != pins_b)
            or excludes(pins_a, range_b)
            or excludes(pins_b, range_a)
        )

    return pairs_where(shown, classes, disagree) or every_pair(services)


def _parents_to_move(
    state: PackageState, version: str, graph: DependencyGraph
) -> tuple[ParentMove, ...]:
    """The parents whose recorded range on this package excludes `version`, sorted by name.

    Only ranges a lock records between packages can exclude the align version (the declared and
    firm ranges chose it), and such a range holds only while its parent stays at that version.
    """
    blocking: dict[str, set[tuple[str | None, str]]] = defaultdict(set)
    admitting: dict[str, set[str]] = defaultdict(set)
    for service, constraints in state.constraints.items():
        for requirement in constraints:
            parent = requirement.parent
            if parent is None:
                continue
            parent_version = graph.pinned(service, parent)
            if admits(requirement.key, version):
                if parent_version is not None:
                    admitting[parent].add(parent_version)
            else:
                blocking[parent].add((parent_version, requirement.key))
    moves = []
    for parent in sorted(blocking):
        held = {v for v, _ in blocking[parent] if v is not None}
        targets = sorted(admitting.get(parent, set()) - held, key=version_key)
        moves.append(
            ParentMove(
                parent,
                tuple(sorted(blocking[parent], key=lambda b: (version_key(b[0] or ""), b[1]))),
                targets[-1] if targets else None,
            )
        )
    return tuple(moves)


def _allowed_text(keys: set[str]) -> str:
    """What every range on the package leaves, as a specifier ("any version" for all)."""
    allowed = intersection(frozenset(keys) or frozenset((FULL,)))
    return str(allowed.to_specifier_set() or "any version")
