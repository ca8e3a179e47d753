"""The path model: where each path of an image being built comes from.

A path is a repository file (`RepoPath`), something made from repository files during the build
(`Derived`), something that cannot be known statically (`Opaque`), or a path of an earlier stage
(`StagePath`). `ImageModel` holds the stages built so far and answers lookups in them.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from depcheck.fs import Tree
from depcheck.model import Diagnostic, Location, Severity
from depcheck.topology.deploy.interface import Install
from depcheck.topology.deploy.shell import expand


@dataclass(frozen=True, slots=True)
class RepoPath:
    """A path in the build context, relative to the scan root."""

    path: str


@dataclass(frozen=True, slots=True)
class Derived:
    """Something built in the image from repository files: wheels, an exported requirements file."""

    installs: tuple[Install, ...]
    what: str
    #: a folder of wheels (True) or one file, such as an exported requirements file
    is_dir: bool = True


@dataclass(frozen=True, slots=True)
class Opaque:
    """Content depcheck cannot read statically (a heredoc, a URL, another image)."""

    why: str


@dataclass(frozen=True, eq=False)
class StagePath:
    """A path in an earlier stage (`COPY --from`): resolved through that stage's contents."""

    stage: Stage
    path: str


Origin = RepoPath | Derived | Opaque | StagePath


@dataclass(slots=True)
class Mount:
    target: str
    origin: Origin
    is_dir: bool


@dataclass(slots=True)
class Placed:
    """An install, and where in the image it went (to follow `COPY --from`)."""

    install: Install
    location: str


@dataclass(eq=False)
class Stage:
    index: int
    name: str | None
    line: int
    base: str
    parent: Stage | None = None
    python: str | None = None
    python_line: int | None = None
    distro_python: str | None = None
    machine: str | None = None
    platform: str | None = None
    workdir: str = "/"
    env: dict[str, str] = field(default_factory=dict)
    args: dict[str, str | None] = field(default_factory=dict)
    mounts: list[Mount] = field(default_factory=list)
    installs: list[Placed] = field(default_factory=list)
    venvs: set[str] = field(default_factory=set)
    poetry_in_env: bool = False
    uses: set[int] = field(default_factory=set)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dirs: set[str] = field(default_factory=lambda: {"/"})


@dataclass(frozen=True, slots=True)
class DockerImage:
    """What a Dockerfile's target stage installs and runs on."""

    path: str
    context: str
    stage: str | None
    stages: int
    line: int
    base: str
    installs: tuple[Install, ...]
    python: str | None
    python_line: int | None
    machine: str | None
    diagnostics: tuple[Diagnostic, ...]
    notes: tuple[str, ...]
    #: `sys_platform` of the base image or `--platform`: `win32` or `linux`
    platform: str = "linux"


_PROJECT_FILES = (
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "poetry.lock",
    "uv.lock",
    "Pipfile",
    "Pipfile.lock",
    "pdm.lock",
    "requirements.txt",
)


def is_under(path: str, prefix: str) -> bool:
    return prefix == "/" or path == prefix or path.startswith(prefix.rstrip("/") + "/")


class ImageModel:
    """The stages of one Dockerfile built so far, and lookups in their files."""

    def __init__(
        self,
        repo: Tree,
        path: str,
        context: str,
        build_args: dict[str, str],
        origin_path: str,
        line_offset: int,
        contexts: dict[str, str] | None = None,
    ) -> None:
        self.repo = repo
        self.path = path
        self.origin_path = origin_path
        self.line_offset = line_offset
        self.context = context
        #: named build contexts (Compose `build.additional_contexts`) that are repository folders
        self.contexts = dict(contexts or {})
        self.build_args = build_args
        self.global_args: dict[str, str | None] = {}
        self.stages: list[Stage] = []
        self.header: list[Diagnostic] = []

    # ------------------------------------------------------------------ helpers

    def location(self, line: int) -> Location:
        return Location(self.origin_path, line + self.line_offset)

    def warn(self, stage: Stage | None, line: int, message: str) -> None:
        diagnostic = Diagnostic(Severity.WARNING, self.location(line), message)
        (stage.diagnostics if stage is not None else self.header).append(diagnostic)

    def lookup_in(self, stage: Stage | None) -> dict[str, str]:
        values: dict[str, str] = {}
        if stage is None:
            values.update({k: v for k, v in self.global_args.items() if v is not None})
            return values
        values.update({k: v for k, v in stage.args.items() if v is not None})
        values.update(stage.env)
        return values

    def substitute(self, text: str, stage: Stage | None) -> tuple[str, set[str]]:
        values = self.lookup_in(stage)
        unresolved: set[str] = set()
        return expand(text, values.get, unresolved), unresolved

    def absolute(self, stage: Stage, path: str, cwd: str | None = None) -> str:
        base = cwd or stage.workdir
        joined = posixpath.join(base, path) if not path.startswith("/") else path
        return posixpath.normpath(joined) if joined != "/" else "/"

    def find_stage(self, name: str) -> Stage | None:
        for stage in self.stages:
            if stage.name is not None and stage.name.lower() == name.lower():
                return stage
        if name.isdigit() and int(name) < len(self.stages):
            return self.stages[int(name)]
        return None

    def earlier_stage(
        self, other: Stage | None, stage: Stage, line: int, name: str
    ) -> Stage | None:
        """`other` when it is a stage before `stage`; a stage that copies or mounts from itself
        (Docker refuses it: a circular dependency) is warned about and read as an image."""
        if other is None or other.index < stage.index:
            return other
        self.warn(stage, line, f"--from={name} names this stage itself; docker refuses the cycle")
        return None

    # ------------------------------------------------------------- image contents

    def lookup(self, stage: Stage, path: str) -> Origin | None:
        for mount in reversed(stage.mounts):
            if path == mount.target:
                return self.resolve(mount.origin)
            if mount.is_dir and is_under(path, mount.target):
                rest = path[len(mount.target) :].lstrip("/")
                child = self.child(mount.origin, rest)
                if child is not None:
                    return child
        return None

    def resolve(self, origin: Origin) -> Origin:
        """A path of an earlier stage, as what that stage holds there."""
        if isinstance(origin, StagePath):
            found = self.lookup(origin.stage, origin.path)
            if found is None:
                name = origin.stage.name or str(origin.stage.index)
                return Opaque(f"made in stage {name} during the build")
            return found
        return origin

    def child(self, origin: Origin, rest: str) -> Origin | None:
        if isinstance(origin, RepoPath):
            joined = self.repo.join(origin.path, rest)
            return RepoPath(joined) if joined is not None and self.repo.exists(joined) else None
        if isinstance(origin, StagePath):
            return self.lookup(origin.stage, posixpath.join(origin.path, rest))
        return origin

    def lookup_dir(self, stage: Stage, path: str) -> Origin | None:
        """A directory: mapped itself, or holding project files that all come from one place."""
        found = self.lookup(stage, path)
        if found is not None:
            return found
        sources: set[str] = set()
        for name in _PROJECT_FILES:
            origin = self.lookup(stage, posixpath.join(path, name))
            if isinstance(origin, RepoPath):
                sources.add(posixpath.dirname(origin.path) or ".")
        if len(sources) == 1:
            return RepoPath(sources.pop())
        return None

    # --------------------------------------------------------------- instructions
