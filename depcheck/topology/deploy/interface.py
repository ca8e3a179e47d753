"""What every deployment-file reader produces: hosts, the things each installs, and diagnostics.

A reader turns one deployment file (a Dockerfile, a Compose project, a Procfile, a SAM template, a
`serverless.yml`) into `DeployHost`s. A reader never runs, builds or pulls anything: it reads text.
A reader reads only through `depcheck.fs.Tree` (its `ReadError`, a file refused or unreadable,
becomes an error naming the file). What it installs is recorded as repository paths
(`Install`); `hosts_from_deploy` maps those to services afterwards, so readers know nothing
about discovery. What a reader cannot resolve
statically (a variable with no value, a file generated at build time) becomes a warning naming
the line, never a guess.
"""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from depcheck.errors import TopologyError
from depcheck.model import NO_GROUPS, Diagnostic, Groups, Location, Severity

if TYPE_CHECKING:
    from depcheck.fs import Tree


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


class DeployError(TopologyError):
    """A deployment file that cannot be used at all (not YAML, wrong shape): names the file.
    It is a warning: the file deploys nothing depcheck can see, the scan goes on."""

    location: Location

    def __init__(self, location: Location, message: str) -> None:
        super().__init__(message, location)

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(Severity.WARNING, self.location, self.message)


class DeployReader(abc.ABC):
    """A deployment-file format: which files it reads, and how."""

    #: a short name for messages and host kinds ("dockerfile", "compose", ...)
    kind: str

    @abc.abstractmethod
    def read(self, repo: Tree, path: str) -> DeployRead:
        """Hosts declared by the file at `path` (relative to the root)."""
