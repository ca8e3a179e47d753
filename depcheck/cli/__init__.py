"""The command line, the only layer that writes to the terminal or picks the exit code.

`main(argv)` returns the exit code so tests call it directly; `entrypoint()` only hands it
`sys.argv` and exits. The parts: `parser` (options, exit codes, usage errors), `commands` (one
function per command), `output` (documents to files or standard output), `terminal` (colour,
width, progress, one-line complaints) and `resolving` (the `--resolve` options).
The exit codes are listed in `parser` (and the README, "Exit codes").
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

from depcheck.cli.commands import COMMANDS, fail, locate_project
from depcheck.cli.parser import EXIT_ERROR, EXIT_INTERNAL, build_parser, parse_arguments
from depcheck.cli.terminal import complain
from depcheck.errors import DepcheckError, UsageError


def main(argv: Sequence[str] | None = None) -> int:
    """Run depcheck with `argv` (without the program name); return the exit code."""
    parser = build_parser()
    args = parse_arguments(parser, argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        locate_project(args)
        return COMMANDS[args.command](args)
    except DepcheckError as exc:
        # every error depcheck raises on purpose (depcheck.errors), caught here and only here
        if type(exc) is UsageError:  # an option, not a file it names (BaselineError)
            parser.commands[args.command].print_usage(sys.stderr)
        return fail(args, exc)
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
        complain(
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
