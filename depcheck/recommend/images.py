"""Plans in deployment terms: which image to split, and into what.

`with_images(plan, host, services, sources)` names one image per group of a host's plan and lists
the repository paths each would install: for a host read from deployment files, exactly what
those files install of each service (`services/api/requirements.txt`, or a project directory);
for a host from the config, each service's top-level requirements files (its locked ones when it
has them), else its project directory. `recommend/compose.py` turns those images into a
suggested Compose file (`depcheck plan --emit compose`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from depcheck.model import Host, Image, Plan, Role, Service, SourceFile


def _label(service: str) -> str:
    if service in (".", ""):
        return "app"
    base = posixpath.basename(service.rstrip("/"))
    base = re.sub(r"\.(txt|in|toml|lock)$", "", base)
    base = re.sub(r"^requirements[-_.]?", "", base) or posixpath.basename(
        posixpath.dirname(service)
    )
    return base or "app"


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9_.-]+", "-", text.lower()).strip("-._")
    return slug or "app"


def image_name(services: Sequence[str]) -> str:
    """A Compose-friendly name for a group: its services' folder names (`api-auth`)."""
    labels = [_label(s) for s in services]
    name = "-".join(labels[:2])
    if len(labels) > 2:
        name += f"-and-{len(labels) - 2}-more"
    return _slug(name)


def service_installs(service: Service, files: Sequence[SourceFile]) -> tuple[str, ...]:
    """What an image would install for a service no deployment file describes."""
    requirements = [f for f in files if f.path.endswith((".txt", ".in"))]
    locked = [f.path for f in requirements if f.role is Role.LOCKED]
    if locked:
        return tuple(sorted(locked))
    if requirements:
        txt = [f.path for f in requirements if f.path.endswith(".txt")]
        return tuple(sorted(txt or [f.path for f in requirements]))
    if service.path is not None:
        return (service.path,)
    return tuple(sorted(f.path for f in files))


def with_images(
    plan: Plan,
    host: Host,
    services: Sequence[Service],
    sources: Mapping[str, Sequence[SourceFile]],
) -> Plan:
    """The plan with one `Image` per group, when the host must split."""
    if len(plan.groups) < 2:
        return plan
    by_name = {s.name: s for s in services}
    deployed = dict(host.installs)
    taken: set[str] = set()
    images = []
    for group in plan.groups:
        installs: list[str] = []
        for name in group:
            if name in deployed:
                paths: Sequence[str] = deployed[name]
            elif name in by_name:
                paths = service_installs(by_name[name], sources.get(name, ()))
            else:
                paths = ()
            installs.extend(p for p in paths if p not in installs)
        name = image_name(group)
        if name in taken:
            name = _slug(f"{host.name}-{name}")
        suffix = 2
        base = name
        while name in taken:
            name = f"{base}-{suffix}"
            suffix += 1
        taken.add(name)
        images.append(Image(name=name, services=tuple(group), installs=tuple(installs)))
    return replace(plan, images=tuple(images))
