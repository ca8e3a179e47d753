"""The source contract's shared parts: paths, and what a source declares (the confined reader
is depcheck.fs: tests/test_fs.py)."""

from __future__ import annotations

from pathlib import Path

from depcheck.sources import source_for
from depcheck.sources.interface import ReadOptions, relative_path


def test_relative_paths_are_posix_from_the_root(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    assert relative_path(tmp_path / "folder.txt", tmp_path) == "folder.txt"
    assert relative_path(Path("/elsewhere/x"), tmp_path) == "/elsewhere/x"


def test_locks_name_their_companion_and_declared_formats_declare() -> None:
    poetry_lock, pipfile_lock = source_for("poetry.lock"), source_for("Pipfile.lock")
    uv_lock = source_for("uv.lock")
    assert poetry_lock is not None and poetry_lock.companion == "pyproject.toml"
    assert pipfile_lock is not None and pipfile_lock.companion == "Pipfile"
    assert uv_lock is not None and uv_lock.companion is None
    requirements = source_for("requirements.txt")
    assert requirements is not None
    assert requirements.declaration("requirements.txt", ReadOptions(root=Path("."))) is None
