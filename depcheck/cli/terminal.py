"""The terminal: colour, width, the progress spinner, and one-line complaints on standard error."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO, TypeVar

if TYPE_CHECKING:
    from rich.console import Console

    from depcheck.pipeline import Progress


T = TypeVar("T")


def use_color(choice: str, stream: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def terminal_width(stream: TextIO) -> int:
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        return int(columns)
    if stream.isatty():
        return os.get_terminal_size(stream.fileno()).columns
    return 100


def progress_line(step: str, done: int, total: int, what: str, name: str) -> str:
    """``reading 120 of 450 files: services/api/requirements.txt``."""
    noun = what if total == 1 else what + "s"
    return f"{step} {done:,} of {total:,} {noun}: {name}"


class Spinner:
    """Progress on standard error while a scan runs (only on a terminal): how many of the
    files have been read, then which host is being checked."""

    def __init__(self, console: Console | None = None) -> None:
        from rich.console import Console

        self._status = (console or Console(stderr=True)).status("scanning…")

    def __enter__(self) -> Spinner:
        self._status.__enter__()
        return self

    def __exit__(self, *args: object) -> None:
        self._status.__exit__(None, None, None)

    @property
    def text(self) -> str:
        return str(self._status.status)

    def reading(self, path: str, done: int, total: int) -> None:
        self._show(progress_line("reading", done, total, "file", path))

    def analysing(self, host: str, done: int, total: int) -> None:
        self._show(progress_line("checking", done, total, "host", host))

    def _show(self, line: str) -> None:
        from rich.text import Text

        from depcheck.report.sanitize import clean

        # a Text, not a string: a file name is never read as rich markup
        self._status.update(Text(clean(line)))


def with_progress(args: argparse.Namespace, work: Callable[[Progress | None], T]) -> T:
    """Run `work` with a spinner on standard error when it is a terminal (and not --quiet)."""
    if not args.quiet and sys.stderr.isatty():
        with Spinner() as spinner:
            return work(spinner)
    return work(None)


def complain(line: str) -> None:
    """One line on standard error. Diagnostics and errors quote scanned files, so their control
    characters (ANSI escapes, line breaks) are neutralised as in the text report, and
    credentials redacted."""
    from depcheck.report.sanitize import clean, log_document, redact

    print(log_document(clean(redact(line))), file=sys.stderr)
