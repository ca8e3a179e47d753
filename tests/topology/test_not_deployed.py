"""What is deployed: folders of examples, samples, docs, CI, e2e tests, benchmarks and test
fixtures are no services unless a config or a deployment file names them (--include-examples
takes them all); the report says once what it left out, and how hosts were decided."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from depcheck.topology.discover import not_deployed_reason
from tests.conftest import write_tree

ScanJson = Callable[..., tuple[int, Any]]
RunCli = Callable[..., tuple[int, str, str]]

LIBRARY = {
    "libs/core/requirements.txt": "requests>=2.31\n",
    "libs/web/requirements.txt": "requests>=2.32\n",
    "examples/old-client/requirements.txt": "requests<2.0\n",
    "libs/core/examples/demo/requirements.txt": "requests==1.0\n",
    "docs/requirements.txt": "sphinx==7.0\nrequests<2\n",
    ".github/tools/requirements.txt": "requests<2\n",
    "e2e-tests/requirements.txt": "requests<2\n",
    "benchmarks/requirements.txt": "requests<2\n",
    "tests/fixtures/broken/requirements.txt": "requests<1\n",
    "testdata/bad/requirements.txt": "requests<1\n",
    "shop-example/requirements.txt": "requests<2\n",
    "samples/app/requirements.txt": "requests<2\n",
}


@pytest.mark.parametrize(
    ("directory", "reason"),
    [
        ("examples/a", "examples"),
        ("libs/x/example", "examples"),
        ("flask-examples/app", "examples"),
        ("shop_example", "examples"),
        ("samples", "samples"),
        ("docs", "documentation"),
        (".github/workflows/lib", "CI workflows"),
        ("e2e", "end-to-end tests"),
        ("e2e-tests/suite", "end-to-end tests"),
        ("benchmarks/io", "benchmarks"),
        ("tests/fixtures/x", "test fixtures"),
        ("testdata", "test fixtures"),
        (".", None),
        ("services/api", None),
        ("services/exampleservice", None),
        ("docsearch", None),
    ],
)
def test_not_deployed_folders(directory: str, reason: str | None) -> None:
    assert not_deployed_reason(directory) == reason


def test_discovery_leaves_them_out_and_says_so_once(
    tmp_path: Path, scan_json: ScanJson, run_cli: RunCli
) -> None:
    write_tree(tmp_path, LIBRARY)
    code, report = scan_json(tmp_path)
    assert code == 0  # the only incompatibilities were between examples and fixtures
    assert [s["name"] for s in report["services"]] == ["libs/core", "libs/web"]
    assert {e["path"] for e in report["left_out"]} == {
        "examples/old-client",
        "libs/core/examples/demo",
        "docs",
        ".github/tools",
        "e2e-tests",
        "benchmarks",
        "testdata/bad",
        "shop-example",
        "samples/app",
    }
    assert report["notes"] == [
        "no deployment files: every directory assumed on one host `default`",
        "left out 9 directories as not deployed (CI workflows: .github/tools; benchmarks: "
        "benchmarks; documentation: docs; end-to-end tests: e2e-tests; examples: "
        "examples/old-client, libs/core/examples/demo, shop-example; samples: samples/app; "
        "test fixtures: testdata/bad); --include-examples checks them too",
    ]
    assert report["diagnostics"] == []
    _, text, _ = run_cli("scan", str(tmp_path), "--color", "never")
    assert text.count("left out 9 directories") == 1
    assert "no deployment files: every directory assumed on one host `default`" in text


def test_include_examples_takes_them(tmp_path: Path, scan_json: ScanJson) -> None:
    write_tree(tmp_path, LIBRARY)
    code, report = scan_json(tmp_path, "--include-examples")
    assert code == 1
    assert "examples/old-client" in [s["name"] for s in report["services"]]
    assert report["left_out"] == []
    assert report["notes"] == ["no deployment files: every directory assumed on one host `default`"]


def test_a_config_service_in_an_examples_folder_is_a_service(
    tmp_path: Path, scan_json: ScanJson
) -> None:
    write_tree(
        tmp_path,
        {
            **LIBRARY,
            "depcheck.toml": '[services.demo]\npath = "examples/old-client"\n'
            '[services.core]\npath = "libs/core"\n'
            '[hosts.web]\nservices = ["demo", "core"]\n',
        },
    )
    code, report = scan_json(tmp_path)
    assert code == 1
    assert [c["services"] for c in report["conflicts"]] == [["core", "demo"]]
    assert report["left_out"] == []
    assert report["notes"] == ["hosts from the config depcheck.toml"]


def test_a_deployment_file_that_installs_an_example_brings_it_back(
    tmp_path: Path, scan_json: ScanJson
) -> None:
    write_tree(
        tmp_path,
        {
            **LIBRARY,
            "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n"
            "RUN pip install -r /app/libs/core/requirements.txt "
            "-r /app/examples/old-client/requirements.txt\n",
            # a Dockerfile inside an examples folder deploys the example, not the repository
            "samples/app/Dockerfile": "FROM python:3.12-slim\nCOPY requirements.txt .\n"
            "RUN pip install -r requirements.txt\n",
        },
    )
    code, report = scan_json(tmp_path)
    assert code == 1
    (host,) = report["hosts"]
    assert host["services"] == ["examples/old-client", "libs/core"]
    assert "examples/old-client" not in {e["path"] for e in report["left_out"]}
    assert "samples/app" in {e["path"] for e in report["left_out"]}
    assert report["notes"][0] == (
        "hosts from deployment files (1 host); 1 directory has no deployment file: checked on"
        " its own (libs/web)"
    )
