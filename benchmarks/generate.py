"""Synthetic monorepos for depcheck's benchmarks, with the conflicts planted in them known.

`generate(root, services=N, requirements=M, hosts=H, conflict_rate=r, seed=s)` writes a repository
that looks like a real one and returns what was planted in it (also written to
`root/planted.json`), so a run can be checked: depcheck's report must hold exactly those conflicts.

The shape:

- a pool of ``3 * M`` package names ranked by popularity; each service locks ``M`` of them, drawn
  without replacement with Zipf weights (rank ``r`` weighs ``1 / r``), so popular packages and the
  same requirement lines repeat across services, as in a real monorepo;
- pool packages depend on more popular ones (a DAG), which gives the locks their transitive pins
  and ``# via <parent>`` annotations; a package with no parent in a service's lock is declared in
  its ``requirements.in`` (and some with a parent are declared too);
- per service ``services/NAME/requirements.in`` (ranges such as ``>=1.2,<2``, ``~=1.4``,
  ``==1.*``, ``!=``, a few extras and spellings that normalize to the same name, and lines under
  markers that must not apply on any configured host: ``python_version < "3.9"``,
  ``sys_platform == "win32"``) and ``services/NAME/requirements.txt`` in pip-compile's layout
  (its header, ``name==version`` pins inside the declared ranges, split ``# via`` blocks);
- ``depcheck.toml`` with every service and ``H`` hosts (``python``, ``platform``); each service
  is on one host, and a package's version may differ between hosts (hosts never conflict).

Planted conflicts: of the (host, package) pairs that at least two services on the host lock, a
share ``conflict_rate`` becomes a conflict, half of them of each kind (``incompatible_share``):

- *incompatible*: some services (the clash group) declare a range of the next major version
  (``>=2``, ``==2.*``, ...) and lock it; at least one other declares a range bounded below that
  major (``<2``, ``~=1.4``, ``==1.*``, ...). Everyone else either only locks the package or
  declares an open range (``>=1.2``, a bare name) that overlaps both sides: a bystander.
  depcheck lists every service in some minimal set of constraints no version satisfies
  (analysis/algebra.py); with these ranges the minimal sets are exactly the pairs (clash,
  bounded), so the expected services are the clash group plus the bounded declarers,
  and no bystander.
- *pin-mismatch*: some services lock ``X.Y.Z+1`` where the rest lock ``X.Y.Z``, and every declared
  range on the host admits both; depcheck lists every service that locks the package.

Every other package is locked at one version per host, and every range declared for it on that
host admits that version, so nothing else can be reported. Run as a script::

    python benchmarks/generate.py OUT --services 100 --requirements 200 --hosts 4 --seed 1
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import math
import random
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INCOMPATIBLE = "incompatible"
PIN_MISMATCH = "pin-mismatch"

Version = tuple[int, int, int]
# a range style: the specifier text a person writes around the version V a host locks
Style = Callable[[Version], str]

_SYLLABLES = (
    "aio", "arrow", "auth", "blue", "cache", "cloud", "core", "crypt", "data", "deep", "fast",
    "flask", "frame", "geo", "grid", "http", "hyper", "json", "kafka", "lazy", "log", "mark",
    "meta", "net", "orm", "pay", "proto", "py", "queue", "rest", "rpc", "schema", "sign", "sql",
    "stream", "task", "text", "time", "url", "vault", "web", "yaml", "zip",
)  # fmt: skip
_SUFFIXES = ("", "", "", "-client", "-core", "-utils", "-sdk", "-tools", "-plugin", "-lib")
_DOMAINS = (
    "accounts", "billing", "catalog", "checkout", "search", "notify", "ledger", "reports",
    "ingest", "media", "profile", "ratings", "shipping", "pricing", "audit", "gateway",
)  # fmt: skip
_ROLES = ("api", "worker", "cron", "consumer", "admin", "sync")
_HOST_NAMES = ("web", "batch", "edge", "ml", "internal", "lambda", "stream", "ops")
_PYTHONS = ("3.11", "3.12", "3.10", "3.13")
_WIN_ONLY = ("winreg-helpers", "win-console-ansi", "pywintypes-shim")


def _v(version: Version) -> str:
    return f"{version[0]}.{version[1]}.{version[2]}"


# Declared ranges around a host's locked version V = X.Y.Z. OPEN ranges also admit the clash
# major X+1 (bystanders in an incompatible conflict); BOUNDED ranges stop below X+1. All of them
# admit X.Y.Z and X.Y.Z+1 (pin-mismatch drift); EXACT admits only X.Y.Z.
OPEN: tuple[Style, ...] = (
    lambda v: "",
    lambda v: f">={v[0]}.{v[1]}",
    lambda v: f">={_v(v)}",
    lambda v: f">={v[0]}.{max(v[1] - 1, 0)}",
    lambda v: f">={v[0]}.{v[1]},!={v[0]}.{v[1]}.{v[2] + 5}",
)
BOUNDED: tuple[Style, ...] = (
    lambda v: f">={v[0]}.{v[1]},<{v[0] + 1}",
    lambda v: f"~={v[0]}.{v[1]}",
    lambda v: f"~={_v(v)}",
    lambda v: f"=={v[0]}.*",
    lambda v: f"<{v[0] + 1}",
)
EXACT: tuple[Style, ...] = (lambda v: f"=={_v(v)}",)
# ranges of the next major only: disjoint from every BOUNDED and EXACT range, overlapping OPEN ones
CLASH: tuple[Style, ...] = (
    lambda v: f">={v[0] + 1}",
    lambda v: f">={v[0] + 1},<{v[0] + 2}",
    lambda v: f"~={v[0] + 1}.{v[1] % 3}",
    lambda v: f"=={v[0] + 1}.*",
)
COMPATIBLE = OPEN + BOUNDED
ANY = COMPATIBLE + EXACT


@dataclass(frozen=True, slots=True)
class PlantedConflict:
    """One conflict depcheck must report: the fields its JSON report has for it."""

    host: str
    package: str
    kind: str
    services: tuple[str, ...]
    # services that declare the package on the host with a range that fits both sides of an
    # incompatible clash: depcheck must not list them (for the record; not a report field)
    bystanders: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "package": self.package,
            "kind": self.kind,
            "services": list(self.services),
            "bystanders": list(self.bystanders),
        }


@dataclass(frozen=True, slots=True)
class HostLayout:
    name: str
    python: str
    platform: str
    services: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PoolPackage:
    """A package of the synthetic index: the versions some lock pins, and what it depends on."""

    versions: tuple[str, ...]
    dependencies: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Planted:
    """What `generate` wrote: the expected conflicts, the layout, and counts for the figures."""

    parameters: Mapping[str, Any]
    hosts: tuple[HostLayout, ...]
    service_paths: Mapping[str, str]
    conflicts: tuple[PlantedConflict, ...]
    packages: Mapping[str, PoolPackage]
    files: int
    declared_lines: int
    locked_lines: int

    @property
    def requirement_lines(self) -> int:
        """Requirement lines in every file (declared ones, marker lines included, plus pins)."""
        return self.declared_lines + self.locked_lines

    def expected(self) -> set[tuple[str, str, str, tuple[str, ...]]]:
        """The conflicts as comparable tuples (host, package, kind, services)."""
        return {(c.host, c.package, c.kind, c.services) for c in self.conflicts}

    def to_json(self) -> dict[str, Any]:
        return {
            "parameters": dict(self.parameters),
            "stats": {
                "services": len(self.service_paths),
                "hosts": len(self.hosts),
                "files": self.files,
                "declared_lines": self.declared_lines,
                "locked_lines": self.locked_lines,
                "requirement_lines": self.requirement_lines,
                "conflicts": len(self.conflicts),
                INCOMPATIBLE: sum(c.kind == INCOMPATIBLE for c in self.conflicts),
                PIN_MISMATCH: sum(c.kind == PIN_MISMATCH for c in self.conflicts),
            },
            "hosts": [
                {
                    "name": h.name,
                    "python": h.python,
                    "platform": h.platform,
                    "services": list(h.services),
                }
                for h in self.hosts
            ],
            "services": dict(sorted(self.service_paths.items())),
            "conflicts": [c.to_json() for c in self.conflicts],
            "packages": {
                name: {"versions": list(p.versions), "dependencies": list(p.dependencies)}
                for name, p in sorted(self.packages.items())
            },
        }


@dataclass(slots=True)
class _Entry:
    """One package in one service: its pin, its declared range (None: only locked), parents."""

    version: Version
    declared: str | None
    parents: list[str]


@dataclass(slots=True)
class _Service:
    name: str
    host: str
    locked: list[str]  # package names, sorted
    parents: dict[str, list[str]]
    entries: dict[str, _Entry] = field(default_factory=dict)


def _package_names(rng: random.Random, count: int) -> list[str]:
    combos = [
        f"{a}{b}{suffix}" if a != b else f"{a}{suffix}"
        for a in _SYLLABLES
        for b in _SYLLABLES
        for suffix in _SUFFIXES
    ]
    unique = sorted(set(combos))
    rng.shuffle(unique)
    names = unique[:count]
    index = 0
    while len(names) < count:  # more names than combinations: number them
        names.append(f"{unique[index % len(unique)]}{index // len(unique) + 2}")
        index += 1
    return names


def _zipf_sample(rng: random.Random, size: int, count: int) -> list[int]:
    """`count` distinct ranks out of `size`, rank r weighted 1/(r+1) (Efraimidis-Spirakis)."""
    keys = ((math.log(1.0 - rng.random()) * (rank + 1), rank) for rank in range(size))
    return sorted(rank for _, rank in heapq.nlargest(count, keys))


def _base_version(rng: random.Random) -> Version:
    major = rng.choices((0, 1, 2, 3, 4, 5, 6), weights=(15, 30, 25, 12, 8, 6, 4))[0]
    return (major, rng.randrange(0, 30), rng.randrange(0, 4))


def _pick(rng: random.Random, styles: Sequence[Style], dominant: Style) -> Style:
    """Most declarers of a package on a host write the same range: repeated lines, as in life."""
    return dominant if dominant in styles and rng.random() < 0.7 else rng.choice(styles)


def _declares(rng: random.Random, service: _Service, package: str) -> bool:
    """A package is declared when nothing in the lock pulls it in, and sometimes anyway."""
    return not service.parents[package] or rng.random() < 0.2


def _assign(
    rng: random.Random,
    package: str,
    members: Sequence[_Service],
    version: Version,
    kind: str | None,
    versions_used: set[Version],
) -> tuple[list[str], list[str]]:
    """Give each service on a host that locks `package` its pin and declared range.

    Returns the services depcheck must list when `kind` plants a conflict (module docstring),
    and the bystanders of an incompatible one.
    """
    dominant = rng.choice(ANY)
    versions_used.add(version)
    pins = dict.fromkeys((s.name for s in members), version)
    declared: dict[str, str | None] = {}
    expected: list[str] = []
    bystanders: list[str] = []
    if kind == INCOMPATIBLE:
        shuffled = list(members)
        rng.shuffle(shuffled)
        size = rng.randint(1, min(3, len(shuffled) - 1))
        newer = (version[0] + 1, version[1] % 3, 0)
        versions_used.add(newer)
        clash_style = rng.choice(CLASH)
        for service in shuffled[:size]:
            pins[service.name] = newer
            declared[service.name] = clash_style(version)
            expected.append(service.name)
        for position, service in enumerate(shuffled[size:]):
            style: Style | None = None
            if position == 0:  # at least one range bounded below the clash group's major
                style = rng.choice(BOUNDED + EXACT)
            elif _declares(rng, service, package):
                style = _pick(rng, ANY, dominant)
            declared[service.name] = None if style is None else style(version)
            if style is not None:
                (bystanders if style in OPEN else expected).append(service.name)
    elif kind == PIN_MISMATCH:
        shuffled = list(members)
        rng.shuffle(shuffled)
        newer = (version[0], version[1], version[2] + 1)
        versions_used.add(newer)
        for service in shuffled[: rng.randint(1, len(shuffled) - 1)]:
            pins[service.name] = newer
        for service in members:
            if _declares(rng, service, package):
                declared[service.name] = _pick(rng, COMPATIBLE, dominant)(version)
            else:
                declared[service.name] = None
            expected.append(service.name)
    for service in members:
        if service.name not in declared:
            if _declares(rng, service, package):
                declared[service.name] = _pick(rng, ANY, dominant)(version)
            else:
                declared[service.name] = None
        service.entries[package] = _Entry(
            pins[service.name], declared[service.name], service.parents[package]
        )
    return expected, bystanders


def generate(
    root: Path | str,
    *,
    services: int = 100,
    requirements: int = 200,
    hosts: int = 4,
    conflict_rate: float = 0.01,
    incompatible_share: float = 0.5,
    seed: int = 0,
    pool: int | None = None,
    hashes: int = 0,
    universal: bool = False,
) -> Planted:
    """Write a synthetic monorepo under `root` (created if needed); return what was planted.

    `requirements` is the number of packages each service locks (its `requirements.txt` pins);
    its `requirements.in` declares the subset that nothing else in the lock pulls in, and some
    more. `pool` is the number of packages to draw from (default ``max(3 * M, M + 20)``). The
    planted conflicts are also written to `root/planted.json`.
    """
    if services < 1 or requirements < 1 or hosts < 1:
        raise ValueError("services, requirements and hosts must be at least 1")
    if not 0.0 <= conflict_rate <= 1.0 or not 0.0 <= incompatible_share <= 1.0:
        raise ValueError("conflict_rate and incompatible_share must be between 0 and 1")
    hosts = min(hosts, services)
    rng = random.Random(seed)
    root = Path(root)

    # the package pool, most popular first; dependencies point at more popular packages
    pool_size = max(3 * requirements, requirements + 20) if pool is None else pool
    if pool_size < requirements:
        raise ValueError("the pool must hold at least as many packages as a service locks")
    names = _package_names(rng, pool_size)
    base = [_base_version(rng) for _ in names]
    dependencies: list[list[int]] = []
    for rank in range(pool_size):
        wanted = rng.choice((0, 0, 1, 1, 2, 3)) if rank >= 5 else 0
        deps = sorted({int(rank * rng.random() ** 2) for _ in range(wanted)})
        dependencies.append(deps)

    # hosts and services; service i runs on host i % hosts
    layouts = [
        (
            _HOST_NAMES[i] if i < len(_HOST_NAMES) else f"{_HOST_NAMES[i % 8]}-{i // 8 + 1}",
            _PYTHONS[i % len(_PYTHONS)],
            "darwin" if i % 4 == 3 else "linux",
        )
        for i in range(hosts)
    ]
    all_services: list[_Service] = []
    for index in range(services):
        name = f"{_DOMAINS[index % len(_DOMAINS)]}-{_ROLES[(index // 16) % 6]}-{index:04d}"
        ranks = _zipf_sample(rng, pool_size, min(requirements, pool_size))
        chosen = set(ranks)
        parents: dict[str, list[str]] = {names[r]: [] for r in ranks}
        for rank in ranks:
            for dep in dependencies[rank]:
                if dep in chosen:
                    parents[names[dep]].append(names[rank])
        all_services.append(
            _Service(
                name=name,
                host=layouts[index % hosts][0],
                locked=sorted(parents),
                parents={k: sorted(v) for k, v in parents.items()},
            )
        )
    by_host: dict[str, list[_Service]] = {h[0]: [] for h in layouts}
    for service in all_services:
        by_host[service.host].append(service)

    # which (host, package) pairs carry a planted conflict, and of which kind
    rank_of = {name: rank for rank, name in enumerate(names)}
    holders: dict[tuple[str, str], list[_Service]] = {}
    for host_name, members in by_host.items():
        for service in members:
            for package in service.locked:
                holders.setdefault((host_name, package), []).append(service)
    eligible = sorted(key for key, members in holders.items() if len(members) >= 2)
    count = round(conflict_rate * len(eligible))
    if conflict_rate > 0 and len(eligible) >= 2:
        count = max(count, 2)
    planted_keys = rng.sample(eligible, count)
    incompatible_count = round(count * incompatible_share)
    kinds = {
        key: INCOMPATIBLE if i < incompatible_count else PIN_MISMATCH
        for i, key in enumerate(planted_keys)
    }

    conflicts: list[PlantedConflict] = []
    versions_used: dict[str, set[Version]] = {name: {base[rank_of[name]]} for name in names}
    for key in sorted(holders):
        host_name, package = key
        members = sorted(holders[key], key=lambda s: s.name)
        version = base[rank_of[package]]
        if rng.random() < 0.25:  # this host runs another major of the package
            version = (version[0] + 1, rng.randrange(0, 30), rng.randrange(0, 4))
        kind = kinds.get(key)
        expected, bystanders = _assign(rng, package, members, version, kind, versions_used[package])
        if kind is not None:
            conflicts.append(
                PlantedConflict(
                    host_name, package, kind, tuple(sorted(expected)), tuple(sorted(bystanders))
                )
            )

    planted = _write(
        root, rng, layouts, all_services, seed=seed, hashes=hashes, universal=universal
    )
    packages = {
        name: PoolPackage(
            versions=tuple(_v(v) for v in sorted(versions_used[name])),
            dependencies=tuple(sorted(names[d] for d in dependencies[rank_of[name]])),
        )
        for name in names
    }
    result = Planted(
        parameters={
            "services": services,
            "requirements": requirements,
            "hosts": hosts,
            "conflict_rate": conflict_rate,
            "incompatible_share": incompatible_share,
            "seed": seed,
        },
        hosts=planted.hosts,
        service_paths=planted.service_paths,
        conflicts=tuple(sorted(conflicts, key=lambda c: (c.host, c.package))),
        packages=packages,
        files=planted.files,
        declared_lines=planted.declared_lines,
        locked_lines=planted.locked_lines,
    )
    text = json.dumps(result.to_json(), indent=2, sort_keys=False) + "\n"
    (root / "planted.json").write_text(text, encoding="utf-8")
    return result


@dataclass(frozen=True, slots=True)
class _Written:
    hosts: tuple[HostLayout, ...]
    service_paths: dict[str, str]
    files: int
    declared_lines: int
    locked_lines: int


def _display(rng: random.Random, package: str) -> str:
    """How a person spelled the name: now and then not the normalized form."""
    roll = rng.random()
    if roll < 0.04:
        return package.replace("-", "_")
    if roll < 0.06:
        return package.title()
    return package


def _write(
    root: Path,
    rng: random.Random,
    layouts: Sequence[tuple[str, str, str]],
    services: Sequence[_Service],
    *,
    seed: int,
    hashes: int = 0,
    universal: bool = False,
) -> _Written:
    root.mkdir(parents=True, exist_ok=True)
    python_of = {name: python for name, python, _ in layouts}
    service_paths: dict[str, str] = {}
    declared_lines = locked_lines = files = 0
    for service in services:
        path = f"services/{service.name}"
        service_paths[service.name] = path
        directory = root / path
        directory.mkdir(parents=True, exist_ok=True)
        declared = _requirements_in(rng, service)
        locked = _requirements_txt(service, python_of[service.host], hashes, universal)
        (directory / "requirements.in").write_text(declared, encoding="utf-8")
        (directory / "requirements.txt").write_text(locked, encoding="utf-8")
        files += 2
        declared_lines += sum(1 for line in declared.splitlines() if line and line[0] != "#")
        locked_lines += len(service.locked)

    config = [
        f"# Synthetic monorepo written by benchmarks/generate.py (seed {seed}).",
        f"# {len(services)} services on {len(layouts)} hosts; planted conflicts in planted.json.",
        "",
    ]
    for service in services:
        config += [f"[services.{service.name}]", f'path = "{service_paths[service.name]}"', ""]
    host_layouts: list[HostLayout] = []
    for name, python, platform in layouts:
        members = tuple(sorted(s.name for s in services if s.host == name))
        host_layouts.append(HostLayout(name, python, platform, members))
        listed = ", ".join(f'"{m}"' for m in members)
        config += [
            f"[hosts.{name}]",
            f"services = [{listed}]",
            f'python = "{python}"',
            f'platform = "{platform}"',
            "",
        ]
    (root / "depcheck.toml").write_text("\n".join(config), encoding="utf-8")
    return _Written(tuple(host_layouts), service_paths, files + 1, declared_lines, locked_lines)


def _requirements_in(rng: random.Random, service: _Service) -> str:
    lines = [
        f"# {service.name}: what this service asks for.",
        "# Edit this file, then run pip-compile to update requirements.txt.",
        "",
    ]
    for package in service.locked:
        entry = service.entries[package]
        if entry.declared is None:
            continue
        extras = "[extra]" if rng.random() < 0.02 else ""
        lines.append(f"{_display(rng, package)}{extras}{entry.declared}")
        if rng.random() < 0.04:
            # an old-Python or Windows-only line that would contradict the one above if it applied
            marker = rng.choice(('python_version < "3.9"', 'sys_platform == "win32"'))
            major, minor, _ = entry.version
            older = f"{major}" if major else f"0.{minor}"
            lines.append(f"{package}<{older} ; {marker}")
    if rng.random() < 0.3:
        # Windows-only packages, declared with ranges that clash between services: never checked
        package = rng.choice(_WIN_ONLY)
        lines.append(f'{package}{rng.choice((">=2", "<2", "==1.*"))} ; sys_platform == "win32"')
    return "\n".join(lines) + "\n"


#: `universal`: the marker on every fifth pin (true on every generated host: what it pins is
#: installed, so the planted conflicts stay what they are)
UNIVERSAL_MARKER = 'python_version >= "3.8"'


def _requirements_txt(
    service: _Service, python: str, hashes: int = 0, universal: bool = False
) -> str:
    """The service's lock as pip-compile writes it; with `hashes`, as `--generate-hashes`
    writes it (that many `--hash=sha256:...` lines under each pin, digests of the pin); with
    `universal`, as a lock against a private index for several Pythons is written (the index
    options under the header, markers on some pins: `--emit-index-url`, `uv pip compile
    --universal`)."""
    lines = [
        "#",
        f"# This file is autogenerated by pip-compile with Python {python}",
        "# by the following command:",
        "#",
        "#    pip-compile --output-file=requirements.txt requirements.in",
        "#",
    ]
    if universal:
        lines += [
            "--index-url https://pypi.internal.example/simple",
            "--extra-index-url https://mirror.internal.example/simple",
            "",
        ]
    for number, package in enumerate(service.locked):
        entry = service.entries[package]
        origins = (["-r requirements.in"] if entry.declared is not None else []) + entry.parents
        pin = f"{package}=={_v(entry.version)}"
        if universal and number % 5 == 4:
            pin += f" ; {UNIVERSAL_MARKER}"
        if hashes:
            digests = [hashlib.sha256(f"{pin}#{n}".encode()).hexdigest() for n in range(hashes)]
            lines.append(pin + " \\")
            lines.extend(f"    --hash=sha256:{d} \\" for d in digests[:-1])
            lines.append(f"    --hash=sha256:{digests[-1]}")
        else:
            lines.append(pin)
        if len(origins) == 1:
            lines.append(f"    # via {origins[0]}")
        else:
            lines.append("    # via")
            lines.extend(f"    #   {origin}" for origin in origins)
    return "\n".join(lines) + "\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="generate.py",
        description="Write a synthetic monorepo with planted dependency conflicts "
        "(the expected conflicts go to OUT/planted.json).",
    )
    parser.add_argument("out", type=Path, metavar="OUT", help="directory to write (created)")
    parser.add_argument("--services", type=int, default=100, help="services (default 100)")
    parser.add_argument(
        "--requirements", type=int, default=200, help="packages each service locks (default 200)"
    )
    parser.add_argument("--hosts", type=int, default=4, help="hosts (default 4)")
    parser.add_argument(
        "--conflict-rate",
        type=float,
        default=0.01,
        help="share of the (host, package) pairs locked by two or more services that get a "
        "planted conflict (default 0.01)",
    )
    parser.add_argument(
        "--incompatible-share",
        type=float,
        default=0.5,
        help="share of the planted conflicts that are incompatible (default 0.5)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--hashes",
        type=int,
        default=0,
        help="hash lines under each locked pin, as pip-compile --generate-hashes writes them "
        "(default 0: none)",
    )
    parser.add_argument(
        "--universal",
        action="store_true",
        help="locks as written against a private index for several Pythons: index options "
        "under the header, a marker on every fifth pin",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        print(f"error: {args.out} exists and is not empty", file=sys.stderr)
        return 2
    try:
        planted = generate(
            args.out,
            services=args.services,
            requirements=args.requirements,
            hosts=args.hosts,
            conflict_rate=args.conflict_rate,
            incompatible_share=args.incompatible_share,
            seed=args.seed,
            hashes=args.hashes,
            universal=args.universal,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stats = planted.to_json()["stats"]
    print(
        f"wrote {args.out}: {stats['services']} services on {stats['hosts']} hosts, "
        f"{stats['requirement_lines']} requirement lines in {stats['files']} files; "
        f"planted {stats['conflicts']} conflicts ({stats[INCOMPATIBLE]} incompatible, "
        f"{stats[PIN_MISMATCH]} pin-mismatch) in {args.out / 'planted.json'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
