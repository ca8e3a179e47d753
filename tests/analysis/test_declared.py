"""analysis/declared.py: a clash is `declared` only when every clashing pair is declared.

The pairs are the ones the conflict's rule found (`Conflict.pairs`).
"""

from __future__ import annotations

from depcheck.analysis.declared import mark_declared
from depcheck.model import (
    Action,
    Conflict,
    ConflictRequirement,
    Kind,
    Location,
    Recommendation,
    Role,
)
from depcheck.topology.workspace import DeclaredPairs

WHERE = Location("pyproject.toml", 8)


def _conflict(kind: Kind, pins: dict[str, str], pairs: tuple[tuple[str, str], ...]) -> Conflict:
    """A conflict on torch, with the clashing pairs its rule would have found."""
    requirements = tuple(
        ConflictRequirement(
            service,
            f"torch=={pin}",
            f"=={pin}",
            Location(f"{service}/r.txt", 1),
            Role.LOCKED,
            True,
            (),
            pinned=pin,
        )
        for service, pin in pins.items()
    )
    return Conflict(
        "id",
        "box",
        "torch",
        "torch",
        kind,
        tuple(pins),
        requirements,
        Recommendation(Action.SPLIT, "split"),
        "reason",
        pairs=pairs,
    )


def test_every_clashing_pair_declared_marks_the_conflict() -> None:
    # ranges ==2.1.0 (cpu), ==2.4.0 (gpu), >=2 (web): only cpu and gpu clash
    conflict = _conflict(Kind.INCOMPATIBLE, {"cpu": "2.1.0", "gpu": "2.4.0"}, (("cpu", "gpu"),))
    (marked,) = mark_declared([conflict], DeclaredPairs({frozenset({"cpu", "gpu"}): WHERE}))
    assert marked.ignored is not None and marked.ignored.by == "declared"
    assert marked.ignored.location == WHERE
    assert marked.ignored.reason.startswith("cpu and gpu are declared never installed together")
    assert not marked.counts


def test_one_undeclared_clashing_pair_keeps_it_failing() -> None:
    # web's <2.2 clashes with gpu's ==2.4.0 too
    conflict = _conflict(
        Kind.INCOMPATIBLE,
        {"cpu": "2.1.0", "gpu": "2.4.0", "web": "2.1.0"},
        (("cpu", "gpu"), ("gpu", "web")),
    )
    (kept,) = mark_declared([conflict], DeclaredPairs({frozenset({"cpu", "gpu"}): WHERE}))
    assert kept.ignored is None and kept.counts


def test_pin_mismatches_compare_the_pins() -> None:
    conflict = _conflict(
        Kind.PIN_MISMATCH,
        {"cpu": "2.1.0", "gpu": "2.4.0", "web": "2.1.0"},
        (("cpu", "gpu"), ("gpu", "web")),
    )
    declared = DeclaredPairs({frozenset({"cpu", "gpu"}): WHERE})
    # web pins what cpu pins, so only cpu/gpu and web/gpu differ: web/gpu is not declared
    (kept,) = mark_declared([conflict], declared)
    assert kept.ignored is None
    both = DeclaredPairs({frozenset({"cpu", "gpu"}): WHERE, frozenset({"web", "gpu"}): WHERE})
    (marked,) = mark_declared([conflict], both)
    assert marked.ignored is not None and marked.ignored.by == "declared"


def test_nothing_declared_changes_nothing() -> None:
    conflict = _conflict(Kind.PIN_MISMATCH, {"cpu": "2.1.0", "gpu": "2.4.0"}, (("cpu", "gpu"),))
    assert mark_declared([conflict], DeclaredPairs({})) == [conflict]
