"""The TOML position scanner: every key and array element at its own line, never a wrong one."""

from __future__ import annotations

import textwrap
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depcheck.sources.toml_locations import TomlLocations, dotted

DOCUMENT = textwrap.dedent(
    """\
    # comment with [brackets] and = signs
    title = "x" # [not.a.header]

    [project]
    name = "demo"
    dependencies = [
      "a>=1",  # trailing comment, with "quotes"
      # a comment line between elements
      'b[x]; python_version < "3.12"',
      "c ] d",
    ]
    tool.inline = { one = 1, two = { three = [3, 4] } }

    [project.optional-dependencies]
    docs = ["sphinx"]

    [tool.poetry.group."my group".dependencies]
    "quoted.key" = "^1"
    bare_key = {version = "^2", extras = ["s"]}

    [[source]]
    url = "https://a"

    [[source]]
    url = "https://b"

    [source.sub]
    x = 1

    [strings]
    multi = \"\"\"
    [fake.header]
    a = "b" \"\"\"
    after = 'literal # not a comment'
    ml_literal = '''
    ]'''
    date = 1979-05-27 07:32:00Z
    last = [1,
      2]
    """
)


@pytest.fixture(scope="module")
def locations() -> TomlLocations:
    tomllib.loads(DOCUMENT)  # the scanner only ever sees valid TOML
    return TomlLocations(DOCUMENT)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("title",), (2, 1)),
        (("project",), (4, 1)),
        (("project", "name"), (5, 1)),
        (("project", "dependencies"), (6, 1)),
        (("project", "dependencies", 0), (7, 3)),
        (("project", "dependencies", 1), (9, 3)),
        (("project", "dependencies", 2), (10, 3)),
        (("project", "tool", "inline", "one"), (12, 17)),
        (("project", "tool", "inline", "two", "three", 1), (12, 46)),
        (("project", "optional-dependencies", "docs", 0), (15, 9)),
        (("tool", "poetry", "group", "my group", "dependencies"), (17, 1)),
        (("tool", "poetry", "group", "my group", "dependencies", "quoted.key"), (18, 1)),
        (
            ("tool", "poetry", "group", "my group", "dependencies", "bare_key", "extras", 0),
            (19, 39),
        ),
        (("source", 0, "url"), (22, 1)),
        (("source", 1), (24, 1)),
        (("source", 1, "url"), (25, 1)),
        (("source", 1, "sub", "x"), (28, 1)),
        (("strings", "after"), (34, 1)),
        (("strings", "ml_literal"), (35, 1)),
        (("strings", "date"), (37, 1)),
        (("strings", "last", 1), (39, 3)),
    ],
)
def test_every_key_and_element_has_its_own_position(
    locations: TomlLocations, path: tuple[str | int, ...], expected: tuple[int, int]
) -> None:
    assert locations.get(path) == expected


def test_text_inside_strings_and_comments_is_not_taken_for_keys(locations: TomlLocations) -> None:
    assert locations.get(("not", "a", "header")) is None
    assert locations.get(("fake", "header")) is None
    assert locations.get(("strings", "a")) is None
    assert locations.get(("project", "dependencies", 3)) is None  # "c ] d" is one element


def test_find_falls_back_to_the_nearest_written_ancestor(locations: TomlLocations) -> None:
    # a key that tomllib would create implicitly, or an index past the end, points at its table
    assert locations.find(("tool", "poetry", "group", "my group", "dependencies", "x")) == (17, 1)
    assert locations.find(("project", "dependencies", 7)) == (6, 1)
    assert locations.find(("nowhere", "at", "all")) is None


def test_string_content_points_past_the_quotes(locations: TomlLocations) -> None:
    assert locations.string_content(("project", "dependencies", 0)) == (7, 4)
    assert locations.string_content(("project", "dependencies", 1)) == (9, 4)
    assert locations.string_content(("project", "name")) is None  # keys are not strings


def test_dotted_keys_at_top_level_record_each_table_on_the_way() -> None:
    text = 'project.name = "x"\nproject.dependencies = ["a", "b"]\n'
    locations = TomlLocations(text)
    assert locations.get(("project",)) == (1, 1)
    assert locations.get(("project", "dependencies", 1)) == (2, 30)


def test_multiline_basic_string_with_escaped_quotes_and_trailing_quotes() -> None:
    text = 'a = """x \\""" y""""\nb = 1\n'
    assert tomllib.loads(text)["a"] == 'x """ y"'
    assert TomlLocations(text).get(("b",)) == (2, 1)


def test_crlf_line_endings() -> None:
    text = '[project]\r\ndependencies = [\r\n  "a",\r\n  "b",\r\n]\r\n'
    assert TomlLocations(text).get(("project", "dependencies", 1)) == (4, 3)


def test_dotted_renders_a_path_for_messages() -> None:
    assert (
        dotted(("tool", "poetry", "dependencies", "numpy", 1)) == "tool.poetry.dependencies.numpy"
    )


def _basic(value: str) -> str:
    """A TOML basic string holding `value` (every control character as a \\u escape)."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _literal(value: str) -> str | None:
    if "'" in value or any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in value):
        return None
    return f"'{value}'"


def _multiline_basic(value: str) -> str:
    escaped = _basic(value)[1:-1]
    # a line break right after the opening quotes is dropped by TOML: keep that one escaped
    head = "\\u000a" if escaped.startswith("\\u000a") else ""
    body = head + escaped[len(head) :].replace("\\u000a", "\n")
    return f'"""{body}"""'


def _multiline_literal(value: str) -> str | None:
    if "'''" in value or value.endswith("'") or value.startswith("\n"):
        return None
    if any((ord(c) < 0x20 and c not in "\t\n") or ord(c) == 0x7F for c in value):
        return None
    return f"'''{value}'''"


@given(
    st.lists(
        st.tuples(
            st.text(alphabet=st.sampled_from(list("ab\"'\\\n\t ]#,=x\x01é")), max_size=12),
            st.sampled_from(["basic", "literal", "multiline", "multiline-literal"]),
        ),
        min_size=1,
        max_size=8,
    )
)
@settings(max_examples=200, deadline=None)
def test_every_string_form_ends_where_tomllib_says(items: list[tuple[str, str]]) -> None:
    """Whatever a string holds (quotes, escapes, brackets, line breaks), the element after it
    is found where it is written: the string scanner ends each string where TOML does."""
    text = "k = [\n"
    expected: list[tuple[int, int]] = []
    values: list[str] = []
    for value, form in items:
        literal = {
            "basic": _basic,
            "literal": _literal,
            "multiline": _multiline_basic,
            "multiline-literal": _multiline_literal,
        }[form](value)
        literal = literal or _basic(value)
        text += "  "
        line = text.count("\n") + 1
        expected.append((line, len(text) - text.rfind("\n")))
        text += literal + ",\n"
        values.append(value)
    text += "]\nafter = 1\n"
    assert tomllib.loads(text)["k"] == values
    locations = TomlLocations(text)
    assert [locations.get(("k", i)) for i in range(len(items))] == expected
    assert locations.get(("after",)) == (text.count("\n") - 1 + 1, 1)
