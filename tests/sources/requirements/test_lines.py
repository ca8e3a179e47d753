"""The requirements-file grammar: logical lines, comments, and the options pip accepts."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depcheck.sources.requirements import lines
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


TOKENS = ["--hash=sha256:ab", "--pre", "-r", "x.txt", "--index-url", "'a b'", '"q"', "a\\ b", "#"]
BLANKS = [" ", "\t", "  ", "\x0b", "\u3000", "\x85"]


@settings(max_examples=800, deadline=None)
@given(
    st.one_of(
        st.text(
            alphabet=st.sampled_from(list(" \t-=:/.,ab1\"'\\\x0b\x0c\x85\u3000#$")), max_size=24
        ),
        st.lists(st.tuples(st.sampled_from(TOKENS), st.sampled_from(BLANKS)), max_size=5).map(
            lambda pairs: "".join(token + blank for token, blank in pairs)
        ),
    )
)
def test_option_text_without_quotes_or_escapes_splits_as_shlex_does(text: str) -> None:
    # the words of plain option text (pip-compile's hash lines) are taken without shlex; the
    # rest goes through shlex, so both agree wherever the plain split is taken
    try:
        expected = parse_options_by_shlex(text)
    except OptionError as exc:
        with pytest.raises(OptionError, match=re.escape(str(exc))):
            parse_options(text)
        return
    assert parse_options(text) == expected


def parse_options_by_shlex(text: str) -> list[tuple[str, str | None]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lines, "_PLAIN_OPTIONS_RE", re.compile(r"(?!)"))  # never plain
        return parse_options(text)
