"""Shared test helpers: paths to the fixtures and a way to run the CLI in-process."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from depcheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run `depcheck` with arguments; return (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def scan_json(run_cli: Callable[..., tuple[int, str, str]]) -> Callable[..., tuple[int, Any]]:
    """Run `depcheck scan --format json` on a path; return (exit code, parsed report)."""

    def run(path: Path | str, *args: str) -> tuple[int, Any]:
        code, out, _ = run_cli("scan", str(path), "--format", "json", *args)
        return code, json.loads(out)

    return run


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Create files (POSIX relative paths -> text) under root; return root."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
