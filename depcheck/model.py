"""The value types every layer shares: locations, requirements, services, hosts, conflicts, reports.

Everything here is a frozen dataclass so a parsed repository or a finished report can be passed
around, cached and compared without anyone mutating it behind another layer's back. Package names
are PEP 503-normalized where a source creates them (``name``); the spelling the user wrote is kept
in ``display_name`` / ``text`` for messages.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace
from itertools import chain, compress, repeat
from operator import attrgetter, eq
from typing import Any, cast, overload

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


class Role(enum.StrEnum):
    """Whether a file states what a person wants or what a tool resolved."""

    DECLARED = "declared"
    LOCKED = "locked"


_LOCKED = Role.LOCKED


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Kind(enum.StrEnum):
    """A conflict's kind (see ARCHITECTURE.md, "Vocabulary")."""

    INCOMPATIBLE = "incompatible"
    PIN_MISMATCH = "pin-mismatch"


class Action(enum.StrEnum):
    ALIGN = "align"
    ISOLATE = "isolate"
    SPLIT = "split"


@dataclass(slots=True, order=True, unsafe_hash=True)
class Location:
    """A place in an input file: POSIX path relative to the scan root, 1-based line and column.

    A value, hashed by its fields, but not `frozen`: the frozen `__init__` costs four times a
    plain one, and many are built (a requirement's or an edge's `location`, each time it is
    asked for: they keep the place as fields). Never assign to one.
    """

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = self.path
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@dataclass(frozen=True, slots=True)
class Suppression:
    """An ignore-list entry that matched a conflict: shown and counted, but not failing the run."""

    reason: str
    until: str | None
    location: Location
    #: "ignore" (an entry of the config's ignore list) or "declared" (the services are declared
    #: never to be installed together, by `[tool.uv] conflicts`)
    by: str = "ignore"


@dataclass(frozen=True, slots=True)
class Finding:
    """What makes an error a finding: one service on one host whose own needs on one package
    admit no install (rule `self_contradiction`, or the resolver proving the service alone
    uninstallable). Matched against baselines and ignore entries as conflicts are.

    ``id`` is a stable fingerprint of (host, service, package)
    (`depcheck.analysis.evidence.finding_id`); ``evidence`` is "static" (the files alone) or
    "resolver" (--resolve).
    """

    id: str
    host: str
    service: str
    package: str
    evidence: str = "static"
    #: against a baseline: "new" or "known"; None without one
    baseline: str | None = None
    ignored: Suppression | None = None

    @property
    def counts(self) -> bool:
        """Whether this finding can fail the run (not ignored, not already in the baseline)."""
        return self.ignored is None and self.baseline != "known"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something about an input that the user should know: an error (exit 2) or a warning.

    An error with a `finding` is about what the files say rather than about reading them (a
    service whose own constraints admit no version): it fails the run as an incompatible
    conflict does, under `--fail-on` (exit 1), instead of as an input error, unless the
    baseline knows it or an ignore entry accepts it.
    """

    severity: Severity
    location: Location
    message: str
    finding: Finding | None = None

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True, slots=True)
class ParsedLine:
    """What one requirement's text says: name, range, marker, extras, URL, and the range's
    canonical text (`key`) and exact pin. One is shared by every requirement with the same
    text (a monorepo repeats its lines thousands of times), so a `Requirement` holds only what
    is its own beside it: where it is written and how its file uses it."""

    name: str
    display_name: str
    specifier: SpecifierSet
    marker: Marker | None
    extras: frozenset[str]
    url: str | None
    key: str
    pinned: str | None
    text: str = ""

    def __post_init__(self) -> None:
        if len(self.key) > LONG_KEY:
            _LONG_KEYS[0] = True


#: a range's canonical text (`key`) longer than this may hold too many clauses or a number too
#: long to compare (`sources.interface.drop_unusable_versions` looks at those); a parse made
#: with a longer key is noted, so while none has been, no source has one to look for
LONG_KEY = 300
_LONG_KEYS = [False]


def long_keys_made() -> bool:
    """Whether this process has made a parse with a key longer than `LONG_KEY`."""
    return _LONG_KEYS[0]


_new = object.__new__


def _slot(name: str) -> Callable[[ParsedLine, object], None]:
    setter: Callable[[ParsedLine, object], None] = getattr(ParsedLine, name).__set__
    return setter


# each field's slot, set directly: `ParsedLine(...)` sets a frozen field through
# `object.__setattr__` at twice the cost (a test checks `parsed_line` sets every field)
_set_name, _set_display, _set_specifier, _set_marker, _set_extras = map(
    _slot, ("name", "display_name", "specifier", "marker", "extras")
)
_set_url, _set_key, _set_pinned, _set_text = map(_slot, ("url", "key", "pinned", "text"))


def parsed_line(
    name: str,
    display_name: str,
    specifier: SpecifierSet,
    marker: Marker | None,
    extras: frozenset[str],
    url: str | None,
    key: str,
    pinned: str | None,
    text: str,
) -> ParsedLine:
    """`ParsedLine(...)` with every field given, built at half the cost (the parse caches
    build one per distinct requirement text)."""
    if len(key) > LONG_KEY:
        _LONG_KEYS[0] = True
    made: ParsedLine = _new(ParsedLine)
    _set_name(made, name)
    _set_display(made, display_name)
    _set_specifier(made, specifier)
    _set_marker(made, marker)
    _set_extras(made, extras)
    _set_url(made, url)
    _set_key(made, key)
    _set_pinned(made, pinned)
    _set_text(made, text)
    return made


#: a requirement's fields that its `ParsedLine` holds, by the name the parse gives them
_PARSED_FIELDS = {
    "name": "name",
    "display_name": "display_name",
    "specifier": "specifier",
    "marker": "marker",
    "extras": "extras",
    "text": "text",
    "url": "url",
    "key": "key",
    "pinned_version": "pinned",
}


#: `Requirement.kind`: a locked pin at top level (`==V` in a lock, no parent), a range (what a
#: service declares, or a lock records under a parent), each plus `KIND_MARKED` under a marker;
#: `KIND_OTHER` for the rest (`-c` constraints, uv overrides, a locked entry with no range)
KIND_OTHER, KIND_PIN, KIND_RANGE, KIND_MARKED = 0, 1, 2, 2
#: the key of the range that admits every version (`specifier_facts`)
ANY_KEY = "*"


def requirement_kind(
    parsed: ParsedLine, role: Role, parent: str | None, constraint_only: bool, override: bool
) -> int:
    """What `analysis.collect` does with a requirement of these facts (`Requirement.kind`)."""
    if constraint_only or override:
        return KIND_OTHER
    if role is Role.LOCKED and parent is None:
        if parsed.pinned is not None:
            kind = KIND_PIN
        elif parsed.key != ANY_KEY:
            kind = KIND_RANGE
        else:
            return KIND_OTHER  # a locked entry with no range and no pin constrains nothing
    else:
        kind = KIND_RANGE
    return kind if parsed.marker is None else kind + KIND_MARKED


class Requirement:
    """One constraint on one package, as a file states it.

    A value like the others (compared by its fields, never assigned to: `replace()` it), but a
    plain slotted class rather than a dataclass, because a scan builds one per requirement line
    (350,000 on the 1,000-service benchmark) and keeps them all: what the line's text says is
    one shared `ParsedLine` (`parsed`), and the place is its path, line and column, with
    `location` built only when asked for. That is 112 bytes a line where a field per fact and a
    `Location` took 216.

    ``parent`` is None when the file's owner (the service) asks for the package itself, and the
    normalized name of the requiring package when a lock file records a transitive requirement
    (``botocore`` requires ``urllib3<1.27``). ``direct`` says whether the service depends on the
    package at top level; for a locked pin it comes from the lock's own record (``# via -r ...``).
    ``constraint_only`` marks pip ``-c`` entries: they narrow a package that something else
    installs but never install it themselves. ``override``: uv's `override-dependencies`, which
    replaces every other range the service puts on the package.
    """

    __slots__ = (
        "column",
        "constraint_only",
        "direct",
        "editable",
        "kind",
        "line",
        "override",
        "parent",
        "parsed",
        "path",
        "role",
    )
    parsed: ParsedLine
    path: str
    line: int | None
    column: int | None
    role: Role
    direct: bool
    parent: str | None
    editable: bool
    constraint_only: bool
    override: bool
    #: what `analysis.collect` makes of it, decided once here (`requirement_kind`): a plain
    #: locked pin, a plain range, either under a marker, or something else
    kind: int

    def __init__(
        self,
        name: str,
        display_name: str,
        specifier: SpecifierSet,
        marker: Marker | None,
        extras: frozenset[str],
        text: str,
        location: Location,
        role: Role,
        direct: bool = True,
        parent: str | None = None,
        url: str | None = None,
        editable: bool = False,
        constraint_only: bool = False,
        key: str = "",
        pinned_version: str | None = None,
        override: bool = False,
    ) -> None:
        # `key` and `pinned_version` are derived from `specifier` (a monorepo asks for them
        # millions of times); a source that already knows them may pass both
        if not key:
            key, pinned_version = specifier_facts(specifier)
        self.parsed = ParsedLine(
            name, display_name, specifier, marker, extras, url, key, pinned_version, text
        )
        self.path = location.path
        self.line = location.line
        self.column = location.column
        self.role = role
        self.direct = direct
        self.parent = parent
        self.editable = editable
        self.constraint_only = constraint_only
        self.override = override
        self.kind = requirement_kind(self.parsed, role, parent, constraint_only, override)

    @classmethod
    def of(
        cls,
        parsed: ParsedLine,
        path: str,
        line: int | None,
        column: int | None,
        role: Role,
        direct: bool,
        constraint_only: bool,
    ) -> Requirement:
        """The requirement a line of a file states, from the shared parse of its text (what
        the requirements reader builds for every line: positional, nothing recomputed)."""
        made: Requirement = _new(cls)
        made.parsed = parsed
        made.path = path
        made.line = line
        made.column = column
        made.role = role
        made.direct = direct
        made.parent = None
        made.editable = False
        made.constraint_only = constraint_only
        made.override = False
        # `requirement_kind` with no parent and no override, inline (this runs for every line)
        if constraint_only:
            made.kind = KIND_OTHER
        elif role is _LOCKED:
            kind = (
                KIND_PIN
                if parsed.pinned is not None
                else KIND_RANGE
                if parsed.key != ANY_KEY
                else KIND_OTHER
            )
            made.kind = kind + KIND_MARKED if kind and parsed.marker is not None else kind
        else:
            made.kind = KIND_RANGE if parsed.marker is None else KIND_RANGE + KIND_MARKED
        return made

    @property
    def name(self) -> str:
        return self.parsed.name

    @property
    def display_name(self) -> str:
        return self.parsed.display_name

    @property
    def specifier(self) -> SpecifierSet:
        return self.parsed.specifier

    @property
    def marker(self) -> Marker | None:
        return self.parsed.marker

    @property
    def extras(self) -> frozenset[str]:
        return self.parsed.extras

    @property
    def text(self) -> str:
        return self.parsed.text

    @property
    def url(self) -> str | None:
        return self.parsed.url

    @property
    def key(self) -> str:
        """The specifier's canonical text ("*" when empty)."""
        return self.parsed.key

    @property
    def pinned_version(self) -> str | None:
        """V for an exact ``==V``/``===V``, else None."""
        return self.parsed.pinned

    @property
    def location(self) -> Location:
        return Location(self.path, self.line, self.column)

    def replace(self, **changes: object) -> Requirement:
        """A copy with other values for some fields (`dataclasses.replace` for this class);
        the parse stays shared unless a field of the text changes (`marker`, ...)."""
        copy: Requirement = _new(Requirement)
        for slot in Requirement.__slots__:
            setattr(copy, slot, getattr(self, slot))
        parsed: dict[str, object] = {}
        for name, value in changes.items():
            if name in _PARSED_FIELDS:
                parsed[_PARSED_FIELDS[name]] = value
            elif name == "location":
                assert isinstance(value, Location)
                copy.path, copy.line, copy.column = value.path, value.line, value.column
            elif name in Requirement.__slots__ and name != "parsed":
                setattr(copy, name, value)
            else:
                raise TypeError(f"Requirement has no field {name!r}")
        if parsed:
            if "specifier" in parsed and "key" not in parsed:
                assert isinstance(parsed["specifier"], SpecifierSet)
                parsed["key"], parsed["pinned"] = specifier_facts(parsed["specifier"])
            copy.parsed = dataclass_replace(self.parsed, **parsed)  # type: ignore[arg-type]
        copy.kind = requirement_kind(
            copy.parsed, copy.role, copy.parent, copy.constraint_only, copy.override
        )
        return copy

    def _values(self) -> tuple[object, ...]:
        # what equality compares: every field but the two derived from the specifier
        p = self.parsed
        return (
            p.name,
            p.display_name,
            p.specifier,
            p.marker,
            p.extras,
            p.text,
            self.path,
            self.line,
            self.column,
            self.role,
            self.direct,
            self.parent,
            p.url,
            self.editable,
            self.constraint_only,
            self.override,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Requirement:
            return NotImplemented
        assert isinstance(other, Requirement)
        return self is other or self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # a mutable-looking value, as the dataclass was

    def __repr__(self) -> str:
        p = self.parsed
        return (
            f"Requirement(name={p.name!r}, display_name={p.display_name!r}, "
            f"specifier={p.specifier!r}, marker={p.marker!r}, extras={p.extras!r}, "
            f"text={p.text!r}, location={self.location!r}, role={self.role!r}, "
            f"direct={self.direct!r}, parent={self.parent!r}, url={p.url!r}, "
            f"editable={self.editable!r}, constraint_only={self.constraint_only!r}, "
            f"override={self.override!r})"
        )


class RequirementRows(Sequence[Requirement]):
    """The requirements of one file kept as columns, each `Requirement` made when first read.

    The readers' fast paths (a lock in the usual shape, a declared file of plain lines) know
    each line's parse, place and kind without an object per line, and a scan needs no more
    for a host whose services agree: `analysis.collect` reads the columns (`parsed`, `kinds`,
    through `requirement_columns`), and makes requirements only for the packages a host
    disagrees on (`requirements_on`, `row`). A row is made once: reading it twice gives the
    same object. Compares equal to the tuple of its requirements.
    """

    __slots__ = (
        "_kinds",
        "_made",
        "columns",
        "constraint",
        "direct",
        "lines",
        "parsed",
        "path",
        "role",
    )

    def __init__(
        self,
        parsed: Sequence[ParsedLine],
        path: str,
        lines: Sequence[int | None],
        columns: Sequence[int | None],
        role: Role,
        direct: Sequence[bool],
        constraint: bool,
    ) -> None:
        self.parsed = parsed
        self.path = path
        self.lines = lines
        self.columns = columns
        self.role = role
        self.direct = direct
        self.constraint = constraint
        self._kinds: Sequence[int] | None = None
        self._made: list[Requirement | None] | None = None

    @property
    def kinds(self) -> Sequence[int]:
        """Each row's `Requirement.kind`, worked out when first read (by a host's analysis;
        `why` and `graph` never read it)."""
        kinds = self._kinds
        if kinds is None:
            kinds = self._kinds = row_kinds(self.parsed, self.role, self.constraint)
        return kinds

    def location(self, index: int) -> Location:
        """Where row `index` is (its requirement's `location`, without making the requirement)."""
        return Location(self.path, self.lines[index], self.columns[index])

    def row(self, index: int) -> Requirement:
        """The requirement of row `index`, made the first time it is read."""
        made = self._made
        if made is None:
            made = self._made = [None] * len(self.parsed)
        found = made[index]
        if found is None:
            found = made[index] = Requirement.of(
                self.parsed[index],
                self.path,
                self.lines[index],
                self.columns[index],
                self.role,
                self.direct[index],
                self.constraint,
            )
        return found

    def _all(self) -> list[Requirement]:
        made = self._made
        if made is None:
            made = self._made = list(
                map(
                    Requirement.of,
                    self.parsed,
                    repeat(self.path),
                    self.lines,
                    self.columns,
                    repeat(self.role),
                    self.direct,
                    repeat(self.constraint),
                )
            )
        elif any(found is None for found in made):
            for index in range(len(made)):
                self.row(index)
        return cast("list[Requirement]", made)

    def __len__(self) -> int:
        return len(self.parsed)

    @overload
    def __getitem__(self, index: int) -> Requirement: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Requirement, ...]: ...

    def __getitem__(self, index: int | slice) -> Requirement | tuple[Requirement, ...]:
        if isinstance(index, slice):
            return tuple(self._all()[index])
        if index < 0:
            index += len(self.parsed)
        if not 0 <= index < len(self.parsed):
            raise IndexError("requirement row out of range")
        return self.row(index)

    def __iter__(self) -> Iterator[Requirement]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (RequirementRows, RequirementChain, tuple, list)):
            return _same_requirements(self, other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RequirementRows({self.path!r}, {tuple(self)!r})"


class RequirementChain(Sequence[Requirement]):
    """A service's requirements: its files' parts one after the other (`RequirementRows` kept
    as they are, so what `collect` reads of them stays columns). Compares equal to the list or
    tuple of its requirements."""

    __slots__ = ("_flat", "chunks")

    def __init__(self, chunks: Iterable[Sequence[Requirement]]) -> None:
        #: the parts, none of them a chain
        self.chunks: tuple[Sequence[Requirement], ...] = tuple(
            part
            for chunk in chunks
            for part in (chunk.chunks if isinstance(chunk, RequirementChain) else (chunk,))
            if part
        )
        self._flat: tuple[Requirement, ...] | None = None

    def _all(self) -> tuple[Requirement, ...]:
        if self._flat is None:
            self._flat = tuple(chain.from_iterable(self.chunks))
        return self._flat

    def __len__(self) -> int:
        return sum(map(len, self.chunks))

    @overload
    def __getitem__(self, index: int) -> Requirement: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Requirement, ...]: ...

    def __getitem__(self, index: int | slice) -> Requirement | tuple[Requirement, ...]:
        return self._all()[index]

    def __iter__(self) -> Iterator[Requirement]:
        return chain.from_iterable(self.chunks)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (RequirementRows, RequirementChain, tuple, list)):
            return _same_requirements(self, other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RequirementChain({list(self)!r})"


def _same_requirements(mine: Sequence[Requirement], other: Sequence[object]) -> bool:
    return len(mine) == len(other) and all(map(eq, mine, other))


def joined_requirements(chunks: Iterable[Sequence[Requirement]]) -> Sequence[Requirement]:
    """Requirements read in parts, as one sequence: a tuple when no part is kept as rows, the
    one `RequirementRows` when it is the only part, else a `RequirementChain`."""
    parts = RequirementChain(chunks).chunks
    if not any(isinstance(part, RequirementRows) for part in parts):
        return tuple(chain.from_iterable(parts))
    if len(parts) == 1:
        return parts[0]
    return RequirementChain(parts)


def requirement_chunks(requirements: Sequence[Requirement]) -> tuple[Sequence[Requirement], ...]:
    """The parts `requirements` is kept in (itself, unless a `RequirementChain`)."""
    if isinstance(requirements, RequirementChain):
        return requirements.chunks
    return (requirements,) if requirements else ()


_PARSED_OF = attrgetter("parsed")
_KIND_OF = attrgetter("kind")
_NAME_OF = attrgetter("name")
_PINNED_OF = attrgetter("pinned")
_MARKER_OF = attrgetter("marker")


def requirement_columns(chunk: Sequence[Requirement]) -> tuple[Sequence[ParsedLine], Sequence[int]]:
    """Each requirement's parse and kind, for one part of `requirement_chunks` (the columns
    themselves for `RequirementRows`: no requirement is made)."""
    if isinstance(chunk, RequirementRows):
        return chunk.parsed, chunk.kinds
    return list(map(_PARSED_OF, chunk)), list(map(_KIND_OF, chunk))


def parsed_lines(requirements: Sequence[Requirement]) -> Iterator[ParsedLine]:
    """Each requirement's parse, in order, with no requirement made."""
    return chain.from_iterable(
        part.parsed if isinstance(part, RequirementRows) else map(_PARSED_OF, part)
        for part in requirement_chunks(requirements)
    )


def requirements_on(requirements: Sequence[Requirement], names: Set[str]) -> list[Requirement]:
    """The requirements on any package of `names`, in order; of `RequirementRows` only those
    rows are made."""
    found: list[Requirement] = []
    holds = names.__contains__
    for part in requirement_chunks(requirements):
        if isinstance(part, RequirementRows):
            wanted = map(holds, map(_NAME_OF, part.parsed))
            found.extend(map(part.row, compress(range(len(part.parsed)), wanted)))
        else:
            found.extend(r for r in part if holds(r.parsed.name))
    return found


def row_kinds(parsed: Sequence[ParsedLine], role: Role, constraint: bool) -> Sequence[int]:
    """`Requirement.of`'s kind of each parse (no parent, no override), the common columns
    (every lock pin plain, no line under a marker) in a few passes at C speed."""
    count = len(parsed)
    if constraint:
        return (KIND_OTHER,) * count
    unmarked = not any(map(_MARKER_OF, parsed))  # (a `Marker` is true)
    if role is _LOCKED:
        if unmarked and None not in map(_PINNED_OF, parsed):
            return (KIND_PIN,) * count
        return [requirement_kind(p, role, None, False, False) for p in parsed]
    if unmarked:
        return (KIND_RANGE,) * count
    return [KIND_RANGE if p.marker is None else KIND_RANGE + KIND_MARKED for p in parsed]


def is_version(text: str) -> bool:
    """Whether `text` is a PEP 440 version."""
    try:
        Version(text)
    except InvalidVersion:
        return False
    return True


_FACTS: dict[int, tuple[SpecifierSet, str, str | None]] = {}


def specifier_facts(specifier: SpecifierSet) -> tuple[str, str | None]:
    """A specifier's canonical text ("*" when empty) and, for an exact ``==V``/``===V``, V.

    Memoized per object: sources share one SpecifierSet among identical lines, and the cache
    holds a reference so an id is never reused while its entry lives.
    """
    cached = _FACTS.get(id(specifier))
    if cached is not None and cached[0] is specifier:
        return cached[1], cached[2]
    specs = list(specifier)
    pinned = None
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        pinned = specs[0].version
    try:
        key = str(specifier) or "*"
    except ValueError:
        # a version with a number of more than 4300 digits: `packaging` sorts the clauses by
        # version and Python refuses to read the number; the source drops the requirement
        # with a diagnostic (`drop_unusable_versions`), this key only has to exist until then
        key = ",".join(sorted(str(s) for s in specs))
    if len(_FACTS) < 200_000:
        _FACTS[id(specifier)] = (specifier, key, pinned)
    return key, pinned


@dataclass(frozen=True, slots=True)
class OpaqueRequirement:
    """A requirement depcheck records but cannot analyse: a local path or URL with no name."""

    text: str
    location: Location
    editable: bool = False


class Dependency:
    """A package-to-package edge from a lock: ``parent`` (at ``parent_version``) needs ``child``.

    ``specifier`` is empty when the lock records only that the edge exists (pip-compile ``# via``).
    A value, compared and hashed by its fields; a plain slotted class like `Requirement`: an
    edge a `# via` comment records (one per name, 190,000 on the 1,000-service benchmark) is
    written at its child's line, and holds that requirement instead of a `Location` of its own
    (`Dependency.via`). Never assign to one.
    """

    __slots__ = ("_at", "child", "marker", "parent", "parent_version", "specifier")
    parent: str
    parent_version: str | None
    child: str
    specifier: SpecifierSet
    marker: Marker | None
    _at: Location | Requirement

    def __init__(
        self,
        parent: str,
        parent_version: str | None,
        child: str,
        specifier: SpecifierSet,
        marker: Marker | None,
        location: Location,
    ) -> None:
        self.parent = parent
        self.parent_version = parent_version
        self.child = child
        self.specifier = specifier
        self.marker = marker
        self._at = location

    @classmethod
    def via(
        cls,
        parent: str,
        parent_version: str | None,
        requirement: Requirement,
        specifier: SpecifierSet,
    ) -> Dependency:
        """The edge a `# via PARENT` comment under `requirement`'s line records."""
        made: Dependency = _new(cls)
        made.parent = parent
        made.parent_version = parent_version
        made.child = requirement.parsed.name
        made.specifier = specifier
        made.marker = None
        made._at = requirement
        return made

    @property
    def location(self) -> Location:
        at = self._at
        return at.location if isinstance(at, Requirement) else at

    def _values(self) -> tuple[object, ...]:
        return (
            self.parent,
            self.parent_version,
            self.child,
            self.specifier,
            self.marker,
            self.location,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Dependency:
            return NotImplemented
        assert isinstance(other, Dependency)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return (
            f"Dependency(parent={self.parent!r}, parent_version={self.parent_version!r}, "
            f"child={self.child!r}, specifier={self.specifier!r}, marker={self.marker!r}, "
            f"location={self.location!r})"
        )


class ViaEdges(Sequence[Dependency]):
    """The `# via` edges of a lock, made when first read.

    A pip-compile lock records one edge per name in each pin's `# via` list (190,000 on the
    1,000-service benchmark), and a scan reads them only for the services in a conflict (the
    graph's paths): until then this holds each requirement beside its origins (the list a
    lock repeats, shared), and `parents` turns an origin list into the package names it
    names. Compares equal to the tuple of its edges.
    """

    __slots__ = ("_chunks", "_made", "_parents")

    def __init__(
        self,
        chunks: Sequence[tuple[Sequence[Requirement], Sequence[tuple[str, ...] | None]]],
        parents: Callable[[tuple[str, ...]], tuple[str, ...]],
    ) -> None:
        self._chunks = chunks
        self._parents = parents
        self._made: tuple[Dependency, ...] | None = None

    def _edges(self) -> tuple[Dependency, ...]:
        made = self._made
        if made is None:
            found: list[Dependency] = []
            append, edge, parents = found.append, Dependency.via, self._parents
            for requirements, origins in self._chunks:
                # each edge names its parent's pinned version in the same file
                pins = {r.parsed.name: r.parsed.pinned for r in requirements}
                pin = pins.get
                for requirement, named in zip(requirements, origins, strict=True):
                    if named:
                        for parent in parents(named):
                            append(edge(parent, pin(parent), requirement, _ANY))
            made = self._made = tuple(found)
            self._chunks = ()
        return made

    def unread(
        self,
    ) -> Sequence[tuple[Sequence[Requirement], Sequence[tuple[str, ...] | None]]] | None:
        """Each file's requirements beside their `# via` origins, while no edge has been made
        (None once they are): a query that needs only the edges into a few packages (the
        graph's paths towards one package) makes those alone, with `parents` and `edge`."""
        return self._chunks if self._made is None else None

    def parents(self, origins: tuple[str, ...]) -> tuple[str, ...]:
        """The packages an origin list names, in its order."""
        return self._parents(origins)

    @staticmethod
    def edge(parent: str, parent_version: str | None, requirement: Requirement) -> Dependency:
        """The edge `# via parent` records under `requirement` (what iterating makes)."""
        return Dependency.via(parent, parent_version, requirement, _ANY)

    def __len__(self) -> int:
        return len(self._edges())

    @overload
    def __getitem__(self, index: int) -> Dependency: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Dependency, ...]: ...

    def __getitem__(self, index: int | slice) -> Dependency | tuple[Dependency, ...]:
        return self._edges()[index]

    def __iter__(self) -> Iterator[Dependency]:
        return iter(self._edges())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ViaEdges):
            return self._edges() == other._edges()
        if isinstance(other, tuple):
            return self._edges() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ViaEdges({self._edges()!r})"


_ANY = SpecifierSet()


@dataclass(frozen=True, slots=True)
class DeclaredConflict:
    """One `[tool.uv] conflicts` entry: items uv is told never to install together.

    Each item is (package, extra, group), names normalised: a workspace member's production
    dependencies (`{package = "a"}`), one of its extras or one of its dependency groups.
    """

    items: tuple[tuple[str, str | None, str | None], ...]
    location: Location


@dataclass(frozen=True, slots=True)
class SourceFile:
    """Everything one source read from one dependency file (and the files it includes)."""

    path: str
    format: str
    role: Role
    #: a tuple, or the rows a reader's fast path kept (`RequirementRows`, `RequirementChain`)
    requirements: Sequence[Requirement] = ()
    dependencies: Sequence[Dependency] = ()
    opaque: tuple[OpaqueRequirement, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    includes: tuple[str, ...] = ()
    requires_python: SpecifierSet | None = None
    #: where the file states its Python requirement (requires-python, Poetry's `python`, ...)
    requires_python_line: int | None = None
    #: the Python minor a lock says it was compiled for (`pip-compile with Python 3.12`), and
    #: the header line: where no host states its Python, the locks' own is taken
    compiled_for: tuple[str, int] | None = None
    #: the project the file defines, at its version (`app==1.2.0`): what the service installs of
    #: itself, checked against other services' constraints on that name
    itself: Requirement | None = None
    #: a uv workspace root's member globs (relative to the file's folder), and the
    #: `constraint-dependencies` / `override-dependencies` that apply to every member
    workspace_members: tuple[str, ...] = ()
    workspace_requirements: tuple[Requirement, ...] = ()
    #: `[tool.uv] conflicts`: members (or their extras/groups) declared never installed together
    declared_conflicts: tuple[DeclaredConflict, ...] = ()


#: in `Groups.names`: every dependency group
ALL_GROUPS = "*"


@dataclass(frozen=True, slots=True)
class Groups:
    """The dependency groups an install takes of a project, as its command line says.

    `default`: the installing tool's default groups (Poetry: every group not marked
    `optional = true`; uv: `[tool.uv] default-groups`, `dev` when unset); `names`: groups asked
    for by name (`--with docs`, `--group test`, `--dev`; `*`: every group); `without`: groups
    left out (`--without dev`, `--no-group lint`, `--no-dev`). Names are normalised (PEP 503).
    Runtime dependencies (Poetry's `main`) are not a group here: they are always installed.
    """

    default: bool = False
    names: frozenset[str] = frozenset()
    without: frozenset[str] = frozenset()

    def wants(self, group: str, *, default: bool) -> bool:
        """Whether the install takes `group` (`default`: whether the tool installs it unasked)."""
        name = canonicalize_name(group)
        if name in self.without:
            return False
        return ALL_GROUPS in self.names or name in self.names or (self.default and default)

    def __or__(self, other: Groups) -> Groups:
        """What two installs of one project take between them (one that takes nothing adds
        nothing, its `without` included)."""
        if not self:
            return other
        if not other:
            return self
        return Groups(
            self.default or other.default, self.names | other.names, self.without & other.without
        )

    def __bool__(self) -> bool:
        return self.default or bool(self.names)

    def describe(self) -> str:
        """`default groups and docs, without dev` (for messages)."""
        parts = ["the default groups"] if self.default else []
        if ALL_GROUPS in self.names:
            parts = ["every group"]
        else:
            parts.extend(sorted(self.names))
        text = " and ".join(parts) if parts else "no groups"
        if self.without:
            text += f", without {', '.join(sorted(self.without))}"
        return text


#: an install that takes no dependency group
NO_GROUPS = Groups()


@dataclass(frozen=True, slots=True)
class Service:
    """A deployable unit and the dependency files that describe it."""

    name: str
    path: str | None
    sources: tuple[str, ...]
    #: optional-dependency extras of the service's own project that it installs
    extras: tuple[str, ...] = ()
    #: every development group (`--include-dev`, the config's `include-dev`)
    include_dev: bool = False
    #: the dependency groups its deployment installs (`poetry install --with docs`)
    groups: Groups = NO_GROUPS


@dataclass(frozen=True, slots=True)
class Environment:
    """The PEP 508 marker environment of a host, and where its values came from."""

    python_version: str
    python_full_version: str
    sys_platform: str
    os_name: str
    platform_system: str
    platform_machine: str = "x86_64"
    implementation_name: str = "cpython"
    platform_python_implementation: str = "CPython"
    source: str = "config"
    #: whether the host's Python was stated (config or --python) rather than assumed
    python_configured: bool = True

    def markers(self) -> dict[str, str]:
        """The dict `packaging.markers.Marker.evaluate` takes."""
        return {
            "python_version": self.python_version,
            "python_full_version": self.python_full_version,
            "sys_platform": self.sys_platform,
            "os_name": self.os_name,
            "platform_system": self.platform_system,
            "platform_machine": self.platform_machine,
            "platform_release": "",
            "platform_version": "",
            "implementation_name": self.implementation_name,
            "implementation_version": self.python_full_version,
            "platform_python_implementation": self.platform_python_implementation,
            "extra": "",
        }

    def describe(self) -> str:
        return f"python {self.python_version}, {self.sys_platform}"


@dataclass(frozen=True, slots=True)
class Host:
    """A place where services share one Python environment."""

    name: str
    services: tuple[str, ...]
    environment: Environment
    #: the deployment-file line that made this host (None: config or discovery)
    origin: Location | None = None
    #: per service, the repository paths the deployment files install of it
    installs: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class ConflictRequirement:
    """One constraint behind a conflict: where it was written, how the service reached it."""

    service: str
    requirement: str
    specifier: str
    location: Location
    role: Role
    direct: bool
    via: tuple[str, ...]
    pinned: str | None = None
    #: the package whose lock records this range (None: the service's own constraint or pin)
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class ParentMove:
    """A package whose locked version must change too for an align: its recorded range excludes it.

    ``blocking`` are the (parent version, range on the package) pairs the locks record that
    exclude the align version; ``target`` a version of the parent that some service locks and
    whose recorded range admits it.
    """

    parent: str
    blocking: tuple[tuple[str | None, str], ...]
    target: str | None

    def named(self) -> str:
        return self.parent if self.target is None else f"{self.parent} (to {self.target})"

    def held(self, package: str) -> str:
        return ", ".join(
            f"{self.parent}{' ' + version if version else ''} requires {package}{key}"
            for version, key in self.blocking
        )


@dataclass(frozen=True, slots=True)
class Recommendation:
    """What to do about one conflict, as facts; `depcheck.recommend.advice.describe` words it
    (once, for every format)."""

    action: Action
    version: str | None = None
    #: for an isolate: the services to move out; empty for a split
    services: tuple[str, ...] = ()
    #: the host plan's groups, for a split (and for a move the split makes)
    groups: tuple[tuple[str, ...], ...] = ()
    #: for an align: the lock files to re-lock
    relock: tuple[str, ...] = ()
    #: for an align: the packages whose locked version must change too, because the range their
    #: lock records on this package excludes `version`
    parents: tuple[str, ...] = ()
    #: for an align: the parents' moves, the range every known constraint leaves (when no
    #: locked version fits it), and the services that only lock the package (no declared range)
    moves: tuple[ParentMove, ...] = ()
    allowed: str = ""
    unverified: tuple[str, ...] = ()
    #: with --resolve, what proved an align: "host" (the resolver installed the host with
    #: `version`) or "groups" (each group of the host's plan installs with it); "" unproven
    proved: str = ""
    #: with --resolve: the version the files suggested, when the resolver proved another
    instead_of: str = ""
    #: with --resolve: why a pin mismatch's advice is not the align its files suggest (no
    #: version of the package lets the host resolve), why an align stays unproven, or why a
    #: proved align was proved within the plan's groups rather than the whole host
    note: str = ""


class Pairs(Sequence[tuple[str, str]]):
    """Pairs of services, each sorted, in the order `itertools.combinations` gives them over
    `services`: those whose classes meet in `against` (a class's set of the classes it clashes
    with; symmetric). Listed when read, never kept: a host of 1,000 services whose versions
    disagree on 600 packages has 3.6 million such pairs, which only a diagram reads whole.

    A value like a tuple of the pairs: it compares equal to one, and hashes as one."""

    __slots__ = ("_against", "_classes", "_services")

    def __init__(
        self,
        services: Sequence[str],
        classes: Sequence[Any],
        against: Mapping[Any, Set[Any]],
    ) -> None:
        # (copies: the pairs are listed later, from what the lists held when they were given)
        self._services = tuple(services)
        self._classes = tuple(classes)
        self._against = against

    @classmethod
    def every(cls, services: Iterable[str]) -> Pairs:
        """Every two of `services`, sorted."""
        listed = sorted(services)
        return cls(listed, [None] * len(listed), {None: {None}})

    def _later(self) -> Iterator[tuple[str, Iterator[str]]]:
        services, classes, against = self._services, self._classes, self._against
        for index, (service, of) in enumerate(zip(services, classes, strict=True)):
            other = against.get(of)
            if other:
                later = compress(
                    services[index + 1 :], map(other.__contains__, classes[index + 1 :])
                )
                yield service, later

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for service, later in self._later():
            yield from zip(repeat(service), later)

    def __len__(self) -> int:
        return sum(sum(1 for _ in later) for _, later in self._later())

    def __bool__(self) -> bool:
        return next(iter(self), None) is not None

    @overload
    def __getitem__(self, index: int) -> tuple[str, str]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[str, str]]: ...

    def __getitem__(self, index: int | slice) -> tuple[str, str] | Sequence[tuple[str, str]]:
        return tuple(self)[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Pairs | tuple):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Pairs({tuple(self)!r})"


@dataclass(frozen=True, slots=True)
class Conflict:
    id: str
    host: str
    package: str
    display_name: str
    kind: Kind
    services: tuple[str, ...]
    requirements: tuple[ConflictRequirement, ...]
    recommendation: Recommendation
    reason: str
    verified: bool = True
    #: against a baseline: "new" (not in it), "known" (in it, with no service more) or
    #: "changed" (in it, but it gained services or became incompatible); None without one
    baseline: str | None = None
    #: for a changed conflict: the services the baseline's record of it did not have
    added_services: tuple[str, ...] = ()
    #: for a new or changed conflict: where the constraints the baseline did not have are
    #: written (the lines the change under review wrote); empty when the baseline cannot say
    introduced: tuple[Location, ...] = ()
    ignored: Suppression | None = None
    #: what proves it: "static" (the files alone), "index" (released versions or package
    #: metadata, with --resolve) or "resolver" (a resolution that fails, with --resolve)
    evidence: str = "static"
    #: the pairs of services (each pair sorted) that disagree, as the rule that found the
    #: conflict decided: a diagram draws one edge per pair. A clash only three or more ranges
    #: make together has no such pair: then every two of `services` are listed.
    pairs: Sequence[tuple[str, str]] = ()

    @property
    def counts(self) -> bool:
        """Whether this conflict can fail the run (not ignored, not already in the baseline)."""
        return self.ignored is None and self.baseline != "known"

    @property
    def participants(self) -> tuple[str, ...]:
        """The conflict's services and any other service whose constraint it shows, sorted."""
        return tuple(sorted(set(self.services) | {r.service for r in self.requirements}))


@dataclass(frozen=True, slots=True)
class Image:
    """One image of a split: its name, the services in it, the repository paths it installs."""

    name: str
    services: tuple[str, ...]
    installs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """How to make a host conflict-free: the fewest groups, or the fewest services to move out."""

    host: str
    groups: tuple[tuple[str, ...], ...]
    isolate: tuple[str, ...]
    method: str
    #: the groups in deployment terms (one image each), when the host must split
    images: tuple[Image, ...] = ()
    #: no partition has fewer groups than this (proven; equal to len(groups) for an exact plan)
    lower_bound: int = 1


@dataclass(frozen=True, slots=True)
class ServiceReport:
    service: Service
    sources: tuple[SourceFile, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """The finished analysis; formatters turn it into text, the CLI writes it."""

    root: str
    config: str | None
    hosts: tuple[Host, ...]
    services: tuple[ServiceReport, ...]
    conflicts: tuple[Conflict, ...]
    plans: tuple[Plan, ...]
    diagnostics: tuple[Diagnostic, ...]
    elapsed: float = field(default=0.0, compare=False)
    #: what conflicts are compared against (a baseline file, or "git REF"), and the ids it had
    #: that this scan no longer finds
    baseline: str | None = None
    fixed: tuple[str, ...] = ()
    #: which conflicts fail the run: "any", "incompatible" or "never"
    fail_on: str = "any"
    #: the run's exit code, as the command line decides it (`depcheck.cli.verdict`); the
    #: formats show it
    exit_code: int = 0
    #: one line each: how hosts were decided, what discovery left out
    notes: tuple[str, ...] = ()
    #: (directory, reason) of what discovery did not take for services (examples, docs, ...)
    left_out: tuple[tuple[str, str], ...] = ()
    #: made with `--resolve`: each conflict's evidence is worth showing (static, index, resolver)
    resolved: bool = False
    #: the README the SARIF rules' helpUri anchors point at (`--docs-url`, `DEPCHECK_DOCS_URL`,
    #: the config's `docs-url`); None: the project URL of depcheck's package metadata, if any
    docs_url: str | None = None

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def input_errors(self) -> tuple[Diagnostic, ...]:
        """The errors that stopped an input from being read or used (exit 2)."""
        return tuple(d for d in self.errors if d.finding is None)

    @property
    def findings(self) -> tuple[Finding, ...]:
        """What the errors that are findings found (a self-contradicting service, ...)."""
        return tuple(d.finding for d in self.errors if d.finding is not None)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)

    def count(self, kind: Kind) -> int:
        return sum(1 for c in self.conflicts if c.kind is kind)


@dataclass(frozen=True, slots=True)
class PathStep:
    """One edge on a path from a service to a package, with the constraint written on it."""

    package: str
    version: str | None
    specifier: str
    locations: tuple[Location, ...] = ()
    markers: tuple[str, ...] = ()
    #: `why --resolve`: the step is a release the resolver installed (its range from metadata)
    resolved: bool = False


@dataclass(frozen=True, slots=True)
class ServicePaths:
    """`depcheck why`: one service's recorded paths to the package, shortest first."""

    service: str
    hosts: tuple[str, ...]
    paths: tuple[tuple[PathStep, ...], ...]
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Explanation:
    """`depcheck why PACKAGE`: every service that needs the package, and how."""

    package: str
    display_name: str
    root: str
    services: tuple[ServicePaths, ...]
    diagnostics: tuple[Diagnostic, ...]
