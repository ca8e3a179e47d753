"""The on-disk cache of index facts: content-addressed, safe to share between CI runs.

Layout under the cache directory (default: the platform's user cache dir, see
`default_cache_dir`)::

    objects/ab/abcdef...      one blob per content, named by its sha256
    refs/<sha256(key)>        a small JSON record: {"object": <sha256>, "stored": <unix time>},
                              and for a project page the validators its server sent
                              ("etag", "last_modified")

A *key* names what was fetched (a project page URL without credentials, or a wheel's metadata
named by the file's own hash). Blobs never change once written, so two CI jobs restoring and
saving the same directory cannot corrupt each other; every write goes to a temporary file first
and is renamed into place (`os.replace` is atomic on POSIX and Windows). A blob whose content no
longer matches its name (a truncated upload, a disk error) is treated as missing and refetched.

Project pages change when a release is published, so a cached page is used only after the
index said it has not changed: every run revalidates it with a conditional request
(`If-None-Match` with its ETag, `If-Modified-Since` with its Last-Modified), which costs a
`304 Not Modified` without a body when nothing was released, as pip does (`--offline` asks
nothing: whatever is cached is used). Metadata of a file named by its hash is immutable and
never asked again.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import stat
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

#: a validator longer than this, or with characters a header cannot carry, is not kept
MAX_VALIDATOR = 1024


#: the largest ref record and blob read back (an index page or a wheel's metadata is far less)
MAX_REF = 64 * 1024
MAX_OBJECT = 256 * 1024 * 1024


def _read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`, not through a link at its last component and
    never waiting: a FIFO or a device put where an entry belongs is an `OSError`, as is one
    larger than `limit` (read as a miss; the entry is fetched again)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise OSError(f"{path}: not a regular file of at most {limit} bytes")
        chunks = []
        left = limit + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise OSError(f"{path}: larger than {limit} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def default_cache_dir() -> Path:
    """The platform's user cache dir for depcheck: $XDG_CACHE_HOME/depcheck, ~/.cache/depcheck,
    ~/Library/Caches/depcheck on macOS, %LOCALAPPDATA%\\depcheck\\Cache on Windows."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "depcheck" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "depcheck"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base_dir = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base_dir / "depcheck"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def validator(value: object) -> str | None:
    """`value` if it can go back to a server as a header value (printable ASCII, bounded)."""
    if not isinstance(value, str) or not value or len(value) > MAX_VALIDATOR:
        return None
    return value if all(" " <= c <= "~" for c in value) else None


@dataclass(frozen=True, slots=True)
class Entry:
    """A stored blob with its ref's validators (what a conditional request sends back)."""

    data: bytes
    digest: str
    etag: str | None = None
    last_modified: str | None = None


class Cache:
    """A content-addressed blob store with named refs; thread-safe (writes are atomic renames)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hits = 0
        self.misses = 0

    def _object_path(self, digest: str) -> Path:
        return self.directory / "objects" / digest[:2] / digest

    def _ref_path(self, key: str) -> Path:
        return self.directory / "refs" / sha256(key.encode())

    def get(self, key: str) -> bytes | None:
        """The blob stored under `key`, or None (absent or damaged)."""
        entry = self.entry(key)
        return None if entry is None else entry.data

    def entry(self, key: str) -> Entry | None:
        """The blob stored under `key` with its validators, or None (absent or damaged)."""
        try:
            record = json.loads(_read_regular(self._ref_path(key), MAX_REF).decode("utf-8"))
            digest = str(record["object"])
        except (OSError, ValueError, KeyError, TypeError):
            self.misses += 1
            return None
        data = self.get_object(digest)
        if data is None:
            self.misses += 1
            return None
        self.hits += 1
        return Entry(
            data, digest, validator(record.get("etag")), validator(record.get("last_modified"))
        )

    def get_object(self, digest: str) -> bytes | None:
        """The blob named `digest`, if present and intact."""
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            return None
        try:
            data = _read_regular(self._object_path(digest), MAX_OBJECT)
        except OSError:
            return None
        return data if sha256(data) == digest else None

    def put(
        self, key: str, data: bytes, *, etag: str | None = None, last_modified: str | None = None
    ) -> str:
        """Store `data` under `key` (with a page's validators); returns its sha256. Errors
        writing are ignored (a cache)."""
        digest = sha256(data)
        try:
            target = self._object_path(digest)
            if not target.exists():
                _atomic_write(target, data)
            fields: dict[str, object] = {"object": digest, "stored": time.time()}
            for name, value in (
                ("etag", validator(etag)),
                ("last_modified", validator(last_modified)),
            ):
                if value is not None:
                    fields[name] = value
            _atomic_write(self._ref_path(key), json.dumps(fields).encode())
        except OSError:
            pass
        return digest


#: folders of the cache this process made or found (a cold run writes a thousand entries)
_MADE: set[str] = set()
_names = itertools.count()


def _atomic_write(path: Path, data: bytes) -> None:
    """`data` written to a new file beside `path` (named by this process, thread and a
    counter, created exclusively), then renamed over it."""
    folder = os.path.dirname(path)
    if folder not in _MADE:
        os.makedirs(folder, exist_ok=True)
        _MADE.add(folder)
    temp = os.path.join(folder, f".tmp-{os.getpid()}-{threading.get_ident()}-{next(_names)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
