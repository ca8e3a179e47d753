"""The terminal report: per host, each conflict with its clashing constraints and one next step.

Readable three ways (UX.md): in a colour terminal, in a plain CI log (symbols and words carry the
meaning, colour only decorates) and in a narrow window (long cells fold instead of vanishing).
Everything that comes from a scanned file goes through `sanitize.clean()` and into `rich.text.Text`,
never into markup, so file content cannot inject escape sequences or rich markup.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from depcheck import __version__
from depcheck.model import Conflict, ConflictRequirement, Host, Kind, Plan, Report, Severity
from depcheck.report.interface import RenderOptions, ReportFormatter
from depcheck.report.sanitize import clean
from depcheck.report.summary import HEURISTIC_NOTE
from depcheck.report.summary import at_least as _at_least

CONFLICTS_PER_HOST = 25
REQUIREMENTS_PER_CONFLICT = 8


_SYMBOL = {Kind.INCOMPATIBLE: ("✗", "bold red"), Kind.PIN_MISMATCH: ("≠", "yellow")}


class TextFormatter(ReportFormatter):
    def __init__(self, options: RenderOptions | None = None) -> None:
        self.options = options or RenderOptions()

    def format(self, report: Report) -> str:
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            width=max(self.options.width, 40),
            force_terminal=self.options.color,
            no_color=not self.options.color,
            color_system="standard" if self.options.color else None,
            highlight=False,
            emoji=False,
            markup=False,
            soft_wrap=False,
        )
        console.print(self._title(report), soft_wrap=True)
        for note in report.notes:
            console.print(Text(f"  {clean(note)}", style="dim"), soft_wrap=True)
        plans = {p.host: p for p in report.plans}
        troubled = {c.host for c in report.conflicts}
        for host in sorted(report.hosts, key=lambda h: (h.name not in troubled, h.name)):
            console.print()
            conflicts = [c for c in report.conflicts if c.host == host.name]
            self._host(console, host, conflicts, plans.get(host.name))
        unanalysed = sorted(
            (o.location.path, o.location.line or 0, entry.service.name, o.text)
            for entry in report.services
            for source in entry.sources
            for o in source.opaque
        )
        if unanalysed:
            console.print()
            console.print(
                Text(
                    f"not analysed: {_plural(len(unanalysed), 'requirement')} with no project "
                    "name (local paths, URLs); what they install is not checked"
                ),
                soft_wrap=True,
            )
            for path, number, service, written in unanalysed:
                where = f"{path}:{number}" if number else path
                entry = Text(f"  {clean(service)}  {clean(written)}  ")
                entry.append(clean(where), style="dim")
                console.print(entry, soft_wrap=True)
        if report.diagnostics:
            console.print()
            for diagnostic in report.diagnostics:
                style = "red" if diagnostic.severity is Severity.ERROR else "yellow"
                line = Text(f"{diagnostic.severity.value}: ", style=style)
                line.append(clean(str(diagnostic)))
                console.print(line, soft_wrap=True)  # one line each: editors jump to it
        console.print()
        console.print(self._summary(report), soft_wrap=True)
        # rich pads table cells to their width; a log reader wants no trailing blanks
        return "\n".join(line.rstrip(" ") for line in buffer.getvalue().split("\n"))

    def _title(self, report: Report) -> Text:
        services = len(report.services)
        hosts = len(report.hosts)
        title = Text(f"depcheck {__version__}", style="bold")
        where = clean(report.root)
        if report.config:
            where += f", config {clean(report.config)}"
        else:
            where += ", no config: services discovered"
        if any(h.origin is not None for h in report.hosts):
            where += ", hosts from deployment files"
        title.append(
            f" · scanned {_plural(services, 'service')} on {_plural(hosts, 'host')}"
            f" in {report.elapsed:.1f} s ({where})"
        )
        return title

    def _host(
        self, console: Console, host: Host, conflicts: list[Conflict], plan: Plan | None
    ) -> None:
        header = Text(f"host {clean(host.name)}", style="bold cyan")
        header.append(f"  ({host.environment.describe()}; {clean(host.environment.source)})  ")
        if host.origin is not None:
            header.append(f"from {clean(str(host.origin))}  ")
        header.append(" · ".join(clean(s) for s in host.services) or "(no services)")
        console.print(header)
        if not conflicts:
            console.print(Text("  ✓ no conflicts", style="green"))
            return
        ordered = sorted(conflicts, key=lambda c: (c.kind is not Kind.INCOMPATIBLE, c.package))
        shown = ordered if self.options.verbose else ordered[:CONFLICTS_PER_HOST]
        widths = _Widths.of(shown)
        # the columns need room: in a narrow window each constraint gets a line of its own
        # instead of a path folded into a column a few characters wide
        stacked = widths.total(shown) > console.width
        for conflict in shown:
            if stacked:
                for line in self._conflict_lines(conflict):
                    console.print(line)
            else:
                console.print(self._conflict_table(conflict, widths))
            advice = Text("→ ", style="bold")
            advice.append(clean(conflict.recommendation.summary))
            console.print(Padding(advice, (0, 0, 0, 5)))
            status = _status(conflict)
            if status is not None:
                console.print(Padding(status, (0, 0, 0, 5)))
        hidden = len(ordered) - len(shown)
        if hidden:
            console.print(Text(f"  … {hidden} more conflicts on this host (use --verbose)"))
        if plan is not None:
            console.print(self._plan(host, plan))

    def _conflict_lines(self, conflict: Conflict) -> list[Text | Padding]:
        symbol, style = _SYMBOL[conflict.kind]
        head = Text(f"  {symbol} ", style=style)
        head.append(clean(conflict.display_name), style="bold")
        head.append(f"  {conflict.kind.value}", style=style)
        lines: list[Text | Padding] = [head]
        requirements = list(conflict.requirements)
        shown = requirements if self.options.verbose else requirements[:REQUIREMENTS_PER_CONFLICT]
        for requirement in shown:
            line = Text(f"{clean(requirement.service)}  {clean(_constraint(requirement))}  ")
            line.append(clean(_where(requirement)), style="dim")
            lines.append(Padding(line, (0, 0, 0, 5)))
        if len(requirements) > len(shown):
            more = Text(f"… {len(requirements) - len(shown)} more (use --verbose)")
            lines.append(Padding(more, (0, 0, 0, 5)))
        return lines

    def _conflict_table(self, conflict: Conflict, widths: _Widths) -> Table:
        symbol, style = _SYMBOL[conflict.kind]
        table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1), expand=False)
        table.add_column("symbol", no_wrap=True, width=3)
        table.add_column("package", overflow="fold", width=widths.package)
        table.add_column("kind", no_wrap=True, width=12)
        table.add_column("service", overflow="fold", width=widths.service)
        table.add_column("constraint", overflow="fold", width=widths.constraint)
        table.add_column("where", overflow="fold")
        requirements = list(conflict.requirements)
        shown = requirements if self.options.verbose else requirements[:REQUIREMENTS_PER_CONFLICT]
        for index, requirement in enumerate(shown):
            first = index == 0
            table.add_row(
                Text(f"  {symbol}", style=style) if first else Text(""),
                Text(clean(conflict.display_name), style="bold") if first else Text(""),
                Text(conflict.kind.value, style=style) if first else Text(""),
                Text(clean(requirement.service)),
                Text(clean(_constraint(requirement))),
                Text(clean(_where(requirement)), style="dim"),
            )
        if len(requirements) > len(shown):
            more = Text(f"… {len(requirements) - len(shown)} more (use --verbose)")
            table.add_row("", "", "", more, "", "")
        return table

    def _plan(self, host: Host, plan: Plan) -> Text:
        text = Text("  plan  ", style="bold")
        if len(plan.groups) == 1:
            text.append(f"keep {clean(host.name)} together: align the pinned versions above")
            return text
        groups = " ".join("[" + ", ".join(clean(s) for s in g) + "]" for g in plan.groups)
        text.append(
            f"split {clean(host.name)} into {len(plan.groups)} groups{_at_least(plan)}: {groups}"
        )
        if plan.isolate:
            text.append("\n        or move out just: " + ", ".join(clean(s) for s in plan.isolate))
        if plan.method != "exact":
            text.append(f"   ({plan.method}: {HEURISTIC_NOTE})", style="dim")
        return text

    def _summary(self, report: Report) -> Text:
        incompatible = report.count(Kind.INCOMPATIBLE)
        mismatch = report.count(Kind.PIN_MISMATCH)
        with_conflicts = len({c.host for c in report.conflicts})
        if report.conflicts:
            text = Text(
                f"{_plural(len(report.conflicts), 'conflict')} ({incompatible} incompatible, "
                f"{mismatch} pin mismatch) on {with_conflicts} of "
                f"{_plural(len(report.hosts), 'host')}"
            )
        else:
            text = Text(f"no conflicts on {_plural(len(report.hosts), 'host')}")
        if report.baseline is not None:
            new = sum(1 for c in report.conflicts if c.baseline == "new")
            text.append(
                f" · against {clean(report.baseline)}: {new} new, {len(report.fixed)} fixed"
            )
        ignored = sum(1 for c in report.conflicts if c.ignored is not None)
        if ignored:
            text.append(f" · {ignored} ignored")
        if report.fail_on != "any":
            text.append(f" · fail-on {report.fail_on}")
        if report.errors:
            text.append(f" · {_plural(len(report.errors), 'error')}", style="red")
        if report.warnings:
            text.append(f" · {_plural(len(report.warnings), 'warning')}", style="yellow")
        text.append(f" · exit {report.exit_code}")
        return text


@dataclass(frozen=True, slots=True)
class _Widths:
    """Column widths shared by every conflict of a host, so their columns line up."""

    package: int
    service: int
    constraint: int

    def total(self, conflicts: list[Conflict]) -> int:
        """The width the table needs to show every file:line unfolded (a `via` may fold)."""
        where = max(
            (
                len(f"{r.location.path}:{r.location.line}")
                for c in conflicts
                for r in c.requirements
            ),
            default=0,
        )
        return 3 + self.package + 12 + self.service + self.constraint + where + 5

    @classmethod
    def of(cls, conflicts: list[Conflict]) -> _Widths:
        requirements = [r for c in conflicts for r in c.requirements]
        return cls(
            package=min(max((len(c.display_name) for c in conflicts), default=8), 24),
            service=min(max((len(r.service) for r in requirements), default=8), 28),
            constraint=min(max((len(_constraint(r)) for r in requirements), default=8), 28),
        )


_NAME_RE = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*")


def _status(conflict: Conflict) -> Text | None:
    """A line saying whether the conflict is new, already known, or accepted (ignore list)."""
    if conflict.ignored is not None:
        until = f" until {conflict.ignored.until}" if conflict.ignored.until else ""
        return Text(
            f"ignored{until}: {clean(conflict.ignored.reason)} ({conflict.ignored.location})",
            style="dim",
        )
    if conflict.baseline == "new":
        return Text("new: not in the baseline", style="bold red")
    if conflict.baseline == "known":
        return Text("known: already in the baseline", style="dim")
    return None


def _constraint(requirement: ConflictRequirement) -> str:
    """The constraint as the user wrote it (their order, their marker), without the name."""
    if requirement.specifier:
        written = _NAME_RE.sub("", requirement.requirement, count=1).strip()
        text = written or requirement.specifier
    elif requirement.pinned:
        text = f"=={requirement.pinned}"
    else:
        text = requirement.requirement
    return text


def _where(requirement: ConflictRequirement) -> str:
    location = requirement.location
    text = location.path if location.line is None else f"{location.path}:{location.line}"
    if requirement.via:
        text += f"  (via {' → '.join(requirement.via)})"
    elif not requirement.direct:
        text += "  (transitive)"
    return text


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
