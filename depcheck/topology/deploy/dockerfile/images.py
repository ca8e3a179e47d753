"""What a base image reference tells: its Python version, platform and machine.

From the official images' tags (`python:3.11-slim` -> 3.11, `python:3.12.4-bookworm` -> 3.12.4),
the AWS Lambda and uv images, and the `python3` a Debian / Ubuntu release ships. No image is pulled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: the `python3` each Debian / Ubuntu release ships
_DISTRO_PYTHON = {
    ("debian", "buster"): "3.7",
    ("debian", "10"): "3.7",
    ("debian", "bullseye"): "3.9",
    ("debian", "11"): "3.9",
    ("debian", "bookworm"): "3.11",
    ("debian", "12"): "3.11",
    ("debian", "trixie"): "3.13",
    ("debian", "13"): "3.13",
    ("ubuntu", "18.04"): "3.6",
    ("ubuntu", "bionic"): "3.6",
    ("ubuntu", "20.04"): "3.8",
    ("ubuntu", "focal"): "3.8",
    ("ubuntu", "22.04"): "3.10",
    ("ubuntu", "jammy"): "3.10",
    ("ubuntu", "24.04"): "3.12",
    ("ubuntu", "noble"): "3.12",
}
_PYTHON_IMAGES = {"python", "pypy", "aws-lambda-python"}
_LAMBDA_IMAGES = ("public.ecr.aws/lambda/python", "amazon/aws-lambda-python")


@dataclass(frozen=True, slots=True)
class BaseImage:
    """What depcheck knows of an external base image from its reference alone."""

    reference: str
    python: str | None
    #: the `python3` of the distribution, for `apt-get install python3`
    distro_python: str | None = None
    workdir: str = "/"
    env: tuple[tuple[str, str], ...] = ()
    #: `win32` for Windows base images, None for Linux
    platform: str | None = None


def _tag_version(tag: str) -> str | None:
    """`3.11-slim` -> `3.11`, `3.12.4-bookworm` -> `3.12.4`, `3.15.0a7-slim` -> `3.15.0a7`."""
    match = re.match(r"^(?:python|py)?-?(\d+)\.(\d+)(?:\.(\d+)((?:a|b|rc)\d+)?)?", tag)
    if match is None:
        return None
    major, minor, patch, pre = match.groups()
    if major != "3":
        return None
    if patch is not None and len(patch) <= 3 and not tag[match.end() : match.end() + 1].isdigit():
        return f"{major}.{minor}.{patch}{pre or ''}"
    return f"{major}.{minor}"


_WINDOWS_TAG = re.compile(r"(?:^|[-_.])(windowsservercore|nanoserver|ltsc\d{4})(?:$|[-_.])")


def platform_of_image(name: str, tag: str) -> str | None:
    """`win32` for Windows base images (`python:3.12-windowsservercore`, `...-nanoserver-ltsc2022`,
    `mcr.microsoft.com/windows/servercore`), else None (Linux, as every other image)."""
    lowered = name.lower()
    if "/windows/" in lowered + "/" or lowered.endswith(("/windows", "windows/servercore")):
        return "win32"
    if _WINDOWS_TAG.search(tag.lower()):
        return "win32"
    return None


def base_image(reference: str) -> BaseImage:
    """Python facts from an image reference (`python:3.11-slim`,
    `public.ecr.aws/lambda/python:3.12`)."""
    ref = reference.split("@", 1)[0]
    name, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "")
    last = name.rsplit("/", 1)[-1].lower()
    python: str | None = None
    if last in _PYTHON_IMAGES:
        python = _tag_version(tag) if tag else None
    else:
        found = re.search(r"(?:^|[-_])python-?(3\.\d{1,2}(?:\.\d{1,3})?)(?![\d.])", tag)
        if found:
            python = found.group(1)
    distro = None
    if last in ("debian", "ubuntu"):
        release = tag.split("-")[0] if tag else ""
        distro = _DISTRO_PYTHON.get((last, release))
    elif last not in _PYTHON_IMAGES and tag:
        for codename in ("bookworm", "bullseye", "buster", "trixie", "jammy", "noble", "focal"):
            if codename in tag:
                distro = _DISTRO_PYTHON.get(("debian", codename)) or _DISTRO_PYTHON.get(
                    ("ubuntu", codename)
                )
    if name.lower().endswith(_LAMBDA_IMAGES) or last == "aws-lambda-python":
        return BaseImage(
            reference,
            python,
            workdir="/var/task",
            env=(("LAMBDA_TASK_ROOT", "/var/task"), ("LAMBDA_RUNTIME_DIR", "/var/runtime")),
        )
    return BaseImage(reference, python, distro_python=distro, platform=platform_of_image(name, tag))


_MACHINES = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64"}


def machine_of(platform: str) -> str | None:
    """`linux/arm64` -> `aarch64`, `windows/amd64` -> `AMD64` (what Windows reports); None for
    anything else or unresolved."""
    parts = platform.lower().split("/")
    if len(parts) >= 2 and parts[0] == "linux":
        return _MACHINES.get(parts[1])
    if len(parts) >= 2 and parts[0] == "windows":
        return {"amd64": "AMD64", "arm64": "ARM64"}.get(parts[1])
    return None


def os_of(platform: str) -> str | None:
    """`windows/amd64` -> `win32`, `linux/arm64` -> `linux`; None when unresolved."""
    system = platform.lower().split("/")[0]
    return {"windows": "win32", "linux": "linux"}.get(system)
