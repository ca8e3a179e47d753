"""Ignores: accepted conflicts stay in the report, marked, until their entry expires."""

from __future__ import annotations

import datetime
from pathlib import Path

from depcheck.analysis.ignores import active_entries, apply_ignores
from depcheck.topology.config import IgnoreEntry
from tests.conftest import write_tree
from tests.report.conftest import config, scan_path

TODAY = datetime.date(2026, 6, 1)


def test_active_entries_drop_only_the_expired() -> None:
    forever = IgnoreEntry("requests", "accepted")
    later = IgnoreEntry("numpy", "until the migration", until=datetime.date(2026, 6, 1))
    expired = IgnoreEntry("six", "was accepted", until=datetime.date(2026, 5, 31))
    assert active_entries([forever, later, expired], TODAY) == [forever, later]


def test_an_entry_marks_its_conflict_and_an_expired_one_warns(tmp_path: Path) -> None:
    names = ["a", "b"]
    files = {
        "depcheck.toml": config({"h": names}, {n: n for n in names}),
        "a/requirements.txt": "attrs<20\nsix<1\n",
        "b/requirements.txt": "attrs>=21\nsix>=1\n",
    }
    report = scan_path(write_tree(tmp_path, files), root=".")
    entries = [
        IgnoreEntry("attrs", "b moves out in Q3", line=3, services=("b",)),
        IgnoreEntry("six", "was accepted", line=7, until=datetime.date(2026, 1, 1)),
    ]
    marked = apply_ignores(report, entries, today=TODAY, config="depcheck.toml")
    attrs, six = sorted(marked.conflicts, key=lambda c: c.package)
    assert attrs.ignored is not None and attrs.ignored.reason == "b moves out in Q3"
    assert str(attrs.ignored.location) == "depcheck.toml:3"
    assert not attrs.counts
    assert six.ignored is None and six.counts
    (warning,) = [d for d in marked.diagnostics if "expired" in d.message]
    assert (
        warning.message == "ignore entry for six expired on 2026-01-01; its conflicts count again"
    )
    assert str(warning.location) == "depcheck.toml:7"


def test_an_entry_narrowed_to_other_services_or_hosts_does_not_match() -> None:
    entry = IgnoreEntry("attrs", "only for c", services=("c",))
    assert not entry.matches("h", "attrs", ("a", "b"))
    assert IgnoreEntry("attrs", "h only", host="h").matches("h", "attrs", ("a",))
    assert not IgnoreEntry("attrs", "other host", host="g").matches("h", "attrs", ("a",))
