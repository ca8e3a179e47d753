"""Large inputs: a 1 MB line, a 200,000-line file. Read correctly, lines counted right; how long
it takes is the benchmarks' business, not asserted here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.robustness.conftest import ScanJson, repository, run_module

MEGABYTE = 1_000_000


@pytest.mark.parametrize(
    ("line", "error_column"),
    [
        ("urllib3==1.26.18  # " + "x" * MEGABYTE, None),  # a huge comment
        ("urllib3==1.26.18 ; " + " or ".join(["python_version > '3'"] * 48_000), None),
        ("urllib3==1.26.18 \\\n; python_version > '" + "3" * MEGABYTE + "'", None),
        ("y" * MEGABYTE + "==", MEGABYTE + 3),  # a huge name with a syntax error
    ],
    ids=["comment", "marker", "continued-marker", "syntax-error"],
)
def test_a_one_megabyte_line(
    tmp_path: Path, scan: ScanJson, line: str, error_column: int | None
) -> None:
    text = f"six==1.16.0\n{line}\nflask==3.0.0\n"
    assert len(text) > MEGABYTE
    result = scan(repository(tmp_path, {"svc/requirements.txt": text}))
    result.assert_healthy_still_analysed()
    lines = {
        (r["service"], r["requirement"].split(" ")[0][:30], r["line"])
        for c in result.report["conflicts"]
        for r in c["requirements"]
    }
    if error_column is None:
        assert result.code == 1 and result.diagnostics == []
        assert ("svc", "urllib3==1.26.18", 2) in lines
    else:
        assert result.code == 2
        assert result.where("svc/requirements.txt") == (2, error_column)


def test_a_200000_line_file(tmp_path: Path, scan: ScanJson) -> None:
    """Many lines, mostly repeats (as generated files are), a continuation, comments, blank
    lines, an error near the end: every line number is still exact."""
    body = []
    for number in range(1, 200_001):
        kind = number % 5
        if kind == 0:
            body.append(f"# comment {number}")
        elif kind == 1:
            body.append("")
        else:
            body.append(f"package-{number % 997}>=1.0")
    body[149_999] = "urllib3==1.26.18"  # line 150,000
    body[199_997] = "requests=="  # line 199,998
    text = "\n".join(body) + "\n"
    assert text.count("\n") == 200_000
    result = scan(repository(tmp_path, {"svc/requirements.txt": text}))
    assert result.code == 2
    assert result.where("svc/requirements.txt") == (199_998, 11)
    clash = next(c for c in result.report["conflicts"] if c["package"] == "urllib3")
    assert clash["services"] == ["api", "svc", "web"]
    pin = next(r for r in clash["requirements"] if r["service"] == "svc")
    assert (pin["source"], pin["line"]) == ("svc/requirements.txt", 150_000)
    svc = next(s for s in result.report["services"] if s["name"] == "svc")
    assert [s["path"] for s in svc["sources"]] == ["svc/requirements.txt"]


def test_large_files_through_the_installed_command(tmp_path: Path) -> None:
    root = repository(
        tmp_path,
        {
            "svc/requirements.txt": "urllib3==1.26.18  # " + "#" * MEGABYTE + "\nrequests==",
            "many/requirements.txt": "six\n" * 50_000,
        },
    )
    result = run_module("scan", str(root), "--format", "json")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: svc/requirements.txt:2:11: expected a version after '==' (in 'requests==')"
    ]


def test_a_syntax_error_on_a_huge_line_stays_one_readable_line(
    tmp_path: Path, scan: ScanJson
) -> None:
    text = "y" * MEGABYTE + "==\n"
    result = scan(repository(tmp_path, {"svc/requirements.txt": text}))
    assert len(result.only("svc/requirements.txt")["message"]) < 300


def test_a_long_run_of_blanks_in_a_requirements_line(tmp_path: Path) -> None:
    line = "six" + " " * 200_000 + "x  # a comment after the blanks"
    root = repository(tmp_path, {"svc/requirements.txt": line + "\n"})
    result = run_module("scan", str(root), "--format", "json", timeout=15)
    assert result.returncode == 2


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("setup.cfg", "[options]\ninstall_requires =\n    six" + " " * MEGABYTE + ">=1\n"),
        ("pyproject.toml", "[tool.poetry.dependencies]\nsix = '>=1," + " " * MEGABYTE + ",<2'\n"),
        (
            "pyproject.toml",
            "[project]\nname = 'x'\ndependencies = ['six" + " " * MEGABYTE + ">=1']\n",
        ),
    ],
    ids=["setup.cfg", "poetry-constraint", "pep508-in-toml"],
)
def test_a_long_run_of_blanks_elsewhere(tmp_path: Path, name: str, text: str) -> None:
    """The same shape in the formats whose readers are ours: read in time, as one blank."""
    root = repository(tmp_path, {f"svc/{name}": text})
    result = run_module("scan", str(root), "--format", "json", timeout=60)
    assert result.returncode == 1, result.stderr
