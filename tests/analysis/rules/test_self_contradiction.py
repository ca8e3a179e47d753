"""Rule self_contradiction: one service whose own constraints admit no version."""

from __future__ import annotations

from depcheck.model import Severity
from tests.analysis.test_host import analyse, req


def test_a_service_that_contradicts_itself_is_an_error_not_a_conflict() -> None:
    analysis = analyse(
        {
            "api": [
                req("flask==2.0", path="a.txt", line=1),
                req("flask>=3", path="b.txt", line=4),
            ],
            "web": [req("flask>=1")],
        }
    )
    assert analysis.conflicts == ()
    (diagnostic,) = analysis.diagnostics
    assert diagnostic.severity is Severity.ERROR
    assert str(diagnostic.location) == "a.txt:1"
    assert "service 'api' contradicts itself" in diagnostic.message
    assert (
        "flask==2.0 (a.txt:1)" in diagnostic.message and "flask>=3 (b.txt:4)" in diagnostic.message
    )


def test_a_contradiction_only_a_marker_brings_in_applies_where_the_marker_holds() -> None:
    requirements = {
        "api": [req("flask<2"), req('flask>=3 ; sys_platform == "win32"', line=2)],
    }
    assert analyse(requirements).diagnostics == ()  # the host runs Linux
