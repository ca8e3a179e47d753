"""Fixtures for the `--resolve` tests: a real loopback index, started and stopped per test."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.resolve.server import PackageIndex, RunningIndex


@contextlib.contextmanager
def serve_index(files: Path) -> Iterator[PackageIndex]:
    """A PEP 503 index on 127.0.0.1 serving files kept in `files`, stopped on leaving."""
    served = PackageIndex(files)
    running = RunningIndex(served)
    try:
        yield served
    finally:
        running.stop()


@pytest.fixture
def index(tmp_path: Path) -> Iterator[PackageIndex]:
    """A PEP 503 index on 127.0.0.1 (`index.url`); add packages with `index.add(...)`."""
    with serve_index(tmp_path / "index-files") as served:
        yield served
