"""Choosing the topology: deployment files found in one walk, and what --hosts-from picks."""

from __future__ import annotations

from pathlib import Path

import pytest

from depcheck.topology.deployed import find_deploy_files
from depcheck.topology.environment import EnvironmentDefaults
from depcheck.topology.select import topology_for
from tests.conftest import write_tree
from tests.topology.test_environment import INTERPRETER

FILES = {
    "api/requirements.txt": "flask==3.0\n",
    "worker/requirements.txt": "celery\n",
    "web/requirements.txt": "django\n",
    "Dockerfile": "FROM python:3.12-slim\nCOPY api/requirements.txt /r/a.txt\n"
    "COPY worker/requirements.txt /r/w.txt\nRUN pip install -r /r/a.txt -r /r/w.txt\n",
    "compose.yaml": "services:\n  app:\n    build: .\n",
    "node_modules/x/Dockerfile": "FROM node\n",
    "docs/Dockerfile.dockerignore": "",
}
DEFAULTS = EnvironmentDefaults(interpreter=INTERPRETER)


def test_deployment_files_are_found_by_kind_skipping_what_discovery_skips(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    found = find_deploy_files(tmp_path)
    assert found.dockerfiles == ("Dockerfile",)
    assert found.compose == ("compose.yaml",)
    assert (found.procfiles, found.templates, found.serverless) == ((), (), ())
    assert bool(found) and not find_deploy_files(tmp_path / "web")


@pytest.mark.parametrize("hosts_from", ["auto", "deploy"])
def test_hosts_from_the_deployment_files(tmp_path: Path, hosts_from: str) -> None:
    write_tree(tmp_path, FILES)
    topology = topology_for(tmp_path, None, DEFAULTS, include_dev=False, hosts_from=hosts_from)
    [host] = topology.hosts
    # the Compose service builds the Dockerfile, which installs api's and worker's files
    assert (host.name, host.services) == ("app", ("api", "worker"))
    assert host.environment.python_version == "3.12"
    [note] = topology.notes
    assert note.startswith("hosts from deployment files (1 host)")
    assert "checked on its own (web)" in note


def test_one_host_for_all_when_asked(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    topology = topology_for(tmp_path, None, DEFAULTS, include_dev=False, hosts_from="single")
    [host] = topology.hosts
    assert (host.name, host.services) == ("default", ("api", "web", "worker"))
    # nothing states this host's Python: the interpreter's, until requirements settle it
    assert host.environment.python_version == INTERPRETER.python_version


def test_an_unknown_choice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="hosts_from must be one of"):
        topology_for(tmp_path, None, DEFAULTS, include_dev=False, hosts_from="cloud")
