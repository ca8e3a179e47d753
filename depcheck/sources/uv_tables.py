"""uv's own `[tool.uv]` settings that are not requirements lists: `conflicts` and
`default-groups` (read for `pyproject.py`'s reader, which owns every diagnostic's location).
"""

from __future__ import annotations

from typing import Any

from packaging.utils import canonicalize_name

from depcheck.model import DeclaredConflict
from depcheck.sources.declared import TomlReader, describe_type
from depcheck.sources.toml_locations import KeyPath


def read_uv_conflicts(reader: TomlReader, value: object, project: str | None) -> None:
    """`[tool.uv] conflicts`: a list of sets of items never installed together; an item is
    `{package = ...}`, `{extra = ...}` or `{group = ...}`, or a package with one of them.
    Without `package` an item is this file's own project (uv's older form)."""
    path: KeyPath = ("tool", "uv", "conflicts")
    if not isinstance(value, list):
        reader.error(
            path, f"`tool.uv.conflicts` must be an array of arrays, not {describe_type(value)}"
        )
        return
    for index, entry in enumerate(value):
        where: KeyPath = (*path, index)
        if not isinstance(entry, list):
            reader.error(
                where,
                f"`tool.uv.conflicts` entry {index + 1} must be an array of tables, "
                f"not {describe_type(entry)}",
            )
            continue
        items: list[tuple[str, str | None, str | None]] = []
        for position, item in enumerate(entry):
            parsed = _conflict_item(reader, item, (*where, position), project)
            if parsed is not None and parsed not in items:
                items.append(parsed)
        if len(items) >= 2:
            reader.declared_conflicts.append(DeclaredConflict(tuple(items), reader.loc(where)))


def _conflict_item(
    reader: TomlReader, item: object, path: KeyPath, project: str | None
) -> tuple[str, str | None, str | None] | None:
    if not isinstance(item, dict):
        reader.error(
            path,
            f'a `tool.uv.conflicts` item must be a table such as {{package = "name"}}, '
            f"not {describe_type(item)}",
        )
        return None
    values: dict[str, str] = {}
    for key in ("package", "extra", "group"):
        raw = item.get(key)
        if raw is None:
            continue
        if not isinstance(raw, str) or not raw.strip():
            reader.error((*path, key), f"`{key}` in a `tool.uv.conflicts` item must be a name")
            return None
        values[key] = canonicalize_name(raw)
    unknown = sorted(k for k in item if k not in ("package", "extra", "group"))
    if unknown or ("extra" in values and "group" in values):
        reader.error(
            path,
            "a `tool.uv.conflicts` item has `package`, and at most one of `extra` and `group`"
            + (f" (unknown key {unknown[0]!r})" if unknown else ""),
        )
        return None
    package = values.get("package") or (canonicalize_name(project) if project else None)
    if package is None:
        reader.warn(
            path,
            "a `tool.uv.conflicts` item without `package` in a file that names no project "
            "is ignored",
        )
        return None
    return (package, values.get("extra"), values.get("group"))


def default_groups(uv: dict[str, Any] | None) -> frozenset[str] | None:
    """uv's `default-groups` (`dev` when unset; None for "all"): what `uv sync` installs unasked."""
    value = uv.get("default-groups") if uv is not None else None
    if value == "all":
        return None
    if isinstance(value, list):
        return frozenset(canonicalize_name(v) for v in value if isinstance(v, str))
    return frozenset({"dev"})
