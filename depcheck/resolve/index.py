"""Where package facts come from: index pages, `--find-links`, and the HTTP client.

An index is read the way pip reads one, per project: `<index-url>/<normalized-name>/`, asking for
PEP 691 JSON (`application/vnd.pypi.simple.v1+json`) and accepting PEP 503 HTML. From each file
link we keep what PEP 503/592/658/714 put there: the hash in the URL fragment, the
`data-requires-python`, `data-yanked` and `data-core-metadata` (or the older
`data-dist-info-metadata`) attributes. `--find-links` takes a local directory (its file names)
or a URL (an HTML page whose links are files of any project). `--no-index` drops the index URLs
and keeps find-links.

The client is the standard library's (`http.client`, and `urllib` for redirects and proxies; no
new dependency for a few GETs). Each fetch thread keeps its connection to an index alive, so a
run over HTTPS does one TLS handshake per thread, not one per page (client CPU per request on
loopback HTTPS: 0.9 ms with a new connection, 0.1 ms kept alive). Every request
has a `timeout` (default 15 s, for connecting and for each read) and is retried `retries` times
(default 2) on connection errors, timeouts and 5xx answers, with a short back-off; 4xx answers
are not retried (404 means the index has no such project). Responses are capped at
`max_bytes` so a hostile index cannot fill memory. Credentials in a URL
(`https://user:token@host/simple`) are sent as HTTP basic auth and never appear in a message: every
URL shown passes through `redact()`. Links to another host get no credentials.
"""

from __future__ import annotations

import base64
import html
import http.client
import json
import os
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from functools import lru_cache
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from depcheck.errors import ResolveError

DEFAULT_INDEX = "https://pypi.org/simple"
TIMEOUT = 15.0
RETRIES = 2
MAX_BYTES = 256 * 1024 * 1024

_ACCEPT = (
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01"
)


class IndexError_(ResolveError):
    """A fetch that failed; the message is for the user and holds no credentials."""


class NotFound(IndexError_):
    """The index answered 404/410: it has no such project or file."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexSettings:
    """Where to look and how hard to try (CLI, `[resolve]` config and PIP_* variables)."""

    index_url: str = DEFAULT_INDEX
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    offline: bool = False
    cache_dir: Path | None = None
    timeout: float = TIMEOUT
    retries: int = RETRIES

    @property
    def index_urls(self) -> tuple[str, ...]:
        if self.no_index:
            return ()
        return (self.index_url, *self.extra_index_urls)


def settings_from_environment(environ: Mapping[str, str]) -> dict[str, object]:
    """pip's PIP_INDEX_URL, PIP_EXTRA_INDEX_URL and PIP_FIND_LINKS (space-separated lists)."""
    found: dict[str, object] = {}
    if environ.get("PIP_INDEX_URL"):
        found["index_url"] = environ["PIP_INDEX_URL"].strip()
    if environ.get("PIP_EXTRA_INDEX_URL"):
        found["extra_index_urls"] = tuple(environ["PIP_EXTRA_INDEX_URL"].split())
    if environ.get("PIP_FIND_LINKS"):
        found["find_links"] = tuple(environ["PIP_FIND_LINKS"].split())
    if environ.get("PIP_NO_INDEX", "").lower() in ("1", "true", "yes", "on"):
        found["no_index"] = True
    return found


def redact(url: str) -> str:
    """`url` with any user, password or token replaced by `***`."""
    if "@" not in url:
        return url  # no userinfo (the common case: every file URL of a page is redacted)
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"***@{host}"))


def redact_text(text: str, urls: Iterable[str]) -> str:
    """`text` with every credential of `urls` replaced (for exception messages we pass on)."""
    for url in urls:
        netloc = urllib.parse.urlsplit(url).netloc
        if "@" in netloc:
            userinfo = netloc.rpartition("@")[0]
            text = text.replace(userinfo, "***")
            for part in userinfo.split(":"):
                if len(part) > 3:
                    text = text.replace(part, "***")
    return text


@dataclass(frozen=True, slots=True)
class FileLink:
    """One distribution file an index or find-links location offers."""

    project: NormalizedName
    version: Version
    filename: str
    url: str
    is_wheel: bool
    hashes: Mapping[str, str] = field(default_factory=dict)
    requires_python: str | None = None
    yanked: str | None = None
    #: PEP 658/714: the index serves `<url>.metadata`; the value is its hashes (may be empty)
    metadata: Mapping[str, str] | None = None

    @property
    def sha256(self) -> str | None:
        return self.hashes.get("sha256")


def file_link(
    url: str,
    filename: str,
    *,
    hashes: Mapping[str, str] | None = None,
    requires_python: str | None = None,
    yanked: str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> FileLink | None:
    """A link to a wheel or sdist, or None for anything else (bad names, other file kinds)."""
    try:
        if filename.endswith(".whl"):
            name, version = _wheel_name_version(filename)
            wheel = True
        elif filename.endswith((".tar.gz", ".zip")):
            name, version = parse_sdist_filename(filename)
            wheel = False
        else:
            return None
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return FileLink(
        project=name,
        version=version,
        filename=filename,
        url=url,
        is_wheel=wheel,
        hashes=dict(hashes or {}),
        requires_python=requires_python or None,
        yanked=yanked,
        metadata=metadata,
    )


def _wheel_name_version(filename: str) -> tuple[NormalizedName, Version]:
    """`parse_wheel_filename`'s name and version, with its validation, in two memoized halves:
    a release's wheels share their `{name}-{version}(-{build})?` and a page's wheels a few dozen
    tag sets, and a warm run parses every file of every project page again (~230,000 names
    for a real 6-service repository; 3.5 s of CPU before)."""
    if filename.count("-") not in (4, 5):
        raise InvalidWheelFilename(f"Invalid wheel filename (wrong number of parts): {filename!r}")
    stem, python, abi, platform = filename[:-4].rsplit("-", 3)
    _wheel_tags(f"{python}-{abi}-{platform}")
    return _wheel_stem(stem)


@lru_cache(maxsize=16384)
def _wheel_stem(stem: str) -> tuple[NormalizedName, Version]:
    name, version, _, _ = parse_wheel_filename(f"{stem}-py3-none-any.whl")
    return name, version


@lru_cache(maxsize=4096)
def _wheel_tags(tags: str) -> None:
    parse_wheel_filename(f"x-0-{tags}.whl")  # raises InvalidWheelFilename for a bad tag set


def _fragment_hashes(url: str) -> tuple[str, dict[str, str]]:
    base, _, fragment = url.partition("#")
    hashes: dict[str, str] = {}
    if "=" in fragment:
        algorithm, _, value = fragment.partition("=")
        if algorithm in ("sha256", "sha384", "sha512", "md5"):
            hashes[algorithm] = value.lower()
    return base, hashes


def _metadata_attr(value: str | None) -> dict[str, str] | None:
    """PEP 714 `data-core-metadata` / PEP 658 `data-dist-info-metadata`: "true" or "sha256=..."."""
    if value is None:
        return None
    value = value.strip()
    if value.lower() == "false":
        return None
    if "=" in value:
        algorithm, _, digest = value.partition("=")
        return {algorithm.lower(): digest.lower()}
    return {}


@lru_cache(maxsize=1)
def _anchor_parser() -> type:
    """The parser class, made on first use (`html.parser` is imported only when a page is
    parsed: a warm run reads its pages' links from the fact index)."""
    from html.parser import HTMLParser

    class AnchorParser(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.anchors: list[dict[str, str | None]] = []
            self.base: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "a":
                self.anchors.append(dict(attrs))
            elif tag == "base" and self.base is None:
                self.base = dict(attrs).get("href")

    return AnchorParser


def parse_html_page(text: str, page_url: str) -> list[FileLink]:
    """The file links of a PEP 503 page (or a find-links page)."""
    parser = _anchor_parser()()
    parser.feed(text)
    base = urllib.parse.urljoin(page_url, parser.base) if parser.base else page_url
    links = []
    for attrs in parser.anchors:
        href = attrs.get("href")
        if not href:
            continue
        url, hashes = _fragment_hashes(urllib.parse.urljoin(base, href))
        filename = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rpartition("/")[2])
        metadata = _metadata_attr(attrs.get("data-core-metadata"))
        if metadata is None:
            metadata = _metadata_attr(attrs.get("data-dist-info-metadata"))
        requires_python = attrs.get("data-requires-python")
        link = file_link(
            url,
            filename,
            hashes=hashes,
            requires_python=html.unescape(requires_python) if requires_python else None,
            yanked=attrs.get("data-yanked") if "data-yanked" in attrs else None,
            metadata=metadata,
        )
        if link is not None:
            if link.yanked is None and "data-yanked" in attrs:
                link = _replace_yanked(link, "")
            links.append(link)
    return links


def _replace_yanked(link: FileLink, reason: str) -> FileLink:
    from dataclasses import replace

    return replace(link, yanked=reason)


def parse_json_page(data: bytes, page_url: str) -> list[FileLink]:
    """The file links of a PEP 691 JSON project page."""
    document = json.loads(data)
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, list):
        raise ValueError("no 'files' list")
    links = []
    for entry in files:
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            continue
        url = entry["url"]
        if not url.startswith(("https://", "http://")) or "/." in url:
            url = urllib.parse.urljoin(page_url, url)  # PyPI's are absolute: nothing to join
        filename = entry.get("filename")
        if not isinstance(filename, str):
            continue
        hashes = entry.get("hashes") if isinstance(entry.get("hashes"), dict) else {}
        yanked_value = entry.get("yanked", False)
        yanked = None
        if yanked_value is True:
            yanked = ""
        elif isinstance(yanked_value, str):
            yanked = yanked_value
        metadata_value = entry.get("core-metadata", entry.get("dist-info-metadata"))
        metadata: dict[str, str] | None = None
        if metadata_value is True:
            metadata = {}
        elif isinstance(metadata_value, dict):
            metadata = {str(k): str(v) for k, v in metadata_value.items()}
        requires_python = entry.get("requires-python")
        link = file_link(
            url.partition("#")[0],
            filename,
            hashes={str(k): str(v).lower() for k, v in (hashes or {}).items()},
            requires_python=requires_python if isinstance(requires_python, str) else None,
            yanked=yanked,
            metadata=metadata,
        )
        if link is not None:
            links.append(link)
    return links


def parse_page(data: bytes, content_type: str, page_url: str) -> list[FileLink]:
    if "json" in content_type:
        return parse_json_page(data, page_url)
    return parse_html_page(data.decode("utf-8", errors="replace"), page_url)


def links_in_directory(directory: Path) -> list[FileLink]:
    """The wheels and sdists in a `--find-links` directory (not recursive)."""
    links = []
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        raise IndexError_(f"--find-links {directory}: cannot list it ({exc.strerror})") from None
    for entry in entries:
        if entry.is_file():
            link = file_link(Path(entry.path).resolve().as_uri(), entry.name)
            if link is not None:
                links.append(link)
    return links


@dataclass(frozen=True, slots=True)
class Response:
    data: bytes
    content_type: str
    url: str
    #: the validators the server sent (for a conditional request next time)
    etag: str | None = None
    last_modified: str | None = None
    #: 304: what the conditional request named is still current (`data` is empty)
    not_modified: bool = False


class HttpClient:
    """GETs with timeouts, bounded retries, size caps and basic auth from URL credentials."""

    def __init__(
        self, *, timeout: float = TIMEOUT, retries: int = RETRIES, max_bytes: int = MAX_BYTES
    ) -> None:
        self.timeout = timeout
        self.retries = retries
        self.max_bytes = max_bytes
        self.requests = 0
        # one TLS context for every request: `urlopen` without one builds a context per
        # connection and loads the CA bundle each time (~30 ms of CPU a request; a warm run
        # revalidating 300 project pages spent 10 s of its 14 s there)
        self._tls_lock = threading.Lock()
        self._tls_context: ssl.SSLContext | None = None
        self._urllib: urllib.request.OpenerDirector | None = None
        #: with a proxy configured (HTTP(S)_PROXY, ...), every request goes through urllib
        self._proxies = bool(urllib.request.getproxies())
        self._local = threading.local()

    def get(
        self,
        url: str,
        *,
        accept: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Response:
        """GET `url`; with `etag` / `last_modified` a conditional request, which the server may
        answer `304 Not Modified` (`Response.not_modified`)."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme == "file":
            return self._read_file(url)
        if parts.scheme not in ("http", "https"):
            raise IndexError_(f"{redact(url)}: unsupported URL scheme {parts.scheme!r}")
        headers = {"User-Agent": "depcheck", "Accept": accept or "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, host = netloc.rpartition("@")
            user, _, password = userinfo.partition(":")
            token = f"{urllib.parse.unquote(user)}:{urllib.parse.unquote(password)}"
            headers["Authorization"] = "Basic " + base64.b64encode(token.encode()).decode()
            url = urllib.parse.urlunsplit(parts._replace(netloc=host))
        last: str = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(0.25 * 2**attempt, 2.0))
            self.requests += 1
            try:
                status, reason, answer, data, final = self._exchange(url, headers)
            except TimeoutError:
                last = f"timed out after {self.timeout:g} s"
                continue
            except (OSError, http.client.HTTPException) as exc:
                last = str(getattr(exc, "reason", None) or exc) or type(exc).__name__
                continue
            if 200 <= status < 300:
                if len(data) > self.max_bytes:
                    raise IndexError_(f"{redact(url)}: larger than {self.max_bytes} bytes")
                return Response(
                    data,
                    answer.get("Content-Type", ""),
                    final,
                    answer.get("ETag"),
                    answer.get("Last-Modified"),
                )
            if status == 304 and (etag or last_modified):
                return Response(
                    b"",
                    "",
                    url,
                    answer.get("ETag") or etag,
                    answer.get("Last-Modified") or last_modified,
                    not_modified=True,
                )
            if status in (404, 410):
                raise NotFound(f"{redact(url)}: HTTP {status}")
            last = f"HTTP {status} {reason}"
            if status < 500:
                break
        tries = f" (tried {self.retries + 1} times)" if self.retries else ""
        raise IndexError_(f"{redact(url)}: {redact_text(last, [url])}{tries}")

    def _tls(self) -> ssl.SSLContext:
        """One TLS context for every HTTPS request, made on the first (loading the CA bundle
        costs ~20 ms of CPU: a run over plain HTTP or find-links never pays it)."""
        with self._tls_lock:
            if self._tls_context is None:
                self._tls_context = ssl.create_default_context()
            return self._tls_context

    def _opener(self) -> urllib.request.OpenerDirector:
        context = self._tls()
        with self._tls_lock:
            if self._urllib is None:
                handler = urllib.request.HTTPSHandler(context=context)
                self._urllib = urllib.request.build_opener(handler)
            return self._urllib

    def _exchange(
        self, url: str, headers: Mapping[str, str]
    ) -> tuple[int, str, Message[str, str], bytes, str]:
        """One GET: status, reason, headers, body (at most `max_bytes` + 1) and final URL.

        Without a proxy, over this thread's kept-alive connection to the URL's host (a cold
        run asks one host hundreds of times; a new connection each time costs a TCP, and over
        HTTPS a TLS, handshake); a connection the server closed while idle is opened again
        once. A redirect, or any proxy setting, goes through `urllib`, which follows
        redirects and honours the proxy variables."""
        parts = urllib.parse.urlsplit(url)
        if self._proxies:
            return self._through_urllib(url, headers)
        connections: dict[tuple[str, str], http.client.HTTPConnection]
        connections = self._local.__dict__.setdefault("connections", {})
        key = (parts.scheme, parts.netloc)
        target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        for fresh in (False, True):
            connection = None if fresh else connections.get(key)
            reused = connection is not None
            if connection is None:
                if parts.scheme == "https":
                    connection = http.client.HTTPSConnection(
                        parts.hostname or "", parts.port, timeout=self.timeout, context=self._tls()
                    )
                else:
                    connection = http.client.HTTPConnection(
                        parts.hostname or "", parts.port, timeout=self.timeout
                    )
                connections[key] = connection
            try:
                connection.request("GET", target, headers={**headers, "Connection": "keep-alive"})
                answer = connection.getresponse()
                data = answer.read(self.max_bytes + 1)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                connections.pop(key, None)
                if reused:
                    continue  # the server dropped the idle connection: once more, on a new one
                raise
            except BaseException:
                connection.close()
                connections.pop(key, None)
                raise
            if answer.will_close or len(data) > self.max_bytes or not answer.isclosed():
                connection.close()
                connections.pop(key, None)
            if answer.status in (301, 302, 303, 307, 308):
                return self._through_urllib(url, headers)
            return answer.status, answer.reason, answer.headers, data, url
        raise OSError("connection closed")  # not reached: the fresh attempt returns or raises

    def _through_urllib(
        self, url: str, headers: Mapping[str, str]
    ) -> tuple[int, str, Message[str, str], bytes, str]:
        request = urllib.request.Request(url, headers=dict(headers))
        try:
            with self._opener().open(request, timeout=self.timeout) as answer:
                data = answer.read(self.max_bytes + 1)
                return answer.status, answer.reason, answer.headers, data, answer.url
        except urllib.error.HTTPError as exc:
            return exc.code, str(exc.reason), exc.headers, b"", url
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise exc.reason from None
            raise OSError(str(exc.reason)) from None

    def _read_file(self, url: str) -> Response:
        path = Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path))
        try:
            if path.stat().st_size > self.max_bytes:
                raise IndexError_(f"{url}: larger than {self.max_bytes} bytes")
            return Response(path.read_bytes(), "", url)
        except FileNotFoundError:
            raise NotFound(f"{url}: no such file") from None
        except OSError as exc:
            raise IndexError_(f"{url}: {exc.strerror}") from None


def project_page_url(index_url: str, name: str) -> str:
    return index_url.rstrip("/") + "/" + canonicalize_name(name) + "/"


def index_accept() -> str:
    return _ACCEPT


def all_urls(settings: IndexSettings) -> Sequence[str]:
    """Every configured location, for redacting messages that might quote one."""
    return (*settings.index_urls, *settings.find_links)


@dataclass(frozen=True, slots=True)
class ResolveRequest:
    """What the command line asked for, before the config's `[resolve]` table is known.

    `cli` holds IndexSettings field names for the options given; `environ` the PIP_* variables.
    Precedence, as pip's: command line, then environment, then the config file."""

    cli: Mapping[str, object] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=dict)


_CONFIG_FIELDS = {
    "index-url": "index_url",
    "extra-index-url": "extra_index_urls",
    "find-links": "find_links",
    "no-index": "no_index",
    "offline": "offline",
    "cache-dir": "cache_dir",
    "timeout": "timeout",
    "retries": "retries",
}


def settings_for(
    request: ResolveRequest, config: Mapping[str, object], base: Path
) -> IndexSettings:
    """The settings of one run: `[resolve]` (paths relative to `base`), PIP_*, then the CLI."""
    values: dict[str, object] = {}
    for key, value in config.items():
        name = _CONFIG_FIELDS[key]
        if name == "cache_dir":
            value = base / str(value)
        elif name == "find_links":
            value = tuple(
                v if "://" in v else str(base / v)
                for v in (value if isinstance(value, tuple) else ())
            )
        values[name] = value
    values.update(settings_from_environment(request.environ))
    values.update(request.cli)
    settings = IndexSettings()
    from dataclasses import replace

    return replace(settings, **values)  # type: ignore[arg-type]
