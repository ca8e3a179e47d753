"""Topology: which services exist, which files belong to each, which services share which host.

From a `Config` when there is one; otherwise every directory holding a runtime dependency file is
a service named by its POSIX path relative to the scan root (files inside a `requirements/`
folder belong to the folder's parent), and all services share one host named `default`.
Discovery skips version-control folders, virtualenvs, `node_modules`, caches and build output,
and never follows directory symlinks (so a symlink loop cannot trap it). It hides nothing it
cannot judge: a directory it cannot list is an error, and a file with a dependency file's name
that is no regular file (a directory, a dangling or looping symlink, a FIFO) is listed so that its
source reports it. A `pyproject.toml` or `setup.cfg` that only configures tools (no table or
option a dependency source reads) is not a dependency file and makes no directory a service.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from depcheck.fs import is_vcs_dir
from depcheck.model import Diagnostic, Host, Location, Service, Severity
from depcheck.sources import declares_dependencies, is_dev_file, source_spec
from depcheck.topology.config import Config
from depcheck.topology.environment import EnvironmentDefaults, host_environment

DEFAULT_HOST = "default"

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        ".venv",
        "venv",
        ".env",
        "env",
        "virtualenv",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".cache",
        "build",
        "dist",
        ".eggs",
        "site-packages",
        ".idea",
        ".vscode",
        ".direnv",
        ".terraform",
        ".aws-sam",
        "cdk.out",
        ".serverless",
        "htmlcov",
        ".ipynb_checkpoints",
    }
)

# Folders that hold what a repository shows or tests, not what it deploys: discovery leaves
# their services out unless a config or a deployment file names them (or --include-examples).
_NOT_DEPLOYED_EXACT = {
    "examples": "examples",
    "example": "examples",
    "samples": "samples",
    "sample": "samples",
    "docs": "documentation",
    "doc": "documentation",
    ".github": "CI workflows",
    "benchmarks": "benchmarks",
    "benchmark": "benchmarks",
    "fixtures": "test fixtures",
    "__fixtures__": "test fixtures",
    "testdata": "test fixtures",
    "test_data": "test fixtures",
    "test-data": "test fixtures",
}


def not_deployed_reason(directory: str) -> str | None:
    """Why discovery takes `directory` (POSIX, relative) for something not deployed, or None.

    Any folder on the path counts: `examples/`, `example/`, `*-example(s)`, `*_example(s)`,
    `samples/`, `docs/`, `.github/`, `e2e*/`, `benchmarks/` and test-fixture folders.
    """
    if directory in ("", "."):
        return None
    for part in directory.lower().split("/"):
        reason = _NOT_DEPLOYED_EXACT.get(part)
        if reason is not None:
            return reason
        if part.endswith(("-example", "-examples", "_example", "_examples")):
            return "examples"
        if part.startswith("e2e"):
            return "end-to-end tests"
    return None


@dataclass(frozen=True, slots=True)
class Topology:
    services: tuple[Service, ...]
    hosts: tuple[Host, ...]
    diagnostics: tuple[Diagnostic, ...]
    config: str | None
    #: services discovery found in folders that are not deployed (examples, docs, fixtures, ...),
    #: with the reason; a deployment file that installs one brings it back
    left_out: tuple[tuple[Service, str], ...] = ()
    #: one-line statements of how the topology was decided, for the report's reader
    notes: tuple[str, ...] = ()
    #: whether the hosts were only assumed (no config hosts, no deployment file placing the
    #: services): a declared exclusion (`[tool.uv] conflicts`) then separates services
    assumed: bool = False


def _is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def walk_dependency_files(
    root: Path, *, include_dev: bool, problems: list[Diagnostic] | None = None
) -> list[str]:
    """Every dependency file below `root` (POSIX, relative), in sorted order.

    Directories that cannot be listed are reported into `problems`.
    """
    found: list[str] = []

    def unlisted(error: OSError) -> None:
        if problems is not None:
            problems.append(_unlisted(root, error))

    for current, dirs, files in os.walk(root, onerror=unlisted, followlinks=False):
        rel_dir = Path(current).relative_to(root).as_posix()
        # a directory (or a link to one) with a dependency file's name: its source says so
        odd = [d for d in dirs if source_spec(_join(rel_dir, d)) is not None]
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in SKIP_DIRS
            and not is_vcs_dir(d)
            and not d.endswith(".egg-info")
            and not _is_virtualenv(os.path.join(current, d))
        )
        for name in sorted([*files, *odd]):
            rel = _join(rel_dir, name)
            if _wanted(root, rel, include_dev=include_dev):
                found.append(rel)
    return found


def is_directory(path: Path) -> bool:
    """`path.is_dir()`, False for a name the system refuses (too long, or holding a NUL)."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _join(directory: str, name: str) -> str:
    return name if directory == "." else f"{directory}/{name}"


def _wanted(root: Path, rel: str, *, include_dev: bool) -> bool:
    """Whether discovery lists `rel`: a dependency file, runtime unless `include_dev`, that can
    state dependencies."""
    if source_spec(rel) is None:
        return False
    if not include_dev and is_dev_file(rel):
        return False
    return declares_dependencies(root, rel)


def _unlisted(root: Path, error: OSError) -> Diagnostic:
    where = Path(error.filename or root)
    try:
        rel = where.relative_to(root).as_posix()
    except ValueError:
        rel = "."
    reason = error.strerror or str(error)
    return Diagnostic(
        Severity.ERROR,
        Location(rel),
        f"cannot list this directory ({reason}); dependency files in it are not scanned",
    )


def service_dir_of(path: str) -> str:
    """The service directory a dependency file belongs to (`requirements/` counts as its parent)."""
    directory = posixpath.dirname(path)
    if posixpath.basename(directory).lower() == "requirements":
        directory = posixpath.dirname(directory)
    return directory or "."


def discover_services(
    root: Path, *, include_dev: bool, problems: list[Diagnostic] | None = None
) -> list[Service]:
    """One service per directory that holds a runtime dependency file."""
    by_dir: dict[str, list[str]] = {}
    for path in walk_dependency_files(root, include_dev=include_dev, problems=problems):
        by_dir.setdefault(service_dir_of(path), []).append(path)
    return [Service(name=d, path=d, sources=tuple(files)) for d, files in sorted(by_dir.items())]


def split_not_deployed(
    services: Sequence[Service],
) -> tuple[list[Service], list[tuple[Service, str]]]:
    """The discovered services, and those in folders not deployed (with the reason)."""
    kept: list[Service] = []
    left_out: list[tuple[Service, str]] = []
    for service in services:
        reason = not_deployed_reason(service.path or service.name)
        if reason is None:
            kept.append(service)
        else:
            left_out.append((service, reason))
    return kept, left_out


def left_out_note(left_out: Sequence[tuple[Service, str]]) -> str | None:
    """The one line that says which discovered directories are not services, and why."""
    if not left_out:
        return None
    by_reason: dict[str, list[str]] = {}
    for service, reason in left_out:
        by_reason.setdefault(reason, []).append(service.name)
    parts = []
    for reason in sorted(by_reason):
        names = sorted(by_reason[reason])
        shown = ", ".join(names[:4]) + (f", … {len(names) - 4} more" if len(names) > 4 else "")
        parts.append(f"{reason}: {shown}")
    count = len(left_out)
    return (
        f"left out {count} {'directory' if count == 1 else 'directories'} as not deployed "
        f"({'; '.join(parts)}); --include-examples checks them too"
    )


def files_in_service_dir(
    root: Path, directory: str, *, include_dev: bool, problems: list[Diagnostic] | None = None
) -> list[str]:
    """The dependency files directly in `directory` and in its `requirements/` folder."""
    found: list[str] = []
    for folder in (directory, posixpath.join(directory, "requirements")):
        full = root / folder
        try:
            # one listing, no `stat` first: a config of a thousand services lists 2,000 folders
            with os.scandir(full) as entries:
                names = sorted(entry.name for entry in entries)
        except (OSError, ValueError) as exc:
            # no such folder (most services have no `requirements/`) is no problem; one that is
            # there but cannot be listed is
            if isinstance(exc, OSError) and is_directory(full) and problems is not None:
                problems.append(_unlisted(root, exc))
            continue
        for name in names:
            rel = posixpath.normpath(_join(folder, name))
            if _wanted(root, rel, include_dev=include_dev):
                found.append(rel)
    return found


def build_topology(
    root: Path,
    config: Config | None,
    defaults: EnvironmentDefaults,
    *,
    include_dev: bool,
    include_examples: bool = False,
) -> Topology:
    """Services and hosts, from the config or by discovery; problems become diagnostics."""
    diagnostics: list[Diagnostic] = []
    left_out: list[tuple[Service, str]] = []
    config_path = config.path if config else None
    where = Location(config_path) if config_path else Location(".")
    include_dev = include_dev or (config.include_dev if config else False)

    def at(*keys: str | int) -> Location:
        """Where the config writes `keys`, so the message points at the line to fix."""
        return config.location(*keys) if config is not None else where

    def error(message: str, location: Location = where) -> None:
        diagnostics.append(Diagnostic(Severity.ERROR, location, message))

    def warn(message: str, location: Location = where) -> None:
        diagnostics.append(Diagnostic(Severity.WARNING, location, message))

    if config is not None and config.services:
        services: list[Service] = []
        for entry in config.services:
            dev = include_dev if entry.include_dev is None else entry.include_dev
            files: list[str] = []
            if entry.path is not None:
                # (where the config says so is looked up for a message only: finding it scans
                # the whole config, which a clean run never needs)
                path_at = ("services", entry.name, "path")
                if not is_directory(root / entry.path):
                    error(
                        f"service {entry.name!r}: path {entry.path!r} is not a directory",
                        at(*path_at),
                    )
                else:
                    files.extend(
                        files_in_service_dir(
                            root, entry.path, include_dev=dev, problems=diagnostics
                        )
                    )
                    if not files:
                        warn(
                            f"service {entry.name!r}: no dependency files found in {entry.path}",
                            at(*path_at),
                        )
            for index, source in enumerate(entry.sources):
                if source_spec(source, explicit=True) is None:
                    error(
                        f"service {entry.name!r}: {source!r} is not a dependency file "
                        "format depcheck reads",
                        at("services", entry.name, "sources", index),
                    )
                elif source not in files:
                    files.append(source)
            services.append(
                Service(
                    name=entry.name,
                    path=entry.path,
                    sources=tuple(files),
                    extras=entry.extras,
                    include_dev=bool(entry.include_dev),
                )
            )
    else:
        services = discover_services(root, include_dev=include_dev, problems=diagnostics)
        if not include_examples:
            services, left_out = split_not_deployed(services)

    known = {s.name for s in services}
    hosts: list[Host] = []
    if config is not None and config.hosts:
        placed: dict[str, str] = {}
        # (host, service) -> the config keys that list it
        listed: dict[tuple[str, str], tuple[str, str, str, int]] = {}
        for host in config.hosts:
            members: list[str] = []
            for index, name in enumerate(host.services):
                listed_at = ("hosts", host.name, "services", index)
                if name not in known:
                    error(
                        f"host {host.name!r} lists unknown service {name!r} "
                        f"(known: {', '.join(sorted(known)) or 'none'})",
                        at(*listed_at),
                    )
                elif name in members:
                    warn(f"host {host.name!r} lists service {name!r} twice", at(*listed_at))
                else:
                    members.append(name)
                    placed.setdefault(name, host.name)
                    listed[(host.name, name)] = listed_at
            hosts.append(
                Host(
                    name=host.name,
                    services=tuple(sorted(members)),
                    environment=host_environment(host, defaults),
                )
            )
        for name in sorted(known - set(placed)):
            warn(
                f"service {name!r} is on no host; it is checked on its own",
                at("services", name),
            )
        environments: dict[str, list[Host]] = {}
        for host_entry in hosts:
            for name in host_entry.services:
                environments.setdefault(name, []).append(host_entry)
        for name, on in sorted(environments.items()):
            described = {h.environment.describe() for h in on}
            if len(described) > 1:
                warn(
                    f"service {name!r} is on hosts with different environments ("
                    + ", ".join(f"{h.name}: {h.environment.describe()}" for h in on)
                    + "); it is checked on each",
                    at(*listed[(on[-1].name, name)]) if (on[-1].name, name) in listed else where,
                )
    elif services:
        hosts.append(
            Host(
                name=DEFAULT_HOST,
                services=tuple(sorted(known)),
                environment=host_environment(None, defaults),
            )
        )
    note = left_out_note(left_out)
    return Topology(
        services=tuple(sorted(services, key=lambda s: s.name)),
        hosts=tuple(hosts),
        diagnostics=tuple(diagnostics),
        config=config_path,
        left_out=tuple(left_out),
        notes=(note,) if note else (),
    )


def unplaced_services(topology: Topology) -> Sequence[str]:
    placed = {s for h in topology.hosts for s in h.services}
    return [s.name for s in topology.services if s.name not in placed]
