"""The JSON writer of the reports: `json.dumps(indent=2, ensure_ascii=False)`, byte for byte."""

from __future__ import annotations

import enum
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depcheck.report.jsontext import Written, indented


class _Colour(enum.StrEnum):
    RED = "red"


class _Level(enum.IntEnum):
    HIGH = 3


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()  # quotes, backslashes, controls, surrogates, any code point
    | st.sampled_from([_Colour.RED, _Level.HIGH])
)
KEYS = st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(KEYS, inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(VALUES, st.integers(0, 3))
def test_any_report_value_is_written_as_json_dumps_writes_it(value: object, level: int) -> None:
    expected = json.dumps(value, indent=2, ensure_ascii=False)
    # `level` levels down: every line but the first indented by two blanks a level
    expected = expected.replace("\n", "\n" + "  " * level)
    assert indented(value, level) == expected


def test_a_written_value_stands_as_it_is() -> None:
    assert indented({"a": [Written('{"b": 1}')]}) == '{\n  "a": [\n    {"b": 1}\n  ]\n}'


@pytest.mark.parametrize("value", [{1j: 1}, [object()], {"a": {1, 2}}])
def test_what_json_refuses_is_refused(value: object) -> None:
    with pytest.raises(TypeError):
        json.dumps(value)
    with pytest.raises(TypeError):
        indented(value)


def test_floats_as_json_writes_them() -> None:
    assert indented([0.1, 1e300, -0.0, math.inf, math.nan]) == json.dumps(
        [0.1, 1e300, -0.0, math.inf, math.nan], indent=2
    )


@settings(max_examples=300, deadline=None)
@given(VALUES, st.lists(st.integers(0, 3), min_size=1, max_size=6))
def test_a_list_standing_in_several_places_is_written_right_in_each(
    shared: object, depths: list[int]
) -> None:
    # one object at several depths and several times at one depth (a host's split is every
    # one of its conflicts' groups): the text written once per depth is the one json writes
    def nested(depth: int) -> object:
        value: object = [shared, shared]
        for _ in range(depth):
            value = {"next": value, "again": [shared]}
        return value

    value = [nested(depth) for depth in depths]
    assert indented(value) == json.dumps(value, indent=2, ensure_ascii=False)
