"""Long lists made short: names cut to the first few, joined the way people write them."""

from __future__ import annotations

import pytest

from depcheck.report.grouping import first_names, join_and, some_names


@pytest.mark.parametrize(
    ("parts", "joined"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
)
def test_join_and(parts: list[str], joined: str) -> None:
    assert join_and(parts) == joined


def test_some_names_counts_the_rest() -> None:
    assert some_names(["a", "b", "c", "d", "e"]) == "a, b, c and 2 more"
    assert some_names(["a", "b"]) == "a and b"
    assert some_names(["a", "b", "c", "d"], limit=4) == "a, b, c and d"


def test_first_names_keep_at_least_some_and_count_the_others() -> None:
    names = [f"service-{i}" for i in range(20)]
    shown, rest = first_names(names, budget=40)
    assert shown == names[: len(shown)] and shown
    assert len(shown) + rest == 20
    assert len(", ".join(shown)) <= 40
    # a budget too small for one name still shows `least` of them
    assert first_names(names, budget=1, least=2) == (names[:2], 18)
    assert first_names(["a", "b"], budget=100) == (["a", "b"], 0)
