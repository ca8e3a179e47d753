"""What the lock sources share: marker specialization, combining markers, reachability, versions."""

from __future__ import annotations

import pytest
from packaging.markers import Marker

from depcheck.sources.lockfiles import (
    Edge,
    both,
    edges_by_parent,
    either,
    mentions,
    specialize,
    version_problem,
    walk,
)

HTTP = frozenset({"http"})


@pytest.mark.parametrize(
    ("marker", "extras", "expected"),
    [
        ('extra == "http" and python_version >= "3.9"', HTTP, 'python_version >= "3.9"'),
        ('extra == "http"', frozenset(), False),
        ('extra == "http"', HTTP, True),
        ('extra == "http" or sys_platform == "win32"', frozenset(), 'sys_platform == "win32"'),
        ('python_version < "3.9"', frozenset(), 'python_version < "3.9"'),
    ],
)
def test_specialize_replaces_what_the_reader_knows(
    marker: str, extras: frozenset[str], expected: str | bool
) -> None:
    result = specialize(Marker(marker), {"extra": extras})
    assert (str(result) if isinstance(result, Marker) else result) == expected
    assert specialize(None, {"extra": extras}) is None


def test_either_and_both() -> None:
    windows, linux = Marker('os_name == "nt"'), Marker('sys_platform == "linux"')
    assert str(either([windows, linux])) == 'os_name == "nt" or sys_platform == "linux"'
    # no marker means always: either of always and anything is always
    assert either([windows, None]) is None
    assert both(None, windows) == windows
    assert str(both(windows, Marker('python_version < "3.9"'))) == (
        'os_name == "nt" and python_version < "3.9"'
    )
    assert mentions(Marker('extra == "x"'), ["extra"]) and not mentions(None, ["extra"])


def test_walk_follows_edges_with_their_markers_and_the_parents_extras() -> None:
    edges = [
        Edge("a", "b", Marker('sys_platform == "win32"')),
        Edge("b", "c"),
        Edge("a", "socks", Marker('extra == "socks"')),
        Edge("a", "h2", Marker('extra == "http"')),
        Edge("x", "y"),
    ]
    reach = walk([Edge(None, "a", None, HTTP)], edges_by_parent(edges), extra_markers=True)
    assert {n for n in ("a", "b", "c", "socks", "h2", "x", "y") if reach.reached(n)} == {
        "a",
        "b",
        "c",
        "h2",
    }
    assert reach.extras["a"] == HTTP
    # c is installed only where the edge to its parent b holds
    assert str(reach.markers["c"]) == 'sys_platform == "win32"'
    assert reach.markers["a"] is None and reach.markers["h2"] is None


@pytest.mark.parametrize(
    ("version", "optional", "problem"),
    [
        ("1.0", False, None),
        (None, True, None),
        (None, False, "[[package]] 'x' has no version; skipped"),
        (3, False, "version of 'x' should be a string; skipped"),
        ("soon", True, "[[package]] 'x' has version 'soon', which is not a PEP 440 version"),
    ],
)
def test_version_problems(version: object, optional: bool, problem: str | None) -> None:
    found = version_problem("package", "x", version, optional=optional)
    assert found == problem or (problem is not None and found is not None and problem in found)
