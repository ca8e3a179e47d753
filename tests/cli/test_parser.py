"""The command line's contract: each command's options and defaults, exit codes, usage errors."""

from __future__ import annotations

import pytest

from depcheck.cli.parser import (
    EXIT_CODES,
    EXIT_CONFLICTS,
    EXIT_ERROR,
    EXIT_INTERNAL,
    EXIT_OK,
    UsageError,
    build_parser,
    validate_python,
)


def test_scan_defaults() -> None:
    args = build_parser().parse_args(["scan", "."])
    assert (args.command, args.path, args.format, args.fail_on) == ("scan", ".", "text", "any")
    assert (args.hosts_from, args.python, args.platform, args.plan_budget) == (
        "auto",
        None,
        None,
        2.0,
    )
    assert args.output == [] and args.resolve is False


@pytest.mark.parametrize("command", ["why", "graph", "plan"])
def test_every_command_that_reads_a_repository_shares_its_options(command: str) -> None:
    argv = [command, "requests", "."] if command == "why" else [command, "."]
    args = build_parser().parse_args([*argv, "--hosts-from", "single", "--python", "3.11"])
    assert (args.command, args.hosts_from, args.python) == (command, "single", "3.11")


def test_exit_codes_are_the_documented_ones() -> None:
    assert (EXIT_OK, EXIT_CONFLICTS, EXIT_ERROR, EXIT_INTERNAL) == (0, 1, 2, 3)
    assert EXIT_CODES.startswith("Exit codes: 0 no conflicts")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["scan", ".", "--plan-budget", "soon"], "not a number of seconds: 'soon'"),
        (["scan", ".", "--plan-budget", "-1"], "must be 0 or more seconds: '-1'"),
        (["scan", ".", "--format", "html"], "invalid choice: 'html'"),
        (["scan", ".", "--hosts-from", "cloud"], "invalid choice: 'cloud'"),
    ],
)
def test_bad_arguments_are_one_error_line_and_a_hint_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(argv)
    assert exited.value.code == EXIT_ERROR
    err = capsys.readouterr().err
    assert "error: argument" in err and message in err
    assert "(run 'depcheck scan --help' for the options)" in err


def test_python_versions_are_checked() -> None:
    assert validate_python("3.12.4") == "3.12.4" and validate_python(None) is None
    with pytest.raises(UsageError, match=r"--python takes a version such as 3\.11"):
        validate_python("python3")
