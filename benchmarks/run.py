"""Benchmark depcheck on synthetic monorepos and on the real-world corpus; print the figures.

    python benchmarks/run.py                  # N = 10, 100, 1000 services at M = 200, 3 runs each
    python benchmarks/run.py --quick          # a small smoke run (seconds)
    python benchmarks/run.py --sizes 10,100 --requirements 50 --repeat 5 --json figures.json

Each size is generated (`benchmarks/generate.py`) into a temporary directory, then
`depcheck scan DIR --format json --quiet` runs as a subprocess `--repeat` times. Printed per size:

- *req lines*: requirement lines in all the repository's files (declared lines, marker lines
  included, plus locked pins): the work depcheck has to read;
- *wall*: the median wall-clock time of the runs, interpreter start-up and imports included;
- *peak RSS*: the largest resident set size of the depcheck process over the runs;
- *req/s*: requirement lines per second of median wall time;
- *scaling*: how many times longer than the previous size, next to how many times more services
  (equal numbers mean linear time);
- *check*: whether the report holds exactly the planted conflicts (host, package, kind and
  services): `OK`, or `MISMATCH` with what is missing and what is extra. Figures are printed,
  never asserted; only a mismatch makes the runner exit 1.

Then the start-up case (a 5-service repository, against the 0.8 s target, and `depcheck --version`
as the floor of interpreter and imports), every repository folder of the corpus
(`../shared/corpus` beside the repository, skipped when absent), and, as a reference, `uv pip
compile` over the union of one host's `requirements.in` files of a synthetic repository (skipped
when uv is not installed). uv needs an index: the runner writes a tiny wheel (METADATA, WHEEL,
RECORD in a zip) for every version the synthetic repository pins and runs uv with `--no-index
--find-links WHEELS --offline`. uv stops at the first conflict; depcheck reports all of them.

Peak RSS comes from `os.wait4`, which returns the rusage of exactly the child it reaps, so each
run's figure is its own. `resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` would not do: it is the
maximum over every child reaped so far, not a sum, so a delta shows a run only when it beats all
earlier ones. `/usr/bin/time -v` reports the same kernel figure but is GNU-only (not on macOS or
slim images) and adds a process. Where `os.wait4` is missing (Windows), RSS is not reported.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib
import json
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import (
    INCOMPATIBLE,
    PIN_MISMATCH,
    HostLayout,
    Planted,
    PoolPackage,
    generate,
)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
STARTUP_TARGET = 0.8  # seconds, for a 5-service repository (the performance issue)
ConflictKey = tuple[str, str, str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Run:
    """One subprocess: wall time, its own peak RSS (KiB, None when unknown), exit code, output."""

    seconds: float
    peak_rss_kib: int | None
    exit_code: int
    stdout: str
    stderr: str


def run_measured(command: Sequence[str]) -> Run:
    """Run `command`, timing it and reading its own peak RSS from `os.wait4` (module docstring)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        peak: int | None = None
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(process.pid, 0)
            elapsed = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
            # Linux reports KiB, macOS bytes
            peak = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
        else:
            process.wait()
            elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Run(
            seconds=elapsed,
            peak_rss_kib=peak,
            exit_code=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def default_depcheck() -> list[str]:
    """The `depcheck` beside this interpreter, else on PATH, else `python -m depcheck`."""
    beside = Path(sys.executable).parent / "depcheck"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("depcheck")
    if found:
        return [found]
    return [sys.executable, "-m", "depcheck"]


def find_uv() -> str | None:
    """uv's binary: beside this interpreter, on PATH, or from the `uv` Python package."""
    beside = Path(sys.executable).parent / "uv"
    if beside.is_file():
        return str(beside)
    found = shutil.which("uv")
    if found:
        return found
    try:
        binary: str = importlib.import_module("uv").find_uv_bin()
    except (ImportError, FileNotFoundError, AttributeError):
        return None
    return binary


def conflict_keys(report: Mapping[str, Any]) -> set[ConflictKey]:
    return {(c["host"], c["package"], c["kind"], tuple(c["services"])) for c in report["conflicts"]}


def compare(planted: Planted, report: Mapping[str, Any]) -> tuple[list[ConflictKey], ...]:
    """(missing, extra): planted conflicts the report lacks, reported ones nobody planted."""
    expected, found = planted.expected(), conflict_keys(report)
    return sorted(expected - found), sorted(found - expected)


def describe(key: ConflictKey) -> str:
    host, package, kind, services = key
    return f"{host}/{package} {kind} [{', '.join(services)}]"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def peak_of(runs: Sequence[Run]) -> int | None:
    peaks = [r.peak_rss_kib for r in runs if r.peak_rss_kib is not None]
    return max(peaks) if peaks else None


def mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.0f} MiB"


def auto_hosts(services: int) -> int:
    """Hosts for a size when not given: about 50 services per host, at least 2."""
    return max(2, services // 50)


def parse_report(run: Run) -> dict[str, Any] | None:
    if run.exit_code not in (0, 1, 2):
        return None
    try:
        report: dict[str, Any] = json.loads(run.stdout)
    except json.JSONDecodeError:
        return None
    return report


def first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else ""


@contextmanager
def workspace(keep: Path | None) -> Iterator[Path]:
    """A temporary directory, or `keep` (created, left in place) when the user wants the repos."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="depcheck-bench-") as name:
        yield Path(name)


# --- synthetic scaling ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SizeResult:
    services: int
    hosts: int
    requirements: int
    requirement_lines: int
    files: int
    generate_seconds: float
    wall_seconds: float
    runs: tuple[float, ...]
    peak_rss_kib: int | None
    planted: int
    check: Check

    @property
    def per_second(self) -> float:
        return self.requirement_lines / self.wall_seconds if self.wall_seconds else math.inf


@dataclass(frozen=True, slots=True)
class Check:
    """How one report compares with what was planted."""

    verdict: str  # OK | MISMATCH | ERROR
    missing: tuple[str, ...]  # planted, not reported (and other problems)
    extra: tuple[str, ...]  # reported, not planted
    found: int
    diagnostics: int


def check_run(planted: Planted, run: Run) -> Check:
    """Compare one depcheck run with the planted conflicts: exactly those, no diagnostics."""
    report = parse_report(run)
    if report is None:
        reason = first_line(run.stderr) or f"exit code {run.exit_code}"
        return Check("ERROR", (f"no JSON report: {reason}",), (), 0, 0)
    missing, extra = compare(planted, report)
    diagnostics = len(report["diagnostics"])
    expected_exit = 1 if planted.conflicts else 0
    notes = [describe(k) for k in missing]
    if run.exit_code != expected_exit:
        notes.append(f"exit code {run.exit_code}, expected {expected_exit}")
    if diagnostics:
        notes.append(f"{diagnostics} diagnostics, expected none")
    verdict = "OK" if not notes and not extra else "MISMATCH"
    return Check(
        verdict,
        tuple(notes),
        tuple(describe(k) for k in extra),
        len(report["conflicts"]),
        diagnostics,
    )


def bench_size(
    base: Path,
    depcheck: Sequence[str],
    *,
    services: int,
    requirements: int,
    hosts: int,
    conflict_rate: float,
    seed: int,
    repeat: int,
) -> SizeResult:
    root = base / f"synthetic-{services}x{requirements}"
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    planted = generate(
        root,
        services=services,
        requirements=requirements,
        hosts=hosts,
        conflict_rate=conflict_rate,
        seed=seed,
    )
    generated = time.perf_counter() - started
    command = [*depcheck, "scan", str(root), "--format", "json", "--quiet"]
    runs = [run_measured(command) for _ in range(repeat)]
    check = check_run(planted, runs[0])
    return SizeResult(
        services=services,
        hosts=len(planted.hosts),
        requirements=requirements,
        requirement_lines=planted.requirement_lines,
        files=planted.files,
        generate_seconds=generated,
        wall_seconds=median([r.seconds for r in runs]),
        runs=tuple(r.seconds for r in runs),
        peak_rss_kib=peak_of(runs),
        planted=len(planted.conflicts),
        check=check,
    )


def print_scaling(results: Sequence[SizeResult]) -> None:
    header = (
        f"{'services':>8} {'hosts':>5} {'req lines':>10} {'wall (s)':>9} {'peak RSS':>9} "
        f"{'req/s':>8} {'scaling':>16} {'conflicts':>9}  check"
    )
    print(header)
    print("-" * len(header))
    previous: SizeResult | None = None
    for r in results:
        if previous is None:
            scaling = "-"
        else:
            scaling = (
                f"×{r.wall_seconds / previous.wall_seconds:.1f} "
                f"(×{r.services / previous.services:.0f} svc)"
            )
        print(
            f"{r.services:>8} {r.hosts:>5} {r.requirement_lines:>10,} {r.wall_seconds:>9.2f} "
            f"{mib(r.peak_rss_kib):>9} {r.per_second:>8,.0f} {scaling:>16} "
            f"{r.check.found:>4}/{r.planted:<4}  {r.check.verdict}"
        )
        for line in r.check.missing[:20]:
            print(f"         - missing: {line}")
        for line in r.check.extra[:20]:
            print(f"         + extra:   {line}")
        previous = r


# --- start-up ---------------------------------------------------------------------------------


def bench_startup(base: Path, depcheck: Sequence[str], *, seed: int, repeat: int) -> dict[str, Any]:
    root = base / "startup-5"
    shutil.rmtree(root, ignore_errors=True)
    planted = generate(root, services=5, requirements=50, hosts=1, conflict_rate=0.05, seed=seed)
    command = [*depcheck, "scan", str(root), "--format", "json", "--quiet"]
    scans = [run_measured(command) for _ in range(max(repeat, 3))]
    versions = [run_measured([*depcheck, "--version"]) for _ in range(max(repeat, 3))]
    check = check_run(planted, scans[0])
    return {
        "services": 5,
        "requirement_lines": planted.requirement_lines,
        "wall_seconds": median([r.seconds for r in scans]),
        "peak_rss_kib": peak_of(scans),
        "version_seconds": median([r.seconds for r in versions]),
        "version": versions[0].stdout.strip(),
        "check": check.verdict,
        "missing": list(check.missing),
        "extra": list(check.extra),
    }


# --- corpus -----------------------------------------------------------------------------------


def bench_corpus(corpus: Path, depcheck: Sequence[str], *, repeat: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
        command = [*depcheck, "scan", str(folder), "--format", "json", "--quiet"]
        runs = [run_measured(command) for _ in range(repeat)]
        report = parse_report(runs[0])
        row: dict[str, Any] = {
            "repository": folder.name,
            "wall_seconds": median([r.seconds for r in runs]),
            "peak_rss_kib": peak_of(runs),
            "exit_code": runs[0].exit_code,
        }
        if report is None:
            row["error"] = first_line(runs[0].stderr) or f"exit code {runs[0].exit_code}"
        else:
            summary = report["summary"]
            row.update(
                services=summary["services"],
                hosts=summary["hosts"],
                incompatible=summary["incompatible"],
                pin_mismatch=summary["pin_mismatch"],
                errors=summary["errors"],
                warnings=summary["warnings"],
            )
        rows.append(row)
    return rows


def print_corpus(rows: Sequence[Mapping[str, Any]]) -> None:
    header = (
        f"{'repository':<46} {'services':>8} {'incompat':>8} {'pin-mism':>8} "
        f"{'diagnostics':>13} {'exit':>4} {'wall (s)':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        if "error" in row:
            print(
                f"{row['repository']:<46} {'ERROR: ' + row['error']:<43} "
                f"{row['exit_code']:>4} {row['wall_seconds']:>8.2f}"
            )
            continue
        diagnostics = f"{row['errors']} err {row['warnings']} warn"
        print(
            f"{row['repository']:<46} {row['services']:>8} {row['incompatible']:>8} "
            f"{row['pin_mismatch']:>8} {diagnostics:>13} {row['exit_code']:>4} "
            f"{row['wall_seconds']:>8.2f}"
        )


# --- uv reference -----------------------------------------------------------------------------


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def write_wheels(packages: Mapping[str, PoolPackage], directory: Path) -> int:
    """A tiny pure-Python wheel for every version of every pool package; returns how many.

    A wheel is a zip holding `{name}-{version}.dist-info/` with METADATA (name, version, one
    `Requires-Dist` per dependency, unconstrained like most real metadata), WHEEL and RECORD.
    That is all a resolver reads, so uv can resolve the synthetic pool offline.
    """
    directory.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, package in sorted(packages.items()):
        distribution = name.replace("-", "_")
        for version in package.versions:
            info = f"{distribution}-{version}.dist-info"
            files = {
                f"{info}/METADATA": "Metadata-Version: 2.1\n"
                f"Name: {name}\nVersion: {version}\n"
                + "".join(f"Requires-Dist: {dep}\n" for dep in package.dependencies),
                f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: depcheck-benchmarks\n"
                "Root-Is-Purelib: true\nTag: py3-none-any\n",
            }
            record = "".join(
                f"{path},{_record_hash(text.encode())},{len(text.encode())}\n"
                for path, text in files.items()
            )
            files[f"{info}/RECORD"] = record + f"{info}/RECORD,,\n"
            wheel = directory / f"{distribution}-{version}-py3-none-any.whl"
            with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
                for path, text in files.items():
                    archive.writestr(zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0)), text)
            count += 1
    return count


def _uv_platform(platform_name: str) -> str:
    return {"linux": "linux", "darwin": "macos", "win32": "windows"}[platform_name]


def _busiest_host(planted: Planted) -> HostLayout:
    """The host with the most planted conflicts (the first one on a tie)."""
    counts = {h.name: 0 for h in planted.hosts}
    for conflict in planted.conflicts:
        counts[conflict.host] += 1
    return max(planted.hosts, key=lambda h: counts[h.name])


def uv_compile(
    uv: str, base: Path, planted: Planted, root: Path, host: HostLayout, *, repeat: int
) -> dict[str, Any]:
    wheels = base / f"wheels-{root.name}"
    shutil.rmtree(wheels, ignore_errors=True)
    wheel_count = write_wheels(planted.packages, wheels)
    inputs = [str(root / planted.service_paths[s] / "requirements.in") for s in host.services]
    output = base / f"uv-{root.name}.txt"
    command = [
        uv,
        "pip",
        "compile",
        "--no-index",
        "--find-links",
        str(wheels),
        "--offline",
        "--python-version",
        host.python,
        "--python-platform",
        _uv_platform(host.platform),
        "--cache-dir",
        str(base / "uv-cache"),
        "--no-header",
        "--output-file",
        str(output),
        *inputs,
    ]
    runs = [run_measured(command) for _ in range(repeat)]
    resolved = 0
    if runs[-1].exit_code == 0 and output.exists():
        text = output.read_text(encoding="utf-8")
        resolved = sum(1 for line in text.splitlines() if "==" in line and line[0] != "#")
    return {
        "host": host.name,
        "services": len(host.services),
        "input_files": len(inputs),
        "wheels": wheel_count,
        "wall_seconds": median([r.seconds for r in runs]),
        "first_run_seconds": runs[0].seconds,
        "exit_code": runs[-1].exit_code,
        "resolved_packages": resolved,
        "message": _uv_error(runs[-1].stderr) if runs[-1].exit_code else "",
    }


def _uv_error(stderr: str) -> str:
    """uv's explanation of the first conflict, on one line."""
    lines = [line.strip(" ╰─▶×│") for line in stderr.splitlines()]
    text = " ".join(line for line in lines if line)
    return text[:400]


def bench_uv(
    uv: str,
    base: Path,
    depcheck: Sequence[str],
    *,
    services: int,
    requirements: int,
    conflict_rate: float,
    seed: int,
    repeat: int,
) -> dict[str, Any]:
    version = run_measured([uv, "--version"]).stdout.strip()
    result: dict[str, Any] = {"uv": version}
    for label, rate in (("with_conflicts", conflict_rate), ("conflict_free", 0.0)):
        root = base / f"uv-{label}-{services}x{requirements}"
        shutil.rmtree(root, ignore_errors=True)
        hosts = auto_hosts(services)
        planted = generate(
            root,
            services=services,
            requirements=requirements,
            hosts=hosts,
            conflict_rate=rate,
            seed=seed,
        )
        host = _busiest_host(planted)
        entry = uv_compile(uv, base, planted, root, host, repeat=repeat)
        scan = run_measured([*depcheck, "scan", str(root), "--format", "json", "--quiet"])
        report = parse_report(scan) or {"conflicts": []}
        on_host = [c for c in report["conflicts"] if c["host"] == host.name]
        entry.update(
            depcheck_seconds=scan.seconds,
            depcheck_services=services,
            depcheck_conflicts_on_host=len(on_host),
            depcheck_incompatible_on_host=sum(c["kind"] == INCOMPATIBLE for c in on_host),
            depcheck_pin_mismatch_on_host=sum(c["kind"] == PIN_MISMATCH for c in on_host),
        )
        result[label] = entry
    return result


def print_uv(result: Mapping[str, Any]) -> None:
    print(f"{result['uv']}; inputs: the requirements.in files of one host, offline wheels")
    for label in ("with_conflicts", "conflict_free"):
        entry = result[label]
        outcome = (
            f"resolved {entry['resolved_packages']} packages"
            if entry["exit_code"] == 0
            else f"failed (exit {entry['exit_code']}) at its first conflict"
        )
        print(
            f"  {label.replace('_', ' ')}: host {entry['host']}, {entry['input_files']} files, "
            f"{entry['wheels']} wheels: uv {entry['wall_seconds']:.2f} s "
            f"(first run {entry['first_run_seconds']:.2f} s), {outcome}"
        )
        if entry["message"]:
            print(f"    uv: {entry['message'][:300]}")
        print(
            f"    depcheck, whole repository ({entry['depcheck_services']} services, every host): "
            f"{entry['depcheck_seconds']:.2f} s, {entry['depcheck_conflicts_on_host']} conflicts "
            f"on host {entry['host']} ({entry['depcheck_incompatible_on_host']} incompatible, "
            f"{entry['depcheck_pin_mismatch_on_host']} pin-mismatch)"
        )
    print("  uv reports one conflict and stops; depcheck reports every conflict on every host.")


# --- the command ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py",
        description="Benchmark depcheck on synthetic monorepos and the real-world corpus.",
    )
    parser.add_argument(
        "--sizes",
        default="10,100,1000",
        help="service counts, comma-separated (default 10,100,1000)",
    )
    parser.add_argument(
        "--requirements", type=int, default=200, help="packages each service locks (default 200)"
    )
    parser.add_argument(
        "--hosts", type=int, default=0, help="hosts per repository (default: services // 50, ≥ 2)"
    )
    parser.add_argument(
        "--conflict-rate",
        type=float,
        default=0.01,
        help="share of shared (host, package) pairs with a planted conflict (default 0.01)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (default 3)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: sizes 10,30 at 40 requirements, 1 run"
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="also save the figures as JSON")
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="generate into DIR and keep the repositories"
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help=f"real-world repositories, one per folder (default {DEFAULT_CORPUS})",
    )
    parser.add_argument("--no-corpus", action="store_true", help="skip the corpus")
    parser.add_argument("--no-uv", action="store_true", help="skip the uv reference")
    parser.add_argument(
        "--uv-services",
        type=int,
        default=100,
        help="services in the repository uv resolves one host of (default 100)",
    )
    parser.add_argument(
        "--depcheck",
        metavar="CMD",
        help="command that runs depcheck (default: the depcheck beside this Python)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.quick:
        args.sizes, args.requirements, args.repeat = "10,30", 40, 1
        args.uv_services = min(args.uv_services, 20)
    try:
        sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    except ValueError:
        print(f"error: --sizes takes numbers such as 10,100,1000, not {args.sizes!r}")
        return 2
    if not sizes or min(sizes) < 1 or args.repeat < 1 or args.requirements < 1:
        print("error: sizes, --repeat and --requirements must be at least 1", file=sys.stderr)
        return 2
    depcheck = shlex.split(args.depcheck) if args.depcheck else default_depcheck()
    figures: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "depcheck": " ".join(depcheck),
        "parameters": {
            "sizes": sizes,
            "requirements": args.requirements,
            "hosts": args.hosts or "auto",
            "conflict_rate": args.conflict_rate,
            "seed": args.seed,
            "repeat": args.repeat,
        },
    }
    failed = False
    with workspace(args.keep) as base:
        print(
            f"depcheck benchmark: {' '.join(depcheck)}; Python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs; median of {args.repeat} run(s); M = {args.requirements}",
            flush=True,
        )
        print()
        results: list[SizeResult] = []
        for size in sizes:
            print(f"  generating and scanning {size} services…", file=sys.stderr, flush=True)
            results.append(
                bench_size(
                    base,
                    depcheck,
                    services=size,
                    requirements=args.requirements,
                    hosts=args.hosts or auto_hosts(size),
                    conflict_rate=args.conflict_rate,
                    seed=args.seed,
                    repeat=args.repeat,
                )
            )
        print_scaling(results)
        failed |= any(r.check.verdict != "OK" for r in results)
        figures["synthetic"] = [
            {
                "services": r.services,
                "hosts": r.hosts,
                "requirements": r.requirements,
                "requirement_lines": r.requirement_lines,
                "files": r.files,
                "wall_seconds": r.wall_seconds,
                "runs": list(r.runs),
                "peak_rss_kib": r.peak_rss_kib,
                "requirements_per_second": r.per_second,
                "generate_seconds": r.generate_seconds,
                "planted": r.planted,
                "found": r.check.found,
                "check": r.check.verdict,
                "missing": list(r.check.missing),
                "extra": list(r.check.extra),
            }
            for r in results
        ]

        print()
        startup = bench_startup(base, depcheck, seed=args.seed, repeat=args.repeat)
        figures["startup"] = startup
        verdict = "within" if startup["wall_seconds"] <= STARTUP_TARGET else "over"
        print(
            f"start-up: 5 services ({startup['requirement_lines']} requirement lines) "
            f"{startup['wall_seconds']:.2f} s, {verdict} the {STARTUP_TARGET} s target; "
            f"peak RSS {mib(startup['peak_rss_kib'])}; `depcheck --version` "
            f"{startup['version_seconds']:.2f} s; check {startup['check']}"
        )
        failed |= startup["check"] != "OK"

        print()
        if args.no_corpus:
            print("corpus: skipped (--no-corpus)")
        elif not args.corpus.is_dir():
            print(f"corpus: skipped ({args.corpus} not found)")
        else:
            print(f"corpus: {args.corpus}")
            rows = bench_corpus(args.corpus, depcheck, repeat=args.repeat)
            print_corpus(rows)
            figures["corpus"] = rows

        print()
        uv = None if args.no_uv else find_uv()
        if args.no_uv:
            print("uv reference: skipped (--no-uv)")
        elif uv is None:
            print("uv reference: skipped (uv is not installed: pip install uv)")
        else:
            print(f"uv reference ({args.uv_services} services, M = {args.requirements}):")
            result = bench_uv(
                uv,
                base,
                depcheck,
                services=args.uv_services,
                requirements=args.requirements,
                conflict_rate=args.conflict_rate,
                seed=args.seed,
                repeat=args.repeat,
            )
            print_uv(result)
            figures["uv"] = result

    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"\nfigures saved to {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
