"""resolve/facts.py: core metadata read from a wheel's METADATA or an index's PEP 658 file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from depcheck.resolve.facts import metadata_from_wheel, parse_metadata
from depcheck.resolve.index import FileLink
from tests.resolve.builders import build_wheel


def _link(name: str, version: str) -> FileLink:
    filename = f"{name}-{version}-py3-none-any.whl"
    return FileLink(
        canonicalize_name(name), Version(version), filename, f"http://x/{filename}", True
    )


def test_a_wheel_s_metadata_is_read_from_the_zip(tmp_path: Path) -> None:
    wheel = build_wheel(
        tmp_path,
        "Botocore",
        "1.34.0",
        requires=["urllib3<2.1", "jmespath>=0.7"],
        requires_python=">=3.8",
    )
    link = _link("botocore", "1.34.0")
    metadata, warnings = parse_metadata(
        metadata_from_wheel(wheel.read_bytes(), link), link, "wheel METADATA"
    )
    assert warnings == []
    assert metadata.name == "botocore" and metadata.version == Version("1.34.0")
    assert [str(r) for r in metadata.requires_dist] == ["urllib3<2.1", "jmespath>=0.7"]
    assert metadata.requires_python == SpecifierSet(">=3.8")
    assert metadata.origin == "wheel METADATA"


def test_invalid_lines_are_skipped_with_a_warning() -> None:
    link = _link("alpha", "1.0")
    text = (
        b"Metadata-Version: 2.1\nName: alpha\nVersion: 1.0\n"
        b"Requires-Dist: beta (>=1\nRequires-Dist: gamma>=2\nRequires-Python: >=3.x\n"
    )
    metadata, warnings = parse_metadata(text, link, "index metadata")
    assert [str(r) for r in metadata.requires_dist] == ["gamma>=2"]
    assert metadata.requires_python is None
    assert any("invalid Requires-Dist 'beta (>=1'" in w for w in warnings)
    assert any("invalid Requires-Python '>=3.x'" in w for w in warnings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"Metadata-Version: 2.1\nVersion: 1.0\n", "no Name or Version field"),
        (b"Metadata-Version: 2.1\nName: alpha\nVersion: one\n", "invalid Version 'one'"),
        (b"Metadata-Version: 2.1\nName: other\nVersion: 1.0\n", "describes other 1.0"),
    ],
)
def test_metadata_that_is_not_the_file_s_is_refused(text: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_metadata(text, _link("alpha", "1.0"), "index metadata")


def test_a_file_that_is_not_a_wheel_is_refused() -> None:
    with pytest.raises(ValueError, match="not a zip archive"):
        metadata_from_wheel(b"PK\x03\x04 not really", _link("alpha", "1.0"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("alpha/__init__.py", "")
    with pytest.raises(ValueError, match="no single"):
        metadata_from_wheel(buffer.getvalue(), _link("alpha", "1.0"))
