"""What every deployment-file reader produces: hosts, the things each installs, and diagnostics.

A reader turns one deployment file (a Dockerfile, a Compose project, a Procfile, a SAM template, a
`serverless.yml`) into `DeployHost`s. A reader never runs, builds or pulls anything: it reads text.
What it installs is recorded as repository paths (`Install`); `hosts_from_deploy` maps those to
services afterwards, so readers know nothing about discovery. What a reader cannot resolve
statically (a variable with no value, a file generated at build time) becomes a warning naming
the line, never a guess.
"""

from __future__ import annotations

import abc
import enum
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from depcheck.model import NO_GROUPS, Diagnostic, Groups, Location, Severity


class InstallKind(enum.StrEnum):
    """How a host takes a repository path in."""

    #: a dependency file installed as such (`pip install -r`, `pip-sync`, `uv pip sync`)
    FILE = "file"
    #: a local project directory (`pip install ./dir`, `poetry install`, a Lambda `CodeUri`)
    PROJECT = "project"
    #: code the host runs from the repository (a Procfile command's `--chdir dir`, `script.py`)
    CODE = "code"


@dataclass(frozen=True, slots=True, order=True)
class Install:
    """One repository path a host installs, and the deployment-file line that installs it."""

    path: str
    kind: InstallKind
    location: Location
    #: the project's optional-dependency extras the command installs (`*`: all of them)
    extras: tuple[str, ...] = ()
    #: the project's dependency groups the command installs (`poetry install --with docs`,
    #: `uv sync` without `--no-dev`, `pipenv install --dev`)
    groups: Groups = NO_GROUPS


@dataclass(frozen=True, slots=True)
class DeployHost:
    """A place where services share one Python environment, as a deployment file declares it.

    Readers fill `installs`; `hosts_from_deploy` fills `services` (names of services) and
    `service_installs` (per service, the paths this host installs of it). `python` is "X.Y" or
    "X.Y.Z" (None when the file does not say), `platform` a `sys_platform` ("linux" for containers
    and Lambda) and `machine` a `platform_machine` when the file says (`aarch64` for arm64).
    """

    name: str
    origin: Location
    kind: str
    installs: tuple[Install, ...] = ()
    python: str | None = None
    python_origin: Location | None = None
    platform: str | None = "linux"
    machine: str | None = None
    notes: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    service_installs: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class DeployRead:
    """What a reader found in one deployment file (or one Compose project)."""

    hosts: tuple[DeployHost, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    #: Dockerfiles this file builds: they are hosts through it, not on their own
    dockerfiles: tuple[str, ...] = ()


class DeployError(ValueError):
    """A deployment file that cannot be read at all (not YAML, wrong shape): names the file."""

    def __init__(self, location: Location, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(Severity.WARNING, self.location, self.message)


@dataclass(frozen=True)
class Repo:
    """Read-only access to the scanned tree by POSIX paths relative to its root.

    Paths are normalized; one that leaves the root (`..`) or is absolute is treated as absent, so
    a deployment file cannot make depcheck look outside what it scans.
    """

    root: Path
    _cache: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @staticmethod
    def normalize(path: str) -> str | None:
        """A clean relative path ("." for the root), or None when it leaves the root."""
        cleaned = path.replace("\\", "/")
        if cleaned.startswith("/"):
            return None
        normal = posixpath.normpath(cleaned) if cleaned else "."
        if normal == ".." or normal.startswith("../"):
            return None
        return normal

    def join(self, base: str, path: str) -> str | None:
        return self.normalize(posixpath.join(base, path))

    def _full(self, path: str) -> Path | None:
        normal = self.normalize(path)
        return None if normal is None else self.root / normal

    def exists(self, path: str) -> bool:
        full = self._full(path)
        try:
            return full is not None and full.exists()
        except (OSError, ValueError):  # a name too long, or one holding a NUL: not there
            return False

    def is_dir(self, path: str) -> bool:
        full = self._full(path)
        try:
            return full is not None and full.is_dir()
        except (OSError, ValueError):  # a name too long, or one holding a NUL: not there
            return False

    def is_file(self, path: str) -> bool:
        full = self._full(path)
        try:
            return full is not None and full.is_file()
        except (OSError, ValueError):  # a name too long, or one holding a NUL: not there
            return False

    def read_text(self, path: str) -> str:
        full = self._full(path)
        if full is None:
            raise OSError(f"{path}: outside the scanned root")
        try:
            return full.read_text(encoding="utf-8-sig", errors="replace")
        except ValueError:  # a NUL in the name
            raise OSError(f"{path}: not a file name (it holds a NUL character)") from None

    def read_deployment_file(self, path: str) -> str:
        """`read_text` for a deployment file: a file that cannot be read is a `DeployError`."""
        try:
            return self.read_text(path)
        except OSError as exc:
            raise DeployError(Location(path), f"cannot read: {exc}") from None

    def glob(self, directory: str, pattern: str) -> list[str]:
        """Paths below `directory` matching a relative glob `pattern` (sorted)."""
        base = self._full(directory)
        if base is None or not base.is_dir():
            return []
        found = []
        for match in base.glob(pattern):
            try:
                rel = match.relative_to(self.root).as_posix()
            except ValueError:
                continue
            found.append(rel)
        return sorted(found)


class DeployReader(abc.ABC):
    """A deployment-file format: which files it reads, and how."""

    #: a short name for messages and host kinds ("dockerfile", "compose", ...)
    kind: str

    @abc.abstractmethod
    def read(self, repo: Repo, path: str) -> DeployRead:
        """Hosts declared by the file at `path` (relative to the root)."""
