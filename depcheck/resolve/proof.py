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
4. **Verified advice** (`Prover.verify_advice`): an align version is `verified` only when the
   union resolves with it pinned; else the version the union's own resolution installed (which
   resolves by construction) is advised instead. On a host whose union fails, no align can be
   verified and the advice says so.
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
import tomllib
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PackagingRequirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from depcheck.analysis.algebra import FULL, combine_keys
from depcheck.analysis.collect import applies, collect
from depcheck.analysis.host import Clash, HostAnalysis
from depcheck.analysis.rules.incompatible import incompatible
from depcheck.analysis.rules.python import PYTHON
from depcheck.graph import DependencyGraph
from depcheck.model import (
    Action,
    Conflict,
    Diagnostic,
    Host,
    Kind,
    Location,
    OpaqueRequirement,
    Plan,
    Requirement,
    Role,
    Severity,
)
from depcheck.recommend.advice import PROVED_BY_HOST
from depcheck.resolve.cache import Cache, default_cache_dir
from depcheck.resolve.causes import resolver_clashes, resolver_conflicts
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
from depcheck.resolve.uv_sources import uv_source

#: where a diagnostic about the index itself (not about one requirement) points
RESOLVE_LOCATION = Location("--resolve")


@dataclass(slots=True)
class _HostState:
    needs: list[Need]
    proof: Proof
    provider: HostProvider
    #: per service, its needs (to re-check the groups of a plan)
    by_service: dict[str, list[Need]] = field(default_factory=dict)


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
    ) -> None:
        self.settings = settings
        self.root = root
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
        if sdist:
            message = (
                f"{requirement.display_name}: no wheel for {where}, only sdists, which depcheck "
                "never builds (building runs the package's code); the static result stands"
            )
        else:
            message = f"{requirement.text}: the index has no release for {where} that satisfies it"
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
                    source := uv_source(self.root, r.location.path, r.name)
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
                    self.root, opaque.text, opaque.location, opaque.text, origin, environment
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
                or (r.role is Role.DECLARED and uv_source(self.root, r.location.path, r.name))
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
                self.root,
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

    def verify_advice(self, host: Host, conflicts: Sequence[Conflict]) -> list[Conflict]:
        """Each align checked by the resolver: verified, replaced by one that resolves, or
        marked as not verifiable because the host does not resolve at all."""
        state = self._hosts.get(host.name)
        if state is None or state.proof.unproven:
            return list(conflicts)
        result = []
        for conflict in conflicts:
            advice = conflict.recommendation
            if conflict.kind is not Kind.PIN_MISMATCH or advice.action is not Action.ALIGN:
                result.append(conflict)
                continue
            result.append(self._verify(host, conflict, state))
        return result

    def _verify(self, host: Host, conflict: Conflict, state: _HostState) -> Conflict:
        """The conflict's align, proved by the resolver (or said not to be); the wording is
        `recommend.advice`'s."""
        advice = conflict.recommendation
        name = conflict.display_name
        if not state.proof.resolves:
            why = (
                f"host {host.name} does not resolve as a whole; "
                "fix its incompatible conflicts first"
            )
            return replace(conflict, verified=False, recommendation=replace(advice, note=why))
        tried = advice.version
        if tried is not None:
            pinned = Need(conflict.package, frozenset(), SpecifierSet(f"=={tried}"))
            check = resolve(
                [*state.needs, pinned], self.store, host.environment, provider=state.provider
            )
            if check.resolves:
                return replace(
                    conflict,
                    verified=True,
                    evidence="resolver",
                    recommendation=replace(advice, proved=PROVED_BY_HOST),
                )
        installed = (state.proof.pins or {}).get(conflict.package)
        if installed is None:
            why = f"the host's resolution does not install {name}"
            return replace(conflict, verified=False, recommendation=replace(advice, note=why))
        return replace(
            conflict,
            verified=True,
            evidence="resolver",
            recommendation=replace(
                advice, version=str(installed), proved=PROVED_BY_HOST, instead_of=tried or ""
            ),
        )

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
            needs = [n for s in group for n in state.by_service.get(s, ())]
            proof = resolve(needs, self.store, host.environment, provider=state.provider)
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
        needs = [n for s in group for n in state.by_service.get(s, ())]
        return resolve(needs, self.store, host.environment, provider=state.provider)

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
    root: Path,
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
    pyproject = path / "pyproject.toml"
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return (
            f"{written}: no readable pyproject.toml in the local project; its "
            "dependencies are left out of the proof (depcheck runs no build backend)"
        )
    project = data.get("project")
    if not isinstance(project, dict):
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
