"""`--diff-base` on a stranger's repository: git runs nothing the repository controls, links of
the revision stay inside, nothing under `.git` is written or read (depcheck.revision).

Every test builds a real git repository in tmp_path. The hostile ones configure what `git
archive` or `git checkout` would run (a smudge filter, a long-running filter process, a
textconv driver, an fsmonitor, hooks); each such program would create a marker file, and the
test first proves with git itself that the marker appears when git applies the attributes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from depcheck.cli import main
from depcheck.revision import checkout_revision

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

BASE = {
    "api/requirements.txt": "urllib3<2\n",
    "web/requirements.txt": "urllib3>=2\n",
}


def git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(repo.parent),
    }
    return subprocess.run(
        ["git", *args], cwd=repo, input=stdin, capture_output=True, check=True, env=env
    ).stdout.decode()


def make_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def scan_json(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = main(["scan", str(root), "--format", "json", "--quiet", *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    return code, json.loads(captured.out)


def test_no_filter_textconv_fsmonitor_or_hook_of_the_repository_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "ran"
    repo = make_repo(
        tmp_path / "repo",
        {
            **BASE,
            ".gitattributes": "*.txt filter=evil diff=evil\n",
        },
    )
    touch = f"touch {marker}"
    git(repo, "config", "filter.evil.smudge", f"sh -c '{touch}; cat'")
    git(repo, "config", "filter.evil.clean", "cat")
    git(repo, "config", "diff.evil.textconv", f"sh -c '{touch}; cat \"$0\"'")
    git(repo, "config", "core.fsmonitor", f"sh -c '{touch}'")
    hooks = repo / ".git" / "hooks"
    for hook in ("post-checkout", "pre-commit", "reference-transaction"):
        (hooks / hook).write_text(f"#!/bin/sh\n{touch}\n")
        (hooks / hook).chmod(0o755)
    # the trap is armed: git itself runs the smudge filter when it writes the files out
    git(repo, "archive", "--format=tar", "-o", str(tmp_path / "proof.tar"), "HEAD")
    assert marker.exists()
    marker.unlink()
    # the change under review: web moves to urllib3<2 too (the conflict is fixed)
    (repo / "web" / "requirements.txt").write_text("urllib3<2\n")
    code, report = scan_json(repo, "--diff-base", "main", capsys=capsys)
    assert not marker.exists(), "depcheck let git run a program the repository configured"
    assert code == 0
    assert report["baseline"] == "git main"
    assert len(report["fixed"]) == 1  # the base revision was read, as stored


def test_links_of_the_revision_that_leave_it_are_skipped_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("urllib3==1.0\n")
    repo = make_repo(tmp_path / "repo", BASE)
    links = {
        "absolute/requirements.txt": str(secret),
        "climbing/requirements.txt": "../../secret.txt",
        "into-git/requirements.txt": "../.git/config",
        # `hop` stays inside as written; `chain` passes through it and out of the tree
        "deep/hop": "..",
        "chain": "deep/hop/../secret.txt",
        "inside/requirements.txt": "../api/requirements.txt",
    }
    for rel, target in links.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, repo / rel)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "links")
    destination = tmp_path / "base"
    destination.mkdir()
    revision = checkout_revision(repo, "HEAD", destination)
    skipped = {d.location.path: d.message for d in revision.diagnostics}
    assert set(skipped) == {
        "absolute/requirements.txt",
        "climbing/requirements.txt",
        "into-git/requirements.txt",
        "chain",
    }, skipped
    assert "absolute path" in skipped["absolute/requirements.txt"]
    assert "outside" in skipped["climbing/requirements.txt"]
    assert ".git" in skipped["into-git/requirements.txt"]
    assert "outside" in skipped["chain"]
    assert (destination / "inside" / "requirements.txt").read_text() == "urllib3<2\n"
    assert os.readlink(destination / "deep" / "hop") == ".."
    # the change under review removes the links; the scan warns about each one skipped at
    # HEAD, finds the urllib3 conflict already there (known: exit 0), and quotes nothing the
    # links pointed at
    for rel in links:
        (repo / rel).unlink()
    code, report = scan_json(repo, "--diff-base", "HEAD", capsys=capsys)
    assert code == 0
    assert {c["baseline"] for c in report["conflicts"]} == {"known"}
    warnings = [d for d in report["diagnostics"] if "at HEAD" in d["message"]]
    assert {d["source"] for d in warnings} == set(skipped)
    assert all(d["severity"] == "warning" for d in warnings)
    assert "urllib3==1.0" not in json.dumps(report)


def test_nothing_under_a_git_folder_of_the_revision_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A crafted tree (git mktree takes it) holding `.git/config` and `sub/.GIT/hooks/x`."""
    repo = make_repo(tmp_path / "repo", BASE)
    blob = git(repo, "hash-object", "-w", "--stdin", stdin=b"urllib3==9\n").strip()
    inner = git(repo, "mktree", stdin=f"100644 blob {blob}\trequirements.txt\n".encode()).strip()
    sub = git(repo, "mktree", stdin=f"040000 tree {inner}\t.GIT\n".encode()).strip()
    head_tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
    listing = git(repo, "ls-tree", head_tree)
    tree = git(
        repo,
        "mktree",
        stdin=(listing + f"040000 tree {inner}\t.git\n040000 tree {sub}\tsub\n").encode(),
    ).strip()
    commit = git(repo, "commit-tree", tree, "-p", "HEAD", "-m", "crafted").strip()
    destination = tmp_path / "base"
    destination.mkdir()
    revision = checkout_revision(repo, commit, destination)
    assert not (destination / ".git").exists()
    assert not (destination / "sub").exists()
    skipped = {d.location.path for d in revision.diagnostics}
    assert skipped == {".git/requirements.txt", "sub/.GIT/requirements.txt"}
    code, report = scan_json(repo, "--diff-base", commit, capsys=capsys)
    assert code == 0  # the conflict was there at the revision: known, it does not fail
    assert {c["baseline"] for c in report["conflicts"]} == {"known"}


def test_a_subfolder_is_read_alone_and_a_submodule_is_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {f"services/{k}": v for k, v in BASE.items()} | {"other/requirements.txt": "x\n"},
    )
    # a submodule entry (mode 160000) pointing at a commit this clone does not have
    head = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{head},services/vendored")
    git(repo, "commit", "-q", "-m", "submodule")
    destination = tmp_path / "base"
    destination.mkdir()
    revision = checkout_revision(repo / "services", "HEAD", destination)
    written = sorted(p.relative_to(destination).as_posix() for p in destination.rglob("*"))
    assert written == ["api", "api/requirements.txt", "web", "web/requirements.txt"]
    assert revision.diagnostics == ()
    code, report = scan_json(repo / "services", "--diff-base", "HEAD", capsys=capsys)
    assert code == 0  # the conflict was there at the revision: known, it does not fail
    assert {c["baseline"] for c in report["conflicts"]} == {"known"}


def test_a_path_that_did_not_exist_at_the_revision_makes_every_conflict_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo", {"README": "x\n"})
    (repo / "services").mkdir()
    for rel, text in BASE.items():
        (repo / "services" / rel).parent.mkdir(parents=True)
        (repo / "services" / rel).write_text(text)
    code, report = scan_json(repo / "services", "--diff-base", "HEAD", capsys=capsys)
    assert code == 1
    assert {c["baseline"] for c in report["conflicts"]} == {"new"}


def test_a_revision_whose_config_cannot_be_used_counts_every_conflict_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo", {**BASE, "depcheck.toml": "[services\n"})
    (repo / "depcheck.toml").unlink()  # the change under review removes the broken config
    code, report = scan_json(repo, "--diff-base", "HEAD", capsys=capsys)
    assert code == 1
    assert {c["baseline"] for c in report["conflicts"]} == {"new"}
    note = next(d for d in report["diagnostics"] if "the scan could not start" in d["message"])
    assert note["severity"] == "warning"
    assert "depcheck.toml" in note["message"]
