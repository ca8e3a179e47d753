"""The on-disk cache of index facts: content-addressed, safe to share between CI runs.

Layout under the cache directory (default: the platform's user cache dir, see
`default_cache_dir`)::

    objects/ab/abcdef...      one blob per content, named by its sha256
    refs/<sha256(key)>        a small JSON record: {"object": <sha256>, "stored": <unix time>}

A *key* names what was fetched (a project page URL without credentials, or a wheel's metadata
named by the file's own hash). Blobs never change once written, so two CI jobs restoring and
saving the same directory cannot corrupt each other; every write goes to a temporary file first
and is renamed into place (`os.replace` is atomic on POSIX and Windows). A blob whose content no
longer matches its name (a truncated upload, a disk error) is treated as missing and refetched.

Project pages change when a release is published, so their refs expire after `page_ttl`
seconds (`--offline` ignores the age: whatever is cached is used); metadata of a file named by
its hash is immutable and never expires.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

#: how long a cached project page is used before the index is asked again (seconds)
PAGE_TTL = 600.0


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


class Cache:
    """A content-addressed blob store with named refs; thread-safe (writes are atomic renames)."""

    def __init__(self, directory: Path, *, page_ttl: float = PAGE_TTL) -> None:
        self.directory = directory
        self.page_ttl = page_ttl
        self.hits = 0
        self.misses = 0

    def _object_path(self, digest: str) -> Path:
        return self.directory / "objects" / digest[:2] / digest

    def _ref_path(self, key: str) -> Path:
        return self.directory / "refs" / sha256(key.encode())

    def get(self, key: str, *, max_age: float | None = None) -> bytes | None:
        """The blob stored under `key`, or None (absent, expired, or damaged)."""
        try:
            record = json.loads(self._ref_path(key).read_text(encoding="utf-8"))
            digest = str(record["object"])
            stored = float(record["stored"])
        except (OSError, ValueError, KeyError, TypeError):
            self.misses += 1
            return None
        if max_age is not None and time.time() - stored > max_age:
            self.misses += 1
            return None
        data = self.get_object(digest)
        if data is None:
            self.misses += 1
            return None
        self.hits += 1
        return data

    def get_object(self, digest: str) -> bytes | None:
        """The blob named `digest`, if present and intact."""
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            return None
        try:
            data = self._object_path(digest).read_bytes()
        except OSError:
            return None
        return data if sha256(data) == digest else None

    def put(self, key: str, data: bytes) -> str:
        """Store `data` under `key`; returns its sha256. Errors writing are ignored (a cache)."""
        digest = sha256(data)
        try:
            target = self._object_path(digest)
            if not target.exists():
                _atomic_write(target, data)
            record = json.dumps({"object": digest, "stored": time.time()}).encode()
            _atomic_write(self._ref_path(key), record)
        except OSError:
            pass
        return digest


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
