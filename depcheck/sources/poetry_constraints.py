"""Poetry version constraints, converted exactly to PEP 440 specifier sets.

Poetry's constraint language (python-poetry.org/docs/dependency-specification), as poetry-core
parses it:

    constraint   = alternative (("||" | "|") alternative)*
    alternative  = single (("," | whitespace) single)*
    single       = "*" | wildcard | [operator] version
    operator     = "^" | "~" | "~=" | "==" | "=" | "!=" | "<>" | ">=" | ">" | "<=" | "<" | "==="
    wildcard     = ["==" | "!="] N ("." N)* ".*"         (also "x" / "X" for "*")

    ^1.2.3 -> >=1.2.3,<2.0.0   ^0.2.3 -> >=0.2.3,<0.3.0   ^0.0.3 -> >=0.0.3,<0.0.4
    ^0     -> >=0,<1           ^0.0   -> >=0.0,<0.1       (bump the first non-zero part,
                                                          else the last one written)
    ~1.2.3 -> >=1.2.3,<1.3.0   ~1.2   -> >=1.2,<1.3       ~1 -> >=1,<2
    1.2.3  -> ==1.2.3          1.2.*  -> ==1.2.*          *  -> (any)

The upper bound keeps as many parts as the version was written with. A union (`||`) has no
single-SpecifierSet form: we return its convex hull (lowest lower bound to highest upper bound)
and say whether that admits versions the union does not, so the caller can warn. (A wildcard
alternative `1.2.*` contributes `>=1.2`, so the hull leaves out the dev releases of 1.2 itself.)
For a `python` constraint, a union is exact as a marker (`or`), see `python_marker`.

We convert ourselves rather than depend on poetry-core: it is a large package with its own
vendored copies of `packaging` and friends, for the one function we need here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from depcheck.errors import SourceError

_UNION_RE = re.compile(r"\s*\|\|?\s*")
_SINGLE_RE = re.compile(r"(\^|~=|~|===|==|!=|<>|>=|<=|>|<|=)?\s*([^\s,|<>=!~^][^\s,|]*)")
_SEPARATOR_RE = re.compile(r"^[\s,]*$")
_WILDCARD_RE = re.compile(r"^v?(\d+(?:\.\d+)*)((?:\.[*xX])+)$")
_ANY = frozenset({"*", "x", "X"})
_BLANKS_RE = re.compile(r"\s+")
_NAME_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


class PoetryConstraintError(SourceError):
    """A Poetry constraint that does not follow the grammar."""


@dataclass(frozen=True, slots=True)
class Converted:
    """A Poetry constraint as PEP 440 specifiers, in the order written."""

    specifiers: tuple[str, ...]
    #: True when a `||` union was replaced by a hull that admits more versions than it
    widened: bool = False

    @property
    def text(self) -> str:
        """The specifiers joined as a PEP 508 version part: `>=1.2,<2.0` ('' for any)."""
        return ",".join(self.specifiers)

    @property
    def specifier_set(self) -> SpecifierSet:
        return SpecifierSet(self.text)


def split_alternatives(constraint: str) -> list[list[str]]:
    """The PEP 440 specifiers of each `||` alternative (an empty list admits any version)."""
    # whitespace only separates; one space for each run keeps the patterns below linear (a run
    # of n blanks where a pattern tries `\s*` at every position would cost n squared)
    stripped = _BLANKS_RE.sub(" ", constraint.strip())
    if not stripped:
        raise PoetryConstraintError("empty version constraint")
    return [_alternative(part, constraint) for part in _UNION_RE.split(stripped)]


def convert_constraint(constraint: str) -> Converted:
    """Convert one Poetry constraint; raises `PoetryConstraintError` when it is malformed."""
    try:
        return _convert(constraint)
    except PoetryConstraintError:
        raise
    except ValueError:  # `packaging` reading a number past Python's 4300-digit limit
        raise PoetryConstraintError(
            f"a version number too long to compare in {constraint[:40]!r}…"
        ) from None


def _convert(constraint: str) -> Converted:
    alternatives = split_alternatives(constraint)
    if len(alternatives) == 1:
        return Converted(tuple(alternatives[0]))
    hull = _hull(alternatives)
    union = SpecifierSet(",".join(alternatives[0])).to_range()
    for alternative in alternatives[1:]:
        union = union | SpecifierSet(",".join(alternative)).to_range()
    widened = not SpecifierSet(",".join(hull)).to_range().difference(union).is_empty
    return Converted(tuple(hull), widened=widened)


def python_marker(constraint: str) -> str:
    """A PEP 508 marker for a Poetry `python` constraint ('' when it admits every version).

    Versions written with three or more parts compare `python_full_version`, shorter ones
    `python_version`, as Poetry does.
    """
    alternatives = split_alternatives(constraint)
    if any(not alternative for alternative in alternatives):
        return ""
    clauses: list[str] = []
    for alternative in alternatives:
        terms = []
        for text in alternative:
            spec = Specifier(text)
            version = spec.version.removesuffix(".*")
            variable = "python_full_version" if _is_full(version) else "python_version"
            terms.append(f'{variable} {spec.operator} "{spec.version}"')
        clauses.append(" and ".join(terms))
    if len(clauses) == 1:
        return clauses[0]
    return " or ".join(f"({clause})" for clause in clauses)


def _is_full(version: str) -> bool:
    try:
        parsed = Version(version)
    except InvalidVersion:
        return False
    return len(parsed.release) >= 3 or parsed.is_prerelease or parsed.is_postrelease


def _alternative(text: str, whole: str) -> list[str]:
    text = text.strip()
    if not text:
        raise PoetryConstraintError(f"empty alternative in {whole!r}")
    specifiers: list[str] = []
    position = 0
    for match in _SINGLE_RE.finditer(text):
        if not _SEPARATOR_RE.match(text[position : match.start()]):
            raise PoetryConstraintError(f"cannot read {text[position:]!r} in {whole!r}")
        specifiers.extend(_single(match.group(1), match.group(2), whole))
        position = match.end()
    if not _SEPARATOR_RE.match(text[position:]):
        raise PoetryConstraintError(f"cannot read {text[position:]!r} in {whole!r}")
    return specifiers


def _single(operator: str | None, version: str, whole: str) -> list[str]:
    if version in _ANY:
        if operator in (None, "==", "="):
            return []
        raise PoetryConstraintError(f"{operator}{version} is not a valid constraint in {whole!r}")
    wildcard = _WILDCARD_RE.match(version)
    if wildcard:
        if operator not in (None, "==", "=", "!="):
            raise PoetryConstraintError(
                f"a wildcard takes only == or != (not {operator}) in {whole!r}"
            )
        return [_checked(f"{'!=' if operator == '!=' else '=='}{wildcard.group(1)}.*", whole)]
    if operator in ("^", "~"):
        try:
            parsed = Version(version)
        except InvalidVersion:
            raise PoetryConstraintError(f"invalid version {version!r} in {whole!r}") from None
        release = parsed.release
        if operator == "^":
            nonzero = [i for i, part in enumerate(release) if part != 0]
            index = nonzero[0] if nonzero else len(release) - 1
        else:
            index = 0 if len(release) == 1 else 1
        upper = [*release[:index], release[index] + 1] + [0] * (len(release) - index - 1)
        epoch = f"{parsed.epoch}!" if parsed.epoch else ""
        upper_text = epoch + ".".join(str(part) for part in upper)
        return [_checked(f">={version}", whole), _checked(f"<{upper_text}", whole)]
    if operator in (None, "="):
        operator = "=="
    elif operator == "<>":
        operator = "!="
    return [_checked(f"{operator}{version}", whole)]


def _checked(text: str, whole: str) -> str:
    try:
        Specifier(text)
    except InvalidSpecifier:
        raise PoetryConstraintError(f"invalid version in {text!r} (from {whole!r})") from None
    return text


@dataclass(frozen=True, slots=True)
class _Bound:
    version: Version
    text: str
    inclusive: bool


def _bounds(specifiers: list[str]) -> tuple[_Bound | None, _Bound | None]:
    """The lowest and highest version an alternative admits (None: unbounded); `!=` ignored."""
    lower: _Bound | None = None
    upper: _Bound | None = None
    for text in specifiers:
        spec = Specifier(text)
        operator, version = spec.operator, spec.version
        lows: list[_Bound] = []
        highs: list[_Bound] = []
        if operator in (">=", ">"):
            lows.append(_Bound(Version(version), version, operator == ">="))
        elif operator in ("<", "<="):
            highs.append(_Bound(Version(version), version, operator == "<="))
        elif operator == "==" and version.endswith(".*"):
            base = version[:-2]
            lows.append(_Bound(Version(base), base, True))
            bumped = _bump_last(Version(base).release)
            highs.append(_Bound(Version(bumped), bumped, False))
        elif operator in ("==", "==="):
            try:
                exact = Version(version)
            except InvalidVersion:
                continue
            lows.append(_Bound(exact, version, True))
            highs.append(_Bound(exact, version, True))
        elif operator == "~=":
            lows.append(_Bound(Version(version), version, True))
            bumped = _bump_last(Version(version).release[:-1])
            highs.append(_Bound(Version(bumped), bumped, False))
        # within one alternative the constraints intersect: the highest start, the lowest end
        lower = max([*lows, *([lower] if lower else [])], key=_lower_key, default=None)
        upper = min([*highs, *([upper] if upper else [])], key=_upper_key, default=None)
    return lower, upper


def _lower_key(bound: _Bound) -> tuple[Version, bool]:
    """Orders lower bounds by where they start: `>1.0` starts after `>=1.0`."""
    return bound.version, not bound.inclusive


def _upper_key(bound: _Bound) -> tuple[Version, bool]:
    """Orders upper bounds by where they end: `<=2.0` ends after `<2.0`."""
    return bound.version, bound.inclusive


def _bump_last(release: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in (*release[:-1], release[-1] + 1))


def _hull(alternatives: list[list[str]]) -> list[str]:
    lowers: list[_Bound] = []
    uppers: list[_Bound] = []
    unbounded_below = unbounded_above = False
    for alternative in alternatives:
        lower, upper = _bounds(alternative)
        if lower is None:
            unbounded_below = True
        else:
            lowers.append(lower)
        if upper is None:
            unbounded_above = True
        else:
            uppers.append(upper)
    result: list[str] = []
    # the hull of a union: the lowest start, the highest end
    low = None if unbounded_below else min(lowers, key=_lower_key)
    high = None if unbounded_above else max(uppers, key=_upper_key)
    if (
        low is not None
        and high is not None
        and low.version == high.version
        and low.inclusive
        and high.inclusive
    ):
        return [f"=={low.text}"]
    if low is not None:
        result.append(f"{'>=' if low.inclusive else '>'}{low.text}")
    if high is not None:
        result.append(f"{'<=' if high.inclusive else '<'}{high.text}")
    return result


def extras_table(table: object) -> dict[str, set[str]]:
    """extra -> canonical package names, from `[package.extras]`, `[extras]`, tool.poetry.extras
    (the names of `"name (range) ; marker"` entries)."""
    result: dict[str, set[str]] = {}
    if not isinstance(table, dict):
        return result
    for extra, items in table.items():
        names: set[str] = set()
        for item in items if isinstance(items, list) else []:
            match = _NAME_RE.match(item) if isinstance(item, str) else None
            if match:
                names.add(canonicalize_name(match.group(1)))
        result[canonicalize_name(str(extra))] = names
    return result
