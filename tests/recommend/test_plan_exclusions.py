"""Plans on ranges with many holes: the shortcuts give the plain answers, and stay fast.

`disjoint` asks `VersionRange.is_disjoint` rather than building the intersection, and `_reach`
finds the highest admitted candidate by a binary search; both must equal the definitions they
replace (every pair intersected, every candidate tested), whatever the ranges.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from benchmarks.plan_graphs import write_exclusions
from depcheck.analysis.algebra import admits, disjoint, satisfiable
from depcheck.cli import main
from depcheck.recommend import plan
from depcheck.recommend.plan import _reach

VERSIONS = ["0.9", "1.0", "1.0.0", "1.0a1", "1.2", "1.2.post1", "1.5", "2.0", "2.0rc1", "3"]
clauses = st.tuples(
    st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "~=", "==*", "!=*"]),
    st.sampled_from(VERSIONS),
)


def key_of(parts: list[tuple[str, str]]) -> str:
    texts = []
    for operator, version in parts:
        if operator.endswith("*"):
            texts.append(f"{operator[:-1]}{Version(version).base_version}.*")
        elif operator == "~=" and "." not in version:
            texts.append(f"~={version}.0")
        else:
            texts.append(operator + version)
    return ",".join(texts) or "*"


keys = st.lists(clauses, max_size=4).map(key_of)


@settings(max_examples=300, deadline=None)
@given(keys, keys)
def test_disjoint_is_the_plain_intersection(first: str, second: str) -> None:
    assert disjoint(first, second) == (not satisfiable((first, second)))
    assert disjoint(second, first) == disjoint(first, second)
    assert disjoint(first, first) == (not satisfiable((first,)))


@settings(max_examples=300, deadline=None)
@given(keys, st.lists(st.sampled_from(VERSIONS), max_size=8))
def test_reach_is_the_highest_admitted_candidate(key: str, versions: list[str]) -> None:
    candidates = [*sorted(Version(v) for v in set(versions)), Version("99999")]
    plain = max((i for i, v in enumerate(candidates) if admits(key, str(v))), default=-1)
    assert _reach(key, candidates) == plain


def test_a_host_of_ranges_with_holes_gets_the_plan_the_plain_definitions_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the benchmark's `exclusions` case, smaller: 30 services with 100 clauses each (at 200 the
    # plain definitions took 30 to 50 s; benchmarks/ratios.py times the full size)
    clashing = write_exclusions(tmp_path, 30)
    # a budget no run reaches: the two runs compare plans, not how busy the machine was (a
    # slow one left the plain run past the 2 s default, with a heuristic plan)
    scan = ["scan", str(tmp_path), "--format", "json", "--quiet", "--plan-budget", "600"]
    assert main(scan) == 1
    fast = json.loads(capsys.readouterr().out)

    def plain_reach(key: str, candidates: list[Version], _halves: object = None) -> int:
        return max((i for i, v in enumerate(candidates) if admits(key, str(v))), default=-1)

    monkeypatch.setattr(plan, "disjoint", lambda a, b: not satisfiable((a, b)))
    monkeypatch.setattr(plan, "_reach", plain_reach)
    assert main(scan) == 1
    plain = json.loads(capsys.readouterr().out)
    assert clashing > 0 and fast["plans"][0]["groups"] and len(fast["plans"][0]["groups"]) > 1
    assert fast["plans"] == plain["plans"] and {p["method"] for p in fast["plans"]} == {"exact"}
    assert fast["conflicts"] == plain["conflicts"]
