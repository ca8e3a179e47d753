"""`Pipfile`: pipenv's TOML list of top-level packages.

    [packages]        name = <entry>     always
    [dev-packages]    name = <entry>     only when the install takes them (`pipenv install
                                         --dev`, `--categories`, `--include-dev`)
    [<category>]      name = <entry>     pipenv's other package categories: as dev-packages
    [requires]        python_version = "3.11"        -> requires_python ==3.11.*
                      python_full_version = "3.11.4" -> requires_python ==3.11.4
    [[source]], [pipenv], [scripts]      not dependencies, ignored

    entry = "*" | "<specifiers>" | "<version>"       ("1.0" means ==1.0, as pipenv reads it)
          | { version = "...", extras = [...], markers = "...", index = "...",
              <marker name> = "<op> '<value>'", ...}   (e.g. sys_platform = "== 'linux'")
          | { git|hg|svn|bzr = "<url>", ref = "...", subdirectory = "...", editable = true }
          | { path = "...", editable = true } | { file = "<url or path>" }

Marker-name keys are ANDed with `markers`, as pipenv does. VCS, path and file entries become
requirements with no version constraint and the reference in `url` (VCS URLs in PEP 508 form:
`git+<url>@<ref>#subdirectory=...`). Values of the wrong type are reported and skipped.

pipenv's own reader (`plette`) validates the whole file at once, stops at the first problem and
keeps no positions; the format is a small TOML schema, so we read it with `tomllib` and find
lines with `TomlLocations`.
"""

from __future__ import annotations

import re
from typing import Any

from packaging.markers import InvalidMarker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from depcheck.model import Requirement, Role
from depcheck.sources.declared import (
    Collector,
    TomlDeclaredSource,
    TomlReader,
    and_markers,
    companion_data,
    describe_type,
    requirement_text,
    vcs_url,
)
from depcheck.sources.direct import pipfile_declaration
from depcheck.sources.interface import ProjectDeclaration, ReadOptions
from depcheck.sources.toml_locations import KeyPath, TomlLocations

_NOT_PACKAGES = frozenset({"source", "requires", "pipenv", "scripts"})
_VCS = ("git", "hg", "svn", "bzr")
_MARKER_KEYS = (
    "os_name",
    "sys_platform",
    "platform_machine",
    "platform_python_implementation",
    "platform_release",
    "platform_system",
    "platform_version",
    "python_version",
    "python_full_version",
    "implementation_name",
    "implementation_version",
)
_OPERATOR_RE = re.compile(r"^\s*(===|==|!=|~=|<=|>=|<|>)")


class PipfileSource(TomlDeclaredSource):
    """Reads the packages a `Pipfile` asks for."""

    format = "Pipfile"

    def declaration(self, path: str, options: ReadOptions) -> ProjectDeclaration | None:
        """The names in `[packages]` and, as development ones, `[dev-packages]`."""
        data = companion_data(options, path)
        return None if data is None else pipfile_declaration(data)

    def reader(
        self, path: str, options: ReadOptions, locations: TomlLocations, collector: Collector
    ) -> TomlReader:
        return _Reader(path, options, locations, collector)


class _Reader(TomlReader):
    def read(self, data: dict[str, Any]) -> None:
        for category, table in data.items():
            if category in _NOT_PACKAGES:
                continue
            if not isinstance(table, dict):
                self.error(
                    (category,),
                    f"[{category}] must be a table of packages, not {describe_type(table)}",
                )
                continue
            found = [self.package(name, value, (category, name)) for name, value in table.items()]
            group = "dev" if category == "dev-packages" else category
            if category == "packages" or self.options.wants_group(group, default=False):
                self.requirements.extend(r for r in found if r is not None)
        self.read_requires(data.get("requires"))

    def read_requires(self, requires: object) -> None:
        """`[requires]`: python_version / python_full_version as the Python requirement."""
        if requires is None:
            return
        if not isinstance(requires, dict):
            self.error(("requires",), f"[requires] must be a table, not {describe_type(requires)}")
            return
        for key, template in (("python_version", "=={}.*"), ("python_full_version", "=={}")):
            value = requires.get(key)
            if value is None:
                continue
            if not isinstance(value, str):
                self.error(("requires", key), f"{key} must be a string, not {describe_type(value)}")
                continue
            try:
                specifier = SpecifierSet(template.format(value.strip()))
            except InvalidSpecifier:
                self.error(("requires", key), f"invalid {key} {value!r}")
                continue
            if self.requires_python is None:
                self.requires_python = specifier
                self.requires_python_line = self.loc(("requires", key)).line
            else:
                self.requires_python &= specifier

    def package(self, name: str, value: object, path: KeyPath) -> Requirement | None:
        if isinstance(value, str):
            value = {"version": value}
        if not isinstance(value, dict):
            self.error(
                path,
                f"{name}: a package must be a version string or a table, "
                f"not {describe_type(value)}",
            )
            return None
        return self._table(name, value, path)

    def _table(self, name: str, table: dict[str, Any], path: KeyPath) -> Requirement | None:
        text_keys = ("version", "markers", "ref", "subdirectory", "path", "file", *_VCS)
        extras = self.entry_extras(name, table, path, (*text_keys, *_MARKER_KEYS))
        if extras is None:
            return None

        specifier_text = ""
        version = table.get("version", "*").strip()
        if version not in ("", "*"):
            specifier_text = version if _OPERATOR_RE.match(version) else f"=={version}"
        try:
            specifier = SpecifierSet(specifier_text)
        except InvalidSpecifier:
            self.error(path, f"{name}: invalid version {version!r}")
            return None

        conditions = [f"{key} {table[key].strip()}" for key in _MARKER_KEYS if key in table]
        try:
            marker = and_markers(table.get("markers"), *conditions)
        except InvalidMarker as exc:
            self.error(path, f"{name}: invalid marker: {str(exc).splitlines()[0]}")
            return None

        url = _reference(table)
        return Requirement(
            name=canonicalize_name(name),
            display_name=name,
            specifier=specifier,
            marker=marker,
            extras=frozenset(canonicalize_name(e) for e in extras),
            text=requirement_text(name, extras, specifier_text, url, marker),
            location=self.loc(path),
            role=Role.DECLARED,
            url=url,
            editable=table.get("editable") is True,
        )


def _reference(table: dict[str, Any]) -> str | None:
    """The VCS URL (PEP 508 form), path or file an entry installs from, if any."""
    for vcs in _VCS:
        if vcs in table:
            return vcs_url(vcs, table[vcs], table.get("ref"), table.get("subdirectory"))
    for key in ("path", "file"):
        if key in table:
            return str(table[key])
    return None
