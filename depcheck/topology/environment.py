"""Host environments: the one place that decides each host's Python version, platform and markers.

A host's environment comes, field by field, from the config (`python`, `platform`), else its
deployment files (a base image's tag, a runtime, `--platform`), else the command line
(`--python`, `--platform`), else the interpreter running depcheck. A host whose Python nothing
states gets the newest CPython every one of its services' requires-python admits
(`settle_host_pythons`, once the services' files are read).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from depcheck.analysis.algebra import intersection
from depcheck.analysis.rules.python import PYTHON
from depcheck.model import Environment, Host, Location, Requirement, requirements_on
from depcheck.topology.python_releases import ESTABLISHED, complete_version

if TYPE_CHECKING:
    from depcheck.topology.config import HostConfig
    from depcheck.topology.deploy.interface import DeployHost


def interpreter_environment() -> Environment:
    """The running interpreter's marker environment: the default for unconfigured hosts."""
    from packaging.markers import default_environment

    env = default_environment()
    return Environment(
        python_version=env["python_version"],
        python_full_version=env["python_full_version"],
        sys_platform=env["sys_platform"],
        os_name=env["os_name"],
        platform_system=env["platform_system"],
        platform_machine=env["platform_machine"],
        implementation_name=env["implementation_name"],
        platform_python_implementation=env["platform_python_implementation"],
        source="interpreter",
    )


_PLATFORM_FACTS = {
    "linux": ("posix", "Linux"),
    "darwin": ("posix", "Darwin"),
    "win32": ("nt", "Windows"),
}


@dataclass(frozen=True, slots=True)
class EnvironmentDefaults:
    """For hosts without `python`/`platform` in config: the command line, else this interpreter."""

    interpreter: Environment
    python: str | None = None
    platform: str | None = None


def make_environment(
    python: tuple[str, str] | None,
    platform: tuple[str, str] | None,
    interpreter: Environment,
) -> Environment:
    """A marker environment from (value, origin) pairs; what is missing comes from `interpreter`."""
    if python is not None:
        version = python[0]
        parts = version.split(".")
        minor = ".".join(parts[:2])
        full = version if len(parts) == 3 else f"{minor}.0"
        python_fields = (minor, full)
    else:
        python_fields = (interpreter.python_version, interpreter.python_full_version)
    if platform is not None:
        os_name, system = _PLATFORM_FACTS[platform[0]]
        platform_fields = (platform[0], os_name, system)
        machine = "x86_64"  # a configured platform should not depend on the machine scanning it
    else:
        platform_fields = (
            interpreter.sys_platform,
            interpreter.os_name,
            interpreter.platform_system,
        )
        machine = interpreter.platform_machine
    origins = {python[1] if python else "interpreter", platform[1] if platform else "interpreter"}
    if len(origins) == 1:
        source = origins.pop()
    else:
        source = (
            f"python from {python[1] if python else 'interpreter'}, "
            f"platform from {platform[1] if platform else 'interpreter'}"
        )
    return Environment(
        python_version=python_fields[0],
        python_full_version=python_fields[1],
        sys_platform=platform_fields[0],
        os_name=platform_fields[1],
        platform_system=platform_fields[2],
        platform_machine=machine,
        implementation_name=interpreter.implementation_name,
        platform_python_implementation=interpreter.platform_python_implementation,
        source=source,
        python_configured=python is not None,
    )


def host_environment(host: HostConfig | None, defaults: EnvironmentDefaults) -> Environment:
    python = (
        (host.python, "config")
        if host is not None and host.python
        else ((defaults.python, "--python") if defaults.python else None)
    )
    platform = (
        (host.platform, "config")
        if host is not None and host.platform
        else ((defaults.platform, "--platform") if defaults.platform else None)
    )
    return make_environment(python, platform, defaults.interpreter)


def deploy_environment(host: DeployHost, defaults: EnvironmentDefaults) -> Environment:
    """A deployment host's marker environment: what its files say, else the defaults'."""
    where = str(host.python_origin or host.origin)
    python: tuple[str, str] | None = None
    assumed: str | None = None
    if host.python:
        # a deployment file naming only a minor runs its newest patch: say so when we assume it
        full, assumed = complete_version(host.python)
        python = (full, where)
    elif defaults.python:
        python = (defaults.python, "--python")
    platform = (
        (host.platform, where if host.python else str(host.origin))
        if host.platform
        else ((defaults.platform, "--platform") if defaults.platform else None)
    )
    environment = make_environment(python, platform, defaults.interpreter)
    if host.machine:
        environment = replace(environment, platform_machine=host.machine)
    if assumed:
        environment = replace(environment, source=f"{environment.source}; {assumed}")
    return environment


# CPython feature releases, newest first: candidates for a host whose Python is not stated
_PYTHON = frozenset({PYTHON})
PYTHON_MINORS = tuple(f"3.{minor}" for minor in range(15, 5, -1))


def newest_admitted_python(requirements: Iterable[Requirement]) -> tuple[str, str] | None:
    """The newest established CPython (minor, full version) every `python` constraint admits
    (up to `ESTABLISHED`), else the oldest newer one they admit; None if they admit none."""
    keys = {r.key for r in requirements}
    allowed = intersection(frozenset(keys))
    if allowed.is_empty:
        return None
    limit = _minor_key(ESTABLISHED)
    established = [m for m in PYTHON_MINORS if _minor_key(m) <= limit]
    newer = sorted((m for m in PYTHON_MINORS if _minor_key(m) > limit), key=_minor_key)
    for minor in [*established, *newer]:
        for patch in range(0, 40):
            version = f"{minor}.{patch}"
            if allowed.contains(version):
                return minor, version
    return None


def _chosen(minor: str) -> str:
    """How `newest_admitted_python` chose `minor`, for the host's `environment.source`."""
    if _minor_key(minor) <= _minor_key(ESTABLISHED):
        return f"newest every service admits, up to {ESTABLISHED}"
    return f"oldest every service admits (none admits {ESTABLISHED} or older)"


def _minor_key(minor: str) -> tuple[int, ...]:
    return tuple(int(part) for part in minor.split("."))


def admits_minor(requirements: Iterable[Requirement], minor: str) -> bool:
    """Whether every `python` constraint admits some patch release of `minor`."""
    allowed = intersection(frozenset(r.key for r in requirements))
    return any(allowed.contains(f"{minor}.{patch}") for patch in range(0, 40))


def settle_host_pythons(
    hosts: Sequence[Host],
    requirements: Mapping[str, Sequence[Requirement]],
    compiled: Mapping[str, Sequence[tuple[str, Location]]] | None = None,
) -> tuple[Host, ...]:
    """Hosts whose Python was not stated get the one their services' locks were compiled for
    (`pip-compile with Python 3.12`: such a lock holds for that Python only), when the locks
    agree on one that every service admits; else the newest one all their services admit."""
    settled = []
    for host in hosts:
        environment = host.environment
        # (this sees every requirement of every service: of rows a reader's fast path kept,
        # only those on `python` are made)
        constraints = [
            r for s in host.services for r in requirements_on(requirements.get(s, ()), _PYTHON)
        ]
        locked = sorted(
            {(minor, where) for s in host.services for minor, where in (compiled or {}).get(s, ())},
            key=lambda item: item[1],
        )
        minors = {minor for minor, _ in locked}
        if not environment.python_configured and len(minors) == 1:
            ((minor, where), *_) = locked
            if admits_minor(constraints, minor):
                full, _ = complete_version(minor)
                platform_origin = _platform_origin(environment)
                environment = replace(
                    environment,
                    python_version=minor,
                    python_full_version=full,
                    source=(
                        f"python: {minor} as the locks were compiled for ({where}), taken as "
                        f"{full}, platform from {platform_origin}"
                    ),
                )
                settled.append(replace(host, environment=environment))
                continue
        if not environment.python_configured and constraints:
            chosen = newest_admitted_python(constraints)
            if chosen is not None:
                platform_origin = _platform_origin(environment)
                environment = replace(
                    environment,
                    python_version=chosen[0],
                    python_full_version=chosen[1],
                    source=f"python: {_chosen(chosen[0])}, platform from {platform_origin}",
                )
                host = replace(host, environment=environment)
        settled.append(host)
    return tuple(settled)


def _platform_origin(environment: Environment) -> str:
    """Where a host's platform came from, as its `source` says (kept when its Python is
    settled from the services)."""
    return environment.source.partition("platform from ")[2] or environment.source
