"""The uv.lock source: workspace roots, forks, runtime reachability, dev groups, extras."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from packaging.specifiers import SpecifierSet

from depcheck.analysis.collect import collect
from depcheck.model import Environment, Host, Requirement, Role, Severity, SourceFile
from depcheck.sources import source_for
from depcheck.sources.interface import ReadOptions
from depcheck.sources.uv_lock import UvLockSource, _git_url
from tests.conftest import FIXTURES, write_tree

PLATFORM = FIXTURES / "sources" / "uv-lock"


def read(root: Path = PLATFORM, path: str = "platform/uv.lock", **options: Any) -> SourceFile:
    return UvLockSource().read(path, ReadOptions(root=root, **options))


def pins(source: SourceFile) -> dict[str, list[Requirement]]:
    found: dict[str, list[Requirement]] = {}
    for requirement in source.requirements:
        found.setdefault(requirement.name, []).append(requirement)
    return found


def host(python: str, platform: str = "linux") -> Host:
    return Host(
        "web",
        ("svc",),
        Environment(
            python_version=python,
            python_full_version=f"{python}.4",
            sys_platform=platform,
            os_name="nt" if platform == "win32" else "posix",
            platform_system="Windows" if platform == "win32" else "Linux",
        ),
    )


def test_registered_for_uv_lock_files() -> None:
    assert isinstance(source_for("uv.lock"), UvLockSource)


def test_workspace_members_are_not_pins_and_their_dependencies_are_direct() -> None:
    source = read()
    assert source.format == "uv.lock" and source.role is Role.LOCKED
    assert source.diagnostics == ()
    assert source.requires_python == SpecifierSet(">=3.8")
    found = pins(source)
    assert "platform" not in found and "api" not in found
    assert sorted(found) == ["click", "colorama", "numpy", "tracing", "wrapt"]
    direct = sorted({name for name, rs in found.items() if all(r.direct for r in rs)})
    assert direct == ["click", "numpy", "tracing"]
    click = found["click"][0]
    assert click.specifier == SpecifierSet("==8.1.7") and click.text == "click==8.1.7"
    assert click.location.path == "platform/uv.lock" and click.location.line == 50
    assert click.parent is None and click.marker is None


def test_forked_package_gets_one_pin_per_fork_with_its_resolution_markers() -> None:
    numpy = sorted(pins(read())["numpy"], key=lambda r: r.location.line or 0)
    assert [(r.pinned_version, str(r.marker), r.location.line) for r in numpy] == [
        ("1.24.4", 'python_full_version < "3.9"', 98),
        ("2.0.2", 'python_full_version >= "3.9"', 110),
    ]


@pytest.mark.parametrize(("python", "version"), [("3.8", "1.24.4"), ("3.12", "2.0.2")])
def test_the_host_python_selects_exactly_one_fork(python: str, version: str) -> None:
    state = collect(host(python), {"svc": read().requirements})
    assert [r.pinned_version for r in state["numpy"].pins["svc"]] == [version]


def test_pin_marker_is_the_route_by_which_the_lock_reaches_it() -> None:
    (colorama,) = pins(read())["colorama"]
    assert str(colorama.marker) == 'sys_platform == "win32"'
    assert colorama.direct is False
    assert "colorama" not in collect(host("3.12"), {"svc": read().requirements})
    on_windows = collect(host("3.12", "win32"), {"svc": read().requirements})
    assert [r.pinned_version for r in on_windows["colorama"].pins["svc"]] == ["0.4.6"]


def test_git_source_becomes_a_pip_url() -> None:
    (tracing,) = pins(read())["tracing"]
    assert tracing.url == (
        "git+https://github.com/example/tracing@0123456789abcdef0123456789abcdef01234567"
    )
    assert tracing.specifier == SpecifierSet("==1.2.0")


@pytest.mark.parametrize(
    ("source", "url"),
    [
        (
            "https://github.com/o/r?subdirectory=exporter%2Fotlp&branch=main#9ffd585e",
            "git+https://github.com/o/r@9ffd585e#subdirectory=exporter/otlp",
        ),
        ("https://github.com/o/r?tag=v1.0", "git+https://github.com/o/r@v1.0"),
        ("https://github.com/o/r", "git+https://github.com/o/r"),
    ],
)
def test_git_urls_keep_commit_and_subdirectory(source: str, url: str) -> None:
    assert _git_url(source) == url


def test_edges_between_runtime_packages_with_markers_and_lines() -> None:
    edges = sorted(
        (d.parent, d.parent_version, d.child, str(d.marker), d.location.line)
        for d in read().dependencies
    )
    assert edges == [
        ("click", "8.1.7", "colorama", 'sys_platform == "win32"', 54),
        ("tracing", "1.2.0", "wrapt", "None", 163),
    ]
    assert all(d.specifier == SpecifierSet() for d in read().dependencies)


def test_dev_groups_count_only_when_asked_for() -> None:
    runtime = pins(read())
    assert {"pytest", "iniconfig", "exceptiongroup"}.isdisjoint(runtime)
    with_dev = pins(read(include_dev=True))
    assert {"pytest", "iniconfig", "exceptiongroup"} <= set(with_dev)
    assert with_dev["pytest"][0].direct is True
    assert with_dev["iniconfig"][0].direct is False
    assert str(with_dev["exceptiongroup"][0].marker) == 'python_full_version < "3.11"'


@pytest.mark.parametrize("extras", [frozenset({"s3"}), frozenset({"*"})])
def test_member_extras_count_only_when_selected(extras: frozenset[str]) -> None:
    assert "boto3" not in pins(read())
    selected = pins(read(extras=extras))
    assert selected["boto3"][0].direct is True
    assert selected["jmespath"][0].direct is False


def test_an_edge_extra_activates_the_optional_dependencies_of_its_child(tmp_path: Path) -> None:
    registry = 'source = { registry = "https://pypi.org/simple" }'
    write_tree(
        tmp_path,
        {
            "uv.lock": (
                'version = 1\nrequires-python = ">=3.11"\n\n'
                '[[package]]\nname = "svc"\nversion = "0.1.0"\nsource = { virtual = "." }\n'
                'dependencies = [\n    { name = "httpx", extra = ["http2"] },\n]\n\n'
                f'[[package]]\nname = "h2"\nversion = "4.1.0"\n{registry}\n\n'
                f'[[package]]\nname = "httpx"\nversion = "0.27.0"\n{registry}\n\n'
                "[package.optional-dependencies]\n"
                'http2 = [\n    { name = "h2" },\n]\n'
                'socks = [\n    { name = "socksio" },\n]\n\n'
                f'[[package]]\nname = "socksio"\nversion = "1.0.0"\n{registry}\n'
            )
        },
    )
    source = read(tmp_path, "uv.lock")
    assert sorted(pins(source)) == ["h2", "httpx"]
    assert [(d.parent, d.child, d.location.line) for d in source.dependencies] == [
        ("httpx", "h2", 24)
    ]


def test_single_project_root_at_dot_without_manifest(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "uv.lock": (
                'version = 1\nrequires-python = ">=3.11"\n\n'
                '[[package]]\nname = "svc"\nversion = "0.1.0"\nsource = { editable = "." }\n'
                'dependencies = [\n    { name = "shared" },\n]\n\n'
                '[[package]]\nname = "shared"\nsource = { editable = "../shared" }\n'
                'dependencies = [\n    { name = "idna" },\n]\n\n'
                '[[package]]\nname = "idna"\nversion = "3.7"\n'
                'source = { registry = "https://pypi.org/simple" }\n'
            )
        },
    )
    found = pins(read(tmp_path, "uv.lock"))
    assert sorted(found) == ["idna", "shared"]
    (shared,) = found["shared"]
    # an editable path dependency outside the project: no version, recorded by its path
    assert shared.specifier == SpecifierSet() and shared.url == "../shared"
    assert shared.editable is True and shared.direct is True
    assert shared.text == "shared @ ../shared"


def test_conflicting_extras_select_their_fork(tmp_path: Path) -> None:
    cpu = "extra == 'extra-3-svc-cpu' and extra != 'extra-3-svc-gpu'"
    gpu = "extra != 'extra-3-svc-cpu' and extra == 'extra-3-svc-gpu'"
    write_tree(
        tmp_path,
        {
            "uv.lock": (
                'version = 1\nrequires-python = ">=3.11"\n'
                f'resolution-markers = [\n    "{cpu}",\n    "{gpu}",\n]\n\n'
                '[[package]]\nname = "svc"\nversion = "0.1.0"\nsource = { virtual = "." }\n\n'
                "[package.optional-dependencies]\n"
                f'cpu = [\n    {{ name = "torch", version = "2.4.0+cpu", marker = "{cpu}" }},\n]\n'
                f'gpu = [\n    {{ name = "torch", version = "2.4.0", marker = "{gpu}" }},\n]\n\n'
                '[[package]]\nname = "torch"\nversion = "2.4.0"\n'
                'source = { registry = "https://pypi.org/simple" }\n'
                f'resolution-markers = [\n    "{gpu}",\n]\n\n'
                '[[package]]\nname = "torch"\nversion = "2.4.0+cpu"\n'
                'source = { registry = "https://download.pytorch.org/whl/cpu" }\n'
                f'resolution-markers = [\n    "{cpu}",\n]\n'
            )
        },
    )
    assert pins(read(tmp_path, "uv.lock")) == {}
    (torch,) = pins(read(tmp_path, "uv.lock", extras=frozenset({"cpu"})))["torch"]
    assert torch.pinned_version == "2.4.0+cpu" and torch.marker is None


def test_invalid_toml_is_one_error_at_its_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"uv.lock": 'version = 1\n\n[[package]]\nname = "a"\nversion = 1.0.0\n'})
    source = read(tmp_path, "uv.lock")
    (error,) = source.diagnostics
    assert error.severity is Severity.ERROR
    assert error.location.line == 5 and error.location.column is not None
    assert error.message.startswith("invalid TOML")


def test_bad_entries_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "uv.lock": (
                "version = 1\n\n"
                '[[package]]\nname = "svc"\nversion = "0.1.0"\nsource = { virtual = "." }\n'
                'dependencies = [\n    { name = "idna" },\n    { name = "ghost" },\n'
                '    { name = "six" },\n]\n\n'
                '[[package]]\nname = "idna"\nsource = { registry = "https://pypi.org/simple" }\n\n'
                '[[package]]\nname = "six"\nversion = "1.16.0"\n'
                'source = { registry = "https://pypi.org/simple" }\n'
            )
        },
    )
    source = read(tmp_path, "uv.lock")
    assert sorted(pins(source)) == ["six"]
    found = sorted((d.severity, d.location.line, d.message) for d in source.diagnostics)
    assert found == [
        (Severity.ERROR, 14, "[[package]] 'idna' has no version; skipped"),
        (Severity.WARNING, 9, "'svc' depends on 'ghost', which is not locked"),
    ]


def test_newer_lock_version_is_a_warning(tmp_path: Path) -> None:
    write_tree(tmp_path, {"uv.lock": "version = 2\n"})
    (warning,) = read(tmp_path, "uv.lock").diagnostics
    assert warning.severity is Severity.WARNING and warning.location.line == 1
