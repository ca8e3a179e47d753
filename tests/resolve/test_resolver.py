"""The resolver over real index facts: verdicts, proofs as data, host environments."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from depcheck.model import Environment, Location
from depcheck.resolve.cache import Cache
from depcheck.resolve.facts import FactStore
from depcheck.resolve.index import IndexSettings
from depcheck.resolve.resolver import Need, Origin, Proof, resolve
from tests.resolve.server import PackageIndex

LINUX_311 = Environment("3.11", "3.11.9", "linux", "posix", "Linux")
WINDOWS_312 = Environment("3.12", "3.12.4", "win32", "nt", "Windows", platform_machine="AMD64")


def needs(service: str, *texts: str) -> list[Need]:
    result = []
    for line, text in enumerate(texts, start=1):
        requirement = Requirement(text)
        result.append(
            Need(
                canonicalize_name(requirement.name),
                frozenset(requirement.extras),
                requirement.specifier,
                Origin(service, Location(f"{service}/requirements.in", line), text),
            )
        )
    return result


def prove(
    index: PackageIndex, tmp_path: Path, wanted: list[Need], env: Environment = LINUX_311
) -> Proof:
    settings = IndexSettings(index_url=index.url, cache_dir=tmp_path / "cache")
    with FactStore(settings, cache=Cache(tmp_path / "cache")) as store:
        return resolve(wanted, store, env)


def test_transitive_clash_is_traced_to_both_services(index: PackageIndex, tmp_path: Path) -> None:
    index.add("botocore", "1.34.0", ["urllib3<2.1,>=1.25.4"])
    for version in ("1.26.18", "2.0.7", "2.2.1"):
        index.add("urllib3", version)
    proof = prove(index, tmp_path, needs("api", "botocore==1.34.0") + needs("auth", "urllib3>=2.2"))
    assert not proof.resolves
    by_service = {c.service: c for c in proof.causes}
    assert set(by_service) == {"api", "auth"}
    assert by_service["api"].via == ("botocore 1.34.0",)
    assert by_service["api"].requirement == "urllib3<2.1,>=1.25.4"
    assert by_service["api"].location == Location("api/requirements.in", 1)
    assert by_service["auth"].via == ()


def test_resolves_and_records_parents(index: PackageIndex, tmp_path: Path) -> None:
    index.add("botocore", "1.34.0", ["urllib3<2.1,>=1.25.4"], metadata=True)
    index.add("urllib3", "2.0.7")
    index.add("urllib3", "2.2.1")
    proof = prove(index, tmp_path, needs("api", "botocore==1.34.0"))
    assert proof.pins == {
        "botocore": __import__("packaging.version").version.Version("1.34.0"),
        "urllib3": __import__("packaging.version").version.Version("2.0.7"),
    }
    assert proof.parents["urllib3"] == ("botocore",)
    assert proof.parents["botocore"] == ("",)


def test_markers_in_metadata_are_the_hosts(index: PackageIndex, tmp_path: Path) -> None:
    index.add(
        "tool", "1.0", ["winlib<1; sys_platform == 'win32'", "posixlib>=2; sys_platform != 'win32'"]
    )
    index.add("winlib", "0.5")
    index.add("winlib", "1.5")
    index.add("posixlib", "2.0")
    wanted = needs("a", "tool") + needs("b", "winlib>=1")
    assert prove(index, tmp_path, wanted, LINUX_311).resolves
    windows = prove(index, tmp_path, wanted, WINDOWS_312)
    assert not windows.resolves
    assert {c.service for c in windows.causes} == {"a", "b"}


def test_extras_in_metadata(index: PackageIndex, tmp_path: Path) -> None:
    index.add("client", "1.0", ["socks<1; extra == 'proxy'"], extras=["proxy"])
    index.add("socks", "0.9")
    index.add("socks", "1.2")
    assert prove(index, tmp_path, needs("a", "client") + needs("b", "socks>=1")).resolves
    proof = prove(index, tmp_path, needs("a", "client[proxy]") + needs("b", "socks>=1"))
    assert not proof.resolves
    cause = next(c for c in proof.causes if c.service == "a")
    assert cause.via == ("client 1.0",)


def test_index_gap(index: PackageIndex, tmp_path: Path) -> None:
    index.add("alpha", "1.0")
    index.add("alpha", "1.1")
    proof = prove(index, tmp_path, needs("a", "alpha>1.0") + needs("b", "alpha<1.1"))
    assert not proof.resolves
    assert {c.service for c in proof.causes} == {"a", "b"}


def test_requires_python_of_the_host(index: PackageIndex, tmp_path: Path) -> None:
    index.add("modern", "2.0", requires_python=">=3.12", page_requires_python=False)
    index.add("modern", "1.0")
    proof = prove(index, tmp_path, needs("a", "modern>=2"))
    assert not proof.resolves
    assert any(c.package == "python" and c.via == ("modern 2.0",) for c in proof.causes)
    assert prove(index, tmp_path, needs("a", "modern>=2"), WINDOWS_312).resolves


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (["pre"], "1.0"),  # finals first
        (["pre>=2.0b1"], "2.0b2"),  # asked for explicitly
        (["pre>1.0"], "2.0b2"),  # no final satisfies: pre-releases become candidates
    ],
)
def test_pre_releases(
    index: PackageIndex, tmp_path: Path, wanted: list[str], expected: str
) -> None:
    index.add("pre", "1.0")
    index.add("pre", "2.0b2")
    proof = prove(index, tmp_path, needs("a", *wanted))
    assert proof.pins is not None and str(proof.pins["pre"]) == expected


def test_local_versions_and_epochs(index: PackageIndex, tmp_path: Path) -> None:
    index.add("torchy", "2.1.0+cpu")
    index.add("epochal", "1!0.5")
    index.add("epochal", "3.0")
    proof = prove(index, tmp_path, needs("a", "torchy==2.1.0", "epochal>=2"))
    assert proof.pins is not None
    assert str(proof.pins["torchy"]) == "2.1.0+cpu"
    assert str(proof.pins["epochal"]) == "1!0.5"


def test_yanked_only_for_exact_pins(index: PackageIndex, tmp_path: Path) -> None:
    index.add("yank", "1.0")
    index.add("yank", "1.1", yanked=True)
    loose = prove(index, tmp_path, needs("a", "yank"))
    assert loose.pins is not None and str(loose.pins["yank"]) == "1.0"
    exact = prove(index, tmp_path, needs("a", "yank==1.1"))
    assert exact.pins is not None and str(exact.pins["yank"]) == "1.1"


def test_platform_wheels_for_the_host_not_the_interpreter(
    index: PackageIndex, tmp_path: Path
) -> None:
    index.add("native", "1.0", ["onlywin"], tag="cp312-cp312-win_amd64")
    index.add("native", "1.0", ["onlylinux"], tag="cp311-cp311-manylinux_2_17_x86_64")
    index.add("onlylinux", "1.0")
    index.add("onlywin", "1.0")
    linux = prove(index, tmp_path, needs("a", "native"), LINUX_311)
    windows = prove(index, tmp_path, needs("a", "native"), WINDOWS_312)
    assert linux.pins is not None and "onlylinux" in linux.pins
    assert windows.pins is not None and "onlywin" in windows.pins
