"""What a deployment installs of a project: the extras and development groups its install
command selects (`poetry install -E`, `pip install .[x]`, `uv sync --extra`, `--with`, ...)."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from depcheck.topology.deploy.installers import recognize
from tests.conftest import write_tree

ScanJson = Callable[..., tuple[int, Any]]
RunCli = Callable[..., tuple[int, str, str]]

PROJECT = {
    "app/pyproject.toml": '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["click"]\n'
    '[project.optional-dependencies]\nserver = ["flask==3.0"]\ncli = ["rich==13.0"]\n'
    '[dependency-groups]\ndev = ["pytest==8.0"]\n',
    "app/Pipfile": "",
    "other/requirements.txt": "flask==2.0\nrich==12.0\npytest==7.0\n",
}


def _clashes(tmp_path: Path, scan_json: ScanJson, run: str) -> set[str]:
    files = {
        **PROJECT,
        "Dockerfile": "FROM python:3.12.8-slim\nCOPY other/requirements.txt /r.txt\n"
        "RUN pip install -r /r.txt\nWORKDIR /app\nCOPY app/ .\n" + run + "\n",
    }
    del files["app/Pipfile"]
    write_tree(tmp_path, files)
    _, report = scan_json(tmp_path)
    (host,) = report["hosts"]
    assert host["services"] == ["app", "other"]
    return {c["package"] for c in report["conflicts"]}


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("RUN pip install .", set()),
        ("RUN pip install .[server]", {"flask"}),
        ("RUN pip install -e '.[server,cli]'", {"flask", "rich"}),
        ("RUN poetry install --only=main -E server", {"flask"}),
        ("RUN poetry install --extras 'server cli' --without dev", {"flask", "rich"}),
        ("RUN poetry install --all-extras --only main", {"flask", "rich"}),
        ("RUN poetry install --with dev", {"pytest"}),
        ("RUN uv sync --frozen --no-dev --extra server", {"flask"}),
        ("RUN uv sync --frozen --all-extras --no-dev", {"flask", "rich"}),
        ("RUN uv sync --frozen", {"pytest"}),
        ("RUN uv sync --frozen --no-dev --group dev", {"pytest"}),
    ],
)
def test_extras_and_groups_an_image_installs(
    tmp_path: Path, scan_json: ScanJson, run: str, expected: set[str]
) -> None:
    assert _clashes(tmp_path, scan_json, run) == expected


def test_why_finds_an_extra_the_image_installs(tmp_path: Path, run_cli: RunCli) -> None:
    write_tree(
        tmp_path,
        {
            **{k: v for k, v in PROJECT.items() if k != "app/Pipfile"},
            "Dockerfile": "FROM python:3.12-slim\nWORKDIR /app\nCOPY app/ .\n"
            "RUN poetry install --only=main -E server\n",
        },
    )
    code, out, _ = run_cli("why", "flask", str(tmp_path), "--hosts-from", "deploy")
    assert code == 0, out
    assert "app" in out and "flask" in out


@pytest.mark.parametrize(
    ("line", "extras", "dev"),
    [
        ("pipenv install --deploy --categories 'packages dev-packages'", [], True),
        ("pipenv install --deploy --categories packages", [], False),
        ("pipenv install --dev --system", [], True),
        ("pdm install -G server", ["server"], False),
        ("poetry install -E a -E b", ["a", "b"], False),
    ],
)
def test_recognized_selections(line: str, extras: list[str], dev: bool) -> None:
    command = recognize(shlex.split(line))
    assert command is not None
    assert (command.extras, command.dev) == (extras, dev)
