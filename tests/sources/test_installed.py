"""Installed environments: a real virtualenv with wheels this test builds (flask 3.0 next to
werkzeug 2.0), read from its *.dist-info/METADATA and compared with `pip check`'s verdict; and
the same environment as `pip inspect` and `pip freeze` output."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from depcheck.sources.installed import InstalledError, read_installed
from tests.conftest import write_tree

ScanJson = Callable[..., tuple[int, Any]]


def build_wheel(directory: Path, name: str, version: str, requires: list[str]) -> Path:
    """A minimal, valid pure-Python wheel (PEP 427) holding one module."""
    info = f"{name}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires
    )
    files = {
        f"{name}/__init__.py": "",
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
        archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return wheel


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real virtualenv with flask 3.0.0 (needs werkzeug>=3.0.0) and werkzeug 2.0.3 installed."""
    base = tmp_path_factory.mktemp("installed")
    wheels = base / "wheels"
    wheels.mkdir()
    built = [
        build_wheel(
            wheels,
            "flask",
            "3.0.0",
            ["werkzeug>=3.0.0", "click>=8.1.3", 'asgiref; extra == "async"'],
        ),
        build_wheel(wheels, "werkzeug", "2.0.3", []),
        build_wheel(wheels, "click", "8.1.7", []),
    ]
    target = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(target)], check=True)
    pip = [str(target / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--no-index", "--no-deps", *map(str, built)], check=True)
    return target


def test_the_clash_pip_check_finds(venv: Path, tmp_path: Path, scan_json: ScanJson) -> None:
    python = str(venv / "bin" / "python")
    check = subprocess.run(
        [python, "-m", "pip", "check", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
    )
    assert check.returncode != 0
    assert (
        "flask 3.0.0 has requirement werkzeug>=3.0.0, but you have werkzeug 2.0.3" in check.stdout
    )
    write_tree(tmp_path, {"api/requirements.txt": "click>=8\n"})
    code, report = scan_json(tmp_path, "--installed", str(venv))
    assert code == 1
    (conflict,) = report["conflicts"]
    assert conflict["package"] == "werkzeug"
    assert conflict["services"] == [f"installed {venv}"]
    texts = {r["requirement"] for r in conflict["requirements"]}
    assert "werkzeug>=3.0.0 (required by flask 3.0.0)" in texts
    assert "werkzeug==2.0.3 (installed)" in texts
    # the extra's requirement (asgiref; extra == "async") is not installed: not checked
    assert "asgiref" not in {c["package"] for c in report["conflicts"]}


def test_a_service_against_the_installed_environment(
    venv: Path, tmp_path: Path, scan_json: ScanJson
) -> None:
    write_tree(tmp_path, {"api/requirements.txt": "click<8\n"})
    _, report = scan_json(tmp_path, "--installed", str(venv))
    click = next(c for c in report["conflicts"] if c["package"] == "click")
    assert click["services"] == ["api", f"installed {venv}"]


def test_a_fixed_environment_passes_like_pip_check(tmp_path: Path, scan_json: ScanJson) -> None:
    site = tmp_path / "site-packages"
    site.mkdir()
    for name, version, requires in (
        ("flask", "3.0.0", ["werkzeug>=3.0.0"]),
        ("werkzeug", "3.0.1", []),
    ):
        with zipfile.ZipFile(build_wheel(tmp_path, name, version, requires)) as archive:
            archive.extractall(site)
    write_tree(tmp_path, {"repo/api/requirements.txt": "werkzeug>=3\n"})
    code, report = scan_json(tmp_path / "repo", "--installed", str(site))
    assert code == 0, report["conflicts"]


def test_pip_inspect_and_freeze_output(venv: Path, tmp_path: Path) -> None:
    python = str(venv / "bin" / "python")
    inspect = subprocess.run(
        [python, "-m", "pip", "inspect", "--local", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (tmp_path / "inspect.json").write_text(inspect)
    source = read_installed(tmp_path / "inspect.json", "inspect.json")
    ranges = {(r.name, str(r.specifier), r.parent) for r in source.requirements}
    assert ("werkzeug", "==2.0.3", None) in ranges
    assert ("werkzeug", ">=3.0.0", "flask") in ranges
    json.loads(inspect)
    freeze = subprocess.run(
        [python, "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (tmp_path / "freeze.txt").write_text(freeze)
    pins = {
        (r.name, str(r.specifier))
        for r in read_installed(tmp_path / "freeze.txt", "f").requirements
    }
    assert {("flask", "==3.0.0"), ("werkzeug", "==2.0.3"), ("click", "==8.1.7")} <= pins
    # plain `pip freeze` names wheel-file installs by URL, without a version: said, not guessed
    (tmp_path / "urls.txt").write_text("flask @ file:///w/flask-3.0.0-py3-none-any.whl\n")
    (warning,) = read_installed(tmp_path / "urls.txt", "urls.txt").diagnostics
    assert warning.message.startswith("flask was installed from a URL")


def test_an_unreadable_environment_is_an_input_error(tmp_path: Path, scan_json: ScanJson) -> None:
    with pytest.raises(InstalledError, match="no site-packages"):
        read_installed(tmp_path, "empty")
    write_tree(tmp_path, {"repo/api/requirements.txt": "click\n"})
    code, report = scan_json(tmp_path / "repo", "--installed", str(tmp_path / "nowhere"))
    assert code == 2
    assert report["diagnostics"][0]["message"] == "no such file or directory"


def test_hosts_installed_in_the_config(venv: Path, tmp_path: Path, scan_json: ScanJson) -> None:
    write_tree(
        tmp_path,
        {
            "api/requirements.txt": "click>=8\n",
            "batch/requirements.txt": "werkzeug<1\n",
            "depcheck.toml": '[services.api]\npath = "api"\n[services.batch]\npath = "batch"\n'
            f'[hosts.web]\nservices = ["api"]\ninstalled = "{venv}"\n'
            '[hosts.jobs]\nservices = ["batch"]\n',
        },
    )
    code, report = scan_json(tmp_path)
    assert code == 1
    hosts = {h["name"]: h["services"] for h in report["hosts"]}
    assert hosts == {"web": ["api", f"installed {venv}"], "jobs": ["batch"]}
    assert {(c["host"], c["package"]) for c in report["conflicts"]} == {("web", "werkzeug")}
