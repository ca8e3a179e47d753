"""The --resolve options: parsed only, nothing resolved; without --resolve they are an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from depcheck.cli.parser import build_parser
from depcheck.cli.resolving import resolve_request
from depcheck.errors import UsageError


def parse(*argv: str):  # type: ignore[no-untyped-def]
    return build_parser().parse_args(["scan", ".", *argv])


def test_without_resolve_there_is_no_request() -> None:
    assert resolve_request(parse(), {"PIP_INDEX_URL": "https://x/simple"}) is None


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (("--index-url", "https://x/simple"), "--index-url"),
        (("--extra-index-url", "https://y/simple"), "--extra-index-url"),
        (("--find-links", "wheels"), "--find-links"),
        (("--offline",), "--offline"),
    ],
)
def test_a_resolution_option_without_resolve_is_a_usage_error(
    argv: tuple[str, ...], named: str
) -> None:
    with pytest.raises(UsageError, match=f"^{named} only applies with --resolve$"):
        resolve_request(parse(*argv), {})


def test_the_request_keeps_what_was_given_and_the_pip_environment() -> None:
    args = parse("--resolve", "--find-links", "wheels", "--offline", "--cache-dir", "c")
    environ = {"PIP_INDEX_URL": "https://mirror/simple", "HOME": "/root"}
    request = resolve_request(args, environ)
    assert request is not None
    assert request.cli == {"find_links": ("wheels",), "offline": True, "cache_dir": Path("c")}
    # only pip's own variables are taken from the environment
    assert request.environ == {"PIP_INDEX_URL": "https://mirror/simple"}
