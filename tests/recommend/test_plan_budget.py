"""`--plan-budget` end to end: a hostile host gets a valid plan that states its proven bound."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from benchmarks.plan_graphs import mycielski, write_graph
from depcheck.cli import main
from depcheck.recommend.plan import EXACT_LIMIT
from depcheck.report.json import load_schema

RunCli = Callable[..., tuple[int, str, str]]


def write_mycielski_repo(root: Path, order: int) -> list[str]:
    """One host whose services clash along the Mycielski graph M_order (benchmarks' encoding)."""
    n, edges = mycielski(order)
    write_graph(root, n, edges)
    return [f"s{u:02}" for u in range(n)]


def test_past_its_budget_the_plan_says_heuristic_and_how_many_groups_at_least(
    tmp_path: Path, run_cli: RunCli
) -> None:
    names = write_mycielski_repo(tmp_path, 5)
    code, out, err = run_cli("scan", str(tmp_path), "--format", "json", "--plan-budget", "0")
    assert code == 1, err
    report: Any = json.loads(out)
    jsonschema.validate(report, load_schema(), cls=jsonschema.Draft202012Validator)
    (plan,) = report["plans"]
    assert plan["method"] == "heuristic"
    assert 2 <= plan["lower_bound"] < len(plan["groups"])
    assert sorted(s for g in plan["groups"] for s in g) == names

    code, text, _ = run_cli("scan", str(tmp_path), "--plan-budget", "0", "--color", "never")
    assert code == 1
    assert f"into {len(plan['groups'])} groups (at least {plan['lower_bound']}):" in text
    assert "heuristic: the best found within the plan budget" in " ".join(text.split())


def test_within_its_budget_the_plan_is_exact_and_the_bound_is_met(
    tmp_path: Path, run_cli: RunCli
) -> None:
    write_mycielski_repo(tmp_path, 4)
    code, out, err = run_cli("scan", str(tmp_path), "--format", "json", "--plan-budget", "30")
    assert code == 1, err
    (plan,) = json.loads(out)["plans"]
    assert (plan["method"], len(plan["groups"]), plan["lower_bound"]) == ("exact", 4, 4)
    code, text, _ = run_cli("scan", str(tmp_path), "--color", "never")
    assert code == 1
    assert "into 4 groups: " in text
    assert "at least" not in text


@pytest.mark.parametrize("bad", ["soon", "-1", "inf", "nan"])
def test_a_plan_budget_that_is_not_a_number_of_seconds_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["scan", str(tmp_path), "--plan-budget", bad])
    assert exit_.value.code == 2
    assert "error: argument --plan-budget:" in capsys.readouterr().err


def test_past_the_exact_limit_a_plan_with_no_time_still_gets_dsaturs_split(
    tmp_path: Path, run_cli: RunCli
) -> None:
    # a crown graph: u_i and v_j clash when i != j. Listed u0, v0, u1, v1, ..., a first fit
    # needs a group per pair; DSATUR needs two. With more classes than the exact search takes
    # and no time at all, DSATUR is the heuristic that runs first.
    pairs = EXACT_LIMIT // 2 + 1
    edges = [(2 * i, 2 * j + 1) for i in range(pairs) for j in range(pairs) if i != j]
    write_graph(tmp_path, 2 * pairs, sorted((min(e), max(e)) for e in edges))
    code, out, err = run_cli("scan", str(tmp_path), "--format", "json", "--plan-budget", "0")
    assert code == 1, err
    (plan,) = json.loads(out)["plans"]
    assert len(plan["groups"]) == 2 and plan["lower_bound"] == 2
