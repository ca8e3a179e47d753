"""GitHub workflow commands: one annotation per constraint and per input problem, escaped."""

from __future__ import annotations

import re

import pytest

from depcheck.report.github import GithubFormatter, command, escape_data, escape_property
from depcheck.report.interface import OutputFormat, RenderOptions
from tests.report.conftest import CLASH, ScanTree, config

COMMAND_RE = re.compile(r"^::(error|warning)( [^:]*)?::(.*)$")


def commands(output: str) -> list[tuple[str, dict[str, str], str]]:
    """(name, properties, message) of each command line, unescaped as the runner does."""
    parsed = []
    for line in output.splitlines():
        match = COMMAND_RE.match(line)
        if not match:
            continue
        properties = {}
        for pair in filter(None, (match.group(2) or "").strip().split(",")):
            key, _, value = pair.partition("=")
            properties[key] = _unescape(value)
        parsed.append((match.group(1), properties, _unescape(match.group(3))))
    return parsed


def _unescape(value: str) -> str:
    for escaped, raw in (("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r"), ("%25", "%")):
        value = value.replace(escaped, raw)
    return value


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("100%", "100%25", "100%25"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
        ("%0A", "%250A", "%250A"),
    ],
)
def test_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_command_shape() -> None:
    assert command("error", "m", {}) == "::error::m"
    line = command("warning", "two\nlines", {"file": "a,b.txt", "line": 3, "title": "x: y"})
    assert line == "::warning file=a%2Cb.txt,line=3,title=x%3A y::two%0Alines"


def test_one_annotation_per_constraint(scan_tree: ScanTree) -> None:
    report = scan_tree(CLASH, root="repo")
    output = GithubFormatter().format(report)
    found = commands(output)
    requests = [c for c in found if "requests incompatible" in c[1]["title"]]
    assert [(name, props["file"], props["line"]) for name, props, _ in requests] == [
        ("error", "repo/api/requirements.in", "1"),
        ("error", "repo/worker/requirements.in", "1"),
    ]
    assert requests[0][2].startswith("api asks for requests==2.31.0")
    assert "\nFix: " in requests[0][2]
    urllib3 = [c for c in found if "urllib3 pin-mismatch" in c[1]["title"]]
    assert {name for name, _, _ in urllib3} == {"warning"}
    assert len(urllib3) == 4  # two pins and two declared ranges
    assert output.splitlines()[-1] == (
        "depcheck: 2 conflicts (1 incompatible, 1 pin mismatch) on 1 of 1 host · exit 1"
    )


def test_input_problems(scan_tree: ScanTree) -> None:
    files = {"api/requirements.txt": "flask==2.0\nrequests==\n"}
    report = scan_tree(files, root=".")
    [(name, props, message)] = commands(GithubFormatter().format(report))
    assert name == "error"
    assert props["file"] == "api/requirements.txt" and props["line"] == "2" and "col" in props
    assert message == report.errors[0].message


def test_scan_wide_warning_has_no_file(scan_tree: ScanTree) -> None:
    report = scan_tree({"README.md": "nothing\n"}, root=".")
    [(name, props, _)] = commands(GithubFormatter().format(report))
    assert name == "warning" and "file" not in props


def test_hostile_names_cannot_start_a_command(scan_tree: ScanTree) -> None:
    evil = "x\n::error::pwned"
    services = {evil: "a,b:c", "ok": "ok"}
    files = {
        "depcheck.toml": config({"web": list(services)}, services),
        "a,b:c/requirements.txt": "flask==2.0\n",
        "ok/requirements.txt": "flask==3.0\n",
    }
    output = GithubFormatter().format(scan_tree(files, root="."))
    assert not any(line.startswith("::error::pwned") for line in output.splitlines())
    found = commands(output)
    assert len(found) == 2 and len(output.splitlines()) == 3
    by_file = {props["file"]: message for _, props, message in found}
    assert sorted(by_file) == ["a,b:c/requirements.txt", "ok/requirements.txt"]
    assert by_file["a,b:c/requirements.txt"].startswith(f"{evil} asks for flask==2.0")


def test_registered_as_an_output_format() -> None:
    formatter = OutputFormat("github").to_formatter(RenderOptions())
    assert isinstance(formatter, GithubFormatter)


def test_a_shared_file_gets_one_annotation(scan_tree: ScanTree) -> None:
    services = {"a": "a", "b": "b", "c": "c"}
    files = {
        "depcheck.toml": config({"web": list(services)}, services),
        "shared/base.txt": "flask==2.0\n",
        "a/requirements.txt": "-r ../shared/base.txt\n",
        "b/requirements.txt": "-r ../shared/base.txt\n",
        "c/requirements.txt": "flask>=3\n",
    }
    found = commands(GithubFormatter().format(scan_tree(files, root=".")))
    by_file = {props["file"]: message for _, props, message in found}
    assert sorted(by_file) == ["c/requirements.txt", "shared/base.txt"]
    assert by_file["shared/base.txt"].startswith("a, b ask for flask==2.0")
