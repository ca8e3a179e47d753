"""The `--resolve` benchmark: cold and warm `depcheck scan --resolve` against pip-compile.

1. **One 50-service host** (about 20 locked packages each, pip-compile locks) over a real HTTP
   index on loopback (the tests' PEP 503 server, with PEP 658 metadata, as PyPI serves it)
   holding a pool of `--packages` packages (default 300) in several versions each, whose
   metadata requires other pool packages (`Requires-Dist: name>=low`), so a resolution walks a
   few hundred projects. Cold: an empty cache directory; warm: the same directory again right
   after. pip-compile resolves the union of the services' `requirements.in` over the same index
   with its own empty cache (`--pip-args --only-binary=:all:`, wheels only, as depcheck).
2. **A locked monorepo** (`--monorepo N` services on 4 hosts, default 1,000, over
   `--find-links`): the static scan against a warm `--resolve` (after one cold run that fills
   the cache).

Every figure is the median over `--rounds` rounds (default 3); within a round the commands run
one after the other (static, cold, warm, pip-compile), so a busy machine slows them alike, and
each ratio is the median of the rounds' own ratios. CPU is user + system of the child (threads
included), the steadier figure on a shared machine; wall is printed beside.

Run from the repository root: `python -m benchmarks.resolve [--services 50] [--requirements 20]
[--packages 300] [--versions 5] [--monorepo 1000] [--rounds 3]` (`--monorepo 0` skips part 2).
The subprocesses may write byte code (PYTHONDONTWRITEBYTECODE is cleared for them), as an
installed depcheck has. Not part of the test suite: the machine's load decides the figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

from benchmarks.generate import PoolPackage, generate
from benchmarks.run import write_wheels
from tests.resolve.server import Hosted, PackageIndex, RunningIndex

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass(frozen=True, slots=True)
class Run:
    wall: float
    cpu: float
    code: int


def timed(command: Sequence[str]) -> Run:
    """Wall and CPU seconds (user + system of the child) and the exit code of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=ENV)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(elapsed, cpu, result.returncode)


class Figures:
    """Each command's runs, by label, over the rounds."""

    def __init__(self) -> None:
        self.runs: dict[str, list[Run]] = {}

    def add(self, label: str, run: Run) -> None:
        self.runs.setdefault(label, []).append(run)

    def median(self, label: str, field: str) -> float:
        return statistics.median(getattr(r, field) for r in self.runs[label])

    def ratio(self, label: str, against: str, field: str) -> float:
        """The median of the rounds' own ratios (paired: one round's runs against each other)."""
        pairs = zip(self.runs[label], self.runs[against], strict=True)
        return statistics.median(getattr(a, field) / getattr(b, field) for a, b in pairs)

    def row(self, title: str, label: str, note: str = "") -> str:
        code = self.runs[label][-1].code
        return (
            f"  {title:<20} cpu {self.median(label, 'cpu'):6.2f} s  "
            f"wall {self.median(label, 'wall'):6.2f} s  (exit {code}){note}"
        )

    def versus(self, label: str, against: str, name: str) -> str:
        cpu = self.ratio(label, against, "cpu")
        wall = self.ratio(label, against, "wall")
        return f"  {cpu:.2f}x {name} CPU, {wall:.2f}x wall"


def _with_older(package: PoolPackage, count: int) -> tuple[str, ...]:
    """The package's versions with `count - 1` older releases (`0.0.0.k`) below them."""
    if min(Version(v) for v in package.versions) <= Version("0.0.1") or count <= 1:
        return package.versions
    return (*(f"0.0.0.{k}" for k in range(1, count)), *package.versions)


def pool_with_ranges(packages: Mapping[str, PoolPackage], versions: int) -> dict[str, PoolPackage]:
    """The pool with older releases added, each dependency bounded below by the lowest release
    a lock pins (`name>=low`: every pinned version still fits, older releases do not)."""
    lowest = {name: min(p.versions, key=Version) for name, p in packages.items()}
    return {
        name: PoolPackage(
            versions=_with_older(p, versions),
            dependencies=tuple(f"{dep}>={lowest[dep]}" for dep in p.dependencies),
        )
        for name, p in packages.items()
    }


def serve(wheels: Path) -> tuple[PackageIndex, RunningIndex]:
    index = PackageIndex(wheels)
    for path in sorted(wheels.glob("*.whl")):
        project = canonicalize_name(path.name.split("-")[0])
        index.projects.setdefault(project, []).append(Hosted(path, serve_metadata=True))
    return index, RunningIndex(index)


def union_of(root: Path, out: Path) -> int:
    lines = sorted(
        {
            line
            for path in root.glob("services/*/requirements.in")
            for line in path.read_text().splitlines()
            if line and not line.startswith("#")
        }
    )
    out.write_text("\n".join(lines) + "\n")
    return len(lines)


def host_benchmark(
    base: Path, services: int, requirements: int, packages: int, versions: int, rounds: int
) -> None:
    root = base / "repo"
    planted = generate(
        root, services=services, requirements=requirements, hosts=1, seed=3, pool=packages
    )
    pool = pool_with_ranges(planted.packages, versions)
    wheels = base / "wheels"
    count = write_wheels(pool, wheels)
    lines = union_of(root, base / "union.in")
    index, running = serve(wheels)
    figures = Figures()
    requests: list[int] = []
    compile_with = shutil.which("pip-compile")
    try:
        depcheck = [sys.executable, "-m", "depcheck", "scan", str(root), "-q", "--format", "json"]
        timed(depcheck)  # byte code written once, for every run below
        for n in range(rounds):
            cache = base / f"cache-{n}"
            resolve = ["--resolve", "--index-url", index.url, "--cache-dir", str(cache)]
            figures.add("static", timed(depcheck))
            before = len(index.requests)
            figures.add("cold", timed([*depcheck, *resolve]))
            requests.append(len(index.requests) - before)
            figures.add("warm", timed([*depcheck, *resolve]))
            if compile_with:
                figures.add(
                    "pip-compile",
                    timed(
                        [
                            compile_with, "--quiet", "--index-url", index.url,
                            "--pip-args", "--only-binary=:all:", "--no-header",
                            "--output-file", str(base / "union.txt"),
                            "--cache-dir", str(base / f"pc-{n}"), str(base / "union.in"),
                        ]
                    ),
                )  # fmt: skip
    finally:
        running.stop()
    print(
        f"one host: {services} services, {lines} distinct declared lines; index: {len(pool)} "
        f"packages, {count} wheels ({requests[-1]} requests on a cold run); median of {rounds}"
    )
    print(figures.row("static scan", "static"))
    print(figures.row("--resolve cold", "cold"))
    print(figures.row("--resolve warm", "warm"))
    if compile_with:
        print(figures.row("pip-compile (union)", "pip-compile"))
    print("ratios (median of the rounds' own):")
    print(f"  warm/cold  {figures.versus('warm', 'cold', 'cold')}")
    print(f"  warm/static{figures.versus('warm', 'static', 'static')}")
    if compile_with:
        print(f"  cold/pip-compile{figures.versus('cold', 'pip-compile', 'pip-compile')}")


def monorepo_benchmark(base: Path, services: int, requirements: int, rounds: int) -> None:
    root = base / "monorepo"
    planted = generate(root, services=services, requirements=requirements, hosts=4, seed=5)
    wheels = base / "monorepo-wheels"
    count = write_wheels(planted.packages, wheels)
    depcheck = [sys.executable, "-m", "depcheck", "scan", str(root), "-q", "--format", "json"]
    resolve = ["--resolve", "--no-index", "--find-links", str(wheels)]
    resolve += ["--cache-dir", str(base / "monorepo-cache")]
    timed(depcheck)
    figures = Figures()
    figures.add("cold", timed([*depcheck, *resolve]))
    for _ in range(rounds):
        figures.add("static", timed(depcheck))
        figures.add("warm", timed([*depcheck, *resolve]))
    print(
        f"locked monorepo: {services} services on 4 hosts, {count} wheels (find-links); "
        f"median of {rounds}"
    )
    print(figures.row("static scan", "static"))
    print(figures.row("--resolve cold", "cold", " (once)"))
    print(figures.row("--resolve warm", "warm"))
    print(f"  warm/static{figures.versus('warm', 'static', 'static')}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--requirements", type=int, default=20)
    parser.add_argument("--packages", type=int, default=300, help="packages in the pool")
    parser.add_argument("--versions", type=int, default=5, help="releases per package")
    parser.add_argument("--monorepo", type=int, default=1000, help="services (0: skip)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="depcheck-resolve-bench-") as temp:
        base = Path(temp)
        host_benchmark(
            base, args.services, args.requirements, args.packages, args.versions, args.rounds
        )
        if args.monorepo:
            monorepo_benchmark(base, args.monorepo, args.requirements, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
