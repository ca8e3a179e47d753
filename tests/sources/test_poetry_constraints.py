"""Poetry's constraint syntax as PEP 440: caret, tilde, wildcards, unions as their hull, Python."""

from __future__ import annotations

import pytest
from packaging.specifiers import SpecifierSet

from depcheck.sources.poetry_constraints import (
    PoetryConstraintError,
    convert_constraint,
    extras_table,
    python_marker,
    split_alternatives,
)


@pytest.mark.parametrize(
    ("poetry", "pep440"),
    [
        ("^1.2.3", ">=1.2.3,<2.0.0"),
        ("^0.2", ">=0.2,<0.3"),
        ("~1.2", ">=1.2,<1.3"),
        ("~=1.2", "~=1.2"),
        ("1.2.*", "==1.2.*"),
        (">=1,<2", ">=1,<2"),
        ("==1.0", "==1.0"),
        ("<>1.0", "!=1.0"),
        ("*", ""),
    ],
)
def test_single_constraints(poetry: str, pep440: str) -> None:
    converted = convert_constraint(poetry)
    assert converted.text == pep440
    assert converted.specifier_set == SpecifierSet(pep440)
    assert converted.widened is False


@pytest.mark.parametrize(
    ("poetry", "hull"), [("1.0 || 2.0", ">=1.0,<=2.0"), ("^1.2 || ^2.0", ">=1.2,<3.0")]
)
def test_a_union_becomes_its_hull_and_says_it_was_widened(poetry: str, hull: str) -> None:
    converted = convert_constraint(poetry)
    assert converted.text == hull and converted.widened is True
    # the hull admits every version either alternative admits: never an invented conflict
    for version in ("1.2", "2.0"):
        assert version in converted.specifier_set


def test_an_invalid_version_names_the_constraint() -> None:
    with pytest.raises(PoetryConstraintError, match="bad!!"):
        convert_constraint("bad!!")


def test_alternatives_are_split_before_conversion() -> None:
    assert split_alternatives("^1.2 || >=3,<4") == [[">=1.2", "<2.0"], [">=3", "<4"]]


@pytest.mark.parametrize(
    ("python", "marker"),
    [
        ("^3.8", 'python_version >= "3.8" and python_version < "4.0"'),
        (">=3.9,<3.13", 'python_version >= "3.9" and python_version < "3.13"'),
        ("~3.10", 'python_version >= "3.10" and python_version < "3.11"'),
        ("*", ""),
    ],
)
def test_python_constraints_become_markers(python: str, marker: str) -> None:
    assert python_marker(python) == marker


def test_extras_tables_map_each_extra_to_canonical_names() -> None:
    table = {"HTTP": ["requests (>=2) ; python_version<'4'", "Urllib3"], "odd": "not a list"}
    assert extras_table(table) == {"http": {"requests", "urllib3"}, "odd": set()}
    assert extras_table(None) == {}
