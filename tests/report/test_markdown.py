"""The Markdown report: the demo's golden file, escaping of hostile names, the Mermaid graph.

Regenerate the golden file after an intended change with
``DEPCHECK_UPDATE_GOLDEN=1 python -m pytest tests/report/test_markdown.py`` and review the diff.
"""

from __future__ import annotations

import os
import re
from dataclasses import fields, replace
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from depcheck.model import Conflict, Report
from depcheck.report.interface import OutputFormat, RenderOptions
from depcheck.report.markdown import (
    DIAGRAM_EDGES,
    DIAGRAM_NODES,
    MARKER,
    MAX_CHARS,
    TABLE_ROWS,
    MarkdownFormatter,
    code,
    text,
)
from tests.conftest import FIXTURES, ROOT
from tests.report.conftest import CLASH, ScanTree, config, locked, scan_path

GOLDEN = ROOT / "tests" / "golden" / "demo.md"


def render(report: Report, *, verbose: bool = False) -> str:
    return MarkdownFormatter(RenderOptions(verbose=verbose)).format(report)


def mermaid_blocks(document: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)```", document, flags=re.DOTALL)


def table_rows(document: str) -> list[str]:
    return [line for line in document.splitlines() if line.startswith("| ")]


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def to_html(document: str) -> str:
    """The document rendered by a CommonMark parser with tables, raw HTML passed through."""
    return str(MarkdownIt("commonmark", {"html": True}).enable("table").render(document))


def without_code(html: str) -> str:
    return re.sub(r"<code[^>]*>.*?</code>", "", html, flags=re.DOTALL)


def test_demo_matches_golden_file() -> None:
    report = scan_path(FIXTURES / "demo", root="fixtures/demo")
    document = render(report)
    if os.environ.get("DEPCHECK_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(document, encoding="utf-8")
    assert document == GOLDEN.read_text(encoding="utf-8"), (
        "the Markdown report of fixtures/demo changed; if intended, regenerate "
        "tests/golden/demo.md with DEPCHECK_UPDATE_GOLDEN=1"
    )


def test_demo_structure() -> None:
    document = render(scan_path(FIXTURES / "demo", root="fixtures/demo"))
    lines = document.splitlines()
    assert lines[0] == MARKER
    assert lines[1] == ("## depcheck: 3 conflicts (1 incompatible, 2 pin mismatch) on 1 of 2 hosts")
    # one host has conflicts: no host column; both kinds: a kind column
    assert table_rows(document)[0] == "| package | kind | services | fix |"
    assert len(table_rows(document)) == 2 + 3
    # the most important first: the incompatible one, moved out at billing
    assert table_rows(document)[2] == (
        "| ✗ `requests` | incompatible | `api`, `auth`, `billing` | move out `billing` |"
    )
    assert "**Plan:** split `web` into 2 groups: [`api`, `auth`] [`billing`]" in document
    assert "<details open><summary>Host <code>web</code> (python 3.11, linux): " in document
    assert document.count("<details") == document.count("</details>") == 1
    [block] = mermaid_blocks(document)  # only host web has conflicts
    assert block.startswith("graph LR\n")


def test_incompatible_edges_join_only_disjoint_pairs(scan_tree: ScanTree) -> None:
    """A bystander whose range fits the others is no node; each disjoint pair is an edge."""
    names = ["a", "b", "c", "d"]
    files = {
        "depcheck.toml": config({"h": names}, {n: n for n in names}),
        "a/requirements.txt": "attrs<20\n",
        "b/requirements.txt": "attrs>=21,<22\n",
        "c/requirements.txt": "attrs>=23\n",
        "d/requirements.txt": "attrs>=1\n",  # fits every other range: a bystander
    }
    [block] = mermaid_blocks(render(scan_tree(files, root=".")))
    assert block.splitlines() == [
        "graph LR",
        '  n0["a"]',
        '  n1["b"]',
        '  n2["c"]',
        '  n0 ---|"✗ attrs"| n1',
        '  n0 ---|"✗ attrs"| n2',
        '  n1 ---|"✗ attrs"| n2',
    ]


def test_clash_of_three_without_a_disjoint_pair_joins_all(scan_tree: ScanTree) -> None:
    names = ["a", "b", "c"]
    files = {
        "depcheck.toml": config({"h": names}, {n: n for n in names}),
        "a/requirements.txt": "attrs>=1,<3\n",
        "b/requirements.txt": "attrs!=1.*\n",
        "c/requirements.txt": "attrs!=2.*\n",
    }
    report = scan_tree(files, root=".")
    assert [c.services for c in report.conflicts] == [("a", "b", "c")]
    [block] = mermaid_blocks(render(report))
    edges = [line.strip() for line in block.splitlines() if "---" in line]
    assert edges == [
        'n0 ---|"✗ attrs"| n1',
        'n0 ---|"✗ attrs"| n2',
        'n1 ---|"✗ attrs"| n2',
    ]


def test_pin_mismatch_edges_join_services_whose_pins_differ(scan_tree: ScanTree) -> None:
    names = ["a", "b", "c"]
    files = {
        "depcheck.toml": config({"h": names}, {n: n for n in names}),
        "a/requirements.txt": locked("six==1.16.0"),
        "b/requirements.txt": locked("six==1.16.0"),
        "c/requirements.txt": locked("six==1.15.0"),
    }
    [block] = mermaid_blocks(render(scan_tree(files, root=".")))
    edges = [line.strip() for line in block.splitlines() if "-.-" in line]
    assert edges == ['n0 -.-|"≠ six"| n2', 'n1 -.-|"≠ six"| n2']


def test_one_edge_per_pair_lists_every_package(scan_tree: ScanTree) -> None:
    [block] = mermaid_blocks(render(scan_tree(CLASH, root=".")))
    assert block.splitlines()[-1] == '  n0 ---|"✗ requests, ≠ urllib3"| n1'


HOSTILE = ["a|b", "<script>alert(1)</script>", "@octocat", "we`ird``"]


def test_hostile_names_cannot_break_the_table_or_inject_html(scan_tree: ScanTree) -> None:
    services = {name: f"s{i}" for i, name in enumerate(HOSTILE)}
    files = {
        "depcheck.toml": config({"x|<y>": HOSTILE}, services),
        **{f"s{i}/requirements.txt": f"flask=={i}.0\n" for i in range(len(HOSTILE))},
    }
    report = scan_tree(files, root=".")
    assert [c.services for c in report.conflicts] == [tuple(sorted(HOSTILE))]
    document = render(report)

    rows = table_rows(document)
    # one host, one kind: package, services and fix only
    assert all(unescaped_pipes(row) == 4 for row in rows), rows
    assert "`a\\|b`" in rows[2]
    assert rows[2].count("`") >= 6 and "4 (" in rows[2]  # a count, then the first names
    assert "`` we`ird`` ``" in document  # whole in the details
    # the host name sits in <summary>, HTML: escaped there
    assert "<summary>Host <code>x|&lt;y&gt;</code>" in document

    html = to_html(document)
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "@octocat" not in without_code(html)
    assert [row.count("<td>") for row in re.findall(r"<tr>.*?</tr>", html, re.DOTALL)][1:] == [3]
    [block] = mermaid_blocks(document)
    assert "<" not in block and "@octocat" in block
    assert '["#60;script#62;alert(1)#60;/script#62;"]' in block
    assert '["a#124;b"]' in block
    assert '["we#96;ird#96;#96;"]' in block


def test_newlines_in_names_stay_in_their_cell(scan_tree: ScanTree) -> None:
    services = {"two\nlines": "a", "b": "b"}
    files = {
        "depcheck.toml": config({"web": list(services)}, services),
        "a/requirements.txt": "flask==2.0\n",
        "b/requirements.txt": "flask==3.0\n",
    }
    rows = table_rows(render(scan_tree(files, root=".")))
    assert len(rows) == 3
    assert "`two lines`" in rows[2]


def test_code_spans() -> None:
    assert code("api") == "`api`"
    assert code("a|b") == "`a|b`"
    assert code("a|b", table=True) == "`a\\|b`"
    assert code("x`y") == "``x`y``"
    assert code("`x") == "`` `x ``"
    assert code("line\r\nbreak") == "`line break`"
    assert code("") == ""


def test_free_text_renders_literally_and_mentions_nobody() -> None:
    assert text("isolate a_b: *x* <b> [l](u) | ~") == (
        "isolate a\\_b: \\*x\\* \\<b\\> \\[l\\](u) \\| \\~"
    )
    assert text("ping @octocat about #12") == "ping @<!-- -->octocat about #<!-- -->12"
    assert text("a # b") == "a # b"
    assert text("two\nlines") == "two lines"


def test_diagnostics_are_listed_escaped(scan_tree: ScanTree) -> None:
    files = {"api/requirements.txt": "flask==2.0\nrequests==\n"}
    report = scan_tree(files, root=".")
    document = render(report)
    assert "### Input problems" in document
    assert "- **error** `api/requirements.txt:2:" in document
    assert document.splitlines()[1].endswith("· 1 error")


def test_a_long_place_keeps_its_file_name_and_line(scan_tree: ScanTree) -> None:
    deep = "a-rather-long-organisation__and-its-repository/services/payments/api"
    report = scan_tree({f"{deep}/requirements.txt": "flask==2.0\nflask==\n"}, root=".")
    (line,) = [li for li in render(report).splitlines() if li.startswith("- **error**")]
    place = line.split("`")[1]
    assert place.startswith("…") and place.endswith("/api/requirements.txt:2:8")
    assert len(place) == 60


def test_no_conflicts(scan_tree: ScanTree) -> None:
    files = {"api/requirements.txt": "flask==2.0\n"}
    document = render(scan_tree(files, root="."))
    assert document.splitlines()[1] == "## depcheck: no conflicts on 1 host"
    assert "| host |" not in document and "```mermaid" not in document
    assert "- ✓ `default` (python " in document


def test_the_table_has_fifty_rows_unless_verbose(scan_tree: ScanTree) -> None:
    names = ["a", "b"]
    files = {"depcheck.toml": config({"h": names}, {n: n for n in names})}
    files["a/requirements.txt"] = "".join(f"p{i:02}==1.0\n" for i in range(60))
    files["b/requirements.txt"] = "".join(f"p{i:02}==2.0\n" for i in range(60))
    report = scan_tree(files, root=".")
    assert len(report.conflicts) == 60
    short, full = render(report), render(report, verbose=True)
    assert len(table_rows(short)) == 2 + TABLE_ROWS + 1
    assert table_rows(short)[-1] == "| … |  | 10 more conflicts, the least severe |"
    assert len(table_rows(full)) == 2 + 60
    # more than ten conflicts: the host's details start closed
    assert "<details><summary>Host <code>h</code>" in short
    # every conflict is still in the details, and every column says something
    assert short.count("- ✗ **`p") == 60
    assert "| package | services | fix |" in short
    assert "Every conflict is incompatible" in short


def test_a_host_column_only_when_several_hosts_have_conflicts(scan_tree: ScanTree) -> None:
    services = {n: n for n in "abcd"}
    files = {
        "depcheck.toml": config({"one": ["a", "b"], "two": ["c", "d"]}, services),
        "a/requirements.txt": "flask==2.0\n",
        "b/requirements.txt": "flask==3.0\n",
        "c/requirements.txt": "flask==2.0\n",
        "d/requirements.txt": "flask==3.0\n",
    }
    document = render(scan_tree(files, root="."))
    assert table_rows(document)[0] == "| host | package | services | fix |"
    assert document.count("<details") == 2


def test_identical_constraints_are_one_line(scan_tree: ScanTree) -> None:
    names = [f"s{i:02}" for i in range(12)]
    files = {"depcheck.toml": config({"h": [*names, "new"]}, {n: n for n in [*names, "new"]})}
    files.update({f"{n}/requirements.txt": "duckdb>=1.5.5,<2\n" for n in names})
    files["new/requirements.txt"] = "duckdb~=0.10.0\n"
    document = render(scan_tree(files, root="."))
    assert (
        "  - 12 (`s00`, `s01`, `s02`, …) `>=1.5.5,<2` at `s00/requirements.txt:1` and 11 more files"
        in document
    )
    assert "  - `new` `~=0.10.0` at `new/requirements.txt:1`" in document
    assert table_rows(document)[2].endswith("| move out `new` |")


def test_big_reports_stay_under_the_comment_limit() -> None:
    import tempfile

    from tests.render.render import synthetic_repository

    with tempfile.TemporaryDirectory() as temp:
        report = scan_path(synthetic_repository(Path(temp) / "repo", conflicts=400), root=".")
    assert len(report.conflicts) == 400
    document = render(report)
    assert len(document) < MAX_CHARS
    cut = re.search(r"\*\*(\d+) more conflicts in the JSON report\*\*", document)
    assert cut is not None
    shown = document.count("\n- ✗ **`") + document.count("\n- ≠ **`")
    assert shown + int(cut.group(1)) == 400
    assert document.count("<details") == document.count("</details>")
    assert document.count("```") % 2 == 0
    assert len(table_rows(document)) == 2 + TABLE_ROWS + 1
    # past the diagram caps: a sentence, no diagram
    assert "```mermaid" not in document
    assert f"({DIAGRAM_NODES} services, {DIAGRAM_EDGES} pairs)" in document


def test_deterministic(tmp_path: Path) -> None:
    from tests.conftest import write_tree

    write_tree(tmp_path, CLASH)
    assert render(scan_path(tmp_path, root=".")) == render(scan_path(tmp_path, root="."))


def test_registered_as_an_output_format() -> None:
    formatter = OutputFormat("markdown").to_formatter(RenderOptions())
    assert isinstance(formatter, MarkdownFormatter)


_HAS_BASELINE = "baseline" in {f.name for f in fields(Report)}


@pytest.mark.skipif(not _HAS_BASELINE, reason="reports carry no baseline comparison yet")
def test_title_counts_new_and_fixed_against_a_baseline(scan_tree: ScanTree) -> None:
    report = scan_tree(CLASH, root=".")
    first, second = report.conflicts
    assert "baseline" in {f.name for f in fields(Conflict)}
    report = replace(
        report,
        baseline="baseline.json",
        fixed=("0123456789abcdef",),
        conflicts=(replace(first, baseline="new"), replace(second, baseline="known")),
    )
    document = render(report)
    assert document.splitlines()[1] == (
        "## depcheck: 1 new conflict, 1 fixed · 2 conflicts (1 incompatible, 1 pin mismatch) "
        "on 1 of 1 host"
    )
    rows = table_rows(document)
    assert "✗ `requests` · new" in rows[2] and "≠ `urllib3` · in baseline" in rows[3]


def test_a_long_list_of_locks_to_re_lock_is_a_count(scan_tree: ScanTree) -> None:
    names = [f"s{i}" for i in range(6)]
    files = {"depcheck.toml": config({"h": names}, {n: n for n in names})}
    for index, name in enumerate(names):
        files[f"{name}/requirements.txt"] = locked(f"six==1.{1 if index == 5 else 0}.0")
    (conflict,) = scan_tree(files, root=".").conflicts
    assert len(conflict.recommendation.relock) == 5
    document = render(scan_tree(files, root="."))
    assert (
        "re-lock `s0/requirements.txt`, `s1/requirements.txt`, `s2/requirements.txt` and 2 more"
        " files" in document
    )
    assert table_rows(document)[2].endswith(
        "| align on `1.1.0`; re-lock `s0/requirements.txt` and 4 more files (not verified) |"
    )
