"""`depcheck plan --resolve --emit locks DIR`: one pip-compile-format lock per group, which pip
installs as it is (checked with `pip install --dry-run` against the test's own wheels), written
only outside the scanned repository and never over a file depcheck did not write."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from depcheck.model import Environment, Host, Location
from depcheck.resolve.locks import LOCK_HEADER, render_lock
from depcheck.resolve.resolver import Need, Origin, Proof
from tests.conftest import write_tree
from tests.resolve.server import PackageIndex
from tests.resolve.test_proof import THREE
from tests.resolve.test_scan_resolve import Run, cache_args


def three_services(index: PackageIndex, tmp_path: Path) -> Path:
    index.add("botocore", "1.34.0", ["urllib3<2.1,>=1.25.4", "jmespath<2,>=0.7"])
    index.add("jmespath", "1.0.1")
    for version in ("1.26.18", "2.0.7", "2.2.1"):
        index.add("urllib3", version)
    index.add("requests", "2.31.0", ["urllib3>=1.21,<3"])
    return write_tree(
        tmp_path / "repo",
        {
            "depcheck.toml": THREE,
            "services/a/requirements.in": "botocore==1.34.0\n",
            "services/b/requirements.in": "urllib3>=2.2\nrequests\n",
            "services/c/requirements.in": "requests\n",
        },
    )


def emit(run_cli: Run, root: Path, index: PackageIndex, out: Path, *more: str) -> tuple[int, str]:
    code, _, err = run_cli(
        "plan", str(root), "--resolve", "--index-url", index.url, *cache_args(out.parent),
        "--emit", "locks", str(out), *more,
    )  # fmt: skip
    assert "Traceback" not in err
    return code, err


def pins(lock: Path) -> dict[str, str]:
    found = {}
    for line in lock.read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            name, _, version = line.partition("==")
            found[name] = version
    return found


def pip_installs(lock: Path, wheels: Path, tmp_path: Path) -> dict[str, str]:
    """What `pip install --dry-run -r lock` would install from the wheels alone."""
    report = tmp_path / f"{lock.stem}-pip.json"
    result = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
            "--no-index", "--find-links", str(wheels), "--only-binary=:all:",
            "--no-cache-dir", "--disable-pip-version-check", "--quiet",
            "--report", str(report), "-r", str(lock),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(report.read_text())
    return {
        item["metadata"]["name"].lower(): item["metadata"]["version"]
        for item in document["install"]
    }


def test_each_group_lock_installs_with_pip(
    run_cli: Run, index: PackageIndex, tmp_path: Path
) -> None:
    root = three_services(index, tmp_path)
    out = tmp_path / "locks"
    code, err = emit(run_cli, root, index, out)
    assert code == 1, err  # the host must split
    locks = sorted(out.iterdir())
    assert [p.name for p in locks] == ["web-a-c.txt", "web-b.txt"]
    by_group = {p.name: pins(p) for p in locks}
    assert by_group["web-a-c.txt"] == {
        "botocore": "1.34.0",
        "jmespath": "1.0.1",
        "requests": "2.31.0",
        "urllib3": "2.0.7",
    }
    assert by_group["web-b.txt"] == {"requests": "2.31.0", "urllib3": "2.2.1"}
    for lock in locks:
        # pip installs exactly the lock: every pin, nothing more, each at its version
        assert pip_installs(lock, index.files_dir, tmp_path) == by_group[lock.name]
    text = (out / "web-a-c.txt").read_text()
    assert text.startswith(LOCK_HEADER + "\n")
    assert "# services: a, c\n" in text
    assert "botocore==1.34.0\n    # via -r services/a/requirements.in\n" in text
    assert "jmespath==1.0.1\n    # via botocore\n" in text
    assert "urllib3==2.0.7\n    # via\n    #   botocore\n    #   requests\n" in text
    assert f"--emit locks {out}" in text  # how to write it again
    assert "wrote 2 locks" in err


def test_host_without_conflicts_gets_one_lock(
    run_cli: Run, index: PackageIndex, tmp_path: Path
) -> None:
    root = three_services(index, tmp_path)
    (root / "services/a/requirements.in").write_text("requests\n")
    out = tmp_path / "locks"
    code, err = emit(run_cli, root, index, out)
    assert code == 0, err
    (lock,) = out.iterdir()
    assert lock.name == "web.txt"
    assert pins(lock) == {"requests": "2.31.0", "urllib3": "2.2.1"}
    assert pip_installs(lock, index.files_dir, tmp_path) == pins(lock)
    assert "    # via\n    #   -r services/a/requirements.in\n    #   -r services/b/" in (
        lock.read_text()
    )


def test_never_into_the_repository(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    root = three_services(index, tmp_path)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    for inside in (root / "locks", root, root / "services" / "a"):
        code, err = emit(run_cli, root, index, inside)
        assert code == 2
        assert "inside the scanned repository" in err
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_never_overwrites_other_files(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    root = three_services(index, tmp_path)
    out = tmp_path / "locks"
    out.mkdir()
    foreign = out / "web-b.txt"
    foreign.write_text("somebody's own file\n")
    code, err = emit(run_cli, root, index, out)
    assert code == 2 and "never overwrites it" in err
    assert foreign.read_text() == "somebody's own file\n"
    assert not (out / "web-a-c.txt").exists()  # nothing written when one cannot be
    foreign.unlink()
    assert emit(run_cli, root, index, out)[0] == 1
    code, err = emit(run_cli, root, index, out)
    assert code == 2 and "use --force" in err
    assert emit(run_cli, root, index, out, "--force")[0] == 1


def test_locks_need_resolve(run_cli: Run, tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"requirements.txt": "a==1\n"})
    code, _, err = run_cli("plan", str(root), "--emit", "locks", str(tmp_path / "locks"))
    assert code == 2 and "--emit locks needs --resolve" in err
    code, _, err = run_cli("plan", str(root), "--emit", "wheels", str(tmp_path / "x"))
    assert code == 2 and "choose compose or locks" in err


@pytest.mark.parametrize("hostile", ["web\n-r /etc/passwd", "web\r\nevil==1.0", "web\x1b[2J"])
def test_names_cannot_add_lines(hostile: str) -> None:
    environment = Environment("3.11", "3.11.9", "linux", "posix", "Linux")
    host = Host(hostile, (hostile,), environment)
    origin = Origin(hostile, Location(f"{hostile}/requirements.in", 1), "alpha")
    need = Need("alpha", frozenset(), SpecifierSet(), origin)
    proof = Proof({"alpha": Version("1.0")}, {"alpha": ("",)})
    text = render_lock(host, (hostile,), (1, 1), proof, [need], f"depcheck plan {hostile}")
    lines = text.splitlines()
    assert [line for line in lines if not line.startswith(("#", "    #"))] == ["alpha==1.0"]
    assert "\x1b" not in text and "\r" not in text
