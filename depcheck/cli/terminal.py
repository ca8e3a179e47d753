"""The terminal: colour, width, the progress spinner, and one-line complaints on standard error."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO, TypeVar

if TYPE_CHECKING:
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


def with_progress(args: argparse.Namespace, work: Callable[[Progress | None], T]) -> T:
    if not args.quiet and sys.stderr.isatty():
        with _Spinner() as spinner:
            return work(spinner)
    return work(None)


def complain(line: str) -> None:
    """One line on standard error. Diagnostics and errors quote scanned files, so their control
    characters (ANSI escapes, line breaks) are neutralised as in the text report, and
    credentials redacted."""
    from depcheck.report.sanitize import clean, log_document, redact

    print(log_document(clean(redact(line))), file=sys.stderr)
