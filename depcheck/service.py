"""Service assembly: one service's declared files and locks become the inputs the analysis takes.

Each file of a service is read once by its source (`depcheck.sources`); a file another one
includes is not counted twice. The result per service: its `SourceFile`s and its requirements
(declared constraints, locked pins, the project's own name and version, and each file's
requires-python as a requirement on `python`). Installed environments (`--installed`, a host's
`installed`) join their hosts as services of their own, and a uv workspace root's settings
reach its members.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from depcheck.analysis.rules.python import PYTHON
from depcheck.errors import ReadError
from depcheck.model import (
    Diagnostic,
    Groups,
    Location,
    Requirement,
    RequirementChain,
    Role,
    Service,
    Severity,
    SourceFile,
)
from depcheck.sources import ReadOptions, source_for
from depcheck.sources.interface import unexpected_failure
from depcheck.topology.discover import Topology

if TYPE_CHECKING:
    from depcheck.pipeline import Progress


def read_sources(
    topology: Topology, options: ReadOptions, progress: Progress
) -> tuple[dict[str, tuple[SourceFile, ...]], list[Diagnostic]]:
    """Parse every service's files once each; unreadable files become error diagnostics."""
    cache: dict[tuple[str, frozenset[str], bool, Groups], SourceFile | None] = {}
    diagnostics: list[Diagnostic] = []
    result: dict[str, tuple[SourceFile, ...]] = {}
    total = len(
        {
            (path, frozenset(service.extras), options.include_dev or service.include_dev)
            for service in topology.services
            for path in service.sources
        }
    )
    for service in topology.services:
        parsed: list[SourceFile] = []
        service_options = replace(
            options,
            extras=frozenset(service.extras),
            include_dev=options.include_dev or service.include_dev,
            groups=service.groups,
        )
        for path in service.sources:
            key = (
                path,
                service_options.extras,
                service_options.include_dev,
                service_options.groups,
            )
            if key not in cache:
                progress.reading(path, len(cache) + 1, total)
                cache[key] = _read_one(path, service_options, diagnostics)
            source = cache[key]
            if source is not None:
                parsed.append(source)
        included = {inc for source in parsed for inc in source.includes}
        result[service.name] = tuple(_compiled(s for s in parsed if s.path not in included))
    for source in cache.values():
        if source is not None:
            diagnostics.extend(source.diagnostics)
    return result, diagnostics


def _compiled(sources: Iterable[SourceFile]) -> list[SourceFile]:
    """A requirements file beside a `.in` of the same name whose every entry is an exact pin is
    what pip-compile wrote from it, even when it says so nowhere (`--no-header --no-annotate`):
    its pins are locked, and those the `.in` names are direct."""
    files = list(sources)
    inputs = {s.path: s for s in files if s.format == "requirements" and s.path.endswith(".in")}
    result = []
    for source in files:
        stem, extension = posixpath.splitext(source.path)
        companion = inputs.get(f"{stem}.in")
        if (
            companion is not None
            and extension == ".txt"
            and source.format == "requirements"
            and source.role is Role.DECLARED
            and source.requirements
            and all(
                r.pinned_version is not None and not r.constraint_only for r in source.requirements
            )
        ):
            direct = {r.name for r in companion.requirements}
            source = replace(
                source,
                role=Role.LOCKED,
                requirements=tuple(
                    r.replace(role=Role.LOCKED, direct=r.name in direct)
                    for r in source.requirements
                ),
            )
        result.append(source)
    return result


def _read_one(path: str, options: ReadOptions, diagnostics: list[Diagnostic]) -> SourceFile | None:
    try:
        return read_file(path, options)
    except ReadError as exc:
        diagnostics.append(Diagnostic(Severity.ERROR, exc.location, exc.message))
        return None
    except Exception as exc:  # one file depcheck fails on must not stop the rest
        diagnostics.append(unexpected_failure(path, exc))
        return None


def read_file(path: str, options: ReadOptions) -> SourceFile | None:
    """One dependency file read by its source (None: no format we know); a lock whose source
    names a companion (poetry.lock's pyproject.toml) gets that file's declaration, read by the
    companion's own source. Raises `ReadError` when `path` cannot be read at all."""
    source = source_for(path, explicit=True)
    if source is None:  # discovery only lists files a source reads
        return None
    if source.companion is not None:
        sibling = posixpath.join(posixpath.dirname(path), source.companion)
        declared = source_for(sibling)
        project = declared.declaration(sibling, options) if declared is not None else None
        options = replace(options, project=project)
    return source.read(path, options)


def add_installed(
    topology: Topology,
    environments: Sequence[tuple[str, Path, str | None]],
    sources: dict[str, tuple[SourceFile, ...]],
    diagnostics: list[Diagnostic],
) -> Topology:
    """Each installed environment (shown, path, host or None for every host) joins its hosts as
    a service of its own (`installed SHOWN`): its distributions are locked pins there, with
    their Requires-Dist ranges."""
    from depcheck.sources.installed import InstalledError, read_installed

    added: list[Service] = []
    on: dict[str, list[str]] = {}  # host -> installed services it holds
    for shown, path, host in environments:
        name = f"installed {shown}"
        if name not in sources:
            try:
                source = read_installed(path, shown)
            except InstalledError as exc:
                message = str(exc).split(": ", 1)[-1]
                diagnostics.append(Diagnostic(Severity.ERROR, Location(shown), message))
                continue
            sources[name] = (source,)
            diagnostics.extend(source.diagnostics)
            added.append(Service(name=name, path=None, sources=()))
        for target in [h.name for h in topology.hosts] if host is None else [host]:
            on.setdefault(target, []).append(name)
    if not added:
        return topology
    return replace(
        topology,
        services=tuple(sorted((*topology.services, *added), key=lambda s: s.name)),
        hosts=tuple(
            replace(h, services=tuple(sorted({*h.services, *on.get(h.name, [])})))
            for h in topology.hosts
        ),
    )


def apply_workspace_settings(
    services: Sequence[Service],
    files: Sequence[SourceFile],
    requirements: dict[str, Sequence[Requirement]],
) -> None:
    """A uv workspace root's `constraint-dependencies` / `override-dependencies` hold for every
    member: each service whose folder matches one of the root's `members` globs (and the root's
    own) gets them. `files` are the workspace roots (`topology.workspace.workspace_files`)."""
    for source in files:
        if not source.workspace_members or not source.workspace_requirements:
            continue
        base = posixpath.dirname(source.path)
        globs = [posixpath.normpath(posixpath.join(base, g)) for g in source.workspace_members]
        for service in services:
            path = service.path
            if path is None:
                continue
            if path == (base or ".") or any(fnmatch.fnmatchcase(path, g) for g in globs):
                own = requirements.get(service.name, ())
                added: list[Requirement] = []
                for requirement in source.workspace_requirements:
                    if requirement not in own and requirement not in added:
                        added.append(requirement)
                requirements[service.name] = RequirementChain([own, tuple(added)])


def read_aside(path: str, options: ReadOptions, diagnostics: list[Diagnostic]) -> SourceFile | None:
    """A `pyproject.toml` no service reads (a uv workspace's virtual root), when it exists."""
    try:
        if not (options.root / path).is_file():
            return None
    except (OSError, ValueError):  # a name too long, or holding a NUL: not there
        return None
    found = _read_one(path, options, diagnostics)
    if found is not None:
        diagnostics.extend(found.diagnostics)
    return found


def requirements_of(sources: Iterable[SourceFile]) -> RequirementChain:
    """A service's requirements, with its files' requires-python as requirements on `python`
    (the files' own parts one after the other: rows a fast path kept stay columns)."""
    files = tuple(sources)
    # the project a service's pyproject.toml defines is installed, at its version
    extra = [source.itself for source in files if source.itself is not None]
    for source in files:
        if source.requires_python is not None and str(source.requires_python):
            extra.append(_python_requirement(source))
    return RequirementChain([*(source.requirements for source in files), tuple(extra)])


def _python_requirement(source: SourceFile) -> Requirement:
    """requires-python (Poetry's `python`, Pipfile's `python_version`) as a `python` constraint."""
    assert source.requires_python is not None
    line = source.requires_python_line
    specifier = source.requires_python
    return Requirement(
        name=PYTHON,
        display_name="python",
        specifier=specifier,
        marker=None,
        extras=frozenset(),
        text=f"python{specifier}",
        location=Location(source.path, line),
        role=Role.DECLARED if source.role is Role.DECLARED else Role.LOCKED,
        direct=True,
        constraint_only=False,
    )
