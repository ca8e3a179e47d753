"""The pip requirements-file source: pip's file grammar, PEP 508 lines, includes, pip-compile output."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from depcheck.errors import ReadError
from depcheck.model import Role, Severity
from depcheck.sources.interface import ReadOptions
from depcheck.sources.requirements import RequirementsFileSource
from depcheck.sources.requirements.lines import iter_logical_lines
from tests.conftest import write_tree


def read(root: Path, path: str = "requirements.txt", **options: bool):  # type: ignore[no-untyped-def]
    return RequirementsFileSource().read(path, ReadOptions(root=root, **options))


def by_name(source):  # type: ignore[no-untyped-def]
    return {r.name: r for r in source.requirements}


def test_logical_lines_join_continuations_and_drop_comments_like_pip() -> None:
    text = "a==1 \\\n  --hash=sha256:x \\\n  --hash=sha256:y\n# c \\\nb>=2  # note\n\nc\\"
    lines = [(entry.line, entry.text) for entry in iter_logical_lines(text)]
    assert lines == [
        (1, "a==1   --hash=sha256:x   --hash=sha256:y"),
        (4, ""),
        (5, "b>=2"),
        (6, ""),
        (7, "c"),
    ]


def test_pep508_lines_keep_name_extras_specifier_marker_and_line(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "requirements.txt": (
                "# header comment\n"
                "\n"
                'requests[socks,Security] >= 2.8.1, == 2.8.* ; python_version < "2.7"  # why\n'
                "My_Package~=1.4.2;sys_platform=='win32'\n"
                "zope.interface===4.1.0\n"
            )
        },
    )
    source = read(tmp_path)
    assert source.role is Role.DECLARED and source.format == "requirements"
    assert source.diagnostics == ()
    requests = by_name(source)["requests"]
    assert requests.specifier == SpecifierSet(">=2.8.1,==2.8.*")
    assert requests.extras == frozenset({"socks", "security"})
    assert str(requests.marker) == 'python_version < "2.7"'
    assert requests.location.line == 3
    package = by_name(source)["my-package"]
    assert package.display_name == "My_Package"
    assert package.location.line == 4
    assert by_name(source)["zope-interface"].specifier == SpecifierSet("===4.1.0")


def test_global_options_are_accepted_and_hashes_follow_requirements(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "requirements.txt": (
                "--index-url https://pypi.org/simple\n"
                "--extra-index-url=https://mirror.example/simple\n"
                "-i https://other.example/simple\n"
                "-f ./wheels\n"
                "--find-links=https://example.com/links\n"
                "--no-binary :all:\n"
                "--only-binary=numpy\n"
                "--prefer-binary\n"
                "--pre\n"
                "--trusted-host mirror.example\n"
                "--require-hashes\n"
                "--no-index\n"
                "Django==4.2 \\\n"
                "    --hash=sha256:aaaa \\\n"
                "    --hash=sha256:bbbb\n"
                "urllib3==1.26.0 --hash=sha256:cccc\n"
            )
        },
    )
    source = read(tmp_path)
    assert source.diagnostics == ()
    assert by_name(source)["django"].location.line == 13
    assert by_name(source)["urllib3"].specifier == SpecifierSet("==1.26.0")


def test_direct_references_editables_and_local_paths(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "requirements.txt": (
                "mylib @ git+https://github.com/org/mylib.git@v1.0#subdirectory=pkg\n"
                "-e ./libs/common\n"
                "-e git+https://github.com/org/thing.git#egg=Thing_Pkg\n"
                "./local/pkg\n"
                "https://example.com/pkgs/Foo_Bar-1.0-py3-none-any.whl\n"
                'https://example.com/x/baz-2.0.tar.gz ; sys_platform == "linux"\n'
            )
        },
    )
    source = read(tmp_path)
    names = by_name(source)
    assert names["mylib"].url == "git+https://github.com/org/mylib.git@v1.0#subdirectory=pkg"
    assert names["thing-pkg"].editable
    assert names["foo-bar"].specifier == SpecifierSet("==1.0")
    assert names["baz"].specifier == SpecifierSet("==2.0")
    assert str(names["baz"].marker) == 'sys_platform == "linux"'
    assert [(o.text, o.editable, o.location.line) for o in source.opaque] == [
        ("./libs/common", True, 2),
        ("./local/pkg", False, 4),
    ]


def test_includes_are_relative_to_the_including_file_and_keep_their_own_lines(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "svc/requirements.txt": "-r requirements/base.txt\n-c ../constraints.txt\nflask>=3\n",
            "svc/requirements/base.txt": "\n\nnumpy>=1.26\n--requirement=more.txt\n",
            "svc/requirements/more.txt": "scipy\n",
            "constraints.txt": "numpy<2\nflask<4\n",
        },
    )
    source = read(tmp_path, "svc/requirements.txt")
    assert source.diagnostics == ()
    assert set(source.includes) == {
        "svc/requirements/base.txt",
        "svc/requirements/more.txt",
        "constraints.txt",
    }
    found = {
        (r.name, r.location.path, r.location.line, r.constraint_only) for r in source.requirements
    }
    assert found == {
        ("numpy", "svc/requirements/base.txt", 3, False),
        ("scipy", "svc/requirements/more.txt", 1, False),
        ("numpy", "constraints.txt", 1, True),
        ("flask", "constraints.txt", 2, True),
        ("flask", "svc/requirements.txt", 3, False),
    }


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"requirements.txt": "-r a.txt\n", "a.txt": "-r requirements.txt\n"}, "include cycle: "),
        ({"requirements.txt": "-r requirements.txt\n"}, "include cycle: requirements.txt"),
        ({"requirements.txt": "-r missing.txt\n"}, "cannot include 'missing.txt'"),
        ({"requirements.txt": "-c ../outside.txt\n"}, "leaves the scan root"),
        ({"requirements.txt": "--frobnicate x\n"}, "unknown option '--frobnicate'"),
        ({"requirements.txt": "-r\n"}, "option -r requires a value"),
        ({"requirements.txt": "requests --index-url x\n"}, "cannot follow a requirement"),
        ({"requirements.txt": "--hash=sha256:x\n"}, "must follow a requirement"),
        ({"requirements.txt": "requests==\n"}, "expected a version after '=='"),
        ({"requirements.txt": "requests[ext\n"}, "expected matching right_bracket"),
        ({"requirements.txt": "requests>=1.0;;\n"}, "expected a marker variable"),
        ({"requirements.txt": "foo==1.0.*.post1\n"}, "expected comma"),
    ],
)
def test_errors_name_the_file_and_line_and_the_rest_is_read(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    files = dict(files)
    files["requirements.txt"] = files["requirements.txt"] + "flask>=3\n"
    write_tree(tmp_path, files)
    source = read(tmp_path)
    errors = [d for d in source.diagnostics if d.severity is Severity.ERROR]
    assert errors, source.diagnostics
    assert message.lower() in errors[0].message.lower()
    assert errors[0].location.path in files
    assert errors[0].location.line is not None
    assert "flask" in by_name(source)


def test_syntax_error_column_points_at_the_problem(tmp_path: Path) -> None:
    write_tree(tmp_path, {"requirements.txt": "flask\n  requests==\n"})
    (error,) = read(tmp_path).diagnostics
    assert str(error.location) == "requirements.txt:2:13"
    assert error.message == "expected a version after '==' (in 'requests==')"


def test_outside_root_include_is_followed_when_allowed(tmp_path: Path) -> None:
    write_tree(tmp_path, {"repo/requirements.txt": "-r ../shared.txt\n", "shared.txt": "six\n"})
    source = RequirementsFileSource().read(
        "requirements.txt", ReadOptions(root=tmp_path / "repo", allow_outside_root=True)
    )
    assert source.diagnostics == ()
    assert [r.name for r in source.requirements] == ["six"]


def test_pip_compile_output_is_locked_with_via_edges(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "requirements.txt": (
                "#\n"
                "# This file is autogenerated by pip-compile with Python 3.11\n"
                "# by the following command:\n"
                "#\n"
                "#    pip-compile --generate-hashes requirements.in\n"
                "#\n"
                "boto3==1.34.0 \\\n"
                "    --hash=sha256:aaaa\n"
                "    # via -r requirements.in\n"
                "botocore==1.34.0 \\\n"
                "    --hash=sha256:bbbb\n"
                "    # via\n"
                "    #   boto3\n"
                "    #   s3transfer\n"
                "urllib3==1.26.18\n"
                "    # via\n"
                "    #   -c constraints.txt\n"
                "    #   botocore\n"
                "\n"
                "# The following packages are considered to be unsafe in a requirements file:\n"
                "# setuptools\n"
            )
        },
    )
    source = read(tmp_path)
    assert source.role is Role.LOCKED and source.format == "pip-compile"
    pins = by_name(source)
    assert pins["boto3"].direct and not pins["botocore"].direct and not pins["urllib3"].direct
    assert all(r.role is Role.LOCKED for r in source.requirements)
    edges = {(d.parent, d.parent_version, d.child) for d in source.dependencies}
    assert edges == {
        ("boto3", "1.34.0", "botocore"),
        ("s3transfer", None, "botocore"),
        ("botocore", "1.34.0", "urllib3"),
    }
    # the edges are a sequence made on first read: indexable, sized, equal to their tuple
    edges_made = tuple(source.dependencies)
    assert len(source.dependencies) == 3 and source.dependencies[0] == edges_made[0]
    assert source.dependencies == edges_made and source.dependencies[1:] == edges_made[1:]
    assert edges_made[0].location.path == "requirements.txt"


def test_uv_output_and_line_annotation_style(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "requirements.txt": (
                "# This file was autogenerated by uv via the following command:\n"
                "#    uv pip compile requirements.in -o requirements.txt\n"
                "certifi==2024.2.2        # via requests\n"
                "requests==2.31.0         # via -r requirements.in\n"
                "idna==3.6                # via -r requirements.in, requests\n"
            )
        },
    )
    source = read(tmp_path)
    assert source.format == "uv-pip-compile"
    pins = by_name(source)
    assert not pins["certifi"].direct and pins["requests"].direct and pins["idna"].direct
    assert {(d.parent, d.child) for d in source.dependencies} == {
        ("requests", "certifi"),
        ("requests", "idna"),
    }


def test_via_comments_alone_mark_a_file_as_locked(tmp_path: Path) -> None:
    write_tree(tmp_path, {"requirements.txt": "six==1.16.0\n    # via python-dateutil\n"})
    source = read(tmp_path)
    assert source.role is Role.LOCKED
    assert not by_name(source)["six"].direct


@pytest.mark.parametrize(
    ("data", "warned"),
    [
        (b"\xef\xbb\xbfrequests==2.0\r\nflask\r\n", False),
        ("requests==2.0\nflask\n".encode("utf-16"), False),
        (b"# caf\xe9\nrequests==2.0\nflask", True),
    ],
    ids=["utf8-bom-crlf", "utf16-bom", "latin1-no-final-newline"],
)
def test_encodings_pip_accepts(tmp_path: Path, data: bytes, warned: bool) -> None:
    (tmp_path / "requirements.txt").write_bytes(data)
    source = read(tmp_path)
    assert set(by_name(source)) == {"requests", "flask"}
    assert by_name(source)["requests"].location.line == (2 if warned else 1)
    assert bool(source.diagnostics) is warned


def test_unreadable_inputs_raise_source_error(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").mkdir()
    with pytest.raises(ReadError, match="is a directory"):
        read(tmp_path)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "requirements.txt").write_bytes(b"\x00\x01binary\x00")
    with pytest.raises(ReadError, match="binary"):
        read(tmp_path, "b/requirements.txt")
    with pytest.raises(ReadError, match="file not found"):
        read(tmp_path, "c/requirements.txt")
