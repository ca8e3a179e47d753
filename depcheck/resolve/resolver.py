"""Whether a set of requirements can be installed together on a host: resolvelib over our facts.

**Why not pip-tools' resolver.** pip-tools (`piptools.resolver`, `piptools.repositories`) drives
pip's own finder and resolver, and those evaluate every environment marker and every wheel tag
for the interpreter that runs them (pip has no "resolve for Python 3.11 on linux" mode short of
`--python-version/--platform` with `--only-binary` on `pip download`, which pip-tools does not
expose). depcheck runs on one interpreter and proves hosts that run others, so it needs a
resolver whose marker environment and tag list are parameters. resolvelib is the resolver
library pip itself is built on; it knows nothing about packages, and the provider below supplies
all the packaging knowledge from `FactStore`, for one host's `Environment`. pip-tools stays the
reference for the lock *format* depcheck writes (`--emit locks`), which the tests check by
reading depcheck's locks back with pip-tools' own parser conventions, and uv/pip-compile serve
as oracles in the tests.

**Rules the provider follows** (pip's, per PEP 440/508/592): candidates newest first; a
pre-release is a candidate only when a specifier names one explicitly or no final release
satisfies the specifiers (`SpecifierSet.filter`); local versions and epochs compare as PEP 440
says (packaging); yanked releases only for an exact `==` pin (PEP 592); a release whose
`Requires-Python` excludes the host's Python is skipped (the page's `data-requires-python`) or
fails as a requirement on the pseudo-package `<python>` (the metadata's), so a proof can name it;
markers, including `extra == "..."` in a dependency's metadata, are evaluated in the host's
environment; `pkg[extra]` is its own identifier that depends on `pkg` at the same version (as pip
does). Only wheels the host can install are candidates: no sdist is ever built.

Failures are data: `Proof.causes` turns resolvelib's `ResolutionImpossible.causes` into the
clashing requirements, each with the service and file line that led to it and the chain of
packages in between (`botocore 1.34.0 requires urllib3<2.1`).

This module holds the data and the host's facts (`HostProvider`); resolvelib and the provider
it drives are in `search`, imported only when a resolution runs: a warm run whose every
question has a stored proof (`memo`) does not import the resolver at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from packaging.requirements import Requirement as PackagingRequirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from depcheck.errors import ResolveError
from depcheck.model import Environment, Location
from depcheck.resolve.facts import FactStore
from depcheck.resolve.index import FileLink
from depcheck.resolve.tags import wheel_rank

PYTHON_ID = "<python>"
#: resolvelib rounds before we give up and keep the static result (pip uses 200,000; a host's
#: union that needs more than this much backtracking is reported as unproven, not as a clash)
MAX_ROUNDS = 20_000


class FactsMissing(ResolveError):
    """A package whose facts could not be fetched: the proof is abandoned, not failed."""

    def __init__(self, package: str) -> None:
        super().__init__(package)
        self.package = package


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a top-level requirement was written."""

    service: str
    location: Location
    text: str


@dataclass(frozen=True, slots=True, eq=False)
class Need:
    """One requirement inside a resolution: top-level (with an origin) or a package's dependency."""

    name: str
    extras: frozenset[str]
    specifier: SpecifierSet
    origin: Origin | None = None
    #: the version of an exact `==` pin (asked for at every preference: computed once)
    pin: Version | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pin", _exact_pin(self.specifier))

    @property
    def identifier(self) -> str:
        return identifier_of(self.name, self.extras)

    def describe(self) -> str:
        name = "python" if self.name == PYTHON_ID else self.name
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        return f"{name}{extras}{self.specifier}"


@dataclass(frozen=True, slots=True)
class Candidate:
    name: str
    version: Version
    extras: frozenset[str] = frozenset()
    link: FileLink | None = None
    yanked: bool = False

    @property
    def identifier(self) -> str:
        return identifier_of(self.name, self.extras)

    def describe(self) -> str:
        return f"{self.name} {self.version}"


def need_of(requirement: PackagingRequirement, origin: Origin | None = None) -> Need:
    """A PEP 508 requirement (its marker already decided) as a `Need`."""
    return Need(
        canonicalize_name(requirement.name),
        frozenset(canonicalize_name(e) for e in requirement.extras),
        requirement.specifier,
        origin,
    )


def identifier_of(name: str, extras: frozenset[str]) -> str:
    return f"{name}[{','.join(sorted(extras))}]" if extras else name


@dataclass(frozen=True, slots=True)
class Cause:
    """One requirement that takes part in a clash, traced back to a service's file line."""

    package: str
    requirement: str
    specifier: str
    service: str
    location: Location
    #: the packages between the service's own requirement and this one, outermost first
    via: tuple[str, ...]
    #: the service's own requirement that the chain starts from
    root: str


@dataclass(frozen=True, slots=True)
class Proof:
    """The resolver's verdict on one set of requirements in one environment."""

    #: the installed set when it resolves: package -> version
    pins: Mapping[str, Version] | None
    #: per installed package, what required it (package names; "" for a top-level requirement)
    parents: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    causes: tuple[Cause, ...] = ()
    #: why no verdict: facts missing for a package, or too much backtracking
    unproven: str | None = None

    @property
    def resolves(self) -> bool:
        return self.pins is not None


@dataclass(frozen=True, slots=True)
class _Release:
    version: Version
    link: FileLink | None
    yanked: bool


def _exact_pin(specifier: SpecifierSet) -> Version | None:
    specs = list(specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        try:
            return Version(specs[0].version)
        except ValueError:
            return None
    return None


class HostProvider:
    """What one host can install, from our facts: its environment, its tags, each project's
    candidates (`search.Provider` gives resolvelib this knowledge)."""

    def __init__(self, store: FactStore, environment: Environment) -> None:
        self.store = store
        self.environment = environment
        self.python = Version(environment.python_full_version)
        self.markers = environment.markers()
        self._releases: dict[str, list[_Release]] = {}
        #: packages whose only files for this host are sdists (never built)
        self.sdist_only: set[str] = set()
        #: every project this provider's resolution looked at (what a stored proof rests on)
        self.seen: set[str] = set()

    def fresh(self) -> HostProvider:
        """A provider for another resolution on the same host: the facts are shared, the
        record of what it looked at starts empty."""
        other = HostProvider(self.store, self.environment)
        other._releases = self._releases
        other.sdist_only = self.sdist_only
        return other

    # -- facts ---------------------------------------------------------------------------

    def releases(self, name: str) -> list[_Release]:
        """The host's candidates of `name`, newest first (memoized per provider)."""
        self.seen.add(name)
        cached = self._releases.get(name)
        if cached is not None:
            return cached
        links = self.store.project(name)
        if links is None:
            raise FactsMissing(name)
        by_version: dict[Version, list[FileLink]] = {}
        for link in links:
            by_version.setdefault(link.version, []).append(link)
        result: list[_Release] = []
        sdists_only = False
        for version in sorted(by_version, reverse=True):
            files = by_version[version]
            wheels = []
            for link in files:
                if not link.is_wheel:
                    continue
                rank = wheel_rank(link.filename, self.environment)
                if rank is not None and self._python_fits(link.requires_python):
                    wheels.append((rank, link.filename, link))
            if not wheels:
                if any(not f.is_wheel for f in files):
                    sdists_only = True
                continue
            wheels.sort(key=lambda item: (item[0], item[1]))
            best = wheels[0][2]
            yanked = all(f.yanked is not None for f in files if f.is_wheel)
            result.append(_Release(version, best, yanked))
        if sdists_only and not result:
            self.sdist_only.add(name)
        self._releases[name] = result
        return result

    def _python_fits(self, requires_python: str | None) -> bool:
        if not requires_python:
            return True
        try:
            return SpecifierSet(requires_python).contains(self.python, prereleases=True)
        except ValueError:
            return True  # an unreadable data-requires-python: let the metadata decide

    # -- resolvelib ------------------------------------------------------------------------


def resolve(
    needs: Sequence[Need],
    store: FactStore,
    environment: Environment,
    *,
    provider: HostProvider | None = None,
    max_rounds: int = MAX_ROUNDS,
) -> Proof:
    """Resolve `needs` for `environment`; never raises for what the index or the needs hold.

    `provider`: one from an earlier resolution on the same host, to share its facts. A proof
    an earlier run stored for the same question, whose facts still hold, is used as it is
    (`memo`); a new one is stored unless facts were missing."""
    from depcheck.resolve import memo  # it builds on this module's types

    store.prefetch_projects({n.name for n in needs if n.name != PYTHON_ID})
    key = memo.proof_key(needs, environment, max_rounds)
    remembered = memo.load_proof(store, key)
    if remembered is not None:
        return remembered
    provider = provider.fresh() if provider is not None else HostProvider(store, environment)
    proof = _resolve(needs, provider, max_rounds)
    if proof.unproven is None or proof.unproven.startswith("only sdists"):
        memo.save_proof(store, key, proof, provider.seen)
    return proof


def _resolve(needs: Sequence[Need], provider: HostProvider, max_rounds: int) -> Proof:
    from depcheck.resolve import search  # resolvelib: only when a resolution runs

    return search.run(needs, provider, max_rounds)
