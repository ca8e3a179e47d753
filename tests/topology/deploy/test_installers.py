"""Install commands recognised in their own terms: files, constraints, projects, targets, Python."""

from __future__ import annotations

import pytest

from depcheck.topology.deploy.installers import is_path_like, recognize


def test_pip_install_with_files_constraints_and_a_project_with_extras() -> None:
    command = recognize(["pip", "install", "-r", "req.txt", "-c", "c.txt", ".[server]"])
    assert command is not None
    assert (command.tool, command.action) == ("pip", "install")
    assert command.files == ["req.txt"] and command.constraints == ["c.txt"]
    assert command.projects == ["."] and command.extras == ["server"]


def test_python_dash_m_pip_with_a_target_and_a_named_package() -> None:
    command = recognize(["python3", "-m", "pip", "install", "--target", "/opt", "flask==3.0"])
    assert command is not None
    assert command.tool == "pip" and command.executable == "python3"
    assert command.target == "/opt" and command.packages == ["flask"]


def test_uv_pip_into_the_system_environment() -> None:
    command = recognize(["uv", "pip", "install", "--system", "-r", "r.txt"])
    assert command is not None
    assert (command.tool, command.system, command.files) == ("uv pip", True, ["r.txt"])


def test_pip_wheel_writes_to_its_output_directory() -> None:
    command = recognize(["pip", "wheel", "-w", "/wheels", "-r", "r.txt"])
    assert command is not None
    assert (command.action, command.output) == ("wheel", "/wheels")


@pytest.mark.parametrize(
    ("words", "tool", "extras", "dev"),
    [
        (["uv", "sync", "--extra", "server", "--no-dev"], "uv", ["server"], False),
        (["poetry", "install", "--with", "dev"], "poetry", [], True),
    ],
)
def test_project_tools_sync_with_their_extras_and_groups(
    words: list[str], tool: str, extras: list[str], dev: bool
) -> None:
    command = recognize(words)
    assert command is not None
    assert (command.tool, command.action, command.extras) == (tool, "sync", extras)
    # each tool's defaults: Poetry and uv install the `dev` group unless told otherwise
    assert command.groups.wants("dev", default=True) is dev


def test_a_system_package_manager_installing_a_python() -> None:
    command = recognize(["apt-get", "install", "-y", "python3.11"])
    assert command is not None
    assert (command.action, command.python) == ("python", "3.11")


@pytest.mark.parametrize("words", [["echo", "hi"], ["pipx", "install", "black"], []])
def test_other_commands_are_not_installs(words: list[str]) -> None:
    assert recognize(words) is None


@pytest.mark.parametrize(
    ("word", "expected"),
    [("./services/api", True), ("/srv/app", True), (".", True), ("flask", False)],
)
def test_path_like_words(word: str, expected: bool) -> None:
    assert is_path_like(word) is expected
