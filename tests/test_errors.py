"""The error tree (`depcheck.errors`): one root, one subclass per layer, caught once by the CLI.

Structure is read from the installed package (every exception class, every `except` of the
root); behaviour from the command line: each kind of failure keeps its exit code (2 for every
`DepcheckError`, 3 for a bug) and its message, and a scan that cannot start still writes its
document where a tool reads one.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from collections.abc import Callable
from pathlib import Path

import pytest

import depcheck
from depcheck import errors
from depcheck.analysis.baseline import BaselineError
from depcheck.cli import main
from depcheck.errors import DepcheckError
from depcheck.resolve.index import IndexError_, NotFound
from depcheck.resolve.resolver import FactsMissing
from depcheck.sources.installed import InstalledError
from depcheck.sources.poetry_constraints import PoetryConstraintError
from depcheck.topology.config import ConfigError
from depcheck.topology.deploy.interface import DeployError
from depcheck.topology.deploy.shell import ShellSyntaxError
from tests.conftest import write_tree
from tests.robustness.conftest import assert_no_traceback

PACKAGE = Path(depcheck.__file__).parent


def _modules() -> list[str]:
    return sorted(info.name for info in pkgutil.walk_packages([str(PACKAGE)], prefix="depcheck."))


def test_every_public_exception_of_depcheck_is_a_depcheck_error() -> None:
    """Private control flow (`_OutOfTime`, `_Refused`, ...) may use its own class; anything
    another module can catch belongs to the tree."""
    outside: list[str] = []
    for name in _modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == name
                and not attr.startswith("_")
                and not issubclass(value, DepcheckError)
            ):
                outside.append(f"{name}.{attr}")
    assert outside == []


LAYERS = [
    (errors.UsageError, DepcheckError),
    (BaselineError, errors.UsageError),
    (errors.ReadError, DepcheckError),
    (errors.SourceError, DepcheckError),
    (PoetryConstraintError, errors.SourceError),
    (InstalledError, errors.SourceError),
    (errors.TopologyError, DepcheckError),
    (ConfigError, errors.TopologyError),
    (DeployError, errors.TopologyError),
    (ShellSyntaxError, errors.TopologyError),
    (errors.ResolveError, DepcheckError),
    (IndexError_, errors.ResolveError),
    (NotFound, errors.ResolveError),
    (FactsMissing, errors.ResolveError),
    (errors.ScanError, DepcheckError),
]


@pytest.mark.parametrize(("error", "base"), LAYERS, ids=[e.__name__ for e, _ in LAYERS])
def test_each_layer_has_its_branch(error: type[Exception], base: type[Exception]) -> None:
    assert issubclass(error, base)
    assert error.__doc__


def _sources() -> dict[str, str]:
    return {
        path.relative_to(PACKAGE).as_posix(): path.read_text(encoding="utf-8")
        for path in PACKAGE.rglob("*.py")
    }


def test_no_exception_chain_is_searched() -> None:
    found = [name for name, text in _sources().items() if re.search(r"__cause__|__context__", text)]
    assert found == []


def test_the_cli_catches_the_root_once_and_nothing_else_catches_it() -> None:
    catches = {
        name: len(re.findall(r"except \(?[\w, ]*\bDepcheckError\b", text))
        for name, text in _sources().items()
    }
    assert {name: count for name, count in catches.items() if count} == {"cli/__init__.py": 1}
    commands = _sources()["cli/commands.py"]
    # only the --diff-base revision's own scan turns its failure into a warning
    assert re.findall(
        r"except \(?[\w, ]*(?:ScanError|UsageError|BaselineError|ConfigError)", commands
    ) == ["except (ScanError, ConfigError"]


# -- behaviour from the command line -------------------------------------------------------

BAD_CONFIG = "[hosts.web]\nservices = 3\n"
CONFIG_MESSAGE = "hosts.web.services: must be an array of strings, not a number"


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    return write_tree(tmp_path / "repo", {"api/requirements.txt": "six\n", **files})


FAILURES: list[tuple[str, dict[str, str], Callable[[Path], list[str]], str]] = [
    (
        "no such directory",
        {},
        lambda root: ["scan", str(root / "missing")],
        r"^error: .*missing: no such directory$",
    ),
    (
        "a config that cannot be used",
        {"depcheck.toml": BAD_CONFIG},
        lambda root: ["scan", str(root)],
        rf"^error: config depcheck\.toml:2: {CONFIG_MESSAGE}$",
    ),
    (
        "two baselines",
        {},
        lambda root: ["scan", str(root), "--baseline", "b.json", "--diff-base", "main"],
        r"^error: --baseline and --diff-base both name a baseline; give one$",
    ),
    (
        "a baseline that is not there",
        {},
        lambda root: ["scan", str(root), "--baseline", str(root / "nope.json")],
        r"^error: --baseline .*nope\.json: file not found$",
    ),
    (
        "a resolution option without --resolve",
        {},
        lambda root: ["scan", str(root), "--index-url", "https://example.invalid/simple"],
        r"^error: --index-url only applies with --resolve$",
    ),
    (
        "why in no such directory",
        {},
        lambda root: ["why", "six", str(root / "missing")],
        r"^error: .*missing: no such directory$",
    ),
    (
        "plan with a config that cannot be used",
        {"depcheck.toml": BAD_CONFIG},
        lambda root: ["plan", str(root)],
        rf"^error: config depcheck\.toml:2: {CONFIG_MESSAGE}$",
    ),
    (
        "graph in no such directory",
        {},
        lambda root: ["graph", str(root / "missing")],
        r"^error: .*missing: no such directory$",
    ),
]


@pytest.mark.parametrize(
    ("files", "argv", "stderr"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES]
)
def test_each_failure_is_one_line_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    argv: Callable[[Path], list[str]],
    stderr: str,
) -> None:
    root = _repo(tmp_path, files)
    code = main(argv(root))
    captured = capsys.readouterr()
    assert_no_traceback(captured.out, captured.err)
    assert code == 2
    assert re.match(stderr, captured.err.strip().splitlines()[-1]), captured.err


@pytest.mark.parametrize(
    ("files", "where", "message"),
    [
        ({"depcheck.toml": BAD_CONFIG}, ("depcheck.toml", 2), CONFIG_MESSAGE),
        ({}, (".", None), "no such directory"),
    ],
    ids=["config", "no such directory"],
)
def test_a_scan_that_cannot_start_still_writes_its_documents(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    where: tuple[str, int | None],
    message: str,
) -> None:
    root = _repo(tmp_path, files)
    target = root if files else root / "missing"
    sarif = tmp_path / "out.sarif"
    code = main(["scan", str(target), "--format", "json", f"--output=sarif:{sarif}"])
    captured = capsys.readouterr()
    assert code == 2
    report = json.loads(captured.out)
    [diagnostic] = report["diagnostics"]
    assert (diagnostic["source"], diagnostic["line"]) == where
    assert diagnostic["message"].endswith(message)
    assert report["summary"]["exit_code"] == 2
    assert json.loads(sarif.read_text(encoding="utf-8"))["runs"]
    if files:
        assert report["config"] == "depcheck.toml"


def test_an_error_of_any_layer_is_caught_once_and_a_bug_is_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import depcheck.pipeline

    root = _repo(tmp_path, {})

    def resolve_fails(*args: object, **kwargs: object) -> None:
        raise errors.ResolveError("https://index.invalid/simple/six/: HTTP 503")

    monkeypatch.setattr(depcheck.pipeline, "scan", resolve_fails)
    assert main(["scan", str(root)]) == 2
    assert capsys.readouterr().err.strip() == ("error: https://index.invalid/simple/six/: HTTP 503")

    def bug(*args: object, **kwargs: object) -> None:
        raise KeyError("oops")

    monkeypatch.setattr(depcheck.pipeline, "scan", bug)
    assert main(["scan", str(root)]) == 3
    assert "internal error" in capsys.readouterr().err


def test_a_located_error_becomes_a_diagnostic_at_its_place() -> None:
    from depcheck.model import Location, Severity

    error = errors.ReadError(Location("a/requirements.txt"), "file not found")
    assert str(error) == "a/requirements.txt: file not found"
    assert error.diagnostic().severity is Severity.ERROR
    assert str(error.diagnostic()) == "a/requirements.txt: file not found"
    warning = DeployError(Location("compose.yaml", 3), "not valid YAML: x").diagnostic()
    assert (warning.severity, str(warning)) == (
        Severity.WARNING,
        "compose.yaml:3: not valid YAML: x",
    )
    assert str(errors.ScanError("x: no such directory").diagnostic()) == ".: x: no such directory"
