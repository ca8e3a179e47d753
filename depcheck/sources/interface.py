"""The contract every dependency-file source follows, and the helpers they share.

A source turns one file (plus whatever it includes) into a `SourceFile`: requirements with their
locations, package-to-package edges, and diagnostics for what it could not read. A source never
raises for bad content; it reports a diagnostic and keeps going. It reads only through
`depcheck.fs`, whose `ReadError` is the one case where nothing at all could be read (the file is
missing, refused, a directory, unreadable).
"""

from __future__ import annotations

import abc
import operator
from dataclasses import dataclass, replace
from pathlib import Path

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from depcheck.model import (
    LONG_KEY,
    NO_GROUPS,
    Diagnostic,
    Groups,
    Location,
    Severity,
    SourceFile,
    long_keys_made,
    parsed_lines,
)


@dataclass(frozen=True, slots=True)
class DirectDependency:
    """A dependency a project's declared file names directly: what a lock beside it cannot say."""

    #: as written
    name: str
    extras: frozenset[str] = frozenset()
    marker: Marker | None = None
    #: the project's extras any one of which brings it in; None: always
    with_extras: frozenset[str] | None = None
    #: from a development group: counts only when the install takes that group
    dev: bool = False
    #: which group (Poetry's group name, a PEP 735 group, `dev` for dev-packages), and whether
    #: the tool installs it unasked (Poetry: not `optional = true`; uv: `dev`)
    group: str | None = None
    default: bool = True


@dataclass(frozen=True, slots=True)
class ProjectDeclaration:
    """What a lock's companion (`Source.companion`) says the project asks for directly."""

    direct: tuple[DirectDependency, ...] = ()
    #: the extras the project defines
    extras: frozenset[str] = frozenset()
    #: Poetry groups marked `optional = true` (installed only when asked for by name)
    optional_groups: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadOptions:
    """What a source needs to know beyond the file itself."""

    root: Path
    #: every development group counts (`--include-dev`)
    include_dev: bool = False
    allow_outside_root: bool = False
    #: optional-dependency extras of the service's own project that count as installed
    extras: frozenset[str] = frozenset()
    #: for a lock whose source names a `companion`: what that declared file beside it asks for
    #: (None: there is none, or it cannot be read). Service assembly reads it through the
    #: companion's own source and passes it here; no source opens another format's file.
    project: ProjectDeclaration | None = None
    #: the dependency groups the service's deployment installs (`poetry install --with docs`)
    groups: Groups = NO_GROUPS

    def wants_group(self, group: str, *, default: bool = True) -> bool:
        """Whether `group`'s requirements count (`default`: the tool installs it unasked)."""
        return self.include_dev or self.groups.wants(group, default=default)

    @property
    def any_group(self) -> bool:
        """Whether some development group may count."""
        return self.include_dev or bool(self.groups)


class Source(abc.ABC):
    """One dependency-file format."""

    #: the `format` string the JSON report shows for files of this kind
    format: str
    #: a lock's declared file beside it (`pyproject.toml` for poetry.lock), whose direct
    #: dependencies the lock does not record: passed in as `ReadOptions.project`
    companion: str | None = None

    @abc.abstractmethod
    def read(self, path: str, options: ReadOptions) -> SourceFile:
        """Read `path` (POSIX, relative to `options.root`)."""

    def declaration(self, path: str, options: ReadOptions) -> ProjectDeclaration | None:
        """What the declared file `path` asks for directly, for the lock beside it; None when
        this format declares nothing or the file cannot be read (its own reading reports why)."""
        return None


def relative_path(path: Path, root: Path) -> str:
    """`path` as a POSIX path relative to `root`, or as given when it lies outside."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


#: the words every diagnostic for a failure of depcheck itself starts with (tests look for them)
UNEXPECTED = "depcheck could not read this file (a bug in depcheck, please report it)"


def unexpected_failure(path: str, exc: BaseException) -> Diagnostic:
    """An error diagnostic for an exception depcheck did not expect while reading `path`: the
    scan goes on with the other files, the report names this one."""
    summary = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
    return Diagnostic(Severity.ERROR, Location(path), f"{UNEXPECTED}: {summary}")


# Python refuses to read a number of more than 4300 digits (the CVE-2020-10735 limit), so
# `packaging` fails with a bare ValueError on a version that holds one, wherever it is compared.
# Only a specifier at least that long can hold one; no real version comes near.
_LONGEST_NUMBER = 4300


def _uncomparable(specifier: SpecifierSet) -> str | None:
    """The version in `specifier` that `packaging` cannot compare, if any."""
    for spec in specifier:
        if spec.operator == "===" or len(spec.version) <= _LONGEST_NUMBER:
            continue
        try:
            Version(spec.version.removesuffix(".*"))
        except InvalidVersion:
            continue
        except ValueError:
            return spec.version
    return None


#: the most clauses (`>=1`, `!=1.5`, ...) one requirement may have: PEP 440 algebra over `!=`
#: clauses costs the square of their number (4,000 on one line took 25 s), and no real
#: requirement comes near (pip's own resolver tests use a handful)
MAX_CLAUSES = 100
# (a range longer than `LONG_KEY` is noted as parsed: every one that may hold more clauses is)
assert 3 * MAX_CLAUSES >= LONG_KEY


def _too_many_clauses(specifier: SpecifierSet) -> int | None:
    count = len(specifier)
    return count if count > MAX_CLAUSES else None


_KEY_OF = operator.attrgetter("key")


def drop_unusable_versions(source: SourceFile) -> SourceFile:
    """`source` without the requirements whose versions cannot be compared or that have more
    than `MAX_CLAUSES` clauses, each reported."""
    long_python = source.requires_python is not None and (
        len(str(source.requires_python)) > _LONGEST_NUMBER
        or len(source.requires_python) > MAX_CLAUSES
    )
    # a clause takes at least two characters and a comma, so a short key needs no count
    short = 3 * MAX_CLAUSES
    if not long_python and not long_keys_made():
        # no parse so far had a key past `LONG_KEY` (<= short): this source holds none
        return source
    # the longest key first, in one pass at C speed over the parses (this sees every line of
    # every file: no requirement is made of rows a fast path kept)
    longest = max(map(len, map(_KEY_OF, parsed_lines(source.requirements))), default=0)
    if not long_python and (
        longest <= short
        or all(
            len(p.key) <= short
            or (len(p.key) <= _LONGEST_NUMBER and len(p.specifier) <= MAX_CLAUSES)
            for p in parsed_lines(source.requirements)
        )
    ):
        return source
    diagnostics = list(source.diagnostics)

    def report(location: Location, what: str, version: str) -> None:
        message = (
            f"version {version[:12]}… ({len(version)} characters) holds a number too long to "
            f"compare; {what} is ignored"
        )
        diagnostics.append(Diagnostic(Severity.ERROR, location, message))

    def crowded(location: Location, what: str, count: int) -> None:
        message = (
            f"{count} version clauses in one requirement (depcheck reads at most {MAX_CLAUSES}); "
            f"{what} is ignored"
        )
        diagnostics.append(Diagnostic(Severity.ERROR, location, message))

    kept = []
    for requirement in source.requirements:
        what = f"the requirement on {requirement.display_name[:60]}"
        clauses = _too_many_clauses(requirement.specifier)
        if clauses is not None:
            crowded(requirement.location, what, clauses)
            continue
        too_long = len(requirement.key) > _LONGEST_NUMBER
        bad = _uncomparable(requirement.specifier) if too_long else None
        if bad is None:
            kept.append(requirement)
        else:
            report(requirement.location, what, bad)
    requires_python = source.requires_python
    if long_python and requires_python is not None:
        location = Location(source.path, source.requires_python_line)
        clauses = _too_many_clauses(requires_python)
        bad = _uncomparable(requires_python) if clauses is None else None
        if clauses is not None:
            crowded(location, "the Python requirement", clauses)
            requires_python = None
        elif bad is not None:
            report(location, "the Python requirement", bad)
            requires_python = None
    return replace(
        source,
        requirements=tuple(kept),
        diagnostics=tuple(diagnostics),
        requires_python=requires_python,
    )
