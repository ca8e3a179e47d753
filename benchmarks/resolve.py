"""The `--resolve` benchmark: cold and warm `depcheck scan --resolve` against pip-compile.

1. **One 50-service host** (about 20 declared requirements each, pip-compile locks) over a real
   HTTP index on loopback (the tests' PEP 503 server, with PEP 658 metadata, as PyPI serves it)
   holding every pool package in several versions (a few hundred wheels). Cold: an empty cache
   directory; warm: the same directory again. pip-compile resolves the union of the services'
   `requirements.in` over the same index with its own empty cache (`--pip-args
   --only-binary=:all:`, wheels only, as depcheck).
2. **A locked monorepo** (`--monorepo N` services on 4 hosts, default 1,000): the static scan
   against a warm `--resolve` (after one cold run that fills the cache).

Run from the repository root: `python -m benchmarks.resolve [--services 50] [--requirements
20] [--versions 5] [--monorepo 1000]` (`--monorepo 0` skips part 2). The subprocesses may
write byte code (PYTHONDONTWRITEBYTECODE is cleared for them), as an installed depcheck has.
Not part of the test suite: the machine's load decides the figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from packaging.utils import canonicalize_name

from benchmarks.generate import PoolPackage, generate
from benchmarks.run import write_wheels
from tests.resolve.server import Hosted, PackageIndex, RunningIndex

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


#: CPU seconds (user + system) of each command `_timed` ran, by its label
CPU: dict[str, float] = {}


def _timed(command: Sequence[str], label: str = "") -> tuple[float, int]:
    """Wall seconds and exit code of `command`; its CPU seconds go to `CPU[label]` (on a
    loaded machine the CPU figure is the steadier one)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=ENV)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if label:
        CPU[label] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, result.returncode


def _cpu(label: str) -> str:
    return f"{CPU[label]:6.2f} CPU s"


def _older(package: PoolPackage, count: int) -> PoolPackage:
    """The package with `count - 1` older releases (`0.0.0.k`) below the ones the locks pin."""
    if min(_as_tuple(v) for v in package.versions) <= (0, 0, 1) or count <= 1:
        return package
    extra = tuple(f"0.0.0.{k}" for k in range(1, count))
    return PoolPackage(versions=extra + package.versions, dependencies=package.dependencies)


def _as_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


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


def host_benchmark(base: Path, services: int, requirements: int, versions: int) -> None:
    root = base / "repo"
    planted = generate(root, services=services, requirements=requirements, hosts=1, seed=3)
    packages = {name: _older(p, versions) for name, p in planted.packages.items()}
    wheels = base / "wheels"
    count = write_wheels(packages, wheels)
    index, running = serve(wheels)
    try:
        depcheck = [sys.executable, "-m", "depcheck", "scan", str(root), "-q", "--format", "json"]
        resolve = ["--resolve", "--index-url", index.url, "--cache-dir", str(base / "cache")]
        _timed(depcheck)  # byte code written once, for every run below
        static, _ = _timed(depcheck, "static")
        cold, code = _timed([*depcheck, *resolve], "cold")
        fetched = len(index.requests)
        warm, _ = _timed([*depcheck, *resolve], "warm")
        lines = union_of(root, base / "union.in")
        compile_time = None
        if shutil.which("pip-compile"):
            compile_time, compile_code = _timed(
                [
                    "pip-compile", "--quiet", "--index-url", index.url,
                    "--pip-args", "--only-binary=:all:", "--no-header",
                    "--output-file", str(base / "union.txt"), "--cache-dir", str(base / "pc"),
                    str(base / "union.in"),
                ],
                "pip-compile",
            )  # fmt: skip
    finally:
        running.stop()
    print(
        f"one host: {services} services, {lines} distinct declared lines; index: "
        f"{len(packages)} packages, {count} wheels ({fetched} requests on the cold run)"
    )
    print(f"  static scan           {static:6.2f} s  {_cpu('static')}")
    print(f"  --resolve cold        {cold:6.2f} s  {_cpu('cold')}  (exit {code})")
    print(
        f"  --resolve warm        {warm:6.2f} s  {_cpu('warm')}  ({100 * warm / cold:.0f}% of "
        f"cold; CPU {100 * CPU['warm'] / CPU['cold']:.0f}%)"
    )
    if compile_time is not None:
        print(
            f"  pip-compile (union)   {compile_time:6.2f} s  {_cpu('pip-compile')}  "
            f"(exit {compile_code})"
        )


def monorepo_benchmark(base: Path, services: int, requirements: int) -> None:
    root = base / "monorepo"
    planted = generate(root, services=services, requirements=requirements, hosts=4, seed=5)
    wheels = base / "monorepo-wheels"
    count = write_wheels(planted.packages, wheels)
    depcheck = [sys.executable, "-m", "depcheck", "scan", str(root), "-q", "--format", "json"]
    resolve = ["--resolve", "--no-index", "--find-links", str(wheels)]
    resolve += ["--cache-dir", str(base / "monorepo-cache")]
    _timed(depcheck)
    static, _ = _timed(depcheck, "static")
    cold, code = _timed([*depcheck, *resolve], "cold")
    warm, _ = _timed([*depcheck, *resolve], "warm")
    print(f"locked monorepo: {services} services on 4 hosts, {count} wheels (find-links)")
    print(f"  static scan           {static:6.2f} s  {_cpu('static')}")
    print(f"  --resolve cold        {cold:6.2f} s  {_cpu('cold')}  (exit {code})")
    print(
        f"  --resolve warm        {warm:6.2f} s  {_cpu('warm')}  ({warm / static:.1f}x the "
        f"static scan; CPU {CPU['warm'] / CPU['static']:.1f}x)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--requirements", type=int, default=20)
    parser.add_argument("--versions", type=int, default=5, help="releases per package")
    parser.add_argument("--monorepo", type=int, default=1000, help="services (0: skip)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="depcheck-resolve-bench-") as temp:
        base = Path(temp)
        host_benchmark(base, args.services, args.requirements, args.versions)
        if args.monorepo:
            monorepo_benchmark(base, args.monorepo, args.requirements)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
