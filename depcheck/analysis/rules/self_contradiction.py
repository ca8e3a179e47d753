"""Rule `self_contradiction`: one service whose own declared constraints admit no version.

That is an error in the service's files, not a conflict between services: it is reported as a
diagnostic at the first of the constraints, and the package is left out of the host's analysis
for that service. It is a finding, not an unreadable input: it fails the run under `--fail-on`
(exit 1) as an incompatible conflict would, not with the input errors' exit 2, and, like a
conflict, it has a stable id of (host, service, package) that baselines and ignore entries
match. Markers make it depend on the host, so the message names the host (unless the service
is checked on its own, on a host of its name).
"""

from __future__ import annotations

from collections.abc import Sequence

from depcheck.analysis.evidence import by_location, finding_id
from depcheck.model import Diagnostic, Finding, Requirement, Severity


def self_contradiction(
    host: str, service: str, package: str, constraints: Sequence[Requirement]
) -> Diagnostic:
    first = min(constraints, key=lambda r: r.location)
    parts = ", ".join(
        f"{r.text} ({r.location.path}:{r.location.line})" if r.location.line else r.text
        for r in sorted(constraints, key=by_location)
    )
    on = "" if host == service else f" on host {host}"
    return Diagnostic(
        Severity.ERROR,
        first.location,
        f"service {service!r} contradicts itself{on}: no version of {package} satisfies {parts}",
        finding=Finding(finding_id(host, service, package), host, service, package),
    )
