"""pip-compile and uv locks in their usual shape, read in one regular-expression walk.

Half of a pip-compile lock is `# via` comments; the general reader (`lines`, `annotations`) walks
every physical line. A lock that holds only `name==version` lines (with extras, a marker, the
hash lines of `--generate-hashes`), their `# via` comments, blank or comment lines and the index
options pip-compile writes under its header is read here with one match per pin instead, and
the result is shared by identical files. Anything else (other options, URLs, continuations of
another shape, odd line breaks) is handed back (None) to the general reader, whose results this
gives exactly for what it accepts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from itertools import accumulate, repeat
from operator import add, itemgetter
from sys import intern
from typing import NamedTuple, cast

from depcheck.model import ParsedLine
from depcheck.sources.requirements.annotations import origins_direct, via_comment
from depcheck.sources.requirements.entries import NAME, plain_requirement

# (A name's and a version's runs are possessive, `*+`: what follows them, `[`, `=`, a blank, a
# `;`, a line break, is none of their characters, so giving one back never helps a match, and
# the engine keeps no state to give it back: with the comment lines' runs below, the walk over
# a lock takes a sixth less time.)
_NAME_RUN = NAME.removesuffix("*") + "*+"
_VERSION = r"[A-Za-z0-9.*+!_-]++"
# A pin as a lock writes it: `name==version`, maybe with extras (`celery[redis]==5.3.0`) and a
# marker (`colorama==0.4.6 ; sys_platform == "win32"`: uv's universal locks, pip-compile's
# markers from the input). Extras hold no blank; a marker's words (runs of non-blanks) hold no
# `#` (after a blank, pip's comment starts there) and no backslash, and none starts with `-`
# (pip would take the line's options from there), so the pin's text is the logical line's,
# comment and blanks stripped. Extras and marker are checked by the parse, the general reader's
# (`plain_requirement`): a text it refuses sends the file to that reader. (Words follow each
# other across blanks only, so a line that fails to match backtracks over nothing.)
_WORD = r"[^#\s\\-][^#\s\\]*"
_PIN = rf"{_NAME_RUN}(?:\[[^\]\s#\\]*\])?=={_VERSION}(?:[ \t]*;[ \t]*{_WORD}(?:[ \t]+{_WORD})*)?"
# The global options pip-compile and uv write under the header (`--emit-index-url` and the
# like), one value each: pip accepts them in a requirements file, and so does the general
# reader, which reads nothing from them (what an index serves is `--resolve`'s business).
_OPTION = r"--(?:index-url|extra-index-url|find-links|trusted-host|no-binary|only-binary) [^\s#\\]+"
# A reference on a line of its own, as pip-compile and uv write a monorepo's own libraries and
# direct URLs: `-e` or `--editable` and one word, or `name @ url` (no marker, no option; a `#`
# inside the word is no comment to pip: `#egg=name`). One that `plain_requirement` reads is a
# pin like any other; the rest are the general reader's parse to read
# (`RequirementsFileSource._parse_requirement`), and the pins around them stay columns.
_ODD = (
    rf"(?:-e|--editable)[ \t]+[^\s#\\'\"-][^\s\\'\"]*"
    rf"|{NAME}[ \t]*@[ \t]*[^\s#\\;'\"][^\s\\;'\"]*"
)
_ODD_RE = re.compile(_ODD)
# A line of a lock in its usual shape is blank, a comment, a pin at its start, maybe followed
# by a same-line comment (`--annotation-style=line`), or one of those options.
_SKIPPED = rf"(?:[ \t]*(?:#[^\n]*)?\n|{_OPTION}[ \t]*\n)"
# One entry: the lines before it that are no pin (blank, comment or option lines), the pin, the
# blanks after it and its same-line comment, and the comment lines right below it (the split
# `# via` block). Blank lines and the comments that follow them attach to nothing. Where no
# entry starts, the no-pin lines there, or else one line, are taken as they are (the last
# group), so `findall` reads the whole file in one call, each match where the one before ended:
# the file is in the usual shape when nothing was taken so before the last entry and what was
# taken after it is no-pin lines (`_LOCK_TAIL_RE`). The lines are counted from the parts.
# (A no-pin line never starts a pin, so the runs of them are possessive, `*+`: a run that no
# pin follows is walked once, not once from each of its lines, which was quadratic: 8,000
# comment lines under a header took 2 s.)
_LOCK_ENTRY_RE = re.compile(
    rf"^(?:({_SKIPPED}*+)({_PIN}|{_ODD})[ \t]*+((?<=[ \t])#[^\n]*)?\n((?:[ \t]*+#[^\n]*+\n)*+)"
    rf"|({_SKIPPED}++|[^\n]*\n))",
    re.MULTILINE,
)
_LOCK_TAIL_RE = re.compile(rf"{_SKIPPED}*")
_TAKEN = itemgetter(4)
_VIA_ONE_RE = re.compile(r"[ \t]*# via ([^\n]*)\n")
_VIA_BLOCK_RE = re.compile(r"[ \t]*#[ \t]*via[ \t]*\n((?:[ \t]*#[ \t]*[^\s#][^\n]*\n)+)")
# pip-compile's `--generate-hashes` entry: the pin ends in a continuation and hash lines follow,
# each but the last continued. The general reader joins them into one logical line (the hashes
# are accepted and ignored); here each hash line, from the line break continued before it, is
# replaced by a line break and a `_JOINED` comment line, so the lines keep their numbers and the
# pin is read like any other, at no column (a joined line has none). The pattern starts with a
# literal (the engine skips to it) and its replacement is a constant: one C-speed `sub`. That
# the hash lines follow a pin is checked after the entries are found (`_hashes_under_pins`).
# (a space right before `--hash`: pip splits the joined line at spaces, and a tab there would
# leave the hash inside the requirement's text)
_HASH_LINE_RE = re.compile(r"\\\n[ \t]* --hash=[A-Za-z0-9]+:[A-Za-z0-9]+[ \t]*(?=\\?\n)")
_JOINED = "#\x00"
_JOINED_LINE = "\n" + _JOINED
_JOINED_RUN_RE = re.compile("(?:#\x00\n)*")
# what `str.splitlines` breaks at besides "\n": a file holding one is left to the general reader
_OTHER_BREAKS = "\r\v\f\x1c\x1d\x1e\x1f\x85\u2028\u2029"
_OTHER_BREAKS_RE = re.compile(f"[{_OTHER_BREAKS}]")
_ASCII_BREAKS = "".join(c for c in _OTHER_BREAKS if c.isascii())


def _other_breaks(text: str) -> bool:
    """Whether `text` holds one of `_OTHER_BREAKS`: in an ASCII text (known at once) a few
    C-speed searches for the ASCII ones, ten times cheaper than the character class."""
    if text.isascii():
        return any(map(text.__contains__, _ASCII_BREAKS))
    return _OTHER_BREAKS_RE.search(text) is not None


class LockScan(NamedTuple):
    """A lock's pins in the usual shape, column by column: each pin's line, its parse, the
    origins its `# via` comments name (None when it has none) and whether those say the
    service asks for it at top level (None with no `# via`: the reader's default)."""

    lines: tuple[int, ...]
    #: 1, or None for a pin joined with the hash lines under it
    columns: tuple[int | None, ...]
    parsed: tuple[ParsedLine, ...]
    origins: tuple[tuple[str, ...] | None, ...]
    direct: tuple[bool | None, ...]
    #: the entries that are no pin but a local or remote reference on a line of its own (`-e
    #: ./libs/common`, `name @ https://...`): their place among the entries and their text,
    #: which the general reader's parse takes (their `parsed` is None)
    odd: tuple[tuple[int, str], ...] = ()

    def rows(self) -> Iterator[tuple[int, ParsedLine, tuple[str, ...] | None]]:
        """(line, parse, origins) of each entry (the parse None for an `odd` one)."""
        return zip(self.lines, self.parsed, self.origins, strict=True)


_EMPTY = LockScan((), (), (), (), ())


def scan_lock(text: str, lines: int | None = None) -> LockScan | None:
    """A lock's pins and `# via` origins in one regular-expression walk, or None when the file
    is not in the usual shape (options, markers, extras, continuations, odd blanks): then the
    general line-by-line reader takes it, whose results this gives exactly for the shapes it
    accepts (tests/sources/test_requirements_fast_path.py compares the two).

    One search refuses a file with any other line; then one match per pin takes the pin and
    the comment block under it. The comment lines are never split into objects one by one: a
    block's origins are read once per distinct block text (most blocks repeat: `# via -r
    requirements.in`). Every step after the match is a `map` over a column (no Python loop
    per pin but for same-line comments). `lines`: how many lines `str.splitlines` made of
    `text`, when the caller split it (then a count tells whether it broke lines at anything
    but "\\n")."""
    if lines is None:
        if _other_breaks(text):
            return None
    elif "\r" in text or "\x1f" in text or lines != text.count("\n") + (text[-1:] not in "\n"):
        # `str.splitlines` broke the file at something else than "\n" (or "\r", or "\x1f",
        # which the pattern above refuses too): a count of lines and two searches say so
        return None
    if text and not text.endswith("\n"):
        text += "\n"
    joined = "\\" in text
    if joined:
        if "\x00" in text:
            return None
        text = _HASH_LINE_RE.sub(_JOINED_LINE, text)
        if "\\" in text:  # a continuation of any other shape: the general reader joins it
            return None
    found = _LOCK_ENTRY_RE.findall(text)
    entries = len(found)
    while entries and not found[entries - 1][1]:  # the lines after the last entry
        entries -= 1
    if any(map(_TAKEN, found[:entries])):  # a line of another shape before the last entry
        return None
    if _LOCK_TAIL_RE.fullmatch("".join(map(_TAKEN, found[entries:]))) is None:
        return None
    if not entries:
        return None if joined and _JOINED in text else _EMPTY
    skipped, requirements, inlines, blocks, _ = zip(*found[:entries], strict=True)
    if joined and not _hashes_under_pins(text, inlines, blocks):
        return None
    parsed = tuple(map(plain_requirement, requirements))
    odd: tuple[tuple[int, str], ...] = ()
    if not all(parsed):
        odd = tuple((i, requirements[i]) for i, p in enumerate(parsed) if p is None)
        # a pin `packaging` refuses (the general reader says why), or hash lines under a
        # reference (an option on a line with no requirement to the general reader)
        if not all(_ODD_RE.fullmatch(text) for _, text in odd) or (
            joined and any(blocks[i].startswith(_JOINED) for i, _ in odd)
        ):
            return None
    known = _BLOCKS
    for block in set(blocks).difference(known):
        named = _origins(None, block.replace(_JOINED + "\n", "") if joined else block)
        known[block] = (named, None if named is None else origins_direct(named), _lines(block))
    read = list(map(known.__getitem__, blocks))
    if any(inlines):  # `--annotation-style=line`: the same-line comment comes first
        for index, inline in enumerate(inlines):
            if inline:
                named = _origins(inline, blocks[index])
                says = None if named is None else origins_direct(named)
                read[index] = (named, says, read[index][2])
    if len(known) > BLOCK_CACHE_SIZE:
        known.clear()
    # each entry's origins, whether they say top level, and its lines (the pin's and the
    # block's, `_lines`)
    origins, direct, sizes = zip(*read, strict=True)
    # entry i is on line 1 + (the lines of every entry before it) + (its own skipped lines);
    # an entry's lines are its skipped lines, the pin's and its block's
    if any(skipped[1:]):
        newlines = list(map(str.count, skipped, repeat("\n")))
        at = list(map(add, accumulate(map(add, sizes, newlines), initial=1), newlines))
    else:  # the usual lock: lines skipped only above the first pin (the header)
        at = list(accumulate(sizes[:-1], initial=1 + skipped[0].count("\n")))
    numbers = tuple(map(_LINE_NUMBERS.setdefault, at, at))
    if joined:
        columns = tuple(None if b.startswith(_JOINED) else 1 for b in blocks)
    else:
        columns = (1,) * len(numbers)
    return LockScan(numbers, columns, cast(tuple[ParsedLine, ...], parsed), origins, direct, odd)


def _hashes_under_pins(text: str, inlines: tuple[str, ...], blocks: tuple[str, ...]) -> bool:
    """Whether every `_JOINED` line of `text` is one of a run right under a pin that has no
    same-line comment: what pip joins to the pin. (A hash line under a comment line, a blank
    line or a `# via` block is an option on its own line to the general reader, which says so.)"""
    runs = {block: _joined_run(block) for block in set(blocks)}
    under = list(map(runs.__getitem__, blocks))
    if any(inline and run for inline, run in zip(inlines, under, strict=True)):
        return False
    return sum(under) == text.count(_JOINED)


def _joined_run(block: str) -> int:
    """How many `_JOINED` lines a pin's comment block starts with."""
    run = _JOINED_RUN_RE.match(block)
    return run.end() // len(_JOINED_LINE) if run is not None else 0


#: the origins of each distinct comment block under a pin, whether they say top level, and
#: the lines of the block and its pin (cleared when it grows past the size)
_BLOCKS: dict[str, tuple[tuple[str, ...] | None, bool | None, int]] = {}
BLOCK_CACHE_SIZE = 65536


def _lines(block: str) -> int:
    """The lines of a pin and the comment block under it."""
    return block.count("\n") + 1


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


_LOCK_CACHE: dict[bytes, LockScan | None] = {}
#: how many distinct locks the cache keeps (oldest out first): a repository that copies one
#: lock into many services hits it, and memory stays bounded however many services there are
LOCK_CACHE_SIZE = 64


def scan_lock_cached(text: str, lines: int | None = None) -> LockScan | None:
    """`scan_lock`, shared by identical files (keyed by a digest of the content, so the cache
    holds no file's text)."""
    key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    if key in _LOCK_CACHE:
        return _LOCK_CACHE[key]
    entries = _LOCK_CACHE[key] = scan_lock(text, lines)
    if len(_LOCK_CACHE) > LOCK_CACHE_SIZE:
        del _LOCK_CACHE[next(iter(_LOCK_CACHE))]
    return entries
