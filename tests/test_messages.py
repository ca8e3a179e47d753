"""Messages a reader acts on: no warning for functions that are not Python, identical warnings
folded into one with a count, every unanalysed requirement named in the text report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import write_tree

ScanJson = Callable[..., tuple[int, Any]]
RunCli = Callable[..., tuple[int, str, str]]


def _function(directory: str, provider: str, handler: str, code: str) -> dict[str, str]:
    return {
        f"{directory}/serverless.yml": f"service: s\nprovider:\n  name: {provider}\n"
        f"functions:\n  hello:\n    handler: {handler}\n",
        f"{directory}/{code}": "",
        f"{directory}/requirements.txt": "requests\n",
    }


def test_functions_in_other_languages_get_no_warning(tmp_path: Path, scan_json: ScanJson) -> None:
    write_tree(
        tmp_path,
        {
            # no runtime: Node by default for each provider; the handler file tells
            **_function("aws-node", "aws", "handler.hello", "handler.js"),
            **_function("openwhisk-node", "openwhisk", "handler.hello", "handler.js"),
            **_function("cloudflare", "cloudflare", "helloWorld.hello", "helloWorld.ts"),
            **_function("twilio", "twilio", "index.main", "package.json"),
            # the one Python function without a runtime: a warning, and it is a host
            **_function("aws-python", "aws", "handler.hello", "handler.py"),
        },
    )
    _, report = scan_json(tmp_path)
    assert [d["message"] for d in report["diagnostics"]] == [
        "function hello: no runtime stated; its Python is unknown"
    ]
    assert [h["services"] for h in report["hosts"]] == [["aws-python"]]


def test_identical_warnings_fold_into_one_with_a_count(tmp_path: Path, scan_json: ScanJson) -> None:
    files: dict[str, str] = {}
    for name in ("a", "b", "c", "d", "e"):
        files.update(_function(name, "aws", "handler.hello", "handler.py"))
    write_tree(tmp_path, files)
    _, report = scan_json(tmp_path)
    (warning,) = report["diagnostics"]
    assert warning["source"] == "a/serverless.yml"
    assert warning["message"] == (
        "function hello: no runtime stated; its Python is unknown (5 times; also "
        "b/serverless.yml:5, c/serverless.yml:5, d/serverless.yml:5, …)"
    )
    assert report["summary"]["warnings"] == 1


def test_unanalysed_requirements_are_named_in_the_text_report(
    tmp_path: Path, run_cli: RunCli
) -> None:
    write_tree(
        tmp_path,
        {
            "api/requirements.txt": "flask>=3\n-e ../vendor/thing\nhttps://example.org/x.whl\n",
            "vendor/thing/setup.py": "",
        },
    )
    code, text, _ = run_cli("scan", str(tmp_path), "--color", "never")
    assert code == 0
    assert "not analysed: 2 requirements with no project name" in text
    assert "api  ../vendor/thing  api/requirements.txt:2" in text
    assert "api  https://example.org/x.whl  api/requirements.txt:3" in text
