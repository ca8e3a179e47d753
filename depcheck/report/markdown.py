"""The Markdown report, for ``$GITHUB_STEP_SUMMARY`` and pull-request comments (GitHub and GitLab).

A title line a reviewer can read in a notification; one summary table with a row per conflict
(package, kind, services as a count and the first names, the fix), the most important first and
at most `TABLE_ROWS`; then each host with conflicts inside ``<details>``: its plan, each conflict
with its constraints (identical ones grouped) and its advice, and a Mermaid diagram of which
services clash while it stays readable (at most `DIAGRAM_NODES` services and `DIAGRAM_EDGES`
pairs; past that, a sentence). A column that would repeat one value on every row (the host, the
kind) is left out. The whole document stays under `MAX_CHARS` characters (GitHub refuses a
comment past 65,536): what does not fit ends in "N more conflicts in the JSON report".

Everything from a scanned repository (host, service and package names, paths, specifiers) is
untrusted: names go into code spans, which neither platform turns into mentions, links or HTML,
and free text (recommendations, diagnostics) is backslash-escaped with ``@`` and ``#123`` broken
by an empty HTML comment, the one escape GitHub's mention and issue-reference filters respect.
In table cells ``|`` is written ``\\|`` (GFM unescapes it even inside code spans) and line breaks
become spaces, so no value can end a cell or a row. Inside ``<summary>`` (HTML, where Markdown
is not read) names are HTML-escaped in ``<code>``. Output is deterministic: no timings, no
absolute paths beyond the root as given, everything sorted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sized
from dataclasses import dataclass

from depcheck.model import (
    Action,
    Conflict,
    Host,
    Kind,
    Location,
    Plan,
    Report,
    Severity,
)
from depcheck.recommend.advice import describe
from depcheck.report import mermaid
from depcheck.report.grouping import group_constraints
from depcheck.report.interface import RenderOptions, ReportFormatter
from depcheck.report.placement import ranked
from depcheck.report.summary import (
    HEURISTIC_NOTE,
    ConflictEdge,
    bracketed,
    conflict_counts,
    conflict_edges,
    finding_state,
    input_counts,
    keep_together,
    move_out,
    plural,
    split_into,
)

#: the first line, so a bot can find and update its own comment
MARKER = "<!-- depcheck:report -->"
#: GitHub refuses comments past 65,536 characters; stay well under, with room for a footer
MAX_CHARS = 60_000
#: rows of the summary table; the rest are counted
TABLE_ROWS = 50
#: service names shown in a table cell before "…"
NAMES_SHOWN = 3
#: constraint lines shown per conflict in the details (identical constraints are one line)
CONSTRAINT_LINES = 8
DIAGNOSTICS_SHOWN = 50
#: the largest diagram still legible in a pull request; larger ones get a sentence instead
#: (Mermaid's own limits, 500 edges and 50,000 characters, are far past legible)
DIAGRAM_NODES = 25
DIAGRAM_EDGES = 40
#: a name longer than this is cut in table cells and summaries (the details show it whole)
NAME_CHARS = 60

_SYMBOL = {Kind.INCOMPATIBLE: "✗", Kind.PIN_MISMATCH: "≠"}
# control characters, line separators, and bidi controls that reorder how text displays
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]+")
_MARKDOWN_RE = re.compile(r"([\\`*_\[\]<>|~&])")
_MENTION_RE = re.compile(r"([@]|#(?=\d))")


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
    new = sum(1 for c in report.conflicts if getattr(c, "baseline", None) in ("new", "changed"))
    fixed = getattr(report, "fixed", ())
    return new, len(fixed) if isinstance(fixed, Sized) else 0


def _status(conflict: Conflict) -> str:
    """`` · new`` / `` · changed`` / `` · in baseline`` / `` · ignored`` / `` · declared``."""
    ignored = getattr(conflict, "ignored", None)
    if ignored is not None:
        return " · declared" if getattr(ignored, "by", None) == "declared" else " · ignored"
    state = getattr(conflict, "baseline", None)
    if state == "new":
        return " · new"
    if state == "changed":
        return " · changed"
    if state == "known":
        return " · in baseline"
    return ""


def _cut(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def _cut_place(place: str) -> str:
    """A long `path:line` cut at its start: the file name and the line are what a reader
    needs (``…/front/admin_ui/pyproject.toml:13``, not ``huggingface…/pyproject.toml:1…``)."""
    return place if len(place) <= NAME_CHARS else "…" + place[len(place) - NAME_CHARS + 1 :]


def _names(services: Iterable[str], *, table: bool = True) -> str:
    """```a`, `b``` / ``14 (`a`, `b`, `c`, …)``: the names, or a count and the first names."""
    names = list(services)
    shown = ", ".join(code(_cut(s), table=table) for s in names[:NAMES_SHOWN])
    if len(names) <= NAMES_SHOWN:
        return shown
    return f"{len(names)} ({shown}, …)"


def _in_table(value: str) -> str:
    return code(_cut(value), table=True)


def _quoted(value: str) -> str:
    return code(_cut(value))


def _fix(conflict: Conflict, *, plan: str = "below") -> str:
    """The fix in a few words, for a table cell (the details carry the whole advice)."""
    fix = describe(conflict, names=1, terse=True, quote=_in_table, escape=text)
    if conflict.recommendation.action is Action.SPLIT:
        fix += f" (its plan {plan})"
    return fix


def _where_line(location: Location) -> str:
    return location.path if location.line is None else f"{location.path}:{location.line}"


def _constraint_lines(conflict: Conflict) -> list[str]:
    """One line per distinct constraint value: the services that hold it, one place to look."""
    lines = []
    for group in group_constraints(conflict):
        shown = group.shown
        where = code(_where_line(shown.location))
        if group.files > 1:
            where += f" and {plural(group.files - 1, 'more file')}"
        line = f"  - {_names(group.services, table=False)} {code(group.constraint)} at {where}"
        if shown.via:
            line += " via " + code(" → ".join(shown.via))
        lines.append(line)
    if len(lines) > CONSTRAINT_LINES:
        hidden = len(lines) - CONSTRAINT_LINES
        more = f"  - … {plural(hidden, 'more constraint')} (the JSON report lists all)"
        lines = [*lines[:CONSTRAINT_LINES], more]
    return lines


def _html(value: str) -> str:
    """A name for inside an HTML block (``<summary>``): escaped, and notifying nobody."""
    escaped = html.escape(_cut(_flat(value)), quote=True)
    return _MENTION_RE.sub(lambda m: m.group(1) + "<!-- -->", escaped)


@dataclass(frozen=True, slots=True)
class _HostSection:
    host: Host
    conflicts: tuple[Conflict, ...]
    plan: Plan | None


class _Budget:
    """Blocks appended while the document stays under `MAX_CHARS` (with room for the end)."""

    def __init__(self, reserve: int) -> None:
        self.parts: list[str] = []
        self.used = 0
        self.reserve = reserve

    def fits(self, block: str) -> bool:
        return self.used + len(block) + 1 + self.reserve <= MAX_CHARS

    def add(self, block: str) -> None:
        self.parts.append(block)
        self.used += len(block) + 1


class MarkdownFormatter(ReportFormatter):
    def __init__(self, options: RenderOptions | None = None) -> None:
        self.options = options or RenderOptions()

    def format(self, report: Report) -> str:
        sections = self._sections(report)
        end = self._end(report, sections)
        budget = _Budget(reserve=len(end) + 400)
        budget.add("\n".join([MARKER, self._title(report), "", self._scanned(report), ""]))
        shown: set[int] = set()
        if report.conflicts:
            budget.add("\n".join(self._table(report, sections)) + "\n")
            many = len(report.conflicts) > 10
            for section in sections:
                if section.conflicts:
                    self._host(budget, section, shown, open_=not many)
        missing = len(report.conflicts) - len(shown)
        if missing:
            budget.add(
                f"**{plural(missing, 'more conflict')} in the JSON report** "
                "(`depcheck scan --format json`): this comment stays under GitHub's size limit.\n"
            )
        budget.add(end)
        return "\n".join(budget.parts).rstrip("\n") + "\n"

    def _sections(self, report: Report) -> list[_HostSection]:
        plans = {p.host: p for p in report.plans}
        by_host: dict[str, list[Conflict]] = {}
        for conflict in ranked(report.conflicts):
            by_host.setdefault(conflict.host, []).append(conflict)
        sections = []
        for host in sorted(report.hosts, key=lambda h: (h.name not in by_host, h.name)):
            conflicts = tuple(by_host.get(host.name, ()))
            sections.append(_HostSection(host, conflicts, plans.get(host.name)))
        return sections

    def _title(self, report: Report) -> str:
        counts = conflict_counts(report)
        baseline = _baseline(report)
        if baseline is not None:
            new, fixed = baseline
            found = sum(1 for f in report.findings if f.baseline == "new" and f.counts)
            also = f", {plural(found, 'new self-contradiction')}" if found else ""
            counts = f"{plural(new, 'new conflict')}{also}, {fixed} fixed · {counts}"
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

    def _table(self, report: Report, sections: list[_HostSection]) -> list[str]:
        conflicts = ranked(report.conflicts)
        hosts = len({c.host for c in conflicts}) > 1
        kinds = len({c.kind for c in conflicts}) > 1
        header = ["package"]
        if hosts:
            header.insert(0, "host")
        if kinds:
            header.append("kind")
        header += ["services", "fix"]
        lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
        rows = conflicts if self.options.verbose else conflicts[:TABLE_ROWS]
        for conflict in rows:
            cells = [
                f"{_SYMBOL[conflict.kind]} {code(_cut(conflict.display_name), table=True)}"
                f"{_status(conflict)}"
            ]
            if hosts:
                cells.insert(0, code(_cut(conflict.host), table=True))
            if kinds:
                cells.append(conflict.kind.value)
            cells += [_names(conflict.services), _fix(conflict)]
            lines.append("| " + " | ".join(cells) + " |")
        hidden = len(conflicts) - len(rows)
        if hidden:
            filler = [""] * (len(header) - 1)
            filler[-1] = f"{plural(hidden, 'more conflict')}, the least severe"
            lines.append("| … | " + " | ".join(filler) + " |")
        if not kinds:
            lines.append("")
            lines.append(f"Every conflict is {conflicts[0].kind.value} ({_legend()}).")
        return lines

    def _host(
        self, budget: _Budget, section: _HostSection, shown: set[int], *, open_: bool
    ) -> None:
        host = section.host
        incompatible = sum(1 for c in section.conflicts if c.kind is Kind.INCOMPATIBLE)
        mismatched = len(section.conflicts) - incompatible
        counts = ", ".join(
            part
            for part in (
                f"{incompatible} incompatible" if incompatible else "",
                plural(mismatched, "pin mismatch").replace("mismatchs", "mismatches")
                if mismatched
                else "",
            )
            if part
        )
        origin = f" from <code>{_html(str(host.origin))}</code>" if host.origin else ""
        summary = (
            f"Host <code>{_html(host.name)}</code> ({_html(host.environment.describe())})"
            f"{origin}: {counts}"
        )
        head = [f"<details{' open' if open_ else ''}><summary>{summary}</summary>", ""]
        if section.plan is not None:
            head += [self._plan(host, section.plan), ""]
        opening = "\n".join(head)
        closing = "</details>\n"
        if not budget.fits(opening + closing):
            return
        budget.add(opening)
        # the diagram (or the sentence instead of it) before the list it summarises
        diagram = "\n".join(self._diagram(section))
        if diagram and budget.fits(diagram + closing):
            budget.add(diagram)
        for conflict in section.conflicts:
            block = "\n".join(self._conflict(conflict))
            if not budget.fits(block + "\n" + closing):
                break
            budget.add(block)
            shown.add(id(conflict))
        budget.add("\n" + closing)

    def _conflict(self, conflict: Conflict) -> list[str]:
        # an align's advice says what the table cannot (the version's proof, the files); an
        # incompatibility's constraints are listed below it, so its short fix is enough
        if conflict.kind is Kind.PIN_MISMATCH:
            advice = describe(conflict, names=NAMES_SHOWN, quote=_quoted, escape=text)
        else:
            advice = _fix(conflict, plan="above")
        first = (
            f"- {_SYMBOL[conflict.kind]} **{code(conflict.display_name)}** "
            f"{conflict.kind.value}{_status(conflict)}: {advice}"
        )
        return [first, *_constraint_lines(conflict)]

    def _plan(self, host: Host, plan: Plan) -> str:
        if len(plan.groups) == 1:
            return f"**Plan:** {keep_together(code(host.name))} below."
        if plan.isolate and len(plan.isolate) < 4:
            moved = move_out(code(s) for s in plan.isolate)
        else:
            moved = move_out([_names(plan.isolate, table=False)]) if plan.isolate else ""
        if sum(len(g) for g in plan.groups) <= 12:
            groups = bracketed([code(s) for s in g] for g in plan.groups)
        else:
            groups = bracketed([_names(g, table=False)] for g in plan.groups)
        line = f"**Plan:** {split_into(code(host.name), plan)}: {groups}"
        if moved:
            line += " · " + moved
        if plan.method != "exact":
            line += f" ({text(plan.method)}: {HEURISTIC_NOTE})"
        return line

    def _diagram(self, section: _HostSection) -> list[str]:
        nodes, edges = conflict_edges(section.conflicts)
        if not edges:
            return []
        if len(nodes) > DIAGRAM_NODES or len(edges) > DIAGRAM_EDGES:
            return [
                f"_No diagram: {plural(len(nodes), 'service')} and "
                f"{plural(len(edges), 'clashing pair')}, past what a diagram keeps legible "
                f"({DIAGRAM_NODES} services, {DIAGRAM_EDGES} pairs). "
                "`depcheck graph --conflicts-only --format mermaid` draws it whole._",
                "",
            ]
        ids = mermaid.node_ids(service for _, service in nodes)
        lines = [
            f"Services that cannot share this host: {_legend()}.",
            "",
            "```mermaid",
            "graph LR",
        ]
        lines.extend(f"  {ids[s]}[{mermaid.label(s)}]" for s in sorted(ids))
        lines.extend(f"  {_edge(edge, ids)}" for edge in edges)
        lines.extend(["```", ""])
        return lines

    def _end(self, report: Report, sections: list[_HostSection]) -> str:
        lines: list[str] = []
        calm = [s.host for s in sections if not s.conflicts]
        if calm:
            lines.append("### Hosts without conflicts" if report.conflicts else "### Hosts")
            lines.append("")
            for host in calm[:DIAGNOSTICS_SHOWN]:
                services = _names(host.services, table=False) if host.services else "no services"
                origin = f", from {code(str(host.origin))}" if host.origin else ""
                lines.append(
                    f"- ✓ {code(_cut(host.name))} ({text(host.environment.describe())}{origin}): "
                    f"{services}"
                )
            if len(calm) > DIAGNOSTICS_SHOWN:
                lines.append(f"- … {plural(len(calm) - DIAGNOSTICS_SHOWN, 'more host')}")
            lines.append("")
        if report.diagnostics:
            lines.extend(self._diagnostics(report))
        return "\n".join(lines)

    def _diagnostics(self, report: Report) -> list[str]:
        lines = ["### Input problems", ""]
        shown = report.diagnostics[:DIAGNOSTICS_SHOWN]
        for diagnostic in shown:
            word = "error" if diagnostic.severity is Severity.ERROR else "warning"
            message = text(diagnostic.message + finding_state(diagnostic))
            if len(message) > 300:
                message = message[:299] + "…"
            lines.append(f"- **{word}** {code(_cut_place(str(diagnostic.location)))}: {message}")
        hidden = len(report.diagnostics) - len(shown)
        if hidden:
            lines.append(f"- … {hidden} more in the JSON report")
        lines.append("")
        return lines


def _legend() -> str:
    return "✗ incompatible (a solid line), ≠ only the locked pins differ (a dotted line)"


def _edge(edge: ConflictEdge, ids: dict[str, str]) -> str:
    a, b = edge.services
    names = ", ".join(f"{_SYMBOL[p.kind]} {p.display_name}" for p in edge.packages[:3])
    if len(edge.packages) > 3:
        names += f" +{len(edge.packages) - 3}"
    link = "---" if edge.incompatible else "-.-"
    return f"{ids[a]} {link}|{mermaid.label(names)}| {ids[b]}"
