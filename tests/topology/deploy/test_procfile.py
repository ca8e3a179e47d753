"""Procfiles: the process types of one app share a host; commands point at the services."""

from __future__ import annotations

from pathlib import Path

from depcheck.fs import Tree
from depcheck.topology.deploy.procfile import ProcfileReader
from tests.conftest import FIXTURES, write_tree


def test_the_heroku_fixture() -> None:
    result = ProcfileReader().read(Tree(FIXTURES / "deploy" / "heroku"), "Procfile")
    (host,) = result.hosts
    assert host.name == "Procfile"
    assert sorted({i.path for i in host.installs}) == [
        ".",
        "services/tasks",
        "services/web",
    ]
    assert (host.python, str(host.python_origin)) == ("3.11.9", "runtime.txt:1")
    assert host.notes == ("process types: web, worker, release",)


def test_python_version_file_and_comments(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app/Procfile": "# processes\nweb: uvicorn main:app --app-dir src\n",
            "app/.python-version": "3.12\n",
            "app/src/main.py": "",
        },
    )
    result = ProcfileReader().read(Tree(tmp_path), "app/Procfile")
    (host,) = result.hosts
    assert sorted(i.path for i in host.installs) == ["app", "app/src"]
    assert host.python == "3.12"
    assert str(host.origin) == "app/Procfile:1"


def test_an_empty_procfile_is_no_host(tmp_path: Path) -> None:
    write_tree(tmp_path, {"Procfile": "# nothing yet\n"})
    assert ProcfileReader().read(Tree(tmp_path), "Procfile").hosts == ()
