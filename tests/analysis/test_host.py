"""Per (host, package) satisfiability, with the edge cases PEP 440 and PEP 508 spell out."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from packaging.requirements import Requirement as PackagingRequirement
from packaging.utils import canonicalize_name

import depcheck.analysis.host as host_module
from benchmarks.generate import generate
from depcheck.analysis.host import analyse_host
from depcheck.graph import DependencyGraph
from depcheck.model import (
    Environment,
    Host,
    Kind,
    Location,
    Requirement,
    Role,
    SourceFile,
)
from depcheck.pipeline import ScanOptions, scan
from depcheck.report.json import report_to_dict
from depcheck.topology.environment import interpreter_environment

PY311 = Environment("3.11", "3.11.4", "linux", "posix", "Linux")


def req(
    text: str,
    *,
    path: str = "requirements.txt",
    line: int = 1,
    role: Role = Role.DECLARED,
    constraint: bool = False,
    direct: bool = True,
) -> Requirement:
    parsed = PackagingRequirement(text)
    return Requirement(
        name=canonicalize_name(parsed.name),
        display_name=parsed.name,
        specifier=parsed.specifier,
        marker=parsed.marker,
        extras=frozenset(),
        text=text,
        location=Location(path, line),
        role=role,
        direct=direct,
        constraint_only=constraint,
    )


def analyse(requirements: Mapping[str, Sequence[Requirement]], environment: Environment = PY311):  # type: ignore[no-untyped-def]
    host = Host("web", tuple(sorted(requirements)), environment)
    sources = {
        s: (
            SourceFile(
                path=f"{s}.txt", format="requirements", role=Role.DECLARED, requirements=tuple(r)
            ),
        )
        for s, r in requirements.items()
    }
    return analyse_host(host, requirements, DependencyGraph.build(sources))


def services_in_conflict(specifiers: Sequence[str]) -> set[str]:
    analysis = analyse({f"s{i}": [req(f"pkg{spec}")] for i, spec in enumerate(specifiers)})
    assert len(analysis.conflicts) <= 1
    if not analysis.conflicts:
        return set()
    (conflict,) = analysis.conflicts
    assert conflict.kind is Kind.INCOMPATIBLE
    return set(conflict.services)


@pytest.mark.parametrize(
    ("specifiers", "involved"),
    [
        # PEP 440: an exclusive ordered comparison `<V` excludes pre-releases of V itself
        (["<2.0", "==2.0rc1"], {"s0", "s1"}),
        (["<2.0", ">=2.0rc1"], {"s0", "s1"}),
        (["<2.0rc2", "==2.0rc1"], set()),
        # ... and `>V` excludes post-releases of V
        ([">1.0", "==1.0.post1"], {"s0", "s1"}),
        ([">1.7", "==1.7.1"], set()),
        # compatible release and prefix matching
        (["~=1.4.2", ">=1.5"], {"s0", "s1"}),
        (["~=1.4", ">=1.9"], set()),
        (["==1.*", ">=2"], {"s0", "s1"}),
        (["==1.*", ">=1.9"], set()),
        (["!=1.5", "==1.5"], {"s0", "s1"}),
        (["!=1.5.*", "==1.5.3"], {"s0", "s1"}),
        # zero padding: 1.0 == 1.0.0
        (["==1.0", "==1.0.0"], set()),
        # local versions: a public pin admits local builds, two local labels do not mix
        (["==2.1.0", "==2.1.0+cpu"], set()),
        (["==2.1.0+cpu", "==2.1.0+cu121"], {"s0", "s1"}),
        # arbitrary equality compares strings
        (["===1.0", "==1.0"], set()),
        (["===1.0", ">=2"], {"s0", "s1"}),
        (["===foobar", ">=1"], {"s0", "s1"}),
        # epochs sort above everything without one
        (["==1!1.0", "<2000"], {"s0", "s1"}),
        # a bystander whose range fits what the others allow is not listed
        (["==1.0", "==2.0", ">=0.5"], {"s0", "s1"}),
        (["==1.0", "==2.0", ">=1.5"], {"s0", "s1", "s2"}),
        # no constraint at all never clashes
        (["", "==1.0"], set()),
    ],
)
def test_pep440_satisfiability(specifiers: list[str], involved: set[str]) -> None:
    assert services_in_conflict(specifiers) == involved


def test_three_ranges_clash_together_though_no_two_do() -> None:
    specifiers = [">=1.0,<3.0", "!=1.*", "!=2.*"]
    for a in range(3):
        for b in range(a + 1, 3):
            assert services_in_conflict([specifiers[a], specifiers[b]]) == set()
    assert services_in_conflict(specifiers) == {"s0", "s1", "s2"}
    # a fourth range that fits inside every pairwise overlap is still only a bystander when
    # it is not needed for any empty intersection
    assert services_in_conflict([*specifiers, ">=0"]) == {"s0", "s1", "s2"}


def test_markers_are_evaluated_in_the_host_environment() -> None:
    requirements = {
        "api": [req("typing-extensions>=4.8")],
        "old": [req('typing-extensions<4 ; python_version < "3.8"')],
        "win": [req('pywin32==300 ; sys_platform == "win32"')],
        "win2": [req('pywin32==306 ; sys_platform == "win32"')],
    }
    assert analyse(requirements).conflicts == ()
    on_py37 = Environment("3.7", "3.7.17", "linux", "posix", "Linux")
    (conflict,) = analyse(requirements, on_py37).conflicts
    assert conflict.package == "typing-extensions"
    on_windows = Environment("3.11", "3.11.4", "win32", "nt", "Windows")
    (conflict,) = analyse(requirements, on_windows).conflicts
    assert (conflict.package, conflict.services) == ("pywin32", ("win", "win2"))


def test_a_conflict_lists_every_requirement_with_file_and_line() -> None:
    analysis = analyse(
        {
            "api": [req("requests==2.31.0", path="services/api/requirements.txt", line=3)],
            "billing": [
                req("requests<2.28", path="services/billing/requirements.txt", line=7),
                req("requests>=2.20", path="services/billing/base.txt", line=2),
            ],
        }
    )
    (conflict,) = analysis.conflicts
    assert conflict.services == ("api", "billing")
    assert [(r.service, r.specifier, str(r.location)) for r in conflict.requirements] == [
        ("api", "==2.31.0", "services/api/requirements.txt:3"),
        ("billing", ">=2.20", "services/billing/base.txt:2"),
        ("billing", "<2.28", "services/billing/requirements.txt:7"),
    ]
    assert "requests==2.31.0 (api)" in conflict.reason
    assert len(conflict.id) == 16


def locked(text: str, path: str, line: int = 1, direct: bool = True) -> Requirement:
    return req(text, path=path, line=line, role=Role.LOCKED, direct=direct)


def test_pin_mismatch_when_locks_differ_but_ranges_overlap() -> None:
    analysis = analyse(
        {
            "api": [req("gunicorn>=21", path="api.in"), locked("gunicorn==21.2.0", "api.txt")],
            "auth": [req("gunicorn>=21.2", path="auth.in"), locked("gunicorn==22.0.0", "auth.txt")],
            "billing": [req("gunicorn<23", path="billing.txt")],
        }
    )
    (conflict,) = analysis.conflicts
    assert conflict.kind is Kind.PIN_MISMATCH
    assert conflict.services == ("api", "auth")
    assert conflict.verified
    assert conflict.recommendation.action.value == "align"
    assert conflict.recommendation.version == "22.0.0"
    assert conflict.recommendation.relock == ("api.txt",)


def test_pin_mismatch_prefers_the_highest_locked_version_every_range_allows() -> None:
    analysis = analyse(
        {
            "api": [req("gunicorn<22", path="api.in"), locked("gunicorn==21.2.0", "api.txt")],
            "auth": [locked("gunicorn==22.0.0", "auth.txt")],
        }
    )
    (conflict,) = analysis.conflicts
    assert conflict.kind is Kind.PIN_MISMATCH
    assert conflict.recommendation.version == "21.2.0"
    assert conflict.recommendation.relock == ("auth.txt",)
    assert not conflict.verified
    assert conflict.recommendation.unverified == ("auth",)  # only locks it: the advice says so


def test_same_pins_everywhere_are_no_conflict_and_pins_are_not_constraints() -> None:
    same = {
        "api": [locked("six==1.16.0", "a.txt")],
        "web": [locked("six==1.16.0", "b.txt")],
    }
    assert analyse(same).conflicts == ()
    differing = {
        "api": [locked("six==1.15.0", "a.txt")],
        "web": [locked("six==1.16.0", "b.txt")],
    }
    (conflict,) = analyse(differing).conflicts
    assert conflict.kind is Kind.PIN_MISMATCH and not conflict.verified


def test_declared_ranges_that_exclude_each_other_make_locks_incompatible() -> None:
    analysis = analyse(
        {
            "api": [req("urllib3<2", path="api.in"), locked("urllib3==1.26.18", "api.txt")],
            "auth": [req("urllib3>=2", path="auth.in"), locked("urllib3==2.2.1", "auth.txt")],
        }
    )
    (conflict,) = analysis.conflicts
    assert conflict.kind is Kind.INCOMPATIBLE
    assert {r.pinned for r in conflict.requirements} == {"1.26.18", "2.2.1"}


def test_the_agreeing_shortcut_decides_what_the_rules_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`analyse_host` skips the rules for a package whose locks agree on a version every range
    admits: on a generated monorepo with both kinds of conflict planted, and on the edge cases
    next to the shortcut, the analysis is the same with the shortcut as without it."""
    generate(tmp_path / "repo", services=60, requirements=40, hosts=3, conflict_rate=0.2, seed=7)
    options = ScanOptions(root=tmp_path / "repo", interpreter=interpreter_environment())
    edges = {
        # one pin every range admits, in two services; one pin twice in a service; a pin the
        # other's range excludes; a pin its own service's range excludes (a stale lock); a pin
        # that is no version; a range no version satisfies; the host's Python
        "a": [
            req("one==1.0", role=Role.LOCKED),
            req("two==2.0", role=Role.LOCKED),
            req("two==2.0", role=Role.LOCKED, line=2),
            req("three==3.0", role=Role.LOCKED),
            req("four==4.0", role=Role.LOCKED),
        ],
        "b": [
            req("one>=0.5"),
            req("two<2"),
            req("odd===foobar", role=Role.LOCKED),
            req("python>=3.12"),
        ],
        "c": [
            req("one==1.0", role=Role.LOCKED),
            req("odd===foobar", role=Role.LOCKED),
            req("free>=2"),
            req("free<1"),
            req("three==3.0", role=Role.LOCKED),
            req("three>=4"),
            req("four==4.0", role=Role.LOCKED),
            req("five==5.0", role=Role.LOCKED),
        ],
        # a pip -c constraint that excludes the pin everyone agrees on
        "d": [req("five==5.0", role=Role.LOCKED), req("five<5", constraint=True)],
    }
    with_shortcut = (json.dumps(report_to_dict(scan(options))), analyse(edges))
    monkeypatch.setattr(host_module, "_agrees", lambda state: False)
    without = (json.dumps(report_to_dict(scan(options))), analyse(edges))
    assert with_shortcut == without
    assert '"pin-mismatch"' in without[0] and '"incompatible"' in without[0]
    assert without[1].conflicts and without[1].diagnostics
