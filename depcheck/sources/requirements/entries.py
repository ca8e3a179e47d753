"""What one requirement line names: a PEP 508 requirement, a URL or a path, and error wording."""

from __future__ import annotations

import re
from functools import lru_cache

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PackagingRequirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from depcheck.model import ParsedLine, parsed_line, specifier_facts

ANY = SpecifierSet()  # shared: an empty specifier set is immutable in practice
_NO_EXTRAS: frozenset[str] = frozenset()
URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


_EGG_RE = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


_SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz")
_ARCHIVES = (".whl", *_SDIST_SUFFIXES)


_MISSING_VERSION_RE = re.compile(r"(===|==|!=|<=|>=|~=|<|>)\s*(?:$|,|;)")


@lru_cache(maxsize=65536)
def looks_like_path_or_url(text: str) -> bool:
    if URL_RE.match(text):
        return True
    if text.startswith((".", "/", "~")) or text.startswith("file:"):
        return True
    if "/" in text.split(";")[0] or "\\" in text.split(";")[0]:
        return "@" not in text.split("/")[0]
    return text.endswith(_ARCHIVES)


def name_from_reference(reference: str) -> tuple[str | None, str | None]:
    """The project name (and version, for an archive) a URL or path names.

    From `#egg=name`, or from a wheel (`name-1.0-py3-none-any.whl`) or sdist (`name-1.0.tar.gz`)
    file name; a bare directory or VCS URL without `#egg=` names nothing we can read statically.
    """
    egg = _EGG_RE.search(reference)
    if egg:
        return egg.group(1), None
    target = reference.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    return _archive_name(target.rsplit("/", 1)[-1])


def _archive_name(base: str) -> tuple[str | None, str | None]:
    """Name and version of a wheel (`name-1.0[-build]-py3-none-any.whl`) or sdist
    (`name-1.0.tar.gz`: the name ends at the first `-` before a digit) file name.

    Split by hand, in one pass: the regular expressions this replaces backtracked cubically on
    a long name with many `-1` in it (a 4.5 KB local path took a minute).
    """
    if base.endswith(".whl"):
        parts = base[: -len(".whl")].split("-")
        if not all(parts):
            return None, None
        for start in range(len(parts) - 4):
            rest = len(parts) - start
            if rest == 5 or (rest == 6 and parts[start + 2][:1].isdigit()):
                return parts[start], parts[start + 1]
        return None, None
    for suffix in _SDIST_SUFFIXES:
        if base.endswith(suffix) and len(base) > len(suffix):
            stem = base[: -len(suffix)]
            dash = stem.find("-", 1)
            while dash != -1 and not stem[dash + 1 : dash + 2].isdigit():
                dash = stem.find("-", dash + 1)
            if dash != -1:
                return stem[:dash], stem[dash + 1 :]
    return None, None


# The lines a monorepo repeats, read without `packaging`'s tokenizer (a cache miss there costs
# about 50 us a line; 25,000 distinct declared lines on the 1,000-service benchmark):
#     name [ "[" extra ("," extra)* "]" ] [ clause ("," clause)* ] [ ";" marker ]
# with no blank inside a clause. Only the split is ours: the clauses go to `SpecifierSet` and the
# marker to `Marker`, each built once per distinct text; any other shape (URLs, parentheses,
# blanks in clauses), and any text either refuses, takes the full `packaging` parse, so the
# result and the error messages are always `packaging`'s (the fast-path tests compare the two on
# generated lines).
# (A name is `[A-Za-z0-9][A-Za-z0-9._-]*` here and its last character is checked apart: the
# exact PEP 508 name pattern backtracks over the name at every failed position.)
NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"
_CLAUSE = r"(?:===|~=|==|!=|<=|>=|<|>)[A-Za-z0-9.*+!_-]+"
_SIMPLE_RE = re.compile(
    rf"({NAME})(?:\[({NAME}(?:,{NAME})*)\])?"
    rf"((?:{_CLAUSE})(?:,{_CLAUSE})*)?"
    r"(?:[ \t]*;[ \t]*(\S.*))?"
)
_NAME_ENDS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


@lru_cache(maxsize=16384)
def _clauses(text: str) -> tuple[SpecifierSet, str, str | None]:
    """One `SpecifierSet` per distinct clause text, shared by every name that uses it, and its
    `specifier_facts`."""
    specifier = SpecifierSet(text) if text else ANY
    key, pinned = specifier_facts(specifier)
    return specifier, key, pinned


@lru_cache(maxsize=4096)
def _marker(text: str) -> Marker:
    return Marker(text)


@lru_cache(maxsize=65536)
def _canonical(name: str) -> str:
    return canonicalize_name(name)


def _parse_simple(text: str) -> ParsedLine | None:
    """`text` parsed by the fast split above, or None when it is not that shape or `packaging`
    refuses a part (then the caller takes the full parse, which explains the error)."""
    match = _SIMPLE_RE.fullmatch(text)
    if match is None:
        return None
    # an absent part is "": no extras, no clauses, no marker
    name, extras, clauses, marker_text = match.groups("")
    if name[-1] not in _NAME_ENDS:
        return None
    if extras:
        if any(e[-1] not in _NAME_ENDS for e in extras.split(",")):
            return None
        extra_names = frozenset(_canonical(e) for e in extras.split(","))
    else:
        extra_names = _NO_EXTRAS
    try:
        specifier, key, pinned = _clauses(clauses)
        marker = _marker(marker_text) if marker_text else None
    except (InvalidSpecifier, InvalidMarker):
        return None
    return parsed_line(
        _canonical(name), name, specifier, marker, extra_names, None, key, pinned, text
    )


@lru_cache(maxsize=65536)
def parse_pep508(text: str) -> ParsedLine | tuple[str, int | None]:
    """Parse one PEP 508 requirement, memoized: a monorepo repeats the same lines thousands of
    times. Returns the parsed line, or (message, 0-based column) for a syntax error."""
    simple = _parse_simple(text)
    if simple is not None:
        return simple
    try:
        parsed = PackagingRequirement(text)
    except InvalidRequirement as exc:
        return describe_requirement_error(text, exc)
    key, pinned = specifier_facts(parsed.specifier)
    return ParsedLine(
        name=canonicalize_name(parsed.name),
        display_name=parsed.name,
        specifier=parsed.specifier,
        marker=parsed.marker,
        extras=frozenset(canonicalize_name(e) for e in parsed.extras),
        url=parsed.url,
        key=key,
        pinned=pinned,
        text=text,
    )


@lru_cache(maxsize=65536)
def plain_requirement(text: str) -> ParsedLine | None:
    """The parsed line when `text` is a valid PEP 508 requirement that is not a path or URL."""
    simple = _parse_simple(text)
    if simple is not None:
        # the fast split's shape has no `:`, `/` or `\\` before its `;` and starts with a
        # letter or digit, so of `looks_like_path_or_url` only the archive suffix can hold
        return None if text.endswith(_ARCHIVES) else simple
    if looks_like_path_or_url(text):
        return None
    parsed = parse_pep508(text)
    return parsed if isinstance(parsed, ParsedLine) else None


def describe_requirement_error(text: str, exc: InvalidRequirement) -> tuple[str, int | None]:
    """A one-line message for a PEP 508 syntax error, and its 0-based column in `text`."""
    # only the version part: in a marker (`; os_name ==`) a missing value is no missing version
    missing = _MISSING_VERSION_RE.search(text.split(";", 1)[0] + (";" if ";" in text else ""))
    # packaging >= 26.4 says where a syntax error is (`span`) and what it is (`message`)
    column = exc.span[0] if exc.span is not None else None
    if missing:
        where = _excerpt(text, missing.end(1))
        return f"expected a version after {missing.group(1)!r} (in {where!r})", missing.end(1)
    message = exc.message.splitlines()[0] if exc.message else ""
    message = message[0].lower() + message[1:] if message else "invalid requirement"
    return f"{message} (in {_excerpt(text, column)!r})", column


def _excerpt(text: str, column: int | None, width: int = 40) -> str:
    """The part of `text` an error points at: up to `width` characters before `column` and the
    token at `column`, never the rest of the line (a line may hold a credential: an include of a
    file that is not a requirements file quotes no more than its first bad token)."""
    start_of_token = min(column or 0, len(text))
    end = start_of_token
    while end < len(text) and end - start_of_token < width and not text[end].isspace():
        end += 1
    start = max(0, start_of_token - width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
