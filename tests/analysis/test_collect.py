"""Collection: what applies on a host, by package, then by service; pins kept apart."""

from __future__ import annotations

from depcheck.analysis.collect import collect
from depcheck.model import Host, Role
from tests.analysis.test_host import PY311, analyse, req


def test_constraints_only_apply_to_packages_the_service_installs() -> None:
    requirements = {
        "api": [req("urllib3<2", constraint=True), req("flask")],
        "web": [req("urllib3>=2")],
    }
    assert analyse(requirements).conflicts == ()
    requirements["api"].append(req("urllib3"))
    (conflict,) = analyse(requirements).conflicts
    assert conflict.services == ("api", "web")


def test_pins_are_kept_apart_from_constraints_and_markers_decide_in_the_host() -> None:
    pin = req("requests==2.31.0", path="api/requirements.txt", role=Role.LOCKED)
    declared = req("requests>=2.31", path="api/requirements.in")
    windows = req('pywin32>=306 ; sys_platform == "win32"', path="api/requirements.in", line=2)
    packages = collect(Host("web", ("api",), PY311), {"api": [pin, declared, windows]})
    assert sorted(packages) == ["requests"]  # the host runs Linux: pywin32 does not apply
    state = packages["requests"]
    assert state.pins == {"api": [pin]}
    assert state.constraints == {"api": [declared]}
    assert state.display == "requests"


def test_an_override_is_the_only_range_the_service_has_on_its_package() -> None:
    override = req("urllib3>=2", constraint=True).replace(override=True)
    packages = collect(
        Host("web", ("api",), PY311), {"api": [req("urllib3<2", line=2), req("urllib3"), override]}
    )
    assert [r.text for r in packages["urllib3"].constraints["api"]] == ["urllib3>=2"]
