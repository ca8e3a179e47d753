"""Collection: the requirements that apply on one host, grouped by package, then by service.

Markers are decided in the host's environment; `pip -c` constraints narrow only packages a
service installs; a uv override replaces the service's other ranges on its package. Locked pins
(top-level `==V` entries of a lock) are kept apart from constraints: pins are not constraints.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from depcheck.analysis.algebra import FULL, admits, combine_keys, is_empty
from depcheck.model import Host, Requirement, Role


@dataclass(slots=True)
class PackageState:
    """Everything one host knows about one package, per service.

    `keys` and `versions`: every range key and pinned version `collect` put in `constraints`
    and `pins`, gathered while each line is at hand (a later pass over 350,000 requirements
    costs more in memory reads than the lines' own work); a superset once `collect` narrows a
    list, never less than what the lists hold."""

    constraints: dict[str, list[Requirement]] = field(default_factory=lambda: defaultdict(list))
    pins: dict[str, list[Requirement]] = field(default_factory=lambda: defaultdict(list))
    display: str = ""
    keys: set[str] = field(default_factory=set)
    versions: set[str | None] = field(default_factory=set)


def applies(requirement: Requirement, environment: Mapping[str, str]) -> bool:
    """Whether a requirement's marker holds in a host's environment."""
    if requirement.marker is None:
        return True
    try:
        return bool(requirement.marker.evaluate(dict(environment)))
    except Exception:
        return True


def collect(
    host: Host, requirements_by_service: Mapping[str, Sequence[Requirement]]
) -> dict[str, PackageState]:
    """Group the requirements that apply on `host` by package, then by service."""
    environment = host.environment.markers()
    # sources share one Marker object among identical lines: decide each object once
    marker_cache: dict[int, tuple[object, bool]] = {}
    packages: dict[str, PackageState] = defaultdict(PackageState)
    get_state = packages.get
    locked = Role.LOCKED
    for service in host.services:
        needed: set[str] = set()
        constraint_only: list[Requirement] = []
        for requirement in requirements_by_service.get(service, ()):
            # the parse's own fields, read once each (this runs once per line of every file)
            parsed = requirement.parsed
            marker = parsed.marker
            if marker is not None:
                cached = marker_cache.get(id(marker))
                if cached is None or cached[0] is not marker:
                    cached = (marker, applies(requirement, environment))
                    marker_cache[id(marker)] = cached
                if not cached[1]:
                    continue
            if requirement.constraint_only:
                constraint_only.append(requirement)
                continue
            name = parsed.name
            needed.add(name)
            state = get_state(name)
            if state is None:
                state = packages[name] = PackageState(display=parsed.display_name)
            elif not state.display:
                state.display = parsed.display_name
            if requirement.role is locked and requirement.parent is None:
                if parsed.pinned is not None:
                    state.pins[service].append(requirement)
                    state.versions.add(parsed.pinned)
                elif parsed.key != FULL:
                    state.constraints[service].append(requirement)
                    state.keys.add(parsed.key)
            else:
                state.constraints[service].append(requirement)
                state.keys.add(parsed.key)
        # pip -c: a constraint narrows a package only when something installs it
        for requirement in constraint_only:
            if requirement.name in needed:
                state = packages[requirement.name]
                state.constraints[service].append(requirement)
                state.keys.add(requirement.key)
        # uv override-dependencies: the override is the service's only range on its package
        for requirement in constraint_only:
            if requirement.override and requirement.name in needed:
                state = packages[requirement.name]
                state.constraints[service] = [r for r in state.constraints[service] if r.override]
    for state in packages.values():
        for service, pins in state.pins.items():
            if len(pins) > 1 and len({p.pinned_version for p in pins}) > 1:
                state.pins[service] = _narrow_duplicates(pins, state.constraints.get(service, []))
    return packages


def _narrow_duplicates(
    pins: list[Requirement], constraints: list[Requirement]
) -> list[Requirement]:
    """One lock's entries of a package at several versions (an old poetry.lock keeps one per
    Python range, without markers): keep those the service's ranges that hold on this host
    admit (its declared ranges, and the ranges its lock records under markers that hold)."""
    key = combine_keys(r.key for r in constraints) if constraints else FULL
    if key != FULL and is_empty(key):
        return pins
    kept = [p for p in pins if p.pinned_version is not None and admits(key, p.pinned_version)]
    return kept or pins
