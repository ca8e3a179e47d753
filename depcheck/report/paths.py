"""Where a report's file locations live for tools that resolve them against the working directory.

Locations in a `Report` are relative to the scan root (``services/api/requirements.txt``).
CI annotators (SARIF code scanning, workflow commands) resolve paths against the repository
checkout, which is where depcheck runs, so a scan of ``depcheck scan fixtures/demo`` must say
``fixtures/demo/services/api/requirements.txt``. When the root was given as an absolute path
there is no way to know the checkout from the report alone (the formatters are pure), so paths
stay relative to the root and callers say so where their format allows it.
"""

from __future__ import annotations

import posixpath
from pathlib import PurePosixPath, PureWindowsPath

from depcheck.model import Location


def is_absolute_root(root: str) -> bool:
    """Whether the report's root is an absolute path (POSIX or Windows spelling)."""
    return PurePosixPath(root).is_absolute() or PureWindowsPath(root).is_absolute()


def points_at_file(location: Location) -> bool:
    """Whether a location names a file (a diagnostic about the whole scan uses ``.``)."""
    return location.path not in ("", ".")


def workspace_path(root: str, path: str) -> str:
    """`path` (relative to the scan root) as a POSIX path relative to where depcheck ran.

    With an absolute root the path is returned relative to the root, unchanged.
    """
    if is_absolute_root(root) or root in ("", "."):
        return posixpath.normpath(path)
    return posixpath.normpath(posixpath.join(root.replace("\\", "/"), path))
