"""`depcheck plan` as text: per host, which image to split into what, and what each installs.

Plain text (no colour), the same in a terminal and in a CI log. Everything from the scanned
repository goes through `clean()`, as in the terminal report.
"""

from __future__ import annotations

from depcheck import __version__
from depcheck.model import Conflict, Host, Kind, Plan, Report, Severity
from depcheck.report.sanitize import clean
from depcheck.report.summary import keep_together, move_out, split_into


def _host_line(host: Host) -> str:
    origin = f"from {clean(str(host.origin))}; " if host.origin is not None else ""
    services = " · ".join(clean(s) for s in host.services) or "(no services)"
    return f"host {clean(host.name)}  ({origin}{host.environment.describe()})  {services}"


def _why(conflicts: list[Conflict]) -> str:
    clashes = [c for c in conflicts if c.kind is Kind.INCOMPATIBLE]
    shown = ", ".join(
        f"{clean(c.display_name)} ({', '.join(clean(s) for s in c.services)})" for c in clashes[:5]
    )
    more = f" and {len(clashes) - 5} more" if len(clashes) > 5 else ""
    return f"  because no single version fits: {shown}{more}"


def _split(host: Host, plan: Plan, conflicts: list[Conflict]) -> list[str]:
    kind = "image" if host.origin is not None else "host"
    lines = [f"  {split_into(f'this {kind}', plan, unit='')}:"]
    width = max(len(i.name) for i in plan.images)
    for image in plan.images:
        pad = " " * (width - len(image.name))
        lines.append(f"    {clean(image.name)}{pad}  {', '.join(clean(s) for s in image.services)}")
        installs = ", ".join(clean(p) for p in image.installs) or "(nothing depcheck can name)"
        lines.append(f"    {' ' * width}  installs {installs}")
    if plan.isolate:
        lines.append("  " + move_out(clean(s) for s in plan.isolate))
    lines.append(_why(conflicts))
    return lines


def render_plan_text(report: Report) -> str:
    """The plan of every host, in deployment terms, with a summary line and the exit code."""
    plans = {p.host: p for p in report.plans}
    lines = [f"depcheck {__version__} plan · {clean(report.root)}"]
    to_split = 0
    for host in sorted(report.hosts, key=lambda h: h.name):
        lines.append("")
        lines.append(_host_line(host))
        conflicts = [c for c in report.conflicts if c.host == host.name]
        plan = plans.get(host.name)
        if plan is not None and len(plan.images) > 1:
            to_split += 1
            lines.extend(_split(host, plan, conflicts))
        elif conflicts:
            lines.append(f"  {keep_together(clean(host.name))} (`depcheck scan` says how)")
        else:
            lines.append("  ✓ keep as is: no conflicts")
    if report.diagnostics:
        lines.append("")
        for diagnostic in report.diagnostics:
            severity = "error" if diagnostic.severity is Severity.ERROR else "warning"
            lines.append(f"{severity}: {clean(str(diagnostic))}")
    lines.append("")
    hosts = len(report.hosts)
    lines.append(
        f"{hosts} host{'s' if hosts != 1 else ''} · {to_split} to split"
        + (" (depcheck plan PATH --emit compose OUT writes a suggestion)" if to_split else "")
        + f" · exit {report.exit_code}"
    )
    return "\n".join(lines) + "\n"
