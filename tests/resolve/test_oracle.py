"""Verdicts against real resolvers: depcheck's per-host answer equals `uv pip compile`'s and
pip-compile's (pip-tools, driving pip's resolver) over the same loopback index, wheels only,
for a table of scenarios."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.resolve.server import PackageIndex
from tests.resolve.test_scan_resolve import Run, cache_args, repo, scan

UV = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
PIP_COMPILE = shutil.which("pip-compile") or str(Path(sys.executable).parent / "pip-compile")

# (index: name -> [(version, requires)], api lines, auth lines)
SCENARIOS = {
    "transitive clash": (
        {"botocore": [("1.34.0", ["urllib3<2.1"])], "urllib3": [("2.0.7", []), ("2.2.1", [])]},
        ["botocore==1.34.0"],
        ["urllib3>=2.2"],
    ),
    "transitive fits": (
        {"botocore": [("1.34.0", ["urllib3<2.1"])], "urllib3": [("2.0.7", []), ("2.2.1", [])]},
        ["botocore==1.34.0"],
        ["urllib3>=2.0"],
    ),
    "marker in metadata": (
        {
            "tool": [("1.0", ["winlib<1; sys_platform == 'win32'"])],
            "winlib": [("0.5", []), ("1.5", [])],
        },
        ["tool"],
        ["winlib>=1"],
    ),
    "extra in metadata": (
        {"client": [("1.0", ["socks<1; extra == 'proxy'"])], "socks": [("0.9", []), ("1.2", [])]},
        ["client[proxy]"],
        ["socks>=1"],
    ),
    "index gap": ({"alpha": [("1.0", []), ("1.1", [])]}, ["alpha>1.0"], ["alpha<1.1"]),
    "pre-release only": ({"pre": [("1.0", []), ("2.0b1", [])]}, ["pre>=2.0b1"], ["pre<3"]),
    "local version": ({"torchy": [("2.1.0+cpu", [])]}, ["torchy==2.1.0"], ["torchy>=2"]),
    "epoch": ({"ep": [("1!0.5", []), ("3.0", [])]}, ["ep>=2"], ["ep<1"]),
    "backtracking": (
        {"top": [("1.0", ["base<2"]), ("2.0", ["base>=3"])], "base": [("1.0", []), ("3.0", [])]},
        ["top"],
        ["base<2"],
    ),
    # the hull of a range whose lowest release carries a local label, with a gap beside it
    "local version in an index gap": (
        {"torchy": [("1.0", []), ("2.1.0+cpu", []), ("2.3", [])]},
        ["torchy>=2,<2.2"],
        ["torchy>2.1.0,<2.5"],
    ),
    # `!=2.1.0` would exclude `2.1.0+cpu` too: that hole stays open
    "local beside its public release": (
        {"torchy": [("2.1.0", []), ("2.1.0+cpu", []), ("2.2", [])]},
        ["torchy==2.1.0+cpu"],
        ["torchy>=2.1,<2.2"],
    ),
    # `pk[proxy]` is `pk` plus more: the pre-release the pin names is the one both install
    "extra beside a pre-release pin": (
        {"pk": [("1.0", []), ("2.0b1", [])]},
        ["pk==2.0b1"],
        ["pk[proxy]"],
    ),
    "extra before a range only a pre-release meets": (
        {"pk": [("1.0", []), ("2.0b1", [])]},
        ["pk[proxy]"],
        ["pk>=1.5"],
    ),
}


def uv_verdict(index: PackageIndex, tmp_path: Path, lines: list[str]) -> bool:
    requirements = tmp_path / "union.in"
    requirements.write_text("\n".join(lines) + "\n")
    result = subprocess.run(
        [
            UV,
            "pip",
            "compile",
            str(requirements),
            "--index-url",
            index.url,
            "--python-version",
            "3.11",
            "--python-platform",
            "x86_64-unknown-linux-gnu",
            "--no-build",
            "--no-config",
            "--cache-dir",
            str(tmp_path / "uv-cache"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "UV_NO_PROGRESS": "1"},
        check=False,
    )
    if result.returncode != 0:
        assert "No solution found" in result.stderr, result.stderr  # a verdict, not an error
    return result.returncode == 0


def pip_compile_verdict(index: PackageIndex, tmp_path: Path, lines: list[str]) -> bool:
    """pip-compile (pip-tools) resolves for the interpreter running it: Python 3.11 on linux
    here, the hosts' environment in these scenarios (the test is skipped elsewhere)."""
    requirements = tmp_path / "union.in"
    requirements.write_text("\n".join(lines) + "\n")
    result = subprocess.run(
        [
            PIP_COMPILE,
            str(requirements),
            "--output-file",
            str(tmp_path / "union.txt"),
            "--index-url",
            index.url,
            "--pip-args",
            "--only-binary=:all:",
            "--cache-dir",
            str(tmp_path / "pip-tools-cache"),
            "--no-header",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INPUT": "1"},
        check=False,
    )
    if result.returncode != 0:
        # a verdict, not an error: pip's resolver says why it found no installable set
        assert "ResolutionImpossible" in result.stderr or "conflict" in result.stderr.lower(), (
            result.stderr
        )
    return result.returncode == 0


def add_scenario(index: PackageIndex, name: str) -> tuple[list[str], list[str]]:
    packages, api, auth = SCENARIOS[name]
    for package, releases in packages.items():
        for version, requires in releases:
            index.add(package, version, requires, extras=["proxy"])
    return api, auth


def assert_same_verdict(
    run_cli: Run, index: PackageIndex, tmp_path: Path, name: str, installable: bool
) -> None:
    """depcheck's verdict on the scenario's two services equals the resolver's."""
    _, api, auth = SCENARIOS[name]
    root = repo(tmp_path, "\n".join(api) + "\n", "\n".join(auth) + "\n")
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert report["summary"]["errors"] == 0, report["diagnostics"]
    incompatible = [c for c in report["conflicts"] if c["kind"] == "incompatible"]
    assert (not incompatible) == installable, (name, incompatible)
    assert code == (0 if installable else 1)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_verdict_as_uv(run_cli: Run, index: PackageIndex, tmp_path: Path, name: str) -> None:
    if not Path(UV).exists():
        pytest.skip("uv is not installed")
    api, auth = add_scenario(index, name)
    assert_same_verdict(run_cli, index, tmp_path, name, uv_verdict(index, tmp_path, api + auth))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_verdict_as_pip_compile(
    run_cli: Run, index: PackageIndex, tmp_path: Path, name: str
) -> None:
    if not Path(PIP_COMPILE).exists():
        pytest.skip("pip-tools is not installed")
    if sys.version_info[:2] != (3, 11) or not sys.platform.startswith("linux"):
        pytest.skip("pip-compile resolves for its own interpreter; the hosts are 3.11 on linux")
    api, auth = add_scenario(index, name)
    verdict = pip_compile_verdict(index, tmp_path, api + auth)
    assert_same_verdict(run_cli, index, tmp_path, name, verdict)
