"""GitHub Actions workflow commands: one annotation per clashing constraint and per input problem.

Printed in a workflow log, each ``::error file=…,line=…,title=…::message`` line becomes an
annotation on that line of the pull request's diff. Incompatible packages and unreadable input
are errors; pin mismatches and input warnings are warnings. File paths are made relative to the
directory depcheck ran in (the checkout), as for SARIF (`paths.workspace_path`).

Everything from the scanned repository is escaped as GitHub's runner expects: in the message
``%``, CR and LF become ``%25``, ``%0D``, ``%0A``; in properties ``:`` and ``,`` also become
``%3A`` and ``%2C``. A name or a message can therefore never end the command or start another
one on a new line. The last line is a plain summary, not a command.
"""

from __future__ import annotations

from depcheck.model import (
    Conflict,
    ConflictRequirement,
    Diagnostic,
    Kind,
    Location,
    Report,
    Severity,
)
from depcheck.report.interface import RenderOptions, ReportFormatter
from depcheck.report.paths import points_at_file, workspace_path
from depcheck.report.sanitize import escape_data, escape_property
from depcheck.report.summary import conflict_counts, input_counts


def command(name: str, message: str, properties: dict[str, str | int]) -> str:
    """``::name key=value,...::message`` with every part escaped."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return (
        f"::{name} {props}::{escape_data(message)}"
        if props
        else f"::{name}::{escape_data(message)}"
    )


def _where(root: str, location: Location) -> dict[str, str | int]:
    if not points_at_file(location):
        return {}
    properties: dict[str, str | int] = {"file": workspace_path(root, location.path)}
    if location.line is not None and location.line >= 1:
        properties["line"] = location.line
        if location.column is not None and location.column >= 1:
            properties["col"] = location.column
    return properties


def _conflict_commands(root: str, conflict: Conflict) -> list[str]:
    """One annotation per place a clashing constraint is written (shared files: one for all)."""
    name = "error" if conflict.kind is Kind.INCOMPATIBLE else "warning"
    title = f"depcheck: {conflict.display_name} {conflict.kind.value} on host {conflict.host}"
    summary = conflict.recommendation.summary
    why = f"; {conflict.reason}" if conflict.reason and conflict.reason not in summary else ""
    written: dict[Location, tuple[list[str], ConflictRequirement]] = {}
    for requirement in conflict.requirements:
        services, _ = written.setdefault(requirement.location, ([], requirement))
        if requirement.service not in services:
            services.append(requirement.service)
    if conflict.baseline == "changed" and conflict.introduced:
        # the baseline's lines were annotated when it was new: only what changed since
        written = {k: v for k, v in written.items() if k in conflict.introduced}
    lines: list[str] = []
    for location, (services, requirement) in written.items():
        verb = "asks" if len(services) == 1 else "ask"
        message = f"{', '.join(services)} {verb} for {requirement.requirement}"
        if requirement.via:
            message += f" (via {' → '.join(requirement.via)})"
        message += f"{why}.\nFix: {summary}"
        lines.append(command(name, message, {**_where(root, location), "title": title}))
    return lines


def _diagnostic_command(root: str, diagnostic: Diagnostic) -> str:
    name = "error" if diagnostic.severity is Severity.ERROR else "warning"
    properties = {**_where(root, diagnostic.location), "title": f"depcheck: input {name}"}
    return command(name, diagnostic.message, properties)


class GithubFormatter(ReportFormatter):
    def __init__(self, options: RenderOptions | None = None) -> None:
        self.options = options or RenderOptions()

    def format(self, report: Report) -> str:
        lines: list[str] = []
        for conflict in report.conflicts:
            lines.extend(_conflict_commands(report.root, conflict))
        lines.extend(_diagnostic_command(report.root, d) for d in report.diagnostics)
        summary = f"depcheck: {conflict_counts(report)}"
        problems = input_counts(report)
        if problems:
            summary += f" · {problems}"
        # a plain line; a scanned value cannot reach its start, so it is never read as a command
        lines.append(f"{summary} · exit {report.exit_code}")
        return "\n".join(lines) + "\n"
