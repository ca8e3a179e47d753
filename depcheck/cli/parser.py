"""The command line's contract: its options (`build_parser`), exit codes, and usage errors.

Exit codes (README, "Exit codes"):

    0  no conflicts
    1  conflicts found
    2  usage or input error: bad arguments, a missing path, a config that cannot be used, or a
       dependency file that could not be read (the report is still written with the rest)
    3  internal error in depcheck itself (please report it; `--debug` shows the traceback)
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from depcheck import __version__
from depcheck.cli.resolving import add_resolve_options
from depcheck.errors import UsageError
from depcheck.recommend import PLAN_BUDGET
from depcheck.report.interface import OutputFormat

EXIT_OK = 0
EXIT_CONFLICTS = 1
EXIT_ERROR = 2
EXIT_INTERNAL = 3


EXIT_CODES = (
    "Exit codes: 0 no conflicts (or none that fail the run), 1 conflicts found, 2 usage or input "
    "error (the report is still written), 3 internal error."
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as its own usage, one `error:` line with a
    did-you-mean for a mistyped option or command, and a hint; exit 2.

    Option prefixes are not accepted (`allow_abbrev=False`): `--out` is not `--output`, so a
    script keeps working when an option that shares the prefix is added.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        #: the parser of each command, for usage errors that argparse raises at the top level
        self.commands: dict[str, _Parser] = {}

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(
            EXIT_ERROR,
            f"error: {message}{self._suggestion(message)}\n"
            f"(run '{self.prog} --help' for the options)\n",
        )

    def unrecognized(self, extras: Sequence[str]) -> NoReturn:
        """The usage error for arguments no option of this parser takes."""
        self.error(f"unrecognized arguments: {' '.join(extras)}" + self._did_you_mean(extras))

    def _did_you_mean(self, extras: Sequence[str]) -> str:
        import difflib  # only on a usage error

        known = [o for action in self._actions for o in action.option_strings]
        for extra in extras:
            if extra.startswith("-"):
                close = difflib.get_close_matches(extra.partition("=")[0], known, n=1)
                if close:
                    return f" (did you mean {close[0]}?)"
        return ""

    def _suggestion(self, message: str) -> str:
        """For argparse's `invalid choice: 'sacn' (choose from 'scan', ...)`: the closest one."""
        _, found, rest = message.partition("invalid choice: '")
        value, quote, choices = rest.partition("' (choose from ")
        if not found or not quote or "did you mean" in message:
            return ""
        import difflib  # only on a usage error

        names = [c.strip().strip("'") for c in choices.rstrip(")").split(",")]
        close = difflib.get_close_matches(value, names, n=1)
        return f" (did you mean {close[0]}?)" if close else ""


def parse_arguments(parser: _Parser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse `argv`; an argument no option takes is a usage error of the command it follows."""
    args, extras = parser.parse_known_args(argv)
    if extras:
        command = parser.commands.get(getattr(args, "command", None) or "", parser)
        command.unrecognized(extras)
    return args


def build_parser() -> _Parser:
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
    _path_argument(scan)
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
        help="show every conflict, service and constraint, not the first few per host with "
        "identical constraints grouped",
    )
    scan.add_argument(
        "--summary",
        action="store_true",
        help="text report: one line per conflict (package, kind, how many services, the fix), "
        "the worst first",
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
        help="an earlier JSON report: only conflicts not in it, or that gained services since, "
        "fail the run; each conflict is marked new, changed or known, and those gone are "
        "listed as fixed",
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
        help="use PATH as it was at git revision REF as the baseline (its files read with git "
        "ls-tree and cat-file into a temporary directory: no filter, hook or fsmonitor of the "
        "repository runs, links leaving PATH are skipped; the working tree is not touched)",
    )
    ci.add_argument(
        "--docs-url",
        metavar="URL",
        help="the README that the SARIF rules' helpUri links point at, each to its section "
        "(an absolute http(s) URL, no credentials; default: DEPCHECK_DOCS_URL, else the "
        "config's docs-url, else the project URL of depcheck's package metadata)",
    )
    _allow_empty_option(scan)
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
    _path_argument(why)
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
    _path_argument(graph)
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
            "OUT.d/; the repository's own files are never changed. With --resolve --emit "
            "locks DIR, write the shared lock of each group (pip-compile's requirements.txt "
            "format, with # via) into DIR, a directory outside the repository."
        ),
        epilog="Exit codes: 0 nothing to split or align, 1 conflicts found (a split or an "
        "alignment is suggested), 2 usage or input error (or OUT exists), 3 internal error.",
    )
    _path_argument(plan)
    plan.add_argument(
        "--emit",
        nargs=2,
        metavar=("FORMAT", "OUT"),
        help="write the suggestion: `compose OUT`, the Compose file to create (Dockerfile "
        "sketches go to OUT.d/), or `locks DIR` (with --resolve), one lock per group in DIR, "
        "which must lie outside the scanned repository",
    )
    plan.add_argument(
        "--force",
        action="store_true",
        help="overwrite OUT, its sketches or locks when an earlier `depcheck plan` wrote them "
        "(other existing files are never overwritten)",
    )
    _allow_empty_option(plan)
    _common_options(plan)
    _plan_budget_option(plan)
    add_resolve_options(plan)
    parser.commands = {"scan": scan, "why": why, "graph": graph, "plan": plan}
    return parser


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
        help="read includes and symbolic links (dependency and deployment files) that lead "
        "outside PATH (refused by default; version-control directories never are)",
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


def _path_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="the repository root (default: the directory of the nearest depcheck.toml, or "
        "pyproject.toml with [tool.depcheck], found upward from the current directory within "
        "its git repository, as git and ruff look for theirs; else the current directory)",
    )


def _allow_empty_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="accept a scan that finds no services (by default it is an error, exit 2, so a "
        "check pointed at the wrong directory cannot pass unnoticed)",
    )


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


def validate_python(value: str | None) -> str | None:
    if value is not None and not re.match(r"^3\.\d{1,2}(\.\d{1,3})?$", value):
        raise UsageError(f"--python takes a version such as 3.11 or 3.12.4, not {value!r}")
    return value
