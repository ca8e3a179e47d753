"""Collection: what applies on a host, by package, then by service; pins kept apart."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet

from depcheck.analysis import host as host_module
from depcheck.analysis.algebra import FULL
from depcheck.analysis.collect import collect
from depcheck.analysis.host import _agrees
from depcheck.model import (
    ANY_KEY,
    KIND_MARKED,
    KIND_OTHER,
    KIND_PIN,
    KIND_RANGE,
    Host,
    Requirement,
    Role,
    requirement_kind,
)
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


# what the host fast path (`collect(..., agreeing=False)`) must keep: every package a rule can
# find anything in, with the state the full grouping gives it; drawn from lines that share
# parses (as a source's cache makes them share) and that do not
_NAMES = ("a", "b", "python")
_SPECS = ("", "==1.0", "==1.0.0", "==2.0", ">=1", "<2", ">=3", "===weird", "==1.*", ">=1,<1")
_MARKERS = ("", ' ; sys_platform == "win32"', ' ; sys_platform == "linux"')
_SHARED = {}


def _line(draw) -> Requirement:  # type: ignore[no-untyped-def]
    text = draw(st.sampled_from(_NAMES)) + draw(st.sampled_from(_SPECS))
    text += draw(st.sampled_from(_MARKERS))
    role = draw(st.sampled_from((Role.DECLARED, Role.LOCKED)))
    made = req(text, role=role, line=draw(st.integers(1, 3)))
    how = draw(st.sampled_from(("plain", "plain", "plain", "shared", "parent", "c", "override")))
    if how == "shared":  # one parse behind every requirement with this text
        parsed = _SHARED.setdefault(text, made.parsed)
        return Requirement.of(parsed, "shared.txt", made.line, 0, role, True, False)
    if how == "parent":
        return made.replace(parent=draw(st.sampled_from(_NAMES)))
    if how == "c":
        return made.replace(constraint_only=True)
    if how == "override":
        return made.replace(constraint_only=True, override=True)
    return made


@st.composite
def _hosts(draw) -> dict[str, list[Requirement]]:  # type: ignore[no-untyped-def]
    services = draw(st.integers(1, 4))
    return {f"s{i}": [_line(draw) for _ in range(draw(st.integers(0, 6)))] for i in range(services)}


@settings(max_examples=400, deadline=None)
@given(_hosts())
def test_the_fast_path_keeps_every_package_a_rule_can_find_anything_in(requirements) -> None:  # type: ignore[no-untyped-def]
    host = Host("web", tuple(sorted(requirements)), PY311)
    full = collect(host, requirements)
    fast = collect(host, requirements, agreeing=False)
    assert set(fast) <= set(full)
    for name, state in full.items():
        if name == "python" or not _agrees(state):
            assert name in fast
    for name, state in fast.items():
        assert (state.pins, state.constraints, state.display) == (
            full[name].pins,
            full[name].constraints,
            full[name].display,
        )
        assert state.keys == full[name].keys and state.versions == full[name].versions
    # and what the host's analysis finds is what the full grouping finds
    assert analyse(requirements) == _analyse_full(requirements)


def _analyse_full(requirements):  # type: ignore[no-untyped-def]
    original = host_module.collect
    host_module.collect = lambda host, by_service, agreeing=True: original(host, by_service)
    try:
        return analyse(requirements)
    finally:
        host_module.collect = original


def test_each_requirement_knows_its_kind_however_it_is_made() -> None:
    assert ANY_KEY == FULL
    plain = req("a==1.0", role=Role.LOCKED)
    made = [
        plain,
        req('a>=1 ; sys_platform == "linux"'),
        req("a", role=Role.LOCKED),
        Requirement.of(plain.parsed, "x.txt", 1, 0, Role.LOCKED, True, False),
        Requirement.of(plain.parsed, "x.txt", 1, 0, Role.DECLARED, True, True),
        Requirement.of(req("a").parsed, "x.txt", 1, 0, Role.LOCKED, True, False),
        plain.replace(parent="b"),
        plain.replace(override=True, constraint_only=True),
        plain.replace(specifier=SpecifierSet(">=1")),
    ]
    expected = [KIND_PIN, KIND_RANGE + KIND_MARKED, KIND_OTHER, KIND_PIN, KIND_OTHER]
    expected += [KIND_OTHER, KIND_RANGE, KIND_OTHER, KIND_RANGE]
    assert [r.kind for r in made] == expected
    for r in made:
        assert r.kind == requirement_kind(r.parsed, r.role, r.parent, r.constraint_only, r.override)
