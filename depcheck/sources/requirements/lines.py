"""The file grammar: logical lines (continuations, comments) and the options pip accepts."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from depcheck.errors import SourceError

# pip's comment rule is `(^|\s+)#.*$`; that pattern backtracks over every run of blanks
# (a line with n blanks costs n**2 steps), so we match the same comments with a linear one:
# the text is stripped afterwards, so the blanks before `#` need not be part of the match.
COMMENT_RE = re.compile(r"(^|\s)#.*$")


# Options pip accepts in a requirements file (pip/_internal/req/req_file.py), by whether they take
# a value. Those that change what gets installed are handled; the rest are accepted and ignored.
_FILE_OPTIONS_WITH_VALUE = {
    "-i": "--index-url",
    "--index-url": "--index-url",
    "--extra-index-url": "--extra-index-url",
    "-f": "--find-links",
    "--find-links": "--find-links",
    "--no-binary": "--no-binary",
    "--only-binary": "--only-binary",
    "--trusted-host": "--trusted-host",
    "--use-feature": "--use-feature",
    "-r": "--requirement",
    "--requirement": "--requirement",
    "-c": "--constraint",
    "--constraint": "--constraint",
    "-e": "--editable",
    "--editable": "--editable",
    "--hash": "--hash",
    "--config-settings": "--config-settings",
    "-C": "--config-settings",
    "--global-option": "--global-option",
    "--install-option": "--install-option",
}


_FILE_OPTIONS_FLAGS = {
    "--no-index",
    "--pre",
    "--prefer-binary",
    "--require-hashes",
}


#: option text shlex splits into its words: printable ASCII but quotes and backslashes, with
#: spaces and tabs between
_PLAIN_OPTIONS_RE = re.compile(r"[!#-&(-\[\]-~ \t]*")

PER_REQUIREMENT = {"--hash", "--config-settings", "--global-option", "--install-option"}


@dataclass(slots=True)
class LogicalLine:
    line: int
    last_line: int
    text: str
    column: int | None  # 1-based column of `text` in its physical line, when not joined


def iter_logical_lines(content: str) -> Iterator[LogicalLine]:
    """Join `\\` continuations and drop comments exactly as pip does; keep line numbers."""
    pending: list[str] = []
    first = 0
    lines = content.splitlines()
    for number, raw in enumerate(lines, start=1):
        if not pending:
            # the common lines: a requirement with no comment or continuation, or a whole-line
            # comment (pip never joins a comment line)
            stripped = raw.strip()
            if stripped.startswith("#"):
                yield LogicalLine(number, number, "", None)
                continue
            if "#" not in raw and not raw.endswith("\\"):
                yield LogicalLine(number, number, stripped, len(raw) - len(raw.lstrip()) + 1)
                continue
        is_comment = raw.lstrip().startswith("#")
        if not raw.endswith("\\") or is_comment:
            if is_comment:
                raw = " " + raw
            if pending:
                pending.append(raw)
                yield logical_line(first, number, "".join(pending), joined=True)
                pending = []
            else:
                yield logical_line(number, number, raw, joined=False)
        else:
            if not pending:
                first = number
            pending.append(raw.strip("\\"))
    if pending:
        yield logical_line(first, len(lines), "".join(pending), joined=True)


def single_lines(lines: list[str]) -> list[tuple[int, str, int | None]]:
    """`iter_logical_lines` for a file with no `\\` (every logical line is one physical line),
    as (line, text, column) of its lines that are neither blank nor a comment."""
    found: list[tuple[int, str, int | None]] = []
    add = found.append
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not stripped or stripped[0] == "#":
            continue
        if "#" not in raw:
            add((number, stripped, len(raw) - len(raw.lstrip()) + 1))
        else:
            entry = logical_line(number, number, raw, joined=False)
            if entry.text:
                add((number, entry.text, entry.column))
    return found


def logical_line(first: int, last: int, raw: str, *, joined: bool) -> LogicalLine:
    text = COMMENT_RE.sub("", raw)
    stripped = text.strip()
    column = None if joined else len(text) - len(text.lstrip()) + 1
    return LogicalLine(first, last, stripped, column)


def split_args_options(line: str) -> tuple[str, str]:
    """pip's break_args_options: the requirement part ends at the first token starting with '-'."""
    if not line.startswith("-") and " -" not in line:
        return line, ""
    tokens = line.split(" ")
    args: list[str] = []
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(args), " ".join(tokens[index:])
        args.append(token)
    return " ".join(args), ""


class OptionError(SourceError):
    """Option text on a requirements-file line that pip would refuse (the entries module turns
    it into a diagnostic at the line)."""


def parse_options(text: str) -> list[tuple[str, str | None]]:
    """Split option text into (canonical option, value) pairs, pip's short and long forms."""
    if _PLAIN_OPTIONS_RE.fullmatch(text):
        # no quote, no backslash, blanks only spaces and tabs: what shlex makes of it is the
        # words (pip-compile's `--hash=sha256:...` lines; shlex takes ~0.2 ms a line)
        tokens = text.split()
    else:
        try:
            tokens = shlex.split(text, comments=False, posix=True)
        except ValueError as exc:
            raise OptionError(f"cannot split options: {exc}") from None
    result: list[tuple[str, str | None]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        name, value = token, None
        if token.startswith("--") and "=" in token:
            name, value = token.split("=", 1)
        elif (
            not token.startswith("--") and len(token) > 2 and token[:2] in _FILE_OPTIONS_WITH_VALUE
        ):
            name, value = token[:2], token[2:]
        if name in _FILE_OPTIONS_FLAGS:
            if value is not None:
                raise OptionError(f"option {name} takes no value")
            result.append((name, None))
        elif name in _FILE_OPTIONS_WITH_VALUE:
            if value is None:
                if index >= len(tokens):
                    raise OptionError(f"option {name} requires a value")
                value = tokens[index]
                index += 1
            result.append((_FILE_OPTIONS_WITH_VALUE[name], value))
        elif name.startswith("-"):
            raise OptionError(f"unknown option {name!r}")
        else:
            raise OptionError(f"unexpected {token!r} after options")
    return result
