"""A git revision of the scanned path, materialised for `--diff-base` without running anything the
repository controls.

The revision is read with git's plumbing, not checked out and not archived: `git ls-tree` lists
the entries below the scanned path and `git cat-file --batch` hands over each blob as it is
stored. Neither command applies `.gitattributes` (no `filter.*.smudge`/`process` driver, no
`textconv`, no `export-subst`, no line-ending conversion) or runs a hook, unlike `git archive`
and `git checkout`; every call also passes `-c core.fsmonitor=false` (a configured fsmonitor is
a program git would start) and `GIT_NO_LAZY_FETCH=1` (a partial clone must not fetch a missing
object from a remote). The blobs are written into a temporary directory; the user's working
tree, index and `.git/` are never touched, and nothing under a `.git` folder of the revision is
written.

Symbolic links of the revision are recreated only when they stay inside the extracted tree:
one to an absolute path, one that climbs out with `..`, or one that reaches outside through
another link is skipped with a warning, as are files too large to be a dependency file and
entries whose names the file system refuses.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from depcheck.analysis.baseline import BaselineError
from depcheck.model import Diagnostic, Location, Severity

#: the largest blob written: dependency and deployment files are far smaller, and the scan of
#: the revision only needs what the working-tree scan would read
MAX_BLOB_BYTES = 16 * 1024 * 1024
#: git's own settings for every call: no program the repository's config names is started
_SAFE_CONFIG = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null")
_TIMEOUT = 300


class RevisionError(BaselineError):
    """A revision that cannot be read: the message is for the user, as is."""


@dataclass(frozen=True, slots=True)
class Revision:
    """The scanned path at a revision: where it was written, and what was left out."""

    root: Path
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True)
class _Entry:
    mode: str
    kind: str
    object: str
    size: int | None
    path: str  # relative to the scanned path


def _git(
    args: Sequence[str], cwd: Path, *, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_NO_LAZY_FETCH": "1", "GIT_TERMINAL_PROMPT": "0"}
    try:
        return subprocess.run(
            ["git", *_SAFE_CONFIG, *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            check=False,
            timeout=_TIMEOUT,
            env=env,
        )
    except FileNotFoundError:
        raise RevisionError("--diff-base needs git, and git is not installed") from None
    except subprocess.TimeoutExpired:
        raise RevisionError(f"--diff-base: git {args[0]} took too long") from None


def _last_line(result: subprocess.CompletedProcess[bytes]) -> str:
    lines = result.stderr.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else f"exit {result.returncode}"


def _entries(toplevel: Path, commit: str, prefix: str) -> list[_Entry]:
    """Every entry of `commit` below `prefix` (a folder relative to the top, "" for the top)."""
    args = ["ls-tree", "-r", "-z", "--long", "--full-tree", commit]
    if prefix:
        args += ["--", prefix]
    listed = _git(args, toplevel)
    if listed.returncode != 0:
        raise RevisionError(f"--diff-base: git ls-tree failed: {_last_line(listed)}")
    entries = []
    for record in listed.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, obj, size = meta.decode("ascii", errors="replace").split(maxsplit=3)
        # git stores names as bytes; the file system takes them back the same way
        path = os.fsdecode(raw_path)
        if prefix:
            path = path[len(prefix) :].lstrip("/")
        entries.append(_Entry(mode, kind, obj, int(size) if size.isdigit() else None, path))
    return entries


def _blobs(toplevel: Path, objects: Sequence[str]) -> dict[str, bytes]:
    """The stored bytes of each blob (no filter, no textconv: `cat-file --batch` as stored)."""
    if not objects:
        return {}
    wanted = sorted(set(objects))
    result = _git(
        ["cat-file", "--batch"], toplevel, stdin="".join(f"{o}\n" for o in wanted).encode()
    )
    if result.returncode != 0:
        raise RevisionError(f"--diff-base: git cat-file failed: {_last_line(result)}")
    data = result.stdout
    found: dict[str, bytes] = {}
    position = 0
    while position < len(data):
        end = data.index(b"\n", position)
        header = data[position:end].decode("ascii", errors="replace").split()
        position = end + 1
        if len(header) != 3:  # "<object> missing": a partial clone without it
            continue
        size = int(header[2])
        found[header[0]] = data[position : position + size]
        position += size + 1
    return found


def _unsafe_name(path: str) -> str | None:
    """Why `path` is not written, or None."""
    parts = path.split("/")
    if path.startswith("/") or any(part in ("", ".", "..") for part in parts):
        return "a name that leaves the tree"
    if any(part.lower() == ".git" for part in parts):
        return "inside a .git folder"
    return None


def _link_escapes(path: str, target: str) -> str | None:
    """Why the link at `path` (relative to the extracted top) to `target` is not recreated."""
    if target.startswith("/") or (len(target) > 1 and target[1] == ":"):
        return f"a symbolic link to the absolute path {target}"
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    if joined == ".." or joined.startswith("../"):
        return f"a symbolic link to {target}, outside the scanned path"
    if any(part.lower() == ".git" for part in joined.split("/")):
        return f"a symbolic link to {target}, inside a .git folder"
    return None


def checkout_revision(path: Path, ref: str, destination: Path) -> Revision:
    """Write the entries of the repository containing `path`, at `ref`, that lie below `path`
    into `destination`; returns `destination` (which may be empty if `path` did not exist at
    `ref`) and a warning for each entry left out."""
    directory = path.resolve()
    top = _git(["rev-parse", "--show-toplevel", "--show-prefix"], directory)
    if top.returncode != 0:
        raise RevisionError(f"--diff-base: {path} is not inside a git repository")
    lines = top.stdout.decode(errors="surrogateescape").splitlines()
    toplevel = Path(lines[0])
    prefix = lines[1].rstrip("/") if len(lines) > 1 else ""
    # `--end-of-options`-free: the CLI refuses a ref that starts with "-"
    commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], toplevel)
    if commit.returncode != 0:
        raise RevisionError(f"--diff-base: unknown revision {ref!r} in {toplevel.name}")
    entries = _entries(toplevel, commit.stdout.decode().strip(), prefix)
    diagnostics: list[Diagnostic] = []

    def skip(entry: _Entry, why: str) -> None:
        diagnostics.append(
            Diagnostic(Severity.WARNING, Location(entry.path), f"at {ref}: {why}; not read there")
        )

    wanted: list[_Entry] = []
    for entry in entries:
        reason = _unsafe_name(entry.path)
        if entry.kind != "blob":
            continue  # a submodule (`commit`): its files are another repository's
        if reason is None and entry.size is not None and entry.size > MAX_BLOB_BYTES:
            reason = f"{entry.size} bytes, larger than a dependency file can be"
        if reason is not None:
            skip(entry, reason)
            continue
        wanted.append(entry)
    blobs = _blobs(toplevel, [e.object for e in wanted])
    top_real = os.path.realpath(destination)

    def inside(real: str) -> bool:
        return real == top_real or real.startswith(top_real + os.sep)

    # files first, while no link exists that a folder could be reached through
    links: list[tuple[_Entry, str]] = []
    for entry in wanted:
        content = blobs.get(entry.object)
        if content is None:
            skip(entry, "its content is not in this clone")
        elif entry.mode == "120000":
            links.append((entry, os.fsdecode(content)))
        else:
            try:
                (destination / entry.path).parent.mkdir(parents=True, exist_ok=True)
                (destination / entry.path).write_bytes(content)
            except (OSError, ValueError) as exc:
                skip(entry, f"cannot be written here ({getattr(exc, 'strerror', None) or exc})")
    made: list[tuple[_Entry, str]] = []
    for entry, target in links:
        reason = _link_escapes(entry.path, target)
        if reason is not None:
            skip(entry, reason)
            continue
        link = destination / entry.path
        try:
            link.parent.mkdir(parents=True, exist_ok=True)
            if not inside(os.path.realpath(link.parent)):
                skip(entry, "a symbolic link in a folder reached through another link")
                continue
            os.symlink(target, link)
        except (OSError, ValueError) as exc:
            skip(entry, f"cannot be written here ({getattr(exc, 'strerror', None) or exc})")
            continue
        made.append((entry, target))
    # a link whose text stays inside can still leave through another link (`b -> a/..` with
    # `a -> ..` in a subfolder): the file system decides, once every link exists
    for entry, target in made:
        link = destination / entry.path
        if not inside(os.path.realpath(link)):
            link.unlink()
            skip(entry, f"a symbolic link to {target} that leads outside the scanned path")
    return Revision(destination, tuple(diagnostics))
