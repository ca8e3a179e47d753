"""CI options: --baseline, --write-baseline, --diff-base (a real git history), ignore list, --fail-on."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from depcheck.analysis.evidence import conflict_id
from depcheck.report.json import load_schema
from tests.conftest import ROOT, write_tree

RunCli = Callable[..., tuple[int, str, str]]
ScanJson = Callable[..., tuple[int, Any]]

BASE = {
    "api/requirements.txt": "requests==2.31.0\nflask>=3\n",
    "billing/requirements.txt": "requests<2.28\nflask>=2\n",
    "reports/requirements.txt": "numpy<2\n",
}


def kinds(report: Any) -> dict[str, str | None]:
    return {c["package"]: c["baseline"] for c in report["conflicts"]}


def test_baseline_marks_new_known_and_fixed(
    tmp_path: Path, scan_json: ScanJson, run_cli: RunCli
) -> None:
    repo = write_tree(tmp_path / "repo", BASE)
    baseline = tmp_path / "baseline.json"
    code, _, err = run_cli("scan", str(repo), "--write-baseline", str(baseline), "--quiet")
    assert code == 1 and "wrote json report" in err
    # the change: billing drops its flask range clash? no: adds a numpy clash, fixes nothing yet
    write_tree(repo, {"etl/requirements.txt": "numpy>=2\n"})
    code, report = scan_json(repo, "--baseline", str(baseline))
    assert code == 1
    assert kinds(report) == {"numpy": "new", "requests": "known"}
    assert report["summary"]["new"] == 1 and report["fixed"] == []
    assert report["baseline"] == "baseline.json"  # never an absolute machine path
    jsonschema.validate(report, load_schema())
    # fix the new one: only known conflicts remain, so the run passes
    write_tree(repo, {"etl/requirements.txt": "numpy<2\n"})
    code, report = scan_json(repo, "--baseline", str(baseline))
    assert code == 0
    assert kinds(report) == {"requests": "known"}
    # fix the known one too: it is listed as fixed
    write_tree(repo, {"billing/requirements.txt": "requests>=2.31\nflask>=2\n"})
    old = json.loads(baseline.read_text())["conflicts"][0]["id"]
    code, report = scan_json(repo, "--baseline", str(baseline))
    assert code == 0
    assert report["conflicts"] == [] and report["fixed"] == [old]


def test_text_report_says_new_known_and_fixed(tmp_path: Path, run_cli: RunCli) -> None:
    repo = write_tree(tmp_path / "repo", BASE)
    baseline = tmp_path / "b.json"
    run_cli("scan", str(repo), "--format", "json", "--output", str(baseline))
    write_tree(repo, {"etl/requirements.txt": "numpy>=2\n"})
    code, out, _ = run_cli("scan", str(repo), "--baseline", str(baseline), "--color", "never")
    assert code == 1
    assert "new: not in the baseline" in out and "known: already in the baseline" in out
    assert "against b.json: 1 new, 0 fixed" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        ("{not json", "not a JSON report"),
        ('{"schema_version": 2}', "not a depcheck JSON report"),
        ('{"schema_version": 1, "conflicts": [{}]}', "have no ids"),
    ],
)
def test_unusable_baselines_are_input_errors(
    tmp_path: Path, run_cli: RunCli, content: str | None, message: str
) -> None:
    repo = write_tree(tmp_path / "repo", BASE)
    baseline = tmp_path / "baseline.json"
    if content is not None:
        baseline.write_text(content)
    code, _, err = run_cli("scan", str(repo), "--baseline", str(baseline))
    assert code == 2
    assert message in err


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@needs_git
def test_diff_base_scans_the_revision_without_touching_the_work_tree(
    tmp_path: Path, scan_json: ScanJson, run_cli: RunCli
) -> None:
    repo = write_tree(tmp_path / "repo", {f"services/{k}": v for k, v in BASE.items()})
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    # the change under review: one new clash (numpy), one fixed (requests), uncommitted
    write_tree(
        repo,
        {
            "services/etl/requirements.txt": "numpy>=2\n",
            "services/billing/requirements.txt": "requests>=2.31\nflask>=2\n",
        },
    )
    status_before = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    code, report = scan_json(repo / "services", "--diff-base", "main")
    assert code == 1
    assert kinds(report) == {"numpy": "new"}
    assert len(report["fixed"]) == 1
    assert report["baseline"] == "git main"
    status_after = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    assert status_after == status_before
    code, out, _ = run_cli(
        "scan", str(repo / "services"), "--diff-base", "HEAD", "--color", "never"
    )
    assert "against git HEAD: 1 new, 1 fixed" in out


@needs_git
def test_diff_base_errors(tmp_path: Path, run_cli: RunCli) -> None:
    plain = write_tree(tmp_path / "plain", BASE)
    code, _, err = run_cli("scan", str(plain), "--diff-base", "main")
    assert code == 2 and "is not inside a git repository" in err
    git(plain, "init", "-q")
    git(plain, "add", "-A")
    git(plain, "commit", "-q", "-m", "x")
    code, _, err = run_cli("scan", str(plain), "--diff-base", "no-such-ref")
    assert code == 2 and "unknown revision 'no-such-ref'" in err
    code, _, err = run_cli("scan", str(plain), "--diff-base", "HEAD", "--baseline", "x.json")
    assert code == 2 and "give one" in err


IGNORE = """
[[ignore]]
package = "Requests"
reason = "billing moves to its own image in Q3 (OPS-12)"
services = ["billing"]

[[ignore]]
package = "numpy"
reason = "was accepted until the migration"
until = 2020-01-31
"""


def test_ignore_list_shows_counts_and_expires(
    tmp_path: Path, scan_json: ScanJson, run_cli: RunCli
) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {**BASE, "etl/requirements.txt": "numpy>=2\n", "depcheck.toml": IGNORE},
    )
    code, report = scan_json(repo)
    jsonschema.validate(report, load_schema())
    requests = next(c for c in report["conflicts"] if c["package"] == "requests")
    assert requests["ignored"] == {
        "reason": "billing moves to its own image in Q3 (OPS-12)",
        "until": None,
        "by": "ignore",
        "source": "depcheck.toml",
        "line": 3,
    }
    numpy = next(c for c in report["conflicts"] if c["package"] == "numpy")
    assert numpy["ignored"] is None
    assert report["summary"]["ignored"] == 1
    (warning,) = report["diagnostics"]
    assert (
        warning["message"]
        == "ignore entry for numpy expired on 2020-01-31; its conflicts count again"
    )
    assert code == 1  # numpy still fails the run
    # the plan no longer needs to separate billing from api
    (plan,) = report["plans"]
    assert any({"api", "billing"} <= set(g) for g in plan["groups"])
    write_tree(repo, {"etl/requirements.txt": "numpy<2\n"})
    code, out, _ = run_cli("scan", str(repo), "--color", "never")
    assert code == 0
    assert "ignored: billing moves to its own image in Q3 (OPS-12) (depcheck.toml:3)" in out


@pytest.mark.parametrize(("fail_on", "expected"), [("any", 1), ("incompatible", 0), ("never", 0)])
def test_fail_on(tmp_path: Path, scan_json: ScanJson, fail_on: str, expected: int) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {
            "a/requirements.txt": "six==1.15.0\n    # via python-dateutil\n",
            "b/requirements.txt": "six==1.16.0\n    # via python-dateutil\n",
        },
    )
    code, report = scan_json(repo, "--fail-on", fail_on)
    assert [c["kind"] for c in report["conflicts"]] == ["pin-mismatch"]
    assert code == expected
    assert report["summary"]["exit_code"] == expected


def test_fail_on_incompatible_still_fails_for_incompatible(
    tmp_path: Path, scan_json: ScanJson
) -> None:
    repo = write_tree(tmp_path / "repo", BASE)
    assert scan_json(repo, "--fail-on", "incompatible")[0] == 1


def test_several_formats_from_one_scan(tmp_path: Path, run_cli: RunCli) -> None:
    repo = write_tree(tmp_path / "repo", BASE)
    out_json = tmp_path / "r.json"
    code, out, err = run_cli("scan", str(repo), "--color", "never", "--output", f"json:{out_json}")
    assert code == 1
    assert "incompatible" in out  # the text report still goes to the log
    assert json.loads(out_json.read_text())["summary"]["conflicts"] == 1
    code, _, err = run_cli("scan", str(repo), "--output", "a.txt", "--output", "b.txt")
    assert code == 2 and "a second bare FILE" in err


# --- ids are (host, package): a conflict that gains services is the same conflict, changed ---

DEMO = ROOT / "fixtures" / "demo"
#: the demo's JSON report as depcheck 0.1.0 wrote it (ids over host, package and services)
OLD_BASELINE = ROOT / "tests" / "baselines" / "demo-0.1.0.json"


def by_package(report: Any) -> dict[str, Any]:
    return {c["package"]: c for c in report["conflicts"]}


def test_a_known_conflict_that_gains_a_service_is_changed_and_fails(
    tmp_path: Path, scan_json: ScanJson, run_cli: RunCli
) -> None:
    repo = write_tree(tmp_path / "repo", BASE)
    baseline = tmp_path / "baseline.json"
    run_cli("scan", str(repo), "--write-baseline", str(baseline), "--quiet")
    before = by_package(json.loads(baseline.read_text()))["requests"]
    write_tree(repo, {"admin/requirements.txt": "requests<2.20\n"})
    code, report = scan_json(repo, "--baseline", str(baseline))
    jsonschema.validate(report, load_schema())
    requests = by_package(report)["requests"]
    assert requests["id"] == before["id"]  # the same conflict, not "1 new, 1 fixed"
    assert requests["services"] == ["admin", "api", "billing"]
    assert requests["baseline"] == "changed" and requests["added_services"] == ["admin"]
    assert report["fixed"] == [] and report["summary"]["changed"] == 1
    assert report["summary"]["new"] == 0
    assert code == 1  # a changed conflict fails the run like a new one
    # the annotations point at the line that changed, not again at api's and billing's
    code, out, _ = run_cli("scan", str(repo), "--baseline", str(baseline), "--format", "github")
    annotated = [line for line in out.splitlines() if line.startswith("::error")]
    assert annotated and all("admin/requirements.txt,line=1," in line for line in annotated)
    code, out, _ = run_cli("scan", str(repo), "--baseline", str(baseline), "--color", "never")
    assert "changed: the baseline had it without admin" in out
    assert "0 new, 1 changed, 0 fixed" in out


def test_a_known_conflict_that_loses_a_service_stays_known(
    tmp_path: Path, scan_json: ScanJson, run_cli: RunCli
) -> None:
    repo = write_tree(tmp_path / "repo", {**BASE, "admin/requirements.txt": "requests<2.20\n"})
    baseline = tmp_path / "baseline.json"
    run_cli("scan", str(repo), "--write-baseline", str(baseline), "--quiet")
    (repo / "admin" / "requirements.txt").write_text("flask>=3\n")
    code, report = scan_json(repo, "--baseline", str(baseline))
    requests = by_package(report)["requests"]
    assert requests["services"] == ["api", "billing"] and requests["baseline"] == "known"
    assert "added_services" not in requests
    assert report["fixed"] == [] and code == 0


def demo_copy(tmp_path: Path) -> Path:
    repo = tmp_path / "demo"
    shutil.copytree(DEMO, repo)
    return repo


def test_a_baseline_written_by_0_1_0_still_loads(
    tmp_path: Path, scan_json: ScanJson, run_cli: RunCli
) -> None:
    old = json.loads(OLD_BASELINE.read_text())
    assert old["tool"]["version"] == "0.1.0"
    # unchanged input: every conflict known, nothing fixed, although the old ids differ
    code, report = scan_json(DEMO, "--baseline", str(OLD_BASELINE))
    assert {c["baseline"] for c in report["conflicts"]} == {"known"}
    assert report["fixed"] == [] and code == 0
    assert {c["id"] for c in report["conflicts"]}.isdisjoint(c["id"] for c in old["conflicts"])
    # a fourth service on host web that also clashes on requests: changed, not new + fixed
    repo = demo_copy(tmp_path)
    config = (repo / "depcheck.toml").read_text()
    config = config.replace(
        'services = ["api", "auth", "billing"]', 'services = ["admin", "api", "auth", "billing"]'
    )
    (repo / "depcheck.toml").write_text(config + '\n[services.admin]\npath = "services/admin"\n')
    write_tree(repo, {"services/admin/requirements.txt": "requests<2.20\n"})
    code, report = scan_json(repo, "--baseline", str(OLD_BASELINE))
    states = {c["package"]: c["baseline"] for c in report["conflicts"]}
    assert states == {"requests": "changed", "gunicorn": "known", "urllib3": "known"}
    assert report["fixed"] == [] and code == 1
    # align gunicorn (api's lock moves to auth's 22.0.0): fixed lists just that conflict
    lock = repo / "services" / "api" / "requirements.txt"
    lock.write_text(lock.read_text().replace("gunicorn==21.2.0", "gunicorn==22.0.0"))
    code, report = scan_json(repo, "--baseline", str(OLD_BASELINE))
    assert "gunicorn" not in by_package(report)
    assert report["fixed"] == [conflict_id("web", "gunicorn")]
    assert report["summary"]["fixed"] == 1


def test_a_pin_mismatch_that_turns_incompatible_is_changed(
    tmp_path: Path, scan_json: ScanJson
) -> None:
    repo = demo_copy(tmp_path)
    for service, old, new in (
        ("api", "gunicorn>=21", "gunicorn<22"),
        ("auth", "gunicorn>=21.2", "gunicorn>=22"),
    ):
        spec = repo / "services" / service / "requirements.in"
        assert old in spec.read_text()
        spec.write_text(spec.read_text().replace(old, new))
    code, report = scan_json(repo, "--baseline", str(OLD_BASELINE))
    gunicorn = by_package(report)["gunicorn"]
    assert gunicorn["kind"] == "incompatible"
    assert gunicorn["baseline"] == "changed" and gunicorn["added_services"] == []
    assert code == 1


@needs_git
def test_diff_base_annotates_the_lines_the_change_wrote(tmp_path: Path, run_cli: RunCli) -> None:
    repo = write_tree(tmp_path / "repo", BASE)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    # numpy: reports' numpy<2 was there before, etl's numpy>=2 is what the change wrote;
    # requests: admin joins the known api/billing clash
    write_tree(
        repo, {"etl/requirements.txt": "numpy>=2\n", "admin/requirements.txt": "requests<2.20\n"}
    )
    code, out, _ = run_cli("scan", str(repo), "--diff-base", "main", "--format", "github")
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("::error")]
    where = {line.split("title=")[1].split("::")[0]: line.split(",")[0] for line in errors}
    assert sorted(where) == [
        "depcheck%3A numpy incompatible on host default (new)",
        "depcheck%3A requests incompatible on host default (changed%3A now also admin)",
    ]
    assert where[sorted(where)[0]].endswith("/etl/requirements.txt")
    assert where[sorted(where)[1]].endswith("/admin/requirements.txt")
