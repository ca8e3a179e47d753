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
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from packaging.markers import Marker
from packaging.requirements import Requirement as PackagingRequirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version
from resolvelib import AbstractProvider, BaseReporter, Resolver
from resolvelib.resolvers import (
    RequirementInformation,
    ResolutionImpossible,
    ResolutionTooDeep,
)

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


class HostProvider(AbstractProvider[Need, Candidate, str]):
    """resolvelib's domain knowledge for one host: its environment, its tags, our facts."""

    def __init__(self, store: FactStore, environment: Environment) -> None:
        self.store = store
        self.environment = environment
        self.python = Version(environment.python_full_version)
        self.markers = environment.markers()
        self._releases: dict[str, list[_Release]] = {}
        #: per identifier, the requirements last seen for it (to trace a cause to a service)
        self.requirers: dict[str, list[Need]] = {}
        self.parent_of: dict[int, Candidate] = {}
        #: packages whose only files for this host are sdists (never built)
        self.sdist_only: set[str] = set()
        #: every project this provider's resolution looked at (what a stored proof rests on)
        self.seen: set[str] = set()
        self._satisfied: dict[tuple[Need, Version], bool] = {}

    def fresh(self) -> HostProvider:
        """A provider for another resolution on the same host: the facts are shared, the
        record of who required what (for tracing causes) starts empty."""
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

    def identify(self, requirement_or_candidate: Need | Candidate) -> str:
        return requirement_or_candidate.identifier

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[RequirementInformation[Need, Candidate]]],
        backtrack_causes: Sequence[RequirementInformation[Need, Candidate]],
    ) -> Any:
        infos = list(information[identifier])
        pinned = any(info.requirement.pin is not None for info in infos)
        top = any(info.parent is None for info in infos)
        in_causes = any(
            c.requirement.identifier == identifier
            or (c.parent and c.parent.identifier == identifier)
            for c in backtrack_causes
        )
        return (identifier != PYTHON_ID, not in_causes, not pinned, not top, identifier)

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Need]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> list[Candidate]:
        needs = list(requirements[identifier])
        self.requirers[identifier] = needs
        excluded = {c.version for c in incompatibilities[identifier]}
        specifier = SpecifierSet()
        for need in needs:
            specifier &= need.specifier
        base = identifier_of(needs[0].name, frozenset()) if needs[0].extras else None
        if base is not None and base in requirements:
            # `pk[x]` is `pk` plus more needs: offer only versions the base name's own needs admit,
            # as pip >= 26 does (else a pre-release pin of `pk` and a bare `pk[x]` never meet)
            for need in requirements[base]:
                specifier &= need.specifier
        if identifier == PYTHON_ID:
            if self.python in excluded or not specifier.contains(self.python, prereleases=True):
                return []
            return [Candidate(PYTHON_ID, self.python)]
        name, extras = needs[0].name, needs[0].extras
        exact = {need.pin for need in needs if need.pin is not None}
        releases = [
            r
            for r in self.releases(name)
            if r.version not in excluded and (not r.yanked or r.version in exact)
        ]
        allowed = set(specifier.filter(r.version for r in releases))
        chosen = [
            Candidate(name, r.version, extras, r.link, r.yanked)
            for r in releases
            if r.version in allowed
        ]
        self.store.prefetch_metadata(c.link for c in chosen[:2] if c.link is not None)
        return chosen

    def is_satisfied_by(self, requirement: Need, candidate: Candidate) -> bool:
        # asked again and again for the same pair while resolvelib backtracks
        key = (requirement, candidate.version)
        found = self._satisfied.get(key)
        if found is None:
            found = requirement.specifier.contains(candidate.version, prereleases=True)
            self._satisfied[key] = found
        return found

    def get_dependencies(self, candidate: Candidate) -> list[Need]:
        if candidate.name == PYTHON_ID or candidate.link is None:
            return []
        metadata = self.store.metadata(candidate.link)
        if metadata is None:
            raise FactsMissing(candidate.name)
        needs: list[Need] = []
        if candidate.extras:
            needs.append(Need(candidate.name, frozenset(), SpecifierSet(f"=={candidate.version}")))
        elif metadata.requires_python is not None:
            needs.append(Need(PYTHON_ID, frozenset(), metadata.requires_python))
        extras = sorted(candidate.extras) or [""]
        for requirement in metadata.requires_dist:
            marker = requirement.marker
            if candidate.extras:
                # the extra's own dependencies; the rest comes through the base candidate
                if marker is None or not any(self._holds(marker, e) for e in extras):
                    continue
            elif marker is not None and not self._holds(marker, ""):
                continue
            needs.append(need_of(requirement))
        for need in needs:
            self.parent_of[id(need)] = candidate
        self.store.prefetch_projects(n.name for n in needs if n.name != PYTHON_ID)
        return needs

    def _holds(self, marker: Marker, extra: str) -> bool:
        environment = dict(self.markers)
        environment["extra"] = extra
        try:
            return bool(marker.evaluate(environment))
        except Exception:
            return False


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
    resolver: Resolver[Need, Candidate, str] = Resolver(provider, BaseReporter())
    try:
        # a name's own needs before its extras', so `pk` is pinned first and `pk[x]` folds it in
        ordered = sorted(needs, key=lambda need: bool(need.extras))
        result = resolver.resolve(ordered, max_rounds=max_rounds)
    except FactsMissing as exc:
        return Proof(None, unproven=f"no facts for {exc.package}")
    except ResolutionTooDeep:
        return Proof(None, unproven=f"gave up after {max_rounds} resolver rounds")
    except ResolutionImpossible as exc:
        causes = _causes(exc.causes, provider)
        sdist = sorted(provider.sdist_only)
        if sdist:
            # a wheel-less package may be why: say so rather than claim a clash
            return Proof(
                None, unproven="only sdists for this host (never built): " + ", ".join(sdist)
            )
        if not causes:
            return Proof(None, unproven="the resolver found no solution it can attribute")
        return Proof(None, causes=causes)
    pins: dict[str, Version] = {}
    parents: dict[str, tuple[str, ...]] = {}
    for key, candidate in result.mapping.items():
        if key == PYTHON_ID or candidate.extras:
            continue
        pins[candidate.name] = candidate.version
    for key in result.mapping:
        candidate = result.mapping[key]
        if key == PYTHON_ID or candidate.extras:
            continue
        named: set[str] = set()
        for parent in result.graph.iter_parents(key):
            if parent is None:
                named.add("")
            else:
                named.add(parent.partition("[")[0])
        named.discard(candidate.name)
        parents[candidate.name] = tuple(sorted(named))
    return Proof(pins, parents)


def _causes(
    infos: Iterable[RequirementInformation[Need, Candidate]], provider: HostProvider
) -> tuple[Cause, ...]:
    causes: dict[tuple[str, str, str, str, tuple[str, ...]], Cause] = {}
    for info in infos:
        need = info.requirement
        for origin, via in _chains(need, info.parent, provider):
            package = "python" if need.name == PYTHON_ID else need.name
            cause = Cause(
                package=package,
                requirement=need.describe(),
                specifier=str(need.specifier),
                service=origin.service,
                location=origin.location,
                via=via,
                root=origin.text,
            )
            key = (cause.package, cause.service, str(cause.location), cause.requirement, via)
            causes.setdefault(key, cause)
    return tuple(causes[k] for k in sorted(causes))


def _chains(
    need: Need, parent: Candidate | None, provider: HostProvider, limit: int = 32
) -> list[tuple[Origin, tuple[str, ...]]]:
    """Each (service origin, via chain) a requirement is reached by, shortest chains first."""
    if parent is None:
        return [(need.origin, ())] if need.origin is not None else []
    found: list[tuple[Origin, tuple[str, ...]]] = []
    # breadth-first from the parent back to top-level requirements
    frontier: list[tuple[Candidate, tuple[str, ...]]] = [(parent, (parent.describe(),))]
    seen: set[str] = set()
    while frontier and len(found) < limit:
        next_frontier: list[tuple[Candidate, tuple[str, ...]]] = []
        for candidate, via in frontier:
            if candidate.identifier in seen:
                continue
            seen.add(candidate.identifier)
            for requirer in provider.requirers.get(candidate.identifier, ()):
                if requirer.origin is not None:
                    found.append((requirer.origin, via))
                grand = provider.parent_of.get(id(requirer))
                if grand is not None:
                    step = grand.describe()
                    chain = via if via and via[0] == step else (step, *via)
                    next_frontier.append((grand, chain))
        frontier = next_frontier
    return found
