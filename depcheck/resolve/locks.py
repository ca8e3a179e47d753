"""`depcheck plan --resolve --emit locks DIR`: each group's shared lock, in pip-compile's format.

One file per group of each host's plan (a host that needs no split is one group): the
resolver's installed set for the group's union, in the host's environment, written the way
`pip-compile` writes a `requirements.txt`, so `pip install -r`, `pip-sync` and `uv pip sync`
take it as it is:

    botocore==1.34.0
        # via -r services/api/requirements.in
    urllib3==2.0.7
        # via
        #   -r services/auth/requirements.in
        #   botocore

`# via` names what required each pin: another package of the lock, or `-r FILE`, the
repository file (root-relative) whose line asked for it. A header says what the file is, for
which host, group and environment, and the command that writes it again.

What is written comes from index facts and the repository's names only after sanitising: names
of packages are PEP 503 normalized, versions are `packaging` versions, and every service name,
path and command in a comment goes through `report.sanitize.clean`, so no line break or control
character from a scanned file can add a line to a lock. This module renders; the CLI decides
where files go (never into the scanned repository) and writes them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from depcheck import __version__
from depcheck.model import Host, Report
from depcheck.report.sanitize import clean
from depcheck.resolve.proof import Prover
from depcheck.resolve.resolver import PYTHON_ID, Need, Proof

#: the first line of every lock depcheck writes (how `--force` knows a file is its own)
LOCK_HEADER = "# This file was written by `depcheck plan --resolve --emit locks`"


@dataclass(frozen=True, slots=True)
class GroupLock:
    """The lock of one group, or why there is none (`text` None, `problem` set)."""

    host: str
    services: tuple[str, ...]
    filename: str
    text: str | None
    problem: str | None = None


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9_.-]+", "-", text.lower()).strip("-._")
    return slug or "host"


def group_locks(report: Report, prover: Prover, *, command: str) -> list[GroupLock]:
    """One lock per group of every host of `report` (`command`: how to write them again)."""
    plans = {p.host: p for p in report.plans}
    locks: list[GroupLock] = []
    taken: set[str] = set()
    for host in sorted(report.hosts, key=lambda h: h.name):
        if not host.services:
            continue
        plan = plans.get(host.name)
        groups = [tuple(g) for g in plan.groups] if plan is not None else [host.services]
        images = {tuple(i.services): i.name for i in plan.images} if plan is not None else {}
        for number, group in enumerate(groups, start=1):
            stem = _slug(host.name)
            if len(groups) > 1:
                stem += "-" + (images.get(group) or f"group-{number}")
            name, suffix = stem, 2
            while f"{name}.txt" in taken:
                name, suffix = f"{stem}-{suffix}", suffix + 1
            filename = f"{name}.txt"
            taken.add(filename)
            proof = prover.group_pins(host, group)
            needs = prover.needs_of(host)
            what = f"group {number} of {len(groups)} of host {host.name}"
            if proof is None or proof.unproven:
                why = proof.unproven if proof is not None else "the host was not resolved"
                locks.append(
                    GroupLock(host.name, group, filename, None, f"{what}: not proven ({why})")
                )
                continue
            if not proof.resolves:
                causes = "; ".join(sorted({c.requirement for c in proof.causes})) or "no reason"
                locks.append(
                    GroupLock(
                        host.name, group, filename, None, f"{what} does not resolve ({causes})"
                    )
                )
                continue
            wanted = [n for s in group for n in needs.get(s, ())]
            text = render_lock(host, group, (number, len(groups)), proof, wanted, command)
            locks.append(GroupLock(host.name, group, filename, text))
    return locks


def render_lock(
    host: Host,
    group: Sequence[str],
    position: tuple[int, int],
    proof: Proof,
    needs: Sequence[Need],
    command: str,
) -> str:
    """The pip-compile-format lock of `group`, whose union resolved to `proof`."""
    assert proof.pins is not None
    files: dict[str, set[str]] = defaultdict(set)
    for need in needs:
        if need.origin is not None and need.name != PYTHON_ID:
            files[need.name].add(need.origin.location.path)
    environment = host.environment
    number, total = position
    lines = [
        LOCK_HEADER,
        f"# by depcheck {__version__}: the shared lock of group {number} of {total} of host "
        f"{clean(host.name)}",
        "# services: " + ", ".join(clean(s) for s in group),
        f"# for {environment.describe()} ({clean(environment.platform_machine or 'any machine')}"
        f", {clean(environment.implementation_name)}), resolved from wheels only",
        "# `-r FILE` paths are relative to the scanned repository's root. To write it again:",
        "#",
        f"#    {clean(command)}",
        "#",
    ]
    for name in sorted(proof.pins):
        lines.append(f"{name}=={proof.pins[name]}")
        parents = [
            *(f"-r {clean(path)}" for path in sorted(files.get(name, ()))),
            *(p for p in proof.parents.get(name, ()) if p),
        ]
        if len(parents) == 1:
            lines.append(f"    # via {parents[0]}")
        elif parents:
            lines.append("    # via")
            lines.extend(f"    #   {parent}" for parent in parents)
    return "\n".join(lines) + "\n"
