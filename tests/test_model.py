"""The values every stage passes on: locations, requirements, environments, conflicts, reports."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

from depcheck.model import (
    Diagnostic,
    Environment,
    Kind,
    Location,
    ParsedLine,
    Report,
    Requirement,
    Role,
    Severity,
    is_version,
    parsed_line,
    specifier_facts,
)
from tests.conftest import FIXTURES
from tests.report.conftest import scan_path


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        (Location("a/requirements.txt"), "a/requirements.txt"),
        (Location("a/requirements.txt", 3), "a/requirements.txt:3"),
        (Location("a/requirements.txt", 3, 7), "a/requirements.txt:3:7"),
        (Location("x", None, 7), "x"),
    ],
)
def test_locations_read_as_path_line_column(location: Location, shown: str) -> None:
    assert str(location) == shown
    assert str(Diagnostic(Severity.ERROR, location, "bad")) == f"{shown}: bad"


def test_a_requirement_knows_its_key_and_pin() -> None:
    def make(specifier: str) -> Requirement:
        return Requirement(
            name="flask",
            display_name="Flask",
            specifier=SpecifierSet(specifier),
            marker=None,
            extras=frozenset(),
            text=f"Flask{specifier}",
            location=Location("r.txt", 1),
            role=Role.DECLARED,
        )

    assert (make("==3.0.3").key, make("==3.0.3").pinned_version) == ("==3.0.3", "3.0.3")
    assert (make(">=3,<4").key, make(">=3,<4").pinned_version) == ("<4,>=3", None)
    assert (make("").key, make("").pinned_version) == ("*", None)
    assert make("==3.*").pinned_version is None
    # key and pin do not take part in equality: the specifier does
    assert make("==3.0.3") == make("==3.0.3") and make("==3.0.3") != make("==3.0.4")


def test_specifier_facts_and_versions() -> None:
    assert specifier_facts(SpecifierSet("===1.0")) == ("===1.0", "1.0")
    assert is_version("1.0.post1") and not is_version("one")


def test_an_environment_gives_markers_what_they_evaluate() -> None:
    windows = Environment("3.11", "3.11.9", "win32", "nt", "Windows")
    marker = Marker('sys_platform == "win32" and python_full_version >= "3.11.4"')
    assert marker.evaluate(windows.markers())
    assert not Marker('platform_machine == "aarch64"').evaluate(windows.markers())
    assert windows.describe() == "python 3.11, win32"


def test_values_are_frozen() -> None:
    environment = Environment("3.11", "3.11.9", "linux", "posix", "Linux")
    with pytest.raises(dataclasses.FrozenInstanceError):
        environment.python_version = "3.12"  # type: ignore[misc]


def test_a_report_counts_its_conflicts_and_diagnostics() -> None:
    report = scan_path(FIXTURES / "demo", root="fixtures/demo")
    assert report.count(Kind.INCOMPATIBLE) == 1 and report.count(Kind.PIN_MISMATCH) == 2
    assert report.errors == () and report.warnings == ()
    conflict = next(c for c in report.conflicts if c.kind is Kind.INCOMPATIBLE)
    assert conflict.counts
    assert set(conflict.services) <= set(conflict.participants)
    warned = dataclasses.replace(
        report,
        diagnostics=(
            Diagnostic(Severity.WARNING, Location("a"), "w"),
            Diagnostic(Severity.ERROR, Location("b"), "e"),
        ),
    )
    assert [d.message for d in warned.errors] == ["e"]
    assert [d.message for d in warned.warnings] == ["w"]
    assert isinstance(warned, Report)


def test_parsed_line_sets_every_field_as_the_dataclass_does() -> None:
    names = [f.name for f in dataclasses.fields(ParsedLine)]
    assert list(inspect.signature(parsed_line).parameters) == names
    values = [f"value of {name}" for name in names]
    made = parsed_line(*values)  # type: ignore[arg-type]
    assert made == ParsedLine(*values)  # type: ignore[arg-type]
    assert [getattr(made, name) for name in names] == values
    assert hash(made) == hash(ParsedLine(*values))  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.name = "other"  # type: ignore[misc]
