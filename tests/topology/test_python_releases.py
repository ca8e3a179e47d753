"""The newest known patch of each CPython minor: a deployment file's `3.12` is not 3.12.0."""

from __future__ import annotations

import datetime

from packaging.version import Version

from depcheck.topology.python_releases import KNOWN_ON, NEWEST_PATCH, complete_version


def test_the_table_is_dated_and_each_entry_is_a_patch_of_its_minor() -> None:
    assert datetime.date.fromisoformat(KNOWN_ON)
    for minor, patch in NEWEST_PATCH.items():
        assert Version(patch).release[:2] == Version(minor).release[:2]
        assert len(Version(patch).release) == 3


def test_a_minor_is_completed_and_the_assumption_is_said() -> None:
    newest = NEWEST_PATCH["3.12"]
    assert complete_version("3.12") == (
        newest,
        f"python 3.12 taken as {newest} (newest known on {KNOWN_ON})",
    )


def test_full_versions_and_pre_releases_are_kept() -> None:
    assert complete_version("3.12.1") == ("3.12.1", None)
    assert complete_version("3.15.0a7") == ("3.15.0a7", None)


def test_a_minor_the_table_does_not_know_is_its_dot_zero() -> None:
    assert complete_version("3.99") == (
        "3.99.0",
        f"python 3.99 taken as 3.99.0 (none known on {KNOWN_ON})",
    )
