"""A suggested Compose file for a plan's split: one service per image, a Dockerfile sketch each.

`compose_suggestion(report, root, out)` turns the images (`recommend/images.py`) of every host
that must split into a Compose file and one Dockerfile sketch per image, as text: the CLI writes
them where the user says (`depcheck plan --emit compose`) and never touches the scanned
repository's own files. Only that command imports this module.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from depcheck.model import Host, Image, Report

_LOCKS = ("poetry.lock", "uv.lock", "Pipfile.lock", "pylock.toml", "pdm.lock")
#: the first line of every file `depcheck plan --emit` writes (so --force replaces only those)
SUGGESTION_HEADER = "# Suggested by `depcheck plan`"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggested Compose file and its Dockerfile sketches (paths -> text), not yet written."""

    compose: Path
    files: tuple[tuple[Path, str], ...]
    images: int


# Everything below comes from the scanned repository (service, host and path names) and goes
# into files a person may build or deploy, so each value is written for its target syntax:
# comments through `sanitize.clean` (a line break shows as `\x0a`, so it cannot start a new
# instruction or key) and `sanitize.redact`; YAML values as double-quoted scalars with every
# character outside printable ASCII escaped; Dockerfile paths as bare words only when they hold
# nothing a Dockerfile or a shell would read, in the JSON (exec) form when they hold blanks, and
# not at all (a comment says so) when they hold quotes, `$`, backslashes, control characters
# or a CI runner's `##[`.

_BARE_PATH_RE = re.compile(r"^[A-Za-z0-9._/@+=:,~][A-Za-z0-9._/@+=:,~-]*$")
_JSON_PATH_RE = re.compile(r"^[\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd]+$")
_UNSAFE_IN_JSON_FORM = frozenset('"\\$`')
_PYTHON_TAG_RE = re.compile(r"^\d{1,2}(\.\d{1,3}){0,2}$")


def _comment(text: str) -> str:
    """Text for one comment line of a generated file."""
    from depcheck.report.sanitize import clean, redact

    return clean(redact(text))


def _quote(text: str) -> str:
    """A YAML double-quoted scalar: `"`, `\\` and everything outside printable ASCII escaped,
    so no value can end the string, break the line or be read differently by a YAML 1.1 or 1.2
    parser."""
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def _dockerfile_words(path: str) -> str | None:
    """How `path` can appear in a Dockerfile: "bare" as a word, "json" inside the exec form's
    JSON array, or None when it cannot be written safely at all."""
    if _BARE_PATH_RE.match(path):
        return "bare"
    if _JSON_PATH_RE.match(path) and not _UNSAFE_IN_JSON_FORM & set(path) and "##[" not in path:
        return "json"
    return None


def _json_form(words: Sequence[str]) -> str:
    import json

    return json.dumps(list(words), ensure_ascii=True)


def _install_lines(installs: Sequence[str], root: Path) -> tuple[list[str], list[str]]:
    """COPY and RUN lines for an image's installs (paths relative to the build context)."""
    copies: list[str] = []
    runs: list[str] = []
    directories: list[str] = []

    def run(target: str, *, requirements: bool = False) -> None:
        command = ("pip", "install", "--no-cache-dir", *(("-r",) if requirements else ()), target)
        if _dockerfile_words(target) == "bare":
            runs.append("RUN " + " ".join(command))
        else:
            runs.append("RUN " + _json_form(command))

    for path in installs:
        if _dockerfile_words(path) is None:
            runs.append(
                f"# not installed here: {_comment(repr(path))} (a name a Dockerfile cannot hold)"
            )
            continue
        name = posixpath.basename(path)
        is_file = not (root / path).is_dir()
        directory = (posixpath.dirname(path) or ".") if is_file else path
        if directory not in directories:
            directories.append(directory)
        if not is_file:
            run("." if path == "." else f"./{path}")
        elif name in ("pyproject.toml", "setup.cfg", "Pipfile", *_LOCKS):
            run("." if directory == "." else f"./{directory}")
        else:
            run(path, requirements=True)
    if "." in directories:
        copies.append("COPY . .")
    else:
        for d in directories:
            if _dockerfile_words(d) == "bare":
                copies.append(f"COPY {d}/ {d}/")
            else:
                copies.append("COPY " + _json_form([f"{d}/", f"{d}/"]))
    return copies, list(dict.fromkeys(runs))


def dockerfile_sketch(image: Image, host: Host, root: Path) -> str:
    """A Dockerfile installing exactly `image.installs`, to start the split from."""
    copies, runs = _install_lines(image.installs, root)
    origin = f" ({host.origin})" if host.origin else ""
    python = host.environment.python_version
    lines = [
        _comment(
            f"{SUGGESTION_HEADER}: image {image.name}, split out of host {host.name}{origin}."
        ),
        _comment(f"# Services: {', '.join(image.services)}"),
        "# It installs exactly their dependency files; add the application code and command",
        "# the original image has. Nothing in your repository was changed.",
        f"FROM python:{python if _PYTHON_TAG_RE.match(python) else '3'}-slim",
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
        _comment(f"{SUGGESTION_HEADER} for {report.root}: one service per conflict-free group"),
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
                    "    "
                    + _comment(
                        f"# split out of host {host.name}{origin}: {', '.join(image.services)}"
                    ),
                    "    build:",
                    f"      context: {_quote(context)}",
                    f"      dockerfile: {_quote(dockerfile)}",
                    "    labels:",
                    f"      depcheck.host: {_quote(_comment(host.name))}",
                    f"      depcheck.installs: {_quote(_comment(' '.join(image.installs)))}",
                ]
            )
    if count == 0:
        lines.append("  {}")
    text = "\n".join(lines) + "\n"
    return Suggestion(compose=out, files=((out, text), *files), images=count)
