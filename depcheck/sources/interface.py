"""The contract every dependency-file source follows, and the helpers they share.

A source turns one file (plus whatever it includes) into a `SourceFile`: requirements with their
locations, package-to-package edges, and diagnostics for what it could not read. A source never
raises for bad content; it reports a diagnostic and keeps going. `SourceError` exists for the one
case where nothing at all could be read (the file is missing, a directory, unreadable).
"""

from __future__ import annotations

import abc
import codecs
import errno
import stat
from dataclasses import dataclass
from pathlib import Path

from depcheck.model import Diagnostic, Location, Severity, SourceFile


class SourceError(ValueError):
    """A dependency file that could not be read at all."""

    def __init__(self, location: Location, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadOptions:
    """What a source needs to know beyond the file itself."""

    root: Path
    include_dev: bool = False
    allow_outside_root: bool = False
    #: optional-dependency extras of the service's own project that count as installed
    extras: frozenset[str] = frozenset()


class Source(abc.ABC):
    """One dependency-file format."""

    #: the `format` string the JSON report shows for files of this kind
    format: str

    @abc.abstractmethod
    def read(self, path: str, options: ReadOptions) -> SourceFile:
        """Read `path` (POSIX, relative to `options.root`)."""


def relative_path(path: Path, root: Path) -> str:
    """`path` as a POSIX path relative to `root`, or as given when it lies outside."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def read_text(
    root: Path, path: str, *, allow_outside_root: bool = False
) -> tuple[str, list[Diagnostic]]:
    """Read a text file the way pip does: honour a BOM, else UTF-8, else Latin-1 with a warning.

    Raises `SourceError` when the file cannot be read or is binary.
    """
    location = Location(path)
    full = root / path
    if full.is_dir():
        raise SourceError(location, "is a directory, not a file")
    try:
        # a FIFO or device named requirements.txt would block or never end: regular files only
        if full.exists() and not stat.S_ISREG(full.stat().st_mode):
            raise SourceError(location, "is not a regular file")
        if full.is_symlink() and not allow_outside_root:
            target = full.resolve()
            if not target.is_relative_to(root.resolve()):
                raise SourceError(
                    location,
                    "is a symbolic link to a file outside the scan root "
                    "(use --allow-outside-root to read it)",
                )
        data = full.read_bytes()
    except FileNotFoundError:
        if full.is_symlink():
            raise SourceError(location, "is a dangling symbolic link") from None
        raise SourceError(location, "file not found") from None
    except RuntimeError:  # a symlink loop while resolving
        raise SourceError(location, "is a symbolic link loop") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SourceError(location, "is a symbolic link loop") from None
        raise SourceError(location, f"cannot read file: {exc.strerror or exc}") from None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), []
            except UnicodeDecodeError as exc:
                raise SourceError(location, f"not valid {encoding} text ({exc.reason})") from None
    if b"\x00" in data[:8192]:
        raise SourceError(location, "looks like a binary file, not text")
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        warning = Diagnostic(
            Severity.WARNING,
            Location(path, line),
            "not valid UTF-8; read as Latin-1",
        )
        return data.decode("latin-1"), [warning]
