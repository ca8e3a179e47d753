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
    """`value` as `json.dumps(indent=2, ensure_ascii=False)` writes it, `level` levels down.

    A list or tuple that stands in several places of `value` at one depth is written once (a
    host's split is every one of its conflicts' `recommendation.groups`: 600 times on a host
    of 1,000 services)."""
    return _pretty(value, "  " * level, {})


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


def _pretty(value: Any, indent: str, memo: dict[int, tuple[str, str]]) -> str:
    if isinstance(value, str):
        return string(value)
    if isinstance(value, Written):  # (second: `why` writes its steps so, most of its answer)
        return value.text
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        fields = ",\n".join(
            f"{inner}{_key(k)}: {_pretty(v, inner, memo)}" for k, v in value.items()
        )
        return "{\n" + fields + "\n" + indent + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        # (the value lives until the document is written: its id names it meanwhile; its
        # text is kept from the second time it is met on, so a value met once costs no memory)
        known = memo.get(id(value))
        if known is not None and known[0] == indent and known[1]:
            return known[1]
        inner = indent + "  "
        items = ",\n".join(inner + _pretty(v, inner, memo) for v in value)
        text = "[\n" + items + "\n" + indent + "]"
        memo[id(value)] = (indent, "" if known is None else text)
        return text
    if value is None or isinstance(value, bool):
        return _LITERALS[value]
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
