"""Properties, checked on generated input (hypothesis):

- no text makes the requirements parser raise anything but its own error (`ReadError`, for a
  file that cannot be read at all); every other problem is a diagnostic. The same holds for the
  TOML and JSON sources on generated documents of every shape;
- a generated valid requirement line reads as the same name, extras, specifier and marker that
  `packaging` reads, in a requirements file and in a pyproject.toml;
- the satisfiability decision (`conflicts.intersection`, `conflicts.clashing`) agrees with a
  brute-force search over a set of versions with pre-, post-, dev- and local releases and epochs.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from packaging.requirements import Requirement as PackagingRequirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from depcheck.analysis.algebra import clashing, intersection
from depcheck.errors import ReadError
from depcheck.model import SourceFile
from depcheck.sources import ReadOptions, source_for
from depcheck.sources.requirements import RequirementsFileSource

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


def read(root: Path, name: str, data: bytes) -> SourceFile | None:
    """Read `data` as file `name` with its source; None when the source refuses the file."""
    (root / name).write_bytes(data)
    source = source_for(name)
    assert source is not None
    try:
        result = source.read(name, ReadOptions(root=root, include_dev=True, extras=frozenset("*")))
    except ReadError:
        return None
    # diagnostics name files relative to the root, whatever the text asked to include
    assert not any(Path(d.location.path).is_absolute() for d in result.diagnostics)
    return result


# -- the requirements parser on arbitrary text -------------------------------------------------

# characters that mean something to pip's or PEP 508's grammar, so random lines get far
REQUIREMENT_ALPHABET = st.sampled_from(
    [*list("abcXYZ019._-[],;:=<>!~*@ #'\"()\\/+\t\n\r"), "==", ">=", "-r ", "-e ", "--hash=", " ; "]
)
requirement_text = st.one_of(
    st.text(max_size=200),
    st.lists(REQUIREMENT_ALPHABET, max_size=80).map("".join),
)


@given(text=requirement_text)
@SETTINGS
def test_the_requirements_parser_only_ever_reports(workdir: Path, text: str) -> None:
    result = read(workdir, "requirements.txt", text.encode("utf-8", "surrogatepass"))
    if result is not None:
        assert result.format in ("requirements", "pip-compile", "uv-pip-compile")


@given(data=st.binary(max_size=300))
@SETTINGS
def test_the_requirements_parser_on_arbitrary_bytes(workdir: Path, data: bytes) -> None:
    read(workdir, "requirements.txt", data)


# -- the TOML and JSON sources on documents of every shape -------------------------------------

KEYS = [
    "project",
    "dependencies",
    "optional-dependencies",
    "dependency-groups",
    "requires-python",
    "name",
    "version",
    "tool",
    "poetry",
    "uv",
    "group",
    "dev-dependencies",
    "python",
    "markers",
    "extras",
    "source",
    "package",
    "packages",
    "metadata",
    "lock-version",
    "python-versions",
    "marker",
    "resolution-markers",
    "manifest",
    "members",
    "include-group",
    "default",
    "develop",
    "requires",
    "python_version",
    "git",
    "path",
    "url",
    "editable",
    "optional",
    "groups",
    "category",
    "registry",
    "virtual",
    "directory",
    "vcs",
    "dynamic",
    "setuptools",
    "file",
    "created-by",
    "default-groups",
    "x",
]
SCALAR_TEXT = st.one_of(
    st.sampled_from(
        [
            "",
            "*",
            ".",
            "flask",
            "six>=1",
            "^1.2",
            "1.0",
            ">=3.8",
            "main",
            "dev",
            "python_version < '3'",
            "extra == 'a'",
            "==1.0",
            "x[y]",
            "a; b",
            "||",
        ]
    ),
    st.text(max_size=12),
)
scalars = st.one_of(
    SCALAR_TEXT, st.integers(-5, 5), st.booleans(), st.floats(allow_nan=False, allow_infinity=False)
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
    ),
    max_leaves=20,
)
documents = st.dictionaries(st.sampled_from(KEYS), values, min_size=1, max_size=6)


def toml_value(value: Any) -> str:
    """`value` as TOML (inline tables and arrays; JSON string escapes are TOML escapes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, int) else f"{value!r}".replace("inf", "1.0")
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(data: dict[str, Any]) -> str:
    """Tables as `[headers]` where they are tables, so readers see both written forms."""
    lines = [
        f"{json.dumps(k)} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)
    ]
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"[{json.dumps(key)}]")
            lines.extend(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items())
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "name", ["pyproject.toml", "Pipfile", "poetry.lock", "uv.lock", "pylock.toml"]
)
@given(data=documents)
@settings(SETTINGS, max_examples=120)
def test_toml_sources_only_ever_report(workdir: Path, name: str, data: dict[str, Any]) -> None:
    text = toml_document(data)
    result = read(workdir, name, text.encode("utf-8", "surrogatepass"))
    assert result is not None


# lock documents in the shape the lock readers expect, with every field liable to be odd: the
# readers' deeper paths (edges, extras, markers, forks, groups) see such input too
lock_names = st.sampled_from(["a", "b", "c", "proj", "A_b"])
lock_versions = st.sampled_from(["1.0", "2.0", "1.0rc1", "latest", "", "1!2.0"])
lock_markers = st.sampled_from(
    [
        "",
        "python_version < '3'",
        "extra == 'a'",
        "sys_platform == 'win32'",
        "not a marker",
        "'dev' in dependency_groups",
        "extra == 'extra-4-proj-a'",
    ]
)
edge = st.fixed_dictionaries(
    {"name": lock_names},
    optional={
        "marker": lock_markers,
        "markers": lock_markers,
        "extra": st.lists(st.sampled_from(["a", "b"]), max_size=2),
        "extras": st.lists(st.sampled_from(["a", "b"]), max_size=2),
        "version": lock_versions,
        "optional": st.booleans(),
        "python": st.sampled_from(["^3.8", ">=3", "x"]),
    },
)
lock_package = st.fixed_dictionaries(
    {"name": lock_names},
    optional={
        "version": st.one_of(lock_versions, scalars),
        "dependencies": st.one_of(
            st.lists(edge, max_size=3),
            st.dictionaries(lock_names, st.one_of(lock_versions, edge, st.lists(edge, max_size=2))),
            values,
        ),
        "optional-dependencies": st.dictionaries(
            st.sampled_from(["a", "b"]), st.lists(edge, max_size=2), max_size=2
        ),
        "dev-dependencies": st.dictionaries(st.just("dev"), st.lists(edge, max_size=2)),
        "extras": st.one_of(
            st.dictionaries(
                st.sampled_from(["a", "b"]),
                st.lists(st.sampled_from(["a (>=1)", "b", "c ; extra == 'x'"]), max_size=2),
            ),
            values,
        ),
        "source": st.one_of(
            st.sampled_from(
                [
                    {"editable": "."},
                    {"virtual": "."},
                    {"registry": "https://x"},
                    {"git": "https://x?rev=1#abc"},
                    {"type": "git", "url": "u", "reference": "r"},
                ]
            ),
            values,
        ),
        "markers": st.one_of(
            lock_markers, st.dictionaries(st.sampled_from(["main", "dev"]), lock_markers)
        ),
        "marker": lock_markers,
        "groups": st.lists(st.sampled_from(["main", "dev"]), max_size=2),
        "category": st.sampled_from(["main", "dev"]),
        "resolution-markers": st.lists(lock_markers, max_size=2),
        "optional": st.booleans(),
        "directory": st.fixed_dictionaries(
            {"path": st.sampled_from([".", "x"])}, optional={"editable": st.booleans()}
        ),
        "vcs": st.fixed_dictionaries({}, optional={"type": st.just("git"), "url": st.just("u")}),
    },
)
locks = st.fixed_dictionaries(
    {},
    optional={
        "package": st.lists(lock_package, max_size=4),
        "packages": st.lists(lock_package, max_size=4),
        "manifest": st.fixed_dictionaries(
            {}, optional={"members": st.one_of(st.lists(lock_names), values)}
        ),
        "metadata": st.fixed_dictionaries(
            {},
            optional={
                "lock-version": st.sampled_from(["2.1", "1.1", "9"]),
                "python-versions": st.sampled_from(["^3.8", "x", "*"]),
            },
        ),
        "extras": st.one_of(
            st.dictionaries(st.sampled_from(["a", "b"]), st.lists(lock_names)), values
        ),
        "lock-version": st.sampled_from(["1.0", "2.0"]),
        "created-by": st.just("x"),
        "requires-python": st.sampled_from([">=3.8", "x", ""]),
        "version": st.sampled_from([1, 2]),
        "default-groups": st.lists(st.sampled_from(["default", "dev"]), max_size=2),
        "dependency-groups": st.lists(st.just("dev"), max_size=1),
    },
)
SIBLINGS = [
    "",
    "[project]\nname = 'proj'\ndependencies = ['a[a]', 'b; extra == \"a\"']\n"
    "[project.optional-dependencies]\na = ['c']\n",
    "[tool.poetry.dependencies]\na = {version = '*', optional = true, extras = ['a']}\n"
    "b = [{version = '1', python = '^3.8'}, {version = '2', markers = 'bad'}]\n"
    "[tool.poetry.extras]\nx = ['a']\n",
]


@pytest.mark.parametrize("name", ["poetry.lock", "uv.lock", "pylock.toml"])
@given(
    data=locks,
    sibling=st.sampled_from(SIBLINGS),
    include_dev=st.booleans(),
    extras=st.sampled_from([frozenset(), frozenset("*"), frozenset({"a"})]),
)
@settings(SETTINGS, max_examples=150)
def test_lock_readers_only_ever_report_on_lock_shaped_documents(
    workdir: Path,
    name: str,
    data: dict[str, Any],
    sibling: str,
    include_dev: bool,
    extras: frozenset[str],
) -> None:
    """The sibling pyproject.toml that poetry.lock reads names is varied too."""
    (workdir / "pyproject.toml").write_text(sibling, encoding="utf-8")
    (workdir / name).write_text(toml_document(data), encoding="utf-8")
    source = source_for(name)
    assert source is not None
    options = ReadOptions(root=workdir, include_dev=include_dev, extras=extras)
    source.read(name, options)


@given(data=st.one_of(documents, values))
@settings(SETTINGS, max_examples=120)
def test_the_pipfile_lock_source_only_ever_reports(workdir: Path, data: Any) -> None:
    result = read(workdir, "Pipfile.lock", json.dumps(data).encode("utf-8", "surrogatepass"))
    assert result is not None


# -- valid requirement lines read as packaging reads them ----------------------------------------

names = st.from_regex(r"\A[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?\Z")
versions = st.from_regex(
    r"\A([1-9]!)?(0|[1-9][0-9]?)(\.(0|[1-9][0-9]?)){0,2}((a|b|rc)[0-9])?(\.post[0-9])?(\.dev[0-9])?\Z"
)
operators = st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "~="])


@st.composite
def specifiers(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        operator = draw(operators)
        version = draw(versions)
        if operator == "~=" and "." not in version.split("!")[-1]:
            version += ".0"
        if operator in ("==", "!=") and draw(st.booleans()):
            version = version.split("a")[0].split("b")[0].split("rc")[0].split(".post")[0]
            version = version.split(".dev")[0] + ".*"
        space = draw(st.sampled_from(["", " "]))
        parts.append(f"{operator}{space}{version}")
    return ", ".join(parts) if draw(st.booleans()) else ",".join(parts)


MARKER_VARIABLES = [
    "python_version",
    "python_full_version",
    "sys_platform",
    "os_name",
    "platform_machine",
    "implementation_name",
    "extra",
]


@st.composite
def markers(draw: st.DrawFn) -> str:
    atoms = []
    for _ in range(draw(st.integers(1, 3))):
        variable = draw(st.sampled_from(MARKER_VARIABLES))
        operator = draw(st.sampled_from(["==", "!=", "<", ">=", "in", "not in"]))
        value = draw(st.from_regex(r"\A[a-z0-9._]{1,8}\Z"))
        quote = draw(st.sampled_from(["'", '"']))
        atoms.append(f"{variable} {operator} {quote}{value}{quote}")
    joiner = draw(st.sampled_from([" and ", " or "]))
    text = joiner.join(atoms)
    return f"({text})" if draw(st.booleans()) else text


@st.composite
def requirement_lines(draw: st.DrawFn) -> str:
    name = draw(names)
    extras = draw(st.lists(names, max_size=3))
    line = name + (f"[{', '.join(extras)}]" if extras or draw(st.booleans()) else "")
    spec = draw(specifiers())
    if spec:
        line += draw(st.sampled_from(["", " "])) + (f"({spec})" if draw(st.booleans()) else spec)
    if draw(st.booleans()):
        line += draw(st.sampled_from([";", " ; ", "; "])) + draw(markers())
    return line


@given(line=requirement_lines(), indent=st.sampled_from(["", "  ", "\t"]), comment=st.booleans())
@SETTINGS
def test_valid_lines_read_as_packaging_reads_them(
    workdir: Path, line: str, indent: str, comment: bool
) -> None:
    try:
        expected = PackagingRequirement(line)
    except Exception:
        assume(False)
        return
    text = f"# generated\n{indent}{line}{'  # trailing comment' if comment else ''}\n"
    (workdir / "requirements.txt").write_text(text, encoding="utf-8")
    source = RequirementsFileSource().read("requirements.txt", ReadOptions(root=workdir))
    assert source.diagnostics == ()
    (requirement,) = source.requirements
    assert requirement.name == canonicalize_name(expected.name)
    assert requirement.extras == {canonicalize_name(e) for e in expected.extras}
    assert requirement.specifier == expected.specifier
    assert (
        str(requirement.marker) == str(expected.marker)
        if expected.marker
        else (requirement.marker is None)
    )
    assert requirement.location.line == 2

    pyproject = f"[project]\nname = 'generated'\ndependencies = [\n  {json.dumps(line)},\n]\n"
    (workdir / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    declared = source_for("pyproject.toml")
    assert declared is not None
    read_back = declared.read("pyproject.toml", ReadOptions(root=workdir))
    if canonicalize_name(expected.name) == "generated":
        return  # the project naming itself is a self-reference, not a requirement
    assert read_back.diagnostics == ()
    (same,) = read_back.requirements
    assert (same.name, same.extras, same.specifier, str(same.marker)) == (
        requirement.name,
        requirement.extras,
        requirement.specifier,
        str(requirement.marker),
    )
    assert same.location.line == 4


# -- satisfiability against brute force -----------------------------------------------------------

# versions specifiers are written with, and a denser set of candidates around each: between any
# two of the former (and below and above them all) at least one candidate lies, whatever the
# pre-, post-, dev- or local part
BASES = ["1.0", "1.1", "2.0"]
SUFFIXES = ["", "rc1", ".post1", "+cpu", ".dev0"]
WRITTEN = [f"{base}{suffix}" for base in BASES for suffix in SUFFIXES] + ["1!1.0", "1!1.0rc1"]
CANDIDATES = sorted(
    {
        f"{epoch}{base}{suffix}"
        for epoch in ("", "1!")
        for base in ["0.5", "1.0", "1.0.1", "1.0.5", "1.1", "1.1.5", "1.5", "2.0", "2.0.5", "3.0"]
        for suffix in [
            "",
            ".dev0",
            ".dev1",
            "a1",
            "rc1",
            "rc2",
            "+a",
            "+cpu",
            "+cu121",
            ".post0",  # between V (and its local versions) and V.post1
            ".post1",
            ".post2",
            ".post1+cpu",
            "rc1+cpu",
            ".post1.dev0",
        ]
    }
)


@st.composite
def written_specifiers(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 2))):
        operator = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "~=", "==*", "!=*"]))
        version = draw(st.sampled_from(WRITTEN))
        if operator.endswith("*"):
            prefix = version.split("+")[0].split("rc")[0].split(".post")[0].split(".dev")[0]
            parts.append(f"{operator[:2]}{prefix.rsplit('.', 1)[0]}.*")
        elif operator == "~=":
            parts.append(f"~={version.split('+')[0]}")
        elif "+" in version and operator not in ("==", "!="):
            parts.append(f"{operator}{version.split('+')[0]}")
        else:
            parts.append(f"{operator}{version}")
    return ",".join(parts)


def admitted(key: str) -> frozenset[str]:
    specifier = SpecifierSet(key)
    return frozenset(v for v in CANDIDATES if specifier.contains(v, prereleases=True))


def brute_force_clashing(keys: Sequence[str]) -> set[int]:
    """Indices in some minimal subset of `keys` that no candidate satisfies."""
    sets = [admitted(k) for k in keys]

    def unsatisfiable(subset: tuple[int, ...]) -> bool:
        return bool(subset) and not frozenset.intersection(*(sets[i] for i in subset))

    involved: set[int] = set()
    for size in range(1, len(keys) + 1):
        for subset in itertools.combinations(range(len(keys)), size):
            if unsatisfiable(subset) and not any(
                unsatisfiable(tuple(x for x in subset if x != i)) for i in subset
            ):
                involved.update(subset)
    return involved


@given(keys=st.lists(written_specifiers(), min_size=1, max_size=4))
@settings(max_examples=200, deadline=None)
def test_satisfiability_agrees_with_brute_force(keys: list[str]) -> None:
    some_version_fits = bool(frozenset.intersection(*(admitted(k) for k in keys)))
    assert (not intersection(frozenset(keys)).is_empty) is some_version_fits
    # a range admits no version at all on its own: it clashes with the empty set, not a service
    assume(all(admitted(k) for k in keys))
    assert clashing(keys) == brute_force_clashing(keys)
