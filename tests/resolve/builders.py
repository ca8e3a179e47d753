"""Test-side builders for real distribution files: wheels (zip + METADATA/WHEEL/RECORD) and
sdists whose setup.py would leave a marker file if anyone ran it."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import zipfile
from collections.abc import Sequence
from pathlib import Path


def dist_name(name: str) -> str:
    """The wheel-filename spelling of a project name (PEP 427/503: runs of -_. become _)."""
    import re

    return re.sub(r"[-_.]+", "_", name).lower()


def metadata_text(
    name: str,
    version: str,
    *,
    requires: Sequence[str] = (),
    requires_python: str | None = None,
    extras: Sequence[str] = (),
) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines.extend(f"Provides-Extra: {extra}" for extra in extras)
    lines.extend(f"Requires-Dist: {r}" for r in requires)
    return "\n".join(lines) + "\n\n"


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def build_wheel(
    directory: Path,
    name: str,
    version: str,
    *,
    requires: Sequence[str] = (),
    requires_python: str | None = None,
    extras: Sequence[str] = (),
    tag: str = "py3-none-any",
) -> Path:
    """Write `{name}-{version}-{tag}.whl` into `directory`; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    dist = dist_name(name)
    info = f"{dist}-{version}.dist-info"
    files = {
        f"{dist}/__init__.py": f"__version__ = {version!r}\n".encode(),
        f"{info}/METADATA": metadata_text(
            name, version, requires=requires, requires_python=requires_python, extras=extras
        ).encode(),
        f"{info}/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: depcheck-tests\nRoot-Is-Purelib: true\nTag: {tag}\n"
        ).encode(),
    }
    record = [_record_line(path, data) for path, data in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = directory / f"{dist}-{version}-{tag}.whl"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    path.write_bytes(buffer.getvalue())
    return path


def build_sdist(directory: Path, name: str, version: str, *, marker: Path) -> Path:
    """An sdist whose setup.py, if run (built), writes `marker`: proof that nothing ran it."""
    directory.mkdir(parents=True, exist_ok=True)
    dist = dist_name(name)
    base = f"{dist}-{version}"
    setup = (
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('built')\n"
        "from setuptools import setup\n"
        f"setup(name={name!r}, version={version!r})\n"
    )
    members = {
        f"{base}/setup.py": setup.encode(),
        f"{base}/PKG-INFO": metadata_text(name, version).encode(),
    }
    path = directory / f"{base}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for member, data in members.items():
            entry = tarfile.TarInfo(member)
            entry.size = len(data)
            archive.addfile(entry, io.BytesIO(data))
    return path
