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

The parts: `parser` (syntax), `images` (base-image knowledge), `paths` (the path model) and
`evaluator` (the instructions). This module chooses the build context and the target stage.
"""

from __future__ import annotations

import dataclasses
import posixpath

from depcheck.fs import Tree
from depcheck.model import Diagnostic, Location, Severity
from depcheck.topology.deploy.dockerfile.evaluator import Evaluator
from depcheck.topology.deploy.dockerfile.parser import (
    Instruction,
    copy_words,
    parse_dockerfile,
    split_flags,
)
from depcheck.topology.deploy.dockerfile.paths import DockerImage
from depcheck.topology.deploy.interface import Install


def copy_sources(instructions: list[Instruction]) -> list[str]:
    """The build-context paths a Dockerfile copies (for choosing its context)."""
    found: list[str] = []
    for instruction in instructions:
        if instruction.keyword not in ("COPY", "ADD") or instruction.heredocs:
            continue
        flags, rest = split_flags(instruction.arguments)
        if "from" in flags:
            continue
        words = copy_words(rest)
        for word in words[:-1]:
            if "$" in word or "://" in word or word.strip("./") == "":
                continue
            found.append(word.lstrip("/"))
    for instruction in instructions:
        if instruction.keyword != "RUN":
            continue
        flags, _ = split_flags(instruction.arguments)
        for spec in flags.get("mount", []):
            options = dict(p.partition("=")[::2] for p in spec.split(",") if "=" in p)
            if options.get("type", "bind") == "bind" and "from" not in options:
                source = options.get("source") or options.get("src")
                if source and "$" not in source and source.strip("./"):
                    found.append(source.lstrip("/"))
    return found


def guess_context(repo: Tree, path: str, instructions: list[Instruction]) -> str:
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
    repo: Tree,
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
    Dockerfile (Compose `dockerfile_inline`). Raises `ReadError` when the file is refused.
    """
    source, warnings = (text, []) if text is not None else repo.read_text(path)
    instructions = parse_dockerfile(source)
    chosen_context = context if context is not None else guess_context(repo, path, instructions)
    evaluator = Evaluator(
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
    diagnostics: list[Diagnostic] = [*warnings, *evaluator.header]
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
        new = placed.install
        same = next(
            (n for n, i in enumerate(installs) if (i.path, i.kind) == (new.path, new.kind)), None
        )
        if same is None:
            installs.append(new)
        elif new.extras or new.groups:
            # installed twice (`uv sync --group docs`, then `--group lint`): what either takes
            was = installs[same]
            installs[same] = dataclasses.replace(
                was,
                extras=tuple(sorted({*was.extras, *new.extras})),
                groups=was.groups | new.groups,
            )
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
