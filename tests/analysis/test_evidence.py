"""What every conflict carries: a stable id, its entries with the chain they came through."""

from __future__ import annotations

from depcheck.analysis.evidence import conflict_id, every_pair, join_and
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


def test_every_pair_is_sorted_and_each_pair_once() -> None:
    assert every_pair(["c", "a", "b"]) == (("a", "b"), ("a", "c"), ("b", "c"))
    assert every_pair(["a"]) == ()


def test_join_and_reads_like_a_sentence() -> None:
    assert join_and(["a"]) == "a"
    assert join_and(["a", "b"]) == "a and b"
    assert join_and(["a", "b", "c"]) == "a, b and c"
