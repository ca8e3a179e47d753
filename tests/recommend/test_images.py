"""Plans in deployment terms: one image per group, what each installs, a Compose suggestion."""

from __future__ import annotations

from pathlib import Path

import yaml

from depcheck.recommend.compose import SUGGESTION_HEADER, compose_suggestion
from depcheck.recommend.images import image_name
from tests.conftest import FIXTURES
from tests.report.conftest import scan_path


def test_image_names_come_from_their_services() -> None:
    assert image_name(["api", "auth"]) == "api-auth"
    assert image_name(["Billing Svc"]) == "billing-svc"


def test_each_group_of_the_plan_is_an_image_with_what_it_installs() -> None:
    [plan] = scan_path(FIXTURES / "demo", root="fixtures/demo").plans
    assert [(i.name, i.services, i.installs) for i in plan.images] == [
        (
            "api-auth",
            ("api", "auth"),
            ("services/api/requirements.txt", "services/auth/requirements.txt"),
        ),
        ("billing", ("billing",), ("services/billing/requirements.txt",)),
    ]


def test_the_compose_suggestion_is_valid_yaml_with_one_sketch_per_image(tmp_path: Path) -> None:
    report = scan_path(FIXTURES / "demo", root="fixtures/demo")
    out = tmp_path / "compose.yaml"
    suggestion = compose_suggestion(report, FIXTURES / "demo", out)
    assert suggestion.images == 2
    paths = [path for path, _ in suggestion.files]
    assert paths == [
        out,
        tmp_path / "compose.yaml.d" / "api-auth.Dockerfile",
        tmp_path / "compose.yaml.d" / "billing.Dockerfile",
    ]
    compose_text = suggestion.files[0][1]
    assert compose_text.startswith(SUGGESTION_HEADER)
    services = yaml.safe_load(compose_text)["services"]
    assert set(services) == {"api-auth", "billing"}
    assert services["billing"]["labels"]["depcheck.host"] == "web"
    sketch = dict(suggestion.files)[paths[1]]
    assert "FROM python:3.11-slim" in sketch
    assert "RUN pip install --no-cache-dir -r services/api/requirements.txt" in sketch
    # nothing was written: the CLI writes the files where the user says
    assert not out.exists()
