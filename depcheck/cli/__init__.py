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
import contextlib
import datetime
import gc
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from depcheck import __version__
from depcheck.cli.resolving import add_resolve_options
from depcheck.recommend import PLAN_BUDGET
from depcheck.report.interface import OutputFormat, RenderOptions

if TYPE_CHECKING:
    from depcheck.model import Environment, Report
    from depcheck.pipeline import Progress, ScanOptions
    from depcheck.resolve.index import ResolveRequest

T = TypeVar("T")

EXIT_OK = 0
EXIT_CONFLICTS = 1
EXIT_ERROR = 2
EXIT_INTERNAL = 3


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one `error:` line plus a hint, exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"error: {message}\n(run '{self.prog} --help' for the options)\n")


def _common_options(parser: argparse.ArgumentParser) -> None:
    """Options every command that reads a repository shares."""
    group = parser.add_argument_group("repository options")
    group.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help="topology file to use instead of PATH/depcheck.toml or [tool.depcheck] in "
        "PATH/pyproject.toml",
    )
    group.add_argument(
        "--hosts-from",
        choices=["auto", "config", "deploy", "single"],
        default="auto",
        help="where hosts come from: the config's hosts, the deployment files (Dockerfiles, "
        "Compose, Procfile, SAM, serverless.yml), or one host for all; auto (default): the "
        "config's hosts if it declares any, else the deployment files', else one host",
    )
    group.add_argument(
        "--python",
        metavar="X.Y",
        help="Python version for markers on hosts whose config sets none (default: the newest "
        "every service's requires-python admits, else this interpreter's)",
    )
    group.add_argument(
        "--platform",
        choices=["linux", "darwin", "win32"],
        help="platform for markers on hosts whose config sets none (default: this machine's)",
    )
    group.add_argument(
        "--include-dev",
        action="store_true",
        help="also read development/test dependencies (requirements-dev.txt, "
        "test-requirements.txt, requirements/dev.txt, dev groups, ...)",
    )
    group.add_argument(
        "--installed",
        action="append",
        default=[],
        metavar="PATH",
        help="an installed environment every host holds too: a virtualenv, a site-packages "
        "folder, or pip inspect / pip freeze output (repeatable); its distributions are checked "
        "like locked pins, with their Requires-Dist ranges",
    )
    group.add_argument(
        "--include-examples",
        action="store_true",
        help="also take folders of examples, samples, docs, benchmarks, e2e tests and test "
        "fixtures for services (left out by default, and the report says so)",
    )
    group.add_argument(
        "--allow-outside-root",
        action="store_true",
        help="follow -r/-c includes that point outside PATH (refused by default)",
    )
    output = parser.add_argument_group("output options")
    output.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour in terminal output (default: auto; NO_COLOR is honoured)",
    )
    output.add_argument(
        "--quiet", "-q", action="store_true", help="no progress display on standard error"
    )
    output.add_argument(
        "--debug", action="store_true", help="show a traceback if depcheck itself fails"
    )


EXIT_CODES = (
    "Exit codes: 0 no conflicts (or none that fail the run), 1 conflicts found, 2 usage or input "
    "error (the report is still written), 3 internal error."
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="depcheck",
        description=(
            "Find dependency-version conflicts between Python services that share a host "
            "(a VM, an image, a virtualenv, a Lambda layer), explain where each constraint "
            "comes from, and recommend how to fix it: align, isolate, or split."
        ),
        epilog=EXIT_CODES + " Run 'depcheck COMMAND --help' for a command's options.",
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
            "directory with a runtime dependency file is a service and all share one host."
        ),
        epilog=EXIT_CODES,
    )
    scan.add_argument(
        "path",
        nargs="?",
        default=".",
        metavar="PATH",
        help="the repository root to scan (default: the current directory)",
    )
    scan.add_argument(
        "--format",
        "-f",
        choices=[f.value for f in OutputFormat],
        default=OutputFormat.TEXT.value,
        help="report format on standard output (default: text): text for people, json for "
        "tools, sarif for code scanning, markdown for pull requests, github for workflow "
        "annotations",
    )
    scan.add_argument(
        "--output",
        "-o",
        metavar="[FORMAT:]FILE",
        action="append",
        default=[],
        help="write a report to FILE (atomically). A bare FILE takes --format's report instead "
        "of standard output; FORMAT:FILE (e.g. sarif:depcheck.sarif) writes one more format "
        "from the same scan. Repeatable.",
    )
    scan.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="show every conflict and every constraint, not the first few per host",
    )
    ci = scan.add_argument_group("CI options")
    ci.add_argument(
        "--fail-on",
        choices=["any", "incompatible", "never"],
        default="any",
        help="which conflicts make the exit code 1 (default: any; ignored and baseline-known "
        "conflicts never do)",
    )
    ci.add_argument(
        "--baseline",
        metavar="FILE",
        type=Path,
        help="an earlier JSON report: only conflicts not in it fail the run; each conflict is "
        "marked new or known, and those gone are listed as fixed",
    )
    ci.add_argument(
        "--write-baseline",
        metavar="FILE",
        type=Path,
        help="also write this scan's JSON report to FILE, for a later --baseline",
    )
    ci.add_argument(
        "--diff-base",
        metavar="REF",
        help="use PATH as it was at git revision REF as the baseline (read with git archive "
        "into a temporary directory; the working tree is not touched)",
    )
    _common_options(scan)
    _plan_budget_option(scan)
    add_resolve_options(scan)

    why = commands.add_parser(
        "why",
        help="show why each service needs a package: every path, with constraints",
        description=(
            "Show every path from each service to PACKAGE through the dependency graph, with "
            "the constraint and the file:line on each edge. Transitive paths come from lock "
            "files (pip-compile '# via', poetry.lock, uv.lock, ...)."
        ),
        epilog="Exit codes: 0 some service depends on PACKAGE, 1 none does, 2 usage or input "
        "error, 3 internal error.",
    )
    why.add_argument("package", metavar="PACKAGE", help="the package (any spelling of its name)")
    why.add_argument(
        "path",
        nargs="?",
        default=".",
        metavar="PATH",
        help="the repository root (default: the current directory)",
    )
    why.add_argument(
        "--format",
        "-f",
        choices=["text", "json"],
        default="text",
        help="a tree per service (text, default) or a JSON document",
    )
    why.add_argument("--output", "-o", metavar="FILE", type=Path, help="write to FILE instead")
    _common_options(why)
    add_resolve_options(why)

    graph = commands.add_parser(
        "graph",
        help="export the dependency graph (dot, graphml, mermaid, json)",
        description=(
            "Export the dependency graph depcheck builds (services, packages, and the "
            "constraint on each edge), or with --conflicts-only the service conflict graph."
        ),
        epilog="Exit codes: 0 written, 2 usage or input error, 3 internal error.",
    )
    graph.add_argument(
        "path",
        nargs="?",
        default=".",
        metavar="PATH",
        help="the repository root (default: the current directory)",
    )
    graph.add_argument(
        "--format",
        "-f",
        choices=["dot", "graphml", "mermaid", "json"],
        default="dot",
        help="graph format (default: dot)",
    )
    graph.add_argument(
        "--conflicts-only",
        action="store_true",
        help="only services, with an edge per conflicting pair labelled by package",
    )
    graph.add_argument("--output", "-o", metavar="FILE", type=Path, help="write to FILE instead")
    _common_options(graph)

    plan = commands.add_parser(
        "plan",
        help="say which images to split, into what, and what each installs",
        description=(
            "Scan PATH and, for every host that cannot stay one environment, name the images "
            "to split it into and the dependency files each would install. With --emit compose "
            "OUT, write a suggested Compose file to OUT and a Dockerfile sketch per image to "
            "OUT.d/; the repository's own files are never changed."
        ),
        epilog="Exit codes: 0 nothing to split or align, 1 conflicts found (a split or an "
        "alignment is suggested), 2 usage or input error (or OUT exists), 3 internal error.",
    )
    plan.add_argument(
        "path",
        nargs="?",
        default=".",
        metavar="PATH",
        help="the repository root (default: the current directory)",
    )
    plan.add_argument(
        "--emit",
        nargs=2,
        metavar=("FORMAT", "OUT"),
        help="write the suggestion: FORMAT is compose; OUT the Compose file to create "
        "(Dockerfile sketches go to OUT.d/)",
    )
    plan.add_argument(
        "--force",
        action="store_true",
        help="overwrite OUT and its sketches when an earlier `depcheck plan` wrote them "
        "(other existing files are never overwritten)",
    )
    _common_options(plan)
    _plan_budget_option(plan)
    add_resolve_options(plan)
    return parser


def _plan_budget_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--plan-budget",
        metavar="SECONDS",
        type=_seconds,
        default=PLAN_BUDGET,
        help="CPU seconds the plan of one host may take (default: %(default)g); past it the "
        "plan keeps the best split found, says heuristic and how many groups are needed at least",
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds: {text!r}")
    return value


def interpreter_environment() -> Environment:
    """The running interpreter's marker environment: the default for unconfigured hosts."""
    from packaging.markers import default_environment

    from depcheck.model import Environment

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
    import tempfile

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
    if value is not None and not re.match(r"^3\.\d{1,2}(\.\d{1,3})?$", value):
        raise UsageError(f"--python takes a version such as 3.11 or 3.12.4, not {value!r}")
    return value


def display_root(path: Path) -> str:
    """How reports name the scanned directory: as typed, but never as an absolute machine path."""
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.name or "."


def _scan_options(args: argparse.Namespace) -> ScanOptions:
    from depcheck.pipeline import ScanOptions

    return ScanOptions(
        root=Path(args.path),
        interpreter=interpreter_environment(),
        config=args.config,
        python=_validate_python(args.python),
        platform=args.platform,
        include_dev=args.include_dev,
        allow_outside_root=args.allow_outside_root,
        today=datetime.date.today(),
        hosts_from=args.hosts_from,
        include_examples=args.include_examples,
        installed=tuple(args.installed),
        plan_budget=getattr(args, "plan_budget", PLAN_BUDGET),
        resolve=_resolve_request(args),
    )


def _resolve_request(args: argparse.Namespace) -> ResolveRequest | None:
    from depcheck.cli.resolving import ResolveUsageError, resolve_request

    try:
        return resolve_request(args, os.environ)
    except ResolveUsageError as exc:
        raise UsageError(str(exc)) from None


def _with_progress(args: argparse.Namespace, work: Callable[[Progress | None], T]) -> T:
    if not args.quiet and sys.stderr.isatty():
        with _Spinner() as spinner:
            return work(spinner)
    return work(None)


@contextlib.contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Pause the cyclic garbage collector while a scan builds its objects.

    A large scan allocates hundreds of thousands of long-lived, acyclic values; the collector's
    full passes over them cost a third of the run (benchmark: 1,000 services, 3.2 s -> 1.6 s for
    the conflict analysis). Reference counting still frees everything; the collector resumes
    afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _outputs(args: argparse.Namespace) -> tuple[Path | None, list[tuple[OutputFormat, Path]]]:
    """Split --output values into the main report's file and extra FORMAT:FILE outputs."""
    names = {f.value: f for f in OutputFormat}
    main_file: Path | None = None
    extra: list[tuple[OutputFormat, Path]] = []
    for value in args.output:
        prefix, colon, rest = value.partition(":")
        if colon and prefix in names and rest:
            extra.append((names[prefix], Path(rest)))
        elif main_file is None:
            main_file = Path(value)
        else:
            raise UsageError(
                f"--output {value}: a second bare FILE; name its format, e.g. json:{value}"
            )
    return main_file, extra


class UsageError(ValueError):
    """Arguments that do not fit together: exit 2 with the message."""


def _complain(line: str) -> None:
    """One line on standard error. Diagnostics and errors quote scanned files, so their control
    characters (ANSI escapes, line breaks) are neutralised as in the text report, and
    credentials redacted."""
    from depcheck.report.sanitize import clean, log_document, redact

    print(log_document(clean(redact(line))), file=sys.stderr)


def _failed_scan(exc: Exception, args: argparse.Namespace) -> Report:
    """The report of a scan that could not start (a config that cannot be used, no such
    directory): nothing analysed, one error at the place that stopped it."""
    from depcheck.model import Diagnostic, Location, Report, Severity
    from depcheck.topology.config import ConfigError

    # the scan re-raises a config problem as ScanError; the config's own error has its line
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, ConfigError):
        diagnostic = Diagnostic(Severity.ERROR, cause.location, cause.cause)
        config: str | None = cause.path
    else:
        diagnostic = Diagnostic(Severity.ERROR, Location("."), str(exc))
        config = None
    return Report(
        root=display_root(Path(args.path)),
        config=config,
        hosts=(),
        services=(),
        conflicts=(),
        plans=(),
        diagnostics=(diagnostic,),
    )


def _baseline(report: Report, args: argparse.Namespace, options: ScanOptions) -> Report:
    from depcheck.analysis.baseline import apply_baseline, checkout_revision, load_baseline
    from depcheck.pipeline import scan

    if args.diff_base:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="depcheck-base-") as temp:
            base_root = checkout_revision(options.root, args.diff_base, Path(temp))
            known: frozenset[str] = frozenset()
            if base_root.is_dir():
                config = options.config
                if config is not None and not config.is_absolute():
                    try:
                        inside = config.resolve().relative_to(options.root.resolve())
                        config = base_root / inside
                    except ValueError:
                        pass
                base = scan(replace(options, root=base_root, config=config))
                known = frozenset(c.id for c in base.conflicts)
            return apply_baseline(report, known, f"git {args.diff_base}")
    if args.baseline is not None:
        return apply_baseline(report, load_baseline(args.baseline), display_root(args.baseline))
    return report


def run_scan(args: argparse.Namespace) -> int:
    from depcheck.analysis.baseline import BaselineError
    from depcheck.pipeline import ScanError, scan

    if args.baseline is not None and args.diff_base:
        raise UsageError("--baseline and --diff-base both name a baseline; give one")
    main_file, extra = _outputs(args)
    options = _scan_options(args)
    started = time.perf_counter()
    with _no_gc_pauses():
        try:
            report = _with_progress(args, lambda progress: scan(options, progress))
            report = _baseline(report, args, options)
        except BaselineError as exc:
            _complain(f"error: {exc}")
            return EXIT_ERROR
        except ScanError as exc:
            if OutputFormat(args.format) is OutputFormat.TEXT and not (main_file or extra):
                _complain(f"error: {exc}")
                return EXIT_ERROR
            # tools reading stdout or the files still get a document: the error and no more
            report = _failed_scan(exc, args)
        report = replace(
            report,
            root=display_root(Path(args.path)),
            elapsed=time.perf_counter() - started,
            fail_on=args.fail_on,
        )
        return _emit(report, args, main_file, extra)


def _render(report: Report, output_format: OutputFormat, render: RenderOptions) -> str:
    from depcheck.report.sanitize import document

    return document(output_format.value, output_format.to_formatter(render).format(report))


def _write(path: Path, text: str) -> bool:
    try:
        write_atomically(path, text)
    except OSError as exc:
        print(f"error: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True


def _emit(
    report: Report,
    args: argparse.Namespace,
    main_file: Path | None,
    extra: list[tuple[OutputFormat, Path]],
) -> int:
    output_format = OutputFormat(args.format)
    target = sys.stdout
    to_terminal = main_file is None
    render = RenderOptions(
        color=to_terminal and _use_color(args.color, target),
        width=_width(target) if to_terminal else 100,
        verbose=args.verbose,
    )
    ok = True
    files = [(output_format, main_file)] if main_file is not None else []
    files += extra
    if args.write_baseline is not None:
        files.append((OutputFormat.JSON, args.write_baseline))
    for file_format, path in files:
        document = _render(report, file_format, replace(render, color=False, width=100))
        if _write(path, document):
            print(f"depcheck: wrote {file_format.value} report to {path}", file=sys.stderr)
        else:
            ok = False
    if to_terminal:
        target.write(_render(report, output_format, render))
        target.flush()
    if output_format is not OutputFormat.TEXT or not to_terminal:
        # the document went elsewhere; the log still gets every input problem, one line each
        for diagnostic in report.diagnostics:
            _complain(f"{diagnostic.severity.value}: {diagnostic}")
    return report.exit_code if ok else EXIT_ERROR


def _write_or_print(args: argparse.Namespace, kind: str, text: str) -> bool:
    """`text`, a finished document of `kind` (a format name), to --output or standard output."""
    from depcheck.report.sanitize import document as safe_document

    document = safe_document(kind, text)
    if args.output is not None:
        if not _write(args.output, document):
            return False
        print(f"depcheck: wrote {args.output}", file=sys.stderr)
        return True
    sys.stdout.write(document)
    sys.stdout.flush()
    return True


def run_why(args: argparse.Namespace) -> int:
    from depcheck.analysis.why import explain
    from depcheck.pipeline import ScanError, prepare
    from depcheck.report.why import render_why_json, render_why_text

    options = _scan_options(args)
    try:
        prepared = _with_progress(args, lambda progress: prepare(options, progress))
    except ScanError as exc:
        _complain(f"error: {exc}")
        return EXIT_ERROR
    explanation = explain(
        prepared.graph,
        [s.name for s in prepared.topology.services],
        prepared.hosts,
        args.package,
        root=display_root(Path(args.path)),
        diagnostics=tuple(prepared.diagnostics),
    )
    if args.format == "json":
        document = render_why_json(explanation)
    else:
        to_terminal = args.output is None
        render = RenderOptions(
            color=to_terminal and _use_color(args.color, sys.stdout),
            width=_width(sys.stdout) if to_terminal else 100,
        )
        document = render_why_text(explanation, render)
    if not _write_or_print(args, args.format, document):
        return EXIT_ERROR
    return explanation.exit_code


def run_graph(args: argparse.Namespace) -> int:
    from depcheck.pipeline import ScanError, prepare, scan
    from depcheck.report.export import export_graph

    options = _scan_options(args)
    try:
        if args.conflicts_only:
            report = _with_progress(args, lambda progress: scan(options, progress))
            prepared = prepare(options)
            document = export_graph(
                prepared.graph, args.format, conflicts=report.conflicts, conflicts_only=True
            )
            diagnostics = report.diagnostics
        else:
            prepared = _with_progress(args, lambda progress: prepare(options, progress))
            document = export_graph(prepared.graph, args.format)
            diagnostics = tuple(prepared.diagnostics)
    except ScanError as exc:
        _complain(f"error: {exc}")
        return EXIT_ERROR
    for diagnostic in diagnostics:
        _complain(f"{diagnostic.severity.value}: {diagnostic}")
    if not _write_or_print(args, args.format, document):
        return EXIT_ERROR
    return EXIT_ERROR if any(d.severity.value == "error" for d in diagnostics) else EXIT_OK


def run_plan(args: argparse.Namespace) -> int:
    from depcheck.pipeline import ScanError, scan
    from depcheck.recommend.images import SUGGESTION_HEADER, compose_suggestion
    from depcheck.report.plan import render_plan_text
    from depcheck.report.sanitize import log_document

    if args.emit is not None and args.emit[0] != "compose":
        raise UsageError(f"--emit {args.emit[0]}: the only format is compose")
    options = _scan_options(args)
    try:
        report = _with_progress(args, lambda progress: scan(options, progress))
    except ScanError as exc:
        _complain(f"error: {exc}")
        return EXIT_ERROR
    report = replace(report, root=display_root(Path(args.path)))
    sys.stdout.write(log_document(render_plan_text(report)))
    sys.stdout.flush()
    if args.emit is None:
        return report.exit_code
    suggestion = compose_suggestion(report, Path(args.path), Path(args.emit[1]))
    if suggestion.images == 0:
        print("depcheck: no host needs splitting; nothing written", file=sys.stderr)
        return report.exit_code
    for path, _ in suggestion.files:
        if path.is_dir() or (path.exists() and not _earlier_suggestion(path, SUGGESTION_HEADER)):
            print(f"error: {path} exists; depcheck plan never overwrites it", file=sys.stderr)
            return EXIT_ERROR
        if path.exists() and not args.force:
            print(f"error: {path} exists (use --force to replace it)", file=sys.stderr)
            return EXIT_ERROR
    for path, text in suggestion.files:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"error: cannot create {path.parent}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERROR
        if not _write(path, text):
            return EXIT_ERROR
    sketches = len(suggestion.files) - 1
    print(
        f"depcheck: wrote {suggestion.compose} ({suggestion.images} services) and "
        f"{sketches} Dockerfile sketch{'es' if sketches != 1 else ''} in "
        f"{suggestion.compose.name}.d/",
        file=sys.stderr,
    )
    return report.exit_code


def _earlier_suggestion(path: Path, header: str) -> bool:
    """Whether `path` is a file an earlier `depcheck plan --emit` wrote (its first line says so)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return handle.readline().startswith(header)
    except OSError:
        return False


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "scan": run_scan,
    "why": run_why,
    "graph": run_graph,
    "plan": run_plan,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run depcheck with `argv` (without the program name); return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return _COMMANDS[args.command](args)
    except UsageError as exc:
        _complain(f"error: {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("depcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of stdout went away (`depcheck scan | head`): nothing left to tell it
        return EXIT_ERROR
    except Exception as exc:
        if getattr(args, "debug", False):
            import traceback

            traceback.print_exc()
        summary = f"{type(exc).__name__}: {exc}".splitlines()[0]
        _complain(
            f"depcheck: internal error, please report it: {summary}"
            + ("" if getattr(args, "debug", False) else " (run with --debug for the traceback)")
        )
        return EXIT_INTERNAL


def entrypoint() -> None:
    """The `depcheck` console script.

    The process ends right after `main`, so the collector stays off for the whole run and the
    interpreter's teardown (freeing every object of a large scan one by one, then a final full
    collection: about 0.5 s on the 1,000-service benchmark) is skipped once the output is
    flushed. Every file depcheck writes is closed (and renamed into place) before this point.
    """
    gc.disable()
    code = main(sys.argv[1:])
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):
        code = code or EXIT_ERROR
    os._exit(code)
