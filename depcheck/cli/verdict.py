"""The run's verdict: which conflicts fail it, and the exit code (only the command line picks it).

`--fail-on` chooses which kinds fail ("any", "incompatible", "never"); a conflict the baseline
already knows, or one an ignore entry accepts, never fails the run. An input that could not be
read makes the run an input error whatever the conflicts are. A finding among the errors (a
service whose own constraints contradict each other) is no unreadable input: it fails the run as
an incompatible conflict does, under `--fail-on`, unless the baseline knows it or an ignore
entry accepts it.
"""

from __future__ import annotations

from dataclasses import replace

from depcheck.cli.parser import EXIT_CONFLICTS, EXIT_ERROR, EXIT_OK
from depcheck.model import Conflict, Explanation, Kind, Report, Severity


def failing(report: Report) -> tuple[Conflict, ...]:
    """The conflicts that fail the run under `fail_on`, the baseline and the ignore list."""
    if report.fail_on == "never":
        return ()
    return tuple(
        c
        for c in report.conflicts
        if c.counts and (report.fail_on == "any" or c.kind is Kind.INCOMPATIBLE)
    )


def exit_code(report: Report) -> int:
    """2 when an input could not be read, else 1 when a conflict or a finding fails the run,
    else 0."""
    if report.input_errors:
        return EXIT_ERROR
    findings = report.fail_on != "never" and any(f.counts for f in report.findings)
    return EXIT_CONFLICTS if failing(report) or findings else EXIT_OK


def decided(report: Report, fail_on: str | None = None) -> Report:
    """`report` under `fail_on` (default: its own), carrying the exit code the formats show."""
    report = replace(report, fail_on=fail_on or report.fail_on)
    return replace(report, exit_code=exit_code(report))


def why_exit_code(explanation: Explanation) -> int:
    """`depcheck why`: 2 when an input could not be read, 0 when some service needs the
    package, else 1."""
    if any(d.severity is Severity.ERROR and d.finding is None for d in explanation.diagnostics):
        return EXIT_ERROR
    return EXIT_OK if explanation.services else EXIT_CONFLICTS
