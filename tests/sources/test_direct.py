"""A project's direct dependencies, as the lock beside it needs them."""

from __future__ import annotations

import tomllib

from depcheck.sources.direct import pipfile_declaration, pyproject_declaration

PYPROJECT = """
[project]
dependencies = ["httpx[http2]>=0.27 ; python_version >= '3.9'", "not a requirement!!"]

[project.optional-dependencies]
Docs = ["sphinx"]

[tool.poetry.dependencies]
python = "^3.11"
requests = {version = "^2.31", extras = ["socks"], markers = "sys_platform != 'win32'"}
redis = {version = "^5", optional = true}
lonely = {version = "^1", optional = true}

[tool.poetry.extras]
cache = ["redis"]

[tool.poetry.group.test.dependencies]
pytest = "^8"

[dependency-groups]
lint = ["ruff"]
"""


def test_a_pyproject_declares_names_extras_markers_and_when_each_counts() -> None:
    declared = pyproject_declaration(tomllib.loads(PYPROJECT))
    found = {d.name: d for d in declared.direct}
    assert set(found) == {"requests", "redis", "lonely", "httpx", "sphinx", "pytest", "ruff"}
    assert "python" not in found  # Poetry's python is the project's requires-python
    requests = found["requests"]
    assert requests.extras == frozenset({"socks"})
    assert str(requests.marker) == 'sys_platform != "win32"'
    assert requests.with_extras is None and not requests.dev
    # an optional Poetry dependency counts with the extras that name it (none: never)
    assert found["redis"].with_extras == frozenset({"cache"})
    assert found["lonely"].with_extras == frozenset()
    assert found["sphinx"].with_extras == frozenset({"docs"})
    assert found["httpx"].extras == frozenset({"http2"})
    assert str(found["httpx"].marker) == 'python_version >= "3.9"'
    assert found["pytest"].dev and found["ruff"].dev
    assert declared.extras == frozenset({"cache", "docs"})


def test_a_pipfile_declares_canonical_names_and_dev_packages() -> None:
    data = tomllib.loads('[packages]\nFlask_Login = "*"\n\n[dev-packages]\npytest = "*"\n')
    declared = pipfile_declaration(data)
    assert [(d.name, d.dev) for d in declared.direct] == [("flask-login", False), ("pytest", True)]
    assert pipfile_declaration({"packages": "not a table"}).direct == ()
