"""`depcheck why PACKAGE`: every path from each service to a package, and each edge's constraint.

A pure query over the dependency graph (graph.py): for each service, the paths its own files
record, shortest first. Lock files supply the transitive edges (`# via`, dependency tables);
declared files only the direct ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.utils import canonicalize_name

from depcheck.graph import DependencyGraph, PathStep
from depcheck.model import Diagnostic, Host

MAX_PATHS = 20


@dataclass(frozen=True, slots=True)
class ServicePaths:
    service: str
    hosts: tuple[str, ...]
    paths: tuple[tuple[PathStep, ...], ...]
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Explanation:
    package: str
    display_name: str
    root: str
    services: tuple[ServicePaths, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def exit_code(self) -> int:
        """2 when an input could not be read, 0 when some service needs the package, else 1."""
        if any(d.severity.value == "error" for d in self.diagnostics):
            return 2
        return 0 if self.services else 1


def explain(
    graph: DependencyGraph,
    services: list[str],
    hosts: tuple[Host, ...],
    package: str,
    *,
    root: str,
    diagnostics: tuple[Diagnostic, ...] = (),
) -> Explanation:
    """Every recorded path from each service to `package` (PEP 503 names match any spelling)."""
    name = canonicalize_name(package)
    found: list[ServicePaths] = []
    for service in sorted(services):
        paths = list(graph.paths(service, name, limit=MAX_PATHS + 1))
        if not paths:
            continue
        paths.sort(key=lambda p: (len(p), [s.package for s in p]))
        found.append(
            ServicePaths(
                service=service,
                hosts=tuple(sorted(h.name for h in hosts if service in h.services)),
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
