"""The output of `depcheck why`: shared path prefixes drawn once, every edge's constraint, JSON."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from depcheck.model import Diagnostic, Explanation, Location, PathStep, ServicePaths, Severity
from depcheck.report.interface import RenderOptions
from depcheck.report.why import (
    _plain_tree,
    _Rich,
    _tree,
    _wrap,
    render_why_json,
    render_why_text,
    why_json_chunks,
    why_text_chunks,
)

BOTO3 = PathStep("boto3", "1.34.0", "==1.34.0", (Location("api/requirements.txt", 3),))
BOTOCORE = PathStep("botocore", "1.34.0", ">=1.34.0,<1.35.0", markers=('python_version >= "3.8"',))
S3T = PathStep("s3transfer", "0.10.0", ">=0.10.0,<0.11.0")

EXPLANATION = Explanation(
    package="botocore",
    display_name="botocore",
    root="repo",
    services=(
        ServicePaths("api", ("web",), ((BOTO3, BOTOCORE), (BOTO3, S3T, BOTOCORE))),
        ServicePaths("worker", (), ((BOTOCORE,),), truncated=True),
    ),
    diagnostics=(Diagnostic(Severity.WARNING, Location("x.txt", 2), "odd line"),),
)


def test_text_draws_shared_prefixes_once_with_each_edges_constraint() -> None:
    text = render_why_text(EXPLANATION, RenderOptions(color=False, width=100))
    assert "api  (host web)" in text and "worker  (host no host)" in text
    # api → boto3 appears once, though both of api's paths go through it
    assert text.count("boto3") == 1
    assert "api/requirements.txt:3" in text
    assert ">=0.10.0,<0.11.0" in text
    assert "more paths (first 1 shown)" in text
    assert "warning: x.txt:2: odd line" in text
    assert text.rstrip().endswith("2 services depend on botocore")
    assert "\x1b[" not in text


def test_nobody_depending_on_the_package_is_said_plainly() -> None:
    empty = Explanation("left-pad", "left-pad", "repo", (), ())
    text = render_why_text(empty, RenderOptions(color=False, width=80))
    assert text.strip() == "no service in repo depends on left-pad"


def test_json_keeps_every_path_step_and_diagnostic() -> None:
    document = json.loads(render_why_json(EXPLANATION))
    assert document["schema_version"] == 1 and document["package"] == "botocore"
    api, worker = document["services"]
    assert [[step["package"] for step in path] for path in api["paths"]] == [
        ["boto3", "botocore"],
        ["boto3", "s3transfer", "botocore"],
    ]
    assert api["paths"][0][0]["locations"] == [{"source": "api/requirements.txt", "line": 3}]
    assert api["paths"][0][1]["markers"] == ['python_version >= "3.8"']
    assert worker["truncated"] is True and worker["hosts"] == []
    assert document["diagnostics"] == [
        {"severity": "warning", "source": "x.txt", "line": 2, "column": None, "message": "odd line"}
    ]


def test_the_chunks_are_json_dumps_of_the_document_byte_for_byte() -> None:
    empty = Explanation("left-pad", "left-pad", "repo", (), ())
    for explanation in (EXPLANATION, empty):
        chunks = list(why_json_chunks(explanation))
        assert len(chunks) == 3 + len(explanation.services)  # head, services..., diagnostics
        document = json.loads("".join(chunks))
        assert "".join(chunks) == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        assert all(chunk.endswith("\n") for chunk in chunks)


def test_the_text_comes_a_service_at_a_time() -> None:
    chunks = list(why_text_chunks(EXPLANATION, RenderOptions(color=False, width=100)))
    assert chunks[0].startswith("api  (host web)") and "worker" not in chunks[0]
    assert chunks[1].startswith("worker  (host no host)")
    assert all(chunk.endswith("\n") for chunk in chunks)
    assert "".join(chunks) == render_why_text(EXPLANATION, RenderOptions(color=False, width=100))


_WORDS = st.text(alphabet="abz09-_.=<>,:/ …", min_size=0, max_size=70)
_STEPS = st.builds(
    PathStep,
    package=st.text(alphabet="abcxyz-_.", min_size=1, max_size=40),
    version=st.one_of(st.none(), st.text(alphabet="0123456789.", min_size=1, max_size=8)),
    specifier=_WORDS,
    locations=st.lists(
        st.builds(
            Location, st.text(alphabet="ab/_-.", min_size=1, max_size=90), st.integers(1, 999)
        ),
        max_size=4,
    ).map(tuple),
    markers=st.lists(_WORDS, max_size=2).map(tuple),
)
_ENTRIES = st.builds(
    ServicePaths,
    service=_WORDS,
    hosts=st.lists(_WORDS, max_size=3).map(tuple),
    paths=st.lists(st.lists(_STEPS, min_size=1, max_size=5).map(tuple), min_size=1, max_size=4).map(
        tuple
    ),
    truncated=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(entry=_ENTRIES, width=st.integers(40, 130))
def test_plain_trees_are_drawn_line_for_line_as_rich_draws_them(
    entry: ServicePaths, width: int
) -> None:
    tree = _tree(entry)
    plain = _plain_tree(tree, width)
    assert plain is not None  # ASCII and `…` only: drawn here
    assert [line.rstrip(" ") for line in plain] == [
        line.rstrip(" ") for line in _Rich(width, color=False).tree(tree)
    ]


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet="ab-:/ ", max_size=300), width=st.integers(8, 60))
def test_a_label_breaks_where_rich_breaks_it(text: str, width: int) -> None:
    # runs of blanks, words that fill a line exactly, words longer than a line (folded)
    lines = _wrap(text, width)
    assert lines is not None
    drawn = _Rich(width, color=False).text([(text, None)])
    assert [line.rstrip(" ") for line in lines] == [line.rstrip(" ") for line in drawn]


def test_a_label_rich_measures_otherwise_is_left_to_rich() -> None:
    wide = ServicePaths("api", ("web",), ((PathStep("日本語-package", "1.0", ">=1"),),))
    assert _plain_tree(_tree(wide), 100) is None
    text = render_why_text(
        Explanation("x", "x", "repo", (wide,), ()), RenderOptions(color=False, width=100)
    )
    assert "日本語-package" in text and "└── " in text


# any text (quotes, backslashes, controls, beyond ASCII), and lines that are not known
_ANY_TEXT = st.text(max_size=12)
_JSON_STEPS = st.builds(
    PathStep,
    package=_ANY_TEXT,
    version=st.one_of(st.none(), _ANY_TEXT),
    specifier=_ANY_TEXT,
    locations=st.lists(
        st.builds(Location, _ANY_TEXT, st.one_of(st.none(), st.integers(1, 10**6))), max_size=3
    ).map(tuple),
    markers=st.lists(_ANY_TEXT, max_size=2).map(tuple),
    resolved=st.booleans(),
)
_JSON_ENTRIES = st.builds(
    ServicePaths,
    service=_ANY_TEXT,
    hosts=st.lists(_ANY_TEXT, max_size=2).map(tuple),
    paths=st.lists(st.lists(_JSON_STEPS, min_size=1, max_size=4).map(tuple), max_size=3).map(tuple),
    truncated=st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(entries=st.lists(_JSON_ENTRIES, max_size=3))
def test_generated_answers_are_json_dumps_of_their_document(entries: list[ServicePaths]) -> None:
    explanation = Explanation("x", "x", "repo", tuple(entries), ())
    text = "".join(why_json_chunks(explanation))
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert [
        [[s["package"] for s in p] for p in e["paths"]] for e in json.loads(text)["services"]
    ] == [[[s.package for s in p] for p in e.paths] for e in entries]
