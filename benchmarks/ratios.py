"""CPU ratios: depcheck against uv on the same lock files, the read floor and a bare interpreter.

    python benchmarks/ratios.py                        # 1,000 x 200, 5 paired rounds, plan graphs
    python benchmarks/ratios.py --services 100 --rounds 3 --no-plans
    python benchmarks/ratios.py --hashes 2 --no-plans   # locks as pip-compile --generate-hashes
    python benchmarks/ratios.py --universal --no-plans  # index options and markers in the locks
    python benchmarks/ratios.py --scaling 10,100,1000,3000,10000   # 10,000: minutes

Every figure is the CPU time (user + system, from `os.wait4`: the child's own rusage, threads
included) of a subprocess, the median over `--rounds` rounds in which the commands compared run
one after the other (paired and interleaved, so a busy machine slows all of them alike). Wall
time and peak RSS are printed beside. Each depcheck command runs once, unmeasured, before the
rounds, and the children may write byte code (PYTHONDONTWRITEBYTECODE is cleared for them): an
installed depcheck starts from compiled modules, and a sandbox that forbids byte code would make
every run compile the package again (about 0.1 CPU s on start-up). The commands, on one generated
repository:

- *depcheck*: `depcheck scan DIR --format json --quiet`;
- *floor*: a Python subprocess that walks the same repository, reads every dependency file and
  splits it into lines (what any reader must do, interpreter start-up included);
- *uv*: `uv pip compile` once per host over that host's lock files (`requirements.txt`), offline
  against tiny wheels written for every pinned version, CPU summed over the hosts. The
  repository is generated conflict-free (`conflict_rate` 0) so uv resolves every host;
- *bare*: `python -c pass`; *version*: `depcheck --version`; *small*: a JSON scan of 5 services;
- *why*: `depcheck why PKG` (text) for the package most others depend on (every service
  reaches it by many paths: the longest answer), *why-typical* for the package of median
  standing among those others depend on, and *graph*: `depcheck graph --format dot`, on the
  same repository, each against the scan's CPU and peak RSS.

Then the adversarial plan hosts of `plan_graphs.py`: the scan's CPU and the plan step's own CPU
time (measured in-process around `plan_host`) against the 2 s budget. Figures are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import PoolPackage
from benchmarks.plan_graphs import DEFAULT_CASES, generate_case
from benchmarks.run import _uv_platform, default_depcheck, find_uv, write_wheels

HERE = Path(__file__).resolve().parent
# children may write byte code: an installed depcheck runs from compiled modules
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

FLOOR = """
import os, sys
lines = 0
for top, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith((".txt", ".in", ".toml")):
            with open(os.path.join(top, name), encoding="utf-8") as handle:
                lines += len(handle.read().splitlines())
print(lines)
"""

PLAN_TIMER = """
import sys, time
from pathlib import Path
from depcheck.topology.environment import interpreter_environment
from depcheck.pipeline import ScanOptions, prepare
from depcheck.analysis.host import analyse_host
from depcheck.recommend.plan import plan_host
prepared = prepare(ScanOptions(root=Path(sys.argv[1]), interpreter=interpreter_environment()))
for host in prepared.hosts:
    analysis = analyse_host(host, prepared.requirements, prepared.graph)
    started = time.process_time()
    plan = plan_host(host, analysis.clashes)
    spent = time.process_time() - started
    print(f"{spent:.3f} {len(plan.groups)} {plan.lower_bound} {plan.method}")
"""


@dataclass(frozen=True, slots=True)
class Measure:
    cpu: float
    wall: float
    rss_kib: int
    exit_code: int
    stdout: str


def measure(command: Sequence[str]) -> Measure:
    """Run `command`; its own CPU (user + system), wall time and peak RSS from `os.wait4`."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            stdout=out,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env=ENV,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        # only a short output is kept: this process stays small (a child's peak RSS starts
        # from its parent's at the fork), and `graph` writes tens of megabytes
        out.seek(0)
        return Measure(
            usage.ru_utime + usage.ru_stime,
            wall,
            usage.ru_maxrss,
            os.waitstatus_to_exitcode(status),
            out.read(1 << 16).decode("utf-8", "replace"),
        )


def generate_repo(root: Path, **options: object) -> dict[str, Any]:
    """`generate.py` in a subprocess, so this process stays small: a child's peak RSS on Linux
    starts from its parent's at the fork. Returns the repository's planted.json."""
    flags = [  # a flag with no value for True, none for False
        f"--{k.replace('_', '-')}" + ("" if v is True else f"={v}")
        for k, v in options.items()
        if v is not False
    ]
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(root), *flags], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    planted: dict[str, Any] = json.loads((root / "planted.json").read_text(encoding="utf-8"))
    return planted


def uv_commands(
    uv: str, root: Path, planted: dict[str, Any], wheels: Path, cache: Path
) -> list[list[str]]:
    commands = []
    for host in planted["hosts"]:
        paths = planted["services"]
        locks = [str(root / paths[s] / "requirements.txt") for s in host["services"]]
        commands.append(
            [
                uv, "pip", "compile", "--no-index", "--find-links", str(wheels), "--offline",
                "--python-version", host["python"], "--python-platform",
                _uv_platform(host["platform"]), "--cache-dir", str(cache), "--no-header",
                "--quiet", *locks,
            ]
        )  # fmt: skip
    return commands


def most_required(planted: dict[str, Any]) -> str:
    """The package of the pool most others depend on: the most paths for `why` to walk."""
    counts: dict[str, int] = {}
    for package in planted["packages"].values():
        for dependency in package["dependencies"]:
            counts[dependency] = counts.get(dependency, 0) + 1
    return max(sorted(counts), key=lambda name: counts[name])


def typical_required(planted: dict[str, Any]) -> str:
    """The package of median standing among those others depend on (`why`'s usual question)."""
    counts: dict[str, int] = {}
    for package in planted["packages"].values():
        for dependency in package["dependencies"]:
            counts[dependency] = counts.get(dependency, 0) + 1
    ranked = sorted(counts, key=lambda name: (counts[name], name))
    return ranked[len(ranked) // 2]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def paired(
    cases: dict[str, list[list[str]]], rounds: int
) -> dict[str, tuple[float, float, int, int]]:
    """Per case: median CPU, median wall, peak RSS (KiB), last exit code; cases interleaved."""
    cpu: dict[str, list[float]] = {k: [] for k in cases}
    wall: dict[str, list[float]] = {k: [] for k in cases}
    rss = dict.fromkeys(cases, 0)
    codes = dict.fromkeys(cases, 0)
    for _ in range(rounds):
        for name, commands in cases.items():
            runs = [measure(c) for c in commands]
            cpu[name].append(sum(r.cpu for r in runs))
            wall[name].append(sum(r.wall for r in runs))
            rss[name] = max(rss[name], *(r.rss_kib for r in runs))
            codes[name] = max(r.exit_code for r in runs)
    return {k: (median(cpu[k]), median(wall[k]), rss[k], codes[k]) for k in cases}


def row(name: str, figures: tuple[float, float, int, int], against: float | None) -> str:
    cpu, wall, rss, code = figures
    ratio = f"{cpu / against:6.2f}x" if against else "       "
    return (
        f"  {name:<11} cpu {cpu:7.2f} s  wall {wall:7.2f} s  peak {rss / 1024:7.0f} MiB  "
        f"{ratio}  exit {code}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--requirements", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--hashes", type=int, default=0, help="hash lines under each pin (--generate-hashes locks)"
    )
    parser.add_argument(
        "--universal", action="store_true", help="index options and markers in the locks"
    )
    parser.add_argument("--depcheck", help="command for depcheck (default: beside python)")
    parser.add_argument("--scaling", help="comma-separated service counts for a scaling table")
    parser.add_argument("--no-plans", action="store_true", help="skip the plan graphs")
    parser.add_argument("--no-uv", action="store_true")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also save the figures")
    args = parser.parse_args(argv)
    depcheck = args.depcheck.split() if args.depcheck else default_depcheck()
    uv = None if args.no_uv else find_uv()
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="depcheck-ratios-") as temp:
        base = Path(temp)
        root = base / "repo"
        hosts = max(2, args.services // 50)
        planted = generate_repo(
            root, services=args.services, requirements=args.requirements, hosts=hosts,
            conflict_rate=0.0, seed=args.seed, hashes=args.hashes, universal=args.universal,
        )  # fmt: skip
        small = base / "small"
        generate_repo(small, services=5, requirements=50, hosts=1, seed=args.seed)
        target, typical = most_required(planted), typical_required(planted)
        cases: dict[str, list[list[str]]] = {
            "bare": [[sys.executable, "-c", "pass"]],
            "version": [[*depcheck, "--version"]],
            "small": [[*depcheck, "scan", str(small), "--format", "json", "--quiet"]],
            "floor": [[sys.executable, "-c", FLOOR, str(root)]],
            "depcheck": [[*depcheck, "scan", str(root), "--format", "json", "--quiet"]],
            "why": [[*depcheck, "why", target, str(root), "--quiet"]],
            "why-typical": [[*depcheck, "why", typical, str(root), "--quiet"]],
            "graph": [[*depcheck, "graph", str(root), "--format", "dot", "--quiet"]],
        }
        if uv is not None:
            wheels = base / "wheels"
            packages = {
                name: PoolPackage(tuple(p["versions"]), tuple(p["dependencies"]))
                for name, p in planted["packages"].items()
            }
            write_wheels(packages, wheels)
            cache = base / "uv-cache"
            for command in uv_commands(uv, root, planted, wheels, cache):
                measure(command)  # warm uv's cache of the wheels once
            cases["uv"] = uv_commands(uv, root, planted, wheels, cache)
        stats = planted["stats"]
        print(
            f"{args.services} services x {args.requirements} packages, {stats['hosts']} "
            f"hosts, {stats['requirement_lines']:,} requirement lines; median of {args.rounds} "
            "paired rounds"
        )
        for name in ("version", "small", "depcheck", "why", "why-typical", "graph"):
            measure(cases[name][0])  # compile and cache what each command imports, once
        result = paired(cases, args.rounds)
        print(row("bare", result["bare"], None))
        print(row("version", result["version"], result["bare"][0]) + "  (x bare)")
        print(row("small", result["small"], result["bare"][0]) + "  (x bare)")
        print(row("floor", result["floor"], None))
        print(row("depcheck", result["depcheck"], result["floor"][0]) + "  (x floor)")
        if "uv" in result:
            print(row("uv", result["uv"], None) + f"  ({stats['hosts']} hosts, summed)")
            ratio = result["depcheck"][0] / result["uv"][0]
            print(f"  depcheck / uv CPU: {ratio:.2f}x")
        for name in ("why", "why-typical", "graph"):
            memory = result[name][2] / result["depcheck"][2]
            figures_of = row(name, result[name], result["depcheck"][0])
            print(f"{figures_of}  (x scan, peak {memory:.2f}x)")
        print(f"  (why {target}: the package most others depend on; why-typical {typical})")
        per_service = result["depcheck"][2] / args.services
        print(f"  depcheck peak RSS per service: {per_service:.0f} KiB")
        figures["ratios"] = {k: dict(zip(("cpu", "wall", "rss_kib", "exit"), v, strict=True))
                             for k, v in result.items()}  # fmt: skip
        if args.scaling:
            figures["scaling"] = scaling(base, depcheck, args)
        if not args.no_plans:
            figures["plans"] = plans(base, depcheck)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


def scaling(
    base: Path, depcheck: Sequence[str], args: argparse.Namespace
) -> list[dict[str, float]]:
    """One run of depcheck, the floor and uv (when found) per size: CPU, wall, peak RSS and the
    two ratios, so linear growth and the ratios' drift show side by side."""
    uv = None if args.no_uv else find_uv()
    print(
        "\nscaling (one run each): services, CPU s, wall s, peak MiB, KiB per service, "
        "x floor, x uv"
    )
    found = []
    for size in (int(s) for s in args.scaling.split(",")):
        root = base / f"scale-{size}"
        planted = generate_repo(root, services=size, requirements=args.requirements,
                                hosts=max(2, size // 50), conflict_rate=0.0,
                                seed=args.seed)  # fmt: skip
        run = measure([*depcheck, "scan", str(root), "--format", "json", "--quiet"])
        floor = measure([sys.executable, "-c", FLOOR, str(root)])
        uv_cpu = float("nan")
        if uv is not None:
            uv_cpu = _uv_cpu(uv, base / f"scale-{size}-uv", root, planted)
        print(
            f"  {size:>6} {run.cpu:8.2f} {run.wall:8.2f} {run.rss_kib / 1024:8.0f} "
            f"{run.rss_kib / size:8.0f} {run.cpu / floor.cpu:7.1f}x {run.cpu / uv_cpu:6.2f}x"
        )
        found.append({"services": size, "cpu": run.cpu, "wall": run.wall, "rss_kib": run.rss_kib,
                      "floor_cpu": floor.cpu, "uv_cpu": uv_cpu})  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)
    return found


def _uv_cpu(uv: str, work: Path, root: Path, planted: dict[str, Any]) -> float:
    """uv's CPU over every host of `root`, its wheels written and its cache warmed first."""
    packages = {
        name: PoolPackage(tuple(p["versions"]), tuple(p["dependencies"]))
        for name, p in planted["packages"].items()
    }
    write_wheels(packages, work / "wheels")
    commands = uv_commands(uv, root, planted, work / "wheels", work / "cache")
    for command in commands:
        measure(command)
    cpu = sum(measure(command).cpu for command in commands)
    shutil.rmtree(work, ignore_errors=True)
    return cpu


def plans(base: Path, depcheck: Sequence[str]) -> list[dict[str, object]]:
    print("\nplan graphs: scan CPU s, plan CPU s (budget 2), groups, lower bound, method")
    found: list[dict[str, object]] = []
    python = Path(depcheck[0]).parent / "python" if len(depcheck) == 1 else Path(sys.executable)
    for family, size in DEFAULT_CASES:
        root = base / f"plan-{family}-{size}"
        n, edges = generate_case(root, family, size)
        scan = measure([*depcheck, "scan", str(root), "--format", "json", "--quiet"])
        timed = measure([str(python), "-c", PLAN_TIMER, str(root)])
        spent, groups, lower, method = (timed.stdout.split() + ["?"] * 4)[:4]
        print(
            f"  {family:<13} {n:>4} services {edges:>6} pairs: scan {scan.cpu:5.2f}, "
            f"plan {spent}, {groups} groups (at least {lower}), {method}"
        )
        found.append({"family": family, "size": size, "services": n, "edges": edges,
                      "scan_cpu": scan.cpu, "plan_cpu": spent, "groups": groups,
                      "lower_bound": lower, "method": method})  # fmt: skip
    return found


if __name__ == "__main__":
    sys.exit(main())
