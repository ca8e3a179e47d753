"""Random scenarios against real resolvers: a seeded generator writes small indexes (PEP 440
shapes with pre-, post- and local releases and epochs; metadata with markers and extras; PEP 658
metadata for half the packages) and two services' requirements; depcheck's verdict on their host
must be the resolvers' (uv's, and pip-compile's where uv and pip disagree).

`DEPCHECK_ORACLE_SEEDS` (default 2) seeds from `DEPCHECK_ORACLE_SEED` (default 0) run, each with
`PER_SEED` scenarios in one index; a failing seed is named in the test id, so
`DEPCHECK_ORACLE_SEED=N DEPCHECK_ORACLE_SEEDS=1` replays it."""

from __future__ import annotations

import os
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import write_tree
from tests.resolve.server import PackageIndex
from tests.resolve.test_oracle import PIP_COMPILE, UV, pip_compile_verdict, uv_verdict
from tests.resolve.test_scan_resolve import TOPOLOGY, Run, scan

PER_SEED = 8
FIRST_SEED = int(os.environ.get("DEPCHECK_ORACLE_SEED", "0"))
SEEDS = range(FIRST_SEED, FIRST_SEED + int(os.environ.get("DEPCHECK_ORACLE_SEEDS", "2")))

# release shapes: finals, pre-releases, post-releases, local labels, an epoch
VERSIONS = [
    "0.9",
    "1.0",
    "1.0.post1",
    "1.2",
    "1.5rc1",
    "2.0b1",
    "2.0",
    "2.1.0+cpu",
    "2.3",
    "3.0.dev0",
    "3.0",
    "1!0.5",
]
OPERATORS = [">=", ">=", ">=", "<", "<=", ">", "==", "!=", "~="]
MARKERS = [
    "",
    "",
    "",
    "; sys_platform == 'win32'",
    "; python_version < '3.8'",
    "; python_version >= '3.10'",
    "; extra == 'proxy'",
]


@dataclass
class Scenario:
    """One index namespace (`prefix`) and the two services' requirement lines."""

    prefix: str
    #: package -> [(version, requires)]
    packages: dict[str, list[tuple[str, list[str]]]] = field(default_factory=dict)
    metadata: set[str] = field(default_factory=set)
    api: list[str] = field(default_factory=list)
    auth: list[str] = field(default_factory=list)


def constraint(rng: random.Random, versions: list[str]) -> str:
    """A specifier near the package's releases; mostly lower bounds, so many cases install."""
    operator = rng.choice(OPERATORS)
    anchor = rng.choice(versions)
    if operator == "~=":
        anchor = anchor.split("+")[0]
        if "!" in anchor or anchor.count(".") < 1:
            operator = ">="
    if operator in (">=", "<", "<=", ">", "~=") and "+" in anchor:
        anchor = anchor.split("+")[0]  # a local label is only valid with == and !=
    spec = f"{operator}{anchor}"
    if rng.random() < 0.2:
        spec += f",<{rng.choice(['2', '3', '4'])}"
    return spec


def generate(rng: random.Random, prefix: str) -> Scenario:
    scenario = Scenario(prefix)
    names = [f"{prefix}-p{i}" for i in range(rng.randint(2, 4))]
    versions = {
        name: sorted(rng.sample(VERSIONS, rng.randint(2, 4)), key=VERSIONS.index) for name in names
    }
    for position, name in enumerate(names):
        later = names[position + 1 :]  # dependencies point forward: no cycles
        releases = []
        for version in versions[name]:
            requires = [
                f"{dependency}{constraint(rng, versions[dependency])}{rng.choice(MARKERS)}"
                for dependency in rng.sample(later, min(len(later), rng.randint(0, 2)))
            ]
            releases.append((version, requires))
        scenario.packages[name] = releases
        if rng.random() < 0.5:
            scenario.metadata.add(name)
    for lines in (scenario.api, scenario.auth):
        for name in rng.sample(names, rng.randint(1, min(3, len(names)))):
            extras = "[proxy]" if rng.random() < 0.25 else ""
            spec = constraint(rng, versions[name]) if rng.random() < 0.8 else ""
            lines.append(f"{name}{extras}{spec}")
    return scenario


def publish(index: PackageIndex, scenario: Scenario) -> None:
    for name, releases in scenario.packages.items():
        for version, requires in releases:
            index.add(name, version, requires, extras=["proxy"], metadata=name in scenario.metadata)


def depcheck_verdict(run_cli: Run, root: Path, index: PackageIndex, cache: Path) -> bool:
    """Installable unless an incompatible conflict or an error says a service (alone, e.g. a
    range no release meets) or the host cannot be installed."""
    code, report = scan(run_cli, root, "--index-url", index.url, "--cache-dir", str(cache))
    errors = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert all(d["finding"] for d in errors), errors  # findings, never an input error
    clashes = [c for c in report["conflicts"] if c["kind"] == "incompatible"]
    installable = not clashes and not errors
    assert code == (0 if installable else 1), (code, clashes, errors)
    return installable


@pytest.mark.parametrize("seed", SEEDS)
def test_random_scenarios_match_the_resolvers(
    run_cli: Run, index: PackageIndex, tmp_path: Path, seed: int
) -> None:
    if not Path(UV).exists():
        pytest.skip("uv is not installed")
    rng = random.Random(seed)
    scenarios = [generate(rng, f"s{seed}x{k}") for k in range(PER_SEED)]
    for scenario in scenarios:
        publish(index, scenario)
    pip_compile_usable = (
        Path(PIP_COMPILE).exists()
        and sys.version_info[:2] == (3, 11)
        and sys.platform.startswith("linux")
    )
    installable = 0
    for scenario in scenarios:
        work = tmp_path / scenario.prefix
        root = write_tree(
            work / "repo",
            {
                "depcheck.toml": TOPOLOGY,
                "services/api/requirements.in": "\n".join(scenario.api) + "\n",
                "services/auth/requirements.in": "\n".join(scenario.auth) + "\n",
            },
        )
        ours = depcheck_verdict(run_cli, root, index, tmp_path / "cache")
        union = scenario.api + scenario.auth
        truth = uv_verdict(index, work, union)
        if truth != ours and pip_compile_usable:
            # uv and pip differ on a few pre-release fallbacks; pip-tools is the named resolver
            truth = pip_compile_verdict(index, work, union)
        assert ours == truth, (seed, scenario)
        installable += truth
    print(f"seed {seed}: {installable} of {PER_SEED} scenarios installable")
