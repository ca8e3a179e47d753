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

if TYPE_CHECKING:
    from depcheck.resolve.index import ResolveRequest


class ResolveUsageError(Exception):
    """A resolution option given without `--resolve`."""


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
            raise ResolveUsageError(f"{first} only applies with --resolve")
        return None
    from depcheck.resolve.index import ResolveRequest

    environment = {k: v for k, v in environ.items() if k.startswith("PIP_")}
    return ResolveRequest(cli=chosen, environ=environment)
