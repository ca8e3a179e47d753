"""Service assembly: each file read once by its own source; a lock gets its companion's facts."""

from __future__ import annotations

from pathlib import Path

from depcheck.model import Role, Service, SourceFile
from depcheck.service import read_file, read_sources, requirements_of
from depcheck.sources.interface import DirectDependency, ProjectDeclaration, ReadOptions
from depcheck.sources.pipfile_lock import PipfileLockSource
from depcheck.sources.poetry_lock import PoetryLockSource
from depcheck.topology.discover import Topology
from tests.conftest import write_tree

# lock-version 2.0 records no groups: which packages are direct, and so which are runtime,
# comes from the project's own pyproject.toml
POETRY_LOCK = """\
[[package]]
name = "requests"
version = "2.31.0"
optional = false
python-versions = ">=3.7"
files = []

[package.dependencies]
urllib3 = ">=1.21.1,<3"

[[package]]
name = "urllib3"
version = "2.2.1"
optional = false
python-versions = ">=3.8"
files = []

[[package]]
name = "pytest"
version = "8.1.1"
optional = false
python-versions = ">=3.8"
files = []

[metadata]
lock-version = "2.0"
python-versions = "^3.11"
content-hash = "0"
"""

PYPROJECT = """\
[tool.poetry]
name = "api"
version = "1.0.0"

[tool.poetry.dependencies]
python = "^3.11"
requests = "^2.31"

[tool.poetry.group.dev.dependencies]
pytest = "^8.1"
"""

PIPFILE_LOCK = """\
{
    "_meta": {"requires": {"python_version": "3.11"}},
    "default": {
        "flask": {"version": "==3.0.3"},
        "werkzeug": {"version": "==3.0.2"}
    },
    "develop": {}
}
"""


def pins(source: SourceFile | None) -> dict[str, bool]:
    """name -> direct, for the top-level pins of a lock's `SourceFile`."""
    assert source is not None
    return {r.name: r.direct for r in source.requirements if r.parent is None}


def test_a_poetry_lock_learns_its_direct_dependencies_from_the_pyproject_beside_it(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, {"api/poetry.lock": POETRY_LOCK, "api/pyproject.toml": PYPROJECT})
    assembled = read_file("api/poetry.lock", ReadOptions(root=tmp_path))
    # pytest is only in a dev group: not runtime; urllib3 comes through requests
    assert pins(assembled) == {"requests": True, "urllib3": False}
    with_dev = read_file("api/poetry.lock", ReadOptions(root=tmp_path, include_dev=True))
    assert pins(with_dev) == {"requests": True, "urllib3": False, "pytest": True}


def test_the_lock_source_itself_never_opens_the_pyproject(tmp_path: Path) -> None:
    write_tree(tmp_path, {"api/poetry.lock": POETRY_LOCK, "api/pyproject.toml": PYPROJECT})
    alone = PoetryLockSource().read("api/poetry.lock", ReadOptions(root=tmp_path))
    # without the declaration, what nothing depends on is direct: the pyproject was not read
    assert pins(alone) == {"requests": True, "urllib3": False, "pytest": True}
    declared = ProjectDeclaration((DirectDependency("pytest"),))
    told = PoetryLockSource().read("api/poetry.lock", ReadOptions(root=tmp_path, project=declared))
    assert pins(told) == {"pytest": True}


def test_an_optional_dependency_counts_only_with_the_extra_that_names_it(tmp_path: Path) -> None:
    pyproject = PYPROJECT.replace(
        'requests = "^2.31"',
        'requests = {version = "^2.31", optional = true}\n\n[tool.poetry.extras]\nhttp = ["requests"]',
    )
    write_tree(tmp_path, {"api/poetry.lock": POETRY_LOCK, "api/pyproject.toml": pyproject})
    declaration = read_declaration(tmp_path, "api/pyproject.toml")
    assert declaration.extras == frozenset({"http"})
    requests = next(d for d in declaration.direct if d.name == "requests")
    assert requests.with_extras == frozenset({"http"}) and not requests.dev
    pytest = next(d for d in declaration.direct if d.name == "pytest")
    assert pytest.dev and pytest.with_extras is None
    chosen = read_file("api/poetry.lock", ReadOptions(root=tmp_path, extras=frozenset({"http"})))
    assert pins(chosen)["requests"] is True


def read_declaration(root: Path, path: str) -> ProjectDeclaration:
    from depcheck.sources.pyproject import PyprojectSource

    declaration = PyprojectSource().declaration(path, ReadOptions(root=root))
    assert declaration is not None
    return declaration


def test_an_unreadable_companion_is_no_declaration(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"api/poetry.lock": POETRY_LOCK, "api/pyproject.toml": "[tool.poetry\nbroken"}
    )
    from depcheck.sources.pyproject import PyprojectSource

    assert PyprojectSource().declaration("api/pyproject.toml", ReadOptions(root=tmp_path)) is None
    # the lock is still read, as if it stood alone
    assembled = read_file("api/poetry.lock", ReadOptions(root=tmp_path))
    assert pins(assembled) == {"requests": True, "urllib3": False, "pytest": True}


def test_a_pipfile_lock_takes_the_names_of_the_pipfile_beside_it(tmp_path: Path) -> None:
    pipfile = '[packages]\nFlask = "*"\n\n[dev-packages]\npytest = "*"\n'
    write_tree(tmp_path, {"web/Pipfile.lock": PIPFILE_LOCK, "web/Pipfile": pipfile})
    assembled = read_file("web/Pipfile.lock", ReadOptions(root=tmp_path))
    assert pins(assembled) == {"flask": True, "werkzeug": False}
    alone = PipfileLockSource().read("web/Pipfile.lock", ReadOptions(root=tmp_path))
    assert pins(alone) == {"flask": True, "werkzeug": True}


def test_each_file_is_read_once_and_an_included_file_is_not_a_source_of_its_own(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "api/requirements.txt": "-r base.txt\nflask==3.0.3\n",
            "api/base.txt": "requests>=2.31\n",
            "api/pyproject.toml": (
                '[project]\nname = "api"\nversion = "1.2.0"\nrequires-python = ">=3.10"\n'
            ),
        },
    )
    service = Service(
        name="api",
        path="api",
        sources=("api/requirements.txt", "api/base.txt", "api/pyproject.toml"),
    )
    topology = Topology(services=(service,), hosts=(), diagnostics=(), config=None)
    read: list[str] = []

    class Recorder:
        def reading(self, path: str, done: int, total: int) -> None:
            read.append(path)

        def analysing(self, host: str, done: int, total: int) -> None:
            return None

    sources, diagnostics = read_sources(topology, ReadOptions(root=tmp_path), Recorder())
    assert diagnostics == []
    assert read == ["api/requirements.txt", "api/base.txt", "api/pyproject.toml"]
    # base.txt is included by requirements.txt: its requirements arrive once, through it
    assert [s.path for s in sources["api"]] == ["api/requirements.txt", "api/pyproject.toml"]
    requirements = requirements_of(sources["api"])
    names = sorted(r.name for r in requirements)
    assert names == ["api", "flask", "python", "requests"]
    itself = next(r for r in requirements if r.name == "api")
    assert itself.pinned_version == "1.2.0"
    python = next(r for r in requirements if r.name == "python")
    assert str(python.specifier) == ">=3.10" and python.role is Role.DECLARED
    assert python.location.path == "api/pyproject.toml"
