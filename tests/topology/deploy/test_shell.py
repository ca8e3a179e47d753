"""Just enough POSIX shell: commands split at separators, quotes, expansions, what stays unknown."""

from __future__ import annotations

import pytest

from depcheck.topology.deploy.shell import ShellSyntaxError, expand, split_commands

ENV = {"REQ": "requirements.txt", "HOME": "/root", "EMPTY": ""}.get


def words(script: str) -> list[list[str]]:
    return [command.words for command in split_commands(script, ENV)]


def test_commands_split_at_every_separator() -> None:
    script = "cd /app && pip install -r a.txt || true; echo x | tee f & (cd b; make)\nls"
    assert words(script) == [
        ["cd", "/app"],
        ["pip", "install", "-r", "a.txt"],
        ["true"],
        ["echo", "x"],
        ["tee", "f"],
        ["cd", "b"],
        ["make"],
        ["ls"],
    ]


def test_quotes_and_a_hash_inside_a_word_are_not_comments() -> None:
    script = "pip install 'git+https://h/r.git#egg=z' \"a b\" c\\ d"
    assert words(script) == [["pip", "install", "git+https://h/r.git#egg=z", "a b", "c d"]]


def test_assignments_and_the_output_redirection_are_kept_apart() -> None:
    [command] = split_commands("PIP_NO_CACHE=1 B=$HOME pip freeze > /tmp/lock.txt", ENV)
    assert command.words == ["pip", "freeze"]
    assert command.assignments == {"PIP_NO_CACHE": "1", "B": "/root"}
    assert command.stdout == "/tmp/lock.txt"


def test_what_cannot_expand_statically_stays_as_written_and_is_listed() -> None:
    [command] = split_commands("pip install $(cat names) `date` $UNSET", ENV)
    assert command.words == ["pip", "install", "$(cat names)", "`date`", "$UNSET"]
    assert command.unresolved == {"$(cat names)", "`date`", "UNSET"}


@pytest.mark.parametrize(
    ("text", "expanded", "unresolved"),
    [
        ("$REQ", "requirements.txt", set()),
        ("${REQ}.lock", "requirements.txt.lock", set()),
        ("${NOPE:-default}", "default", set()),
        ("${EMPTY:-default}", "default", set()),
        ("${EMPTY-default}", "", set()),
        ("${REQ:+alt}", "alt", set()),
        ("${NOPE+alt}", "", set()),
        ("${NOPE}/x", "${NOPE}/x", {"NOPE"}),
    ],
)
def test_parameter_expansion(text: str, expanded: str, unresolved: set[str]) -> None:
    missing: set[str] = set()
    assert expand(text, ENV, missing) == expanded
    assert missing == unresolved


@pytest.mark.parametrize("script", ["echo 'open", 'echo "open'])
def test_an_unclosed_quote_is_a_syntax_error(script: str) -> None:
    with pytest.raises(ShellSyntaxError, match="unclosed"):
        split_commands(script, ENV)
