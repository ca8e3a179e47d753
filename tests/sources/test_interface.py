"""The source contract's shared parts: the confined text reader, and what a source declares."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from depcheck.sources import source_for
from depcheck.sources.interface import ReadOptions, SourceError, read_text, relative_path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + "flask==3\n".encode("utf-16-le"))
    (root / "latin.txt").write_bytes("caf\xe9==1\n".encode("latin-1"))
    (root / "binary.txt").write_bytes(b"\x00\x01\x02flask")
    (root / "folder.txt").mkdir()
    (outside / "secret.txt").write_text("token\n", encoding="utf-8")
    (root / "link.txt").symlink_to(outside / "secret.txt")
    (root / "dangling.txt").symlink_to(root / "nowhere")
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "fifo.txt")
    return root


def test_a_bom_is_honoured_and_latin_1_is_the_fallback_with_a_warning(tree: Path) -> None:
    assert read_text(tree, "utf16.txt") == ("flask==3\n", [])
    text, diagnostics = read_text(tree, "latin.txt")
    assert text == "café==1\n"
    assert [d.message for d in diagnostics] == ["not valid UTF-8; read as Latin-1"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("binary.txt", "looks like a binary file, not text"),
        ("folder.txt", "is a directory, not a file"),
        ("link.txt", "is a symbolic link to a file outside the scan root"),
        ("dangling.txt", "is a dangling symbolic link"),
        ("fifo.txt", "is not a regular file"),
        ("missing.txt", "file not found"),
    ],
)
def test_what_is_refused_and_why(tree: Path, name: str, message: str) -> None:
    if name == "fifo.txt" and not (tree / name).exists():
        pytest.skip("no FIFOs on this platform")
    with pytest.raises(SourceError) as raised:
        read_text(tree, name)
    assert raised.value.location.path == name
    assert raised.value.message.startswith(message)


def test_outside_the_root_only_when_allowed(tree: Path) -> None:
    assert read_text(tree, "link.txt", allow_outside_root=True)[0] == "token\n"


def test_relative_paths_are_posix_from_the_root(tree: Path) -> None:
    assert relative_path(tree / "folder.txt", tree) == "folder.txt"
    assert relative_path(Path("/elsewhere/x"), tree) == "/elsewhere/x"


def test_locks_name_their_companion_and_declared_formats_declare() -> None:
    poetry_lock, pipfile_lock = source_for("poetry.lock"), source_for("Pipfile.lock")
    uv_lock = source_for("uv.lock")
    assert poetry_lock is not None and poetry_lock.companion == "pyproject.toml"
    assert pipfile_lock is not None and pipfile_lock.companion == "Pipfile"
    assert uv_lock is not None and uv_lock.companion is None
    requirements = source_for("requirements.txt")
    assert requirements is not None
    assert requirements.declaration("requirements.txt", ReadOptions(root=Path("."))) is None
