"""A mutation fuzzer over every input depcheck reads, driven through `depcheck.cli.main`.

Each seed is a fixture repository and one file in it: a source format (requirements, pyproject,
poetry.lock, uv.lock, Pipfile, Pipfile.lock, pylock.toml, setup.cfg), a deployment format
(Dockerfile, Compose, Procfile, SAM, Serverless, .env) or the config. Each iteration copies the
repository, mutates that file (bytes cut, doubled, swapped, truncated, or a hostile token
spliced in: brackets, quotes, NULs, invalid UTF-8, YAML anchors, `${`, `::`, `##[`, huge numbers,
long lines, `..` paths) and scans it in every output format. The contract: exit 0, 1 or 2, never
3; no traceback and no "bug in depcheck" diagnostic; the JSON report valid against its schema,
the SARIF parseable, every document valid UTF-8.

Deterministic: the random generator is seeded per seed file. The default depth (a few hundred
scans, well under a minute on one core) runs in CI; a deeper run for a benchmark machine:

    DEPCHECK_FUZZ_ITERATIONS=2000 python -m pytest -q tests/robustness/test_fuzz.py
    DEPCHECK_FUZZ_SEED=7 ...   (another sequence of mutations)

A failure names the seed, the iteration and where it left the input; that input becomes a
regression fixture in `tests/robustness/fuzz_findings/NAME/` (the repository as it failed) and
`test_fuzz_findings` scans it from then on.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import jsonschema
import pytest

from depcheck.cli import main
from depcheck.report.json import load_schema
from tests.conftest import FIXTURES

ITERATIONS = int(os.environ.get("DEPCHECK_FUZZ_ITERATIONS", "15"))
SEED = int(os.environ.get("DEPCHECK_FUZZ_SEED", "0"))
FINDINGS = Path(__file__).parent / "fuzz_findings"
FORMATS = ("text", "json", "sarif", "markdown", "github")

ENV_SEED = "PYTHON_VERSION=3.11\nBASE=python:${PYTHON_VERSION}-slim\nexport TOKEN='x'\n"

#: (name, fixture repository, file mutated, its text when the fixture has none)
SEEDS: tuple[tuple[str, str, str, str | None], ...] = (
    ("requirements", "demo", "services/api/requirements.txt", None),
    ("requirements-include", "demo", "services/billing/requirements.txt", None),
    ("pyproject-pep621", "sources/pyproject/pep621-service", "pyproject.toml", None),
    ("pyproject-poetry", "sources/pyproject/poetry-service", "pyproject.toml", None),
    ("poetry-lock", "sources/poetry-lock/uploader", "poetry.lock", None),
    ("uv-lock", "sources/uv-lock/platform", "uv.lock", None),
    ("pipfile", "sources/Pipfile/tables", "Pipfile", None),
    ("pipfile-lock", "sources/Pipfile-lock/worker", "Pipfile.lock", None),
    ("pylock", "sources/pylock/app", "pylock.toml", None),
    ("setup-cfg", "sources/setup.cfg/library", "setup.cfg", None),
    ("dockerfile", "deploy/shop", "docker/web.Dockerfile", None),
    ("compose", "deploy/shop", "compose.yaml", None),
    ("procfile", "deploy/heroku", "Procfile", None),
    ("sam", "deploy/lambda", "template.yaml", None),
    ("serverless", "deploy/sls", "serverless.yml", None),
    ("dotenv", "deploy/shop", ".env", ENV_SEED),
    ("config", "demo", "depcheck.toml", None),
)

TOKENS: tuple[bytes, ...] = (
    b"[",
    b"]",
    b"{",
    b"}",
    b'"',
    b"'",
    b"\n",
    b"\r",
    b"\x00",
    b"\xff\xfe",
    b"\\",
    b"=",
    b":",
    b"${",
    b"$(",
    b"::error::x",
    b"##[stop-commands]",
    b"..",
    b"../../",
    b"/etc/passwd",
    b"-r ",
    b"-c ",
    b"*",
    b"&a ",
    b"*a",
    b"<<: *a",
    b"!Ref ",
    b"!!python/object:os.system ",
    b"~=",
    b"===",
    b"==",
    b"!=",
    b"<",
    b";",
    b" and ",
    b"python_version",
    b"@ file:///",
    b"#",
    b"\t",
    b"\xe2\x80\xae",
    b"9" * 5000,
    b"1." * 200,
    b"x" * 300,
    b"a" * 70_000,
    b"[[package]]\n",
    b"COPY --from=0 ",
    b"FROM ",
    b" AS ",
    b"\\\n",
    b"version = ",
    b"null",
    b"true",
    b"-1",
)


def _mutate(data: bytes, rng: random.Random) -> bytes:
    """One to three random edits of `data`."""
    for _ in range(rng.randint(1, 3)):
        size = len(data)
        start = rng.randrange(size + 1)
        end = min(size, start + rng.randint(0, 64))
        choice = rng.randrange(7)
        if choice == 0:  # cut
            data = data[:start] + data[end:]
        elif choice == 1:  # splice a token
            data = data[:start] + rng.choice(TOKENS) + data[start:]
        elif choice == 2:  # double a run
            data = data[:end] + data[start:end] * rng.randint(1, 50) + data[end:]
        elif choice == 3:  # truncate
            data = data[:start]
        elif choice == 4:  # flip a byte
            if size:
                index = rng.randrange(size)
                data = (
                    data[:index]
                    + bytes([data[index] ^ (1 << rng.randrange(8))])
                    + data[index + 1 :]
                )
        elif choice == 5:  # swap two lines
            lines = data.split(b"\n")
            if len(lines) > 1:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                data = b"\n".join(lines)
        else:  # repeat a line many times
            lines = data.split(b"\n")
            index = rng.randrange(len(lines))
            lines[index:index] = [lines[index]] * rng.randint(2, 300)
            data = b"\n".join(lines)
    return data


def check_scan(root: Path, out: Path, capsys: pytest.CaptureFixture[str], *, plan: bool) -> str:
    """Scan `root` in every format (and `plan --emit` when `plan`); '' when the contract holds,
    else what broke it."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    outputs = [arg for f in FORMATS for arg in ("--output", f"{f}:{out}/report.{f}")]
    try:
        code = main(["scan", str(root), "--format", "json", "--quiet", *outputs])
    except SystemExit as exc:  # argparse only: never from an input
        return f"SystemExit {exc.code}"
    captured = capsys.readouterr()
    problems = []
    if code not in (0, 1, 2):
        problems.append(f"exit {code}")
    for name, text in (("stdout", captured.out), ("stderr", captured.err)):
        if "Traceback" in text or "internal error" in text or "a bug in depcheck" in text:
            problems.append(f"{name}: {text[-600:]}")
    try:
        report = json.loads(captured.out)
        jsonschema.validate(report, load_schema(), cls=jsonschema.Draft202012Validator)
        json.loads((out / "report.sarif").read_text(encoding="utf-8"))
        for name in FORMATS:
            (out / f"report.{name}").read_bytes().decode("utf-8")
    except (ValueError, OSError, jsonschema.ValidationError) as exc:
        problems.append(f"documents: {type(exc).__name__}: {str(exc)[:300]}")
    if plan and not problems:
        emitted = out / "plan" / "compose.yaml"
        code = main(["plan", str(root), "--quiet", "--emit", "compose", str(emitted)])
        captured = capsys.readouterr()
        if code not in (0, 1, 2) or "Traceback" in captured.err or "internal error" in captured.err:
            problems.append(f"plan exit {code}: {captured.err[-600:]}")
    return "; ".join(problems)


@pytest.mark.parametrize("seed", SEEDS, ids=[s[0] for s in SEEDS])
def test_fuzz(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: tuple[str, str, str, str | None]
) -> None:
    name, fixture, target, text = seed
    source = FIXTURES / fixture
    original = text.encode() if text is not None else (source / target).read_bytes()
    rng = random.Random(f"{SEED}:{name}")
    repo = tmp_path / "repo"
    shutil.copytree(source, repo)
    for iteration in range(ITERATIONS):
        data = _mutate(original, rng)
        (repo / target).write_bytes(data)
        problem = check_scan(repo, tmp_path / "out", capsys, plan=iteration % 5 == 0)
        if problem:
            kept = tmp_path / f"finding-{name}-{iteration}"
            shutil.copytree(repo, kept, symlinks=True)
            pytest.fail(
                f"seed {name}, DEPCHECK_FUZZ_SEED={SEED}, iteration {iteration}: {problem}\n"
                f"the repository is at {kept}; copy it to {FINDINGS}/NAME as a regression fixture"
            )


@pytest.mark.parametrize(
    "finding",
    sorted(p.name for p in FINDINGS.iterdir() if p.is_dir()) if FINDINGS.is_dir() else [],
)
def test_fuzz_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str], finding: str) -> None:
    """Each input the fuzzer once broke depcheck with, scanned in every format again."""
    repo = tmp_path / "repo"
    shutil.copytree(FINDINGS / finding, repo, symlinks=True)
    assert check_scan(repo, tmp_path / "out", capsys, plan=True) == ""
