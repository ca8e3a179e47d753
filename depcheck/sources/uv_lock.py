"""uv.lock: the universal lock uv writes for a project or a workspace.

The format (lock `version = 1`, any `revision`):

    version, revision, requires-python
    resolution-markers = ["python_full_version < '3.11'", ...]    the forks of the resolution
    [manifest] members = [...]                                      workspace member names
    [[package]]
    name, version (absent for some editable/virtual members with a dynamic version)
    source = { registry = url } | { git = url } | { url = url } | { path = p }
           | { directory = p } | { editable = p } | { virtual = p }
    resolution-markers = [...]           the forks this entry belongs to, when a name is
                                         locked at several versions
    dependencies = [{ name, marker?, extra = [...]?, version?, source? }]
                                         `version` / `source` only where the name is ambiguous
    [package.optional-dependencies] extra = [ ...same shape... ]
    [package.dev-dependencies]      group = [ ...same shape... ]
    [package.metadata] requires-dist, requires-dev, provides-extras   what was asked for

Decisions:

- The project is the set of *roots*: workspace members (`[manifest] members`, or the `editable`
  / `virtual` package at "." when there is no manifest). Roots are not pins; the packages their
  dependencies name are direct. A root's dev groups count only with `include_dev`, its extras
  only when named in `options.extras` ("*": all it has).
- Every other package a runtime install reaches is a pin (`name==version`; a package without a
  version is recorded by its URL/path with no specifier). What a package reaches only through
  dev groups is dev. The pin's marker: for a forked package (several versions of one name) the
  `or` of its `resolution-markers`, so a host environment selects exactly one version; otherwise
  the marker under which the lock's edges reach it (`lockfiles.walk`), so `colorama` reached
  only on Windows is not pinned on a Linux host.
- uv encodes conflicting extras and groups (`[tool.uv] conflicts`) as markers on `extra`
  (`extra == 'extra-7-project-cpu'`); those atoms are decided here from the selected extras and
  groups, the rest of the marker is left for the host.
- uv.lock edges carry no ranges (the resolved graph only), so no transitive constraints come
  from here; the roots' own `requires-dist` ranges are the pyproject source's to report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from packaging.markers import Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from depcheck.model import Dependency, Location, Requirement, Role, SourceFile
from depcheck.sources.declared import ALL_EXTRAS, TomlDocument
from depcheck.sources.interface import ReadOptions
from depcheck.sources.lockfiles import (
    Diagnostics,
    Edge,
    LockReader,
    TomlLockSource,
    Walk,
    edges_by_parent,
    either,
    locked_requirement,
    package_tables,
    parse_marker,
    specialize,
    version_problem,
    walk,
)

FORMAT = "uv.lock"
_KNOWN_VERSION = 1
_PROJECT_SOURCES = ("editable", "virtual")
_URL_SOURCES = ("directory", "path", "git", "url")  # entries that may have no version
_SECTIONS = ("dependencies", "optional-dependencies", "dev-dependencies")


@dataclass(frozen=True, slots=True)
class _Package:
    index: int
    key: str
    name: str
    display: str
    version: str | None
    source: Mapping[str, Any]
    raw: Mapping[str, Any]
    line: int | None

    @property
    def source_kind(self) -> str | None:
        return next(iter(self.source), None)


class UvLockSource(TomlLockSource):
    """Reads a `uv.lock`."""

    format = FORMAT

    def read_lock(
        self, path: str, options: ReadOptions, document: TomlDocument, diagnostics: Diagnostics
    ) -> SourceFile:
        return _Reader(path, options, document, diagnostics).read()


@dataclass(slots=True)
class _Reader(LockReader[_Package]):
    conflict_values: dict[str, frozenset[str]] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)  # names of entries already reported

    def read(self) -> SourceFile:
        self._check_version()
        requires_python = self._requires_python()
        self._packages()
        roots = self._roots()
        extras = {key: self._selected_extras(self.by_key[key]) for key in roots}
        self.conflict_values = {"extra": self._conflict_extras(roots, extras)}
        edges = [edge for package in self.packages for edge in self._edges(package, roots)]
        if roots:
            entries = [Edge(None, key, None, extras[key]) for key in sorted(roots, key=int)]
        else:
            # no project in the lock (unusual): what nothing else needs is what was asked for
            depended = {edge.child for edge in edges}
            entries = [Edge(None, p.key) for p in self.packages if p.key not in depended]
        reach = walk(entries, edges_by_parent(edges), extra_markers=False)
        if roots:
            direct = {
                edge.child
                for edge, _ in reach.edges
                if edge.parent in roots and edge.child not in roots
            }
        else:
            direct = {edge.child for edge in entries}
        requirements: list[Requirement] = []
        pinned: set[str] = set()
        for package in self.packages:
            if package.key in roots or not reach.reached(package.key):
                continue
            pin = self._pin(package, reach, direct)
            if pin is not None:
                requirements.append(pin)
                pinned.add(package.key)
        dependencies = [
            self._dependency(edge, marker)
            for edge, marker in reach.edges
            if edge.parent in pinned and edge.child in pinned
        ]
        return SourceFile(
            path=self.path,
            format=FORMAT,
            role=Role.LOCKED,
            requirements=tuple(requirements),
            dependencies=tuple(dependencies),
            diagnostics=tuple(self.diagnostics.items),
            requires_python=requires_python,
            requires_python_line=self.line("requires-python") if requires_python else None,
        )

    # -- the document -----------------------------------------------------------------

    def _check_version(self) -> None:
        version = self.data.get("version")
        if isinstance(version, int) and version > _KNOWN_VERSION:
            self.diagnostics.warn(
                self.line("version"),
                f"lock version {version} is newer than depcheck knows ({_KNOWN_VERSION}); "
                "read as version 1",
            )

    def _requires_python(self) -> SpecifierSet | None:
        value = self.data.get("requires-python")
        if not isinstance(value, str) or not value.strip():
            return None
        try:
            return SpecifierSet(value)
        except InvalidSpecifier:
            self.diagnostics.warn(
                self.line("requires-python"), f"invalid requires-python {value!r} ignored"
            )
            return None

    def _packages(self) -> None:
        for index, raw, name, line in package_tables(
            self.data, "package", self.line, self.diagnostics
        ):
            source = raw.get("source", {})
            if not isinstance(source, dict):
                self.diagnostics.warn(line, f"source of {name!r} should be a table")
                source = {}
            version = raw.get("version")
            unversioned = next(iter(source), None) in (*_PROJECT_SOURCES, *_URL_SOURCES)
            problem = version_problem("package", name, version, optional=unversioned)
            if problem is not None:
                self.diagnostics.error(line, problem)
                self.skipped.add(canonicalize_name(name))
                continue
            if not isinstance(version, str) or not version.strip():
                version = None
            package = _Package(
                index, str(index), canonicalize_name(name), name, version, source, raw, line
            )
            self.add(package)

    def _roots(self) -> set[str]:
        manifest = self.data.get("manifest", {})
        members = _strings(manifest.get("members")) if isinstance(manifest, dict) else []
        names = {canonicalize_name(m) for m in members}
        return {
            p.key
            for p in self.packages
            if p.source_kind in _PROJECT_SOURCES
            and (p.name in names or p.source.get(p.source_kind) == ".")
        }

    def _selected_extras(self, root: _Package) -> frozenset[str]:
        defined = root.raw.get("optional-dependencies", {})
        defined = {canonicalize_name(e) for e in defined} if isinstance(defined, dict) else set()
        if ALL_EXTRAS in self.options.extras:
            return frozenset(defined)
        return frozenset(canonicalize_name(e) for e in self.options.extras) & defined

    def _conflict_extras(
        self, roots: Iterable[str], extras: Mapping[str, frozenset[str]]
    ) -> frozenset[str]:
        """The `extra` values uv's conflict markers test: extra-<len>-<project>-<name>."""
        values: set[str] = set()
        for key in roots:
            root = self.by_key[key]
            prefix = f"{len(root.name)}-{root.name}"
            values |= {f"extra-{prefix}-{extra}" for extra in extras[key]}
            if self.options.any_group:
                groups = root.raw.get("dev-dependencies", {})
                if isinstance(groups, dict):
                    values |= {
                        f"group-{prefix}-{canonicalize_name(g)}"
                        for g in groups
                        if self.options.wants_group(g, default=canonicalize_name(g) == "dev")
                    }
        return frozenset(values)

    # -- edges --------------------------------------------------------------------------

    def _edges(self, package: _Package, roots: set[str]) -> list[Edge]:
        result: list[Edge] = []
        for section in _SECTIONS:
            if section == "dev-dependencies" and (
                package.key not in roots or not self.options.any_group
            ):
                continue
            value = package.raw.get(section)
            if value is None:
                continue
            if section == "dependencies":
                groups: Iterable[tuple[str | None, object]] = [(None, value)]
            elif isinstance(value, dict):
                groups = value.items()
            else:
                where = self.line("package", package.index, section)
                self.diagnostics.warn(where, f"{section} of {package.display!r} should be a table")
                continue
            for group, items in groups:
                if (
                    section == "dev-dependencies"
                    and isinstance(group, str)
                    and not self.options.wants_group(
                        group, default=canonicalize_name(group) == "dev"
                    )
                ):
                    continue  # a dependency group the install does not take
                where_path: tuple[str | int, ...] = ("package", package.index, section)
                if group is not None:
                    where_path = (*where_path, group)
                if not isinstance(items, list):
                    self.diagnostics.warn(
                        self.line(*where_path),
                        f"{section} of {package.display!r} should be an array of tables",
                    )
                    continue
                when = (
                    frozenset({canonicalize_name(group)})
                    if section == "optional-dependencies" and group is not None
                    else None
                )
                for position, item in enumerate(items):
                    line = self.line(*where_path, position)
                    result.extend(self._edge(package, item, line, when))
        return result

    def _edge(
        self, parent: _Package, item: object, line: int | None, when: frozenset[str] | None
    ) -> list[Edge]:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            self.diagnostics.warn(line, f"dependency of {parent.display!r} has no name")
            return []
        name = canonicalize_name(item["name"])
        candidates = self.by_name.get(name, [])
        if not candidates:
            if name in self.skipped:
                return []
            self.diagnostics.warn(
                line, f"{parent.display!r} depends on {item['name']!r}, which is not locked"
            )
            return []
        if len(candidates) > 1:
            version, source = item.get("version"), item.get("source")
            candidates = [
                c
                for c in candidates
                if (version is None or c.version == version)
                and (not isinstance(source, dict) or dict(c.source) == source)
            ] or candidates
        marker = specialize(
            parse_marker(item.get("marker"), line, self.diagnostics), self.conflict_values
        )
        if marker is False:
            return []
        extras = frozenset(canonicalize_name(e) for e in _strings(item.get("extra")))
        return [
            Edge(
                parent.key,
                child.key,
                None if marker is True else marker,
                extras,
                when,
                data=line,
            )
            for child in candidates
        ]

    # -- records ------------------------------------------------------------------------

    def _pin(self, package: _Package, reach: Walk, direct: set[str]) -> Requirement | None:
        marker: Marker | None = reach.markers.get(package.key)
        forks = package.raw.get("resolution-markers")
        if isinstance(forks, list) and forks:
            line = self.line("package", package.index, "resolution-markers")
            parsed = [
                specialize(parse_marker(m, line, self.diagnostics), self.conflict_values)
                for m in forks
            ]
            if all(p is False for p in parsed):
                return None  # a fork only the unselected extras or groups reach
            marker = either(None if p is True else p for p in parsed if p is not False)
        url, editable = _url(package)
        return locked_requirement(
            self.path,
            package.display,
            SpecifierSet(f"=={package.version}" if package.version is not None else ""),
            line=package.line,
            marker=marker,
            direct=package.key in direct,
            url=url,
            editable=editable,
        )

    def _dependency(self, edge: Edge, marker: Marker | None) -> Dependency:
        assert edge.parent is not None
        parent, child = self.by_key[edge.parent], self.by_key[edge.child]
        return Dependency(
            parent=parent.name,
            parent_version=parent.version,
            child=child.name,
            specifier=SpecifierSet(),
            marker=marker,
            location=Location(self.path, edge.data),
        )


def _url(package: _Package) -> tuple[str | None, bool]:
    """Where a non-registry package comes from, as pip would write it."""
    kind = package.source_kind
    value = package.source.get(kind) if kind else None
    if not isinstance(value, str) or kind == "registry":
        return None, False
    if kind == "git":
        return _git_url(value), False
    return value, kind == "editable"


def _git_url(value: str) -> str:
    """uv's `https://host/repo?subdirectory=x&rev=y#commit` as `git+https://host/repo@commit`."""
    parts = urlsplit(value)
    query = parse_qs(parts.query)
    reference = parts.fragment or next(
        (query[key][0] for key in ("rev", "tag", "branch") if key in query), ""
    )
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    text = f"git+{base}" + (f"@{reference}" if reference else "")
    if "subdirectory" in query:
        text += f"#subdirectory={query['subdirectory'][0]}"
    return text


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
