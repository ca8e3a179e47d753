"""Dockerfile syntax: instructions with their lines, `# escape=`, continuations, heredocs, flags.

Comment lines inside a continuation are dropped, as BuildKit does; heredocs (`RUN <<EOF`, `<<-EOF`,
`COPY <<EOF dest`) become the instruction's `heredocs`. Nothing is evaluated here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Heredoc:
    delimiter: str
    body: str
    #: 1-based line of the body's first line
    line: int


@dataclass(frozen=True, slots=True)
class Instruction:
    """One Dockerfile instruction: its keyword (upper case), arguments, line and heredocs."""

    keyword: str
    arguments: str
    line: int
    heredocs: tuple[Heredoc, ...] = ()


HEREDOC_RE = re.compile(r"(?<!<)<<(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
_DIRECTIVE_RE = re.compile(r"^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$")


def parse_dockerfile(text: str) -> list[Instruction]:
    """The instructions of a Dockerfile, in order.

    Grammar (the BuildKit frontend's, reduced to what matters here)::

        file        := directive* (comment | blank | instruction)*
        directive   := "#" NAME "=" VALUE          (only before anything else; `escape` is used)
        instruction := KEYWORD arguments (ESCAPE newline (comment | arguments))* heredoc*
        heredoc     := lines up to one equal to the delimiter (`<<-` strips leading tabs)
    """
    lines = text.splitlines()
    escape = "\\"
    index = 0
    while index < len(lines):
        match = _DIRECTIVE_RE.match(lines[index].strip())
        if match is None:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("\\", "`"):
            escape = match.group(2)
        index += 1
    instructions: list[Instruction] = []
    while index < len(lines):
        raw = lines[index]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        start = index
        parts: list[str] = []
        current = raw
        while True:
            body = current.rstrip()
            if body.endswith(escape) and not body.endswith(escape * 2):
                parts.append(body[: -len(escape)])
                index += 1
                while index < len(lines) and lines[index].strip().startswith("#"):
                    index += 1
                if index >= len(lines):
                    break
                current = lines[index]
                continue
            parts.append(current)
            index += 1
            break
        logical = "".join(parts).strip()
        keyword, _, arguments = logical.partition(" ")
        if "\t" in keyword:
            keyword, _, more = keyword.partition("\t")
            arguments = f"{more} {arguments}"
        keyword = keyword.upper()
        heredocs: list[Heredoc] = []
        if keyword in ("RUN", "COPY", "ADD"):
            for found in HEREDOC_RE.finditer(arguments):
                strip_tabs = found.group(1) == "-"
                delimiter = found.group(3)
                body_lines: list[str] = []
                first = index + 1
                while index < len(lines):
                    candidate = lines[index].lstrip("\t") if strip_tabs else lines[index]
                    index += 1
                    if candidate.strip() == delimiter:
                        break
                    body_lines.append(candidate)
                heredocs.append(Heredoc(delimiter, "\n".join(body_lines), first))
        instructions.append(Instruction(keyword, arguments.strip(), start + 1, tuple(heredocs)))
    return instructions


def split_flags(arguments: str) -> tuple[dict[str, list[str]], str]:
    """Leading `--name=value` flags of an instruction, and the rest."""
    flags: dict[str, list[str]] = {}
    rest = arguments
    while True:
        match = re.match(r"^--([A-Za-z-]+)(?:=(\"[^\"]*\"|\S*))?\s*", rest)
        if match is None:
            break
        value = (match.group(2) or "").strip('"')
        flags.setdefault(match.group(1).lower(), []).append(value)
        rest = rest[match.end() :]
    return flags, rest


def split_words(text: str) -> list[str]:
    try:
        import shlex

        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return text.split()


def copy_words(text: str) -> list[str]:
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            values = json.loads(stripped)
        except json.JSONDecodeError:
            values = None
        if isinstance(values, list) and all(isinstance(v, str) for v in values):
            return values
    return [w for w in HEREDOC_RE.sub("", stripped).split() if w]
