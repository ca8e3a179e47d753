"""One function per command: each turns its options into a pipeline run and its output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import FIXTURES, write_tree

RunCli = Callable[..., tuple[int, str, str]]


def test_scan_of_a_missing_directory_is_one_error_line(run_cli: RunCli, tmp_path: Path) -> None:
    code, out, err = run_cli("scan", str(tmp_path / "missing"))
    assert (code, out) == (2, "")
    assert err == f"error: {tmp_path / 'missing'}: no such directory\n"


def test_scan_still_writes_a_machine_report_when_the_config_cannot_be_used(
    run_cli: RunCli, tmp_path: Path
) -> None:
    write_tree(tmp_path, {"depcheck.toml": "services = 'api'\n"})
    out_file = tmp_path / "report.json"
    code, _, err = run_cli("scan", str(tmp_path), "-q", "--format", "json", "-o", str(out_file))
    assert code == 2
    report = json.loads(out_file.read_text(encoding="utf-8"))
    [diagnostic] = report["diagnostics"]
    assert diagnostic["message"] == "services: must be a table, not a string"
    assert report["conflicts"] == [] and "Traceback" not in err


def test_why_a_package_nobody_needs_exits_1(run_cli: RunCli) -> None:
    code, out, _ = run_cli("why", "left-pad", str(FIXTURES / "demo"), "-q")
    assert code == 1
    assert out.strip().startswith("no service in") and out.strip().endswith("depends on left-pad")


def test_why_as_json_lists_each_service_that_needs_it(run_cli: RunCli) -> None:
    code, out, _ = run_cli("why", "requests", str(FIXTURES / "demo"), "-q", "--format", "json")
    document = json.loads(out)
    assert document["package"] == "requests"
    assert {"api", "auth", "billing"} <= {s["service"] for s in document["services"]}
    assert code == 0


def test_plan_emit_takes_compose_or_locks(run_cli: RunCli, tmp_path: Path) -> None:
    code, out, err = run_cli(
        "plan", str(FIXTURES / "demo"), "-q", "--emit", "helm", str(tmp_path / "x")
    )
    assert (code, out) == (2, "")
    # a usage error: the command's own usage, then the one error line
    assert err.startswith("usage: depcheck plan ")
    assert err.endswith("\nerror: --emit helm: choose compose or locks\n")


def test_graph_exports_the_dependency_graph(run_cli: RunCli) -> None:
    code, out, _ = run_cli("graph", str(FIXTURES / "demo"), "-q", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["directed"] is True
    edges = {(e["source"], e["target"]) for e in document["edges"]}
    assert ("package:boto3", "package:botocore") in edges
    assert any(source.startswith("service:") for source, _ in edges)
