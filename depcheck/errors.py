"""The one error tree: every error depcheck raises on purpose is a `DepcheckError`.

Each layer has its own subclass, so a caller can tell where a failure comes from without reading
its message; the CLI catches `DepcheckError` once and turns it into a message and an exit code.
Control flow that never leaves a module (a time budget running out, a parser giving up on one
line) uses private exceptions of that module instead.
"""

from __future__ import annotations

from depcheck.model import Diagnostic, Location, Severity


class DepcheckError(Exception):
    """Anything depcheck reports as a failure of its input or its use, never of itself."""


class ReadError(DepcheckError):
    """A file of the scanned tree that the confined reader (`depcheck.fs`) refuses or cannot
    read: missing, not a regular file, too large, not text, outside the scan root, or inside a
    version-control directory."""

    def __init__(self, location: Location, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(Severity.ERROR, self.location, self.message)
