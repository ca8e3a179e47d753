"""The poetry.lock source: pins, groups, markers, transitive ranges, direct flags, bad input."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from packaging.specifiers import SpecifierSet

from depcheck.model import Requirement, Role, Severity, SourceFile
from depcheck.service import read_file
from depcheck.sources import source_for
from depcheck.sources.interface import ReadOptions
from depcheck.sources.poetry_lock import PoetryLockSource
from tests.conftest import FIXTURES, write_tree

UPLOADER = FIXTURES / "sources" / "poetry-lock"


def read(root: Path, path: str = "poetry.lock", **options: Any) -> SourceFile:
    # as a scan reads it: the sibling declared file's direct dependencies passed in
    source = read_file(path, ReadOptions(root=root, **options))
    assert source is not None
    return source


def pins(source: SourceFile) -> dict[str, Requirement]:
    return {r.name: r for r in source.requirements if r.parent is None}


def constraints(source: SourceFile, name: str) -> list[Requirement]:
    return [r for r in source.requirements if r.parent is not None and r.name == name]


def package(name: str, version: str, extra: str = "", groups: str = '["main"]') -> str:
    return (
        f'[[package]]\nname = "{name}"\nversion = "{version}"\ndescription = ""\n'
        f'optional = false\npython-versions = "*"\ngroups = {groups}\nfiles = []\n{extra}\n'
    )


def test_registered_for_poetry_lock_files() -> None:
    assert isinstance(source_for("services/api/poetry.lock"), PoetryLockSource)


def test_every_runtime_package_is_a_pin_at_its_name_line() -> None:
    source = read(UPLOADER, "uploader/poetry.lock")
    assert source.format == "poetry.lock" and source.role is Role.LOCKED
    assert source.diagnostics == ()
    found = pins(source)
    assert sorted(found) == [
        "boto3",
        "botocore",
        "certifi",
        "charset-normalizer",
        "exceptiongroup",
        "idna",
        "jmespath",
        "pysocks",
        "python-dateutil",
        "reportlib",
        "requests",
        "shared",
        "six",
        "urllib3",
    ]
    urllib3 = found["urllib3"]
    assert urllib3.specifier == SpecifierSet("==1.26.18")
    assert urllib3.text == "urllib3==1.26.18"
    assert urllib3.role is Role.LOCKED and urllib3.extras == frozenset()
    assert urllib3.location.path == "uploader/poetry.lock"
    assert urllib3.location.line == 238  # its `name = "urllib3"` line
    assert found["boto3"].location.line == 4


def test_requires_python_comes_from_metadata() -> None:
    assert read(UPLOADER, "uploader/poetry.lock").requires_python == SpecifierSet(">=3.9,<4.0")


def test_direct_packages_are_those_the_sibling_pyproject_names() -> None:
    found = pins(read(UPLOADER, "uploader/poetry.lock"))
    direct = sorted(name for name, r in found.items() if r.direct)
    assert direct == ["boto3", "reportlib", "requests", "shared"]


def test_package_markers_of_poetry_2_are_kept_for_the_runtime_group() -> None:
    found = pins(read(UPLOADER, "uploader/poetry.lock"))
    assert str(found["exceptiongroup"].marker) == 'python_version < "3.11"'
    assert found["boto3"].marker is None


def test_git_and_directory_sources_become_urls() -> None:
    found = pins(read(UPLOADER, "uploader/poetry.lock"))
    assert found["reportlib"].url == (
        "git+https://github.com/example/reportlib.git@4f2a9c1d0b7e8f6a5c3d2e1f0a9b8c7d6e5f4a3b"
        "#subdirectory=python"
    )
    assert found["reportlib"].editable is False
    assert found["shared"].url == "../shared" and found["shared"].editable is True
    assert found["boto3"].url is None


def test_dev_group_packages_are_left_out_unless_asked_for() -> None:
    runtime = pins(read(UPLOADER, "uploader/poetry.lock"))
    assert {"pytest", "iniconfig", "colorama"}.isdisjoint(runtime)
    with_dev = pins(read(UPLOADER, "uploader/poetry.lock", include_dev=True))
    assert {"pytest", "iniconfig", "colorama"} <= set(with_dev)
    assert with_dev["pytest"].direct is True
    assert str(with_dev["colorama"].marker) == 'sys_platform == "win32"'


def test_ranges_on_edges_are_transitive_constraints_with_their_markers() -> None:
    source = read(UPLOADER, "uploader/poetry.lock")
    from_botocore = sorted(
        (r for r in constraints(source, "urllib3") if r.parent == "botocore"),
        key=lambda r: r.location.line or 0,
    )
    assert [(str(r.specifier), str(r.marker), r.location.line) for r in from_botocore] == [
        ("<1.27,>=1.25.4", 'python_version < "3.10"', 36),
        ("<2.1,>=1.25.4", 'python_version >= "3.10"', 37),
    ]
    first = from_botocore[0]
    assert first.role is Role.LOCKED and first.direct is False
    assert first.text == (
        'urllib3>=1.25.4,<1.27; python_version < "3.10" (required by botocore 1.29.0)'
    )
    from_requests = [r for r in constraints(source, "urllib3") if r.parent == "requests"]
    assert [str(r.specifier) for r in from_requests] == ["<3,>=1.21.1"]
    # a `*` edge is no constraint: pytest needs iniconfig, any version
    assert constraints(read(UPLOADER, "uploader/poetry.lock", include_dev=True), "iniconfig") == []


def test_constraint_marker_includes_when_its_parent_is_installed(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "poetry.lock": package(
                "importlib-metadata",
                "7.0.0",
                'markers = "python_version < \\"3.10\\""\n\n[package.dependencies]\nzipp = ">=0.5"\n',
            )
            + package("zipp", "3.17.0", 'markers = "python_version < \\"3.10\\""\n')
            + '[metadata]\nlock-version = "2.1"\npython-versions = "^3.8"\n',
        },
    )
    (zipp,) = constraints(read(tmp_path), "zipp")
    assert str(zipp.marker) == 'python_version < "3.10"'
    assert zipp.parent == "importlib-metadata"


def test_edges_record_parent_version_range_and_line() -> None:
    source = read(UPLOADER, "uploader/poetry.lock")
    edges = {(d.parent, d.child, str(d.specifier)): d for d in source.dependencies}
    edge = edges[("boto3", "botocore", "<1.30.0,>=1.29.0")]
    assert edge.parent_version == "1.26.0"
    assert edge.location.line == 15
    # an extra that the project asks for (`requests[socks]`) activates requests' optional edge;
    # Poetry's `>=1.5.6,<1.5.7 || >1.5.7` has no single-set form: its hull is the constraint
    (pysocks,) = constraints(source, "pysocks")
    assert pysocks.specifier == SpecifierSet(">=1.5.6")
    assert ("requests", "pysocks", ">=1.5.6") in edges
    # a git (or path) table names no version: an edge, and no constraint
    assert edges[("shared", "reportlib", "")].location.line == 219
    assert constraints(source, "reportlib") == []


def test_optional_edge_stays_inactive_when_nobody_asks_for_the_extra(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.9"\nrequests = "^2.31"\n',
            "poetry.lock": package(
                "requests",
                "2.31.0",
                "[package.dependencies]\n"
                'PySocks = {version = ">=1.5.6,!=1.5.7", optional = true, markers = "extra == \\"socks\\""}\n'
                '\n[package.extras]\nsocks = ["PySocks (>=1.5.6,!=1.5.7)"]\n',
            )
            + package("pysocks", "1.5.7"),
        },
    )
    source = read(tmp_path)
    assert constraints(source, "pysocks") == []
    assert [d for d in source.dependencies if d.child == "pysocks"] == []


def test_legacy_category_decides_dev_packages(tmp_path: Path) -> None:
    lock = (
        '[[package]]\nname = "flask"\nversion = "2.0.3"\ncategory = "main"\noptional = false\n'
        'python-versions = ">=3.6"\n\n[package.dependencies]\nclick = ">=7.1.2"\n\n'
        '[[package]]\nname = "click"\nversion = "8.0.4"\ncategory = "main"\noptional = false\n'
        'python-versions = ">=3.6"\n\n'
        '[[package]]\nname = "pytest"\nversion = "7.0.1"\ncategory = "dev"\noptional = false\n'
        'python-versions = ">=3.6"\n\n'
        '[metadata]\nlock-version = "1.1"\npython-versions = "^3.7"\ncontent-hash = "x"\n'
    )
    write_tree(tmp_path, {"poetry.lock": lock})
    runtime = pins(read(tmp_path))
    assert sorted(runtime) == ["click", "flask"]
    # no pyproject: what nothing else depends on is direct
    assert runtime["flask"].direct is True and runtime["click"].direct is False
    assert sorted(pins(read(tmp_path, include_dev=True))) == ["click", "flask", "pytest"]


def test_lock_without_groups_uses_the_pyproject_to_tell_dev_apart(tmp_path: Path) -> None:
    lock = (
        "".join(
            f'[[package]]\nname = "{n}"\nversion = "1.0"\noptional = false\npython-versions = "*"\n\n'
            + (f"[package.dependencies]\n{deps}\n\n" if deps else "")
            for n, deps in (("app-core", 'helper = "^1.0"'), ("helper", ""), ("pytest", ""))
        )
        + '[metadata]\nlock-version = "2.0"\npython-versions = "^3.9"\n'
    )
    write_tree(
        tmp_path,
        {
            "poetry.lock": lock,
            "pyproject.toml": (
                '[tool.poetry.dependencies]\npython = "^3.9"\napp-core = "^1.0"\n\n'
                '[tool.poetry.group.dev.dependencies]\npytest = "^7"\n'
            ),
        },
    )
    assert sorted(pins(read(tmp_path))) == ["app-core", "helper"]
    assert sorted(pins(read(tmp_path, include_dev=True))) == ["app-core", "helper", "pytest"]


def test_optional_packages_need_their_extra(tmp_path: Path) -> None:
    lock = package(
        "boto3", "1.34.0", 'optional = true\nmarkers = {main = "extra == \\"s3\\""}\n'
    ) + package("requests", "2.31.0")
    write_tree(tmp_path, {"poetry.lock": lock.replace("optional = false\n", "", 1)})
    assert "boto3" not in pins(read(tmp_path))
    selected = pins(read(tmp_path, extras=frozenset({"s3"})))
    assert "boto3" in selected and selected["boto3"].marker is None
    assert "boto3" in pins(read(tmp_path, extras=frozenset({"*"})))


def test_one_name_locked_per_platform_is_matched_by_the_edge_source(tmp_path: Path) -> None:
    lock = (
        package(
            "app",
            "1.0",
            "[package.dependencies]\ntorch = [\n"
            '    {url = "https://example.com/torch-2.0-macosx.whl", markers = "sys_platform == \\"darwin\\""},\n'
            '    {url = "https://example.com/torch-2.0+cpu-linux.whl", markers = "sys_platform == \\"linux\\""},\n'
            "]\n",
        )
        + package(
            "torch",
            "2.0",
            'markers = "sys_platform == \\"darwin\\""\n\n[package.source]\ntype = "url"\n'
            'url = "https://example.com/torch-2.0-macosx.whl"\n',
        )
        + package(
            "torch",
            "2.0+cpu",
            'markers = "sys_platform == \\"linux\\""\n\n[package.source]\ntype = "url"\n'
            'url = "https://example.com/torch-2.0+cpu-linux.whl"\n',
        )
    )
    write_tree(tmp_path, {"poetry.lock": lock})
    source = read(tmp_path)
    torch = sorted(
        (r for r in source.requirements if r.name == "torch"), key=lambda r: r.location.line or 0
    )
    assert [(r.pinned_version, str(r.marker)) for r in torch] == [
        ("2.0", 'sys_platform == "darwin"'),
        ("2.0+cpu", 'sys_platform == "linux"'),
    ]
    edges = sorted((d.location.line or 0, str(d.marker)) for d in source.dependencies)
    assert edges == [(11, 'sys_platform == "darwin"'), (12, 'sys_platform == "linux"')]


def test_invalid_toml_is_one_error_at_its_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"poetry.lock": '[[package]]\nname = "a"\nversion = "1.0\n'})
    source = read(tmp_path)
    assert source.requirements == ()
    (error,) = source.diagnostics
    assert error.severity is Severity.ERROR
    assert error.location.line == 3
    assert error.message.startswith("invalid TOML")


def test_bad_entries_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    lock = (
        package("good", "1.0")
        + '[[package]]\nname = "noversion"\noptional = false\n\n'
        + package("other", "2.0", '[package.dependencies]\ngood = ">=1,<<2"\n')
    )
    write_tree(tmp_path, {"poetry.lock": lock})
    source = read(tmp_path)
    assert sorted(pins(source)) == ["good", "other"]
    messages = [(d.severity, d.location.line, d.message) for d in source.diagnostics]
    assert (Severity.ERROR, 11, "[[package]] 'noversion' has no version; skipped") in messages
    assert any(
        severity is Severity.WARNING and line == 23 and "'good' of 'other'" in message
        for severity, line, message in messages
    )


def test_package_that_is_not_a_table(tmp_path: Path) -> None:
    write_tree(tmp_path, {"poetry.lock": 'package = ["requests"]\n'})
    (error,) = read(tmp_path).diagnostics
    assert error.severity is Severity.ERROR and error.location.line == 1
    assert "not a table" in error.message


def test_transitive_range_clashes_with_another_service_end_to_end(
    tmp_path: Path, scan_json: Callable[..., tuple[int, Any]]
) -> None:
    shutil.copytree(UPLOADER / "uploader", tmp_path / "uploader")
    write_tree(
        tmp_path,
        {
            "legacy/requirements.txt": "urllib3>=2.0\n",
            "depcheck.toml": (
                '[services.uploader]\nsources = ["uploader/poetry.lock"]\n'
                '[services.legacy]\nsources = ["legacy/requirements.txt"]\n'
                '[hosts.batch]\nservices = ["uploader", "legacy"]\npython = "3.9"\n'
            ),
        },
    )
    code, report = scan_json(tmp_path)
    assert code == 1
    (conflict,) = [c for c in report["conflicts"] if c["package"] == "urllib3"]
    assert conflict["kind"] == "incompatible"
    assert conflict["services"] == ["legacy", "uploader"]
    from_lock = [r for r in conflict["requirements"] if r["service"] == "uploader"]
    assert from_lock, json.dumps(conflict, indent=2)
    for entry in from_lock:
        assert entry["direct"] is False
        assert entry["via"], entry
        assert entry["source"] == "uploader/poetry.lock"
    texts = sorted(entry["requirement"] for entry in from_lock)
    assert texts == [
        "urllib3>=1.21.1,<3 (required by requests 2.31.0)",
        'urllib3>=1.25.4,<1.27; python_version < "3.10" (required by botocore 1.29.0)',
    ]


@pytest.mark.parametrize(("python", "incompatible"), [("3.9", True), ("3.12", False)])
def test_the_edge_marker_decides_whether_the_range_applies(
    tmp_path: Path, scan_json: Callable[..., tuple[int, Any]], python: str, incompatible: bool
) -> None:
    shutil.copytree(UPLOADER / "uploader", tmp_path / "uploader")
    write_tree(
        tmp_path,
        {
            "legacy/requirements.txt": "urllib3>=2.0\n",
            "depcheck.toml": (
                '[services.uploader]\nsources = ["uploader/poetry.lock"]\n'
                '[services.legacy]\nsources = ["legacy/requirements.txt"]\n'
                f'[hosts.batch]\nservices = ["uploader", "legacy"]\npython = "{python}"\n'
            ),
        },
    )
    _, report = scan_json(tmp_path)
    kinds = {c["kind"] for c in report["conflicts"] if c["package"] == "urllib3"}
    # on 3.12 botocore allows urllib3<2.1: the locks disagree, but 2.0.x would fit everyone
    assert kinds == ({"incompatible"} if incompatible else {"pin-mismatch"})
