"""Host environments decided in one place: config, deployment files, command line, interpreter."""

from __future__ import annotations

from packaging.markers import default_environment

from depcheck.model import Environment, Host, Location
from depcheck.topology.config import HostConfig
from depcheck.topology.deploy.interface import DeployHost
from depcheck.topology.environment import (
    EnvironmentDefaults,
    deploy_environment,
    host_environment,
    interpreter_environment,
    make_environment,
    newest_admitted_python,
    settle_host_pythons,
)
from tests.analysis.test_host import req

INTERPRETER = Environment(
    "3.13", "3.13.1", "darwin", "posix", "Darwin", "arm64", source="interpreter"
)
DEFAULTS = EnvironmentDefaults(interpreter=INTERPRETER)


def test_the_interpreter_environment_is_the_running_pythons_markers() -> None:
    env = interpreter_environment()
    markers = default_environment()
    assert (env.python_version, env.sys_platform, env.platform_machine) == (
        markers["python_version"],
        markers["sys_platform"],
        markers["platform_machine"],
    )
    assert env.source == "interpreter"


def test_a_configured_python_and_platform_say_where_they_came_from() -> None:
    env = make_environment(("3.9", "config"), ("win32", "--platform"), INTERPRETER)
    assert (env.python_version, env.python_full_version) == ("3.9", "3.9.0")
    assert (env.sys_platform, env.os_name, env.platform_system) == ("win32", "nt", "Windows")
    # a configured platform does not depend on the machine scanning it
    assert env.platform_machine == "x86_64"
    assert env.source == "python from config, platform from --platform"
    assert env.python_configured


def test_what_is_not_configured_comes_from_the_interpreter() -> None:
    env = make_environment(None, None, INTERPRETER)
    assert env.python_full_version == "3.13.1" and env.sys_platform == "darwin"
    assert env.platform_machine == "arm64"
    assert env.source == "interpreter" and not env.python_configured


def test_the_config_wins_over_the_command_line() -> None:
    defaults = EnvironmentDefaults(interpreter=INTERPRETER, python="3.10", platform="linux")
    configured = host_environment(HostConfig("web", ("api",), python="3.12.4"), defaults)
    assert configured.python_full_version == "3.12.4"
    assert configured.source == "python from config, platform from --platform"
    unconfigured = host_environment(None, defaults)
    assert unconfigured.python_version == "3.10"
    assert unconfigured.source == "python from --python, platform from --platform"


def test_a_deployment_host_takes_its_files_python_and_assumes_the_newest_patch() -> None:
    origin = Location("Dockerfile", 1)
    host = DeployHost("api", origin, "dockerfile", python="3.12", machine="aarch64")
    env = deploy_environment(host, DEFAULTS)
    assert env.python_version == "3.12" and env.python_full_version.startswith("3.12.")
    assert env.python_full_version != "3.12.0"
    assert env.platform_machine == "aarch64" and env.sys_platform == "linux"
    assert "Dockerfile:1" in env.source and "taken as" in env.source


def test_the_newest_python_every_constraint_admits() -> None:
    constraints = [req("python>=3.9"), req("python<3.12")]
    assert newest_admitted_python(constraints) == ("3.11", "3.11.0")
    assert newest_admitted_python([req("python>=3.12"), req("python<3.10")]) is None


def test_only_hosts_whose_python_nobody_stated_are_settled() -> None:
    open_host = Host("web", ("api", "auth"), make_environment(None, None, INTERPRETER))
    stated = Host("ops", ("api",), make_environment(("3.9", "config"), None, INTERPRETER))
    requirements = {"api": [req("python>=3.9")], "auth": [req("python<3.12"), req("flask")]}
    settled_open, settled_stated = settle_host_pythons((open_host, stated), requirements)
    assert settled_open.environment.python_version == "3.11"
    assert settled_open.environment.source == (
        "python: newest every service admits, up to 3.14, platform from interpreter"
    )
    assert settled_stated == stated


def test_an_unstated_host_takes_the_python_its_locks_were_compiled_for() -> None:
    open_host = Host("web", ("api", "auth"), make_environment(None, None, INTERPRETER))
    stated = Host("ops", ("api",), make_environment(("3.9", "config"), None, INTERPRETER))
    requirements = {"api": [req("python>=3.9")], "auth": []}
    compiled = {
        "api": [("3.12", Location("api/requirements.txt", 2))],
        "auth": [("3.12", Location("auth/requirements.txt", 2))],
    }
    settled, kept = settle_host_pythons((open_host, stated), requirements, compiled)
    assert settled.environment.python_version == "3.12"
    assert settled.environment.python_full_version.startswith("3.12.")
    assert settled.environment.source.startswith(
        "python: 3.12 as the locks were compiled for (api/requirements.txt:2), taken as 3.12."
    )
    assert not settled.environment.python_configured  # inferred, not stated
    assert kept == stated


def test_locks_that_disagree_or_that_requires_python_excludes_leave_the_newest_rule() -> None:
    host = Host("web", ("api", "auth"), make_environment(None, None, INTERPRETER))
    requirements = {"api": [req("python>=3.9,<3.12")], "auth": []}
    disagree = {
        "api": [("3.10", Location("api/requirements.txt", 2))],
        "auth": [("3.11", Location("auth/requirements.txt", 2))],
    }
    excluded = {"api": [("3.12", Location("api/requirements.txt", 2))]}
    for compiled in (disagree, excluded):
        (settled,) = settle_host_pythons((host,), requirements, compiled)
        assert settled.environment.python_version == "3.11"
        assert settled.environment.source.startswith("python: newest every service admits")


def test_a_minor_out_less_than_a_year_is_taken_only_when_nothing_older_is_admitted() -> None:
    # 3.15 came out in October 2026: its wheels are few yet, so ">=3.9" is run as 3.14
    assert newest_admitted_python([req("python>=3.9")]) == ("3.14", "3.14.0")
    assert newest_admitted_python([req("python>=3.15")]) == ("3.15", "3.15.0")
    host = Host("web", ("api",), make_environment(None, None, INTERPRETER))
    (settled,) = settle_host_pythons((host,), {"api": [req("python>=3.15")]})
    assert settled.environment.source == (
        "python: oldest every service admits (none admits 3.14 or older), platform from interpreter"
    )
