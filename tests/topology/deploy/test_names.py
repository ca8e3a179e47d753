"""Which file names are deployment files."""

from __future__ import annotations

import pytest

from depcheck.topology.deploy.names import is_compose_file, is_dockerfile, is_template_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dockerfile", True),
        ("dockerfile", True),
        ("Containerfile", True),
        ("Dockerfile.worker", True),
        ("api.Dockerfile", True),
        ("Dockerfile.dockerignore", False),
        (".dockerignore", False),
        ("Dockerfiles", False),
        ("requirements.txt", False),
    ],
)
def test_dockerfile_names(name: str, expected: bool) -> None:
    assert is_dockerfile(name) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("compose.yaml", True),
        ("docker-compose.yml", True),
        ("docker-compose.prod.yml", True),
        ("compose.override.yaml", True),
        ("docker-compose.a.b.yml", False),
        ("compose.json", False),
        ("my-compose.yml", False),
    ],
)
def test_compose_names(name: str, expected: bool) -> None:
    assert is_compose_file(name) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("template.yaml", True),
        ("sam.yml", True),
        ("sam-prod.yaml", True),
        ("cloudformation.yml", True),
        ("template.json", True),
        ("package.json", False),
        ("serverless.yml", False),
        ("values.yaml", False),
    ],
)
def test_template_names(name: str, expected: bool) -> None:
    assert is_template_name(name) is expected
