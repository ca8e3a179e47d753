"""What every format says the same way: one-line counts, plan wording, the service edges.

Nothing here decides anything: the conflicts carry their clashing pairs (`Conflict.pairs`, set
by the rule that found each in `depcheck.analysis.rules`); `conflict_edges` only groups them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from depcheck.model import Conflict, Diagnostic, Kind, Plan, Report


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


def finding_state(diagnostic: Diagnostic) -> str:
    """`` (new)``, `` (known: in the baseline)`` or `` (ignored: REASON)`` after a finding's
    message (a service that contradicts itself), else ``""``; plain text, unescaped."""
    finding = diagnostic.finding
    if finding is None:
        return ""
    if finding.ignored is not None:
        return f" (ignored: {finding.ignored.reason})"
    if finding.baseline == "known":
        return " (known: in the baseline)"
    if finding.baseline == "new":
        return " (new)"
    return ""


#: what a heuristic plan says about itself
HEURISTIC_NOTE = "the best found within the plan budget, --plan-budget"


def at_least(plan: Plan) -> str:
    """`` (at least 3)`` after a group count the search could not prove smallest, else ``""``."""
    return f" (at least {plan.lower_bound})" if plan.lower_bound < len(plan.groups) else ""


# A host's plan, worded once for every format. Names come in already escaped for the format
# (`clean` for plain text, `code` for Markdown); each format adds only where it points to.


def keep_together(host: str) -> str:
    """The plan of a host whose conflicts an align fixes."""
    return f"keep {host} together: align the pinned versions"


def split_into(host: str, plan: Plan, unit: str = " groups") -> str:
    """``split web into 2 groups (at least 2)``: the fewest groups of the host's plan."""
    return f"split {host} into {len(plan.groups)}{unit}{at_least(plan)}"


def bracketed(groups: Iterable[Iterable[str]]) -> str:
    """``[api, auth] [billing]``: each group of a split."""
    return " ".join("[" + ", ".join(group) + "]" for group in groups)


#: the cheaper alternative to a split: move just these services out
MOVE_OUT = "or move out just"


def move_out(services: Iterable[str]) -> str:
    """``or move out just: billing``."""
    return f"{MOVE_OUT}: {', '.join(services)}"


@dataclass(frozen=True, slots=True, order=True)
class ConflictPackage:
    """One package two services disagree about."""

    package: str
    display_name: str
    kind: Kind
    conflict_id: str


@dataclass(frozen=True, slots=True, order=True)
class ConflictEdge:
    """Two services on one host that cannot share an environment as locked or declared."""

    host: str
    services: tuple[str, str]
    packages: tuple[ConflictPackage, ...]

    @property
    def incompatible(self) -> bool:
        return any(p.kind is Kind.INCOMPATIBLE for p in self.packages)


def conflict_edges(
    conflicts: Iterable[Conflict],
) -> tuple[tuple[tuple[str, str], ...], tuple[ConflictEdge, ...]]:
    """The (host, service) nodes that take part in some conflict and one edge per clashing
    pair of services on a host, listing every package they disagree about, every list sorted
    (parallel edges would draw as one line anyway)."""
    nodes: set[tuple[str, str]] = set()
    merged: dict[tuple[str, str, str], set[ConflictPackage]] = defaultdict(set)
    for conflict in conflicts:
        nodes.update((conflict.host, s) for s in conflict.participants)
        package = ConflictPackage(
            conflict.package, conflict.display_name, conflict.kind, conflict.id
        )
        for a, b in conflict.pairs:
            merged[(conflict.host, a, b)].add(package)
    edges = tuple(
        ConflictEdge(host, (a, b), tuple(sorted(packages)))
        for (host, a, b), packages in sorted(merged.items())
    )
    return tuple(sorted(nodes)), edges
