"""The path model: where a path of the image comes from, through mounts and earlier stages."""

from __future__ import annotations

from pathlib import Path

from depcheck.fs import Tree
from depcheck.topology.deploy.dockerfile.paths import (
    ImageModel,
    Mount,
    Opaque,
    RepoPath,
    Stage,
    StagePath,
    is_under,
)
from tests.conftest import write_tree


def model(root: Path) -> tuple[ImageModel, Stage, Stage]:
    write_tree(
        root,
        {
            "services/api/requirements.txt": "flask\n",
            "services/api/pyproject.toml": "[project]\nname = 'api'\n",
        },
    )
    images = ImageModel(Tree(root), "Dockerfile", ".", {}, "Dockerfile", 10)
    build = Stage(0, "Build", 1, "python:3.12")
    runtime = Stage(1, None, 5, "python:3.12-slim", workdir="/srv")
    images.stages.extend([build, runtime])
    build.mounts.append(Mount("/app", RepoPath("services/api"), True))
    build.mounts.append(Mount("/app/generated.txt", Opaque("written by a heredoc"), False))
    runtime.mounts.append(Mount("/code", StagePath(build, "/app"), True))
    return images, build, runtime


def test_a_directory_mount_maps_the_files_under_it(tmp_path: Path) -> None:
    images, build, _ = model(tmp_path)
    found = images.lookup(build, "/app/requirements.txt")
    assert found == RepoPath("services/api/requirements.txt")
    assert images.lookup(build, "/app/missing.txt") is None
    # the later mount of one file wins over the directory's
    assert images.lookup(build, "/app/generated.txt") == Opaque("written by a heredoc")


def test_a_path_of_an_earlier_stage_resolves_through_that_stage(tmp_path: Path) -> None:
    images, build, runtime = model(tmp_path)
    assert images.lookup(runtime, "/code/requirements.txt") == RepoPath(
        "services/api/requirements.txt"
    )
    unknown = images.resolve(StagePath(build, "/nowhere"))
    assert isinstance(unknown, Opaque) and "stage Build" in unknown.why


def test_a_directory_holding_project_files_from_one_place_is_that_place(tmp_path: Path) -> None:
    images, _, runtime = model(tmp_path)
    runtime.mounts.append(
        Mount("/proj/pyproject.toml", RepoPath("services/api/pyproject.toml"), False)
    )
    assert images.lookup_dir(runtime, "/proj") == RepoPath("services/api")


def test_stages_by_name_or_index_and_paths_from_the_workdir(tmp_path: Path) -> None:
    images, build, runtime = model(tmp_path)
    assert images.find_stage("build") is build and images.find_stage("1") is runtime
    assert images.find_stage("missing") is None
    assert images.absolute(runtime, "app/../x.txt") == "/srv/x.txt"
    assert images.absolute(runtime, "/abs") == "/abs"
    assert is_under("/app/x", "/app") and is_under("/x", "/") and not is_under("/apple", "/app")


def test_warnings_point_at_the_line_with_the_offset_of_an_inline_dockerfile(
    tmp_path: Path,
) -> None:
    images, build, _ = model(tmp_path)
    images.warn(build, 3, "odd")
    images.warn(None, 1, "before any stage")
    assert [(str(d.location), d.message) for d in build.diagnostics] == [("Dockerfile:13", "odd")]
    assert [d.location.line for d in images.header] == [11]


def test_substitution_uses_the_stages_args_and_env(tmp_path: Path) -> None:
    images, build, _ = model(tmp_path)
    build.args["REQ"] = "requirements.txt"
    build.env["APP"] = "/app"
    text, unresolved = images.substitute("$APP/$REQ $MISSING", build)
    assert text == "/app/requirements.txt $MISSING" and unresolved == {"MISSING"}
