"""Pipfile: packages and dev-packages, entry tables, marker keys, sources, [requires]."""

from __future__ import annotations

import textwrap
from pathlib import Path

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

from depcheck.model import Requirement, Role, Severity, SourceFile
from depcheck.sources import source_for
from depcheck.sources.interface import ReadOptions
from depcheck.sources.pipfile import PipfileSource
from tests.conftest import FIXTURES

HERE = FIXTURES / "sources" / "Pipfile"


def read(root: Path, text: str, *, include_dev: bool = False) -> SourceFile:
    (root / "Pipfile").write_text(textwrap.dedent(text), encoding="utf-8")
    return PipfileSource().read("Pipfile", ReadOptions(root=root, include_dev=include_dev))


def read_fixture(name: str, *, include_dev: bool = False) -> SourceFile:
    return PipfileSource().read(f"{name}/Pipfile", ReadOptions(root=HERE, include_dev=include_dev))


def by_name(source: SourceFile) -> dict[str, Requirement]:
    return {r.name: r for r in source.requirements}


def test_worker_fixture_packages_with_lines() -> None:
    source = read_fixture("worker")
    assert source.format == "Pipfile"
    assert source.role is Role.DECLARED
    assert source.diagnostics == ()
    assert [(r.name, str(r.location)) for r in source.requirements] == [
        ("redis", "worker/Pipfile:12:1"),
        ("flask", "worker/Pipfile:13:1"),
        ("argon2-cffi", "worker/Pipfile:14:1"),
        ("docker", "worker/Pipfile:15:1"),
    ]
    deps = by_name(source)
    assert deps["redis"].specifier == SpecifierSet("~=7.2.0")
    assert deps["redis"].text == "redis~=7.2.0"
    assert deps["flask"].specifier == SpecifierSet() and deps["flask"].text == "flask"
    assert deps["argon2-cffi"].display_name == "argon2_cffi"
    assert deps["docker"].url == (
        "git+https://github.com/docker/docker-py@292b2fd9bab4b98ad23939635b1a4894edeb17f2"
    )
    assert deps["docker"].specifier == SpecifierSet()
    assert all(r.direct and r.parent is None for r in source.requirements)


def test_python_version_becomes_a_wildcard_requires_python() -> None:
    assert read_fixture("worker").requires_python == SpecifierSet("==3.12.*")
    assert read_fixture("tables").requires_python == SpecifierSet("==3.12.4")


def test_dev_packages_and_other_categories_only_with_include_dev() -> None:
    runtime = [r.name for r in read_fixture("worker").requirements]
    assert "pytest" not in runtime
    dev = read_fixture("worker", include_dev=True)
    assert [(r.name, r.location.line) for r in dev.requirements][4:] == [
        ("pytest", 18),
        ("mock", 19),
    ]
    assert "sphinx" not in by_name(read_fixture("tables"))
    assert by_name(read_fixture("tables", include_dev=True))["sphinx"].location.line == 11


def test_entry_tables_extras_markers_and_references() -> None:
    deps = by_name(read_fixture("tables"))
    requests = deps["requests"]
    assert (requests.specifier, requests.extras) == (SpecifierSet(">=2.31"), frozenset({"socks"}))
    assert requests.text == "requests[socks]>=2.31"
    uvloop = deps["uvloop"]
    assert uvloop.specifier == SpecifierSet()
    assert uvloop.marker == Marker(
        "(implementation_name == 'cpython') and (sys_platform != 'win32')"
    )
    assert deps["pywin32"].marker == Marker("os_name == 'nt'")
    assert deps["pywin32"].text == 'pywin32==306; os_name == "nt"'
    assert deps["django"].specifier == SpecifierSet("==4.2.11")  # a bare version means ==
    assert (deps["mylib"].url, deps["mylib"].editable) == ("./lib", True)
    assert deps["wheel-pkg"].url == "https://example.org/wheel_pkg-1.0-py3-none-any.whl"
    assert deps["hg-pkg"].url == "hg+https://hg.example.org/repo@v1"
    assert deps["hg-pkg"].location.line == 8


def test_wrong_shapes_are_errors_and_the_rest_is_read(tmp_path: Path) -> None:
    source = read(
        tmp_path,
        """\
        [packages]
        ok = ">=1"
        a = 1
        b = {version = ">=="}
        c = {version = "*", sys_platform = "linux"}
        d = {version = "*", extras = "x"}
        e = {version = 2}
        f = "not a version"

        [requires]
        python_version = 3.11
        """,
    )
    assert [r.name for r in source.requirements] == ["ok"]
    assert [(d.severity, d.location.line, d.message) for d in source.diagnostics] == [
        (Severity.ERROR, 3, "a: a package must be a version string or a table, not an integer"),
        (Severity.ERROR, 4, "b: invalid version '>=='"),
        (
            Severity.ERROR,
            5,
            "c: invalid marker: Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, "
            "in, not in",
        ),
        (Severity.ERROR, 6, "d: `extras` must be an array of strings"),
        (Severity.ERROR, 7, "e: `version` must be a string, not an integer"),
        (Severity.ERROR, 8, "f: invalid version 'not a version'"),
        (Severity.ERROR, 11, "python_version must be a string, not a float"),
    ]
    assert source.requires_python is None


def test_a_category_that_is_not_a_table_is_an_error(tmp_path: Path) -> None:
    source = read(tmp_path, 'packages = "flask"\n')
    assert [(d.location.line, d.message) for d in source.diagnostics] == [
        (1, "[packages] must be a table of packages, not a string")
    ]


def test_invalid_toml_is_one_error_with_its_line(tmp_path: Path) -> None:
    source = read(tmp_path, '[packages]\nflask = "*"\nrequests = \n')
    assert source.requirements == ()
    [diagnostic] = source.diagnostics
    assert (diagnostic.severity, diagnostic.location.line) == (Severity.ERROR, 3)
    assert diagnostic.message == "invalid TOML: Invalid value"


def test_pipfile_is_registered() -> None:
    assert isinstance(source_for("worker/Pipfile"), PipfileSource)
    assert source_for("worker/pipfile") is None


def test_toml_error_at_end_of_document_points_at_the_last_line(tmp_path: Path) -> None:
    source = read(tmp_path, '[packages]\nflask = "*"\nrequests = "<2')
    [diagnostic] = source.diagnostics
    assert (diagnostic.location.line, diagnostic.message) == (
        3,
        "invalid TOML: Unterminated string",
    )
