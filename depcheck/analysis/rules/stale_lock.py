"""Rule `stale_lock`: a service's lock that its own declared constraints rule out.

Two shapes, both warnings that say "re-lock":

- a pin the lock holds (`requests==2.27.1`) that a declared range of the same service excludes
  (`requests>=2.31` in requirements.in or pyproject.toml): `stale_pins`, per service's files;
- a range the lock records between packages that contradicts what was declared:
  `stale_ranges`, found while a host's constraints are combined (the declared ones win).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from depcheck.analysis.algebra import admits
from depcheck.analysis.evidence import by_location
from depcheck.model import Diagnostic, Requirement, Role, Severity, SourceFile


def _holds_a_pin_to(requirement: Requirement) -> bool:
    """A declared range a lock's pins must satisfy wherever the service is installed."""
    return (
        requirement.role is Role.DECLARED
        and requirement.marker is None
        and requirement.parent is None
        and not requirement.constraint_only
    )


def _checked(pin: Requirement) -> str | None:
    """The version of a lock's top-level pin that holds everywhere, else None."""
    if pin.parent is not None or pin.marker is not None:
        return None
    return pin.pinned_version


def stale_versions(pins: Iterable[Requirement], constraints: Iterable[Requirement]) -> set[str]:
    """The versions among one service's `pins` its own declared `constraints` rule out (what
    `stale_pins` reports): rule pin_mismatch does not count them against other services."""
    declared = [r.key for r in constraints if _holds_a_pin_to(r)]
    versions = {v for v in map(_checked, pins) if v is not None}
    return {v for v in versions if any(not admits(key, v) for key in declared)}


def stale_pins(sources: Mapping[str, Sequence[SourceFile]]) -> list[Diagnostic]:
    """Pins a service's lock holds that its own declared constraints rule out: the lock is stale."""
    found: list[Diagnostic] = []
    for files in sources.values():
        declared: dict[str, list[Requirement]] = {}
        for source in files:
            if source.role is Role.DECLARED:
                for r in source.requirements:
                    if _holds_a_pin_to(r):
                        declared.setdefault(r.name, []).append(r)
        for source in files:
            if source.role is not Role.LOCKED:
                continue
            for pin in source.requirements:
                version = _checked(pin)
                if version is None:
                    continue
                for wanted in declared.get(pin.name, ()):
                    if not admits(wanted.key, version):
                        found.append(
                            Diagnostic(
                                Severity.WARNING,
                                pin.location,
                                f"stale lock: {pin.display_name}=={version} does not satisfy "
                                f"{wanted.text} declared at {wanted.location.path}:"
                                f"{wanted.location.line}; re-lock {source.path}",
                            )
                        )
    return found


def stale_ranges(
    service: str,
    package: str,
    declared: Sequence[Requirement],
    constraints: Sequence[Requirement],
) -> Diagnostic:
    """What `service`'s lock implies on `package` contradicts what it declared."""
    locked = sorted((r for r in constraints if r.role is not Role.DECLARED), key=by_location)
    wanted = ", ".join(f"{r.text} ({r.location.path}:{r.location.line})" for r in declared)
    first = locked[0] if locked else constraints[0]
    return Diagnostic(
        Severity.WARNING,
        first.location,
        f"stale lock: service {service!r} declares {wanted}, but its lock implies "
        + ", ".join(f"{r.text} ({r.location.path}:{r.location.line})" for r in locked)
        + f"; re-lock to bring {package} in line",
    )
