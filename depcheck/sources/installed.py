"""Installed environments: what a virtualenv, a site-packages folder, or `pip inspect` / `pip
freeze` output says is installed, as locked pins with each distribution's `Requires-Dist`.

    PATH                    a virtualenv (`pyvenv.cfg`; `lib/python*/site-packages`, or
                            `Lib/site-packages` on Windows), or a `site-packages` folder itself
    PATH/*.dist-info/METADATA  core metadata (RFC 822 headers): Name, Version, Requires-Dist
    pip inspect JSON        {"version": "1", "installed": [{"metadata": {name, version,
                            requires_dist}}]}
    pip freeze output       `name==version` lines (no Requires-Dist: pins only)

Each installed distribution is a locked pin (`werkzeug==2.0.3`); each of its `Requires-Dist`
entries a range its lock records (`werkzeug>=3.0.0 (required by flask 3.0.0)`), so the usual
conflict analysis finds what `pip check` finds (a distribution whose requirement the installed
version misses) and, beyond it, what the host's services need that the environment does not
have. Metadata is read as text through `packaging.metadata`; nothing is imported or run. The
path is the user's own (`--installed`, `hosts.NAME.installed`), so it is not confined to the
scan root; files are size-limited all the same.
"""

from __future__ import annotations

import json
from pathlib import Path

from packaging.markers import InvalidMarker
from packaging.metadata import parse_email
from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PackagingRequirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from depcheck.errors import SourceError
from depcheck.model import (
    Dependency,
    Diagnostic,
    Location,
    Requirement,
    Role,
    Severity,
    SourceFile,
    is_version,
)

MAX_METADATA = 4 * 1024 * 1024
FORMAT = "installed"


class InstalledError(SourceError):
    """An installed environment that cannot be read at all (the message names it)."""


def site_packages_of(path: Path) -> list[Path]:
    """The folders holding `*.dist-info` in a virtualenv or a site-packages folder."""
    if any(path.glob("*.dist-info")):
        return [path]
    found = sorted(path.glob("lib/python*/site-packages")) + sorted(
        path.glob("lib64/python*/site-packages")
    )
    windows = path / "Lib" / "site-packages"
    if windows.is_dir():
        found.append(windows)
    return [p for p in found if p.is_dir()]


def read_installed(path: Path, shown: str) -> SourceFile:
    """An installed environment at `path` (named `shown` in messages) as one locked source."""
    if path.is_dir():
        folders = site_packages_of(path)
        if not folders:
            raise InstalledError(
                f"{shown}: no site-packages with *.dist-info found (a virtualenv, a "
                "site-packages folder, or pip inspect / pip freeze output is expected)"
            )
        return _from_folders(folders, path, shown)
    if path.is_file():
        text = _read(path, shown)
        if text.lstrip().startswith("{"):
            return _from_inspect(text, shown)
        return _from_freeze(text, shown)
    raise InstalledError(f"{shown}: no such file or directory")


def _read(path: Path, shown: str) -> str:
    try:
        if path.stat().st_size > MAX_METADATA:
            raise InstalledError(f"{shown}: larger than {MAX_METADATA // (1024 * 1024)} MiB")
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InstalledError(f"{shown}: cannot read ({exc.strerror or exc})") from None


class _Builder:
    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.requirements: list[Requirement] = []
        self.dependencies: list[Dependency] = []
        self.diagnostics: list[Diagnostic] = []

    def distribution(
        self, name: str, version: str, requires: list[str], location: Location
    ) -> None:
        if not is_version(version):
            self.diagnostics.append(
                Diagnostic(
                    Severity.WARNING, location, f"{name}: version {version!r} is not PEP 440"
                )
            )
            return
        key = canonicalize_name(name)
        self.requirements.append(
            Requirement(
                name=key,
                display_name=name,
                specifier=SpecifierSet(f"=={version}"),
                marker=None,
                extras=frozenset(),
                text=f"{name}=={version} (installed)",
                location=location,
                role=Role.LOCKED,
            )
        )
        for text in requires:
            try:
                parsed = PackagingRequirement(text)
            except (InvalidRequirement, InvalidMarker) as exc:
                self.diagnostics.append(
                    Diagnostic(Severity.WARNING, location, f"{name}: Requires-Dist {text!r}: {exc}")
                )
                continue
            child = canonicalize_name(parsed.name)
            self.requirements.append(
                Requirement(
                    name=child,
                    display_name=parsed.name,
                    specifier=parsed.specifier,
                    marker=parsed.marker,
                    extras=frozenset(parsed.extras),
                    text=f"{parsed.name}{parsed.specifier} (required by {name} {version})",
                    location=location,
                    role=Role.LOCKED,
                    direct=False,
                    parent=key,
                )
            )
            self.dependencies.append(
                Dependency(key, version, child, parsed.specifier, parsed.marker, location)
            )

    def source(self) -> SourceFile:
        return SourceFile(
            path=self.shown,
            format=FORMAT,
            role=Role.LOCKED,
            requirements=tuple(self.requirements),
            dependencies=tuple(self.dependencies),
            diagnostics=tuple(self.diagnostics),
        )


def _from_folders(folders: list[Path], root: Path, shown: str) -> SourceFile:
    builder = _Builder(shown)
    for folder in folders:
        for info in sorted(folder.glob("*.dist-info")):
            metadata = info / "METADATA"
            where = f"{shown}/{metadata.relative_to(root).as_posix()}"
            if not metadata.is_file():
                continue
            raw, _ = parse_email(_read(metadata, where))
            name, version = raw.get("name"), raw.get("version")
            if not name or not version:
                builder.diagnostics.append(
                    Diagnostic(Severity.WARNING, Location(where), "no Name or Version; skipped")
                )
                continue
            builder.distribution(name, version, list(raw.get("requires_dist", [])), Location(where))
    return builder.source()


def _from_inspect(text: str, shown: str) -> SourceFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InstalledError(f"{shown}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise InstalledError(f"{shown}: invalid JSON: nested too deeply to read") from None
    except ValueError:  # a number past Python's 4300-digit limit
        raise InstalledError(f"{shown}: invalid JSON: a number too long to read") from None
    installed = data.get("installed") if isinstance(data, dict) else None
    if not isinstance(installed, list):
        raise InstalledError(f"{shown}: not pip inspect output (no `installed` list)")
    builder = _Builder(shown)
    for index, entry in enumerate(installed):
        metadata = entry.get("metadata") if isinstance(entry, dict) else None
        if not isinstance(metadata, dict):
            continue
        name, version = metadata.get("name"), metadata.get("version")
        requires = metadata.get("requires_dist") or []
        if isinstance(name, str) and isinstance(version, str) and isinstance(requires, list):
            builder.distribution(
                name,
                version,
                [r for r in requires if isinstance(r, str)],
                Location(shown, index + 1),
            )
    return builder.source()


def _from_freeze(text: str, shown: str) -> SourceFile:
    builder = _Builder(shown)
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.split("#", 1)[0].strip()
        if not stripped or stripped.startswith("-"):
            continue
        name, sep, version = stripped.partition("==")
        if not sep and " @ " in stripped:
            builder.diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    Location(shown, number),
                    f"{stripped.split(' @ ')[0]} was installed from a URL and pip freeze gives no "
                    "version for it; not checked (pip list --format=freeze or pip inspect does)",
                )
            )
            continue
        if not sep:
            builder.diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    Location(shown, number),
                    f"not a name==version line; skipped: {stripped[:80]!r}",
                )
            )
            continue
        builder.distribution(name.strip(), version.strip(), [], Location(shown, number))
    return builder.source()
