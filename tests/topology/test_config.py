"""Config files: depcheck.toml, [tool.depcheck], --config; errors name the file, the key and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from depcheck.topology.config import ConfigError, find_config, load_config
from tests.conftest import write_tree

VALID = """
[services.api]
path = "services/api"
[services.worker]
sources = ["services/worker/requirements.txt", "./services/worker/extra.txt"]
include-dev = true

[hosts.web]
services = ["api", "worker"]
python = "3.11"
platform = "linux"
"""


def test_depcheck_toml_is_read_as_design_shows(tmp_path: Path) -> None:
    write_tree(tmp_path, {"depcheck.toml": VALID})
    path = find_config(tmp_path)
    assert path == tmp_path / "depcheck.toml"
    config = load_config(path, display="depcheck.toml")
    api, worker = config.services
    assert (api.name, api.path, api.sources) == ("api", "services/api", ())
    assert worker.sources == ("services/worker/requirements.txt", "services/worker/extra.txt")
    assert worker.include_dev is True
    (web,) = config.hosts
    assert (web.name, web.services, web.python, web.platform) == (
        "web",
        ("api", "worker"),
        "3.11",
        "linux",
    )


def test_tool_depcheck_in_pyproject(tmp_path: Path) -> None:
    text = "[project]\nname = 'x'\n" + VALID.replace(
        "[services.", "[tool.depcheck.services."
    ).replace("[hosts.", "[tool.depcheck.hosts.")
    write_tree(tmp_path, {"pyproject.toml": text})
    path = find_config(tmp_path)
    assert path == tmp_path / "pyproject.toml"
    config = load_config(path, display="pyproject.toml")
    assert [s.name for s in config.services] == ["api", "worker"]


def test_a_pyproject_without_tool_depcheck_is_no_config(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n"})
    assert find_config(tmp_path) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[services.api\npath = 'x'\n", r"config depcheck.toml:1:\d+: invalid TOML: "),
        ("services = 3\n", r"depcheck.toml:1: services: must be a table, not a number"),
        ("[services.api]\n", r"services.api: needs `path` \(a directory\) or `sources`"),
        ("[services.api]\npath = 3\n", r"services.api.path: must be a string, not a number"),
        (
            "[services.api]\nsources = 'a.txt'\n",
            r"services.api.sources: must be an array of strings",
        ),
        (
            "[services.api]\npath = '../elsewhere'\n",
            r"services.api.path: must stay inside the scan root",
        ),
        ("[services.api]\npath = '/abs'\n", r"services.api.path: must be a path relative"),
        (
            "[services.api]\npaht = 'x'\n",
            r"services.api.paht: unknown key \(known: extras, include-dev, path, sources\)",
        ),
        ("[hosts.web]\npython = '3.11'\n", r"hosts.web: needs `services`"),
        (
            "[hosts.web]\nservices = ['a']\npython = '3'\n",
            r"hosts.web.python: must be a Python version",
        ),
        (
            "[hosts.web]\nservices = ['a']\npython = 3.11\n",
            r"hosts.web.python: must be a Python version",
        ),
        (
            "[hosts.web]\nservices = ['a']\nplatform = 'linux2'\n",
            r"hosts.web.platform: must be one of linux, darwin, win32, not 'linux2'",
        ),
        ("frobnicate = true\n", r"frobnicate: unknown key"),
        ("include-dev = 'yes'\n", r"include-dev: must be true or false"),
    ],
)
def test_config_errors_name_file_key_and_reason(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "depcheck.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path / "depcheck.toml", display="depcheck.toml")


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config nope\.toml: file not found"):
        load_config(tmp_path / "nope.toml", display="nope.toml")
