"""Configs that contradict themselves or the repository, and configs that cannot be used at all.

A reference the repository does not back (an unknown service, a path that is no directory) is
an error at the config line that makes it, and the rest is analysed. A host listing a service
twice, or a service on hosts with different environments, is a warning (the scan is still
right). A config that cannot be used (invalid TOML, duplicate service names, a wrong shape) stops
the scan, since the topology is unknown: exit 2, the error at its line, and for machine formats
a report holding only that error.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.robustness.conftest import RunCli, ScanJson, repository, run_module

SERVICES = "[services.api]\npath = 'api'\n[services.web]\npath = 'web'\n"


def test_a_host_naming_an_unknown_service(tmp_path: Path, scan: ScanJson) -> None:
    config = SERVICES + "[hosts.main]\nservices = [\n  'api',\n  'ghost',\n  'web',\n]\n"
    result = scan(repository(tmp_path, {"depcheck.toml": config}))
    assert result.code == 2
    error = result.only("depcheck.toml")
    assert (error["line"], error["column"]) == (8, 3)
    assert error["message"] == "host 'main' lists unknown service 'ghost' (known: api, web)"
    result.assert_healthy_still_analysed()


def test_a_host_listing_a_service_twice(tmp_path: Path, scan: ScanJson) -> None:
    config = SERVICES + "[hosts.main]\nservices = ['api', 'web', 'api']\n"
    result = scan(repository(tmp_path, {"depcheck.toml": config}))
    assert result.code == 1  # a warning: the host is still what the config means
    warning = result.only("depcheck.toml", "warning")
    assert (warning["line"], warning["column"]) == (6, 27)
    assert warning["message"] == "host 'main' lists service 'api' twice"
    result.assert_healthy_still_analysed()


def test_a_service_on_hosts_with_different_environments(tmp_path: Path, scan: ScanJson) -> None:
    config = (
        SERVICES
        + "[hosts.main]\nservices = ['api', 'web']\npython = '3.11'\n"
        + "[hosts.batch]\nservices = ['api']\npython = '3.12'\nplatform = 'linux'\n"
    )
    result = scan(repository(tmp_path, {"depcheck.toml": config}))
    assert result.code == 1
    warning = result.only("depcheck.toml", "warning")
    assert (warning["line"], warning["column"]) == (9, 13)
    assert warning["message"].startswith("service 'api' is on hosts with different environments")
    assert warning["message"].endswith("; it is checked on each")
    assert sorted(h["name"] for h in result.report["hosts"]) == ["batch", "main"]
    result.assert_healthy_still_analysed()


def test_references_the_repository_does_not_back(tmp_path: Path, scan: ScanJson) -> None:
    config = (
        SERVICES
        + "[services.lost]\npath = 'nowhere'\n"
        + "[services.odd]\nsources = ['odd/setup.py']\n"
        + "[hosts.main]\nservices = ['api', 'web', 'lost', 'odd']\n"
    )
    result = scan(repository(tmp_path, {"depcheck.toml": config, "odd/setup.py": ""}))
    assert result.code == 2
    messages = {(d["line"], d["message"]) for d in result.at("depcheck.toml")}
    assert (6, "service 'lost': path 'nowhere' is not a directory") in messages
    assert (8, "service 'odd': 'odd/setup.py' is not a dependency file format depcheck reads") in (
        messages
    )
    result.assert_healthy_still_analysed()


#: each file under assets/unusable-config/ is a depcheck.toml that stops the scan
UNUSABLE = Path(__file__).parent / "assets" / "unusable-config"


@pytest.mark.parametrize(
    ("name", "line", "column", "message"),
    [
        ("duplicate-service", 3, 14, "invalid TOML: Cannot declare ('services', 'api') twice"),
        (
            "duplicate-service-inline",
            3,
            14,
            "invalid TOML: Cannot declare ('services', 'api') twice",
        ),
        ("invalid-toml", 1, 14, "invalid TOML: Expected ']' at the end of a table declaration"),
        ("services-not-a-table", 1, None, "services: must be a table, not a string"),
        (
            "host-services-not-an-array",
            5,
            None,
            "hosts.main.services: must be an array of strings, not a string",
        ),
        (
            "path-leaves-root",
            2,
            None,
            "services.api.path: must stay inside the scan root (no '..')",
        ),
        (
            "unknown-platform",
            5,
            None,
            "hosts.main.platform: must be one of linux, darwin, win32, not 'linux2'",
        ),
    ],
)
def test_a_config_that_cannot_be_used(
    tmp_path: Path,
    scan: ScanJson,
    cli: RunCli,
    name: str,
    line: int,
    column: int | None,
    message: str,
) -> None:
    config = (UNUSABLE / f"{name}.toml").read_text(encoding="utf-8")
    root = repository(tmp_path, {"depcheck.toml": config})
    result = scan(root)
    assert result.code == 2
    error = result.only("depcheck.toml")
    assert (error["line"], error["column"], error["message"]) == (line, column, message)
    # nothing is analysed: without the topology depcheck cannot say which services share a host
    assert result.services == [] and result.report["conflicts"] == []
    assert result.report["config"] == "depcheck.toml"
    code, out, err = cli("scan", str(root))
    where = f"{line}:{column}" if column else f"{line}"
    assert (code, out, err) == (2, "", f"error: config depcheck.toml:{where}: {message}\n")


def test_a_tool_depcheck_table_with_the_wrong_shape(tmp_path: Path, scan: ScanJson) -> None:
    pyproject = "[project]\nname = 'mono'\n\n[tool.depcheck.services.api]\npath = 'api'\nfrob = 1\n"
    result = scan(repository(tmp_path, {"pyproject.toml": pyproject}))
    assert result.code == 2
    error = result.only("pyproject.toml")
    assert (error["line"], error["message"]) == (
        6,
        "tool.depcheck.services.api.frob: unknown key (known: extras, include-dev, path, sources)",
    )


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        ({}, ("--config", "nope.toml"), "config nope.toml: file not found"),
        ({"depcheck.toml/x": ""}, (), "config depcheck.toml: is a directory, not a file"),
        (
            {"depcheck.toml": b"[services.api]\npath = 'caf\xe9'\n"},
            (),
            "config depcheck.toml:2: not valid UTF-8 (a TOML file must be)",
        ),
        (
            {"depcheck.toml": b"\x00\x01binary"},
            (),
            "config depcheck.toml: looks like a binary file, not text",
        ),
    ],
    ids=["missing", "directory", "latin-1", "binary"],
)
def test_a_config_that_cannot_be_read(
    tmp_path: Path,
    cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str | bytes],
    args: tuple[str, ...],
    message: str,
) -> None:
    root = repository(tmp_path, files)
    monkeypatch.chdir(root)
    code, out, err = cli("scan", ".", *args)
    assert (code, out, err) == (2, "", f"error: {message}\n")


def test_config_errors_through_the_installed_command(tmp_path: Path) -> None:
    root = repository(
        tmp_path,
        {"depcheck.toml": "[services.api]\npath = 'api'\n[services.api]\npath = 'web'\n"},
    )
    result = run_module("scan", str(root), "--format", "sarif")
    assert result.returncode == 2
    assert result.stderr == (
        "error: depcheck.toml:3:14: invalid TOML: Cannot declare ('services', 'api') twice\n"
    )
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    result = run_module("scan", str(root))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "error: config depcheck.toml:3:14: invalid TOML: Cannot declare ('services', 'api') twice\n"
    )
