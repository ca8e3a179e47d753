"""The Markdown report, for ``$GITHUB_STEP_SUMMARY`` and pull-request comments (GitHub and GitLab).

A title line a reviewer can read in a notification, one table of every conflict (host, package,
kind, services, where each constraint was written), then per host its plan, one next step per
conflict and a Mermaid diagram of which services clash over which packages.

Everything from a scanned repository (host, service and package names, paths, specifiers) is
untrusted: names go into code spans, which neither platform turns into mentions, links or HTML,
and free text (recommendations, diagnostics) is backslash-escaped with ``@`` and ``#123`` broken
by an empty HTML comment, the one escape GitHub's mention and issue-reference filters respect.
In table cells ``|`` is written ``\\|`` (GFM unescapes it even inside code spans) and line breaks
become spaces, so no value can end a cell or a row. Output is deterministic: no timings, no
absolute paths beyond the root as given, everything sorted.
"""

from __future__ import annotations

import re
from collections.abc import Sized
from dataclasses import dataclass

from depcheck.model import Conflict, ConflictRequirement, Host, Kind, Plan, Report, Severity
from depcheck.report import mermaid
from depcheck.report.interface import RenderOptions, ReportFormatter
from depcheck.report.summary import (
    HEURISTIC_NOTE,
    ConflictEdge,
    bracketed,
    conflict_counts,
    conflict_edges,
    input_counts,
    keep_together,
    move_out,
    plural,
    split_into,
)

#: the first line, so a bot can find and update its own comment
MARKER = "<!-- depcheck:report -->"
CONFLICTS_PER_HOST = 25
REQUIREMENTS_PER_CONFLICT = 8
DIAGNOSTICS_SHOWN = 50
#: larger diagrams are unreadable and hit renderers' limits (Mermaid refuses 500+ edges)
DIAGRAM_EDGES = 150

_SYMBOL = {Kind.INCOMPATIBLE: "✗", Kind.PIN_MISMATCH: "≠"}
# control characters, line separators, and bidi controls that reorder how text displays
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]+")
_MARKDOWN_RE = re.compile(r"([\\`*_\[\]<>|~&])")
_MENTION_RE = re.compile(r"([@]|#(?=\d))")
_NAME_RE = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*")


def _flat(text: str) -> str:
    return _CONTROL_RE.sub(" ", text)


def code(text: str, *, table: bool = False) -> str:
    """`text` as an inline code span; `table` escapes ``|`` for a GFM table cell."""
    flat = _flat(text)
    if not flat:
        return ""
    if table:
        flat = flat.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each end of a span that has both; pad so it strips ours
    if flat.startswith(("`", " ")) or flat.endswith(("`", " ")):
        flat = f" {flat} "
    return f"{fence}{flat}{fence}"


def text(value: str) -> str:
    """Free text from the report as Markdown that renders literally and notifies nobody."""
    escaped = _MARKDOWN_RE.sub(r"\\\1", _flat(value))
    return _MENTION_RE.sub(lambda m: m.group(1) + "<!-- -->", escaped)


def _baseline(report: Report) -> tuple[int, int] | None:
    """(new, fixed) when the scan was compared with a baseline, else None.

    Read with `getattr`: the baseline fields (``Report.baseline``/``fixed``,
    ``Conflict.baseline``) are optional, and a report without them simply has no such line.
    """
    if getattr(report, "baseline", None) is None:
        return None
    new = sum(1 for c in report.conflicts if getattr(c, "baseline", None) == "new")
    fixed = getattr(report, "fixed", ())
    return new, len(fixed) if isinstance(fixed, Sized) else 0


def _status(conflict: Conflict) -> str:
    """`` · new`` / `` · in baseline`` / `` · ignored`` after the kind, when known."""
    if getattr(conflict, "ignored", None) is not None:
        return " · ignored"
    state = getattr(conflict, "baseline", None)
    if state == "new":
        return " · new"
    if state == "changed":
        return " · changed"
    if state == "known":
        return " · in baseline"
    return ""


def _constraint(requirement: ConflictRequirement) -> str:
    """The constraint as the user wrote it (their order, their marker), without the name."""
    if requirement.specifier:
        written = _NAME_RE.sub("", requirement.requirement, count=1).strip()
        return written or requirement.specifier
    if requirement.pinned:
        return f"=={requirement.pinned}"
    return requirement.requirement


def _where(requirement: ConflictRequirement) -> str:
    location = requirement.location
    place = location.path if location.line is None else f"{location.path}:{location.line}"
    entry = (
        f"{code(requirement.service, table=True)} "
        f"{code(_constraint(requirement), table=True)} at {code(place, table=True)}"
    )
    if requirement.via:
        entry += " via " + code(" → ".join(requirement.via), table=True)
    return entry


@dataclass(frozen=True, slots=True)
class _HostSection:
    host: Host
    conflicts: tuple[Conflict, ...]
    plan: Plan | None


class MarkdownFormatter(ReportFormatter):
    def __init__(self, options: RenderOptions | None = None) -> None:
        self.options = options or RenderOptions()

    def format(self, report: Report) -> str:
        sections = self._sections(report)
        lines = [MARKER, self._title(report), "", self._scanned(report), ""]
        if report.conflicts:
            lines.extend(self._table(sections))
            lines.append("")
            for section in sections:
                if section.conflicts:
                    lines.extend(self._host(section))
        calm = [s.host for s in sections if not s.conflicts]
        if calm:
            lines.append("### Hosts without conflicts" if report.conflicts else "### Hosts")
            lines.append("")
            for host in calm:
                services = ", ".join(code(s) for s in host.services) or "no services"
                origin = f", from {code(str(host.origin))}" if host.origin else ""
                lines.append(
                    f"- ✓ {code(host.name)} ({text(host.environment.describe())}{origin}): "
                    f"{services}"
                )
            lines.append("")
        if report.diagnostics:
            lines.extend(self._diagnostics(report))
        return "\n".join(lines).rstrip("\n") + "\n"

    def _sections(self, report: Report) -> list[_HostSection]:
        plans = {p.host: p for p in report.plans}
        by_host: dict[str, list[Conflict]] = {}
        for conflict in report.conflicts:
            by_host.setdefault(conflict.host, []).append(conflict)
        sections = []
        for host in sorted(report.hosts, key=lambda h: (h.name not in by_host, h.name)):
            ordered = sorted(
                by_host.get(host.name, ()),
                key=lambda c: (c.kind is not Kind.INCOMPATIBLE, c.package, c.services),
            )
            sections.append(_HostSection(host, tuple(ordered), plans.get(host.name)))
        return sections

    def _title(self, report: Report) -> str:
        counts = conflict_counts(report)
        baseline = _baseline(report)
        if baseline is not None:
            new, fixed = baseline
            counts = f"{plural(new, 'new conflict')}, {fixed} fixed · {counts}"
        problems = input_counts(report)
        if problems:
            counts += f" · {problems}"
        return f"## depcheck: {counts}"

    def _scanned(self, report: Report) -> str:
        where = code(report.root)
        where += f", config {code(report.config)}" if report.config else ", services discovered"
        return (
            f"Scanned {plural(len(report.services), 'service')} on "
            f"{plural(len(report.hosts), 'host')} in {where} · exit {report.exit_code}"
        )

    def _shown(self, items: tuple[Conflict, ...]) -> tuple[Conflict, ...]:
        return items if self.options.verbose else items[:CONFLICTS_PER_HOST]

    def _table(self, sections: list[_HostSection]) -> list[str]:
        lines = [
            "| host | package | kind | services | where |",
            "| --- | --- | --- | --- | --- |",
        ]
        for section in sections:
            shown = self._shown(section.conflicts)
            for conflict in shown:
                requirements = conflict.requirements
                if not self.options.verbose:
                    requirements = requirements[:REQUIREMENTS_PER_CONFLICT]
                where = [_where(r) for r in requirements]
                hidden = len(conflict.requirements) - len(requirements)
                if hidden:
                    where.append(f"… {hidden} more (run with `--verbose`)")
                cells = [
                    code(section.host.name, table=True),
                    code(conflict.display_name, table=True),
                    f"{_SYMBOL[conflict.kind]} {conflict.kind.value}{_status(conflict)}",
                    ", ".join(code(s, table=True) for s in conflict.services),
                    "<br>".join(where),
                ]
                lines.append("| " + " | ".join(cells) + " |")
            hidden = len(section.conflicts) - len(shown)
            if hidden:
                lines.append(
                    f"| {code(section.host.name, table=True)} | … | | | "
                    f"{plural(hidden, 'more conflict')} (run with `--verbose`) |"
                )
        return lines

    def _host(self, section: _HostSection) -> list[str]:
        host = section.host
        lines = [
            f"### Host {code(host.name)} ({text(host.environment.describe())})"
            + (f" from {code(str(host.origin))}" if host.origin else ""),
            "",
        ]
        if section.plan is not None:
            lines.extend([self._plan(host, section.plan), ""])
        for conflict in self._shown(section.conflicts):
            lines.append(
                f"- {_SYMBOL[conflict.kind]} {code(conflict.display_name)}: "
                f"{text(conflict.recommendation.summary)}"
            )
        hidden = len(section.conflicts) - len(self._shown(section.conflicts))
        if hidden:
            lines.append(f"- … {plural(hidden, 'more conflict')} (run with `--verbose`)")
        lines.append("")
        lines.extend(self._diagram(section))
        return lines

    def _plan(self, host: Host, plan: Plan) -> str:
        if len(plan.groups) == 1:
            return f"**Plan:** {keep_together(code(host.name))} below."
        groups = bracketed([code(s) for s in g] for g in plan.groups)
        line = f"**Plan:** {split_into(code(host.name), plan)}: {groups}"
        if plan.isolate:
            line += " · " + move_out(code(s) for s in plan.isolate)
        if plan.method != "exact":
            line += f" ({text(plan.method)}: {HEURISTIC_NOTE})"
        return line

    def _diagram(self, section: _HostSection) -> list[str]:
        nodes, edges = conflict_edges(section.conflicts)
        if not edges:
            return []
        if len(edges) > DIAGRAM_EDGES:
            return [
                f"_Diagram left out: {len(edges)} pairs of services clash, "
                f"more than a diagram can show ({DIAGRAM_EDGES})._",
                "",
            ]
        ids = mermaid.node_ids(service for _, service in nodes)
        lines = [
            "Services that cannot share this host: a solid line for an incompatible package (✗),"
            " a dotted one when only the locked pins differ (≠).",
            "",
            "```mermaid",
            "graph LR",
        ]
        lines.extend(f"  {ids[s]}[{mermaid.label(s)}]" for s in sorted(ids))
        lines.extend(f"  {_edge(edge, ids)}" for edge in edges)
        lines.extend(["```", ""])
        return lines

    def _diagnostics(self, report: Report) -> list[str]:
        lines = ["### Input problems", ""]
        shown = (
            report.diagnostics if self.options.verbose else report.diagnostics[:DIAGNOSTICS_SHOWN]
        )
        for diagnostic in shown:
            word = "error" if diagnostic.severity is Severity.ERROR else "warning"
            lines.append(
                f"- **{word}** {code(str(diagnostic.location))}: {text(diagnostic.message)}"
            )
        hidden = len(report.diagnostics) - len(shown)
        if hidden:
            lines.append(f"- … {hidden} more (run with `--verbose`)")
        lines.append("")
        return lines


def _edge(edge: ConflictEdge, ids: dict[str, str]) -> str:
    a, b = edge.services
    names = ", ".join(f"{_SYMBOL[p.kind]} {p.display_name}" for p in edge.packages)
    link = "---" if edge.incompatible else "-.-"
    return f"{ids[a]} {link}|{mermaid.label(names)}| {ids[b]}"
