"""Dependency-file sources: which file is which format, and the reader for each.

Only this package reads dependency files. `source_for` maps a path to its reader (imported
lazily, so a scan of requirements files never imports the TOML or JSON readers),
`is_dev_file` tells development/test files apart from what a service deploys, and
`declares_dependencies` tells a pyproject.toml or setup.cfg that only configures tools apart
from one that states dependencies.
"""

from __future__ import annotations

import importlib
import posixpath
import re
from pathlib import Path

from depcheck.errors import ReadError
from depcheck.fs import read_text
from depcheck.sources.interface import ReadOptions, Source

__all__ = [
    "ReadOptions",
    "Source",
    "declares_dependencies",
    "is_dev_file",
    "source_for",
]

_REQUIREMENTS_RE = re.compile(r"^(.*[-_.])?requirements([-_.].*)?\.(txt|in)$", re.IGNORECASE)
_DEV_TOKENS = {
    "dev",
    "devel",
    "develop",
    "development",
    "test",
    "tests",
    "testing",
    "lint",
    "linting",
    "doc",
    "docs",
    "ci",
    "typing",
    "mypy",
    "style",
    "format",
    "tox",
    "bench",
    "benchmark",
    "benchmarks",
    "local",
    "e2e",
    "integration",
    "unit",
    "rtd",
}
_TOKEN_RE = re.compile(r"[-_.]+")
# a dependency file inside a test suite's folder is the suite's, not a deployed service's
_TEST_DIRS = {"test", "tests", "testing"}

# file name -> (module, class); filled in as formats are added
_BY_NAME: dict[str, tuple[str, str]] = {
    "pyproject.toml": ("depcheck.sources.pyproject", "PyprojectSource"),
    "setup.cfg": ("depcheck.sources.setup_cfg", "SetupCfgSource"),
    "Pipfile": ("depcheck.sources.pipfile", "PipfileSource"),
    "poetry.lock": ("depcheck.sources.poetry_lock", "PoetryLockSource"),
    "uv.lock": ("depcheck.sources.uv_lock", "UvLockSource"),
    "Pipfile.lock": ("depcheck.sources.pipfile_lock", "PipfileLockSource"),
    "pylock.toml": ("depcheck.sources.pylock", "PylockSource"),
}
# PEP 751: a named lock file is `pylock.<name>.toml`
_PYLOCK_RE = re.compile(r"^pylock\.([^.]+)\.toml$")
_REQUIREMENTS = ("depcheck.sources.requirements", "RequirementsFileSource")


def _load(spec: tuple[str, str]) -> Source:
    module = importlib.import_module(spec[0])
    source: Source = getattr(module, spec[1])()
    return source


def source_spec(path: str, *, explicit: bool = False) -> tuple[str, str] | None:
    """The (module, class) that reads `path`, or None when it is no dependency file we know."""
    name = posixpath.basename(path)
    if name in _BY_NAME:
        return _BY_NAME[name]
    if _PYLOCK_RE.match(name):
        return _BY_NAME["pylock.toml"]
    if _REQUIREMENTS_RE.match(name):
        return _REQUIREMENTS
    parent = posixpath.basename(posixpath.dirname(path))
    if parent.lower() == "requirements" and name.lower().endswith((".txt", ".in")):
        return _REQUIREMENTS
    if explicit and name.lower().endswith((".txt", ".in")):
        return _REQUIREMENTS
    return None


def source_for(path: str, *, explicit: bool = False) -> Source | None:
    """The reader for `path`; `explicit` files named in a config may have any `.txt`/`.in` name."""
    spec = source_spec(path, explicit=explicit)
    return _load(spec) if spec else None


def is_dev_file(path: str) -> bool:
    """Whether a dependency file is for development or tests, judged by its name.

    `requirements-dev.txt`, `dev-requirements.txt`, `test-requirements-py3.txt`,
    `requirements/dev.txt`, `requirements_test.in`, and PEP 751 named locks such as
    `pylock.dev.toml` or `pylock.test-py312.toml` are; `requirements.txt`,
    `requirements-prod.txt`, `requirements/base.txt`, `pylock.toml`, `pylock.prod.toml` are not.
    Any dependency file inside a `test`, `tests` or `testing` folder belongs to a test suite and
    is one too. Other formats (pyproject.toml, the other locks) keep their development groups
    inside; their sources sort those out.
    """
    folders = {part.lower() for part in path.split("/")[:-1]}
    if folders & _TEST_DIRS:
        return True
    name = posixpath.basename(path).lower()
    named_lock = _PYLOCK_RE.match(name)
    if named_lock:
        return bool(set(_TOKEN_RE.split(named_lock.group(1))) & _DEV_TOKENS)
    if source_spec(name) != _REQUIREMENTS and posixpath.dirname(path).split("/")[-1:] != [
        "requirements"
    ]:
        return False
    stem = re.sub(r"\.(txt|in)$", "", name)
    tokens = set(_TOKEN_RE.split(stem)) - {"requirements", "requirement", "reqs"}
    return bool(tokens & _DEV_TOKENS)


# the project files that often hold nothing but tool settings ([tool.ruff], [flake8], ...)
_MAYBE_TOOLS_ONLY = {
    "pyproject.toml": "depcheck.sources.pyproject",
    "setup.cfg": "depcheck.sources.setup_cfg",
}


def declares_dependencies(root: Path, path: str) -> bool:
    """Whether the dependency file `path` can state dependencies at all.

    A `pyproject.toml` or `setup.cfg` that only configures tools does not: it makes no directory
    a service. Every other file does, and so does one that cannot be read or parsed (its source
    reports why; discovery must not hide it).
    """
    module = _MAYBE_TOOLS_ONLY.get(posixpath.basename(path))
    if module is None:
        return True
    try:
        text, _ = read_text(root, path)
    except ReadError:
        return True
    check: bool = importlib.import_module(module).declares_dependencies(text)
    return check
