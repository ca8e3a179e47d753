"""The Pipfile.lock source: pins with lines, git/path entries, develop, direct flags, bad JSON."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from packaging.specifiers import SpecifierSet

from depcheck.model import Requirement, Role, Severity, SourceFile
from depcheck.service import read_file
from depcheck.sources import source_for
from depcheck.sources.interface import ReadOptions
from depcheck.sources.pipfile_lock import PipfileLockSource, key_lines
from tests.conftest import FIXTURES, write_tree

WORKER = FIXTURES / "sources" / "Pipfile-lock"


def read(root: Path = WORKER, path: str = "worker/Pipfile.lock", **options: Any) -> SourceFile:
    # as a scan reads it: the sibling declared file's direct dependencies passed in
    source = read_file(path, ReadOptions(root=root, **options))
    assert source is not None
    return source


def pins(source: SourceFile) -> dict[str, Requirement]:
    return {r.name: r for r in source.requirements}


def test_registered_for_pipfile_lock_but_not_pipfile() -> None:
    assert isinstance(source_for("worker/Pipfile.lock"), PipfileLockSource)
    assert not isinstance(source_for("worker/Pipfile"), PipfileLockSource)


def test_default_entries_are_pins_at_their_lines() -> None:
    source = read()
    assert source.format == "Pipfile.lock" and source.role is Role.LOCKED
    assert source.diagnostics == () and source.dependencies == ()
    found = pins(source)
    assert sorted(found) == ["certifi", "docker", "requests", "shared", "urllib3"]
    requests = found["requests"]
    assert requests.specifier == SpecifierSet("==2.31.0") and requests.text == "requests==2.31.0"
    assert requests.location.path == "worker/Pipfile.lock" and requests.location.line == 32
    assert str(requests.marker) == 'python_version >= "3.7"'
    assert requests.parent is None and requests.extras == frozenset()


def test_the_project_itself_is_not_a_pin() -> None:
    assert "worker" not in pins(read())


def test_git_entries_have_no_version_and_keep_their_url() -> None:
    docker = pins(read())["docker"]
    assert docker.specifier == SpecifierSet() and docker.pinned_version is None
    assert (
        docker.url
        == "git+https://github.com/docker/docker-py@292b2fd9bab4b98ad23939635b1a4894edeb17f2"
    )
    assert docker.text == f"docker @ {docker.url}"
    assert docker.location.line == 27


def test_path_entries_keep_path_and_editable() -> None:
    shared = pins(read())["shared"]
    assert shared.url == "../shared" and shared.editable is True


def test_direct_packages_come_from_the_sibling_pipfile() -> None:
    found = pins(read())
    assert sorted(n for n, r in found.items() if r.direct) == ["docker", "requests", "shared"]


def test_without_a_pipfile_every_entry_counts_as_direct(tmp_path: Path) -> None:
    shutil.copy(WORKER / "worker" / "Pipfile.lock", tmp_path / "Pipfile.lock")
    assert all(r.direct for r in read(tmp_path, "Pipfile.lock").requirements)


def test_develop_only_with_include_dev() -> None:
    assert "pytest" not in pins(read())
    with_dev = read(include_dev=True)
    found = pins(with_dev)
    assert found["pytest"].direct is True and found["pytest"].location.line == 66
    assert found["iniconfig"].direct is False
    # a package in both sections is one pin, from `default`
    assert [r.location.line for r in with_dev.requirements if r.name == "urllib3"] == [45]


@pytest.mark.parametrize(
    ("requires", "expected"),
    [
        ('{"python_version": "3.11"}', "==3.11.*"),
        ('{"python_version": "3.11", "python_full_version": "3.11.8"}', "==3.11.8"),
        ("{}", None),
    ],
)
def test_requires_python(tmp_path: Path, requires: str, expected: str | None) -> None:
    write_tree(
        tmp_path, {"Pipfile.lock": f'{{"_meta": {{"requires": {requires}}}, "default": {{}}}}'}
    )
    result = read(tmp_path, "Pipfile.lock").requires_python
    assert result == (SpecifierSet(expected) if expected else None)


def test_truncated_json_is_one_error_at_its_line(tmp_path: Path) -> None:
    text = (WORKER / "worker" / "Pipfile.lock").read_text()
    write_tree(tmp_path, {"Pipfile.lock": text[: text.index('"requests"')]})
    source = read(tmp_path, "Pipfile.lock")
    assert source.requirements == ()
    (error,) = source.diagnostics
    assert error.severity is Severity.ERROR
    assert error.location.line == 32
    assert error.message.startswith("invalid JSON")


def test_bad_entries_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "Pipfile.lock": (
                '{\n  "default": {\n'
                '    "six": {"version": "==1.16.0"},\n'
                '    "broken": "==1.0",\n'
                '    "nothing": {"hashes": []},\n'
                '    "weird": {"version": "==1.0; oops"},\n'
                '    "idna": {"version": "==3.6", "markers": "python_version >>= \'3\'"}\n'
                "  }\n}\n"
            )
        },
    )
    source = read(tmp_path, "Pipfile.lock")
    assert sorted(pins(source)) == ["idna", "six"]
    assert pins(source)["idna"].marker is None
    found = [(d.severity, d.location.line, d.message.split(":")[0]) for d in source.diagnostics]
    assert found == [
        (Severity.ERROR, 4, "entry 'broken' should be a JSON object"),
        (Severity.ERROR, 5, "'nothing' has neither a version nor a git/path/file source"),
        (Severity.ERROR, 6, "'weird'"),
        (Severity.WARNING, 7, "invalid marker \"python_version >>= '3'\" ignored"),
    ]


def test_key_lines_follow_nesting_not_just_names() -> None:
    text = '{\n "a": {\n  "x": 1\n },\n "b": {\n  "x": [\n   "a",\n   {"y": 2}\n  ]\n }\n}\n'
    assert key_lines(text) == {
        ("a",): 2,
        ("a", "x"): 3,
        ("b",): 5,
        ("b", "x"): 6,
        ("b", "x", "y"): 8,
    }
