"""Dockerfiles read statically: stages, paths, installs, Python versions, and what is not guessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from depcheck.fs import Tree
from depcheck.topology.deploy.dockerfile import guess_context, read_image
from depcheck.topology.deploy.dockerfile.images import base_image
from depcheck.topology.deploy.dockerfile.parser import parse_dockerfile
from depcheck.topology.deploy.installers import recognize
from depcheck.topology.deploy.interface import InstallKind
from depcheck.topology.deploy.names import is_dockerfile
from depcheck.topology.deploy.shell import split_commands
from tests.conftest import write_tree

REQS = {
    "services/api/requirements.txt": "flask==3.0.3\n",
    "services/auth/requirements.txt": "pyjwt==2.8.0\n",
}


def image(root: Path, dockerfile: str, files: dict[str, str] | None = None, **kwargs: object):
    write_tree(root, {**REQS, **(files or {}), "Dockerfile": dockerfile})
    return read_image(Tree(root), "Dockerfile", **kwargs)  # type: ignore[arg-type]


def installed(result) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return sorted((i.path, i.kind.value) for i in result.installs)


def messages(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"{d.location}: {d.message}" for d in result.diagnostics]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dockerfile", True),
        ("Containerfile", True),
        ("Dockerfile.worker", True),
        ("api.Dockerfile", True),
        ("api.dockerfile", True),
        ("Dockerfile.dockerignore", False),
        ("dockerfile_test.py", False),
        ("README.md", False),
    ],
)
def test_dockerfile_names(name: str, expected: bool) -> None:
    assert is_dockerfile(name) is expected


@pytest.mark.parametrize(
    ("reference", "python"),
    [
        ("python:3.11-slim", "3.11"),
        ("python:3.12-bookworm", "3.12"),
        ("python:3.11.9-slim-bookworm", "3.11.9"),
        ("docker.io/library/python:3.10@sha256:" + "a" * 64, "3.10"),
        ("mirror.example.com/library/python:3.13-alpine3.20", "3.13"),
        ("pypy:3.10-slim", "3.10"),
        ("public.ecr.aws/lambda/python:3.12", "3.12"),
        ("public.ecr.aws/lambda/python:3.12.2024.06.10.11-x86_64", "3.12"),
        ("ghcr.io/astral-sh/uv:python3.12-bookworm-slim", "3.12"),
        ("tiangolo/uvicorn-gunicorn-fastapi:python3.11", "3.11"),
        ("python:3-slim", None),
        ("python:slim", None),
        ("python", None),
        ("ubuntu:22.04", None),
        ("node:20-alpine", None),
    ],
)
def test_python_from_base_image_tags(reference: str, python: str | None) -> None:
    assert base_image(reference).python == python


def test_distribution_python_for_apt_installs() -> None:
    assert base_image("ubuntu:22.04").distro_python == "3.10"
    assert base_image("debian:bookworm-slim").distro_python == "3.11"
    assert base_image("ubuntu:24.04").distro_python == "3.12"


def test_parsing_continuations_comments_heredocs_and_the_escape_directive() -> None:
    text = (
        "# syntax=docker/dockerfile:1.7\n"
        "FROM python:3.11\n"
        "RUN pip install \\\n"
        "    # a comment inside the continuation\n"
        "    -r a.txt\n"
        "RUN <<EOF\n"
        "set -e\n"
        "pip install -r b.txt\n"
        "EOF\n"
        "COPY <<-EOT /app/x.txt\n"
        "\tinline\n"
        "\tEOT\n"
        'CMD ["python"]\n'
    )
    instructions = parse_dockerfile(text)
    assert [(i.keyword, i.line) for i in instructions] == [
        ("FROM", 2),
        ("RUN", 3),
        ("RUN", 6),
        ("COPY", 10),
        ("CMD", 13),
    ]
    assert instructions[1].arguments.split() == ["pip", "install", "-r", "a.txt"]
    assert instructions[2].heredocs[0].body == "set -e\npip install -r b.txt"
    assert instructions[3].heredocs[0].body == "inline"
    backtick = parse_dockerfile("# escape=`\nFROM python:3.12\nRUN pip install `\n  -r c.txt\n")
    assert backtick[1].arguments.split() == ["pip", "install", "-r", "c.txt"]


def test_several_requirement_files_with_options(tmp_path: Path) -> None:
    result = image(
        tmp_path,
        "FROM python:3.11-slim\n"
        "WORKDIR /app\n"
        "COPY services/api/requirements.txt api.txt\n"
        "COPY services/auth/requirements.txt ./auth.txt\n"
        "RUN pip install --no-cache-dir --upgrade pip \\\n"
        " && pip install --no-cache-dir -r api.txt --requirement=auth.txt\n",
    )
    assert installed(result) == [
        ("services/api/requirements.txt", "file"),
        ("services/auth/requirements.txt", "file"),
    ]
    assert result.python == "3.11"
    assert result.python_line == 1
    assert result.diagnostics == ()


def test_a_file_copied_elsewhere_maps_back_to_the_repository(tmp_path: Path) -> None:
    result = image(
        tmp_path,
        "FROM python:3.12\n"
        "COPY services/api/requirements.txt /tmp/api.txt\n"
        "RUN uv pip install --system -r /tmp/api.txt\n",
    )
    assert installed(result) == [("services/api/requirements.txt", "file")]
    assert result.installs[0].location.line == 3


def test_arg_in_from_and_build_args_override_it(tmp_path: Path) -> None:
    dockerfile = (
        "ARG PYTHON_VERSION=3.11\n"
        "FROM python:${PYTHON_VERSION}-slim\n"
        "COPY services/api/requirements.txt .\n"
        "RUN pip install -r requirements.txt\n"
    )
    assert image(tmp_path, dockerfile).python == "3.11"
    assert image(tmp_path, dockerfile, build_args={"PYTHON_VERSION": "3.13"}).python == "3.13"


def test_an_arg_without_value_is_a_warning_not_a_guess(tmp_path: Path) -> None:
    result = image(
        tmp_path,
        "ARG PYTHON_VERSION\n"
        "FROM python:${PYTHON_VERSION}-slim\n"
        "COPY services/api/requirements.txt .\n"
        "RUN pip install -r requirements.txt\n",
    )
    assert result.python is None
    assert (
        "Dockerfile:2: FROM python:${PYTHON_VERSION}-slim: $PYTHON_VERSION has no value"
        in (messages(result)[0])
    )


def test_unresolved_paths_and_files_never_copied_are_warnings(tmp_path: Path) -> None:
    result = image(
        tmp_path,
        "FROM python:3.12\nRUN pip install -r $REQUIREMENTS\nRUN pip install -r requirements.txt\n",
    )
    assert result.installs == ()
    assert messages(result) == [
        "Dockerfile:2: pip installs $REQUIREMENTS, which has no value here",
        "Dockerfile:3: pip installs requirements.txt (/requirements.txt in the image), which no "
        "COPY or ADD brings in from the build context",
    ]


def test_local_projects_poetry_pipenv_and_pip_sync(tmp_path: Path) -> None:
    files = {
        "services/poetry-app/pyproject.toml": "[tool.poetry]\nname='p'\n",
        "services/poetry-app/poetry.lock": "",
        "services/pipenv-app/Pipfile": "[packages]\n",
        "services/pipenv-app/Pipfile.lock": "{}",
    }
    result = image(
        tmp_path,
        "FROM python:3.12-slim\n"
        "COPY services/ /src/services/\n"
        "RUN pip install /src/services/api ./src/services/auth[extra]\n"
        "WORKDIR /poetry\n"
        "COPY services/poetry-app/pyproject.toml services/poetry-app/poetry.lock ./\n"
        "RUN poetry config virtualenvs.create false && poetry install --only main --no-root\n"
        "WORKDIR /pipenv\n"
        "COPY services/pipenv-app .\n"
        "RUN pipenv install --deploy --system\n"
        "RUN cd /src/services/api && pip-sync requirements.txt\n",
        files,
    )
    assert installed(result) == [
        ("services/api", "project"),
        ("services/api/requirements.txt", "file"),
        ("services/auth", "project"),
        ("services/pipenv-app", "project"),
        ("services/poetry-app", "project"),
    ]


def test_wheels_built_in_a_builder_stage_and_installed_offline(tmp_path: Path) -> None:
    result = image(
        tmp_path,
        "FROM python:3.11-slim AS builder\n"
        "COPY services/api/requirements.txt /tmp/api.txt\n"
        "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
        "    pip wheel --wheel-dir /wheels -r /tmp/api.txt\n"
        "\n"
        "FROM python:3.11-slim AS test\n"
        "COPY services/auth/requirements.txt .\n"
        "RUN pip install -r requirements.txt\n"
        "\n"
        "FROM python:3.11-slim AS runtime\n"
        "COPY --from=builder /wheels /wheels\n"
        "RUN pip install --no-index --find-links=/wheels /wheels/*.whl\n",
    )
    assert result.stage == "runtime"
    assert installed(result) == [("services/api/requirements.txt", "file")]
    assert result.python_line == 10


def test_copy_from_a_venv_carries_the_builder_installs_but_not_the_test_stage(
    tmp_path: Path,
) -> None:
    result = image(
        tmp_path,
        "FROM python:3.12-slim AS base\n"
        "ENV VIRTUAL_ENV=/opt/venv\n"
        "RUN python -m venv $VIRTUAL_ENV\n"
        'ENV PATH="$VIRTUAL_ENV/bin:$PATH"\n'
        "FROM base AS builder\n"
        "COPY services/api/requirements.txt /tmp/r.txt\n"
        "RUN <<EOF\n"
        "set -eux\n"
        "pip install -r /tmp/r.txt\n"
        "EOF\n"
        "FROM base AS test\n"
        "COPY services/auth/requirements.txt /tmp/t.txt\n"
        "RUN pip install -r /tmp/t.txt\n"
        "FROM python:3.12-slim AS runtime\n"
        "COPY --from=builder /opt/venv /opt/venv\n",
    )
    assert installed(result) == [("services/api/requirements.txt", "file")]
    assert result.installs[0].location.line == 7


def test_copy_from_an_unrelated_path_brings_no_installs(tmp_path: Path) -> None:
    result = image(
        tmp_path,
        "FROM python:3.12-slim AS builder\n"
        "COPY services/api/requirements.txt /tmp/r.txt\n"
        "RUN pip install -r /tmp/r.txt && mkdir -p /app/static\n"
        "FROM python:3.12-slim\n"
        "COPY --from=builder /app/static /srv/static\n",
    )
    assert result.installs == ()


def test_prefix_install_copied_into_the_runtime(tmp_path: Path) -> None:
    result = image(
        tmp_path,
        "FROM python:3.11 AS build\n"
        "COPY services/ /src/\n"
        "RUN pip install --prefix=/install -r /src/api/requirements.txt\n"
        "FROM python:3.11-slim\n"
        "COPY --from=build /install /usr/local\n",
    )
    assert installed(result) == [("services/api/requirements.txt", "file")]


def test_uv_sync_with_bind_mounts(tmp_path: Path) -> None:
    files = {"app/pyproject.toml": "[project]\nname='app'\nversion='1'\n", "app/uv.lock": ""}
    write_tree(tmp_path, files)
    write_tree(
        tmp_path,
        {
            "app/Dockerfile": "FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim\n"
            "WORKDIR /app\n"
            "RUN --mount=type=cache,target=/root/.cache/uv \\\n"
            "    --mount=type=bind,source=uv.lock,target=uv.lock \\\n"
            "    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\\n"
            "    uv sync --frozen --no-install-project --no-dev\n"
            "ADD . /app\n"
            "RUN uv sync --frozen --no-dev\n"
        },
    )
    result = read_image(Tree(tmp_path), "app/Dockerfile")
    assert result.context == "app"
    assert installed(result) == [("app", "project")]
    assert result.python == "3.12"


def test_python_from_apt_uv_and_the_platform(tmp_path: Path) -> None:
    result = image(
        tmp_path,
        "FROM --platform=linux/arm64 ubuntu:22.04\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip\n"
        "COPY services/api/requirements.txt .\n"
        "RUN pip3 install -r requirements.txt\n",
    )
    assert (result.python, result.python_line, result.machine) == ("3.10", 2, "aarch64")
    uv = image(
        tmp_path,
        "FROM debian:bookworm-slim\n"
        "RUN uv python install 3.13 && uv venv --python 3.13 /venv\n"
        "COPY services/api/requirements.txt .\n"
        "RUN VIRTUAL_ENV=/venv uv pip install -r requirements.txt\n",
    )
    assert uv.python == "3.13"


def test_unknown_python_is_a_warning(tmp_path: Path) -> None:
    result = image(
        tmp_path,
        "FROM mycorp/base:latest\nCOPY services/api/requirements.txt .\n"
        "RUN pip install -r requirements.txt\n",
    )
    assert result.python is None
    assert messages(result) == [
        "Dockerfile:1: the Python version of this image is not known from its base image "
        "(mycorp/base:latest); markers use --python or this interpreter's"
    ]


def test_poetry_export_in_a_builder_then_pip_install(tmp_path: Path) -> None:
    files = {"svc/pyproject.toml": "[tool.poetry]\nname='s'\n", "svc/poetry.lock": ""}
    result = image(
        tmp_path,
        "FROM python:3.11 AS builder\n"
        "WORKDIR /build\n"
        "COPY svc/pyproject.toml svc/poetry.lock ./\n"
        "RUN poetry export -f requirements.txt --without-hashes > requirements.txt\n"
        "FROM python:3.11-slim\n"
        "COPY --from=builder /build/requirements.txt /tmp/\n"
        "RUN pip install -r /tmp/requirements.txt\n",
        files,
    )
    assert installed(result) == [("svc", "project")]


def test_generated_and_inline_files_are_warnings(tmp_path: Path) -> None:
    result = image(
        tmp_path,
        "FROM python:3.12\n"
        "COPY <<EOF /tmp/reqs.txt\n"
        "flask\n"
        "EOF\n"
        "RUN pip install -r /tmp/reqs.txt\n",
    )
    assert result.installs == ()
    assert messages(result) == [
        "Dockerfile:5: pip installs /tmp/reqs.txt, written inline by a heredoc at line 2: not read"
    ]


def test_context_is_the_nearest_folder_holding_what_is_copied(tmp_path: Path) -> None:
    write_tree(tmp_path, REQS)
    repo = Tree(tmp_path)
    from_root = parse_dockerfile("FROM python:3.12\nCOPY services/api/requirements.txt .\n")
    own = parse_dockerfile("FROM python:3.12\nCOPY requirements.txt .\n")
    assert guess_context(repo, "services/api/Dockerfile", from_root) == "."
    assert guess_context(repo, "services/api/Dockerfile", own) == "services/api"


def test_shell_words_keep_url_fragments_and_report_what_cannot_expand() -> None:
    (command,) = split_commands("pip install git+https://x/y.git#egg=y -r $(cat f)", {}.get)
    assert command.words == ["pip", "install", "git+https://x/y.git#egg=y", "-r", "$(cat f)"]
    assert command.unresolved == {"$(cat f)"}
    first, second = split_commands("cd /app && A=1 pip install -r r.txt > log # done", {}.get)
    assert first.words == ["cd", "/app"]
    assert (second.assignments, second.stdout) == ({"A": "1"}, "log")


@pytest.mark.parametrize(
    ("line", "tool", "files", "projects"),
    [
        ("python3 -m pip install -r a.txt", "pip", ["a.txt"], []),
        ("pip3.12 install --user -e .[dev]", "pip", [], ["."]),
        ("uv pip install --system -r requirements.txt .", "uv pip", ["requirements.txt"], ["."]),
        ("pip --no-cache-dir install -rreq.txt", "pip", ["req.txt"], []),
        ("sudo -H pip install ./pkg", "pip", [], ["./pkg"]),
        ("uv pip sync requirements.lock", "uv pip", ["requirements.lock"], []),
    ],
)
def test_install_commands(line: str, tool: str, files: list[str], projects: list[str]) -> None:
    command = recognize(line.split())
    assert command is not None
    assert (command.tool, command.files, command.projects) == (tool, files, projects)


def test_commands_that_install_nothing_we_follow() -> None:
    assert recognize(["npm", "ci"]) is None
    assert recognize(["apt-get", "update"]) is None
    assert recognize(["pip", "freeze"]) is None


def test_install_kind_values() -> None:
    assert {k.value for k in InstallKind} == {"file", "project", "code"}
