"""Dockerfile syntax: the escape directive, continuations, comments inside them, heredocs, flags."""

from __future__ import annotations

from depcheck.topology.deploy.dockerfile.parser import (
    copy_words,
    parse_dockerfile,
    split_flags,
    split_words,
)


def test_escape_directive_continuations_and_comment_lines_inside_them() -> None:
    text = (
        "# escape=`\nFROM python:3.12-slim AS base\nRUN pip install `\n  # dropped\n  -r req.txt\n"
    )
    from_, run = parse_dockerfile(text)
    assert (from_.keyword, from_.arguments, from_.line) == ("FROM", "python:3.12-slim AS base", 2)
    assert run.keyword == "RUN" and run.line == 3
    assert run.arguments.split() == ["pip", "install", "-r", "req.txt"]


def test_keywords_are_case_insensitive_and_comments_are_not_instructions() -> None:
    [instruction] = parse_dockerfile("# a comment\nfrom alpine\n\n")
    assert instruction.keyword == "FROM" and instruction.line == 2


def test_heredocs_belong_to_their_instruction() -> None:
    text = "FROM alpine\nCOPY <<EOF /app/x.txt\nhello\nEOF\nRUN <<-END\n\techo hi\nEND\n"
    _, copy, run = parse_dockerfile(text)
    [heredoc] = copy.heredocs
    assert (heredoc.delimiter, heredoc.body, heredoc.line) == ("EOF", "hello", 3)
    assert run.heredocs[0].delimiter == "END" and "echo hi" in run.heredocs[0].body


def test_flags_repeat_and_stop_at_the_first_word() -> None:
    flags, rest = split_flags("--mount=type=cache,target=/c --mount=type=bind,source=x pip install")
    assert flags == {"mount": ["type=cache,target=/c", "type=bind,source=x"]}
    assert rest == "pip install"
    assert split_flags("--from=build --chown=1:1 /src /dst") == (
        {"from": ["build"], "chown": ["1:1"]},
        "/src /dst",
    )


def test_words_of_shell_and_json_forms() -> None:
    assert split_words("a 'b c' d") == ["a", "b c", "d"]
    assert copy_words('["a b", "c"]') == ["a b", "c"]
    # a heredoc marker is no source of a COPY
    assert copy_words("a b <<EOF c") == ["a", "b", "c"]
