"""What every robustness test checks, whatever input it breaks.

Each test builds a small repository with a broken or hostile part next to two healthy services
that clash (`api` wants urllib3<2, `web` wants urllib3>=2), scans it through the CLI, and asserts
the contract of the issue "every bad input gets a clear error, nothing is lost, nothing is
executed": the exit code, a diagnostic at the right file and line (and column where the parser
knows it), the healthy conflict still reported, no traceback anywhere, a valid JSON report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from depcheck.cli import main
from depcheck.report.json import load_schema
from tests.conftest import ROOT

HEALTHY = {
    "api/requirements.txt": "urllib3<2\n",
    "web/requirements.txt": "urllib3>=2\n",
}


def write_files(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Create files (POSIX paths relative to root -> text or raw bytes) under root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def repository(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """The two healthy, clashing services plus `files`."""
    return write_files(root, {**HEALTHY, **files})


@dataclass(frozen=True)
class Scan:
    code: int
    report: dict[str, Any]
    out: str
    err: str

    @property
    def diagnostics(self) -> list[dict[str, Any]]:
        return list(self.report["diagnostics"])

    def at(self, source: str) -> list[dict[str, Any]]:
        """The diagnostics about `source`."""
        return [d for d in self.report["diagnostics"] if d["source"] == source]

    def only(self, source: str, severity: str = "error") -> dict[str, Any]:
        """The one diagnostic of `severity` about `source`."""
        found = [d for d in self.at(source) if d["severity"] == severity]
        assert len(found) == 1, self.report["diagnostics"]
        return found[0]

    def where(self, source: str, severity: str = "error") -> tuple[int | None, int | None]:
        found = self.only(source, severity)
        return found["line"], found["column"]

    @property
    def conflicts(self) -> set[tuple[str, tuple[str, ...]]]:
        return {(c["package"], tuple(c["services"])) for c in self.report["conflicts"]}

    @property
    def services(self) -> list[str]:
        return [s["name"] for s in self.report["services"]]

    def assert_healthy_still_analysed(self) -> None:
        """The clash between the two healthy services is in the report (others may join it)."""
        assert any(
            package == "urllib3" and {"api", "web"} <= set(services)
            for package, services in self.conflicts
        ), self.report["conflicts"]


def assert_no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text
        assert "internal error" not in text


ScanJson = Callable[..., Scan]


@pytest.fixture
def scan(capsys: pytest.CaptureFixture[str]) -> ScanJson:
    """`depcheck scan ROOT --format json ARGS...` in-process: exit code, parsed report, output."""

    def run(root: Path, *args: str) -> Scan:
        code = main(["scan", str(root), "--format", "json", *args])
        captured = capsys.readouterr()
        assert_no_traceback(captured.out, captured.err)
        report = json.loads(captured.out)
        jsonschema.validate(report, load_schema(), cls=jsonschema.Draft202012Validator)
        assert report["summary"]["exit_code"] == code
        return Scan(code, report, captured.out, captured.err)

    return run


RunCli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """Any depcheck command in-process: (exit code, stdout, stderr), never a traceback."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        assert_no_traceback(captured.out, captured.err)
        return code, captured.out, captured.err

    return run


def run_module(
    *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -m depcheck ARGS...` in a fresh interpreter, as CI runs it: no traceback may reach
    either stream, whatever the input."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "depcheck", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )
    assert_no_traceback(result.stdout, result.stderr)
    return result


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every path below root with its size and modification time (links not followed)."""
    found: dict[str, tuple[int, int]] = {}
    for current, dirs, files in os.walk(root, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(current, name)
            info = path.lstat()
            found[path.relative_to(root).as_posix()] = (info.st_size, info.st_mtime_ns)
    return found


@pytest.fixture
def unchanged() -> Iterator[Callable[[Path], None]]:
    """Register a tree; at the end of the test it must hold exactly what it held before."""
    watched: list[tuple[Path, dict[str, tuple[int, int]]]] = []

    def watch(root: Path) -> None:
        watched.append((root, snapshot(root)))

    yield watch
    for root, before in watched:
        assert snapshot(root) == before, f"depcheck changed files under {root}"
