"""Locks in the usual shape read in one walk; anything else is left to the general reader."""

from __future__ import annotations

import pytest

from depcheck.sources.requirements.lock import scan_lock

LOCK = "flask==3.0.3\n    # via -r requirements.in\n\n# comment\nclick==8.1.7\n    # via flask\n"


def test_pins_with_their_lines_and_via_origins() -> None:
    entries = scan_lock(LOCK)
    assert entries is not None
    assert [(line, parsed.name, parsed.pinned, via) for line, parsed, via in entries.rows()] == [
        (1, "flask", "3.0.3", ("-r requirements.in",)),
        (5, "click", "8.1.7", ("flask",)),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "-r base.txt\nflask==3\n",  # an option
        "--index-url https://x/simple extra\nflask==3\n",  # an index option of another shape
        "flask==3.0\r\n",  # a line break the general reader handles
        "flask @ https://x/flask-3.0.3-py3-none-any.whl\n",  # a URL
        "flask==3.0.3 ; python_version < '3.12' \\\n",  # a marker continued
    ],
)
def test_other_shapes_go_to_the_general_reader(text: str) -> None:
    assert scan_lock(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "flask==3.0.3 ; python_version < '3.12'\n",  # a marker
        "flask[async]==3.0.3\n",  # extras
        "--index-url https://x/simple\n\nflask==3.0.3\n",  # pip-compile --emit-index-url
    ],
)
def test_markers_extras_and_index_options_are_the_usual_shape(text: str) -> None:
    entries = scan_lock(text)
    assert entries is not None and [p.name for p in entries.parsed] == ["flask"]


def test_a_pin_inside_a_comment_is_no_entry_and_lines_count_every_part() -> None:
    text = (
        "# header\n\n"
        "a==1.0  # via -r requirements.in\n"
        "b==2.0\n    # via\n    #   a\n    #   c\n\n"
        "# a comment that mentions c==3.0\n"
        "c==3.0\n"
        "# trailing d==4.0\n"
    )
    entries = scan_lock(text)
    assert entries is not None
    assert [(line, parsed.text, via) for line, parsed, via in entries.rows()] == [
        (3, "a==1.0", ("-r requirements.in",)),
        (4, "b==2.0", ("a", "c")),
        (10, "c==3.0", None),
    ]


@pytest.mark.parametrize(
    "brk", ["\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\u2028", "\u2029"]
)
def test_a_line_break_other_than_newline_is_refused_with_or_without_a_line_count(brk: str) -> None:
    for text in (f"a==1{brk}b==2\n", f"a==1\n    # via x{brk}\n", f"# c{brk}a==1\n"):
        assert scan_lock(text) is None
        assert scan_lock(text, len(text.splitlines())) is None
    assert scan_lock(LOCK, len(LOCK.splitlines())) == scan_lock(LOCK)
