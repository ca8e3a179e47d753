"""`depcheck why PACKAGE --resolve`: the paths each service's resolution installs, through the
same index options, cache and faults as `scan --resolve`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.resolve.builders import build_wheel
from tests.resolve.server import PackageIndex
from tests.resolve.test_scan_resolve import Run, cache_args, repo


def why(run_cli: Run, root: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_cli("why", "urllib3", str(root), "--format", "json", *args)
    assert "Traceback" not in err
    return code, json.loads(out), err


def boto_index(index: PackageIndex) -> None:
    index.add("boto3", "1.34.0", ["botocore==1.34.0"])
    index.add("botocore", "1.34.0", ["urllib3<2.1,>=1.25.4"], metadata=True)
    for version in ("2.0.7", "2.2.1"):
        index.add("urllib3", version)


def chains(document: dict[str, Any], service: str) -> list[list[tuple[str, str, str, bool]]]:
    entry = next(s for s in document["services"] if s["service"] == service)
    return [
        [(s["package"], s["version"], s["specifier"], s["resolved"]) for s in path]
        for path in entry["paths"]
    ]


def test_paths_through_package_metadata(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    boto_index(index)
    root = repo(tmp_path, "boto3>=1\n", "urllib3>=2.2\n")
    code, static, _ = why(run_cli, root)
    assert [s["service"] for s in static["services"]] == ["auth"]  # the files say no more
    code, document, _ = why(run_cli, root, "--resolve", "--index-url", index.url,
                            *cache_args(tmp_path))  # fmt: skip
    assert code == 0, document["diagnostics"]
    assert chains(document, "api") == [
        [
            ("boto3", "1.34.0", ">=1", True),
            ("botocore", "1.34.0", "==1.34.0", True),
            ("urllib3", "2.0.7", "<2.1,>=1.25.4", True),
        ]
    ]
    first = next(s for s in document["services"] if s["service"] == "api")["paths"][0][0]
    assert first["locations"] == [{"source": "services/api/requirements.in", "line": 1}]
    # auth's own line is what the files record; the resolution adds nothing new there
    assert chains(document, "auth") == [[("urllib3", None, ">=2.2", False)]]


def test_text_marks_resolved_steps(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    boto_index(index)
    root = repo(tmp_path, "boto3>=1\n", "urllib3>=2.2\n")
    code, out, _ = run_cli("why", "urllib3", str(root), "--resolve", "--index-url", index.url,
                           *cache_args(tmp_path))  # fmt: skip
    assert code == 0
    assert "urllib3 <2.1,>=1.25.4  [resolved 2.0.7]  (index metadata)" in out
    assert "boto3 >=1  [resolved 1.34.0]  services/api/requirements.in:1" in out


def test_find_links_and_offline_cache(run_cli: Run, tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    build_wheel(wheels, "boto3", "1.34.0", requires=["botocore==1.34.0"])
    build_wheel(wheels, "botocore", "1.34.0", requires=["urllib3<2.1"])
    build_wheel(wheels, "urllib3", "2.0.7")
    root = repo(tmp_path, "boto3\n", "")
    code, document, _ = why(run_cli, root, "--resolve", "--no-index", "--find-links", str(wheels),
                            *cache_args(tmp_path))  # fmt: skip
    assert code == 0, document["diagnostics"]
    assert [p[-1][0] for p in chains(document, "api")] == ["urllib3"]


def test_index_fault_is_a_diagnostic(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    boto_index(index)
    index.faults["/simple/botocore/"] = 503
    root = repo(tmp_path, "boto3>=1\n", "urllib3>=2.2\n")
    code, document, _ = why(run_cli, root, "--resolve", "--index-url", index.url,
                            *cache_args(tmp_path))  # fmt: skip
    assert code == 2
    messages = [d["message"] for d in document["diagnostics"]]
    assert any("botocore" in m and "HTTP 503" in m for m in messages), messages
    assert any("service 'api' on host web: not resolved" in m for m in messages), messages
    assert chains(document, "auth") == [[("urllib3", None, ">=2.2", False)]]  # static stands


def test_offline_without_cache(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    boto_index(index)
    root = repo(tmp_path, "boto3>=1\n", "urllib3>=2.2\n")
    code, document, _ = why(run_cli, root, "--resolve", "--index-url", index.url,
                            *cache_args(tmp_path))  # fmt: skip
    assert code == 0
    code, document, _ = why(run_cli, root, "--resolve", "--offline", "--index-url", index.url,
                            *cache_args(tmp_path))  # fmt: skip
    assert code == 0 and len(chains(document, "api")) == 1  # warm cache, no index needed
    requests = len(index.requests)
    code, document, _ = why(run_cli, root, "--resolve", "--offline", "--index-url", index.url,
                            "--cache-dir", str(tmp_path / "empty"))  # fmt: skip
    assert code == 2 and len(index.requests) == requests
    assert any("--offline" in d["message"] for d in document["diagnostics"])
