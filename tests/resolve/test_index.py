"""Where `--resolve` looks and how long it waits: pip's PIP_* variables (and their precedence
under the command line), and a stalling index that must end in a diagnostic, not a hang."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from depcheck.resolve.index import file_link
from tests.resolve.builders import build_wheel
from tests.resolve.conftest import serve_index
from tests.resolve.server import PackageIndex
from tests.resolve.test_scan_resolve import Run, botocore_index, cache_args, repo, scan


@pytest.fixture
def second_index(tmp_path: Path) -> Iterator[PackageIndex]:
    with serve_index(tmp_path / "second-files") as served:
        yield served


def dead_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/simple"


def urllib3_conflict(report: dict[str, object]) -> bool:
    conflicts = report["conflicts"]
    assert isinstance(conflicts, list)
    return [(c["package"], c["kind"]) for c in conflicts] == [("urllib3", "incompatible")]


def test_pip_index_url(
    run_cli: Run, index: PackageIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    botocore_index(index)
    monkeypatch.setenv("PIP_INDEX_URL", index.url)
    root = repo(tmp_path, "botocore==1.34.0\n", "urllib3>=2.2\n")
    code, report = scan(run_cli, root, *cache_args(tmp_path))
    assert code == 1 and urllib3_conflict(report), report["diagnostics"]
    assert "/simple/botocore/" in index.requests


def test_command_line_wins_over_pip_index_url(
    run_cli: Run, index: PackageIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    botocore_index(index)
    monkeypatch.setenv("PIP_INDEX_URL", dead_url())
    root = repo(tmp_path, "botocore==1.34.0\n", "urllib3>=2.2\n")
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1 and urllib3_conflict(report), report["diagnostics"]


def test_pip_extra_index_url(
    run_cli: Run,
    index: PackageIndex,
    second_index: PackageIndex,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # botocore lives on the main index, urllib3 only on the extra one
    index.add("botocore", "1.34.0", ["urllib3<2.1"])
    for version in ("2.0.7", "2.2.1"):
        second_index.add("urllib3", version)
    monkeypatch.setenv("PIP_INDEX_URL", index.url)
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", second_index.url)
    root = repo(tmp_path, "botocore==1.34.0\n", "urllib3>=2.2\n")
    code, report = scan(run_cli, root, *cache_args(tmp_path))
    assert code == 1 and urllib3_conflict(report), report["diagnostics"]
    assert "/simple/urllib3/" in second_index.requests


def test_pip_find_links_and_no_index(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "wheels-a", tmp_path / "wheels-b"
    build_wheel(first, "botocore", "1.34.0", requires=["urllib3<2.1"])
    build_wheel(second, "urllib3", "2.0.7")
    build_wheel(second, "urllib3", "2.2.1")
    monkeypatch.setenv("PIP_FIND_LINKS", f"{first} {second}")  # pip's space-separated list
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    root = repo(tmp_path, "botocore==1.34.0\n", "urllib3>=2.2\n")
    code, report = scan(run_cli, root, *cache_args(tmp_path))
    assert code == 1 and urllib3_conflict(report), report["diagnostics"]


def test_stalling_index_times_out(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    # the index accepts the connection and then says nothing for 5 s per request
    index.add("alpha", "1.0")
    index.delay = 5.0
    root = repo(tmp_path, "alpha==1.0\n", "alpha>=1\n")
    config = root / "depcheck.toml"
    config.write_text(config.read_text() + "\n[resolve]\ntimeout = 0.3\nretries = 1\n")
    started = time.monotonic()
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    elapsed = time.monotonic() - started
    assert elapsed < 4.0  # two tries of 0.3 s and a back-off, not two of 5 s
    assert code == 2
    messages = [d["message"] for d in report["diagnostics"]]
    assert any(
        m.startswith("alpha: ") and "timed out after 0.3 s (tried 2 times)" in m for m in messages
    ), messages
    assert report["conflicts"] == []  # the static result stands


_PART = st.sampled_from(
    ["foo", "Foo_Bar", "foo__x", "", "x.y", "1.0", "2!1.0.post1", "1.0+local", "bad!", "1a",
     "3", "12abc", "py3", "cp311", "none", "abi3", "any", "manylinux_2_17_x86_64",
     "macosx_11_0_arm64.macosx_10_9_x86_64", "py2.py3", "cp311.cp312", ".py3", "a-b"]
)  # fmt: skip


@given(st.lists(_PART, min_size=3, max_size=8))
def test_wheel_names_are_read_as_packaging_reads_them(parts: list[str]) -> None:
    # the memoized halves in file_link accept and read exactly what parse_wheel_filename does
    filename = "-".join(parts) + ".whl"
    try:
        expected: object = parse_wheel_filename(filename)[:2]
    except InvalidWheelFilename:
        expected = "invalid"
    link = file_link("https://files.example/" + filename, filename)
    assert (expected == "invalid") is (link is None)
    if link is not None:
        assert (link.project, link.version) == expected


def test_connections_are_kept_alive(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    """Each fetch thread keeps its connection to the index: a run opens at most one per thread
    (8), not one per request."""
    botocore_index(index)
    for k in range(12):
        index.add(f"extra{k}", "1.0", metadata=True)
    extras = "".join(f"extra{k}\n" for k in range(12))
    root = repo(tmp_path, "botocore==1.34.0\n" + extras, "urllib3>=2.2\n")
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1 and urllib3_conflict(report)
    assert len(index.requests) > 20
    assert index.connections <= 8


def test_a_redirect_is_followed(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    botocore_index(index)
    index.redirects["/simple/urllib3/"] = "/simple/urllib3/?moved"
    root = repo(tmp_path, "botocore==1.34.0\n", "urllib3>=2.2\n")
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1 and urllib3_conflict(report), report["diagnostics"]
    assert "/simple/urllib3/?moved" in index.requests


def test_a_dropped_keep_alive_connection_is_opened_again(index: PackageIndex) -> None:
    from depcheck.resolve.index import HttpClient

    index.add("alpha", "1.0")
    client = HttpClient(retries=0)
    assert b"alpha-1.0" in client.get(index.url + "/alpha/").data
    (connection,) = client._local.connections.values()
    assert connection.sock is not None
    connection.sock.shutdown(socket.SHUT_RDWR)  # as a server closing an idle connection
    assert b"alpha-1.0" in client.get(index.url + "/alpha/").data
    assert index.connections == 2 and client.requests == 2
