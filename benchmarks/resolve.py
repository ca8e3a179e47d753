"""The `--resolve` benchmark: a cold and a warm `depcheck scan --resolve` against pip-compile.

A generated 50-service host (about 20 declared requirements each, pip-compile locks) over a
`--find-links` directory of wheels for every version of the generated pool (a few hundred
packages' files); cold = an empty cache directory, warm = the same directory again. pip-compile
resolves the union of the services' `requirements.in` over the same wheels (`--no-index
--find-links`). Run: `python -m benchmarks.resolve [--services 50] [--requirements 20]`.
Not part of the test suite (the machine's load decides the figures).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import generate
from benchmarks.run import write_wheels


def _timed(command: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, result.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--requirements", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="depcheck-resolve-bench-") as temp:
        base = Path(temp)
        root = base / "repo"
        planted = generate(
            root, services=args.services, requirements=args.requirements, hosts=1, seed=3
        )
        wheels = base / "wheels"
        count = write_wheels(planted.packages, wheels)
        depcheck = [sys.executable, "-m", "depcheck", "scan", str(root), "-q", "--format", "json"]
        resolve = ["--resolve", "--no-index", "--find-links", str(wheels)]
        cache = ["--cache-dir", str(base / "cache")]
        static, _ = _timed(depcheck)
        cold, code = _timed([*depcheck, *resolve, *cache])
        warm, _ = _timed([*depcheck, *resolve, *cache])
        union = base / "union.in"
        lines = sorted(
            {
                line
                for path in root.glob("services/*/requirements.in")
                for line in path.read_text().splitlines()
                if line and not line.startswith("#")
            }
        )
        union.write_text("\n".join(lines) + "\n")
        compile_time = None
        if shutil.which("pip-compile"):
            compile_time, _ = _timed(
                [
                    "pip-compile", "--quiet", "--no-index", "--find-links", str(wheels),
                    "--output-file", str(base / "union.txt"), "--cache-dir", str(base / "pc"),
                    str(union),
                ]
            )  # fmt: skip
        print(f"{args.services} services, {len(lines)} distinct declared lines, {count} wheels")
        print(f"static scan           {static:6.2f} s")
        print(f"--resolve cold        {cold:6.2f} s  (exit {code})")
        print(f"--resolve warm        {warm:6.2f} s  ({100 * warm / cold:.0f}% of cold)")
        if compile_time is not None:
            print(f"pip-compile (union)   {compile_time:6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
