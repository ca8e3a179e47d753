"""The terminal report: per host, each conflict with its clashing constraints and one next step.

Readable three ways (UX.md): in a colour terminal, in a plain CI log (symbols and words carry the
meaning, colour only decorates) and in a narrow window (long cells fold instead of vanishing).
Everything that comes from a scanned file goes through `sanitize.clean()` and into `rich.text.Text`,
never into markup, so file content cannot inject escape sequences or rich markup.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from depcheck import __version__
from depcheck.model import Conflict, Host, Kind, Plan, Report, Severity
from depcheck.recommend.advice import describe
from depcheck.report.grouping import (
    ConstraintGroup,
    constraint_text,
    first_names,
    group_constraints,
    join_and,
    some_names,
)
from depcheck.report.interface import RenderOptions, ReportFormatter
from depcheck.report.sanitize import clean
from depcheck.report.summary import (
    HEURISTIC_NOTE,
    MOVE_OUT,
    bracketed,
    finding_state,
    keep_together,
    move_out,
    split_into,
)

CONFLICTS_PER_HOST = 25
#: distinct constraint values shown per conflict (each with how many services hold it)
REQUIREMENTS_PER_CONFLICT = 8
#: a host with more conflicts than this gets a line of counts before them
COUNTS_FROM = 5
#: distinct constraints an advice line names before it counts the rest
VALUES_IN_ADVICE = 4
#: names of each list (files to re-lock, services to move, a group's members) an advice names
ADVICE_NAMES = 1
#: a plan's groups or services to move out, listed whole up to this many characters
PLAN_CHARACTERS = 240
#: the package under which requires-python constraints are checked (analysis names it so)
PYTHON_PACKAGE = "python"


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
        if self.options.summary:
            self._one_line_each(console, report)
        else:
            plans = {p.host: p for p in report.plans}
            troubled = {c.host for c in report.conflicts}
            for host in sorted(report.hosts, key=lambda h: (h.name not in troubled, h.name)):
                console.print()
                conflicts = [c for c in report.conflicts if c.host == host.name]
                self._host(console, host, conflicts, plans.get(host.name), resolved=report.resolved)
        unanalysed = sorted(
            (o.location.path, o.location.line or 0, entry.service.name, o.text)
            for entry in report.services
            for source in entry.sources
            for o in source.opaque
        )
        if unanalysed and not self.options.summary:
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
                line.append(clean(str(diagnostic) + finding_state(diagnostic)))
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

    def _one_line_each(self, console: Console, report: Report) -> None:
        """`--summary`: a line per conflict (package, kind, services, the fix), worst first."""
        ordered = sorted(report.conflicts, key=_severity)
        if not ordered:
            return
        console.print()
        several = len(report.hosts) > 1
        rows = []
        for conflict in ordered:
            symbol, style = _SYMBOL[conflict.kind]
            rows.append(
                (
                    (f"  {symbol}", style),
                    (clean(conflict.display_name), "bold"),
                    (conflict.kind.value, style),
                    (clean(conflict.host) if several else "", ""),
                    (_plural(len(conflict.services), "service"), ""),
                    ("→ " + clean(describe(conflict, names=0, terse=True)), ""),
                )
            )
        widths = [max(len(row[i][0]) for row in rows) for i in range(len(rows[0]) - 1)]
        for row in rows:
            line = Text()
            for index, (cell, style) in enumerate(row):
                if not cell:
                    continue
                line.append(cell, style=style)
                if index < len(widths):
                    line.append(" " * (widths[index] - len(cell) + 2))
            console.print(line, soft_wrap=True)  # one line each, however wide

    def _host(
        self,
        console: Console,
        host: Host,
        conflicts: list[Conflict],
        plan: Plan | None,
        *,
        resolved: bool,
    ) -> None:
        header = self._host_header(console, host)
        if isinstance(header, Text):
            _print_wrapped(console, header, 0, hang=2)
        else:
            console.print(header)
        if not conflicts:
            console.print(Text("  ✓ no conflicts", style="green"))
            return
        ordered = sorted(conflicts, key=_severity)
        shown = ordered if self.options.verbose else ordered[:CONFLICTS_PER_HOST]
        if len(ordered) > len(shown) or len(ordered) > COUNTS_FROM:
            console.print(Text(f"  {_kind_counts(ordered)}", style="bold"))
        rows = {c.id: self._rows(c) for c in shown}
        widths = _Widths.of(shown, rows)
        # the columns need room: in a narrow window each constraint gets a line of its own
        # instead of a path folded into a column a few characters wide
        stacked = widths.total > console.width
        for conflict in shown:
            if stacked:
                for line, indent in self._conflict_lines(conflict, rows[conflict.id]):
                    _print_wrapped(console, line, indent)
            else:
                console.print(self._conflict_table(conflict, rows[conflict.id], widths))
            advice = Text("→ ", style="bold")
            advice.append(clean(self._advice(conflict)))
            _print_wrapped(console, advice, 5)
            if resolved:
                _print_wrapped(console, _evidence(conflict), 5)
            status = _status(conflict)
            if status is not None:
                _print_wrapped(console, status, 5)
        hidden = ordered[len(shown) :]
        if hidden:
            more = Text(
                f"… {len(hidden)} more on this host ({_kind_counts(hidden)}): "
                "--summary for one line each, --verbose for all"
            )
            console.print(Padding(more, (0, 0, 0, 2)))
        if plan is not None:
            for number, line in enumerate(self._plan(host, plan)):
                _print_wrapped(console, line, 0 if number == 0 else PLAN_INDENT, PLAN_INDENT)

    def _host_header(self, console: Console, host: Host) -> Text | Table:
        """``host web  (python 3.11, linux; config)  api · auth``; a big host: a count and the
        first names, so the first conflict still appears on the first screen."""
        header = Text(f"host {clean(host.name)}", style="bold cyan")
        header.append(f"  ({host.environment.describe()}; {clean(host.environment.source)})  ")
        if host.origin is not None:
            header.append(f"from {clean(str(host.origin))}  ")
        names = [clean(s) for s in host.services]
        every = " · ".join(names)
        room = console.width - len(header.plain)
        if self.options.verbose or len(names) <= 3 or len(every) <= room:
            header.append(every or "(no services)")
            return header
        head = f"{len(names)} services: "
        tail = ", … (--verbose lists all)"
        if room < len(head) + len(tail) + 20:
            # no room beside the host: the names go on a line of their own
            room = console.width - 2
            grid = Table.grid()
            grid.add_column()
            grid.add_row(header)
            shown, _ = first_names(names, budget=room - len(head) - len(tail), least=1)
            grid.add_row(Padding(Text(head + ", ".join(shown) + tail), (0, 0, 0, 2)))
            return grid
        shown, _ = first_names(names, budget=room - len(head) - len(tail), least=1)
        header.append(head + ", ".join(shown) + tail)
        return header

    def _rows(self, conflict: Conflict) -> list[_Row]:
        """One row per distinct constraint; with --verbose, one per service and file."""
        if self.options.verbose:
            groups = [
                ConstraintGroup(constraint_text(r), (r.service,), (r,))
                for r in conflict.requirements
            ]
        else:
            groups = group_constraints(conflict)[:REQUIREMENTS_PER_CONFLICT]
        rows = [_Row.of(group) for group in groups]
        left = len(conflict.requirements) - sum(len(g.requirements) for g in groups)
        if left and not self.options.verbose:
            rows.append(_Row(f"… {_plural(left, 'more constraint')} (use --verbose)", "", "", ""))
        return rows

    def _conflict_lines(self, conflict: Conflict, rows: list[_Row]) -> list[tuple[Text, int]]:
        """The conflict's head and one line per constraint, each with its indent."""
        symbol, style = _SYMBOL[conflict.kind]
        head = Text(f"  {symbol} ", style=style)
        head.append(clean(conflict.display_name), style="bold")
        head.append(f"  {conflict.kind.value}", style=style)
        lines: list[tuple[Text, int]] = [(head, 0)]
        for row in rows:
            line = Text("  ".join(clean(part) for part in (row.who, row.constraint) if part))
            if row.where:
                line.append("  ")
                line.append(clean(row.where + row.via), style="dim")
            lines.append((line, 5))
        return lines

    def _conflict_table(self, conflict: Conflict, rows: list[_Row], widths: _Widths) -> Table:
        symbol, style = _SYMBOL[conflict.kind]
        table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1), expand=False)
        table.add_column("symbol", no_wrap=True, width=3)
        # names and versions never break: the table is only used when they fit whole
        table.add_column("package", no_wrap=True, width=widths.package)
        table.add_column("kind", no_wrap=True, width=12)
        table.add_column("service", no_wrap=True, width=widths.who)
        table.add_column("constraint", no_wrap=True, width=widths.constraint)
        table.add_column("where", overflow="fold")
        for index, row in enumerate(rows):
            first = index == 0
            table.add_row(
                Text(f"  {symbol}", style=style) if first else Text(""),
                Text(clean(conflict.display_name), style="bold") if first else Text(""),
                Text(conflict.kind.value, style=style) if first else Text(""),
                Text(clean(row.who)),
                Text(clean(row.constraint)),
                Text(clean(row.where + row.via), style="dim"),
            )
        return table

    def _advice(self, conflict: Conflict) -> str:
        """One next step (the advice, worded by `recommend.advice`), then for an incompatible
        conflict why no version fits, each distinct constraint once."""
        names = None if self.options.verbose else ADVICE_NAMES
        advice = describe(conflict, names=names)
        if conflict.kind is Kind.INCOMPATIBLE:
            return f"{advice}: {self._why(conflict)}"
        return advice

    def _why(self, conflict: Conflict) -> str:
        """Why no version fits: each distinct constraint once, not once per service."""
        if conflict.evidence != "static" or conflict.package == PYTHON_PACKAGE:
            return conflict.reason  # what the index or the resolver proved, said their way
        values = [g.constraint for g in group_constraints(conflict)]
        if len(values) > VALUES_IN_ADVICE and not self.options.verbose:
            rest = len(values) - VALUES_IN_ADVICE + 1
            values = [*values[: VALUES_IN_ADVICE - 1], f"{rest} more constraints"]
        return f"no {conflict.display_name} satisfies {join_and(values)}"

    def _plan(self, host: Host, plan: Plan) -> list[Text]:
        """``plan  split web into 2 groups: [api, auth] [billing]`` and what to move out instead;
        a big host's groups by their sizes (--verbose names them). Lines after the first are
        indented by `PLAN_INDENT`."""

        def labelled(line: Text) -> Text:
            return Text("  plan", style="bold") + Text("  ") + line

        if len(plan.groups) == 1:
            return [labelled(Text(f"{keep_together(clean(host.name))} above"))]
        split = split_into(clean(host.name), plan)
        every = bracketed([clean(s) for s in g] for g in plan.groups)
        if self.options.verbose or len(every) <= PLAN_CHARACTERS:
            line = Text(f"{split}: {every}")
        else:
            sizes = join_and([str(len(g)) for g in plan.groups])
            line = Text(f"{split} of {sizes} services (--verbose lists them)")
        if plan.method != "exact":
            line.append(f"   ({plan.method}: {HEURISTIC_NOTE})", style="dim")
        lines = [labelled(line)]
        if plan.isolate:
            names = [clean(s) for s in plan.isolate]
            if self.options.verbose or len(", ".join(names)) <= PLAN_CHARACTERS:
                instead = move_out(names)
            else:
                instead = f"{MOVE_OUT} {len(names)} services: {some_names(names)}"
            lines.append(Text(instead))
        return lines

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
            new += sum(1 for f in report.findings if f.baseline == "new")
            changed = sum(1 for c in report.conflicts if c.baseline == "changed")
            also = f"{changed} changed, " if changed else ""
            text.append(
                f" · against {clean(report.baseline)}: {new} new, {also}{len(report.fixed)} fixed"
            )
        ignored = sum(1 for c in report.conflicts if c.ignored and c.ignored.by != "declared")
        if ignored:
            text.append(f" · {ignored} ignored")
        declared = sum(1 for c in report.conflicts if c.ignored and c.ignored.by == "declared")
        if declared:
            text.append(f" · {declared} declared")
        if report.fail_on != "any":
            text.append(f" · fail-on {report.fail_on}")
        if report.errors:
            text.append(f" · {_plural(len(report.errors), 'error')}", style="red")
        if report.warnings:
            text.append(f" · {_plural(len(report.warnings), 'warning')}", style="yellow")
        text.append(f" · exit {report.exit_code}")
        return text


@dataclass(frozen=True, slots=True)
class _Row:
    """One line of a conflict: who holds a constraint, the constraint, where it is written."""

    who: str
    constraint: str
    where: str
    via: str

    @classmethod
    def of(cls, group: ConstraintGroup) -> _Row:
        shown = group.shown
        location = shown.location
        where = location.path if location.line is None else f"{location.path}:{location.line}"
        if group.files > 1:
            where += f" (+{_plural(group.files - 1, 'more file')})"
        if shown.via:
            via = f"  (via {' → '.join(shown.via)})"
        elif not shown.direct:
            via = "  (transitive)"
        else:
            via = ""
        return cls(group.holders(), group.constraint, where, via)


@dataclass(frozen=True, slots=True)
class _Widths:
    """Column widths shared by every conflict of a host, so their columns line up."""

    package: int
    who: int
    constraint: int
    where: int

    @property
    def total(self) -> int:
        """The width the table needs to show every name and file:line whole (a `via` may wrap)."""
        return 3 + self.package + 12 + self.who + self.constraint + self.where + 10

    @classmethod
    def of(cls, conflicts: list[Conflict], rows: dict[str, list[_Row]]) -> _Widths:
        every = [row for c in conflicts for row in rows[c.id] if row.where]
        return cls(
            package=max((len(c.display_name) for c in conflicts), default=8),
            who=max((len(r.who) for r in every), default=8),
            constraint=max((len(r.constraint) for r in every), default=8),
            where=max((len(r.where) for r in every), default=8),
        )


_WORD = re.compile(r"\S+")
#: where a plan's lines after the first begin (under the text after ``  plan  ``)
PLAN_INDENT = 8


def _print_wrapped(console: Console, text: Text, indent: int, hang: int | None = None) -> None:
    """`text`, indented (`hang`: the lines after the first), wrapped at spaces only: a word
    longer than the line (a long path or service name) stays whole on a line of its own, so a
    `file:line` is never cut in two for an editor or a log reader, nor cropped; the terminal
    soft-wraps what passes its width."""
    hang = indent if hang is None else hang
    offsets: list[int] = []
    start = 0
    for word in _WORD.finditer(text.plain):
        width = max(console.width - (hang if offsets else indent), 20)
        if word.end() - start > width and word.start() > start:
            offsets.append(word.start())
            start = word.start()
    for number, line in enumerate(text.divide(offsets)):
        line.rstrip()
        console.print(Text(" " * (hang if number else indent)) + line, soft_wrap=True)


def _severity(conflict: Conflict) -> tuple[bool, bool, bool, int, str]:
    """Accepted last; incompatible before pin-mismatch; new before known; broad before narrow."""
    return (
        conflict.ignored is not None,
        conflict.kind is not Kind.INCOMPATIBLE,
        conflict.baseline == "known",
        -len(conflict.services),
        conflict.package,
    )


def _kind_counts(conflicts: Sequence[Conflict]) -> str:
    """``4 incompatible · 149 pin mismatch``."""
    incompatible = sum(1 for c in conflicts if c.kind is Kind.INCOMPATIBLE)
    parts = []
    if incompatible:
        parts.append(f"{incompatible} incompatible")
    if len(conflicts) - incompatible:
        parts.append(f"{len(conflicts) - incompatible} pin mismatch")
    return " · ".join(parts)


def _status(conflict: Conflict) -> Text | None:
    """A line saying whether the conflict is new, already known, or accepted (ignore list)."""
    if conflict.ignored is not None:
        until = f" until {conflict.ignored.until}" if conflict.ignored.until else ""
        word = "declared" if conflict.ignored.by == "declared" else "ignored"
        return Text(
            f"{word}{until}: {clean(conflict.ignored.reason)} ({conflict.ignored.location})",
            style="dim",
        )
    if conflict.baseline == "new":
        return Text("new: not in the baseline", style="bold red")
    if conflict.baseline == "changed":
        added = ", ".join(clean(s) for s in conflict.added_services)
        what = f"without {added}" if added else "as a pin mismatch"
        return Text(f"changed: the baseline had it {what}", style="bold red")
    if conflict.baseline == "known":
        return Text("known: already in the baseline", style="dim")
    return None


_EVIDENCE = {
    ("static", Kind.INCOMPATIBLE): "the files alone",
    ("static", Kind.PIN_MISMATCH): "the files alone",
    ("index", Kind.INCOMPATIBLE): "the index's released versions or package metadata",
    ("index", Kind.PIN_MISMATCH): "the index's package metadata",
    ("resolver", Kind.INCOMPATIBLE): "a resolution of these services in the host's environment "
    "fails",
}
#: a pin mismatch the resolver checked: what proved its advice (`Recommendation.proved`)
_PROVED = {
    "host": "the resolver installed the host with the advised version",
    "groups": "the resolver installed each group of the host's plan with the advised version",
    "": "the resolver installed no version it tried with every service",
}


def _evidence(conflict: Conflict) -> Text:
    """With `--resolve`: what proves the conflict (or its advice), and the chain behind it."""
    explained = _EVIDENCE.get((conflict.evidence, conflict.kind), "")
    if conflict.evidence == "resolver" and conflict.kind is Kind.PIN_MISMATCH:
        explained = _PROVED.get(conflict.recommendation.proved, "")
    text = Text(f"evidence: {conflict.evidence}", style="dim")
    if explained:
        text.append(f" ({explained})", style="dim")
    chains = sorted(
        {
            f"{clean(r.service)}: {' → '.join(clean(v) for v in r.via)} → {clean(r.requirement)}"
            for r in conflict.requirements
            if r.via and conflict.evidence != "static"
        }
    )
    if chains:
        text.append("; " + "; ".join(chains), style="dim")
    return text


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
