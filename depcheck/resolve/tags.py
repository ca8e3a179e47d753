"""Which wheels a host can install: the tags of the host's interpreter and platform.

`packaging.tags.sys_tags()` describes the *running* interpreter; a host is usually another one
(CPython 3.11 on linux x86_64 while depcheck runs on 3.12 on macOS). So we build the tag list
for the host from `packaging.tags.cpython_tags` / `compatible_tags`, passing the host's Python
version, ABI and platform tags explicitly (the ABI is passed too: left out, packaging would ask
the running interpreter's sysconfig).

Platform tags are derived from the host's `sys_platform` and `platform_machine`. For linux we
assume a glibc host (the manylinux tags up to glibc 2.39, then the legacy manylinux aliases, then
`linux_<arch>`); depcheck's topology does not know the libc, and musl hosts are rare on servers.
macOS: 10.9 to 15 for the host's arch and universal2. Windows: win_amd64 / win_arm64 / win32.
"""

from __future__ import annotations

from functools import lru_cache

from packaging.tags import Tag, compatible_tags, cpython_tags, parse_tag

from depcheck.model import Environment

_GLIBC_NEWEST = 39
_LEGACY_MANYLINUX = {"x86_64": (17, 12, 5), "i686": (17, 12, 5), "aarch64": (17,)}
_LEGACY_NAMES = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


def _arch(machine: str) -> str:
    machine = machine.lower()
    return {"amd64": "x86_64", "arm64": "aarch64", "x64": "x86_64"}.get(machine, machine)


def platform_tags(sys_platform: str, machine: str) -> list[str]:
    """The platform tags a host accepts, most specific first."""
    arch = _arch(machine)
    if sys_platform.startswith("linux"):
        tags = [f"manylinux_2_{minor}_{arch}" for minor in range(_GLIBC_NEWEST, 4, -1)]
        for minor in _LEGACY_MANYLINUX.get(arch, ()):
            legacy = f"{_LEGACY_NAMES[minor]}_{arch}"
            tags.insert(tags.index(f"manylinux_2_{minor}_{arch}") + 1, legacy)
        tags.append(f"linux_{arch}")
        return tags
    if sys_platform == "darwin":
        mac_arch = "arm64" if arch == "aarch64" else arch
        tags = []
        versions = [(major, 0) for major in range(15, 10, -1)] + [(10, m) for m in range(16, 8, -1)]
        for major, minor in versions:
            tags.append(f"macosx_{major}_{minor}_{mac_arch}")
            tags.append(f"macosx_{major}_{minor}_universal2")
        return tags
    if sys_platform == "win32":
        return {"x86_64": ["win_amd64"], "aarch64": ["win_arm64"]}.get(arch, ["win32"])
    return [f"{sys_platform}_{arch}"]


@lru_cache(maxsize=64)
def _ranked(
    python_version: str, implementation: str, sys_platform: str, machine: str
) -> dict[Tag, int]:
    major, minor = (int(part) for part in python_version.split(".")[:2])
    platforms = platform_tags(sys_platform, machine)
    tags: list[Tag] = []
    if implementation == "cpython":
        tags.extend(cpython_tags((major, minor), abis=[f"cp{major}{minor}"], platforms=platforms))
        interpreter = f"cp{major}{minor}"
    else:
        interpreter = f"pp{major}{minor}"
    tags.extend(compatible_tags((major, minor), interpreter, platforms))
    ranked: dict[Tag, int] = {}
    for rank, tag in enumerate(tags):
        ranked.setdefault(tag, rank)
    return ranked


def host_tags(environment: Environment) -> dict[Tag, int]:
    """Each tag the host accepts, with its rank (0 = most preferred)."""
    return _ranked(
        environment.python_version,
        environment.implementation_name,
        environment.sys_platform,
        environment.platform_machine,
    )


def wheel_rank(filename: str, environment: Environment) -> int | None:
    """How well a wheel fits the host (lower is better), or None when the host can't install it."""
    parts = filename.removesuffix(".whl").split("-")
    if not filename.endswith(".whl") or len(parts) not in (5, 6):
        return None  # not a wheel's name (`{name}-{version}(-{build})?-{py}-{abi}-{platform}`)
    return _tags_rank("-".join(parts[-3:]), environment)


@lru_cache(maxsize=4096)
def _tags_rank(tags: str, environment: Environment) -> int | None:
    """The rank of a wheel's compressed tag set (`cp311-cp311-manylinux_2_17_x86_64`): a
    project's wheels share a few dozen tag sets across thousands of files, so each is parsed
    once (a warm run over PyPI ranks ~100,000 wheels)."""
    try:
        parsed = parse_tag(tags)
    except ValueError:
        return None
    ranked = host_tags(environment)
    ranks = [ranked[tag] for tag in parsed if tag in ranked]
    return min(ranks) if ranks else None
