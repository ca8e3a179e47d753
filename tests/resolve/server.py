"""A real package index on loopback for the tests: PEP 503 HTML (or PEP 691 JSON) pages served
by the standard library's HTTP server in a thread, with PEP 658/714 metadata for the packages
that ask for it, and faults on demand (HTTP errors, slow answers, basic auth). It speaks
HTTP/1.1 and keeps connections alive, as real indexes do.

Project pages carry the validators an HTTP cache revalidates with, as PyPI's do: an `ETag` (a
hash of the page) and a `Last-Modified` (the second the page last changed, later for every
change), and a conditional request (`If-None-Match`, else `If-Modified-Since`) for an unchanged
page is answered `304 Not Modified` with no body. A page is built again only when its files or
their attributes change."""

from __future__ import annotations

import base64
import contextlib
import email.utils
import hashlib
import html
import json
import threading
import time
import urllib.parse
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from packaging.utils import canonicalize_name

from tests.resolve.builders import build_sdist, build_wheel


@dataclass
class Hosted:
    path: Path
    requires_python: str | None = None
    yanked: bool = False
    serve_metadata: bool = False


@dataclass
class PackageIndex:
    """The files an index serves, by project; tests add packages while it runs."""

    files_dir: Path
    projects: dict[str, list[Hosted]] = field(default_factory=dict)
    #: request path -> HTTP status to answer instead of the content
    faults: dict[str, int] = field(default_factory=dict)
    delay: float = 0.0
    json_pages: bool = False
    credentials: tuple[str, str] | None = None
    requests: list[str] = field(default_factory=list)
    #: the HTTP status of each answer, in the order of `requests`
    statuses: list[int] = field(default_factory=list)
    #: (path, status) of every answer, in the order they were sent
    answered: list[tuple[str, int]] = field(default_factory=list)
    #: TCP connections accepted (a client that keeps them alive opens few)
    connections: int = 0
    #: request path -> where a 302 answer sends the client
    redirects: dict[str, str] = field(default_factory=dict)
    #: send ETag / Last-Modified on project pages and answer conditional requests with 304
    etags: bool = True
    last_modified: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    #: per project: (what the page was built from, body, content type, ETag, Last-Modified)
    _built: dict[str, tuple[object, bytes, str, str, int]] = field(default_factory=dict)

    def add(
        self,
        name: str,
        version: str,
        requires: Sequence[str] = (),
        *,
        requires_python: str | None = None,
        extras: Sequence[str] = (),
        metadata: bool = False,
        yanked: bool = False,
        tag: str = "py3-none-any",
        page_requires_python: bool = True,
    ) -> Path:
        path = build_wheel(
            self.files_dir,
            name,
            version,
            requires=requires,
            requires_python=requires_python,
            extras=extras,
            tag=tag,
        )
        hosted = Hosted(path, requires_python if page_requires_python else None, yanked, metadata)
        self.projects.setdefault(canonicalize_name(name), []).append(hosted)
        return path

    def add_sdist(self, name: str, version: str, *, marker: Path) -> Path:
        path = build_sdist(self.files_dir, name, version, marker=marker)
        self.projects.setdefault(canonicalize_name(name), []).append(Hosted(path))
        return path

    def page(self, project: str) -> tuple[bytes, str, str, int] | None:
        """The project's page: body, content type, ETag and the second it last changed."""
        hosted = self.projects.get(project)
        if hosted is None:
            return None
        signature = (
            self.json_pages,
            tuple(
                (h.path, h.requires_python, h.yanked, h.serve_metadata, *_stat(h.path))
                for h in hosted
            ),
        )
        with self.lock:
            built = self._built.get(project)
        if built is not None and built[0] == signature:
            return built[1:]
        body, content_type = self._render(project, hosted)
        changed = int(time.time())
        if built is not None:
            changed = max(changed, built[4] + 1)  # Last-Modified moves on with every change
        etag = f'"{_sha256(body)[:32]}"'
        with self.lock:
            self._built[project] = (signature, body, content_type, etag, changed)
        return body, content_type, etag, changed

    def _render(self, project: str, hosted: Sequence[Hosted]) -> tuple[bytes, str]:
        if self.json_pages:
            files = []
            for h in hosted:
                entry: dict[str, object] = {
                    "filename": h.path.name,
                    "url": f"../../files/{h.path.name}",
                    "hashes": {"sha256": _sha256(h.path.read_bytes())},
                }
                if h.requires_python:
                    entry["requires-python"] = h.requires_python
                if h.yanked:
                    entry["yanked"] = True
                if h.serve_metadata:
                    entry["core-metadata"] = {"sha256": _sha256(_metadata_of(h.path))}
                files.append(entry)
            document = {"meta": {"api-version": "1.1"}, "name": project, "files": files}
            return json.dumps(document).encode(), "application/vnd.pypi.simple.v1+json"
        rows = []
        for h in hosted:
            attrs = f'href="../../files/{h.path.name}#sha256={_sha256(h.path.read_bytes())}"'
            if h.requires_python:
                attrs += f' data-requires-python="{html.escape(h.requires_python)}"'
            if h.yanked:
                attrs += ' data-yanked=""'
            if h.serve_metadata:
                attrs += f' data-core-metadata="sha256={_sha256(_metadata_of(h.path))}"'
            rows.append(f"<a {attrs}>{h.path.name}</a><br/>")
        body = "<!DOCTYPE html><html><body>" + "\n".join(rows) + "</body></html>"
        return body.encode(), "text/html"

    def file(self, name: str) -> bytes | None:
        metadata = name.endswith(".metadata")
        filename = name.removesuffix(".metadata")
        for hosted in (h for hs in self.projects.values() for h in hs):
            if hosted.path.name == filename:
                if metadata:
                    return _metadata_of(hosted.path) if hosted.serve_metadata else None
                return hosted.path.read_bytes()
        return None


def _stat(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError:
        return (-1, -1)
    return (info.st_size, info.st_mtime_ns)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _metadata_of(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        (member,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return archive.read(member)


def _handler(index: PackageIndex) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        #: keep-alive, as real indexes answer; each answer in one segment (no Nagle wait)
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:
            return None

        def setup(self) -> None:
            super().setup()
            with index.lock:
                index.connections += 1

        head = False

        def do_HEAD(self) -> None:
            self.head = True  # one handler serves every request of a kept-alive connection
            self._get()

        def do_GET(self) -> None:
            self.head = False
            self._get()

        def _get(self) -> None:
            with index.lock:
                index.requests.append(self.path)
            if index.delay:
                time.sleep(index.delay)
            if index.credentials is not None:
                token = base64.b64encode(":".join(index.credentials).encode()).decode()
                if self.headers.get("Authorization") != f"Basic {token}":
                    self._answer(401, b"unauthorized", "text/plain")
                    return
            if self.path in index.redirects:
                self._answer(302, b"", "text/plain", {"Location": index.redirects[self.path]})
                return
            if self.path in index.faults:
                self._answer(index.faults[self.path], b"fault", "text/plain")
                return
            path = urllib.parse.unquote(self.path.split("?")[0])  # clients quote `!` (epochs)
            parts = [p for p in path.split("/") if p]
            if len(parts) == 2 and parts[0] == "simple":
                page = index.page(canonicalize_name(parts[1]))
                if page is not None:
                    self._page(*page)
                    return
            elif len(parts) == 2 and parts[0] == "files":
                data = index.file(parts[1])
                if data is not None:
                    self._answer(200, data, "application/octet-stream")
                    return
            self._answer(404, b"not found", "text/plain")

        def _page(self, body: bytes, content_type: str, etag: str, changed: int) -> None:
            headers = {}
            if index.etags:
                headers["ETag"] = etag
            if index.last_modified:
                headers["Last-Modified"] = email.utils.formatdate(changed, usegmt=True)
            asked_etag = self.headers.get("If-None-Match")
            asked_since = self.headers.get("If-Modified-Since")
            unchanged = False
            if asked_etag is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
                unchanged = index.etags and etag in (t.strip() for t in asked_etag.split(","))
            elif asked_since is not None and index.last_modified:
                with contextlib.suppress(TypeError, ValueError):
                    unchanged = (
                        changed <= email.utils.parsedate_to_datetime(asked_since).timestamp()
                    )
            if unchanged:
                self._answer(304, b"", "", headers)
            else:
                self._answer(200, body, content_type, headers)

        def _answer(
            self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
        ) -> None:
            with index.lock:
                index.statuses.append(status)
                # recorded together: with parallel fetches `requests` and `statuses` interleave
                index.answered.append((self.path, status))
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.head or status == 304:
                return  # a 304 has no body: bytes after it would be read as the next answer
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    return Handler


class _Server(ThreadingHTTPServer):
    #: the listen backlog: socketserver's 5 drops connections a client opens in parallel, which
    #: then wait a second for the kernel's SYN retry
    request_queue_size = 128


class RunningIndex:
    """Starts the server on a free loopback port; `stop()` shuts it down."""

    def __init__(self, index: PackageIndex) -> None:
        self.index = index
        self.server = _Server(("127.0.0.1", 0), _handler(index))
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        index.url = f"http://{host!s}:{port}/simple"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
