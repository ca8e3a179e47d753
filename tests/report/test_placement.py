"""report/placement.py: the line to change for each conflict, the related ones, and the order."""

from __future__ import annotations

from dataclasses import replace

from depcheck.model import Kind, Location, Suppression
from depcheck.report.placement import primary, ranked, related, why_primary
from tests.report.conftest import ScanTree, config, locked


def test_incompatible_points_at_the_service_the_plan_moves_out(scan_tree: ScanTree) -> None:
    report = scan_tree(
        {
            "api/requirements.txt": "requests>=2.31\n",
            "web/requirements.txt": "requests>=2.30\n",
            "billing/requirements.txt": "requests==2.25.1\n",
        }
    )
    (conflict,) = report.conflicts
    assert conflict.kind is Kind.INCOMPATIBLE
    plan = report.plans[0]
    first = primary(conflict, plan)
    assert first is not None and first.service == "billing"
    assert first.location == Location("billing/requirements.txt", 1, 1)
    assert "moves billing out" in why_primary(conflict, first, plan)
    others = related(conflict, first)
    assert [loc.path for loc, _ in others] == ["api/requirements.txt", "web/requirements.txt"]


def test_a_pin_mismatch_points_at_a_lock_to_re_lock(scan_tree: ScanTree) -> None:
    report = scan_tree(
        {
            "a/requirements.in": "six\n",
            "a/requirements.txt": locked("six==1.15.0"),
            "b/requirements.in": "six\n",
            "b/requirements.txt": locked("six==1.16.0"),
        }
    )
    (conflict,) = report.conflicts
    assert conflict.kind is Kind.PIN_MISMATCH
    first = primary(conflict, report.plans[0] if report.plans else None)
    assert first is not None
    assert first.location.path in conflict.recommendation.relock
    assert first.location.path.endswith("requirements.txt")


def test_failing_before_known_before_ignored_then_incompatible_and_size(
    scan_tree: ScanTree,
) -> None:
    report = scan_tree(
        {
            "a/requirements.txt": "requests==2.25.1\nsix==1.15.0\nidna==3.4\n",
            "b/requirements.txt": "requests==2.31.0\nsix==1.16.0\nidna==3.6\n",
            "c/requirements.txt": "six==1.17.0\n",
            "depcheck.toml": config({"box": ["a", "b", "c"]}, {"a": "a", "b": "b", "c": "c"}),
        }
    )
    by_package = {c.package: c for c in report.conflicts}
    accepted = Suppression("known", None, Location("depcheck.toml", 1))
    conflicts = [
        replace(by_package["requests"], ignored=accepted),
        replace(by_package["idna"], baseline="known"),
        by_package["six"],
    ]
    assert [c.package for c in ranked(conflicts)] == ["six", "idna", "requests"]
    # among failing ones: more services first
    two = replace(by_package["idna"], baseline=None)
    assert [c.package for c in ranked([two, by_package["six"]])] == ["six", "idna"]
