"""Requirements kept as columns (`RequirementRows`, `RequirementChain`): each row makes the
`Requirement` the reader would have made, once, and only when read; a scan of a host whose
services agree makes none."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depcheck.analysis.collect import _disagreeing, collect
from depcheck.model import (
    Host,
    Requirement,
    RequirementChain,
    RequirementRows,
    Role,
    joined_requirements,
    parsed_lines,
    requirement_chunks,
    requirement_columns,
    requirements_on,
)
from depcheck.service import read_file, requirements_of
from depcheck.sources import ReadOptions
from depcheck.sources.requirements.entries import plain_requirement
from tests.analysis.test_host import PY311, req

_TEXTS = (
    "a==1.0",
    "b==2.0",
    "a==1.*",
    "c>=1,<3",
    "python==3.11",
    'a==1.0 ; sys_platform == "win32"',
    'b<2 ; sys_platform == "linux"',
    "d",
)


def _rows(texts: list[str], role: Role, constraint: bool, path: str = "r.txt") -> RequirementRows:
    parsed = [plain_requirement(t) for t in texts]
    assert all(parsed)
    lines = list(range(3, 3 + len(texts)))
    columns = [1 if i % 2 else None for i in range(len(texts))]
    direct = [i % 3 != 0 for i in range(len(texts))]
    return RequirementRows(parsed, path, lines, columns, role, direct, constraint)  # type: ignore[arg-type]


def _made(rows: RequirementRows) -> list[Requirement]:
    """What the reader made of each row before rows were kept as columns."""
    return [
        Requirement.of(p, rows.path, line, column, rows.role, direct, rows.constraint)
        for p, line, column, direct in zip(
            rows.parsed, rows.lines, rows.columns, rows.direct, strict=True
        )
    ]


@pytest.mark.parametrize("role", [Role.LOCKED, Role.DECLARED])
@pytest.mark.parametrize("constraint", [False, True])
@pytest.mark.parametrize("texts", [list(_TEXTS), ["a==1.0", "b==2.0"], ["c>=1,<3", "d"], []])
def test_each_row_is_the_requirement_the_reader_made_with_its_kind(
    role: Role, constraint: bool, texts: list[str]
) -> None:
    rows = _rows(texts, role, constraint)
    expected = _made(rows)
    # the kind column is known before any requirement is made, and is each one's kind
    assert rows._made is None
    assert list(rows.kinds) == [r.kind for r in expected]
    assert rows == tuple(expected) and rows == expected and len(rows) == len(expected)
    assert [r.location for r in rows] == [r.location for r in expected]
    assert list(parsed_lines(rows)) == [r.parsed for r in expected]


def test_a_row_is_made_once_and_only_when_read() -> None:
    rows = _rows(list(_TEXTS), Role.LOCKED, False)
    second = rows[1]
    assert rows._made is not None and rows._made.count(None) == len(_TEXTS) - 1
    assert rows[-1] is rows.row(len(_TEXTS) - 1)
    every = list(rows)  # the rest are made now, the two read before kept
    assert every[1] is second and every[-1] is rows[-1]
    assert rows[1:3] == tuple(every[1:3])
    with pytest.raises(IndexError):
        rows[len(_TEXTS)]


def test_requirements_on_some_packages_make_only_their_rows() -> None:
    rows = _rows(list(_TEXTS), Role.LOCKED, False)
    plain = (req("a>=0.5"), req("e<1"))
    chain = RequirementChain([rows, plain, ()])
    on_a = requirements_on(chain, frozenset({"a"}))
    assert on_a == [r for r in _made(rows) if r.name == "a"] + [plain[0]]
    assert rows._made is not None
    made = [i for i, r in enumerate(rows._made) if r is not None]
    assert made == [i for i, p in enumerate(rows.parsed) if p.name == "a"]


def test_a_chain_flattens_its_parts_and_compares_as_its_requirements() -> None:
    first, second = _rows(["a==1.0"], Role.LOCKED, False), _rows(["b<2"], Role.DECLARED, False)
    plain = (req("c"),)
    chain = RequirementChain([RequirementChain([first, ()]), plain, second])
    assert chain.chunks == (first, plain, second)
    assert requirement_chunks(chain) == (first, plain, second)
    assert requirement_chunks(plain) == (plain,) and requirement_chunks(()) == ()
    assert list(chain) == [*first, *plain, *second] and len(chain) == 3
    assert chain == [*first, *plain, *second] and chain[1] is plain[0] and chain[-1] == second[0]
    assert chain != [*first, *plain] and chain != "abc"
    # parses and kinds of each part: the columns themselves for rows
    assert requirement_columns(first) == (first.parsed, first.kinds)
    assert requirement_columns(plain) == ([plain[0].parsed], [plain[0].kind])


def test_joined_requirements_are_a_tuple_unless_rows_were_kept() -> None:
    rows = _rows(["a==1.0"], Role.LOCKED, False)
    plain = [req("c")]
    assert joined_requirements([plain, []]) == (plain[0],)
    assert type(joined_requirements([plain])) is tuple
    assert joined_requirements([[], rows]) is rows
    assert isinstance(joined_requirements([plain, rows]), RequirementChain)


@st.composite
def _services(draw) -> dict[str, RequirementChain]:  # type: ignore[no-untyped-def]
    services = {}
    for index in range(draw(st.integers(1, 4))):
        parts: list[object] = []
        for _ in range(draw(st.integers(0, 3))):
            texts = draw(st.lists(st.sampled_from(_TEXTS), max_size=5))
            role = draw(st.sampled_from((Role.LOCKED, Role.DECLARED)))
            if draw(st.booleans()):
                parts.append(_rows(texts, role, draw(st.booleans()), f"s{index}.txt"))
            else:
                parts.append([req(t, role=role) for t in texts])
        services[f"s{index}"] = RequirementChain(parts)  # type: ignore[arg-type]
    return services


@settings(max_examples=300, deadline=None)
@given(_services())
def test_a_host_of_rows_collects_as_the_requirements_they_make(services) -> None:  # type: ignore[no-untyped-def]
    host = Host("web", tuple(sorted(services)), PY311)
    made = {
        name: [
            r
            for part in chain.chunks
            for r in (_made(part) if isinstance(part, RequirementRows) else part)
        ]
        for name, chain in services.items()
    }
    from_rows = collect(host, services, agreeing=False)
    expected = collect(host, made, agreeing=False)
    assert set(from_rows) == set(expected)
    for name, state in expected.items():
        got = from_rows[name]
        assert (got.pins, got.constraints, got.keys, got.versions, got.display) == (
            state.pins,
            state.constraints,
            state.keys,
            state.versions,
            state.display,
        )
    # rows are made only for the packages the host may disagree on
    kept = _disagreeing(host, services)
    for chain in services.values():
        for part in chain.chunks:
            if isinstance(part, RequirementRows) and part._made is not None:
                for parsed, row in zip(part.parsed, part._made, strict=True):
                    assert row is None or parsed.name in kept


def test_a_scan_of_agreeing_locks_makes_no_requirement(tmp_path: Path) -> None:
    header = "#\n# This file is autogenerated by pip-compile with Python 3.11\n#\n"
    for service, extra in (("api", "b==2.0\n    # via a\n"), ("web", "")):
        folder = tmp_path / service
        folder.mkdir()
        (folder / "requirements.in").write_text("a>=1\n")
        (folder / "requirements.txt").write_text(
            header + "a==1.0\n    # via -r requirements.in\n" + extra
        )
    options = ReadOptions(root=tmp_path)
    files = {
        s: [read_file(f"{s}/requirements.{e}", options) for e in ("in", "txt")]
        for s in ("api", "web")
    }
    rows = [f.requirements for fs in files.values() for f in fs if f is not None]
    assert all(isinstance(r, RequirementRows) for r in rows)
    requirements = {s: requirements_of(f for f in fs if f is not None) for s, fs in files.items()}
    assert collect(Host("one", ("api", "web"), PY311), requirements, agreeing=False) == {}
    assert all(r._made is None for r in rows)  # type: ignore[attr-defined]
