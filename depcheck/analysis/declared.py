"""Declared conflicts: version clashes between services declared never to be installed together.

A uv workspace's `[tool.uv] conflicts` says which members uv installs one at a time
(`topology/workspace.py` turns it into service pairs). When a config or a deployment file still
puts such members on one host, the conflicts between them are what the declaration already
says: each is shown, marked `declared`, and does not fail the run. A conflict is declared only
when every pair of its services whose constraints clash is a declared pair; a clash that needs
three or more services at once (ranges with holes) is never hidden this way.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import replace

from depcheck.analysis.algebra import satisfiable
from depcheck.analysis.host import Clash
from depcheck.model import Conflict, Kind, Location, Suppression
from depcheck.topology.workspace import DeclaredPairs


def _clashing_pairs(conflict: Conflict, ranges: Mapping[str, str] | None) -> list[tuple[str, str]]:
    """The pairs of the conflict's services that cannot be installed together."""
    if conflict.kind is Kind.INCOMPATIBLE and ranges is not None:
        return [
            (a, b)
            for a, b in itertools.combinations(sorted(ranges), 2)
            if not satisfiable((ranges[a], ranges[b]))
        ]
    pins: dict[str, set[str]] = {}
    for requirement in conflict.requirements:
        if requirement.pinned is not None:
            pins.setdefault(requirement.service, set()).add(requirement.pinned)
    return [(a, b) for a, b in itertools.combinations(sorted(pins), 2) if pins[a] != pins[b]]


def mark_declared(
    conflicts: Sequence[Conflict], clashes: Sequence[Clash], declared: DeclaredPairs
) -> list[Conflict]:
    """`conflicts` of one host, those the declared pairs explain marked `declared`."""
    if not declared:
        return list(conflicts)
    ranges = {clash.package: clash.ranges for clash in clashes}
    marked: list[Conflict] = []
    for conflict in conflicts:
        pairs = _clashing_pairs(conflict, ranges.get(conflict.package))
        where: list[Location] = []
        for a, b in pairs:
            location = declared.covers(a, b)
            if location is None:
                break
            where.append(location)
        else:
            if pairs and conflict.ignored is None:
                names = sorted({name for pair in pairs for name in pair})
                shown = ", ".join(names[:-1]) + f" and {names[-1]}"
                conflict = replace(
                    conflict,
                    ignored=Suppression(
                        f"{shown} are declared never installed together ([tool.uv] conflicts)",
                        None,
                        where[0],
                        by="declared",
                    ),
                )
        marked.append(conflict)
    return marked
