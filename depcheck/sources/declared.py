"""What the declared project formats (pyproject.toml, setup.cfg, Pipfile) share.

A PEP 508 string becomes a `Requirement` or a diagnostic (the message is the requirements
source's, so every format words a syntax error the same way). A project may name itself in its
own extras (`myproj[a]` inside extra `b`, or inside a dependency group): that is not a
dependency on a package, it means "also the requirements of extra `a`", so such strings become
`SelfReference`s and `expand_entries` replaces them by what they name. Markers on the way are
ANDed (`myproj[a]; python_version < "3.12"` makes every requirement of `a` conditional).

Also here, for every TOML source (declared files and locks alike): reading and parsing a TOML
file into a `TomlDocument` (`read_toml`), the diagnostic for a TOML syntax error or for nesting
too deep to parse, and the wording of a value's TOML type. And for the declared formats: the
readable PEP 508 line for a requirement written as a table, a VCS reference as a PEP 508 URL,
reading the requirements files a declared file points at (setuptools' `file:`), and the one
place their `SourceFile` is put together (`declared_file`).
"""

from __future__ import annotations

import abc
import posixpath
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PackagingRequirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from depcheck.errors import ReadError
from depcheck.fs import read_text
from depcheck.model import (
    DeclaredConflict,
    Diagnostic,
    Location,
    Requirement,
    Role,
    Severity,
    SourceFile,
)
from depcheck.sources.interface import (
    ReadOptions,
    Source,
    drop_unusable_versions,
)
from depcheck.sources.requirements import RequirementsFileSource
from depcheck.sources.requirements.entries import describe_requirement_error
from depcheck.sources.toml_locations import KeyPath, TomlLocations, dotted

ALL_EXTRAS = "*"

# no leading `\s*`: searched from every position of a run of blanks it would cost their square
_TOML_POSITION_RE = re.compile(r"\(at line (\d+), column (\d+)\)\s*$")
_AT_END = " (at end of document)"
_NESTING_RE = re.compile(r"[\[\]{}\n]")
#: how deep arrays and tables may nest before a nesting error points at the line (tomllib and
#: json recurse once or twice per level and fail somewhere past a few hundred)
NESTING_SHOWN = 100


@dataclass(slots=True)
class Collector:
    """The diagnostics one read gathers, in the order found."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, location: Location, message: str) -> None:
        self.diagnostics.append(Diagnostic(Severity.ERROR, location, message))

    def warn(self, location: Location, message: str) -> None:
        self.diagnostics.append(Diagnostic(Severity.WARNING, location, message))


@dataclass(frozen=True, slots=True)
class SelfReference:
    """`myproj[a,b]` written inside myproj's own extras or groups: "include extras a and b"."""

    extras: frozenset[NormalizedName]
    marker: Marker | None
    text: str
    location: Location


Entry = Requirement | SelfReference


def describe_type(value: object) -> str:
    """A TOML value's type as a message says it: "a string", "an array", ..."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date/time"


def requirement_text(
    name: str,
    extras: Sequence[str],
    specifier: str,
    url: str | None,
    marker: Marker | None,
) -> str:
    """A readable PEP 508 line for a requirement written in a table: `requests[socks]>=2,<3`."""
    text = name + (f"[{','.join(extras)}]" if extras else "")
    text += f" @ {url}" if url else specifier
    if marker is not None:
        text += f"{' ' if url else ''}; {marker}"
    return text


def toml_error_diagnostic(
    path: str, exc: tomllib.TOMLDecodeError, text: str | None = None
) -> Diagnostic:
    """An error pointing at the line and column `tomllib` reports (the last line when it
    reports "at end of document")."""
    message = str(exc).splitlines()[0] if str(exc) else "invalid TOML"
    line: int | None = getattr(exc, "lineno", None)  # Python >= 3.14
    column: int | None = getattr(exc, "colno", None)
    match = _TOML_POSITION_RE.search(message)
    if match:
        line = line or int(match.group(1))
        column = column or int(match.group(2))
        message = message[: match.start()].rstrip()
    elif message.endswith(_AT_END):
        line = line or (max(1, len(text.splitlines())) if text is not None else None)
        message = message.removesuffix(_AT_END)
    message = getattr(exc, "msg", None) or message
    return Diagnostic(Severity.ERROR, Location(path, line, column), f"invalid TOML: {message}")


def nesting_error(path: str, text: str, what: str) -> Diagnostic:
    """The error for a document nested too deeply to parse, at the line where the nesting passes
    `NESTING_SHOWN` levels (brackets inside strings count too: this only picks a line)."""
    depth, line, found = 0, 1, None
    for match in _NESTING_RE.finditer(text):
        char = match.group(0)
        if char == "\n":
            line += 1
        elif char in "[{":
            depth += 1
            if depth > NESTING_SHOWN:
                found = line
                break
        else:
            depth = max(0, depth - 1)
    return Diagnostic(
        Severity.ERROR,
        Location(path, found),
        f"invalid {what}: arrays or tables nested too deeply to read",
    )


# Python refuses to turn more than 4300 digits into an int (the CVE-2020-10735 limit); tomllib
# and json then fail with a bare ValueError, not their decode error
_LONG_NUMBER_RE = re.compile(r"\d{4301}")


def long_number_error(path: str, text: str, what: str) -> Diagnostic:
    """The error for a document holding a number too long for Python, at its line."""
    match = _LONG_NUMBER_RE.search(text)
    line = text.count("\n", 0, match.start()) + 1 if match else None
    return Diagnostic(
        Severity.ERROR,
        Location(path, line),
        f"invalid {what}: a number of more than 4300 digits, too long to read",
    )


@dataclass(frozen=True, slots=True)
class TomlDocument:
    """A parsed TOML file and where each of its keys and array elements is written."""

    data: dict[str, Any]
    locations: TomlLocations

    def line(self, *path: str | int) -> int | None:
        """The line of `path`, else of its nearest written ancestor."""
        found = self.locations.find(path)
        return found[0] if found else None


def load_toml(text: str, path: str) -> tuple[dict[str, Any] | None, Diagnostic | None]:
    """The parsed document, or None and an error at the line and column tomllib names."""
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as exc:
        return None, toml_error_diagnostic(path, exc, text)
    except RecursionError:  # tomllib recurses once per nesting level
        return None, nesting_error(path, text, "TOML")
    except ValueError:  # a number past Python's digit limit (TOMLDecodeError is caught above)
        return None, long_number_error(path, text, "TOML")


def companion_data(options: ReadOptions, path: str) -> dict[str, Any] | None:
    """A declared TOML file's data for the lock beside it, or None when it cannot be read or
    parsed: its problems are reported where it is read as a source of its own."""
    try:
        text, _ = read_text(options.root, path)
    except ReadError:
        return None
    return load_toml(text, path)[0]


def read_toml(options: ReadOptions, path: str) -> tuple[TomlDocument | None, list[Diagnostic]]:
    """Read and parse a TOML dependency file.

    Returns the document and the decoding warnings, or None and those plus the syntax error.
    Raises `ReadError` when the file cannot be read at all.
    """
    text, diagnostics = read_text(options.root, path, allow_outside_root=options.allow_outside_root)
    data, error = load_toml(text, path)
    if data is None:
        assert error is not None
        return None, [*diagnostics, error]
    try:
        locations = TomlLocations(text)
    except RecursionError:
        return None, [*diagnostics, nesting_error(path, text, "TOML")]
    return TomlDocument(data, locations), diagnostics


class DeclaredReader(Protocol):
    """What a declared-format reader has gathered when it is done."""

    requirements: list[Requirement]
    includes: list[str]
    requires_python: SpecifierSet | None
    requires_python_line: int | None


def declared_file(
    path: str, format: str, collector: Collector, reader: DeclaredReader | None = None
) -> SourceFile:
    """The `SourceFile` of a declared format: what `reader` found (nothing when the file could
    not be parsed) and every diagnostic on the way."""
    if reader is None:
        return SourceFile(
            path=path, format=format, role=Role.DECLARED, diagnostics=tuple(collector.diagnostics)
        )
    return drop_unusable_versions(
        SourceFile(
            path=path,
            format=format,
            role=Role.DECLARED,
            requirements=tuple(reader.requirements),
            diagnostics=tuple(collector.diagnostics),
            includes=tuple(reader.includes),
            requires_python=reader.requires_python,
            requires_python_line=reader.requires_python_line,
            itself=reader.itself if isinstance(reader, TomlReader) else None,
            workspace_members=tuple(reader.workspace_members)
            if isinstance(reader, TomlReader)
            else (),
            workspace_requirements=tuple(reader.workspace_requirements)
            if isinstance(reader, TomlReader)
            else (),
            declared_conflicts=tuple(reader.declared_conflicts)
            if isinstance(reader, TomlReader)
            else (),
        )
    )


@dataclass(slots=True)
class TomlReader:
    """A declared TOML file being read: its locations, what it yields, and messages at lines."""

    path: str
    options: ReadOptions
    locations: TomlLocations
    collector: Collector
    requirements: list[Requirement] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    requires_python: SpecifierSet | None = None
    requires_python_line: int | None = None
    itself: Requirement | None = None
    workspace_members: list[str] = field(default_factory=list)
    workspace_requirements: list[Requirement] = field(default_factory=list)
    declared_conflicts: list[DeclaredConflict] = field(default_factory=list)

    def read(self, data: dict[str, Any]) -> None:
        """Gather what the parsed document declares."""
        raise NotImplementedError

    def loc(self, path: KeyPath) -> Location:
        found = self.locations.find(path)
        return Location(self.path, *found) if found else Location(self.path)

    def error(self, path: KeyPath, message: str) -> None:
        self.collector.error(self.loc(path), message)

    def warn(self, path: KeyPath, message: str) -> None:
        self.collector.warn(self.loc(path), message)

    def table(self, value: object, path: KeyPath) -> dict[str, Any] | None:
        """`value` when it is a table, else None and an error saying what it is instead."""
        if isinstance(value, dict):
            return value
        self.error(path, f"`{dotted(path)}` must be a table, not {describe_type(value)}")
        return None

    def entry_extras(
        self, name: str, table: Mapping[str, Any], path: KeyPath, strings: Iterable[str]
    ) -> list[str] | None:
        """The extras of package `name` written as a table, once its `strings` keys are found to
        be strings; None (and an error) when a key has the wrong type."""
        for key in strings:
            if key in table and not isinstance(table[key], str):
                self.error(
                    path, f"{name}: `{key}` must be a string, not {describe_type(table[key])}"
                )
                return None
        extras = table.get("extras", [])
        if not isinstance(extras, list) or not all(isinstance(e, str) for e in extras):
            self.error(path, f"{name}: `extras` must be an array of strings")
            return None
        return extras


class TomlDeclaredSource(Source):
    """A declared format written in TOML: parsed here, then read by the format's `TomlReader`."""

    format: str

    @abc.abstractmethod
    def reader(
        self, path: str, options: ReadOptions, locations: TomlLocations, collector: Collector
    ) -> TomlReader:
        """The reader for one file of this format."""

    def read(self, path: str, options: ReadOptions) -> SourceFile:
        document, diagnostics = read_toml(options, path)
        collector = Collector(diagnostics)
        if document is None:
            return declared_file(path, self.format, collector)
        reader = self.reader(path, options, document.locations, collector)
        reader.read(document.data)
        return declared_file(path, self.format, collector, reader)


def vcs_url(vcs: str, url: str, reference: object = None, subdirectory: object = None) -> str:
    """A VCS checkout as a PEP 508 direct reference: `git+<url>@<ref>#subdirectory=<dir>`."""
    text = url if url.startswith(f"{vcs}+") else f"{vcs}+{url}"
    if isinstance(reference, str) and reference:
        text += f"@{reference}"
    if isinstance(subdirectory, str) and subdirectory:
        text += f"#subdirectory={subdirectory}"
    return text


def parse_pep508(
    text: str,
    location: Location,
    collector: Collector,
    *,
    project: str | None = None,
) -> Entry | None:
    """One PEP 508 string as a requirement (or a reference to `project`'s own extras).

    `location.column`, when given, is where `text` starts in its line; a syntax error then
    points at the offending character.
    """
    stripped = text.strip()
    try:
        parsed = PackagingRequirement(stripped)
    except InvalidRequirement as exc:
        message, column = describe_requirement_error(stripped, exc)
        if location.column is not None and column is not None:
            offset = len(text) - len(text.lstrip())
            location = Location(location.path, location.line, location.column + offset + column)
        collector.error(location, message)
        return None
    name = canonicalize_name(parsed.name)
    if project is not None and name == project and parsed.url is None:
        return SelfReference(
            extras=frozenset(canonicalize_name(e) for e in parsed.extras),
            marker=parsed.marker,
            text=stripped,
            location=location,
        )
    return Requirement(
        name=name,
        display_name=parsed.name,
        specifier=parsed.specifier,
        marker=parsed.marker,
        extras=frozenset(canonicalize_name(e) for e in parsed.extras),
        text=stripped,
        location=location,
        role=Role.DECLARED,
        url=parsed.url,
    )


def and_markers(*markers: Marker | str | None) -> Marker | None:
    """The conjunction of the given markers (None when there are none).

    Raises `InvalidMarker` when a string is not a valid marker.
    """
    parts = [str(m).strip() for m in markers if m is not None and str(m).strip()]
    if not parts:
        return None
    if len(parts) == 1:
        return Marker(parts[0])
    return Marker(" and ".join(f"({part})" for part in parts))


def selected_extras(
    requested: Iterable[str], defined: Iterable[str]
) -> tuple[list[NormalizedName], list[str]]:
    """The defined extras that `requested` selects (`*` selects all), and requested unknowns."""
    known = sorted({canonicalize_name(name) for name in defined})
    wanted = set(requested)
    if ALL_EXTRAS in wanted:
        return known, []
    chosen = [name for name in known if name in {canonicalize_name(w) for w in wanted}]
    unknown = sorted(w for w in wanted if canonicalize_name(w) not in known)
    return chosen, unknown


def expand_entries(
    entries: Sequence[Entry],
    extras: Mapping[NormalizedName, Sequence[Entry]],
    collector: Collector,
) -> list[Requirement]:
    """`entries` with every self-reference replaced by the requirements of the extras it names.

    An extra already being expanded is not entered again, so extras that name each other
    (`a = ["p[b]"]`, `b = ["p[a]"]`, which pip accepts) end; a requirement reached twice by the
    same route is kept once.
    """
    result: list[Requirement] = []
    seen: set[tuple[Location, str, str]] = set()

    def add(items: Sequence[Entry], marker: Marker | None, stack: tuple[str, ...]) -> None:
        for item in items:
            if isinstance(item, Requirement):
                combined = item if marker is None else _with_marker(item, marker)
                key = (combined.location, combined.name, str(combined.marker))
                if key not in seen:
                    seen.add(key)
                    result.append(combined)
                continue
            inner = and_markers(marker, item.marker)
            for extra in sorted(item.extras):
                if extra in stack:
                    continue
                if extra not in extras:
                    collector.warn(
                        item.location,
                        f"{item.text!r} names extra {extra!r}, which this file does not define",
                    )
                    continue
                add(extras[extra], inner, (*stack, extra))

    add(entries, None, ())
    return result


def _with_marker(requirement: Requirement, marker: Marker) -> Requirement:
    combined = and_markers(marker, requirement.marker)
    return requirement.replace(marker=combined)


def read_requirement_files(
    including: str,
    names: Sequence[str],
    options: ReadOptions,
    collector: Collector,
    location: Location,
) -> tuple[list[Requirement], list[str]]:
    """Requirements files a declared file names (setuptools' `file:`), relative to it.

    They are read with the requirements-file source; returns their requirements and the paths
    read (the including file's `includes`, so the scan does not count them twice).
    """
    requirements: list[Requirement] = []
    includes: list[str] = []
    for name in names:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(including), name))
        outside = joined.startswith("../") or joined == ".." or posixpath.isabs(joined)
        if outside and not options.allow_outside_root:
            collector.error(
                location, f"{name!r} leaves the scan root (use --allow-outside-root to read it)"
            )
            continue
        try:
            included = RequirementsFileSource().read(joined, options)
        except ReadError as exc:
            collector.error(location, f"cannot read {name!r}: {joined} {exc.message}")
            continue
        includes.extend(p for p in (joined, *included.includes) if p not in includes)
        collector.diagnostics.extend(included.diagnostics)
        requirements.extend(included.requirements)
    return requirements, includes
