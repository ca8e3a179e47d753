"""Faults become diagnostics (exit 2, static result kept); the cache cold, warm and --offline;
nothing is ever built."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.resolve.server import PackageIndex
from tests.resolve.test_scan_resolve import Run, botocore_index, cache_args, repo, scan


def messages(report: dict[str, object]) -> list[str]:
    return [d["message"] for d in report["diagnostics"]]  # type: ignore[index, union-attr]


def test_unreachable_index(run_cli: Run, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = repo(tmp_path, "alpha==1.0\n", "alpha==1.0\n")
    code, report = scan(
        run_cli, root, "--index-url", f"http://127.0.0.1:{port}/simple", *cache_args(tmp_path)
    )
    assert code == 2
    assert any("alpha" in m and "127.0.0.1" in m for m in messages(report))
    assert report["conflicts"] == []


def test_http_error_and_missing_package(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    index.add("alpha", "1.0")
    index.faults["/simple/beta/"] = 503
    root = repo(tmp_path, "alpha==1.0\nbeta>=1\n", "gamma>=1\n")
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 2
    found = messages(report)
    assert any("beta" in m and "HTTP 503" in m and "tried 3 times" in m for m in found)
    assert any(m.startswith("gamma: not found") for m in found)
    gamma = next(d for d in report["diagnostics"] if d["message"].startswith("gamma"))
    assert (gamma["source"], gamma["line"]) == ("services/auth/requirements.in", 1)


def test_corrupt_wheel(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    path = index.add("alpha", "1.0", ["beta<1"])
    path.write_bytes(b"not a zip at all")
    root = repo(tmp_path, "alpha==1.0\n", "beta>=1\n")
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 2
    assert "alpha 1.0: corrupt alpha-1.0-py3-none-any.whl: not a zip archive" in messages(report)


def test_credentials_are_redacted(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    index.add("alpha", "1.0")
    index.credentials = ("deploy", "s3cr3t-token")
    index.faults["/simple/beta/"] = 500
    root = repo(tmp_path, "alpha==1.0\n", "beta\n")
    url = index.url.replace("http://", "http://deploy:s3cr3t-token@")
    code, out, err = run_cli(
        "scan", str(root), "--resolve", "--index-url", url, *cache_args(tmp_path)
    )
    assert code == 2
    assert "s3cr3t-token" not in out + err
    assert "127.0.0.1" in out and "/simple/beta/: HTTP 500" in out
    # alpha was fetched with the credentials (basic auth), beta failed on its own fault
    assert "/simple/alpha/" in index.requests


def test_cache_cold_warm_offline(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    botocore_index(index)
    root = repo(tmp_path, "botocore==1.34.0\n", "urllib3>=2.2\n")
    code, cold = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1
    fetched = len(index.requests)
    wheel_downloads = [r for r in index.requests if r.endswith(".whl")]
    assert wheel_downloads == ["/files/botocore-1.34.0-py3-none-any.whl"]  # one per file
    code, warm = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1 and warm["conflicts"] == cold["conflicts"]
    assert len(index.requests) == fetched  # pages fresh, metadata immutable: nothing refetched
    index.faults.update({f"/simple/{p}/": 500 for p in ("botocore", "urllib3", "jmespath")})
    code, offline = scan(
        run_cli, root, "--offline", "--index-url", index.url, *cache_args(tmp_path)
    )
    assert code == 1 and offline["conflicts"] == cold["conflicts"]
    assert len(index.requests) == fetched
    code, empty = scan(
        run_cli, root, "--offline", "--index-url", index.url, "--cache-dir", str(tmp_path / "x")
    )
    assert code == 2
    assert any("not in the cache (--offline)" in m for m in messages(empty))


def test_sdist_is_never_built(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    marker = tmp_path / "BUILT"
    index.add_sdist("evil", "1.0", marker=marker)
    index.add("alpha", "1.0")
    root = repo(tmp_path, "evil==1.0\n", "alpha\n")
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert not marker.exists()
    assert not any(r.endswith(".tar.gz") for r in index.requests)  # not even downloaded
    assert code == 2
    diagnostic = next(d for d in report["diagnostics"] if "never builds" in d["message"])
    assert diagnostic["message"].startswith("evil: no wheel for host web")
    assert (diagnostic["source"], diagnostic["line"]) == ("services/api/requirements.in", 1)


def test_json_pages_and_config_table(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    index.json_pages = True
    botocore_index(index)
    root = repo(tmp_path, "botocore==1.34.0\n", "urllib3>=2.2\n")
    config = root / "depcheck.toml"
    config.write_text(
        config.read_text() + f'\n[resolve]\nindex-url = "{index.url}"\ncache-dir = "../cache"\n'
    )
    code, report = scan(run_cli, root)
    assert code == 1, report["diagnostics"]
    assert [c["package"] for c in report["conflicts"]] == ["urllib3"]
    assert (tmp_path / "cache" / "objects").is_dir()


def test_redact() -> None:
    from depcheck.resolve.index import redact

    assert redact("https://user:tok3n@host.example/simple") == "https://***@host.example/simple"
    assert redact("https://host.example/simple") == "https://host.example/simple"
