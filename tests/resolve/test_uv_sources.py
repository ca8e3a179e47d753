"""Local projects join a proof from their static PEP 621 metadata, never from an index and
never by building them: `-e ./libs/x`, a Poetry path dependency, a uv workspace member and a
`[tool.uv.sources]` path; a project whose dependencies are dynamic is a diagnostic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import write_tree
from tests.resolve.server import PackageIndex
from tests.resolve.test_scan_resolve import TOPOLOGY, Run, cache_args, scan

MYLIB = """\
[project]
name = "mylib"
version = "0.1.0"
dependencies = ["urllib3<2"]
"""

AUTH = "urllib3>=2.2\n"


def urllib3_index(index: PackageIndex) -> None:
    for version in ("1.26.18", "2.2.1"):
        index.add("urllib3", version)


def assert_clash_through_mylib(
    report: dict[str, object], index: PackageIndex, where: int = 1
) -> None:
    conflicts = report["conflicts"]
    assert isinstance(conflicts, list)
    assert [(c["package"], c["kind"]) for c in conflicts] == [("urllib3", "incompatible")], report[
        "diagnostics"
    ]
    (conflict,) = conflicts
    assert conflict["services"] == ["api", "auth"]
    assert "urllib3<2 (api)" in conflict["reason"]
    api = next(r for r in conflict["requirements"] if r["service"] == "api")
    # the range is mylib's, attributed to the line of api's file that names mylib
    assert api["specifier"] == "<2" and api["line"] == where
    assert not any("mylib" in r for r in index.requests)  # never looked up on the index


def test_editable_path(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    urllib3_index(index)
    root = write_tree(
        tmp_path / "repo",
        {
            "depcheck.toml": TOPOLOGY,
            "libs/mylib/pyproject.toml": MYLIB,
            "services/api/requirements.in": "-e ../../libs/mylib\n",
            "services/auth/requirements.in": AUTH,
        },
    )
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1
    assert_clash_through_mylib(report, index)


def test_poetry_path_dependency(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    urllib3_index(index)
    root = write_tree(
        tmp_path / "repo",
        {
            "depcheck.toml": TOPOLOGY,
            "libs/mylib/pyproject.toml": MYLIB,
            "services/api/pyproject.toml": (
                '[tool.poetry]\nname = "api"\nversion = "1.0"\n\n'
                '[tool.poetry.dependencies]\npython = "^3.11"\n'
                'mylib = { path = "../../libs/mylib", develop = true }\n'
            ),
            "services/auth/requirements.in": AUTH,
        },
    )
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1
    assert_clash_through_mylib(report, index, where=7)


UV_TOPOLOGY = TOPOLOGY.replace('path = "services/api"', 'path = "packages/api"')


def test_uv_workspace_member(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    urllib3_index(index)
    root = write_tree(
        tmp_path / "repo",
        {
            "depcheck.toml": UV_TOPOLOGY,
            "pyproject.toml": (
                '[project]\nname = "monorepo"\nversion = "0"\n\n'
                '[tool.uv.workspace]\nmembers = ["packages/*"]\nexclude = ["packages/old"]\n'
            ),
            "packages/mylib/pyproject.toml": MYLIB,
            "packages/old/pyproject.toml": MYLIB.replace("urllib3<2", "urllib3>=0"),
            "packages/api/pyproject.toml": (
                '[project]\nname = "api"\nversion = "1.0"\ndependencies = ["mylib"]\n\n'
                "[tool.uv.sources]\nmylib = { workspace = true }\n"
            ),
            "services/auth/requirements.in": AUTH,
        },
    )
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1
    assert_clash_through_mylib(report, index, where=4)


def test_uv_sources_path_and_a_missing_member(
    run_cli: Run, index: PackageIndex, tmp_path: Path
) -> None:
    urllib3_index(index)
    root = write_tree(
        tmp_path / "repo",
        {
            "depcheck.toml": UV_TOPOLOGY,
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["packages/*"]\n',
            "libs/mylib/pyproject.toml": MYLIB,
            "packages/api/pyproject.toml": (
                '[project]\nname = "api"\nversion = "1.0"\n'
                'dependencies = ["mylib", "ghost"]\n\n'
                '[tool.uv.sources]\nmylib = { path = "../../libs/mylib" }\n'
                "ghost = { workspace = true }\n"
            ),
            "services/auth/requirements.in": AUTH,
        },
    )
    _, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert_clash_through_mylib(report, index, where=4)
    ghost = [d for d in report["diagnostics"] if d["message"].startswith("ghost:")]
    assert [d["source"] for d in ghost] == ["packages/api/pyproject.toml"]
    assert "no member of the workspace" in ghost[0]["message"]
    assert not any("ghost" in r for r in index.requests)


def test_dynamic_dependencies_are_a_diagnostic(
    run_cli: Run, index: PackageIndex, tmp_path: Path
) -> None:
    urllib3_index(index)
    marker = tmp_path / "BUILT"
    root = write_tree(
        tmp_path / "repo",
        {
            "depcheck.toml": TOPOLOGY,
            "libs/mylib/pyproject.toml": (
                '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
                '[project]\nname = "mylib"\nversion = "0.1"\ndynamic = ["dependencies"]\n'
            ),
            "libs/mylib/setup.py": f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n",
            "services/api/requirements.in": "-e ../../libs/mylib\n",
            "services/auth/requirements.in": AUTH,
        },
    )
    _, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert not marker.exists()
    assert report["conflicts"] == []
    (diagnostic,) = [d for d in report["diagnostics"] if "dynamic" in d["message"]]
    assert diagnostic["severity"] == "warning"
    assert (diagnostic["source"], diagnostic["line"]) == ("services/api/requirements.in", 1)


def test_a_local_projects_pyproject_is_read_by_the_confined_reader(
    index: PackageIndex, tmp_path: Path
) -> None:
    # a hostile PR: one local project's pyproject.toml is a FIFO (a plain read would block
    # forever), another sits inside .git, a third is a link out of the root; the installed
    # command ends, warns at each line, and never asks the index for what they would add
    urllib3_index(index)
    outside = write_tree(tmp_path / "outside", {"pyproject.toml": MYLIB.replace("mylib", "out")})
    root = write_tree(
        tmp_path / "repo",
        {
            "depcheck.toml": TOPOLOGY,
            ".git/proj/pyproject.toml": MYLIB.replace('"urllib3<2"', '"evil-from-git"'),
            "services/api/requirements.in": "-e ../../libs/fifo\n-e ../../.git/proj\n",
            "services/auth/requirements.in": "-e ../../libs/linked\n" + AUTH,
        },
    )
    (root / "libs" / "fifo").mkdir(parents=True)
    os.mkfifo(root / "libs" / "fifo" / "pyproject.toml")
    (root / "libs" / "linked").mkdir()
    (root / "libs" / "linked" / "pyproject.toml").symlink_to(outside / "pyproject.toml")
    done = subprocess.run(
        [sys.executable, "-m", "depcheck", "scan", str(root), "--format", "json", "--resolve",
         "--index-url", index.url, *cache_args(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    warnings = {
        (d["source"], d["line"]): d["message"]
        for d in report["diagnostics"]
        if "local project" in d["message"]
    }
    assert (
        "(libs/fifo/pyproject.toml: is not a regular file)"
        in warnings[("services/api/requirements.in", 1)]
    )
    assert "version-control directory" in warnings[("services/api/requirements.in", 2)]
    assert "outside the scan root" in warnings[("services/auth/requirements.in", 1)]
    asked = {r.rstrip("/").rsplit("/", 1)[-1] for r in index.requests}
    assert "evil-from-git" not in asked and "urllib3" in asked


def test_vcs_and_url_references_are_named_as_such(
    run_cli: Run, index: PackageIndex, tmp_path: Path
) -> None:
    urllib3_index(index)
    root = write_tree(
        tmp_path / "repo",
        {
            "depcheck.toml": TOPOLOGY,
            "services/api/requirements.in": (
                "lib @ git+https://example.invalid/lib@abc\n"
                "wheel @ https://example.invalid/wheel-1.0-py3-none-any.whl\n"
            ),
            "services/auth/requirements.in": AUTH,
        },
    )
    _, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    messages = {d["line"]: d["message"] for d in report["diagnostics"]}
    assert "a version-control reference, which depcheck does not fetch" in messages[1]
    assert "a direct URL, which depcheck does not fetch" in messages[2]
    assert not any("local project" in m for m in messages.values())


def test_the_workspace_roots_sources_apply_to_members(
    run_cli: Run, index: PackageIndex, tmp_path: Path
) -> None:
    # as uv does: the root's [tool.uv.sources] holds for a member that names no source itself;
    # mylib comes from the workspace, upstream from a git repository depcheck does not fetch
    urllib3_index(index)
    root = write_tree(
        tmp_path / "repo",
        {
            "depcheck.toml": UV_TOPOLOGY,
            "pyproject.toml": (
                '[project]\nname = "monorepo"\nversion = "0"\n\n'
                '[tool.uv.workspace]\nmembers = ["packages/*"]\n\n'
                "[tool.uv.sources]\nmylib = { workspace = true }\n"
                'upstream = { git = "https://example.invalid/upstream", branch = "main" }\n'
            ),
            "packages/mylib/pyproject.toml": MYLIB,
            "packages/api/pyproject.toml": (
                '[project]\nname = "api"\nversion = "1.0"\n'
                'dependencies = ["mylib", "upstream == 0.1.dev0"]\n'
            ),
            "services/auth/requirements.in": AUTH,
        },
    )
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1
    assert_clash_through_mylib(report, index, where=4)
    (left_out,) = [d for d in report["diagnostics"] if "upstream" in d["message"]]
    assert left_out["severity"] == "warning" and left_out["message"] == (
        "upstream: [tool.uv.sources] in pyproject.toml installs it from a git repository,"
        " which depcheck does not fetch; left out of the proof"
    )
    assert not any("upstream" in r for r in index.requests)


def test_a_poetry_path_project_joins_from_its_poetry_table(
    run_cli: Run, index: PackageIndex, tmp_path: Path
) -> None:
    # mylib has no [project] table, only Poetry's: its main dependencies join (its dev group
    # does not), converted as Poetry reads them (^1.25 -> >=1.25,<2)
    urllib3_index(index)
    root = write_tree(
        tmp_path / "repo",
        {
            "depcheck.toml": TOPOLOGY,
            "libs/mylib/pyproject.toml": (
                '[tool.poetry]\nname = "mylib"\nversion = "0.1.0"\n\n'
                '[tool.poetry.dependencies]\npython = "^3.9"\nurllib3 = "^1.25"\n\n'
                '[tool.poetry.group.dev.dependencies]\nnever-released = "*"\n'
            ),
            "services/api/requirements.in": "-e ../../libs/mylib\n",
            "services/auth/requirements.in": AUTH,
        },
    )
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1, report["diagnostics"]
    (conflict,) = report["conflicts"]
    assert (conflict["package"], conflict["kind"]) == ("urllib3", "incompatible")
    api = next(r for r in conflict["requirements"] if r["service"] == "api")
    assert api["specifier"] == "<2.0,>=1.25" or api["specifier"] == ">=1.25,<2.0"
    assert not any("never-released" in r or "mylib" in r for r in index.requests)
