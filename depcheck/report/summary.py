"""One-line counts of a report, worded the same way in every CI-facing format."""

from __future__ import annotations

from depcheck.model import Kind, Plan, Report


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def conflict_counts(report: Report) -> str:
    """``3 conflicts (1 incompatible, 2 pin mismatch) on 1 of 2 hosts``, or ``no conflicts ...``."""
    hosts = plural(len(report.hosts), "host")
    if not report.conflicts:
        return f"no conflicts on {hosts}"
    troubled = len({c.host for c in report.conflicts})
    return (
        f"{plural(len(report.conflicts), 'conflict')} "
        f"({report.count(Kind.INCOMPATIBLE)} incompatible, "
        f"{report.count(Kind.PIN_MISMATCH)} pin mismatch) on {troubled} of {hosts}"
    )


def input_counts(report: Report) -> str:
    """``1 error, 2 warnings`` for the report's diagnostics, or an empty string."""
    parts = []
    if report.errors:
        parts.append(plural(len(report.errors), "error"))
    if report.warnings:
        parts.append(plural(len(report.warnings), "warning"))
    return ", ".join(parts)


#: what a heuristic plan says about itself
HEURISTIC_NOTE = "the best found within the plan budget, --plan-budget"


def at_least(plan: Plan) -> str:
    """`` (at least 3)`` after a group count the search could not prove smallest, else ``""``."""
    return f" (at least {plan.lower_bound})" if plan.lower_bound < len(plan.groups) else ""
