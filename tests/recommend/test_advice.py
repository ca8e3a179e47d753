"""Align advice agrees with every constraint a conflict shows (issue: advice contradicting it).

A range a lock records between packages (``h11>=0.13,<0.15`` required by httpcore 1.0.7) holds
only while its parent stays at that version. When such a range excludes the align version, the
advice names the parent as moving too; the property test checks that on generated hosts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet

from depcheck.analysis.algebra import admits
from depcheck.analysis.host import analyse_host
from depcheck.graph import DependencyGraph
from depcheck.model import (
    Action,
    Conflict,
    Environment,
    Host,
    Location,
    Recommendation,
    Requirement,
    Role,
    SourceFile,
)
from depcheck.recommend.advice import advise, align
from depcheck.recommend.plan import plan_host
from tests.conftest import write_tree

RunCli = Callable[..., tuple[int, str, str]]
ScanJson = Callable[..., tuple[int, Any]]
PY312 = Environment("3.12", "3.12.8", "linux", "posix", "Linux")
CHILD_VERSIONS = ["0.13.0", "0.14.0", "0.15.0", "0.16.0"]
PARENT_VERSIONS = ["1.0.5", "1.0.7", "1.0.9"]
RANGES = ["", ">=0.13,<0.15", ">=0.16", "<0.16", ">=0.14", ">=0.13,<0.17", "!=0.15.0"]


def _requirement(
    name: str, spec: str, path: str, line: int, *, parent: str | None = None, role: Role
) -> Requirement:
    text = f"{name}{spec}" + (f" (required by {parent})" if parent else "")
    return Requirement(
        name=name,
        display_name=name,
        specifier=SpecifierSet(spec),
        marker=None,
        extras=frozenset(),
        text=text,
        location=Location(path, line),
        role=role,
        direct=parent is None,
        parent=parent,
    )


def _service(
    index: int, child: str, parent: str | None, edge: str | None, declared: str | None
) -> tuple[list[Requirement], list[SourceFile]]:
    lock = f"s{index}/poetry.lock"
    locked = [_requirement("h11", f"=={child}", lock, 1, role=Role.LOCKED)]
    if parent is not None:
        locked.append(_requirement("httpcore", f"=={parent}", lock, 2, role=Role.LOCKED))
        if edge is not None:
            locked.append(_requirement("h11", edge, lock, 3, parent="httpcore", role=Role.LOCKED))
    declared_reqs = []
    if declared is not None:
        declared_reqs = [
            _requirement("h11", declared, f"s{index}/pyproject.toml", 1, role=Role.DECLARED)
        ]
    files = [SourceFile(lock, "poetry.lock", Role.LOCKED, requirements=tuple(locked))]
    if declared_reqs:
        files.append(
            SourceFile(f"s{index}/pyproject.toml", "pyproject", Role.DECLARED, tuple(declared_reqs))
        )
    return [*locked, *declared_reqs], files


def _analyse(
    specs: Sequence[tuple[str, str | None, str | None, str | None]],
) -> tuple[Conflict, ...]:
    requirements = {}
    sources = {}
    for index, (child, parent, edge, declared) in enumerate(specs):
        requirements[f"s{index}"], sources[f"s{index}"] = _service(
            index, child, parent, edge, declared
        )
    host = Host("web", tuple(sorted(requirements)), PY312)
    analysis = analyse_host(host, requirements, DependencyGraph.build(sources))
    plan = plan_host(host, analysis.clashes)
    return tuple(advise(c, plan) for c in analysis.conflicts)


def _check_align(conflict: Conflict) -> None:
    advice = conflict.recommendation
    version = advice.version
    assert version is not None
    for entry in conflict.requirements:
        if entry.parent is None and entry.role is Role.LOCKED and entry.specifier.startswith("=="):
            # a pin: the advice re-locks its file unless it already holds the version
            assert entry.specifier == f"=={version}" or entry.location.path in advice.relock
            continue
        assert admits(entry.specifier or "*", version) or entry.parent in advice.parents, (
            entry,
            advice,
        )
    for parent in advice.parents:
        assert parent in advice.summary and parent in conflict.reason
        assert any(
            e.parent == parent and not admits(e.specifier or "*", version)
            for e in conflict.requirements
        )
    if not advice.parents:
        assert "every known constraint allows it" in advice.summary


_SERVICE = st.tuples(
    st.sampled_from(CHILD_VERSIONS),
    st.one_of(st.none(), st.sampled_from(PARENT_VERSIONS)),
    st.one_of(st.none(), st.sampled_from(RANGES)),
    st.one_of(st.none(), st.sampled_from(RANGES)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_SERVICE, min_size=2, max_size=5))
def test_every_align_admits_each_range_or_names_its_parent(
    specs: list[tuple[str, str | None, str | None, str | None]],
) -> None:
    for conflict in _analyse(specs):
        if conflict.recommendation.action is Action.ALIGN and conflict.recommendation.version:
            _check_align(conflict)


def test_a_parent_whose_range_excludes_the_version_moves_too() -> None:
    conflicts = _analyse(
        [
            ("0.14.0", "1.0.7", ">=0.13,<0.15", None),
            ("0.16.0", "1.0.9", ">=0.16", None),
        ]
    )
    (conflict,) = [c for c in conflicts if c.package == "h11"]
    advice = conflict.recommendation
    assert advice.version == "0.16.0"
    assert advice.parents == ("httpcore",)
    assert advice.summary == (
        "align on h11 0.16.0 with httpcore (to 1.0.9) moving too (httpcore 1.0.7 requires"
        " h11<0.15,>=0.13); re-lock s0/poetry.lock"
    )
    assert "httpcore 1.0.7 requires h11<0.15,>=0.13" in conflict.reason


def _poetry_service(name: str, httpcore: str, h11: str, edge: str) -> dict[str, str]:
    pyproject = (
        f'[project]\nname = "{name}"\nversion = "1.0.0"\nrequires-python = ">=3.12"\n'
        'dependencies = ["httpcore>=1.0"]\n'
    )
    lock = (
        "# This file is automatically @generated by Poetry 2.1.3 and should not be changed by hand.\n\n"
        f'[[package]]\nname = "h11"\nversion = "{h11}"\noptional = false\n'
        'python-versions = ">=3.8"\ngroups = ["main"]\nfiles = []\n\n'
        f'[[package]]\nname = "httpcore"\nversion = "{httpcore}"\noptional = false\n'
        'python-versions = ">=3.8"\ngroups = ["main"]\nfiles = []\n\n'
        f'[package.dependencies]\nh11 = "{edge}"\n\n'
        '[metadata]\nlock-version = "2.1"\npython-versions = ">=3.12"\n'
        'content-hash = "0"\n'
    )
    return {f"{name}/pyproject.toml": pyproject, f"{name}/poetry.lock": lock}


def test_text_and_json_give_the_same_align_advice(
    tmp_path: Path, run_cli: RunCli, scan_json: ScanJson
) -> None:
    write_tree(
        tmp_path,
        {
            **_poetry_service("api", "1.0.7", "0.14.0", ">=0.13,<0.15"),
            **_poetry_service("web", "1.0.9", "0.16.0", ">=0.16"),
        },
    )
    code, report = scan_json(tmp_path)
    assert code == 1
    (h11,) = [c for c in report["conflicts"] if c["package"] == "h11"]
    advice = h11["recommendation"]
    assert advice["parents"] == ["httpcore"]
    assert advice["summary"].startswith("align on h11 0.16.0 with httpcore (to 1.0.9) moving too")
    assert "httpcore 1.0.7 requires h11<0.15,>=0.13" in h11["reason"]
    code, text, _ = run_cli("scan", str(tmp_path), "--color", "never", "--verbose")
    assert code == 1
    assert advice["summary"] in " ".join(text.split())


def test_an_align_says_which_services_it_could_not_check() -> None:
    facts = Recommendation(
        Action.ALIGN, "", version="21.2.0", relock=("auth/requirements.txt",), unverified=("auth",)
    )
    assert align("gunicorn", facts).summary == (
        "align on gunicorn 21.2.0: every known constraint allows it; re-lock auth/requirements.txt"
        " (not verified: auth only lock gunicorn, with no declared range)"
    )


def test_an_align_with_no_locked_version_that_fits_names_the_range() -> None:
    facts = Recommendation(Action.ALIGN, "", relock=("a.txt", "b.txt"), allowed=">=2,<3")
    assert align("six", facts).summary == "align on one six version in >=2,<3; re-lock a.txt, b.txt"


def test_resolve_wording_lives_here_too() -> None:
    from depcheck.recommend.advice import unverified, verified_align

    summary = "align on urllib3 2.2.1: every known constraint allows it; re-lock a/r.txt"
    assert verified_align(summary, "urllib3", "2.2.1", ("a/r.txt",)) == (
        "align on urllib3 2.2.1 (verified: the host resolves with it); re-lock a/r.txt"
    )
    assert verified_align(summary, "urllib3", "2.0.7", ("a/r.txt",), instead_of="2.2.1") == (
        "align on urllib3 2.0.7 (verified: the host resolves with it; 2.2.1 does not resolve"
        " with the rest of the host); re-lock a/r.txt"
    )
    noted = unverified(summary + " (not verified: b only locks urllib3)", "the host fails")
    assert noted == summary + " (not verified: the host fails)"
