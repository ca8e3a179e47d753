"""What a deployment installs of a project: the extras and development groups its install
command selects (`poetry install -E`, `pip install .[x]`, `uv sync --extra`, `--with`, ...)."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from depcheck.model import Groups
from depcheck.topology.deploy.installers import recognize
from tests.conftest import write_tree

ScanJson = Callable[..., tuple[int, Any]]


def _n(*names: str) -> frozenset[str]:
    return frozenset(names)


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
        # uv: `--no-dev` is `--no-group dev`, which wins over `--group dev` (as `uv export` shows)
        ("RUN uv sync --frozen --no-dev --group dev", set()),
        ("RUN uv sync --frozen --only-group dev", {"pytest"}),
        ("RUN poetry install", {"pytest"}),  # Poetry installs every non-optional group
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
    ("line", "extras", "groups"),
    [
        (
            "pipenv install --deploy --categories 'packages dev-packages'",
            [],
            Groups(names=_n("dev")),
        ),
        ("pipenv install --deploy --categories packages", [], Groups()),
        ("pipenv install --dev --system", [], Groups(names=_n("dev"))),
        ("pipenv install --categories 'packages Docs'", [], Groups(names=_n("docs"))),
        ("pdm install -G server", ["server"], Groups(default=True, names=_n("server"))),
        ("pdm install --prod", [], Groups()),
        ("poetry install -E a -E b", ["a", "b"], Groups(default=True)),
        ("poetry install --only main", [], Groups()),
        ("poetry install --only=main,docs", [], Groups(names=_n("docs"))),
        ("poetry install --with docs,lint", [], Groups(default=True, names=_n("docs", "lint"))),
        ("poetry install --without dev", [], Groups(default=True, without=_n("dev"))),
        (
            "poetry install --with docs --without docs",
            [],
            Groups(default=True, without=_n("docs")),
        ),
        ("poetry install --all-groups", [], Groups(default=True, names=_n("*"))),
        ("uv sync --frozen", [], Groups(default=True)),
        ("uv sync --no-dev", [], Groups(default=True, without=_n("dev"))),
        ("uv sync --no-default-groups --group Test", [], Groups(names=_n("test"))),
        ("uv sync --only-group lint", [], Groups(names=_n("lint"))),
        (
            "uv sync --no-group lint --all-groups",
            [],
            Groups(default=True, names=_n("*"), without=_n("lint")),
        ),
        ("pip install --group dev", [], Groups(names=_n("dev"))),
        (
            "pip install --group sub/pyproject.toml:Test --group lint",
            [],
            Groups(names=_n("test", "lint")),
        ),
    ],
)
def test_recognized_selections(line: str, extras: list[str], groups: Groups) -> None:
    command = recognize(shlex.split(line))
    assert command is not None
    assert (command.extras, command.groups) == (extras, groups)


GROUPED = {
    "app/pyproject.toml": '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["click"]\n'
    '[dependency-groups]\ndev = ["pytest==8.0"]\ndocs = ["sphinx==7.0"]\n'
    'test = [{include-group = "lint"}, "hypothesis==6.0"]\nlint = ["ruff==0.5"]\n',
    "other/requirements.txt": "pytest==7.0\nsphinx==6.0\nhypothesis==5.0\nruff==0.4\n",
}

POETRY = {
    "app/pyproject.toml": '[tool.poetry]\nname = "app"\nversion = "1.0"\n'
    '[tool.poetry.dependencies]\npython = "^3.11"\nclick = "*"\n'
    '[tool.poetry.group.dev.dependencies]\npytest = "8.0"\n'
    "[tool.poetry.group.docs]\noptional = true\n[tool.poetry.group.docs.dependencies]\n"
    'sphinx = "7.0"\n',
    "other/requirements.txt": "pytest==7.0\nsphinx==6.0\n",
}


def _grouped(tmp_path: Path, scan_json: ScanJson, files: dict[str, str], run: str) -> set[str]:
    write_tree(
        tmp_path,
        {
            **files,
            "Dockerfile": "FROM python:3.12.8-slim\nCOPY other/requirements.txt /r.txt\n"
            "RUN pip install -r /r.txt\nWORKDIR /app\nCOPY app/ .\n" + run + "\n",
        },
    )
    _, report = scan_json(tmp_path)
    return {c["package"] for c in report["conflicts"]}


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("RUN uv sync --frozen", {"pytest"}),
        ("RUN uv sync --frozen --no-dev", set()),
        ("RUN uv sync --frozen --group docs", {"pytest", "sphinx"}),
        ("RUN uv sync --frozen --no-dev --group docs", {"sphinx"}),
        # a group brings the groups it includes
        ("RUN uv sync --frozen --only-group test", {"hypothesis", "ruff"}),
        ("RUN uv sync --frozen --all-groups --no-group docs", {"pytest", "hypothesis", "ruff"}),
        # pip >= 25.1 installs one PEP 735 group of ./pyproject.toml
        ("RUN pip install --group docs", {"sphinx"}),
        ("RUN pip install --group ./pyproject.toml:test", {"hypothesis", "ruff"}),
    ],
)
def test_one_group_is_not_every_group(
    tmp_path: Path, scan_json: ScanJson, run: str, expected: set[str]
) -> None:
    assert _grouped(tmp_path, scan_json, GROUPED, run) == expected


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("RUN poetry install", {"pytest"}),  # docs is optional: not installed unasked
        ("RUN poetry install --with docs", {"pytest", "sphinx"}),
        ("RUN poetry install --only main", set()),
        ("RUN poetry install --without dev --with docs", {"sphinx"}),
        ("RUN poetry install --only docs", {"sphinx"}),
    ],
)
def test_poetry_groups_as_poetry_installs_them(
    tmp_path: Path, scan_json: ScanJson, run: str, expected: set[str]
) -> None:
    assert _grouped(tmp_path, scan_json, POETRY, run) == expected


def test_two_images_of_one_service_take_what_either_installs(
    tmp_path: Path, scan_json: ScanJson
) -> None:
    write_tree(
        tmp_path,
        {
            **GROUPED,
            "Dockerfile": "FROM python:3.12.8-slim\nCOPY other/requirements.txt /r.txt\n"
            "RUN pip install -r /r.txt\nWORKDIR /app\nCOPY app/ .\n"
            "RUN uv sync --frozen --no-dev --group docs\nRUN uv sync --frozen --no-dev --group lint\n",
        },
    )
    _, report = scan_json(tmp_path)
    assert {c["package"] for c in report["conflicts"]} == {"sphinx", "ruff"}


def _poetry_package(name: str, version: str, groups: str) -> str:
    return (
        f'[[package]]\nname = "{name}"\nversion = "{version}"\ndescription = ""\n'
        f'optional = false\npython-versions = ">=3.8"\ngroups = {groups}\nfiles = []\n\n'
    )


POETRY_LOCKED = {
    **POETRY,
    "app/poetry.lock": "# @generated by Poetry 2.1.3\n\n"
    + _poetry_package("click", "8.1.7", '["main"]')
    + _poetry_package("pytest", "8.0.0", '["dev"]')
    + _poetry_package("sphinx", "7.0.0", '["docs"]')
    + '[metadata]\nlock-version = "2.1"\npython-versions = "^3.11"\ncontent-hash = "0"\n',
    "other/requirements.txt": "pytest==7.0\nsphinx==6.0\n",
}


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("RUN poetry install", {"pytest"}),
        ("RUN poetry install --with docs", {"pytest", "sphinx"}),
        ("RUN poetry install --only main", set()),
        ("RUN poetry install --only docs", {"sphinx"}),
    ],
)
def test_a_poetry_lock_pins_only_the_groups_installed(
    tmp_path: Path, scan_json: ScanJson, run: str, expected: set[str]
) -> None:
    found = _grouped(tmp_path, scan_json, POETRY_LOCKED, run)
    assert found == expected


def test_pipenv_categories(tmp_path: Path, scan_json: ScanJson) -> None:
    files = {
        "app/Pipfile": '[packages]\nclick = "*"\n[dev-packages]\npytest = "==8.0"\n'
        '[docs]\nsphinx = "==7.0"\n',
        "other/requirements.txt": "pytest==7.0\nsphinx==6.0\n",
    }
    assert _grouped(tmp_path / "a", scan_json, files, "RUN pipenv install --system") == set()
    assert _grouped(tmp_path / "b", scan_json, files, "RUN pipenv install --dev") == {"pytest"}
    docs = "RUN pipenv install --categories 'packages docs'"
    assert _grouped(tmp_path / "c", scan_json, files, docs) == {"sphinx"}


def _uv_package(name: str, version: str) -> str:
    return (
        f'[[package]]\nname = "{name}"\nversion = "{version}"\n'
        'source = { registry = "https://pypi.org/simple" }\n\n'
    )


UV_LOCKED = {
    **GROUPED,
    "app/uv.lock": 'version = 1\nrevision = 3\nrequires-python = ">=3.8"\n\n'
    '[[package]]\nname = "app"\nversion = "1.0"\nsource = { virtual = "." }\n'
    'dependencies = [\n    { name = "click" },\n]\n\n'
    "[package.dev-dependencies]\n"
    'dev = [\n    { name = "pytest" },\n]\ndocs = [\n    { name = "sphinx" },\n]\n\n'
    + _uv_package("click", "8.1.7")
    + _uv_package("pytest", "8.0.0")
    + _uv_package("sphinx", "7.0.0"),
}


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("RUN uv sync --frozen", {"pytest"}),
        ("RUN uv sync --frozen --no-dev", set()),
        ("RUN uv sync --frozen --no-dev --group docs", {"sphinx"}),
    ],
)
def test_a_uv_lock_pins_only_the_groups_installed(
    tmp_path: Path, scan_json: ScanJson, run: str, expected: set[str]
) -> None:
    found = _grouped(tmp_path, scan_json, UV_LOCKED, run)
    assert found == expected
