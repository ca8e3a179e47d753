"""Rule python: requires-python ranges clash with each other and with a stated host Python."""

from __future__ import annotations

from dataclasses import replace

from depcheck.analysis.rules.python import HOST_PYTHON, PYTHON, add_host_python
from depcheck.model import Host, Kind
from tests.analysis.test_host import PY311, analyse, req


def test_a_stated_host_python_is_a_range_no_service_can_move() -> None:
    host = Host("web", ("api",), PY311)
    ranges = {"api": ">=3.12"}
    add_host_python(host, PYTHON, ranges)
    assert ranges == {"api": ">=3.12", HOST_PYTHON: "==3.11.4"}
    unstated = Host("web", ("api",), replace(PY311, python_configured=False))
    ranges = {"api": ">=3.12"}
    add_host_python(unstated, PYTHON, ranges)
    assert ranges == {"api": ">=3.12"}
    add_host_python(host, "requests", ranges)
    assert ranges == {"api": ">=3.12"}


def test_a_service_that_needs_a_newer_python_than_its_host_runs_conflicts() -> None:
    analysis = analyse({"api": [req("python>=3.12")], "web": [req("python>=3.9")]})
    (conflict,) = analysis.conflicts
    assert conflict.kind is Kind.INCOMPATIBLE
    assert conflict.package == "python"
    assert conflict.services == ("api",)  # the host's own Python is no service
    assert conflict.reason == (
        "no version satisfies python>=3.12 (api) and Python 3.11.4 (what host web runs)"
    )


def test_requires_python_ranges_that_fit_the_host_are_no_conflict() -> None:
    assert analyse({"api": [req("python>=3.10")], "web": [req("python<3.13")]}).conflicts == ()
