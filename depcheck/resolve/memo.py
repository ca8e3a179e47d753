"""Resolutions remembered between runs: a warm `--resolve` re-uses the proofs of an earlier one.

A proof is stored in the fact cache (`cache.Cache`) under a key made of everything the
resolution was asked: each requirement in order (name, extras, specifier, and the service,
`file:line` and text it came from, which a proof's causes quote), the host's environment and
the resolver's round limit. With the proof, the record keeps the names of every project the
resolver looked at and a digest of what the index and find-links said about them (each file's
name, URL, hashes, `Requires-Python`, yanked state, PEP 658 availability; a local wheel's size
and modification time). A stored proof is used only while that digest still matches the facts
of this run, so a new release, a yanked one or a changed find-links directory makes the
resolution run again. Metadata of a file named by its hash is immutable, so the project facts
are all that can change a proof. A resolution abandoned for missing facts is not stored.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.parse
import urllib.request
import weakref
from collections.abc import Iterable, Sequence
from typing import Any

from packaging.version import InvalidVersion, Version

from depcheck.model import Environment, Location
from depcheck.resolve.facts import FactStore
from depcheck.resolve.index import redact
from depcheck.resolve.resolver import Cause, Need, Proof

#: bump when what a proof means or how it is stored changes
FORMAT = "depcheck-proof-2"


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
    """A digest of what the locations say about `projects` now (None: some cannot be read)."""
    digest = hashlib.sha256()
    for name in sorted(set(projects)):
        part = _project_digest(store, name)
        if part is None:
            return None
        digest.update(f"\0{name}\0{part}".encode())
    return digest.hexdigest()


#: per fact store (one run), each project's digest: its facts do not change within a run, and
#: a host's proofs each ask for hundreds of projects with thousands of files (botocore alone
#: has ~5,000 on PyPI); hashed once per run, not once per proof (17 proofs of a real 4-service
#: host took 32 s of a 39 s warm run before)
_DIGESTS: weakref.WeakKeyDictionary[FactStore, dict[str, str | None]] = weakref.WeakKeyDictionary()


def _project_digest(store: FactStore, name: str) -> str | None:
    known = _DIGESTS.setdefault(store, {})
    if name in known:
        return known[name]
    links = store.project(name)
    if links is None:
        known[name] = None
        return None
    digest = hashlib.sha256()
    for link in links:
        fields: list[Any] = [
            link.filename,
            redact(link.url),
            sorted(link.hashes.items()),
            link.requires_python,
            link.yanked,
            None if link.metadata is None else sorted(link.metadata.items()),
        ]
        if link.url.startswith("file:"):
            fields.append(_stat(link.url))
        digest.update(json.dumps(fields, separators=(",", ":")).encode())
    known[name] = part = digest.hexdigest()
    return part


def _stat(url: str) -> list[int] | None:
    path = urllib.request.url2pathname(urllib.parse.urlsplit(url).path)
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


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
