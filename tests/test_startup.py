"""Start-up: a run imports only what it uses (checked in a fresh interpreter, via sys.modules)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.generate import generate

PROBE = """
import json, sys
from depcheck.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit_:
    code = exit_.code
sys.stdout.flush()
print("\\nMODULES " + json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def modules_after(*args: str) -> set[str]:
    """Every module `depcheck ARGS` has imported when it is done, in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False
    )
    line = next(line for line in done.stderr.splitlines() if line.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def loaded_after(*args: str) -> set[str]:
    """The top-level packages among them."""
    return {m.split(".")[0] for m in modules_after(*args)}


def test_version_imports_neither_packaging_nor_any_report_library() -> None:
    loaded = loaded_after("--version")
    assert not loaded & {"networkx", "yaml", "rich", "packaging", "tarfile", "tempfile"}


def test_a_small_json_scan_imports_no_graph_yaml_rich_or_archive_library(tmp_path: Path) -> None:
    generate(tmp_path / "repo", services=5, requirements=20, hosts=1, conflict_rate=0.2, seed=2)
    modules = modules_after("scan", str(tmp_path / "repo"), "--format", "json", "--quiet")
    loaded = {m.split(".")[0] for m in modules}
    assert "depcheck.report.json" in modules  # the scan ran and reported
    assert "depcheck.recommend.images" in modules  # and planned the split of its host
    assert not loaded & {"networkx", "yaml", "rich", "tarfile", "tempfile", "difflib"}
    assert "depcheck.report.text" not in modules
    # the schema is read from the package only by tests and tools (importlib.resources)
    assert "importlib.resources" not in modules
    # no --baseline, no --diff-base; no `plan --emit compose`
    assert not {"depcheck.analysis.baseline", "depcheck.revision"} & modules
    assert "depcheck.recommend.compose" not in modules
    # the config declares the hosts: no deployment file is looked for
    assert not {m for m in modules if m.startswith("depcheck.topology.deploy")}


def test_a_scan_that_looks_for_deployment_files_imports_no_reader_when_there_is_none(
    tmp_path: Path,
) -> None:
    root = tmp_path / "repo"
    generate(root, services=3, requirements=10, hosts=1, seed=3)
    (root / "depcheck.toml").unlink()  # no config: --hosts-from auto looks for deployment files
    modules = modules_after("scan", str(root), "--format", "json", "--quiet")
    assert "depcheck.report.json" in modules
    assert "depcheck.topology.deployed" in modules
    light = {"depcheck.topology.deploy.interface", "depcheck.topology.deploy.names"}
    assert {m for m in modules if m.startswith("depcheck.topology.deploy.")} == light


def test_graph_and_deployment_files_do_import_what_they_need(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    generate(root, services=3, requirements=10, hosts=1, seed=4)
    (root / "services").joinpath("compose.yaml").write_text("services: {}\n")
    modules = modules_after(
        "graph", str(root), "--format", "graphml", "--hosts-from", "deploy", "--conflicts-only"
    )
    assert "networkx" in modules  # the conflict view is a networkx graph
    assert "depcheck.topology.deploy.compose" in modules


@pytest.mark.parametrize("fmt", ["dot", "graphml", "mermaid", "json"])
def test_graph_writes_each_format_as_it_reads_without_networkx(tmp_path: Path, fmt: str) -> None:
    root = tmp_path / "repo"
    generate(root, services=3, requirements=10, hosts=1, seed=4)
    modules = modules_after("graph", str(root), "--format", fmt, "--quiet")
    assert "depcheck.report.export" in modules
    assert "networkx" not in modules


def test_why_answers_from_each_service_s_records_without_networkx(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    planted = generate(root, services=4, requirements=15, hosts=1, seed=5)
    package = sorted(planted.packages)[0]
    modules = modules_after("why", package, str(root), "--format", "json", "--quiet")
    assert "depcheck.analysis.why" in modules
    assert "networkx" not in modules
