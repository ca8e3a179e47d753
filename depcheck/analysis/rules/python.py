"""The host's Python: requires-python ranges are constraints on the package `python`, and a
host whose Python is stated holds them to that version, which no service can move."""

from __future__ import annotations

from collections.abc import MutableMapping

from depcheck.model import Host

PYTHON = "python"  # the package name under which requires-python constraints are checked
HOST_PYTHON = "@host-python"  # the pseudo-service standing for a host's configured Python


def add_host_python(host: Host, package: str, ranges: MutableMapping[str, str]) -> None:
    """A stated host Python is a constraint no service can move: check against it too."""
    if package == PYTHON and host.environment.python_configured and ranges:
        ranges[HOST_PYTHON] = f"=={host.environment.python_full_version}"


def host_python_part(host: Host) -> str:
    """How an incompatibility's reason names the host's own Python."""
    return f"Python {host.environment.python_full_version} (what host {host.name} runs)"
