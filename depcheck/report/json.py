"""The JSON report (schema_version 1), the contract CI pipelines and reviewers' tools parse.

Everything is sorted and nothing varies between runs (no timings, no absolute paths), so the
same input gives byte-identical output. The JSON Schema ships beside this module
(`schema/report.schema.json`); `load_schema()` returns it.
"""

from __future__ import annotations

import json
from typing import Any

from depcheck import __version__
from depcheck.model import (
    Conflict,
    Diagnostic,
    Environment,
    Kind,
    Plan,
    Report,
    ServiceReport,
    Suppression,
)
from depcheck.recommend.advice import describe
from depcheck.report.interface import RenderOptions, ReportFormatter
from depcheck.report.jsontext import indented

SCHEMA_VERSION = 1


def load_schema() -> dict[str, Any]:
    """The JSON Schema every report validates against."""
    from importlib import resources  # (imports tempfile): only tests and tools ask for it

    text = resources.files("depcheck.report").joinpath("schema/report.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def _environment(environment: Environment) -> dict[str, str]:
    return {
        "python_version": environment.python_version,
        "python_full_version": environment.python_full_version,
        "sys_platform": environment.sys_platform,
        "os_name": environment.os_name,
        "platform_system": environment.platform_system,
        "platform_machine": environment.platform_machine,
        "implementation_name": environment.implementation_name,
        "source": environment.source,
    }


def _service(entry: ServiceReport) -> dict[str, Any]:
    unanalysed = [
        {"requirement": o.text, "source": o.location.path, "line": o.location.line}
        for source in entry.sources
        for o in source.opaque
    ]
    return {
        "name": entry.service.name,
        "path": entry.service.path,
        "sources": [
            {"path": s.path, "format": s.format, "role": s.role.value}
            for s in sorted(entry.sources, key=lambda s: s.path)
        ],
        "unanalysed": sorted(unanalysed, key=lambda u: (u["source"], u["line"] or 0)),
    }


#: names of each list the advice sentence (`summary`) shows; the lists are whole beside it
SUMMARY_NAMES = 3


def _recommendation(conflict: Conflict, shared: dict[int, list[list[str]]]) -> dict[str, Any]:
    recommendation = conflict.recommendation
    data: dict[str, Any] = {
        "action": recommendation.action.value,
        "summary": describe(conflict, names=SUMMARY_NAMES),
    }
    if recommendation.version is not None:
        data["version"] = recommendation.version
    if recommendation.services:
        data["services"] = list(recommendation.services)
    if recommendation.groups:
        # a host's split, the same for each of its conflicts: one list (written once)
        groups = shared.get(id(recommendation.groups))
        if groups is None:
            groups = shared[id(recommendation.groups)] = [list(g) for g in recommendation.groups]
        data["groups"] = groups
    if recommendation.relock:
        data["relock"] = list(recommendation.relock)
    if recommendation.parents:
        data["parents"] = list(recommendation.parents)
    if recommendation.unverified:
        data["unverified"] = list(recommendation.unverified)
    if recommendation.proved:
        data["proved"] = recommendation.proved
    if recommendation.instead_of:
        data["instead_of"] = recommendation.instead_of
    if recommendation.note:
        data["note"] = recommendation.note
    return data


def _suppression(ignored: Suppression | None) -> dict[str, Any] | None:
    if ignored is None:
        return None
    return {
        "reason": ignored.reason,
        "until": ignored.until,
        "source": ignored.location.path,
        "line": ignored.location.line,
        "by": ignored.by,
    }


def _conflict(conflict: Conflict, shared: dict[int, list[list[str]]]) -> dict[str, Any]:
    data = {
        "id": conflict.id,
        "host": conflict.host,
        "package": conflict.package,
        "kind": conflict.kind.value,
        "services": list(conflict.services),
        "verified": conflict.verified,
        "evidence": conflict.evidence,
        "reason": conflict.reason,
        "requirements": [
            {
                "service": r.service,
                "requirement": r.requirement,
                "specifier": r.specifier,
                "source": r.location.path,
                "line": r.location.line,
                "role": r.role.value,
                "direct": r.direct,
                "via": list(r.via),
                "pinned": r.pinned,
            }
            for r in conflict.requirements
        ],
        "recommendation": _recommendation(conflict, shared),
        "baseline": conflict.baseline,
        "ignored": _suppression(conflict.ignored),
    }
    if conflict.baseline == "changed":
        data["added_services"] = list(conflict.added_services)
    return data


def _plan(plan: Plan) -> dict[str, Any]:
    return {
        "host": plan.host,
        "groups": [list(g) for g in plan.groups],
        "isolate": list(plan.isolate),
        "method": plan.method,
        "lower_bound": plan.lower_bound,
        "images": [
            {"name": i.name, "services": list(i.services), "installs": list(i.installs)}
            for i in plan.images
        ],
    }


def _diagnostic(diagnostic: Diagnostic) -> dict[str, Any]:
    data: dict[str, Any] = {
        "severity": diagnostic.severity.value,
        "source": diagnostic.location.path,
        "line": diagnostic.location.line,
        "column": diagnostic.location.column,
        "message": diagnostic.message,
        "finding": diagnostic.finding is not None,
    }
    finding = diagnostic.finding
    if finding is not None:
        data.update(
            {
                "id": finding.id,
                "host": finding.host,
                "service": finding.service,
                "package": finding.package,
                "evidence": finding.evidence,
                "baseline": finding.baseline,
                "ignored": _suppression(finding.ignored),
            }
        )
    return data


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON data, in contract order."""
    shared: dict[int, list[list[str]]] = {}  # by the groups' tuple, alive as long as the report
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "depcheck", "version": __version__},
        "root": report.root,
        "config": report.config,
        "summary": {
            "services": len(report.services),
            "hosts": len(report.hosts),
            "conflicts": len(report.conflicts),
            "incompatible": report.count(Kind.INCOMPATIBLE),
            "pin_mismatch": report.count(Kind.PIN_MISMATCH),
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "new": sum(1 for c in report.conflicts if c.baseline == "new"),
            "changed": sum(1 for c in report.conflicts if c.baseline == "changed"),
            "ignored": sum(1 for c in report.conflicts if c.ignored is not None),
            "fixed": len(report.fixed),
            "fail_on": report.fail_on,
            "exit_code": report.exit_code,
        },
        "baseline": report.baseline,
        "fixed": list(report.fixed),
        "hosts": [
            {
                "name": h.name,
                "services": list(h.services),
                "environment": _environment(h.environment),
                "origin": None
                if h.origin is None
                else {"source": h.origin.path, "line": h.origin.line},
            }
            for h in sorted(report.hosts, key=lambda h: h.name)
        ],
        "services": [_service(s) for s in sorted(report.services, key=lambda s: s.service.name)],
        "conflicts": [_conflict(c, shared) for c in report.conflicts],
        "plans": [_plan(p) for p in report.plans],
        "diagnostics": [_diagnostic(d) for d in report.diagnostics],
        "notes": list(report.notes),
        "left_out": [{"path": path, "reason": reason} for path, reason in report.left_out],
    }


class JsonFormatter(ReportFormatter):
    def __init__(self, options: RenderOptions | None = None) -> None:
        self.options = options or RenderOptions()

    def format(self, report: Report) -> str:
        return indented(report_to_dict(report)) + "\n"
