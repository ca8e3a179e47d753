"""The command line: argument parsing, exit codes, and the only place that writes to the terminal.

`main(argv)` returns the exit code so tests call it directly; `entrypoint()` only hands it
`sys.argv` and exits. Exit codes (README, "Exit codes"):

    0  no conflicts
    1  conflicts found
    2  usage or input error: bad arguments, a missing path, a config that cannot be used, or a
       dependency file that could not be read (the report is still written with the rest)
    3  internal error in depcheck itself (please report it; `--debug` shows the traceback)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from depcheck import __version__
from depcheck.model import Environment, Report
from depcheck.report.interface import OutputFormat, RenderOptions

EXIT_OK = 0
EXIT_CONFLICTS = 1
EXIT_ERROR = 2
EXIT_INTERNAL = 3


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one `error:` line plus a hint, exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"error: {message}\n(run '{self.prog} --help' for the options)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="depcheck",
        description=(
            "Find dependency-version conflicts between Python services that share a host "
            "(a VM, an image, a virtualenv, a Lambda layer), explain where each constraint "
            "comes from, and recommend how to fix it: align, isolate, or split."
        ),
        epilog="Exit codes: 0 no conflicts, 1 conflicts found, 2 usage or input error, "
        "3 internal error. Run 'depcheck scan --help' for the scan options.",
    )
    parser.add_argument("--version", action="version", version=f"depcheck {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    scan = commands.add_parser(
        "scan",
        help="scan a repository of services for version conflicts",
        description=(
            "Scan PATH for services and their dependency files, check every host's services "
            "for versions no single environment can satisfy, and print a report with a plan "
            "per host. Without a depcheck.toml (or [tool.depcheck] in pyproject.toml), every "
            "directory with a runtime requirements file is a service and all share one host."
        ),
        epilog="Exit codes: 0 no conflicts, 1 conflicts found, 2 usage or input error "
        "(the report is still written), 3 internal error.",
    )
    scan.add_argument(
        "path",
        nargs="?",
        default=".",
        metavar="PATH",
        help="the repository root to scan (default: the current directory)",
    )
    scan.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help="topology file to use instead of PATH/depcheck.toml or "
        "[tool.depcheck] in PATH/pyproject.toml",
    )
    scan.add_argument(
        "--format",
        "-f",
        choices=[f.value for f in OutputFormat],
        default=OutputFormat.TEXT.value,
        help="report format: text for people, json for tools (default: text)",
    )
    scan.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        type=Path,
        help="write the report to FILE (atomically) instead of standard output",
    )
    scan.add_argument(
        "--python",
        metavar="X.Y",
        help="Python version for markers on hosts whose config sets none "
        "(default: this interpreter's)",
    )
    scan.add_argument(
        "--platform",
        choices=["linux", "darwin", "win32"],
        help="platform for markers on hosts whose config sets none (default: this machine's)",
    )
    scan.add_argument(
        "--include-dev",
        action="store_true",
        help="also read development/test files (requirements-dev.txt, "
        "test-requirements.txt, requirements/dev.txt, ...)",
    )
    scan.add_argument(
        "--allow-outside-root",
        action="store_true",
        help="follow -r/-c includes that point outside PATH (refused by default)",
    )
    scan.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="show every conflict and every constraint, not the first few per host",
    )
    scan.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour in the text report (default: auto; NO_COLOR is honoured)",
    )
    scan.add_argument(
        "--quiet", "-q", action="store_true", help="no progress display on standard error"
    )
    scan.add_argument(
        "--debug", action="store_true", help="show a traceback if depcheck itself fails"
    )
    return parser


def interpreter_environment() -> Environment:
    """The running interpreter's marker environment: the default for unconfigured hosts."""
    from packaging.markers import default_environment

    env = default_environment()
    return Environment(
        python_version=env["python_version"],
        python_full_version=env["python_full_version"],
        sys_platform=env["sys_platform"],
        os_name=env["os_name"],
        platform_system=env["platform_system"],
        platform_machine=env["platform_machine"],
        implementation_name=env["implementation_name"],
        platform_python_implementation=env["platform_python_implementation"],
        source="interpreter",
    )


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename: never a half-written report."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _use_color(choice: str, stream: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def _width(stream: TextIO) -> int:
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        return int(columns)
    if stream.isatty():
        return os.get_terminal_size(stream.fileno()).columns
    return 100


class _Spinner:
    """Progress on standard error while a scan runs (only on a terminal)."""

    def __init__(self) -> None:
        from rich.console import Console

        self._status = Console(stderr=True).status("scanning…")

    def __enter__(self) -> _Spinner:
        self._status.__enter__()
        return self

    def __exit__(self, *args: object) -> None:
        self._status.__exit__(None, None, None)

    def reading(self, path: str) -> None:
        self._status.update(f"reading {path}")

    def analysing(self, host: str) -> None:
        self._status.update(f"checking host {host}")


def _validate_python(value: str | None) -> str | None:
    import re

    if value is not None and not re.match(r"^3\.\d{1,2}(\.\d{1,3})?$", value):
        raise ValueError(f"--python takes a version such as 3.11 or 3.12.4, not {value!r}")
    return value


def display_root(path: Path) -> str:
    """How reports name the scanned directory: as typed, but never as an absolute machine path."""
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.name or "."


def run_scan(args: argparse.Namespace) -> int:
    from depcheck.scan import ScanError, ScanOptions, scan

    try:
        python = _validate_python(args.python)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    options = ScanOptions(
        root=Path(args.path),
        interpreter=interpreter_environment(),
        config=args.config,
        python=python,
        platform=args.platform,
        include_dev=args.include_dev,
        allow_outside_root=args.allow_outside_root,
    )
    started = time.perf_counter()
    try:
        if not args.quiet and sys.stderr.isatty():
            with _Spinner() as spinner:
                report = scan(options, spinner)
        else:
            report = scan(options)
    except ScanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    from dataclasses import replace

    report = replace(
        report, root=display_root(Path(args.path)), elapsed=time.perf_counter() - started
    )
    return _emit(report, args)


def _emit(report: Report, args: argparse.Namespace) -> int:
    output_format = OutputFormat(args.format)
    target = sys.stdout
    render = RenderOptions(
        color=args.output is None and _use_color(args.color, target),
        width=_width(target) if args.output is None else 100,
        verbose=args.verbose,
    )
    document = output_format.to_formatter(render).format(report)
    if args.output is not None:
        try:
            write_atomically(args.output, document)
        except OSError as exc:
            print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERROR
        print(f"depcheck: wrote {output_format.value} report to {args.output}", file=sys.stderr)
    else:
        target.write(document)
        target.flush()
    if output_format is not OutputFormat.TEXT or args.output is not None:
        # the document went elsewhere; the log still gets every input problem, one line each
        for diagnostic in report.diagnostics:
            print(f"{diagnostic.severity.value}: {diagnostic}", file=sys.stderr)
    return report.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    """Run depcheck with `argv` (without the program name); return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return run_scan(args)
    except KeyboardInterrupt:
        print("depcheck: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if getattr(args, "debug", False):
            traceback.print_exc()
        summary = f"{type(exc).__name__}: {exc}".splitlines()[0]
        print(
            f"depcheck: internal error, please report it: {summary}"
            + ("" if getattr(args, "debug", False) else " (run with --debug for the traceback)"),
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def entrypoint() -> None:
    """The `depcheck` console script."""
    sys.exit(main(sys.argv[1:]))
