"""Where each key and array element of a TOML document is written: its line and column.

`tomllib` returns plain dicts and lists with no positions, and no well-kept TOML library both
keeps positions and is small enough to add for this (tomlkit keeps them only as text offsets
inside its own document model). Because we only ever locate things in a document that
`tomllib` has already accepted, a scanner that follows the shape of valid TOML is enough; it
never has to reject anything:

    document  = (header | key "=" value | comment | blank)*
    header    = "[" key "]" | "[[" key "]]"
    key       = part ("." part)*          part = bare | "basic" | 'literal'
    value     = string | array | inline-table | scalar
    array     = "[" (value ",")* "]"      (newlines and comments allowed between elements)
    inline    = "{" (key "=" value ",")* "}"

Every key is recorded under its full path (table header + dotted key + inline-table keys), every
array element under its path plus its 0-based index, and the *i*-th `[[x]]` table under
`("x", i)`. `find` falls back to the nearest recorded ancestor (the element's array key, or the
table header), so a caller always gets a line that encloses what it asked about, never an
unrelated one.
"""

from __future__ import annotations

import bisect
import re
import tomllib

#: a path of keys and array indexes into a TOML document, e.g. ("project", "dependencies", 0)
KeyPath = tuple[str | int, ...]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SCALAR_END = frozenset(",]}#\r\n")
# A basic string to its closing quote: an escape takes the next character, whatever it is. In a
# multi-line one a quote may stand inside as long as two more do not follow it.
_BASIC_RE = re.compile(r'"(?:[^"\\]|\\[\s\S])*"')
_MULTILINE_BASIC_RE = re.compile(r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""')


class TomlLocations:
    """Line and column (both 1-based) of every key and array element in a valid TOML text."""

    def __init__(self, text: str) -> None:
        # the scan runs when a position is first asked for: a config of a thousand services
        # is read on every run and asked about only when something in it is wrong
        self._text = text
        self._line_starts: list[int] = []
        self._scanned: dict[KeyPath, int] | None = None  # path -> offset in text
        self._array_tables: dict[KeyPath, int] = {}

    @property
    def _positions(self) -> dict[KeyPath, int]:
        if self._scanned is None:
            self._line_starts = [0, *(match.end() for match in re.finditer("\n", self._text))]
            self._scanned = {}
            self._scan()
        return self._scanned

    def get(self, path: KeyPath) -> tuple[int, int] | None:
        """The (line, column) where `path` is written, or None when it is not written as such."""
        offset = self._positions.get(tuple(path))
        return None if offset is None else self._where(offset)

    def find(self, path: KeyPath) -> tuple[int, int] | None:
        """Where `path` is written, else where its nearest written ancestor is."""
        path = tuple(path)
        positions = self._positions
        for length in range(len(path), 0, -1):
            offset = positions.get(path[:length])
            if offset is not None:
                return self._where(offset)
        return None

    def string_content(self, path: KeyPath) -> tuple[int, int] | None:
        """Where the text of the string array element at `path` begins (past its quotes).

        None when `path` is no string element (keys are recorded where the key starts).
        """
        offset = self._positions.get(tuple(path))
        if offset is None or offset >= len(self._text) or self._text[offset] not in "\"'":
            return None
        quote = self._text[offset]
        if self._text.startswith(quote * 3, offset):
            offset += 3
            if self._text.startswith("\n", offset):  # TOML drops a newline right after """
                offset += 1
            elif self._text.startswith("\r\n", offset):
                offset += 2
        else:
            offset += 1
        return self._where(offset)

    # -- scanning -------------------------------------------------------------------------

    def _where(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def _record(self, path: KeyPath, offset: int) -> None:
        assert self._scanned is not None  # (recorded during the scan only)
        self._scanned.setdefault(path, offset)

    def _scan(self) -> None:
        text = self._text
        table: KeyPath = ()
        index = 0
        while True:
            index = self._skip_blank(index)
            if index >= len(text):
                return
            if text[index] == "[":
                table, index = self._header(index)
            else:
                index = self._key_value(index, table)
            index = self._skip_to_line_end(index)

    def _header(self, start: int) -> tuple[KeyPath, int]:
        text = self._text
        array = text.startswith("[[", start)
        keys, index = self._key(start + (2 if array else 1))
        index = self._skip_spaces(index)
        index += 2 if array else 1  # "]]" or "]"
        path = self._within_array_tables(tuple(keys))
        if array:
            count = self._array_tables.get(path, 0)
            self._array_tables[path] = count + 1
            path = (*path, count)
        self._record(path, start)
        return path, index

    def _within_array_tables(self, keys: KeyPath) -> KeyPath:
        """`[a.b]` after `[[a]]` names a table inside the last `a` element: `("a", n, "b")`."""
        path: KeyPath = ()
        for key in keys:
            path = (*path, key)
            if path in self._array_tables and len(path) < len(keys):
                path = (*path, self._array_tables[path] - 1)
        return path

    def _key_value(self, start: int, table: KeyPath) -> int:
        keys, index = self._key(start)
        path = (*table, *keys)
        for length in range(len(table) + 1, len(path) + 1):
            self._record(path[:length], start)
        index = self._skip_spaces(index) + 1  # "="
        index = self._skip_spaces(index)
        return self._value(index, path)

    def _key(self, start: int) -> tuple[list[str], int]:
        text = self._text
        parts: list[str] = []
        index = start
        while True:
            index = self._skip_spaces(index)
            if text[index] in "\"'":
                end = self._string_end(index)
                parts.append(_decode_key(text[index:end]))
                index = end
            else:
                end = index
                while end < len(text) and text[end] in _BARE:
                    end += 1
                parts.append(text[index:end])
                index = end
            index = self._skip_spaces(index)
            if index < len(text) and text[index] == ".":
                index += 1
                continue
            return parts, index

    def _value(self, start: int, path: KeyPath) -> int:
        text = self._text
        if start >= len(text):
            return start
        char = text[start]
        if char in "\"'":
            return self._string_end(start)
        if char == "[":
            return self._array(start, path)
        if char == "{":
            return self._inline_table(start, path)
        index = start
        while index < len(text) and text[index] not in _SCALAR_END:
            index += 1
        return index

    def _array(self, start: int, path: KeyPath) -> int:
        text = self._text
        index = start + 1
        position = 0
        while True:
            index = self._skip_blank(index)
            if index >= len(text) or text[index] == "]":
                return index + 1
            element = (*path, position)
            self._record(element, index)
            index = self._value(index, element)
            index = self._skip_blank(index)
            if index < len(text) and text[index] == ",":
                index += 1
            position += 1

    def _inline_table(self, start: int, path: KeyPath) -> int:
        text = self._text
        index = start + 1
        while True:
            index = self._skip_blank(index)
            if index >= len(text) or text[index] == "}":
                return index + 1
            keys, after = self._key(index)
            key_path = (*path, *keys)
            for length in range(len(path) + 1, len(key_path) + 1):
                self._record(key_path[:length], index)
            after = self._skip_spaces(after) + 1  # "="
            after = self._skip_spaces(after)
            index = self._skip_blank(self._value(after, key_path))
            if index < len(text) and text[index] == ",":
                index += 1

    def _string_end(self, start: int) -> int:
        """The offset just past the string literal that starts at `start` (the text's end when
        it is not closed, which text `tomllib` accepted never has)."""
        text = self._text
        quote = text[start]
        if text.startswith(quote * 3, start):
            if quote == '"':
                match = _MULTILINE_BASIC_RE.match(text, start)
                end = match.end() if match else len(text)
            else:
                closing = text.find("'''", start + 3)
                end = len(text) if closing == -1 else closing + 3
            # up to two quotes may end the content itself: """a"""" is 'a"'
            extra = 0
            while extra < 2 and text.startswith(quote, end + extra):
                extra += 1
            return end + extra
        if quote == '"':
            match = _BASIC_RE.match(text, start)
            return match.end() if match else len(text)
        closing = text.find("'", start + 1)
        return len(text) if closing == -1 else closing + 1

    def _skip_spaces(self, index: int) -> int:
        text = self._text
        while index < len(text) and text[index] in " \t":
            index += 1
        return index

    def _skip_blank(self, index: int) -> int:
        """Skip whitespace, newlines and comments."""
        text = self._text
        while index < len(text):
            char = text[index]
            if char in " \t\r\n":
                index += 1
            elif char == "#":
                while index < len(text) and text[index] != "\n":
                    index += 1
            else:
                break
        return index

    def _skip_to_line_end(self, index: int) -> int:
        text = self._text
        newline = text.find("\n", index)
        return len(text) if newline == -1 else newline + 1


def dotted(path: KeyPath) -> str:
    """A TOML path as a reader writes it: `tool.poetry.group.dev.dependencies`."""
    return ".".join(str(part) for part in path if isinstance(part, str))


def _decode_key(literal: str) -> str:
    """A quoted key's value, decoded by tomllib itself so escapes mean what TOML says."""
    try:
        value = tomllib.loads(f"k = {literal}")["k"]
    except tomllib.TOMLDecodeError:
        return literal.strip("\"'")
    return value if isinstance(value, str) else literal
