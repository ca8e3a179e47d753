"""Plans in deployment terms: which image to split, into what, and a suggested Compose file.

`with_images(plan, host, services, sources)` names one image per group of a host's plan and lists
the repository paths each would install: for a host read from deployment files, exactly what
those files install of each service (`services/api/requirements.txt`, or a project directory);
for a host from the config, each service's top-level requirements files (its locked ones when it
has them), else its project directory. `compose_suggestion` turns the images of every host that
must split into a Compose file and one Dockerfile sketch per image, as text: the CLI writes them
where the user says and never touches the scanned repository's own files.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from depcheck.model import Host, Image, Plan, Report, Role, Service, SourceFile

_LOCKS = ("poetry.lock", "uv.lock", "Pipfile.lock", "pylock.toml", "pdm.lock")
#: the first line of every file `depcheck plan --emit` writes (so --force replaces only those)
SUGGESTION_HEADER = "# Suggested by `depcheck plan`"


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


# ------------------------------------------------------------------------- compose suggestion


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggested Compose file and its Dockerfile sketches (paths -> text), not yet written."""

    compose: Path
    files: tuple[tuple[Path, str], ...]
    images: int


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escaping is valid YAML)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def _install_lines(installs: Sequence[str], root: Path) -> tuple[list[str], list[str]]:
    """COPY and RUN lines for an image's installs (paths relative to the build context)."""
    copies: list[str] = []
    runs: list[str] = []
    directories: list[str] = []
    for path in installs:
        name = posixpath.basename(path)
        is_file = not (root / path).is_dir()
        directory = (posixpath.dirname(path) or ".") if is_file else path
        if directory not in directories:
            directories.append(directory)
        if not is_file:
            target = "." if path == "." else f"./{path}"
            runs.append(f"RUN pip install --no-cache-dir {target}")
        elif name in ("pyproject.toml", "setup.cfg", "Pipfile", *_LOCKS):
            target = "." if directory == "." else f"./{directory}"
            runs.append(f"RUN pip install --no-cache-dir {target}")
        else:
            runs.append(f"RUN pip install --no-cache-dir -r {path}")
    if "." in directories:
        copies.append("COPY . .")
    else:
        copies.extend(f"COPY {d}/ {d}/" for d in directories)
    return copies, list(dict.fromkeys(runs))


def dockerfile_sketch(image: Image, host: Host, root: Path) -> str:
    """A Dockerfile installing exactly `image.installs`, to start the split from."""
    copies, runs = _install_lines(image.installs, root)
    origin = f" ({host.origin})" if host.origin else ""
    lines = [
        f"{SUGGESTION_HEADER}: image {image.name}, split out of host {host.name}{origin}.",
        f"# Services: {', '.join(image.services)}",
        "# It installs exactly their dependency files; add the application code and command",
        "# the original image has. Nothing in your repository was changed.",
        f"FROM python:{host.environment.python_version}-slim",
        "WORKDIR /app",
        *copies,
        *runs,
        "",
    ]
    return "\n".join(lines)


def compose_suggestion(report: Report, root: Path, out: Path) -> Suggestion:
    """A Compose file at `out` with one service per image of every host that must split, and a
    Dockerfile sketch per image in `out` + `.d/`. Paths in it are relative to `out`'s folder."""
    out = out.absolute()
    sketches_dir = out.with_name(out.name + ".d")
    hosts = {h.name: h for h in report.hosts}
    base = root.absolute()
    # relative paths only where both ends are in the repository; absolute ones otherwise
    inside = out.parent == base or base in out.parent.parents
    context = Path(os.path.relpath(base, out.parent)).as_posix() if inside else base.as_posix()
    lines = [
        f"{SUGGESTION_HEADER} for {report.root}: one service per conflict-free group",
        "# of each host that cannot stay one environment. A suggestion only: review it, add",
        "# ports, environment and commands from your own files (which depcheck never changes).",
        "services:",
    ]
    files: list[tuple[Path, str]] = []
    count = 0
    for plan in sorted(report.plans, key=lambda p: p.host):
        host = hosts.get(plan.host)
        if host is None or len(plan.images) < 2:
            continue
        for image in plan.images:
            count += 1
            sketch = sketches_dir / f"{image.name}.Dockerfile"
            files.append((sketch, dockerfile_sketch(image, host, root)))
            dockerfile = (
                Path(os.path.relpath(sketch, base)).as_posix() if inside else sketch.as_posix()
            )
            origin = f" ({host.origin})" if host.origin else ""
            lines.extend(
                [
                    f"  {image.name}:",
                    f"    # split out of host {host.name}{origin}: {', '.join(image.services)}",
                    "    build:",
                    f"      context: {_quote(context)}",
                    f"      dockerfile: {_quote(dockerfile)}",
                    "    labels:",
                    f"      depcheck.host: {_quote(host.name)}",
                    f"      depcheck.installs: {_quote(' '.join(image.installs))}",
                ]
            )
    if count == 0:
        lines.append("  {}")
    text = "\n".join(lines) + "\n"
    return Suggestion(compose=out, files=((out, text), *files), images=count)
