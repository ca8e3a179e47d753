"""GitHub Actions workflow commands: one annotation per conflict and per input problem.

Printed in a workflow log, each ``::error file=…,line=…,title=…::message`` line becomes an
annotation on that line of the pull request's diff. Incompatible packages and unreadable input
are errors; pin mismatches and input warnings are warnings. A conflict's annotation sits on the
line to change (`placement.primary`: what the change wrote, the service the fix moves out, the
lock to re-lock) and names the other constraints. File paths are made relative to the directory
depcheck ran in (the checkout), as for SARIF (`paths.workspace_path`).

GitHub keeps 10 annotations of each level per step and drops the others without a word, so at
most 10 errors and 10 warnings are written, the most important first: conflicts that fail the
run (ranked by `placement.rank_key`) and the findings that do (a service that contradicts
itself), then input problems, then conflicts and findings the baseline knows.
One ``::notice`` then says how many were left out and where the full report is.

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
    Plan,
    Report,
    Severity,
)
from depcheck.recommend.advice import describe
from depcheck.report.interface import RenderOptions, ReportFormatter
from depcheck.report.paths import points_at_file, workspace_path
from depcheck.report.placement import plans_by_host, primary, rank_key, ranked, related
from depcheck.report.sanitize import escape_data, escape_property
from depcheck.report.summary import conflict_counts, input_counts, plural


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


#: GitHub keeps this many annotations of each level per step, and drops the rest silently
MAX_PER_LEVEL = 10
#: other constraints named in one annotation's message before "and N more"
MAX_OTHERS = 4
#: names of each list the advice shows (files to re-lock, services to move)
ADVICE_NAMES = 3


def _constraint(group: list[ConflictRequirement]) -> str:
    """``a, b: flask==2.0`` for the services whose constraint is written on one line."""
    services = ", ".join(dict.fromkeys(r.service for r in group))
    first = group[0]
    text = f"{services}: {first.requirement}"
    if first.via:
        text += f" (via {' → '.join(first.via)})"
    return text


def _state(conflict: Conflict) -> str:
    if conflict.baseline == "new":
        return " (new)"
    if conflict.baseline == "changed":
        added = ", ".join(conflict.added_services)
        return f" (changed: now also {added})" if added else " (changed: now incompatible)"
    if conflict.baseline == "known":
        return " (in the baseline)"
    return ""


def conflict_command(root: str, conflict: Conflict, plan: Plan | None) -> str:
    """One annotation for a conflict, at the line to change, naming the others."""
    name = "error" if conflict.kind is Kind.INCOMPATIBLE else "warning"
    title = f"depcheck: {conflict.display_name} {conflict.kind.value} on host {conflict.host}"
    title += _state(conflict)
    first = primary(conflict, plan)
    others = related(conflict, first)
    parts = []
    if first is not None:
        here = [r for r in conflict.requirements if r.location == first.location]
        parts.append(f"{_constraint(here)} (here)")
    for location, group in others[:MAX_OTHERS]:
        path = workspace_path(root, location.path)
        parts.append(
            f"{_constraint(group)} ({path}:{location.line})"
            if location.line
            else f"{_constraint(group)} ({path})"
        )
    if len(others) > MAX_OTHERS:
        rest = others[MAX_OTHERS:]
        services = len({r.service for _, group in rest for r in group})
        parts.append(f"and {plural(len(rest), 'more line')} of {plural(services, 'service')}")
    # a static incompatibility's reason lists the constraints the message names anyway
    said = conflict.kind is Kind.INCOMPATIBLE and conflict.evidence == "static"
    why = f"{conflict.reason}: " if conflict.reason and not said else ""
    message = why + "; ".join(parts) + f".\nFix: {describe(conflict, names=ADVICE_NAMES)}"
    where = _where(root, first.location) if first is not None else {}
    return command(name, message, {**where, "title": title})


def _diagnostic_command(root: str, diagnostic: Diagnostic) -> str:
    name = "error" if diagnostic.severity is Severity.ERROR else "warning"
    title = f"depcheck: input {name}"
    finding = diagnostic.finding
    if finding is not None:
        title = f"depcheck: {finding.service} contradicts itself on {finding.package}"
        title += {"new": " (new)", "known": " (in the baseline)"}.get(str(finding.baseline), "")
    properties = {**_where(root, diagnostic.location), "title": title}
    return command(name, diagnostic.message, properties)


def _group(conflict: Conflict) -> int:
    """0: fails the run (or no baseline); 2: known to the baseline or ignored."""
    return 0 if rank_key(conflict)[0] == 0 else 2


class GithubFormatter(ReportFormatter):
    def __init__(self, options: RenderOptions | None = None) -> None:
        self.options = options or RenderOptions()

    def format(self, report: Report) -> str:
        plans = plans_by_host(report.plans)
        # (level, order, command): failing conflicts, then input problems, then known ones
        items: list[tuple[str, tuple[int, int], str]] = []
        ignored = ignored_findings = 0
        for index, conflict in enumerate(ranked(report.conflicts)):
            if conflict.ignored is not None:
                ignored += 1
                continue
            level = "error" if conflict.kind is Kind.INCOMPATIBLE else "warning"
            line = conflict_command(report.root, conflict, plans.get(conflict.host))
            items.append((level, (_group(conflict), index), line))
        after = len(report.conflicts)
        for index, diagnostic in enumerate(report.diagnostics):
            level = "error" if diagnostic.severity is Severity.ERROR else "warning"
            order = (1, index)
            finding = diagnostic.finding
            if finding is not None:
                if finding.ignored is not None:
                    ignored_findings += 1
                    continue
                # ranked as a conflict: with those that fail the run, or with known ones
                order = (0 if finding.counts else 2, after + index)
            items.append((level, order, _diagnostic_command(report.root, diagnostic)))
        lines: list[str] = []
        left: dict[str, int] = {"error": 0, "warning": 0}
        for level in ("error", "warning"):
            chosen = sorted((i for i in items if i[0] == level), key=lambda i: i[1])
            lines.extend(line for _, _, line in chosen[:MAX_PER_LEVEL])
            left[level] = max(0, len(chosen) - MAX_PER_LEVEL)
        if left["error"] or left["warning"] or ignored or ignored_findings:
            lines.append(_notice(left["error"], left["warning"], ignored, ignored_findings))
        summary = f"depcheck: {conflict_counts(report)}"
        problems = input_counts(report)
        if problems:
            summary += f" · {problems}"
        # a plain line; a scanned value cannot reach its start, so it is never read as a command
        lines.append(f"{summary} · exit {report.exit_code}")
        return "\n".join(lines) + "\n"


def _notice(errors: int, warnings: int, ignored: int, ignored_findings: int) -> str:
    """What was not annotated, and where to find it."""
    parts = []
    if errors or warnings:
        shown = []
        if errors:
            shown.append(plural(errors, "error"))
        if warnings:
            shown.append(plural(warnings, "warning"))
        parts.append(
            f"{' and '.join(shown)} more not annotated (GitHub shows {MAX_PER_LEVEL} of each "
            "per step; these are the least severe)"
        )
    if ignored:
        parts.append(f"{plural(ignored, 'ignored conflict')} not annotated")
    if ignored_findings:
        parts.append(f"{plural(ignored_findings, 'ignored finding')} not annotated")
    total = errors + warnings + ignored + ignored_findings
    message = (
        "; ".join(parts)
        + ". The full report is in the job summary and the log; depcheck scan --format json "
        "lists every conflict."
    )
    return command("notice", message, {"title": f"depcheck: {total} more findings"})
