"""Compose `build.additional_contexts`: `COPY --from=<name>` of a named context that is a
repository folder (relative to the project directory, as Compose resolves it) is followed like the
build context; image and service contexts are images."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write_tree

ScanJson = Callable[..., tuple[int, Any]]

DOCKERFILE = (
    "FROM python:3.12.8-slim\n"
    "COPY requirements.txt /app/requirements.txt\n"
    "COPY --from=shared requirements.txt /shared/requirements.txt\n"
    "COPY --from=base / /base\n"
    "RUN pip install -r /app/requirements.txt -r /shared/requirements.txt\n"
)


@pytest.mark.parametrize(
    "contexts",
    [
        "      additional_contexts:\n        shared: ./libs/shared\n"
        "        base: docker-image://python:3.12-slim\n",
        "      additional_contexts:\n        - shared=libs/shared\n        - base=service:db\n",
    ],
)
def test_copy_from_a_named_context(tmp_path: Path, scan_json: ScanJson, contexts: str) -> None:
    write_tree(
        tmp_path,
        {
            "services/api/Dockerfile": DOCKERFILE,
            "services/api/requirements.txt": "requests==2.31.0\n",
            "libs/shared/requirements.txt": "requests<2.28\n",
            "compose.yaml": "services:\n  api:\n    build:\n      context: services/api\n"
            + contexts
            + "  db:\n    image: postgres:16\n",
        },
    )
    code, report = scan_json(tmp_path, "--hosts-from", "deploy")
    assert code == 1, report["diagnostics"]
    (host,) = report["hosts"]
    assert host["services"] == ["libs/shared", "services/api"]
    assert [c["package"] for c in report["conflicts"]] == ["requests"]
