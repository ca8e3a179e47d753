"""Baselines: which conflicts are new, which were already there, which disappeared.

A baseline is an earlier JSON report (`--baseline FILE`, written with `--write-baseline FILE`)
or the same path scanned at a git revision (`--diff-base REF`). Conflicts match by `id`, the
stable fingerprint of (host, package): a known conflict that gains services (or turns from a
pin mismatch into an incompatibility) is `changed`, and fails the run like a new one. The git
revision is materialised by `depcheck.revision` (git plumbing only: no filter, hook or
fsmonitor of the repository runs); the user's working tree and index are never touched.

Findings about one service (it contradicts itself on a package) match the same way, by their
`id`, a fingerprint of (host, service, package): `known` when the baseline had it, else `new`.
A baseline file keeps them among its `diagnostics` (with `host`, `service` and `package`);
one written before findings carried those has none to match, and its findings are all new.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from depcheck.analysis.evidence import conflict_id, finding_id
from depcheck.errors import UsageError
from depcheck.model import Conflict, ConflictRequirement, Diagnostic, Kind, Report


class BaselineError(UsageError):
    """A baseline (`--baseline`, `--diff-base`) that cannot be used: the message is for the
    user, as is."""


#: one constraint behind a conflict, as a baseline can compare it: (service, file, specifier)
Line = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Known:
    """A conflict as the baseline recorded it."""

    kind: str
    services: frozenset[str]
    lines: frozenset[Line] = frozenset()


@dataclass(frozen=True, slots=True)
class Baseline:
    """What a scan is compared against: the conflicts it had, by id.

    ``written`` is every (service, package, file, specifier) the baseline's scan read, when
    it is a scan of a git revision (--diff-base); a baseline file records only its conflicts.
    ``findings`` are the ids of its findings (`model.Finding`).
    """

    conflicts: Mapping[str, Known]
    written: frozenset[tuple[str, str, str, str]] | None = None
    findings: frozenset[str] = frozenset()


def _line(requirement: ConflictRequirement) -> Line:
    return (requirement.service, requirement.location.path, requirement.specifier)


def baseline_of(report: Report) -> Baseline:
    """A finished scan (of the --diff-base revision) as a baseline."""
    conflicts = {
        c.id: Known(c.kind.value, frozenset(c.services), frozenset(map(_line, c.requirements)))
        for c in report.conflicts
    }
    written = frozenset(
        (entry.service.name, r.name, r.location.path, str(r.specifier))
        for entry in report.services
        for source in entry.sources
        for r in source.requirements
    )
    return Baseline(conflicts, written, frozenset(f.id for f in report.findings))


def _known(entry: object) -> tuple[str, Known] | None:
    """One conflict of a JSON report; None when it lacks what a match needs."""
    if not isinstance(entry, dict):
        return None
    host, package, services = entry.get("host"), entry.get("package"), entry.get("services")
    if not isinstance(host, str) or not isinstance(package, str):
        return None
    names = services if isinstance(services, list) else []
    lines = set()
    for r in entry.get("requirements") or ():
        if isinstance(r, dict) and all(
            isinstance(r.get(k), str) for k in ("service", "source", "specifier")
        ):
            lines.add((r["service"], r["source"], r["specifier"]))
    known = Known(
        str(entry.get("kind", "")),
        frozenset(s for s in names if isinstance(s, str)),
        frozenset(lines),
    )
    # ids are recomputed: reports before 0.2 fingerprinted the service set too
    return conflict_id(host, package), known


def _finding(entry: object) -> str | None:
    """The id of a finding among a JSON report's diagnostics; None for any other entry."""
    if not isinstance(entry, dict) or entry.get("finding") is not True:
        return None
    host, service, package = entry.get("host"), entry.get("service"), entry.get("package")
    if not (isinstance(host, str) and isinstance(service, str) and isinstance(package, str)):
        return None  # a report before findings had ids
    return finding_id(host, service, package)


def load_baseline(path: Path) -> Baseline:
    """The conflicts of an earlier depcheck JSON report (any release's schema_version 1)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"--baseline {path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"--baseline {path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"--baseline {path}:{exc.lineno}:{exc.colno}: not a JSON report: {exc.msg}"
        ) from None
    except RecursionError:
        raise BaselineError(f"--baseline {path}: not a JSON report: nested too deeply") from None
    except ValueError as exc:  # a number past Python's 4300-digit limit
        raise BaselineError(
            f"--baseline {path}: not a JSON report: a number of more than 4300 digits ({exc})"
        ) from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    # `true == 1` in Python: the version must be the JSON number itself
    if type(version) is not int or version != 1:
        raise BaselineError(f"--baseline {path}: not a depcheck JSON report (schema_version 1)")
    conflicts = data.get("conflicts")
    entries = [_known(c) for c in conflicts] if isinstance(conflicts, list) else [None]
    if None in entries:
        raise BaselineError(
            f"--baseline {path}: its `conflicts` have no ids (each needs a host and a package)"
        )
    diagnostics = data.get("diagnostics")
    findings = {_finding(d) for d in diagnostics} if isinstance(diagnostics, list) else set()
    return Baseline(
        dict(e for e in entries if e is not None),
        findings=frozenset(f for f in findings if f is not None),
    )


def _compare(conflict: Conflict, baseline: Baseline) -> Conflict:
    known = baseline.conflicts.get(conflict.id)
    added: tuple[str, ...] = ()
    if known is None:
        state = "new"
    else:
        added = tuple(s for s in conflict.services if s not in known.services)
        worse = conflict.kind is Kind.INCOMPATIBLE and known.kind == Kind.PIN_MISMATCH.value
        state = "changed" if added or worse else "known"
    if state == "known":
        return replace(conflict, baseline=state)

    def written_before(r: ConflictRequirement) -> bool:
        if r.service in added:
            return False
        if baseline.written is not None:
            return (r.service, conflict.package, r.location.path, r.specifier) in baseline.written
        return known is None or _line(r) in known.lines

    introduced = tuple(
        dict.fromkeys(r.location for r in conflict.requirements if not written_before(r))
    )
    if known is None and baseline.written is None:
        introduced = ()  # a baseline file cannot say which of a new conflict's lines are new
    return replace(conflict, baseline=state, added_services=added, introduced=introduced)


def _compare_finding(diagnostic: Diagnostic, baseline: Baseline) -> Diagnostic:
    finding = diagnostic.finding
    if finding is None:
        return diagnostic
    state = "known" if finding.id in baseline.findings else "new"
    return replace(diagnostic, finding=replace(finding, baseline=state))


def apply_baseline(report: Report, baseline: Baseline, label: str) -> Report:
    """Mark each conflict new, known or changed and each finding new or known; list the
    baseline's conflicts and findings gone as fixed."""
    conflicts = tuple(_compare(c, baseline) for c in report.conflicts)
    diagnostics = tuple(_compare_finding(d, baseline) for d in report.diagnostics)
    current = {c.id for c in report.conflicts} | {f.id for f in report.findings}
    fixed = tuple(sorted((set(baseline.conflicts) | baseline.findings) - current))
    return replace(
        report, conflicts=conflicts, diagnostics=diagnostics, baseline=label, fixed=fixed
    )
