"""poetry.lock: the packages Poetry resolved, their groups and markers, and the ranges between them.

The format (Poetry 1.x writes lock-version 1.x / 2.0, Poetry 2.x writes 2.1):

    [[package]]
    name, version, optional, python-versions, files
    groups = ["main", "dev"]                            2.1; "main" is what a deploy installs
    markers = "..." | {main = "...", dev = "..."}       2.1; when the package is installed
    category = "main" | "dev"                           1.x
    develop = true                                      an editable directory package
    [package.dependencies]
    name = "range"
         | {version = "range", markers, extras = [...], optional, python = "range", path/git/url}
         | [{version, markers}, ...]                    one entry per marker-split constraint
    [package.extras]    extra = ["name (range) ; marker", ...]
    [package.source]    type = git | directory | file | url | legacy, url, reference,
                        resolved_reference, subdirectory
    [extras]            the project's own extras -> the optional packages they install
    [metadata]          lock-version, python-versions, content-hash

Decisions:

- Every runtime package is a pin (`name==version`, with its 2.1 `markers` for the runtime
  groups, else the marker under which the lock's edges reach it). Runtime means: `groups`
  contains "main" (2.1), else `category` is not "dev" (1.x), else (2.0 records neither) what the
  sibling pyproject's main dependencies reach through the lock. `include_dev` keeps every group.
  Optional packages count only for extras in `options.extras` ("*": all), judged by their
  `extra == ...` markers (2.1) or the lock's `[extras]` table.
- Ranges on edges are real constraints (botocore needs urllib3<1.27): every active edge with a
  range is also a transitive `Requirement` (`parent` set), guarded by the parent's install
  marker and the edge marker, so it only counts on hosts where the parent is installed. Poetry's
  syntax (`^`, `~`, `||`) is converted by `poetry_constraints`; a `||` union no specifier set can
  express becomes its hull, which admits more versions, never fewer: no invented conflicts.
- Which packages are direct is not in the lock. The sibling `pyproject.toml` says
  (`[tool.poetry.dependencies]`, `[project] dependencies`, their extras, and the dev groups with
  `include_dev`); we read only names, extras and markers there, everything else is the pyproject
  source's business (`pyproject.declaration`; service assembly passes it as `ReadOptions.project`).
  Without one, a package no other runtime package depends on is direct.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from depcheck.model import Dependency, Location, Requirement, Role, SourceFile
from depcheck.sources.declared import ALL_EXTRAS, TomlDocument, vcs_url
from depcheck.sources.interface import ReadOptions
from depcheck.sources.lockfiles import (
    Diagnostics,
    Edge,
    LockReader,
    TomlLockSource,
    Walk,
    both,
    edges_by_parent,
    either,
    locked_requirement,
    mentions,
    package_tables,
    parse_marker,
    specialize,
    version_problem,
    walk,
)
from depcheck.sources.poetry_constraints import (
    Converted,
    PoetryConstraintError,
    convert_constraint,
    extras_table,
    python_marker,
)

FORMAT = "poetry.lock"
_EXTRA_LITERAL_RE = re.compile(r"""\bextra\s*==\s*["']([^"']+)["']""")
_KNOWN_LOCK_MAJOR = 2


@dataclass(frozen=True, slots=True)
class _Package:
    index: int
    key: str
    name: str
    display: str
    version: str
    raw: Mapping[str, Any]
    line: int | None


@dataclass(frozen=True, slots=True)
class _EdgeInfo:
    written: str
    specifier: SpecifierSet
    line: int | None


@dataclass(slots=True)
class _Project:
    """What the sibling pyproject.toml says the project asks for (names, extras, markers)."""

    roots: list[tuple[str, frozenset[str], Marker | None]] = field(default_factory=list)
    extras: set[str] = field(default_factory=set)
    #: Poetry groups marked `optional = true` (installed only when asked for by name)
    optional_groups: set[str] = field(default_factory=set)


class PoetryLockSource(TomlLockSource):
    """Reads a `poetry.lock`; the sibling `pyproject.toml`'s direct dependencies come in
    `ReadOptions.project`."""

    format = FORMAT
    companion = "pyproject.toml"

    def read_lock(
        self, path: str, options: ReadOptions, document: TomlDocument, diagnostics: Diagnostics
    ) -> SourceFile:
        return _Reader(path, options, document, diagnostics).read()


@dataclass(slots=True)
class _Reader(LockReader[_Package]):
    edges: list[Edge] = field(default_factory=list)
    selected: frozenset[str] = frozenset()

    def read(self) -> SourceFile:
        requires_python = self._metadata()
        requires_python_line = self.line("metadata", "python-versions") if requires_python else None
        self._packages()
        for package in self.packages:
            self._package_edges(package)
        project = self._project()
        self.selected = self._selected_extras(project)

        first = walk(self._roots(project), edges_by_parent(self.edges), extra_markers=True)
        runtime = {p.key for p in self.packages if self._runtime(p, project, first)}
        unreached = [self._root_edge(self.by_key[k]) for k in sorted(runtime, key=int)]
        unreached = [edge for edge in unreached if not first.reached(edge.child)]
        reach = first
        if unreached:
            roots = [*self._roots(project), *unreached]
            reach = walk(roots, edges_by_parent(self.edges), extra_markers=True)

        markers: dict[str, Marker | None] = {}
        for package in self.packages:
            if package.key not in runtime:
                continue
            installed, marker = self._install_marker(package, reach)
            if installed:
                markers[package.key] = marker
            else:
                runtime.discard(package.key)
        requirements = self._pins(runtime, markers, project, reach)
        dependencies: list[Dependency] = []
        for edge, marker in reach.edges:
            if edge.parent is None or edge.parent not in runtime or edge.child not in runtime:
                continue
            self._emit_edge(edge, marker, markers, dependencies, requirements)
        return SourceFile(
            path=self.path,
            format=FORMAT,
            role=Role.LOCKED,
            requirements=tuple(requirements),
            dependencies=tuple(dependencies),
            diagnostics=tuple(self.diagnostics.items),
            requires_python=requires_python,
            requires_python_line=requires_python_line,
        )

    # -- the document -----------------------------------------------------------------

    def _metadata(self) -> SpecifierSet | None:
        metadata = self.data.get("metadata", {})
        if not isinstance(metadata, dict):
            self.diagnostics.warn(self.line("metadata"), "[metadata] should be a table")
            return None
        lock_version = metadata.get("lock-version")
        if isinstance(lock_version, str):
            try:
                major = Version(lock_version).major
            except InvalidVersion:
                major = 0
            if major > _KNOWN_LOCK_MAJOR:
                self.diagnostics.warn(
                    self.line("metadata", "lock-version"),
                    f"lock-version {lock_version} is newer than depcheck knows (2.x); read as 2.x",
                )
        python = metadata.get("python-versions")
        if not isinstance(python, str):
            return None
        try:
            converted = convert_constraint(python)
        except PoetryConstraintError as exc:
            self.diagnostics.warn(self.line("metadata", "python-versions"), str(exc))
            return None
        return converted.specifier_set if converted.text else None

    def _packages(self) -> None:
        for index, raw, name, line in package_tables(
            self.data, "package", self.line, self.diagnostics
        ):
            version = raw.get("version")
            problem = version_problem("package", name, version, optional=False)
            if problem is not None:
                self.diagnostics.error(line, problem)
                continue
            assert isinstance(version, str)  # version_problem saw to that
            package = _Package(
                index, str(index), canonicalize_name(name), name, version.strip(), raw, line
            )
            self.add(package)

    def _package_edges(self, package: _Package) -> None:
        table = package.raw.get("dependencies", {})
        if not isinstance(table, dict):
            line = self.line("package", package.index, "dependencies")
            self.diagnostics.warn(line, f"dependencies of {package.display!r} should be a table")
            return
        extras_of_parent = extras_table(package.raw.get("extras"))
        for key, value in table.items():
            entries = value if isinstance(value, list) else [value]
            for position, entry in enumerate(entries):
                where: tuple[str | int, ...] = ("package", package.index, "dependencies", key)
                if isinstance(value, list):
                    where = (*where, position)
                self._edge(package, key, entry, self.line(*where), extras_of_parent)

    def _edge(
        self,
        parent: _Package,
        key: str,
        entry: object,
        line: int | None,
        extras_of_parent: Mapping[str, set[str]],
    ) -> None:
        marker: Marker | None = None
        extras: frozenset[str] = frozenset()
        optional = False
        if isinstance(entry, str):
            written = entry
        elif isinstance(entry, dict):
            version = entry.get("version", "*")
            written = version if isinstance(version, str) else "*"
            marker = parse_marker(entry.get("markers"), line, self.diagnostics)
            python = entry.get("python")
            if isinstance(python, str):
                try:
                    python_text = python_marker(python)
                except PoetryConstraintError as exc:
                    self.diagnostics.warn(line, f"{key}: python {python!r}: {exc}")
                    python_text = ""
                if python_text:
                    marker = both(marker, Marker(python_text))
            raw_extras = entry.get("extras", [])
            if isinstance(raw_extras, list):
                extras = frozenset(canonicalize_name(e) for e in raw_extras if isinstance(e, str))
            optional = entry.get("optional") is True
        else:
            self.diagnostics.warn(
                line, f"dependency {key!r} of {parent.display!r} should be a string or a table"
            )
            return
        try:
            converted = convert_constraint(written)
        except PoetryConstraintError as exc:
            self.diagnostics.warn(line, f"dependency {key!r} of {parent.display!r}: {exc}")
            converted = Converted(())
        specifier = converted.specifier_set
        child_name = canonicalize_name(key)
        candidates = self.by_name.get(child_name, [])
        if len(candidates) > 1:
            # one name locked several times (per-platform wheels, python splits): the edge's
            # own source or range says which entries it means
            for keep in (_same_source(entry), lambda c: _admits(specifier, c.version)):
                fitting = [c for c in candidates if keep(c)]
                candidates = fitting or candidates
        when_extras: frozenset[str] | None = None
        if optional and not mentions(marker, ("extra",)):
            named = {extra for extra, names in extras_of_parent.items() if child_name in names}
            when_extras = frozenset(named) if named else None
        info = _EdgeInfo(written=f"{key}{converted.text}", specifier=specifier, line=line)
        for child in candidates:
            self.edges.append(
                Edge(parent.key, child.key, marker, extras, when_extras, data=info),
            )

    # -- what the project asks for ----------------------------------------------------------

    def _project(self) -> _Project | None:
        """The sibling pyproject's direct dependencies that count here (service assembly reads
        them); None when there are none: then what nothing depends on is direct."""
        declared = self.options.project
        if declared is None:
            return None
        project = _Project(
            extras=set(declared.extras), optional_groups=set(declared.optional_groups)
        )
        selected = self._selected_extras(project)
        project.roots = [
            (d.name, d.extras, d.marker)
            for d in declared.direct
            if (not d.dev or self.options.wants_group(d.group or "dev", default=d.default))
            and (d.with_extras is None or d.with_extras & selected)
        ]
        # a pyproject that is not this lock's project (no dependencies at all) says nothing
        return project if project.roots else None

    def _selected_extras(self, project: _Project | None) -> frozenset[str]:
        requested = {canonicalize_name(e) if e != ALL_EXTRAS else e for e in self.options.extras}
        if ALL_EXTRAS not in requested:
            return frozenset(requested)
        known = set(project.extras) if project else set()
        lock_extras = self.data.get("extras", {})
        if isinstance(lock_extras, dict):
            known |= {canonicalize_name(e) for e in lock_extras}
        for package in self.packages:
            raw = package.raw.get("markers")
            texts = raw.values() if isinstance(raw, dict) else [raw]
            for text in texts:
                if isinstance(text, str):
                    known |= {canonicalize_name(e) for e in _EXTRA_LITERAL_RE.findall(text)}
        return frozenset(known)

    def _roots(self, project: _Project | None) -> list[Edge]:
        if project is not None:
            roots = []
            for name, extras, marker in project.roots:
                for package in self.by_name.get(canonicalize_name(name), []):
                    roots.append(Edge(None, package.key, marker, extras))
            return roots
        depended = {edge.child for edge in self.edges}
        return [self._root_edge(p) for p in self.packages if p.key not in depended]

    def _root_edge(self, package: _Package) -> Edge:
        """An entry point whose extras nobody told us: those whose packages are all locked."""
        extras = frozenset(
            extra
            for extra, names in extras_table(package.raw.get("extras")).items()
            if names and all(name in self.by_name for name in names)
        )
        return Edge(None, package.key, None, extras)

    # -- runtime, markers, records ----------------------------------------------------

    def _runtime(self, package: _Package, project: _Project | None, first: Walk) -> bool:
        raw = package.raw
        groups = raw.get("groups")
        category = raw.get("category")
        if isinstance(groups, list):
            in_runtime = any(self._takes(g, project) for g in groups if isinstance(g, str))
        elif isinstance(category, str):
            in_runtime = category != "dev" or self.options.wants_group("dev")
        elif project is not None and not self.options.include_dev:
            in_runtime = first.reached(package.key)
        else:
            in_runtime = True
        if not in_runtime:
            return False
        if raw.get("optional") is True and not _marker_mentions_extra(raw.get("markers")):
            lock_extras = extras_table(self.data.get("extras"))
            if lock_extras:
                return any(package.name in lock_extras.get(e, ()) for e in self.selected)
        return True

    def _takes(self, group: str, project: _Project | None) -> bool:
        """Whether the install takes the lock's group `group` (`main`: always)."""
        if group == "main":
            return True
        optional = project is not None and canonicalize_name(group) in project.optional_groups
        return self.options.wants_group(group, default=not optional)

    def _install_marker(self, package: _Package, reach: Walk) -> tuple[bool, Marker | None]:
        """When the package is installed: False when never (an extra that is not selected)."""
        raw = package.raw.get("markers")
        line = self.line("package", package.index, "markers") or package.line
        if raw is None:
            # lock-version 2.1 (`groups`) writes a marker for every conditional package, so none
            # means always; older locks record none, so the route through the lock decides
            return True, None if "groups" in package.raw else reach.markers.get(package.key)
        if isinstance(raw, dict):
            groups = package.raw.get("groups")
            wanted = set(groups) if isinstance(groups, list) else set(raw)
            wanted = {g for g in wanted if self._takes(g, None)}
            marker = either(parse_marker(raw.get(g), line, self.diagnostics) for g in wanted)
        else:
            marker = parse_marker(raw, line, self.diagnostics)
        result = specialize(marker, {"extra": self.selected})
        if isinstance(result, bool):
            return result, None
        return True, result

    def _pins(
        self,
        runtime: set[str],
        markers: Mapping[str, Marker | None],
        project: _Project | None,
        reach: Walk,
    ) -> list[Requirement]:
        if project is not None:
            direct: set[str] = {canonicalize_name(name) for name, _, _ in project.roots}
        else:
            depended = {
                edge.child
                for edge, _ in reach.edges
                if edge.parent is not None and edge.parent in runtime
            }
            direct = {p.name for p in self.packages if p.key not in depended}
        result = []
        for package in self.packages:
            if package.key not in runtime:
                continue
            url, editable = self._url(package)
            result.append(
                locked_requirement(
                    self.path,
                    package.display,
                    SpecifierSet(f"=={package.version}"),
                    line=package.line,
                    marker=markers[package.key],
                    direct=package.name in direct,
                    url=url,
                    editable=editable,
                )
            )
        return result

    def _url(self, package: _Package) -> tuple[str | None, bool]:
        source = package.raw.get("source")
        editable = package.raw.get("develop") is True
        if not isinstance(source, dict):
            return None, editable
        kind, url = source.get("type"), source.get("url")
        if not isinstance(url, str) or kind in (None, "legacy", "supplemental", "explicit"):
            return None, editable
        if kind == "git":
            reference = source.get("resolved_reference") or source.get("reference")
            return vcs_url("git", url, reference, source.get("subdirectory")), editable
        return url, editable

    def _emit_edge(
        self,
        edge: Edge,
        marker: Marker | None,
        markers: Mapping[str, Marker | None],
        dependencies: list[Dependency],
        requirements: list[Requirement],
    ) -> None:
        assert edge.parent is not None
        parent, child = self.by_key[edge.parent], self.by_key[edge.child]
        info: _EdgeInfo = edge.data
        location = Location(self.path, info.line)
        dependencies.append(
            Dependency(
                parent=parent.name,
                parent_version=parent.version,
                child=child.name,
                specifier=info.specifier,
                marker=marker,
                location=location,
            )
        )
        if not str(info.specifier):
            return
        guard = f"; {marker}" if marker is not None else ""
        requirements.append(
            Requirement(
                name=child.name,
                display_name=child.display,
                specifier=info.specifier,
                marker=both(markers.get(parent.key), marker),
                extras=edge.extras,
                text=f"{info.written}{guard} (required by {parent.display} {parent.version})",
                location=location,
                role=Role.LOCKED,
                direct=False,
                parent=parent.name,
            )
        )


# -- helpers ------------------------------------------------------------------------------


def _admits(specifier: SpecifierSet, version: str) -> bool:
    try:
        return specifier.contains(version, prereleases=True)
    except InvalidVersion:
        return False


def _same_source(entry: object) -> Callable[[_Package], bool]:
    """Whether a locked entry comes from where a dependency table says (url, git, named source)."""
    wanted: dict[str, str] = {}
    if isinstance(entry, dict):
        for key, field_name in (
            ("url", "url"),
            ("git", "url"),
            ("file", "url"),
            ("source", "reference"),
        ):
            value = entry.get(key)
            if isinstance(value, str):
                wanted[field_name] = _plain_url(value)

    def keep(package: _Package) -> bool:
        source = package.raw.get("source")
        if not wanted or not isinstance(source, dict):
            return False
        return all(_plain_url(str(source.get(k, ""))) == v for k, v in wanted.items())

    return keep


def _plain_url(url: str) -> str:
    return url.rstrip("/").removesuffix(".git")


def _marker_mentions_extra(raw: object) -> bool:
    texts = raw.values() if isinstance(raw, dict) else [raw]
    return any(isinstance(t, str) and _EXTRA_LITERAL_RE.search(t) for t in texts)
