"""Fixtures for the `--resolve` tests: a real loopback index, started and stopped per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.resolve.server import PackageIndex, RunningIndex


@pytest.fixture
def index(tmp_path: Path) -> Iterator[PackageIndex]:
    """A PEP 503 index on 127.0.0.1 (`index.url`); add packages with `index.add(...)`."""
    served = PackageIndex(tmp_path / "index-files")
    running = RunningIndex(served)
    try:
        yield served
    finally:
        running.stop()
