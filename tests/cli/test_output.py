"""Where documents go: --output values, atomic writes, how the scanned root is shown."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from depcheck.cli.output import display_root, split_outputs, write_atomically, write_file
from depcheck.cli.parser import UsageError
from depcheck.report.interface import OutputFormat


def test_a_bare_file_is_the_main_report_and_format_prefixes_are_extra_outputs() -> None:
    args = argparse.Namespace(output=["report.json", "sarif:out.sarif", "markdown:s.md"])
    assert split_outputs(args) == (
        Path("report.json"),
        [(OutputFormat.SARIF, Path("out.sarif")), (OutputFormat.MARKDOWN, Path("s.md"))],
    )
    # an unknown prefix, or none after the colon, is a file name like any other
    assert split_outputs(argparse.Namespace(output=["c:report.txt"])) == (Path("c:report.txt"), [])


def test_two_bare_files_are_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"a second bare FILE; name its format, e\.g\. json:b"):
        split_outputs(argparse.Namespace(output=["a", "b"]))


def test_writes_are_atomic_and_leave_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old\n", encoding="utf-8")
    write_atomically(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_file_that_cannot_be_written_is_one_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert write_file(tmp_path / "missing" / "r.txt", "x") is False
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_the_root_is_shown_as_typed_never_as_an_absolute_machine_path() -> None:
    assert display_root(Path("fixtures/demo")) == "fixtures/demo"
    assert display_root(Path.cwd() / "services") == "services"
    assert display_root(Path("/somewhere/else/repo")) == "repo"
