"""`Pipfile`: pipenv's TOML list of top-level packages.

    [packages]        name = <entry>     always
    [dev-packages]    name = <entry>     only with `options.include_dev`
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
import tomllib
from typing import Any

from packaging.markers import InvalidMarker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from depcheck.model import Location, Requirement, Role, SourceFile
from depcheck.sources.declared import (
    Collector,
    and_markers,
    describe_type,
    requirement_text,
    toml_error_diagnostic,
)
from depcheck.sources.interface import ReadOptions, Source, read_text
from depcheck.sources.toml_locations import Path, TomlLocations

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


class PipfileSource(Source):
    """Reads the packages a `Pipfile` asks for."""

    format = "Pipfile"

    def read(self, path: str, options: ReadOptions) -> SourceFile:
        text, decode_diagnostics = read_text(options.root, path)
        collector = Collector(list(decode_diagnostics))
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            collector.diagnostics.append(toml_error_diagnostic(path, exc, text))
            return SourceFile(
                path=path,
                format=self.format,
                role=Role.DECLARED,
                diagnostics=tuple(collector.diagnostics),
            )
        reader = _Reader(path, TomlLocations(text), collector)
        requirements: list[Requirement] = []
        for category, table in data.items():
            if category in _NOT_PACKAGES:
                continue
            if not isinstance(table, dict):
                reader.error(
                    (category,),
                    f"[{category}] must be a table of packages, not {describe_type(table)}",
                )
                continue
            found = [reader.package(name, value, (category, name)) for name, value in table.items()]
            if category == "packages" or options.include_dev:
                requirements.extend(r for r in found if r is not None)
        requires_python = reader.requires_python(data.get("requires"))
        return SourceFile(
            path=path,
            format=self.format,
            role=Role.DECLARED,
            requirements=tuple(requirements),
            diagnostics=tuple(collector.diagnostics),
            requires_python=requires_python,
        )


class _Reader:
    def __init__(self, path: str, locations: TomlLocations, collector: Collector) -> None:
        self.path = path
        self.locations = locations
        self.collector = collector

    def loc(self, path: Path) -> Location:
        found = self.locations.find(path)
        return Location(self.path, *found) if found else Location(self.path)

    def error(self, path: Path, message: str) -> None:
        self.collector.error(self.loc(path), message)

    def requires_python(self, requires: object) -> SpecifierSet | None:
        if requires is None:
            return None
        if not isinstance(requires, dict):
            self.error(("requires",), f"[requires] must be a table, not {describe_type(requires)}")
            return None
        result: SpecifierSet | None = None
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
            result = specifier if result is None else result & specifier
        return result

    def package(self, name: str, value: object, path: Path) -> Requirement | None:
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

    def _table(self, name: str, table: dict[str, Any], path: Path) -> Requirement | None:
        text_keys = ("version", "markers", "ref", "subdirectory", "path", "file", *_VCS)
        for key in (*text_keys, *_MARKER_KEYS):
            if key in table and not isinstance(table[key], str):
                self.error(
                    path, f"{name}: `{key}` must be a string, not {describe_type(table[key])}"
                )
                return None
        extras = table.get("extras", [])
        if not isinstance(extras, list) or not all(isinstance(e, str) for e in extras):
            self.error(path, f"{name}: `extras` must be an array of strings")
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
            url = table[vcs]
            url = url if url.startswith(f"{vcs}+") else f"{vcs}+{url}"
            if table.get("ref"):
                url += f"@{table['ref']}"
            if table.get("subdirectory"):
                url += f"#subdirectory={table['subdirectory']}"
            return str(url)
    for key in ("path", "file"):
        if key in table:
            return str(table[key])
    return None
