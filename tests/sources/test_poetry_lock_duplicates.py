"""An old poetry.lock keeps one entry per Python range of a package (numpy 2.0.2 for Python
< 3.10, numpy 2.3.0 above), without markers on the entries: the host's Python narrows them
through the ranges the project declares under Python markers, so one host is not 'pinned' at
both."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write_tree

ScanJson = Callable[..., tuple[int, Any]]

LOCK = """[[package]]
name = "numpy"
version = "2.0.2"
description = ""
optional = false
python-versions = ">=3.9"
files = []

[[package]]
name = "numpy"
version = "2.3.0"
description = ""
optional = false
python-versions = ">=3.11"
files = []

[metadata]
lock-version = "1.1"
python-versions = ">=3.9"
content-hash = "0"
"""

PYPROJECT = """[tool.poetry]
name = "etl"
version = "1.0.0"
description = ""
authors = []

[tool.poetry.dependencies]
python = ">=3.9"
numpy = [
    {version = "2.0.2", python = "<3.11"},
    {version = ">=2.3", python = ">=3.11"},
]
"""


@pytest.mark.parametrize(("python", "numpy"), [("3.12", "2.3.0"), ("3.9", "2.0.2")])
def test_the_hosts_python_picks_one_entry(
    tmp_path: Path, scan_json: ScanJson, python: str, numpy: str
) -> None:
    write_tree(
        tmp_path,
        {
            "etl/pyproject.toml": PYPROJECT,
            "etl/poetry.lock": LOCK,
            "api/requirements.txt": f"numpy=={numpy}\n",
        },
    )
    code, report = scan_json(tmp_path, "--python", python)
    assert code == 0, report["conflicts"]
    assert report["conflicts"] == []
