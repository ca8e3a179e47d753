"""What every conflict carries, whichever rule found it: its id and its requirement entries.

The entries are the evidence formatters show: each requirement with its file and line, whether
it was declared or locked, and the chain of packages it came through (a graph path query).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

from depcheck.analysis.collect import PackageState
from depcheck.graph import DependencyGraph
from depcheck.model import ConflictRequirement, Pairs, Requirement


def conflict_id(host: str, package: str) -> str:
    """A stable fingerprint of a conflict, so baselines match it across runs.

    Only (host, package): a host has at most one conflict per package, and a known conflict
    that gains or loses services stays the same conflict (the baseline says it `changed`).
    """
    # (surrogatepass: a host name that is not UTF-8 hashes as the bytes it stands for)
    return hashlib.sha256(f"{host}\0{package}".encode("utf-8", "surrogatepass")).hexdigest()[:16]


def finding_id(host: str, service: str, package: str) -> str:
    """A stable fingerprint of a finding about one service (it contradicts itself on a
    package), so baselines match it across runs: (host, service, package), in a namespace of
    its own so that it never equals a conflict's id."""
    key = f"finding\0{host}\0{service}\0{package}"
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def by_location(requirement: Requirement) -> tuple[str, int]:
    return (requirement.path, requirement.line or 0)


def entries(
    service: str,
    requirements: Iterable[Requirement],
    graph: DependencyGraph,
    pinned: str | None,
) -> list[ConflictRequirement]:
    """One service's requirements on a package as a conflict lists them, by file and line."""
    result = []
    for requirement in sorted(requirements, key=by_location):
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


def written(constraints: Sequence[Requirement]) -> str:
    """A service's constraints on a package as the user wrote them (name, specifier, marker)."""
    texts = sorted({r.text.split(" #")[0].strip() for r in constraints})
    return " + ".join(texts)


def join_and(parts: Sequence[str]) -> str:
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def pin_of(state: PackageState, service: str) -> str | None:
    """The one version `service` locks the package at, else None."""
    versions = sorted({p.pinned_version for p in state.pins.get(service, ()) if p.pinned_version})
    return versions[0] if len(versions) == 1 else None


def every_pair(services: Iterable[str]) -> Pairs:
    """Every two of `services`, sorted: the pairs when only the group as a whole clashes."""
    return Pairs.every(services)


_Class = TypeVar("_Class", bound=Hashable)


def pairs_where(
    services: Sequence[str],
    class_of: Mapping[str, _Class],
    clash: Callable[[_Class, _Class], bool],
) -> Pairs:
    """The pairs of `services` that `clash`, in the order `itertools.combinations` gives them,
    where whether two services clash depends only on their classes (what each asks of the
    package: its range, its pins) and not on their order (`clash` is symmetric). `clash` is
    asked once per pair of classes (a class with itself included), not per pair of services:
    a package a thousand services share on one host has a handful of classes, and half a
    million pairs of services."""
    classes = [class_of[s] for s in services]
    distinct = list(dict.fromkeys(classes))
    against: dict[_Class, set[_Class]] = {c: set() for c in distinct}
    for index, first in enumerate(distinct):
        for second in distinct[index:]:
            if clash(first, second):
                against[first].add(second)
                against[second].add(first)
    return Pairs(services, classes, against)
