"""Unattended runs (CI, scripts): what makes a mis-pointed or mistyped check fail loudly.

An empty scan is an error, the config is found upward from a subdirectory, an unknown
`--output` format and a mistyped option are usage errors with the command's own usage, report
files get the umask's mode, and a self-contradicting service is a finding (exit 1).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, write_tree

RunCli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """`depcheck ARGS` in-process: (exit code, stdout, stderr), also when argparse exits."""
    from depcheck.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


# -- usage errors ----------------------------------------------------------------------------


def test_a_mistyped_option_gets_the_commands_usage_and_a_suggestion(run_cli: RunCli) -> None:
    code, out, err = run_cli("scan", str(FIXTURES / "demo"), "--fromat", "json")
    assert code == 2 and out == ""
    assert err.startswith("usage: depcheck scan ")
    assert "error: unrecognized arguments: --fromat json (did you mean --format?)" in err
    assert "(run 'depcheck scan --help' for the options)" in err


@pytest.mark.parametrize(
    ("args", "usage", "suggestion"),
    [
        (["why", "requests", "--fromat", "json"], "usage: depcheck why ", "--format"),
        (["plan", "--emti", "compose", "x"], "usage: depcheck plan ", "--emit"),
        (["graph", "--conflict-only"], "usage: depcheck graph ", "--conflicts-only"),
        (["sacn", "."], "usage: depcheck [-h]", "scan"),
    ],
)
def test_every_command_says_its_own_usage(
    run_cli: RunCli, args: list[str], usage: str, suggestion: str
) -> None:
    code, _, err = run_cli(*args)
    assert code == 2
    assert err.startswith(usage)
    assert f"(did you mean {suggestion}?)" in err


@pytest.mark.parametrize("prefix", ["--out", "--form", "--fail", "--verb"])
def test_option_prefixes_are_not_accepted(run_cli: RunCli, prefix: str) -> None:
    code, _, err = run_cli("scan", str(FIXTURES / "demo"), prefix, "json")
    assert code == 2
    assert f"unrecognized arguments: {prefix}" in err


def test_an_argument_that_fits_nothing_names_no_suggestion(run_cli: RunCli) -> None:
    code, _, err = run_cli("scan", str(FIXTURES / "demo"), "--zzzzzz")
    assert code == 2
    assert "error: unrecognized arguments: --zzzzzz\n" in err


# -- --output --------------------------------------------------------------------------------


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_an_unknown_output_format_is_a_usage_error(run_cli: RunCli, workdir: Path) -> None:
    code, out, err = run_cli("scan", str(FIXTURES / "demo"), "--output", "yaml:x.yaml")
    assert code == 2 and out == ""
    assert err.startswith("usage: depcheck scan ")
    assert (
        "error: --output yaml:x.yaml: unknown format 'yaml' (choose from text, json, sarif, "
        "markdown, github); for a file of that name, write ./yaml:x.yaml"
    ) in err
    assert list(workdir.iterdir()) == []
    code, _, err = run_cli("scan", str(FIXTURES / "demo"), "--output", "json:")
    assert code == 2 and "--output json:: no FILE after json:" in err
    # the way to a file with a colon in its name
    code, _, _ = run_cli("scan", str(FIXTURES / "demo"), "--output", "./yaml:x.yaml")
    assert code == 1
    assert (workdir / "yaml:x.yaml").read_text(encoding="utf-8").startswith("depcheck ")


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    old = os.umask(0o022)
    yield lambda mask: os.umask(mask) and None
    os.umask(old)


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX file modes")
@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_report_files_honour_the_umask(
    run_cli: RunCli, workdir: Path, umask: Callable[[int], None], mask: int, mode: int
) -> None:
    umask(mask)
    code, _, _ = run_cli(
        "scan",
        str(FIXTURES / "demo"),
        "-o",
        "r.txt",
        "-o",
        "sarif:r.sarif",
        "--write-baseline",
        "b.json",
    )
    assert code == 1
    for name in ("r.txt", "r.sarif", "b.json"):
        assert stat.S_IMODE((workdir / name).stat().st_mode) == mode, name
    assert sorted(p.name for p in workdir.iterdir()) == ["b.json", "r.sarif", "r.txt"]


# -- the config, found upward ----------------------------------------------------------------


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """The demo as a git repository (a `.git` folder is what marks its root)."""
    root = tmp_path / "outer" / "repo"
    shutil.copytree(FIXTURES / "demo", root)
    (root / ".git").mkdir()
    return root


def test_the_config_is_found_upward_from_a_subdirectory(
    run_cli: RunCli, repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repository / "services" / "api")
    code, out, _ = run_cli("scan", "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["root"] == "../.." and report["config"] == "depcheck.toml"
    assert report["summary"]["services"] == 5 and report["summary"]["hosts"] == 2
    assert report["notes"][0] == (
        "config ../../depcheck.toml found upward from the working directory: scanning ../.., "
        "the directory it describes"
    )
    code, out, _ = run_cli("scan", "--color", "never")
    assert out.splitlines()[0].endswith("(../.., config depcheck.toml)")
    assert "  config ../../depcheck.toml found upward" in out
    # a PATH given is scanned as given: no search
    code, out, _ = run_cli("scan", ".", "--format", "json")
    assert json.loads(out)["config"] is None and json.loads(out)["root"] == "."


def test_the_search_stops_at_the_repository_root(
    run_cli: RunCli, repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a config above the repository belongs to something else
    (repository / "depcheck.toml").rename(repository.parent / "depcheck.toml")
    monkeypatch.chdir(repository / "services" / "api")
    _, out, _ = run_cli("scan", "--format", "json")
    report = json.loads(out)
    assert report["root"] == "." and report["config"] is None
    assert [s["name"] for s in report["services"]] == ["."]
    assert not report["notes"] or "found upward" not in report["notes"][0]


def test_a_pyproject_with_a_depcheck_table_is_found_upward(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(
        tmp_path / "repo",
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            "pyproject.toml": '[tool.depcheck.services.a]\npath = "a"\n'
            '[tool.depcheck.services.b]\npath = "b"\n',
            "a/requirements.txt": "six==1.16.0\n",
            "b/requirements.txt": "six==1.15.0\n",
        },
    )
    monkeypatch.chdir(root / "a")
    code, out, _ = run_cli("scan", "--format", "json")
    report = json.loads(out)
    assert (report["root"], report["config"]) == ("..", "pyproject.toml")
    assert [s["name"] for s in report["services"]] == ["a", "b"] and code == 1


# -- a self-contradicting service ------------------------------------------------------------


@pytest.mark.parametrize(("fail_on", "expected"), [("any", 1), ("incompatible", 1), ("never", 0)])
def test_a_self_contradicting_service_is_a_finding(
    run_cli: RunCli, tmp_path: Path, fail_on: str, expected: int
) -> None:
    root = write_tree(
        tmp_path,
        {
            "api/requirements.txt": "requests>=2.31\n",
            "api/requirements.in": "requests<2.28\n",
            "web/requirements.txt": "flask\n",
        },
    )
    code, out, _ = run_cli("scan", str(root), "--format", "json", "--fail-on", fail_on)
    report = json.loads(out)
    assert code == expected == report["summary"]["exit_code"]
    (error,) = report["diagnostics"]
    assert error["severity"] == "error" and error["finding"] is True
    assert error["message"].startswith("service 'api' contradicts itself")
    # an unreadable file beside it still makes the run an input error
    (root / "web" / "requirements.txt").write_text("flask==\n", encoding="utf-8")
    code, _, _ = run_cli("scan", str(root), "--format", "json", "--fail-on", fail_on)
    assert code == 2
