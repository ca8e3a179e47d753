"""The pylock.toml (PEP 751) source: file names, groups and extras in markers, VCS entries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from packaging.specifiers import SpecifierSet

from depcheck.analysis.collect import collect
from depcheck.model import Environment, Host, Requirement, Role, Severity, SourceFile
from depcheck.sources import source_for
from depcheck.sources.interface import ReadOptions
from depcheck.sources.pylock import PylockSource
from tests.conftest import FIXTURES, write_tree

APP = FIXTURES / "sources" / "pylock"
HEADER = 'lock-version = "1.0"\ncreated-by = "test"\n'


def read(root: Path = APP, path: str = "app/pylock.toml", **options: Any) -> SourceFile:
    return PylockSource().read(path, ReadOptions(root=root, **options))


def pins(source: SourceFile) -> dict[str, list[Requirement]]:
    found: dict[str, list[Requirement]] = {}
    for requirement in source.requirements:
        found.setdefault(requirement.name, []).append(requirement)
    return found


@pytest.mark.parametrize(
    ("name", "reads"),
    [
        ("pylock.toml", True),
        ("pylock.prod.toml", True),
        ("services/api/pylock.linux-x86.toml", True),
        ("pylock.a.b.toml", False),
        ("pylock..toml", False),
        ("mylock.toml", False),
    ],
)
def test_pep_751_file_names(name: str, reads: bool) -> None:
    assert isinstance(source_for(name), PylockSource) is reads


def test_runtime_packages_are_pins_at_their_lines() -> None:
    source = read()
    assert source.format == "pylock.toml" and source.role is Role.LOCKED
    assert source.diagnostics == ()
    assert source.requires_python == SpecifierSet(">=3.9")
    found = pins(source)
    assert sorted(found) == ["idna", "mylib", "requests", "urllib3"]
    (requests,) = found["requests"]
    assert requests.specifier == SpecifierSet("==2.32.3") and requests.text == "requests==2.32.3"
    assert requests.location.path == "app/pylock.toml" and requests.location.line == 64
    assert requests.marker is None and requests.parent is None


def test_the_editable_project_is_not_a_pin_and_its_dependencies_are_direct() -> None:
    found = pins(read())
    assert "app" not in found
    direct = sorted(name for name, rs in found.items() if rs[0].direct)
    assert direct == ["mylib", "requests"]


def test_vcs_entry_without_version_is_recorded_by_url() -> None:
    (mylib,) = pins(read())["mylib"]
    assert mylib.specifier == SpecifierSet() and mylib.pinned_version is None
    assert mylib.url == (
        "git+https://github.com/example/mylib.git@4f2a9c1d0b7e8f6a5c3d2e1f0a9b8c7d6e5f4a3b"
    )
    # `'default' in dependency_groups`: PDM's synthetic runtime group is installed
    assert mylib.marker is None


def test_dependency_groups_in_markers_are_decided_by_include_dev() -> None:
    assert {"pytest", "colorama", "tomli"}.isdisjoint(pins(read()))
    found = pins(read(include_dev=True))
    assert found["pytest"][0].marker is None and found["pytest"][0].direct is True
    assert str(found["colorama"][0].marker) == 'sys_platform == "win32"'
    assert str(found["tomli"][0].marker) == 'python_version < "3.11"'


@pytest.mark.parametrize("extras", [frozenset({"s3"}), frozenset({"*"})])
def test_extras_in_markers_are_decided_by_the_selected_extras(extras: frozenset[str]) -> None:
    assert "boto3" not in pins(read())
    (boto3,) = pins(read(extras=extras))["boto3"]
    assert boto3.marker is None and boto3.direct is True


@pytest.mark.parametrize(("python", "version"), [("3.9", "1.26.20"), ("3.12", "2.2.3")])
def test_one_name_at_two_versions_under_complementary_markers(python: str, version: str) -> None:
    environment = Environment(
        python_version=python,
        python_full_version=f"{python}.1",
        sys_platform="linux",
        os_name="posix",
        platform_system="Linux",
    )
    state = collect(Host("h", ("svc",), environment), {"svc": read().requirements})
    assert [r.pinned_version for r in state["urllib3"].pins["svc"]] == [version]


def test_dependencies_become_edges_and_the_version_key_picks_the_entry() -> None:
    edges = sorted(
        (d.parent, d.parent_version, d.child, d.location.line) for d in read().dependencies
    )
    assert edges == [("requests", "2.32.3", "idna", 68), ("requests", "2.32.3", "urllib3", 69)]


def test_runtime_groups_are_the_default_groups_that_are_not_real_groups(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pylock.toml": HEADER
            + 'dependency-groups = ["dev"]\ndefault-groups = ["dev"]\n\n'
            + '[[packages]]\nname = "pytest"\nversion = "8.0"\nmarker = "\'dev\' in dependency_groups"\n'
            + 'archive = { url = "https://example.com/pytest-8.0.tar.gz", hashes = { sha256 = "ab" } }\n'
        },
    )
    # uv makes "dev" a default group for `uv sync`; a deployed service does not install it
    assert pins(read(tmp_path, "pylock.toml")) == {}
    (pytest_pin,) = pins(read(tmp_path, "pylock.toml", include_dev=True))["pytest"]
    assert pytest_pin.url == "https://example.com/pytest-8.0.tar.gz"


def test_invalid_toml_is_one_error_at_its_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pylock.toml": HEADER + "[[packages]]\nname = 'a'\nversion = \n"})
    (error,) = read(tmp_path, "pylock.toml").diagnostics
    assert error.severity is Severity.ERROR and error.location.line == 5
    assert error.message.startswith("invalid TOML")


def test_spec_violations_are_warnings_at_the_entry_and_the_rest_is_read(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pylock.toml": HEADER
            + '\n[[packages]]\nname = "Foo_Bar"\nversion = "1.0"\n'
            + 'archive = { url = "https://example.com/foo_bar-1.0.tar.gz", hashes = { sha256 = "ab" } }\n'
            + '\n[[packages]]\nname = "nothing"\n'
            + '\n[[packages]]\nname = "idna"\nversion = "3.7"\n'
            + 'wheels = [{ name = "idna-3.7-py3-none-any.whl", url = "https://example.com/idna-3.7-py3-none-any.whl", hashes = { sha256 = "cd" } }]\n'
        },
    )
    source = read(tmp_path, "pylock.toml")
    assert sorted(pins(source)) == ["foo-bar", "idna"]
    found = [(d.severity, d.location.line, d.message) for d in source.diagnostics]
    assert found == [
        (
            Severity.WARNING,
            5,
            "package 'Foo_Bar' is not valid PEP 751: Name 'Foo_Bar' is not normalized in 'name'",
        ),
        (
            Severity.WARNING,
            10,
            "package 'nothing' is not valid PEP 751: "
            "Exactly one of vcs, directory, archive must be set if sdist and wheels are not set",
        ),
        (Severity.ERROR, 10, "[[packages]] 'nothing' has no version; skipped"),
    ]


def test_unsupported_lock_version_is_an_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pylock.toml": 'lock-version = "2.0"\ncreated-by = "x"\n'})
    (error,) = read(tmp_path, "pylock.toml").diagnostics
    assert error.severity is Severity.ERROR and error.location.line == 1
    assert "not supported" in error.message
