"""setup.cfg: install_requires, extras_require, python_requires, `file:`, and their lines."""

from __future__ import annotations

import textwrap
from pathlib import Path

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

from depcheck.model import Role, Severity, SourceFile
from depcheck.sources import source_for
from depcheck.sources.interface import ReadOptions
from depcheck.sources.setup_cfg import SetupCfgSource, scan_layout, split_requirements
from tests.conftest import FIXTURES

HERE = FIXTURES / "sources" / "setup.cfg"


def read(root: Path, text: str, *, extras: tuple[str, ...] = ()) -> SourceFile:
    (root / "setup.cfg").write_text(textwrap.dedent(text), encoding="utf-8")
    return SetupCfgSource().read("setup.cfg", ReadOptions(root=root, extras=frozenset(extras)))


def read_fixture(name: str, *, extras: tuple[str, ...] = ()) -> SourceFile:
    return SetupCfgSource().read(
        f"{name}/setup.cfg", ReadOptions(root=HERE, extras=frozenset(extras))
    )


def lines(source: SourceFile) -> list[tuple[str, int | None]]:
    return [(r.name, r.location.line) for r in source.requirements]


def test_install_requires_one_per_line_with_markers_and_comments() -> None:
    source = read_fixture("library")
    assert source.format == "setup.cfg"
    assert source.role is Role.DECLARED
    assert source.diagnostics == ()
    assert source.requires_python == SpecifierSet(">=3.9")
    assert lines(source) == [
        ("requests", 9),
        ("importlib-metadata", 11),
        ("click", 12),
        ("pyyaml", 13),
    ]
    importlib_metadata = source.requirements[1]
    assert importlib_metadata.marker == Marker('python_version < "3.10"')
    assert importlib_metadata.text == 'importlib-metadata>=6; python_version < "3.10"'
    assert source.requirements[2].text == "click>=8.0"  # the trailing comment is not part of it
    assert source.requirements[0].location.path == "library/setup.cfg"


def test_extras_count_only_when_selected_and_may_name_the_project() -> None:
    assert [r.name for r in read_fixture("library", extras=("S3",)).requirements][4:] == ["boto3"]
    everything = read_fixture("library", extras=("all",))
    assert lines(everything)[4:] == [("boto3", 17)]  # report-lib[s3] pulls in extra s3


def test_one_line_value_is_split_at_semicolons() -> None:
    source = read_fixture("library", extras=("testing",))
    assert lines(source)[4:] == [("pytest", 20), ("coverage", 20)]
    assert source.requirements[5].extras == frozenset({"toml"})


def test_a_marker_split_off_by_a_semicolon_is_explained(tmp_path: Path) -> None:
    source = read(
        tmp_path,
        """\
        [options]
        install_requires = tomli>=2; python_version < "3.11"
        """,
    )
    assert lines(source) == [("tomli", 2)]
    assert [(d.severity, d.location.line, d.message) for d in source.diagnostics] == [
        (
            Severity.ERROR,
            2,
            "'python_version < \"3.11\"' is a marker, not a requirement: on one line setuptools "
            "splits install_requires at ';' (put each requirement on its own line)",
        )
    ]


def test_invalid_requirements_and_python_requires_are_errors_with_lines(tmp_path: Path) -> None:
    source = read(
        tmp_path,
        """\
        [metadata]
        name = x

        [options]
        python_requires = >=3.9,<
        install_requires =
            good>=1
            bad>=
            also good
            fine

        [options.extras_require]
        dev = ok
        """,
        extras=("nope",),
    )
    assert lines(source) == [("good", 7), ("fine", 10)]
    assert [(d.severity.value, d.location.line, d.message) for d in source.diagnostics] == [
        ("error", 5, "invalid python_requires '>=3.9,<'"),
        ("error", 8, "expected a version after '>=' (in 'bad>=')"),
        (
            "error",
            9,
            "expected semicolon (after name with no version specifier) or end (in 'also good')",
        ),
        ("warning", 12, "extra 'nope' is not defined here (defined: dev)"),
    ]


def test_dash_spelling_is_accepted(tmp_path: Path) -> None:
    source = read(tmp_path, "[options]\ninstall-requires =\n    attrs\n")
    assert lines(source) == [("attrs", 3)]


def test_file_directive_reads_the_requirements_file_as_an_include() -> None:
    source = read_fixture("file-directive")
    assert [(r.name, str(r.location)) for r in source.requirements] == [
        ("oslo-config", "file-directive/requirements.txt:1:1"),
        ("stevedore", "file-directive/requirements.txt:2:1"),
    ]
    assert source.includes == ("file-directive/requirements.txt",)


def test_file_directive_outside_the_root_or_missing_is_an_error(tmp_path: Path) -> None:
    source = read(tmp_path, "[options]\ninstall_requires = file: ../up.txt, missing.txt\n")
    assert source.requirements == ()
    assert [(d.location.line, d.message) for d in source.diagnostics] == [
        (2, "'../up.txt' leaves the scan root (use --allow-outside-root to read it)"),
        (2, "cannot read 'missing.txt': missing.txt file not found"),
    ]


def test_metadata_only_file_reads_as_empty() -> None:
    source = read_fixture("metadata-only")
    assert source.requirements == () and source.diagnostics == ()


def test_broken_ini_is_one_error_with_its_line(tmp_path: Path) -> None:
    duplicate = read(tmp_path, "[options]\na = 1\n\n[options]\nb = 2\n")
    assert [(d.location.line, d.message) for d in duplicate.diagnostics] == [
        (4, "section [options] is defined twice")
    ]
    headless = read(tmp_path, "install_requires = x\n")
    assert [(d.location.line, d.message) for d in headless.diagnostics] == [
        (1, "not an INI file: a [section] header must come first")
    ]
    garbage = read(tmp_path, "[options]\ninstall_requires =\n    a\nnot an option line\n")
    assert [(d.location.line, d.message) for d in garbage.diagnostics] == [
        (4, "cannot parse line 'not an option line'")
    ]
    assert garbage.requirements == ()


def test_scan_layout_follows_configparser() -> None:
    layout = scan_layout(
        "; comment\n[options]\nInstall_Requires : a\n  # skipped\n  b\n\n[other]\nx=1\n"
    )
    assert layout.sections == {"options": 2, "other": 7}
    where = layout.options[("options", "install_requires")]
    assert (where.line, where.values) == (3, [(3, "a"), (5, "b")])


def test_split_requirements_as_setuptools_does() -> None:
    assert split_requirements("\na>=1 # why\n# gone\n\nb; os_name == 'nt'\n") == [
        "a>=1",
        "b; os_name == 'nt'",
    ]
    assert split_requirements("a; b ;c") == ["a", "b", "c"]


def test_setup_cfg_is_registered() -> None:
    assert isinstance(source_for("lib/setup.cfg"), SetupCfgSource)
