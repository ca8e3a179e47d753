"""TOML and JSON sources that do not parse, have the wrong shape, or were cut off in transfer.

A syntax error is one error at the line (and column) the parser names; a value of the wrong type
is one error at the line of its key, and the rest of the file is still read; either way the
healthy services are still analysed and the exit code is 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.robustness.conftest import ScanJson, repository, run_module

# (file, text, line, column, message): one syntax error per TOML or INI source
SYNTAX_ERRORS = [
    (
        "pyproject.toml",
        '[project]\nname = "x"\ndependencies = [\n  "a",\n  "b"\n  "c",\n]\n',
        6,
        3,
        "invalid TOML: Unclosed array",
    ),
    (
        "pyproject.toml",
        '[project]\nname = "x"\ndependencies = ["flask",',
        3,
        None,
        "invalid TOML: Invalid value",
    ),
    ("Pipfile", "[packages]\nrequests = \n", 2, 12, "invalid TOML: Invalid value"),
    (
        "poetry.lock",
        '[[package]]\nname = "six"\nversion = "1.16.0"\n[[package]\n',
        4,
        10,
        "invalid TOML: Expected ']]' at the end of an array declaration",
    ),
    (
        "uv.lock",
        'version = 1\n\n[[package]]\nname = "six"\nname = "six"\n',
        5,
        13,
        "invalid TOML: Cannot overwrite a value",
    ),
    (
        "pylock.toml",
        'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "six\n',
        4,
        12,
        "invalid TOML: Illegal character '\\n'",
    ),
    ("setup.cfg", "install_requires = flask\n", 1, None, "not an INI file"),
    (
        "setup.cfg",
        "[options]\ninstall_requires = flask\n[options]\n",
        3,
        None,
        "section [options] is defined twice",
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "line", "column", "message"),
    SYNTAX_ERRORS,
    ids=[f"{case[0]}-{index}" for index, case in enumerate(SYNTAX_ERRORS)],
)
def test_a_syntax_error_names_its_line(
    tmp_path: Path,
    scan: ScanJson,
    name: str,
    text: str,
    line: int,
    column: int | None,
    message: str,
) -> None:
    result = scan(repository(tmp_path, {f"svc/{name}": text}))
    assert result.code == 2
    error = result.only(f"svc/{name}")
    assert (error["line"], error["column"]) == (line, column)
    assert error["message"].startswith(message)
    result.assert_healthy_still_analysed()


# (file, text, line, message): values of the wrong type
WRONG_SHAPES = [
    (
        "pyproject.toml",
        '[project]\nname = "x"\ndependencies = "requests"\n',
        3,
        "`project.dependencies` must be an array of PEP 508 strings, not a string",
    ),
    (
        "pyproject.toml",
        'project = "x"\n',
        1,
        "`project` must be a table, not a string",
    ),
    (
        "pyproject.toml",
        '[project]\nname = "x"\ndependencies = ["six", 3]\n',
        3,
        "`project.dependencies` entry 2 must be a PEP 508 string, not an integer",
    ),
    (
        "pyproject.toml",
        '[project]\nname = "x"\noptional-dependencies = ["redis"]\n',
        3,
        "`project.optional-dependencies` must be a table, not an array",
    ),
    (
        "pyproject.toml",
        '[dependency-groups]\ndev = "pytest"\n',
        2,
        "dependency group 'dev' must be an array, not a string",
    ),
    (
        "pyproject.toml",
        '[tool.poetry]\nname = "x"\ndependencies = ["flask"]\n',
        3,
        "`tool.poetry.dependencies` must be a table, not an array",
    ),
    (
        "Pipfile",
        'packages = "requests"\n',
        1,
        "[packages] must be a table of packages, not a string",
    ),
    (
        "Pipfile",
        "[packages]\nrequests = 2\n",
        2,
        "requests: a package must be a version string or a table, not an integer",
    ),
    (
        "Pipfile",
        "[requires]\npython_version = 3.11\n",
        2,
        "python_version must be a string, not a float",
    ),
    ("poetry.lock", 'package = "six"\n', 1, "`package` should be an array of tables"),
    ("poetry.lock", '[[package]]\nname = "six"\n', 2, "[[package]] 'six' has no version; skipped"),
    (
        "poetry.lock",
        '[[package]]\nname = "six"\nversion = "latest"\n',
        2,
        "[[package]] 'six' has version 'latest', which is not a PEP 440 version; skipped",
    ),
    ("uv.lock", "version = 1\npackage = 3\n", 2, "`package` should be an array of tables"),
    (
        "uv.lock",
        "version = 1\n[[package]]\nname = 'six'\nversion = 'x.y'\n",
        3,
        "[[package]] 'six' has version 'x.y', which is not a PEP 440 version; skipped",
    ),
    (
        "pylock.toml",
        "lock-version = '1.0'\ncreated-by = 'x'\n[[packages]]\nname = 'six'\nversion = 3\n",
        4,
        "version of 'six' should be a string; skipped",
    ),
    ("uv.lock", "version = 1\n[[package]]\nversion = '1.0'\n", 2, "[[package]] entry has no name"),
    (
        "pylock.toml",
        'lock-version = "1.0"\ncreated-by = "x"\npackages = {}\n',
        3,
        "`packages` should be an array of tables",
    ),
    ("Pipfile.lock", "[]\n", 1, "a Pipfile.lock should hold a JSON object"),
    ("Pipfile.lock", '{\n  "default": []\n}\n', 2, "'default' should be a JSON object"),
    (
        "Pipfile.lock",
        '{\n  "default": {\n    "six": "==1.16.0"\n  }\n}\n',
        3,
        "entry 'six' should be a JSON object",
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "line", "message"),
    WRONG_SHAPES,
    ids=[f"{case[0]}-{index}" for index, case in enumerate(WRONG_SHAPES)],
)
def test_a_value_of_the_wrong_shape_names_its_line(
    tmp_path: Path, scan: ScanJson, name: str, text: str, line: int, message: str
) -> None:
    result = scan(repository(tmp_path, {f"svc/{name}": text}))
    assert result.code == 2
    errors = [d for d in result.at(f"svc/{name}") if d["severity"] == "error"]
    assert (errors[0]["line"], errors[0]["message"]) == (line, message)
    result.assert_healthy_still_analysed()


def test_the_rest_of_a_file_with_a_wrong_value_still_counts(tmp_path: Path, scan: ScanJson) -> None:
    text = (
        '[project]\nname = "svc"\ndependencies = ["urllib3==1.26.18", 3]\n'
        '[project.optional-dependencies]\ndocs = "sphinx"\n'
    )
    result = scan(repository(tmp_path, {"svc/pyproject.toml": text}))
    assert result.code == 2
    assert [d["line"] for d in result.at("svc/pyproject.toml")] == [3, 5]
    assert ("urllib3", ("api", "svc", "web")) in result.conflicts


LOCKS = [
    (
        "poetry-lock/uploader/poetry.lock",
        "poetry.lock",
        149,
        None,
        "invalid TOML: Unterminated string",
    ),
    (
        "uv-lock/platform/uv.lock",
        "uv.lock",
        104,
        None,
        "invalid TOML: Expected '=' after a key in a key/value pair",
    ),
    ("pylock/app/pylock.toml", "pylock.toml", 66, None, "invalid TOML: Unterminated string"),
    (
        "Pipfile-lock/worker/Pipfile.lock",
        "Pipfile.lock",
        49,
        11,
        "invalid JSON: Expecting property name enclosed in double quotes (the document ends "
        "early: is the file truncated?)",
    ),
]


@pytest.mark.parametrize(
    ("fixture", "name", "line", "column", "message"), LOCKS, ids=[c[1] for c in LOCKS]
)
def test_a_lock_cut_off_in_transfer(
    tmp_path: Path,
    scan: ScanJson,
    fixture: str,
    name: str,
    line: int,
    column: int | None,
    message: str,
) -> None:
    text = (FIXTURES / "sources" / fixture).read_text(encoding="utf-8")
    result = scan(repository(tmp_path, {f"svc/{name}": text[: int(len(text) * 0.6)]}))
    assert result.code == 2
    error = result.only(f"svc/{name}")
    assert (error["line"], error["column"], error["message"]) == (line, column, message)
    result.assert_healthy_still_analysed()


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ('{"_meta": {}, "default": {"six": {"version": "==1.16', 46),
        ('{"_meta": {}, "default": {"six": {"version": "==1.16.0"}', 57),
        ('{"_meta": {}, "default": ', 26),
        ("", 1),
    ],
)
def test_truncated_json_says_the_document_ends_early(
    tmp_path: Path, scan: ScanJson, text: str, column: int
) -> None:
    result = scan(repository(tmp_path, {"svc/Pipfile.lock": text}))
    assert result.code == 2
    error = result.only("svc/Pipfile.lock")
    assert (error["line"], error["column"]) == (1, column)
    assert error["message"].startswith("invalid JSON: ")
    assert error["message"].endswith("(the document ends early: is the file truncated?)")
    result.assert_healthy_still_analysed()


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("pyproject.toml", '[project]\nname = "x"\ndependencies = ' + "[" * 5000 + "]" * 5000, 3),
        ("uv.lock", "version = 1\n\nx = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n", 3),
        ("Pipfile.lock", '{\n"default":\n' + "[" * 100_000 + "]" * 100_000 + "}", 3),
    ],
    ids=["toml-arrays", "toml-inline-tables", "json-arrays"],
)
def test_nesting_too_deep_for_the_parser(
    tmp_path: Path, scan: ScanJson, name: str, text: str, line: int
) -> None:
    result = scan(repository(tmp_path, {f"svc/{name}": text}))
    assert result.code == 2
    error = result.only(f"svc/{name}")
    assert error["line"] == line
    assert error["message"].endswith("arrays or tables nested too deeply to read")
    result.assert_healthy_still_analysed()


def test_broken_toml_and_json_through_the_installed_command(tmp_path: Path) -> None:
    lock = json.dumps({"_meta": {}, "default": {"six": {"version": "==1.16.0"}}}, indent=2)
    root = repository(
        tmp_path,
        {
            "one/pyproject.toml": '[project]\nname = "x"\ndependencies = "requests"\n',
            "two/Pipfile.lock": lock[:40],
            "three/uv.lock": "version = 1\n[[package]\n",
        },
    )
    result = run_module("scan", str(root), "--format", "json")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: one/pyproject.toml:3:1: `project.dependencies` must be an array of PEP 508 "
        "strings, not a string",
        "error: three/uv.lock:2:10: invalid TOML: Expected ']]' at the end of an array declaration",
        "error: two/Pipfile.lock:4:5: invalid JSON: Unterminated string (the document ends "
        "early: is the file truncated?)",
    ]
    assert json.loads(result.stdout)["summary"]["conflicts"] == 1
