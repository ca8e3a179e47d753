"""resolvelib over depcheck's facts: the provider that tells it about packages, and the run.

Imported only when a resolution runs (`resolver.resolve`, when no stored proof answers). The
provider's rules are described in `resolver`; `Provider` adds to a host's `HostProvider` (its
facts, shared between resolutions) the record of who required what in this one resolution,
from which `_causes` traces each clash back to a service's file line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from resolvelib import AbstractProvider, BaseReporter, Resolver
from resolvelib.resolvers import (
    RequirementInformation,
    ResolutionImpossible,
    ResolutionTooDeep,
)

from depcheck.resolve.resolver import (
    PYTHON_ID,
    Candidate,
    Cause,
    FactsMissing,
    HostProvider,
    Need,
    Origin,
    Proof,
    identifier_of,
    need_of,
)


class Provider(AbstractProvider[Need, Candidate, str]):
    """resolvelib's domain knowledge for one resolution on one host."""

    def __init__(self, facts: HostProvider) -> None:
        self.facts = facts
        self.store = facts.store
        self.python = facts.python
        self.markers = facts.markers
        self.releases = facts.releases
        #: per identifier, the requirements last seen for it (to trace a cause to a service)
        self.requirers: dict[str, list[Need]] = {}
        self.parent_of: dict[int, Candidate] = {}
        self._satisfied: dict[tuple[Need, Version], bool] = {}
        #: per top-level need (by id) that stands for equal ones, their origins too
        self.also: dict[int, list[Origin]] = {}

    def origins(self, need: Need) -> list[Origin]:
        """Every service line a requirement of this resolution stands for."""
        if need.origin is None:
            return []
        return [need.origin, *self.also.get(id(need), ())]

    def merged(self, needs: Sequence[Need]) -> list[Need]:
        """`needs` with equal requirements (name, extras, specifier) given once: fifty services
        asking for `urllib3>=2` are one requirement to resolvelib, which checks every
        requirement of a package at every round; the others' origins are kept for causes."""
        first: dict[tuple[str, frozenset[str], SpecifierSet], Need] = {}
        result = []
        for need in needs:
            if need.origin is None:
                result.append(need)
                continue
            key = (need.name, need.extras, need.specifier)
            kept = first.get(key)
            if kept is None:
                first[key] = need
                result.append(need)
            else:
                self.also.setdefault(id(kept), []).append(need.origin)
        return result

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
        pinned = top = False
        for info in information[identifier]:  # asked for every open name at every round
            if info.parent is None:
                top = True
            if info.requirement.pin is not None:
                pinned = True
            if top and pinned:
                break
        in_causes = bool(backtrack_causes) and any(
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


def run(needs: Sequence[Need], facts: HostProvider, max_rounds: int) -> Proof:
    """Resolve `needs` with resolvelib over `facts`; failures come back as a `Proof`."""
    provider = Provider(facts)
    resolver: Resolver[Need, Candidate, str] = Resolver(provider, BaseReporter())
    try:
        # a name's own needs before its extras', so `pk` is pinned first and `pk[x]` folds it in
        ordered = sorted(provider.merged(needs), key=lambda need: bool(need.extras))
        result = resolver.resolve(ordered, max_rounds=max_rounds)
    except FactsMissing as exc:
        return Proof(None, unproven=f"no facts for {exc.package}")
    except ResolutionTooDeep:
        return Proof(None, unproven=f"gave up after {max_rounds} resolver rounds")
    except ResolutionImpossible as exc:
        causes = _causes(exc.causes, provider)
        sdist = sorted(facts.sdist_only)
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
    infos: Iterable[RequirementInformation[Need, Candidate]], provider: Provider
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
    need: Need, parent: Candidate | None, provider: Provider, limit: int = 32
) -> list[tuple[Origin, tuple[str, ...]]]:
    """Each (service origin, via chain) a requirement is reached by, shortest chains first."""
    if parent is None:
        return [(origin, ()) for origin in provider.origins(need)]
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
                found.extend((origin, via) for origin in provider.origins(requirer))
                grand = provider.parent_of.get(id(requirer))
                if grand is not None:
                    step = grand.describe()
                    chain = via if via and via[0] == step else (step, *via)
                    next_frontier.append((grand, chain))
        frontier = next_frontier
    return found
