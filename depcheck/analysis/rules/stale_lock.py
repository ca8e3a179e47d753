"""Rule `stale_lock`: a service's lock that its own declared constraints rule out.

Two shapes, both warnings that say "re-lock":

- a pin the lock holds (`requests==2.27.1`) that a declared range of the same service excludes
  (`requests>=2.31` in requirements.in or pyproject.toml): `stale_pins`, per host, so that
  markers are decided in the host's environment;
- a range the lock records between packages that contradicts what was declared:
  `stale_ranges`, found while a host's constraints are combined (the declared ones win).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from depcheck.analysis.algebra import admits
from depcheck.analysis.evidence import by_location
from depcheck.model import Diagnostic, Requirement, Role, Severity


def _holds_a_pin_to(requirement: Requirement) -> bool:
    """A declared range the service's lock must satisfy (its marker, if any, holds on the host:
    `collect` kept only those)."""
    return (
        requirement.role is Role.DECLARED
        and requirement.parent is None
        and not requirement.constraint_only
    )


def stale_versions(pins: Iterable[Requirement], constraints: Iterable[Requirement]) -> set[str]:
    """The versions among one service's `pins` its own declared `constraints` rule out (what
    `stale_pins` reports): rule pin_mismatch does not count them against other services."""
    declared = [r.key for r in constraints if _holds_a_pin_to(r)]
    versions = {p.pinned_version for p in pins if p.pinned_version is not None}
    return {v for v in versions if any(not admits(key, v) for key in declared)}


def stale_pins(pins: Sequence[Requirement], constraints: Sequence[Requirement]) -> list[Diagnostic]:
    """Pins of one service's lock (on one package, on one host) that its own declared
    constraints rule out: the lock is stale, one warning per pin and range."""
    held = [r for r in constraints if _holds_a_pin_to(r)]
    if not held or all(
        admits(r.key, p.pinned_version) for p in pins if p.pinned_version is not None for r in held
    ):
        return []  # the common case, decided before anything is sorted
    found: list[Diagnostic] = []
    declared = sorted(held, key=by_location)
    for pin in sorted(pins, key=by_location):
        version = pin.pinned_version
        if version is None:
            continue
        for wanted in declared:
            if not admits(wanted.key, version):
                found.append(
                    Diagnostic(
                        Severity.WARNING,
                        pin.location,
                        f"stale lock: {pin.display_name}=={version} does not satisfy "
                        f"{wanted.text} declared at {wanted.location.path}:"
                        f"{wanted.location.line}; re-lock {pin.location.path}",
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
