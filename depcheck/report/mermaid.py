"""Mermaid flowchart text that survives any service or package name.

Node ids are generated (``n0``, ``n1``, ...), so a service called ``end`` or ``graph`` cannot
collide with Mermaid's keywords; names only ever appear as quoted labels. Inside a quoted label
Mermaid decodes entity codes written ``#NNN;``, so every character that could end the string or
an edge label (``"``, ``|``), be read as HTML (``<``, ``>``, ``&``), start a markdown string
(a backtick) or look like an entity code (``#``) is written as one. Line breaks and other
control characters become spaces: a label is one line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SPECIAL = {
    '"': "#quot;",
    "|": "#124;",
    "<": "#60;",
    ">": "#62;",
    "&": "#38;",
    "#": "#35;",
    "`": "#96;",
}
_SPECIAL_RE = re.compile("[" + re.escape("".join(_SPECIAL)) + "]")
# control characters, line separators, and bidi controls that reorder how text displays
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]+")


def label(text: str) -> str:
    """`text` as a quoted Mermaid label, ``"..."`` included."""
    flat = _CONTROL_RE.sub(" ", text)
    return '"' + _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(0)], flat) + '"'


def node_ids(keys: Iterable[str]) -> dict[str, str]:
    """A Mermaid-safe id for each key (``n0``, ``n1``, ... in sorted order of the keys)."""
    return {key: f"n{index}" for index, key in enumerate(sorted(set(keys)))}


#: Mermaid's default limits (`maxEdges`, `maxTextSize`): past either it draws an error instead
MAX_EDGES = 500
MAX_TEXT = 50_000
_EDGE_RE = re.compile(r"^\s*n\d+ (?:---|-\.-|-->)", re.MULTILINE)


def count_edges(text: str) -> int:
    """The edges in a Mermaid document, or in a part of one made of whole lines."""
    return len(_EDGE_RE.findall(text))


def past_limits(document: str, *, conflicts_only: bool = False) -> str | None:
    """What in a Mermaid document exceeds Mermaid's default limits, or None (and what to do:
    `--conflicts-only` only to a graph that is not already drawn with it)."""
    return limits_message(count_edges(document), len(document), conflicts_only=conflicts_only)


def limits_message(edges: int, characters: int, *, conflicts_only: bool = False) -> str | None:
    """`past_limits` for a Mermaid document of `edges` edges and `characters` characters."""
    problems = []
    if edges > MAX_EDGES:
        problems.append(f"{edges} edges (Mermaid draws at most {MAX_EDGES})")
    if characters > MAX_TEXT:
        problems.append(f"{characters:,} characters (Mermaid reads at most {MAX_TEXT:,})")
    if not problems:
        return None
    return (
        "the Mermaid graph has "
        + " and ".join(problems)
        + ": GitHub and mermaid.live show an error instead; raise maxEdges/maxTextSize in your "
        + (
            "renderer or use --format dot"
            if conflicts_only
            else "renderer, use --conflicts-only, or --format dot"
        )
    )
