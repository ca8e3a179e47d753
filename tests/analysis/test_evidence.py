"""What every conflict carries: a stable id, its entries with the chain they came through."""

from __future__ import annotations

from depcheck.analysis.evidence import conflict_id, every_pair, join_and
from tests.analysis.test_host import analyse, req


def test_conflict_id_is_stable_and_depends_on_host_package_and_services() -> None:
    first = analyse({"a": [req("x==1")], "b": [req("x==2")]}).conflicts[0]
    again = analyse({"a": [req("x==1")], "b": [req("x==3")]}).conflicts[0]
    other = analyse({"a": [req("x==1")], "c": [req("x==2")]}).conflicts[0]
    assert first.id == again.id
    assert first.id != other.id


def test_the_id_is_a_fingerprint_of_host_package_and_services() -> None:
    assert conflict_id("web", "requests", ("api", "billing")) == conflict_id(
        "web", "requests", ("api", "billing")
    )
    assert conflict_id("web", "requests", ("api",)) != conflict_id("web", "requests", ("api", "b"))
    assert conflict_id("web", "requests", ("api",)) != conflict_id("db", "requests", ("api",))
    assert len(conflict_id("web", "requests", ("api",))) == 16


def test_every_pair_is_sorted_and_each_pair_once() -> None:
    assert every_pair(["c", "a", "b"]) == (("a", "b"), ("a", "c"), ("b", "c"))
    assert every_pair(["a"]) == ()


def test_join_and_reads_like_a_sentence() -> None:
    assert join_and(["a"]) == "a"
    assert join_and(["a", "b"]) == "a and b"
    assert join_and(["a", "b", "c"]) == "a, b and c"
