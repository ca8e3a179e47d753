"""Which local project a pyproject.toml's `[tool.uv.sources]` puts behind a requirement.

uv installs `mylib` from the workspace when the project says `mylib = { workspace = true }`,
or from a folder with `mylib = { path = "../libs/mylib" }`; the index is never asked for it.
`--resolve` must do the same, or it would look a private project up on a public index (a
"not found" at best, a dependency-confusion lookalike at worst). The member of a workspace is
found as uv finds it: the nearest pyproject.toml above the project (within the scan root) with
`[tool.uv.workspace] members`, whose globs name folders with a pyproject.toml of that
`[project] name` (`exclude` globs left out). Only TOML is read; nothing is built or run, and
no path outside the scan root is followed.
"""

from __future__ import annotations

import functools
import os
import tomllib
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from depcheck.errors import ReadError
from depcheck.fs import Tree


def read_toml(tree: Tree, path: Path) -> tuple[dict[str, Any], str | None]:
    """The TOML file at `path` (under the tree's root), read through the confined reader, and
    why it could not be when it could not (a FIFO, a link out of the root, a file inside
    `.git`, bad TOML: never read, never a hang)."""
    relative = os.path.relpath(path.resolve(), Path(tree.root).resolve())
    shown = Path(relative).as_posix()
    try:
        text, _ = tree.read_text(shown)
        return tomllib.loads(text), None
    except ReadError as exc:
        return {}, f"{shown}: {exc.message}"
    except tomllib.TOMLDecodeError as exc:
        return {}, f"{shown}: not valid TOML ({exc})"


@functools.lru_cache(maxsize=1024)
def _toml(tree: Tree, path: Path) -> dict[str, Any]:
    return read_toml(tree, path)[0]


def _table(data: object, *keys: str) -> dict[str, Any]:
    for key in keys:
        if not isinstance(data, dict):
            return {}
        data = data.get(key)
    return data if isinstance(data, dict) else {}


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (OSError, ValueError):
        return False
    return True


def uv_source(tree: Tree, pyproject: str, name: str) -> Path | str | None:
    """The folder `[tool.uv.sources]` gives `name` for the project of `pyproject`
    (root-relative): its own table, else its workspace root's, which uv applies to every member
    that does not name the package itself.

    None when neither names a source for it (the index is asked, as uv would); a string saying
    why it is left out when the source is a git repository or a URL (depcheck fetches neither)
    or a folder that cannot be found inside the scan root."""
    if not pyproject.endswith("pyproject.toml"):
        return None
    root = Path(tree.root)
    path = root / pyproject
    found = _entry(tree, path, name)
    if found is None:
        workspace = _workspace_root(tree, path.parent)
        if workspace is not None and workspace != path:
            found = _entry(tree, workspace, name)
    if found is None:
        return None
    entry, declared = found
    if isinstance(entry.get("path"), str):
        folder: Path = declared.parent / str(entry["path"])
        if not _inside(folder, root):
            return f"{name}: [tool.uv.sources] points outside the scan root; not resolved"
        return folder.resolve()
    if entry.get("workspace") is True:
        return _member(tree, declared.parent, name)
    for kind, words in (("git", "a git repository"), ("url", "a URL")):
        if isinstance(entry.get(kind), str):
            shown = os.path.relpath(declared, root)
            return (
                f"{name}: [tool.uv.sources] in {Path(shown).as_posix()} installs it from {words}, "
                "which depcheck does not fetch; left out of the proof"
            )
    return None


def _entry(tree: Tree, path: Path, name: str) -> tuple[dict[str, Any], Path] | None:
    sources = _table(_toml(tree, path), "tool", "uv", "sources")
    entry = next((v for k, v in sources.items() if canonicalize_name(k) == name), None)
    return (entry, path) if isinstance(entry, dict) else None


def _workspace_root(tree: Tree, start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start`, inside the scan root, that declares
    `[tool.uv.workspace]` (as uv finds a member's workspace)."""
    root = Path(tree.root)
    directory = start
    while _inside(directory, root):
        candidate = directory / "pyproject.toml"
        if _table(_toml(tree, candidate), "tool", "uv", "workspace"):
            return candidate
        if directory == directory.parent:
            break
        directory = directory.parent
    return None


def _member(tree: Tree, start: Path, name: str) -> Path | str:
    root = Path(tree.root)
    directory = start
    while _inside(directory, root):
        candidate = directory / "pyproject.toml"
        workspace = _table(_toml(tree, candidate), "tool", "uv", "workspace")
        members = workspace.get("members")
        if isinstance(members, list):
            excluded: set[Path] = set()
            for pattern in workspace.get("exclude") or []:
                if isinstance(pattern, str):
                    excluded.update(p.resolve() for p in directory.glob(pattern))
            for pattern in members:
                if not isinstance(pattern, str):
                    continue
                for folder in sorted(directory.glob(pattern)):
                    if folder.resolve() in excluded or not _inside(folder, root):
                        continue
                    project = _table(_toml(tree, folder / "pyproject.toml"), "project")
                    if canonicalize_name(str(project.get("name", ""))) == name:
                        return folder.resolve()
            return (
                f"{name}: [tool.uv.sources] says workspace, but no member of the workspace at "
                f"{directory.relative_to(root.resolve()) if directory.is_absolute() else directory}"
                " has that name; left out of the proof"
            )
        if directory == directory.parent:
            break
        directory = directory.parent
    return f"{name}: [tool.uv.sources] says workspace, but no workspace root holds it"
