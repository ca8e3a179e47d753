"""The evaluator: runs a Dockerfile's instructions against the path model.

`FROM` (stages, `--platform`, the base image's Python), `ARG`/`ENV` substitution, `COPY`/`ADD`
(context files, `--from` stages and the installs they carry), `WORKDIR`, and `RUN`: bind mounts,
heredocs, the install commands `installers.recognize` knows (with `cd` and `export` followed), and
the commands that install a Python.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import posixpath
import re

from depcheck.model import Location
from depcheck.topology.deploy.dockerfile.images import base_image, machine_of, os_of
from depcheck.topology.deploy.dockerfile.parser import (
    HEREDOC_RE,
    Instruction,
    copy_words,
    split_flags,
    split_words,
)
from depcheck.topology.deploy.dockerfile.paths import (
    Derived,
    ImageModel,
    Mount,
    Opaque,
    Origin,
    Placed,
    RepoPath,
    Stage,
    StagePath,
    is_under,
)
from depcheck.topology.deploy.installers import TOOLING, InstallCommand, recognize
from depcheck.topology.deploy.interface import Install, InstallKind
from depcheck.topology.deploy.shell import ShellSyntaxError, split_commands

_INSTALL_PATTERNS = re.compile(
    r"(site-packages|dist-packages|venv|virtualenvs|/\.local|^/install|wheels|^/usr/local|^/opt)"
)


class Evaluator(ImageModel):
    """Runs the instructions of one Dockerfile against a model of the image's files."""

    def run(self, instructions: list[Instruction]) -> None:
        stage: Stage | None = None
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

    def from_(self, instruction: Instruction) -> Stage:
        flags, rest = split_flags(instruction.arguments)
        words = rest.split()
        reference = words[0] if words else ""
        name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
        text, missing = self.substitute(reference, None)
        stage = Stage(index=len(self.stages), name=name, line=instruction.line, base=text)
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

    def arg(self, instruction: Instruction, stage: Stage | None) -> None:
        for word in split_words(instruction.arguments):
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

    def env(self, instruction: Instruction, stage: Stage) -> None:
        arguments = instruction.arguments
        words = split_words(arguments)
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

    def copy(self, instruction: Instruction, stage: Stage) -> None:
        flags, rest = split_flags(instruction.arguments)
        if instruction.heredocs:
            words = copy_words(rest)
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
                    stage.mounts.append(Mount(inline_target, Opaque(why), False))
            return
        words = copy_words(rest)
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
            other = self.earlier_stage(other, stage, instruction.line, source_name)
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
        stage: Stage,
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
                    stage.mounts.append(Mount(place, RepoPath(match), self.repo.is_dir(match)))
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
                stage.mounts.append(Mount(place, RepoPath(context_path), False))
                continue
            self._place(stage, target, source, RepoPath(context_path), into_dir, is_dir=is_dir)

    def _place(
        self,
        stage: Stage,
        target: str,
        source: str,
        origin: Origin,
        into_dir: bool,
        *,
        is_dir: bool = False,
    ) -> None:
        if is_dir:
            stage.mounts.append(Mount(target, origin, True))
            stage.dirs.add(target)
            return
        place = (
            posixpath.join(target, posixpath.basename(source.rstrip("/"))) if into_dir else target
        )
        stage.mounts.append(Mount(place, origin, False))

    def _carry(self, stage: Stage, other: Stage, src: str, target: str, line: int) -> None:
        """`COPY --from=other src`: the installs `other` put under src come along."""
        related = [
            placed
            for placed in other.installs
            if is_under(placed.location, src) or is_under(src, placed.location)
        ]
        if not related and _INSTALL_PATTERNS.search(src):
            related = list(other.installs)
        for placed in related:
            if all(p.install != placed.install for p in stage.installs):
                stage.installs.append(Placed(placed.install, target))

    # ---------------------------------------------------------------------- RUN

    def run_(self, instruction: Instruction, stage: Stage) -> None:
        flags, rest = split_flags(instruction.arguments)
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
            head = HEREDOC_RE.sub("", command).strip()
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
                    stage.mounts.append(Mount(target, Opaque(why), False))
                    del stage.mounts[saved:-1]
                    return
                scripts.append((head, instruction.line))
        else:
            scripts.append((command, instruction.line))
        for script, line in scripts:
            self._script(script, stage, line)
        # bind mounts last only for this RUN
        del stage.mounts[saved : saved + len(flags.get("mount", []))]

    def _bind_mount(self, spec: str, stage: Stage, line: int) -> None:
        options = dict(part.partition("=")[::2] for part in spec.split(",") if "=" in part)
        kind = options.get("type", "bind")
        if kind != "bind":
            stage.mounts.append(Mount("/<none>", Opaque("cache"), False))
            return
        target = options.get("target") or options.get("dst") or options.get("destination")
        source = options.get("source") or options.get("src") or "."
        if not target:
            stage.mounts.append(Mount("/<none>", Opaque("cache"), False))
            return
        target = self.absolute(stage, self.substitute(target, stage)[0])
        source = self.substitute(source, stage)[0]
        if "from" in options:
            other = self.find_stage(options["from"])
            other = self.earlier_stage(other, stage, line, options["from"])
            if other is None:
                origin: Origin = Opaque(f"mounted from image {options['from']}")
                stage.mounts.append(Mount(target, origin, True))
                return
            stage.uses.add(other.index)
            src = self.absolute(other, source, "/")
            stage.mounts.append(Mount(target, StagePath(other, src), True))
            return
        context_path = self.repo.join(self.context, source.lstrip("/"))
        if context_path is None or not self.repo.exists(context_path):
            self.warn(stage, line, f"bind mount source {source} is not in the build context")
            stage.mounts.append(Mount(target, Opaque("a missing bind mount"), False))
            return
        stage.mounts.append(Mount(target, RepoPath(context_path), self.repo.is_dir(context_path)))

    def _script(self, script: str, stage: Stage, line: int) -> None:
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
        stage: Stage,
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
                    Mount(
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
                stage.mounts.append(Mount(out, Derived((install,), "built wheels"), True))
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
        if command.extras or command.groups:
            # what of the project it installs: its extras, its dependency groups
            installs = [
                dataclasses.replace(i, extras=tuple(command.extras), groups=command.groups)
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
            stage.mounts.append(Mount(out, Derived(tuple(installs), "built wheels"), True))
            stage.dirs.add(out)
            return
        for install in installs:
            stage.installs.append(Placed(install, destination))

    def _destination(
        self, command: InstallCommand, stage: Stage, cwd: str, env: dict[str, str]
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
        stage: Stage,
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
        self, file: str, stage: Stage, cwd: str, location: Location, tool: str
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
        self, project: str, stage: Stage, cwd: str, location: Location, tool: str
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


def _quote(word: str) -> str:
    return word if re.match(r"^[\w@%+=:,./*?\[\]-]+$", word) else "'" + word.replace("'", "") + "'"


def _names(missing: set[str]) -> str:
    shown = sorted(m if m.startswith(("$", "`")) else f"${m}" for m in missing)
    return ", ".join(shown)


def _unresolved_in(word: str, unresolved: set[str]) -> bool:
    return any((f"${name}" in word or f"${{{name}" in word or name in word) for name in unresolved)
