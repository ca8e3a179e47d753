"""Hosts from deployment files, mapped onto services (`--hosts-from deploy`, and `auto` when the
config declares no hosts).

`hosts_from_deploy(root, services)` walks the repository (skipping what discovery skips, plus
build output such as `.aws-sam` and `cdk.out`), reads every deployment file, and maps what each
host installs back to services:

* a dependency file a service owns co-hosts that service (`pip install -r services/api/...`);
* a project directory co-hosts the service at that directory (`pip install ./services/a`,
  `poetry install` in a `WORKDIR` copied from `services/a`, a Lambda `CodeUri`);
* code a Procfile command points at co-hosts the service whose directory holds it;
* a file no service owns (a development file, or a name discovery does not know, such as
  `deploy/api.txt`) is read all the same, since the image installs it: it joins the service of its
  directory, or becomes a service named by its path.

Services no deployment file installs are each checked on their own (no false conflicts), and the
notes list them.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from depcheck.errors import ReadError
from depcheck.fs import Tree, is_vcs_dir
from depcheck.model import Diagnostic, Groups, Host, Location, Service, Severity
from depcheck.sources import is_dev_file, source_spec
from depcheck.sources.interface import unexpected_failure
from depcheck.topology.deploy.interface import (
    DeployError,
    DeployHost,
    DeployRead,
    InstallKind,
)
from depcheck.topology.deploy.names import (
    PROCFILE,
    SERVERLESS_NAMES,
    is_compose_file,
    is_dockerfile,
    is_template_name,
)
from depcheck.topology.discover import (
    SKIP_DIRS,
    files_in_service_dir,
    not_deployed_reason,
    service_dir_of,
)
from depcheck.topology.environment import EnvironmentDefaults, deploy_environment

_EXTRA_SKIP = frozenset({".aws-sam", "cdk.out", ".serverless", ".terraform", ".docker"})


@dataclass(frozen=True, slots=True)
class DeployFiles:
    """The deployment files below a root, by kind (POSIX paths relative to it, sorted)."""

    dockerfiles: tuple[str, ...] = ()
    compose: tuple[str, ...] = ()
    procfiles: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()
    serverless: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(
            self.dockerfiles or self.compose or self.procfiles or self.templates or self.serverless
        )


def find_deploy_files(root: Path) -> DeployFiles:
    """Walk `root` once for deployment files (never following directory symlinks)."""
    found: dict[str, list[str]] = {k: [] for k in ("docker", "compose", "proc", "sam", "sls")}
    for current, dirs, files in os.walk(root, followlinks=False):
        rel_dir = Path(current).relative_to(root).as_posix()
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in SKIP_DIRS
            and not is_vcs_dir(d)
            and d not in _EXTRA_SKIP
            and not d.endswith(".egg-info")
            and not os.path.isfile(os.path.join(current, d, "pyvenv.cfg"))
        )
        for name in sorted(files):
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if is_dockerfile(name):
                found["docker"].append(rel)
            elif is_compose_file(name):
                found["compose"].append(rel)
            elif name == PROCFILE:
                found["proc"].append(rel)
            elif name in SERVERLESS_NAMES:
                found["sls"].append(rel)
            elif is_template_name(name):
                found["sam"].append(rel)
    return DeployFiles(
        dockerfiles=tuple(found["docker"]),
        compose=tuple(found["compose"]),
        procfiles=tuple(found["proc"]),
        templates=tuple(found["sam"]),
        serverless=tuple(found["sls"]),
    )


@dataclass(frozen=True, slots=True)
class DeployScan:
    """Hosts from deployment files (each with at least one service), and the services they use."""

    hosts: tuple[DeployHost, ...]
    services: tuple[Service, ...]
    diagnostics: tuple[Diagnostic, ...]
    files: DeployFiles
    #: left-out services (examples, docs, ...) that a host installs all the same
    brought_back: tuple[str, ...] = ()


def read_deploy_hosts(
    repo: Tree, files: DeployFiles, compose_files: Sequence[str] = ()
) -> tuple[list[DeployHost], list[Diagnostic]]:
    """Every host the deployment files declare (before mapping to services).

    `compose_files` (the config's `compose-files`) are one project, layered in that order as
    `docker compose -f a -f b` does; the other Compose files of their folders are not read.
    """
    if not (
        files.compose or files.dockerfiles or files.templates or files.serverless or files.procfiles
    ):
        return [], []
    # the readers are imported only when a deployment file exists
    from depcheck.topology.deploy.compose import ComposeReader, compose_projects
    from depcheck.topology.deploy.dockerfile import read_image
    from depcheck.topology.deploy.procfile import ProcfileReader
    from depcheck.topology.deploy.sam import SamReader
    from depcheck.topology.deploy.serverless import ServerlessReader

    hosts: list[DeployHost] = []
    diagnostics: list[Diagnostic] = []
    used_dockerfiles: set[str] = set()

    def take(read: DeployRead) -> None:
        hosts.extend(read.hosts)
        diagnostics.extend(read.diagnostics)
        used_dockerfiles.update(read.dockerfiles)

    by_dir: dict[str, list[str]] = {}
    for path in files.compose:
        by_dir.setdefault(posixpath.dirname(path) or ".", []).append(path)
    compose = ComposeReader()
    layered = {posixpath.dirname(p) or "." for p in compose_files}
    if compose_files:
        missing = [p for p in compose_files if not repo.is_file(p)]
        for path in missing:
            diagnostics.append(
                Diagnostic(
                    Severity.ERROR, Location(path), "compose-files names a file that is not there"
                )
            )
        if not missing:
            try:
                take(compose.read_project(repo, list(compose_files)))
            except (DeployError, ReadError) as exc:
                diagnostics.append(exc.diagnostic())
            except Exception as exc:  # a bug on one file must not stop the rest
                diagnostics.append(unexpected_failure(compose_files[0], exc))
    for directory in sorted(by_dir):
        if directory in layered:
            continue
        projects, variants = compose_projects(by_dir[directory])
        for project in projects:
            try:
                take(compose.read_project(repo, project))
            except (DeployError, ReadError) as exc:
                diagnostics.append(exc.diagnostic())
            except Exception as exc:  # a bug on one file must not stop the rest
                diagnostics.append(unexpected_failure(project[0], exc))
        for variant in variants:
            diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    Location(variant),
                    "not read: a Compose variant is layered on the base file with -f, in ways "
                    "the files do not record; depcheck reads the base file and its override "
                    '(list the layers in the config: compose-files = ["compose.yaml", ...])',
                )
            )
    for reader, paths in (
        (SamReader(), files.templates),
        (ServerlessReader(), files.serverless),
        (ProcfileReader(), files.procfiles),
    ):
        for path in paths:
            try:
                take(reader.read(repo, path))
            except (DeployError, ReadError) as exc:
                diagnostics.append(exc.diagnostic())
            except Exception as exc:  # a bug on one file must not stop the rest
                diagnostics.append(unexpected_failure(path, exc))
    for path in files.dockerfiles:
        if path in used_dockerfiles:
            continue
        try:
            image = read_image(repo, path)
        except ReadError as exc:
            diagnostics.append(exc.diagnostic())
            continue
        except Exception as exc:  # a bug on one file must not stop the rest
            diagnostics.append(unexpected_failure(path, exc))
            continue
        diagnostics.extend(image.diagnostics)
        name = path
        if image.stage and image.stages > 1:
            name = f"{path}:{image.stage}"
        hosts.append(
            DeployHost(
                name=name,
                origin=Location(path, image.line),
                kind="dockerfile",
                installs=image.installs,
                python=image.python,
                python_origin=Location(path, image.python_line) if image.python_line else None,
                platform=image.platform,
                machine=image.machine,
                notes=(*image.notes, f"build context {image.context} (guessed: no Compose file)"),
            )
        )
    return hosts, diagnostics


class _ServiceMap:
    """Maps installed repository paths to services, adding services for files no one owns."""

    def __init__(
        self,
        repo: Tree,
        services: Sequence[Service],
        *,
        include_dev: bool,
        reserve: Sequence[Service] = (),
    ) -> None:
        self.repo = repo
        self.include_dev = include_dev
        self.services: dict[str, Service] = {s.name: s for s in services}
        #: services discovery left out (examples, docs, ...): a host that installs one brings
        #: it back
        self.reserve: dict[str, Service] = {
            s.name: s for s in reserve if s.name not in self.services
        }
        self.diagnostics: list[Diagnostic] = []

    def select(self, name: str, extras: Sequence[str], *, groups: Groups) -> None:
        """A deployment installs `extras` and `groups` of the service's own project: read its
        files that way (two deployments of one service: what either installs)."""
        service = self.services[name]
        chosen = tuple(sorted({*service.extras, *extras}))
        self.services[name] = replace(service, extras=chosen, groups=service.groups | groups)

    def _revive(self, names: list[str]) -> list[str]:
        for name in names:
            self.services[name] = self.reserve.pop(name)
        return names

    def owners_of_file(self, path: str) -> list[str]:
        owners = sorted(name for name, s in self.services.items() if path in s.sources)
        return owners or self._revive(
            sorted(name for name, s in self.reserve.items() if path in s.sources)
        )

    def by_path(self, directory: str) -> list[str]:
        named = sorted(name for name, s in self.services.items() if s.path == directory)
        return named or self._revive(
            sorted(name for name, s in self.reserve.items() if s.path == directory)
        )

    def map(self, kind: InstallKind, path: str, location: Location) -> list[str]:
        if kind is InstallKind.FILE:
            return self.file(path, location)
        if kind is InstallKind.PROJECT:
            return self.project(path, location)
        return self.code(path)

    def file(self, path: str, location: Location) -> list[str]:
        owners = self.owners_of_file(path)
        if owners:
            return owners
        if source_spec(path, explicit=True) is None:
            if self.repo.is_dir(path):
                return self.project(path, location)
            self.diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    location,
                    f"installs {path}, which is no dependency file format depcheck reads",
                )
            )
            return []
        directory = service_dir_of(path)
        named = self.by_path(directory)
        if named and (is_dev_file(path) or source_spec(path) is not None):
            # a development file of a service, deployed all the same: read it with the service
            service = self.services[named[0]]
            self.services[service.name] = replace(service, sources=(*service.sources, path))
            return [service.name]
        if path not in self.services:
            self.services[path] = Service(name=path, path=None, sources=(path,))
        return [path]

    def project(self, path: str, location: Location) -> list[str]:
        named = self.by_path(path)
        if named:
            return named
        files = files_in_service_dir(self.repo.root, path, include_dev=self.include_dev)
        if files:
            if path not in self.services:
                self.services[path] = Service(name=path, path=path, sources=tuple(files))
            return [path]
        self.diagnostics.append(
            Diagnostic(
                Severity.WARNING,
                location,
                f"installs the project in {path}, where depcheck finds no dependency file it "
                "reads (requirements*.txt, pyproject.toml, setup.cfg, Pipfile, locks)",
            )
        )
        return []

    def code(self, path: str) -> list[str]:
        best: list[str] = []
        best_depth = -1
        for name, service in self.services.items():
            directory = service.path
            if directory is None:
                continue
            if directory == "." or path == directory or path.startswith(directory + "/"):
                depth = 0 if directory == "." else directory.count("/") + 1
                if depth > best_depth:
                    best, best_depth = [name], depth
                elif depth == best_depth:
                    best.append(name)
        return sorted(best)


def hosts_from_deploy(
    root: Path,
    services: Sequence[Service],
    *,
    include_dev: bool = False,
    reserve: Sequence[Service] = (),
    include_examples: bool = False,
    compose_files: Sequence[str] = (),
    allow_outside_root: bool = False,
) -> DeployScan:
    """The hosts the deployment files below `root` declare, mapped onto `services`.

    A service of `reserve` (one discovery left out as an example, docs, ...) joins when a host
    installs it. Deployment files inside such folders deploy the example, not the repository:
    they are read only with `include_examples`.
    """
    repo = Tree(root, allow_outside_root=allow_outside_root)
    files = find_deploy_files(root)
    if not include_examples:
        files = _deployed_only(files)
    raw_hosts, diagnostics = read_deploy_hosts(repo, files, compose_files)
    mapping = _ServiceMap(repo, services, include_dev=include_dev, reserve=reserve)
    hosts: list[DeployHost] = []
    for host in raw_hosts:
        per_service: dict[str, list[str]] = {}
        for install in host.installs:
            for name in mapping.map(install.kind, install.path, install.location):
                if install.extras or install.groups:
                    mapping.select(name, install.extras, groups=install.groups)
                paths = per_service.setdefault(name, [])
                if install.kind is not InstallKind.CODE and install.path not in paths:
                    paths.append(install.path)
        if not per_service:
            continue
        hosts.append(
            replace(
                host,
                services=tuple(sorted(per_service)),
                service_installs=tuple(
                    (name, tuple(sorted(paths))) for name, paths in sorted(per_service.items())
                ),
            )
        )
    diagnostics.extend(mapping.diagnostics)
    return DeployScan(
        hosts=tuple(_unique_names(hosts)),
        services=tuple(sorted(mapping.services.values(), key=lambda s: s.name)),
        diagnostics=tuple(diagnostics),
        files=files,
        brought_back=tuple(sorted(n for n in mapping.services if n in {r.name for r in reserve})),
    )


def _deployed_only(files: DeployFiles) -> DeployFiles:
    def keep(paths: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(p for p in paths if not_deployed_reason(posixpath.dirname(p)) is None)

    return DeployFiles(
        dockerfiles=keep(files.dockerfiles),
        compose=keep(files.compose),
        procfiles=keep(files.procfiles),
        templates=keep(files.templates),
        serverless=keep(files.serverless),
    )


def _unique_names(hosts: list[DeployHost]) -> list[DeployHost]:
    """Hosts named alike (a compose service and a Lambda function `api`) get their file's path."""
    counts: dict[str, int] = {}
    for host in hosts:
        counts[host.name] = counts.get(host.name, 0) + 1
    renamed = [
        replace(host, name=f"{host.origin.path}:{host.name}") if counts[host.name] > 1 else host
        for host in hosts
    ]
    seen: dict[str, int] = {}
    result = []
    for host in sorted(renamed, key=lambda h: (h.name, h.origin)):
        seen[host.name] = seen.get(host.name, 0) + 1
        if seen[host.name] > 1:
            host = replace(host, name=f"{host.name}#{seen[host.name]}")
        result.append(host)
    return result


def to_host(host: DeployHost, defaults: EnvironmentDefaults) -> Host:
    return Host(
        name=host.name,
        services=host.services,
        environment=deploy_environment(host, defaults),
        origin=host.origin,
        installs=host.service_installs,
    )
