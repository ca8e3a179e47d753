"""Per-conflict advice: its facts decided here, its words written here once for every format.

The rules (`depcheck.analysis.rules`) find the facts of an align (the version every known
constraint allows, the lock files to re-lock, the parents that must move too); the plan
(`depcheck.recommend.plan`) decides whom to isolate and how to split a host; with `--resolve`,
`depcheck.resolve.proof` says what proved an align or why the align became a move. `advise`
turns these into the `Recommendation` each conflict carries, consistent with its host's plan.

`describe` words a recommendation, the one sentence every format shows (the terminal, the JSON
report's `summary`, SARIF and GitHub messages, the Markdown comment). It names the version, the
files to re-lock, the services to move or the groups of a split, and what proved it; it never
repeats the conflict's constraints, which every format shows beside it. A format says how many
names of each list to show (``a, b and 15 more services``) and whether it wants the few words
of a table cell (`terse`); it escapes the sentence for its destination and edits nothing in it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from depcheck.model import Action, Conflict, Kind, Plan, Recommendation

#: `Recommendation.proved` values and what each says the resolver did
PROVED_BY_HOST = "host"
PROVED_BY_GROUPS = "groups"
_PROOF = {
    PROVED_BY_HOST: "the host resolves with it",
    PROVED_BY_GROUPS: "each group of the host's plan resolves with it",
}


def advise(conflict: Conflict, plan: Plan) -> Conflict:
    """`conflict` with its advice decided, consistent with its host's plan. A pin mismatch
    keeps the align its rule found."""
    if conflict.kind is Kind.PIN_MISMATCH:
        return conflict
    return isolate_or_split(conflict, plan)


def isolate_or_split(conflict: Conflict, plan: Plan, *, note: str = "") -> Conflict:
    """Isolate the conflict's services the plan moves out, when that is the cheaper fix; else
    split the host as the plan does. A split whose groups, for this conflict, are one service
    against all the others is the move of that one service (its own group already holds it).

    `note`: why a conflict whose facts were an align gets this advice instead (`--resolve`)."""
    involved = set(conflict.services)
    move = tuple(s for s in plan.isolate if s in involved)
    if len(plan.isolate) + 1 <= len(plan.groups) and move:
        recommendation = Recommendation(Action.ISOLATE, services=move, note=note)
        return replace(conflict, recommendation=recommendation)
    groups = _involved_groups(conflict.services, plan.groups)
    if len(groups) == 2:
        alone = min(groups, key=lambda g: (len(g), g))
        if len(alone) == 1:
            recommendation = Recommendation(
                Action.ISOLATE, services=alone, groups=plan.groups, note=note
            )
            return replace(conflict, recommendation=recommendation)
    recommendation = Recommendation(Action.SPLIT, groups=plan.groups, note=note)
    return replace(conflict, recommendation=recommendation)


def _involved_groups(
    services: Sequence[str], groups: Sequence[Sequence[str]]
) -> list[tuple[str, ...]]:
    """Each group of a split that holds some of `services`, with only those services."""
    involved = set(services)
    return [tuple(s for s in g if s in involved) for g in groups if involved.intersection(g)]


# -- wording -------------------------------------------------------------------------------


def join_and(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def listed(items: Sequence[str], names: int | None, noun: str) -> str:
    """Every item (`names` None), a count (``3 files``, `names` 0), or the first `names` and a
    count of the rest (``a, b and 15 more services``; one more is simply named)."""
    if names is not None and names <= 0:
        return plural(len(items), noun)
    if names is None or len(items) <= names + 1:
        return join_and(list(items))
    return ", ".join(items[:names]) + f" and {len(items) - names} more {noun}s"


def _same(value: str) -> str:
    return value


def describe(
    conflict: Conflict,
    *,
    names: int | None = None,
    terse: bool = False,
    quote: Callable[[str], str] = _same,
    escape: Callable[[str], str] = _same,
) -> str:
    """The conflict's advice in words (see the module docstring).

    `names`: how many names of each list (files, services, a group's members) to show, None
    for all, 0 for counts only. `terse`: the few words of a table cell or a one-line summary
    (no package or host name, no proof, a split's group sizes instead of its names). `quote`
    marks up each name, version and file (Markdown's code spans); `escape` makes free text
    safe (the `note`)."""
    advice = conflict.recommendation
    if advice.action is Action.ALIGN:
        return _align(conflict, names, terse=terse, quote=quote, escape=escape)
    if advice.action is Action.ISOLATE and advice.services:
        limit = None if names is None else max(names, 1)  # a move names whom it moves
        words = f"move out {listed([quote(s) for s in advice.services], limit, 'service')}"
    else:
        groups = _involved_groups(conflict.services, advice.groups)
        host = quote(conflict.host)
        if terse:
            sizes = join_and([str(len(g)) for g in groups])
            words = f"split into {len(groups)} groups of {sizes} services"
        else:
            shown = " | ".join(
                "[" + listed([quote(s) for s in g], names, "service") + "]" for g in groups
            )
            words = f"split host {host} into {len(groups)} groups: {shown}"
    if advice.note and not terse:
        words += f": {escape(advice.note)}"
    return words


def _align(
    conflict: Conflict,
    names: int | None,
    *,
    terse: bool,
    quote: Callable[[str], str],
    escape: Callable[[str], str],
) -> str:
    advice = conflict.recommendation
    package = quote(conflict.display_name)
    version = quote(advice.version) if advice.version is not None else None
    if terse:
        words = f"align on {version}" if version else "align on one version"
    elif version is not None:
        words = f"align on {package} {version}"
    else:
        words = f"align on one {package} version in {quote(advice.allowed)}"
    if advice.moves:
        moving = [quote(m.named()) for m in advice.moves]
        words += f" with {listed(moving, names, 'package')} moving too"
    if not terse:
        proof = _PROOF.get(advice.proved)
        if proof is not None:
            rest = "its group" if advice.proved == PROVED_BY_GROUPS else "the host"
            if advice.instead_of:
                proof += f"; {quote(advice.instead_of)} does not resolve with the rest of {rest}"
            if advice.note:
                proof += f"; {escape(advice.note)}"  # why the whole host did not prove it
            words += f" (verified: {proof})"
        elif version is not None and not advice.moves:
            words += ": every known constraint allows it"
    if advice.relock:
        words += f"; re-lock {listed([quote(f) for f in advice.relock], names, 'file')}"
    if terse:
        return words if conflict.verified else words + " (not verified)"
    if advice.note and not advice.proved:
        words += f" (not verified: {escape(advice.note)})"
    elif advice.unverified and not advice.proved:
        only = listed([quote(s) for s in advice.unverified], names, "service")
        words += f" (not verified: {only} only lock {package}, with no declared range)"
    return words
