"""What `--resolve` adds to one host's static analysis, and nothing else.

The static analysis stays the judge of what the files say; this module feeds it facts it could
not know and adds the verdicts only an index or a resolver can give:

1. **Enriched pins** (`Prover.enrich`). For every exact pin a service holds (a declared
   `botocore==1.34.0`, or a lock's `botocore==1.34.0`), the pinned release's own `Requires-Dist`
   and `Requires-Python`, evaluated in the host's environment, join the service's requirements
   as ranges recorded on the edge from that package (`parent`), at the pin's `file:line`. The
   static rules then find transitive clashes exactly as they do with poetry.lock's recorded
   ranges, with the `via` chain. A lock that records its own ranges for a parent is left alone.
2. **Index gaps** (`Prover.prove`): ranges that intersect on paper but hold no release the host
   can install (`alpha>1.0` and `alpha<1.1` with nothing released in between) are
   `incompatible`, evidence `index`.
3. **The resolver's proof**: the union of the host's services' requirements is resolved in the
   host's environment (`resolver.resolve`). When it cannot be installed and no conflict above
   explains it, the resolver's causes become an `incompatible` conflict, evidence `resolver`.
4. **Verified advice** (`Prover.verify_advice`): an align version is `verified` only when a
   resolution with it pinned installs: the host's union, or, on a host whose union fails (or
   when the plan splits the host anyway), each plan group holding the conflict's services.
   Candidates, in order: the advised version, the one the host's (or group's) own resolution
   installs, then the released versions every service's own constraint admits, newest first;
   at most `ALIGN_TRIES` resolutions per align. When none installs, the advice becomes the
   plan's isolate or split, with a note naming the versions tried.
5. **Plans re-checked** (`Prover.check_groups`): each group of a split is resolved; a group that
   fails yields its resolver conflict, and the pipeline plans again with it.

What the union holds for a service: its declared requirements (markers evaluated for the host);
a service that has only locks contributes its direct packages without their pins, because a
pin-mismatch between two locks is alignable, not a proof that the host cannot be installed.
Local projects (`-e ./libs/x`, `x @ file:...`) join from their static PEP 621 `[project]`
table (`local_project_needs`); a project whose dependencies are `dynamic` gets a diagnostic.
"""

from __future__ import annotations

import contextlib
import os
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PackagingRequirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from depcheck.analysis.algebra import FULL, combine_keys
from depcheck.analysis.collect import applies, collect
from depcheck.analysis.host import Clash, HostAnalysis
from depcheck.analysis.rules.incompatible import incompatible
from depcheck.analysis.rules.python import PYTHON
from depcheck.fs import Tree
from depcheck.graph import DependencyGraph
from depcheck.model import (
    Action,
    Conflict,
    Diagnostic,
    Host,
    Kind,
    Location,
    OpaqueRequirement,
    ParentMove,
    Plan,
    Requirement,
    Role,
    Severity,
)
from depcheck.recommend.advice import PROVED_BY_GROUPS, PROVED_BY_HOST, isolate_or_split
from depcheck.recommend.plan import plan_host
from depcheck.resolve.cache import Cache, default_cache_dir
from depcheck.resolve.causes import assumed, resolver_clashes, resolver_conflicts
from depcheck.resolve.facts import FactStore
from depcheck.resolve.index import IndexSettings, all_urls, redact_text
from depcheck.resolve.resolver import (
    PYTHON_ID,
    FactsMissing,
    HostProvider,
    Need,
    Origin,
    Proof,
    need_of,
    resolve,
)
from depcheck.resolve.uv_sources import read_toml, uv_source

#: where a diagnostic about the index itself (not about one requirement) points
RESOLVE_LOCATION = Location("--resolve")


#: resolutions one align may cost: the advised version, the one the host installs, then
#: released versions (within a split, one per group), so a package with hundreds of releases
#: that all fail stays cheap
ALIGN_TRIES = 6


@dataclass(slots=True)
class _HostState:
    needs: list[Need]
    proof: Proof
    provider: HostProvider
    #: per service, its needs (to re-check the groups of a plan)
    by_service: dict[str, list[Need]] = field(default_factory=dict)
    #: per plan group, its resolution (without any align pinned)
    groups: dict[tuple[str, ...], Proof] = field(default_factory=dict)
    #: per package whose align no candidate proves, why (the note of its move)
    unalignable: dict[str, str] = field(default_factory=dict)

    def group_needs(self, group: Sequence[str]) -> list[Need]:
        return [n for s in group for n in self.by_service.get(s, ())]


@dataclass(frozen=True, slots=True)
class _Scope:
    """Where an align is proved: the host's union, or each group of the plan that holds some
    of the conflict's services (`groups` of them)."""

    #: the sets of needs that must each install with the align version pinned
    needs: tuple[list[Need], ...]
    #: what the scope's own resolutions install of the package
    installed: tuple[Version, ...]
    proved: str
    groups: int = 0


def _environment_key(host: Host) -> tuple[str, ...]:
    e = host.environment
    return (e.python_full_version, e.sys_platform, e.platform_machine, e.implementation_name)


class Prover:
    """One `--resolve` run: the fact store, and per host what was proved."""

    def __init__(
        self,
        settings: IndexSettings,
        *,
        root: Path,
        opaque: Mapping[str, Sequence[OpaqueRequirement]] | None = None,
        itself: Mapping[str, set[str]] | None = None,
        allow_outside_root: bool = False,
    ) -> None:
        self.settings = settings
        self.root = root
        #: local projects' pyproject.toml are read through the confined reader, as every file
        self.tree = Tree(root, allow_outside_root=allow_outside_root)
        #: per service, the local paths its declared files name without a project name
        self._opaque = opaque or {}
        #: per service, the name of the project its own pyproject.toml defines
        self._itself = dict(itself or {})
        self.cache = Cache(settings.cache_dir or default_cache_dir())
        self.store = FactStore(settings, cache=self.cache)
        self._providers: dict[tuple[str, ...], HostProvider] = {}
        self._hosts: dict[str, _HostState] = {}
        #: per (service, location, requirement text) of an enriched range: "botocore 1.34.0"
        self._enriched: dict[tuple[str, Location, str], str] = {}
        #: where each package is first required, for diagnostics about it
        self._where: dict[str, Location] = {}
        self._diagnostics: list[Diagnostic] = []
        self._markers: Mapping[str, str] = {}

    def close(self) -> None:
        self.store.close()

    def provider(self, host: Host) -> HostProvider:
        key = _environment_key(host)
        provider = self._providers.get(key)
        if provider is None:
            provider = HostProvider(self.store, host.environment)
            self._providers[key] = provider
        return provider

    # -- 1. enriched pins ------------------------------------------------------------------

    def enrich(
        self, host: Host, requirements: Mapping[str, Sequence[Requirement]]
    ) -> dict[str, list[Requirement]]:
        """The host's services' requirements plus the metadata ranges of every exact pin."""
        environment = host.environment.markers()
        provider = self.provider(host)
        targets: list[tuple[str, Requirement]] = []
        for service in host.services:
            own = requirements.get(service, ())
            recorded = {r.parent for r in own if r.parent is not None and r.key != FULL}
            local = self._local_names(service, own)
            for r in own:
                self._where.setdefault(r.name, r.location)
                if (
                    r.name not in local
                    and r.parent is None
                    and not r.constraint_only
                    and r.name != PYTHON
                    and r.pinned_version is not None
                    and r.name not in recorded
                    and applies(r, environment)
                ):
                    targets.append((service, r))
        self.store.prefetch_projects({r.name for _, r in targets})
        chosen: list[tuple[str, Requirement, Version]] = []
        links = []
        for service, r in targets:
            try:
                releases = provider.releases(r.name)
            except FactsMissing:
                continue
            match = next(
                (x for x in releases if r.specifier.contains(x.version, prereleases=True)), None
            )
            if match is None or match.link is None:
                if releases or r.name in provider.sdist_only:
                    self._no_release(host, r, sdist=r.name in provider.sdist_only)
                continue
            chosen.append((service, r, match.version))
            links.append(match.link)
        self.store.prefetch_metadata(links)
        result = {s: list(requirements.get(s, ())) for s in host.services}
        for (service, pin, version), link in zip(chosen, links, strict=True):
            metadata = self.store.metadata(link)
            if metadata is None:
                continue
            label = f"{pin.display_name} {version}"
            extras = sorted(pin.extras)
            for dependency in metadata.requires_dist:
                if not _holds(dependency, environment, extras):
                    continue
                text = (
                    f"{dependency.name}{dependency.specifier}"
                    if dependency.specifier
                    else (dependency.name)
                )
                result[service].append(_edge(dependency.name, dependency.specifier, text, pin))
                self._enriched[(service, pin.location, text)] = label
            if metadata.requires_python is not None and str(metadata.requires_python):
                text = f"python{metadata.requires_python}"
                result[service].append(_edge("python", metadata.requires_python, text, pin))
                self._enriched[(service, pin.location, text)] = label
        return result

    def _no_release(self, host: Host, requirement: Requirement, *, sdist: bool) -> None:
        where = f"host {host.name} ({host.environment.describe()})"
        wheels_only = False  # an sdist-only release installs on no Python: none to suggest
        if sdist:
            message = (
                f"{requirement.display_name}: no wheel for {where}, only sdists, which depcheck "
                "never builds (building runs the package's code); the static result stands"
            )
        else:
            matching = [
                link
                for link in self.store.project(requirement.name) or ()
                if requirement.specifier.contains(link.version, prereleases=True)
            ]
            wheels = sorted({link.version for link in matching if link.is_wheel})
            sdists = sorted({link.version for link in matching} - set(wheels))
            wheels_only = bool(wheels) or not sdists
            if wheels:
                message = (
                    f"{requirement.text}: {requirement.display_name} {_newest(wheels)} is on the "
                    f"index, but none of its wheels installs on {where} (their tags or "
                    "Requires-Python are for other hosts)"
                )
            elif sdists:
                message = (
                    f"{requirement.text}: {requirement.display_name} {_newest(sdists)} is on the "
                    "index only as an sdist, which depcheck never builds (building runs the "
                    "package's code)"
                )
            else:
                message = (
                    f"{requirement.text}: the index has no release for {where} that satisfies it"
                )
        if wheels_only:
            message += assumed(host)  # the host's Python decides which wheels install
        self._diagnostics.append(Diagnostic(Severity.ERROR, requirement.location, message))

    # -- 2. and 3. index gaps, the resolver's proof ------------------------------------------

    def prove(
        self,
        analysis: HostAnalysis,
        requirements: Mapping[str, Sequence[Requirement]],
        graph: DependencyGraph,
    ) -> HostAnalysis:
        """The host's analysis with evidence marked, index gaps and the resolver's verdict."""
        host = analysis.host
        conflicts = [self._evidence(c) for c in analysis.conflicts]
        clashes = list(analysis.clashes)
        diagnostics = list(analysis.diagnostics)
        incompatible = {c.package for c in conflicts if c.kind is Kind.INCOMPATIBLE}
        gap_conflicts, gap_clashes = self._gaps(host, requirements, graph, incompatible)
        conflicts.extend(gap_conflicts)
        clashes.extend(gap_clashes)
        needs, by_service = self._needs(host, requirements, diagnostics)
        provider = self.provider(host)
        proof = resolve(needs, self.store, host.environment, provider=provider)
        self._hosts[host.name] = _HostState(needs, proof, provider, by_service)
        if proof.unproven:
            diagnostics.append(
                Diagnostic(
                    Severity.WARNING,
                    RESOLVE_LOCATION,
                    f"host {host.name}: not proven with --resolve ({proof.unproven}); "
                    "the static result stands",
                )
            )
        elif not proof.resolves:
            found, lone = self._unexplained(host, needs, proof, conflicts, provider)
            conflicts.extend(found)
            clashes.extend(resolver_clashes(found))
            diagnostics.extend(lone)
        conflicts.sort(key=lambda c: (c.package, c.kind.value, c.services))
        return HostAnalysis(host, tuple(conflicts), tuple(clashes), tuple(diagnostics))

    def _unexplained(
        self,
        host: Host,
        needs: Sequence[Need],
        proof: Proof,
        conflicts: Sequence[Conflict],
        provider: HostProvider,
    ) -> tuple[list[Conflict], list[Diagnostic]]:
        """The resolver's conflicts that the static and index conflicts do not explain.

        With no incompatible conflict yet, the failed union's causes are the answer. Else the
        union is resolved again without the packages already found incompatible: if even that
        fails, the host holds another clash (fewer requirements cannot install where more
        could), and its causes are reported too; one that names a package already reported
        adds nothing."""
        explained = {c.package for c in conflicts if c.kind is Kind.INCOMPATIBLE}
        if explained:
            rest = [n for n in needs if n.name not in explained]
            proof = resolve(rest, self.store, host.environment, provider=provider)
            if proof.resolves or proof.unproven:
                return [], []
        causes = [c for c in proof.causes if c.package not in explained]
        return resolver_conflicts(host, causes)

    def _evidence(self, conflict: Conflict) -> Conflict:
        """Mark a static conflict `index` when a range behind it came from package metadata."""
        notes = []
        for entry in conflict.requirements:
            label = self._enriched.get((entry.service, entry.location, entry.requirement))
            if label is not None:
                notes.append(f"{label} requires {entry.requirement} (index metadata)")
        if not notes:
            return conflict
        reason = conflict.reason + "; " + "; ".join(sorted(set(notes)))
        return replace(conflict, evidence="index", reason=reason)

    def _gaps(
        self,
        host: Host,
        requirements: Mapping[str, Sequence[Requirement]],
        graph: DependencyGraph,
        skip: set[str],
    ) -> tuple[list[Conflict], list[Clash]]:
        provider = self.provider(host)
        packages = collect(host, requirements)
        local = {n for s in host.services for n in self._local_names(s, requirements.get(s, ()))}
        wanted = [
            name
            for name, state in packages.items()
            if name != PYTHON and name not in skip and name not in local and state.constraints
        ]
        self.store.prefetch_projects(wanted)
        conflicts: list[Conflict] = []
        clashes: list[Clash] = []
        for name in sorted(wanted):
            state = packages[name]
            ranges = {
                service: combine_keys(r.key for r in constraints)
                for service, constraints in state.constraints.items()
                if constraints
            }
            ranges = {s: k for s, k in ranges.items() if k != FULL}
            if len(ranges) < 2:
                continue
            try:
                releases = provider.releases(name)
            except FactsMissing:
                continue
            exact = {r.pinned_version for cs in state.constraints.values() for r in cs}
            versions = [x.version for x in releases if not x.yanked or str(x.version) in exact]
            if not versions or _fits(list(ranges.values()), versions):
                continue
            if any(not _fits([k], versions) for k in ranges.values()):
                continue  # one service's own range holds no release: its own problem
            services = sorted(ranges)
            involved: set[str] = set()
            for i, a in enumerate(services):
                for b in services[i + 1 :]:
                    if not _fits([ranges[a], ranges[b]], versions):
                        involved.update((a, b))
            chosen = sorted(involved or ranges)
            conflict = incompatible(host, name, state, chosen, ranges, graph)
            shown = ", ".join(str(v) for v in sorted(versions)[-6:])
            conflict = replace(
                conflict,
                evidence="index",
                reason=conflict.reason.replace("no version satisfies", "no release satisfies", 1)
                + f" (the index has {shown}; none lies in every range)",
            )
            conflicts.append(self._evidence(conflict))
            clashes.append(Clash(name, {s: _release_hull(ranges[s], versions) for s in chosen}))
        return conflicts, clashes

    def _needs(
        self,
        host: Host,
        requirements: Mapping[str, Sequence[Requirement]],
        diagnostics: list[Diagnostic],
    ) -> tuple[list[Need], dict[str, list[Need]]]:
        environment = host.environment.markers()
        by_service: dict[str, list[Need]] = {}
        for service in host.services:
            own = [r for r in requirements.get(service, ()) if r.parent is None]
            declared = any(r.role is Role.DECLARED for r in own)
            itself = self._itself.get(service, set())
            needs: list[Need] = []
            for r in own:
                if r.constraint_only or not applies(r, environment) or r.name in itself:
                    continue  # the service's own project: its dependencies are the service's
                origin = Origin(service, r.location, r.text)
                self._markers = environment
                if r.url is not None or r.editable:
                    needs.extend(self._local(r, origin, diagnostics))
                elif r.role is Role.DECLARED and (
                    source := uv_source(self.tree, r.location.path, r.name)
                ):
                    # uv installs it from the workspace or a folder, never from an index
                    needs.extend(self._local(r, origin, diagnostics, folder=source))
                elif r.name == PYTHON:
                    if r.role is Role.DECLARED:
                        needs.append(Need(PYTHON_ID, frozenset(), r.specifier, origin))
                elif r.role is Role.DECLARED:
                    needs.append(Need(r.name, r.extras, r.specifier, origin))
                elif not declared and r.direct:
                    needs.append(Need(r.name, r.extras, SpecifierSet(), origin))
            for opaque in self._opaque.get(service, ()):
                # `-e ../libs/x`, `./libs/x`: a local project with no name on the line
                if "://" in opaque.text and not opaque.text.startswith("file:"):
                    continue
                origin = Origin(service, opaque.location, opaque.text)
                found = local_project_needs(
                    self.tree, opaque.text, opaque.location, opaque.text, origin, environment
                )
                if isinstance(found, str):
                    diagnostics.append(Diagnostic(Severity.WARNING, opaque.location, found))
                else:
                    needs.extend(found)
            by_service[service] = needs
        return [n for s in host.services for n in by_service[s]], by_service

    def _local_names(self, service: str, own: Sequence[Requirement]) -> set[str]:
        """Packages of `service` that come from the repository, not from an index: its own
        project, paths and `file:` URLs, and what `[tool.uv.sources]` maps to a folder."""
        names = set(self._itself.get(service, ()))
        for r in own:
            if r.parent is None and (
                r.url is not None
                or r.editable
                or (r.role is Role.DECLARED and uv_source(self.tree, r.location.path, r.name))
            ):
                names.add(r.name)
        return names

    def _local(
        self,
        requirement: Requirement,
        origin: Origin,
        diagnostics: list[Diagnostic],
        *,
        folder: Path | str | None = None,
    ) -> list[Need]:
        """A local project joins through its own static `[project]` dependencies."""
        found = (
            folder
            if isinstance(folder, str)
            else local_project_needs(
                self.tree,
                requirement.url or "",
                requirement.location,
                requirement.text,
                origin,
                self._markers,
                folder=folder,
            )
        )
        if isinstance(found, str):
            diagnostics.append(Diagnostic(Severity.WARNING, requirement.location, found))
            return []
        return found

    # -- 4. verified advice ----------------------------------------------------------------

    def verify_advice(
        self, host: Host, conflicts: Sequence[Conflict], plan: Plan
    ) -> tuple[list[Conflict], list[Clash]]:
        """Each align proved by the resolver, on the advised version or the first candidate
        that installs (`_candidates`), with the whole host or, when the plan splits it, within
        the groups holding the conflict's services. An align no candidate proves becomes the
        plan's isolate or split; the clashes returned are those new ones, for the caller to plan
        the host again with them and call this again with that plan."""
        state = self._hosts.get(host.name)
        if state is None or state.proof.unproven:
            return list(conflicts), []
        result: list[Conflict] = []
        clashes: list[Clash] = []
        for conflict in conflicts:
            advice = conflict.recommendation
            if conflict.kind is not Kind.PIN_MISMATCH or advice.action is not Action.ALIGN:
                result.append(conflict)
                continue
            why = state.unalignable.get(conflict.package)
            if why is None:
                checked = self._verify(host, conflict, state, plan)
                if isinstance(checked, Conflict):
                    result.append(checked)
                    continue
                why = state.unalignable[conflict.package] = checked
                clashes.append(_pin_clash(conflict))
            moved = isolate_or_split(conflict, _apart(host, conflict, plan), note=why)
            result.append(replace(moved, verified=True, evidence="resolver"))
        return result, clashes

    def _verify(
        self, host: Host, conflict: Conflict, state: _HostState, plan: Plan
    ) -> Conflict | str:
        """The conflict with its align proved (perhaps on another version), or left unproved
        with a note when nothing could be resolved; or, when every candidate tried fails, why
        (the advice becomes a move)."""
        advice = conflict.recommendation
        scopes = self._scopes(conflict, state, plan)
        if not scopes:
            nor = ", nor do its plan's groups" if len(plan.groups) > 1 else ""
            why = (
                f"host {host.name} does not resolve as a whole{nor}; "
                "fix its incompatible conflicts first"
            )
            return replace(conflict, verified=False, recommendation=replace(advice, note=why))
        failed: list[Version] = []
        unproven = ""
        budget = ALIGN_TRIES
        left = False  # a candidate the budget left untried
        for scope in scopes:
            earlier = list(failed)  # what the whole host refused, before its groups' turn
            for version in self._candidates(conflict, scope, state):
                if len(scope.needs) > budget:
                    left = True
                    break
                budget -= len(scope.needs)
                proof = self._try(conflict.package, version, scope, host, state)
                if proof.resolves:
                    note = _scope_note(host, scope, earlier)
                    return _proved(conflict, version, scope.proved, proof.pins or {}, note)
                if proof.unproven:
                    unproven = unproven or proof.unproven
                elif version not in failed:
                    failed.append(version)
        if not failed:
            why = f"the resolver gave no verdict ({unproven or 'no release to try'})"
            return replace(conflict, verified=False, recommendation=replace(advice, note=why))
        where = (
            f"with every service on host {host.name}"
            if scopes[0].proved == PROVED_BY_HOST
            else f"within host {host.name}'s plan group holding these services"
        )
        tried = ", ".join(str(v) for v in failed)
        stop = f" (at most {ALIGN_TRIES} resolutions per align)" if left else ""
        return f"no release of {conflict.display_name} installs {where}; tried {tried}{stop}"

    def _scopes(self, conflict: Conflict, state: _HostState, plan: Plan) -> list[_Scope]:
        """Where an align can be proved: the host's union when it resolves; then, when the plan
        splits the host, each group holding some of the conflict's services, if each resolves."""
        package = conflict.package
        scopes = []
        if state.proof.resolves:
            installed = (state.proof.pins or {}).get(package)
            scopes.append(_Scope((state.needs,), (installed,) if installed else (), PROVED_BY_HOST))
        involved = set(conflict.services)
        groups = (
            [g for g in plan.groups if involved.intersection(g)] if len(plan.groups) > 1 else []
        )
        if groups:
            proofs = [self._group_proof(state, g) for g in groups]
            if all(p.resolves for p in proofs):
                needs = tuple(state.group_needs(g) for g in groups)
                installed_in = [(p.pins or {}).get(package) for p in proofs]
                found = tuple(v for v in installed_in if v is not None)
                scopes.append(_Scope(needs, found, PROVED_BY_GROUPS, len(groups)))
        return scopes

    def _group_proof(self, state: _HostState, group: Sequence[str]) -> Proof:
        key = tuple(group)
        proof = state.groups.get(key)
        if proof is None:
            proof = resolve(
                state.group_needs(group),
                self.store,
                state.provider.environment,
                provider=state.provider,
            )
            state.groups[key] = proof
        return proof

    def _candidates(self, conflict: Conflict, scope: _Scope, state: _HostState) -> list[Version]:
        """The versions to try, in order and once each: the advised one, the one the scope's
        own resolution installs, then the releases every service's own constraint in the scope
        admits, newest first (yanked ones left out; pre-releases only when a constraint names
        one)."""
        package = conflict.package
        first: list[Version] = []
        with contextlib.suppress(InvalidVersion, TypeError):
            first.append(Version(conflict.recommendation.version or ""))
        first.extend(scope.installed)
        own = SpecifierSet()
        for needs in scope.needs:
            for need in needs:
                if need.name == package and need.origin is not None:
                    own &= need.specifier
        try:
            releases = state.provider.releases(package)
        except FactsMissing:
            releases = []
        pre = bool(own.prereleases)
        later = [
            r.version
            for r in releases
            if not r.yanked
            and (pre or not r.version.is_prerelease)
            and own.contains(r.version, prereleases=True)
        ]
        return list(dict.fromkeys([*first, *later]))

    def _try(
        self, package: str, version: Version, scope: _Scope, host: Host, state: _HostState
    ) -> Proof:
        """The scope resolved with `package` pinned at `version`: each of its sets of needs
        must install; the first that does not is the answer, else the installed sets merged."""
        pinned = Need(package, frozenset(), SpecifierSet(f"=={version}"))
        pins: dict[str, Version] = {}
        for needs in scope.needs:
            proof = resolve([*needs, pinned], self.store, host.environment, provider=state.provider)
            if not proof.resolves:
                return proof
            pins.update(proof.pins or {})
        return Proof(pins)

    # -- 5. plans re-checked -----------------------------------------------------------------

    def check_groups(self, host: Host, plan: Plan) -> tuple[list[Conflict], list[Clash]]:
        """Resolve each group of `plan`; the conflicts of the groups that fail."""
        state = self._hosts.get(host.name)
        if state is None or state.proof.unproven or len(plan.groups) < 2:
            return [], []  # one group is the whole host: its union was proved already
        conflicts: list[Conflict] = []
        for group in plan.groups:
            if len(group) < 2:
                continue
            proof = self._group_proof(state, group)
            if proof.resolves or proof.unproven:
                continue
            found, _ = resolver_conflicts(host, proof.causes)
            conflicts.extend(found)
        return conflicts, resolver_clashes(conflicts)

    def group_pins(self, host: Host, group: Sequence[str]) -> Proof | None:
        """The resolution of one group (for `--emit locks`), or None when unproven."""
        state = self._hosts.get(host.name)
        if state is None:
            return None
        return self._group_proof(state, group)

    def service_needs(
        self, host: Host, requirements: Mapping[str, Sequence[Requirement]]
    ) -> tuple[dict[str, list[Need]], list[Diagnostic]]:
        """Per service of `host`, what it asks the resolver for (as in the host's union)."""
        diagnostics: list[Diagnostic] = []
        _, by_service = self._needs(host, requirements, diagnostics)
        return by_service, diagnostics

    def needs_of(self, host: Host) -> dict[str, list[Need]]:
        state = self._hosts.get(host.name)
        return dict(state.by_service) if state else {}

    # -- faults --------------------------------------------------------------------------

    def diagnostics(self) -> list[Diagnostic]:
        """Every problem the fact store met, at the first requirement naming its package."""
        found = list(self._diagnostics)
        urls = all_urls(self.settings)
        for problem in self.store.problems:
            location = self._where.get(canonicalize_name(problem.package), RESOLVE_LOCATION)
            severity = Severity.ERROR if problem.error else Severity.WARNING
            found.append(Diagnostic(severity, location, redact_text(problem.message, urls)))
        return found


def _poetry_project_needs(
    tree: Tree, folder: Path, written: str, origin: Origin, environment: Mapping[str, str]
) -> list[Need] | str:
    """A Poetry project's static `[tool.poetry.dependencies]` (its main group: what
    installing it as a dependency brings), read by depcheck's own pyproject source. Its own
    path, git and URL dependencies are left out, with a note; nothing is built."""
    from depcheck.sources.interface import ReadOptions
    from depcheck.sources.pyproject import PyprojectSource

    relative = Path(os.path.relpath(folder / "pyproject.toml", Path(tree.root).resolve()))
    read = PyprojectSource().read(
        relative.as_posix(),
        ReadOptions(root=Path(tree.root), allow_outside_root=tree.allow_outside_root),
    )
    needs = []
    for r in read.requirements:
        if r.role is not Role.DECLARED or r.url is not None or r.editable:
            continue
        if not applies(r, environment):
            continue
        via = replace(origin, text=f"{origin.text} -> {r.text}")
        if r.name == PYTHON:
            needs.append(Need(PYTHON_ID, frozenset(), r.specifier, via))
        else:
            needs.append(Need(r.name, r.extras, r.specifier, via))
    if not needs and any(d.severity is Severity.ERROR for d in read.diagnostics):
        return f"{written}: the local Poetry project's pyproject.toml could not be read"
    return needs


def _newest(versions: Sequence[Version]) -> str:
    """`2.0`, or `1.0, 1.1 and 2.0`: the newest three of sorted `versions`."""
    shown = [str(v) for v in versions[-3:]]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _scope_note(host: Host, scope: _Scope, failed: Sequence[Version]) -> str:
    """Why an align proved within the plan's groups was not proved with the whole host."""
    if scope.proved != PROVED_BY_GROUPS:
        return ""
    if not failed:
        return f"host {host.name} does not resolve as a whole"
    tried = ", ".join(str(v) for v in failed)
    return f"no version tried installs with the whole host ({tried})"


def _proved(
    conflict: Conflict, version: Version, proved: str, pins: Mapping[str, Version], note: str
) -> Conflict:
    """The conflict's align on `version`, proved (`proved`) by a resolution that installed
    `pins`; another version than the advised one re-locks the files and moves the parents
    that this one needs."""
    advice = conflict.recommendation
    same = False
    with contextlib.suppress(InvalidVersion, TypeError):
        same = Version(advice.version or "") == version
    if same:
        recommendation = replace(advice, proved=proved, note=note)
    else:
        moves = _moves(conflict, version, pins)
        recommendation = replace(
            advice,
            version=str(version),
            instead_of=advice.version or "",
            relock=_relock(conflict, version),
            moves=moves,
            parents=tuple(m.parent for m in moves),
            allowed="",
            proved=proved,
            note=note,
        )
    return replace(conflict, verified=True, evidence="resolver", recommendation=recommendation)


def _specifier(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def _relock(conflict: Conflict, version: Version) -> tuple[str, ...]:
    """The lock files whose pin of the package is not `version`."""
    files = set()
    for r in conflict.requirements:
        specifier = _specifier(r.specifier)
        pin = r.role is Role.LOCKED and r.parent is None and r.specifier.startswith("==")
        if pin and (specifier is None or not specifier.contains(version, prereleases=True)):
            files.add(r.location.path)
    return tuple(sorted(files))


def _moves(
    conflict: Conflict, version: Version, pins: Mapping[str, Version]
) -> tuple[ParentMove, ...]:
    """The parents whose range on the package, as a lock records it, excludes `version`: each
    to the version the proving resolution installed (when it installed that parent)."""
    blocking: dict[str, set[tuple[str | None, str]]] = {}
    for r in conflict.requirements:
        specifier = _specifier(r.specifier)
        if r.parent is None or specifier is None or specifier.contains(version, prereleases=True):
            continue
        locked = r.via[-1].partition("==")[2] if r.via else ""
        blocking.setdefault(r.parent, set()).add((locked or None, r.specifier))
    moves = []
    for parent in sorted(blocking):
        installed = pins.get(parent)
        held = {v for v, _ in blocking[parent]}
        target = str(installed) if installed is not None and str(installed) not in held else None
        blocks = tuple(sorted(blocking[parent], key=lambda b: (b[0] or "", b[1])))
        moves.append(ParentMove(parent, blocks, target))
    return tuple(moves)


def _apart(host: Host, conflict: Conflict, plan: Plan) -> Plan:
    """`plan` when it keeps the conflict's services apart; else (a conflict the ignore list
    keeps out of the host's plan) the plan of its own clash alone, so that its move is still
    one that separates them."""
    involved = set(conflict.services)
    if sum(1 for group in plan.groups if involved.intersection(group)) > 1:
        return plan
    return plan_host(host, [_pin_clash(conflict)])


def _pin_clash(conflict: Conflict) -> Clash:
    """Planner input for an align no version proves: each service at the newest version its
    locks pin (else its own declared range), so that services that disagree are kept apart."""
    pinned: dict[str, Version] = {}
    declared: dict[str, SpecifierSet] = {}
    for r in conflict.requirements:
        if r.parent is not None:
            continue
        if r.role is Role.LOCKED and r.specifier.startswith("=="):
            with contextlib.suppress(InvalidVersion):
                version = Version(r.specifier.lstrip("="))
                if r.service not in pinned or version > pinned[r.service]:
                    pinned[r.service] = version
        elif r.role is Role.DECLARED and (specifier := _specifier(r.specifier)) is not None:
            declared[r.service] = declared.get(r.service, SpecifierSet()) & specifier
    ranges = {s: str(d) or FULL for s, d in declared.items()}
    ranges.update({s: f"=={v}" for s, v in pinned.items()})
    return Clash(conflict.package, dict(sorted(ranges.items())))


def _edge(name: str, specifier: SpecifierSet, text: str, pin: Requirement) -> Requirement:
    """A range the pinned release's metadata records, as a requirement on the edge from it."""
    return Requirement(
        name=canonicalize_name(name) if name != "python" else PYTHON,
        display_name=name,
        specifier=specifier,
        marker=None,
        extras=frozenset(),
        text=text,
        location=pin.location,
        role=pin.role,
        direct=False,
        parent=pin.name,
    )


def _holds(
    dependency: PackagingRequirement, environment: Mapping[str, str], extras: list[str]
) -> bool:
    if dependency.marker is None:
        return True
    for extra in ["", *extras]:
        values = dict(environment)
        values["extra"] = extra
        try:
            if dependency.marker.evaluate(values):
                return True
        except Exception:
            return False
    return False


def _fits(keys: Sequence[str], versions: Sequence[Version]) -> bool:
    """Whether some release satisfies every range, by pip's pre-release rule."""
    specifier = SpecifierSet()
    for key in keys:
        if key != FULL:
            specifier &= SpecifierSet(key)
    return next(iter(specifier.filter(versions)), None) is not None


def _release_hull(key: str, versions: Sequence[Version]) -> str:
    """A range the planner can compare: the releases `key` admits, as `>=low,<=high,!=holes`.

    Two such hulls intersect exactly when their release sets do, for the common case of ranges
    that are intervals of releases (an index gap is two of them); holes add `!=` so a release
    one range skips stays out."""
    admitted = sorted(SpecifierSet(key).filter(versions)) if key != FULL else sorted(versions)
    if not admitted:
        return "<0"
    # bounds by public version: a local label is invalid in `>=`/`<=` (and ignored by them)
    bounds = f">={admitted[0].public},<={admitted[-1].public}"
    within = SpecifierSet(bounds)
    kept = set(admitted)
    holes = [
        v
        for v in sorted(set(versions) - kept)
        if within.contains(v, prereleases=True) and not _hole_hits(v, kept)
    ]
    return ",".join([bounds, *(f"!={v}" for v in holes)])


def _hole_hits(hole: Version, admitted: set[Version]) -> bool:
    """Whether `!=hole` would exclude an admitted release too.

    `!=2.1.0` ignores candidates' local labels and so excludes `2.1.0+cpu`; such a hole is
    left open (the hull then admits a release more, which can hide a gap but never invent one).
    `!=2.1.0+gpu` excludes only itself."""
    if hole.local is not None:
        return False
    return any(a.local is not None and Version(a.public) == hole for a in admitted)


def local_project_needs(
    tree: Tree,
    target: str,
    where: Location,
    written: str,
    origin: Origin,
    environment: Mapping[str, str],
    *,
    folder: Path | None = None,
) -> list[Need] | str:
    """A local project's static `[project] dependencies`, or why they cannot be read.

    The project is `target`, a path or `file:` URL relative to the file `where` it is written
    (`written`: the line as written, for messages), or `folder` when `[tool.uv.sources]` named
    it. Only PEP 621 metadata written in the
    project's pyproject.toml is used: a project whose dependencies are `dynamic` (or that has
    no pyproject.toml) would need its build backend to tell, and depcheck runs none."""
    root = Path(tree.root)
    scheme = target.partition("://")[0] if "://" in target else ""
    if folder is None and scheme and scheme != "file":
        vcs = "+" in scheme or scheme in ("git", "hg", "svn", "bzr")
        what = "a version-control reference" if vcs else "a direct URL"
        return (
            f"{written}: {what}, which depcheck does not fetch (it clones nothing and downloads "
            "no file outside an index); its dependencies are left out of the proof"
        )
    if folder is not None:
        path = folder
    else:
        if target.startswith("file:"):
            target = urllib.parse.unquote(urllib.parse.urlsplit(target).path)
        base = root / where.path
        path = (base.parent / target).resolve() if not Path(target).is_absolute() else Path(target)
    try:
        path.relative_to(root.resolve())
    except ValueError:
        return f"{written}: a local project outside the scan root; not resolved"
    data, unread = read_toml(tree, path / "pyproject.toml")
    if unread is not None:
        return (
            f"{written}: no readable pyproject.toml in the local project ({unread}); its "
            "dependencies are left out of the proof (depcheck runs no build backend)"
        )
    project = data.get("project")
    if not isinstance(project, dict):
        poetry = data.get("tool", {}).get("poetry") if isinstance(data.get("tool"), dict) else None
        if isinstance(poetry, dict) and isinstance(poetry.get("dependencies"), dict):
            return _poetry_project_needs(tree, path, written, origin, environment)
        return f"{written}: the local project has no [project] table; left out of the proof"
    if "dependencies" in (project.get("dynamic") or []):
        return (
            f"{written}: the local project's dependencies are dynamic (only its build "
            "backend knows them, and depcheck runs none); left out of the proof"
        )
    needs = []
    for text in project.get("dependencies") or []:
        if not isinstance(text, str):
            continue
        try:
            parsed = PackagingRequirement(text)
        except InvalidRequirement:
            continue
        if parsed.url or not _holds(parsed, environment, []):
            continue
        needs.append(need_of(parsed, replace(origin, text=f"{origin.text} -> {text}")))
    python = project.get("requires-python")
    if isinstance(python, str):
        with contextlib.suppress(ValueError):
            needs.append(Need(PYTHON_ID, frozenset(), SpecifierSet(python), origin))
    return needs
