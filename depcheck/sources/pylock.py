"""pylock.toml and pylock.<name>.toml: the standard lock file (PEP 751).

The format (lock-version 1.0; written by `uv export`, `pip lock`, PDM, pipenv):

    lock-version, created-by, requires-python, environments = ["<marker>", ...]
    extras = [...], dependency-groups = [...], default-groups = [...]
    [[packages]]
    name (normalized), version (optional for vcs / directory / archive), marker,
    requires-python, index
    dependencies = [{ name, version?, vcs?, ... }]   which other entries this one needs
    vcs = { type, url | path, requested-revision, commit-id, subdirectory }
    | directory = { path, editable, subdirectory } | archive = { url | path, hashes, ... }
    | sdist = {...} + wheels = [{...}, ...]

Decisions:

- Validation is `packaging.pylock`'s, the PyPA reference: the top level on its own, then each
  package on its own (`Pylock.from_dict` with that one package), so a bad entry is a warning at
  its line and the others are still read. Its `Pylock.select` is not used: it picks what to
  install for *one* known environment and raises at the first problem, while depcheck keeps
  each package's marker for every host to evaluate.
- A package marker may test `extras` and `dependency_groups` (PEP 751). Those we decide here:
  extras are `options.extras` ("*": every extra the lock lists); runtime groups are the
  `default-groups` that are not real dependency groups (PDM and pipenv call the synthetic
  runtime group "default"), plus every group with `include_dev`. A package whose marker cannot
  hold for that selection is not installed; the rest of the marker is left for the host.
- Every selected package is a pin (`name==version`; a VCS, directory or archive entry without a
  version is recorded by its URL with no specifier). An editable directory at "." is the
  project itself, not a pin, and what it depends on is direct; without one, a package no other
  selected entry depends on is direct (all are, when the lock records no dependencies).
- `dependencies` become package edges; PEP 751 records no ranges on them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from packaging.markers import Marker
from packaging.pylock import Pylock, PylockUnsupportedVersionError, PylockValidationError
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from depcheck.model import Dependency, Location, Requirement, Role, SourceFile
from depcheck.sources.declared import ALL_EXTRAS, TomlDocument, vcs_url
from depcheck.sources.interface import ReadOptions
from depcheck.sources.lockfiles import (
    Diagnostics,
    TomlLockSource,
    locked_requirement,
    package_tables,
    parse_marker,
    specialize,
    version_problem,
)

FORMAT = "pylock.toml"
_RUNTIME_GROUP_NAMES = frozenset({"default", "main"})
#: the `line(*key)` lookup each read builds over its document's TOML locations
Line = Callable[..., int | None]


class PylockSource(TomlLockSource):
    """Reads a PEP 751 lock file."""

    format = FORMAT

    def read_lock(
        self, path: str, options: ReadOptions, document: TomlDocument, diagnostics: Diagnostics
    ) -> SourceFile:
        data, line = document.data, document.line
        _validate_top(data, line, diagnostics)
        values = _marker_values(data, options)

        selected: list[tuple[int, dict[str, Any], Marker | None]] = []
        project: set[int] = set()
        for index, raw, name, where in package_tables(data, "packages", line, diagnostics):
            _validate_package(raw, index, line, diagnostics)
            problem = version_problem(
                "packages", name, raw.get("version"), optional=_direct_source(raw)
            )
            if problem is not None:
                diagnostics.error(where, problem)
                continue
            marker_line = line("packages", index, "marker") or where
            marker = specialize(parse_marker(raw.get("marker"), marker_line, diagnostics), values)
            if marker is False:
                continue  # only for extras or groups that are not selected
            selected.append((index, raw, None if marker is True else marker))
            if _is_project(raw):
                project.add(index)

        by_name: dict[str, list[int]] = defaultdict(list)
        for index, raw, _ in selected:
            by_name[canonicalize_name(raw["name"])].append(index)
        edges = _edges(selected, by_name, line, diagnostics)
        if project:
            direct = {child for parent, child, _ in edges if parent in project}
        elif edges:
            depended = {child for _, child, _ in edges}
            direct = {index for index, _, _ in selected if index not in depended}
        else:
            direct = {index for index, _, _ in selected}

        raws = {index: raw for index, raw, _ in selected}
        requirements = [
            _pin(
                path,
                raw,
                marker,
                line("packages", index, "name") or line("packages", index),
                index in direct,
            )
            for index, raw, marker in selected
            if index not in project
        ]
        dependencies = [
            Dependency(
                parent=canonicalize_name(raws[parent]["name"]),
                parent_version=_text(raws[parent].get("version")),
                child=canonicalize_name(raws[child]["name"]),
                specifier=SpecifierSet(),
                marker=None,
                location=Location(path, where),
            )
            for parent, child, where in edges
            if parent not in project and child not in project
        ]
        requires_python = _requires_python(data, line, diagnostics)
        return SourceFile(
            path=path,
            format=FORMAT,
            role=Role.LOCKED,
            requirements=tuple(requirements),
            dependencies=tuple(dependencies),
            diagnostics=tuple(diagnostics.items),
            requires_python=requires_python,
            requires_python_line=line("requires-python") if requires_python else None,
        )


def _validate_top(data: Mapping[str, Any], line: Line, diagnostics: Diagnostics) -> None:
    try:
        Pylock.from_dict({**data, "packages": []})
    except PylockUnsupportedVersionError as exc:
        diagnostics.error(line("lock-version"), f"{exc}; read as lock-version 1.0")
    except PylockValidationError as exc:
        key = (exc.context or "").split(".")[0].split("[")[0]
        diagnostics.warn(line(key) if key else 1, f"not valid PEP 751: {exc}")


def _validate_package(
    raw: Mapping[str, Any], index: int, line: Line, diagnostics: Diagnostics
) -> None:
    try:
        Pylock.from_dict({"lock-version": "1.0", "created-by": "depcheck", "packages": [raw]})
    except PylockValidationError as exc:
        context = (exc.context or "").removeprefix("packages[0]").lstrip(".")
        key = context.split(".")[0].split("[")[0]
        where = (line("packages", index, key) if key else None) or line("packages", index, "name")
        where_text = f" in {context!r}" if context else ""
        diagnostics.warn(
            where, f"package {raw.get('name')!r} is not valid PEP 751: {exc.message}{where_text}"
        )


def _marker_values(data: Mapping[str, Any], options: ReadOptions) -> dict[str, frozenset[str]]:
    """The `extras` and `dependency_groups` a deployed install selects."""
    declared_groups = set(_strings(data.get("dependency-groups")))
    default_groups = set(_strings(data.get("default-groups")))
    groups = {g for g in default_groups if g not in declared_groups or g in _RUNTIME_GROUP_NAMES}
    groups |= {g for g in declared_groups if options.wants_group(g, default=g in default_groups)}
    if options.include_dev:
        groups |= default_groups
    lock_extras = {canonicalize_name(e) for e in _strings(data.get("extras"))}
    if ALL_EXTRAS in options.extras:
        extras = lock_extras
    else:
        extras = {canonicalize_name(e) for e in options.extras}
    return {
        "dependency_groups": frozenset(canonicalize_name(g) for g in groups),
        "extras": frozenset(extras),
    }


def _edges(
    selected: list[tuple[int, dict[str, Any], Marker | None]],
    by_name: Mapping[str, list[int]],
    line: Line,
    diagnostics: Diagnostics,
) -> list[tuple[int, int, int | None]]:
    """(parent, child, line) for every `dependencies` entry that names a selected package."""
    raws = {index: raw for index, raw, _ in selected}
    result: list[tuple[int, int, int | None]] = []
    for index, raw, _ in selected:
        items = raw.get("dependencies", [])
        if not isinstance(items, list):
            diagnostics.warn(
                line("packages", index, "dependencies"),
                "`dependencies` should be an array of tables",
            )
            continue
        for position, item in enumerate(items):
            where = line("packages", index, "dependencies", position)
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                diagnostics.warn(where, f"a dependency of {raw['name']!r} has no name")
                continue
            candidates = by_name.get(canonicalize_name(item["name"]), [])
            # an entry names as many keys as it takes to tell same-named packages apart
            keys = {k: v for k, v in item.items() if k != "name"}
            narrowed = [c for c in candidates if all(raws[c].get(k) == v for k, v in keys.items())]
            for child in narrowed or candidates:
                result.append((index, child, where))
    return result


def _pin(
    path: str, raw: Mapping[str, Any], marker: Marker | None, line: int | None, direct: bool
) -> Requirement:
    version = _text(raw.get("version"))
    url, editable = _url(raw)
    specifier = SpecifierSet(f"=={version}" if version and version.strip() else "")
    return locked_requirement(
        path,
        raw["name"],
        specifier,
        line=line,
        marker=marker,
        direct=direct,
        url=url,
        editable=editable,
    )


def _direct_source(raw: Mapping[str, Any]) -> bool:
    return any(isinstance(raw.get(key), dict) for key in ("vcs", "directory", "archive"))


def _is_project(raw: Mapping[str, Any]) -> bool:
    directory = raw.get("directory")
    if not isinstance(directory, dict):
        return False
    return (
        str(directory.get("path", "")).rstrip("/") in (".", "")
        and directory.get("editable") is True
    )


def _url(raw: Mapping[str, Any]) -> tuple[str | None, bool]:
    vcs = raw.get("vcs")
    if isinstance(vcs, dict):
        kind = _text(vcs.get("type")) or "git"
        location = _text(vcs.get("url")) or _text(vcs.get("path")) or ""
        return vcs_url(kind, location, vcs.get("commit-id"), vcs.get("subdirectory")), False
    directory = raw.get("directory")
    if isinstance(directory, dict):
        return _text(directory.get("path")), directory.get("editable") is True
    archive = raw.get("archive")
    if isinstance(archive, dict):
        return _text(archive.get("url")) or _text(archive.get("path")), False
    return None, False


def _requires_python(
    data: Mapping[str, Any], line: Line, diagnostics: Diagnostics
) -> SpecifierSet | None:
    value = data.get("requires-python")
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return SpecifierSet(value)
    except InvalidSpecifier:
        diagnostics.warn(line("requires-python"), f"invalid requires-python {value!r} ignored")
        return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
