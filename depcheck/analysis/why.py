"""`depcheck why PACKAGE`: every path from each service to a package, and each edge's constraint.

A pure query over the dependency graph (graph.py): for each service, the paths its own files
record, shortest first. Lock files supply the transitive edges (`# via`, dependency tables);
declared files only the direct ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from packaging.utils import canonicalize_name

from depcheck.graph import DependencyGraph
from depcheck.model import Diagnostic, Explanation, Host, PathStep, ServicePaths

MAX_PATHS = 20


def explain(
    graph: DependencyGraph,
    services: list[str],
    hosts: tuple[Host, ...],
    package: str,
    *,
    root: str,
    diagnostics: tuple[Diagnostic, ...] = (),
    resolved: Mapping[str, Sequence[Sequence[PathStep]]] | None = None,
) -> Explanation:
    """Every recorded path from each service to `package` (PEP 503 names match any spelling).

    `resolved` (`why --resolve`): per service, the paths its resolution adds; one that follows
    the same packages as a recorded path is left out (the files already say it)."""
    name = canonicalize_name(package)
    found: list[ServicePaths] = []
    on: dict[str, list[str]] = {}
    for host in hosts:
        for service in host.services:
            on.setdefault(service, []).append(host.name)
    # one service's adjacency at a time: a why over a thousand services holds one
    for service in graph.walking(sorted(services)):
        paths = list(graph.paths(service, name, limit=MAX_PATHS + 1))
        more = (resolved or {}).get(service, ())
        if more:
            recorded = {tuple(s.package for s in p) for p in paths}
            paths.extend(list(p) for p in more if tuple(s.package for s in p) not in recorded)
        if not paths:
            continue
        paths.sort(key=lambda p: (len(p), [s.package for s in p]))
        found.append(
            ServicePaths(
                service=service,
                hosts=tuple(sorted(set(on.get(service, ())))),
                paths=tuple(tuple(p) for p in paths[:MAX_PATHS]),
                truncated=len(paths) > MAX_PATHS,
            )
        )
    return Explanation(
        package=name,
        display_name=package,
        root=root,
        services=tuple(found),
        diagnostics=diagnostics,
    )
