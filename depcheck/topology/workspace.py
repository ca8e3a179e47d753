"""uv workspaces: what a workspace root's `pyproject.toml` says about its members.

- `workspace_files` finds, for each service, the nearest workspace root above it (as uv does);
  its `constraint-dependencies` / `override-dependencies` hold for every member
  (`service.apply_workspace_settings`).
- `[tool.uv] conflicts` lists items uv is told never to install together: members
  (`{package = "a"}`), or a member's extra or dependency group. `declared_pairs` turns the
  entries into pairs of services, counting an extra or a group only when the service installs
  it. Where hosts were only assumed (no config hosts, no deployment file placing them), each
  declared member is checked on a host of its own (`separate_declared`): uv installs such members
  one at a time (`uv sync --package`). Where a config or a deployment file does put them on one
  host, their conflicts are marked "declared" (shown, not failing the run; see
  `analysis/declared.py`).
"""

from __future__ import annotations

import itertools
import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from depcheck.model import (
    DeclaredConflict,
    Diagnostic,
    Host,
    Location,
    Service,
    Severity,
    SourceFile,
)
from depcheck.topology.discover import Topology


def workspace_files(
    services: Sequence[Service],
    sources: Mapping[str, Sequence[SourceFile]],
    read: Callable[[str], SourceFile | None],
) -> list[SourceFile]:
    """The `pyproject.toml` files that say something about a workspace (members, shared
    constraints, `conflicts`): each service's own, and the nearest one above it, as uv finds a
    workspace root; `read` parses one that no service reads itself (a virtual root)."""
    known: dict[str, SourceFile | None] = {
        file.path: file for files in sources.values() for file in files
    }
    found: dict[str, SourceFile] = {}

    def says_something(file: SourceFile | None) -> bool:
        return file is not None and bool(
            file.workspace_members or file.workspace_requirements or file.declared_conflicts
        )

    for service in services:
        if service.path is None:
            continue
        folder = "" if service.path in ("", ".") else service.path
        while True:
            candidate = posixpath.join(folder, "pyproject.toml") if folder else "pyproject.toml"
            if candidate not in known:
                known[candidate] = read(candidate)
            file = known[candidate]
            if file is not None and says_something(file):
                found.setdefault(candidate, file)
                if file.workspace_members:
                    break  # the nearest workspace root is the one uv uses
            if not folder:
                break
            folder = posixpath.dirname(folder)
    return [found[path] for path in sorted(found)]


@dataclass(frozen=True, slots=True)
class DeclaredPairs:
    """Pairs of services a `[tool.uv] conflicts` entry declares never installed together."""

    #: frozenset({a, b}) -> the entry that declares it
    pairs: Mapping[frozenset[str], Location]

    def covers(self, a: str, b: str) -> Location | None:
        return self.pairs.get(frozenset((a, b)))

    @property
    def services(self) -> set[str]:
        return {name for pair in self.pairs for name in pair}

    def __bool__(self) -> bool:
        return bool(self.pairs)


def _under(path: str | None, base: str) -> bool:
    if path is None:
        return False
    return base in ("", ".") or path == base or path.startswith(base + "/")


def _installs(service: Service, extra: str | None, group: str | None) -> bool:
    """Whether `service` installs the item's extra or group (a bare member always)."""
    if extra is not None:
        return "*" in service.extras or extra in service.extras
    if group is not None:
        return service.include_dev
    return True


def _item_text(item: tuple[str, str | None, str | None]) -> str:
    package, extra, group = item
    if extra is not None:
        return f"{package}[{extra}]"
    if group is not None:
        return f"{package} (group {group})"
    return package


def declared_pairs(
    services: Sequence[Service],
    sources: Mapping[str, Sequence[SourceFile]],
    files: Sequence[SourceFile],
) -> tuple[DeclaredPairs, list[Diagnostic]]:
    """The service pairs the scan's `[tool.uv] conflicts` entries declare exclusive.

    An item names a package; it is the service below the declaring file's folder whose
    `pyproject.toml` defines that project. A service that installs two items of one entry (two
    conflicting extras, say) is a warning: uv refuses that install.
    """
    by_name = {s.name: s for s in services}
    pairs: dict[frozenset[str], Location] = {}
    diagnostics: list[Diagnostic] = []
    for source in files:
        if not source.declared_conflicts:
            continue
        base = posixpath.dirname(source.path)
        projects: dict[str, Service] = {}
        for name, own in sources.items():
            service = by_name.get(name)
            if service is None or not _under(service.path, base):
                continue
            for file in own:
                if file.itself is not None:
                    projects.setdefault(file.itself.name, service)
        for entry in source.declared_conflicts:
            _pairs_of(entry, projects, pairs, diagnostics)
    return DeclaredPairs(pairs), diagnostics


def _pairs_of(
    entry: DeclaredConflict,
    projects: Mapping[str, Service],
    pairs: dict[frozenset[str], Location],
    diagnostics: list[Diagnostic],
) -> None:
    active: list[tuple[Service, tuple[str, str | None, str | None]]] = []
    for item in entry.items:
        service = projects.get(item[0])
        if service is not None and _installs(service, item[1], item[2]):
            active.append((service, item))
    for (first, one), (second, other) in itertools.combinations(active, 2):
        if first.name != second.name:
            pairs.setdefault(frozenset((first.name, second.name)), entry.location)
        else:
            diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    entry.location,
                    f"service {first.name} installs both {_item_text(one)} and "
                    f"{_item_text(other)}, which this `[tool.uv] conflicts` entry declares "
                    "never installed together (uv refuses that install)",
                )
            )


def separate_declared(topology: Topology, declared: DeclaredPairs) -> Topology:
    """On hosts that were only assumed, each declared member is checked on a host of its own."""
    if not declared or not topology.assumed:
        return topology
    members = declared.services
    hosts: list[Host] = []
    moved: list[str] = []
    taken = {h.name for h in topology.hosts}
    for host in topology.hosts:
        apart = [s for s in host.services if s in members]
        if len(apart) < 1:
            hosts.append(host)
            continue
        rest = tuple(s for s in host.services if s not in members)
        if rest:
            hosts.append(replace(host, services=rest))
        for service in apart:
            name = service
            for suffix in itertools.count(2):
                if name not in taken or (name == host.name and not rest):
                    break
                name = f"{service}-{suffix}"
            taken.add(name)
            hosts.append(Host(name, (service,), host.environment))
            moved.append(service)
    if not moved:
        return topology
    where = sorted({str(loc) for loc in declared.pairs.values()})
    note = (
        f"`[tool.uv] conflicts` ({', '.join(where)}) declares {_listing(moved)} never installed "
        "together: each checked on a host of its own"
    )
    return replace(topology, hosts=tuple(hosts), notes=(*topology.notes, note))


def _listing(names: Iterable[str]) -> str:
    shown = sorted(names)
    if len(shown) > 6:
        return ", ".join(shown[:6]) + f", … {len(shown) - 6} more"
    return ", ".join(shown[:-1]) + f" and {shown[-1]}" if len(shown) > 1 else shown[0]
