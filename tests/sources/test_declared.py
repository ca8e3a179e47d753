"""What the declared formats share: PEP 508 entries, markers, extras, VCS URLs, TOML errors."""

from __future__ import annotations

import datetime

import pytest
from packaging.markers import InvalidMarker

from depcheck.model import Location, Requirement, Severity
from depcheck.sources.declared import (
    Collector,
    SelfReference,
    and_markers,
    describe_type,
    load_toml,
    parse_pep508,
    requirement_text,
    selected_extras,
    vcs_url,
)


def test_a_pep508_entry_becomes_a_declared_requirement() -> None:
    collector = Collector([])
    entry = parse_pep508(
        " Requests[SOCKS]>=2 ; python_version >= '3.9'", Location("p", 3), collector
    )
    assert isinstance(entry, Requirement)
    assert (entry.name, entry.display_name, entry.extras) == (
        "requests",
        "Requests",
        frozenset({"socks"}),
    )
    assert entry.text == "Requests[SOCKS]>=2 ; python_version >= '3.9'"
    assert collector.diagnostics == []


def test_a_syntax_error_points_at_its_column_in_the_line() -> None:
    collector = Collector([])
    assert parse_pep508("  flask>=", Location("pyproject.toml", 7, 5), collector) is None
    [error] = collector.diagnostics
    assert error.severity is Severity.ERROR
    # the string starts at column 5, two blanks in, and the version is missing after `>=`
    assert (error.location.line, error.location.column) == (7, 5 + 2 + 7)


def test_the_projects_own_name_is_a_reference_to_its_extras() -> None:
    entry = parse_pep508("app[test,docs]", Location("p"), Collector([]), project="app")
    assert isinstance(entry, SelfReference) and entry.extras == frozenset({"test", "docs"})


def test_markers_join_with_and() -> None:
    assert and_markers() is None and and_markers(None, " ") is None
    assert str(and_markers('os_name == "nt"')) == 'os_name == "nt"'
    joined = and_markers('os_name == "nt"', 'python_version < "3.9"')
    assert str(joined) == 'os_name == "nt" and python_version < "3.9"'
    with pytest.raises(InvalidMarker):
        and_markers("not a marker")


def test_extras_select_what_is_defined_and_report_the_rest() -> None:
    assert selected_extras(["Docs", "nope"], ["docs", "test"]) == (["docs"], ["nope"])
    assert selected_extras(["*"], ["test", "Docs"]) == (["docs", "test"], [])


def test_vcs_urls_and_requirement_text() -> None:
    assert (
        vcs_url("git", "https://h/r.git", "v1", "pkg") == "git+https://h/r.git@v1#subdirectory=pkg"
    )
    assert vcs_url("git", "git+https://h/r.git") == "git+https://h/r.git"
    assert requirement_text("requests", ["socks"], ">=2,<3", None, None) == "requests[socks]>=2,<3"
    assert requirement_text("lib", [], "", "https://x/lib.whl", None) == "lib @ https://x/lib.whl"


@pytest.mark.parametrize(
    ("value", "described"),
    [
        (True, "a boolean"),
        ("x", "a string"),
        (1, "an integer"),
        (1.5, "a float"),
        ([], "an array"),
        ({}, "a table"),
        (datetime.date(2024, 1, 1), "a date/time"),
    ],
)
def test_toml_types_as_messages_say_them(value: object, described: str) -> None:
    assert describe_type(value) == described


def test_invalid_toml_is_one_error_at_the_line_and_column_tomllib_names() -> None:
    data, error = load_toml('[project]\nname = "x"\ndependencies = [\n', "pyproject.toml")
    assert data is None and error is not None
    assert error.location.path == "pyproject.toml" and error.location.line is not None
    assert error.message.startswith("invalid TOML: ")
    assert load_toml("a = 1\n", "x.toml") == ({"a": 1}, None)
