"""The one reader of the scanned tree: every file depcheck reads from a repository comes here.

Dependency files and what they include, deployment files (Dockerfiles, Compose files and their
`.env`, Procfiles with `runtime.txt` / `.python-version`, SAM and Serverless templates) and the
config are all read with `Tree.read_text`, which refuses, with a `ReadError` naming the file:

* a path that leaves the scan root, lexically (`../x`) or through a symbolic link (a linked file
  or a linked directory on the way), unless the user passed `--allow-outside-root`;
* a path that passes through a version-control directory (`.git`, `.hg`, `.svn`, `.bzr`,
  `_darcs`, `CVS`), as written or once links are resolved, even with `--allow-outside-root`:
  `.git/config` holds the CI's credentials (`actions/checkout` stores its token there);
* anything but a regular file (a FIFO would block, `/dev/zero` never ends), checked on the file
  descriptor actually opened, so a file swapped for another after the check is refused too;
* a file larger than `MAX_BYTES`, from its size before anything is read, and read with a bound
  in case it grows meanwhile.

Text is decoded the way pip reads a requirements file: a BOM wins, else UTF-8, else Latin-1 with
a warning naming the first bad line; a file with NUL bytes is binary and refused.

The file is opened one path component at a time from `/` with `O_NOFOLLOW`, along the path that
was checked, so a directory replaced by a link between the check and the read cannot redirect it;
`O_NONBLOCK` keeps the open itself from waiting on a FIFO. A clean relative path (no `..`,
no `.`, no version-control part) is first opened the same way from the root's real path: when
every component is a plain directory and the file a regular one within the bound, that is the
read, with no `realpath` and no `stat` (two thirds of a read's cost); anything else, a link
included, goes the checked way, which words the refusal. The root and the last directory read
from stay open (opened that same way) until the scan is done (`release`): a service's two files
cost one open each, not four.

`Tree` also answers the questions deployment readers ask about the tree (`exists`, `is_dir`,
`is_file`, `glob`) on paths normalized to the root: a path that leaves the root, or passes
through a version-control directory, is absent.
"""

from __future__ import annotations

import codecs
import errno
import os
import posixpath
import stat
import threading
from collections.abc import Iterable
from pathlib import Path

from depcheck.errors import ReadError
from depcheck.model import Diagnostic, Location, Severity

#: directories of version-control systems: never read, never walked
VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", "CVS"})
# case-insensitive file systems (macOS, Windows) open `.GIT/config` as `.git/config`
_VCS_FOLDED = frozenset(name.casefold() for name in VCS_DIRS)

#: the largest file depcheck reads; the largest lock files of big monorepos are a few MiB
MAX_BYTES = 16 * 1024 * 1024

_OUTSIDE_HINT = "(use --allow-outside-root to read it)"
_CHUNK = 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def is_vcs_dir(name: str) -> bool:
    """Whether a directory called `name` belongs to a version-control system."""
    return name.casefold() in _VCS_FOLDED


def _vcs_part(parts: Iterable[str]) -> str | None:
    return next((part for part in parts if is_vcs_dir(part)), None)


def normalize(path: str) -> str | None:
    """`path` as a clean POSIX path relative to the root ("." for the root itself), or None
    when it is absolute or leaves the root. Backslashes count as separators (a Dockerfile
    written on Windows)."""
    cleaned = path.replace("\\", "/")
    if cleaned.startswith("/"):
        return None
    normal = posixpath.normpath(cleaned) if cleaned else "."
    if normal == ".." or normal.startswith("../"):
        return None
    return normal


def decode(data: bytes, path: str) -> tuple[str, list[Diagnostic]]:
    """`data` as text: BOM, else UTF-8, else Latin-1 with a warning; `ReadError` when binary."""
    location = Location(path)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), []
            except UnicodeDecodeError as exc:
                raise ReadError(location, f"not valid {encoding} text ({exc.reason})") from None
    if b"\x00" in data[:8192]:
        raise ReadError(location, "looks like a binary file, not text")
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        warning = Diagnostic(
            Severity.WARNING, Location(path, line), "not valid UTF-8; read as Latin-1"
        )
        return data.decode("latin-1"), [warning]


class Tree:
    """The scanned tree below `root`, read through one confined door (see the module docstring).

    Paths are POSIX and relative to `root`. With `allow_outside_root`, files outside the root
    (by `..` or by a link) are read too; version-control directories never are.
    """

    def __init__(self, root: Path, *, allow_outside_root: bool = False) -> None:
        # the root, and the last directory a file was read from (a service's `.in` and `.txt`
        # sit side by side), held open until `close` (or the tree is dropped): each was opened
        # with `O_NOFOLLOW` along a clean path, so a read through them is confined as an open
        # from the root would be
        self._root_fd: int | None = None
        self._last_directory: tuple[tuple[str, ...], int] | None = None
        self._lock = threading.Lock()
        self.root = root
        self.allow_outside_root = allow_outside_root
        self._real_root = os.path.realpath(root)

    def __del__(self) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the directories held open (a later read opens them again)."""
        with self._lock:
            if self._last_directory is not None:
                os.close(self._last_directory[1])
                self._last_directory = None
            if self._root_fd is not None:
                os.close(self._root_fd)
                self._root_fd = None

    def read_text(self, path: str) -> tuple[str, list[Diagnostic]]:
        """The text of the file at `path`, and a warning when it was not UTF-8.

        Raises `ReadError` when the file is refused or cannot be read."""
        return decode(self.read_bytes(path), path)

    def read_bytes(self, path: str) -> bytes:
        """The bytes of the file at `path`; `ReadError` when refused or unreadable."""
        location = Location(path)
        fd = self._open_plain(path)
        if fd is None:  # anything out of the ordinary: every rule, and the message it gives
            fd = _open_along(self._checked(path, location), location)
        try:
            return _read_bounded(fd, location)
        finally:
            os.close(fd)

    def _open_plain(self, path: str) -> int | None:
        """The common case at the cost of one open per component: a clean relative path with
        no link, no version-control directory and nothing odd on it, to a regular file within
        the size bound, opened below the root's real path with `O_NOFOLLOW` at every step.
        None for everything else (a link, `..`, a FIFO, a missing file, ...), which
        `_checked` then decides and words; it refuses nothing this would have read."""
        if os.sep != "/" or not path or path[0] == "/" or "\\" in path or "\0" in path:
            return None
        parts = path.split("/")
        if "" in parts or "." in parts or ".." in parts or _vcs_part(parts) is not None:
            return None
        with self._lock:
            fd = self._directory(tuple(parts[:-1]))
            if fd is None:
                return None
            try:
                file_fd = os.open(parts[-1], _FILE_FLAGS, dir_fd=fd)
            except OSError:
                return None
        try:
            status = os.fstat(file_fd)
        except OSError:
            status = None
        if status is None or not stat.S_ISREG(status.st_mode) or status.st_size > MAX_BYTES:
            os.close(file_fd)
            return None
        return file_fd

    def _directory(self, parts: tuple[str, ...]) -> int | None:
        """An open descriptor of the directory `parts` below the root (kept: not to be closed),
        each component opened with `O_NOFOLLOW` below the one before; None when one cannot be
        (a link, a missing directory, ...)."""
        if self._root_fd is None:
            try:
                self._root_fd = os.open(self._real_root, _DIRECTORY_FLAGS)
            except OSError:
                return None
        if not parts:
            return self._root_fd
        last = self._last_directory
        if last is not None and last[0] == parts:
            return last[1]
        fd = self._root_fd
        try:
            for part in parts:
                next_fd = os.open(part, _DIRECTORY_FLAGS | _NOFOLLOW, dir_fd=fd)
                if fd != self._root_fd:
                    os.close(fd)
                fd = next_fd
        except OSError:
            if fd != self._root_fd:
                os.close(fd)
            return None
        if last is not None:
            os.close(last[1])
        self._last_directory = (parts, fd)
        return fd

    def _checked(self, path: str, location: Location) -> str:
        """The real path of `path` once every rule but the file kind and size is checked."""
        if "\0" in path:
            raise ReadError(location, "is not a file name (it holds a NUL character)")
        vcs = _vcs_part(path.replace("\\", "/").split("/"))
        if vcs is not None:
            raise ReadError(location, f"is inside a version-control directory ({vcs}); not read")
        if normalize(path) is None and not self.allow_outside_root:
            raise ReadError(location, f"lies outside the scan root {_OUTSIDE_HINT}")
        full = os.path.join(self.root, path)
        try:
            real = os.path.realpath(full, strict=True)
        except FileNotFoundError:
            if os.path.islink(full):
                raise ReadError(location, "is a dangling symbolic link") from None
            raise ReadError(location, "file not found") from None
        except OSError as exc:
            raise _os_error(location, exc) from None
        inside = real == self._real_root or real.startswith(self._real_root.rstrip(os.sep) + os.sep)
        if not inside and not self.allow_outside_root:
            what = (
                "is a symbolic link to a file outside the scan root"
                if os.path.islink(full)
                else "lies outside the scan root (through a symbolically linked directory)"
            )
            raise ReadError(location, f"{what} {_OUTSIDE_HINT}")
        # (string operations: this runs for every file a scan reads)
        checked = real[len(self._real_root) :].split(os.sep) if inside else real.split(os.sep)
        vcs = _vcs_part(checked)
        if vcs is not None:
            raise ReadError(
                location, f"is a symbolic link into a version-control directory ({vcs}); not read"
            )
        try:
            mode = os.stat(real).st_mode
        except OSError as exc:
            raise _os_error(location, exc) from None
        if stat.S_ISDIR(mode):
            raise ReadError(location, "is a directory, not a file")
        if not stat.S_ISREG(mode):
            raise ReadError(location, "is not a regular file")
        return real

    # -- questions deployment readers ask --------------------------------------------------

    def join(self, base: str, path: str) -> str | None:
        """`path` relative to the directory `base`, normalized; None when it leaves the root."""
        return normalize(posixpath.join(base, path))

    def _full(self, path: str) -> str | None:
        normal = normalize(path)
        if normal is None or _vcs_part(normal.split("/")) is not None:
            return None
        return os.path.join(self.root, normal)

    def exists(self, path: str) -> bool:
        full = self._full(path)
        return full is not None and os.path.exists(full)

    def is_dir(self, path: str) -> bool:
        full = self._full(path)
        return full is not None and os.path.isdir(full)

    def is_file(self, path: str) -> bool:
        full = self._full(path)
        return full is not None and os.path.isfile(full)

    def present(self, path: str) -> bool:
        """Whether something that is not a directory is at `path`: a file, but also a link out
        of the root, a dangling link or a FIFO, which `read_text` then refuses by name."""
        full = self._full(path)
        return full is not None and os.path.lexists(full) and not os.path.isdir(full)

    def glob(self, directory: str, pattern: str) -> list[str]:
        """Paths below `directory` matching a relative glob `pattern` (sorted); matches that a
        link takes out of the root, or into a version-control directory, are left out."""
        base = self._full(directory)
        if base is None or not os.path.isdir(base):
            return []
        found = []
        for match in Path(base).glob(pattern):
            try:
                rel = match.relative_to(self.root).as_posix()
                real = Path(os.path.realpath(match)).relative_to(self._real_root)
            except ValueError:
                continue
            if _vcs_part(rel.split("/")) is None and _vcs_part(real.parts) is None:
                found.append(rel)
        return sorted(found)


def read_text(
    root: Path, path: str, *, allow_outside_root: bool = False
) -> tuple[str, list[Diagnostic]]:
    """`Tree(root).read_text(path)`: for sources, which are handed a root and a path."""
    return _tree(root, allow_outside_root).read_text(path)


def _tree(root: Path, allow_outside_root: bool) -> Tree:
    # one per root until `release`: its real path is taken once, not for every file (each read
    # still checks its own path, and opens it one component at a time)
    key = (root, allow_outside_root)
    tree = _TREES.get(key)
    if tree is None:
        tree = _TREES[key] = Tree(root, allow_outside_root=allow_outside_root)
    return tree


_TREES: dict[tuple[Path, bool], Tree] = {}


def release() -> None:
    """Close the directories the readers hold open and forget each root's real path: a scan
    calls it when done, so the next one (in the same process) reads the tree as it is then."""
    for tree in _TREES.values():
        tree.close()
    _TREES.clear()


def _os_error(location: Location, exc: OSError) -> ReadError:
    if exc.errno == errno.ELOOP:
        return ReadError(location, "is a symbolic link loop")
    if exc.errno == errno.ENXIO:  # a socket, or a device with nothing behind it
        return ReadError(location, "is not a regular file")
    return ReadError(location, f"cannot read file: {exc.strerror or exc}")


_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY_FLAGS = _FLAGS | getattr(os, "O_DIRECTORY", 0)
_FILE_FLAGS = _FLAGS | os.O_NONBLOCK | _NOFOLLOW | getattr(os, "O_NOCTTY", 0)


def _open_along(real: str, location: Location) -> int:
    """Open the regular file at the link-free absolute path `real`, one component at a time.

    Each directory is opened with `O_NOFOLLOW` below the one before, so a component swapped
    for a link after `realpath` fails the open instead of leading elsewhere."""
    # `real` is absolute and link-free: "/" and its components (empty parts are "//" at the
    # start, which POSIX leaves to the system: pathlib's parts then)
    parts = ["/", *real[1:].split("/")] if os.sep == "/" and "//" not in real else Path(real).parts
    directory_flags, file_flags = _DIRECTORY_FLAGS | _NOFOLLOW, _FILE_FLAGS
    try:
        fd = os.open(parts[0], _FLAGS)
    except OSError as exc:
        raise _os_error(location, exc) from None
    try:
        for part in parts[1:-1]:
            next_fd = os.open(part, directory_flags, dir_fd=fd)
            os.close(fd)
            fd = next_fd
        file_fd = os.open(parts[-1], file_flags, dir_fd=fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise ReadError(location, "changed while it was being read; not read") from None
        raise _os_error(location, exc) from None
    finally:
        os.close(fd)
    try:
        status = os.fstat(file_fd)
        if not stat.S_ISREG(status.st_mode):
            raise ReadError(location, "is not a regular file")
        if status.st_size > MAX_BYTES:
            raise ReadError(location, _too_large(status.st_size))
    except BaseException:
        os.close(file_fd)
        raise
    return file_fd


def _read_bounded(fd: int, location: Location) -> bytes:
    """At most `MAX_BYTES` from `fd`: a file that grows past it while read is refused."""
    chunks: list[bytes] = []
    total = 0
    while True:
        try:
            chunk = os.read(fd, min(_CHUNK, MAX_BYTES + 1 - total))
        except OSError as exc:
            raise _os_error(location, exc) from None
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_BYTES:
            raise ReadError(location, _too_large(total, growing=True))


def _too_large(size: int, *, growing: bool = False) -> str:
    mib = MAX_BYTES // (1024 * 1024)
    if growing:
        return f"grew past {mib} MiB while being read; depcheck reads files of at most {mib} MiB"
    return f"is {_size(size)}; depcheck reads files of at most {mib} MiB"


def _size(size: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"
