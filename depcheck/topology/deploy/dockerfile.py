"""Dockerfiles, read statically: which repository files the runtime image installs, on which Python.

Nothing is built, run or pulled. The reader follows the instructions a build would:

* **parsing** (`parse_dockerfile`): the `# escape=` directive, `\\` continuations (comment lines
  inside them dropped, as BuildKit does), heredocs (`RUN <<EOF`, `<<-EOF`, `COPY <<EOF dest`);
* **stages**: `FROM [--platform=P] IMAGE [AS NAME]`; the target stage (the last one, or the one a
  Compose `target` names) is the runtime host. A stage built `FROM` another inherits its files
  and installs; `COPY --from=STAGE SRC` brings along the installs STAGE put under SRC (a venv,
  a `--prefix`, `site-packages`, `~/.local`) and maps SRC's files, so `pip wheel` in a builder
  then `pip install --no-index --find-links /wheels` in the runtime is followed;
* **paths**: `COPY`/`ADD` map image paths back to build-context files (`COPY requirements.txt
  /tmp/api.txt` then `pip install -r /tmp/api.txt` installs `requirements.txt`), `WORKDIR`,
  `RUN --mount=type=bind`, simple `ARG`/`ENV` substitution (build args from Compose override
  `ARG` defaults);
* **installs**: the commands `installers.recognize` knows, with `cd` and `export` followed;
* **Python**: from the official images' tags (`python:3.11-slim` -> 3.11, `python:3.12.4-bookworm`
  -> 3.12.4), the AWS Lambda and uv images, `python3.X` from apt/apk/dnf (or a Debian/Ubuntu
  release's own `python3`), `uv python install`, `uv venv --python`, pyenv and conda.

What cannot be resolved statically (an unset variable, a file generated during the build, a URL)
is a warning naming the Dockerfile line, and nothing is assumed in its place.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import posixpath
import re
from dataclasses import dataclass, field

from depcheck.model import Diagnostic, Location, Severity
from depcheck.topology.deploy.installers import TOOLING, InstallCommand, recognize
from depcheck.topology.deploy.interface import Install, InstallKind, Repo
from depcheck.topology.deploy.shell import ShellSyntaxError, expand, split_commands

# --------------------------------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class Heredoc:
    delimiter: str
    body: str
    #: 1-based line of the body's first line
    line: int


@dataclass(frozen=True, slots=True)
class Instruction:
    """One Dockerfile instruction: its keyword (upper case), arguments, line and heredocs."""

    keyword: str
    arguments: str
    line: int
    heredocs: tuple[Heredoc, ...] = ()


_HEREDOC_RE = re.compile(r"(?<!<)<<(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
_DIRECTIVE_RE = re.compile(r"^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$")


def parse_dockerfile(text: str) -> list[Instruction]:
    """The instructions of a Dockerfile, in order.

    Grammar (the BuildKit frontend's, reduced to what matters here)::

        file        := directive* (comment | blank | instruction)*
        directive   := "#" NAME "=" VALUE          (only before anything else; `escape` is used)
        instruction := KEYWORD arguments (ESCAPE newline (comment | arguments))* heredoc*
        heredoc     := lines up to one equal to the delimiter (`<<-` strips leading tabs)
    """
    lines = text.splitlines()
    escape = "\\"
    index = 0
    while index < len(lines):
        match = _DIRECTIVE_RE.match(lines[index].strip())
        if match is None:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("\\", "`"):
            escape = match.group(2)
        index += 1
    instructions: list[Instruction] = []
    while index < len(lines):
        raw = lines[index]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        start = index
        parts: list[str] = []
        current = raw
        while True:
            body = current.rstrip()
            if body.endswith(escape) and not body.endswith(escape * 2):
                parts.append(body[: -len(escape)])
                index += 1
                while index < len(lines) and lines[index].strip().startswith("#"):
                    index += 1
                if index >= len(lines):
                    break
                current = lines[index]
                continue
            parts.append(current)
            index += 1
            break
        logical = "".join(parts).strip()
        keyword, _, arguments = logical.partition(" ")
        if "\t" in keyword:
            keyword, _, more = keyword.partition("\t")
            arguments = f"{more} {arguments}"
        keyword = keyword.upper()
        heredocs: list[Heredoc] = []
        if keyword in ("RUN", "COPY", "ADD"):
            for found in _HEREDOC_RE.finditer(arguments):
                strip_tabs = found.group(1) == "-"
                delimiter = found.group(3)
                body_lines: list[str] = []
                first = index + 1
                while index < len(lines):
                    candidate = lines[index].lstrip("\t") if strip_tabs else lines[index]
                    index += 1
                    if candidate.strip() == delimiter:
                        break
                    body_lines.append(candidate)
                heredocs.append(Heredoc(delimiter, "\n".join(body_lines), first))
        instructions.append(Instruction(keyword, arguments.strip(), start + 1, tuple(heredocs)))
    return instructions


def _flags(arguments: str) -> tuple[dict[str, list[str]], str]:
    """Leading `--name=value` flags of an instruction, and the rest."""
    flags: dict[str, list[str]] = {}
    rest = arguments
    while True:
        match = re.match(r"^--([A-Za-z-]+)(?:=(\"[^\"]*\"|\S*))?\s*", rest)
        if match is None:
            break
        value = (match.group(2) or "").strip('"')
        flags.setdefault(match.group(1).lower(), []).append(value)
        rest = rest[match.end() :]
    return flags, rest


# --------------------------------------------------------------------------- base images, Python

#: the `python3` each Debian / Ubuntu release ships
_DISTRO_PYTHON = {
    ("debian", "buster"): "3.7",
    ("debian", "10"): "3.7",
    ("debian", "bullseye"): "3.9",
    ("debian", "11"): "3.9",
    ("debian", "bookworm"): "3.11",
    ("debian", "12"): "3.11",
    ("debian", "trixie"): "3.13",
    ("debian", "13"): "3.13",
    ("ubuntu", "18.04"): "3.6",
    ("ubuntu", "bionic"): "3.6",
    ("ubuntu", "20.04"): "3.8",
    ("ubuntu", "focal"): "3.8",
    ("ubuntu", "22.04"): "3.10",
    ("ubuntu", "jammy"): "3.10",
    ("ubuntu", "24.04"): "3.12",
    ("ubuntu", "noble"): "3.12",
}
_PYTHON_IMAGES = {"python", "pypy", "aws-lambda-python"}
_LAMBDA_IMAGES = ("public.ecr.aws/lambda/python", "amazon/aws-lambda-python")


@dataclass(frozen=True, slots=True)
class BaseImage:
    """What depcheck knows of an external base image from its reference alone."""

    reference: str
    python: str | None
    #: the `python3` of the distribution, for `apt-get install python3`
    distro_python: str | None = None
    workdir: str = "/"
    env: tuple[tuple[str, str], ...] = ()
    #: `win32` for Windows base images, None for Linux
    platform: str | None = None


def _tag_version(tag: str) -> str | None:
    """`3.11-slim` -> `3.11`, `3.12.4-bookworm` -> `3.12.4`, `3.15.0a7-slim` -> `3.15.0a7`."""
    match = re.match(r"^(?:python|py)?-?(\d+)\.(\d+)(?:\.(\d+)((?:a|b|rc)\d+)?)?", tag)
    if match is None:
        return None
    major, minor, patch, pre = match.groups()
    if major != "3":
        return None
    if patch is not None and len(patch) <= 3 and not tag[match.end() : match.end() + 1].isdigit():
        return f"{major}.{minor}.{patch}{pre or ''}"
    return f"{major}.{minor}"


_WINDOWS_TAG = re.compile(r"(?:^|[-_.])(windowsservercore|nanoserver|ltsc\d{4})(?:$|[-_.])")


def platform_of_image(name: str, tag: str) -> str | None:
    """`win32` for Windows base images (`python:3.12-windowsservercore`, `...-nanoserver-ltsc2022`,
    `mcr.microsoft.com/windows/servercore`), else None (Linux, as every other image)."""
    lowered = name.lower()
    if "/windows/" in lowered + "/" or lowered.endswith(("/windows", "windows/servercore")):
        return "win32"
    if _WINDOWS_TAG.search(tag.lower()):
        return "win32"
    return None


def base_image(reference: str) -> BaseImage:
    """Python facts from an image reference (`python:3.11-slim`,
    `public.ecr.aws/lambda/python:3.12`)."""
    ref = reference.split("@", 1)[0]
    name, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "")
    last = name.rsplit("/", 1)[-1].lower()
    python: str | None = None
    if last in _PYTHON_IMAGES:
        python = _tag_version(tag) if tag else None
    else:
        found = re.search(r"(?:^|[-_])python-?(3\.\d{1,2}(?:\.\d{1,3})?)(?![\d.])", tag)
        if found:
            python = found.group(1)
    distro = None
    if last in ("debian", "ubuntu"):
        release = tag.split("-")[0] if tag else ""
        distro = _DISTRO_PYTHON.get((last, release))
    elif last not in _PYTHON_IMAGES and tag:
        for codename in ("bookworm", "bullseye", "buster", "trixie", "jammy", "noble", "focal"):
            if codename in tag:
                distro = _DISTRO_PYTHON.get(("debian", codename)) or _DISTRO_PYTHON.get(
                    ("ubuntu", codename)
                )
    if name.lower().endswith(_LAMBDA_IMAGES) or last == "aws-lambda-python":
        return BaseImage(
            reference,
            python,
            workdir="/var/task",
            env=(("LAMBDA_TASK_ROOT", "/var/task"), ("LAMBDA_RUNTIME_DIR", "/var/runtime")),
        )
    return BaseImage(reference, python, distro_python=distro, platform=platform_of_image(name, tag))


_MACHINES = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64"}


def machine_of(platform: str) -> str | None:
    """`linux/arm64` -> `aarch64`, `windows/amd64` -> `AMD64` (what Windows reports); None for
    anything else or unresolved."""
    parts = platform.lower().split("/")
    if len(parts) >= 2 and parts[0] == "linux":
        return _MACHINES.get(parts[1])
    if len(parts) >= 2 and parts[0] == "windows":
        return {"amd64": "AMD64", "arm64": "ARM64"}.get(parts[1])
    return None


def os_of(platform: str) -> str | None:
    """`windows/amd64` -> `win32`, `linux/arm64` -> `linux`; None when unresolved."""
    system = platform.lower().split("/")[0]
    return {"windows": "win32", "linux": "linux"}.get(system)


# ------------------------------------------------------------------------------- image contents


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

    stage: _Stage
    path: str


Origin = RepoPath | Derived | Opaque | StagePath


@dataclass(slots=True)
class _Mount:
    target: str
    origin: Origin
    is_dir: bool


@dataclass(slots=True)
class _Placed:
    """An install, and where in the image it went (to follow `COPY --from`)."""

    install: Install
    location: str


@dataclass(eq=False)
class _Stage:
    index: int
    name: str | None
    line: int
    base: str
    parent: _Stage | None = None
    python: str | None = None
    python_line: int | None = None
    distro_python: str | None = None
    machine: str | None = None
    platform: str | None = None
    workdir: str = "/"
    env: dict[str, str] = field(default_factory=dict)
    args: dict[str, str | None] = field(default_factory=dict)
    mounts: list[_Mount] = field(default_factory=list)
    installs: list[_Placed] = field(default_factory=list)
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


_INSTALL_PATTERNS = re.compile(
    r"(site-packages|dist-packages|venv|virtualenvs|/\.local|^/install|wheels|^/usr/local|^/opt)"
)
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


def _under(path: str, prefix: str) -> bool:
    return prefix == "/" or path == prefix or path.startswith(prefix.rstrip("/") + "/")


class _Evaluator:
    """Runs the instructions of one Dockerfile against a model of the image's files."""

    def __init__(
        self,
        repo: Repo,
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
        self.stages: list[_Stage] = []
        self.header: list[Diagnostic] = []

    # ------------------------------------------------------------------ helpers

    def location(self, line: int) -> Location:
        return Location(self.origin_path, line + self.line_offset)

    def warn(self, stage: _Stage | None, line: int, message: str) -> None:
        diagnostic = Diagnostic(Severity.WARNING, self.location(line), message)
        (stage.diagnostics if stage is not None else self.header).append(diagnostic)

    def lookup_in(self, stage: _Stage | None) -> dict[str, str]:
        values: dict[str, str] = {}
        if stage is None:
            values.update({k: v for k, v in self.global_args.items() if v is not None})
            return values
        values.update({k: v for k, v in stage.args.items() if v is not None})
        values.update(stage.env)
        return values

    def substitute(self, text: str, stage: _Stage | None) -> tuple[str, set[str]]:
        values = self.lookup_in(stage)
        unresolved: set[str] = set()
        return expand(text, values.get, unresolved), unresolved

    def absolute(self, stage: _Stage, path: str, cwd: str | None = None) -> str:
        base = cwd or stage.workdir
        joined = posixpath.join(base, path) if not path.startswith("/") else path
        return posixpath.normpath(joined) if joined != "/" else "/"

    def find_stage(self, name: str) -> _Stage | None:
        for stage in self.stages:
            if stage.name is not None and stage.name.lower() == name.lower():
                return stage
        if name.isdigit() and int(name) < len(self.stages):
            return self.stages[int(name)]
        return None

    # ------------------------------------------------------------- image contents

    def lookup(self, stage: _Stage, path: str) -> Origin | None:
        for mount in reversed(stage.mounts):
            if path == mount.target:
                return self.resolve(mount.origin)
            if mount.is_dir and _under(path, mount.target):
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

    def lookup_dir(self, stage: _Stage, path: str) -> Origin | None:
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

    def run(self, instructions: list[Instruction]) -> None:
        stage: _Stage | None = None
        for instruction in instructions:
            keyword = instruction.keyword
            if keyword == "FROM":
                stage = self.from_(instruction)
            elif keyword == "ARG":
                self.arg(instruction, stage)
            elif stage is None:
                continue
            elif keyword == "ENV":
                self.env(instruction, stage)
            elif keyword == "WORKDIR":
                value, missing = self.substitute(instruction.arguments.strip(), stage)
                if missing:
                    self.warn(
                        stage,
                        instruction.line,
                        f"WORKDIR uses {_names(missing)}, which has no value here; "
                        "paths after it are not followed",
                    )
                    stage.workdir = "/<unresolved>"
                else:
                    stage.workdir = self.absolute(stage, value.strip().strip('"'))
                stage.dirs.add(stage.workdir)
            elif keyword in ("COPY", "ADD"):
                self.copy(instruction, stage)
            elif keyword == "RUN":
                self.run_(instruction, stage)

    def from_(self, instruction: Instruction) -> _Stage:
        flags, rest = _flags(instruction.arguments)
        words = rest.split()
        reference = words[0] if words else ""
        name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
        text, missing = self.substitute(reference, None)
        stage = _Stage(index=len(self.stages), name=name, line=instruction.line, base=text)
        for platform in flags.get("platform", []):
            value, unresolved = self.substitute(platform, None)
            if not unresolved:
                stage.machine = machine_of(value)
                stage.platform = os_of(value)
        parent = self.find_stage(text) if not missing else None
        if parent is not None:
            stage.parent = parent
            stage.uses.add(parent.index)
            stage.python, stage.python_line = parent.python, parent.python_line
            stage.distro_python = parent.distro_python
            stage.machine = stage.machine or parent.machine
            stage.platform = stage.platform or parent.platform
            stage.workdir = parent.workdir
            stage.env = dict(parent.env)
            stage.mounts = list(parent.mounts)
            stage.installs = list(parent.installs)
            stage.venvs = set(parent.venvs)
            stage.poetry_in_env = parent.poetry_in_env
            stage.dirs = set(parent.dirs)
            stage.base = parent.base
        elif missing:
            stage.base = text
            self.warn(
                stage,
                instruction.line,
                f"FROM {reference}: {_names(missing)} has no value (give the ARG a default); "
                "the base image and its Python are unknown",
            )
        else:
            image = base_image(text)
            stage.python = image.python
            stage.python_line = instruction.line if image.python else None
            stage.distro_python = image.distro_python
            stage.platform = stage.platform or image.platform
            stage.workdir = image.workdir
            stage.dirs.add(image.workdir)
            stage.env = dict(image.env)
        self.stages.append(stage)
        return stage

    def arg(self, instruction: Instruction, stage: _Stage | None) -> None:
        for word in _words(instruction.arguments):
            name, eq, default = word.partition("=")
            value: str | None = None
            if name in self.build_args:
                value = self.build_args[name]
            elif eq:
                value, missing = self.substitute(default.strip('"').strip("'"), stage)
                if missing:
                    value = None
            elif stage is not None and name in self.global_args:
                value = self.global_args[name]
            if stage is None:
                self.global_args[name] = value
            else:
                stage.args[name] = value

    def env(self, instruction: Instruction, stage: _Stage) -> None:
        arguments = instruction.arguments
        words = _words(arguments)
        pairs: list[tuple[str, str]] = []
        if words and "=" not in words[0]:
            name, _, value = arguments.partition(" ")
            pairs.append((name.strip(), value.strip()))
        else:
            pairs.extend((w.partition("=")[0], w.partition("=")[2]) for w in words)
        for name, raw in pairs:
            value, missing = self.substitute(raw, stage)
            if missing and name not in ("PATH",):
                continue
            stage.env[name] = value

    def copy(self, instruction: Instruction, stage: _Stage) -> None:
        flags, rest = _flags(instruction.arguments)
        if instruction.heredocs:
            words = _copy_words(rest)
            if words:
                dest, _ = self.substitute(words[-1], stage)
                target = self.absolute(stage, dest)
                for heredoc in instruction.heredocs:
                    inline_target = (
                        posixpath.join(target, heredoc.delimiter)
                        if dest.endswith("/") or len(instruction.heredocs) > 1
                        else target
                    )
                    at = self.location(instruction.line).line
                    why = f"written inline by a heredoc at line {at}"
                    stage.mounts.append(_Mount(inline_target, Opaque(why), False))
            return
        words = _copy_words(rest)
        if len(words) < 2:
            return
        substituted = []
        for word in words:
            value, missing = self.substitute(word, stage)
            if missing:
                self.warn(
                    stage,
                    instruction.line,
                    f"{instruction.keyword} uses {_names(missing)}, which has no value here; "
                    "what it copies is not followed",
                )
                return
            substituted.append(value)
        *sources, dest = substituted
        target = self.absolute(stage, dest)
        parents = "parents" in flags
        into_dir = (
            dest.endswith("/")
            or dest in (".", "./")
            or len(sources) > 1
            or target in stage.dirs
            or any(ch in s for s in sources for ch in "*?[")
        )
        from_values = flags.get("from", [])
        if from_values:
            source_name, missing = self.substitute(from_values[-1], stage)
            other = self.find_stage(source_name) if not missing else None
            if other is None and not missing and source_name in self.contexts:
                # a named build context: a repository folder copied like the build context
                self._copy_context(
                    stage,
                    instruction,
                    sources,
                    target,
                    into_dir,
                    parents,
                    self.contexts[source_name],
                )
                return
            for source in sources:
                if other is None:
                    origin: Origin = Opaque(f"copied from image {source_name}")
                    self._place(stage, target, source, origin, into_dir, is_dir=True)
                    continue
                stage.uses.add(other.index)
                src = self.absolute(other, source, "/")
                origin = StagePath(other, src)
                found = self.lookup(other, src)
                is_dir = True
                if isinstance(found, RepoPath):
                    is_dir = self.repo.is_dir(found.path)
                elif isinstance(found, Derived):
                    is_dir = found.is_dir
                self._place(stage, target, source, origin, into_dir, is_dir=is_dir)
                self._carry(stage, other, src, target, instruction.line)
            return
        self._copy_context(stage, instruction, sources, target, into_dir, parents, self.context)

    def _copy_context(
        self,
        stage: _Stage,
        instruction: Instruction,
        sources: list[str],
        target: str,
        into_dir: bool,
        parents: bool,
        context: str,
    ) -> None:
        """`COPY SRC... DEST` from a build context (the main one, or a named one)."""
        for source in sources:
            if re.match(r"^[a-z][a-z0-9+.-]*://", source) or source.startswith("git@"):
                self._place(stage, target, source, Opaque(f"downloaded from {source}"), into_dir)
                continue
            context_path = self.repo.join(context, source.lstrip("/"))
            if context_path is None:
                self.warn(stage, instruction.line, f"{source} leaves the build context")
                continue
            if any(ch in source for ch in "*?["):
                matches = self.repo.glob(context, source.lstrip("/"))
                if not matches:
                    self.warn(
                        stage,
                        instruction.line,
                        f"{source} matches nothing in the build context {context}",
                    )
                for match in matches:
                    rel = posixpath.relpath(match, context)
                    place = posixpath.join(target, rel if parents else posixpath.basename(match))
                    stage.mounts.append(_Mount(place, RepoPath(match), self.repo.is_dir(match)))
                continue
            if not self.repo.exists(context_path):
                self.warn(
                    stage,
                    instruction.line,
                    f"{source} is not in the build context {context}; "
                    "what it copies is not followed",
                )
                continue
            is_dir = self.repo.is_dir(context_path)
            if parents and not is_dir:
                place = posixpath.join(target, source.lstrip("/"))
                stage.mounts.append(_Mount(place, RepoPath(context_path), False))
                continue
            self._place(stage, target, source, RepoPath(context_path), into_dir, is_dir=is_dir)

    def _place(
        self,
        stage: _Stage,
        target: str,
        source: str,
        origin: Origin,
        into_dir: bool,
        *,
        is_dir: bool = False,
    ) -> None:
        if is_dir:
            stage.mounts.append(_Mount(target, origin, True))
            stage.dirs.add(target)
            return
        place = (
            posixpath.join(target, posixpath.basename(source.rstrip("/"))) if into_dir else target
        )
        stage.mounts.append(_Mount(place, origin, False))

    def _carry(self, stage: _Stage, other: _Stage, src: str, target: str, line: int) -> None:
        """`COPY --from=other src`: the installs `other` put under src come along."""
        related = [
            placed
            for placed in other.installs
            if _under(placed.location, src) or _under(src, placed.location)
        ]
        if not related and _INSTALL_PATTERNS.search(src):
            related = list(other.installs)
        for placed in related:
            if all(p.install != placed.install for p in stage.installs):
                stage.installs.append(_Placed(placed.install, target))

    # ---------------------------------------------------------------------- RUN

    def run_(self, instruction: Instruction, stage: _Stage) -> None:
        flags, rest = _flags(instruction.arguments)
        saved = len(stage.mounts)
        for mount in flags.get("mount", []):
            self._bind_mount(mount, stage, instruction.line)
        scripts: list[tuple[str, int]] = []
        command = rest
        if command.startswith("["):
            try:
                argv = json.loads(command)
            except json.JSONDecodeError:
                argv = None
            if isinstance(argv, list) and all(isinstance(a, str) for a in argv):
                if (
                    len(argv) >= 3
                    and posixpath.basename(argv[0]) in ("sh", "bash")
                    and (argv[1] == "-c")
                ):
                    command = argv[2]
                else:
                    command = " ".join(_quote(a) for a in argv)
        if instruction.heredocs:
            head = _HEREDOC_RE.sub("", command).strip()
            shell_head = not head or re.match(r"^(/bin/|/usr/bin/)?(ba)?sh\b", head)
            for heredoc in instruction.heredocs:
                body = heredoc.body
                if body.startswith("#!") and not re.match(r"#!.*\b(ba)?sh\b", body):
                    continue
                if shell_head:
                    scripts.append((body, instruction.line))
            if not shell_head:
                generated = re.match(r"^(cat|tee)\b.*?>\s*(\S+)", head)
                if generated:
                    target = self.absolute(stage, generated.group(2))
                    why = f"written by a heredoc at line {self.location(instruction.line).line}"
                    stage.mounts.append(_Mount(target, Opaque(why), False))
                    del stage.mounts[saved:-1]
                    return
                scripts.append((head, instruction.line))
        else:
            scripts.append((command, instruction.line))
        for script, line in scripts:
            self._script(script, stage, line)
        # bind mounts last only for this RUN
        del stage.mounts[saved : saved + len(flags.get("mount", []))]

    def _bind_mount(self, spec: str, stage: _Stage, line: int) -> None:
        options = dict(part.partition("=")[::2] for part in spec.split(",") if "=" in part)
        kind = options.get("type", "bind")
        if kind != "bind":
            stage.mounts.append(_Mount("/<none>", Opaque("cache"), False))
            return
        target = options.get("target") or options.get("dst") or options.get("destination")
        source = options.get("source") or options.get("src") or "."
        if not target:
            stage.mounts.append(_Mount("/<none>", Opaque("cache"), False))
            return
        target = self.absolute(stage, self.substitute(target, stage)[0])
        source = self.substitute(source, stage)[0]
        if "from" in options:
            other = self.find_stage(options["from"])
            if other is None:
                origin: Origin = Opaque(f"mounted from image {options['from']}")
                stage.mounts.append(_Mount(target, origin, True))
                return
            stage.uses.add(other.index)
            src = self.absolute(other, source, "/")
            stage.mounts.append(_Mount(target, StagePath(other, src), True))
            return
        context_path = self.repo.join(self.context, source.lstrip("/"))
        if context_path is None or not self.repo.exists(context_path):
            self.warn(stage, line, f"bind mount source {source} is not in the build context")
            stage.mounts.append(_Mount(target, Opaque("a missing bind mount"), False))
            return
        stage.mounts.append(_Mount(target, RepoPath(context_path), self.repo.is_dir(context_path)))

    def _script(self, script: str, stage: _Stage, line: int) -> None:
        env = self.lookup_in(stage)
        cwd = stage.workdir
        try:
            commands = split_commands(script, env.get)
        except ShellSyntaxError as exc:
            self.warn(stage, line, f"cannot read this RUN command: {exc}")
            return
        for command in commands:
            words = command.words
            if not words:
                env.update(command.assignments)
                continue
            head = posixpath.basename(words[0])
            if head == "cd" and len(words) > 1:
                if not _unresolved_in(words[1], command.unresolved):
                    cwd = self.absolute(stage, words[1], cwd)
                continue
            if head == "export":
                for word in words[1:]:
                    name, eq, value = word.partition("=")
                    if eq:
                        env[name] = value
                        stage.env[name] = value
                continue
            if head in (".", "source") and len(words) > 1 and words[1].endswith("/bin/activate"):
                venv = self.absolute(stage, posixpath.dirname(posixpath.dirname(words[1])), cwd)
                env["VIRTUAL_ENV"] = venv
                continue
            if head == "poetry" and words[1:3] == ["config", "virtualenvs.create"]:
                stage.poetry_in_env = words[3:4] == ["false"]
                continue
            recognized = recognize(words)
            if recognized is None:
                continue
            local_env = {**env, **command.assignments}
            self._install(
                recognized, command.unresolved, command.stdout, stage, cwd, local_env, line
            )

    def _install(
        self,
        command: InstallCommand,
        unresolved: set[str],
        stdout: str | None,
        stage: _Stage,
        cwd: str,
        env: dict[str, str],
        line: int,
    ) -> None:
        location = self.location(line)
        if command.action == "python":
            version = command.python
            if version == "distro":
                version = stage.distro_python if stage.python is None else None
            if version is not None:
                stage.python, stage.python_line = version, line
            return
        if command.action == "venv":
            assert command.output is not None
            stage.venvs.add(self.absolute(stage, command.output, cwd))
            if command.python:
                stage.python, stage.python_line = command.python, line
            return
        destination = self._destination(command, stage, cwd, env)
        if command.action == "export":
            output = command.output or stdout
            exported = self._project_installs(command, stage, cwd, location, unresolved)
            if output is not None and exported is not None:
                path = self.absolute(stage, output, cwd)
                stage.mounts.append(
                    _Mount(
                        path,
                        Derived(tuple(exported), f"exported by {command.tool}", is_dir=False),
                        False,
                    )
                )
            return
        if command.action == "build":
            project = self.absolute(stage, command.project_dir or ".", cwd)
            origin = self.lookup_dir(stage, project)
            if isinstance(origin, RepoPath):
                install = Install(origin.path, InstallKind.PROJECT, location)
                out = self.absolute(stage, command.output or "dist", cwd)
                stage.mounts.append(_Mount(out, Derived((install,), "built wheels"), True))
            return
        installs: list[Install] = []
        if command.tool in ("poetry", "pipenv", "pdm", "uv") and command.action == "sync":
            found = self._project_installs(command, stage, cwd, location, unresolved)
            installs.extend(found or [])
        for file in command.files:
            if _unresolved_in(file, unresolved):
                self.warn(stage, line, f"{command.tool} installs {file}, which has no value here")
                continue
            installs.extend(self._file_installs(file, stage, cwd, location, command.tool))
        for project in command.projects:
            if _unresolved_in(project, unresolved):
                self.warn(
                    stage, line, f"{command.tool} installs {project}, which has no value here"
                )
                continue
            installs.extend(self._path_installs(project, stage, cwd, location, command.tool))
        if command.extras or command.dev:
            # what of the project it installs: its extras, its development groups
            installs = [
                dataclasses.replace(i, extras=tuple(command.extras), dev=command.dev)
                for i in installs
            ]
        named = [p for p in command.packages if p.lower() not in TOOLING]
        if named and command.action == "install":
            stage.notes.append(
                f"{location}: also installs {', '.join(sorted(set(named)))} by name "
                "(not checked: no file states it)"
            )
        if command.action in ("wheel", "download"):
            out = self.absolute(stage, command.output or ".", cwd)
            stage.mounts.append(_Mount(out, Derived(tuple(installs), "built wheels"), True))
            stage.dirs.add(out)
            return
        for install in installs:
            stage.installs.append(_Placed(install, destination))

    def _destination(
        self, command: InstallCommand, stage: _Stage, cwd: str, env: dict[str, str]
    ) -> str:
        """Where an install goes, so `COPY --from` of that place carries it."""
        if command.target:
            return self.absolute(stage, command.target, cwd)
        if command.user:
            return posixpath.join(env.get("HOME", "/root"), ".local")
        for exe in (command.python_exe, command.executable):
            if exe and "/bin/" in exe:
                return posixpath.dirname(posixpath.dirname(self.absolute(stage, exe, cwd)))
        project = self.absolute(stage, command.project_dir or ".", cwd)
        if command.tool == "uv" and command.action == "sync":
            if env.get("UV_PROJECT_ENVIRONMENT"):
                return self.absolute(stage, env["UV_PROJECT_ENVIRONMENT"], project)
            return posixpath.join(project, ".venv")
        if command.tool == "pdm":
            return posixpath.join(project, ".venv")
        if command.tool == "poetry":
            if stage.poetry_in_env or env.get("POETRY_VIRTUALENVS_CREATE", "").lower() in (
                "false",
                "0",
            ):
                return env.get("VIRTUAL_ENV") or "/usr/local"
            if env.get("POETRY_VIRTUALENVS_IN_PROJECT", "").lower() in ("true", "1"):
                return posixpath.join(project, ".venv")
            return "/root/.cache/pypoetry"
        if command.tool == "pipenv":
            if command.system or env.get("PIPENV_SYSTEM") == "1":
                return "/usr/local"
            if env.get("PIPENV_VENV_IN_PROJECT", "").lower() in ("true", "1"):
                return posixpath.join(project, ".venv")
            return "/root/.local/share/virtualenvs"
        if command.system:
            return "/usr/local"
        if env.get("VIRTUAL_ENV"):
            return env["VIRTUAL_ENV"]
        for entry in env.get("PATH", "").split(":"):
            if entry.endswith("/bin") and posixpath.dirname(entry) in stage.venvs:
                return posixpath.dirname(entry)
        return "/usr/local"

    def _project_installs(
        self,
        command: InstallCommand,
        stage: _Stage,
        cwd: str,
        location: Location,
        unresolved: set[str],
    ) -> list[Install] | None:
        """The project a Poetry/Pipenv/PDM/uv command works on (export: or the files it reads)."""
        if command.tool in ("pip-compile", "uv pip"):
            installs: list[Install] = []
            for file in command.files:
                installs.extend(self._file_installs(file, stage, cwd, location, command.tool))
            return installs
        directory = command.project_dir or "."
        line = (location.line or 0) - self.line_offset
        if _unresolved_in(directory, unresolved):
            self.warn(stage, line, f"{command.tool} works in {directory}, which has no value here")
            return None
        path = self.absolute(stage, directory, cwd)
        origin = self.lookup_dir(stage, path)
        if isinstance(origin, RepoPath) and self.repo.is_dir(origin.path):
            return [Install(origin.path, InstallKind.PROJECT, location)]
        if isinstance(origin, Derived):
            return list(origin.installs)
        self.warn(
            stage,
            line,
            f"{command.tool} {command.action} in {path}: no project files there come from the "
            "build context (COPY pyproject.toml and its lock first)",
        )
        return None

    def _file_installs(
        self, file: str, stage: _Stage, cwd: str, location: Location, tool: str
    ) -> list[Install]:
        path = self.absolute(stage, file, cwd)
        origin = self.lookup(stage, path)
        line = (location.line or 0) - self.line_offset
        if isinstance(origin, RepoPath):
            if self.repo.is_dir(origin.path):
                self.warn(
                    stage, line, f"{tool} installs {file}, a directory, as a requirements file"
                )
                return []
            return [Install(origin.path, InstallKind.FILE, location)]
        if isinstance(origin, Derived):
            return list(origin.installs)
        if isinstance(origin, Opaque):
            self.warn(stage, line, f"{tool} installs {file}, {origin.why}: not read")
            return []
        self.warn(
            stage,
            line,
            f"{tool} installs {file} ({path} in the image), which no COPY or ADD brings in "
            "from the build context",
        )
        return []

    def _path_installs(
        self, project: str, stage: _Stage, cwd: str, location: Location, tool: str
    ) -> list[Install]:
        line = (location.line or 0) - self.line_offset
        if project.startswith("~"):
            project = "/root" + project[1:]
        glob_at = min((project.find(ch) for ch in "*?[" if ch in project), default=-1)
        if glob_at >= 0:
            directory = self.absolute(stage, posixpath.dirname(project[:glob_at]) or ".", cwd)
            origin = self.lookup(stage, directory)
            if isinstance(origin, Derived):
                return list(origin.installs)
            if isinstance(origin, RepoPath):
                pattern = project[glob_at - len(posixpath.basename(project[:glob_at])) :]
                pattern = posixpath.basename(project) if "/" in project[glob_at:] else pattern
                matches = [
                    m
                    for m in self.repo.glob(origin.path, "*")
                    if fnmatch.fnmatch(posixpath.basename(m), posixpath.basename(project))
                ]
                return [self._project_install(m, location) for m in matches if m]
            self.warn(stage, line, f"{tool} installs {project}: nothing known there")
            return []
        path = self.absolute(stage, project, cwd)
        origin = self.lookup_dir(stage, path)
        if isinstance(origin, RepoPath):
            return [self._project_install(origin.path, location)]
        if isinstance(origin, Derived):
            return list(origin.installs)
        if isinstance(origin, Opaque):
            self.warn(stage, line, f"{tool} installs {project}, {origin.why}: not read")
            return []
        self.warn(
            stage,
            line,
            f"{tool} installs {project} ({path} in the image), which no COPY or ADD brings in "
            "from the build context",
        )
        return []

    def _project_install(self, path: str, location: Location) -> Install:
        if self.repo.is_dir(path):
            return Install(path, InstallKind.PROJECT, location)
        # a wheel or sdist checked into the repository: its directory's project, at best
        return Install(path, InstallKind.FILE, location)


def _words(text: str) -> list[str]:
    try:
        import shlex

        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return text.split()


def _copy_words(text: str) -> list[str]:
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            values = json.loads(stripped)
        except json.JSONDecodeError:
            values = None
        if isinstance(values, list) and all(isinstance(v, str) for v in values):
            return values
    return [w for w in _HEREDOC_RE.sub("", stripped).split() if w]


def _quote(word: str) -> str:
    return word if re.match(r"^[\w@%+=:,./*?\[\]-]+$", word) else "'" + word.replace("'", "") + "'"


def _names(missing: set[str]) -> str:
    shown = sorted(m if m.startswith(("$", "`")) else f"${m}" for m in missing)
    return ", ".join(shown)


def _unresolved_in(word: str, unresolved: set[str]) -> bool:
    return any((f"${name}" in word or f"${{{name}" in word or name in word) for name in unresolved)


def copy_sources(instructions: list[Instruction]) -> list[str]:
    """The build-context paths a Dockerfile copies (for choosing its context)."""
    found: list[str] = []
    for instruction in instructions:
        if instruction.keyword not in ("COPY", "ADD") or instruction.heredocs:
            continue
        flags, rest = _flags(instruction.arguments)
        if "from" in flags:
            continue
        words = _copy_words(rest)
        for word in words[:-1]:
            if "$" in word or "://" in word or word.strip("./") == "":
                continue
            found.append(word.lstrip("/"))
    for instruction in instructions:
        if instruction.keyword != "RUN":
            continue
        flags, _ = _flags(instruction.arguments)
        for spec in flags.get("mount", []):
            options = dict(p.partition("=")[::2] for p in spec.split(",") if "=" in p)
            if options.get("type", "bind") == "bind" and "from" not in options:
                source = options.get("source") or options.get("src")
                if source and "$" not in source and source.strip("./"):
                    found.append(source.lstrip("/"))
    return found


def guess_context(repo: Repo, path: str, instructions: list[Instruction]) -> str:
    """The build context of a Dockerfile no Compose file describes.

    `docker build` is run from the Dockerfile's directory or from a parent (the repository root,
    with `-f services/api/Dockerfile`). We take the nearest of those directories in which most
    of the paths the Dockerfile copies exist, so `COPY services/api/requirements.txt .` in
    `services/api/Dockerfile` finds the root, and `COPY requirements.txt .` finds its own folder.
    """
    sources = copy_sources(instructions)
    directory = posixpath.dirname(path) or "."
    candidates = [directory]
    while directory != ".":
        directory = posixpath.dirname(directory) or "."
        candidates.append(directory)
    if not sources:
        return candidates[0]
    best, best_score = candidates[0], -1
    for candidate in candidates:
        score = 0
        for source in sources:
            if any(ch in source for ch in "*?["):
                score += bool(repo.glob(candidate, source))
            else:
                joined = repo.join(candidate, source)
                score += joined is not None and repo.exists(joined)
        if score > best_score:
            best, best_score = candidate, score
    return best


def read_image(
    repo: Repo,
    path: str,
    *,
    context: str | None = None,
    target: str | None = None,
    build_args: dict[str, str] | None = None,
    text: str | None = None,
    origin_path: str | None = None,
    line_offset: int = 0,
    contexts: dict[str, str] | None = None,
) -> DockerImage:
    """Evaluate the Dockerfile at `path` (or inline `text`) for its `target` stage.

    `context` is the build context (relative to the root; guessed when None), `build_args` the
    values Compose passes. `origin_path`/`line_offset` say where messages point for an inline
    Dockerfile (Compose `dockerfile_inline`).
    """
    source = text if text is not None else repo.read_text(path)
    instructions = parse_dockerfile(source)
    chosen_context = context if context is not None else guess_context(repo, path, instructions)
    evaluator = _Evaluator(
        repo,
        path,
        chosen_context,
        dict(build_args or {}),
        origin_path or path,
        line_offset,
        contexts,
    )
    evaluator.run(instructions)
    stages = evaluator.stages
    diagnostics: list[Diagnostic] = list(evaluator.header)
    if not stages:
        return DockerImage(
            path,
            chosen_context,
            None,
            0,
            1,
            "",
            (),
            None,
            None,
            None,
            tuple(diagnostics),
            (),
        )
    final = stages[-1]
    if target is not None:
        named = evaluator.find_stage(target)
        if named is None:
            diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    Location(origin_path or path),
                    f"build target {target!r} is no stage of this Dockerfile; "
                    "the last stage is used",
                )
            )
        else:
            final = named
    involved: set[int] = set()
    pending = [final.index]
    while pending:
        index = pending.pop()
        if index in involved:
            continue
        involved.add(index)
        pending.extend(stages[index].uses)
    notes: list[str] = []
    for stage in stages:
        if stage.index in involved:
            diagnostics.extend(d for d in stage.diagnostics if d.message)
            notes.extend(stage.notes)
    installs: list[Install] = []
    for placed in final.installs:
        if all((i.path, i.kind) != (placed.install.path, placed.install.kind) for i in installs):
            installs.append(placed.install)
    if final.python is None and installs:
        diagnostics.append(
            Diagnostic(
                Severity.WARNING,
                evaluator.location(final.line),
                f"the Python version of this image is not known from its base image "
                f"({final.base or 'unknown'}); markers use --python or this interpreter's",
            )
        )
    return DockerImage(
        path=path,
        context=chosen_context,
        stage=final.name,
        stages=len(stages),
        line=evaluator.location(final.line).line or 1,
        base=final.base,
        installs=tuple(installs),
        python=final.python,
        python_line=(
            evaluator.location(final.python_line).line if final.python_line is not None else None
        ),
        machine=final.machine,
        diagnostics=tuple(diagnostics),
        notes=tuple(notes),
        platform=final.platform or "linux",
    )
