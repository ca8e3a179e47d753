"""The demo's SARIF report, byte for byte, beside the JSON and Markdown golden files.

SARIF is a contract code scanning parses, so any change to it shows up here as a diff of
`tests/golden/demo.sarif`. If the change is intended, regenerate it with
`DEPCHECK_UPDATE_GOLDEN=1 python -m pytest tests/report/test_sarif_golden.py` and review the diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "demo.sarif"
SCHEMA = ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json"


def test_demo_sarif_matches_the_golden_file(
    run_cli: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run_cli("scan", "fixtures/demo", "--format", "sarif")
    assert code == 1, err
    if os.environ.get("DEPCHECK_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(out, encoding="utf-8")
    assert out == GOLDEN.read_text(encoding="utf-8"), (
        "the SARIF report of fixtures/demo changed; if intended, regenerate "
        "tests/golden/demo.sarif with DEPCHECK_UPDATE_GOLDEN=1"
    )


def test_the_golden_file_is_valid_sarif_naming_the_demo_conflicts() -> None:
    document = json.loads(GOLDEN.read_text(encoding="utf-8"))
    schema = json.loads(Path(SCHEMA).read_text(encoding="utf-8"))
    jsonschema.validate(document, schema, cls=jsonschema.Draft4Validator)
    [run] = document["runs"]
    assert run["tool"]["driver"]["name"] == "depcheck"
    # the demo's three conflicts on host web, as the JSON golden file has them
    found = sorted((r["ruleId"], r["message"]["text"].split(" ")[0]) for r in run["results"])
    assert found == [
        ("depcheck/incompatible", "requests"),
        ("depcheck/pin-mismatch", "gunicorn"),
        ("depcheck/pin-mismatch", "urllib3"),
    ]
