"""What discovery meets on disk: symlink loops, dangling and escaping links, FIFOs, directories
with a dependency file's name, files and folders it may not read, an empty repository.

Nothing hangs, nothing is skipped in silence: each is one diagnostic at its path, exit 2, and
the healthy services are still analysed.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.robustness.conftest import RunCli, ScanJson, repository, run_module, write_files

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")


def test_a_symlink_loop_named_like_a_dependency_file(tmp_path: Path, scan: ScanJson) -> None:
    root = repository(tmp_path, {})
    (root / "svc").mkdir()
    os.symlink("requirements.txt", root / "svc" / "requirements.txt")
    os.symlink("b.txt", root / "svc" / "requirements-prod.txt")
    os.symlink("requirements-prod.txt", root / "svc" / "b.txt")
    result = scan(root)
    assert result.code == 2
    assert result.only("svc/requirements.txt")["message"] == "is a symbolic link loop"
    assert result.only("svc/requirements-prod.txt")["message"] == "is a symbolic link loop"
    result.assert_healthy_still_analysed()


def test_a_directory_symlink_loop_is_not_followed(tmp_path: Path, scan: ScanJson) -> None:
    root = repository(tmp_path, {"svc/requirements.txt": "six\n"})
    os.symlink("..", root / "svc" / "up")
    os.symlink(".", root / "svc" / "here")
    result = scan(root)
    assert result.code == 1 and result.diagnostics == []
    assert result.services == ["api", "svc", "web"]


def test_a_dangling_symlink(tmp_path: Path, scan: ScanJson) -> None:
    root = repository(tmp_path, {})
    (root / "svc").mkdir()
    os.symlink("moved-away.txt", root / "svc" / "requirements.txt")
    result = scan(root)
    assert result.code == 2
    error = result.only("svc/requirements.txt")
    assert (error["line"], error["message"]) == (None, "is a dangling symbolic link")
    result.assert_healthy_still_analysed()


def test_a_symlink_to_a_file_outside_the_root(tmp_path: Path, scan: ScanJson) -> None:
    root = repository(tmp_path / "repo", {})
    write_files(tmp_path, {"secret/requirements.txt": "urllib3==1.26.18\n"})
    (root / "svc").mkdir()
    os.symlink(tmp_path / "secret" / "requirements.txt", root / "svc" / "requirements.txt")
    result = scan(root)
    assert result.code == 2
    assert result.only("svc/requirements.txt")["message"] == (
        "is a symbolic link to a file outside the scan root (use --allow-outside-root to read it)"
    )
    result.assert_healthy_still_analysed()
    allowed = scan(root, "--allow-outside-root")
    assert allowed.code == 1 and allowed.diagnostics == []
    assert ("urllib3", ("api", "svc", "web")) in allowed.conflicts
    assert str(tmp_path) not in allowed.out


def test_a_linked_directory_cannot_smuggle_in_files_from_outside(
    tmp_path: Path, scan: ScanJson
) -> None:
    """Discovery does not follow directory links; a config naming a path through one, or an
    include through one, gets the file refused like a file link."""
    root = repository(
        tmp_path / "repo",
        {
            "depcheck.toml": (
                "[services.api]\npath = 'api'\n[services.web]\npath = 'web'\n"
                "[services.ext]\npath = 'ext'\n"
                "[services.inc]\nsources = ['inc/requirements.txt']\n"
                "[hosts.all]\nservices = ['api', 'web', 'ext', 'inc']\n"
            ),
            "inc/requirements.txt": "-r ../ext/requirements.txt\n",
        },
    )
    write_files(tmp_path, {"elsewhere/requirements.txt": "urllib3==1.26.18\n"})
    os.symlink(tmp_path / "elsewhere", root / "ext")
    result = scan(root)
    assert result.code == 2
    message = (
        "lies outside the scan root (through a symbolically linked directory) "
        "(use --allow-outside-root to read it)"
    )
    assert result.only("ext/requirements.txt")["message"] == message
    assert result.only("inc/requirements.txt")["message"] == (
        f"cannot include '../ext/requirements.txt': ext/requirements.txt {message}"
    )
    result.assert_healthy_still_analysed()


@needs_fifo
def test_a_fifo_named_requirements_txt_does_not_hang(tmp_path: Path) -> None:
    root = repository(tmp_path, {"inc/requirements.txt": "six\n-r pipe.txt\n"})
    (root / "svc").mkdir()
    os.mkfifo(root / "svc" / "requirements.txt")
    os.mkfifo(root / "inc" / "pipe.txt")
    result = run_module("scan", str(root), "--format", "json", timeout=60)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: inc/requirements.txt:2:1: cannot include 'pipe.txt': inc/pipe.txt is not a "
        "regular file",
        "error: svc/requirements.txt: is not a regular file",
    ]
    assert '"urllib3"' in result.stdout


@needs_fifo
def test_a_fifo_as_the_config_does_not_hang(tmp_path: Path) -> None:
    root = repository(tmp_path, {})
    os.mkfifo(root / "depcheck.toml")
    result = run_module("scan", str(root), timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: config depcheck.toml: is not a regular file"


@pytest.mark.parametrize(
    "name", ["requirements.txt", "requirements/base.txt", "pyproject.toml", "poetry.lock"]
)
def test_a_directory_with_a_dependency_files_name(
    tmp_path: Path, scan: ScanJson, name: str
) -> None:
    root = repository(tmp_path, {f"svc/{name}/README": "surprise\n"})
    result = scan(root)
    assert result.code == 2
    error = result.only(f"svc/{name}")
    assert (error["line"], error["message"]) == (None, "is a directory, not a file")
    result.assert_healthy_still_analysed()


def test_a_directory_named_in_a_config(tmp_path: Path, scan: ScanJson) -> None:
    root = repository(
        tmp_path,
        {
            "depcheck.toml": (
                "[services.api]\npath = 'api'\n[services.web]\npath = 'web'\n"
                "[services.svc]\nsources = ['svc/requirements.txt']\n"
                "[hosts.all]\nservices = ['api', 'web', 'svc']\n"
            ),
            "svc/requirements.txt/x": "",
        },
    )
    result = scan(root)
    assert result.code == 2
    assert result.only("svc/requirements.txt")["message"] == "is a directory, not a file"
    result.assert_healthy_still_analysed()


@pytest.mark.skipif(IS_ROOT, reason="root reads files whatever their mode (see the next test)")
def test_an_unreadable_file(tmp_path: Path, scan: ScanJson) -> None:
    root = repository(tmp_path, {"svc/requirements.txt": "six\n"})
    target = root / "svc" / "requirements.txt"
    target.chmod(0)
    try:
        result = scan(root)
    finally:
        target.chmod(0o644)
    assert result.code == 2
    assert result.only("svc/requirements.txt")["message"] == "cannot read file: Permission denied"
    result.assert_healthy_still_analysed()


@pytest.fixture
def denied(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[Path]]:
    """Files and folders that reading or listing refuses, as chmod 000 does for a user that is
    not root (CI containers often run tests as root, where chmod blocks nothing)."""
    paths: set[Path] = set()
    open_, scandir = os.open, os.scandir

    def refuse(path: str) -> None:
        if Path(path).absolute() in paths:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)

    def guarded_open(path: str, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        # depcheck.fs opens a file by its name in a directory it holds open
        folder = os.readlink(f"/proc/self/fd/{dir_fd}") if dir_fd is not None else ""
        refuse(os.path.join(folder, path))
        return open_(path, flags, mode, dir_fd=dir_fd)

    def guarded_scandir(path: str = ".") -> Iterator[os.DirEntry[str]]:
        refuse(os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "scandir", guarded_scandir)
    yield paths


def test_an_unreadable_file_when_running_as_root(
    tmp_path: Path, scan: ScanJson, denied: set[Path]
) -> None:
    root = repository(
        tmp_path,
        {"svc/requirements.txt": "six\n", "inc/requirements.txt": "six\n-r x.in\n", "inc/x.in": ""},
    )
    denied.update({root / "svc" / "requirements.txt", root / "inc" / "x.in"})
    result = scan(root)
    assert result.code == 2
    assert result.only("svc/requirements.txt")["message"] == "cannot read file: Permission denied"
    error = result.only("inc/requirements.txt")
    assert (error["line"], error["message"]) == (
        2,
        "cannot include 'x.in': inc/x.in cannot read file: Permission denied",
    )
    result.assert_healthy_still_analysed()


@pytest.mark.skipif(IS_ROOT, reason="root lists folders whatever their mode (see the next test)")
def test_an_unreadable_folder(tmp_path: Path, scan: ScanJson) -> None:
    root = repository(tmp_path, {"locked/svc/requirements.txt": "six\n"})
    (root / "locked").chmod(0)
    try:
        result = scan(root)
    finally:
        (root / "locked").chmod(0o755)
    assert result.code == 2
    assert result.only("locked")["message"].startswith(
        "cannot list this directory (Permission denied)"
    )
    result.assert_healthy_still_analysed()


def test_an_unreadable_folder_when_running_as_root(
    tmp_path: Path, scan: ScanJson, denied: set[Path]
) -> None:
    root = repository(tmp_path, {"locked/svc/requirements.txt": "six\n"})
    denied.add(root / "locked")
    result = scan(root)
    assert result.code == 2
    assert result.only("locked")["message"] == (
        "cannot list this directory (Permission denied); dependency files in it are not scanned"
    )
    assert result.services == ["api", "web"]
    result.assert_healthy_still_analysed()


@pytest.mark.parametrize(
    "files",
    [
        {},
        {"README.md": "# nothing here\n", "src/app.py": "print('hi')\n"},
        {"pyproject.toml": "[tool.ruff]\nline-length = 100\n", "setup.cfg": "[flake8]\n"},
        {"node_modules/x/requirements.txt": "six\n", ".venv/requirements.txt": "six\n"},
    ],
    ids=["empty", "no-dependency-files", "tool-settings-only", "only-in-skipped-folders"],
)
def test_an_empty_repository_is_an_error_unless_allowed(
    tmp_path: Path, scan: ScanJson, cli: RunCli, files: dict[str, str]
) -> None:
    root = write_files(tmp_path / "repo", files)
    (root).mkdir(exist_ok=True)
    # a check pointed at the wrong directory must not pass: exit 2, in every format
    result = scan(root)
    assert result.code == 2
    assert result.services == [] and result.report["hosts"] == []
    error = result.only(".", "error")
    assert error["message"].startswith(f"no services under {root.name}: no dependency files")
    assert error["message"].endswith("--allow-empty accepts an empty scan")
    assert not [d for d in result.report["diagnostics"] if d["severity"] == "warning"]
    code, out, _ = cli("scan", str(root), "--color", "never")
    assert code == 2
    assert f"error: .: no services under {root.name}" in out
    assert out.rstrip().endswith("exit 2")
    # --allow-empty: a warning, exit 0
    allowed = scan(root, "--allow-empty")
    assert allowed.code == 0
    warning = allowed.only(".", "warning")
    assert warning["message"].startswith("no services found: no dependency files")
    code, out, _ = cli("scan", str(root), "--color", "never", "--allow-empty")
    assert code == 0
    assert "warning: .: no services found" in out
    assert out.rstrip().endswith("exit 0")


def test_discovery_problems_through_the_installed_command(tmp_path: Path) -> None:
    root = repository(tmp_path, {"svc/pyproject.toml/x": ""})
    (root / "loop").mkdir()
    os.symlink("requirements.txt", root / "loop" / "requirements.txt")
    os.symlink("nowhere", root / "loop" / "requirements.in")
    result = run_module("scan", str(root), "--format", "sarif")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: loop/requirements.in: is a dangling symbolic link",
        "error: loop/requirements.txt: is a symbolic link loop",
        "error: svc/pyproject.toml: is a directory, not a file",
    ]
