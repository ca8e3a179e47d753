"""Encodings and line endings: what pip reads, depcheck reads, with the same line numbers.

pip decodes a requirements file by its BOM (UTF-8, UTF-16, UTF-32), else as UTF-8, else with
the locale's encoding; depcheck falls back to Latin-1 (every byte is a character) with a
warning at the first line that is not UTF-8. Binary files and text that does not decode under
its own BOM are errors.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tests.robustness.conftest import Scan, ScanJson, repository, run_module

TEXT = "# pinned for the old API\nurllib3==1.26.18\nrequests==\n"


def pins(result: Scan) -> set[tuple[str, str]]:
    """(service, requirement as written) of every constraint in a conflict."""
    return {
        (r["service"], r["requirement"])
        for c in result.report["conflicts"]
        for r in c["requirements"]
    }


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
    ],
    ids=["utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "utf-32-le-bom"],
)
def test_a_bom_picks_the_encoding_as_pip_does(
    tmp_path: Path, scan: ScanJson, bom: bytes, encoding: str
) -> None:
    root = repository(tmp_path, {"svc/requirements.txt": bom + TEXT.encode(encoding)})
    result = scan(root)
    assert result.code == 2
    # the BOM is no character of line 1, and the lines count as written
    error = result.only("svc/requirements.txt")
    assert (error["line"], error["column"]) == (3, 11)
    assert ("svc", "urllib3==1.26.18") in pins(result)
    assert ("urllib3", ("api", "svc", "web")) in result.conflicts


def test_latin1_bytes_are_read_with_a_warning_at_their_line(tmp_path: Path, scan: ScanJson) -> None:
    data = "urllib3==1.26.18\n# müller's fork\nsix\n".encode("latin-1")
    result = scan(repository(tmp_path, {"svc/requirements.txt": data}))
    assert result.code == 1
    warning = result.only("svc/requirements.txt", "warning")
    assert (warning["line"], warning["message"]) == (2, "not valid UTF-8; read as Latin-1")
    assert ("svc", "urllib3==1.26.18") in pins(result)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x01\x02urllib3\x00", "looks like a binary file, not text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a binary file, not text"),
        (codecs.BOM_UTF16_LE + b"u\x00r\x00l", "not valid utf-16-le text (truncated data)"),
    ],
    ids=["nul-bytes", "png", "odd-utf-16"],
)
def test_binary_or_undecodable_files_are_errors(
    tmp_path: Path, scan: ScanJson, data: bytes, message: str
) -> None:
    result = scan(repository(tmp_path, {"svc/requirements.txt": data}))
    assert result.code == 2
    error = result.only("svc/requirements.txt")
    assert (error["line"], error["message"]) == (None, message)
    result.assert_healthy_still_analysed()


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"], ids=["crlf", "old-mac-cr", "lf"])
@pytest.mark.parametrize("final_newline", [True, False], ids=["final-newline", "no-final-newline"])
def test_line_endings_and_a_missing_final_newline(
    tmp_path: Path, scan: ScanJson, newline: str, final_newline: bool
) -> None:
    lines = ["# comment", "urllib3==1.26.18 \\", "    ; python_version >= '3'", "requests=="]
    text = newline.join(lines) + (newline if final_newline else "")
    result = scan(repository(tmp_path, {"svc/requirements.txt": text}))
    assert result.code == 2
    error = result.only("svc/requirements.txt")
    assert (error["line"], error["column"]) == (4, 11)
    # the continuation joins lines 2 and 3 into one requirement, located at line 2
    assert ("svc", "urllib3==1.26.18     ; python_version >= '3'") in pins(result)
    assert ("urllib3", ("api", "svc", "web")) in result.conflicts


def test_a_file_ending_in_a_continuation(tmp_path: Path, scan: ScanJson) -> None:
    result = scan(repository(tmp_path, {"svc/requirements.txt": "six\nurllib3==1.26.18 \\"}))
    assert result.code == 1 and result.diagnostics == []
    assert ("svc", "urllib3==1.26.18") in pins(result)


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (codecs.BOM_UTF8 + b"[project]\nname = 'x'\ndependencies = ['urllib3==1.26.18']\n", None),
        ("[project]\r\nname = 'x'\r\ndependencies = ['urllib3==1.26.18']".encode("utf-16"), None),
        ("[project]\nname = 'caf\xe9'\ndependencies = ['urllib3==1.26.18']\n".encode("latin-1"), 2),
    ],
    ids=["utf-8-bom", "utf-16-crlf-no-final-newline", "latin-1"],
)
def test_toml_files_decode_the_same_way(
    tmp_path: Path, scan: ScanJson, data: bytes, line: int | None
) -> None:
    result = scan(repository(tmp_path, {"svc/pyproject.toml": data}))
    assert result.code == 1
    if line is None:
        assert result.diagnostics == []
    else:
        assert result.only("svc/pyproject.toml", "warning")["line"] == line
    assert ("svc", "urllib3==1.26.18") in pins(result)


def test_odd_encodings_through_the_installed_command(tmp_path: Path) -> None:
    root = repository(
        tmp_path,
        {
            "bom/requirements.txt": codecs.BOM_UTF16_LE
            + "urllib3==1.26.18\r\n".encode("utf-16-le"),
            "latin/requirements.txt": b"# \xe9t\xe9\nsix\n",
            "binary/requirements.txt": b"\x00\xff\x00\xfe",
        },
    )
    result = run_module("scan", str(root), "--format", "json")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: binary/requirements.txt: looks like a binary file, not text",
        "warning: latin/requirements.txt:1: not valid UTF-8; read as Latin-1",
    ]
