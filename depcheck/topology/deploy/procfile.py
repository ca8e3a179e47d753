"""Procfiles: the process types of one app share its host.

A `Procfile` (Heroku, Dokku, honcho, foreman) names process types of one app (`web: gunicorn
app:app`, `worker: celery -A tasks worker`), all running in one environment: the app's directory
(the Procfile's folder) is installed as a project, and each directory or script a command points
at (`cd services/api`, `gunicorn --chdir services/api`, `python jobs/etl/run.py`) co-hosts the
service holding it. The Python is the app's `runtime.txt` (`python-3.11.9`) or `.python-version`.
"""

from __future__ import annotations

import posixpath
import re

from depcheck.errors import ReadError
from depcheck.fs import Tree
from depcheck.model import Diagnostic, Location, Severity
from depcheck.topology.deploy.interface import (
    DeployHost,
    DeployRead,
    DeployReader,
    Install,
    InstallKind,
)
from depcheck.topology.deploy.shell import ShellSyntaxError, split_commands

_PROCESS_RE = re.compile(r"^([A-Za-z0-9_-]+)\s*:\s*(.+)$")
_DIR_OPTIONS = ("--chdir", "--app-dir", "--pythonpath", "--workdir", "--directory")


def app_python(
    repo: Tree, directory: str, diagnostics: list[Diagnostic]
) -> tuple[str, Location] | None:
    """The Python an app declares in `runtime.txt` or `.python-version`; such a file that
    cannot be read (a link out of the root, ...) is reported into `diagnostics`."""
    for name, pattern in (
        ("runtime.txt", r"^python-(3\.\d{1,2}(?:\.\d{1,3})?)\s*$"),
        (".python-version", r"^(?:cpython-)?(3\.\d{1,2}(?:\.\d{1,3})?)\s*$"),
    ):
        path = repo.join(directory, name)
        if path is None or not repo.present(path):
            continue
        try:
            text, warnings = repo.read_text(path)
        except ReadError as exc:
            diagnostics.append(exc.diagnostic())
            continue
        diagnostics.extend(warnings)
        for number, line in enumerate(text.splitlines(), start=1):
            match = re.match(pattern, line.strip())
            if match:
                return match.group(1), Location(path, number)
    return None


class ProcfileReader(DeployReader):
    kind = "procfile"

    def read(self, repo: Tree, path: str) -> DeployRead:
        text, warnings = repo.read_text(path)
        directory = posixpath.dirname(path) or "."
        # the app's own folder: the service there, or the nearest one above it
        installs = [Install(directory, InstallKind.CODE, Location(path, 1))]
        diagnostics: list[Diagnostic] = list(warnings)
        processes: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            match = _PROCESS_RE.match(line.strip())
            if match is None or line.lstrip().startswith("#"):
                continue
            processes.append(match.group(1))
            location = Location(path, number)
            try:
                commands = split_commands(match.group(2), lambda name: None)
            except ShellSyntaxError as exc:
                diagnostics.append(
                    Diagnostic(Severity.WARNING, location, f"cannot read this command: {exc}")
                )
                continue
            cwd = directory
            for command in commands:
                for path_text, is_cd in _referenced(command.words):
                    joined = repo.join(cwd, path_text)
                    if joined is None or not repo.exists(joined) or "$" in path_text:
                        continue
                    if is_cd:
                        cwd = joined
                    installs.append(Install(joined, InstallKind.CODE, location))
        if not processes:
            return DeployRead()
        python = app_python(repo, directory, diagnostics)
        host = DeployHost(
            name=path,
            origin=Location(path, 1),
            kind=self.kind,
            installs=tuple(installs),
            python=python[0] if python else None,
            python_origin=python[1] if python else None,
            platform="linux",
            notes=(f"process types: {', '.join(processes)}",),
        )
        return DeployRead((host,), tuple(diagnostics))


def _referenced(words: list[str]) -> list[tuple[str, bool]]:
    """Paths a command points at: `cd DIR`, `--chdir DIR`, and script or module files."""
    found: list[tuple[str, bool]] = []
    if not words:
        return found
    if posixpath.basename(words[0]) == "cd" and len(words) > 1:
        return [(words[1], True)]
    for index, word in enumerate(words):
        name, eq, value = word.partition("=")
        if name in _DIR_OPTIONS:
            target = value if eq else (words[index + 1] if index + 1 < len(words) else "")
            if target:
                found.append((target, False))
        elif word.endswith(".py") and not word.startswith("-"):
            found.append((word, False))
    return found
