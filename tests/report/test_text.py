"""The terminal report at monorepo scale: counts before names, grouped constraints, short advice,
whole package names at every width, and `--summary` (a line per conflict)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from depcheck.model import Kind, Report
from depcheck.report.interface import RenderOptions
from depcheck.report.text import CONFLICTS_PER_HOST, TextFormatter
from tests.conftest import FIXTURES
from tests.report.conftest import CLASH, ScanTree, locked

RunCli = Callable[..., tuple[int, str, str]]

LONG = "opentelemetry-exporter-otlp-proto-grpc"
LIBRARY = 11  # services that reach duckdb>=1.5.5,<2.0.0 the same way
PINNED = 30  # packages locked at two versions: one pin mismatch each


def monorepo() -> dict[str, str]:
    """A host of 76 services, as discovery finds it (no config, no deployment files).

    `front/admin_ui` wants an old duckdb that eleven `jobs/*` services exclude; two camps of
    two services each disagree on a long-named package; thirty packages are locked at two
    versions, so the host has more conflicts than the report shows in full.
    """
    files: dict[str, str] = {"front/admin_ui/requirements.txt": "duckdb~=0.10.0\n"}
    for index in range(LIBRARY):
        files[f"jobs/job{index:02}/requirements.txt"] = "duckdb>=1.5.5,<2.0.0\n"
    for index, version in enumerate(["1.20.0", "1.20.0", "1.30.0", "1.30.0"]):
        files[f"otel/camp{index}/requirements.txt"] = f"{LONG}=={version}\n"
    for index in range(PINNED):
        old, new = f"pkg-{index:02}==1.{index}.0", f"pkg-{index:02}==2.{index}.0"
        files[f"apps/old{index:02}/requirements.in"] = f"pkg-{index:02}>=1\n"
        files[f"apps/old{index:02}/requirements.txt"] = locked(old)
        files[f"apps/new{index:02}/requirements.in"] = f"pkg-{index:02}>=1\n"
        files[f"apps/new{index:02}/requirements.txt"] = locked(new)
    return files


@pytest.fixture
def big(scan_tree: ScanTree) -> Report:
    return scan_tree(monorepo(), root="repo")


def render(report: Report, width: int = 120, **options: bool) -> str:
    return TextFormatter(RenderOptions(width=width, **options)).format(report)


def test_a_big_host_gives_a_count_and_the_first_names_then_its_conflicts(big: Report) -> None:
    out = render(big).splitlines()
    services = len(big.hosts[0].services)
    header = next(i for i, line in enumerate(out) if line.startswith("host default"))
    first = next(i for i, line in enumerate(out) if line.startswith("  ✗"))
    assert f"{services} services: apps/new00, apps/new01" in out[header]
    assert out[header].endswith("… (--verbose lists all)")
    assert first < 24, "the first conflict is on the first screen"
    assert "apps/old29" not in "\n".join(out[:first])
    # counts before the list, and what was left out said with where to see it
    assert out[header + 1] == f"  2 incompatible · {PINNED} pin mismatch"
    hidden = 2 + PINNED - CONFLICTS_PER_HOST
    assert f"  … {hidden} more on this host ({hidden} pin mismatch): --summary" in "\n".join(out)
    # --verbose lists every service
    verbose = render(big, verbose=True)
    assert "apps/old29 · front/admin_ui · jobs/job00" in verbose


def test_identical_constraints_are_grouped_with_a_count(big: Report) -> None:
    out = render(big)
    assert "front/admin_ui  ~=0.10.0  front/admin_ui/requirements.txt:1" in out
    grouped = f"{LIBRARY} services  >=1.5.5,<2.0.0  jobs/job00/requirements.txt:1 (+10 more files)"
    assert grouped in out
    assert out.count(">=1.5.5,<2.0.0") == 2  # the row and the advice, not once per service
    verbose = render(big, verbose=True)
    assert verbose.count(">=1.5.5,<2.0.0") == LIBRARY + 1


def test_a_split_of_all_but_one_is_advised_as_moving_that_one_out(big: Report) -> None:
    (duckdb,) = [c for c in big.conflicts if c.package == "duckdb"]
    # the host's plan cannot move out one service per clash, so it splits the host; for this
    # conflict the split is eleven services against one: the advice is that one's move
    advice = duckdb.recommendation
    assert advice.action.value == "isolate" and advice.services == ("front/admin_ui",)
    assert len(advice.groups) == 2 and advice.groups == big.plans[0].groups
    out = render(big)
    advice = "→ move out front/admin_ui: no duckdb satisfies ~=0.10.0 and >=1.5.5,<2.0.0"
    assert advice in out
    # two camps of two stay a split, each group named
    assert (
        f"→ split host default into 2 groups: [otel/camp0 and otel/camp1] | "
        f"[otel/camp2 and otel/camp3]: no {LONG} satisfies ==1.20.0 and ==1.30.0"
    ) in " ".join(line.strip() for line in out.splitlines())


def test_the_align_advice_names_the_version_and_a_few_files(scan_tree: ScanTree) -> None:
    files = {
        f"s{i}/requirements.txt": locked(f"six=={'1.16.0' if i else '1.15.0'}") for i in range(5)
    }
    files["s0/requirements.in"] = "six\n"
    out = " ".join(line.strip() for line in render(scan_tree(files)).splitlines())
    assert (
        "→ align on six 1.16.0: every known constraint allows it; re-lock s0/requirements.txt"
        in out
    )


def test_the_align_advice_counts_many_files_and_services(scan_tree: ScanTree) -> None:
    report = scan_tree({f"s{i}/requirements.txt": locked(f"six==1.{i}.0") for i in range(6)})
    out = " ".join(line.strip() for line in render(report).splitlines())
    assert "re-lock s0/requirements.txt and 4 more files" in out
    assert "(not verified: s0 and 5 more services only lock six, with no declared range)" in out
    verbose = " ".join(line.strip() for line in render(report, verbose=True).splitlines())
    assert "re-lock s0/requirements.txt, s1/requirements.txt, s2/requirements.txt" in verbose
    assert "(not verified: s0, s1, s2, s3, s4 and s5 only lock six" in verbose


def _broken(name: str, text: str) -> bool:
    """Whether `name` is cut across two lines anywhere in `text`."""
    return any(
        re.search(re.escape(name[:k]) + r"\n\s*" + re.escape(name[k:]), text)
        for k in range(1, len(name))
    )


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_package_names_never_break_mid_word(big: Report, width: int) -> None:
    for options in ({}, {"verbose": True}, {"summary": True}):
        out = render(big, width, **options)
        assert LONG in out
        for conflict in big.conflicts:
            assert not _broken(conflict.display_name, out), (width, options)
        if not options:
            header = next(line for line in out.splitlines() if line.startswith("host "))
            body = out[out.index(header) : out.rindex("\n\n")].splitlines()
            assert all(len(line) <= width for line in body), width


DEEP = "open-telemetry/instrumentation/opentelemetry-instrumentation-botocore-and-more"


@pytest.mark.parametrize("width", [60, 80, 100])
def test_paths_and_service_names_longer_than_a_line_stay_whole(
    scan_tree: ScanTree, width: int
) -> None:
    """A service name or a file path wider than the window is never cut in two (an editor or
    a log reader could not use a `file:line` split across lines); it stands on its own line."""
    files = {
        f"{DEEP}/requirements.txt": "duckdb~=0.10.0\n",
        f"{DEEP}-two/requirements.txt": "duckdb>=1.5.5\n",
        "api/requirements.txt": "duckdb>=1.5.5\n",
    }
    report = scan_tree(files)
    for options in ({}, {"verbose": True}):
        out = render(report, width, **options)
        names = [DEEP, f"{DEEP}-two", f"{DEEP}/requirements.txt:1"]
        if options:  # one line per constraint: the grouped one's other file too
            names.append(f"{DEEP}-two/requirements.txt:1")
        for name in names:
            assert name in out, (width, options)
            assert not _broken(name, out), (width, options)
        # and what is not one long word still wraps within the window (the title and the
        # last line are one line each, as for every report)
        body = out[out.index("\nhost ") : out.rindex("\n\n")]
        for line in body.splitlines():
            if len(line) > width:
                assert len(line.split()) <= 2 and any(DEEP in w for w in line.split()), line


@pytest.mark.parametrize("width", [60, 200])
def test_a_wide_window_widens_the_package_column(scan_tree: ScanTree, width: int) -> None:
    files = {
        "a/requirements.txt": f"{LONG}==1.20.0\nsix==1.16.0\n",
        "b/requirements.txt": f"{LONG}==1.30.0\nsix==1.15.0\n",
    }
    document = render(scan_tree(files, root="repo"), width)
    out = document.splitlines()
    rows = [line for line in out if line.startswith(("  ✗", "  ≠"))]
    if width == 200:  # one table: the names in one column, as wide as the longest
        assert rows[0].startswith(f"  ✗  {LONG}  incompatible  a  ==1.20.0")
        assert rows[1].startswith(f"  ✗  six{' ' * (len(LONG) - 3)}  incompatible  a")
    else:  # too narrow for columns: a line per constraint, the name whole on its own line
        assert rows[0] == f"  ✗ {LONG}  incompatible"
    body = document[document.index("host default") : document.rindex("\n\n")]
    assert all(len(line) <= width for line in body.splitlines())


def test_summary_prints_one_line_per_conflict_worst_first(big: Report) -> None:
    out = render(big, summary=True).splitlines()
    lines = [line for line in out if line.startswith(("  ✗", "  ≠"))]
    assert len(lines) == len(big.conflicts)
    kinds = [c.kind for c in big.conflicts]
    assert [line.startswith("  ✗") for line in lines] == sorted(
        (k is Kind.INCOMPATIBLE for k in kinds), reverse=True
    )
    # the broader incompatible conflict first: its services counted, the fix in a few words
    assert re.fullmatch(
        r"  ✗  duckdb\s+incompatible  12 services  → move out front/admin_ui", lines[0]
    )
    assert re.fullmatch(
        rf"  ✗  {LONG}  incompatible  4 services\s+→ split into 2 groups of 2 and 2 services",
        lines[1],
    )
    assert re.fullmatch(
        r"  ≠  pkg-00\s+pin-mismatch  2 services\s+→ align on 2\.0\.0; re-lock 1 file",
        lines[2],
    )
    # no constraint rows, no plan; the closing line is the usual one
    assert not any("requirements.txt:" in line for line in out)
    assert out[-1].startswith(f"{len(big.conflicts)} conflicts (2 incompatible")


def test_summary_names_the_host_when_there_are_several(scan_tree: ScanTree) -> None:
    out = render(scan_tree(CLASH), summary=True).splitlines()
    lines = [line for line in out if line.startswith(("  ✗", "  ≠"))]
    assert [line.split()[1:4] for line in lines] == [
        ["requests", "incompatible", "2"],
        ["urllib3", "pin-mismatch", "2"],
    ]


def test_a_small_report_is_unchanged_in_shape(tmp_path: Path, scan_tree: ScanTree) -> None:
    out = render(scan_tree(CLASH, root="repo"))
    assert "host web  (python 3.11, linux; config)  api · worker" in out
    assert "  ✗  requests  incompatible  api         ==2.31.0   api/requirements.in:1" in out
    assert (
        "                             2 services  >=1.26     api/requirements.in:2 (+1 more" in out
    )
    assert "plan  split web into 2 groups: [api] [worker]" in out


def test_scan_summary_on_the_command_line(run_cli: RunCli) -> None:
    code, out, _ = run_cli("scan", str(FIXTURES / "demo"), "--summary", "--color", "never")
    assert code == 1
    assert [line.split("→")[1].strip() for line in out.splitlines() if "→" in line] == [
        "move out billing",
        "align on 22.0.0; re-lock 1 file",
        "align on 2.2.1; re-lock 1 file (not verified)",
    ]
