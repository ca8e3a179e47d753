"""The value types every layer shares: locations, requirements, services, hosts, conflicts, reports.

Everything here is a frozen dataclass so a parsed repository or a finished report can be passed
around, cached and compared without anyone mutating it behind another layer's back. Package names
are PEP 503-normalized where a source creates them (``name``); the spelling the user wrote is kept
in ``display_name`` / ``text`` for messages.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


class Role(enum.StrEnum):
    """Whether a file states what a person wants or what a tool resolved."""

    DECLARED = "declared"
    LOCKED = "locked"


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

    A value, hashed by its fields, but not `frozen` for the reason `Requirement` gives: a scan
    builds one per requirement line (350,000 on the 1,000-service benchmark), and the frozen
    `__init__` costs four times a plain one. Never assign to one.
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
class Diagnostic:
    """Something about an input that the user should know: an error (exit 2) or a warning.

    A `finding` is an error in what the files say rather than in reading them (a service whose
    own constraints admit no version): it fails the run as an incompatible conflict does,
    under `--fail-on` (exit 1), instead of as an input error.
    """

    severity: Severity
    location: Location
    message: str
    finding: bool = False

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(slots=True)
class Requirement:
    """One constraint on one package, as a file states it.

    A value like the others, but not `frozen`: the frozen `__init__` sets each field through
    `object.__setattr__`, which made building the 350,000 requirements of the 1,000-service
    benchmark 3.5 times slower (1.55 s against 0.44 s). Never assign to one; `replace()` it.

    ``parent`` is None when the file's owner (the service) asks for the package itself, and the
    normalized name of the requiring package when a lock file records a transitive requirement
    (``botocore`` requires ``urllib3<1.27``). ``direct`` says whether the service depends on the
    package at top level; for a locked pin it comes from the lock's own record (``# via -r ...``).
    ``constraint_only`` marks pip ``-c`` entries: they narrow a package that something else
    installs but never install it themselves.
    """

    name: str
    display_name: str
    specifier: SpecifierSet
    marker: Marker | None
    extras: frozenset[str]
    text: str
    location: Location
    role: Role
    direct: bool = True
    parent: str | None = None
    url: str | None = None
    editable: bool = False
    constraint_only: bool = False
    #: derived once from `specifier` (a monorepo asks for them millions of times); a source
    #: that already knows them (from a parse cache) may pass both, else they are computed
    key: str = field(default="", repr=False, compare=False)
    pinned_version: str | None = field(default=None, repr=False, compare=False)
    #: uv's `override-dependencies`: replaces every other range the service puts on the package
    override: bool = False

    def __post_init__(self) -> None:
        if not self.key:
            key, pinned = specifier_facts(self.specifier)
            object.__setattr__(self, "key", key)
            object.__setattr__(self, "pinned_version", pinned)


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


@dataclass(slots=True, unsafe_hash=True)
class Dependency:
    """A package-to-package edge from a lock: ``parent`` (at ``parent_version``) needs ``child``.

    ``specifier`` is empty when the lock records only that the edge exists (pip-compile ``# via``).
    Not `frozen`, like `Location` (one per `# via` name); never assign to one.
    """

    parent: str
    parent_version: str | None
    child: str
    specifier: SpecifierSet
    marker: Marker | None
    location: Location


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
    requirements: tuple[Requirement, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    opaque: tuple[OpaqueRequirement, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    includes: tuple[str, ...] = ()
    requires_python: SpecifierSet | None = None
    #: where the file states its Python requirement (requires-python, Poetry's `python`, ...)
    requires_python_line: int | None = None
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
    pairs: tuple[tuple[str, str], ...] = ()

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

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def input_errors(self) -> tuple[Diagnostic, ...]:
        """The errors that stopped an input from being read or used (exit 2)."""
        return tuple(d for d in self.errors if not d.finding)

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
