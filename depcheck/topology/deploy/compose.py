"""Compose projects: each image a project builds is a host; services built alike share it.

A project is the base file of a directory (`compose.yaml`, `compose.yml`, `docker-compose.yaml`,
`docker-compose.yml`, in Compose's order of preference) merged with its override file
(`compose.override.yaml`, `docker-compose.override.yml`, ...), as `docker compose` does without
`-f`. Other variants (`docker-compose.prod.yml`) are read on their own only where no base file
exists, since they are layered with `-f` in ways a file does not record.

For each service with `build` (a string context, or `{context, dockerfile, dockerfile_inline,
target, args}`), the Dockerfile is read by `dockerfile.read_image` with that context, target and
build args. Services whose build is the same (context, Dockerfile, target, args), or that name the
same `image:` one of them builds, share one image and so one host, named after them
(`web+worker`). `extends` (in the same file or another) is followed; `${VAR}`, `${VAR:-default}`
take their values from the project's `.env`; `profiles` are noted. Services that only pull an
image (`postgres:16`) are not Python hosts and are skipped.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from depcheck.errors import ReadError
from depcheck.fs import Tree
from depcheck.model import Diagnostic, Location, Severity
from depcheck.topology.deploy.dockerfile import read_image
from depcheck.topology.deploy.dockerfile.images import machine_of, os_of
from depcheck.topology.deploy.interface import (
    DeployError,
    DeployHost,
    DeployRead,
    DeployReader,
)
from depcheck.topology.deploy.names import is_compose_file
from depcheck.topology.deploy.shell import expand
from depcheck.topology.deploy.yamlfile import YamlMap, load_yaml

BASE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_NAMES = (
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
)


def compose_projects(paths: list[str]) -> tuple[list[list[str]], list[str]]:
    """Group the Compose files of one directory into projects; also the variants left unread."""
    names = {posixpath.basename(p): p for p in paths}
    base = next((names[n] for n in BASE_NAMES if n in names), None)
    overrides = [names[n] for n in OVERRIDE_NAMES if n in names]
    variants = sorted(
        p
        for p in paths
        if p != base and p not in overrides and is_compose_file(posixpath.basename(p))
    )
    if base is not None:
        return [[base, *overrides[:1]]], variants
    if overrides:
        return [[o] for o in overrides[:1]] + [[v] for v in variants], []
    return [[v] for v in variants], []


def _merge(base: Any, override: Any) -> Any:
    """Compose's merge, simplified: mappings merge key by key, everything else is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = YamlMap()
        merged.line = getattr(base, "line", None)
        merged.key_lines = dict(getattr(base, "key_lines", {}))
        for key, value in base.items():
            merged[key] = value
        for key, value in override.items():
            merged[key] = _merge(base[key], value) if key in base else value
            merged.key_lines.setdefault(key, getattr(override, "key_lines", {}).get(key, 0))
        return merged
    return override


@dataclass(frozen=True, slots=True)
class _Build:
    context: str | None
    dockerfile: str
    inline: str | None
    inline_line: int | None
    target: str | None
    args: tuple[tuple[str, str], ...]
    platform: str | None
    #: the file whose `build` set the context (messages point there)
    file: str
    #: `additional_contexts` that are repository folders (name -> path), for `COPY --from=name`
    contexts: tuple[tuple[str, str], ...] = ()


def read_env_file(repo: Tree, directory: str, diagnostics: list[Diagnostic]) -> dict[str, str]:
    """`KEY=VALUE` lines of a project's `.env` (quotes stripped, `export ` allowed); a `.env`
    that cannot be read (a link out of the root, into `.git`, ...) is reported into
    `diagnostics` and gives no values."""
    path = repo.join(directory, ".env")
    values: dict[str, str] = {}
    if path is None or not repo.present(path):
        return values
    try:
        text, warnings = repo.read_text(path)
    except ReadError as exc:
        diagnostics.append(exc.diagnostic())
        return values
    diagnostics.extend(warnings)
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        name, _, value = stripped.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip()] = value
    return values


class ComposeReader(DeployReader):
    kind = "compose"

    def read(self, repo: Tree, path: str) -> DeployRead:
        return self.read_project(repo, [path])

    def read_project(self, repo: Tree, files: list[str]) -> DeployRead:
        """The hosts of one project: its files merged in order (base, then override)."""
        return _Project(repo, files).read()


class _Project:
    kind = "compose"

    def __init__(self, repo: Tree, files: list[str]) -> None:
        self.repo = repo
        self.files = files
        self.diagnostics: list[Diagnostic] = []
        self.documents: dict[str, Any] = {}
        self.env = read_env_file(repo, posixpath.dirname(files[0]) or ".", self.diagnostics)

    def read(self) -> DeployRead:
        files = self.files
        services: dict[str, Any] = {}
        where: dict[str, Location] = {}
        for file in files:
            document = self._document(file)
            section = document.get("services") if isinstance(document, dict) else None
            if not isinstance(section, dict):
                continue
            for name, definition in section.items():
                if not isinstance(definition, dict):
                    continue
                resolved = self._extends(file, str(name), definition, set())
                services[str(name)] = (
                    _merge(services[str(name)], resolved) if str(name) in services else resolved
                )
                line = section.line_of(name) if isinstance(section, YamlMap) else None
                where.setdefault(str(name), Location(file, line))
        images: dict[tuple[Any, ...], list[str]] = {}
        builds: dict[tuple[Any, ...], _Build] = {}
        image_keys: dict[str, tuple[Any, ...]] = {}
        for name in sorted(services):
            build = self._build(services[name], where[name])
            if build is None:
                continue
            key = (build.context, build.dockerfile, build.inline, build.target, build.args)
            image = services[name].get("image")
            if isinstance(image, str):
                image_keys.setdefault(self._interpolate(image, where[name])[0], key)
            images.setdefault(key, []).append(name)
            builds.setdefault(key, build)
        for name in sorted(services):
            definition = services[name]
            image = definition.get("image")
            if "build" in definition or not isinstance(image, str):
                continue
            shared = image_keys.get(self._interpolate(image, where[name])[0])
            if shared is not None:
                images[shared].append(name)
        hosts: list[DeployHost] = []
        dockerfiles: list[str] = []
        for key, names in sorted(images.items(), key=lambda item: sorted(item[1])):
            build = builds[key]
            names = sorted(names)
            origin = min(
                (where[n] for n in names),
                key=lambda loc: (files.index(loc.path) if loc.path in files else 0, loc.line or 0),
            )
            host = self._host(build, names, origin, services)
            if host is not None:
                hosts.append(host)
                if build.inline is None:
                    dockerfiles.append(build.dockerfile)
        return DeployRead(tuple(hosts), tuple(self.diagnostics), tuple(dockerfiles))

    # ----------------------------------------------------------------------------------------

    def _document(self, file: str) -> Any:
        if file not in self.documents:
            text, warnings = self.repo.read_text(file)
            self.diagnostics.extend(warnings)
            self.documents[file] = load_yaml(text, file) or {}
        return self.documents[file]

    def _interpolate(self, value: str, where: Location) -> tuple[str, set[str]]:
        missing: set[str] = set()
        text = expand(value.replace("$$", "\0"), self.env.get, missing).replace("\0", "$")
        return text, missing

    def _extends(self, file: str, name: str, definition: Any, seen: set[tuple[str, str]]) -> Any:
        """A service with its `extends` chain merged in (the extending file wins)."""
        definition = self._localize(file, definition)
        extends = definition.get("extends")
        if extends is None:
            return definition
        if isinstance(extends, str):
            other_file, other_name = file, extends
        elif isinstance(extends, dict) and isinstance(extends.get("service"), str):
            other_name = extends["service"]
            other_file = file
            if isinstance(extends.get("file"), str):
                joined = self.repo.join(posixpath.dirname(file) or ".", extends["file"])
                if joined is None or not self.repo.is_file(joined):
                    self.diagnostics.append(
                        Diagnostic(
                            Severity.WARNING,
                            Location(file, definition.line_of("extends")),
                            f"service {name!r} extends {extends['file']}, which is not in the "
                            "repository; its settings are not followed",
                        )
                    )
                    return definition
                other_file = joined
        else:
            return definition
        if (other_file, other_name) in seen:
            self.diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    Location(file, definition.line_of("extends")),
                    f"service {name!r}: extends cycle through {other_name!r}",
                )
            )
            return definition
        try:
            document = self._document(other_file)
        except (DeployError, ReadError) as exc:
            self.diagnostics.append(exc.diagnostic())
            return definition
        section = document.get("services") if isinstance(document, dict) else None
        base = section.get(other_name) if isinstance(section, dict) else None
        if base is None and not (isinstance(extends, dict) and "file" in extends):
            # `extends: web` names a service of the project, maybe in its base file
            for project_file in self.files:
                project = self._document(project_file)
                services = project.get("services") if isinstance(project, dict) else None
                if isinstance(services, dict) and isinstance(services.get(other_name), dict):
                    other_file, base = project_file, services[other_name]
                    break
        if not isinstance(base, dict):
            self.diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    Location(file, definition.line_of("extends")),
                    f"service {name!r} extends {other_name!r}, which {other_file} does not define",
                )
            )
            return definition
        resolved = self._extends(other_file, other_name, base, seen | {(file, name)})
        merged = _merge(resolved, {k: v for k, v in definition.items() if k != "extends"})
        return merged

    def _localize(self, file: str, definition: Any) -> Any:
        """Make a service's build context relative to the root (it is relative to its file)."""
        build = definition.get("build")
        if build is None:
            return definition
        directory = posixpath.dirname(file) or "."
        copy = _merge(definition, {})
        if isinstance(build, str):
            build = {"context": build}
        if isinstance(build, dict):
            local = _merge(build, {})
            # an override that sets only `target` keeps the base file's context
            if "context" in build:
                local["context"] = ("<file>", directory, build["context"], file)
            copy["build"] = local
        return copy

    def _build(self, definition: Any, where: Location) -> _Build | None:
        build = definition.get("build")
        if not isinstance(build, dict):
            return None
        context_spec = build.get("context")
        if not isinstance(context_spec, tuple):
            context_spec = ("<file>", posixpath.dirname(where.path) or ".", ".", where.path)
        _, directory, raw_context, file = context_spec
        lines = getattr(build, "key_lines", {})
        build_line = definition.line_of("build") if isinstance(definition, YamlMap) else None
        at = Location(file, lines.get("context") or build_line or where.line)
        if not isinstance(raw_context, str):
            raw_context = "."
        context_text, missing = self._interpolate(raw_context, at)
        if missing or "://" in context_text or context_text.startswith("git@"):
            self.diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    at,
                    f"build context {raw_context!r} cannot be read from the repository; "
                    "this image is not followed",
                )
            )
            return None
        context = self.repo.join(directory, context_text)
        if context is None or not self.repo.is_dir(context):
            self.diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    at,
                    f"build context {context_text!r} is not a directory in the repository",
                )
            )
            return None
        inline = build.get("dockerfile_inline")
        dockerfile_text = build.get("dockerfile", "Dockerfile")
        dockerfile = ""
        inline_line = None
        if isinstance(inline, str):
            inline_line = getattr(build, "key_lines", {}).get("dockerfile_inline")
        else:
            inline = None
            text, missing = self._interpolate(str(dockerfile_text), at)
            joined = self.repo.join(context, text) if not missing else None
            if joined is None or not self.repo.present(joined):
                self.diagnostics.append(
                    Diagnostic(
                        Severity.WARNING,
                        Location(file, lines.get("dockerfile") or at.line),
                        f"Dockerfile {dockerfile_text!r} is not in the build context {context}",
                    )
                )
                return None
            dockerfile = joined
        raw_target = build.get("target")
        target = self._interpolate(raw_target, at)[0] if isinstance(raw_target, str) else None
        args: dict[str, str] = {}
        raw_args = build.get("args") or {}
        items: list[tuple[str, Any]] = []
        if isinstance(raw_args, dict):
            items = [(str(k), v) for k, v in raw_args.items()]
        elif isinstance(raw_args, list):
            for entry in raw_args:
                name, eq, value = str(entry).partition("=")
                items.append((name, value if eq else None))
        for name, value in items:
            if value is None:
                continue
            text, missing = self._interpolate(str(value), at)
            if missing:
                self.diagnostics.append(
                    Diagnostic(
                        Severity.WARNING,
                        at,
                        f"build arg {name} uses {', '.join(sorted(missing))}, which has no "
                        "value in .env; the Dockerfile's default is used",
                    )
                )
                continue
            args[name] = text
        platform = definition.get("platform")
        platform_text = self._interpolate(platform, at)[0] if isinstance(platform, str) else None
        contexts = self._additional_contexts(build.get("additional_contexts"), directory, at)
        return _Build(
            contexts=contexts,
            context=context,
            dockerfile=dockerfile,
            inline=inline,
            inline_line=inline_line,
            target=target,
            args=tuple(sorted(args.items())),
            platform=platform_text,
            file=file,
        )

    def _additional_contexts(
        self, raw: Any, directory: str, at: Location
    ) -> tuple[tuple[str, str], ...]:
        """`build.additional_contexts` (a mapping or `name=value` list): repository folders by
        name. `docker-image://` and `service:` contexts are other images, and URLs are outside
        the repository: `COPY --from` of those is not followed into repository files."""
        items: list[tuple[str, Any]] = []
        if isinstance(raw, dict):
            items = [(str(k), v) for k, v in raw.items()]
        elif isinstance(raw, list):
            for entry in raw:
                name, eq, value = str(entry).partition("=")
                if eq:
                    items.append((name, value))
        found: list[tuple[str, str]] = []
        for name, value in items:
            if not isinstance(value, str):
                continue
            text, missing = self._interpolate(value, at)
            if missing or text.startswith(("docker-image://", "service:", "oci-layout://")):
                continue
            if "://" in text or text.startswith("git@"):
                continue
            joined = self.repo.join(directory, text)
            if joined is not None and self.repo.is_dir(joined):
                found.append((name, joined))
            else:
                self.diagnostics.append(
                    Diagnostic(
                        Severity.WARNING,
                        at,
                        f"additional context {name}={text!r} is not a directory in the repository",
                    )
                )
        return tuple(sorted(found))

    def _host(
        self,
        build: _Build,
        names: list[str],
        origin: Location,
        services: dict[str, Any],
    ) -> DeployHost | None:
        try:
            image = read_image(
                self.repo,
                build.dockerfile or build.file,
                context=build.context,
                target=build.target,
                build_args=dict(build.args),
                text=build.inline,
                origin_path=build.file if build.inline is not None else None,
                line_offset=build.inline_line or 0,
                contexts=dict(build.contexts),
            )
        except ReadError as exc:
            self.diagnostics.append(exc.diagnostic())
            return None
        self.diagnostics.extend(image.diagnostics)
        notes = list(image.notes)
        for name in names:
            profiles = services[name].get("profiles")
            if isinstance(profiles, list) and profiles:
                notes.append(
                    f"compose service {name} runs only with profile "
                    + ", ".join(str(p) for p in profiles)
                )
        dockerfile = build.dockerfile or f"{build.file} (dockerfile_inline)"
        notes.append(
            f"built from {dockerfile}"
            + (f" (stage {image.stage})" if image.stage and image.stages > 1 else "")
            + f", context {build.context}"
        )
        machine = machine_of(build.platform) if build.platform else None
        platform = os_of(build.platform) if build.platform else None
        python_origin = (
            Location(
                build.file if build.inline is not None else build.dockerfile, image.python_line
            )
            if image.python_line is not None
            else None
        )
        # a service gated by a profile (a debug shell) does not name the image it shares
        always = [n for n in names if not services[n].get("profiles")]
        return DeployHost(
            name="+".join(always or names),
            origin=origin,
            kind=self.kind,
            installs=image.installs,
            python=image.python,
            python_origin=python_origin,
            platform=platform or image.platform,
            machine=machine or image.machine,
            notes=tuple(notes),
        )
