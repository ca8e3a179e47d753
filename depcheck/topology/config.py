"""The topology a user declares: services, hosts and their environments.

Read from `depcheck.toml` at the scan root, from `[tool.depcheck]` in the root `pyproject.toml`,
or from the file `--config` names. The file format (README, "Configuration")::

    [services.api]
    path = "services/api"                          # a directory, its dependency files inside
    [services.worker]
    sources = ["services/worker/requirements.txt"] # or explicit files

    [hosts.web]
    services = ["api", "worker"]
    python = "3.11"
    platform = "linux"

A file that cannot be read, does not parse, or has the wrong shape, raises `ConfigError` naming
the file, the line, the key and why; nothing else in it is trusted then. Cross-references (a host
naming an unknown service) are checked by `discover.build_topology`, which reports them at their
line (`Config.location`) and carries on with the rest.
"""

from __future__ import annotations

import datetime
import re
import urllib.parse
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from depcheck.errors import ReadError, TopologyError
from depcheck.fs import read_text
from depcheck.model import Location
from depcheck.sources.declared import load_toml
from depcheck.sources.toml_locations import TomlLocations

PLATFORMS = ("linux", "darwin", "win32")
_PYTHON_RE = re.compile(r"^3\.\d{1,2}(\.\d{1,3})?$")


class ConfigError(TopologyError):
    """A configuration file that cannot be used: names the file, the line, the key and why.

    `message` (what a diagnostic at `location` says) starts with the key; `reason` is the same
    without it."""

    location: Location

    def __init__(
        self,
        path: str,
        message: str,
        *,
        key: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        location = Location(path, line, column if line is not None else None)
        super().__init__(f"{key}: {message}" if key else message, location)
        self.path = path
        self.key = key
        self.reason = message

    def __str__(self) -> str:
        return f"config {self.location}: {self.message}"


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    name: str
    path: str | None = None
    sources: tuple[str, ...] = ()
    include_dev: bool | None = None
    extras: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HostConfig:
    name: str
    services: tuple[str, ...]
    python: str | None = None
    platform: str | None = None
    #: installed environments this host holds (a virtualenv, site-packages, pip inspect / freeze
    #: output), as written; relative paths are from the scan root
    installed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IgnoreEntry:
    """A known conflict the team accepts: matched by package, optionally narrowed to a host and
    to conflicts that involve one of `services`; `until` (a date) makes it expire."""

    package: str
    reason: str
    line: int | None = None
    host: str | None = None
    services: tuple[str, ...] = ()
    until: datetime.date | None = None

    def matches(self, host: str, package: str, services: tuple[str, ...]) -> bool:
        if canonicalize_name(self.package) != package:
            return False
        if self.host is not None and self.host != host:
            return False
        return not self.services or any(s in services for s in self.services)


@dataclass(frozen=True, slots=True)
class Config:
    """A parsed configuration. `path` is how the report names it (relative to the root)."""

    path: str
    services: tuple[ServiceConfig, ...] = ()
    hosts: tuple[HostConfig, ...] = ()
    include_dev: bool = False
    ignore: tuple[IgnoreEntry, ...] = ()
    #: Compose files layered in this order, as `docker compose -f a -f b` does
    compose_files: tuple[str, ...] = ()
    #: the `[resolve]` table, validated: keys as written (index-url, find-links, ...)
    resolve: dict[str, Any] = field(default_factory=dict)
    #: `docs-url`: the README the SARIF rules' helpUri anchors point at (checked by
    #: `docs_url_problem`)
    docs_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)
    #: where each key is written, and the table the config lives in (`tool.depcheck`)
    locations: TomlLocations | None = field(default=None, compare=False, repr=False)
    prefix: tuple[str, ...] = ()

    def location(self, *keys: str | int) -> Location:
        """Where `keys` (e.g. "hosts", "web", "services", 2) is written in the config file,
        else where its nearest written parent is."""
        found = self.locations.find((*self.prefix, *keys)) if self.locations else None
        return Location(self.path, *found) if found else Location(self.path)


def find_config(root: Path) -> Path | None:
    """`depcheck.toml` at the root, else a root `pyproject.toml` with `[tool.depcheck]`.

    A `depcheck.toml` that is no readable file is still returned, so loading it says why.
    """
    candidate = root / "depcheck.toml"
    if candidate.exists() or candidate.is_symlink():
        return candidate
    try:
        text, _ = read_text(root, "pyproject.toml")
    except ReadError:
        return None  # the pyproject source reports a file it cannot read
    data, _ = load_toml(text, "pyproject.toml")
    tool = data.get("tool") if data is not None else None
    if isinstance(tool, dict) and "depcheck" in tool:
        return root / "pyproject.toml"
    return None


def find_config_upward(start: Path) -> Path | None:
    """The config of the nearest directory from `start` upward that has one (`find_config`).

    The search stops at a repository's root (a directory holding `.git`, a folder or a
    worktree's file) and at the filesystem's root, as git and ruff stop theirs: a config
    above the repository belongs to something else.
    """
    for directory in (start, *start.parents):
        found = find_config(directory)
        if found is not None:
            return found
        if (directory / ".git").exists():
            return None
    return None


def load_config(path: Path, *, display: str) -> Config:
    """Parse a config file; `display` is the name messages use for it."""
    try:
        # the file may lie outside the scan root (--config names it), never in a .git folder
        text, warnings = read_text(Path.cwd(), str(path), allow_outside_root=True)
    except ReadError as exc:
        raise ConfigError(display, exc.message) from None
    if warnings:
        raise ConfigError(
            display, "not valid UTF-8 (a TOML file must be)", line=warnings[0].location.line
        )
    data, error = load_toml(text, display)
    if data is None:
        assert error is not None
        where = error.location
        raise ConfigError(display, error.message, line=where.line, column=where.column)
    locations = TomlLocations(text)
    prefix: tuple[str, ...] = ()
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("depcheck") if isinstance(tool, dict) else None
        if table is None:
            raise ConfigError(display, "has no [tool.depcheck] table")
        prefix = ("tool", "depcheck")
        data = table
    try:
        config = parse_config(
            data, display=display, prefix="".join(f"{part}." for part in prefix), text=text
        )
    except ConfigError as exc:
        if exc.key is None:
            raise
        found = locations.find(_key_path(exc.key))
        raise ConfigError(
            display, exc.reason, key=exc.key, line=found[0] if found else None
        ) from None
    return replace(config, locations=locations, prefix=prefix)


_KEY_PART_RE = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _key_path(key: str) -> tuple[str | int, ...]:
    """A key as messages write it (`tool.depcheck.services.api.sources[0]`) as a TOML path."""
    return tuple(int(index) if index else name for name, index in _KEY_PART_RE.findall(key))


_TOP_KEYS = {"services", "hosts", "include-dev", "ignore", "compose-files", "resolve", "docs-url"}

#: what RFC 3986 lets a URL hold unencoded (unreserved, reserved and `%`)
_URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")


def redacted_url(url: str) -> str:
    """`url` with any user or password replaced by `***` (for messages)."""
    scheme, colon, rest = url.partition("://")
    if not colon:
        return url
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    return f"{scheme}://{authority}{slash}{path}"


def docs_url_problem(url: str) -> str | None:
    """Why `url` cannot be the documentation's address (`--docs-url`, `DEPCHECK_DOCS_URL`,
    `docs-url`), or None: it must be an absolute http(s) URL with a host, carry no
    credentials (a report is uploaded and shown to others) and no fragment (each rule adds
    its own anchor), and hold only the characters a URL may."""
    if len(url) > 2000:
        return "must be at most 2000 characters"
    if not _URL_CHARACTERS.fullmatch(url):
        return "must be a URL: spaces, quotes and control characters are percent-encoded"
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return "must be a URL"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "must be an absolute http or https URL (https://host/path/README.md)"
    if "@" in parts.netloc:
        return "must not carry a user or password (the SARIF report is shown to others)"
    if "#" in url:
        return "must not have a #fragment: each rule adds the anchor of its README section"
    return None


#: `[resolve]`: where `--resolve` finds package facts (the CLI's options of the same names)
_RESOLVE_KEYS = {
    "index-url": str,
    "extra-index-url": list,
    "find-links": list,
    "no-index": bool,
    "offline": bool,
    "cache-dir": str,
    "timeout": float,
    "retries": int,
}
_SERVICE_KEYS = {"path", "sources", "include-dev", "extras"}
_HOST_KEYS = {"services", "python", "platform", "installed"}


def _table(value: object, display: str, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(display, f"must be a table, not {_kind(value)}", key=key)
    return value


def _kind(value: object) -> str:
    return {
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _strings(value: object, display: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(display, f"must be an array of strings, not {_kind(value)}", key=key)
    return tuple(value)


def _check_keys(table: dict[str, Any], allowed: set[str], display: str, key: str) -> None:
    for name in table:
        if name not in allowed:
            known = ", ".join(sorted(allowed))
            raise ConfigError(display, f"unknown key (known: {known})", key=f"{key}{name}")


def _relative(value: str, display: str, key: str) -> str:
    cleaned = value.replace("\\", "/").strip()
    if not cleaned or cleaned.startswith("/") or re.match(r"^[A-Za-z]:/", cleaned):
        raise ConfigError(display, "must be a path relative to the scan root", key=key)
    parts = [p for p in cleaned.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ConfigError(display, "must stay inside the scan root (no '..')", key=key)
    return "/".join(parts) or "."


_IGNORE_KEYS = {"package", "reason", "host", "services", "until"}


def _ignore_entries(value: object, display: str, key: str, text: str) -> tuple[IgnoreEntry, ...]:
    """`[[ignore]]` tables (or one `[ignore.PACKAGE]` table per package)."""
    if isinstance(value, dict):
        value = [
            {"package": name, **_table(v, display, f"{key}.{name}")} for name, v in value.items()
        ]
    if not isinstance(value, list):
        raise ConfigError(display, f"must be an array of tables, not {_kind(value)}", key=key)
    entries = []
    for index, item in enumerate(value):
        where = f"{key}[{index}]"
        table = _table(item, display, where)
        _check_keys(table, _IGNORE_KEYS, display, f"{where}.")
        package = table.get("package")
        if not isinstance(package, str) or not package.strip():
            raise ConfigError(
                display, "needs `package`, the package whose conflict to accept", key=where
            )
        reason = table.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(
                display, "needs `reason`: say why this conflict is accepted", key=where
            )
        host = table.get("host")
        if host is not None and not isinstance(host, str):
            raise ConfigError(display, f"must be a string, not {_kind(host)}", key=f"{where}.host")
        until = table.get("until")
        if isinstance(until, str):
            try:
                until = datetime.date.fromisoformat(until)
            except ValueError:
                raise ConfigError(
                    display,
                    f"must be a date such as 2026-12-31, not {until!r}",
                    key=f"{where}.until",
                ) from None
        if until is not None and not isinstance(until, datetime.date):
            raise ConfigError(display, "must be a date such as 2026-12-31", key=f"{where}.until")
        if isinstance(until, datetime.datetime):
            until = until.date()
        entries.append(
            IgnoreEntry(
                package=package.strip(),
                reason=reason.strip(),
                line=_line_of(text, package),
                host=host,
                services=_strings(table.get("services", []), display, f"{where}.services"),
                until=until,
            )
        )
    return tuple(entries)


def _line_of(text: str, package: str) -> int | None:
    """The line of `package = "NAME"` (or `[ignore.NAME]`) in the config text, if found."""
    pattern = re.compile(
        rf"""(package\s*=\s*["']{re.escape(package)}["'])|(ignore\.{re.escape(package)}\])"""
    )
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            return number
    return None


def parse_config(data: dict[str, Any], *, display: str, prefix: str = "", text: str = "") -> Config:
    """Validate the shape of a config table and turn it into a `Config`."""
    _check_keys(data, _TOP_KEYS, display, prefix)
    include_dev = data.get("include-dev", False)
    if not isinstance(include_dev, bool):
        raise ConfigError(display, "must be true or false", key=f"{prefix}include-dev")
    services: list[ServiceConfig] = []
    for name, value in _table(data.get("services", {}), display, f"{prefix}services").items():
        key = f"{prefix}services.{name}"
        table = _table(value, display, key)
        _check_keys(table, _SERVICE_KEYS, display, f"{key}.")
        path = table.get("path")
        if path is not None and not isinstance(path, str):
            raise ConfigError(display, f"must be a string, not {_kind(path)}", key=f"{key}.path")
        sources = _strings(table.get("sources", []), display, f"{key}.sources")
        if path is None and not sources:
            raise ConfigError(display, "needs `path` (a directory) or `sources` (files)", key=key)
        service_dev = table.get("include-dev")
        if service_dev is not None and not isinstance(service_dev, bool):
            raise ConfigError(display, "must be true or false", key=f"{key}.include-dev")
        services.append(
            ServiceConfig(
                name=name,
                path=_relative(path, display, f"{key}.path") if path is not None else None,
                sources=tuple(
                    _relative(s, display, f"{key}.sources[{i}]") for i, s in enumerate(sources)
                ),
                include_dev=service_dev,
                extras=_strings(table.get("extras", []), display, f"{key}.extras"),
            )
        )
    hosts: list[HostConfig] = []
    for name, value in _table(data.get("hosts", {}), display, f"{prefix}hosts").items():
        key = f"{prefix}hosts.{name}"
        table = _table(value, display, key)
        _check_keys(table, _HOST_KEYS, display, f"{key}.")
        if "services" not in table:
            raise ConfigError(display, "needs `services`, the services sharing it", key=key)
        members = _strings(table["services"], display, f"{key}.services")
        python = table.get("python")
        if python is not None and (not isinstance(python, str) or not _PYTHON_RE.match(python)):
            raise ConfigError(
                display,
                f'must be a Python version such as "3.11" or "3.11.9", not {python!r}',
                key=f"{key}.python",
            )
        platform = table.get("platform")
        if platform is not None and platform not in PLATFORMS:
            raise ConfigError(
                display,
                f"must be one of {', '.join(PLATFORMS)}, not {platform!r}",
                key=f"{key}.platform",
            )
        installed = table.get("installed", [])
        if isinstance(installed, str):
            installed = [installed]
        hosts.append(
            HostConfig(
                name=name,
                services=members,
                python=python,
                platform=platform,
                installed=_strings(installed, display, f"{key}.installed"),
            )
        )
    return Config(
        path=display,
        services=tuple(services),
        hosts=tuple(hosts),
        include_dev=include_dev,
        ignore=_ignore_entries(data.get("ignore", []), display, f"{prefix}ignore", text),
        compose_files=tuple(
            _relative(f, display, f"{prefix}compose-files[{i}]")
            for i, f in enumerate(
                _strings(data.get("compose-files", []), display, f"{prefix}compose-files")
            )
        ),
        resolve=_resolve_table(data.get("resolve", {}), display, f"{prefix}resolve"),
        docs_url=_docs_url(data.get("docs-url"), display, f"{prefix}docs-url"),
        raw=data,
    )


def _docs_url(value: object, display: str, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(display, f"must be a string, not {_kind(value)}", key=key)
    problem = docs_url_problem(value)
    if problem is not None:
        raise ConfigError(display, f"{problem}, not {redacted_url(value)!r}", key=key)
    return value


def _resolve_table(value: object, display: str, key: str) -> dict[str, Any]:
    """`[resolve]`: each key checked for its type; lists may also be one string."""
    table = _table(value, display, key)
    _check_keys(table, set(_RESOLVE_KEYS), display, f"{key}.")
    result: dict[str, Any] = {}
    for name, item in table.items():
        expected = _RESOLVE_KEYS[name]
        where = f"{key}.{name}"
        if expected is list:
            result[name] = _strings([item] if isinstance(item, str) else item, display, where)
        elif expected is float:
            if isinstance(item, bool) or not isinstance(item, int | float) or item <= 0:
                raise ConfigError(display, "must be a positive number of seconds", key=where)
            result[name] = float(item)
        elif expected is int:
            if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 10:
                raise ConfigError(display, "must be a whole number from 0 to 10", key=where)
            result[name] = item
        elif not isinstance(item, expected):
            kind = "true or false" if expected is bool else "a string"
            raise ConfigError(display, f"must be {kind}, not {_kind(item)}", key=where)
        elif name == "cache-dir" and _inside_repository(str(item)):
            raise ConfigError(
                display,
                "must lie outside the repository: a cache the repository holds is the pull "
                "request's to write (pages and proofs a scan would trust); give --cache-dir "
                "in CI instead",
                key=where,
            )
        else:
            result[name] = item
    return result


def _inside_repository(path: str) -> bool:
    """Whether a path relative to the config's folder stays inside it (lexically)."""
    cleaned = path.replace("\\", "/").strip()
    if cleaned.startswith("/") or re.match(r"^[A-Za-z]:/", cleaned):
        return False
    depth = 0
    for part in cleaned.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return False
        elif part not in ("", "."):
            depth += 1
    return True
