"""Compose projects: built images are hosts; services built alike, or reusing an image, share one."""

from __future__ import annotations

from pathlib import Path

from depcheck.fs import Tree
from depcheck.topology.deploy.compose import ComposeReader, compose_projects
from depcheck.topology.deploy.interface import DeployRead
from depcheck.topology.deploy.names import is_compose_file
from tests.conftest import write_tree

DOCKERFILE = "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"


def read(root: Path, files: dict[str, str], project: list[str] | None = None) -> DeployRead:
    write_tree(root, files)
    return ComposeReader().read_project(Tree(root), project or ["compose.yaml"])


def summary(result: DeployRead) -> list[tuple[str, list[str], str | None, str]]:
    return [
        (h.name, sorted(i.path for i in h.installs), h.python, str(h.origin)) for h in result.hosts
    ]


def test_compose_file_names_and_projects() -> None:
    assert is_compose_file("compose.yaml")
    assert is_compose_file("docker-compose.override.yml")
    assert not is_compose_file("compose-notes.md")
    projects, variants = compose_projects(
        ["a/docker-compose.yml", "a/docker-compose.override.yml", "a/docker-compose.prod.yml"]
    )
    assert projects == [["a/docker-compose.yml", "a/docker-compose.override.yml"]]
    assert variants == ["a/docker-compose.prod.yml"]
    assert compose_projects(["b/docker-compose.prod.yml"]) == ([["b/docker-compose.prod.yml"]], [])


def test_each_built_image_is_a_host_and_pulled_images_are_not(tmp_path: Path) -> None:
    result = read(
        tmp_path,
        {
            "api/requirements.txt": "flask\n",
            "api/Dockerfile": DOCKERFILE,
            "worker/requirements.txt": "celery\n",
            "worker/worker.Dockerfile": DOCKERFILE.replace("3.12", "3.11"),
            "compose.yaml": "services:\n"
            "  api:\n"
            "    build: ./api\n"
            "  worker:\n"
            "    build:\n"
            "      context: worker\n"
            "      dockerfile: worker.Dockerfile\n"
            "  db:\n"
            "    image: postgres:16\n",
        },
    )
    assert summary(result) == [
        ("api", ["api/requirements.txt"], "3.12", "compose.yaml:2"),
        ("worker", ["worker/requirements.txt"], "3.11", "compose.yaml:4"),
    ]
    assert result.dockerfiles == ("api/Dockerfile", "worker/worker.Dockerfile")
    assert result.hosts[0].python_origin is not None
    assert str(result.hosts[0].python_origin) == "api/Dockerfile:1"


def test_same_build_or_same_image_share_one_host(tmp_path: Path) -> None:
    result = read(
        tmp_path,
        {
            "requirements.txt": "django\n",
            "Dockerfile": DOCKERFILE,
            "compose.yaml": "x-app: &app\n"
            "  build: .\n"
            "  image: shop/app:${TAG:-latest}\n"
            "services:\n"
            "  web:\n"
            "    <<: *app\n"
            "  worker:\n"
            "    build: .\n"
            "    command: celery worker\n"
            "  beat:\n"
            "    image: shop/app:latest\n",
        },
    )
    assert summary(result) == [("beat+web+worker", ["requirements.txt"], "3.12", "compose.yaml:5")]


def test_build_args_target_env_file_and_platform(tmp_path: Path) -> None:
    result = read(
        tmp_path,
        {
            ".env": "PY=3.13\n",
            "svc/requirements.txt": "x\n",
            "svc/requirements-dev.txt": "pytest\n",
            "svc/Dockerfile": "ARG PYTHON_VERSION=3.10\n"
            "FROM python:${PYTHON_VERSION}-slim AS prod\n"
            "COPY requirements.txt .\n"
            "RUN pip install -r requirements.txt\n"
            "FROM prod AS dev\n"
            "COPY requirements-dev.txt .\n"
            "RUN pip install -r requirements-dev.txt\n",
            "compose.yaml": "services:\n"
            "  svc:\n"
            "    platform: linux/arm64\n"
            "    build:\n"
            "      context: ./svc\n"
            "      target: prod\n"
            "      args:\n"
            "        - PYTHON_VERSION=${PY}\n",
        },
    )
    (host,) = result.hosts
    assert [i.path for i in host.installs] == ["svc/requirements.txt"]
    assert (host.python, host.machine) == ("3.13", "aarch64")
    compose = "services:\n  svc:\n    build:\n      context: svc\n      args:\n"
    result = read(tmp_path, {"compose.yaml": compose + "        PYTHON_VERSION: 3.10\n"})
    assert result.hosts[0].python == "3.10"


def test_override_file_changes_the_target_keeping_the_context(tmp_path: Path) -> None:
    files = {
        "svc/requirements.txt": "x\n",
        "svc/requirements-dev.txt": "pytest\n",
        "svc/Dockerfile": "FROM python:3.12 AS prod\n"
        "COPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\n"
        "FROM prod AS dev\n"
        "COPY requirements-dev.txt .\n"
        "RUN pip install -r requirements-dev.txt\n",
        "compose.yaml": "services:\n  svc:\n    build:\n      context: svc\n      target: prod\n",
        "compose.override.yaml": "services:\n  svc:\n    build:\n      target: dev\n",
    }
    result = read(tmp_path, files, ["compose.yaml", "compose.override.yaml"])
    (host,) = result.hosts
    assert sorted(i.path for i in host.installs) == [
        "svc/requirements-dev.txt",
        "svc/requirements.txt",
    ]


def test_extends_across_files_and_profiles(tmp_path: Path) -> None:
    result = read(
        tmp_path,
        {
            "app/requirements.txt": "x\n",
            "app/Dockerfile": DOCKERFILE,
            "common/services.yaml": "services:\n  base:\n    build: ../app\n",
            "compose.yaml": "services:\n"
            "  web:\n"
            "    extends:\n"
            "      file: common/services.yaml\n"
            "      service: base\n"
            "  debug:\n"
            "    extends: web\n"
            "    profiles: [debug]\n",
        },
    )
    (host,) = result.hosts
    assert host.name == "web"
    assert [i.path for i in host.installs] == ["app/requirements.txt"]
    assert any("profile debug" in note for note in host.notes)


def test_dockerfile_inline(tmp_path: Path) -> None:
    result = read(
        tmp_path,
        {
            "requirements.txt": "x\n",
            "compose.yaml": "services:\n"
            "  app:\n"
            "    build:\n"
            "      context: .\n"
            "      dockerfile_inline: |\n"
            "        FROM python:3.11\n"
            "        COPY requirements.txt .\n"
            "        RUN pip install -r requirements.txt\n",
        },
    )
    (host,) = result.hosts
    assert ([i.path for i in host.installs], host.python) == (["requirements.txt"], "3.11")
    assert result.dockerfiles == ()


def test_what_cannot_be_followed_is_a_warning(tmp_path: Path) -> None:
    result = read(
        tmp_path,
        {
            "compose.yaml": "services:\n"
            "  a:\n"
            "    build: ./missing\n"
            "  b:\n"
            "    build:\n"
            "      context: https://github.com/example/repo.git\n"
            "  c:\n"
            "    build:\n"
            "      context: .\n"
            "      dockerfile: nope.Dockerfile\n",
        },
    )
    assert result.hosts == ()
    assert [f"{d.location}: {d.message}" for d in result.diagnostics] == [
        "compose.yaml:3: build context './missing' is not a directory in the repository",
        "compose.yaml:6: build context 'https://github.com/example/repo.git' cannot be read "
        "from the repository; this image is not followed",
        "compose.yaml:10: Dockerfile 'nope.Dockerfile' is not in the build context .",
    ]
