"""A service that contradicts itself is a finding like a conflict, end to end through the CLI:
a stable id of (host, service, package) in the JSON report, matched by baselines (known, new,
fixed), accepted by `[[ignore]]`, its own SARIF rule with a fingerprint, ranked among the
`--format github` annotations."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from depcheck.report.json import load_schema
from tests.cli.test_unattended import RunCli, run_cli  # noqa: F401 (a fixture)
from tests.conftest import write_tree
from tests.report.test_sarif import _validator

TOPOLOGY = """
[services.api]
path = "api"
[services.web]
path = "web"
[hosts.main]
services = ["api", "web"]
"""

#: api asks for requests>=2.31 in one file and requests<2.28 in the file beside it
CONTRADICTION = {
    "api/requirements.txt": "requests>=2.31\n",
    "api/requirements.in": "requests<2.28\n",
    "web/requirements.txt": "flask\n",
}


def _tree(root: Path, extra: str = "", files: dict[str, str] | None = None) -> Path:
    return write_tree(root, {"depcheck.toml": TOPOLOGY + extra, **(files or CONTRADICTION)})


def _json(run_cli: RunCli, *args: str) -> tuple[int, dict[str, Any]]:  # noqa: F811
    code, out, err = run_cli("scan", *args, "--format", "json")
    assert "Traceback" not in err
    report: dict[str, Any] = json.loads(out)
    jsonschema.validate(report, load_schema(), cls=jsonschema.Draft202012Validator)
    return code, report


def _findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in report["diagnostics"] if d["finding"]]


def test_a_finding_has_a_stable_id_of_host_service_and_package(
    run_cli: RunCli,  # noqa: F811
    tmp_path: Path,
) -> None:
    root = _tree(tmp_path / "repo")
    code, report = _json(run_cli, str(root))
    assert code == 1
    (finding,) = _findings(report)
    assert (finding["host"], finding["service"], finding["package"]) == ("main", "api", "requests")
    assert finding["evidence"] == "static" and finding["baseline"] is None
    assert finding["message"].startswith("service 'api' contradicts itself on host main")
    # the id depends on neither the message nor the lines: another order, another line
    (root / "api" / "requirements.in").write_text("# moved\n\nrequests <2.27\n", encoding="utf-8")
    _, again = _json(run_cli, str(root))
    (moved,) = _findings(again)
    assert moved["message"] != finding["message"] and moved["id"] == finding["id"]
    # on another host it is another finding
    other = _tree(tmp_path / "other", files=CONTRADICTION)
    (other / "depcheck.toml").write_text(
        TOPOLOGY.replace("[hosts.main]", "[hosts.edge]"), encoding="utf-8"
    )
    _, elsewhere = _json(run_cli, str(other))
    (there,) = _findings(elsewhere)
    assert there["host"] == "edge" and there["id"] != finding["id"]


def test_a_baseline_that_has_the_finding_knows_it_and_a_new_one_fails(
    run_cli: RunCli,  # noqa: F811
    tmp_path: Path,
) -> None:
    root = _tree(tmp_path / "repo")
    baseline = tmp_path / "baseline.json"
    code, _, _ = run_cli("scan", str(root), "--write-baseline", str(baseline), "--quiet")
    assert code == 1
    code, report = _json(run_cli, str(root), "--baseline", str(baseline))
    assert code == 0 == report["summary"]["exit_code"]
    (finding,) = _findings(report)
    assert finding["baseline"] == "known" and report["fixed"] == []
    code, text, _ = run_cli("scan", str(root), "--baseline", str(baseline), "--color", "never")
    assert code == 0
    assert "contradicts itself on host main" in text and "(known: in the baseline)" in text
    # web now contradicts itself too: that one is new and fails the run
    (root / "web" / "requirements.in").write_text("flask<1\n", encoding="utf-8")
    (root / "web" / "requirements.txt").write_text("flask>=2\n", encoding="utf-8")
    code, report = _json(run_cli, str(root), "--baseline", str(baseline))
    assert code == 1 == report["summary"]["exit_code"]
    states = {f["service"]: f["baseline"] for f in _findings(report)}
    assert states == {"api": "known", "web": "new"}
    _, markdown, _ = run_cli("scan", str(root), "--baseline", str(baseline), "-f", "markdown")
    assert markdown.splitlines()[1].startswith(
        "## depcheck: 0 new conflicts, 1 new self-contradiction, 0 fixed · "
    )
    assert "contradicts itself on host main: no version of flask" in markdown
    # and when api's contradiction is fixed, the baseline's finding is listed as fixed
    (root / "api" / "requirements.in").unlink()
    code, report = _json(run_cli, str(root), "--baseline", str(baseline))
    known_id = json.loads(baseline.read_text(encoding="utf-8"))["diagnostics"][0]["id"]
    assert report["fixed"] == [known_id] and report["summary"]["fixed"] == 1
    assert code == 1  # web's is still new


def test_a_baseline_written_before_findings_had_ids_still_loads(
    run_cli: RunCli,  # noqa: F811
    tmp_path: Path,
) -> None:
    root = _tree(tmp_path / "repo")
    _, report = _json(run_cli, str(root))
    for entry in report["diagnostics"]:  # as this release's predecessor wrote them
        for key in ("id", "host", "service", "package", "evidence", "baseline", "ignored"):
            entry.pop(key, None)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(report), encoding="utf-8")
    code, again = _json(run_cli, str(root), "--baseline", str(old))
    assert code == 1  # nothing to match it by: the finding is new
    assert [f["baseline"] for f in _findings(again)] == ["new"]


def test_diff_base_knows_a_finding_the_base_revision_had(
    run_cli: RunCli,  # noqa: F811
    tmp_path: Path,
) -> None:
    root = _tree(tmp_path / "repo")

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=root,
            check=True,
            capture_output=True,
        )

    git("init", "-q", "-b", "main")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    (root / "web" / "requirements.in").write_text("flask<1\n", encoding="utf-8")
    (root / "web" / "requirements.txt").write_text("flask>=2\n", encoding="utf-8")
    code, report = _json(run_cli, str(root), "--diff-base", "main")
    states = {f["service"]: f["baseline"] for f in _findings(report)}
    assert states == {"api": "known", "web": "new"} and code == 1
    git("add", ".")
    git("commit", "-q", "-m", "web too")
    (root / "web" / "requirements.in").unlink()
    code, report = _json(run_cli, str(root), "--diff-base", "main")
    assert code == 0 and len(report["fixed"]) == 1


IGNORE = """
[[ignore]]
package = "Requests"
services = ["api"]
reason = "api is rewritten in Q3"
until = 2999-01-01
"""


@pytest.mark.parametrize(
    ("entry", "accepted"),
    [
        (IGNORE, True),
        (IGNORE.replace('services = ["api"]', 'host = "main"'), True),
        (IGNORE.replace('services = ["api"]', 'host = "other"'), False),
        (IGNORE.replace('services = ["api"]', 'services = ["web"]'), False),
        (IGNORE.replace("Requests", "flask"), False),
        (IGNORE.replace("2999-01-01", "2001-01-01"), False),
    ],
)
def test_an_ignore_entry_accepts_a_finding(
    run_cli: RunCli,  # noqa: F811
    tmp_path: Path,
    entry: str,
    accepted: bool,
) -> None:
    root = _tree(tmp_path / "repo", entry)
    code, report = _json(run_cli, str(root))
    (finding,) = _findings(report)
    if accepted:
        assert code == 0
        assert finding["ignored"]["reason"] == "api is rewritten in Q3"
        assert finding["ignored"]["source"] == "depcheck.toml"
        config = (root / "depcheck.toml").read_text(encoding="utf-8").splitlines()
        assert finding["ignored"]["line"] == config.index('package = "Requests"') + 1
    else:
        assert code == 1 and finding["ignored"] is None
    _, text, _ = run_cli("scan", str(root), "--color", "never")
    assert ("(ignored: api is rewritten in Q3)" in text) is accepted


def test_sarif_has_a_self_contradiction_rule_with_the_finding_s_fingerprint(
    run_cli: RunCli,  # noqa: F811
    tmp_path: Path,
) -> None:
    root = _tree(tmp_path / "repo")
    baseline = tmp_path / "baseline.json"
    run_cli("scan", str(root), "--write-baseline", str(baseline), "--quiet")
    (root / "depcheck.toml").write_text(TOPOLOGY + IGNORE, encoding="utf-8")
    _, report = _json(run_cli, str(root))
    code, out, _ = run_cli("scan", str(root), "--format", "sarif", "--baseline", str(baseline))
    assert code == 0
    sarif = json.loads(out)
    errors = sorted(_validator().iter_errors(sarif), key=lambda e: list(e.absolute_path))
    assert not errors, errors
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    (result,) = run["results"]
    rule = rules[result["ruleIndex"]]
    assert result["ruleId"] == rule["id"] == "depcheck/self-contradiction"
    assert rule["help"]["markdown"] and rule["defaultConfiguration"]["level"] == "error"
    assert result["level"] == "error"
    assert result["partialFingerprints"] == {"depcheck/v1": _findings(report)[0]["id"]}
    assert result["baselineState"] == "unchanged"
    (suppression,) = result["suppressions"]
    assert suppression["status"] == "accepted"
    assert suppression["justification"] == "api is rewritten in Q3"
    assert result["properties"] == {
        "host": "main",
        "service": "api",
        "package": "requests",
        "evidence": "static",
    }
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("api/requirements.in")
    assert physical["region"]["startLine"] == 1


def test_annotations_rank_a_new_finding_with_failing_conflicts(
    run_cli: RunCli,  # noqa: F811
    tmp_path: Path,
) -> None:
    # twelve incompatible conflicts that the baseline knows, and one new finding
    files = {
        "api/requirements.txt": "".join(f"pkg{i}==1.0\n" for i in range(12)),
        "web/requirements.txt": "".join(f"pkg{i}==2.0\n" for i in range(12)),
    }
    root = _tree(tmp_path / "repo", files=files)
    baseline = tmp_path / "baseline.json"
    run_cli("scan", str(root), "--write-baseline", str(baseline), "--quiet")
    (root / "api" / "requirements.in").write_text("pkg0==1.0\nflask<1\n", encoding="utf-8")
    (root / "api" / "requirements.txt").write_text(
        "".join(f"pkg{i}==1.0\n" for i in range(12)) + "flask>=2\n", encoding="utf-8"
    )
    code, out, _ = run_cli("scan", str(root), "--format", "github", "--baseline", str(baseline))
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    assert len(errors) == 10
    # the new finding first, then the known conflicts
    assert "title=depcheck%3A api contradicts itself on flask (new)::" in errors[0]
    assert "api/requirements.in,line=2," in errors[0]
    assert all("(in the baseline)" in line for line in errors[1:])
    (notice,) = [line for line in out.splitlines() if line.startswith("::notice ")]
    assert "3 errors more not annotated" in notice

    # accepted by an ignore entry, it is not annotated and the notice counts it
    (root / "depcheck.toml").write_text(
        TOPOLOGY + IGNORE.replace("Requests", "flask"), encoding="utf-8"
    )
    code, out, _ = run_cli("scan", str(root), "--format", "github", "--baseline", str(baseline))
    assert code == 0
    assert "contradicts itself" not in out.split("::notice ")[0]
    assert "1 ignored finding not annotated" in out
