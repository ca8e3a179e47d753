"""Ignores: conflicts a team accepted (`[[ignore]]` in the config), until a date.

An accepted conflict stays in the report, marked `ignored` with the entry's reason; it does not
fail the run nor shape the host's plan. An expired entry stops applying and says so. A finding
about one service (it contradicts itself on a package) is accepted the same way: the entry's
package, host and services (the finding's one service) must match.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import replace

from depcheck.model import Diagnostic, Location, Report, Severity, Suppression
from depcheck.topology.config import IgnoreEntry


def active_entries(entries: Iterable[IgnoreEntry], today: datetime.date) -> list[IgnoreEntry]:
    """The entries that have not expired by `today`."""
    return [e for e in entries if e.until is None or e.until >= today]


def apply_ignores(
    report: Report, entries: Iterable[IgnoreEntry], *, today: datetime.date, config: str
) -> Report:
    """Mark conflicts an ignore entry accepts; expired entries stop applying and warn."""
    entries = list(entries)
    active = active_entries(entries, today)
    diagnostics = list(report.diagnostics)
    for entry in entries:
        if entry not in active and entry.until is not None:
            diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    Location(config, entry.line),
                    f"ignore entry for {entry.package} expired on {entry.until.isoformat()}; "
                    "its conflicts count again",
                )
            )
    for index, diagnostic in enumerate(diagnostics):
        finding = diagnostic.finding
        if finding is None:
            continue
        match = next(
            (e for e in active if e.matches(finding.host, finding.package, (finding.service,))),
            None,
        )
        if match is not None:
            until = match.until.isoformat() if match.until else None
            accepted = Suppression(match.reason, until, Location(config, match.line))
            diagnostics[index] = replace(diagnostic, finding=replace(finding, ignored=accepted))
    conflicts = []
    for conflict in report.conflicts:
        match = next(
            (e for e in active if e.matches(conflict.host, conflict.package, conflict.services)),
            None,
        )
        if match is not None:
            until = match.until.isoformat() if match.until else None
            conflict = replace(
                conflict, ignored=Suppression(match.reason, until, Location(config, match.line))
            )
        conflicts.append(conflict)
    return replace(report, conflicts=tuple(conflicts), diagnostics=tuple(diagnostics))
