"""Bounded cost on hostile input: no regular expression backtracks super-linearly on a line, YAML
aliases cannot expand work, specifier algebra has a clause limit (issue: "Safe on a stranger's
pull request", the hangs).

Each former hang is scanned through the CLI under a wall-clock limit a few times what the fixed
code needs (timings measured on the 2-core development machine are in the comments).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import depcheck
from depcheck import model
from depcheck.sources.interface import MAX_CLAUSES
from tests.robustness.conftest import ScanJson, repository


def _elapsed(work: object) -> float:
    started = time.perf_counter()
    assert callable(work)
    work()
    return time.perf_counter() - started


def test_a_long_local_path_is_read_in_linear_time(tmp_path: Path, scan: ScanJson) -> None:
    # 4.5 KB: the sdist-name regex took 67 s on this line; now 0.5 s for the whole scan
    line = "./" + "a-1" * 1500 + ".tar.gz"
    root = repository(tmp_path, {"c/requirements.txt": f"{line}\n"})
    started = time.perf_counter()
    result = scan(root)
    assert time.perf_counter() - started < 5
    result.assert_healthy_still_analysed()


def test_thousands_of_exclusions_are_refused_with_a_diagnostic(
    tmp_path: Path, scan: ScanJson
) -> None:
    # 4,000 `!=` on one line took 25 s of interval algebra; now refused at once
    clauses = ",".join(f"!=1.{i}" for i in range(4000))
    root = repository(tmp_path, {"c/requirements.txt": f"six==1.16.0\nurllib3{clauses}\n"})
    started = time.perf_counter()
    result = scan(root)
    assert time.perf_counter() - started < 5
    assert result.code == 2
    error = result.only("c/requirements.txt")
    assert error["line"] == 2
    assert (
        f"4000 version clauses in one requirement (depcheck reads at most {MAX_CLAUSES})"
        in (error["message"])
    )
    result.assert_healthy_still_analysed()


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # a plain declared file (the one-pass reader), a lock (the regular-expression walk), an
        # option line (the general reader) and pyproject.toml (`Requirement`, not `parsed_line`)
        ("c/requirements.in", "six==1.16.0\nurllib3{clauses}\n"),
        ("c/requirements.txt", "--pre\nurllib3{clauses}\n"),
        ("c/pyproject.toml", '[project]\nname = "c"\ndependencies = ["urllib3{clauses}"]\n'),
    ],
)
def test_the_clause_limit_holds_in_a_process_that_has_read_only_short_ranges(
    tmp_path: Path, scan: ScanJson, monkeypatch: pytest.MonkeyPatch, path: str, text: str
) -> None:
    # a source is checked for crowded ranges only once some parse had a long key: reset that
    # note, then read a range no earlier test parsed (each parse path must note its key)
    monkeypatch.setattr(model, "_LONG_KEYS", [False])
    fresh = time.time_ns()
    clauses = ",".join(f"!=7.{i}.{fresh}" for i in range(MAX_CLAUSES + 5))
    root = repository(tmp_path, {path: text.format(clauses=clauses)})
    result = scan(root)
    assert result.code == 2
    error = result.only(path)
    assert f"{MAX_CLAUSES + 5} version clauses in one requirement" in error["message"]
    assert model.long_keys_made()


def test_a_requirement_at_the_clause_limit_is_still_read(tmp_path: Path, scan: ScanJson) -> None:
    clauses = ",".join(f"!=3.{i}" for i in range(MAX_CLAUSES - 1))
    root = repository(tmp_path, {"c/requirements.txt": f"urllib3>=1.0,{clauses}\n"})
    result = scan(root)
    assert result.diagnostics == []
    assert ("urllib3", ("c", "web")) in result.conflicts or result.conflicts


def _bomb(levels: int) -> str:
    """A YAML "billion laughs": each level an alias list of nine of the level below."""
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        below = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{below}]")
    return "\n".join(lines) + "\n"


SAM = (
    "AWSTemplateFormatVersion: '2010-09-09'\n"
    "Transform: AWS::Serverless-2016-10-31\n"
    "Metadata:\n{bomb}"
    "Resources:\n"
    "  Fn:\n"
    "    Type: AWS::Serverless::Function\n"
    "    Properties:\n"
    "      Runtime: python3.12\n"
    "      CodeUri: api/\n"
    "      Layers: [*l{top}]\n"
)
SERVERLESS = (
    "service: s\nprovider:\n  name: aws\n  runtime: python3.12\ncustom:\n{bomb}"
    "functions:\n  hello:\n    handler: api/handler.main\n    layers: [*l{top}]\n"
)
COMPOSE = "x-bomb:\n{bomb}services:\n  web:\n    build: .\n    environment: *l{top}\n"


@pytest.mark.parametrize(
    ("name", "template"),
    [("template.yaml", SAM), ("serverless.yml", SERVERLESS), ("compose.yaml", COMPOSE)],
)
def test_a_yaml_alias_bomb_is_refused_at_once(
    tmp_path: Path, scan: ScanJson, name: str, template: str
) -> None:
    # 1.3 KB, nine levels: 40 s and more before (the layer warning serialised the expanded
    # reference); now 0.5 s for the whole scan
    bomb = "".join(f"  {line}\n" for line in _bomb(9).splitlines())
    root = repository(tmp_path, {name: template.format(bomb=bomb, top=8)})
    started = time.perf_counter()
    result = scan(root, "--hosts-from", "auto")
    assert time.perf_counter() - started < 5
    warnings = [d for d in result.at(name) if "alias bomb" in d["message"]]
    assert warnings, result.diagnostics
    assert warnings[0]["line"] is not None
    result.assert_healthy_still_analysed()


def test_yaml_nested_too_deeply_is_refused(tmp_path: Path, scan: ScanJson) -> None:
    root = repository(tmp_path, {"compose.yaml": "services: " + "[" * 50_000 + "]" * 50_000})
    result = scan(root)
    assert any("nested deeper than" in d["message"] for d in result.at("compose.yaml"))
    result.assert_healthy_still_analysed()


def test_a_small_alias_use_is_read_as_before(tmp_path: Path, scan: ScanJson) -> None:
    compose = (
        "x-build: &build\n  context: .\n  dockerfile: Dockerfile\n"
        "services:\n  web:\n    build: *build\n  worker:\n    build: *build\n"
    )
    dockerfile = (
        "FROM python:3.12-slim\nCOPY api/requirements.txt .\nRUN pip install -r requirements.txt\n"
    )
    root = repository(tmp_path, {"compose.yaml": compose, "Dockerfile": dockerfile})
    result = scan(root, "--hosts-from", "deploy")
    assert [h["name"] for h in result.report["hosts"]] == ["web+worker"]


# ------------------------------------------------------------ every regex, adversarial lines


def _patterns() -> dict[str, re.Pattern[str]]:
    found: dict[str, re.Pattern[str]] = {}
    for module_info in pkgutil.walk_packages(depcheck.__path__, "depcheck."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            # a pattern, or patterns in a table (one level down: sanitize's redactions)
            parts = value if isinstance(value, tuple | list) else (value,)
            for index, part in enumerate(parts):
                candidates = part if isinstance(part, tuple) else (part,)
                for candidate in candidates:
                    if isinstance(candidate, re.Pattern) and isinstance(candidate.pattern, str):
                        suffix = f"[{index}]" if parts is value else ""
                        found[f"{module_info.name}.{name}{suffix}"] = candidate
    return found


PATTERNS = _patterns()
# patterns whose input is shaped first, so the adversarial line below never reaches them:
# each names the step that makes it linear on what it is actually given
SHAPED = {
    # blanks are collapsed to one space before the constraint is split (split_alternatives)
    "depcheck.sources.poetry_constraints._SINGLE_RE": lambda text: re.sub(r"\s+", " ", text),
    "depcheck.sources.poetry_constraints._UNION_RE": lambda text: re.sub(r"\s+", " ", text),
    # tokenizes a document `json.loads` has just read: every string in it is terminated
    "depcheck.sources.pipfile_lock._TOKEN_RE": json.dumps,
}
# patterns only ever matched at one position (`pattern.match(text, start)`), never searched
MATCHED_ONLY = {
    "depcheck.sources.toml_locations._BASIC_RE",
    "depcheck.sources.toml_locations._MULTILINE_BASIC_RE",
    # the fast paths of the requirements reader: `fullmatch` of one line, or `match` at the
    # start of each line of a lock (linear in that line)
    "depcheck.sources.requirements.entries._SIMPLE_RE",
    "depcheck.sources.requirements.lock._LOCK_ENTRY_RE",
    "depcheck.sources.requirements.lock._LOCK_TAIL_RE",
    "depcheck.sources.requirements.lock._ODD_RE",  # fullmatch of one entry's text
    "depcheck.sources.requirements.lock._VIA_ONE_RE",
    "depcheck.sources.requirements.lock._VIA_BLOCK_RE",
}
LINE = 5000
LIMIT = 0.1  # seconds for one search and one match on a 5,000-character line


def _adversarial_units(pattern: re.Pattern[str]) -> list[str]:
    chars = sorted({c for c in pattern.pattern if c.isprintable()} | set(" a1-._/=#\\\"'\t,;@"))
    return chars + [a + b for a in chars for b in chars]


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_no_regex_backtracks_on_a_long_repeated_line(name: str) -> None:
    pattern = PATTERNS[name]
    shape = SHAPED.get(name, lambda text: text)
    for unit in _adversarial_units(pattern):
        line = shape(unit * (LINE // len(unit)) + "!")
        started = time.process_time()  # CPU time: a busy machine does not fail the test
        if name not in MATCHED_ONLY:
            pattern.search(line)
        pattern.match(line)
        elapsed = time.process_time() - started
        assert elapsed < LIMIT, f"{name} took {elapsed:.2f} s on {unit!r} * {LINE // len(unit)}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(PATTERNS)),
    unit=st.text(min_size=1, max_size=5),
    tail=st.text(max_size=3),
)
def test_no_regex_backtracks_on_generated_lines(name: str, unit: str, tail: str) -> None:
    pattern = PATTERNS[name]
    line = SHAPED.get(name, lambda text: text)(unit * (LINE // len(unit)) + tail)
    started = time.process_time()
    if name not in MATCHED_ONLY:
        pattern.search(line)
    pattern.match(line)
    assert time.process_time() - started < LIMIT, (name, unit, tail)
