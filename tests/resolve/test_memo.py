"""Proofs remembered between runs (`resolve/memo.py`): a warm run re-uses them, and only while
the facts they rest on are unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from depcheck.resolve import memo, resolver
from tests.resolve.builders import build_wheel
from tests.resolve.test_scan_resolve import Run, repo, scan


def no_resolving(*args: object, **kwargs: object) -> resolver.Proof:
    raise AssertionError("the resolver ran although a stored proof holds")


def wheels(tmp_path: Path) -> Path:
    directory = tmp_path / "wheels"
    build_wheel(directory, "top", "1.0", requires=["base<2"])
    build_wheel(directory, "base", "1.0")
    build_wheel(directory, "base", "2.0")
    return directory


def args(directory: Path, tmp_path: Path) -> list[str]:
    return ["--no-index", "--find-links", str(directory), "--cache-dir", str(tmp_path / "cache")]


def test_warm_run_uses_stored_proofs(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = wheels(tmp_path)
    root = repo(tmp_path, "top\n", "base>=2\n")
    code, cold = scan(run_cli, root, *args(directory, tmp_path))
    assert code == 1 and [c["evidence"] for c in cold["conflicts"]] == ["resolver"]
    monkeypatch.setattr(resolver, "_resolve", no_resolving)
    code, warm = scan(run_cli, root, *args(directory, tmp_path))
    assert code == 1 and warm == cold


def test_changed_facts_resolve_again(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = wheels(tmp_path)
    root = repo(tmp_path, "top\n", "base>=2\n")
    code, _ = scan(run_cli, root, *args(directory, tmp_path))
    assert code == 1
    # a new top that works with base 2: the stored proof of a clash no longer holds
    build_wheel(directory, "top", "2.0", requires=["base>=2"])
    code, report = scan(run_cli, root, *args(directory, tmp_path))
    assert code == 0, report["conflicts"]


def test_a_moved_line_is_a_new_question(run_cli: Run, tmp_path: Path) -> None:
    directory = wheels(tmp_path)
    root = repo(tmp_path, "top\n", "base>=2\n")
    scan(run_cli, root, *args(directory, tmp_path))
    (root / "services/api/requirements.in").write_text("# moved\ntop\n")
    code, report = scan(run_cli, root, *args(directory, tmp_path))
    assert code == 1
    api = next(r for r in report["conflicts"][0]["requirements"] if r["service"] == "api")
    assert api["line"] == 2  # the causes quote the line of this run, not the stored one


def test_damaged_record_is_ignored(run_cli: Run, tmp_path: Path) -> None:
    directory = wheels(tmp_path)
    root = repo(tmp_path, "top\n", "base>=2\n")
    _, cold = scan(run_cli, root, *args(directory, tmp_path))
    refs = list((tmp_path / "cache" / "objects").rglob("*"))
    damaged = 0
    for path in refs:
        if path.is_file() and path.read_bytes().startswith(b'{"facts"'):
            path.write_bytes(b'{"facts": 1, "format": "' + memo.FORMAT.encode() + b'"}')
            damaged += 1
    assert damaged  # the proofs are where the cache keeps its blobs
    _, warm = scan(run_cli, root, *args(directory, tmp_path))
    assert warm == cold


PROBE = """
import json, sys
from depcheck.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
WATCHED = {"depcheck.resolve.search", "packaging.metadata", "html.parser", "zipfile"}
print(json.dumps([code, sorted(m for m in sys.modules if m.split(".")[0] == "resolvelib"
                               or m in WATCHED)]), file=sys.stderr)
"""


def probe(root: Path, *args: str) -> tuple[int, dict[str, object], list[str]]:
    """A scan in a fresh interpreter: its exit code, report, and resolver modules imported."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "scan", str(root), "--format", "json", "--resolve", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    code, modules = json.loads(done.stderr.strip().splitlines()[-1])
    return code, json.loads(done.stdout), modules


def test_a_wheel_rebuilt_in_place_is_read_again(run_cli: Run, tmp_path: Path) -> None:
    directory = wheels(tmp_path)
    root = repo(tmp_path, "top\n", "base>=2\n")
    code, _ = scan(run_cli, root, *args(directory, tmp_path))
    assert code == 1
    build_wheel(directory, "top", "1.0", requires=["base>=2"])  # same file name
    code, report = scan(run_cli, root, *args(directory, tmp_path))
    assert code == 0, report["conflicts"]


def test_a_warm_run_answered_by_proofs_does_not_import_the_resolver(tmp_path: Path) -> None:
    directory = wheels(tmp_path)
    root = repo(tmp_path, "top\n", "base>=2\n")
    code, cold, modules = probe(root, *args(directory, tmp_path))
    assert code == 1 and "resolvelib" in modules  # the probe sees an import when there is one
    code, warm, modules = probe(root, *args(directory, tmp_path))
    assert code == 1 and warm == cold
    assert modules == []  # nor a METADATA parser, nor a zip reader: the facts come parsed
    build_wheel(directory, "top", "2.0", requires=["base>=2"])  # the proofs no longer hold
    code, _, modules = probe(root, *args(directory, tmp_path))
    assert code == 0 and "resolvelib" in modules
