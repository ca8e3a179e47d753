"""sources/uv_tables.py: `[tool.uv] conflicts` and `default-groups`, read from a pyproject."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from depcheck.sources import ReadOptions, source_for
from depcheck.sources.uv_tables import default_groups
from tests.conftest import write_tree


def _read(tmp_path: Path, uv: str) -> Any:
    write_tree(
        tmp_path,
        {"pyproject.toml": '[project]\nname = "Trainer"\nversion = "1"\n[tool.uv]\n' + uv},
    )
    source = source_for("pyproject.toml", explicit=True)
    assert source is not None
    return source.read("pyproject.toml", ReadOptions(root=tmp_path))


def test_items_are_normalised_and_a_bare_extra_is_the_file_s_own_project(
    tmp_path: Path,
) -> None:
    found = _read(
        tmp_path,
        'conflicts = [[{ extra = "CPU" }, { package = "Train_GPU", group = "Dev" }],'
        ' [{ package = "a" }, { package = "A" }]]\n',
    )
    (entry,) = found.declared_conflicts  # the second lists one item twice: not a conflict
    assert entry.items == (("trainer", "cpu", None), ("train-gpu", None, "dev"))
    assert (entry.location.path, entry.location.line) == ("pyproject.toml", 5)
    assert found.diagnostics == ()


def test_an_item_without_package_in_a_virtual_root_is_a_warning(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"pyproject.toml": '[tool.uv]\nconflicts = [[{ extra = "x" }, { extra = "y" }]]\n'},
    )
    source = source_for("pyproject.toml", explicit=True)
    assert source is not None
    found = source.read("pyproject.toml", ReadOptions(root=tmp_path))
    assert found.declared_conflicts == ()
    assert {d.message for d in found.diagnostics} == {
        "a `tool.uv.conflicts` item without `package` in a file that names no project is ignored"
    }


@pytest.mark.parametrize(
    ("uv", "expected"),
    [
        (None, frozenset({"dev"})),
        ({}, frozenset({"dev"})),
        ({"default-groups": ["Dev", "Lint"]}, frozenset({"dev", "lint"})),
        ({"default-groups": []}, frozenset()),
        ({"default-groups": "all"}, None),
    ],
)
def test_default_groups(uv: dict[str, Any] | None, expected: frozenset[str] | None) -> None:
    assert default_groups(uv) == expected
