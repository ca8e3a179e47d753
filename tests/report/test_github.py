"""GitHub workflow commands: one annotation per conflict and per input problem, capped, escaped."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from depcheck.report.github import GithubFormatter, command, escape_data, escape_property
from depcheck.report.interface import OutputFormat, RenderOptions
from tests.report.conftest import CLASH, ScanTree, config, locked

COMMAND_RE = re.compile(r"^::(error|warning|notice)( [^:]*)?::(.*)$")


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


def test_one_annotation_per_conflict_at_the_line_to_change(scan_tree: ScanTree) -> None:
    report = scan_tree(CLASH, root="repo")
    output = GithubFormatter().format(report)
    found = commands(output)
    assert [(name, props["title"]) for name, props, _ in found] == [
        ("error", "depcheck: requests incompatible on host web"),
        ("warning", "depcheck: urllib3 pin-mismatch on host web"),
    ]
    (_, requests, message), (_, urllib3, pins) = found
    # requests: on the constraint of the service the fix moves out, naming the other one
    moved = report.conflicts[0].recommendation.services
    assert len(moved) == 1 and requests["file"] == f"repo/{moved[0]}/requirements.in"
    assert requests["line"] == "1"
    other = "worker" if moved[0] == "api" else "api"
    assert f"; {other}: requests" in message and f"repo/{other}/requirements.in:1" in message
    assert message.endswith(f"\nFix: move out {moved[0]}")
    # urllib3: on the pin in the lock the fix re-locks
    (relock,) = next(c for c in report.conflicts if c.package == "urllib3").recommendation.relock
    assert urllib3["file"] == f"repo/{relock}" and urllib3["line"] == "5"
    assert pins.count("(repo/") == 3  # the other pin and both declared ranges
    assert output.splitlines()[-1] == (
        "depcheck: 2 conflicts (1 incompatible, 1 pin mismatch) on 1 of 1 host · exit 1"
    )
    assert "::notice" not in output


def many_conflicts(incompatible: int, mismatched: int) -> dict[str, str]:
    """Services a, b, c (and d) on one host: `incompatible` packages a and b clash on, and
    `mismatched` packages whose locks differ; package i0 clashes in three services."""
    services = {name: name for name in "abcd"}
    files = {"depcheck.toml": config({"web": list(services)}, services)}
    a = [f"inc{i}==1.0" for i in range(incompatible)]
    b = [f"inc{i}==2.0" for i in range(incompatible)]
    c = ["inc0==3.0"]
    files["a/requirements.in"] = "\n".join(a + [f"pin{i}" for i in range(mismatched)]) + "\n"
    files["b/requirements.in"] = "\n".join(b + [f"pin{i}" for i in range(mismatched)]) + "\n"
    files["c/requirements.in"] = "\n".join(c) + "\n"
    files["a/requirements.txt"] = locked(*(f"pin{i}==1.0" for i in range(mismatched)))
    files["b/requirements.txt"] = locked(*(f"pin{i}==1.1" for i in range(mismatched)))
    files["d/requirements.in"] = "flask\n"
    return files


def test_at_most_ten_of_each_level_then_a_notice(scan_tree: ScanTree) -> None:
    report = scan_tree(many_conflicts(14, 13), root=".")
    assert len(report.conflicts) == 27
    output = GithubFormatter().format(report)
    found = commands(output)
    errors = [c for c in found if c[0] == "error"]
    warnings = [c for c in found if c[0] == "warning"]
    notices = [c for c in found if c[0] == "notice"]
    assert len(errors) == 10 and len(warnings) == 10 and len(notices) == 1
    # more services first: inc0 (a, b and c) leads
    assert errors[0][1]["title"] == "depcheck: inc0 incompatible on host web"
    (_, props, message) = notices[0]
    assert props["title"] == "depcheck: 7 more findings"
    assert message.startswith("4 errors and 3 warnings more not annotated")
    assert "job summary" in message and "--format json" in message
    # one conflict, one annotation, whatever the number of its lines
    titles = [props["title"] for _, props, _ in errors + warnings]
    assert len(titles) == len(set(titles))


def test_new_and_changed_before_known(scan_tree: ScanTree) -> None:
    report = scan_tree(many_conflicts(12, 0), root=".")
    marked = tuple(
        replace(c, baseline="new" if c.package in ("inc10", "inc11") else "known")
        for c in report.conflicts
    )
    output = GithubFormatter().format(replace(report, conflicts=marked, baseline="b.json"))
    errors = [props["title"] for name, props, _ in commands(output) if name == "error"]
    assert errors[:2] == [
        "depcheck: inc10 incompatible on host web (new)",
        "depcheck: inc11 incompatible on host web (new)",
    ]
    assert errors[2] == "depcheck: inc0 incompatible on host web (in the baseline)"
    assert len(errors) == 10


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
    [(_, props, message)] = commands(output)
    assert len(output.splitlines()) == 2  # the annotation and the summary line
    assert props["file"] in ("a,b:c/requirements.txt", "ok/requirements.txt")
    assert props["title"] == "depcheck: flask incompatible on host web"
    assert f"{evil}: flask==2.0" in message  # the name survives, escaped into one line


def test_registered_as_an_output_format() -> None:
    formatter = OutputFormat("github").to_formatter(RenderOptions())
    assert isinstance(formatter, GithubFormatter)


def test_a_shared_file_is_named_once(scan_tree: ScanTree) -> None:
    services = {"a": "a", "b": "b", "c": "c"}
    files = {
        "depcheck.toml": config({"web": list(services)}, services),
        "shared/base.txt": "flask==2.0\n",
        "a/requirements.txt": "-r ../shared/base.txt\n",
        "b/requirements.txt": "-r ../shared/base.txt\n",
        "c/requirements.txt": "flask>=3\n",
    }
    [(_, props, message)] = commands(GithubFormatter().format(scan_tree(files, root=".")))
    # the plan moves c out (one service against two): its line is the one to change
    assert props["file"] == "c/requirements.txt"
    assert message.startswith("c: flask>=3 (here); a, b: flask==2.0 (shared/base.txt:1).")
