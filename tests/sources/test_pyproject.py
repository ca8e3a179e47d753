"""pyproject.toml: PEP 621, PEP 735 groups, Poetry (constraints, tables, groups), uv dev lists."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

from depcheck.cli import main
from depcheck.model import Requirement, Role, Severity, SourceFile
from depcheck.sources import source_for
from depcheck.sources.interface import ReadOptions
from depcheck.sources.poetry_constraints import (
    PoetryConstraintError,
    convert_constraint,
    python_marker,
)
from depcheck.sources.pyproject import PyprojectSource
from tests.conftest import FIXTURES, write_tree

HERE = FIXTURES / "sources" / "pyproject"


def read(
    root: Path,
    text: str,
    *,
    include_dev: bool = False,
    extras: tuple[str, ...] = (),
) -> SourceFile:
    (root / "pyproject.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    return PyprojectSource().read(
        "pyproject.toml",
        ReadOptions(root=root, include_dev=include_dev, extras=frozenset(extras)),
    )


def read_fixture(
    name: str, *, include_dev: bool = False, extras: tuple[str, ...] = ()
) -> SourceFile:
    return PyprojectSource().read(
        f"{name}/pyproject.toml",
        ReadOptions(root=HERE, include_dev=include_dev, extras=frozenset(extras)),
    )


def by_name(source: SourceFile) -> dict[str, Requirement]:
    return {r.name: r for r in source.requirements}


def names(source: SourceFile) -> list[str]:
    return [r.name for r in source.requirements]


def messages(source: SourceFile) -> list[tuple[str, int | None, str]]:
    return [(d.severity.value, d.location.line, d.message) for d in source.diagnostics]


# -- Poetry constraints ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^1.2.3", ">=1.2.3,<2.0.0"),
        ("^1.2", ">=1.2,<2.0"),
        ("^1", ">=1,<2"),
        ("^0.2.3", ">=0.2.3,<0.3.0"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("^0", ">=0,<1"),
        ("^0.0", ">=0.0,<0.1"),
        ("^0.0.0", ">=0.0.0,<0.0.1"),
        ("^1.2.3b1", ">=1.2.3b1,<2.0.0"),
        ("~1.2.3", ">=1.2.3,<1.3.0"),
        ("~1.2", ">=1.2,<1.3"),
        ("~1", ">=1,<2"),
        ("~0.19", ">=0.19,<0.20"),
        ("~=1.2", "~=1.2"),
        ("~=1.2.3", "~=1.2.3"),
        ("*", ""),
        ("x", ""),
        ("1.*", "==1.*"),
        ("1.2.*", "==1.2.*"),
        ("1.2.x", "==1.2.*"),
        ("!=1.2.*", "!=1.2.*"),
        ("1.2.3", "==1.2.3"),
        ("=1.2.3", "==1.2.3"),
        ("==1.2.3", "==1.2.3"),
        ("<>1.0", "!=1.0"),
        (">=1.2, <2.0", ">=1.2,<2.0"),
        (">=1.2 <2.0", ">=1.2,<2.0"),
        (">= 1.2 , < 2.0", ">=1.2,<2.0"),
        (">=1.3.1,<2.0", ">=1.3.1,<2.0"),
        ("^1.2, !=1.4.0", ">=1.2,<2.0,!=1.4.0"),
    ],
)
def test_poetry_constraint_converts_exactly(constraint: str, expected: str) -> None:
    converted = convert_constraint(constraint)
    assert converted.text == expected
    assert converted.specifier_set == SpecifierSet(expected)
    assert not converted.widened


@pytest.mark.parametrize(
    ("constraint", "hull", "widened"),
    [
        ("^1.0 || ^3.0", ">=1.0,<4.0", True),
        ("==1.0 || ==2.0", ">=1.0,<=2.0", True),
        ("<1 || >=2", "", True),
        ("~1.2 | ~1.4", ">=1.2,<1.5", True),
        # overlapping alternatives: the hull is exactly the union
        (">=1.0,<2.0 || >=1.5,<3.0", ">=1.0,<3.0", False),
        ("1.2.* || 1.2.3", ">=1.2,<1.3", False),
    ],
)
def test_poetry_union_becomes_its_hull(constraint: str, hull: str, widened: bool) -> None:
    converted = convert_constraint(constraint)
    assert converted.text == hull
    assert converted.widened is widened


_release = st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=3).map(
    lambda parts: ".".join(map(str, parts))
)
_single = st.tuples(st.sampled_from(["^", "~", "==", ">=", "<", "!="]), _release).map("".join)


@given(_release)
def test_caret_and_tilde_admit_their_version_and_not_their_bound(version: str) -> None:
    for operator in ("^", "~"):
        converted = convert_constraint(operator + version)
        lower, upper = converted.specifiers
        assert lower == f">={version}"
        assert version in converted.specifier_set
        assert upper.removeprefix("<") not in converted.specifier_set
        assert upper.removeprefix("<").count(".") == version.count(".")


@given(st.lists(_single, min_size=2, max_size=4))
def test_union_hull_admits_every_version_an_alternative_admits(alternatives: list[str]) -> None:
    converted = convert_constraint(" || ".join(alternatives))
    hull = converted.specifier_set.to_range()
    for alternative in alternatives:
        admitted = convert_constraint(alternative).specifier_set.to_range()
        assert admitted.difference(hull).is_empty


@pytest.mark.parametrize(
    ("constraint", "message"),
    [
        ("", "empty version constraint"),
        ("^", "cannot read '^' in '^'"),
        (">=abc", "invalid version in '>=abc'"),
        ("^1.0 ||", "empty alternative in '^1.0 ||'"),
        (">=1.*", "a wildcard takes only == or != (not >=)"),
        ("~=1", "invalid version in '~=1'"),
        ("^x.1", "invalid version 'x.1' in '^x.1'"),
    ],
)
def test_malformed_poetry_constraints_are_refused(constraint: str, message: str) -> None:
    with pytest.raises(PoetryConstraintError, match=re.escape(message)):
        convert_constraint(constraint)


@pytest.mark.parametrize(
    ("constraint", "marker"),
    [
        ("^3.8", 'python_version >= "3.8" and python_version < "4.0"'),
        ("3.12.4", 'python_full_version == "3.12.4"'),
        ("3.8.*", 'python_version == "3.8.*"'),
        (">=3.8.1", 'python_full_version >= "3.8.1"'),
        (
            "~2.7 || ^3.6",
            '(python_version >= "2.7" and python_version < "2.8") or '
            '(python_version >= "3.6" and python_version < "4.0")',
        ),
        ("*", ""),
    ],
)
def test_python_constraint_becomes_an_exact_marker(constraint: str, marker: str) -> None:
    assert python_marker(constraint) == marker
    if marker:
        Marker(marker)  # valid PEP 508


# -- PEP 621 -----------------------------------------------------------------------------


def test_pep621_fixture_reads_dependencies_with_lines_and_columns() -> None:
    source = read_fixture("pep621-service")
    assert source.format == "pyproject"
    assert source.role is Role.DECLARED
    assert source.diagnostics == ()
    assert source.requires_python == SpecifierSet(">=3.11")
    assert [(r.name, str(r.location)) for r in source.requirements] == [
        ("httpx", "pep621-service/pyproject.toml:11:4"),
        ("opentelemetry-api", "pep621-service/pyproject.toml:12:4"),
        ("opentelemetry-sdk", "pep621-service/pyproject.toml:13:4"),
        ("tomli", "pep621-service/pyproject.toml:14:4"),
        ("flask", "pep621-service/pyproject.toml:15:4"),
    ]
    flask = by_name(source)["flask"]
    assert flask.display_name == "Flask"
    assert flask.extras == frozenset({"async"})
    assert flask.specifier == SpecifierSet(">=3.0,<4")
    assert flask.text == "Flask[async] >=3.0,<4"
    assert flask.direct and flask.parent is None
    assert by_name(source)["opentelemetry-api"].specifier == SpecifierSet("~=1.12")
    assert by_name(source)["tomli"].marker == Marker('python_version < "3.11"')


def test_extras_count_only_when_selected() -> None:
    assert "redis" not in names(read_fixture("pep621-service"))
    assert names(read_fixture("pep621-service", extras=("redis",)))[-1:] == ["redis"]
    instruments = read_fixture("pep621-service", extras=("Instruments",))
    assert by_name(instruments)["requests"].location.line == 23


def test_self_referencing_extra_expands_to_the_extras_it_names() -> None:
    source = read_fixture("pep621-service", extras=("all",))
    assert names(source)[5:] == ["psycopg", "redis"]
    assert by_name(source)["psycopg"].location.line == 19  # where it is written, in `postgres`


def test_star_selects_every_extra_once() -> None:
    source = read_fixture("pep621-service", extras=("*",))
    assert sorted(names(source)[5:]) == ["psycopg", "redis", "requests"]
    assert source.diagnostics == ()


def test_unknown_extra_is_a_warning_naming_the_defined_ones(tmp_path: Path) -> None:
    source = read(
        tmp_path,
        """\
        [project]
        name = "p"
        dependencies = []
        [project.optional-dependencies]
        a = ["x"]
        """,
        extras=("b",),
    )
    assert messages(source) == [("warning", 4, "extra 'b' is not defined here (defined: a)")]


def test_self_reference_marker_is_anded_and_cycles_end(tmp_path: Path) -> None:
    source = read(
        tmp_path,
        """\
        [project]
        name = "My.Proj"
        dependencies = ['my-proj[a]; sys_platform == "linux"']
        [project.optional-dependencies]
        a = ["alpha", "my_proj[b]"]
        b = ['beta; python_version >= "3.12"', "my-proj[a]", "my-proj[missing]"]
        """,
    )
    assert names(source) == ["alpha", "beta"]
    alpha, beta = source.requirements
    assert alpha.marker == Marker('sys_platform == "linux"')
    assert beta.marker == Marker('(sys_platform == "linux") and (python_version >= "3.12")')
    assert messages(source) == [
        ("warning", 6, "'my-proj[missing]' names extra 'missing', which this file does not define")
    ]


def test_dynamic_dependencies_are_a_warning_not_an_error(tmp_path: Path) -> None:
    source = read(tmp_path, '[project]\nname = "p"\ndynamic = ["version", "dependencies"]\n')
    assert source.requirements == ()
    assert [(d.severity, d.location.line) for d in source.diagnostics] == [(Severity.WARNING, 3)]
    assert "dependencies are dynamic" in source.diagnostics[0].message


def test_setuptools_dynamic_files_are_read_and_become_includes() -> None:
    source = read_fixture("setuptools-dynamic", extras=("pdf",))
    assert [(r.name, str(r.location)) for r in source.requirements] == [
        ("jinja2", "setuptools-dynamic/requirements.in:1:1"),
        ("markupsafe", "setuptools-dynamic/requirements.in:2:1"),
        ("weasyprint", "setuptools-dynamic/requirements-pdf.in:1:1"),
    ]
    assert source.includes == (
        "setuptools-dynamic/requirements.in",
        "setuptools-dynamic/requirements-pdf.in",
    )
    assert source.diagnostics == ()


def test_setuptools_dynamic_missing_file_is_an_error(tmp_path: Path) -> None:
    source = read(
        tmp_path,
        """\
        [project]
        name = "p"
        dynamic = ["dependencies"]
        [tool.setuptools.dynamic]
        dependencies = {file = ["nope.txt"]}
        """,
    )
    assert messages(source) == [("error", 5, "cannot read 'nope.txt': nope.txt file not found")]


# -- PEP 735 dependency groups -----------------------------------------------------------


def test_dependency_groups_count_only_for_dev() -> None:
    runtime = read_fixture("pep621-service")
    assert "pytest" not in names(runtime)
    dev = read_fixture("pep621-service", include_dev=True)
    assert dev.diagnostics == ()
    assert names(dev)[5:] == ["pytest", "ruff", "redis", "pyright", "pytest-asyncio"]
    lines = {r.name: r.location.line for r in dev.requirements}
    assert (lines["pytest"], lines["ruff"], lines["pyright"]) == (27, 28, 33)
    assert lines["redis"] == 20  # `ledger-service[redis]` in group dev pulls in the extra


def test_include_group_cycle_and_unknown_group_are_errors(tmp_path: Path) -> None:
    source = read(
        tmp_path,
        """\
        [dependency-groups]
        a = ["x", {include-group = "b"}]
        b = [
          "y",
          {include-group = "c"},
        ]
        c = [{include-group = "A"}]
        d = [{include-group = "nope"}, {include-group = "d"}]
        """,
        include_dev=True,
    )
    assert names(source) == ["x", "y"]
    assert messages(source) == [
        ("error", 8, "group 'd' includes unknown group 'nope' (defined: a, b, c, d)"),
        ("error", 7, "include-group cycle: a -> b -> c -> a"),
        ("error", 8, "include-group cycle: d -> d"),
    ]


def test_dependency_group_shapes_are_checked_even_when_not_counted(tmp_path: Path) -> None:
    source = read(
        tmp_path,
        """\
        [dependency-groups]
        dev = ["ok", 3, {include-group = "dev", extra = 1}, "bad>="]
        Dev = ["twice"]
        lint = "ruff"
        """,
    )
    assert source.requirements == ()
    assert messages(source) == [
        (
            "error",
            2,
            "dependency group 'dev' entry 2 must be a PEP 508 string or {include-group = \"...\"}, not an integer",
        ),
        (
            "error",
            2,
            "dependency group 'dev' entry 3 must be a PEP 508 string or {include-group = \"...\"}, not a table",
        ),
        ("error", 2, "expected a version after '>=' (in 'bad>=')"),
        ("error", 3, "dependency group 'Dev' is defined twice (also as 'dev')"),
        ("error", 4, "dependency group 'lint' must be an array, not a string"),
    ]


# -- Poetry ------------------------------------------------------------------------------


def test_poetry_fixture_runtime_dependencies() -> None:
    source = read_fixture("poetry-service")
    deps = by_name(source)
    assert source.requires_python == SpecifierSet("==3.12.4")
    assert names(source) == [
        "aiohttp",
        "prometheus-client",
        "ruff-lsp",
        "starlette",
        "spacy",
        "libcommon",
        "presidio-analyzer",
        "fsspec",
        "pymongo",
        "torch",
        "torch",
        "numpy",
        "numpy",
        "uvloop",
        "legacy-lib",
    ]
    assert deps["aiohttp"].specifier == SpecifierSet(">=3.10.2,<4.0.0")
    assert deps["aiohttp"].text == "aiohttp>=3.10.2,<4.0.0"
    assert deps["aiohttp"].location.line == 8
    assert deps["prometheus-client"].display_name == "prometheus_client"
    assert deps["prometheus-client"].specifier == SpecifierSet(">=0.12.0,<0.13.0")
    assert deps["ruff-lsp"].specifier == SpecifierSet(">=0,<1")
    assert deps["spacy"].pinned_version == "3.8.13"
    assert deps["fsspec"].extras == frozenset({"s3"})
    assert deps["fsspec"].text == "fsspec[s3]==2024.6.0"
    assert deps["pymongo"].extras == frozenset({"srv", "aws"})
    assert all(r.role is Role.DECLARED and r.direct for r in source.requirements)


def test_poetry_path_git_and_url_sources_carry_the_reference() -> None:
    deps = by_name(read_fixture("poetry-service"))
    libcommon = deps["libcommon"]
    assert (libcommon.url, libcommon.editable, str(libcommon.specifier)) == (
        "../../libs/libcommon",
        True,
        "",
    )
    assert libcommon.text == "libcommon @ ../../libs/libcommon"
    presidio = deps["presidio-analyzer"]
    assert presidio.url == (
        "git+https://github.com/example/presidio.git@713fa2a#subdirectory=presidio-analyzer"
    )
    assert presidio.location.line == 15
    assert not presidio.editable


def test_poetry_multiple_constraints_give_one_requirement_each() -> None:
    source = read_fixture("poetry-service")
    torch = [r for r in source.requirements if r.name == "torch"]
    assert [(r.location.line, str(r.marker)) for r in torch] == [
        (19, 'sys_platform == "linux"'),
        (20, 'sys_platform == "darwin"'),
    ]
    assert torch[1].url == "https://download.example.org/torch-2.13.0-cp312-macosx_arm64.whl"
    assert torch[1].text == (
        "torch @ https://download.example.org/torch-2.13.0-cp312-macosx_arm64.whl "
        '; sys_platform == "darwin"'
    )
    numpy = [r for r in source.requirements if r.name == "numpy"]
    assert [(r.location.line, str(r.specifier), str(r.marker)) for r in numpy] == [
        (23, "<2.0,>=1.26", 'python_version < "3.12"'),
        (24, "<3.0,>=2.0", 'python_version >= "3.12"'),
    ]


def test_poetry_python_platform_and_markers_are_anded() -> None:
    uvloop = by_name(read_fixture("poetry-service"))["uvloop"]
    assert uvloop.specifier == SpecifierSet(">=0.19,<0.20")
    assert uvloop.marker == Marker(
        '(implementation_name == "cpython") and (sys_platform == "linux")'
    )
    assert uvloop.marker.evaluate({"implementation_name": "cpython", "sys_platform": "linux"})
    assert not uvloop.marker.evaluate({"implementation_name": "cpython", "sys_platform": "win32"})


def test_poetry_union_is_widened_with_a_warning() -> None:
    source = read_fixture("poetry-service")
    legacy = by_name(source)["legacy-lib"]
    assert legacy.specifier == SpecifierSet(">=1.0,<4.0")
    assert messages(source) == [
        (
            "warning",
            29,
            "legacy-lib = '^1.0 || ^3.0': a union (||) is not one version range; read as its "
            "hull >=1.0,<4.0, which admits versions no alternative allows",
        )
    ]


def test_poetry_optional_dependencies_come_with_their_extra() -> None:
    assert not {"psycopg2", "mysqlclient"} & set(names(read_fixture("poetry-service")))
    pgsql = read_fixture("poetry-service", extras=("pgsql",))
    assert "psycopg2" in names(pgsql) and "mysqlclient" not in names(pgsql)
    assert by_name(pgsql)["psycopg2"].location.line == 27
    everything = read_fixture("poetry-service", extras=("*",))
    assert {"psycopg2", "mysqlclient"} <= set(names(everything))


def test_poetry_groups_and_legacy_dev_dependencies_count_only_for_dev() -> None:
    source = read_fixture("poetry-service", include_dev=True)
    dev = names(source)[15:]
    assert dev == ["pytest", "types-aiobotocore", "mkdocs", "black"]
    deps = by_name(source)
    assert deps["mkdocs"].specifier == SpecifierSet(">=1.6,<1.7")
    assert deps["types-aiobotocore"].extras == frozenset({"signer"})
    assert (deps["pytest"].location.line, deps["black"].location.line) == (36, 46)


def test_project_less_poetry_file(tmp_path: Path) -> None:
    source = PyprojectSource().read(
        "poetry-docs/pyproject.toml", ReadOptions(root=HERE, include_dev=True)
    )
    assert names(source) == ["doc-builder", "watchdog"]
    assert by_name(source)["doc-builder"].url == "git+https://github.com/example/doc-builder"
    assert source.requires_python == SpecifierSet(">=3.11,<4.0")
    assert messages(source) == [
        (
            "warning",
            7,
            "python = '~3.11 || ^3.13': a union (||) is not one version range; read as its hull "
            ">=3.11,<4.0, which admits versions no alternative allows",
        )
    ]


def test_poetry_2_table_that_only_annotates_a_pep621_entry_is_skipped(tmp_path: Path) -> None:
    source = read(
        tmp_path,
        """\
        [project]
        name = "p"
        requires-python = ">=3.9"
        dependencies = ["tomli>=2", "cleo @ git+https://github.com/python-poetry/cleo.git@main"]
        [tool.poetry.dependencies]
        python = ">=3.9,<4.0"
        tomli = { allow-prereleases = true }
        cleo = { develop = true }
        requests = "^2.31"
        """,
    )
    assert names(source) == ["tomli", "cleo", "requests"]
    assert by_name(source)["cleo"].url == "git+https://github.com/python-poetry/cleo.git@main"
    assert source.requires_python == SpecifierSet(">=3.9,<4.0")


def test_poetry_wrong_shapes_are_errors_and_the_rest_is_read(tmp_path: Path) -> None:
    source = read(
        tmp_path,
        """\
        [tool.poetry.dependencies]
        python = 3.11
        a = 1
        b = "^1.0"
        c = {version = "^^1"}
        d = {version = "1.0", markers = "python_version >> '3'"}
        e = [{version = "1"}, "2.0"]
        f = {git = "https://x", path = "../f"}
        g = {version = "1", extras = "s3"}
        h = {version = "1", python = "3.x.1"}
        i = {version = 2}
        """,
    )
    assert names(source) == ["b", "e"]
    assert messages(source) == [
        ("error", 2, "`tool.poetry.dependencies.python` must be a string, not a float"),
        (
            "error",
            3,
            "a: a Poetry dependency must be a version string, a table or an array of tables, not an integer",
        ),
        ("error", 5, "c: cannot read '^^1' in '^^1'"),
        ("error", 6, "d: invalid marker: Expected a marker variable or quoted string"),
        ("error", 7, "e: entry 2 of a multiple-constraints array must be a table, not a string"),
        ("error", 8, "f: give only one of git, path"),
        ("error", 9, "g: `extras` must be an array of strings"),
        ("error", 10, "h: python invalid version in '==3.x.1' (from '3.x.1')"),
        ("error", 11, "i: `version` must be a string, not an integer"),
    ]


# -- uv, shapes, TOML errors -------------------------------------------------------------


def test_uv_legacy_dev_dependencies_count_only_for_dev(tmp_path: Path) -> None:
    text = '[project]\nname = "p"\ndependencies = []\n[tool.uv]\ndev-dependencies = [\n  "pytest>=8",\n]\n'
    assert read(tmp_path, text).requirements == ()
    source = read(tmp_path, text, include_dev=True)
    assert [(r.name, r.location.line) for r in source.requirements] == [("pytest", 6)]


def test_wrong_shapes_name_file_and_line_and_the_rest_is_read(tmp_path: Path) -> None:
    source = read(
        tmp_path,
        """\
        [project]
        name = "p"
        requires-python = ">=3.11,<"
        dependencies = "requests"

        [project.optional-dependencies]
        a = [
          "ok>=1",
          42,
          "requests >= 2.0 ; python_version >> '3'",
          "bad name",
        ]
        b = "x"
        """,
        extras=("a", "b"),
    )
    assert names(source) == ["ok"]
    assert [(d.location.line, d.location.column, d.message) for d in source.diagnostics] == [
        (3, 1, "invalid python version constraint '>=3.11,<': Invalid specifier: '<'"),
        (4, 1, "`project.dependencies` must be an array of PEP 508 strings, not a string"),
        (
            9,
            3,
            "`project.optional-dependencies.a` entry 2 must be a PEP 508 string, not an integer",
        ),
        (
            10,
            38,  # the second ">"
            "expected a marker variable or quoted string "
            "(in 'requests >= 2.0 ; python_version >>…')",
        ),
        (11, 8, "expected semicolon (after name with no version specifier) or end (in 'bad name')"),
        (
            13,
            1,
            "`project.optional-dependencies.b` must be an array of PEP 508 strings, not a string",
        ),
    ]
    assert all(d.severity is Severity.ERROR for d in source.diagnostics)
    assert all(d.location.path == "pyproject.toml" for d in source.diagnostics)


def test_invalid_toml_is_one_error_with_its_line(tmp_path: Path) -> None:
    source = read(tmp_path, '[project]\nname = "p"\ndependencies = [\n  "a",\n  "b"\n  "c",\n]\n')
    assert source.requirements == ()
    assert [(d.severity, d.location.line, d.location.column) for d in source.diagnostics] == [
        (Severity.ERROR, 6, 3)
    ]
    assert source.diagnostics[0].message.startswith("invalid TOML: ")
    assert "(at line" not in source.diagnostics[0].message


def test_config_only_pyproject_reads_as_empty(tmp_path: Path) -> None:
    source = read(
        tmp_path,
        """\
        [tool.depcheck]
        [tool.depcheck.services.api]
        path = "services/api"
        [tool.ruff]
        line-length = 100
        [build-system]
        requires = ["setuptools>=68"]
        """,
    )
    assert source.requirements == () and source.diagnostics == ()
    assert source.requires_python is None


def test_pyproject_is_registered() -> None:
    assert isinstance(source_for("services/api/pyproject.toml"), PyprojectSource)


# -- end to end --------------------------------------------------------------------------


def test_cli_reports_a_clash_between_a_poetry_and_a_pipfile_service(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(
        tmp_path,
        {
            "services/api/pyproject.toml": textwrap.dedent(
                """\
                [tool.poetry]
                name = "api"

                [tool.poetry.dependencies]
                python = "^3.11"
                requests = "^2.31"
                """
            ),
            "services/worker/Pipfile": textwrap.dedent(
                """\
                [packages]
                flask = "*"
                requests = "<2.28"
                """
            ),
        },
    )
    code = main(["scan", str(tmp_path), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    [conflict] = report["conflicts"]
    assert conflict["kind"] == "incompatible"
    assert conflict["package"] == "requests"
    assert conflict["services"] == ["services/api", "services/worker"]
    found = {
        r["service"]: (r["source"], r["line"], r["requirement"]) for r in conflict["requirements"]
    }
    assert found == {
        "services/api": ("services/api/pyproject.toml", 6, "requests>=2.31,<3.0"),
        "services/worker": ("services/worker/Pipfile", 3, "requests<2.28"),
    }
    formats = {s["name"]: [f["format"] for f in s["sources"]] for s in report["services"]}
    assert formats == {"services/api": ["pyproject"], "services/worker": ["Pipfile"]}


def test_an_extra_reached_from_runtime_and_from_a_dev_group_is_read_once() -> None:
    source = read_fixture("pep621-service", include_dev=True, extras=("redis",))
    assert [r.name for r in source.requirements].count("redis") == 1
