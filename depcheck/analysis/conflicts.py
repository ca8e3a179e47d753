"""Per (host, package) satisfiability: which co-hosted services cannot share a version.

The question for each package on each host is whether one version satisfies every *known
constraint* (what people declared, and the ranges lock files record between packages). Locked
pins are not constraints: two locks pinning different versions inside ranges that overlap are a
`pin-mismatch` (re-lock to align), not an incompatibility.

PEP 440 set algebra is `packaging`'s (`SpecifierSet.to_range()`, `VersionRange`): pre-releases,
`~=`, `==1.*`, `!=`, local versions and `===` are its business, not ours. We only memoize it,
because a monorepo repeats the same specifier thousands of times.

Which services take part in an incompatibility: each one that belongs to some minimal set of
constraints no version satisfies (DESIGN.md). When every range is one interval (no `!=`, no
`===`), Helly's theorem in one dimension makes those sets pairs, so a pairwise check is exact.
With holes, three ranges can be pairwise compatible and jointly empty (`>=1,<3`, `!=1.*`,
`!=2.*`), so we cut the version line into the atoms the ranges induce and test membership exactly.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from packaging.ranges import VersionRange
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from depcheck.graph import DependencyGraph
from depcheck.model import (
    Action,
    Conflict,
    ConflictRequirement,
    Diagnostic,
    Host,
    Kind,
    Recommendation,
    Requirement,
    Role,
    Severity,
)

FULL = "*"  # key of the range that admits every version
PYTHON = "python"  # the package name under which requires-python constraints are checked
HOST_PYTHON = "@host-python"  # the pseudo-service standing for a host's configured Python


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


@lru_cache(maxsize=262144)
def admits(key: str, version: str) -> bool:
    """Whether the versions `key` admits include `version` (memoized)."""
    return key == FULL or specifier_range(key).contains(version)


@lru_cache(maxsize=65536)
def _empty(key: str) -> bool:
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


def _is_convex(key: str) -> bool:
    return key == FULL or ("!=" not in key and "===" not in key)


@lru_cache(maxsize=65536)
def _disjoint(a: str, b: str) -> bool:
    return intersection(frozenset((a, b))).is_empty


#: the most clauses, over every distinct range with holes (`!=`) on one package of one host, for
#: which the services that take part in a clash are told apart from bystanders exactly
MAX_ATOM_CLAUSES = 1000


def clashing(keys: Sequence[str]) -> set[int]:
    """Indices of the ranges that belong to some minimal unsatisfiable subset of `keys`."""
    distinct = sorted({k for k in keys if k != FULL})
    if len(distinct) < 2 or not intersection(frozenset(distinct)).is_empty:
        return set()  # the common case: one version satisfies everyone
    involved: set[str] = set()
    if all(_is_convex(k) for k in distinct):
        for i, a in enumerate(distinct):
            for b in distinct[i + 1 :]:
                if _disjoint(a, b):
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


@dataclass(slots=True)
class PackageState:
    """Everything one host knows about one package, per service."""

    constraints: dict[str, list[Requirement]] = field(default_factory=lambda: defaultdict(list))
    pins: dict[str, list[Requirement]] = field(default_factory=lambda: defaultdict(list))
    display: str = ""


@dataclass(frozen=True, slots=True)
class Clash:
    """An incompatible package on a host: each service's combined range (for planning)."""

    package: str
    ranges: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class HostAnalysis:
    host: Host
    conflicts: tuple[Conflict, ...]
    clashes: tuple[Clash, ...]
    diagnostics: tuple[Diagnostic, ...]


def conflict_id(host: str, package: str, services: Sequence[str]) -> str:
    """A stable fingerprint of a conflict, so baselines match it across runs."""
    digest = hashlib.sha256("\0".join((host, package, *services)).encode()).hexdigest()
    return digest[:16]


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
    for service in host.services:
        needed: set[str] = set()
        constraint_only: list[Requirement] = []
        for requirement in requirements_by_service.get(service, ()):
            marker = requirement.marker
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
            needed.add(requirement.name)
            state = packages[requirement.name]
            if not state.display:
                state.display = requirement.display_name
            if requirement.role is Role.LOCKED and requirement.parent is None:
                if requirement.pinned_version is not None:
                    state.pins[service].append(requirement)
                elif requirement.key != FULL:
                    state.constraints[service].append(requirement)
            else:
                state.constraints[service].append(requirement)
        # pip -c: a constraint narrows a package only when something installs it
        for requirement in constraint_only:
            if requirement.name in needed:
                packages[requirement.name].constraints[service].append(requirement)
        # uv override-dependencies: the override is the service's only range on its package
        for requirement in constraint_only:
            if requirement.override and requirement.name in needed:
                state = packages[requirement.name]
                state.constraints[service] = [r for r in state.constraints[service] if r.override]
    for state in packages.values():
        for service, pins in state.pins.items():
            if len({p.pinned_version for p in pins}) > 1:
                state.pins[service] = _narrow_duplicates(pins, state.constraints.get(service, []))
    return packages


def _narrow_duplicates(
    pins: list[Requirement], constraints: list[Requirement]
) -> list[Requirement]:
    """One lock's entries of a package at several versions (an old poetry.lock keeps one per
    Python range, without markers): keep those the service's ranges that hold on this host
    admit (its declared ranges, and the ranges its lock records under markers that hold)."""
    key = combine_keys(r.key for r in constraints) if constraints else FULL
    if key != FULL and _empty(key):
        return pins
    kept = [p for p in pins if p.pinned_version is not None and admits(key, p.pinned_version)]
    return kept or pins


def analyse_host(
    host: Host,
    requirements_by_service: Mapping[str, Sequence[Requirement]],
    graph: DependencyGraph,
) -> HostAnalysis:
    """Find every conflict on one host; report services that contradict themselves."""
    conflicts: list[Conflict] = []
    clashes: list[Clash] = []
    diagnostics: list[Diagnostic] = []
    packages = collect(host, requirements_by_service)
    # A range a lock records between packages (botocore 1.34 needs urllib3<1.27) holds only as
    # long as the parent stays at that version. Where services lock the parent at different
    # versions, aligning the parent changes the range: such ranges are not firm.
    locked_versions: dict[str, set[str | None]] = {}

    def firm(requirement: Requirement) -> bool:
        parent = requirement.parent
        if parent is None:
            return True
        if parent not in locked_versions:
            state = packages.get(parent)
            locked_versions[parent] = (
                {p.pinned_version for pins in state.pins.values() for p in pins} if state else set()
            )
        return len(locked_versions[parent]) < 2

    for package in sorted(packages):
        state = packages[package]
        ranges: dict[str, str] = {}
        every: dict[str, str] = {}
        for service, constraints in list(state.constraints.items()):
            key = (
                constraints[0].key
                if len(constraints) == 1
                else combine_keys(r.key for r in constraints)
            )
            if key != FULL and _empty(key):
                declared = [r for r in constraints if r.role is Role.DECLARED]
                if intersection(frozenset((combine_keys(r.key for r in declared),))).is_empty:
                    diagnostics.append(
                        _self_contradiction(service, package, declared or constraints)
                    )
                    continue
                # what the lock implies contradicts what was declared: the lock is stale
                diagnostics.append(_stale_lock(service, package, declared, constraints))
                constraints = declared
                state.constraints[service] = declared
                key = combine_keys(r.key for r in constraints)
            every[service] = key
            if all(r.parent is None for r in constraints):
                ranges[service] = key
            else:
                ranges[service] = combine_keys(r.key for r in constraints if firm(r))
        if package == PYTHON and host.environment.python_configured and ranges:
            # a stated host Python is a constraint no service can move: check against it too
            ranges[HOST_PYTHON] = f"=={host.environment.python_full_version}"
        services = sorted(ranges)
        keys = [ranges[s] for s in services]
        members = sorted(services[i] for i in clashing(keys))
        involved = [s for s in members if s != HOST_PYTHON]
        if involved:
            clashes.append(Clash(package, {s: ranges[s] for s in members}))
            conflicts.append(_incompatible(host, package, state, involved, ranges, graph))
            continue
        contingent = sorted(
            {r.parent for cs in state.constraints.values() for r in cs if not firm(r) and r.parent}
        )
        note = None
        if contingent and clashing([every[s] for s in sorted(every)]):
            note = (
                "the locked ranges clash only through "
                + ", ".join(contingent)
                + ", locked at different versions: align those first"
            )
        conflict = _pin_mismatch(host, package, state, ranges, graph, note=note)
        if conflict is not None:
            conflicts.append(conflict)
    return HostAnalysis(host, tuple(conflicts), tuple(clashes), tuple(diagnostics))


def _stale_lock(
    service: str,
    package: str,
    declared: Sequence[Requirement],
    constraints: Sequence[Requirement],
) -> Diagnostic:
    locked = sorted((r for r in constraints if r.role is not Role.DECLARED), key=_by_location)
    wanted = ", ".join(f"{r.text} ({r.location.path}:{r.location.line})" for r in declared)
    first = locked[0] if locked else constraints[0]
    return Diagnostic(
        Severity.WARNING,
        first.location,
        f"stale lock: service {service!r} declares {wanted}, but its lock implies "
        + ", ".join(f"{r.text} ({r.location.path}:{r.location.line})" for r in locked)
        + f"; re-lock to bring {package} in line",
    )


def _self_contradiction(
    service: str, package: str, constraints: Sequence[Requirement]
) -> Diagnostic:
    first = min(constraints, key=lambda r: r.location)
    parts = ", ".join(
        f"{r.text} ({r.location.path}:{r.location.line})" if r.location.line else r.text
        for r in sorted(constraints, key=_by_location)
    )
    return Diagnostic(
        Severity.ERROR,
        first.location,
        f"service {service!r} contradicts itself: no version of {package} satisfies {parts}",
    )


def _by_location(requirement: Requirement) -> tuple[str, int]:
    return (requirement.location.path, requirement.location.line or 0)


def _entries(
    service: str,
    requirements: Iterable[Requirement],
    graph: DependencyGraph,
    pinned: str | None,
) -> list[ConflictRequirement]:
    result = []
    for requirement in sorted(requirements, key=_by_location):
        via: tuple[str, ...] = ()
        if requirement.parent is not None:
            # a range a lock records on an edge: the chain runs through that edge's parent
            version = graph.pinned(service, requirement.parent)
            parent = f"{requirement.parent}=={version}" if version else requirement.parent
            via = (*graph.via(service, requirement.parent), parent)
        elif not requirement.direct:
            via = graph.via(service, requirement.name)
        result.append(
            ConflictRequirement(
                service=service,
                requirement=requirement.text,
                specifier=str(requirement.specifier),
                location=requirement.location,
                role=requirement.role,
                direct=requirement.direct and requirement.parent is None,
                via=via,
                pinned=pinned,
                parent=requirement.parent,
            )
        )
    return result


def _written(constraints: Sequence[Requirement]) -> str:
    """A service's constraints on a package as the user wrote them (name, specifier, marker)."""
    texts = sorted({r.text.split(" #")[0].strip() for r in constraints})
    return " + ".join(texts)


def _join_and(parts: Sequence[str]) -> str:
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _incompatible(
    host: Host,
    package: str,
    state: PackageState,
    involved: list[str],
    ranges: Mapping[str, str],
    graph: DependencyGraph,
) -> Conflict:
    entries: list[ConflictRequirement] = []
    for service in involved:
        pin = _pin_of(state, service)
        entries.extend(_entries(service, state.constraints[service], graph, pin))
    parts = [f"{_written(state.constraints[s])} ({s})" for s in involved]
    if HOST_PYTHON in ranges and package == PYTHON:
        python = host.environment.python_full_version
        parts.append(f"Python {python} (what host {host.name} runs)")
    reason = "no version satisfies " + _join_and(parts)
    return Conflict(
        id=conflict_id(host.name, package, involved),
        host=host.name,
        package=package,
        display_name=state.display or package,
        kind=Kind.INCOMPATIBLE,
        services=tuple(involved),
        requirements=tuple(entries),
        recommendation=Recommendation(Action.ISOLATE, ""),
        reason=reason,
    )


def _pin_of(state: PackageState, service: str) -> str | None:
    versions = sorted({p.pinned_version for p in state.pins.get(service, ()) if p.pinned_version})
    return versions[0] if len(versions) == 1 else None


def _version_key(text: str) -> tuple[int, Version | str]:
    try:
        return (1, Version(text))
    except InvalidVersion:
        return (0, text)


def _pin_mismatch(
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
    first = {p.pinned_version for records in state.pins.values() for p in records}
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
    locked_versions = set().union(*pins.values())
    allowed = intersection(frozenset(ranges.values()) or frozenset((FULL,)))
    outside = {v for v in locked_versions if not allowed.contains(v)}
    if len(locked_versions) < 2 and not outside:
        return None
    candidates = set(locked_versions)
    for constraints in state.constraints.values():
        for requirement in constraints:
            exact = requirement.pinned_version
            if exact:
                candidates.add(exact)
    fitting = sorted((v for v in candidates if allowed.contains(v)), key=_version_key)
    version = fitting[-1] if fitting else None
    moving = _parents_to_move(state, version, graph) if version is not None else ()
    services = sorted(pins)
    unverified = sorted(s for s in services if s not in ranges)
    entries: list[ConflictRequirement] = []
    for service in sorted(set(services) | {s for s in ranges if outside}):
        entries.extend(
            _entries(service, state.pins.get(service, ()), graph, _pin_of(state, service))
        )
        entries.extend(
            _entries(service, state.constraints.get(service, ()), graph, _pin_of(state, service))
        )
    relock = sorted(
        {
            p.location.path
            for service, records in state.pins.items()
            for p in records
            if p.pinned_version != version
        }
    )
    shown = ", ".join(sorted(locked_versions, key=_version_key))
    reason = f"locked at {shown}"
    if outside:
        reason += (
            f"; {', '.join(sorted(outside, key=_version_key))} outside what other services allow"
        )
    if moving:
        reason += "; " + "; ".join(m.held(package) for m in moving)
    elif note:
        reason += f"; {note}"
    return Conflict(
        id=conflict_id(host.name, package, services),
        host=host.name,
        package=package,
        display_name=state.display or package,
        kind=Kind.PIN_MISMATCH,
        services=tuple(services),
        requirements=tuple(entries),
        recommendation=_align(package, version, allowed, relock, unverified, moving),
        reason=reason,
        verified=not unverified,
    )


@dataclass(frozen=True, slots=True)
class _ParentMove:
    """A package whose locked version must change too for an align: its recorded range excludes it.

    ``blocking`` are the (parent version, range on the package) pairs the locks record that
    exclude the align version; ``target`` a version of the parent that some service locks and
    whose recorded range admits it.
    """

    parent: str
    blocking: tuple[tuple[str | None, str], ...]
    target: str | None

    def named(self) -> str:
        return self.parent if self.target is None else f"{self.parent} (to {self.target})"

    def held(self, package: str) -> str:
        return ", ".join(
            f"{self.parent}{' ' + version if version else ''} requires {package}{key}"
            for version, key in self.blocking
        )


def _parents_to_move(
    state: PackageState, version: str, graph: DependencyGraph
) -> tuple[_ParentMove, ...]:
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
        targets = sorted(admitting.get(parent, set()) - held, key=_version_key)
        moves.append(
            _ParentMove(
                parent,
                tuple(sorted(blocking[parent], key=lambda b: (_version_key(b[0] or ""), b[1]))),
                targets[-1] if targets else None,
            )
        )
    return tuple(moves)


def _align(
    package: str,
    version: str | None,
    allowed: VersionRange,
    relock: Sequence[str],
    unverified: Sequence[str],
    moving: Sequence[_ParentMove] = (),
) -> Recommendation:
    files = ", ".join(relock)
    if version is not None and moving:
        summary = (
            f"align on {package} {version} with {_join_and([m.named() for m in moving])} moving"
            f" too ({'; '.join(m.held(package) for m in moving)}); re-lock {files}"
        )
    elif version is not None:
        summary = f"align on {package} {version}: every known constraint allows it; re-lock {files}"
    else:
        allowed_text = str(allowed.to_specifier_set() or "any version")
        summary = f"align on one {package} version in {allowed_text}; re-lock {files}"
    if unverified:
        summary += (
            f" (not verified: {', '.join(unverified)} only lock {package}, with no declared range)"
        )
    return Recommendation(
        Action.ALIGN,
        summary,
        version=version,
        services=(),
        relock=tuple(relock),
        parents=tuple(m.parent for m in moving),
    )
