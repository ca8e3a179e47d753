"""Broken requirements files: PEP 508 syntax, unknown options, includes that fail, cycles, escapes.

Every case is one error diagnostic at the file, line and (where the parser knows it) column,
exit 2, and the healthy services' conflict still in the report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.robustness.conftest import ScanJson, repository, run_module, write_files

# (line text, 1-based column of the problem, what the message says)
SYNTAX_ERRORS = [
    ("requests==", 11, "expected a version after '=='"),
    ("baz>=1,<", 9, "expected a version after '<'"),
    ("flask[security", 6, "expected matching RIGHT_BRACKET for LEFT_BRACKET"),
    ("flask[a b]", 9, "expected comma between extra names"),
    ("bar @", 6, "expected URL after @"),
    ("==1.0", 1, "expected package name at the start of dependency specifier"),
    ("flask=>2.0", 6, "expected semicolon (after name with no version specifier) or end"),
    ("flask 2.0", 7, "expected semicolon (after name with no version specifier) or end"),
    ("flask==1.0.x", 6, "expected comma (within version specifier)"),
    ('foo; python_version < "3.8', 23, "expected a marker variable or quoted string"),
    ('foo; bogus == "1"', 6, "expected a marker variable or quoted string"),
    ("flask;", 7, "expected a marker variable or quoted string"),
]


@pytest.mark.parametrize(
    ("text", "column", "message"), SYNTAX_ERRORS, ids=[c[0] for c in SYNTAX_ERRORS]
)
def test_each_kind_of_pep508_syntax_error(
    tmp_path: Path, scan: ScanJson, text: str, column: int, message: str
) -> None:
    root = repository(tmp_path, {"svc/requirements.txt": f"# header\nsix==1.16.0\n{text}\n"})
    result = scan(root)
    assert result.code == 2
    error = result.only("svc/requirements.txt")
    assert (error["line"], error["column"]) == (3, column)
    assert message in error["message"]
    # the line is quoted up to the bad token, so the reader sees where, and no further (a line
    # can hold a credential)
    assert f"(in {text[: column - 1]!r}"[:-1] in error["message"]
    result.assert_healthy_still_analysed()
    assert "svc" in result.services  # the rest of the file still counts


def test_a_syntax_error_after_indentation_points_at_its_column(
    tmp_path: Path, scan: ScanJson
) -> None:
    root = repository(tmp_path, {"svc/requirements.txt": "    requests==   # comment\n"})
    assert scan(root).where("svc/requirements.txt") == (1, 15)


def test_every_bad_line_is_reported_not_just_the_first(tmp_path: Path, scan: ScanJson) -> None:
    lines = [text for text, _, _ in SYNTAX_ERRORS]
    root = repository(tmp_path, {"svc/requirements.txt": "\n".join(["six", *lines]) + "\n"})
    result = scan(root)
    assert result.code == 2
    assert sorted(d["line"] for d in result.at("svc/requirements.txt")) == list(
        range(2, len(lines) + 2)
    )
    result.assert_healthy_still_analysed()


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("--frobnicate", 1, "unknown option '--frobnicate'"),
        ("  -x value", 3, "unknown option '-x'"),
        ("-r", 1, "option -r requires a value"),
        ("-e", 1, "option -e requires a value"),
        ("--pre=yes", 1, "option --pre takes no value"),
        ("--hash=sha256:abc", 1, "option --hash must follow a requirement on its line"),
        (
            "flask --index-url https://example.org",
            1,
            "option --index-url cannot follow a requirement",
        ),
    ],
)
def test_options_pip_would_reject(
    tmp_path: Path, scan: ScanJson, text: str, column: int, message: str
) -> None:
    root = repository(tmp_path, {"svc/requirements.txt": f"six\n{text}\n"})
    result = scan(root)
    assert result.code == 2
    error = result.only("svc/requirements.txt")
    assert (error["line"], error["column"], error["message"]) == (2, column, message)
    result.assert_healthy_still_analysed()


def test_options_pip_accepts_are_no_error(tmp_path: Path, scan: ScanJson) -> None:
    text = (
        "--index-url https://example.org/simple\n--extra-index-url=https://x\n-f ./wheels\n"
        "--pre\n--no-binary :all:\n--only-binary=:none:\n--trusted-host example.org\n"
        "flask==3.0.0 --hash=sha256:abc \\\n    --hash=sha256:def\n"
    )
    result = scan(repository(tmp_path, {"svc/requirements.txt": text}))
    assert result.code == 1 and result.diagnostics == []


@pytest.mark.parametrize("option", ["-r", "-c", "--requirement", "--constraint"])
def test_an_include_of_a_missing_file(tmp_path: Path, scan: ScanJson, option: str) -> None:
    root = repository(tmp_path, {"svc/requirements.txt": f"six\n{option} base.txt\n"})
    result = scan(root)
    assert result.code == 2
    error = result.only("svc/requirements.txt")
    assert (error["line"], error["column"]) == (2, 1)
    assert error["message"] == "cannot include 'base.txt': svc/base.txt file not found"
    result.assert_healthy_still_analysed()


def test_an_include_cycle_is_reported_where_it_closes(tmp_path: Path, scan: ScanJson) -> None:
    root = repository(
        tmp_path,
        {
            "svc/requirements.txt": "six\n-r b.txt\n",
            "svc/b.txt": "flask\n-r requirements.txt\n",
        },
    )
    result = scan(root)
    assert result.code == 2
    error = result.only("svc/b.txt")
    assert (error["line"], error["column"]) == (2, 1)
    assert error["message"] == (
        "include cycle: svc/requirements.txt -> svc/b.txt -> svc/requirements.txt"
    )
    # what the cycle reached is still read, once
    assert result.at("svc/requirements.txt") == []
    result.assert_healthy_still_analysed()


def test_longer_cycles_and_a_file_including_itself(tmp_path: Path, scan: ScanJson) -> None:
    root = repository(
        tmp_path,
        {
            "one/requirements.txt": "-r a.txt\n",
            "one/a.txt": "-r b.txt\n",
            "one/b.txt": "-c a.txt\n",
            "two/requirements.txt": "six\n-r requirements.txt\n",
        },
    )
    result = scan(root)
    assert result.code == 2
    assert result.only("one/b.txt")["message"] == (
        "include cycle: one/a.txt -> one/b.txt -> one/a.txt"
    )
    assert result.only("two/requirements.txt")["message"] == (
        "include cycle: two/requirements.txt -> two/requirements.txt"
    )
    result.assert_healthy_still_analysed()


@pytest.mark.parametrize("target", ["../../outside.txt", "../../../etc/passwd", "/etc/passwd"])
def test_includes_that_leave_the_root_are_refused(
    tmp_path: Path, scan: ScanJson, target: str
) -> None:
    root = repository(tmp_path / "repo", {"svc/requirements.txt": f"six\n-r {target}\n"})
    write_files(tmp_path, {"outside.txt": "flask\n"})
    result = scan(root)
    assert result.code == 2
    error = result.only("svc/requirements.txt")
    assert (error["line"], error["column"]) == (2, 1)
    assert error["message"] == (
        f"include {target!r} leaves the scan root (use --allow-outside-root to follow it)"
    )
    result.assert_healthy_still_analysed()


def test_allow_outside_root_follows_them_and_names_them_relative(
    tmp_path: Path, scan: ScanJson
) -> None:
    root = repository(tmp_path / "repo", {"svc/requirements.txt": "-r ../../shared.txt\n"})
    write_files(tmp_path, {"shared.txt": "urllib3==1.26.18\n"})
    result = scan(root, "--allow-outside-root")
    assert result.code == 1 and result.diagnostics == []
    sources = {
        r["source"]
        for c in result.report["conflicts"]
        for r in c["requirements"]
        if r["service"] == "svc"
    }
    assert sources == {"../shared.txt"}
    assert str(tmp_path) not in result.out


def test_a_remote_include_is_a_warning_not_a_fetch(tmp_path: Path, scan: ScanJson) -> None:
    root = repository(tmp_path, {"svc/requirements.txt": "-r https://example.invalid/r.txt\n"})
    result = scan(root)
    assert result.code == 1
    warning = result.only("svc/requirements.txt", "warning")
    assert "is not fetched" in warning["message"]


def test_a_broken_file_through_the_installed_command(tmp_path: Path) -> None:
    """The same input error from a fresh `python -m depcheck`: one line, no traceback."""
    root = repository(
        tmp_path,
        {"svc/requirements.txt": "six\nrequests==\n-r missing.txt\n--frobnicate\n"},
    )
    result = run_module("scan", str(root), "--format", "text")
    assert result.returncode == 2
    lines = [line for line in result.stdout.splitlines() if line.startswith("error:")]
    assert lines == [
        "error: svc/requirements.txt:2:11: expected a version after '==' (in 'requests==')",
        "error: svc/requirements.txt:3:1: cannot include 'missing.txt': svc/missing.txt file not found",
        "error: svc/requirements.txt:4:1: unknown option '--frobnicate'",
    ]
    assert "urllib3" in result.stdout and result.stdout.rstrip().endswith("exit 2")


def test_a_marker_without_a_value_is_not_called_a_missing_version(
    tmp_path: Path, scan: ScanJson
) -> None:
    root = repository(tmp_path, {"svc/requirements.txt": "django>=2 ; os_name ==\n"})
    error = scan(root).only("svc/requirements.txt")
    assert "version" not in error["message"]
