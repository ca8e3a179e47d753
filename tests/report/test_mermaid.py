"""Mermaid labels and node ids: any name, one quoted label, no way out of it."""

from __future__ import annotations

import pytest

from depcheck.report.mermaid import label, node_ids


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("api", '"api"'),
        ('say "hi"', '"say #quot;hi#quot;"'),
        ("a|b", '"a#124;b"'),
        ("<script>", '"#60;script#62;"'),
        ("a&lt;b", '"a#38;lt;b"'),
        ("x#quot;y", '"x#35;quot;y"'),
        ("`markdown`", '"#96;markdown#96;"'),
        ("two\nlines\r\tand\x1b[31m", '"two lines and [31m"'),
        ("end", '"end"'),
    ],
)
def test_label(name: str, written: str) -> None:
    assert label(name) == written


def test_node_ids_are_generated_in_sorted_order() -> None:
    assert node_ids(["end", "graph", "a b", "end"]) == {"a b": "n0", "end": "n1", "graph": "n2"}
