"""Package facts: released files per project and, per file used, its core metadata.

`FactStore` is the one place that fetches. Everything it learns is memoized per run (one future
per project page and per distribution file, shared by every service and host, so a package that
forty services need is fetched once) and, through `Cache`, across runs. Fetches run on a
`ThreadPoolExecutor`: the resolver asks for pages and metadata one at a time, so the store
starts the likely next ones early (`prefetch_*`), which is where the parallelism comes from.

Metadata comes from the index's PEP 658/714 `<file>.metadata` when the page says it is served,
else from the wheel itself: the wheel is downloaded and `*.dist-info/METADATA` read from the
zip. Nothing else is read from a wheel, nothing is extracted, and an sdist is never downloaded:
building one runs its build backend (arbitrary code), which `--resolve` must not do. A file's
hash, when the index gives one, is checked before its content is used.

What goes wrong (an unreachable index, HTTP errors, corrupt files, a project no location has)
becomes a `Problem`; the caller turns problems into diagnostics and keeps the static result for
the hosts they touch.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from depcheck.resolve.cache import Cache
from depcheck.resolve.cache import sha256 as cache_digest
from depcheck.resolve.index import (
    FileLink,
    HttpClient,
    IndexError_,
    IndexSettings,
    NotFound,
    index_accept,
    links_in_directory,
    parse_page,
    project_page_url,
    redact,
)
from depcheck.resolve.snapshot import (
    FactIndex,
    Page,
    decode_metadata,
    encode_metadata,
    index_key,
)

WORKERS = 8
#: metadata files are small; a bigger one is not metadata
MAX_METADATA = 8 * 1024 * 1024

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the store could not learn: `package` names what it was for."""

    package: str
    message: str
    #: False for what only weakens a fact (an invalid Requires-Dist line that was skipped)
    error: bool = True


@dataclass(frozen=True, slots=True)
class Metadata:
    """The core metadata of one distribution file, as far as resolution needs it."""

    name: NormalizedName
    version: Version
    requires_dist: tuple[Requirement, ...]
    requires_python: SpecifierSet | None
    #: where it was read: "index metadata" (PEP 658) or "wheel METADATA"
    origin: str


#: what the cache keeps for a page the index does not have (404), for `--offline`
_EMPTY_PAGE = b"text/html\n"


def _parse_blob(blob: bytes, url: str) -> list[FileLink]:
    """The links of a page as the cache keeps it: its content type, a newline, its body."""
    content_type, _, data = blob.partition(b"\n")
    return parse_page(data, content_type.decode(), url)


def _link_fields(link: FileLink) -> list[object]:
    """What a find-links file says, for `FactStore.project_digest`; a local file's size and
    modification time too (a wheel rebuilt in place is another file)."""
    fields: list[object] = [
        link.filename,
        redact(link.url),
        sorted(link.hashes.items()),
        link.requires_python,
        link.yanked,
        None if link.metadata is None else sorted(link.metadata.items()),
    ]
    if link.url.startswith("file:"):
        path = urllib.request.url2pathname(urllib.parse.urlsplit(link.url).path)
        try:
            info = os.stat(path)
        except OSError:
            fields.append(None)
        else:
            fields.append([info.st_size, info.st_mtime_ns])
    return fields


def _local_key(key: str, link: FileLink) -> str | None:
    """`key` with the local file's size and modification time (None: it cannot be read)."""
    path = urllib.request.url2pathname(urllib.parse.urlsplit(link.url).path)
    try:
        info = os.stat(path)
    except OSError:
        return None
    return f"{key}:{info.st_size}:{info.st_mtime_ns}"


def _strip_credentials(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def parse_metadata(data: bytes, link: FileLink, origin: str) -> tuple[Metadata, list[str]]:
    """Metadata from a METADATA/`.metadata` file; raises ValueError when it is not one."""
    if len(data) > MAX_METADATA:
        raise ValueError("metadata larger than 8 MiB")
    from packaging.metadata import parse_email  # ~40 ms of imports: only when parsing

    raw, _ = parse_email(data)
    name = raw.get("name")
    version_text = raw.get("version")
    if not name or not version_text:
        raise ValueError("no Name or Version field")
    try:
        version = Version(version_text)
    except InvalidVersion:
        raise ValueError(f"invalid Version {version_text!r}") from None
    if canonicalize_name(name) != link.project or version != link.version:
        raise ValueError(f"it describes {name} {version_text}, not {link.project} {link.version}")
    warnings: list[str] = []
    requires: list[Requirement] = []
    for text in raw.get("requires_dist", []):
        try:
            requires.append(Requirement(text))
        except InvalidRequirement as exc:
            warnings.append(f"ignored invalid Requires-Dist {text!r}: {exc}")
    requires_python = None
    if raw.get("requires_python"):
        try:
            requires_python = SpecifierSet(raw["requires_python"])
        except InvalidSpecifier:
            warnings.append(f"ignored invalid Requires-Python {raw['requires_python']!r}")
    metadata = Metadata(link.project, version, tuple(requires), requires_python, origin)
    return metadata, warnings


def metadata_from_wheel(data: bytes, link: FileLink) -> bytes:
    """The METADATA file inside a wheel (read from the zip, nothing extracted or run)."""
    import zipfile  # only when a wheel is read

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ValueError("not a zip archive") from None
    with archive:
        candidates = [
            info
            for info in archive.infolist()
            if info.filename.count("/") == 1 and info.filename.endswith(".dist-info/METADATA")
        ]
        wanted = [
            info
            for info in candidates
            if canonicalize_name(info.filename.split("-")[0]) == link.project
        ]
        chosen = wanted or candidates
        if len(chosen) != 1:
            raise ValueError("no single *.dist-info/METADATA in it")
        if chosen[0].file_size > MAX_METADATA:
            raise ValueError("METADATA larger than 8 MiB")
        try:
            return archive.read(chosen[0])
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ValueError(f"cannot read METADATA ({exc})") from None


def _check_hash(data: bytes, expected: dict[str, str] | None, what: str) -> None:
    if not expected:
        return
    for algorithm in ("sha256", "sha384", "sha512"):
        if algorithm in expected:
            actual = hashlib.new(algorithm, data).hexdigest()
            if actual != expected[algorithm]:
                raise ValueError(f"{what} does not match its {algorithm} hash")
            return


class FactStore:
    """Fetches, memoizes and caches project pages and metadata (thread-safe)."""

    def __init__(
        self,
        settings: IndexSettings,
        *,
        cache: Cache | None,
        client: HttpClient | None = None,
        workers: int = WORKERS,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.client = client or HttpClient(timeout=settings.timeout, retries=settings.retries)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="depcheck-fetch")
        self._lock = threading.Lock()
        self._futures: dict[str, Future[object]] = {}
        self._problems: dict[tuple[str, str], Problem] = {}
        self._found_links: dict[NormalizedName, list[FileLink]] | None = None
        self._digests: dict[NormalizedName, str] = {}
        self._find_links_lock = threading.Lock()
        self.metadata_fetches = 0
        #: the parsed facts of the last run over these locations (`snapshot`)
        self._index: FactIndex | None = None
        if cache is not None:
            locations = [_strip_credentials(u) for u in settings.index_urls]
            self._index = FactIndex(cache, index_key([*locations, *settings.find_links]))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._index is not None:
            self._index.save()

    def __enter__(self) -> FactStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- memoization -------------------------------------------------------------------

    def _future(self, key: str, work: Callable[[], object]) -> Future[object]:
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                future = self._pool.submit(work)
                self._futures[key] = future
            return future

    def problem(self, package: str, message: str, *, error: bool = True) -> None:
        with self._lock:
            self._problems.setdefault((package, message), Problem(package, message, error))

    @property
    def problems(self) -> list[Problem]:
        with self._lock:
            return [self._problems[k] for k in sorted(self._problems)]

    # -- projects ----------------------------------------------------------------------

    def prefetch_projects(self, names: Iterable[str]) -> None:
        for name in names:
            normalized = canonicalize_name(name)
            work = functools.partial(self._fetch_project, normalized)
            self._future(f"project:{normalized}", work)

    def project(self, name: str) -> tuple[FileLink, ...] | None:
        """Every file of `name` the locations offer; None when that could not be learned."""
        normalized = canonicalize_name(name)
        future = self._future(f"project:{normalized}", lambda: self._fetch_project(normalized))
        result = future.result()
        assert result is None or isinstance(result, tuple)
        return result

    def _fetch_project(self, name: NormalizedName) -> tuple[FileLink, ...] | None:
        links: list[FileLink] = []
        failed = False
        #: what the project's facts are made of, for `project_digest`
        parts: list[object] = []
        for index_url in self.settings.index_urls:
            url = project_page_url(index_url, name)
            page = self._page(url, name)
            if page is None:
                failed = True
            else:
                links.extend(link for link in page[0] if link.project == name)
                parts.append([redact(url), page[1]])
        found = self._find_links().get(name, ())
        links.extend(found)
        parts.extend(_link_fields(link) for link in found)
        if failed and not links:
            return None
        if not links and not failed:
            where = ", ".join(redact(u) for u in self.settings.index_urls) or "no index"
            if self.settings.find_links:
                where += " and --find-links " + ", ".join(
                    redact(f) for f in self.settings.find_links
                )
            self.problem(name, f"{name}: not found ({where})")
        if not failed:
            digest = hashlib.sha256(json.dumps(parts, separators=(",", ":")).encode())
            with self._lock:
                self._digests[name] = digest.hexdigest()
        unique: dict[str, FileLink] = {}
        for link in links:
            unique.setdefault(link.filename, link)
        return tuple(sorted(unique.values(), key=lambda link: (link.version, link.filename)))

    def project_digest(self, name: str) -> str | None:
        """A digest of everything the locations said about `name` this run (each index page's
        content, each find-links file with a local one's size and time); None when some
        location could not be read. Equal digests mean equal facts."""
        normalized = canonicalize_name(name)
        if self.project(normalized) is None:
            return None
        with self._lock:
            return self._digests.get(normalized)

    def _page(
        self, url: str, package: str, *, project: bool = True
    ) -> tuple[list[FileLink], str] | None:
        """A page's links and the digest of its content: the cached copy when the index says
        it is unchanged (a conditional request answered 304) or under `--offline`, else the
        page fetched again. A project page's parsed links come from the fact index when it
        has them (`snapshot`), else from the cached page."""
        key = "page:" + _strip_credentials(url)
        index = self._index if project else None
        known = index.page(key, package) if index is not None else None
        cached: tuple[list[FileLink], str] | None = None
        etag = last_modified = None
        if known is not None:
            cached = (list(known.links), known.digest)
            etag, last_modified = known.etag, known.last_modified
        elif self.cache is not None and (entry := self.cache.entry(key)) is not None:
            try:
                cached = (_parse_blob(entry.data, url), entry.digest)
                etag, last_modified = entry.etag, entry.last_modified
            except (ValueError, UnicodeDecodeError):
                pass  # damaged (stored by another version?): fetch it again
        if self.settings.offline:
            if cached is None:
                self.problem(package, f"{package}: {redact(url)} is not in the cache (--offline)")
                return None
            self._indexed(key, cached, etag, last_modified, known, index)
            return cached
        conditional = cached is not None and bool(etag or last_modified)
        try:
            response = self.client.get(
                url,
                accept=index_accept(),
                etag=etag if conditional else None,
                last_modified=last_modified if conditional else None,
            )
        except NotFound:
            if self.cache is not None:
                self.cache.put(key, _EMPTY_PAGE)
            return [], cache_digest(_EMPTY_PAGE)
        except IndexError_ as exc:
            self.problem(package, f"{package}: {exc}")
            return None
        if response.not_modified and cached is not None:  # the client sent its validators
            self._indexed(key, cached, response.etag, response.last_modified, known, index)
            return cached
        blob = response.content_type.encode() + b"\n" + response.data
        try:
            links = _parse_blob(blob, url)
        except (ValueError, UnicodeDecodeError) as exc:
            self.problem(package, f"{package}: {redact(url)}: unreadable index page ({exc})")
            return None
        if self.cache is not None:
            digest = self.cache.put(
                key, blob, etag=response.etag, last_modified=response.last_modified
            )
        else:
            digest = cache_digest(blob)
        self._indexed(key, (links, digest), response.etag, response.last_modified, None, index)
        return links, digest

    @staticmethod
    def _indexed(
        key: str,
        page: tuple[list[FileLink], str],
        etag: str | None,
        last_modified: str | None,
        known: Page | None,
        index: FactIndex | None,
    ) -> None:
        """Record a project page this run used in the fact index (new unless it held it as is)."""
        if index is None:
            return
        same = known is not None and (known.digest, known.etag, known.last_modified) == (
            page[1],
            etag,
            last_modified,
        )
        links = tuple(page[0])
        index.use_page(key, Page(page[1], etag, last_modified, links), new=not same)

    def _find_links(self) -> dict[NormalizedName, list[FileLink]]:
        with self._find_links_lock:
            if self._found_links is None:
                found: dict[NormalizedName, list[FileLink]] = {}
                for location in self.settings.find_links:
                    links: list[FileLink] | None
                    if "://" in location:
                        page = self._page(location, location, project=False)
                        links = None if page is None else page[0]
                    else:
                        try:
                            links = links_in_directory(Path(location))
                        except IndexError_ as exc:
                            self.problem(location, str(exc))
                            links = None
                    for link in links or ():
                        found.setdefault(link.project, []).append(link)
                self._found_links = found
            return self._found_links

    # -- metadata ----------------------------------------------------------------------

    def prefetch_metadata(self, links: Iterable[FileLink]) -> None:
        for link in links:
            self._future(self._metadata_key(link), functools.partial(self._fetch_metadata, link))

    def metadata(self, link: FileLink) -> Metadata | None:
        """The metadata of one wheel; None (and a problem) when it cannot be had."""
        future = self._future(self._metadata_key(link), lambda: self._fetch_metadata(link))
        result = future.result()
        assert result is None or isinstance(result, Metadata)
        return result

    @staticmethod
    def _metadata_key(link: FileLink) -> str:
        if link.sha256:
            return f"metadata:sha256:{link.sha256}"
        return "metadata:" + _strip_credentials(link.url)

    def _fetch_metadata(self, link: FileLink) -> Metadata | None:
        label = f"{link.project} {link.version}"
        key = self._metadata_key(link)
        local = link.url.startswith("file:")
        # in the fact index a local wheel is named by its size and time too (rebuilt in place,
        # it is another file); the per-file cache keeps only what a URL's hash names
        indexed = _local_key(key, link) if local else key
        if self._index is not None and indexed is not None:
            found = self._indexed_metadata(indexed, link)
            if found is not None:
                return found
        data = None
        if self.cache is not None and not local:
            data = self.cache.get(key)
        origin = "index metadata" if link.metadata is not None else "wheel METADATA"
        if data is None:
            if self.settings.offline and not local:
                self.problem(
                    link.project,
                    f"{label}: metadata of {link.filename} is not in the cache (--offline)",
                )
                return None
            with self._lock:
                self.metadata_fetches += 1
            try:
                data = self._download_metadata(link)
            except (IndexError_, ValueError) as exc:
                # IndexError_: the file could not be had; ValueError: what came is no wheel
                detail = (
                    str(exc) if isinstance(exc, IndexError_) else f"corrupt {link.filename}: {exc}"
                )
                self.problem(link.project, f"{label}: {detail}")
                return None
            if self.cache is not None and not local:
                self.cache.put(key, data)
        try:
            metadata, warnings = parse_metadata(data, link, origin)
        except ValueError as exc:
            self.problem(link.project, f"{label}: corrupt metadata in {link.filename}: {exc}")
            return None
        for warning in warnings:
            self.problem(link.project, f"{label}: {warning}", error=False)
        if self._index is not None and indexed is not None:
            entry = encode_metadata(
                link.project,
                metadata.version,
                metadata.requires_dist,
                metadata.requires_python,
                origin,
                warnings,
            )
            self._index.use_metadata(indexed, entry, new=True)
        return metadata

    def _indexed_metadata(self, key: str, link: FileLink) -> Metadata | None:
        """The metadata the fact index holds for `link`'s file, if it holds a sound entry."""
        assert self._index is not None
        entry = self._index.metadata.get(key)
        fields = decode_metadata(entry)
        if fields is None or entry is None:
            return None
        name, version, requires, python, origin, warnings = fields
        if canonicalize_name(name) != link.project or version != link.version:
            return None
        self._index.use_metadata(key, entry, new=False)
        for warning in warnings:
            self.problem(link.project, f"{link.project} {link.version}: {warning}", error=False)
        return Metadata(link.project, version, requires, python, origin)

    def _download_metadata(self, link: FileLink) -> bytes:
        if link.metadata is not None:
            try:
                response = self.client.get(link.url + ".metadata")
            except NotFound:
                pass  # the page promised it, the index lacks it: read the wheel instead
            else:
                _check_hash(response.data, dict(link.metadata), f"{link.filename}.metadata")
                return response.data
        response = self.client.get(link.url)
        _check_hash(response.data, dict(link.hashes), link.filename)
        return metadata_from_wheel(response.data, link)
