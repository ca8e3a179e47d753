"""Align advice agrees with every constraint a conflict shows (issue: advice contradicting it).

A range a lock records between packages (``h11>=0.13,<0.15`` required by httpcore 1.0.7) holds
only while its parent stays at that version. When such a range excludes the align version, the
advice names the parent as moving too; the property test checks that on generated hosts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
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
    Kind,
    Location,
    Plan,
    Recommendation,
    Requirement,
    Role,
    SourceFile,
)
from depcheck.recommend.advice import advise, describe, isolate_or_split
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
    summary = describe(conflict)
    for parent in advice.parents:
        assert parent in summary and parent in conflict.reason
        assert any(
            e.parent == parent and not admits(e.specifier or "*", version)
            for e in conflict.requirements
        )
    if not advice.parents:
        assert "every known constraint allows it" in summary


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
    # the advice names the parent and its target; why it must move is the conflict's reason
    assert describe(conflict) == (
        "align on h11 0.16.0 with httpcore (to 1.0.9) moving too; re-lock s0/poetry.lock"
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


def _conflict(advice: Recommendation, services: Sequence[str] = ("a", "b")) -> Conflict:
    kind = Kind.PIN_MISMATCH if advice.action is Action.ALIGN else Kind.INCOMPATIBLE
    return Conflict(
        "0" * 16, "web", "gunicorn", "gunicorn", kind, tuple(services), (), advice, "a reason"
    )


def test_an_align_says_which_services_it_could_not_check() -> None:
    facts = Recommendation(
        Action.ALIGN, version="21.2.0", relock=("auth/requirements.txt",), unverified=("auth",)
    )
    assert describe(_conflict(facts)) == (
        "align on gunicorn 21.2.0: every known constraint allows it; re-lock auth/requirements.txt"
        " (not verified: auth only lock gunicorn, with no declared range)"
    )


def test_an_align_with_no_locked_version_that_fits_names_the_range() -> None:
    facts = Recommendation(Action.ALIGN, relock=("a.txt", "b.txt"), allowed=">=2,<3")
    conflict = replace(_conflict(facts), display_name="six")
    assert describe(conflict) == "align on one six version in >=2,<3; re-lock a.txt and b.txt"


def test_a_format_chooses_how_many_names_each_list_shows() -> None:
    files = tuple(f"s{i}/requirements.txt" for i in range(17))
    only = tuple(f"s{i}" for i in range(3))
    facts = Recommendation(Action.ALIGN, version="22.0.0", relock=files, unverified=only)
    conflict = replace(_conflict(facts), verified=False)
    assert describe(conflict, names=2) == (
        "align on gunicorn 22.0.0: every known constraint allows it; re-lock s0/requirements.txt,"
        " s1/requirements.txt and 15 more files (not verified: s0, s1 and s2 only lock gunicorn,"
        " with no declared range)"
    )
    everything = describe(conflict)
    assert all(f in everything for f in files) and "more" not in everything
    # one more name than the limit is named, not counted
    assert "s0 and s1 and" not in describe(conflict, names=1)
    assert "(not verified: s0 and 2 more services only lock" in describe(conflict, names=1)
    # a table cell: the version, the files counted, the caveat in a word
    assert describe(conflict, names=0, terse=True) == (
        "align on 22.0.0; re-lock 17 files (not verified)"
    )


def test_the_resolver_s_proof_is_said_once_in_the_advice() -> None:
    facts = Recommendation(Action.ALIGN, version="2.2.1", relock=("a/r.txt",), unverified=("b",))
    conflict = replace(_conflict(replace(facts, proved="host")), display_name="urllib3")
    assert describe(conflict) == (
        "align on urllib3 2.2.1 (verified: the host resolves with it); re-lock a/r.txt"
    )
    other = replace(facts, version="2.0.7", proved="host", instead_of="2.2.1")
    assert describe(replace(conflict, recommendation=other)) == (
        "align on urllib3 2.0.7 (verified: the host resolves with it; 2.2.1 does not resolve"
        " with the rest of the host); re-lock a/r.txt"
    )
    groups = replace(facts, proved="groups")
    assert "(verified: each group of the host's plan resolves with it)" in describe(
        replace(conflict, recommendation=groups)
    )
    # proved within the groups: the advised version failed there, the note says why not the host
    within = replace(other, proved="groups", note="host web does not resolve as a whole")
    assert describe(replace(conflict, recommendation=within)) == (
        "align on urllib3 2.0.7 (verified: each group of the host's plan resolves with it; 2.2.1"
        " does not resolve with the rest of its group; host web does not resolve as a whole);"
        " re-lock a/r.txt"
    )
    # a note on an align nothing proved is why it is not verified
    unproved = replace(facts, note="host web does not resolve as a whole")
    assert describe(replace(conflict, recommendation=unproved)).endswith(
        "(not verified: host web does not resolve as a whole)"
    )


def test_moves_and_splits_name_whom_they_move_and_not_the_constraints() -> None:
    move = Recommendation(Action.ISOLATE, services=("billing",))
    assert describe(_conflict(move, ("api", "billing"))) == "move out billing"
    groups = (("a", "b", "x"), ("c", "d"), ("e",))
    split = _conflict(Recommendation(Action.SPLIT, groups=groups), ("a", "b", "c", "d", "e"))
    # only the conflict's own services are named in each group (x takes no part)
    assert describe(split) == "split host web into 3 groups: [a and b] | [c and d] | [e]"
    assert describe(split, terse=True) == "split into 3 groups of 2, 2 and 1 services"
    noted = replace(split.recommendation, note="no version of gunicorn lets the host resolve")
    assert describe(replace(split, recommendation=noted)).endswith(
        "| [e]: no version of gunicorn lets the host resolve"
    )


def test_a_split_of_one_service_against_the_rest_is_advised_as_its_move() -> None:
    conflict = _conflict(Recommendation(Action.ISOLATE), ("a", "b", "c"))
    plan = Plan("web", (("a", "b", "x"), ("c", "y"), ("z",)), (), "exact")
    advice = isolate_or_split(conflict, plan).recommendation
    assert (advice.action, advice.services, advice.groups) == (
        Action.ISOLATE,
        ("c",),
        plan.groups,
    )
    three = isolate_or_split(replace(conflict, services=("a", "c", "z")), plan).recommendation
    assert three.action is Action.SPLIT
