"""The JSON report: valid against its schema, every count and section the Report holds."""

from __future__ import annotations

import json

import jsonschema

from depcheck.report.interface import OutputFormat, RenderOptions
from depcheck.report.json import JsonFormatter, load_schema, report_to_dict
from tests.conftest import FIXTURES
from tests.report.conftest import CLASH, ScanTree, scan_path


def test_the_demo_is_valid_and_counts_what_it_lists() -> None:
    document = report_to_dict(scan_path(FIXTURES / "demo", root="fixtures/demo"))
    jsonschema.validate(document, load_schema(), cls=jsonschema.Draft202012Validator)
    summary = document["summary"]
    assert summary["conflicts"] == len(document["conflicts"]) == 3
    assert summary["incompatible"] == sum(
        c["kind"] == "incompatible" for c in document["conflicts"]
    )
    assert summary["hosts"] == len(document["hosts"]) and summary["exit_code"] == 1
    assert document["root"] == "fixtures/demo"


def test_a_conflict_names_its_host_services_and_where_each_constraint_is(
    scan_tree: ScanTree,
) -> None:
    document = report_to_dict(scan_tree(CLASH, root="repo"))
    requests = next(c for c in document["conflicts"] if c["package"] == "requests")
    assert requests["kind"] == "incompatible" and requests["host"] == "web"
    assert sorted(requests["services"]) == ["api", "worker"]
    sources = json.dumps(requests)
    assert "api/requirements.in" in sources and "worker/requirements.in" in sources
    [plan] = document["plans"]
    assert plan["host"] == "web" and len(plan["groups"]) == 2


def test_the_formatter_writes_the_same_document_as_the_dict() -> None:
    report = scan_path(FIXTURES / "demo", root="fixtures/demo")
    text = JsonFormatter().format(report)
    assert json.loads(text) == report_to_dict(report)
    via_choice = OutputFormat.JSON.to_formatter(RenderOptions()).format(report)
    assert via_choice == text
