"""What one requirement line names: PEP 508, URLs and paths, and errors at their column.

Bad lines are asset files (`assets/bad/`), one per shape, in one table with what each must say.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from depcheck.model import Severity
from depcheck.sources.interface import ReadOptions
from depcheck.sources.requirements import RequirementsFileSource
from depcheck.sources.requirements.entries import (
    ParsedLine,
    looks_like_path_or_url,
    name_from_reference,
    parse_pep508,
    plain_requirement,
)

BAD = Path(__file__).parent / "assets" / "bad"


def test_a_pep508_line_with_extras_and_a_marker() -> None:
    parsed = parse_pep508("requests[socks]>=2; python_version<'3.13'")
    assert isinstance(parsed, ParsedLine)
    assert (parsed.name, parsed.extras, str(parsed.specifier)) == (
        "requests",
        frozenset({"socks"}),
        ">=2",
    )
    assert str(parsed.marker) == 'python_version < "3.13"' and parsed.pinned is None


def test_a_plain_requirement_is_one_that_is_no_path_or_url() -> None:
    parsed = plain_requirement("Flask_Login==3.0")
    assert parsed is not None
    assert (parsed.name, parsed.display_name, parsed.pinned) == (
        "flask-login",
        "Flask_Login",
        "3.0",
    )
    assert plain_requirement("./local/pkg") is None
    assert plain_requirement("https://x/pkg-1.0-py3-none-any.whl") is None
    assert plain_requirement("flask>=") is None


@pytest.mark.parametrize(
    ("reference", "name", "version"),
    [
        ("https://x/pkg-1.0-py3-none-any.whl", "pkg", "1.0"),
        ("git+https://h/r.git#egg=foo", "foo", None),
        ("./dist/bar-2.0.tar.gz", "bar", "2.0"),
        ("./local", None, None),
    ],
)
def test_names_from_urls_and_archives(
    reference: str, name: str | None, version: str | None
) -> None:
    assert looks_like_path_or_url(reference)
    assert name_from_reference(reference) == (name, version)


def test_a_name_is_no_path() -> None:
    assert not looks_like_path_or_url("flask")


@pytest.mark.parametrize(
    ("name", "column", "message"),
    [
        ("missing-version.txt", 11, "expected a version after '>=' (in 'requests>=')"),
        ("single-equals.txt", 6, "expected semicolon (after name with no version specifier)"),
        ("bad-marker.txt", 29, "expected a marker variable or quoted string"),
        ("unclosed-extras.txt", 6, "expected matching RIGHT_BRACKET for LEFT_BRACKET"),
        ("bad-version.txt", 4, "expected comma (within version specifier)"),
        ("unknown-option.txt", 1, "unknown option '--bogus-option'"),
        ("option-without-value.txt", 1, "option -r requires a value"),
    ],
)
def test_bad_lines_are_one_error_at_their_line_and_column(
    name: str, column: int, message: str
) -> None:
    source = RequirementsFileSource().read(name, ReadOptions(root=BAD))
    assert source.requirements == ()
    [diagnostic] = source.diagnostics
    assert diagnostic.severity is Severity.ERROR
    assert (diagnostic.location.path, diagnostic.location.line) == (name, 1)
    assert diagnostic.location.column == column
    assert message in diagnostic.message
