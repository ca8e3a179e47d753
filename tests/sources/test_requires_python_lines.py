"""Every source that reads a Python requirement says on which line it is written.

The `python` constraint a service gets from its files (`scan.requirements_of`) points at that
line, so a clash on Python names the line to change, whatever the format.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from depcheck.sources import ReadOptions, source_for
from tests.conftest import write_tree

PIPFILE_LOCK = json.dumps(
    {
        "_meta": {"requires": {"python_version": "3.11"}, "pipfile-spec": 6},
        "default": {"flask": {"version": "==3.0.0"}},
        "develop": {},
    },
    indent=4,
)

CASES = [
    (
        "pyproject.toml",
        """
        [project]
        name = "api"
        requires-python = ">=3.10"
        """,
        ">=3.10",
        4,
    ),
    (
        "pyproject.toml",
        """
        [tool.poetry]
        name = "api"

        [tool.poetry.dependencies]
        python = "^3.11"
        flask = "^3.0"
        """,
        ">=3.11,<4.0",
        6,
    ),
    (
        "Pipfile",
        """
        [packages]
        flask = "*"

        [requires]
        python_version = "3.12"
        """,
        "==3.12.*",
        6,
    ),
    (
        "setup.cfg",
        """
        [metadata]
        name = api

        [options]
        install_requires =
            flask
        python_requires = >=3.9
        """,
        ">=3.9",
        8,
    ),
    (
        "poetry.lock",
        """
        [[package]]
        name = "flask"
        version = "3.0.0"

        [metadata]
        lock-version = "2.0"
        python-versions = "^3.11"
        """,
        ">=3.11,<4.0",
        8,
    ),
    (
        "uv.lock",
        """
        version = 1
        requires-python = ">=3.12"

        [[package]]
        name = "flask"
        version = "3.0.0"
        source = { registry = "https://pypi.org/simple" }
        """,
        ">=3.12",
        3,
    ),
    (
        "pylock.toml",
        """
        lock-version = "1.0"
        created-by = "uv"
        requires-python = ">=3.11"

        [[packages]]
        name = "flask"
        version = "3.0.0"
        """,
        ">=3.11",
        4,
    ),
    ("Pipfile.lock", "\n" + PIPFILE_LOCK, "==3.11.*", 5),
]


@pytest.mark.parametrize(
    ("name", "text", "specifier", "line"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_requires_python_comes_with_its_line(
    tmp_path: Path, name: str, text: str, specifier: str, line: int
) -> None:
    write_tree(tmp_path, {f"api/{name}": textwrap.dedent(text)})
    source = source_for(f"api/{name}")
    assert source is not None
    read = source.read(f"api/{name}", ReadOptions(root=tmp_path))
    assert [d for d in read.diagnostics if d.severity.value == "error"] == []
    assert read.requires_python == SpecifierSet(specifier)
    assert read.requires_python_line == line
