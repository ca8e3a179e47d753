"""Declared conflicts: version clashes between services declared never to be installed together.

A uv workspace's `[tool.uv] conflicts` says which members uv installs one at a time
(`topology/workspace.py` turns it into service pairs). When a config or a deployment file still
puts such members on one host, the conflicts between them are what the declaration already
says: each is shown, marked `declared`, and does not fail the run. A conflict is declared only
when every pair its rule found clashing (`Conflict.pairs`) is a declared pair; a clash that
needs three or more services at once counts every two of them, so all must be declared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from depcheck.model import Conflict, Location, Suppression
from depcheck.topology.workspace import DeclaredPairs


def mark_declared(conflicts: Sequence[Conflict], declared: DeclaredPairs) -> list[Conflict]:
    """`conflicts` of one host, those the declared pairs explain marked `declared`."""
    if not declared:
        return list(conflicts)
    marked: list[Conflict] = []
    for conflict in conflicts:
        pairs = conflict.pairs
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
