"""resolve/causes.py: a failed resolution's causes become conflicts, diagnostics and clashes."""

from __future__ import annotations

from depcheck.model import Host, Location, Severity
from depcheck.resolve.causes import resolver_clashes, resolver_conflicts
from depcheck.resolve.resolver import Cause
from depcheck.topology.environment import interpreter_environment

HOST = Host("web", ("a", "b", "c"), interpreter_environment())


def _cause(service: str, requirement: str, specifier: str, *via: str) -> Cause:
    return Cause(
        "urllib3",
        requirement,
        specifier,
        service,
        Location(f"{service}/requirements.txt", 1),
        tuple(via),
        via[0] if via else requirement,
    )


def test_a_transitive_clash_between_two_services_is_one_resolver_conflict() -> None:
    causes = [
        _cause("a", "urllib3<2.1", "<2.1", "botocore"),
        _cause("b", "urllib3>=2.2", ">=2.2"),
        _cause("c", "urllib3", ""),  # a bystander that only needs the package
    ]
    (conflict,), diagnostics = resolver_conflicts(HOST, causes)
    assert diagnostics == []
    assert conflict.services == ("a", "b") and conflict.evidence == "resolver"
    assert conflict.pairs == (("a", "b"),)
    assert conflict.reason == (
        "the resolver finds no installable set: botocore requires urllib3<2.1 (a); urllib3>=2.2 (b)"
    )
    (first, second) = conflict.requirements
    assert (first.via, first.direct) == (("botocore",), False)
    assert (second.via, second.direct) == ((), True)


def test_a_clash_inside_one_service_is_an_error_at_its_line() -> None:
    causes = [_cause("a", "urllib3<2", "<2", "botocore"), _cause("a", "urllib3>=2", ">=2")]
    conflicts, (error,) = resolver_conflicts(HOST, causes)
    assert conflicts == []
    assert error.severity is Severity.ERROR
    assert error.location == Location("a/requirements.txt", 1)
    assert error.message.startswith("service 'a' cannot be installed on host web")


def test_each_pair_becomes_a_clash_the_planner_keeps_apart() -> None:
    causes = [
        _cause("a", "urllib3<2", "<2"),
        _cause("b", "urllib3>=2,<2.2", ">=2,<2.2"),
        _cause("c", "urllib3>=2.2", ">=2.2"),
    ]
    conflicts, _ = resolver_conflicts(HOST, causes)
    clashes = resolver_clashes(conflicts)
    assert [c.package for c in clashes] == [
        "urllib3 (a | b)",
        "urllib3 (a | c)",
        "urllib3 (b | c)",
    ]
    assert clashes[0].ranges == {"a": "<1", "b": ">=1"}
