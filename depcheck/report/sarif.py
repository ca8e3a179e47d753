"""The SARIF 2.1.0 report, for GitHub code scanning and other SARIF viewers.

One run, one result per conflict and per input problem. What GitHub's ingestion needs shapes
the details:

- every result has a location whose URI is relative to the repository checkout: paths in the
  report are relative to the scan root, so the root as given (``fixtures/demo``) is put in
  front (`paths.workspace_path`) and the URI is tied to ``%SRCROOT%``. A root given as an
  absolute path cannot be related to the checkout from the report alone; its URIs stay
  relative to the root, and ``originalUriBaseIds`` says where that is;
- one location per result, the line to change (`placement.primary`: a line the change under
  review wrote, the constraint of the service the plan moves out, the pin in the lock to
  re-lock); SARIF 2.1.0 §3.27.12 allows several only when all must change, and code scanning
  shows the first. Every other constraint is a ``relatedLocations`` entry with a message;
- rules for each conflict kind, self-contradicting services (a finding, with its own stable
  id, baseline state and suppression like a conflict's), stale locks, input errors and input
  warnings, each with
  ``help.markdown`` and ``helpUri`` to its README section: of the README at ``--docs-url``
  (the Action passes its own), else of the project URL in the package metadata, if any;
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
from importlib import metadata
from typing import Any
from urllib.parse import quote

from depcheck import __version__
from depcheck.model import (
    Conflict,
    ConflictRequirement,
    Diagnostic,
    Kind,
    Location,
    Plan,
    Report,
    Severity,
    Suppression,
)
from depcheck.recommend.advice import describe, listed
from depcheck.report.interface import RenderOptions, ReportFormatter
from depcheck.report.jsontext import indented
from depcheck.report.paths import is_absolute_root, points_at_file, workspace_path
from depcheck.report.placement import plans_by_host, primary, related, why_primary

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "depcheck/v1"
MAX_MESSAGE = 1000
#: names of each list a message shows (the result's properties list every service)
ADVICE_NAMES = 3

RULE_INCOMPATIBLE = "depcheck/incompatible"
RULE_PIN_MISMATCH = "depcheck/pin-mismatch"
RULE_INPUT_ERROR = "depcheck/input-error"
RULE_INPUT_WARNING = "depcheck/input-warning"
RULE_STALE_LOCK = "depcheck/stale-lock"
RULE_SELF_CONTRADICTION = "depcheck/self-contradiction"
#: README sections the rules' helpUri points at (beside the project URL from the metadata)
_ANCHORS = {
    RULE_INCOMPATIBLE: "how-conflicts-are-decided",
    RULE_PIN_MISMATCH: "how-conflicts-are-decided",
    RULE_STALE_LOCK: "how-conflicts-are-decided",
    RULE_SELF_CONTRADICTION: "how-conflicts-are-decided",
    RULE_INPUT_ERROR: "messages-by-family",
    RULE_INPUT_WARNING: "messages-by-family",
}

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
                "The result points at the line to change (the constraint of the service the "
                "plan moves out, or the one the change under review wrote); the other clashing "
                "constraints are its related locations."
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
                "The recommendation names a version every known constraint allows. The result "
                "points at the pin in the lock to re-lock; the other pins and ranges are its "
                "related locations."
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
        "id": RULE_SELF_CONTRADICTION,
        "name": "SelfContradiction",
        "shortDescription": {
            "text": "A service's own constraints on a package admit no version",
        },
        "fullDescription": {
            "text": (
                "One service's own requirements on a package (in one file, or across the files "
                "it includes or locks), under the markers of its host, leave no version that "
                "satisfies them all: the service cannot be installed, on this host or anywhere "
                "with the same Python and platform. With --resolve, the resolver proved it: the "
                "service alone has no installable set."
            ),
        },
        "help": {
            "text": (
                "Change one of the service's constraints the message names so that a version "
                "satisfies them all (they are usually in two files, one including the other), "
                "or accept it with an [[ignore]] entry naming the package and the service."
            ),
            "markdown": (
                "The service asks for versions of one package that no version satisfies, so "
                "it cannot be installed at all. The message names each of its constraints "
                "with its file and line (often `flask==2.0` in one file and `flask>=3` in a "
                "file that includes it): change one so that they meet, then re-lock.\n\n"
                "It fails the run like an incompatible conflict (exit 1, under `--fail-on`); "
                "a baseline that had it marks it known, and an `[[ignore]]` entry with its "
                '`package` (and `services = ["NAME"]`) accepts it.'
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
        "id": RULE_STALE_LOCK,
        "name": "StaleLock",
        "shortDescription": {"text": "A lock file pins what its own service's constraints exclude"},
        "fullDescription": {
            "text": (
                "A service's lock file holds a version (or records a range between packages) "
                "that the service's declared constraints rule out: the lock was not regenerated "
                "after the declaration changed, so what gets installed is not what is declared."
            ),
        },
        "help": {
            "text": "Re-lock the file the result points at (pip-compile, uv lock, poetry lock).",
            "markdown": (
                "The lock file was not regenerated after its service's declared constraints "
                "changed. Re-lock it (`pip-compile`, `uv pip compile`, `uv lock`, "
                "`poetry lock`); the message names the declared constraint it contradicts."
            ),
        },
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "tags": ["dependencies", "python", "maintainability"],
            "precision": "very-high",
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
            "markdown": (
                "depcheck could not read this line, so conflicts involving it go unnoticed "
                "(the scan exits 2). Fix the line the result points at; the message says what "
                "was expected."
            ),
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": ["dependencies", "configuration"],
            "precision": "very-high",
            "problem.severity": "error",
        },
    },
    {
        "id": RULE_INPUT_WARNING,
        "name": "InputWarning",
        "shortDescription": {
            "text": "Something in the input depcheck read but could not fully use"
        },
        "fullDescription": {
            "text": (
                "A dependency file, deployment file or the configuration holds something "
                "depcheck read with a caveat: an encoding it had to guess, an entry it cannot "
                "analyse, an option it ignores. The analysis went on without it."
            ),
        },
        "help": {
            "text": "Read the message: it names what was skipped and why.",
            "markdown": (
                "The analysis went on, without what the message names. Fix the line if the "
                "skipped part matters, or leave it: a warning never fails the run."
            ),
        },
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "tags": ["dependencies", "configuration"],
            "precision": "high",
            "problem.severity": "warning",
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


def conflict_message(conflict: Conflict) -> str:
    """What is wrong (first sentence), then what to do."""
    services = listed(conflict.services, ADVICE_NAMES, "service")
    where = f"{conflict.display_name} ({conflict.kind.value}) on host {conflict.host}"
    if conflict.kind is Kind.INCOMPATIBLE:
        what = f"{services} need versions that no single version satisfies"
    else:
        what = f"the pins of {services} do not fit together ({conflict.reason})"
    return _cap(f"{where}: {what}. Fix: {describe(conflict, names=ADVICE_NAMES)}")


class _Locations:
    """Physical locations, relative to where depcheck ran when the root allows it."""

    def __init__(self, root: str) -> None:
        self.root = root

    def artifact(self, path: str) -> dict[str, Any]:
        # a file name that is not UTF-8 is percent-encoded as its own bytes
        uri = quote(workspace_path(self.root, path), safe="/", errors="surrogateescape")
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


def _note(group: list[ConflictRequirement]) -> str:
    """``api: requests==2.31.0 (via …)`` for the constraints written on one line."""
    notes = []
    for requirement in group:
        note = f"{requirement.service}: {requirement.requirement}"
        if requirement.via:
            note += f" (via {' → '.join(requirement.via)})"
        if note not in notes:
            notes.append(note)
    return "; ".join(notes)


def _conflict_locations(
    conflict: Conflict, locations: _Locations, plan: Plan | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The line to change (one location: SARIF §3.27.12 lists several only when all must
    change, and code scanning shows the first), and every other constraint as related."""
    first = primary(conflict, plan)
    primary_locations = []
    if first is not None:
        here = [r for r in conflict.requirements if r.location == first.location]
        text = _note(here)
        why = why_primary(conflict, first, plan)
        if why:
            text += f" ({why})"
        primary_locations.append(
            {
                "physicalLocation": locations.physical(first.location),
                "message": {"text": _cap(text)},
            }
        )
    others = [
        {
            "id": index,
            "physicalLocation": locations.physical(where),
            "message": {"text": _cap(_note(group))},
        }
        for index, (where, group) in enumerate(related(conflict, first))
    ]
    return primary_locations, others


def _suppression(ignored: Suppression, locations: _Locations) -> dict[str, Any]:
    suppression: dict[str, Any] = {
        # a declaration in the project's own pyproject.toml is in the source
        "kind": "inSource" if getattr(ignored, "by", None) == "declared" else "external",
        "status": "accepted",
        "justification": str(getattr(ignored, "reason", "")),
    }
    where = getattr(ignored, "location", None)
    if isinstance(where, Location) and points_at_file(where):
        suppression["location"] = {"physicalLocation": locations.physical(where)}
    return suppression


def _conflict_result(
    conflict: Conflict,
    locations: _Locations,
    host_origin: Location | None = None,
    plan: Plan | None = None,
) -> dict[str, Any]:
    rule = _KIND_RULE[conflict.kind]
    primary_locations, related_locations = _conflict_locations(conflict, locations, plan)
    if host_origin is not None and points_at_file(host_origin):
        # the deployment-file line that puts these services on one host
        related_locations.append(
            {
                "id": len(related_locations),
                "physicalLocation": locations.physical(host_origin),
                "message": {"text": f"host {conflict.host} is defined here"},
            }
        )
    result: dict[str, Any] = {
        "ruleId": rule,
        "ruleIndex": _RULE_INDEX[rule],
        "level": _KIND_LEVEL[conflict.kind],
        "message": {"text": conflict_message(conflict)},
        "locations": primary_locations,
    }
    if related_locations:
        result["relatedLocations"] = related_locations
    result["partialFingerprints"] = {FINGERPRINT: conflict.id}
    state = _BASELINE_STATE.get(str(getattr(conflict, "baseline", None)))
    if state is not None:
        result["baselineState"] = state
    ignored = getattr(conflict, "ignored", None)
    if ignored is not None:
        result["suppressions"] = [_suppression(ignored, locations)]
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
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def diagnostic_rule(diagnostic: Diagnostic) -> str:
    """Findings, input errors, stale locks (the rule words them "stale lock: …") and other
    warnings."""
    if diagnostic.finding is not None:
        return RULE_SELF_CONTRADICTION
    if diagnostic.severity is Severity.ERROR:
        return RULE_INPUT_ERROR
    if diagnostic.message.startswith("stale lock"):
        return RULE_STALE_LOCK
    return RULE_INPUT_WARNING


def _diagnostic_result(diagnostic: Diagnostic, locations: _Locations) -> dict[str, Any]:
    rule = diagnostic_rule(diagnostic)
    finding = diagnostic.finding
    result: dict[str, Any] = {
        "ruleId": rule,
        "ruleIndex": _RULE_INDEX[rule],
        "level": _level(diagnostic),
        "message": {"text": _cap(diagnostic.message)},
        "locations": [{"physicalLocation": locations.physical(diagnostic.location)}],
        # a finding's id is stable per (host, service, package), whatever its message says
        "partialFingerprints": {
            FINGERPRINT: finding.id if finding is not None else diagnostic_fingerprint(diagnostic)
        },
    }
    if finding is None:
        return result
    state = _BASELINE_STATE.get(str(finding.baseline))
    if state is not None:
        result["baselineState"] = state
    if finding.ignored is not None:
        result["suppressions"] = [_suppression(finding.ignored, locations)]
    result["properties"] = {
        "host": finding.host,
        "service": finding.service,
        "package": finding.package,
        "evidence": finding.evidence,
    }
    return result


def _notification(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "level": _level(diagnostic),
        "message": {"text": _cap(diagnostic.message)},
        "associatedRule": {
            "id": diagnostic_rule(diagnostic),
            "index": _RULE_INDEX[diagnostic_rule(diagnostic)],
        },
    }


def _rule(rule: dict[str, Any], url: str | None) -> dict[str, Any]:
    """A rule as written, with ``helpUri`` to its README section when there is a README to
    point at (`Report.docs_url`, else the project URL)."""
    rule = dict(rule)
    if url:
        help_uri = f"{url.rstrip('/')}#{_ANCHORS[rule['id']]}"
        rule["helpUri"] = help_uri
        # (a URL holds no space or angle bracket: `docs_url_problem`; parentheses would end
        # a Markdown link, so they are percent-encoded)
        link = help_uri.replace("(", "%28").replace(")", "%29")
        rule["help"] = {
            "text": rule["help"]["text"],
            "markdown": rule["help"]["markdown"] + f"\n\n[depcheck's documentation]({link})",
        }
    return rule


def report_to_sarif(report: Report) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log (plain JSON data)."""
    locations = _Locations(report.root)
    driver: dict[str, Any] = {"name": "depcheck", "version": __version__}
    home = project_url()
    url = report.docs_url or home
    if home or url:
        driver["informationUri"] = home or url
    driver["rules"] = [_rule(rule, url) for rule in _RULES]
    origins = {h.name: h.origin for h in report.hosts}
    plans = plans_by_host(report.plans)
    results = [
        _conflict_result(c, locations, origins.get(c.host), plans.get(c.host))
        for c in report.conflicts
    ]
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
        return indented(report_to_sarif(report)) + "\n"
