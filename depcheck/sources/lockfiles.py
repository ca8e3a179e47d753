"""What the lock-file sources (poetry.lock, uv.lock, Pipfile.lock, pylock.toml) share.

Reading: a TOML lock parsed once for its format's reader (`TomlLockSource`), each `[[package]]`
table that has a name (`package_tables`), a lock field's marker, and the pin a lock entry becomes
(`locked_requirement`). Facts a lock does not record (which packages are direct) come from its
declared companion in `ReadOptions.project`; no lock source reads that file. Then, since a
lock records every package it resolved and the edges between them, but which of those packages
a deployed service installs, and under which markers, is for the reader to work out:

- **Marker specialization.** Lock markers mix the host's environment (`python_version`,
  `sys_platform`), which only the conflict check knows, with facts the lock reader already
  knows: which extras are active (`extra == "http"`), which dependency groups are installed
  (PEP 751 `"dev" in dependency_groups`). `specialize` replaces the known atoms by their truth
  value and simplifies, so what reaches `conflicts.collect` mentions only the host environment.
  `packaging` has no public partial evaluation, so we walk `Marker`'s parsed tree (a private
  attribute, stable since packaging 22); every atom is still evaluated by `Marker.evaluate`,
  and a tree we do not recognise is returned unchanged.
- **Reachability.** `walk` follows a lock's edges from the project's own requirements, with
  extras (a `requests[socks]` edge activates requests' `socks` dependencies), and tells which
  packages a runtime install reaches, which edges are active, and the marker under which each
  package is installed: the `or` over incoming edges of (parent's marker `and` edge marker),
  computed over strongly connected components in topological order (`networkx`). A component
  of several packages shares the `or` of what enters it (an over-approximation: a package may
  be reported where it is not installed, never the reverse). Markers are not simplified, so a
  package reached by many differently-guarded routes would grow a huge marker: past `MAX_TERMS`
  alternatives we record "always installed" (None), again erring towards reporting.
"""

from __future__ import annotations

import abc
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from packaging._parser import Variable
from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from depcheck.model import Diagnostic, Location, Requirement, Role, Severity, SourceFile
from depcheck.sources.declared import TomlDocument, read_toml
from depcheck.sources.interface import (
    ReadOptions,
    Source,
    drop_unusable_versions,
)

MAX_TERMS = 12
MAX_MARKER_LENGTH = 2000

MarkerValues = Mapping[str, str | AbstractSet[str]]


@dataclass(slots=True)
class Diagnostics:
    """The diagnostics one read gathers."""

    path: str
    items: list[Diagnostic] = field(default_factory=list)

    def error(self, line: int | None, message: str, column: int | None = None) -> None:
        self.items.append(Diagnostic(Severity.ERROR, Location(self.path, line, column), message))

    def warn(self, line: int | None, message: str, column: int | None = None) -> None:
        self.items.append(Diagnostic(Severity.WARNING, Location(self.path, line, column), message))


class TomlLockSource(Source):
    """A lock in TOML: read and parsed here, once, for the format's `read_lock`.

    A document `tomllib` rejects is one error at the line it names, and nothing else is read.
    """

    format: str

    def read(self, path: str, options: ReadOptions) -> SourceFile:
        document, problems = read_toml(options, path)
        if document is None:
            return SourceFile(
                path=path, format=self.format, role=Role.LOCKED, diagnostics=tuple(problems)
            )
        return drop_unusable_versions(
            self.read_lock(path, options, document, Diagnostics(path, problems))
        )

    @abc.abstractmethod
    def read_lock(
        self, path: str, options: ReadOptions, document: TomlDocument, diagnostics: Diagnostics
    ) -> SourceFile:
        """What the parsed lock installs; `diagnostics` already holds the decoding warnings."""


class LockedPackage(Protocol):
    """A lock entry as a reader keeps it: its normalized name and a key unique in the lock."""

    @property
    def name(self) -> str: ...

    @property
    def key(self) -> str: ...


P = TypeVar("P", bound=LockedPackage)


@dataclass(slots=True)
class LockReader(Generic[P]):
    """The state every TOML lock reader starts from: the document and its packages by name/key.

    One name may be locked several times (per-platform forks), so `by_name` holds a list.
    """

    path: str
    options: ReadOptions
    document: TomlDocument
    diagnostics: Diagnostics
    packages: list[P] = field(default_factory=list)
    by_name: dict[str, list[P]] = field(default_factory=lambda: defaultdict(list))
    by_key: dict[str, P] = field(default_factory=dict)

    @property
    def data(self) -> dict[str, Any]:
        return self.document.data

    def line(self, *path: str | int) -> int | None:
        return self.document.line(*path)

    def add(self, package: P) -> None:
        self.packages.append(package)
        self.by_name[package.name].append(package)
        self.by_key[package.key] = package


def version_problem(table: str, name: str, version: object, *, optional: bool) -> str | None:
    """Why a lock entry's `version` cannot be its pin (the entry is then skipped), or None.

    A missing version is fine when `optional` (the entry installs from a URL or path and is
    recorded by it). A version PEP 440 cannot read would make no specifier at all.
    """
    if version is None or (isinstance(version, str) and not version.strip()):
        return None if optional else f"[[{table}]] {name!r} has no version; skipped"
    if not isinstance(version, str):
        return f"version of {name!r} should be a string; skipped"
    try:
        SpecifierSet(f"=={version.strip()}")
    except InvalidSpecifier:
        return (
            f"[[{table}]] {name!r} has version {version!r}, which is not a PEP 440 version; skipped"
        )
    return None


def locked_requirement(
    path: str,
    name: str,
    specifier: SpecifierSet,
    *,
    line: int | None,
    marker: Marker | None,
    direct: bool,
    url: str | None = None,
    editable: bool = False,
) -> Requirement:
    """The pin a lock entry becomes: `name==version`, or `name @ url` when it has no version."""
    text = f"{name}{specifier}" if str(specifier) else (f"{name} @ {url}" if url else name)
    return Requirement(
        name=canonicalize_name(name),
        display_name=name,
        specifier=specifier,
        marker=marker,
        extras=frozenset(),
        text=text,
        location=Location(path, line),
        role=Role.LOCKED,
        direct=direct,
        url=url,
        editable=editable,
    )


def package_tables(
    data: Mapping[str, Any],
    key: str,
    line: Callable[..., int | None],
    diagnostics: Diagnostics,
) -> Iterator[tuple[int, dict[str, Any], str, int | None]]:
    """Each `[[key]]` entry that is a table with a name: (index, table, name, line).

    The line is where the entry's `name` is written (else its header). A `key` that is no array,
    an entry that is no table and one without a name are reported and skipped.
    """
    entries = data.get(key, [])
    if not isinstance(entries, list):
        diagnostics.error(line(key), f"`{key}` should be an array of tables")
        return
    for index, raw in enumerate(entries):
        where = line(key, index, "name") or line(key, index)
        if not isinstance(raw, dict):
            diagnostics.error(where, f"[[{key}]] entry is not a table")
            continue
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            diagnostics.error(where, f"[[{key}]] entry has no name")
            continue
        yield index, raw, name, where


def parse_marker(value: object, line: int | None, diagnostics: Diagnostics) -> Marker | None:
    """A marker from a lock field; an invalid one is reported and read as no marker."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        diagnostics.warn(line, f"marker should be a string, not {type(value).__name__}")
        return None
    try:
        return Marker(value)
    except InvalidMarker as exc:
        message = getattr(exc, "message", None) or str(exc).splitlines()[0]
        diagnostics.warn(line, f"invalid marker {value!r} ignored: {message}")
        return None


def mentions(marker: Marker | None, names: Iterable[str]) -> bool:
    if marker is None:
        return False
    text = str(marker)
    return any(name in text for name in names)


def specialize(marker: Marker | None, values: MarkerValues) -> Marker | bool | None:
    """`marker` with every atom on a variable in `values` replaced by its truth value.

    Returns True (always) or False (never) when nothing else is left, None for no marker.
    """
    if marker is None:
        return None
    if not mentions(marker, values):
        return marker
    tree = getattr(marker, "_markers", None)
    if not isinstance(tree, list):
        return marker
    try:
        result = _specialize_list(tree, values)
    except (TypeError, ValueError):
        return marker
    if isinstance(result, bool):
        return result
    return Marker(result)


def _specialize_list(items: list[Any], values: MarkerValues) -> str | bool:
    alternatives: list[str] = []
    conjunction: list[str] | None = []
    for item in [*items, "or"]:
        if item == "or":
            if conjunction is not None:
                if not conjunction:
                    return True  # an alternative with nothing left to check always holds
                alternatives.append(" and ".join(conjunction))
            conjunction = []
            continue
        if item == "and" or conjunction is None:
            continue
        if isinstance(item, list):
            value = _specialize_list(item, values)
            if isinstance(value, str) and (" or " in value or " and " in value):
                value = f"({value})"
        elif isinstance(item, tuple) and len(item) == 3:
            value = _specialize_atom(item, values)
        else:
            raise TypeError(f"unexpected marker node {item!r}")
        if isinstance(value, bool):
            if not value:
                conjunction = None  # this alternative can never hold
        else:
            conjunction.append(value)
    if not alternatives:
        return False
    return " or ".join(alternatives)


def _specialize_atom(atom: tuple[Any, Any, Any], values: MarkerValues) -> str | bool:
    lhs, op, rhs = atom
    text = f"{lhs.serialize()} {op.serialize()} {rhs.serialize()}"
    variable = next(
        (node.value for node in (lhs, rhs) if isinstance(node, Variable) and node.value in values),
        None,
    )
    if variable is None:
        return text
    try:
        return Marker(text).evaluate({variable: values[variable]}, context="lock_file")
    except Exception:  # an atom we cannot decide stays for the host to evaluate
        return text


def either(markers: Iterable[Marker | None]) -> Marker | None:
    """The `or` of some markers; None (always) when one is None or the result grows too big."""
    distinct: dict[str, Marker] = {}
    for marker in markers:
        if marker is None:
            return None
        distinct.setdefault(str(marker), marker)
    if not distinct or len(distinct) > MAX_TERMS:
        return None
    if sum(len(text) for text in distinct) > MAX_MARKER_LENGTH:
        return None
    ordered = [distinct[text] for text in sorted(distinct)]
    result = ordered[0]
    for marker in ordered[1:]:
        result = result | marker
    return result


def both(first: Marker | None, second: Marker | None) -> Marker | None:
    """The `and` of two markers (None means always)."""
    if first is None:
        return second
    if second is None or str(first) == str(second):
        return first
    return first & second


# -- reachability -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Edge:
    """`parent` (a node key; None for the project itself) needs `child` under `marker`.

    `extras` are the child's extras the edge asks for; `when_extras`, when set, makes the
    edge count only while one of those extras of the parent is active. `data` is the
    source's own record of the edge (its range, its location).
    """

    parent: str | None
    child: str
    marker: Marker | None = None
    extras: frozenset[str] = frozenset()
    when_extras: frozenset[str] | None = None
    data: Any = None


@dataclass(frozen=True, slots=True)
class Walk:
    """What a runtime install reaches: per package its active extras and its marker."""

    extras: Mapping[str, frozenset[str]]
    markers: Mapping[str, Marker | None]
    #: every edge that counts, with its marker after specialization (None: unconditional)
    edges: Sequence[tuple[Edge, Marker | None]]

    def reached(self, node: str) -> bool:
        return node in self.extras


def walk(
    roots: Iterable[Edge],
    edges: Mapping[str, Sequence[Edge]],
    *,
    extra_markers: bool,
) -> Walk:
    """Follow `edges` from `roots`; `extra_markers`: edge markers test the parent's extras."""
    active_extras: dict[str, set[str]] = {}
    queue: deque[str] = deque()

    def reach(node: str, extras: frozenset[str]) -> None:
        current = active_extras.get(node)
        if current is None:
            active_extras[node] = set(extras)
            queue.append(node)
        elif not extras <= current:
            current |= extras
            queue.append(node)

    def active(edge: Edge, extras: AbstractSet[str]) -> tuple[bool, Marker | None]:
        if edge.when_extras is not None and not edge.when_extras & extras:
            return False, None
        if not extra_markers or not mentions(edge.marker, ("extra",)):
            return True, edge.marker
        result = specialize(edge.marker, {"extra": frozenset(extras)})
        if result is False:
            return False, None
        return True, None if result is True else result

    root_edges = list(roots)
    for edge in root_edges:
        reach(edge.child, edge.extras)
    while queue:
        node = queue.popleft()
        extras = active_extras[node]
        for edge in edges.get(node, ()):
            if active(edge, extras)[0]:
                reach(edge.child, edge.extras)

    counted: list[tuple[Edge, Marker | None]] = [(edge, edge.marker) for edge in root_edges]
    for node in active_extras:
        for edge in edges.get(node, ()):
            ok, marker = active(edge, active_extras[node])
            if ok:
                counted.append((edge, marker))
    frozen = {node: frozenset(extras) for node, extras in active_extras.items()}
    return Walk(frozen, _install_markers(frozen, counted), counted)


def _install_markers(
    nodes: Iterable[str], counted: Sequence[tuple[Edge, Marker | None]]
) -> dict[str, Marker | None]:
    import networkx as nx  # only lock files with dependency edges need it

    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    incoming: dict[str, list[tuple[str | None, Marker | None]]] = defaultdict(list)
    for edge, marker in counted:
        incoming[edge.child].append((edge.parent, marker))
        if edge.parent is not None:
            graph.add_edge(edge.parent, edge.child)
    condensed = nx.condensation(graph)
    result: dict[str, Marker | None] = {}
    for component in nx.topological_sort(condensed):
        members: set[str] = condensed.nodes[component]["members"]
        contributions = [
            marker if parent is None else both(result[parent], marker)
            for member in members
            for parent, marker in incoming[member]
            if parent is None or parent not in members
        ]
        shared = either(contributions) if contributions else None
        for member in members:
            result[member] = shared
    return result


def edges_by_parent(edges: Iterable[Edge]) -> dict[str, list[Edge]]:
    grouped: dict[str, list[Edge]] = defaultdict(list)
    for edge in edges:
        if edge.parent is not None:
            grouped[edge.parent].append(edge)
    return grouped
