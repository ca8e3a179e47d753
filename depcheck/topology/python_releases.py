"""The newest patch release of each CPython minor version that depcheck knows, with its date.

A deployment file often names only a minor version (`python:3.12-slim`, `Runtime: python3.12`,
`.python-version` holding `3.12`): the image or runtime then runs the newest 3.12 patch of its
day, not 3.12.0, and a marker such as `python_full_version >= "3.12.4"` should hold there. We
take the newest patch listed below and the report says it assumed it. The table is data, kept
by hand: update it (and `KNOWN_ON`) when new patch releases come out
(`uv python list --all-versions --only-downloads` lists them).
"""

from __future__ import annotations

import re

#: the date the table below was last brought up to date; its source that day: the CPython
#: builds `uv python list --all-versions` (uv 0.13.9) offers, which follow python.org's releases
KNOWN_ON = "2026-12-03"

NEWEST_PATCH = {
    "3.6": "3.6.15",
    "3.7": "3.7.17",
    "3.8": "3.8.20",
    "3.9": "3.9.25",
    "3.10": "3.10.22",
    "3.11": "3.11.18",
    "3.12": "3.12.16",
    "3.13": "3.13.18",
    "3.14": "3.14.10",
    "3.15": "3.15.2",
}

#: the newest CPython minor that had been out for a year on `KNOWN_ON` (3.14.0: 2025-10-07;
#: 3.15.0 came in October 2026). A host whose Python nobody states takes the newest minor its
#: services admit up to this one: a newer minor has wheels for few of the binary packages a lock
#: pins yet, so a proof on it would report "no wheel" for most of them
ESTABLISHED = "3.14"

_FULL = re.compile(r"^\d+\.\d+\.\d+")


def complete_version(version: str) -> tuple[str, str | None]:
    """`python_full_version` for a version a deployment file names, and what was assumed.

    `3.12.4` and pre-releases such as `3.15.0a7` are kept as written (None: nothing assumed);
    `3.12` becomes the newest 3.12 patch known, and a minor the table does not list yet becomes
    its `.0`, each with a sentence saying so.
    """
    if _FULL.match(version):
        return version, None
    newest = NEWEST_PATCH.get(version)
    if newest is not None:
        return (
            newest,
            f"python {version} taken as {newest} (newest known on {KNOWN_ON})",
        )
    return (
        f"{version}.0",
        f"python {version} taken as {version}.0 (none known on {KNOWN_ON})",
    )
