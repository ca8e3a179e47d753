"""Rule `incompatible`: no version of a package satisfies every known constraint on a host.

Only the services whose ranges take part in a clash are listed (`algebra.clashing`); a bystander
whose range fits is not. `depcheck.resolve.proof` uses the same constructor for what the
resolver proves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from depcheck.analysis.algebra import combine_keys, disjoint
from depcheck.analysis.collect import PackageState
from depcheck.analysis.evidence import (
    conflict_id,
    entries,
    every_pair,
    join_and,
    pairs_where,
    pin_of,
    written,
)
from depcheck.analysis.rules.python import HOST_PYTHON, PYTHON, host_python_part
from depcheck.graph import DependencyGraph
from depcheck.model import (
    Action,
    Conflict,
    ConflictRequirement,
    Host,
    Kind,
    Pairs,
    Recommendation,
)


def incompatible(
    host: Host,
    package: str,
    state: PackageState,
    involved: list[str],
    ranges: Mapping[str, str],
    graph: DependencyGraph,
) -> Conflict:
    """The conflict for `package` on `host`, whose `involved` services clash."""
    found: list[ConflictRequirement] = []
    for service in involved:
        pin = pin_of(state, service)
        found.extend(entries(service, state.constraints[service], graph, pin))
    parts = [f"{written(state.constraints[s])} ({s})" for s in involved]
    if HOST_PYTHON in ranges and package == PYTHON:
        parts.append(host_python_part(host))
    reason = "no version satisfies " + join_and(parts)
    return Conflict(
        id=conflict_id(host.name, package),
        host=host.name,
        package=package,
        display_name=state.display or package,
        kind=Kind.INCOMPATIBLE,
        services=tuple(involved),
        requirements=tuple(found),
        recommendation=Recommendation(Action.ISOLATE),
        reason=reason,
        pairs=clashing_pairs(state, involved),
    )


def clashing_pairs(state: PackageState, involved: Sequence[str]) -> Pairs:
    """The pairs of `involved` services whose constraints on the package share no version."""
    keys = {s: combine_keys(r.key for r in state.constraints[s]) for s in involved}
    pairs = pairs_where(sorted(involved), keys, disjoint)
    return pairs or every_pair(involved)
