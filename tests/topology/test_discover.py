"""Topology without a config (discovery) and with one (services by path/sources, hosts)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from depcheck.model import Environment, Severity
from depcheck.sources import is_dev_file
from depcheck.topology.config import load_config
from depcheck.topology.discover import build_topology, discover_services
from depcheck.topology.environment import EnvironmentDefaults
from tests.conftest import write_tree

INTERPRETER = Environment(
    "3.13", "3.13.1", "darwin", "posix", "Darwin", "arm64", source="interpreter"
)


def test_each_directory_with_runtime_requirements_is_a_service(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "requirements.txt": "flask\n",
            "services/api/requirements.txt": "flask\n",
            "services/api/requirements-dev.txt": "pytest\n",
            "services/billing/requirements/base.txt": "stripe\n",
            "services/billing/requirements/dev.txt": "pytest\n",
            "services/docs/docs-requirements.txt": "sphinx\n",
            "services/worker/requirements.in": "celery\n",
            "services/worker/test-requirements-py3.txt": "pytest\n",
            "services/api/.venv/lib/requirements.txt": "x\n",
            "venv2/pyvenv.cfg": "home = /usr\n",
            "venv2/requirements.txt": "x\n",
            "node_modules/pkg/requirements.txt": "x\n",
            ".git/requirements.txt": "x\n",
            "build/requirements.txt": "x\n",
            "pkg.egg-info/requirements.txt": "x\n",
            "services/api/README.md": "not a dependency file\n",
        },
    )
    services = discover_services(tmp_path, include_dev=False)
    assert [(s.name, s.sources) for s in services] == [
        (".", ("requirements.txt",)),
        ("services/api", ("services/api/requirements.txt",)),
        ("services/billing", ("services/billing/requirements/base.txt",)),
        ("services/worker", ("services/worker/requirements.in",)),
    ]
    with_dev = {s.name: s.sources for s in discover_services(tmp_path, include_dev=True)}
    assert "services/api/requirements-dev.txt" in with_dev["services/api"]
    assert "services/docs" in with_dev


@pytest.mark.parametrize(
    ("name", "dev"),
    [
        ("requirements.txt", False),
        ("requirements.in", False),
        ("requirements-prod.txt", False),
        ("requirements/base.txt", False),
        ("requirements_py3.txt", False),
        ("requirements-dev.txt", True),
        ("requirements_dev.in", True),
        ("dev-requirements.txt", True),
        ("test-requirements.txt", True),
        ("test-requirements-py3.txt", True),
        ("requirements-tests.txt", True),
        ("requirements/dev.txt", True),
        ("requirements/test.in", True),
        ("requirements-lint.txt", True),
        ("docs/requirements-docs.txt", True),
        # PEP 751 named locks: pylock.<name>.toml
        ("pylock.toml", False),
        ("pylock.prod.toml", False),
        ("svc/pylock.dev.toml", True),
        ("pylock.test.toml", True),
        ("pylock.test-py312.toml", True),
        ("pylock.docs.toml", True),
    ],
)
def test_dev_files_are_told_apart_by_name(name: str, dev: bool) -> None:
    assert is_dev_file(name) is dev


def test_discovery_does_not_follow_directory_symlinks(tmp_path: Path) -> None:
    write_tree(tmp_path, {"svc/requirements.txt": "flask\n"})
    os.symlink(tmp_path, tmp_path / "svc" / "loop")
    services = discover_services(tmp_path, include_dev=False)
    assert [s.name for s in services] == ["svc"]


def test_without_config_all_services_share_the_default_host_with_interpreter_markers(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, {"a/requirements.txt": "x\n", "b/requirements.txt": "y\n"})
    topology = build_topology(
        tmp_path, None, EnvironmentDefaults(interpreter=INTERPRETER), include_dev=False
    )
    (host,) = topology.hosts
    assert (host.name, host.services) == ("default", ("a", "b"))
    assert host.environment.python_version == "3.13"
    assert host.environment.source == "interpreter"
    with_cli = build_topology(
        tmp_path,
        None,
        EnvironmentDefaults(interpreter=INTERPRETER, python="3.9", platform="win32"),
        include_dev=False,
    )
    environment = with_cli.hosts[0].environment
    assert (environment.python_version, environment.python_full_version) == ("3.9", "3.9.0")
    assert (environment.sys_platform, environment.os_name, environment.platform_system) == (
        "win32",
        "nt",
        "Windows",
    )
    assert environment.source == "python from --python, platform from --platform"


def test_config_topology_with_reference_errors(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "depcheck.toml": (
                "[services.api]\npath = 'api'\n"
                "[services.worker]\nsources = ['worker/reqs.txt']\n"
                "[services.empty]\npath = 'empty'\n"
                "[services.lost]\npath = 'missing'\n"
                "[hosts.web]\nservices = ['api', 'worker', 'ghost', 'api']\npython = '3.11.9'\n"
            ),
            "api/requirements.txt": "flask\n",
            "api/requirements/base.txt": "six\n",
            "worker/reqs.txt": "celery\n",
            "empty/README": "",
        },
    )
    config = load_config(tmp_path / "depcheck.toml", display="depcheck.toml")
    topology = build_topology(
        tmp_path, config, EnvironmentDefaults(interpreter=INTERPRETER), include_dev=False
    )
    services = {s.name: s.sources for s in topology.services}
    assert services["api"] == ("api/requirements.txt", "api/requirements/base.txt")
    assert services["worker"] == ("worker/reqs.txt",)
    (web,) = topology.hosts
    assert web.services == ("api", "worker")
    assert web.environment.python_full_version == "3.11.9"
    assert web.environment.source == "python from config, platform from interpreter"
    messages = {(d.severity, d.message) for d in topology.diagnostics}
    assert (
        Severity.ERROR,
        "host 'web' lists unknown service 'ghost' (known: api, empty, lost, worker)",
    ) in messages
    assert (Severity.WARNING, "host 'web' lists service 'api' twice") in messages
    assert (Severity.ERROR, "service 'lost': path 'missing' is not a directory") in messages
    assert (Severity.WARNING, "service 'empty': no dependency files found in empty") in messages
    assert (Severity.WARNING, "service 'empty' is on no host; it is checked on its own") in messages
    # each message points at the line (and column) of the config entry to fix
    where = {d.message: str(d.location) for d in topology.diagnostics}
    assert where["host 'web' lists unknown service 'ghost' (known: api, empty, lost, worker)"] == (
        "depcheck.toml:10:30"
    )
    assert where["host 'web' lists service 'api' twice"] == "depcheck.toml:10:39"
    assert where["service 'lost': path 'missing' is not a directory"] == "depcheck.toml:8:1"
    assert where["service 'empty' is on no host; it is checked on its own"] == "depcheck.toml:5:1"


@pytest.mark.parametrize(
    ("path", "dev"),
    [
        ("pkg/tests/requirements.latest.txt", True),
        ("pkg/test/requirements.txt", True),
        ("pkg/tests/pyproject.toml", True),
        ("pkg/pyproject.toml", False),
        ("pkg/uv.lock", False),
        ("latest/requirements.txt", False),
    ],
)
def test_files_in_test_folders_are_development_files(path: str, dev: bool) -> None:
    assert is_dev_file(path) is dev


def test_named_dev_locks_are_left_out_unless_asked_for(tmp_path: Path) -> None:
    lock = "lock-version = '1.0'\ncreated-by = 'x'\n"
    write_tree(tmp_path, {"svc/pylock.toml": lock, "svc/pylock.dev.toml": lock})
    (service,) = discover_services(tmp_path, include_dev=False)
    assert service.sources == ("svc/pylock.toml",)
    (service,) = discover_services(tmp_path, include_dev=True)
    assert service.sources == ("svc/pylock.dev.toml", "svc/pylock.toml")


@pytest.mark.parametrize(
    ("name", "text", "service"),
    [
        ("pyproject.toml", "[tool.ruff]\nline-length = 100\n", False),
        ("pyproject.toml", "[build-system]\nrequires = ['setuptools']\n[tool.black]\n", False),
        ("pyproject.toml", "[tool.uv.workspace]\nmembers = ['a']\n", False),
        ("pyproject.toml", "[tool.poetry]\npackage-mode = false\n", False),
        ("pyproject.toml", "[project]\nname = 'x'\n", True),
        ("pyproject.toml", "[dependency-groups]\ndev = ['pytest']\n", True),
        ("pyproject.toml", "[tool.poetry.dependencies]\npython = '^3.11'\n", True),
        ("pyproject.toml", "[tool.uv]\ndev-dependencies = ['pytest']\n", True),
        # a file that does not parse, or has the wrong shape, is read so its error is reported
        ("pyproject.toml", "[tool.ruff\n", True),
        ("pyproject.toml", "tool = 'ruff'\n", True),
        ("setup.cfg", "[flake8]\nmax-line-length = 100\n[tool:pytest]\naddopts = -q\n", False),
        ("setup.cfg", "[metadata]\nname = x\n[bdist_wheel]\nuniversal = 1\n", False),
        ("setup.cfg", "[options]\ninstall_requires =\n    flask\n", True),
        ("setup.cfg", "[options]\npython_requires = >=3.9\n", True),
        ("setup.cfg", "[options.extras_require]\nredis = redis\n", True),
        ("setup.cfg", "max-line-length = 100\n", True),
    ],
)
def test_project_files_with_only_tool_settings_make_no_service(
    tmp_path: Path, name: str, text: str, service: bool
) -> None:
    write_tree(tmp_path, {f"tools/{name}": text, "api/requirements.txt": "flask\n"})
    names = [s.name for s in discover_services(tmp_path, include_dev=False)]
    assert names == (["api", "tools"] if service else ["api"])


def test_a_tools_only_pyproject_is_no_source_of_a_service_it_shares(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "api/pyproject.toml": "[tool.ruff]\n",
            "api/setup.cfg": "[flake8]\n",
            "api/requirements.txt": "flask\n",
            "depcheck.toml": "[services.api]\npath = 'api'\n",
        },
    )
    (service,) = discover_services(tmp_path, include_dev=False)
    assert service.sources == ("api/requirements.txt",)
    config = load_config(tmp_path / "depcheck.toml", display="depcheck.toml")
    topology = build_topology(
        tmp_path, config, EnvironmentDefaults(interpreter=INTERPRETER), include_dev=False
    )
    assert topology.services[0].sources == ("api/requirements.txt",)
