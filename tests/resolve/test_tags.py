"""Which wheels a host installs: the host's Python and platform, never the running interpreter's."""

from __future__ import annotations

import pytest

from depcheck.model import Environment
from depcheck.resolve.tags import platform_tags, wheel_rank

LINUX_311 = Environment("3.11", "3.11.9", "linux", "posix", "Linux", "x86_64")
WINDOWS_312 = Environment("3.12", "3.12.3", "win32", "nt", "Windows", "AMD64")


@pytest.mark.parametrize(
    ("wheel", "on_linux", "on_windows"),
    [
        ("pkg-1.0-py3-none-any.whl", True, True),
        ("pkg-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", True, False),
        ("pkg-1.0-cp38-abi3-manylinux_2_17_x86_64.whl", True, False),
        ("pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", False, False),
        ("pkg-1.0-cp312-cp312-win_amd64.whl", False, True),
        ("pkg-1.0-cp311-abi3-manylinux_2_17_aarch64.whl", False, False),
    ],
)
def test_a_wheel_installs_only_where_its_tags_match(
    wheel: str, on_linux: bool, on_windows: bool
) -> None:
    assert (wheel_rank(wheel, LINUX_311) is not None) is on_linux
    assert (wheel_rank(wheel, WINDOWS_312) is not None) is on_windows


def test_a_specific_wheel_ranks_before_a_universal_one() -> None:
    specific = wheel_rank("pkg-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", LINUX_311)
    stable_abi = wheel_rank("pkg-1.0-cp38-abi3-manylinux_2_17_x86_64.whl", LINUX_311)
    universal = wheel_rank("pkg-1.0-py3-none-any.whl", LINUX_311)
    assert specific is not None and stable_abi is not None and universal is not None
    assert specific < stable_abi < universal


def test_platform_tags_per_system() -> None:
    assert platform_tags("linux", "x86_64")[0] == "manylinux_2_39_x86_64"
    assert platform_tags("linux", "x86_64")[-1] == "linux_x86_64"
    assert platform_tags("win32", "AMD64") == ["win_amd64"]
    assert platform_tags("darwin", "arm64")[:2] == ["macosx_15_0_arm64", "macosx_15_0_universal2"]
