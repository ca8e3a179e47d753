"""The `--resolve` options of `scan`, `why` and `plan`, and what they become.

Parsing only: nothing under `depcheck.resolve` is imported unless `--resolve` is given, so the
static scan neither touches the network nor imports the resolver. The values become a
`ResolveRequest`; the pipeline merges it with the config's `[resolve]` table (command line,
then PIP_INDEX_URL / PIP_EXTRA_INDEX_URL / PIP_FIND_LINKS, then the config, as pip does).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from depcheck.errors import UsageError

if TYPE_CHECKING:
    from depcheck.pipeline import ScanOptions
    from depcheck.resolve.index import ResolveRequest


def add_resolve_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "resolution options",
        "With --resolve, depcheck asks a package index what the files cannot say: released "
        "versions and each release's own dependencies (wheel metadata only: nothing is ever "
        "built or run), resolves each host's services together in the host's environment, "
        "and verifies every align. Facts are cached on disk by content.",
    )
    group.add_argument(
        "--resolve",
        action="store_true",
        help="prove each host against a package index (network, or --find-links/--offline)",
    )
    group.add_argument(
        "--index-url",
        metavar="URL",
        help="the package index (PEP 503/691; default: PIP_INDEX_URL, [resolve] index-url, "
        "else the public index); credentials in the URL are sent and never printed",
    )
    group.add_argument(
        "--extra-index-url",
        metavar="URL",
        action="append",
        default=None,
        help="another index to read as well (repeatable)",
    )
    group.add_argument(
        "--find-links",
        metavar="DIR|URL",
        action="append",
        default=None,
        help="a directory of wheels, or a page of links to them (repeatable)",
    )
    group.add_argument("--no-index", action="store_true", help="read no index, only --find-links")
    group.add_argument(
        "--offline",
        action="store_true",
        help="use only what the cache holds (fails with a diagnostic for anything missing)",
    )
    group.add_argument(
        "--cache-dir",
        metavar="DIR",
        type=Path,
        help="the fact cache (default: $XDG_CACHE_HOME/depcheck or the platform's user cache "
        "dir); restore it between CI runs",
    )


def resolve_request(args: argparse.Namespace, environ: Mapping[str, str]) -> ResolveRequest | None:
    """The request `--resolve` makes, or None without it (other resolution options then err)."""
    given = {
        "index_url": getattr(args, "index_url", None),
        "extra_index_urls": tuple(getattr(args, "extra_index_url", None) or ()),
        "find_links": tuple(getattr(args, "find_links", None) or ()),
        "no_index": getattr(args, "no_index", False),
        "offline": getattr(args, "offline", False),
        "cache_dir": getattr(args, "cache_dir", None),
    }
    chosen = {key: value for key, value in given.items() if value not in (None, (), False)}
    if not getattr(args, "resolve", False):
        if chosen:
            first = "--" + next(iter(chosen)).replace("_urls", "_url").replace("_", "-")
            raise UsageError(f"{first} only applies with --resolve")
        return None
    from depcheck.resolve.index import ResolveRequest

    environment = {k: v for k, v in environ.items() if k.startswith("PIP_")}
    return ResolveRequest(cli=chosen, environ=environment)


def run_plan_locks(args: argparse.Namespace, options: ScanOptions) -> int:
    """`depcheck plan --resolve --emit locks DIR`: the plan, then one lock per group in DIR.

    DIR must lie outside the scanned repository: a lock written there would change the
    repository and become one more dependency file of the next scan. In DIR, a file is only
    replaced when an earlier `--emit locks` wrote it (its first line says so) and `--force` is
    given; anything else that exists is left alone and the run ends with exit 2."""
    import shlex
    import sys

    from depcheck.cli.output import display_root, write_file
    from depcheck.cli.parser import EXIT_ERROR
    from depcheck.cli.terminal import complain, with_progress
    from depcheck.pipeline import scan_resolved
    from depcheck.report.plan import render_plan_text
    from depcheck.report.sanitize import log_document, redact

    if options.resolve is None:
        raise UsageError("--emit locks needs --resolve: the locks are the resolver's answer")
    out = Path(args.emit[1])
    root = Path(args.path)
    inside = out.resolve()
    if inside == root.resolve() or root.resolve() in inside.parents:
        raise UsageError(
            f"--emit locks {out}: inside the scanned repository {root}; write the locks "
            "elsewhere (depcheck never writes into the repository it scans)"
        )
    if out.exists() and not out.is_dir():
        raise UsageError(f"--emit locks {out}: exists and is not a directory")
    report, prover = with_progress(args, lambda progress: scan_resolved(options, progress))
    assert prover is not None
    try:
        from dataclasses import replace

        from depcheck.cli.verdict import decided

        report = decided(replace(report, root=display_root(root)))
        sys.stdout.write(log_document(render_plan_text(report)))
        sys.stdout.flush()
        command = redact(shlex.join(_reproduce(args)))
        from depcheck.resolve.locks import LOCK_HEADER, group_locks

        locks = group_locks(report, prover, command=command)
    finally:
        prover.close()
    written = [lock for lock in locks if lock.text is not None]
    failed = False
    for lock in locks:
        if lock.problem is not None:
            complain(f"error: no lock for {lock.problem}")
            failed = True
    for lock in written:
        path = out / lock.filename
        if path.is_dir() or (path.exists() and not _first_line_is(path, LOCK_HEADER)):
            complain(f"error: {path} exists; depcheck plan never overwrites it")
            return EXIT_ERROR
        if path.exists() and not args.force:
            complain(f"error: {path} exists (use --force to replace it)")
            return EXIT_ERROR
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        complain(f"error: cannot create {out}: {exc.strerror or exc}")
        return EXIT_ERROR
    for lock in written:
        assert lock.text is not None
        if not write_file(out / lock.filename, lock.text):
            return EXIT_ERROR
    names = ", ".join(lock.filename for lock in written) or "nothing"
    complain(
        f"depcheck: wrote {len(written)} lock{'s' if len(written) != 1 else ''} in {out}: {names}"
    )
    if failed:
        return EXIT_ERROR
    return report.exit_code


def _first_line_is(path: Path, header: str) -> bool:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return handle.readline().rstrip("\n") == header
    except OSError:
        return False


def _reproduce(args: argparse.Namespace) -> list[str]:
    """The command line that writes the same locks again (index credentials redacted later)."""
    command = ["depcheck", "plan", str(args.path), "--resolve"]
    if args.config is not None:
        command += ["--config", str(args.config)]
    if args.python:
        command += ["--python", args.python]
    if args.platform:
        command += ["--platform", args.platform]
    if args.index_url:
        command += ["--index-url", args.index_url]
    for url in args.extra_index_url or ():
        command += ["--extra-index-url", url]
    for location in args.find_links or ():
        command += ["--find-links", location]
    if args.no_index:
        command.append("--no-index")
    command += ["--emit", "locks", str(args.emit[1])]
    return command
