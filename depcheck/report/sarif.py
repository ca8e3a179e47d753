"""The SARIF 2.1.0 report, for GitHub code scanning and other SARIF viewers.

One run, one rule per conflict kind plus one for unreadable input, one result per conflict and
per input problem. What GitHub's ingestion needs shapes the details:

- every result has a location whose URI is relative to the repository checkout: paths in the
  report are relative to the scan root, so the root as given (``fixtures/demo``) is put in
  front (`paths.workspace_path`) and the URI is tied to ``%SRCROOT%``. A root given as an
  absolute path cannot be related to the checkout from the report alone; its URIs stay
  relative to the root, and ``originalUriBaseIds`` says where that is;
- GitHub reads at most 10 ``locations`` (and annotates the first): a conflict's first ten
  constraint locations go there, the rest into ``relatedLocations``;
- messages are capped (`MAX_MESSAGE`), and the first sentence says what is wrong, because
  that is what a narrow alert list shows;
- ``partialFingerprints`` carry the conflict's stable id (``depcheck/v1``), so results match
  across runs even when lines move. GitHub's uploader adds its own line hash next to it.

A diagnostic about the scan as a whole (no file to point at, e.g. "no services found") is not a
result, since code scanning drops results without a file; it becomes a tool notification of the
run's invocation. Nothing varies between runs of the same input: no timestamps, no absolute
paths unless the root was given as one, everything in report order (already sorted).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from importlib import metadata
from typing import Any
from urllib.parse import quote

from depcheck import __version__
from depcheck.model import Conflict, Diagnostic, Kind, Location, Report, Severity
from depcheck.report.interface import RenderOptions, ReportFormatter
from depcheck.report.paths import is_absolute_root, points_at_file, workspace_path

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "depcheck/v1"
#: GitHub uses at most this many `locations` per result
MAX_LOCATIONS = 10
MAX_MESSAGE = 1000

RULE_INCOMPATIBLE = "depcheck/incompatible"
RULE_PIN_MISMATCH = "depcheck/pin-mismatch"
RULE_INPUT_ERROR = "depcheck/input-error"

_RULES: tuple[dict[str, Any], ...] = (
    {
        "id": RULE_INCOMPATIBLE,
        "name": "IncompatibleRequirements",
        "shortDescription": {
            "text": "Services that share a host need versions of a package no version satisfies",
        },
        "fullDescription": {
            "text": (
                "Two or more services installed into one environment (a VM, an image, a "
                "virtualenv, a Lambda layer) constrain the same package so that no single "
                "version satisfies all of them: installed together, at least one service runs "
                "with a version it does not support."
            ),
        },
        "help": {
            "text": (
                "Align the constraints so that one version satisfies every service, move the "
                "services the recommendation names into their own environment (isolate), or "
                "split the host into groups that can each share one environment. The result "
                "lists each clashing constraint and the file and line that states it."
            ),
            "markdown": (
                "Services that share a host get **one** installed version of each package. "
                "Fix the clash by one of:\n\n"
                "- **align**: change the constraints so that one version satisfies every "
                "service;\n"
                "- **isolate**: move the services the recommendation names into their own "
                "environment;\n"
                "- **split**: partition the host into groups that can each share one "
                "environment.\n\n"
                "Each location of the result is one clashing constraint."
            ),
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": ["dependencies", "python", "reliability"],
            "precision": "very-high",
            "problem.severity": "error",
        },
    },
    {
        "id": RULE_PIN_MISMATCH,
        "name": "PinMismatch",
        "shortDescription": {
            "text": "Services that share a host lock different versions of a package",
        },
        "fullDescription": {
            "text": (
                "The lock files of services installed into one environment pin different "
                "versions of a package, although their declared ranges still allow a common "
                "version. Only one version gets installed, so some service runs with a "
                "version it was not locked and tested with."
            ),
        },
        "help": {
            "text": (
                "Re-lock the files the recommendation names so that every service pins the "
                "same version; the recommendation names a version every known constraint "
                "allows."
            ),
            "markdown": (
                "Re-lock the files the recommendation names so that every service pins the "
                "same version (for example `pip-compile --upgrade-package NAME==VERSION`). "
                "The recommendation names a version every known constraint allows."
            ),
        },
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "tags": ["dependencies", "python", "maintainability"],
            "precision": "high",
            "problem.severity": "warning",
        },
    },
    {
        "id": RULE_INPUT_ERROR,
        "name": "InputError",
        "shortDescription": {"text": "A dependency file or the configuration could not be read"},
        "fullDescription": {
            "text": (
                "depcheck could not read part of its input: a dependency file, a file it "
                "includes, or the topology configuration. The rest was still analysed, but a "
                "conflict involving what could not be read goes unnoticed."
            ),
        },
        "help": {
            "text": "Fix the line the result points at; the message says what was expected.",
            "markdown": "Fix the line the result points at; the message says what was expected.",
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": ["dependencies", "configuration"],
            "precision": "very-high",
            "problem.severity": "error",
        },
    },
)
_RULE_INDEX = {rule["id"]: index for index, rule in enumerate(_RULES)}
_KIND_RULE = {Kind.INCOMPATIBLE: RULE_INCOMPATIBLE, Kind.PIN_MISMATCH: RULE_PIN_MISMATCH}
_KIND_LEVEL = {Kind.INCOMPATIBLE: "error", Kind.PIN_MISMATCH: "warning"}
_BASELINE_STATE = {"new": "new", "known": "unchanged", "changed": "updated"}


def project_url() -> str | None:
    """The project's home page from its package metadata (``[project.urls]``), if it has one."""
    try:
        meta = metadata.metadata("depcheck")
    except metadata.PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or []:
        name, _, url = str(entry).partition(",")
        if name.strip().lower() in ("homepage", "home", "source", "repository") and url.strip():
            return url.strip()
    home = meta.get_all("Home-page") or []
    return str(home[0]) if home and home[0] else None


def _cap(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _join_and(names: Sequence[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def conflict_message(conflict: Conflict) -> str:
    """What is wrong (first sentence), then what to do."""
    services = _join_and(conflict.services)
    where = f"{conflict.display_name} ({conflict.kind.value}) on host {conflict.host}"
    if conflict.kind is Kind.INCOMPATIBLE:
        what = f"{services} need versions that no single version satisfies"
    else:
        what = f"the pins of {services} do not fit together ({conflict.reason})"
    return _cap(f"{where}: {what}. Fix: {conflict.recommendation.summary}")


class _Locations:
    """Physical locations, relative to where depcheck ran when the root allows it."""

    def __init__(self, root: str) -> None:
        self.root = root

    def artifact(self, path: str) -> dict[str, Any]:
        uri = quote(workspace_path(self.root, path), safe="/")
        return {"uri": uri, "uriBaseId": SRCROOT}

    def physical(self, location: Location) -> dict[str, Any]:
        physical: dict[str, Any] = {"artifactLocation": self.artifact(location.path)}
        if location.line is not None and location.line >= 1:
            region: dict[str, Any] = {"startLine": location.line}
            if location.column is not None and location.column >= 1:
                region["startColumn"] = location.column
            physical["region"] = region
        return physical

    def base_ids(self) -> dict[str, Any]:
        if is_absolute_root(self.root):
            path = self.root.replace("\\", "/").rstrip("/")
            uri = "file://" + ("" if path.startswith("/") else "/") + quote(path, safe="/:")
            return {SRCROOT: {"uri": uri + "/", "description": {"text": "The scanned directory."}}}
        return {
            SRCROOT: {
                "description": {
                    "text": "The directory depcheck ran in: the repository checkout in CI.",
                },
            },
        }


def _conflict_locations(
    conflict: Conflict, locations: _Locations
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One location per distinct file:line of the conflict's constraints: (first ten, rest)."""
    notes: dict[Location, list[str]] = {}
    for requirement in conflict.requirements:
        note = f"{requirement.service}: {requirement.requirement}"
        if requirement.via:
            note += f" (via {' → '.join(requirement.via)})"
        notes.setdefault(requirement.location, [])
        if note not in notes[requirement.location]:
            notes[requirement.location].append(note)
    found = [
        {"physicalLocation": locations.physical(where), "message": {"text": _cap("; ".join(n))}}
        for where, n in notes.items()
        if points_at_file(where)
    ]
    related = [{"id": index, **entry} for index, entry in enumerate(found[MAX_LOCATIONS:])]
    return found[:MAX_LOCATIONS], related


def _conflict_result(
    conflict: Conflict, locations: _Locations, host_origin: Location | None = None
) -> dict[str, Any]:
    rule = _KIND_RULE[conflict.kind]
    primary, related = _conflict_locations(conflict, locations)
    if host_origin is not None and points_at_file(host_origin):
        # the deployment-file line that puts these services on one host
        related.append(
            {
                "id": len(related),
                "physicalLocation": locations.physical(host_origin),
                "message": {"text": f"host {conflict.host} is defined here"},
            }
        )
    result: dict[str, Any] = {
        "ruleId": rule,
        "ruleIndex": _RULE_INDEX[rule],
        "level": _KIND_LEVEL[conflict.kind],
        "message": {"text": conflict_message(conflict)},
        "locations": primary,
    }
    if related:
        result["relatedLocations"] = related
    result["partialFingerprints"] = {FINGERPRINT: conflict.id}
    state = _BASELINE_STATE.get(str(getattr(conflict, "baseline", None)))
    if state is not None:
        result["baselineState"] = state
    ignored = getattr(conflict, "ignored", None)
    if ignored is not None:
        suppression: dict[str, Any] = {
            "kind": "external",
            "status": "accepted",
            "justification": str(getattr(ignored, "reason", "")),
        }
        where = getattr(ignored, "location", None)
        if isinstance(where, Location) and points_at_file(where):
            suppression["location"] = {"physicalLocation": locations.physical(where)}
        result["suppressions"] = [suppression]
    result["properties"] = {
        "host": conflict.host,
        "package": conflict.package,
        "kind": conflict.kind.value,
        "services": list(conflict.services),
        "action": conflict.recommendation.action.value,
        "verified": conflict.verified,
    }
    return result


def _level(diagnostic: Diagnostic) -> str:
    return "error" if diagnostic.severity is Severity.ERROR else "warning"


def diagnostic_fingerprint(diagnostic: Diagnostic) -> str:
    """Stable across runs: the file and the message, not the line (which moves with edits)."""
    key = "\0".join((diagnostic.severity.value, diagnostic.location.path, diagnostic.message))
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _diagnostic_result(diagnostic: Diagnostic, locations: _Locations) -> dict[str, Any]:
    return {
        "ruleId": RULE_INPUT_ERROR,
        "ruleIndex": _RULE_INDEX[RULE_INPUT_ERROR],
        "level": _level(diagnostic),
        "message": {"text": _cap(diagnostic.message)},
        "locations": [{"physicalLocation": locations.physical(diagnostic.location)}],
        "partialFingerprints": {FINGERPRINT: diagnostic_fingerprint(diagnostic)},
    }


def _notification(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "level": _level(diagnostic),
        "message": {"text": _cap(diagnostic.message)},
        "associatedRule": {"id": RULE_INPUT_ERROR, "index": _RULE_INDEX[RULE_INPUT_ERROR]},
    }


def report_to_sarif(report: Report) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log (plain JSON data)."""
    locations = _Locations(report.root)
    driver: dict[str, Any] = {"name": "depcheck", "version": __version__}
    url = project_url()
    if url:
        driver["informationUri"] = url
    driver["rules"] = [dict(rule) for rule in _RULES]
    origins = {h.name: h.origin for h in report.hosts}
    results = [_conflict_result(c, locations, origins.get(c.host)) for c in report.conflicts]
    results.extend(
        _diagnostic_result(d, locations) for d in report.diagnostics if points_at_file(d.location)
    )
    invocation: dict[str, Any] = {"executionSuccessful": True}
    notifications = [_notification(d) for d in report.diagnostics if not points_at_file(d.location)]
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [invocation],
                "originalUriBaseIds": locations.base_ids(),
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


class SarifFormatter(ReportFormatter):
    def __init__(self, options: RenderOptions | None = None) -> None:
        self.options = options or RenderOptions()

    def format(self, report: Report) -> str:
        return json.dumps(report_to_sarif(report), indent=2, ensure_ascii=False) + "\n"
