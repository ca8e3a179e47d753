"""A declared file read in one pass (`declared.declared_requirements`) gives exactly what the
general line reader gives: the same requirements at the same lines and columns, the same
diagnostics, on every mix of lines, including the ones it hands back to the general reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from depcheck.model import Role, SourceFile
from depcheck.sources.interface import ReadOptions
from depcheck.sources.requirements import RequirementsFileSource
from depcheck.sources.requirements import declared as module
from depcheck.sources.requirements.entries import (
    ParsedLine,
    looks_like_path_or_url,
    parse_pep508,
    plain_requirement,
)
from depcheck.sources.requirements.lines import iter_logical_lines

REQUIREMENTS = [
    "flask",
    "Flask_Login==3.0",
    "requests[security,socks]>=2.31,<3",
    "zope.interface~=5.4",
    'pywin32>=300 ; sys_platform == "win32"',
    "a<2;python_version<'3.9'",
    "b ; python_version < '3.9'",
    "c (>=1.0)",
    "d >= 1.0",
    "e===1.0+local",
    "pkg.zip",
    "name-1.0-py3-none-any.whl",
    "git+https://h/r.git#egg=x",
    "https://h/p-1.0.tar.gz#sha256=abc",
    "./local/pkg",
    "x @ https://h/x-1.0.tar.gz",
    "flask>=",
    "flask==1.0 ==2.0",
    "f[",
    "g;",
    "h==1.0 --hash=sha256:abc",
    "-r other.txt",
    "-e ./lib",
    "--pre",
    "--index-url https://x/simple",
    "i - j",
    'k; os_name == " -x"',
    "ñame==1",
]
INDENTS = ["", " ", "  ", "\t", "\u00a0", " \t "]
TAILS = ["", " ", "\t", "  # why", " #", "#nocomment", "\t# tab", " # a # b", "\u00a0# nbsp"]
OTHER = ["", "   ", "#", "# a comment", "  # indented", "\t#", "#-r other.txt"]
BREAKS = ["\n", "\r\n", "\r", "\x0c", "\x0b", "\u2028", "\x1c", "\x85"]


@st.composite
def files(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 3)) == 0:
            lines.append(draw(st.sampled_from(OTHER)))
        else:
            lines.append(
                draw(st.sampled_from(INDENTS))
                + draw(st.sampled_from(REQUIREMENTS))
                + draw(st.sampled_from(TAILS))
            )
    text = ""
    for line in lines:
        text += line + draw(st.sampled_from(BREAKS))
    return text[: -1 if draw(st.booleans()) else None]


def read(root: Path, path: str, *, fast: bool, monkeypatch: pytest.MonkeyPatch) -> SourceFile:
    """The file as the reader gives it, or (`fast=False`) as the general line reader does:
    `iter_logical_lines`, which joins continuations and drops comments line by line."""
    from depcheck.sources import requirements

    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(requirements, "declared_requirements", lambda *args: None)
            patch.setattr(
                requirements,
                "single_lines",
                lambda physical: [
                    (e.line, e.text, e.column)
                    for e in iter_logical_lines("\n".join(physical))
                    if e.text
                ],
            )
        return RequirementsFileSource().read(path, ReadOptions(root=root))


def locations(source: SourceFile) -> list[tuple[object, ...]]:
    return [
        (r.location, r.role, r.direct, r.constraint_only, r.editable, r.text)
        for r in source.requirements
    ]


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=files())
def test_a_declared_file_reads_as_the_general_reader_reads_it(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "requirements.in").write_bytes(text.encode())
    (tmp_path / "other.txt").write_text("k==1\n  l>=2  # c\n")
    fast = read(tmp_path, "requirements.in", fast=True, monkeypatch=monkeypatch)
    general = read(tmp_path, "requirements.in", fast=False, monkeypatch=monkeypatch)
    assert fast == general
    assert locations(fast) == locations(general)


def test_an_included_constraint_file_reads_as_the_general_reader_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "requirements.in").write_text("-c constraints.txt\n-r base.in\nflask  # web\n")
    (tmp_path / "constraints.txt").write_text("urllib3<2\n\n  idna>=3 ; python_version < '4'\n")
    (tmp_path / "base.in").write_text("# base\nrequests[socks]>=2\n")
    fast = read(tmp_path, "requirements.in", fast=True, monkeypatch=monkeypatch)
    general = read(tmp_path, "requirements.in", fast=False, monkeypatch=monkeypatch)
    assert fast == general
    assert locations(fast) == locations(general)
    by_name = {r.name: r for r in fast.requirements}
    assert by_name["urllib3"].constraint_only and not by_name["urllib3"].direct
    assert (by_name["idna"].line, by_name["idna"].column) == (3, 3)
    assert by_name["requests"].direct and not by_name["requests"].constraint_only


def test_a_plain_file_is_read_in_one_pass_and_any_other_line_is_left_to_the_reader() -> None:
    lines = ["# header", "", "  flask>=3  # web", "\trequests[socks]"]
    found = module.declared_requirements(lines, "r.in", Role.DECLARED, False)
    assert found is not None
    assert [(r.name, r.line, r.column, r.text) for r in found] == [
        ("flask", 3, 3, "flask>=3"),
        ("requests", 4, 2, "requests[socks]"),
    ]
    assert isinstance(found[0].parsed, ParsedLine)
    for other in ["-r base.txt", "./lib", "flask>=", "h==1 --hash=sha256:x", "pkg.zip"]:
        assert module.declared_requirements([*lines, other], "r.in", Role.DECLARED, False) is None


@settings(max_examples=1500, deadline=None)
@given(
    text=st.text(alphabet="aZ9._-[],;<>=~!*+ :/\\@'\"", max_size=24).map(str.strip)
    | st.sampled_from(REQUIREMENTS)
    | st.sampled_from(["a.whl", "a.zip", "a.tar.gz", "a.tar.bz2", "a.tgz", "a;b.zip", "x.tgz"])
)
def test_a_plain_requirement_is_a_valid_pep508_line_that_names_no_path_or_url(text: str) -> None:
    expected = None
    if not looks_like_path_or_url(text):
        parsed = parse_pep508(text)
        expected = parsed if isinstance(parsed, ParsedLine) else None
    assert plain_requirement(text) == expected
