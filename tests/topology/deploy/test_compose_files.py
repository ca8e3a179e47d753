"""Compose variant files layered as `docker compose -f a -f b` does, when the config lists them
(`compose-files = [...]`); without it, a variant is not read and a warning says how to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import write_tree

ScanJson = Callable[..., tuple[int, Any]]

FILES = {
    "services/api/requirements.txt": "requests==2.31.0\n",
    "services/worker/requirements.txt": "requests<2.28\n",
    "services/api/Dockerfile": "FROM python:3.12.8-slim\nCOPY requirements.txt .\n"
    "RUN pip install -r requirements.txt\n",
    "docker-compose.yml": "services:\n  api:\n    build: services/api\n",
    "services/api/Dockerfile.prod": "FROM python:3.12.8-slim\nCOPY services /srv\n"
    "RUN pip install -r /srv/api/requirements.txt -r /srv/worker/requirements.txt\n",
    # production builds the api image with the worker's jobs in it
    "docker-compose.prod.yml": "services:\n  api:\n    build:\n      context: .\n"
    "      dockerfile: services/api/Dockerfile.prod\n",
}


def test_a_variant_is_not_read_without_the_config(tmp_path: Path, scan_json: ScanJson) -> None:
    write_tree(tmp_path, FILES)
    _, report = scan_json(tmp_path)
    (api,) = [h for h in report["hosts"] if h["name"] == "api"]
    assert api["services"] == ["services/api"]
    (warning,) = [d for d in report["diagnostics"] if d["source"] == "docker-compose.prod.yml"]
    assert 'compose-files = ["compose.yaml", ...]' in warning["message"]


def test_the_config_layers_the_variant(tmp_path: Path, scan_json: ScanJson) -> None:
    write_tree(
        tmp_path,
        {
            **FILES,
            "depcheck.toml": 'compose-files = ["docker-compose.yml", "docker-compose.prod.yml"]\n',
        },
    )
    code, report = scan_json(tmp_path)
    assert code == 1
    assert report["diagnostics"] == []
    (api,) = [h for h in report["hosts"] if h["name"] == "api"]
    assert api["services"] == ["services/api", "services/worker"]
    assert [(c["host"], c["package"]) for c in report["conflicts"]] == [("api", "requests")]
