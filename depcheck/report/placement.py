"""Where a conflict is shown, and in which order: shared by SARIF, annotations and Markdown.

A conflict has several constraints, but a reviewer changes one line: code scanning shows a
result's first location only, and GitHub keeps ten annotations of each level per step. So each
conflict gets one primary constraint, the line to change:

- a line the change under review wrote (known from --diff-base or a baseline), since that is
  what the pull request can undo;
- for an incompatible conflict, the constraint of a service the recommendation (or the host's
  plan) moves out;
- for a pin mismatch, the pin in a lock file the recommendation says to re-lock;
- else the first constraint that names a file.

The others are shown as related constraints. Conflicts are ranked the same way everywhere:
what fails the run before what does not (new or changed before known, ignored last),
incompatible before pin mismatch, more services first, then host and package.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from depcheck.model import Conflict, ConflictRequirement, Kind, Location, Plan, Role
from depcheck.report.paths import points_at_file

_STATE_RANK = {"new": 0, "changed": 0, None: 0, "known": 1}


def rank_key(conflict: Conflict) -> tuple[int, int, int, str, str]:
    """Sort key: failing before known before ignored, incompatible first, more services first."""
    state = 2 if conflict.ignored is not None else _STATE_RANK.get(conflict.baseline, 1)
    kind = 0 if conflict.kind is Kind.INCOMPATIBLE else 1
    return (state, kind, -len(conflict.services), conflict.host, conflict.package)


def ranked(conflicts: Iterable[Conflict]) -> list[Conflict]:
    """The conflicts, the one a reviewer should see first first."""
    return sorted(conflicts, key=rank_key)


def _moved_out(conflict: Conflict, plan: Plan | None) -> tuple[str, ...]:
    """The conflict's services the fix takes off the host."""
    services = set(conflict.services)
    named = tuple(s for s in conflict.recommendation.services if s in services)
    if named:
        return named
    if plan is not None:
        moved = tuple(s for s in plan.isolate if s in services)
        if moved:
            return moved
    return ()


def primary(conflict: Conflict, plan: Plan | None = None) -> ConflictRequirement | None:
    """The constraint to change (see the module docstring); None when none names a file."""
    located = [r for r in conflict.requirements if points_at_file(r.location)]
    if not located:
        return None
    introduced = set(conflict.introduced)
    candidates: list[ConflictRequirement] = [r for r in located if r.location in introduced]
    if conflict.kind is Kind.INCOMPATIBLE:
        moved = _moved_out(conflict, plan)
        preferred = [r for r in located if r.service in moved]
    else:
        relock = set(conflict.recommendation.relock)
        preferred = [r for r in located if r.role is Role.LOCKED and r.location.path in relock]
    if candidates:
        # among the lines the change wrote, the one the fix names, if any
        both = [r for r in candidates if r in preferred]
        return (both or candidates)[0]
    if preferred:
        # a service's own (direct) constraint before one its locks record through a parent
        return min(preferred, key=lambda r: (not r.direct, r.parent is not None))
    return located[0]


def why_primary(conflict: Conflict, first: ConflictRequirement, plan: Plan | None = None) -> str:
    """Why `first` is the line to change, in a few words ("" when it is merely the first)."""
    if first.location in conflict.introduced:
        return "written by this change"
    if conflict.kind is Kind.INCOMPATIBLE and first.service in _moved_out(conflict, plan):
        return f"the fix moves {first.service} out of host {conflict.host}"
    if conflict.kind is Kind.PIN_MISMATCH and first.location.path in conflict.recommendation.relock:
        return f"the fix re-locks {first.location.path}"
    return ""


def related(
    conflict: Conflict, first: ConflictRequirement | None
) -> list[tuple[Location, list[ConflictRequirement]]]:
    """The other constraints, grouped by file and line (shared files appear once)."""
    grouped: dict[Location, list[ConflictRequirement]] = {}
    for requirement in conflict.requirements:
        if not points_at_file(requirement.location):
            continue
        if first is not None and requirement.location == first.location:
            continue
        grouped.setdefault(requirement.location, []).append(requirement)
    return list(grouped.items())


def plans_by_host(plans: Sequence[Plan]) -> dict[str, Plan]:
    return {p.host: p for p in plans}
