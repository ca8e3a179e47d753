"""Host environments from images and runtimes: Windows images are win32, pre-release tags keep
their version, a version without a patch is its newest known patch and the report says so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from depcheck.topology.python_releases import KNOWN_ON, NEWEST_PATCH, complete_version
from tests.conftest import write_tree

ScanJson = Callable[..., tuple[int, Any]]

# gunicorn on Linux, waitress on Windows: the markers pick one per host
SERVICE = {
    "app/requirements.txt": 'gunicorn==22.0 ; sys_platform != "win32"\n'
    'waitress==3.0 ; sys_platform == "win32"\n'
    'newer==2.0 ; python_full_version >= "3.12.4"\n',
    "other/requirements.txt": "gunicorn==21.0\nwaitress==2.0\nnewer==1.0\n",
}


def _environment(tmp_path: Path, scan_json: ScanJson, dockerfile: str) -> tuple[Any, Any]:
    write_tree(
        tmp_path,
        {
            **SERVICE,
            "Dockerfile": dockerfile + "COPY . /srv\n"
            "RUN pip install -r /srv/app/requirements.txt -r /srv/other/requirements.txt\n",
        },
    )
    _, report = scan_json(tmp_path)
    (host,) = report["hosts"]
    return host["environment"], {c["package"] for c in report["conflicts"]}


@pytest.mark.parametrize(
    "base",
    [
        "FROM python:3.12.8-windowsservercore-ltsc2022\n",
        "FROM python:3.12.8-nanoserver\n",
        "FROM --platform=windows/amd64 example.org/py:3.12.8\n",
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo\n",
    ],
)
def test_windows_images_are_win32(tmp_path: Path, scan_json: ScanJson, base: str) -> None:
    environment, clashing = _environment(tmp_path, scan_json, base)
    assert environment["sys_platform"] == "win32"
    assert environment["os_name"] == "nt"
    assert environment["platform_system"] == "Windows"
    assert "waitress" in clashing and "gunicorn" not in clashing


def test_linux_images_stay_linux(tmp_path: Path, scan_json: ScanJson) -> None:
    environment, clashing = _environment(tmp_path, scan_json, "FROM python:3.12.8-slim\n")
    assert environment["sys_platform"] == "linux"
    assert "gunicorn" in clashing and "waitress" not in clashing


def test_a_pre_release_tag_keeps_its_version(tmp_path: Path, scan_json: ScanJson) -> None:
    environment, _ = _environment(tmp_path, scan_json, "FROM python:3.15.0a7-slim\n")
    assert environment["python_full_version"] == "3.15.0a7"
    assert environment["python_version"] == "3.15"


def test_a_tag_without_a_patch_is_the_newest_patch_known(
    tmp_path: Path, scan_json: ScanJson
) -> None:
    environment, clashing = _environment(tmp_path, scan_json, "FROM python:3.12-slim\n")
    assert environment["python_full_version"] == NEWEST_PATCH["3.12"]
    assert environment["source"] == (
        f"Dockerfile:1; python 3.12 taken as {NEWEST_PATCH['3.12']} (newest known on {KNOWN_ON})"
    )
    assert "newer" in clashing  # python_full_version >= "3.12.4" holds


def test_a_full_version_is_not_assumed(tmp_path: Path, scan_json: ScanJson) -> None:
    environment, clashing = _environment(tmp_path, scan_json, "FROM python:3.12.1-slim\n")
    assert environment["python_full_version"] == "3.12.1"
    assert environment["source"] == "Dockerfile:1"
    assert "newer" not in clashing


def test_sam_runtime_and_python_version_file(tmp_path: Path, scan_json: ScanJson) -> None:
    write_tree(
        tmp_path,
        {
            "fn/requirements.txt": "requests\n",
            "template.yaml": "Transform: AWS::Serverless-2016-10-31\nResources:\n"
            "  Fn:\n    Type: AWS::Serverless::Function\n"
            "    Properties: {CodeUri: fn/, Handler: app.handler, Runtime: python3.13}\n",
            "web/requirements.txt": "flask\n",
            "web/Procfile": "web: gunicorn app:app\n",
            "web/.python-version": "3.11\n",
        },
    )
    _, report = scan_json(tmp_path)
    hosts = {h["name"]: h["environment"] for h in report["hosts"]}
    assert hosts["Fn"]["python_full_version"] == NEWEST_PATCH["3.13"]
    assert "python 3.13 taken as" in hosts["Fn"]["source"]
    (web,) = [e for name, e in hosts.items() if name != "Fn"]
    assert web["python_full_version"] == NEWEST_PATCH["3.11"]
    assert "python 3.11 taken as" in web["source"]


@pytest.mark.parametrize(
    ("version", "full", "assumed"),
    [("3.12.4", "3.12.4", False), ("3.15.0a7", "3.15.0a7", False), ("3.12", "3.12.16", True)],
)
def test_complete_version(version: str, full: str, assumed: bool) -> None:
    got, note = complete_version(version)
    assert got == (NEWEST_PATCH["3.12"] if version == "3.12" else full)
    assert (note is not None) is assumed


def test_a_minor_the_table_does_not_know() -> None:
    assert complete_version("3.99") == (
        "3.99.0",
        f"python 3.99 taken as 3.99.0 (none known on {KNOWN_ON})",
    )
