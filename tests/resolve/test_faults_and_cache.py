"""Faults become diagnostics (exit 2, static result kept); the cache cold, warm and --offline;
nothing is ever built."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

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
    pages = sorted(r for r in index.requests if r.startswith("/simple/"))
    code, warm = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1 and warm["conflicts"] == cold["conflicts"]
    # each page asked again, answered 304 without a body; metadata is immutable: not asked
    assert sorted(index.requests[fetched:]) == pages
    assert index.statuses[fetched:] == [304] * len(pages)
    fetched = len(index.requests)
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


def published(index: PackageIndex) -> None:
    index.add("top", "1.0", ["base<2"])
    index.add("base", "1.0")
    index.add("base", "2.0")


@pytest.mark.parametrize("validators", ["etag", "last-modified", "none"])
def test_warm_run_sees_a_new_release(
    run_cli: Run, index: PackageIndex, tmp_path: Path, validators: str
) -> None:
    """A page is revalidated on every run (ETag, else Last-Modified, else fetched again): an
    unchanged page costs a 304, a release published since the cold run changes the verdict."""
    index.etags = validators == "etag"
    index.last_modified = validators == "last-modified"
    published(index)
    root = repo(tmp_path, "top\n", "base>=2\n")
    code, cold = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1 and [c["evidence"] for c in cold["conflicts"]] == ["resolver"]
    index.add("top", "2.0", ["base>=2"])  # top 2.0 works with base 2
    before = len(index.answered)
    code, warm = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 0 and warm["conflicts"] == []
    answers = dict(index.answered[before:])
    assert answers["/simple/top/"] == 200  # changed: sent again
    assert answers["/simple/base/"] == (200 if validators == "none" else 304)
    assert "/files/top-2.0-py3-none-any.whl" in answers  # the new release's metadata
    assert "/files/top-1.0-py3-none-any.whl" not in answers  # the old one's is cached


def test_offline_asks_nothing(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    published(index)
    root = repo(tmp_path, "top\n", "base>=2\n")
    code, cold = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    index.add("top", "2.0", ["base>=2"])
    before = len(index.requests)
    code, offline = scan(
        run_cli, root, "--offline", "--index-url", index.url, *cache_args(tmp_path)
    )
    assert len(index.requests) == before
    assert code == 1 and offline["conflicts"] == cold["conflicts"]  # what the cache knew


def test_damaged_cache_is_fetched_again(run_cli: Run, index: PackageIndex, tmp_path: Path) -> None:
    """Every blob of the cache overwritten (a bad restore): the warm run fetches what it needs
    again, unconditionally, and says what the cold run said."""
    published(index)
    root = repo(tmp_path, "top\n", "base>=2\n")
    code, cold = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    objects = [p for p in (tmp_path / "cache" / "objects").rglob("*") if p.is_file()]
    assert objects
    for path in objects:
        path.write_bytes(b"damaged")
    for path in (tmp_path / "cache" / "refs").rglob("*"):
        if path.is_file() and path.stat().st_size % 2:
            path.write_bytes(b"{not json")  # some refs too
    before = len(index.answered)
    code, warm = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1 and warm == cold
    pages = [s for r, s in index.answered[before:] if r.startswith("/simple/")]
    assert pages and set(pages) == {200}


def test_a_304_to_an_unconditional_request_is_a_fault(
    run_cli: Run, index: PackageIndex, tmp_path: Path
) -> None:
    published(index)
    index.faults["/simple/base/"] = 304
    root = repo(tmp_path, "top\n", "base>=2\n")
    code, report = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 2
    assert any(m.startswith("base: ") and "HTTP 304" in m for m in messages(report))


def test_a_warm_run_reads_its_facts_from_the_index(
    run_cli: Run, index: PackageIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parsed facts of the cold run come back from one file: no page or metadata file of
    the cache is read on its own, no page parsed again."""
    from depcheck.resolve import cache
    from depcheck.resolve import index as index_module

    botocore_index(index)
    root = repo(tmp_path, "botocore==1.34.0\n", "urllib3>=2.2\n")
    code, cold = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    read: list[str] = []
    entry = cache.Cache.entry
    parse = index_module.parse_page

    def reading(self: cache.Cache, key: str) -> cache.Entry | None:
        read.append(key.partition(":")[0])
        return entry(self, key)

    def parsing(data: bytes, content_type: str, page_url: str) -> list[object]:
        read.append("parsed")
        return parse(data, content_type, page_url)  # type: ignore[return-value]

    monkeypatch.setattr(cache.Cache, "entry", reading)
    monkeypatch.setattr("depcheck.resolve.facts.parse_page", parsing)
    code, warm = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1 and warm["conflicts"] == cold["conflicts"]
    assert "facts-index" in read
    assert not {"page", "metadata", "parsed"} & set(read), read


@pytest.mark.parametrize(
    "document",
    [
        b"[1, 2]",
        b'{"format": "depcheck-facts-1", "pages": [], "metadata": 7}',
        b'{"format": "depcheck-facts-1", "pages": {"PAGES": {"object": "x", "links": [[1]]}},'
        b' "metadata": {"METADATA": {"name": 1, "requires_dist": "no"}}}',
    ],
)
def test_a_damaged_index_is_ignored(
    run_cli: Run, index: PackageIndex, tmp_path: Path, document: bytes
) -> None:
    from depcheck.resolve.cache import Cache
    from depcheck.resolve.snapshot import index_key

    published(index)
    root = repo(tmp_path, "top\n", "base>=2\n")
    code, cold = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    pages = [f"page:{index.url}/{p}/" for p in ("top", "base")]
    text = document.replace(b'"PAGES"', b'"' + pages[0].encode() + b'"')
    Cache(tmp_path / "cache").put(index_key([index.url]), text.replace(b'"METADATA"', b'"x"'))
    code, warm = scan(run_cli, root, "--index-url", index.url, *cache_args(tmp_path))
    assert code == 1 and warm == cold


@pytest.mark.parametrize("value", ["cache", "./.cache/depcheck", "a/../b", "~/cache"])
def test_a_cache_inside_the_repository_is_refused_in_its_config(
    run_cli: Run, tmp_path: Path, value: str
) -> None:
    # the repository (a pull request) could write proofs and pages the scan would trust
    root = repo(tmp_path, "alpha\n", "alpha\n")
    config = root / "depcheck.toml"
    config.write_text(config.read_text() + f'\n[resolve]\ncache-dir = "{value}"\n')
    code, out, err = run_cli("scan", str(root), "--resolve", "--no-index", "--color", "never")
    assert code == 2 and "Traceback" not in err
    assert "resolve.cache-dir: must lie outside the repository" in out + err
    assert not (root / "cache").exists() and not (root / ".cache").exists()
