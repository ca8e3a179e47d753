"""resolve/cache.py: content-addressed blobs, refs that expire, corrupt blobs refetched."""

from __future__ import annotations

import hashlib
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


def test_a_page_older_than_its_max_age_is_not_used(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("page", b"v1")
    assert cache.get("page", max_age=60) == b"v1"
    assert cache.get("page", max_age=-1) is None  # stored before "now - (-1) s"
    assert cache.get("page") == b"v1"  # no max age (--offline): whatever is cached


def test_a_corrupt_blob_counts_as_missing(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    digest = cache.put("key", b"the real bytes")
    (tmp_path / "objects" / digest[:2] / digest).write_bytes(b"truncated")
    assert cache.get("key") is None
    assert cache.get_object(digest) is None
