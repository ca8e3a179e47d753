"""resolve/cache.py: content-addressed blobs, refs with validators, corrupt blobs refetched."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from depcheck.resolve.cache import Cache


def test_blobs_are_named_by_their_content(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    digest = cache.put("https://index/simple/alpha/", b"<html>alpha</html>")
    assert digest == hashlib.sha256(b"<html>alpha</html>").hexdigest()
    assert (tmp_path / "objects" / digest[:2] / digest).read_bytes() == b"<html>alpha</html>"
    assert cache.get("https://index/simple/alpha/") == b"<html>alpha</html>"
    assert cache.get_object(digest) == b"<html>alpha</html>"
    assert cache.get("https://index/simple/beta/") is None


def test_a_page_keeps_its_validators(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("page", b"v1", etag='"abc"', last_modified="Fri, 04 Dec 2026 10:00:00 GMT")
    entry = Cache(tmp_path).entry("page")
    assert entry is not None and entry.data == b"v1"
    assert (entry.etag, entry.last_modified) == ('"abc"', "Fri, 04 Dec 2026 10:00:00 GMT")
    assert entry.digest == hashlib.sha256(b"v1").hexdigest()
    # what a header cannot carry is never kept, nor sent back to a server
    cache.put("page", b"v2", etag='"a"\r\nX-Injected: 1', last_modified="x" * 2000)
    entry = cache.entry("page")
    assert entry is not None and (entry.data, entry.etag, entry.last_modified) == (
        b"v2",
        None,
        None,
    )


def test_a_corrupt_blob_counts_as_missing(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    digest = cache.put("key", b"the real bytes")
    (tmp_path / "objects" / digest[:2] / digest).write_bytes(b"truncated")
    assert cache.get("key") is None
    assert cache.get_object(digest) is None


def test_a_fifo_or_a_link_in_the_cache_is_a_miss_not_a_hang(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    digest = cache.put("page:https://example/simple/a/", b"text/html\nA")
    ref = next((tmp_path / "cache" / "refs").iterdir())
    blob = tmp_path / "cache" / "objects" / digest[:2] / digest
    secret = tmp_path / "secret"
    secret.write_bytes(b"text/html\nA")  # same content, so only the link makes it a miss
    blob.unlink()
    blob.symlink_to(secret)
    assert cache.get("page:https://example/simple/a/") is None
    ref.unlink()
    os.mkfifo(ref)  # a plain read of a FIFO waits for a writer forever
    assert cache.get("page:https://example/simple/a/") is None
    assert cache.misses == 2
