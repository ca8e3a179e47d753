"""The one sanitising module: redaction, inert log text, and per-destination escapes."""

from __future__ import annotations

import json
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depcheck.report.sanitize import (
    _ASCII_FOLDS,
    _DISTINCT_FROM,
    _REDACTIONS,
    clean,
    escape_data,
    escape_property,
    json_document,
    log_document,
    markdown_document,
    redact,
)


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        (
            "extraheader = AUTHORIZATION: basic c2VjcmV0VG9rZW4xMjM=",
            "c2VjcmV0VG9rZW4xMjM=",
            "AUTHORIZATION: basic ***",
        ),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x.y", "eyJhbGci", "Authorization: Bearer ***"),
        ("authorization%3A basic dXNlcjpwYXNz", "dXNlcjpwYXNz", "authorization%3A basic ***"),
        ("curl -H 'bearer abcdef0123456789'", "abcdef0123456789", "bearer ***"),
        (
            "--index-url https://user:s3cret@pypi.example.invalid/simple",
            "s3cret",
            "https://***@pypi.example.invalid/simple",
        ),
        ("https://TOKEN0123456789@github.com/o/r", "TOKEN0123456789", "https://***@github.com"),
        ("ghp_" + "a" * 36, "a" * 36, "ghp_***"),
        ("github_pat_11ABCDEFG0123456789_abcdefXYZ", "11ABCDEFG", "github_pat_***"),
        ("glpat-abcdefghij0123456789", "abcdefghij0123456789", "glpat-***"),
        ("//registry.npmjs.org/:_authToken=abcdef-123", "abcdef-123", "_authToken=***"),
        ("password = hunter2", "hunter2", "password = ***"),
        ("https://h.invalid/simple?token=abc123&x=1", "abc123", "?token=***&x=1"),
        ("AKIAABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOP", "AKIA***"),
    ],
)
def test_credentials_are_redacted(text: str, secret: str, kept: str) -> None:
    redacted = redact(text)
    assert secret not in redacted
    assert kept in redacted


def _every_pattern(text: str) -> str:
    for pattern, replacement, _ in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


_FRAGMENTS = [
    "password",
    "PASSWORD",
    "pa\u017f\u017fword",  # a long s, which re.IGNORECASE takes for `s`
    "\u0130",  # dotted capital I, taken for `i`
    "\u0131",  # dotless i, taken for `i`
    "\u212a",  # Kelvin sign, taken for `k`
    "Authori",
    "zation",
    "Bearer",
    "api",
    "_",
    "key",
    "token",
    "secret",
    "sig",
    "a\u0131k",
    "AKIA",
    "ASIA",
    "ABCDEFGHIJKLMNOP",
    "ghp_",
    "xoxb-",
    "pypi-",
    "https",
    "://",
    "user",
    "@",
    "?",
    "&",
    "=",
    ":",
    " ",
    "\n",
    "0123456789",
]


@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=12).map("".join))
def test_redact_skips_only_the_patterns_that_cannot_match(text: str) -> None:
    assert redact(text) == _every_pattern(text)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(_FRAGMENTS), max_size=12).map("".join),
    st.lists(st.sampled_from(_FRAGMENTS), max_size=12).map("".join),
    st.sampled_from(["password = hunter2", "ghp_" + "a" * 36, "https://u:s3cret@h.invalid/x"]),
    st.sampled_from(["first", "middle", "last"]),
)
def test_a_long_document_is_redacted_as_a_short_one(
    head: str, tail: str, secret: str, where: str
) -> None:
    # past `_DISTINCT_FROM` the words are looked for in the document's distinct lines: a word
    # met once among thousands of repeated lines, on the first line or the last, is still met
    filler = '    "services/api-0001",\n' * (_DISTINCT_FROM // 40)
    lines = {
        "first": [secret, head, filler, tail, filler],
        "middle": [head, filler, secret, filler, tail],
        "last": [head, filler, tail, filler, secret],
    }
    text = "\n".join(lines[where])
    assert len(text) > _DISTINCT_FROM
    assert redact(text) == _every_pattern(text)
    assert secret not in redact(text)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("pa\u017f\u017fword = hunter2", "hunter2"),
        ("auth_to\u212aen = abc123def", "abc123def"),
        ("Authori\u0131zation: Bearer abcdef012345", "abcdef012345"),
        ("AP\u0130_KEY = abc123def", "abc123def"),  # (lowered, it is `i` and a dot above)
        ("├── \u0130ndex  password=hunter2  │", "hunter2"),  # beyond ASCII: lowered as bytes
    ],
)
def test_letters_case_folding_takes_for_ascii_ones_are_redacted_alike(
    text: str, secret: str
) -> None:
    assert secret not in redact(text)


def test_the_letters_taken_for_ascii_ones_are_all_known() -> None:
    # every character outside ASCII that a case-insensitive pattern matches to an ASCII letter
    letter = re.compile("(?i)[a-z]")
    taken = {
        char
        for code in range(0x80, sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF and letter.fullmatch(char := chr(code))
    }
    assert taken == {char for char, _ in _ASCII_FOLDS}
    assert all(re.fullmatch(f"(?i){ascii_letter}", char) for char, ascii_letter in _ASCII_FOLDS)


@pytest.mark.parametrize(
    "text",
    [
        "requests>=2.31 ; python_version >= '3.8'",
        "pkg @ git+ssh://git@github.com/org/repo.git@v1.0",
        "services/basic/requirements.txt: basic requirements only",
        "no version satisfies urllib3==1.0 (api), urllib3<2 (auth)",
        "https://pypi.org/simple/requests/",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_clean_escapes_controls_and_the_legacy_command() -> None:
    assert clean("a\x1b[31mb\nc\u202ed##[stop]") == "a\\x1b[31mb\\x0ac\\u202ed#\\x23[stop]"
    assert clean("a\nb", keep_line_breaks=True) == "a\nb"


@pytest.mark.parametrize(
    "line", ["::error::x", "  ::error::x", "\x1b[1m::warning::y", "\t \x1b[0;31m::set-output x"]
)
def test_no_log_line_starts_a_workflow_command(line: str) -> None:
    for text in (log_document(f"ok\n{line}\n"), markdown_document(f"ok\n{line}\n")):
        for each in text.splitlines():
            assert not each.lstrip().lstrip("\x1b[01;3m").startswith("::"), text


def test_json_document_stays_the_same_json_and_becomes_inert() -> None:
    value = {"m": "##[stop-commands]x ###[y \u2028::error::z \x85 ok"}
    text = json_document(json.dumps(value, indent=2, ensure_ascii=False))
    assert "##[" not in text
    assert all(not line.lstrip().startswith("::") for line in text.splitlines())
    assert json.loads(text) == value


def test_workflow_command_escapes() -> None:
    assert escape_data("50%\r\n##[x") == "50%25%0D%0A#\\x23[x"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"


@given(st.text())
def test_documents_never_hold_a_command(value: str) -> None:
    for render in (log_document, markdown_document):
        text = render(clean(value))
        assert "##[" not in text
        for line in text.splitlines():
            assert not line.lstrip(" \t\f\v").startswith("::")
    assert "##[" not in json_document(json.dumps(value, ensure_ascii=False))


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_clean_of_ascii_is_the_escape_of_its_controls(text: str) -> None:
    from depcheck.report.sanitize import _CONTROL_RE, _escape

    assert clean(text) == _CONTROL_RE.sub(_escape, text).replace("##[", "#\\x23[")
