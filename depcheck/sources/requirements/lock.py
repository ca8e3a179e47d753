"""pip-compile and uv locks in their usual shape, read in one regular-expression walk.

Half of a pip-compile lock is `# via` comments; the general reader (`lines`, `annotations`) walks
every physical line. A lock that holds only `name==version` lines, their `# via` comments and
blank or comment lines is read here with one match per pin instead, and the result is shared by
identical files. Anything else (options, markers, extras, continuations, odd line breaks) is
handed back (None) to the general reader, whose results this gives exactly for what it accepts.
"""

from __future__ import annotations

import hashlib
import re
from itertools import repeat
from sys import intern
from typing import cast

from depcheck.model import ParsedLine
from depcheck.sources.requirements.annotations import via_comment
from depcheck.sources.requirements.entries import NAME, plain_requirement

_VERSION = r"[A-Za-z0-9.*+!_-]+"
# A line of a lock in its usual shape is blank, a comment, or `name==version` at its start,
# maybe followed by a same-line comment (`--annotation-style=line`). One search over the whole
# file finds the first line that is none of these (then the general reader takes the file).
_OTHER_LINE_RE = re.compile(
    rf"\n(?![ \t]*(?:#|$)|{NAME}=={_VERSION}(?:[ \t]*$|[ \t]+#))", re.MULTILINE
)
# One entry: the lines before it that are no pin (blank or comment lines: the search above
# refused any other), the pin, its same-line comment, and the comment lines right below it (the
# split `# via` block). Blank lines and the comments that follow them attach to nothing. Entries
# are contiguous, so `findall` reads the file in one call and the lines are counted from the parts.
_LOCK_ENTRY_RE = re.compile(
    rf"^((?:[^\n]*\n)*?)({NAME}=={_VERSION})(?:[ \t]*|[ \t]+(#[^\n]*))\n((?:[ \t]*#[^\n]*\n)*)",
    re.MULTILINE,
)
_VIA_ONE_RE = re.compile(r"[ \t]*# via ([^\n]*)\n")
_VIA_BLOCK_RE = re.compile(r"[ \t]*#[ \t]*via[ \t]*\n((?:[ \t]*#[ \t]*[^\s#][^\n]*\n)+)")
# what `str.splitlines` breaks at besides "\n": a file holding one is left to the general reader
_OTHER_BREAKS_RE = re.compile("[\r\v\f\x1c\x1d\x1e\x1f\x85\u2028\u2029]")

#: (line, parsed, `# via` origins or None) of each pin of a lock in the usual shape
LockEntries = tuple[tuple[int, ParsedLine, tuple[str, ...] | None], ...]


def scan_lock(text: str, lines: int | None = None) -> LockEntries | None:
    """A lock's pins and `# via` origins in one regular-expression walk, or None when the file
    is not in the usual shape (options, markers, extras, continuations, odd blanks): then the
    general line-by-line reader takes it, whose results this gives exactly for the shapes it
    accepts (tests/sources/test_requirements_fast_path.py compares the two).

    One search refuses a file with any other line; then one match per pin takes the pin and
    the comment block under it. The comment lines are never split into objects one by one: a
    block's origins are read once per distinct block text (most blocks repeat: `# via -r
    requirements.in`). `lines`: how many lines `str.splitlines` made of `text`, when the
    caller split it (then a count tells whether it broke lines at anything but "\\n")."""
    if lines is None:
        if _OTHER_BREAKS_RE.search(text):
            return None
    elif "\r" in text or "\x1f" in text or lines != text.count("\n") + (text[-1:] not in "\n"):
        # `str.splitlines` broke the file at something else than "\n" (or "\r", or "\x1f",
        # which the pattern above refuses too): a count of lines and two searches say so
        return None
    if text and not text.endswith("\n"):
        text += "\n"
    # the search starts at a line break, a literal the engine skips to: "\n" + text checks the
    # first line too
    if _OTHER_LINE_RE.search("\n" + text) is not None:
        return None
    found = _LOCK_ENTRY_RE.findall(text)
    if not found:
        return ()
    skipped, requirements, inlines, blocks = zip(*found, strict=True)
    read = list(map(plain_requirement, requirements))
    if not all(read):  # a pin `packaging` refuses: the general reader says why
        return None
    parsed = cast(list[ParsedLine], read)
    # entry i is on line 1 + (the lines of every part before it) + (its own skipped lines)
    newlines = list(map(str.count, skipped, repeat("\n")))
    after = list(map(str.count, blocks, repeat("\n")))
    at = [1 + newlines[0]]
    for index in range(1, len(newlines)):
        at.append(at[-1] + 1 + after[index - 1] + newlines[index])
    at = list(map(_LINE_NUMBERS.setdefault, at, at))
    origins: list[tuple[str, ...] | None] = list(map(_BLOCKS.get, blocks, repeat(_MISSING)))
    for index, inline in enumerate(inlines):
        if inline:
            origins[index] = _origins(inline, blocks[index])
        elif origins[index] is _MISSING:
            origins[index] = _BLOCKS[blocks[index]] = _origins(None, blocks[index])
    if len(_BLOCKS) > BLOCK_CACHE_SIZE:
        _BLOCKS.clear()
    return tuple(zip(at, parsed, origins, strict=True))


_MISSING: tuple[str, ...] = ("",)
#: the origins of each distinct comment block under a pin (cleared when it grows past the size)
_BLOCKS: dict[str, tuple[str, ...] | None] = {}
BLOCK_CACHE_SIZE = 65536


def _origins(inline: str | None, block: str) -> tuple[str, ...] | None:
    """The `# via` origins of one pin: its same-line comment's, then its block's."""
    origins: list[str] | None = None
    if inline is not None and "# via " in inline:
        origins = [p.strip() for p in inline[inline.index("# via ") + 6 :].split(",")]
    if block:
        origins = _block_origins(block, origins)
    return None if origins is None else tuple(o for o in origins if o)


def _block_origins(block: str, origins: list[str] | None) -> list[str] | None:
    """The origins the comment lines under one pin name, as `_via_comment` reads them line by
    line; the two usual blocks (`# via X` and `# via` then one name a line) in one match."""
    one = _VIA_ONE_RE.fullmatch(block)
    if one is not None and one.group(1).strip():
        found = [intern(p.strip()) for p in one.group(1).split(",")]
        return found if origins is None else [*origins, *found]
    names = _VIA_BLOCK_RE.fullmatch(block)
    if names is not None and names.group(1).isascii() and "via" not in names.group(1):
        # interned: the same names recur under thousands of pins, and the cache keeps them
        found = [intern(line.split("#", 1)[1].strip()) for line in names.group(1).splitlines()]
        return found if origins is None else [*origins, *found]
    collected: dict[int, list[str]] = {} if origins is None else {0: origins}
    in_via = False
    for comment in block.splitlines():
        in_via = via_comment(comment.strip(), collected, 0, in_via)
    return collected.get(0)


#: one int object per line number: a requirement's Location holds its line, and CPython keeps
#: only the numbers up to 256 shared (half the lines of a 200-pin lock are past it)
_LINE_NUMBERS: dict[int, int] = {}


_LOCK_CACHE: dict[bytes, LockEntries | None] = {}
#: how many distinct locks the cache keeps (oldest out first): a repository that copies one
#: lock into many services hits it, and memory stays bounded however many services there are
LOCK_CACHE_SIZE = 64


def scan_lock_cached(text: str, lines: int | None = None) -> LockEntries | None:
    """`scan_lock`, shared by identical files (keyed by a digest of the content, so the cache
    holds no file's text)."""
    key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    if key in _LOCK_CACHE:
        return _LOCK_CACHE[key]
    entries = _LOCK_CACHE[key] = scan_lock(text, lines)
    if len(_LOCK_CACHE) > LOCK_CACHE_SIZE:
        del _LOCK_CACHE[next(iter(_LOCK_CACHE))]
    return entries
