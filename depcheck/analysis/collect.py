"""Collection: the requirements that apply on one host, grouped by package, then by service.

Markers are decided in the host's environment; `pip -c` constraints narrow only packages a
service installs; a uv override replaces the service's other ranges on its package. Locked pins
(top-level `==V` entries of a lock) are kept apart from constraints: pins are not constraints.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter

from packaging.markers import Marker

from depcheck.analysis.algebra import (
    FULL,
    admits,
    combine_keys,
    intersection,
    is_empty,
    is_version,
)
from depcheck.analysis.rules.python import PYTHON
from depcheck.model import (
    KIND_MARKED,
    KIND_OTHER,
    KIND_PIN,
    KIND_RANGE,
    Host,
    ParsedLine,
    Requirement,
    RequirementRows,
    Role,
    requirement_chunks,
    requirement_columns,
    requirements_on,
)


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
    return _marker_holds(requirement.marker, environment)


def _marker_holds(marker: Marker | None, environment: Mapping[str, str]) -> bool:
    if marker is None:
        return True
    try:
        return bool(marker.evaluate(dict(environment)))
    except Exception:
        return True


def _applies_once(
    requirement: Requirement,
    environment: Mapping[str, str],
    cache: dict[int, tuple[object, bool]],
) -> bool:
    """`applies`, decided once per marker object (sources share one among identical lines)."""
    return _holds_once(requirement.parsed, environment, cache)


def _holds_once(
    line: ParsedLine, environment: Mapping[str, str], cache: dict[int, tuple[object, bool]]
) -> bool:
    """Whether the marker of a parse holds on the host (`applies`), once per marker object."""
    marker = line.marker
    if marker is None:
        return True
    cached = cache.get(id(marker))
    if cached is None or cached[0] is not marker:
        cached = cache[id(marker)] = (marker, _marker_holds(marker, environment))
    return cached[1]


def collect(
    host: Host,
    requirements_by_service: Mapping[str, Sequence[Requirement]],
    *,
    agreeing: bool = True,
) -> dict[str, PackageState]:
    """Group the requirements that apply on `host` by package, then by service.

    `agreeing=False` leaves out packages no rule can find anything in (`agrees`: one locked
    version that every range admits, or ranges that overlap, one a service), decided from the
    distinct lines of the host without a state per package (`_disagreeing`); the states of
    the packages kept are what the full grouping gives them."""
    if agreeing:
        return _collect(host, requirements_by_service, None)
    only = _disagreeing(host, requirements_by_service)
    return _collect(host, requirements_by_service, only) if only else {}


def _collect(
    host: Host,
    requirements_by_service: Mapping[str, Sequence[Requirement]],
    only: set[str] | None,
) -> dict[str, PackageState]:
    """`collect`, for the packages in `only` (every package: None)."""
    environment = host.environment.markers()
    # sources share one Marker object among identical lines: decide each object once
    marker_cache: dict[int, tuple[object, bool]] = {}
    packages: dict[str, PackageState] = defaultdict(PackageState)
    get_state = packages.get
    locked = Role.LOCKED
    for service in host.services:
        every = requirements_by_service.get(service, ())
        if only is not None:
            # (of rows a reader's fast path kept, only those on these packages are made)
            every = requirements_on(every, only)
            if not every:
                continue
        needed: set[str] = set()
        constraint_only: list[Requirement] = []
        for requirement in every:
            # the parse's own fields, read once each (this runs once per line of every file)
            parsed = requirement.parsed
            marker = parsed.marker
            if marker is not None and not _applies_once(requirement, environment, marker_cache):
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
        # (with `only`, every requirement on a package in it is here, so `needed` is exact
        # for the packages these constraints name)
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


_IS_PIN = KIND_PIN.__eq__
_IS_RANGE = KIND_RANGE.__eq__
_MARKED_PIN = KIND_PIN + KIND_MARKED
_NOT_PLAIN = frozenset({KIND_OTHER, _MARKED_PIN, KIND_RANGE + KIND_MARKED}).__contains__
_NAME = attrgetter("name")


def _disagreeing(
    host: Host, requirements_by_service: Mapping[str, Sequence[Requirement]]
) -> set[str]:
    """The packages on `host` that `agrees` may refuse (a superset): those with any requirement
    of `KIND_OTHER`, two ranges from one service, pins at more than one version, a pin some
    range refuses, or ranges that no version satisfies together.

    What decides it is the set of distinct parses of the host's plain pins and of its ranges
    (the lines a monorepo repeats are one parse each), gathered per service at C speed from
    each requirement's parse and `kind`, read as columns (`requirement_columns`: the rows a
    reader's fast path kept make no requirement here); only lines under a marker or of
    `KIND_OTHER` are looked at one by one. `python` is kept whenever a line names it (the
    host's own Python is one more range on it); a host with nothing kept is grouped no
    further."""
    environment = host.environment.markers()
    marker_cache: dict[int, tuple[object, bool]] = {}
    # distinct parses by identity (a `ParsedLine` hashes its marker's text: slow)
    pin_lines: dict[int, ParsedLine] = {}
    range_lines: dict[int, ParsedLine] = {}
    # the pin columns of rows already taken (identical locks share one column: its id holds
    # while the rows live)
    seen_pins: set[int] = set()
    kept: set[str] = set()
    for service in host.services:
        own: list[ParsedLine] = []
        for chunk in requirement_chunks(requirements_by_service.get(service, ())):
            parsed, kinds = requirement_columns(chunk)
            pins, ranges = kinds.count(KIND_PIN), kinds.count(KIND_RANGE)
            if pins == len(kinds):
                if id(parsed) not in seen_pins:
                    pin_lines.update(zip(map(id, parsed), parsed, strict=True))
                    if isinstance(chunk, RequirementRows):
                        seen_pins.add(id(parsed))
                continue
            if pins:
                plain = list(compress(parsed, map(_IS_PIN, kinds)))
                pin_lines.update(zip(map(id, plain), plain, strict=True))
            if ranges == len(kinds):  # a declared file of plain ranges
                own.extend(parsed)
                continue
            if ranges:
                own.extend(compress(parsed, map(_IS_RANGE, kinds)))
            if pins + ranges != len(kinds):
                for line, kind in zip(
                    compress(parsed, map(_NOT_PLAIN, kinds)),
                    filter(_NOT_PLAIN, kinds),
                    strict=True,
                ):
                    if kind == KIND_OTHER:
                        kept.add(line.name)
                        continue
                    if not _holds_once(line, environment, marker_cache):
                        continue
                    if kind == _MARKED_PIN:
                        pin_lines[id(line)] = line
                    else:
                        own.append(line)
        if own:
            names = list(map(_NAME, own))
            if len(set(names)) != len(names):  # a service with two ranges on one package
                kept.update(name for name, count in Counter(names).items() if count > 1)
            range_lines.update(zip(map(id, own), own, strict=True))
    versions: dict[str, set[str]] = {}
    for line in pin_lines.values():
        assert line.pinned is not None  # `KIND_PIN`
        versions.setdefault(line.name, set()).add(line.pinned)
    keys: dict[str, set[str]] = {}
    for line in range_lines.values():
        held = keys.setdefault(line.name, set())
        if line.key != FULL:
            held.add(line.key)
    for name, pinned in versions.items():
        if name in kept:
            continue
        if len(pinned) != 1:
            kept.add(name)
            continue
        (version,) = pinned
        if not is_version(version) or not all(admits(key, version) for key in keys.get(name, ())):
            kept.add(name)
    for name, held in keys.items():
        if held and name not in versions and name not in kept and _no_version(held):
            kept.add(name)
    if PYTHON in versions or PYTHON in keys:
        kept.add(PYTHON)
    return kept


def _no_version(keys: set[str]) -> bool:
    return intersection(frozenset(keys)).is_empty


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
