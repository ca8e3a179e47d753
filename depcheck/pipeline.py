"""The scan pipeline: topology, service assembly, graph, analysis, plans and advice, one `Report`.

This module only wires the stages together; each owns its step (ARCHITECTURE.md, "Stages"). It
raises `ScanError` for what makes a scan impossible (no such directory), and lets the config's
`ConfigError` through; everything wrong inside a dependency file becomes a diagnostic and the
scan goes on.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from depcheck.analysis.declared import mark_declared
from depcheck.analysis.host import HostAnalysis, analyse_host
from depcheck.analysis.ignores import active_entries, apply_ignores
from depcheck.errors import ScanError
from depcheck.fs import release
from depcheck.graph import DependencyGraph
from depcheck.model import (
    Conflict,
    Diagnostic,
    Environment,
    Host,
    Location,
    PathStep,
    Plan,
    Report,
    Requirement,
    Role,
    ServiceReport,
    Severity,
    SourceFile,
)
from depcheck.recommend import PLAN_BUDGET
from depcheck.recommend.advice import advise
from depcheck.recommend.images import with_images
from depcheck.recommend.plan import plan_host
from depcheck.service import (
    add_installed,
    apply_workspace_settings,
    read_aside,
    read_sources,
    requirements_of,
)
from depcheck.sources import ReadOptions
from depcheck.topology.config import Config, find_config, load_config
from depcheck.topology.discover import Topology
from depcheck.topology.environment import EnvironmentDefaults, settle_host_pythons
from depcheck.topology.select import topology_for
from depcheck.topology.workspace import (
    DeclaredPairs,
    declared_pairs,
    separate_declared,
    workspace_files,
)

if TYPE_CHECKING:
    from depcheck.resolve.index import ResolveRequest
    from depcheck.resolve.proof import Prover

#: how many times a host is planned again when the resolver finds a split group uninstallable
REPLANS = 3


#: how the warning on a scan that found no services begins (the CLI makes it an error)
NO_SERVICES = "no services found"


class Progress(Protocol):
    """What the scan tells an observer as it goes (the CLI shows a spinner; tests stay silent).

    `done` counts from 1 to `total`: the files to parse, then the hosts to check.
    """

    def reading(self, path: str, done: int, total: int) -> None: ...

    def analysing(self, host: str, done: int, total: int) -> None: ...


class SilentProgress:
    def reading(self, path: str, done: int, total: int) -> None:
        return None

    def analysing(self, host: str, done: int, total: int) -> None:
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
    #: the date ignore entries' `until` is compared with (the CLI passes today)
    today: datetime.date | None = None
    #: where hosts come from: auto, config, deploy or single (see depcheck.topology.select)
    hosts_from: str = "auto"
    #: also take folders of examples, samples, docs, fixtures, ... for services
    include_examples: bool = False
    #: installed environments (virtualenvs, site-packages, pip inspect / freeze output) that
    #: every host holds too, as the command line gives them
    installed: tuple[str, ...] = ()
    #: CPU seconds the plan of one host may take (depcheck.recommend.plan_host)
    plan_budget: float = PLAN_BUDGET
    #: `--resolve`: where package facts come from (None: the static scan, no network)
    resolve: ResolveRequest | None = None


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


@dataclass(frozen=True, slots=True)
class Prepared:
    """Everything read from a repository before any conflict is decided."""

    topology: Topology
    hosts: tuple[Host, ...]
    sources: Mapping[str, tuple[SourceFile, ...]]
    requirements: Mapping[str, Sequence[Requirement]]
    graph: DependencyGraph
    diagnostics: list[Diagnostic]
    interpreter: Environment
    config: Config | None
    #: service pairs `[tool.uv] conflicts` declares never installed together
    declared: DeclaredPairs


def prepare(options: ScanOptions, progress: Progress | None = None) -> Prepared:
    """Read the topology and every dependency file, and build the graph."""
    try:
        return _prepare(options, progress or SilentProgress())
    finally:
        release()  # the directories the reads held open


def _prepare(options: ScanOptions, progress: Progress) -> Prepared:
    root = options.root
    if not root.exists():
        raise ScanError(f"{root}: no such directory")
    if not root.is_dir():
        raise ScanError(f"{root}: not a directory (scan takes the repository's root directory)")
    config = load_topology_config(root, options.config)
    defaults = EnvironmentDefaults(
        interpreter=options.interpreter, python=options.python, platform=options.platform
    )
    topology = topology_for(
        root,
        config,
        defaults,
        include_dev=options.include_dev,
        hosts_from=options.hosts_from,
        include_examples=options.include_examples,
        allow_outside_root=options.allow_outside_root,
    )
    read_options = ReadOptions(
        root=root,
        include_dev=options.include_dev or bool(config and config.include_dev),
        allow_outside_root=options.allow_outside_root,
    )
    sources, diagnostics = read_sources(topology, read_options, progress)
    diagnostics.extend(topology.diagnostics)
    environments: list[tuple[str, Path, str | None]] = [
        (shown, Path(shown), None) for shown in options.installed
    ]
    if config is not None:
        # only hosts the config made (deployment hosts carry an origin)
        on_hosts = {h.name for h in topology.hosts if h.origin is None}
        environments.extend(
            (shown, root / shown, host.name)
            for host in config.hosts
            if host.name in on_hosts
            for shown in host.installed
        )
    if environments:
        topology = add_installed(topology, environments, sources, diagnostics)
    workspaces = workspace_files(
        topology.services, sources, lambda path: read_aside(path, read_options, diagnostics)
    )
    declared, found = declared_pairs(topology.services, sources, workspaces)
    diagnostics.extend(found)
    topology = separate_declared(topology, declared)
    graph = DependencyGraph.build(sources)
    requirements: dict[str, Sequence[Requirement]] = {
        name: requirements_of(files) for name, files in sources.items()
    }
    apply_workspace_settings(topology.services, workspaces, requirements)
    compiled = {
        name: [
            (f.compiled_for[0], Location(f.path, f.compiled_for[1]))
            for f in files
            if f.compiled_for
        ]
        for name, files in sources.items()
    }
    hosts = settle_host_pythons(topology.hosts, requirements, compiled)
    if not topology.services:
        diagnostics.append(
            Diagnostic(
                Severity.WARNING,
                Location("."),
                f"{NO_SERVICES}: no dependency files (requirements*.txt, pyproject.toml, "
                "lock files, ...) below the root",
            )
        )
    return Prepared(
        topology,
        hosts,
        sources,
        requirements,
        graph,
        diagnostics,
        defaults.interpreter,
        config,
        declared,
    )


def open_prover(
    options: ScanOptions, config: Config | None, sources: Mapping[str, Sequence[SourceFile]]
) -> Prover | None:
    """The `--resolve` stage for this run (None without `--resolve`): command line, PIP_*
    variables and the config's `[resolve]` table merged; the caller closes it."""
    if options.resolve is None:
        return None
    from depcheck.resolve.index import settings_for  # only under --resolve
    from depcheck.resolve.proof import Prover

    table = config.resolve if config is not None else {}
    settings = settings_for(options.resolve, table, options.root)
    opaque = {
        service: [o for f in files if f.role is Role.DECLARED for o in f.opaque]
        for service, files in sources.items()
    }
    itself = {
        service: {f.itself.name for f in files if f.itself is not None}
        for service, files in sources.items()
    }
    return Prover(
        settings,
        root=options.root,
        opaque=opaque,
        itself=itself,
        allow_outside_root=options.allow_outside_root,
    )


def why_resolved(
    options: ScanOptions, prepared: Prepared, package: str
) -> tuple[dict[str, list[list[PathStep]]], list[Diagnostic]]:
    """`why PACKAGE --resolve`: per service, the paths its own resolution adds, and the
    problems the index had (each a diagnostic, like `scan --resolve`'s)."""
    from depcheck.resolve.why import resolved_paths

    prover = open_prover(options, prepared.config, prepared.sources)
    assert prover is not None
    try:
        paths, diagnostics = resolved_paths(prover, prepared.hosts, prepared.requirements, package)
        diagnostics.extend(prover.diagnostics())
    finally:
        prover.close()
    return paths, diagnostics


def scan(options: ScanOptions, progress: Progress | None = None) -> Report:
    """Scan `options.root` and return the finished report."""
    report, prover = scan_resolved(options, progress)
    if prover is not None:
        prover.close()
    return report


def scan_resolved(
    options: ScanOptions, progress: Progress | None = None
) -> tuple[Report, Prover | None]:
    """`scan`, also handing back the `--resolve` prover (open: the caller closes it) so that
    `depcheck plan --emit locks` can resolve each group with the facts already fetched."""
    progress = progress or SilentProgress()
    prepared = prepare(options, progress)
    topology, hosts, graph = prepared.topology, prepared.hosts, prepared.graph
    requirements, sources = prepared.requirements, prepared.sources
    diagnostics = list(prepared.diagnostics)
    conflicts: list[Conflict] = []
    plans: list[Plan] = []
    placed: set[str] = set()
    config = prepared.config
    today = options.today or datetime.date.min
    accepted = active_entries(config.ignore, today) if config is not None else []
    prover = open_prover(options, config, sources)
    for done, host in enumerate(hosts, start=1):
        progress.analysing(host.name, done, len(hosts))
        placed.update(host.services)
        host_requirements = requirements if prover is None else prover.enrich(host, requirements)
        analysis = analyse_host(host, host_requirements, graph)
        if prover is not None:
            analysis = prover.prove(analysis, host_requirements, graph)
        graph.forget(host.services)  # nothing after the analysis asks for a path
        diagnostics.extend(analysis.diagnostics)
        if not analysis.conflicts:
            continue
        # conflicts the team accepted (ignore list) do not shape the plan
        ignored = {
            c.package
            for c in analysis.conflicts
            if any(e.matches(host.name, c.package, c.services) for e in accepted)
        }
        analysis, plan = _checked_plan(host, analysis, ignored, prover, options.plan_budget)
        advised = [advise(conflict, plan) for conflict in analysis.conflicts]
        for attempt in range(REPLANS + 1 if prover is not None else 0):
            # --resolve: an align no version proves becomes a move; plan again to make one
            assert prover is not None
            advised, unalignable = prover.verify_advice(host, advised, plan)
            if not unalignable or attempt == REPLANS:
                break
            analysis = replace(analysis, clashes=analysis.clashes + tuple(unalignable))
            analysis, plan = _checked_plan(host, analysis, ignored, prover, options.plan_budget)
            advised = [advise(conflict, plan) for conflict in analysis.conflicts]
        plans.append(with_images(plan, host, topology.services, sources))
        advised = mark_declared(advised, prepared.declared)
        conflicts.extend(advised)
    for service in topology.services:
        if service.name not in placed:
            alone = Host(service.name, (service.name,), prepared.interpreter)
            diagnostics.extend(analyse_host(alone, requirements, graph).diagnostics)
    if prover is not None:
        diagnostics.extend(prover.diagnostics())

    report = Report(
        root=str(options.root),
        config=topology.config,
        hosts=hosts,
        services=tuple(ServiceReport(s, sources.get(s.name, ())) for s in topology.services),
        conflicts=tuple(sorted(conflicts, key=lambda c: (c.host, c.package, c.services))),
        plans=tuple(sorted(plans, key=lambda p: p.host)),
        diagnostics=_unique(diagnostics),
        notes=topology.notes,
        left_out=tuple(sorted((s.path or s.name, reason) for s, reason in topology.left_out)),
        resolved=prover is not None,
        docs_url=config.docs_url if config is not None else None,
    )
    if config is not None and config.ignore:
        report = apply_ignores(report, config.ignore, today=today, config=config.path)
        report = replace(report, diagnostics=_unique(report.diagnostics))
    return report, prover


def _checked_plan(
    host: Host,
    analysis: HostAnalysis,
    ignored: set[str],
    prover: Prover | None,
    budget: float,
) -> tuple[HostAnalysis, Plan]:
    """The host's plan; with `--resolve`, every group of a split must itself install: the
    host is planned again (up to `REPLANS` times) with the conflicts of a group that does not,
    which join the analysis."""
    clashes = [c for c in analysis.clashes if c.package not in ignored]
    plan = plan_host(host, clashes, budget=budget)
    for _ in range(REPLANS if prover is not None else 0):
        assert prover is not None
        found, more = prover.check_groups(host, plan)
        if not found:
            break
        analysis = replace(
            analysis,
            conflicts=analysis.conflicts + tuple(found),
            clashes=analysis.clashes + tuple(more),
        )
        clashes = [c for c in analysis.clashes if c.package not in ignored]
        plan = plan_host(host, clashes, budget=budget)
    return analysis, plan


def _unique(diagnostics: Sequence[Diagnostic]) -> tuple[Diagnostic, ...]:
    seen: dict[tuple[str, str, int, int, str, str], Diagnostic] = {}
    for d in diagnostics:
        key = (
            d.severity.value,
            d.location.path,
            d.location.line or 0,
            d.location.column or 0,
            d.message,
            d.finding.id if d.finding is not None else "",
        )
        seen.setdefault(key, d)
    ordered = []
    found: set[str] = set()
    for k in sorted(seen, key=lambda k: (k[1], k[2], k[3], k[0], k[4], k[5])):
        # one finding per (host, service, package): with --resolve, the rule on the index's
        # ranges and the resolver can both find it; the first (by place, then text) is kept
        if k[5] and k[5] in found:
            continue
        found.add(k[5])
        ordered.append(seen[k])
    return _fold(ordered)


def _fold(diagnostics: Sequence[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Identical warnings at several places become one, at the first, with a count.

    Errors stay one per place: each marks a line to fix, and editors jump to each.
    """
    places: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        if d.severity is Severity.WARNING:
            places.setdefault(d.message, []).append(d)
    folded: list[Diagnostic] = []
    for d in diagnostics:
        same = places.get(d.message) if d.severity is Severity.WARNING else None
        if same is None or len(same) == 1:
            folded.append(d)
        elif same[0] is d:
            others = [str(o.location) for o in same[1:]]
            shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
            message = f"{d.message} ({len(same)} times; also {shown})"
            folded.append(Diagnostic(d.severity, d.location, message))
    return tuple(folded)
