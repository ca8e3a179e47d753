"""The one error tree: every error depcheck raises on purpose is a `DepcheckError`.

Each layer has its own subclass, so a caller can tell where a failure comes from without reading
its message, and the CLI catches `DepcheckError` once, at the top, to turn it into a message and
exit code 2 (anything else that escapes is a bug: exit 3).

    DepcheckError
    ├── UsageError       cli/: options that do not fit together, a baseline that cannot be used
    ├── ReadError        fs.py: a file of the scanned tree refused or unreadable
    ├── SourceError      sources/: a value a source cannot use (a Poetry constraint, an
    │                    installed environment that cannot be read)
    ├── TopologyError    topology/: the config (ConfigError), a deployment file (DeployError),
    │                    a shell line depcheck cannot split
    ├── ResolveError     resolve/: an index that failed, facts that could not be had
    └── ScanError        pipeline.py: a scan that cannot start (no such directory)

Most of these never reach the CLI: the layer above turns them into a `Diagnostic` (the scan goes
on with the other files). Control flow that never leaves a module (a time budget running out, a
parser giving up on one line) uses private exceptions of that module instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `depcheck --version` imports this module and must not import packaging
    from depcheck.model import Diagnostic, Location


class DepcheckError(Exception):
    """Anything depcheck reports as a failure of its input or its use, never of itself.

    `message` says what is wrong; `location`, when known, is the file (and line) it is about.
    """

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(f"{location}: {message}" if location is not None else message)
        self.message = message
        self.location = location

    def diagnostic(self) -> Diagnostic:
        """The error as a report diagnostic, at its location (the root when it has none)."""
        from depcheck.model import Diagnostic, Location, Severity

        return Diagnostic(Severity.ERROR, self.location or Location("."), self.message)


class UsageError(DepcheckError):
    """The command line asks for something that cannot be done: exit 2 with the message."""


class ReadError(DepcheckError):
    """A file of the scanned tree that the confined reader (`depcheck.fs`) refuses or cannot
    read: missing, not a regular file, too large, not text, outside the scan root, or inside a
    version-control directory."""

    location: Location

    def __init__(self, location: Location, message: str) -> None:
        super().__init__(message, location)


class SourceError(DepcheckError):
    """A dependency-file source met a value it cannot use."""


class TopologyError(DepcheckError):
    """The config, a deployment file or discovery met something it cannot use."""


class ResolveError(DepcheckError):
    """`--resolve` could not have a fact it needs (the message holds no credentials)."""


class ScanError(DepcheckError):
    """A scan that cannot start: the message is for the user, as is."""
