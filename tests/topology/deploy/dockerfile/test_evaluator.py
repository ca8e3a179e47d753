"""The evaluator: stages, build args, COPY --from carrying installs, RUN installs, warnings."""

from __future__ import annotations

from pathlib import Path

from depcheck.fs import Tree
from depcheck.topology.deploy.dockerfile.evaluator import Evaluator
from depcheck.topology.deploy.dockerfile.parser import parse_dockerfile
from depcheck.topology.deploy.interface import InstallKind
from tests.conftest import write_tree

FILES = {
    "services/api/requirements.txt": "flask\n",
    "services/api/pyproject.toml": "[project]\nname = 'api'\n",
}
DOCKERFILE = """\
ARG BASE=python:3.11-slim
FROM ${BASE} AS build
WORKDIR /src
COPY services/api/requirements.txt req.txt
RUN pip wheel -w /wheels -r req.txt
FROM python:3.12-slim
COPY --from=build /wheels /wheels
RUN pip install --no-index /wheels/*.whl
COPY services/api /app
RUN cd /app && pip install .
RUN pip install -r $MISSING/req.txt
"""


def evaluate(root: Path, build_args: dict[str, str] | None = None) -> Evaluator:
    write_tree(root, FILES)
    evaluator = Evaluator(Tree(root), "Dockerfile", ".", dict(build_args or {}), "Dockerfile", 0)
    evaluator.run(parse_dockerfile(DOCKERFILE))
    return evaluator


def test_each_from_starts_a_stage_with_its_base_images_python(tmp_path: Path) -> None:
    build, runtime = evaluate(tmp_path).stages
    assert (build.name, build.base, build.python, build.workdir) == (
        "build",
        "python:3.11-slim",
        "3.11",
        "/src",
    )
    assert (runtime.name, runtime.base, runtime.python, runtime.python_line) == (
        None,
        "python:3.12-slim",
        "3.12",
        6,
    )


def test_a_build_arg_overrides_the_args_default(tmp_path: Path) -> None:
    build, _ = evaluate(tmp_path, {"BASE": "python:3.13"}).stages
    assert (build.base, build.python) == ("python:3.13", "3.13")


def test_wheels_built_in_one_stage_carry_their_requirements_into_the_next(tmp_path: Path) -> None:
    build, runtime = evaluate(tmp_path).stages
    installs = [(i.path, i.kind, i.location.line) for i in (p.install for p in runtime.installs)]
    assert installs == [
        # pip wheel -r in the builder (line 5), installed from /wheels in the runtime
        ("services/api/requirements.txt", InstallKind.FILE, 5),
        # cd /app && pip install . : the project COPY brought there
        ("services/api", InstallKind.PROJECT, 10),
    ]
    assert runtime.uses == {build.index}


def test_what_cannot_be_known_statically_is_a_warning_at_its_line(tmp_path: Path) -> None:
    _, runtime = evaluate(tmp_path).stages
    assert [(d.location.line, d.message) for d in runtime.diagnostics] == [
        (11, "pip installs $MISSING/req.txt, which has no value here")
    ]
