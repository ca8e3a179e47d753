"""Baselines: which conflicts are new, which were already there, which disappeared.

A baseline is an earlier JSON report (`--baseline FILE`, written with `--write-baseline FILE`)
or the same path scanned at a git revision (`--diff-base REF`). Conflicts match by `id`, the
stable fingerprint of (host, package, services). The git revision is materialised with
`git archive` into a temporary directory: the user's working tree and index are never touched.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from depcheck.model import Report

if TYPE_CHECKING:
    import subprocess


class BaselineError(ValueError):
    """A baseline that cannot be used: the message is for the user, as is."""


def load_baseline(path: Path) -> frozenset[str]:
    """The conflict ids of an earlier depcheck JSON report."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"--baseline {path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"--baseline {path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"--baseline {path}:{exc.lineno}:{exc.colno}: not a JSON report: {exc.msg}"
        ) from None
    if not isinstance(data, dict) or data.get("schema_version") != 1:
        raise BaselineError(f"--baseline {path}: not a depcheck JSON report (schema_version 1)")
    conflicts = data.get("conflicts")
    if not isinstance(conflicts, list) or not all(
        isinstance(c, dict) and isinstance(c.get("id"), str) for c in conflicts
    ):
        raise BaselineError(f"--baseline {path}: its `conflicts` have no ids")
    return frozenset(c["id"] for c in conflicts)


def apply_baseline(report: Report, known: Iterable[str], label: str) -> Report:
    """Mark each conflict new or known, and list the baseline's ids that are gone as fixed."""
    known = frozenset(known)
    current = {c.id for c in report.conflicts}
    conflicts = tuple(
        replace(c, baseline="known" if c.id in known else "new") for c in report.conflicts
    )
    return replace(
        report, conflicts=conflicts, baseline=label, fixed=tuple(sorted(known - current))
    )


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    import subprocess  # only --diff-base runs git: a scan does not pay the import

    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, timeout=300
        )
    except FileNotFoundError:
        raise BaselineError("--diff-base needs git, and git is not installed") from None
    except subprocess.TimeoutExpired:
        raise BaselineError(f"--diff-base: git {args[0]} took too long") from None


def checkout_revision(path: Path, ref: str, destination: Path) -> Path:
    """Extract the repository containing `path` at `ref` into `destination` (git archive).

    Returns where `path` lies inside the extracted tree (it may not exist at `ref`).
    """
    directory = path.resolve()
    top = _git(["rev-parse", "--show-toplevel"], directory)
    if top.returncode != 0:
        raise BaselineError(f"--diff-base: {path} is not inside a git repository")
    toplevel = Path(top.stdout.decode().strip())
    commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], toplevel)
    if commit.returncode != 0:
        raise BaselineError(f"--diff-base: unknown revision {ref!r} in {toplevel.name}")
    archive = _git(["archive", "--format=tar", commit.stdout.decode().strip()], toplevel)
    if archive.returncode != 0:
        message = archive.stderr.decode(errors="replace").strip().splitlines()
        raise BaselineError(f"--diff-base: git archive failed: {message[-1] if message else ''}")
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(destination, filter="data")
        else:  # Python < 3.11.4: no extraction filters; keep plain files and folders inside
            safe = [
                member
                for member in tar.getmembers()
                if (member.isfile() or member.isdir())
                and not member.name.startswith("/")
                and ".." not in member.name.split("/")
            ]
            tar.extractall(destination, members=safe)
    return destination / directory.relative_to(toplevel.resolve())
