"""Just enough POSIX shell to read install commands in `RUN` lines and Procfiles.

`split_commands(script, lookup)` cuts a script into simple commands (at `&&`, `||`, `;`, `|`, `&`,
newlines and parentheses), each a list of words with its leading `VAR=value` assignments and its
standard-output redirection. Quotes and backslashes follow the shell; `$VAR`, `${VAR}`,
`${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}` and `${VAR+alt}` expand through `lookup`, and
what cannot expand statically (an unset variable, `$(...)`, backticks) stays in the word as written
and is listed in `Command.unresolved`, so the caller can warn instead of guessing.

`shlex` was the first choice, but it treats `#` inside a word (`git+https://...#egg=x`) as a
comment and splits `$(...)` apart; the grammar we need is small enough to write down here:

    script   := command (separator command)*
    separator:= "&&" | "||" | ";" | "|" | "&" | newline | "(" | ")"
    command  := (NAME "=" word)* (word | redirection)*
    redirection := [digits] (">" | ">>" | "<" | "<<" | ">&" | "&>") word
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from depcheck.errors import TopologyError

Lookup = Callable[[str], str | None]

_SEPARATORS = ("&&", "||", ";;", ";", "|", "&", "\n", "(", ")")
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass
class Command:
    """One simple command: its words, its leading assignments and where its output goes."""

    words: list[str] = field(default_factory=list)
    assignments: dict[str, str] = field(default_factory=dict)
    stdout: str | None = None
    unresolved: set[str] = field(default_factory=set)


class ShellSyntaxError(TopologyError):
    """A script depcheck cannot split (an unclosed quote)."""


def expand(text: str, lookup: Lookup, unresolved: set[str] | None = None) -> str:
    """Expand `$VAR`/`${VAR...}` in `text` (no quotes handled); unknown names stay as written."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] == "$":
            out.append("$")
            i += 2
            continue
        if char != "$":
            out.append(char)
            i += 1
            continue
        value, i = _dollar(text, i, lookup, unresolved)
        out.append(value)
    return "".join(out)


def _dollar(text: str, i: int, lookup: Lookup, unresolved: set[str] | None) -> tuple[str, int]:
    """Expand the `$...` at `text[i]`; return (expansion, index after it)."""

    def missing(name: str, written: str) -> str:
        if unresolved is not None:
            unresolved.add(name)
        return written

    rest = text[i + 1 :]
    if rest.startswith("{"):
        end = _matching(text, i + 1, "{", "}")
        if end < 0:
            return missing(text[i:], text[i:]), len(text)
        body = text[i + 2 : end]
        written = text[i : end + 1]
        match = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+=?])(.*))?$", body, re.DOTALL)
        if match is None:
            return missing(written, written), end + 1
        name, operator, word = match.group(1), match.group(2), match.group(3) or ""
        value = lookup(name)
        if operator is None:
            return (value if value is not None else missing(name, written)), end + 1
        empty_counts = operator.startswith(":")
        is_set = value is not None and (value != "" or not empty_counts)
        if operator.endswith("+"):
            return (expand(word, lookup, unresolved) if is_set else ""), end + 1
        if operator.endswith(("-", "=")):
            chosen = value if is_set and value is not None else expand(word, lookup, unresolved)
            return chosen, end + 1
        return (value if is_set and value is not None else missing(name, written)), end + 1
    if rest.startswith("("):
        end = _matching(text, i + 1, "(", ")")
        end = len(text) - 1 if end < 0 else end
        written = text[i : end + 1]
        return missing(written, written), end + 1
    match = _NAME_RE.match(rest)
    if match is None:
        if rest[:1] and (rest[0].isdigit() or rest[0] in "@*#?$!-"):
            return missing("$" + rest[0], "$" + rest[0]), i + 2
        return "$", i + 1
    name = match.group(0)
    value = lookup(name)
    return (value if value is not None else missing(name, "$" + name)), i + 1 + len(name)


def _matching(text: str, start: int, opening: str, closing: str) -> int:
    depth = 0
    for index in range(start, len(text)):
        if text[index] == opening:
            depth += 1
        elif text[index] == closing:
            depth -= 1
            if depth == 0:
                return index
    return -1


@dataclass
class _Token:
    kind: str  # "word", "op", "redir"
    text: str
    unresolved: set[str] = field(default_factory=set)


def _tokens(script: str, lookup: Lookup) -> list[_Token]:
    tokens: list[_Token] = []
    word: list[str] = []
    started = False
    unresolved: set[str] = set()
    i = 0
    n = len(script)

    def finish() -> None:
        nonlocal word, started, unresolved
        if started:
            tokens.append(_Token("word", "".join(word), unresolved))
        word, started, unresolved = [], False, set()

    while i < n:
        char = script[i]
        if char == "\\":
            if i + 1 < n and script[i + 1] == "\n":
                i += 2
                continue
            if i + 1 < n:
                word.append(script[i + 1])
                started = True
            i += 2
            continue
        if char == "'":
            end = script.find("'", i + 1)
            if end < 0:
                raise ShellSyntaxError("unclosed single quote")
            word.append(script[i + 1 : end])
            started = True
            i = end + 1
            continue
        if char == '"':
            i = _double_quoted(script, i + 1, word, lookup, unresolved)
            started = True
            continue
        if char == "`":
            end = script.find("`", i + 1)
            end = n - 1 if end < 0 else end
            written = script[i : end + 1]
            unresolved.add(written)
            word.append(written)
            started = True
            i = end + 1
            continue
        if char == "$":
            value, i = _dollar(script, i, lookup, unresolved)
            word.append(value)
            started = True
            continue
        if char == "#" and not started:
            end = script.find("\n", i)
            i = n if end < 0 else end
            continue
        if char in " \t\r":
            finish()
            i += 1
            continue
        if char in "<>" or (char == "&" and script[i + 1 : i + 2] == ">"):
            if started and "".join(word).isdigit():
                word, started = [], False
            finish()
            operator = char
            i += 1
            while i < n and script[i] in "<>&|":
                operator += script[i]
                i += 1
            if operator.endswith("&"):
                while i < n and (script[i].isdigit() or script[i] == "-"):
                    i += 1
                tokens.append(_Token("redir", operator + "fd"))
            else:
                tokens.append(_Token("redir", operator))
            continue
        separator = next((s for s in _SEPARATORS if script.startswith(s, i)), None)
        if separator is not None:
            finish()
            tokens.append(_Token("op", separator))
            i += len(separator)
            continue
        word.append(char)
        started = True
        i += 1
    finish()
    return tokens


def _double_quoted(
    script: str, i: int, word: list[str], lookup: Lookup, unresolved: set[str]
) -> int:
    n = len(script)
    while i < n:
        char = script[i]
        if char == '"':
            return i + 1
        if char == "\\" and i + 1 < n and script[i + 1] in '$`"\\\n':
            if script[i + 1] != "\n":
                word.append(script[i + 1])
            i += 2
            continue
        if char == "$":
            value, i = _dollar(script, i, lookup, unresolved)
            word.append(value)
            continue
        if char == "`":
            end = script.find("`", i + 1)
            end = n - 1 if end < 0 else end
            written = script[i : end + 1]
            unresolved.add(written)
            word.append(written)
            i = end + 1
            continue
        word.append(char)
        i += 1
    raise ShellSyntaxError("unclosed double quote")


def split_commands(script: str, lookup: Lookup) -> list[Command]:
    """The simple commands of `script`, in order (`ShellSyntaxError` on an unclosed quote)."""
    commands: list[Command] = []
    current = Command()
    tokens = _tokens(script, lookup)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind == "op":
            if current.words or current.assignments:
                commands.append(current)
            current = Command()
        elif token.kind == "redir":
            target = None
            if not token.text.endswith("fd") and index + 1 < len(tokens):
                following = tokens[index + 1]
                if following.kind == "word":
                    target = following.text
                    index += 1
            if target is not None and token.text in (">", ">>", ">|", "&>", "&>>"):
                current.stdout = target
        elif not current.words and _ASSIGNMENT_RE.match(token.text):
            name, _, value = token.text.partition("=")
            current.assignments[name] = value
        else:
            current.words.append(token.text)
            current.unresolved |= token.unresolved
        index += 1
    if current.words or current.assignments:
        commands.append(current)
    return commands
