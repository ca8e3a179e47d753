"""Where documents go: standard output or files (written atomically), named by --output."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from depcheck.cli.parser import EXIT_ERROR
from depcheck.cli.terminal import complain, terminal_width, use_color
from depcheck.errors import UsageError
from depcheck.report.interface import OutputFormat, RenderOptions

if TYPE_CHECKING:
    from depcheck.model import Report


def display_root(path: Path) -> str:
    """How reports name the scanned directory: as typed, but never as an absolute machine path."""
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.name or "."


def write_atomically(path: Path, text: str | Iterable[str]) -> None:
    """Write `text` (a string, or the chunks of one as they come) to `path` through a temporary
    file and a rename: never a half-written report.

    The file gets the mode a plain `open()` would give it (0666 less the umask), not the
    0600 of the temporary file, so a CI step or a web server can read the report it wrote.
    """
    directory = path.parent if str(path.parent) else Path(".")
    import tempfile

    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.writelines([text] if isinstance(text, str) else text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (reading it means setting it: put straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def split_outputs(args: argparse.Namespace) -> tuple[Path | None, list[tuple[OutputFormat, Path]]]:
    """Split --output values into the main report's file and extra FORMAT:FILE outputs.

    ``yaml:x.yaml`` names no format depcheck writes: a usage error, not a text report in a file
    of that name (``./yaml:x.yaml`` is such a file, and a one-letter prefix a Windows drive).
    """
    names = {f.value: f for f in OutputFormat}
    main_file: Path | None = None
    extra: list[tuple[OutputFormat, Path]] = []
    for value in args.output:
        prefix, colon, rest = value.partition(":")
        if colon and prefix in names:
            if not rest:
                raise UsageError(f"--output {value}: no FILE after {prefix}:")
            extra.append((names[prefix], Path(rest)))
        elif colon and len(prefix) > 1 and prefix.replace("-", "").isalnum():
            raise UsageError(
                f"--output {value}: unknown format {prefix!r} (choose from "
                f"{', '.join(names)}); for a file of that name, write ./{value}"
            )
        elif main_file is None:
            main_file = Path(value)
        else:
            raise UsageError(
                f"--output {value}: a second bare FILE; name its format, e.g. json:{value}"
            )
    return main_file, extra


def _render(report: Report, output_format: OutputFormat, render: RenderOptions) -> str:
    from depcheck.report.sanitize import document

    return document(output_format.value, output_format.to_formatter(render).format(report))


def write_file(path: Path, text: str | Iterable[str]) -> bool:
    try:
        write_atomically(path, text)
    except OSError as exc:
        print(f"error: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True


def emit(
    report: Report,
    args: argparse.Namespace,
    main_file: Path | None,
    extra: list[tuple[OutputFormat, Path]],
) -> int:
    if getattr(args, "docs_url", None):
        # the command line's (or DEPCHECK_DOCS_URL's) wins over the config's docs-url
        report = replace(report, docs_url=args.docs_url)
    output_format = OutputFormat(args.format)
    target = sys.stdout
    to_terminal = main_file is None
    render = RenderOptions(
        color=to_terminal and use_color(args.color, target),
        width=terminal_width(target) if to_terminal else 100,
        verbose=args.verbose,
        summary=args.summary,
    )
    ok = True
    files = [(output_format, main_file)] if main_file is not None else []
    files += extra
    if args.write_baseline is not None:
        files.append((OutputFormat.JSON, args.write_baseline))
    for file_format, path in files:
        document = _render(report, file_format, replace(render, color=False, width=100))
        if write_file(path, document):
            print(f"depcheck: wrote {file_format.value} report to {path}", file=sys.stderr)
        else:
            ok = False
    if to_terminal:
        target.write(_render(report, output_format, render))
        target.flush()
    if output_format is not OutputFormat.TEXT or not to_terminal:
        # the document went elsewhere; the log still gets every input problem, one line each
        for diagnostic in report.diagnostics:
            complain(f"{diagnostic.severity.value}: {diagnostic}")
    return report.exit_code if ok else EXIT_ERROR


def write_or_print(args: argparse.Namespace, kind: str, text: str | Iterable[str]) -> bool:
    """`text`, a finished document of `kind` (a format name), to --output or standard output.

    `text` may be the document's chunks as they are written (`depcheck graph`), each made of
    whole lines: each is made safe on its own, and written before the next is asked for."""
    from depcheck.report.sanitize import document as safe_document

    chunks = [text] if isinstance(text, str) else text
    safe = (safe_document(kind, chunk) for chunk in chunks)
    if args.output is not None:
        if not write_file(args.output, safe):
            return False
        print(f"depcheck: wrote {args.output}", file=sys.stderr)
        return True
    sys.stdout.writelines(safe)
    sys.stdout.flush()
    return True
