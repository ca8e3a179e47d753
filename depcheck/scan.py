"""The scan pipeline: topology, sources, graph, conflicts, plans, one `Report`.

This module only wires the layers together; each owns its step (see DESIGN.md's data flow). It
raises `ScanError` for what makes a scan impossible (no such directory, a config that cannot be
used); everything wrong inside a dependency file becomes a diagnostic and the scan goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from depcheck.config import Config, ConfigError, find_config, load_config
from depcheck.conflicts import analyse_host
from depcheck.discover import EnvironmentDefaults, Topology, build_topology
from depcheck.graph import DependencyGraph
from depcheck.model import (
    Conflict,
    Diagnostic,
    Environment,
    Host,
    Location,
    Plan,
    Report,
    Requirement,
    ServiceReport,
    Severity,
    SourceFile,
)
from depcheck.recommend import plan_host, recommend
from depcheck.sources import ReadOptions, SourceError, source_for


class ScanError(Exception):
    """A scan that cannot start: the message is for the user, as is."""


class Progress(Protocol):
    """What the scan tells an observer as it goes (the CLI shows a spinner; tests stay silent)."""

    def reading(self, path: str) -> None: ...

    def analysing(self, host: str) -> None: ...


class SilentProgress:
    def reading(self, path: str) -> None:
        return None

    def analysing(self, host: str) -> None:
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanOptions:
    root: Path
    interpreter: Environment
    config: Path | None = None
    python: str | None = None
    platform: str | None = None
    include_dev: bool = False
    allow_outside_root: bool = False


def load_topology_config(root: Path, explicit: Path | None) -> Config | None:
    """The config the scan uses: `--config`, else one found at the root, else None."""
    if explicit is not None:
        try:
            display = explicit.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            display = explicit.name
        return load_config(explicit, display=display)
    found = find_config(root)
    if found is None:
        return None
    return load_config(found, display=found.name)


def read_sources(
    topology: Topology, options: ReadOptions, progress: Progress
) -> tuple[dict[str, tuple[SourceFile, ...]], list[Diagnostic]]:
    """Parse every service's files once each; unreadable files become error diagnostics."""
    cache: dict[str, SourceFile | None] = {}
    diagnostics: list[Diagnostic] = []
    result: dict[str, tuple[SourceFile, ...]] = {}
    for service in topology.services:
        parsed: list[SourceFile] = []
        for path in service.sources:
            if path not in cache:
                progress.reading(path)
                cache[path] = _read_one(path, options, diagnostics)
            source = cache[path]
            if source is not None:
                parsed.append(source)
        included = {inc for source in parsed for inc in source.includes}
        result[service.name] = tuple(s for s in parsed if s.path not in included)
    for source in cache.values():
        if source is not None:
            diagnostics.extend(source.diagnostics)
    return result, diagnostics


def _read_one(path: str, options: ReadOptions, diagnostics: list[Diagnostic]) -> SourceFile | None:
    source = source_for(path, explicit=True)
    if source is None:  # discovery only lists files a source reads
        return None
    try:
        return source.read(path, options)
    except SourceError as exc:
        diagnostics.append(Diagnostic(Severity.ERROR, exc.location, exc.message))
        return None


def requirements_of(sources: Iterable[SourceFile]) -> list[Requirement]:
    return [r for source in sources for r in source.requirements]


def scan(options: ScanOptions, progress: Progress | None = None) -> Report:
    """Scan `options.root` and return the finished report."""
    progress = progress or SilentProgress()
    root = options.root
    if not root.exists():
        raise ScanError(f"{root}: no such directory")
    if not root.is_dir():
        raise ScanError(f"{root}: not a directory (scan takes the repository's root directory)")
    try:
        config = load_topology_config(root, options.config)
    except ConfigError as exc:
        raise ScanError(str(exc)) from None
    defaults = EnvironmentDefaults(
        interpreter=options.interpreter, python=options.python, platform=options.platform
    )
    topology = build_topology(root, config, defaults, include_dev=options.include_dev)
    read_options = ReadOptions(
        root=root,
        include_dev=options.include_dev or bool(config and config.include_dev),
        allow_outside_root=options.allow_outside_root,
    )
    sources, diagnostics = read_sources(topology, read_options, progress)
    diagnostics.extend(topology.diagnostics)
    graph = DependencyGraph.build(sources)
    requirements = {name: requirements_of(files) for name, files in sources.items()}

    conflicts: list[Conflict] = []
    plans: list[Plan] = []
    placed: set[str] = set()
    for host in topology.hosts:
        progress.analysing(host.name)
        placed.update(host.services)
        analysis = analyse_host(host, requirements, graph)
        diagnostics.extend(analysis.diagnostics)
        if not analysis.conflicts:
            continue
        plan = plan_host(host, analysis.clashes)
        plans.append(plan)
        conflicts.extend(recommend(conflict, plan) for conflict in analysis.conflicts)
    for service in topology.services:
        if service.name not in placed:
            alone = Host(service.name, (service.name,), defaults.interpreter)
            diagnostics.extend(analyse_host(alone, requirements, graph).diagnostics)
    if not topology.services:
        diagnostics.append(
            Diagnostic(
                Severity.WARNING,
                Location("."),
                "no services found: no dependency files (requirements*.txt, ...) below the root",
            )
        )

    return Report(
        root=str(root),
        config=topology.config,
        hosts=topology.hosts,
        services=tuple(ServiceReport(s, sources.get(s.name, ())) for s in topology.services),
        conflicts=tuple(sorted(conflicts, key=lambda c: (c.host, c.package, c.services))),
        plans=tuple(sorted(plans, key=lambda p: p.host)),
        diagnostics=_unique(diagnostics),
    )


def _unique(diagnostics: Sequence[Diagnostic]) -> tuple[Diagnostic, ...]:
    seen: dict[tuple[str, str, int, int, str], Diagnostic] = {}
    for d in diagnostics:
        key = (
            d.severity.value,
            d.location.path,
            d.location.line or 0,
            d.location.column or 0,
            d.message,
        )
        seen.setdefault(key, d)
    return tuple(seen[k] for k in sorted(seen, key=lambda k: (k[1], k[2], k[3], k[0], k[4])))
