"""Long lists made short for people: constraints grouped by value, names cut to the first few.

At monorepo scale one conflict has dozens of constraints that say the same thing (eleven services
that reach `duckdb>=1.5.5,<2.0.0` through one shared library); a reader wants the distinct values,
how many services hold each, and one place to look. Formatters call these helpers; nothing here
decides what a conflict is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from depcheck.model import Conflict, ConflictRequirement

_NAME_RE = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*")
#: what a lock file adds to a range it records on an edge; the `via` chain says the same
_REQUIRED_BY = " (required by "


@dataclass(frozen=True, slots=True)
class ConstraintGroup:
    """One distinct constraint value of a conflict and every service that holds it."""

    #: the value as the first holder wrote it, without the package name (``>=1.5.5,<2.0.0``)
    constraint: str
    #: the holders, sorted, each once
    services: tuple[str, ...]
    #: every constraint behind the value, in the conflict's order
    requirements: tuple[ConflictRequirement, ...]

    @property
    def shown(self) -> ConflictRequirement:
        """The one to point a reader at: a service's own line before one reached through others."""
        return min(self.requirements, key=lambda r: (not r.direct, len(r.via)))

    @property
    def files(self) -> int:
        return len({r.location.path for r in self.requirements})

    def holders(self) -> str:
        """``front/admin_ui``, or ``11 services`` when several hold the value."""
        if len(self.services) == 1:
            return self.services[0]
        return f"{len(self.services)} services"


def constraint_text(requirement: ConflictRequirement) -> str:
    """The constraint as the user wrote it (their order, their marker), without the name."""
    if requirement.specifier:
        written = _NAME_RE.sub("", requirement.requirement, count=1).strip()
        text = written or requirement.specifier
    elif requirement.pinned:
        text = f"=={requirement.pinned}"
    else:
        text = requirement.requirement
    head, found, tail = text.rpartition(_REQUIRED_BY)
    if found and head and tail.endswith(")") and "(" not in tail:
        return head.rstrip()
    return text


def _value_key(requirement: ConflictRequirement) -> str:
    """Equal for two spellings of one constraint (``~= 1.40`` and ``~=1.40``, clause order),
    whether a person wrote it or a lock recorded it."""
    text = constraint_text(requirement)
    specifier, semicolon, marker = text.partition(";")
    clauses = sorted(c.replace(" ", "") for c in specifier.split(",") if c.strip())
    return ",".join(clauses) + semicolon + marker.strip()


def group_constraints(conflict: Conflict) -> list[ConstraintGroup]:
    """The conflict's constraints grouped by value, in the order each value first appears."""
    order: list[str] = []
    members: dict[str, list[ConflictRequirement]] = {}
    for requirement in conflict.requirements:
        key = _value_key(requirement)
        if key not in members:
            order.append(key)
            members[key] = []
        members[key].append(requirement)
    return [
        ConstraintGroup(
            constraint=constraint_text(members[key][0]),
            services=tuple(sorted({r.service for r in members[key]})),
            requirements=tuple(members[key]),
        )
        for key in order
    ]


def first_names(names: Sequence[str], *, budget: int, least: int = 1) -> tuple[list[str], int]:
    """The first names that fit in `budget` characters (at least `least`), and how many are left."""
    shown: list[str] = []
    used = 0
    for name in names:
        cost = len(name) + 2
        if len(shown) >= least and used + cost > budget:
            break
        shown.append(name)
        used += cost
    return shown, len(names) - len(shown)


def join_and(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def some_names(names: Sequence[str], *, limit: int = 3) -> str:
    """``a, b and c``, or ``a, b, c and 9 more`` past `limit` names."""
    if len(names) <= limit:
        return join_and(list(names))
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
