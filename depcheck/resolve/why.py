"""What `depcheck why PACKAGE --resolve` adds: the paths through the releases a service installs.

The static `why` walks only what the files record: a declared file gives direct edges, a lock
its `# via` or dependency tables. With `--resolve`, each service's own requirements are
resolved in its host's environment (the same needs the host's union is made of), and every
chain of the installed set from one of the service's requirements to PACKAGE becomes a path:
each step names the release installed and the range its parent's metadata asks for
(`botocore 1.34.0` requires `urllib3<2.1,>=1.25.4`). Steps from metadata carry no file line
and are marked `resolved`; the first step keeps the line that asked for it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence

from packaging.utils import canonicalize_name

from depcheck.model import Diagnostic, Host, PathStep, Requirement, Severity
from depcheck.resolve.proof import RESOLVE_LOCATION, Prover
from depcheck.resolve.resolver import FactsMissing, Need, Proof, resolve

#: chains kept per service (as many as the static `why` shows)
MAX_CHAINS = 20


def resolved_paths(
    prover: Prover,
    hosts: Sequence[Host],
    requirements: Mapping[str, Sequence[Requirement]],
    package: str,
) -> tuple[dict[str, list[list[PathStep]]], list[Diagnostic]]:
    """Per service, the chains to `package` in its own resolution; and what went wrong."""
    wanted = canonicalize_name(package)
    found: dict[str, list[list[PathStep]]] = {}
    diagnostics: list[Diagnostic] = []
    done: set[str] = set()
    for host in hosts:
        by_service, problems = prover.service_needs(host, requirements)
        diagnostics.extend(problems)
        provider = prover.provider(host)
        for service in host.services:
            if service in done:
                continue  # a service on several hosts: its first host's environment
            done.add(service)
            needs = by_service.get(service, [])
            if not needs:
                continue
            proof = resolve(needs, prover.store, host.environment, provider=provider)
            if proof.unproven or not proof.resolves:
                why = proof.unproven or "its own requirements do not resolve"
                diagnostics.append(
                    Diagnostic(
                        Severity.WARNING,
                        RESOLVE_LOCATION,
                        f"service {service!r} on host {host.name}: not resolved ({why}); "
                        "only the paths its files record are shown",
                    )
                )
                continue
            chains = _chains(proof, wanted)
            if chains:
                found[service] = [_steps(prover, host, proof, needs, c) for c in chains]
    return found, diagnostics


def _chains(proof: Proof, target: str) -> list[list[str]]:
    """Chains of package names from a top-level requirement down to `target`, shortest first."""
    pins = proof.pins or {}
    if target not in pins:
        return []
    children: dict[str, list[str]] = defaultdict(list)
    tops: list[str] = []
    for child in sorted(proof.parents):
        for parent in proof.parents[child]:
            if parent:
                children[parent].append(child)
            else:
                tops.append(child)
    chains: list[list[str]] = []
    frontier = [[top] for top in tops]
    while frontier and len(chains) < MAX_CHAINS:
        following: list[list[str]] = []
        for chain in frontier:
            if chain[-1] == target:
                chains.append(chain)
                continue
            following.extend(
                [*chain, child] for child in children.get(chain[-1], ()) if child not in chain
            )
        frontier = following
    return chains[:MAX_CHAINS]


def _steps(
    prover: Prover, host: Host, proof: Proof, needs: Sequence[Need], chain: Sequence[str]
) -> list[PathStep]:
    pins = proof.pins or {}
    first = [n for n in needs if n.name == chain[0]]
    steps = [
        PathStep(
            package=chain[0],
            version=str(pins[chain[0]]),
            specifier=",".join(sorted({str(n.specifier) for n in first if n.specifier})),
            locations=tuple(sorted({n.origin.location for n in first if n.origin})),
            resolved=True,
        )
    ]
    for parent, child in itertools.pairwise(chain):
        steps.append(
            PathStep(
                package=child,
                version=str(pins[child]),
                specifier=_asked(prover, host, parent, str(pins[parent]), child),
                resolved=True,
            )
        )
    return steps


def _asked(prover: Prover, host: Host, parent: str, version: str, child: str) -> str:
    """The range `parent` at `version` asks for `child`, from its metadata."""
    try:
        releases = prover.provider(host).releases(parent)
    except FactsMissing:
        return ""
    release = next((r for r in releases if str(r.version) == version), None)
    if release is None or release.link is None:
        return ""
    metadata = prover.store.metadata(release.link)
    if metadata is None:
        return ""
    ranges = {
        str(r.specifier)
        for r in metadata.requires_dist
        if canonicalize_name(r.name) == child and r.specifier
    }
    return ",".join(sorted(ranges))
