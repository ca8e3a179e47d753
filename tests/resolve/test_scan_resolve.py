"""`depcheck scan --resolve` end to end: a repository in tmp_path, a real loopback index."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from depcheck.report.json import load_schema
from tests.conftest import write_tree
from tests.resolve.builders import build_wheel
from tests.resolve.server import PackageIndex

Run = Callable[..., tuple[int, str, str]]

TOPOLOGY = """
[services.api]
path = "services/api"
[services.auth]
path = "services/auth"
[hosts.web]
services = ["api", "auth"]
python = "3.11"
platform = "linux"
"""


def repo(tmp_path: Path, api: str, auth: str, *, name: str = "requirements.in") -> Path:
    return write_tree(
        tmp_path / "repo",
        {
            "depcheck.toml": TOPOLOGY,
            f"services/api/{name}": api,
            f"services/auth/{name}": auth,
        },
    )


def scan(run_cli: Run, root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run_cli("scan", str(root), "--format", "json", "--resolve", *args)
    assert "Traceback" not in err
    document = json.loads(out)
    jsonschema.validate(document, load_schema())
    return code, document


def cache_args(tmp_path: Path) -> list[str]:
    return ["--cache-dir", str(tmp_path / "cache")]


def botocore_index(index: PackageIndex) -> None:
    index.add("botocore", "1.34.0", ["urllib3<2.1,>=1.25.4", "jmespath<2,>=0.7"])
    index.add("jmespath", "1.0.1", metadata=True)
    for version in ("1.26.18", "2.0.7", "2.2.1"):
        index.add("urllib3", version, metadata=True)


def test_transitive_clash_through_metadata(
    run_cli: Run, index: PackageIndex, tmp_path: Path
) -> None:
    botocore_index(index)
    root = repo(tmp_path, "botocore==1.34.0\n", "urllib3>=2.2\n")
    code, _, _ = run_cli("scan", str(root), "--format", "json")
    assert code == 0  # the files alone say nothing
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1, report["diagnostics"]
    (conflict,) = report["conflicts"]
    assert conflict["package"] == "urllib3"
    assert conflict["kind"] == "incompatible"
    assert conflict["evidence"] == "index"
    assert conflict["services"] == ["api", "auth"]
    api = next(r for r in conflict["requirements"] if r["service"] == "api")
    assert api["source"] == "services/api/requirements.in" and api["line"] == 1
    assert api["via"][-1].startswith("botocore")
    assert "botocore 1.34.0 requires urllib3<2.1,>=1.25.4 (index metadata)" in conflict["reason"]


def test_index_gap_is_incompatible(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    index.add("alpha", "1.0")
    index.add("alpha", "1.1")
    root = repo(tmp_path, "alpha>1.0\n", "alpha<1.1\n")
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1
    (conflict,) = report["conflicts"]
    assert (conflict["package"], conflict["kind"], conflict["evidence"]) == (
        "alpha",
        "incompatible",
        "index",
    )
    assert conflict["services"] == ["api", "auth"]
    assert (
        report["plans"][0]["groups"]
        in (
            [["api"], ["auth"]],
            [["auth"], ["api"]],
        )
        or report["plans"][0]["isolate"]
    )


def test_resolver_only_clash(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    # neither pins anything: only a resolution sees that every `top` needs old `base`
    index.add("top", "1.0", ["base<2"])
    index.add("top", "2.0", ["base<2"])
    index.add("base", "1.0")
    index.add("base", "2.0")
    root = repo(tmp_path, "top>=1\n", "base>=2\n")
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1
    (conflict,) = report["conflicts"]
    assert conflict["evidence"] == "resolver"
    assert conflict["package"] == "base"
    assert conflict["services"] == ["api", "auth"]
    api = next(r for r in conflict["requirements"] if r["service"] == "api")
    assert api["via"] and api["via"][-1].startswith("top ")


def test_align_verified_by_the_resolver(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    for version in ("21.2.0", "22.0.0"):
        index.add("gunicorn", version)
    root = write_tree(
        tmp_path / "repo",
        {
            "depcheck.toml": TOPOLOGY,
            "services/api/requirements.txt": "gunicorn==21.2.0\n    # via -r requirements.in\n",
            "services/auth/requirements.txt": "gunicorn==22.0.0\n    # via -r requirements.in\n",
        },
    )
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1
    (conflict,) = report["conflicts"]
    assert conflict["kind"] == "pin-mismatch"
    assert conflict["verified"] is True
    summary = conflict["recommendation"]["summary"]
    assert "verified: the host resolves with it" in summary
    assert "not verified" not in summary


def test_without_resolve_nothing_is_imported(run_cli: Run, tmp_path: Path) -> None:
    import subprocess
    import sys

    root = repo(tmp_path, "botocore==1.34.0\n", "urllib3>=2.2\n")
    code = (
        "import sys; from depcheck.cli import main; main(['scan', sys.argv[1], '-q']); "
        "print(sorted(m for m in sys.modules if m.startswith(('resolvelib', 'depcheck.resolve', "
        "'urllib.request'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=False
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_options_need_resolve(run_cli: Run, tmp_path: Path) -> None:
    root = repo(tmp_path, "a\n", "b\n")
    code, _, err = run_cli("scan", str(root), "--index-url", "http://127.0.0.1:9/simple")
    assert code == 2
    assert "--index-url only applies with --resolve" in err


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    directory = tmp_path / "wheels"
    build_wheel(directory, "botocore", "1.34.0", requires=["urllib3<2.1"])
    build_wheel(directory, "urllib3", "2.0.7")
    build_wheel(directory, "urllib3", "2.2.1")
    return directory


def test_find_links_directory(run_cli: Run, wheels: Path, tmp_path: Path) -> None:
    root = repo(tmp_path, "botocore==1.34.0\n", "urllib3>=2.2\n")
    code, report = scan(
        run_cli, root, "--no-index", "--find-links", str(wheels), *cache_args(tmp_path)
    )
    assert code == 1, report["diagnostics"]
    assert [c["package"] for c in report["conflicts"]] == ["urllib3"]


def test_a_locked_pin_with_no_wheel_for_the_host_names_the_release_and_the_assumed_python(
    run_cli: Run, index: PackageIndex, tmp_path: Path
) -> None:
    # native 1.0 is released, with a wheel for CPython 3.9 only (2.0 installs anywhere); both
    # services admit any Python from 3.9, and no host states one: the newest is assumed
    index.add("native", "1.0", tag="cp39-cp39-manylinux_2_17_x86_64")
    index.add("native", "2.0")
    index.add("plain", "1.0")
    project = '[project]\nname = "{}"\nversion = "1"\nrequires-python = ">=3.9"\n'
    root = write_tree(
        tmp_path / "repo",
        {
            "api/pyproject.toml": project.format("api"),
            "api/requirements.txt": "native==1.0\nplain==1.0\n",
            "auth/pyproject.toml": project.format("auth"),
            "auth/requirements.txt": "plain==1.0\n",
        },
    )
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 2, json.dumps(report["diagnostics"])  # an input the index cannot serve
    (host,) = report["hosts"]
    assumed = host["environment"]["python_version"]
    assert assumed != "3.9" and host["environment"]["source"].startswith("python: newest")
    # the pin the index cannot serve, and the resolver's proof that the service cannot install
    served, proved = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert (served["source"], served["line"], served["finding"]) == (
        "api/requirements.txt",
        1,
        False,
    )
    assert served["message"].startswith(
        "native==1.0: native 1.0 is on the index, but none of its wheels installs on host"
    )
    assert (proved["source"], proved["line"], proved["finding"]) == (
        "api/requirements.txt",
        1,
        True,
    )
    hint = f"python {assumed} is assumed, not stated: give host {host['name']} its Python"
    assert hint in served["message"] and hint in proved["message"]
    # stated, the Python the wheel is for installs it
    code, report = scan(
        run_cli, root, "--python", "3.9", "--index-url", index.url, *cache_args(tmp_path)
    )
    assert code == 0 and not [d for d in report["diagnostics"] if d["severity"] == "error"]


def test_a_service_the_resolver_cannot_install_alone_is_one_finding_baselines_know(
    run_cli: Run, index: PackageIndex, tmp_path: Path
) -> None:
    botocore_index(index)
    index.add("six", "1.16.0", metadata=True)
    root = repo(tmp_path, "botocore==1.34.0\nurllib3>=2.2\n", "six\n")
    resolve = ["--index-url", index.url, *cache_args(tmp_path)]
    code, report = scan(run_cli, root, *resolve)
    assert code == 1 and report["conflicts"] == []
    # the rule on the index's ranges and the resolver find it both: one finding
    (finding,) = [d for d in report["diagnostics"] if d["finding"]]
    assert (finding["host"], finding["service"], finding["package"]) == ("web", "api", "urllib3")
    assert finding["evidence"] == "resolver"
    assert "botocore 1.34.0 requires urllib3<2.1,>=1.25.4 (api)" in finding["message"]
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(report), encoding="utf-8")
    code, known = scan(run_cli, root, *resolve, "--baseline", str(baseline))
    assert code == 0
    assert [d["baseline"] for d in known["diagnostics"] if d["finding"]] == ["known"]
    # accepted by an ignore entry instead
    config = root / "depcheck.toml"
    config.write_text(
        TOPOLOGY + '[[ignore]]\npackage = "urllib3"\nservices = ["api"]\nreason = "r"\n',
        encoding="utf-8",
    )
    code, ignored = scan(run_cli, root, *resolve)
    assert code == 0
    assert [d["ignored"]["reason"] for d in ignored["diagnostics"] if d["finding"]] == ["r"]


def test_a_locked_pin_released_only_as_an_sdist_says_so(
    run_cli: Run, index: PackageIndex, tmp_path: Path
) -> None:
    # cuid 0.4 has only an sdist (its setup.py would write a marker); 0.5 has a wheel
    marker = tmp_path / "built"
    index.add_sdist("cuid", "0.4", marker=marker)
    index.add("cuid", "0.5")
    root = repo(tmp_path, "cuid==0.4\n", "cuid>=0.4\n", name="requirements.txt")
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 2 and not marker.exists()
    messages = [d["message"] for d in report["diagnostics"] if d["severity"] == "error"]
    assert (
        "cuid==0.4: cuid 0.4 is on the index only as an sdist, which depcheck never builds"
        " (building runs the package's code)"
    ) in messages, messages
    # the host's Python is stated in the config: nothing is said to be assumed
    assert not any("assumed" in m for m in messages)
