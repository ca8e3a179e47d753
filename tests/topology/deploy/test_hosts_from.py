"""End to end: repositories with deployment files and no depcheck.toml, scanned through the CLI.

The hosts (names, members, Python, origin) and the conflicts come from the deployment files;
`--hosts-from` picks another source; `depcheck plan --emit compose` writes its suggestion where
it is told and leaves the repository as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from depcheck.report.json import load_schema
from tests.conftest import FIXTURES, write_tree

DEPLOY = FIXTURES / "deploy"
RunCli = Callable[..., tuple[int, str, str]]
ScanJson = Callable[..., tuple[int, Any]]


def scan(scan_json: ScanJson, path: Path | str, *args: str) -> tuple[int, Any]:
    code, report = scan_json(path, *args)
    jsonschema.validate(report, load_schema(), cls=jsonschema.Draft202012Validator)
    return code, report


def hosts(report: Any) -> dict[str, tuple[tuple[str, ...], str, str | None]]:
    return {
        h["name"]: (
            tuple(h["services"]),
            h["environment"]["python_version"],
            None if h["origin"] is None else f"{h['origin']['source']}:{h['origin']['line']}",
        )
        for h in report["hosts"]
    }


def conflicts(report: Any) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(c["host"], c["package"], tuple(c["services"])) for c in report["conflicts"]}


def test_compose_project(scan_json: ScanJson) -> None:
    code, report = scan(scan_json, DEPLOY / "shop")
    assert code == 1
    assert report["config"] is None
    assert hosts(report) == {
        "web": (("services/api", "services/auth", "services/billing"), "3.11", "compose.yaml:10"),
        "scheduler+worker": (("jobs/worker",), "3.12", "compose.yaml:15"),
    }
    assert conflicts(report) == {
        ("web", "requests", ("services/api", "services/auth", "services/billing"))
    }
    web = next(h for h in report["hosts"] if h["name"] == "web")
    assert web["environment"]["source"] == (
        "docker/web.Dockerfile:16; python 3.11 taken as 3.11.18 (newest known on 2026-12-03)"
    )
    assert web["environment"]["sys_platform"] == "linux"
    (plan,) = report["plans"]
    assert plan["images"] == [
        {
            "name": "api-auth",
            "services": ["services/api", "services/auth"],
            "installs": ["services/api/requirements.txt", "services/auth/requirements.txt"],
        },
        {
            "name": "billing",
            "services": ["services/billing"],
            "installs": ["services/billing/requirements.txt"],
        },
    ]
    assert report["diagnostics"] == []


def test_sam_template(scan_json: ScanJson) -> None:
    code, report = scan(scan_json, DEPLOY / "lambda")
    assert code == 1
    assert hosts(report) == {
        "OrdersFunction": (("functions/orders", "layers/shared"), "3.12", "template.yaml:27"),
        "ReportsFunction": (("functions/reports", "layers/shared"), "3.11", "template.yaml:35"),
        "ThumbnailsFunction": (
            ("functions/thumbnails", "layers/shared"),
            "3.12",
            "template.yaml:43",
        ),
    }
    reports = next(h for h in report["hosts"] if h["name"] == "ReportsFunction")
    assert reports["environment"]["platform_machine"] == "aarch64"
    assert conflicts(report) == {
        ("OrdersFunction", "urllib3", ("functions/orders", "layers/shared"))
    }
    assert [d["source"] for d in report["diagnostics"]] == ["template.yaml"]


def test_procfile_and_serverless(scan_json: ScanJson) -> None:
    code, report = scan(scan_json, DEPLOY / "heroku")
    assert code == 1
    assert hosts(report) == {
        "Procfile": (("services/tasks", "services/web"), "3.11", "Procfile:1"),
    }
    assert report["hosts"][0]["environment"]["python_full_version"] == "3.11.9"
    assert conflicts(report) == {("Procfile", "redis", ("services/tasks", "services/web"))}
    code, report = scan(scan_json, DEPLOY / "sls")
    assert code == 1
    assert hosts(report) == {
        "hello": (("handlers/hello", "layers/common"), "3.12", "serverless.yml:25"),
        "export": (("handlers/export",), "3.11", "serverless.yml:30"),
    }
    assert conflicts(report) == {("hello", "requests", ("handlers/hello", "layers/common"))}


def test_standalone_dockerfiles(scan_json: ScanJson) -> None:
    code, report = scan(scan_json, DEPLOY / "monolith")
    assert code == 1
    assert hosts(report) == {
        "Dockerfile:runtime": (
            ("services/admin", "services/catalog", "services/search"),
            "3.12",
            "Dockerfile:29",
        ),
        "services/search/Dockerfile": (
            ("services/search",),
            "3.11",
            "services/search/Dockerfile:1",
        ),
    }
    assert conflicts(report) == {
        ("Dockerfile:runtime", "pydantic", ("services/admin", "services/catalog"))
    }
    assert report["diagnostics"] == []
    assert report["notes"] == [
        "hosts from deployment files (2 hosts); 1 directory has no deployment file: checked on"
        " its own (scripts)"
    ]


def test_hosts_from_single_and_config(scan_json: ScanJson, tmp_path: Path) -> None:
    _, single = scan(scan_json, DEPLOY / "shop", "--hosts-from", "single")
    assert list(hosts(single)) == ["default"]
    assert single["hosts"][0]["origin"] is None
    repo = write_tree(
        tmp_path,
        {
            "a/requirements.txt": "flask==2.0\n",
            "b/requirements.txt": "flask==3.0\n",
            "Dockerfile": "FROM python:3.12\nCOPY a/requirements.txt .\n"
            "RUN pip install -r requirements.txt\n",
            "depcheck.toml": '[services.a]\npath = "a"\n[services.b]\npath = "b"\n'
            '[hosts.together]\nservices = ["a", "b"]\npython = "3.11"\n',
        },
    )
    _, auto = scan(scan_json, repo)
    assert hosts(auto) == {"together": (("a", "b"), "3.11", None)}
    _, deploy = scan(scan_json, repo, "--hosts-from", "deploy")
    # config services keep their names; the Dockerfile installs a's file only
    assert hosts(deploy) == {"Dockerfile": (("a",), "3.12", "Dockerfile:1")}
    assert deploy["conflicts"] == []


def test_deploy_without_deployment_files_is_an_input_error(
    scan_json: ScanJson, tmp_path: Path
) -> None:
    repo = write_tree(tmp_path, {"a/requirements.txt": "flask\n"})
    code, report = scan(scan_json, repo, "--hosts-from", "deploy")
    assert code == 2
    assert report["hosts"] == []
    assert "no deployment files found" in report["diagnostics"][0]["message"]
    code, report = scan(scan_json, repo)
    assert code == 0
    assert list(hosts(report)) == ["default"]


def test_installed_files_discovery_leaves_out_are_read(scan_json: ScanJson, tmp_path: Path) -> None:
    repo = write_tree(
        tmp_path,
        {
            "api/requirements.txt": "requests>=2.31\n",
            "api/requirements-dev.txt": "-r requirements.txt\nurllib3<2\n",
            "deploy/legacy.txt": "requests<2.28\n",
            "docker-compose.yml": "services:\n"
            "  api:\n"
            "    build:\n"
            "      context: .\n"
            "      dockerfile: deploy/api.Dockerfile\n",
            "deploy/api.Dockerfile": "FROM python:3.11-slim\n"
            "COPY api/requirements.txt api/requirements-dev.txt /tmp/api/\n"
            "COPY deploy/legacy.txt /tmp/legacy.txt\n"
            "RUN pip install -r /tmp/api/requirements-dev.txt -r /tmp/legacy.txt\n",
        },
    )
    code, report = scan(scan_json, repo)
    assert code == 1
    assert hosts(report) == {
        "api": (("api", "deploy/legacy.txt"), "3.11", "docker-compose.yml:2"),
    }
    services = {s["name"]: [f["path"] for f in s["sources"]] for s in report["services"]}
    assert services == {
        # requirements.txt is read through requirements-dev.txt's -r
        "api": ["api/requirements-dev.txt"],
        "deploy/legacy.txt": ["deploy/legacy.txt"],
    }
    assert conflicts(report) == {("api", "requests", ("api", "deploy/legacy.txt"))}


def test_python_unknown_falls_back_like_an_unconfigured_host(
    scan_json: ScanJson, tmp_path: Path
) -> None:
    repo = write_tree(
        tmp_path,
        {
            "a/requirements.txt": "x==1\n",
            "Dockerfile": "FROM mycorp/python-base\nCOPY a/requirements.txt .\n"
            "RUN pip install -r requirements.txt\n",
        },
    )
    _, report = scan(scan_json, repo, "--python", "3.10")
    (host,) = report["hosts"]
    assert host["environment"]["python_version"] == "3.10"
    assert host["environment"]["source"] == "python from --python, platform from Dockerfile:1"
    assert "not known from its base image" in report["diagnostics"][0]["message"]


def test_text_markdown_and_sarif_name_the_origin(run_cli: RunCli) -> None:
    _, text, _ = run_cli("scan", str(DEPLOY / "shop"), "--color", "never")
    assert "hosts from deployment files" in text
    assert "from compose.yaml:10" in text
    _, markdown, _ = run_cli("scan", str(DEPLOY / "shop"), "--format", "markdown")
    assert (
        "<summary>Host <code>web</code> (python 3.11, linux) from <code>compose.yaml:10</code>"
        in markdown
    )
    _, sarif, _ = run_cli("scan", str(DEPLOY / "shop"), "--format", "sarif")
    (result,) = json.loads(sarif)["runs"][0]["results"]
    related = [r["message"]["text"] for r in result.get("relatedLocations", [])]
    # the other constraints first, then the line that makes the host
    assert related[-1] == "host web is defined here"
    assert len(related) == len(result["properties"]["services"])


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_plan_prints_images_in_deployment_terms(run_cli: RunCli) -> None:
    code, out, _ = run_cli("plan", str(DEPLOY / "shop"))
    assert code == 1
    assert "host web  (from compose.yaml:10; python 3.11, linux)" in out
    assert "  split this image into 2:" in out
    assert "    api-auth  services/api, services/auth" in out
    assert "installs services/billing/requirements.txt" in out
    assert out.rstrip().endswith("exit 1")


def test_plan_emit_compose_writes_where_told_and_touches_nothing_else(
    run_cli: RunCli, tmp_path: Path
) -> None:
    before = tree(DEPLOY / "shop")
    out = tmp_path / "suggested" / "split.yaml"
    code, _, err = run_cli("plan", str(DEPLOY / "shop"), "--emit", "compose", str(out))
    assert code == 1, err
    assert tree(DEPLOY / "shop") == before
    written = tree(tmp_path)
    assert sorted(written) == [
        "suggested/split.yaml",
        "suggested/split.yaml.d/api-auth.Dockerfile",
        "suggested/split.yaml.d/billing.Dockerfile",
    ]
    import yaml

    compose = yaml.safe_load(out.read_text())
    assert sorted(compose["services"]) == ["api-auth", "billing"]
    build = compose["services"]["billing"]["build"]
    assert Path(build["context"]) == (DEPLOY / "shop").absolute()
    sketch = Path(build["dockerfile"]).read_text()
    assert "FROM python:3.11-slim" in sketch
    assert "RUN pip install --no-cache-dir -r services/billing/requirements.txt" in sketch
    assert "api" not in sketch.split("Services:")[1]
    # a second run refuses to overwrite; --force replaces what depcheck wrote
    code, _, err = run_cli("plan", str(DEPLOY / "shop"), "--emit", "compose", str(out))
    assert code == 2 and "exists (use --force to replace it)" in err
    code, _, _ = run_cli("plan", str(DEPLOY / "shop"), "--emit", "compose", str(out), "--force")
    assert code == 1
    # a file depcheck did not write is never replaced, --force or not
    mine = tmp_path / "mine.yaml"
    mine.write_text("services: {}\n")
    code, _, err = run_cli("plan", str(DEPLOY / "shop"), "--emit", "compose", str(mine), "--force")
    assert code == 2 and "never overwrites it" in err
    assert mine.read_text() == "services: {}\n"
    assert tree(DEPLOY / "shop") == before


def test_plan_emit_inside_the_repository_uses_relative_paths(
    run_cli: RunCli, tmp_path: Path
) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {
            "a/requirements.txt": "flask==2.0\n",
            "b/requirements.txt": "flask==3.0\n",
            "Dockerfile": "FROM python:3.12\nCOPY . /app\n"
            "RUN pip install -r /app/a/requirements.txt -r /app/b/requirements.txt\n",
        },
    )
    before = tree(repo)
    code, _, _ = run_cli("plan", str(repo), "--emit", "compose", str(repo / "ops" / "split.yaml"))
    assert code == 1
    text = (repo / "ops" / "split.yaml").read_text()
    assert 'context: ".."' in text
    assert 'dockerfile: "ops/split.yaml.d/a.Dockerfile"' in text
    after = tree(repo)
    assert {k: v for k, v in after.items() if not k.startswith("ops/")} == before


def test_plan_of_a_single_host_and_of_nothing_to_split(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "split.yaml"
    code, text, _ = run_cli(
        "plan", str(DEPLOY / "shop"), "--hosts-from", "single", "--emit", "compose", str(out)
    )
    assert code == 1
    assert "  split this host into 3:" in text
    assert len(list((tmp_path / "split.yaml.d").iterdir())) == 3
    calm = write_tree(tmp_path / "calm", {"a/requirements.txt": "flask\n"})
    code, text, err = run_cli("plan", str(calm), "--emit", "compose", str(tmp_path / "n.yaml"))
    assert code == 0
    assert "✓ keep as is: no conflicts" in text
    assert "nothing written" in err
    assert not (tmp_path / "n.yaml").exists()
    code, _, err = run_cli("plan", str(DEPLOY / "heroku"), "--emit", "yaml", str(out))
    assert code == 2 and "choose compose or locks" in err


@pytest.mark.parametrize("story", ["shop", "lambda", "heroku", "sls", "monolith"])
def test_fixture_reports_are_deterministic(run_cli: RunCli, story: str) -> None:
    first = run_cli("scan", str(DEPLOY / story), "--format", "json")[1]
    second = run_cli("scan", str(DEPLOY / story), "--format", "json")[1]
    assert first == second
