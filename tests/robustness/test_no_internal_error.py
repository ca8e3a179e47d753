"""No input makes depcheck fail with an internal error (exit 3).

Each case below once ended in exit 3 with no report written (issue #11, "Internal errors"). Now
each is a diagnostic naming the file and, where the parser knows it, the line; the exit code is
2 for an error (1 when only conflicts fail the run); every report file is written and is valid
UTF-8, and the JSON report parses and still holds the healthy services' conflict.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from depcheck.cli import main
from depcheck.report.json import load_schema
from tests.robustness.conftest import assert_no_traceback, repository, write_files

FORMATS = ("text", "json", "sarif", "markdown", "github")
DIGITS = "1" * 5000  # past Python's 4300-digit limit for int()


def _scan_everything(
    root: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, object], str]:
    """One scan writing every format, then `plan --emit`, `why` and `graph`: the scan's exit
    code, its JSON report and its standard error. Every document must be valid UTF-8."""
    out.mkdir()
    outputs = [arg for f in FORMATS for arg in ("--output", f"{f}:{out}/report.{f}")]
    code = main(["scan", str(root), "--format", "json", "--quiet", *outputs])
    captured = capsys.readouterr()
    assert_no_traceback(captured.out, captured.err)
    for name in FORMATS:
        (out / f"report.{name}").read_bytes().decode("utf-8")  # strict: valid UTF-8
    report = json.loads(captured.out)
    assert report == json.loads((out / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, load_schema(), cls=jsonschema.Draft202012Validator)
    json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    for args in (
        ["plan", str(root), "--quiet", "--emit", "compose", str(out / "plan" / "compose.yaml")],
        ["why", "urllib3", str(root), "--format", "json"],
        ["graph", str(root), "--format", "json"],
        ["graph", str(root), "--format", "graphml"],
    ):
        other = main(args)
        printed = capsys.readouterr()
        assert other != 3, (args, printed.err)
        assert_no_traceback(printed.out, printed.err)
        printed.out.encode("utf-8")
        printed.err.encode("utf-8")
    for path in (out / "plan").rglob("*"):
        if path.is_file():
            path.read_bytes().decode("utf-8")
    return code, report, captured.err


def _diagnostic(report: dict[str, object], source: str, fragment: str) -> dict[str, object]:
    diagnostics = report["diagnostics"]
    assert isinstance(diagnostics, list)
    found = [d for d in diagnostics if d["source"] == source and fragment in d["message"]]
    assert found, diagnostics
    assert not any("a bug in depcheck" in d["message"] for d in diagnostics), diagnostics
    return found[0]


LONG = "x" * 300  # one path component past NAME_MAX (255 bytes): ENAMETOOLONG
SAM = (
    "Transform: AWS::Serverless-2016-10-31\n"
    "Resources:\n"
    "  Broken:\n"
    "    Type: AWS::Serverless::Function\n"
    "    Properties: oops\n"
    "  Layer:\n"
    "    Type: AWS::Serverless::LayerVersion\n"
    "    Properties: oops\n"
)

# (files, exit code, source, line, words of the diagnostic)
CASES: dict[str, tuple[dict[str, str], int, str, int | None, str]] = {
    "include-name-too-long": (
        {"svc/requirements.txt": f"-r {LONG}.txt\nrequests\n"},
        2,
        "svc/requirements.txt",
        1,
        "File name too long",
    ),
    "constraint-name-too-long": (
        {"svc/requirements.txt": f"requests\n-c {LONG}\n"},
        2,
        "svc/requirements.txt",
        2,
        "File name too long",
    ),
    "nul-in-include": (
        # past the first 8 KB, where the binary-file check looks
        {"svc/requirements.txt": "#" * 9000 + "\nrequests\n-r a\x00b.txt\n"},
        2,
        "svc/requirements.txt",
        3,
        "holds a NUL character",
    ),
    "two-specifiers-with-5000-digit-versions": (
        {"svc/requirements.txt": f"requests>=1.{DIGITS},<2.{DIGITS}\n"},
        2,
        "svc/requirements.txt",
        1,
        "too long to compare",
    ),
    "poetry-caret-with-5000-digits": (
        {
            "svc/pyproject.toml": (
                "[tool.poetry]\nname = 'svc'\n[tool.poetry.dependencies]\n"
                f"python = '^3.9'\nrequests = '^{DIGITS}'\n"
            )
        },
        2,
        "svc/pyproject.toml",
        5,
        "too long to compare",
    ),
    "pyproject-with-a-5000-digit-integer": (
        {"svc/pyproject.toml": f"[project]\nname = 'svc'\nversion = {DIGITS}\n"},
        2,
        "svc/pyproject.toml",
        3,
        "more than 4300 digits",
    ),
    "uv-lock-with-a-5000-digit-integer": (
        {
            "svc/pyproject.toml": "[project]\nname = 'svc'\nversion = '1'\n",
            "svc/uv.lock": f"version = 1\nrevision = {DIGITS}\n",
        },
        2,
        "svc/uv.lock",
        2,
        "more than 4300 digits",
    ),
    "poetry-lock-with-a-5000-digit-integer": (
        {
            "svc/pyproject.toml": "[tool.poetry]\nname = 'svc'\n",
            "svc/poetry.lock": f"[[package]]\nname = 'requests'\nversion = '2.0'\nx = {DIGITS}\n",
        },
        2,
        "svc/poetry.lock",
        4,
        "more than 4300 digits",
    ),
    "pylock-with-a-5000-digit-integer": (
        {"svc/pylock.toml": f"lock-version = {DIGITS}\n"},
        2,
        "svc/pylock.toml",
        1,
        "more than 4300 digits",
    ),
    "pipfile-lock-with-a-100001-digit-number": (
        {
            "svc/Pipfile": "[packages]\nrequests = '*'\n",
            "svc/Pipfile.lock": '{"_meta": {"pipfile-spec": ' + "1" * 100_001 + "}}",
        },
        2,
        "svc/Pipfile.lock",
        1,
        "more than 4300 digits",
    ),
    "config-with-a-5000-digit-integer": (
        {"depcheck.toml": f"[hosts.h]\nservices = ['api', 'web']\npython = {DIGITS}\n"},
        2,
        "depcheck.toml",
        3,
        "more than 4300 digits",
    ),
    "config-path-too-long": (
        {"depcheck.toml": f"[services.api]\npath = 'api'\n[services.long]\npath = '{LONG}'\n"},
        2,
        "depcheck.toml",
        4,
        "is not a directory",
    ),
    "config-source-with-a-nul": (
        {
            "depcheck.toml": (
                "[services.api]\npath = 'api'\n[services.web]\npath = 'web'\n"
                '[services.nul]\nsources = ["r\\u0000.txt"]\n'
            )
        },
        2,
        "r\x00.txt",
        None,
        "holds a NUL character",
    ),
    "sam-properties-not-a-mapping": (
        {"template.yaml": SAM, "api/Dockerfile": "FROM python:3.11\n"},
        1,
        "template.yaml",
        3,
        "its Properties are not a mapping",
    ),
    "dockerfile-stage-copying-from-itself": (
        {
            "Dockerfile": (
                "FROM python:3.11 AS a\nCOPY --from=a /r.txt /r.txt\nRUN pip install -r /r.txt\n"
            )
        },
        1,
        "Dockerfile",
        2,
        "names this stage itself",
    ),
    "dockerfile-stage-mounting-itself": (
        {
            "Dockerfile": (
                "FROM python:3.11 AS a\nRUN --mount=from=a,target=/m pip install -r /m/r.txt\n"
            )
        },
        1,
        "Dockerfile",
        2,
        "names this stage itself",
    ),
    "compose-context-name-too-long": (
        {"compose.yaml": f"services:\n  long:\n    build:\n      context: {LONG}\n"},
        1,
        "compose.yaml",
        4,
        "is not a directory in the repository",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_diagnostic_not_an_internal_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    files, expected_code, source, line, words = CASES[case]
    root = repository(tmp_path / "repo", files)
    code, report, err = _scan_everything(root, tmp_path / "out", capsys)
    assert code == expected_code, report["diagnostics"]
    diagnostic = _diagnostic(report, source, words)
    assert diagnostic["line"] == line
    if "depcheck.toml" not in files:  # (a config lists its own services)
        assert "urllib3" in {c["package"] for c in report["conflicts"]}  # type: ignore[attr-defined]
    assert source.replace("\x00", "\\x00") in err  # standard error shows controls escaped


def test_a_yaml_integer_past_the_digit_limit_is_read_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repository(
        tmp_path / "repo",
        {
            "compose.yaml": (
                f"services:\n  api:\n    build:\n      context: api\n      args:\n"
                f"        PY: {DIGITS}\n"
            ),
            "api/Dockerfile": (
                "FROM python:3.11\nARG PY\nCOPY requirements.txt .\n"
                "RUN pip install -r requirements.txt\n"
            ),
        },
    )
    code, report, _ = _scan_everything(root, tmp_path / "out", capsys)
    assert code == 0  # api alone on its image: nothing clashes there
    assert not [d for d in report["diagnostics"] if d["severity"] == "error"]  # type: ignore[attr-defined]


def _non_utf8_directory(root: Path) -> Path:
    """`root` with a service in a directory whose name is the bytes `svc\\xff\\xfe`."""
    repository(root, {})
    name = os.fsencode(root) + b"/svc\xff\xfe"
    try:
        os.mkdir(name)
    except OSError as exc:  # a file system that only takes UTF-8 names (macOS)
        pytest.skip(f"cannot create a non-UTF-8 name here: {exc}")
    with open(name + b"/requirements.txt", "w", encoding="utf-8") as handle:
        handle.write("urllib3==1.26.18\n")
    return root


def test_a_directory_name_that_is_not_utf8_is_shown_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _non_utf8_directory(tmp_path / "repo")
    code, report, _ = _scan_everything(root, tmp_path / "out", capsys)
    assert code == 1
    services = [s["name"] for s in report["services"]]  # type: ignore[attr-defined]
    assert "svc\\xff\\xfe" in services
    # the clash of svc with web is found like any other
    conflict = next(c for c in report["conflicts"] if c["package"] == "urllib3")  # type: ignore[attr-defined]
    assert "svc\\xff\\xfe" in conflict["services"]
    sarif = json.loads((tmp_path / "out" / "report.sarif").read_text(encoding="utf-8"))
    uris = {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for run in sarif["runs"]
        for result in run["results"]
        for location in [*result["locations"], *result.get("relatedLocations", [])]
    }
    # SARIF names the file by its own bytes, percent-encoded
    assert any("svc%FF%FE/requirements.txt" in uri for uri in uris), uris
    text = (tmp_path / "out" / "report.text").read_text(encoding="utf-8")
    assert "svc\\xff\\xfe" in text


def test_conflict_ids_of_a_non_utf8_name_are_stable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _non_utf8_directory(tmp_path / "repo")
    ids = []
    for attempt in range(2):
        _, report, _ = _scan_everything(root, tmp_path / f"out{attempt}", capsys)
        ids.append(sorted(c["id"] for c in report["conflicts"]))  # type: ignore[attr-defined]
    assert ids[0] == ids[1] and ids[0]


BaselineText = Callable[[], str]

BASELINES: dict[str, tuple[BaselineText, str]] = {
    "nested-100000-deep": (lambda: "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "a-100001-digit-number": (
        lambda: '{"schema_version": ' + "1" * 100_001 + "}",
        "a number of more than 4300 digits",
    ),
    "schema-version-true": (
        lambda: '{"schema_version": true, "conflicts": []}',
        "not a depcheck JSON report",
    ),
    "schema-version-1.0": (
        lambda: '{"schema_version": 1.0, "conflicts": []}',
        "not a depcheck JSON report",
    ),
    "not-utf8": (lambda: "\udcff", "cannot read"),
}


@pytest.mark.parametrize("case", sorted(BASELINES))
def test_a_hostile_baseline_is_a_usage_error_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    text, words = BASELINES[case]
    root = repository(tmp_path / "repo", {})
    baseline = tmp_path / "baseline.json"
    baseline.write_bytes(text().encode("utf-8", "surrogateescape"))
    code = main(["scan", str(root), "--baseline", str(baseline)])
    captured = capsys.readouterr()
    assert_no_traceback(captured.out, captured.err)
    assert code == 2
    assert captured.err.startswith(f"error: --baseline {baseline}")
    assert words in captured.err
    assert len(captured.err.splitlines()) == 1


@pytest.mark.parametrize("ref", ["", "  ", "-x", "--output=/tmp/owned"])
def test_an_empty_or_option_like_diff_base_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ref: str
) -> None:
    root = write_files(tmp_path, {"api/requirements.txt": "urllib3\n"})
    code = main(["scan", str(root), f"--diff-base={ref}"])
    captured = capsys.readouterr()
    assert code == 2
    assert "\nerror: --diff-base" in "\n" + captured.err  # (after the command's usage)
    assert captured.out == ""


def test_a_bug_on_one_file_is_an_error_on_that_file_and_the_scan_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last line of defence: an exception depcheck did not foresee while reading one file
    (here forced into the Procfile reader and the pyproject reader) is an error diagnostic on
    that file, asking for a report; the other files are still read and the report written."""
    from depcheck.sources.pyproject import PyprojectSource
    from depcheck.topology.deploy.procfile import ProcfileReader

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("unforeseen")

    monkeypatch.setattr(PyprojectSource, "read", broken)
    monkeypatch.setattr(ProcfileReader, "read", broken)
    root = repository(
        tmp_path / "repo",
        {"svc/pyproject.toml": "[project]\nname = 'svc'\n", "Procfile": "web: gunicorn app\n"},
    )
    code, report, _ = _scan_everything(root, tmp_path / "out", capsys)
    assert code == 2
    messages = {d["source"]: d["message"] for d in report["diagnostics"]}  # type: ignore[attr-defined]
    for source in ("svc/pyproject.toml", "Procfile"):
        assert messages[source].startswith("depcheck could not read this file (a bug in depcheck")
        assert "KeyError: 'unforeseen'" in messages[source]
    assert "urllib3" in {c["package"] for c in report["conflicts"]}  # type: ignore[attr-defined]
