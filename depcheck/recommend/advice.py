"""Per-conflict advice, worded once: align a pin mismatch, isolate or split an incompatibility.

The rules (`depcheck.analysis.rules`) find the facts of an align (the version every known
constraint allows, the lock files to re-lock, the parents that must move too); the plan
(`depcheck.recommend.plan`) decides whom to isolate and how to split a host. `advise` turns both
into the one sentence each conflict carries, consistent with its host's plan.
"""

from __future__ import annotations

from dataclasses import replace

from depcheck.analysis.evidence import join_and
from depcheck.model import Action, Conflict, Kind, Plan, Recommendation


def advise(conflict: Conflict, plan: Plan) -> Conflict:
    """`conflict` with its advice worded, consistent with its host's plan."""
    if conflict.kind is Kind.PIN_MISMATCH:
        return replace(conflict, recommendation=align(conflict.package, conflict.recommendation))
    return isolate_or_split(conflict, plan)


def align(package: str, facts: Recommendation) -> Recommendation:
    """The align advice from the facts rule pin_mismatch found."""
    files = ", ".join(facts.relock)
    version, moving = facts.version, facts.moves
    if version is not None and moving:
        summary = (
            f"align on {package} {version} with {join_and([m.named() for m in moving])} moving"
            f" too ({'; '.join(m.held(package) for m in moving)}); re-lock {files}"
        )
    elif version is not None:
        summary = f"align on {package} {version}: every known constraint allows it; re-lock {files}"
    else:
        summary = f"align on one {package} version in {facts.allowed}; re-lock {files}"
    if facts.unverified:
        summary += (
            f" (not verified: {', '.join(facts.unverified)} only lock {package},"
            " with no declared range)"
        )
    return replace(facts, summary=summary)


def _without_note(summary: str) -> str:
    return summary.split(" (not verified", 1)[0]


def unverified(summary: str, why: str) -> str:
    """An advice `--resolve` could not prove, saying why (any earlier note replaced)."""
    return f"{_without_note(summary)} (not verified: {why})"


def verified_align(
    summary: str, package: str, version: str, relock: tuple[str, ...], *, instead_of: str = ""
) -> str:
    """An align `--resolve` proved: the host resolves with `package` at `version`.

    `instead_of`: the version the files suggested, when the resolver installs another.
    """
    files = ", ".join(relock)
    head = f"align on {package} {version}"
    if instead_of:
        return (
            f"{head} (verified: the host resolves with it; {instead_of} does not resolve with "
            f"the rest of the host); re-lock {files}"
        )
    proved = _without_note(summary).replace(
        head, f"{head} (verified: the host resolves with it)", 1
    )
    proved = proved.replace(": every known constraint allows it", "", 1)
    if "(verified" not in proved:
        proved = f"{head} (verified: the host resolves with it); re-lock {files}"
    return proved


def isolate_or_split(conflict: Conflict, plan: Plan) -> Conflict:
    """Isolate the conflict's services the plan moves out, when that is the cheaper fix; else
    split the host as the plan does."""
    involved = set(conflict.services)
    move = tuple(s for s in plan.isolate if s in involved)
    if len(plan.isolate) + 1 <= len(plan.groups) and move:
        summary = f"isolate {', '.join(move)}: {conflict.reason}"
        recommendation = Recommendation(Action.ISOLATE, summary, services=move)
    else:
        groups = tuple(
            tuple(s for s in group if s in involved)
            for group in plan.groups
            if involved.intersection(group)
        )
        shown = " | ".join("[" + ", ".join(g) + "]" for g in groups)
        summary = f"split host {conflict.host}: {shown}: {conflict.reason}"
        recommendation = Recommendation(Action.SPLIT, summary, groups=plan.groups)
    return replace(conflict, recommendation=recommendation)
