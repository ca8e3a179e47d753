"""One host's analysis: per package, the rules in `depcheck.analysis.rules`, in order.

The question for each package on each host is whether one version satisfies every *known
constraint* (what people declared, and the ranges lock files record between packages). Locked
pins are not constraints: two locks pinning different versions inside ranges that overlap are a
`pin-mismatch` (re-lock to align), not an incompatibility. A service whose own constraints
admit no version contradicts itself; one whose lock contradicts what it declared has a stale
lock. Both are diagnostics, not conflicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from depcheck.analysis.algebra import (
    FULL,
    admits,
    clashing,
    combine_keys,
    intersection,
    is_empty,
    is_version,
)
from depcheck.analysis.collect import PackageState, collect
from depcheck.analysis.rules.incompatible import incompatible
from depcheck.analysis.rules.pin_mismatch import pin_mismatch
from depcheck.analysis.rules.python import HOST_PYTHON, PYTHON, add_host_python
from depcheck.analysis.rules.self_contradiction import self_contradiction
from depcheck.analysis.rules.stale_lock import stale_pins, stale_ranges
from depcheck.graph import DependencyGraph
from depcheck.model import Conflict, Diagnostic, Host, Requirement, Role


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


def analyse_host(
    host: Host,
    requirements_by_service: Mapping[str, Sequence[Requirement]],
    graph: DependencyGraph,
) -> HostAnalysis:
    """Find every conflict on one host; report services that contradict themselves."""
    conflicts: list[Conflict] = []
    clashes: list[Clash] = []
    diagnostics: list[Diagnostic] = []
    packages = collect(host, requirements_by_service, agreeing=False)
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
        if package != PYTHON and _agrees(state):
            continue
        for service, pins in state.pins.items():
            held = state.constraints.get(service)
            if not held:
                continue  # a pin no range of its own service constrains is never stale
            if len(pins) == 1 and len(held) == 1:
                # the common case, one pin and one range: a range that admits it says nothing
                version = pins[0].parsed.pinned
                if version is None or admits(held[0].parsed.key, version):
                    continue
            diagnostics.extend(stale_pins(pins, held))
        ranges: dict[str, str] = {}
        every: dict[str, str] = {}
        for service, constraints in list(state.constraints.items()):
            if len(constraints) == 1:
                only = constraints[0]
                key = only.parsed.key
                if key == FULL or not is_empty(key):  # the common case: one satisfiable range
                    every[service] = key
                    ranges[service] = key if only.parent is None or firm(only) else FULL
                    continue
            else:
                key = combine_keys(r.key for r in constraints)
            if key != FULL and is_empty(key):
                declared = [r for r in constraints if r.role is Role.DECLARED]
                if intersection(frozenset((combine_keys(r.key for r in declared),))).is_empty:
                    diagnostics.append(
                        self_contradiction(host.name, service, package, declared or constraints)
                    )
                    continue
                # what the lock implies contradicts what was declared: the lock is stale
                diagnostics.append(stale_ranges(service, package, declared, constraints))
                constraints = declared
                state.constraints[service] = declared
                key = combine_keys(r.key for r in constraints)
            every[service] = key
            if all(r.parent is None for r in constraints):
                ranges[service] = key
            else:
                ranges[service] = combine_keys(r.key for r in constraints if firm(r))
        add_host_python(host, package, ranges)
        services = sorted(ranges)
        keys = [ranges[s] for s in services]
        locked = [p.parsed.pinned for pins in state.pins.values() for p in pins]
        members = sorted(services[i] for i in clashing(keys, locked))
        involved = [s for s in members if s != HOST_PYTHON]
        if involved:
            clashes.append(Clash(package, {s: ranges[s] for s in members}))
            conflicts.append(incompatible(host, package, state, involved, ranges, graph))
            continue
        contingent = sorted(
            {r.parent for cs in state.constraints.values() for r in cs if r.parent and not firm(r)}
        )
        note = None
        if contingent and clashing([every[s] for s in sorted(every)]):
            note = (
                "the locked ranges clash only through "
                + ", ".join(contingent)
                + ", locked at different versions: align those first"
            )
        conflict = pin_mismatch(host, package, state, ranges, graph, note=note)
        if conflict is not None:
            conflicts.append(conflict)
    return HostAnalysis(host, tuple(conflicts), tuple(clashes), tuple(diagnostics))


def _agrees(state: PackageState) -> bool:
    """The common case, decided without the rules: each service holds at most one range, every
    lock pins the same version and every range admits it (or, with no pins, one version
    satisfies every range). Then no rule finds anything: no pin is stale, no range is empty,
    nothing clashes (the pin is a witness) and no lock disagrees (`pin_mismatch`)."""
    constraints = state.constraints.values()
    if not all(map((1).__eq__, map(len, constraints))):  # one range per service
        return False
    keys = state.keys - {FULL}  # (a superset of the lists' keys and versions is as good)
    if not state.pins:
        return not intersection(frozenset(keys)).is_empty
    versions = state.versions
    if len(versions) != 1:
        return False
    (version,) = versions
    if version is None or not is_version(version):
        return False
    return all(admits(key, version) for key in keys)
