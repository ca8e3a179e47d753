"""Report paths relative to where depcheck ran."""

from __future__ import annotations

import pytest

from depcheck.model import Location
from depcheck.report.paths import is_absolute_root, points_at_file, workspace_path


@pytest.mark.parametrize(
    ("root", "path", "expected"),
    [
        (".", "api/requirements.txt", "api/requirements.txt"),
        ("", "api/requirements.txt", "api/requirements.txt"),
        ("fixtures/demo", "api/requirements.txt", "fixtures/demo/api/requirements.txt"),
        ("./fixtures/demo/", "a.txt", "fixtures/demo/a.txt"),
        ("fixtures\\demo", "a.txt", "fixtures/demo/a.txt"),
        ("repo/sub", "../shared/req.txt", "repo/shared/req.txt"),
        ("/abs/root", "api/requirements.txt", "api/requirements.txt"),
        ("C:/work/repo", "a.txt", "a.txt"),
    ],
)
def test_workspace_path(root: str, path: str, expected: str) -> None:
    assert workspace_path(root, path) == expected


def test_absolute_roots() -> None:
    assert is_absolute_root("/x") and is_absolute_root("C:\\x") and not is_absolute_root("x")


def test_points_at_file() -> None:
    assert points_at_file(Location("a.txt", 1))
    assert not points_at_file(Location("."))
