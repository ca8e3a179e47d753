"""The SARIF report: valid SARIF 2.1.0, and what GitHub code scanning needs to ingest it."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest

from depcheck.model import Conflict, Location, Report
from depcheck.report.interface import OutputFormat, RenderOptions
from depcheck.report.sarif import (
    MAX_MESSAGE,
    RULE_INCOMPATIBLE,
    RULE_INPUT_ERROR,
    RULE_INPUT_WARNING,
    RULE_PIN_MISMATCH,
    RULE_SELF_CONTRADICTION,
    RULE_STALE_LOCK,
    SarifFormatter,
)
from tests.conftest import FIXTURES, write_tree
from tests.report.conftest import CLASH, ScanTree, config, locked, scan_path

SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "sarif-schema-2.1.0.json"


@cache
def _validator() -> Any:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def render(report: Report) -> dict[str, Any]:
    document = SarifFormatter().format(report)
    data: dict[str, Any] = json.loads(document)
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return data


def run_of(data: dict[str, Any]) -> dict[str, Any]:
    assert len(data["runs"]) == 1
    run: dict[str, Any] = data["runs"][0]
    return run


def uris(result: dict[str, Any]) -> list[str]:
    return [
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for loc in result["locations"] + result.get("relatedLocations", [])
    ]


def assert_github_ingestible(data: dict[str, Any]) -> None:
    """The constraints GitHub code scanning puts on an uploaded SARIF file."""
    assert data["version"] == "2.1.0"
    assert data["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    run = run_of(data)
    rules = run["tool"]["driver"]["rules"]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["help"]["text"]
        assert rule["help"]["markdown"]
        assert len(rule["fullDescription"]["text"]) <= 1000
        assert len(rule["properties"]["tags"]) <= 10
    ids = [rule["id"] for rule in rules]
    for result in run["results"]:
        assert result["ruleId"] in ids
        assert ids[result["ruleIndex"]] == result["ruleId"]
        # one primary location: SARIF §3.27.12, and code scanning shows only the first
        assert len(result["locations"]) == 1
        related = [r["id"] for r in result.get("relatedLocations", [])]
        assert related == list(range(len(related)))
        assert 0 < len(result["message"]["text"]) <= MAX_MESSAGE
        assert result["partialFingerprints"]
        for location in result["locations"] + result.get("relatedLocations", []):
            physical = location["physicalLocation"]
            artifact = physical["artifactLocation"]
            parts = urlsplit(artifact["uri"])
            assert not parts.scheme and not parts.netloc and not artifact["uri"].startswith("/")
            assert artifact["uriBaseId"] == "%SRCROOT%"
            if "region" in physical:
                assert physical["region"]["startLine"] >= 1
    assert set(run["originalUriBaseIds"]) == {"%SRCROOT%"}


def test_demo_is_valid_sarif_for_github() -> None:
    report = scan_path(FIXTURES / "demo", root="fixtures/demo")
    data = render(report)
    assert_github_ingestible(data)
    run = run_of(data)
    assert run["tool"]["driver"]["name"] == "depcheck"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [
        RULE_INCOMPATIBLE,
        RULE_PIN_MISMATCH,
        RULE_SELF_CONTRADICTION,
        RULE_STALE_LOCK,
        RULE_INPUT_ERROR,
        RULE_INPUT_WARNING,
    ]
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in run["tool"]["driver"]["rules"]}
    assert levels == {
        RULE_INCOMPATIBLE: "error",
        RULE_PIN_MISMATCH: "warning",
        RULE_SELF_CONTRADICTION: "error",
        RULE_STALE_LOCK: "warning",
        RULE_INPUT_ERROR: "error",
        RULE_INPUT_WARNING: "warning",
    }
    assert len(run["results"]) == len(report.conflicts) == 3
    # each result sits on the line to change
    where = {
        r["properties"]["package"]: (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["message"]["text"],
        )
        for r in run["results"]
    }
    assert where["requests"] == (
        "fixtures/demo/services/billing/requirements.txt",
        4,
        "billing: requests>=2.20,<2.28 (the fix moves billing out of host web)",
    )
    assert where["gunicorn"][:2] == ("fixtures/demo/services/api/requirements.txt", 25)
    assert where["gunicorn"][2].endswith("(the fix re-locks services/api/requirements.txt)")
    assert where["urllib3"][:2] == ("fixtures/demo/services/api/requirements.txt", 60)


def test_one_result_per_conflict_with_fingerprint_and_locations(scan_tree: ScanTree) -> None:
    report = scan_tree(CLASH, root=".")
    results = run_of(render(report))["results"]
    assert [r["partialFingerprints"] for r in results] == [
        {"depcheck/v1": c.id} for c in report.conflicts
    ]
    by_package = {r["properties"]["package"]: r for r in results}
    requests = by_package["requests"]
    assert requests["ruleId"] == RULE_INCOMPATIBLE and requests["level"] == "error"
    (moved,) = report.conflicts[0].recommendation.services
    other = "worker" if moved == "api" else "api"
    # the moved-out service's line first, the other constraint as a related location
    assert uris(requests) == [f"{moved}/requirements.in", f"{other}/requirements.in"]
    [(here)] = requests["locations"]
    assert here["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 1}
    assert here["message"]["text"].startswith(f"{moved}: requests")
    assert here["message"]["text"].endswith(f"(the fix moves {moved} out of host web)")
    [(there)] = requests["relatedLocations"]
    assert there["id"] == 0 and there["message"]["text"].startswith(f"{other}: requests")
    message = requests["message"]["text"]
    assert message.startswith("requests (incompatible) on host web: api and worker need versions")
    assert requests["properties"]["services"] == ["api", "worker"]
    assert message.endswith(f"Fix: move out {moved}")

    urllib3 = by_package["urllib3"]
    assert urllib3["ruleId"] == RULE_PIN_MISMATCH and urllib3["level"] == "warning"
    # the pin to re-lock first; the other pin and both declared ranges related
    (relock,) = report.conflicts[1].recommendation.relock
    assert uris(urllib3)[0] == relock and urllib3["locations"][0]["message"]["text"].endswith(
        f"(the fix re-locks {relock})"
    )
    assert sorted(uris(urllib3)) == [
        "api/requirements.in",
        "api/requirements.txt",
        "worker/requirements.in",
        "worker/requirements.txt",
    ]
    assert urllib3["message"]["text"].startswith(
        "urllib3 (pin-mismatch) on host web: the pins of api and worker do not fit together "
        "(locked at 1.26.18, 2.2.1)."
    )


def test_uris_are_relative_to_where_depcheck_ran(scan_tree: ScanTree) -> None:
    """The root as given is put in front, so code scanning finds the files in the checkout."""
    report = scan_tree(CLASH, root="monorepo/./py/")
    run = run_of(render(report))
    assert sorted(uris(run["results"][0])) == [
        "monorepo/py/api/requirements.in",
        "monorepo/py/worker/requirements.in",
    ]
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]


def test_absolute_root_keeps_uris_relative_to_it(scan_tree: ScanTree, tmp_path: Path) -> None:
    report = scan_tree(CLASH)  # the root is the absolute temporary path, as given
    run = run_of(render(report))
    assert sorted(uris(run["results"][0])) == ["api/requirements.in", "worker/requirements.in"]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")
    assert unquote(urlsplit(base).path).rstrip("/") == (tmp_path / "repo").as_posix()


def test_odd_file_names_are_percent_encoded(scan_tree: ScanTree) -> None:
    files = {
        "depcheck.toml": config({"web": ["a", "b"]}, {"a": "svc one#1", "b": "b:c%d"}),
        "svc one#1/requirements.txt": "flask==2.0\n",
        "b:c%d/requirements.txt": "flask>=3\n",
    }
    result = run_of(render(scan_tree(files, root=".")))["results"][0]
    assert sorted(uris(result)) == ["b%3Ac%25d/requirements.txt", "svc%20one%231/requirements.txt"]
    assert sorted(unquote(u) for u in uris(result)) == [
        "b:c%d/requirements.txt",
        "svc one#1/requirements.txt",
    ]


def test_many_constraints_one_primary_and_the_rest_related(scan_tree: ScanTree) -> None:
    names = [f"s{i:02}" for i in range(14)]
    files = {"depcheck.toml": config({"web": names}, {n: n for n in names})}
    for index, name in enumerate(names):
        files[f"{name}/requirements.txt"] = locked(f"six==1.{index}.0")
    report = scan_tree(files, root=".")
    result = run_of(render(report))["results"][0]
    assert result["ruleId"] == RULE_PIN_MISMATCH
    assert len(result["locations"]) == 1
    assert [r["id"] for r in result["relatedLocations"]] == list(range(13))
    assert sorted(uris(result)) == [f"{n}/requirements.txt" for n in names]
    # the primary location is a lock the fix re-locks (every one but the version aligned on)
    assert uris(result)[0] in report.conflicts[0].recommendation.relock


def test_the_line_a_change_wrote_comes_first(scan_tree: ScanTree) -> None:
    report = scan_tree(CLASH, root=".")
    conflict = report.conflicts[0]
    (moved,) = conflict.recommendation.services
    other = next(r for r in conflict.requirements if r.service != moved)
    changed = replace(conflict, baseline="new", introduced=(other.location,))
    result = run_of(render(replace(report, conflicts=(changed,))))["results"][0]
    assert uris(result)[0] == other.location.path
    assert result["locations"][0]["message"]["text"].endswith("(written by this change)")
    assert result["baselineState"] == "new"


def test_fingerprints_are_stable_per_host_and_package(scan_tree: ScanTree) -> None:
    before = run_of(render(scan_tree(CLASH, root=".")))["results"]
    grown = {
        **CLASH,
        "depcheck.toml": config(
            {"web": ["api", "worker", "admin"]},
            {"api": "api", "worker": "worker", "admin": "admin"},
        ),
        "admin/requirements.txt": "requests<2.20\n",
    }
    after = run_of(render(scan_tree(grown, root=".")))["results"]
    fingerprint = {r["properties"]["package"]: r["partialFingerprints"] for r in before}
    assert {r["properties"]["package"]: r["partialFingerprints"] for r in after} == fingerprint


def test_stale_locks_have_a_rule_of_their_own(scan_tree: ScanTree) -> None:
    files = {
        "api/requirements.in": "requests>=2.31\n",
        "api/requirements.txt": locked("requests==2.27.1"),
    }
    report = scan_tree(files, root=".")
    assert any(d.message.startswith("stale lock") for d in report.warnings)
    data = render(report)
    assert_github_ingestible(data)
    stale = [r for r in run_of(data)["results"] if r["ruleId"] == RULE_STALE_LOCK]
    assert len(stale) == 1 and stale[0]["level"] == "warning"
    assert uris(stale[0]) == ["api/requirements.txt"]


def test_input_errors_and_warnings_are_located_results(scan_tree: ScanTree) -> None:
    files = {
        "api/requirements.txt": "flask==2.0\nrequests==\n",
        "worker/requirements.txt": "flask>=3\n",
    }
    report = scan_tree(files, root=".")
    assert report.errors
    data = render(report)
    assert_github_ingestible(data)
    inputs = [r for r in run_of(data)["results"] if r["ruleId"] == RULE_INPUT_ERROR]
    assert len(inputs) == len(report.diagnostics)
    error = inputs[0]
    assert error["level"] == "error"
    assert uris(error) == ["api/requirements.txt"]
    assert error["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert error["message"]["text"] == report.errors[0].message
    assert len(error["partialFingerprints"]["depcheck/v1"]) == 16


def test_warning_diagnostics_are_warnings(tmp_path: Path) -> None:
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "requirements.txt").write_bytes(b"# caf\xe9\nflask==2.0\n")
    report = scan_path(tmp_path, root=".")
    assert report.warnings, "a Latin-1 file is read with a warning"
    results = run_of(render(report))["results"]
    assert not [r for r in results if r["ruleId"] == RULE_INPUT_ERROR]
    inputs = [r for r in results if r["ruleId"] == RULE_INPUT_WARNING]
    assert inputs
    assert {r["level"] for r in inputs} == {"warning"}


def test_scan_wide_diagnostics_become_notifications(scan_tree: ScanTree) -> None:
    """A diagnostic with no file (nothing found at all) cannot be a code scanning result."""
    report = scan_tree({"README.md": "no services here\n"}, root=".")
    assert [d.location for d in report.diagnostics] == [Location(".")]
    run = run_of(render(report))
    assert run["results"] == []
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is True
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "warning"
    assert note["message"]["text"] == report.diagnostics[0].message
    assert note["associatedRule"]["id"] == RULE_INPUT_WARNING


def test_long_messages_are_capped(scan_tree: ScanTree) -> None:
    report = scan_tree(CLASH, root=".")
    conflict = report.conflicts[0]
    long = replace(conflict.recommendation, note="x" * 5000)
    report = replace(report, conflicts=(replace(conflict, recommendation=long),))
    result = run_of(render(report))["results"][0]
    assert len(result["message"]["text"]) == MAX_MESSAGE
    assert result["message"]["text"].endswith("…")


def test_output_is_deterministic(tmp_path: Path) -> None:
    write_tree(tmp_path, CLASH)
    first = SarifFormatter().format(scan_path(tmp_path, root="."))
    again = SarifFormatter().format(scan_path(tmp_path, root="."))
    assert first == again
    assert "Time" not in first  # no startTimeUtc / endTimeUtc


def test_registered_as_an_output_format() -> None:
    formatter = OutputFormat("sarif").to_formatter(RenderOptions())
    assert isinstance(formatter, SarifFormatter)


_HAS_BASELINE = "baseline" in {f.name for f in fields(Conflict)}


@pytest.mark.skipif(not _HAS_BASELINE, reason="conflicts carry no baseline state yet")
def test_baseline_state_and_suppressions(scan_tree: ScanTree) -> None:
    from depcheck.model import Suppression

    report = scan_tree(CLASH, root=".")
    new, known = report.conflicts
    ignored = Suppression(
        reason="tracked in JIRA-1", until=None, location=Location("depcheck.toml", 9)
    )
    report = replace(
        report,
        conflicts=(
            replace(new, baseline="new"),
            replace(known, baseline="known", ignored=ignored),
        ),
    )
    first, second = run_of(render(report))["results"]
    assert first["baselineState"] == "new" and "suppressions" not in first
    assert second["baselineState"] == "unchanged"
    changed = replace(new, baseline="changed", added_services=("worker",))
    [third] = run_of(render(replace(report, conflicts=(changed,))))["results"]
    assert third["baselineState"] == "updated"
    [suppression] = second["suppressions"]
    assert suppression["kind"] == "external"
    assert suppression["justification"] == "tracked in JIRA-1"
    assert suppression["location"]["physicalLocation"]["region"] == {"startLine": 9}


def test_information_uri_comes_from_the_project_metadata(
    monkeypatch: pytest.MonkeyPatch, scan_tree: ScanTree
) -> None:
    from email.message import Message

    from depcheck.report import sarif

    meta = Message()
    meta["Project-URL"] = "Issues, https://example.invalid/depcheck/issues"
    meta["Project-URL"] = "Homepage, https://example.invalid/depcheck"
    monkeypatch.setattr(sarif.metadata, "metadata", lambda name: meta)
    driver = run_of(render(scan_tree(CLASH, root=".")))["tool"]["driver"]
    assert driver["informationUri"] == "https://example.invalid/depcheck"
    helps = {rule["id"]: rule["helpUri"] for rule in driver["rules"]}
    assert helps[RULE_INCOMPATIBLE] == "https://example.invalid/depcheck#how-conflicts-are-decided"
    assert helps[RULE_INPUT_ERROR] == "https://example.invalid/depcheck#messages-by-family"
    for rule in driver["rules"]:
        assert rule["help"]["markdown"].endswith(f"({rule['helpUri']})")

    monkeypatch.setattr(sarif.metadata, "metadata", lambda name: Message())
    driver = run_of(render(scan_tree(CLASH, root=".")))["tool"]["driver"]
    assert "informationUri" not in driver
    assert not any("helpUri" in rule for rule in driver["rules"])  # nowhere to point


def test_the_readme_has_the_sections_help_uris_point_at() -> None:
    from depcheck.report.sarif import _ANCHORS

    readme = (FIXTURES.parent / "README.md").read_text(encoding="utf-8")
    headings = {
        "-".join(
            "".join(
                ch for ch in line.lstrip("#").strip().lower() if ch.isalnum() or ch in " -"
            ).split(" ")
        )
        for line in readme.splitlines()
        if line.startswith("#")
    }
    assert set(_ANCHORS.values()) <= headings
