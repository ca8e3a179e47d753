"""Scanning a stranger's repository in every output depcheck has, for the security tests.

`every_output(root, out)` runs `depcheck.cli.main` in-process once per output depcheck can
produce for a repository (scan in each `--format` with each `--output` file, `why`, `graph` in
each format, `plan` with `--emit compose`) and returns everything each run printed or wrote, so a
test can assert an invariant over all of it at once: no secret, no forged workflow command, no
traceback, no exit 3.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from depcheck.cli import main

FORMATS = ("text", "json", "sarif", "markdown", "github")
GRAPH_FORMATS = ("dot", "graphml", "mermaid", "json")

# a line the GitHub Actions runner reads as a workflow command: `::` first (blanks and colour
# codes before it do not count), or the legacy `##[` anywhere
_COMMAND_LINE_RE = re.compile(r"^(?:\s|\x1b\[[0-9;]*m)*::")


@dataclass(frozen=True)
class Output:
    """What one run printed and wrote."""

    command: str
    code: int
    out: str
    err: str
    files: dict[str, str]

    def texts(self) -> dict[str, str]:
        return {"stdout": self.out, "stderr": self.err, **self.files}


def _read_tree(folder: Path) -> dict[str, str]:
    found = {}
    if folder.exists():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                found[path.relative_to(folder).as_posix()] = path.read_text(
                    encoding="utf-8", errors="replace"
                )
    return found


def every_output(
    root: Path, out: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> list[Output]:
    """Every output depcheck has for `root` (files go below `out`, which is emptied first)."""
    results: list[Output] = []

    def run(command: str, args: list[str], files: Path | None = None) -> None:
        if files is not None:
            shutil.rmtree(files, ignore_errors=True)
            files.mkdir(parents=True)
        code = main(args)
        captured = capsys.readouterr()
        written = _read_tree(files) if files is not None else {}
        results.append(Output(command, code, captured.out, captured.err, written))

    for output_format in FORMATS:
        files = out / f"scan-{output_format}"
        args = ["scan", str(root), "--format", output_format, "--quiet", *extra]
        outputs = [arg for f in FORMATS for arg in ("--output", f"{f}:{files}/report.{f}")]
        run(f"scan --format {output_format}", [*args, *outputs], files)
    for width in ("12", "33", "57", "80", "141"):
        for color in ("never", "always"):
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("COLUMNS", width)
                run(
                    f"scan --verbose --color {color} at width {width}",
                    ["scan", str(root), "--quiet", "--verbose", "--color", color, *extra],
                )
                run(f"plan at width {width}", ["plan", str(root), "--quiet", *extra])
                run(
                    f"why urllib3 --color {color} at width {width}",
                    ["why", "urllib3", str(root), "--color", color],
                )
    for graph_format in GRAPH_FORMATS:
        run(f"graph --format {graph_format}", ["graph", str(root), "--format", graph_format])
    run("why urllib3", ["why", "urllib3", str(root)])
    run("why urllib3 --format json", ["why", "urllib3", str(root), "--format", "json"])
    emitted = out / "plan"
    run(
        "plan --emit compose",
        ["plan", str(root), "--emit", "compose", str(emitted / "compose.yaml")],
        emitted,
    )
    return results


def forged_commands(text: str) -> list[str]:
    """The lines of `text` a GitHub Actions runner would read as commands."""
    return [line for line in text.splitlines() if _COMMAND_LINE_RE.match(line) or "##[" in line]
