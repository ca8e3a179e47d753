"""A project's direct dependencies, as the lock beside it needs them: names, extras, markers.

A lock records every package it resolved but not which of them the project asks for itself.
Its declared companion says so (`Source.companion`: pyproject.toml beside poetry.lock, Pipfile
beside Pipfile.lock). That file's own source reads it (`Source.declaration`) and these
functions take from its data only what the lock needs; everything else, and every problem in
it, is the declared source's business when it reads the file for itself. Service assembly
hands the result to the lock's source as `ReadOptions.project`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PackagingRequirement
from packaging.utils import canonicalize_name

from depcheck.sources.interface import DirectDependency, ProjectDeclaration
from depcheck.sources.lockfiles import both, specialize
from depcheck.sources.poetry_constraints import PoetryConstraintError, extras_table, python_marker


def pyproject_declaration(data: Mapping[str, Any]) -> ProjectDeclaration:
    """What a pyproject asks for directly, for the poetry.lock beside it: only names, extras and
    markers of `[tool.poetry.dependencies]` (an optional one with the `[tool.poetry.extras]`
    naming it), `[project]` dependencies and optional-dependencies, and, as development
    dependencies, Poetry's dev groups and `[dependency-groups]`."""
    tool = data.get("tool", {})
    poetry = tool.get("poetry", {}) if isinstance(tool, dict) else {}
    poetry = poetry if isinstance(poetry, dict) else {}
    pep621 = data.get("project", {})
    pep621 = pep621 if isinstance(pep621, dict) else {}
    poetry_extras = extras_table(poetry.get("extras"))
    optional_table = pep621.get("optional-dependencies", {})
    optional_table = optional_table if isinstance(optional_table, dict) else {}
    direct: list[DirectDependency] = []
    for name, spec in _poetry_table(poetry.get("dependencies")):
        if name == "python":
            continue
        optional = any(isinstance(s, dict) and s.get("optional") is True for s in spec)
        key = canonicalize_name(name)
        with_extras = frozenset(e for e, names in poetry_extras.items() if key in names)
        direct.extend(_poetry_roots(name, spec, with_extras=with_extras if optional else None))
    for item in _strings(pep621.get("dependencies")):
        direct.extend(_pep508_root(item))
    for extra, items in optional_table.items():
        for item in _strings(items):
            direct.extend(_pep508_root(item, with_extras=frozenset({canonicalize_name(extra)})))
    groups = poetry.get("group", {})
    tables: list[tuple[object, str, bool]] = [(poetry.get("dev-dependencies"), "dev", True)]
    optional_groups: set[str] = set()
    if isinstance(groups, dict):
        for group_name, group in groups.items():
            if not isinstance(group, dict):
                continue
            default = group.get("optional") is not True
            if not default:
                optional_groups.add(canonicalize_name(group_name))
            tables.append((group.get("dependencies"), canonicalize_name(group_name), default))
    for table, group_name, default in tables:
        for name, spec in _poetry_table(table):
            direct.extend(_poetry_roots(name, spec, dev=True, group=group_name, default=default))
    pep735 = data.get("dependency-groups", {})
    if isinstance(pep735, dict):
        for group_name, items in pep735.items():
            key = canonicalize_name(group_name)
            for item in _strings(items):
                direct.extend(_pep508_root(item, dev=True, group=key, default=key == "dev"))
    extras = frozenset(poetry_extras) | {canonicalize_name(e) for e in optional_table}
    return ProjectDeclaration(tuple(direct), extras, frozenset(optional_groups))


def _poetry_table(table: object) -> Iterable[tuple[str, list[Any]]]:
    if not isinstance(table, dict):
        return []
    return [(name, spec if isinstance(spec, list) else [spec]) for name, spec in table.items()]


def _poetry_roots(name: str, specs: list[Any], **how: Any) -> list[DirectDependency]:
    roots = []
    for spec in specs:
        extras: frozenset[str] = frozenset()
        marker: Marker | None = None
        if isinstance(spec, dict):
            raw_extras = spec.get("extras", [])
            if isinstance(raw_extras, list):
                extras = frozenset(canonicalize_name(e) for e in raw_extras if isinstance(e, str))
            try:
                marker = _root_marker(spec)
            except (InvalidMarker, PoetryConstraintError):
                marker = None
        roots.append(DirectDependency(name, extras, marker, **how))
    return roots


def _root_marker(spec: Mapping[str, Any]) -> Marker | None:
    marker: Marker | None = None
    markers = spec.get("markers")
    if isinstance(markers, str) and markers.strip():
        marker = Marker(markers)
    python = spec.get("python")
    if isinstance(python, str):
        text = python_marker(python)
        if text:
            marker = both(marker, Marker(text))
    return marker


def _pep508_root(text: str, **how: Any) -> list[DirectDependency]:
    try:
        parsed = PackagingRequirement(text)
    except InvalidRequirement:
        return []
    extras = frozenset(canonicalize_name(e) for e in parsed.extras)
    marker = specialize(parsed.marker, {"extra": frozenset()})
    if marker is False:
        return []
    return [DirectDependency(parsed.name, extras, None if marker is True else marker, **how)]


def _strings(items: object) -> list[str]:
    return [item for item in items if isinstance(item, str)] if isinstance(items, list) else []


def pipfile_declaration(data: Mapping[str, Any]) -> ProjectDeclaration:
    """What a Pipfile asks for directly, for the Pipfile.lock beside it: the names in
    `[packages]` and, as development ones, `[dev-packages]`."""
    direct = [
        DirectDependency(
            canonicalize_name(name),
            dev=table == "dev-packages",
            group="dev" if table == "dev-packages" else None,
            default=False,
        )
        for table in ("packages", "dev-packages")
        if isinstance(data.get(table), dict)
        for name in data[table]
    ]
    return ProjectDeclaration(tuple(direct))
