"""The confined reader (`depcheck.fs`): what it refuses, with which words, and that refusing
costs nothing (no blocking open, no read of a file over the size cap).

Real files, links, FIFOs, sockets and devices in tmp_path; then the same refusals through the
command line, where a fake CI token in `.git/config` must appear in no output format.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from depcheck import fs
from depcheck.errors import ReadError
from depcheck.fs import MAX_BYTES, Tree
from depcheck.pipeline import ScanOptions, prepare
from depcheck.topology.environment import interpreter_environment
from tests.conftest import ROOT
from tests.robustness.conftest import assert_no_traceback, repository, run_module, write_files

OUTSIDE_LINK = (
    "is a symbolic link to a file outside the scan root (use --allow-outside-root to read it)"
)
OUTSIDE_DIR = (
    "lies outside the scan root (through a symbolically linked directory) "
    "(use --allow-outside-root to read it)"
)
#: what `actions/checkout` leaves in `.git/config`: a token that must never reach an output
TOKEN = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"
GIT_CONFIG = (
    "[core]\n\trepositoryformatversion = 0\n"
    '[http "https://github.com/"]\n'
    f"\textraheader = AUTHORIZATION: basic {TOKEN}\n"
    f"extraheader=AUTHORIZATION: basic {TOKEN}\n"
)


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Fail (instead of hanging the suite) when a read blocks for more than 10 s."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError("the read blocked")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(10)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def refusal(tree: Tree, path: str) -> str:
    with pytest.raises(ReadError) as caught:
        tree.read_text(path)
    assert caught.value.location.path == path
    return caught.value.message


# -- what is refused, and how it is said ---------------------------------------------------


def _link_out(root: Path) -> None:
    os.symlink(root.parent / "outside" / "requirements.txt", root / "requirements.txt")


def _dir_out(root: Path) -> None:
    os.symlink(root.parent / "outside", root / "vendor")


def _link_git(root: Path) -> None:
    os.symlink(".git/config", root / "requirements.txt")


def _dir_git(root: Path) -> None:
    os.symlink(".git", root / "deps")


def _fifo(root: Path) -> None:
    os.mkfifo(root / "requirements.txt")


def _socket(root: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(root / "requirements.txt"))
    server.close()


def _device(root: Path) -> None:
    os.symlink("/dev/zero", root / "requirements.txt")


def _loop(root: Path) -> None:
    os.symlink("requirements.txt", root / "requirements.txt")


def _dangling(root: Path) -> None:
    os.symlink("gone.txt", root / "requirements.txt")


def _directory(root: Path) -> None:
    (root / "requirements.txt").mkdir()


def _binary(root: Path) -> None:
    (root / "requirements.txt").write_bytes(b"six\x00\x01\x02")


def _nothing(root: Path) -> None:
    pass


REFUSED = [
    ("link out of the root", _link_out, "requirements.txt", False, OUTSIDE_LINK),
    ("through a linked folder", _dir_out, "vendor/requirements.txt", False, OUTSIDE_DIR),
    (
        "dot-dot",
        _nothing,
        "../outside/requirements.txt",
        False,
        "lies outside the scan root (use --allow-outside-root to read it)",
    ),
    (
        "inside .git",
        _nothing,
        ".git/config",
        False,
        "is inside a version-control directory (.git); not read",
    ),
    (
        "inside .git, case folded",
        _nothing,
        ".GIT/config",
        False,
        "is inside a version-control directory (.GIT); not read",
    ),
    (
        "include through .git",
        _nothing,
        "services/../.git/config",
        False,
        "is inside a version-control directory (.git); not read",
    ),
    (
        "link into .git",
        _link_git,
        "requirements.txt",
        False,
        "is a symbolic link into a version-control directory (.git); not read",
    ),
    (
        "linked folder into .git",
        _dir_git,
        "deps/config",
        False,
        "is a symbolic link into a version-control directory (.git); not read",
    ),
    (
        ".git even when outside reads are allowed",
        _nothing,
        ".git/config",
        True,
        "is inside a version-control directory (.git); not read",
    ),
    (
        "a link into .git even when outside reads are allowed",
        _link_git,
        "requirements.txt",
        True,
        "is a symbolic link into a version-control directory (.git); not read",
    ),
    ("a FIFO", _fifo, "requirements.txt", False, "is not a regular file"),
    ("a socket", _socket, "requirements.txt", False, "is not a regular file"),
    ("/dev/zero", _device, "requirements.txt", True, "is not a regular file"),
    ("/dev/zero, confined", _device, "requirements.txt", False, OUTSIDE_LINK),
    ("a link loop", _loop, "requirements.txt", False, "is a symbolic link loop"),
    ("a dangling link", _dangling, "requirements.txt", False, "is a dangling symbolic link"),
    ("a directory", _directory, "requirements.txt", False, "is a directory, not a file"),
    ("missing", _nothing, "requirements.txt", False, "file not found"),
    ("binary", _binary, "requirements.txt", False, "looks like a binary file, not text"),
    (
        "a NUL in the name",
        _nothing,
        "requirements\0.txt",
        False,
        "is not a file name (it holds a NUL character)",
    ),
]


@pytest.mark.parametrize(
    ("make", "path", "allow_outside", "message"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_refused(
    tmp_path: Path,
    no_hang: None,
    make: Callable[[Path], None],
    path: str,
    allow_outside: bool,
    message: str,
) -> None:
    root = tmp_path / "repo"
    write_files(root, {".git/config": GIT_CONFIG, ".GIT/config": GIT_CONFIG})
    write_files(tmp_path, {"outside/requirements.txt": "six\n"})
    make(root)
    assert refusal(Tree(root, allow_outside_root=allow_outside), path) == message


@pytest.mark.parametrize("vcs", sorted(fs.VCS_DIRS))
def test_no_version_control_directory_is_read(tmp_path: Path, vcs: str) -> None:
    write_files(tmp_path, {f"{vcs}/requirements.txt": "six\n", f"a/{vcs}/b/x.txt": "six\n"})
    tree = Tree(tmp_path)
    for path in (f"{vcs}/requirements.txt", f"a/{vcs}/b/x.txt"):
        assert refusal(tree, path) == f"is inside a version-control directory ({vcs}); not read"
        assert not tree.exists(path) and not tree.is_file(path)
    assert tree.glob(".", f"**/{vcs}/**/*.txt") == []


def test_outside_reads_are_allowed_when_asked(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    write_files(tmp_path, {"outside/requirements.txt": "six\n"})
    _link_out(root)
    _dir_out(root)
    tree = Tree(root, allow_outside_root=True)
    assert tree.read_text("requirements.txt") == ("six\n", [])
    assert tree.read_text("vendor/requirements.txt") == ("six\n", [])
    assert tree.read_text("../outside/requirements.txt") == ("six\n", [])


def test_a_file_over_the_cap_is_refused_before_any_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = tmp_path / "requirements.txt"
    with huge.open("wb") as handle:
        handle.truncate(1024**3)  # sparse: costs no disk
    reads: list[int] = []
    real_read = os.read

    def counting_read(fd: int, size: int) -> bytes:
        reads.append(size)
        return real_read(fd, size)

    monkeypatch.setattr(os, "read", counting_read)
    assert refusal(Tree(tmp_path), "requirements.txt") == (
        "is 1.0 GiB; depcheck reads files of at most 16 MiB"
    )
    assert reads == []


def test_a_file_at_the_cap_is_read(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"#" * (MAX_BYTES - 1) + b"\n")
    text, warnings = Tree(tmp_path).read_text("requirements.txt")
    assert len(text) == MAX_BYTES and warnings == []


def test_a_file_that_grows_while_read_is_cut_at_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fstat said small, the file is large by the time it is read: the read stops at the cap."""
    big = tmp_path / "requirements.txt"
    with big.open("wb") as handle:
        handle.truncate(MAX_BYTES * 4)
    real_fstat = os.fstat

    class Small:
        def __init__(self, status: os.stat_result) -> None:
            self.st_mode = status.st_mode
            self.st_size = 10

    monkeypatch.setattr(os, "fstat", lambda fd: Small(real_fstat(fd)))
    total: list[int] = []
    real_read = os.read

    def counting_read(fd: int, size: int) -> bytes:
        data = real_read(fd, size)
        total.append(len(data))
        return data

    monkeypatch.setattr(os, "read", counting_read)
    message = refusal(Tree(tmp_path), "requirements.txt")
    assert message == "grew past 16 MiB while being read; depcheck reads files of at most 16 MiB"
    assert sum(total) == MAX_BYTES + 1


@pytest.mark.parametrize(
    ("make", "path", "allow_outside"),
    [case[1:4] for case in REFUSED if case[0] != "binary"],  # (a regular file, decoded after)
    ids=[case[0] for case in REFUSED if case[0] != "binary"],
)
def test_the_fast_open_leaves_every_refusal_to_the_checks(
    tmp_path: Path, no_hang: None, make: Callable[[Path], None], path: str, allow_outside: bool
) -> None:
    # (`test_refused` holds the words: these reach them only through `_checked`)
    root = tmp_path / "repo"
    write_files(root, {".git/config": GIT_CONFIG, ".GIT/config": GIT_CONFIG})
    write_files(tmp_path, {"outside/requirements.txt": "six\n"})
    make(root)
    assert Tree(root, allow_outside_root=allow_outside)._open_plain(path) is None


def test_the_fast_open_reads_plain_files_and_hands_the_rest_on(tmp_path: Path) -> None:
    write_files(tmp_path, {"svc/api/requirements.txt": "six\n", "top.txt": "idna\n"})
    tree = Tree(tmp_path)
    for path, text in (("svc/api/requirements.txt", "six\n"), ("top.txt", "idna\n")):
        fd = tree._open_plain(path)
        assert fd is not None
        try:
            assert os.read(fd, 100) == text.encode()
        finally:
            os.close(fd)
    os.symlink("api", tmp_path / "svc" / "alias")
    os.symlink("top.txt", tmp_path / "linked.txt")
    (tmp_path / "big.txt").write_bytes(b"#" * (MAX_BYTES + 1))
    odd = ["svc/alias/requirements.txt", "linked.txt", "./top.txt", "svc//top.txt", "big.txt"]
    odd += ["svc/../top.txt", "svc\\api\\requirements.txt", ""]
    assert [tree._open_plain(path) for path in odd] == [None] * len(odd)
    # a link that stays inside the root is still read, by the checked path
    assert tree.read_text("svc/alias/requirements.txt") == ("six\n", [])
    assert tree.read_text("linked.txt") == ("idna\n", [])


def test_a_folder_held_open_is_never_a_way_out_and_a_new_scan_sees_the_tree_anew(
    tmp_path: Path,
) -> None:
    # the reader keeps the root and the last folder it read from open (a service's `.in` and
    # `.txt` are read one after the other)
    root = tmp_path / "repo"
    write_files(root, {"svc/requirements.in": "six\n", "svc/requirements.txt": "six==1\n"})
    write_files(tmp_path, {"elsewhere/requirements.txt": "secret\n"})
    tree = fs._tree(root, False)
    assert tree.read_text("svc/requirements.in") == ("six\n", [])
    # the folder moved aside and a link out put in its place: the folder held open is the one
    # that was checked, inside the root; the link is never followed
    (root / "svc").rename(root / "old")
    os.symlink(tmp_path / "elsewhere", root / "svc")
    assert tree.read_text("svc/requirements.txt")[0] != "secret\n"
    # once a scan is done the readers let go: the next read meets the link, and refuses it
    fs.release()
    with pytest.raises(ReadError, match="outside the scan root"):
        fs._tree(root, False).read_text("svc/requirements.txt")
    # and a folder replaced between two scans is read as it is now
    (root / "svc").unlink()
    write_files(root, {"svc/requirements.txt": "idna==3\n"})
    assert fs._tree(root, False).read_text("svc/requirements.txt") == ("idna==3\n", [])
    fs.release()


def test_scans_hold_no_descriptor_open_once_done(tmp_path: Path) -> None:
    files = {f"svc{i}/requirements.txt": "six==1.16.0\n" for i in range(5)}
    write_files(tmp_path, files)
    options = ScanOptions(root=tmp_path, interpreter=interpreter_environment())
    prepare(options)
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        prepare(options)
    assert len(os.listdir("/proc/self/fd")) == before
    assert not fs._TREES  # each scan let go of what it read through
    # a tree dropped without `close` lets go of its folders too
    tree = Tree(tmp_path)
    tree.read_text("svc0/requirements.txt")
    del tree
    assert len(os.listdir("/proc/self/fd")) == before


def test_a_folder_swapped_for_a_link_after_the_check_is_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write_files(root, {"svc/requirements.txt": "six\n"})
    write_files(tmp_path, {"elsewhere/requirements.txt": "secret\n"})
    real = os.path.realpath(root / "svc" / "requirements.txt")
    (root / "svc" / "requirements.txt").unlink()
    (root / "svc").rmdir()
    os.symlink(tmp_path / "elsewhere", root / "svc")
    location = fs.Location("svc/requirements.txt")
    with pytest.raises(ReadError, match="changed while it was being read"):
        fs._open_along(real, location)


def test_a_file_swapped_for_a_fifo_after_the_check_does_not_block(
    tmp_path: Path, no_hang: None
) -> None:
    (tmp_path / "requirements.txt").write_text("six\n")
    real = os.path.realpath(tmp_path / "requirements.txt")
    (tmp_path / "requirements.txt").unlink()
    os.mkfifo(tmp_path / "requirements.txt")
    with pytest.raises(ReadError, match="is not a regular file"):
        fs._open_along(real, fs.Location("requirements.txt"))


ENCODINGS = [
    ("utf-8", b"six==1.16\n", "six==1.16\n", None),
    ("utf-8 with a BOM", b"\xef\xbb\xbfsix\n", "six\n", None),
    ("utf-16 with a BOM", "\ufeffsix\n".encode("utf-16-le"), "six\n", None),
    ("latin-1", b"six\n# caf\xe9\n", "six\n# caf\xe9\n", 2),
]


@pytest.mark.parametrize(
    ("data", "text", "warned_line"),
    [case[1:] for case in ENCODINGS],
    ids=[case[0] for case in ENCODINGS],
)
def test_encodings(tmp_path: Path, data: bytes, text: str, warned_line: int | None) -> None:
    (tmp_path / "requirements.txt").write_bytes(data)
    got, warnings = Tree(tmp_path).read_text("requirements.txt")
    assert got == text
    assert [w.location.line for w in warnings] == ([warned_line] if warned_line else [])


def test_a_bad_utf16_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"\xff\xfe\x00\xd8")
    assert refusal(Tree(tmp_path), "requirements.txt").startswith("not valid utf-16-le text")


def test_questions_about_the_tree_stay_inside_it(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write_files(root, {"svc/requirements.txt": "six\n", ".git/config": GIT_CONFIG})
    write_files(tmp_path, {"outside/requirements.txt": "six\n"})
    _dir_out(root)
    tree = Tree(root)
    assert tree.is_file("svc/requirements.txt") and tree.is_dir("svc")
    assert not tree.exists("../outside/requirements.txt")
    assert not tree.exists(".git/config") and not tree.is_dir(".git")
    assert tree.join("svc", "../../x") is None
    assert tree.join("svc", "requirements.txt") == "svc/requirements.txt"
    # a glob does not list what a linked folder holds outside the root, nor .git
    assert tree.glob(".", "*/requirements.txt") == ["svc/requirements.txt"]
    assert tree.glob(".", "**/config") == []


# -- through the command line ----------------------------------------------------------------

FORMATS = ("text", "json", "sarif", "markdown", "github")


def _leaky(tmp_path: Path, files: dict[str, str], links: dict[str, str]) -> Path:
    root = repository(tmp_path / "repo", {".git/config": GIT_CONFIG, **files})
    for name, target in links.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / name)
    return root


LEAKS = [
    (
        "-r ../.git/config",
        {"svc/requirements.txt": "six\n-r ../.git/config\n"},
        {},
        "svc/requirements.txt",
        "cannot include '../.git/config': .git/config is inside a version-control directory "
        "(.git); not read",
    ),
    (
        "-c ../../.git/config",
        {"a/b/requirements.txt": "six\n-c ../../.git/config\n"},
        {},
        "a/b/requirements.txt",
        "cannot include '../../.git/config': .git/config is inside a version-control directory "
        "(.git); not read",
    ),
    (
        "requirements.txt -> .git/config",
        {},
        {"svc/requirements.txt": "../.git/config"},
        "svc/requirements.txt",
        "is a symbolic link into a version-control directory (.git); not read",
    ),
    (
        "pyproject.toml -> .git/config",
        {},
        {"svc/pyproject.toml": "../.git/config"},
        "svc/pyproject.toml",
        "is a symbolic link into a version-control directory (.git); not read",
    ),
    (
        "-r through a folder linked to .git",
        {"svc/requirements.txt": "six\n-r ../g/config\n"},
        {"g": ".git"},
        "svc/requirements.txt",
        "cannot include '../g/config': g/config is a symbolic link into a version-control "
        "directory (.git); not read",
    ),
]


@pytest.mark.parametrize(
    ("files", "links", "source", "message"),
    [case[1:] for case in LEAKS],
    ids=[case[0] for case in LEAKS],
)
@pytest.mark.parametrize("extra", [(), ("--allow-outside-root",)], ids=["", "allow-outside"])
def test_no_secret_from_git_reaches_any_output(
    tmp_path: Path,
    files: dict[str, str],
    links: dict[str, str],
    source: str,
    message: str,
    extra: tuple[str, ...],
) -> None:
    root = _leaky(tmp_path, files, links)
    reports = tmp_path / "reports"
    reports.mkdir()
    outputs = [f"--output={name}:{reports / name}" for name in FORMATS]
    result = run_module("scan", str(root), "--format", "json", *outputs, *extra)
    assert result.returncode == 2, result.stderr
    report = json.loads(result.stdout)
    assert [d["message"] for d in report["diagnostics"] if d["source"] == source] == [message]
    written = {name: (reports / name).read_text(encoding="utf-8") for name in FORMATS}
    assert all(written.values())
    for where, text in {"stdout": result.stdout, "stderr": result.stderr, **written}.items():
        assert TOKEN not in text, where
        assert "AUTHORIZATION" not in text.upper(), where
        assert "extraheader" not in text, where


def test_a_sparse_gigabyte_requirements_file_costs_no_memory(tmp_path: Path) -> None:
    root = repository(tmp_path, {})
    (root / "svc").mkdir()
    with (root / "svc" / "requirements.txt").open("wb") as handle:
        handle.truncate(1024**3)
    probe = (
        "import sys\n"
        "from depcheck.cli import main\n"
        "code = main(['scan', sys.argv[1], '--format', 'json'])\n"
        # VmHWM is this process's own peak (ru_maxrss may count the forking parent's)
        "peak = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(peak, code, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(root)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    peak_kib, code = result.stderr.split()[-2:]
    assert code == "2"
    assert int(peak_kib) < 200 * 1024  # the interpreter and depcheck: tens of MiB, not a GiB
    errors = [d for d in json.loads(result.stdout)["diagnostics"] if d["severity"] == "error"]
    assert [(d["source"], d["message"]) for d in errors] == [
        ("svc/requirements.txt", "is 1.0 GiB; depcheck reads files of at most 16 MiB")
    ]


def test_a_config_inside_git_is_not_read(tmp_path: Path) -> None:
    root = _leaky(tmp_path, {}, {"depcheck.toml": ".git/config"})
    result = run_module("scan", str(root))
    assert result.returncode == 2
    assert "version-control directory (.git)" in result.stderr
    assert TOKEN not in result.stdout + result.stderr


def test_discovery_never_walks_into_version_control_folders(tmp_path: Path) -> None:
    root = repository(tmp_path, {})
    for vcs in sorted(fs.VCS_DIRS):
        write_files(root, {f"{vcs}/svc/requirements.txt": "urllib3==1.0\n"})
    from depcheck.topology.discover import walk_dependency_files

    assert walk_dependency_files(root, include_dev=True) == [
        "api/requirements.txt",
        "web/requirements.txt",
    ]


def test_an_open_that_would_block_returns_at_once(tmp_path: Path, no_hang: None) -> None:
    """The FIFO has no writer: a plain open() would wait forever."""
    os.mkfifo(tmp_path / "requirements.txt")
    with pytest.raises(ReadError) as caught:
        Tree(tmp_path).read_bytes("requirements.txt")
    assert caught.value.message == "is not a regular file"
    assert caught.value.diagnostic().severity == "error"


def test_errno_words() -> None:
    location = fs.Location("x")
    assert fs._os_error(location, OSError(errno.EACCES, "Permission denied")).message == (
        "cannot read file: Permission denied"
    )


# -- deployment files read through the same door --------------------------------------------

DOCKERFILE = "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
OUTSIDE_FILES = {
    "outside/Dockerfile": "FROM python:3.9\nCOPY api/requirements.txt .\nRUN pip install -r requirements.txt\n",
    "outside/Procfile": "web: gunicorn --chdir api app:app\n",
    "outside/os-release": 'NAME="Debian GNU/Linux"\nVERSION_ID=12\n',
    "outside/template.yaml": "Transform: AWS::Serverless-2016-10-31\nResources: {}\n",
    "outside/serverless.yml": "service: x\nprovider: {name: aws, runtime: python3.9}\n",
}
COMPOSE_ENV = (
    "services:\n  api:\n    build:\n      context: ./api\n"
    "      args:\n        PY: ${VERSION_ID}\n        TOKEN: ${extraheader}\n"
)
ARG_DOCKERFILE = (
    "ARG PY=3.11\nFROM python:${PY}\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
)

DEPLOY_REFUSED = [
    (
        "Dockerfile -> ../outside/Dockerfile",
        {},
        {"Dockerfile": "../outside/Dockerfile"},
        (),
        "Dockerfile",
        OUTSIDE_LINK,
    ),
    (
        "Dockerfile -> .git/config",
        {},
        {"api/Dockerfile": "../.git/config"},
        (),
        "api/Dockerfile",
        "is a symbolic link into a version-control directory (.git); not read",
    ),
    (
        "Dockerfile -> /dev/zero",
        {},
        {"api/Dockerfile": "/dev/zero"},
        (),
        "api/Dockerfile",
        OUTSIDE_LINK,
    ),
    (
        "Dockerfile -> /dev/zero, outside reads allowed",
        {},
        {"api/Dockerfile": "/dev/zero"},
        ("--allow-outside-root",),
        "api/Dockerfile",
        "is not a regular file",
    ),
    (
        "a FIFO named Dockerfile",
        {},
        {"api/Dockerfile": "fifo"},
        (),
        "api/Dockerfile",
        "is not a regular file",
    ),
    (
        "compose.yaml -> /dev/zero",
        {},
        {"compose.yaml": "/dev/zero"},
        (),
        "compose.yaml",
        OUTSIDE_LINK,
    ),
    (
        "a FIFO named compose.yaml",
        {},
        {"compose.yaml": "fifo"},
        (),
        "compose.yaml",
        "is not a regular file",
    ),
    ("Procfile -> /etc/passwd", {}, {"Procfile": "/etc/passwd"}, (), "Procfile", OUTSIDE_LINK),
    (
        "Procfile -> ../outside/Procfile",
        {},
        {"Procfile": "../outside/Procfile"},
        (),
        "Procfile",
        OUTSIDE_LINK,
    ),
    ("a FIFO named Procfile", {}, {"Procfile": "fifo"}, (), "Procfile", "is not a regular file"),
    (
        "template.yaml -> outside",
        {},
        {"template.yaml": "../outside/template.yaml"},
        (),
        "template.yaml",
        OUTSIDE_LINK,
    ),
    (
        "serverless.yml -> outside",
        {},
        {"serverless.yml": "../outside/serverless.yml"},
        (),
        "serverless.yml",
        OUTSIDE_LINK,
    ),
    (
        ".env -> /etc/os-release",
        {"compose.yaml": COMPOSE_ENV, "api/Dockerfile": ARG_DOCKERFILE},
        {".env": "../outside/os-release"},
        (),
        ".env",
        OUTSIDE_LINK,
    ),
    (
        ".env -> .git/config",
        {"compose.yaml": COMPOSE_ENV, "api/Dockerfile": ARG_DOCKERFILE},
        {".env": ".git/config"},
        ("--allow-outside-root",),
        ".env",
        "is a symbolic link into a version-control directory (.git); not read",
    ),
    (
        "a Compose dockerfile through a linked folder",
        {"compose.yaml": "services:\n  api:\n    build:\n      context: ./linked\n"},
        {"linked": "../outside"},
        (),
        "linked/Dockerfile",
        OUTSIDE_DIR,
    ),
    (
        "Procfile with .python-version -> /etc/os-release",
        {"Procfile": "web: gunicorn --chdir api app:app\n"},
        {".python-version": "../outside/os-release"},
        (),
        ".python-version",
        OUTSIDE_LINK,
    ),
    (
        "Procfile with runtime.txt -> .git/config",
        {"Procfile": "web: gunicorn --chdir api app:app\n"},
        {"runtime.txt": ".git/config"},
        (),
        "runtime.txt",
        "is a symbolic link into a version-control directory (.git); not read",
    ),
]


def _deploy_repo(tmp_path: Path, files: dict[str, str], links: dict[str, str]) -> Path:
    root = repository(
        tmp_path / "repo", {".git/config": GIT_CONFIG, "api/Dockerfile": DOCKERFILE, **files}
    )
    write_files(tmp_path, OUTSIDE_FILES)
    for name, target in links.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        if target == "fifo":
            os.mkfifo(path)
        else:
            os.symlink(target, path)
    return root


@pytest.mark.parametrize(
    ("files", "links", "extra", "source", "message"),
    [case[1:] for case in DEPLOY_REFUSED],
    ids=[case[0] for case in DEPLOY_REFUSED],
)
def test_deployment_files_are_refused_like_dependency_files(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_hang: None,
    files: dict[str, str],
    links: dict[str, str],
    extra: tuple[str, ...],
    source: str,
    message: str,
) -> None:
    from depcheck.cli import main

    root = _deploy_repo(tmp_path, files, links)
    reports = tmp_path / "reports"
    reports.mkdir()
    outputs = [f"--output={name}:{reports / name}" for name in FORMATS]
    code = main(["scan", str(root), "--format", "json", "--hosts-from", "deploy", *outputs, *extra])
    captured = capsys.readouterr()
    assert_no_traceback(captured.out, captured.err)
    assert code == 2
    report = json.loads(captured.out)
    found = [(d["severity"], d["message"]) for d in report["diagnostics"] if d["source"] == source]
    assert found == [("error", message)]
    written = {name: (reports / name).read_text(encoding="utf-8") for name in FORMATS}
    for where, text in {"stdout": captured.out, "stderr": captured.err, **written}.items():
        assert TOKEN not in text, where
        assert "AUTHORIZATION" not in text.upper(), where
        assert "Debian" not in text and "python:12" not in text and "3.9" not in text, where
    # the other services are still checked
    assert {s["name"] for s in report["services"]} >= {"api", "web"}


def test_a_linked_dockerfile_is_refused_in_the_words_of_a_linked_requirements_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The defect of the architecture issue: one was read in silence, the other refused."""
    from depcheck.cli import main

    root = _deploy_repo(
        tmp_path,
        {},
        {"Dockerfile": "../outside/Dockerfile", "svc/requirements.txt": "../../outside/Dockerfile"},
    )
    code = main(["scan", str(root), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 2
    messages = {d["source"]: d["message"] for d in report["diagnostics"]}
    assert messages["Dockerfile"] == messages["svc/requirements.txt"] == OUTSIDE_LINK
    assert "python:3.9" not in json.dumps(report) and "3.9" not in json.dumps(report["hosts"])
