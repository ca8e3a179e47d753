"""The resolver's causes of failure as conflicts and planner clashes (`Prover` reports them).

A failed resolution names, per package, the requirement chains that clash; each becomes a
conflict with `evidence: resolver`, attributed to the services whose chains take part, and
each clashing pair becomes two disjoint ranges for the planner.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from depcheck.analysis.evidence import conflict_id, every_pair, finding_id
from depcheck.analysis.host import Clash
from depcheck.model import (
    Action,
    Conflict,
    ConflictRequirement,
    Diagnostic,
    Finding,
    Host,
    Kind,
    Location,
    Recommendation,
    Role,
    Severity,
)
from depcheck.resolve.resolver import (
    Cause,
)

#: where a diagnostic about the index itself (not about one requirement) points
RESOLVE_LOCATION = Location("--resolve")


def assumed(host: Host) -> str:
    """For a host whose Python nobody stated (the newest every service admits, or the
    interpreter's), a clause saying so and how to state it: wheels of a lock made for another
    Python may not install on the one assumed. Empty when the Python was stated."""
    if host.environment.python_configured:
        return ""
    return (
        f"; python {host.environment.python_version} is assumed, not stated: give host "
        f"{host.name} its Python (`--python`, `python` in its config, or a deployment file)"
    )


def resolver_conflicts(
    host: Host, causes: Sequence[Cause]
) -> tuple[list[Conflict], list[Diagnostic]]:
    """The resolver's causes as conflicts: per package, the services whose chains clash.

    A cause that admits any version (a bystander that only needs the package) is dropped when
    others remain. A clash inside one service is not a conflict between services: it becomes
    an error diagnostic at that service's requirement.
    """
    by_package: dict[str, list[Cause]] = defaultdict(list)
    for cause in causes:
        by_package[cause.package].append(cause)
    conflicts: list[Conflict] = []
    diagnostics: list[Diagnostic] = []
    for package in sorted(by_package):
        group = by_package[package]
        narrowing = [c for c in group if c.specifier] or group
        services = sorted({c.service for c in narrowing})
        if len(services) < 2:
            first = min(narrowing, key=lambda c: c.location)
            diagnostics.append(
                Diagnostic(
                    Severity.ERROR,
                    first.location,
                    f"service {first.service!r} cannot be installed on host {host.name} "
                    f"({host.environment.describe()}): " + _explain(narrowing) + assumed(host),
                    # what the files say, proved: it fails the run as a conflict does (exit 1)
                    finding=Finding(
                        finding_id(host.name, first.service, package),
                        host.name,
                        first.service,
                        package,
                        evidence="resolver",
                    ),
                )
            )
            continue
        entries = [
            ConflictRequirement(
                service=c.service,
                requirement=c.requirement,
                specifier=c.specifier,
                location=c.location,
                role=Role.DECLARED,
                direct=not c.via,
                via=c.via,
            )
            for c in sorted(narrowing, key=lambda c: (c.service, c.location, c.requirement))
        ]
        conflicts.append(
            Conflict(
                id=conflict_id(host.name, package),
                host=host.name,
                package=package,
                display_name=package,
                kind=Kind.INCOMPATIBLE,
                services=tuple(services),
                requirements=tuple(entries),
                recommendation=Recommendation(Action.ISOLATE),
                reason="the resolver finds no installable set: " + _explain(narrowing),
                evidence="resolver",
                pairs=every_pair(services),
            )
        )
    return conflicts, diagnostics


def _explain(causes: Sequence[Cause]) -> str:
    parts = []
    for cause in sorted(causes, key=lambda c: (c.service, c.requirement)):
        if cause.via:
            parts.append(f"{cause.via[-1]} requires {cause.requirement} ({cause.service})")
        else:
            parts.append(f"{cause.requirement} ({cause.service})")
    return "; ".join(dict.fromkeys(parts))


def resolver_clashes(conflicts: Sequence[Conflict]) -> list[Clash]:
    """Planner input for resolver conflicts: each clashing pair as two disjoint ranges.

    The resolver proves a set of services uninstallable without a range the planner could
    intersect, so each pair of services it names gets a synthetic package of its own whose
    ranges (`<1` and `>=1`) cannot meet: the planner keeps them apart and nothing else."""
    clashes = []
    for conflict in conflicts:
        if conflict.evidence != "resolver":
            continue
        services = list(conflict.services)
        for i, a in enumerate(services):
            for b in services[i + 1 :]:
                clashes.append(Clash(f"{conflict.package} ({a} | {b})", {a: "<1", b: ">=1"}))
    return clashes
