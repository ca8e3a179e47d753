"""A declared requirements file (`requirements.in`, a `requirements.txt` no tool wrote) read in
one pass, when every line is a plain PEP 508 requirement, blank, or a comment.

This is the general reader's work for such a file, not another grammar: what a physical line
holds (no line of it, or one requirement at a column) depends on its text alone, so it is worked
out once per distinct line text with the general reader's own parts (`lines.single_lines`' rule
for comments and columns, `entries.plain_requirement` for the parse) and looked up after that. A
monorepo writes the same lines in hundreds of files (152,000 lines and 26,000 distinct texts in
the 1,000 `requirements.in` of the benchmark), so a line costs one dictionary look-up, and its
`Requirement` is made only when something reads it (`RequirementRows`). A file with any other
line (an option, a URL or path, a line `packaging` refuses) is left to the general reader, which
reports it.
"""

from __future__ import annotations

from itertools import compress, count, repeat
from operator import is_not, itemgetter
from typing import Any, cast

from depcheck.model import ParsedLine, RequirementRows, Role
from depcheck.sources.requirements.entries import plain_requirement
from depcheck.sources.requirements.lines import logical_line

# what a physical line holds, by its text: the parse of its requirement and the 1-based column
# where that starts, nothing (`_NOTHING`: blank or a comment), or something for the general reader
# (`_GENERAL`); the two marks are no tuples, so finding them in a file's entries compares nothing
_NOTHING = "nothing"
_GENERAL = "general"
_Held = tuple[ParsedLine, int] | str
_HELD: dict[str, _Held] = {}
#: how many distinct line texts `_HELD` keeps (a line past it is worked out each time)
MAX_LINES = 200_000


def declared_requirements(
    lines: list[str], path: str, role: Role, constraint: bool
) -> RequirementRows | None:
    """The requirements of a file with no `\\` whose physical lines are `lines`, as the general
    reader finds them (kept as columns: `RequirementRows`); None when a line needs the general
    reader (an option, a URL, an error)."""
    entries = list(map(_HELD.get, lines))
    if None in entries:
        entries = [
            _line(raw) if entry is None else entry
            for raw, entry in zip(lines, entries, strict=True)
        ]
    if _GENERAL in entries:
        return None
    # every entry left is a requirement or `_NOTHING`
    held = cast("list[Any]", entries)
    mask = list(map(is_not, held, repeat(_NOTHING)))
    kept = list(compress(held, mask))
    return RequirementRows(
        list(map(_PARSE, kept)),
        path,
        list(compress(count(1), mask)),
        list(map(_COLUMN, kept)),
        role,
        (not constraint,) * len(kept),
        constraint,
    )


_PARSE, _COLUMN = itemgetter(0), itemgetter(1)


def _line(raw: str) -> _Held:
    """What the physical line `raw` holds (`single_lines` and the reader's plain-line test)."""
    stripped = raw.strip()
    entry: _Held
    if not stripped or stripped[0] == "#":
        entry = _NOTHING
    else:
        if "#" not in raw:
            text, column = stripped, len(raw) - len(raw.lstrip()) + 1
        else:
            logical = logical_line(0, 0, raw, joined=False)
            text, column = logical.text, logical.column or 1
        if not text:
            entry = _NOTHING
        elif text[0] == "-" or " -" in text:
            entry = _GENERAL
        else:
            parsed = plain_requirement(text)
            entry = _GENERAL if parsed is None else (parsed, column)
    if len(_HELD) < MAX_LINES:
        _HELD[raw] = entry
    return entry
