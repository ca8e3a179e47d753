"""The cache's index of facts: what one run learned, read back by the next in one file.

A warm run asks the same few hundred project pages and metadata files again. Read one by one
from the cache, each is two small files (its ref and its blob, whose hash is checked) and then
parsed again (an HTML page, an email-format METADATA). The index keeps the *parsed* facts of a
run in one JSON blob of the cache, so the next run reads one file:

    {"format": ..., "pages": {<page key>: {"object": <sha256 of the page as cached>,
                                           "etag": ..., "last_modified": ...,
                                           "links": [[filename, url, version, hashes,
                                                      requires-python, yanked, metadata], ...]}},
     "metadata": {<metadata key>: {"name": ..., "version": ..., "requires_dist": [...],
                                   "requires_python": ..., "origin": ..., "warnings": [...]}}}

It changes nothing about what is true: a page is still revalidated with the index on every run
(the index's validators are in the entry; `--offline` asks nothing), and a page the index
changed is fetched and parsed as without it. The blob is content-addressed like every other
(a damaged one counts as missing) under a ref named by the run's locations, so two
repositories using the same index share it; an entry of the wrong shape is ignored (the fact
is then read from its own cache file), and JSON is all that is ever decoded: nothing in the
cache can run code. Written at the end of a run only when the run learned something the index
did not hold; entries this run did not use are kept up to `MAX_ENTRIES`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from depcheck.resolve.cache import Cache, validator
from depcheck.resolve.index import FileLink

#: bump when what an entry holds changes
FORMAT = "depcheck-facts-1"
#: pages, and metadata files, kept in the index (this run's, then earlier runs')
MAX_ENTRIES = 20_000


@dataclass(frozen=True, slots=True)
class Page:
    """A project page as the index knows it: its cached blob's digest, validators, links."""

    digest: str
    etag: str | None
    last_modified: str | None
    links: tuple[FileLink, ...]


def index_key(locations: Sequence[str]) -> str:
    """The ref of the index for a run over these locations (credentials already stripped)."""
    payload = json.dumps([FORMAT, list(locations)], separators=(",", ":"))
    return "facts-index:" + hashlib.sha256(payload.encode()).hexdigest()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _strings(value: object) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return None
    return dict(value)


def encode_link(link: FileLink) -> list[Any]:
    return [
        link.filename,
        link.url,
        str(link.version),
        dict(link.hashes),
        link.requires_python,
        link.yanked,
        None if link.metadata is None else dict(link.metadata),
    ]


def decode_link(project: str, row: object) -> FileLink | None:
    if not isinstance(row, list) or len(row) != 7:
        return None
    filename, url, version, hashes, requires_python, yanked, metadata = row
    hashes = _strings(hashes)
    if not isinstance(filename, str) or not isinstance(url, str) or hashes is None:
        return None
    if not isinstance(version, str) or (metadata is not None and _strings(metadata) is None):
        return None
    try:
        parsed = Version(version)
    except InvalidVersion:
        return None
    return FileLink(
        project=canonicalize_name(project),
        version=parsed,
        filename=filename,
        url=url,
        is_wheel=filename.endswith(".whl"),
        hashes=hashes,
        requires_python=_text(requires_python),
        yanked=_text(yanked),
        metadata=None if metadata is None else _strings(metadata),
    )


def decode_page(project: str, entry: object) -> Page | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("links"), list):
        return None
    digest = entry.get("object")
    if not isinstance(digest, str) or len(digest) != 64:
        return None
    links = []
    for row in entry["links"]:
        link = decode_link(project, row)
        if link is None:
            return None
        links.append(link)
    etag, modified = validator(entry.get("etag")), validator(entry.get("last_modified"))
    return Page(digest, etag, modified, tuple(links))


def encode_page(page: Page) -> dict[str, Any]:
    return {
        "object": page.digest,
        "etag": page.etag,
        "last_modified": page.last_modified,
        "links": [encode_link(link) for link in page.links],
    }


def encode_metadata(
    name: str,
    version: Version,
    requires_dist: Sequence[Requirement],
    requires_python: SpecifierSet | None,
    origin: str,
    warnings: Sequence[str],
) -> dict[str, Any]:
    return {
        "name": name,
        "version": str(version),
        "requires_dist": [str(r) for r in requires_dist],
        "requires_python": None if requires_python is None else str(requires_python),
        "origin": origin,
        "warnings": list(warnings),
    }


def decode_metadata(
    entry: object,
) -> tuple[str, Version, tuple[Requirement, ...], SpecifierSet | None, str, list[str]] | None:
    """The fields of a metadata entry, or None when it is not one this version wrote."""
    if not isinstance(entry, dict):
        return None
    name, version, origin = entry.get("name"), entry.get("version"), entry.get("origin")
    requires, python, warnings = (
        entry.get("requires_dist"),
        entry.get("requires_python"),
        entry.get("warnings"),
    )
    if not (isinstance(name, str) and isinstance(version, str) and isinstance(origin, str)):
        return None
    if not isinstance(requires, list) or not isinstance(warnings, list):
        return None
    if not all(isinstance(w, str) for w in warnings):
        return None
    try:
        return (
            name,
            Version(version),
            tuple(Requirement(r) for r in requires if isinstance(r, str)),
            None if python is None else SpecifierSet(str(python)),
            origin,
            list(warnings),
        )
    except (InvalidVersion, InvalidRequirement, InvalidSpecifier):
        return None


class FactIndex:
    """The index of one run: what was read back, and what this run used (to write back)."""

    def __init__(self, cache: Cache, key: str) -> None:
        self.cache = cache
        self.key = key
        self.pages: dict[str, Any] = {}
        self.metadata: dict[str, Any] = {}
        data = cache.get(key)
        if data is not None:
            try:
                document = json.loads(data)
            except ValueError:
                document = None
            if isinstance(document, dict) and document.get("format") == FORMAT:
                pages, metadata = document.get("pages"), document.get("metadata")
                self.pages = pages if isinstance(pages, dict) else {}
                self.metadata = metadata if isinstance(metadata, dict) else {}
        self.used_pages: dict[str, Any] = {}
        self.used_metadata: dict[str, Any] = {}
        self.changed = False

    def page(self, key: str, project: str) -> Page | None:
        return decode_page(project, self.pages.get(key))

    def use_page(self, key: str, page: Page, *, new: bool) -> None:
        self.used_pages[key] = encode_page(page) if new else self.pages[key]
        if new:
            self.changed = True  # only ever set (threads may race, never to False)

    def use_metadata(self, key: str, entry: Mapping[str, Any], *, new: bool) -> None:
        self.used_metadata[key] = entry
        if new:
            self.changed = True

    def save(self) -> None:
        """Write the index back when this run learned something it did not hold."""
        if not self.changed:
            return
        pages = _merged(self.used_pages, self.pages)
        metadata = _merged(self.used_metadata, self.metadata)
        document = {"format": FORMAT, "pages": pages, "metadata": metadata}
        self.cache.put(self.key, json.dumps(document, separators=(",", ":")).encode())


def _merged(used: Mapping[str, Any], earlier: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(used)
    for key, value in earlier.items():
        if len(merged) >= MAX_ENTRIES:
            break
        merged.setdefault(key, value)
    return merged
