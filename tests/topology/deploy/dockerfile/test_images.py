"""What a base image reference tells: Python, platform, machine; no image is pulled."""

from __future__ import annotations

import pytest

from depcheck.topology.deploy.dockerfile.images import base_image, machine_of, os_of


@pytest.mark.parametrize(
    ("reference", "python", "distro_python", "platform"),
    [
        ("python:3.11-slim", "3.11", None, None),
        ("python:3.12.4-bookworm", "3.12.4", None, None),
        ("python:3.14.0rc1", "3.14.0rc1", None, None),
        ("python:3.13-windowsservercore-ltsc2022", "3.13", None, "win32"),
        ("ghcr.io/astral-sh/uv:python3.12-bookworm", "3.12", "3.11", None),
        ("ubuntu:22.04", None, "3.10", None),
        ("debian:bookworm", None, "3.11", None),
        ("python", None, None, None),
        ("${BASE}", None, None, None),
    ],
)
def test_python_from_the_reference(
    reference: str, python: str | None, distro_python: str | None, platform: str | None
) -> None:
    image = base_image(reference)
    assert (image.python, image.distro_python, image.platform) == (python, distro_python, platform)


def test_lambda_images_set_their_task_root() -> None:
    image = base_image("public.ecr.aws/lambda/python:3.12")
    assert image.python == "3.12" and image.workdir == "/var/task"
    assert ("LAMBDA_TASK_ROOT", "/var/task") in image.env


@pytest.mark.parametrize(
    ("platform", "machine", "os"),
    [
        ("linux/arm64", "aarch64", "linux"),
        ("linux/amd64", "x86_64", "linux"),
        # platform_machine on Windows says AMD64
        ("windows/amd64", "AMD64", "win32"),
        ("plan9", None, None),
    ],
)
def test_platform_strings(platform: str, machine: str | None, os: str | None) -> None:
    assert (machine_of(platform), os_of(platform)) == (machine, os)
