"""What every conflict carries: a stable id, its entries with the chain they came through."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from depcheck.analysis.evidence import conflict_id, every_pair, join_and, pairs_where
from tests.analysis.test_host import analyse, req


def test_conflict_id_is_stable_and_depends_on_host_and_package_only() -> None:
    first = analyse({"a": [req("x==1")], "b": [req("x==2")]}).conflicts[0]
    again = analyse({"a": [req("x==1")], "b": [req("x==3")]}).conflicts[0]
    # other services on the same package: the same conflict (a baseline calls it changed)
    other = analyse({"a": [req("x==1")], "c": [req("x==2")]}).conflicts[0]
    package = analyse({"a": [req("y==1")], "b": [req("y==2")]}).conflicts[0]
    assert first.id == again.id == other.id
    assert package.id != first.id


def test_the_id_is_a_fingerprint_of_host_and_package() -> None:
    assert conflict_id("web", "requests") == conflict_id("web", "requests")
    assert conflict_id("web", "requests") != conflict_id("db", "requests")
    assert conflict_id("web", "requests") != conflict_id("web", "urllib3")
    # no ambiguity where host and package meet
    assert conflict_id("web", "ab") != conflict_id("weba", "b")
    assert len(conflict_id("web", "requests")) == 16


@given(
    st.lists(st.integers(0, 5), max_size=12),
    st.sets(st.tuples(st.integers(0, 5), st.integers(0, 5))),
)
def test_pairs_by_class_are_the_pairs_of_services_that_clash(
    classes: list[int], clashing: set[tuple[int, int]]
) -> None:
    # any symmetric relation between classes (a class against itself too): services are
    # asked about in the order `itertools.combinations` gives, and each pair once
    clashing |= {(b, a) for a, b in clashing}
    services = [f"s{i}" for i in range(len(classes))]
    class_of = dict(zip(services, classes, strict=True))
    asked: list[frozenset[int]] = []

    def clash(a: int, b: int) -> bool:
        asked.append(frozenset((a, b)))
        return (a, b) in clashing

    expected = tuple(
        (a, b)
        for a, b in itertools.combinations(services, 2)
        if (class_of[a], class_of[b]) in clashing
    )
    found = pairs_where(services, class_of, clash)
    assert found == expected
    # listed when read, and a value like the tuple it lists
    assert len(found) == len(expected) and bool(found) == bool(expected)
    assert hash(found) == hash(expected) and found[:2] == expected[:2]
    assert list(found) == list(found)  # read again, the same
    distinct = len(set(classes))
    # once per pair of classes, in either order, and once per class against itself
    assert len(asked) == len(set(asked)) == distinct * (distinct + 1) // 2


def test_every_pair_is_sorted_and_each_pair_once() -> None:
    assert every_pair(["c", "a", "b"]) == (("a", "b"), ("a", "c"), ("b", "c"))
    assert len(every_pair(["c", "a", "b"])) == 3 and every_pair(["c", "a", "b"])[1] == ("a", "c")
    assert every_pair(["a"]) == () and not every_pair(["a"]) and len(every_pair([])) == 0


def test_the_pairs_of_a_thousand_services_are_not_kept() -> None:
    # one class against another: 250,000 pairs, held as two lists of a thousand
    services = [f"s{i:04}" for i in range(1000)]
    found = pairs_where(services, {s: int(s[1:]) % 2 for s in services}, lambda a, b: a != b)
    assert len(found) == 500 * 500
    assert next(iter(found)) == ("s0000", "s0001")
    assert not isinstance(found, tuple | list)  # a view of the two lists, not the pairs


def test_join_and_reads_like_a_sentence() -> None:
    assert join_and(["a"]) == "a"
    assert join_and(["a", "b"]) == "a and b"
    assert join_and(["a", "b", "c"]) == "a, b and c"
