"""Resolutions remembered between runs: a warm `--resolve` re-uses the proofs of an earlier one.

A proof is stored in the fact cache (`cache.Cache`) under a key made of everything the
resolution was asked: each requirement in order (name, extras, specifier, and the service,
`file:line` and text it came from, which a proof's causes quote), the host's environment and
the resolver's round limit. With the proof, the record keeps the names of every project the
resolver looked at and a digest of what the index and find-links said about them
(`FactStore.project_digest`: the content of each project page, as revalidated this run; each
find-links file's name, URL and hashes, a local wheel's size and modification time). A stored
proof is used only while that digest still matches the facts of this run, so a new release, a
yanked one or a changed find-links directory makes the resolution run again. Metadata of a
file named by its hash is immutable, so the project facts are all that can change a proof. A
resolution abandoned for missing facts is not stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from packaging.version import InvalidVersion, Version

from depcheck.model import Environment, Location
from depcheck.resolve.facts import FactStore
from depcheck.resolve.resolver import Cause, Need, Proof

#: bump when what a proof means or how it is stored changes
FORMAT = "depcheck-proof-3"


def proof_key(needs: Sequence[Need], environment: Environment, max_rounds: int) -> str:
    asked = [
        [
            n.name,
            sorted(n.extras),
            str(n.specifier),
            None
            if n.origin is None
            else [
                n.origin.service,
                n.origin.location.path,
                n.origin.location.line,
                n.origin.location.column,
                n.origin.text,
            ],
        ]
        for n in needs
    ]
    env = [
        environment.python_version,
        environment.python_full_version,
        environment.sys_platform,
        environment.os_name,
        environment.platform_system,
        environment.platform_machine,
        environment.implementation_name,
        environment.platform_python_implementation,
    ]
    payload = json.dumps([FORMAT, env, max_rounds, asked], separators=(",", ":"))
    return "proof:" + hashlib.sha256(payload.encode()).hexdigest()


def facts_digest(store: FactStore, projects: Iterable[str]) -> str | None:
    """A digest of what the locations say about `projects` now (None: some cannot be read):
    each project's `FactStore.project_digest`, made of the content of its pages and files."""
    digest = hashlib.sha256()
    for name in sorted(set(projects)):
        project = store.project_digest(name)
        if project is None:
            return None
        digest.update(f"\0{name}\0{project}".encode())
    return digest.hexdigest()


def load_proof(store: FactStore, key: str) -> Proof | None:
    """The stored proof under `key`, if its facts still hold."""
    if store.cache is None:
        return None
    data = store.cache.get(key)
    if data is None:
        return None
    try:
        record = json.loads(data)
        if record.get("format") != FORMAT:
            return None
        store.prefetch_projects(str(p) for p in record["projects"])  # revalidated in parallel
        if facts_digest(store, record["projects"]) != record["facts"]:
            return None
        return _proof_from(record["proof"])
    except (ValueError, KeyError, TypeError, InvalidVersion):
        return None  # a damaged record: resolve again


def save_proof(store: FactStore, key: str, proof: Proof, projects: Iterable[str]) -> None:
    if store.cache is None:
        return
    names = sorted(set(projects))
    facts = facts_digest(store, names)
    if facts is None:
        return
    record = {"format": FORMAT, "projects": names, "facts": facts, "proof": _proof_to(proof)}
    store.cache.put(key, json.dumps(record, sort_keys=True).encode())


def _proof_to(proof: Proof) -> dict[str, Any]:
    return {
        "pins": None if proof.pins is None else {k: str(v) for k, v in proof.pins.items()},
        "parents": {k: list(v) for k, v in proof.parents.items()},
        "causes": [
            {
                "package": c.package,
                "requirement": c.requirement,
                "specifier": c.specifier,
                "service": c.service,
                "location": [c.location.path, c.location.line, c.location.column],
                "via": list(c.via),
                "root": c.root,
            }
            for c in proof.causes
        ],
        "unproven": proof.unproven,
    }


def _proof_from(data: dict[str, Any]) -> Proof:
    pins = data["pins"]
    causes = tuple(
        Cause(
            package=str(c["package"]),
            requirement=str(c["requirement"]),
            specifier=str(c["specifier"]),
            service=str(c["service"]),
            location=Location(*c["location"]),
            via=tuple(str(v) for v in c["via"]),
            root=str(c["root"]),
        )
        for c in data["causes"]
    )
    return Proof(
        None if pins is None else {str(k): Version(v) for k, v in pins.items()},
        {str(k): tuple(str(p) for p in v) for k, v in data["parents"].items()},
        causes,
        data["unproven"],
    )
