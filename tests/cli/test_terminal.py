"""The terminal side of a run: the progress display counts files read of the total."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest
from rich.console import Console

from depcheck.cli.terminal import Spinner, progress_line, with_progress
from depcheck.pipeline import ScanOptions, scan
from depcheck.topology.environment import interpreter_environment
from tests.conftest import write_tree


class Recorder:
    """A progress observer that keeps what the scan told it."""

    def __init__(self) -> None:
        self.read: list[tuple[str, int, int]] = []
        self.checked: list[tuple[str, int, int]] = []

    def reading(self, path: str, done: int, total: int) -> None:
        self.read.append((path, done, total))

    def analysing(self, host: str, done: int, total: int) -> None:
        self.checked.append((host, done, total))


def test_the_scan_reports_each_file_once_with_the_total(tmp_path: Path) -> None:
    files = {f"s{i}/requirements.txt": "six==1.16.0\n" for i in range(4)}
    files["s0/requirements-dev.txt"] = "pytest\n"
    files["s1/pyproject.toml"] = '[project]\nname = "s1"\nversion = "1"\ndependencies = ["six"]\n'
    recorder = Recorder()
    scan(
        ScanOptions(root=write_tree(tmp_path, files), interpreter=interpreter_environment()),
        recorder,
    )
    total = len(recorder.read)
    assert total == 5  # the dev file is not read without --include-dev
    assert [done for _, done, _ in recorder.read] == list(range(1, total + 1))
    assert {t for _, _, t in recorder.read} == {total}
    assert sorted(p for p, _, _ in recorder.read) == sorted(f for f in files if "dev" not in f)
    assert recorder.checked == [("default", 1, 1)]


def test_the_spinner_shows_files_read_of_total() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    with Spinner(console) as spinner:
        spinner.reading("api/requirements.txt", 120, 1450)
        assert spinner.text == "reading 120 of 1,450 files: api/requirements.txt"
        spinner.analysing("web", 1, 1)
        assert spinner.text == "checking 1 of 1 host: web"
        # a scanned name is shown as it is, never read as markup or escape sequences
        spinner.reading("[bold]x\x1b[2J", 2, 2)
        assert "[bold]x" in spinner.text and "\x1b" not in spinner.text


def test_progress_line_counts() -> None:
    assert progress_line("reading", 3, 10, "file", "a") == "reading 3 of 10 files: a"


@pytest.mark.parametrize(
    ("tty", "quiet", "shown"), [(True, False, True), (False, False, False), (True, True, False)]
)
def test_progress_only_on_a_terminal_and_not_quiet(
    monkeypatch: pytest.MonkeyPatch, tty: bool, quiet: bool, shown: bool
) -> None:
    monkeypatch.setattr("sys.stderr.isatty", lambda: tty)
    seen = with_progress(argparse.Namespace(quiet=quiet), lambda progress: progress)
    assert isinstance(seen, Spinner) is shown
    assert (seen is None) is not shown
