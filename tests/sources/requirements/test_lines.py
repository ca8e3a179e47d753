"""The requirements-file grammar: logical lines, comments, and the options pip accepts."""

from __future__ import annotations

import pytest

from depcheck.sources.requirements.lines import (
    OptionError,
    iter_logical_lines,
    parse_options,
    single_lines,
    split_args_options,
)


def test_continuations_join_and_comments_go() -> None:
    lines = list(iter_logical_lines("a==1 \\\n  --hash=sha256:x\n# comment\nb  # trailing\n"))
    assert [(line.line, line.last_line) for line in lines] == [(1, 2), (3, 3), (4, 4)]
    assert lines[0].text.split() == ["a==1", "--hash=sha256:x"]
    assert lines[1].text == "" and lines[2].text == "b"


def test_a_hash_inside_a_word_is_no_comment() -> None:
    [line] = iter_logical_lines("git+https://h/r.git#egg=x\n")
    assert line.text == "git+https://h/r.git#egg=x"


@pytest.mark.parametrize(
    "text",
    [
        "flask==3.0\n",
        "  flask >= 3.0 ; python_version < '3.12'  # why\n",
        "\t# comment\n\n   \nrequests[security]~=2.31#nocomment\n",
        "git+https://h/r.git#egg=x\n-r base.txt\n-e ./lib  # local\n",
        "a==1\r\nb==2\rc==3\x0cd==4\u2028e==5",
        "x  #\n#x\n  #  \n\u00a0y==1\u00a0# nbsp\n",
        "",
    ],
)
def test_single_lines_are_the_logical_lines_of_a_file_without_continuations(text: str) -> None:
    expected = [(e.line, e.text, e.column) for e in iter_logical_lines(text) if e.text]
    assert single_lines(text.splitlines()) == expected


def test_options_are_split_from_the_requirement() -> None:
    assert split_args_options("flask==3.0 --hash=sha256:abc") == ("flask==3.0", "--hash=sha256:abc")
    assert split_args_options("-r base.txt") == ("", "-r base.txt")


def test_options_take_their_long_names() -> None:
    assert parse_options("-r base.txt --index-url https://x -e .") == [
        ("--requirement", "base.txt"),
        ("--index-url", "https://x"),
        ("--editable", "."),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [("--bogus", "unknown option '--bogus'"), ("-r", "option -r requires a value")],
)
def test_bad_options(text: str, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        parse_options(text)
