"""The commands scan, why, graph and plan: from options to a pipeline run to its output."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from depcheck.cli.output import (
    display_root,
    emit,
    split_outputs,
    write_file,
    write_or_print,
)
from depcheck.cli.parser import EXIT_ERROR, EXIT_OK, validate_python
from depcheck.cli.terminal import complain, terminal_width, use_color, with_progress
from depcheck.errors import DepcheckError, UsageError
from depcheck.recommend import PLAN_BUDGET
from depcheck.report.interface import OutputFormat, RenderOptions

if TYPE_CHECKING:
    from depcheck.model import Report
    from depcheck.pipeline import ScanOptions
    from depcheck.resolve.index import ResolveRequest


def locate_project(args: argparse.Namespace) -> None:
    """Settle PATH when the command line gives none: the directory of the nearest config found
    upward from the working directory (`find_config_upward`), else the working directory.

    Sets `args.path`, `args.config` (the config found, so it is the one used) and
    `args.located`: the report's note on a config found above the working directory.
    """
    from depcheck.topology.config import find_config_upward

    args.located = None
    if args.path is not None:
        return
    args.path = "."
    if args.config is not None:
        return
    here = Path.cwd()
    found = find_config_upward(here)
    if found is None or found.parent == here:
        return
    root = Path(os.path.relpath(found.parent, here))
    args.path = root.as_posix()
    args.config = root / found.name
    args.located = (
        f"config {args.config.as_posix()} found upward from the working directory: "
        f"scanning {args.path}, the directory it describes"
    )


def _no_services(report: Report, args: argparse.Namespace) -> Report:
    """A scan that found no services is an input error (exit 2) unless --allow-empty: in CI a
    check pointed at the wrong directory would otherwise pass forever."""
    from depcheck.model import Diagnostic, Location, Severity
    from depcheck.pipeline import NO_SERVICES

    notes = report.notes if args.located is None else (args.located, *report.notes)
    report = replace(report, notes=notes)
    if report.services or args.allow_empty or report.errors:
        return report
    problem = Diagnostic(
        Severity.ERROR,
        Location("."),
        f"no services under {display_root(Path(args.path))}: no dependency files "
        "(requirements*.txt, pyproject.toml, Pipfile, lock files, ...) below it; "
        "--allow-empty accepts an empty scan",
    )
    rest = tuple(d for d in report.diagnostics if not d.message.startswith(NO_SERVICES))
    return replace(report, diagnostics=(*rest, problem))


def _scan_options(args: argparse.Namespace) -> ScanOptions:
    from depcheck.pipeline import ScanOptions
    from depcheck.topology.environment import interpreter_environment

    return ScanOptions(
        root=Path(args.path),
        interpreter=interpreter_environment(),
        config=args.config,
        python=validate_python(args.python),
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
    from depcheck.cli.resolving import resolve_request

    return resolve_request(args, os.environ)


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


def fail(args: argparse.Namespace, exc: DepcheckError) -> int:
    """What the command line does with a `DepcheckError` that stopped a command: the one
    place that handles them (`main` calls it).

    A scan that could not start (a config that cannot be used, no such directory) still
    writes its document where a tool reads one (`--format json`, `--output`): nothing
    analysed, one error at the place that stopped it. Everything else, and a usage error
    always, is one line on standard error. Both exit 2."""
    from depcheck.cli.verdict import decided
    from depcheck.model import Report
    from depcheck.topology.config import ConfigError

    if args.command == "scan" and not isinstance(exc, UsageError):
        main_file, extra = split_outputs(args)
        if OutputFormat(args.format) is not OutputFormat.TEXT or main_file or extra:
            report = Report(
                root=display_root(Path(args.path)),
                config=exc.path if isinstance(exc, ConfigError) else None,
                hosts=(),
                services=(),
                conflicts=(),
                plans=(),
                diagnostics=(exc.diagnostic(),),
            )
            return emit(decided(report, args.fail_on), args, main_file, extra)
    complain(f"error: {exc}")
    return EXIT_ERROR


def _baseline(report: Report, args: argparse.Namespace, options: ScanOptions) -> Report:
    if args.diff_base:
        return _diff_base(report, args.diff_base, options)
    if args.baseline is not None:
        from depcheck.analysis.baseline import apply_baseline, load_baseline  # only --baseline

        return apply_baseline(report, load_baseline(args.baseline), display_root(args.baseline))
    return report


def _diff_base(report: Report, ref: str, options: ScanOptions) -> Report:
    """`report` against PATH as it was at git revision `ref`, read into a temporary directory
    (`depcheck.revision`: git runs nothing the repository controls)."""
    import tempfile

    from depcheck.analysis.baseline import Baseline, apply_baseline, baseline_of
    from depcheck.errors import ScanError
    from depcheck.model import Diagnostic, Location, Severity
    from depcheck.pipeline import scan
    from depcheck.revision import checkout_revision
    from depcheck.topology.config import ConfigError

    with tempfile.TemporaryDirectory(prefix="depcheck-base-") as temp:
        revision = checkout_revision(options.root, ref, Path(temp))
        config = options.config
        if config is not None and not config.is_absolute():
            # (a config outside PATH stays the working tree's)
            with contextlib.suppress(ValueError):
                config = revision.root / config.resolve().relative_to(options.root.resolve())
        notes = list(revision.diagnostics)
        # PATH missing at the revision, or its scan unable to start: every line is new
        known = Baseline({}, frozenset())
        try:
            base = scan(replace(options, root=revision.root, config=config))
            known = baseline_of(base)
        except (ScanError, ConfigError) as exc:  # the base revision's scan: a warning
            message = f"at {ref}: the scan could not start ({exc}); every conflict counts as new"
            notes.append(Diagnostic(Severity.WARNING, Location("."), message))
    marked = apply_baseline(report, known, f"git {ref}")
    return replace(marked, diagnostics=(*marked.diagnostics, *notes))


def _docs_url(option: str | None, environ: str | None) -> str | None:
    """`--docs-url`, else `DEPCHECK_DOCS_URL` (empty: unset), checked; None when neither."""
    from depcheck.topology.config import docs_url_problem, redacted_url

    for name, value in (("--docs-url", option), ("DEPCHECK_DOCS_URL", environ)):
        if value is None or (name != "--docs-url" and not value):
            continue
        problem = docs_url_problem(value)
        if problem is not None:
            separator = " " if name.startswith("-") else "="
            # (repr: a line break in the value cannot start a line of the log)
            raise UsageError(f"{name}{separator}{redacted_url(value)!r}: {problem}")
        return value
    return None


def run_scan(args: argparse.Namespace) -> int:
    from depcheck.cli.verdict import decided
    from depcheck.pipeline import scan

    if args.diff_base is not None and not args.diff_base.strip():
        raise UsageError("--diff-base takes a git revision (a branch, tag or commit), not ''")
    if args.diff_base is not None and args.diff_base.startswith("-"):
        raise UsageError(f"--diff-base {args.diff_base}: a git revision does not start with '-'")
    if args.baseline is not None and args.diff_base:
        raise UsageError("--baseline and --diff-base both name a baseline; give one")
    args.docs_url = _docs_url(args.docs_url, os.environ.get("DEPCHECK_DOCS_URL"))
    main_file, extra = split_outputs(args)
    options = _scan_options(args)
    started = time.perf_counter()
    with _no_gc_pauses():
        report = with_progress(args, lambda progress: scan(options, progress))
        report = _baseline(report, args, options)
        report = replace(
            _no_services(report, args),
            root=display_root(Path(args.path)),
            elapsed=time.perf_counter() - started,
        )
        report = decided(report, args.fail_on)
        return emit(report, args, main_file, extra)


def run_why(args: argparse.Namespace) -> int:
    from depcheck.analysis.why import explain
    from depcheck.cli.verdict import why_exit_code
    from depcheck.pipeline import prepare
    from depcheck.report.why import why_json_chunks, why_text_chunks

    options = _scan_options(args)
    prepared = with_progress(args, lambda progress: prepare(options, progress))
    diagnostics = list(prepared.diagnostics)
    resolved = None
    if options.resolve is not None:
        from depcheck.pipeline import why_resolved

        resolved, more = why_resolved(options, prepared, args.package)
        diagnostics.extend(more)
    explanation = explain(
        prepared.graph,
        [s.name for s in prepared.topology.services],
        prepared.hosts,
        args.package,
        root=display_root(Path(args.path)),
        diagnostics=tuple(diagnostics),
        resolved=resolved,
    )
    # written a service at a time, as rendered
    if args.format == "json":
        document = why_json_chunks(explanation)
    else:
        to_terminal = args.output is None
        render = RenderOptions(
            color=to_terminal and use_color(args.color, sys.stdout),
            width=terminal_width(sys.stdout) if to_terminal else 100,
        )
        document = why_text_chunks(explanation, render)
    if not write_or_print(args, args.format, document):
        return EXIT_ERROR
    return why_exit_code(explanation)


def run_graph(args: argparse.Namespace) -> int:
    from depcheck.pipeline import prepare, scan
    from depcheck.report.export import stream_graph

    options = _scan_options(args)
    if args.conflicts_only:
        report = with_progress(args, lambda progress: scan(options, progress))
        prepared = prepare(options)
        chunks = stream_graph(
            prepared.graph, args.format, conflicts=report.conflicts, conflicts_only=True
        )
        diagnostics = report.diagnostics
    else:
        prepared = with_progress(args, lambda progress: prepare(options, progress))
        chunks = stream_graph(prepared.graph, args.format)
        diagnostics = tuple(prepared.diagnostics)
    for diagnostic in diagnostics:
        complain(f"{diagnostic.severity.value}: {diagnostic}")
    # the document is written as the graph is read: Mermaid's limits are tallied on the way
    tally = [0, 0]  # edges, characters
    if args.format == "mermaid":
        chunks = _tallied(chunks, tally)
    if not write_or_print(args, args.format, chunks):
        return EXIT_ERROR
    if args.format == "mermaid":
        from depcheck.report.mermaid import limits_message

        too_big = limits_message(*tally, conflicts_only=args.conflicts_only)
        if too_big is not None:
            complain(f"warning: {too_big}")
    failed = any(d.severity.value == "error" and d.finding is None for d in diagnostics)
    return EXIT_ERROR if failed else EXIT_OK


def _tallied(chunks: Iterable[str], tally: list[int]) -> Iterator[str]:
    """`chunks` of a Mermaid document, adding up its edges and characters in `tally`."""
    from depcheck.report.mermaid import count_edges

    for chunk in chunks:
        tally[0] += count_edges(chunk)
        tally[1] += len(chunk)
        yield chunk


def run_plan(args: argparse.Namespace) -> int:
    from depcheck.cli.verdict import decided
    from depcheck.pipeline import scan
    from depcheck.recommend.compose import SUGGESTION_HEADER, compose_suggestion
    from depcheck.report.plan import render_plan_text
    from depcheck.report.sanitize import log_document

    if args.emit is not None and args.emit[0] not in ("compose", "locks"):
        raise UsageError(f"--emit {args.emit[0]}: choose compose or locks")
    options = _scan_options(args)
    if args.emit is not None and args.emit[0] == "locks":
        from depcheck.cli.resolving import run_plan_locks

        return run_plan_locks(args, options)
    report = with_progress(args, lambda progress: scan(options, progress))
    report = decided(replace(_no_services(report, args), root=display_root(Path(args.path))))
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
        if not write_file(path, text):
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


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "scan": run_scan,
    "why": run_why,
    "graph": run_graph,
    "plan": run_plan,
}
