"""The command line end to end: exit codes, formats, files, help, and the demo's golden report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from depcheck.report.json import load_schema
from tests.conftest import FIXTURES, ROOT, write_tree

GOLDEN = ROOT / "tests" / "golden" / "demo.json"
RunCli = Callable[..., tuple[int, str, str]]
ScanJson = Callable[..., tuple[int, Any]]


def validate(report: Any) -> None:
    jsonschema.validate(report, load_schema(), cls=jsonschema.Draft202012Validator)


def test_demo_report_matches_the_golden_file(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run_cli("scan", "fixtures/demo", "--format", "json")
    assert code == 1, err
    if os.environ.get("DEPCHECK_UPDATE_GOLDEN"):
        GOLDEN.write_text(out, encoding="utf-8")
    assert out == GOLDEN.read_text(encoding="utf-8")
    validate(json.loads(out))


def test_demo_report_content(scan_json: ScanJson) -> None:
    code, report = scan_json(FIXTURES / "demo")
    assert code == 1
    assert report["summary"] == {
        "services": 5,
        "hosts": 2,
        "conflicts": 3,
        "incompatible": 1,
        "pin_mismatch": 2,
        "errors": 0,
        "warnings": 0,
        "new": 0,
        "changed": 0,
        "ignored": 0,
        "fixed": 0,
        "fail_on": "any",
        "exit_code": 1,
    }
    found = {
        (c["host"], c["package"], c["kind"], tuple(c["services"])) for c in report["conflicts"]
    }
    assert found == {
        ("web", "requests", "incompatible", ("api", "auth", "billing")),
        ("web", "gunicorn", "pin-mismatch", ("api", "auth")),
        ("web", "urllib3", "pin-mismatch", ("api", "auth")),
    }
    (plan,) = report["plans"]
    assert plan == {
        "host": "web",
        "groups": [["api", "auth"], ["billing"]],
        "isolate": ["billing"],
        "method": "exact",
        "lower_bound": 2,
        "images": [
            {
                "name": "api-auth",
                "services": ["api", "auth"],
                "installs": ["services/api/requirements.txt", "services/auth/requirements.txt"],
            },
            {
                "name": "billing",
                "services": ["billing"],
                "installs": ["services/billing/requirements.txt"],
            },
        ],
    }
    urllib3 = next(c for c in report["conflicts"] if c["package"] == "urllib3")
    assert urllib3["verified"] is False
    assert urllib3["recommendation"]["action"] == "align"
    assert urllib3["recommendation"]["version"] == "2.2.1"
    api_pin = next(r for r in urllib3["requirements"] if r["service"] == "api")
    assert (
        api_pin["direct"] is False
        and api_pin["via"]
        and api_pin["source"] == "services/api/requirements.txt"
    )
    hosts = {h["name"]: h["environment"] for h in report["hosts"]}
    assert hosts["batch"]["python_version"] == "3.12" and hosts["batch"]["source"] == "config"
    # the dev file's requests==2.32.3 is not part of billing unless asked for
    assert all(
        s["path"] != "services/billing/requirements-dev.txt"
        for svc in report["services"]
        for s in svc["sources"]
    )


def test_the_same_input_gives_identical_bytes(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    first = run_cli("scan", "fixtures/demo", "--format", "json")[1]
    second = run_cli("scan", "fixtures/demo", "--format", "json")[1]
    assert first == second


def test_text_report_shows_constraints_locations_advice_and_summary(run_cli: RunCli) -> None:
    code, out, _ = run_cli("scan", str(FIXTURES / "demo"), "--color", "never")
    assert code == 1
    assert "✗  requests  incompatible  api      ==2.31.0      services/api/requirements.in:4" in out
    assert "→ move out billing: no requests satisfies ==2.31.0, >=2.31 and >=2.20,<2.28" in out
    assert "plan  split web into 2 groups: [api, auth] [billing]" in out
    assert "host batch  (python 3.12, linux; config)  etl · reports\n  ✓ no conflicts" in out
    assert out.rstrip().endswith(
        "3 conflicts (1 incompatible, 2 pin mismatch) on 1 of 2 hosts · exit 1"
    )
    assert "\x1b[" not in out
    assert not any(line.endswith(" ") for line in out.splitlines())


def test_include_dev_reads_development_files(scan_json: ScanJson) -> None:
    _, report = scan_json(FIXTURES / "demo", "--include-dev")
    billing = next(s for s in report["services"] if s["name"] == "billing")
    assert "services/billing/requirements-dev.txt" in [s["path"] for s in billing["sources"]]
    # the test pin contradicts billing's own runtime range: a finding for billing (exit 1,
    # as the conflicts), not an input error
    assert report["summary"]["exit_code"] == 1
    (error,) = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert error["finding"] is True
    assert error["message"].startswith(
        "service 'billing' contradicts itself on host web: no version of requests"
    )
    assert "requests==2.32.3 (services/billing/requirements-dev.txt:4)" in error["message"]


def test_no_conflicts_exits_zero(tmp_path: Path, scan_json: ScanJson) -> None:
    write_tree(tmp_path, {"a/requirements.txt": "flask>=2\n", "b/requirements.txt": "flask<4\n"})
    code, report = scan_json(tmp_path)
    assert code == 0
    assert report["conflicts"] == [] and report["plans"] == []
    validate(report)


def test_input_errors_exit_two_and_the_rest_is_still_reported(
    tmp_path: Path, scan_json: ScanJson
) -> None:
    write_tree(
        tmp_path,
        {
            "a/requirements.txt": "flask==2.0\nrequests==\n",
            "b/requirements.txt": "flask>=3\n",
        },
    )
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "requirements.txt").write_bytes(b"\x00\xff\x00")
    code, report = scan_json(tmp_path)
    assert code == 2
    assert [(c["package"], c["services"]) for c in report["conflicts"]] == [("flask", ["a", "b"])]
    assert [(d["source"], d["line"], d["column"]) for d in report["diagnostics"]] == [
        ("a/requirements.txt", 2, 11),
        ("c/requirements.txt", None, None),
    ]
    validate(report)


def test_markers_follow_python_and_platform_flags(tmp_path: Path, scan_json: ScanJson) -> None:
    write_tree(
        tmp_path,
        {
            "a/requirements.txt": 'tomli>=2 ; python_version < "3.11"\n',
            "b/requirements.txt": 'tomli<2 ; python_version < "3.11"\npywin32==300 ; sys_platform == "win32"\n',
            "c/requirements.txt": "pywin32==306 ; sys_platform == 'win32'\n",
        },
    )
    assert scan_json(tmp_path, "--python", "3.12", "--platform", "linux")[0] == 0
    code, report = scan_json(tmp_path, "--python", "3.10", "--platform", "win32")
    assert code == 1
    assert [c["package"] for c in report["conflicts"]] == ["pywin32", "tomli"]
    assert (
        report["hosts"][0]["environment"]["source"]
        == "python from --python, platform from --platform"
    )


def test_output_file_is_written_atomically_and_stdout_stays_empty(
    tmp_path: Path, run_cli: RunCli
) -> None:
    out_file = tmp_path / "report.json"
    code, out, err = run_cli(
        "scan", str(FIXTURES / "demo"), "--format", "json", "--output", str(out_file)
    )
    assert code == 1
    assert out == ""
    assert "wrote json report to" in err
    validate(json.loads(out_file.read_text()))
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "does/not/exist"], "error: does/not/exist: no such directory"),
        (["scan", "--python", "three"], "--python takes a version such as 3.11"),
        (["scan", "--format", "yaml"], "invalid choice: 'yaml'"),
        (["scan", "--platform", "beos"], "invalid choice: 'beos'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_usage_errors_exit_two(run_cli: RunCli, args: list[str], message: str) -> None:
    try:
        code, _, err = run_cli(*args)
    except SystemExit as exit_:
        code, err = int(exit_.code or 0), ""
        assert code == 2
        return
    assert code == 2
    assert message in err


def test_argparse_errors_exit_two_with_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    from depcheck.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["scan", "--format", "yaml"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "error: argument --format/-f: invalid choice: 'yaml'" in err
    assert "run 'depcheck scan --help'" in err


def test_config_error_exits_two_naming_the_key(tmp_path: Path, run_cli: RunCli) -> None:
    write_tree(tmp_path, {"depcheck.toml": "[hosts.web]\nservices = ['a']\nplatform = 'linux2'\n"})
    code, _, err = run_cli("scan", str(tmp_path))
    assert code == 2
    assert err.strip() == (
        "error: config depcheck.toml:3: hosts.web.platform: must be one of linux, darwin, win32, not 'linux2'"
    )


def test_empty_repository_says_nothing_was_found(tmp_path: Path, run_cli: RunCli) -> None:
    code, out, _ = run_cli("scan", str(tmp_path), "--color", "never")
    assert code == 2
    assert f"error: .: no services under {tmp_path.name}" in out
    code, out, _ = run_cli("plan", str(tmp_path))
    assert code == 2 and f"no services under {tmp_path.name}" in out
    code, out, _ = run_cli("plan", str(tmp_path), "--allow-empty")
    assert code == 0


def test_internal_errors_are_one_line_without_traceback(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import depcheck.pipeline

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom\nsecond line")

    monkeypatch.setattr(depcheck.pipeline, "scan", boom)
    code, _, err = run_cli("scan", str(FIXTURES / "demo"))
    assert code == 3
    assert (
        err.strip()
        == "depcheck: internal error, please report it: RuntimeError: kaboom (run with --debug for the traceback)"
    )
    code, _, err = run_cli("scan", str(FIXTURES / "demo"), "--debug")
    assert code == 3 and "Traceback" in err


def test_every_option_is_documented_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    from depcheck.cli import main

    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    out = capsys.readouterr().out
    for option in (
        "--config",
        "--format",
        "--output",
        "--python",
        "--platform",
        "--include-dev",
        "--allow-outside-root",
        "--verbose",
        "--color",
        "--quiet",
        "--debug",
        "Exit codes",
    ):
        assert option in out


def test_installed_entry_points_run(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "depcheck", "scan", str(FIXTURES / "demo"), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["summary"]["conflicts"] == 3


def test_a_narrow_log_gets_one_constraint_per_line(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    code, out, _ = run_cli("scan", str(FIXTURES / "demo"), "--color", "never")
    assert code == 1
    lines = out.splitlines()
    assert "  ✗ requests  incompatible" in lines
    assert "     api  ==2.31.0  services/api/requirements.in:4" in lines
    # no file path is folded mid-word into a narrow column
    assert any(line.strip() == "services/billing/requirements.txt:4" for line in lines)
    assert all(len(line) <= 60 for line in lines[2:-1] if not line.startswith(("error", "warning")))
